-- migration: certification campaigns and remediation
-- Released: never edit this file; add the next number instead.
CREATE TABLE certify_campaigns (
  campaign_id INTEGER PRIMARY KEY,
  name VARCHAR NOT NULL UNIQUE,
  snapshot_id INTEGER NOT NULL,
  seal VARCHAR NOT NULL,
  scope VARCHAR NOT NULL CHECK (scope IN ('all', 'elevated', 'changed-since-last')),
  baseline_campaign_id INTEGER,
  reviewers_sha256 VARCHAR,
  reviewers_source VARCHAR NOT NULL,
  undecided_policy VARCHAR NOT NULL CHECK (undecided_policy IN ('keep', 'revoke', 'escalate')),
  allow_self_review BOOLEAN NOT NULL,
  due_date DATE,
  secret VARCHAR NOT NULL,
  status VARCHAR NOT NULL CHECK (status IN ('open', 'closed')),
  created_at TIMESTAMPTZ NOT NULL,
  closed_at TIMESTAMPTZ
);
CREATE TABLE certify_items (
  campaign_id INTEGER NOT NULL,
  item_id VARCHAR NOT NULL,
  kind VARCHAR NOT NULL CHECK (kind IN ('membership', 'group_role', 'user_role')),
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
  PRIMARY KEY (campaign_id, item_id)
);
CREATE TABLE certify_decisions (
  decision_seq INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL,
  item_id VARCHAR NOT NULL,
  decision VARCHAR NOT NULL CHECK (decision IN ('approve', 'revoke', 'needs_info', 'escalated')),
  justification VARCHAR,
  reviewer VARCHAR NOT NULL,
  decided_at TIMESTAMPTZ NOT NULL,
  source VARCHAR NOT NULL CHECK (source IN ('workbook', 'carried_forward', 'close_policy')),
  file_sha256 VARCHAR,
  sheet_row INTEGER
);
CREATE TABLE certify_imports (
  campaign_id INTEGER NOT NULL,
  file_sha256 VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  reviewer VARCHAR NOT NULL,
  rows INTEGER NOT NULL,
  decisions INTEGER NOT NULL,
  imported_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (campaign_id, file_sha256)
);
CREATE TABLE certify_remediation (
  campaign_id INTEGER NOT NULL,
  item_id VARCHAR NOT NULL,
  action VARCHAR NOT NULL
    CHECK (action IN ('remove_group_member', 'unassign_group_role', 'unassign_user_role', 'idp_change')),
  method VARCHAR,
  path VARCHAR,
  status VARCHAR NOT NULL CHECK (status IN ('planned', 'done', 'already_absent', 'failed', 'idp')),
  attempts INTEGER NOT NULL,
  error VARCHAR,
  planned_at TIMESTAMPTZ NOT NULL,
  executed_at TIMESTAMPTZ,
  PRIMARY KEY (campaign_id, item_id)
);
