-- migration: retention: pruned status, pruned_at, snapshot_holds
-- Released: never edit this file; add the next number instead.
CREATE TABLE snapshot_runs_before_v3 AS SELECT * FROM snapshot_runs;
DROP VIEW snapshots;
DROP TABLE snapshot_runs;
CREATE TABLE snapshot_runs (
  snapshot_id INTEGER PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  status VARCHAR NOT NULL
    CHECK (status IN ('running', 'complete', 'failed', 'abandoned', 'pruned')),
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
  seal VARCHAR,
  pruned_at TIMESTAMPTZ
);
INSERT INTO snapshot_runs (
  snapshot_id, started_at, finished_at, status, base_url, tool_version, key_redacted,
  schema_version, groups, memberships, group_role_assignments, users, user_role_assignments,
  roles, requests, retries, rate_limited, vanished_groups, vanished_users, duplicate_rows, error,
  seal)
SELECT
  snapshot_id, started_at, finished_at, status, base_url, tool_version, key_redacted,
  schema_version, groups, memberships, group_role_assignments, users, user_role_assignments,
  roles, requests, retries, rate_limited, vanished_groups, vanished_users, duplicate_rows, error,
  seal
FROM snapshot_runs_before_v3;
DROP TABLE snapshot_runs_before_v3;

CREATE VIEW snapshots AS
SELECT snapshot_id, started_at, finished_at, status, base_url, tool_version,
  groups, memberships, group_role_assignments, users, user_role_assignments, roles,
  requests, retries, seal,
  rate_limited, key_redacted, schema_version, vanished_groups, vanished_users, duplicate_rows,
  error, pruned_at
FROM snapshot_runs;

CREATE TABLE snapshot_holds (
  snapshot_id INTEGER NOT NULL,
  reason VARCHAR NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
