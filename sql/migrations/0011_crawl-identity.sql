-- migration: who ran each crawl and for which organization
-- Released: never edit this file; add the next number instead.
-- The evidence header of a report names who ran the crawl and where: the operating-system user
-- and host the crawl ran as, and the organization id the API named in its `openai-organization`
-- response header (NULL when the API sent none); all three are written when the crawl publishes,
-- so a failed crawl has NULL. Untrusted text like every name; not a secret. Snapshots taken before this
-- migration have NULL in all three: reports say "not recorded".
ALTER TABLE snapshot_runs ADD COLUMN crawl_user VARCHAR;
ALTER TABLE snapshot_runs ADD COLUMN crawl_host VARCHAR;
ALTER TABLE snapshot_runs ADD COLUMN organization_id VARCHAR;

CREATE OR REPLACE VIEW snapshots AS
SELECT snapshot_id, started_at, finished_at, status, base_url, tool_version,
  groups, memberships, group_role_assignments, users, user_role_assignments, roles,
  requests, retries, seal,
  rate_limited, key_redacted, schema_version, vanished_groups, vanished_users, duplicate_rows,
  error, pruned_at,
  projects, project_memberships, project_groups, project_roles, project_group_role_assignments,
  project_user_role_assignments, vanished_project_access, uncollected,
  service_accounts, api_keys, admin_keys, invites,
  crawl_user, crawl_host, organization_id
FROM snapshot_runs;
