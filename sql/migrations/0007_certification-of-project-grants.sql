-- migration: certification of project grants
-- Released: never edit this file; add the next number instead.
-- Campaigns review project grants too. DuckDB cannot alter a CHECK constraint, so the three
-- tables whose CHECKs change are rebuilt the way 0003 rebuilt snapshot_runs (copy, drop, create,
-- insert back); every existing row keeps its values.
--
-- certify_campaigns: scopes 'projects' (project grants only) and 'organization' (organization
-- grants only, what `all` meant before project grants were certified); project_filter, the project ids a
-- campaign started with `--project` is limited to (NULL: no such limit); uncollected, the
-- coverage scopes its snapshot did not collect, copied when the campaign starts (NULL for a
-- campaign started before this migration, which reviewed organization grants only).
CREATE TABLE certify_campaigns_before_v7 AS SELECT * FROM certify_campaigns;
DROP TABLE certify_campaigns;
CREATE TABLE certify_campaigns (
  campaign_id INTEGER PRIMARY KEY,
  name VARCHAR NOT NULL UNIQUE,
  snapshot_id INTEGER NOT NULL,
  seal VARCHAR NOT NULL,
  scope VARCHAR NOT NULL
    CHECK (scope IN ('all', 'elevated', 'changed-since-last', 'projects', 'organization')),
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
INSERT INTO certify_campaigns (campaign_id, name, snapshot_id, seal, scope,
  baseline_campaign_id, reviewers_sha256, reviewers_source, undecided_policy, allow_self_review,
  due_date, secret, status, created_at, closed_at)
SELECT campaign_id, name, snapshot_id, seal, scope,
  baseline_campaign_id, reviewers_sha256, reviewers_source, undecided_policy, allow_self_review,
  due_date, secret, status, created_at, closed_at
FROM certify_campaigns_before_v7;
DROP TABLE certify_campaigns_before_v7;

-- certify_items: the project kinds, and the project of a project item (NULL otherwise).
--   project_membership: a member of a project (role_id/role_name: the membership's role);
--   project_group:      an organization group attached to a project (its project roles are in
--                       the path, like a group membership's roles);
--   project_user_role:  a project role assigned directly to a member (a `direct` project path
--                       of effective_access).
CREATE TABLE certify_items_before_v7 AS SELECT * FROM certify_items;
DROP TABLE certify_items;
CREATE TABLE certify_items (
  campaign_id INTEGER NOT NULL,
  item_id VARCHAR NOT NULL,
  kind VARCHAR NOT NULL CHECK (kind IN ('membership', 'group_role', 'user_role',
    'project_membership', 'project_group', 'project_user_role')),
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
  PRIMARY KEY (campaign_id, item_id)
);
INSERT INTO certify_items (campaign_id, item_id, kind, group_id, group_name,
  group_is_scim_managed, user_id, user_email, user_name, role_id, role_name, elevated, path,
  fingerprint, reviewer, reviewer_rule, self_review, carried_from_campaign_id)
SELECT campaign_id, item_id, kind, group_id, group_name,
  group_is_scim_managed, user_id, user_email, user_name, role_id, role_name, elevated, path,
  fingerprint, reviewer, reviewer_rule, self_review, carried_from_campaign_id
FROM certify_items_before_v7;
DROP TABLE certify_items_before_v7;

-- certify_remediation: the project actions, and status 'refused': the API answered 400 or 422
-- (the Default project's members cannot be removed, an archived project cannot change), kept
-- with its one-line reason and not retried by `remediate apply` (unless --retry-refused).
CREATE TABLE certify_remediation_before_v7 AS SELECT * FROM certify_remediation;
DROP TABLE certify_remediation;
CREATE TABLE certify_remediation (
  campaign_id INTEGER NOT NULL,
  item_id VARCHAR NOT NULL,
  action VARCHAR NOT NULL
    CHECK (action IN ('remove_group_member', 'unassign_group_role', 'unassign_user_role',
      'idp_change', 'remove_project_member', 'detach_project_group',
      'unassign_project_user_role')),
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
INSERT INTO certify_remediation (campaign_id, item_id, action, method, path, status, attempts,
  error, planned_at, executed_at)
SELECT campaign_id, item_id, action, method, path, status, attempts,
  error, planned_at, executed_at
FROM certify_remediation_before_v7;
DROP TABLE certify_remediation_before_v7;
