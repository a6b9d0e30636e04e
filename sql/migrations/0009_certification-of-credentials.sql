-- migration: certification of credentials
-- Released: never edit this file; add the next number instead.
-- Campaigns review credentials too (`--scope credentials`). As 0007 did, the three tables whose
-- CHECKs change are rebuilt (copy, drop, create, insert back); every existing row keeps its
-- values.
--
-- certify_campaigns: scope 'credentials' (the credentials of the snapshot only).
CREATE TABLE certify_campaigns_before_v9 AS SELECT * FROM certify_campaigns;
DROP TABLE certify_campaigns;
CREATE TABLE certify_campaigns (
  campaign_id INTEGER PRIMARY KEY,
  name VARCHAR NOT NULL UNIQUE,
  snapshot_id INTEGER NOT NULL,
  seal VARCHAR NOT NULL,
  scope VARCHAR NOT NULL
    CHECK (scope IN ('all', 'elevated', 'changed-since-last', 'projects', 'organization',
      'credentials')),
  baseline_campaign_id INTEGER,
  reviewers_sha256 VARCHAR,
  reviewers_source VARCHAR NOT NULL,
  undecided_policy VARCHAR NOT NULL CHECK (undecided_policy IN ('keep', 'revoke', 'escalate')),
  allow_self_review BOOLEAN NOT NULL,
  due_date DATE,
  secret VARCHAR NOT NULL,
  status VARCHAR NOT NULL CHECK (status IN ('open', 'closed')),
  created_at TIMESTAMPTZ NOT NULL,
  closed_at TIMESTAMPTZ,
  project_filter VARCHAR[],
  uncollected VARCHAR[]
);
INSERT INTO certify_campaigns SELECT * FROM certify_campaigns_before_v9;
DROP TABLE certify_campaigns_before_v9;

-- certify_items: the credential kinds and what a reviewer sees of a credential (NULL for a
-- grant). Texts are frozen as the workbook shows them.
--   admin_key:       an organization admin API key (user_*: its owner);
--   project_api_key: a project API key owned by a user (user_*: its owner);
--   service_account: a project service account with its keys (a key owned by a service account
--                    is revoked by deleting the service account: the keys are not items);
--   invite:          a pending invite (user_email: the address invited, role_name: its role).
-- credential_id: the key, service account or invite id; owner_type: 'user' or
-- 'service_account'; credential_created/last_used/expires: texts as shown (last used exact
-- when at least USAGE_RESOLUTION_DAYS before the snapshot, else "used within N days");
-- tool_key: for an admin key, 'match' when it is the key the snapshot was crawled with,
-- 'ambiguous' when several admin keys could be, NULL otherwise.
CREATE TABLE certify_items_before_v9 AS SELECT * FROM certify_items;
DROP TABLE certify_items;
CREATE TABLE certify_items (
  campaign_id INTEGER NOT NULL,
  item_id VARCHAR NOT NULL,
  kind VARCHAR NOT NULL CHECK (kind IN ('membership', 'group_role', 'user_role',
    'project_membership', 'project_group', 'project_user_role',
    'admin_key', 'project_api_key', 'service_account', 'invite')),
  group_id VARCHAR, group_name VARCHAR, group_is_scim_managed BOOLEAN,
  user_id VARCHAR, user_email VARCHAR, user_name VARCHAR,
  role_id VARCHAR, role_name VARCHAR,
  elevated BOOLEAN NOT NULL,
  path VARCHAR NOT NULL,
  fingerprint VARCHAR NOT NULL,
  reviewer VARCHAR NOT NULL,
  reviewer_rule VARCHAR NOT NULL,
  self_review BOOLEAN NOT NULL,
  carried_from_campaign_id INTEGER,
  project_id VARCHAR,
  project_name VARCHAR,
  credential_id VARCHAR,
  credential_name VARCHAR,
  redacted_value VARCHAR,
  owner_type VARCHAR,
  credential_created VARCHAR,
  credential_last_used VARCHAR,
  credential_expires VARCHAR,
  tool_key VARCHAR CHECK (tool_key IN ('match', 'ambiguous')),
  PRIMARY KEY (campaign_id, item_id)
);
INSERT INTO certify_items (campaign_id, item_id, kind, group_id, group_name,
  group_is_scim_managed, user_id, user_email, user_name, role_id, role_name, elevated, path,
  fingerprint, reviewer, reviewer_rule, self_review, carried_from_campaign_id, project_id,
  project_name)
SELECT campaign_id, item_id, kind, group_id, group_name,
  group_is_scim_managed, user_id, user_email, user_name, role_id, role_name, elevated, path,
  fingerprint, reviewer, reviewer_rule, self_review, carried_from_campaign_id, project_id,
  project_name
FROM certify_items_before_v9;
DROP TABLE certify_items_before_v9;

-- certify_remediation: the credential actions. A revocation of the admin key the tool itself
-- uses is recorded as 'refused' without a call (never retried, not even with --retry-refused).
CREATE TABLE certify_remediation_before_v9 AS SELECT * FROM certify_remediation;
DROP TABLE certify_remediation;
CREATE TABLE certify_remediation (
  campaign_id INTEGER NOT NULL,
  item_id VARCHAR NOT NULL,
  action VARCHAR NOT NULL
    CHECK (action IN ('remove_group_member', 'unassign_group_role', 'unassign_user_role',
      'idp_change', 'remove_project_member', 'detach_project_group',
      'unassign_project_user_role', 'delete_admin_api_key', 'delete_project_api_key',
      'delete_service_account', 'delete_invite')),
  method VARCHAR,
  path VARCHAR,
  status VARCHAR NOT NULL
    CHECK (status IN ('planned', 'done', 'already_absent', 'failed', 'idp', 'refused')),
  attempts INTEGER NOT NULL,
  error VARCHAR,
  planned_at TIMESTAMPTZ NOT NULL,
  executed_at TIMESTAMPTZ,
  PRIMARY KEY (campaign_id, item_id)
);
INSERT INTO certify_remediation SELECT * FROM certify_remediation_before_v9;
DROP TABLE certify_remediation_before_v9;
