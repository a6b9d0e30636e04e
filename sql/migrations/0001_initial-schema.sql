-- migration: initial schema
-- Released: never edit this file; add the next number instead.
CREATE TABLE snapshot_runs (
  snapshot_id INTEGER PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  status VARCHAR NOT NULL CHECK (status IN ('running', 'complete', 'failed', 'abandoned')),
  base_url VARCHAR NOT NULL,
  tool_version VARCHAR NOT NULL,
  key_redacted VARCHAR NOT NULL,
  schema_version INTEGER NOT NULL,
  groups INTEGER,
  memberships INTEGER,
  group_role_assignments INTEGER,
  users INTEGER,
  user_role_assignments INTEGER,
  roles INTEGER,
  requests INTEGER,
  retries INTEGER,
  rate_limited INTEGER,
  vanished_groups INTEGER,
  vanished_users INTEGER,
  duplicate_rows INTEGER,
  error VARCHAR,
  seal VARCHAR
);

CREATE TABLE hist_groups (
  group_id VARCHAR NOT NULL, name VARCHAR, group_type VARCHAR, is_scim_managed BOOLEAN,
  created_at TIMESTAMPTZ, valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_group_members (
  group_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL, email VARCHAR, name VARCHAR,
  valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_group_roles (
  group_id VARCHAR NOT NULL, role_id VARCHAR NOT NULL, role_name VARCHAR, permissions VARCHAR[],
  predefined_role BOOLEAN, resource_type VARCHAR, valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_roles (
  role_id VARCHAR NOT NULL, name VARCHAR, description VARCHAR, permissions VARCHAR[],
  predefined_role BOOLEAN, resource_type VARCHAR, valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_users (
  user_id VARCHAR NOT NULL, email VARCHAR, name VARCHAR, role VARCHAR, is_scim_managed BOOLEAN,
  is_service_account BOOLEAN, added_at TIMESTAMPTZ, api_key_last_used_at TIMESTAMPTZ,
  valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_user_roles (
  user_id VARCHAR NOT NULL, role_id VARCHAR NOT NULL, role_name VARCHAR, permissions VARCHAR[],
  predefined_role BOOLEAN, assignment_sources STRUCT(principal_id VARCHAR, principal_type VARCHAR)[],
  valid_from INTEGER NOT NULL, valid_to INTEGER);

CREATE TABLE run_endpoints (
  snapshot_id INTEGER NOT NULL, endpoint VARCHAR NOT NULL, pages INTEGER NOT NULL,
  items INTEGER NOT NULL, completed BOOLEAN NOT NULL);
CREATE TABLE run_vanished_groups (snapshot_id INTEGER NOT NULL, group_id VARCHAR NOT NULL);
CREATE TABLE run_vanished_users (snapshot_id INTEGER NOT NULL, user_id VARCHAR NOT NULL);
CREATE TABLE run_seal_parts (
  snapshot_id INTEGER NOT NULL, part VARCHAR NOT NULL, row_count INTEGER NOT NULL,
  sha256 VARCHAR NOT NULL);

CREATE VIEW snapshots AS
SELECT snapshot_id, started_at, finished_at, status, base_url, tool_version,
  groups, memberships, group_role_assignments, users, user_role_assignments, roles,
  requests, retries, seal,
  rate_limited, key_redacted, schema_version, vanished_groups, vanished_users, duplicate_rows,
  error
FROM snapshot_runs;

CREATE VIEW snapshot_groups AS
SELECT r.snapshot_id, h.group_id, h.name, h.group_type, h.is_scim_managed, h.created_at
FROM snapshot_runs AS r
JOIN hist_groups AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_group_members AS
SELECT r.snapshot_id, h.group_id, h.user_id, h.email, h.name
FROM snapshot_runs AS r
JOIN hist_group_members AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_group_roles AS
SELECT r.snapshot_id, h.group_id, h.role_id, h.role_name, h.permissions, h.predefined_role, h.resource_type
FROM snapshot_runs AS r
JOIN hist_group_roles AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_roles AS
SELECT r.snapshot_id, h.role_id, h.name, h.description, h.permissions, h.predefined_role, h.resource_type
FROM snapshot_runs AS r
JOIN hist_roles AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_users AS
SELECT r.snapshot_id, h.user_id, h.email, h.name, h.role, h.is_scim_managed, h.is_service_account, h.added_at, h.api_key_last_used_at
FROM snapshot_runs AS r
JOIN hist_users AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_user_roles AS
SELECT r.snapshot_id, h.user_id, h.role_id, h.role_name, h.permissions, h.predefined_role, h.assignment_sources
FROM snapshot_runs AS r
JOIN hist_user_roles AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';

CREATE VIEW snapshot_endpoints AS
SELECT snapshot_id, endpoint, pages, items, completed FROM run_endpoints;
CREATE VIEW snapshot_vanished_groups AS
SELECT snapshot_id, group_id FROM run_vanished_groups;
CREATE VIEW snapshot_vanished_users AS
SELECT snapshot_id, user_id FROM run_vanished_users;
CREATE VIEW snapshot_seal_parts AS
SELECT snapshot_id, part, row_count, sha256 FROM run_seal_parts;
