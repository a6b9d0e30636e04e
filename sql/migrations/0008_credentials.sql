-- migration: credentials and non-human identities
-- Released: never edit this file; add the next number instead.
-- Service accounts, project API keys, admin API keys and invites.
-- Kept as history like the other facts (valid_from / valid_to snapshot ranges). No column holds
-- a secret: keys are stored by id with the API's redacted value. A key's last_used_at takes a
-- new version only coarsely (USAGE_RESOLUTION_DAYS in src/facts/credentials.ts).
CREATE TABLE hist_service_accounts (
  project_id VARCHAR NOT NULL, service_account_id VARCHAR NOT NULL, name VARCHAR, role VARCHAR,
  created_at TIMESTAMPTZ, valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_api_keys (
  project_id VARCHAR NOT NULL, key_id VARCHAR NOT NULL, name VARCHAR, redacted_value VARCHAR,
  created_at TIMESTAMPTZ, last_used_at TIMESTAMPTZ, owner_type VARCHAR, owner_id VARCHAR,
  owner_name VARCHAR, owner_email VARCHAR, owner_role VARCHAR, owner_project_access VARCHAR,
  valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_admin_keys (
  key_id VARCHAR NOT NULL, name VARCHAR, redacted_value VARCHAR, created_at TIMESTAMPTZ,
  expires_at TIMESTAMPTZ, last_used_at TIMESTAMPTZ, owner_type VARCHAR, owner_id VARCHAR,
  owner_name VARCHAR, owner_role VARCHAR, valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_invites (
  invite_id VARCHAR NOT NULL, email VARCHAR, role VARCHAR, status VARCHAR,
  created_at TIMESTAMPTZ, expires_at TIMESTAMPTZ, accepted_at TIMESTAMPTZ,
  projects STRUCT(project_id VARCHAR, role VARCHAR)[],
  valid_from INTEGER NOT NULL, valid_to INTEGER);

ALTER TABLE snapshot_runs ADD COLUMN service_accounts INTEGER;
ALTER TABLE snapshot_runs ADD COLUMN api_keys INTEGER;
ALTER TABLE snapshot_runs ADD COLUMN admin_keys INTEGER;
ALTER TABLE snapshot_runs ADD COLUMN invites INTEGER;
-- Snapshots taken before this migration collected no credentials.
UPDATE snapshot_runs
SET uncollected = list_sort(list_append(coalesce(uncollected, []), 'credentials'));

CREATE OR REPLACE VIEW snapshots AS
SELECT snapshot_id, started_at, finished_at, status, base_url, tool_version,
  groups, memberships, group_role_assignments, users, user_role_assignments, roles,
  requests, retries, seal,
  rate_limited, key_redacted, schema_version, vanished_groups, vanished_users, duplicate_rows,
  error, pruned_at,
  projects, project_memberships, project_groups, project_roles, project_group_role_assignments,
  project_user_role_assignments, vanished_project_access, uncollected,
  service_accounts, api_keys, admin_keys, invites
FROM snapshot_runs;

CREATE VIEW snapshot_service_accounts AS
SELECT r.snapshot_id, h.project_id, h.service_account_id, h.name, h.role, h.created_at
FROM snapshot_runs AS r
JOIN hist_service_accounts AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_api_keys AS
SELECT r.snapshot_id, h.project_id, h.key_id, h.name, h.redacted_value, h.created_at,
  h.last_used_at, h.owner_type, h.owner_id, h.owner_name, h.owner_email, h.owner_role,
  h.owner_project_access
FROM snapshot_runs AS r
JOIN hist_api_keys AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_admin_keys AS
SELECT r.snapshot_id, h.key_id, h.name, h.redacted_value, h.created_at, h.expires_at,
  h.last_used_at, h.owner_type, h.owner_id, h.owner_name, h.owner_role
FROM snapshot_runs AS r
JOIN hist_admin_keys AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_invites AS
SELECT r.snapshot_id, h.invite_id, h.email, h.role, h.status, h.created_at, h.expires_at,
  h.accepted_at, h.projects
FROM snapshot_runs AS r
JOIN hist_invites AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';

CREATE OR REPLACE VIEW snapshot_coverage AS
SELECT r.snapshot_id, s.scope, NOT list_contains(coalesce(r.uncollected, []), s.scope) AS collected
FROM snapshot_runs AS r
CROSS JOIN (SELECT unnest(['organization', 'user_roles', 'projects', 'project_role_assignments',
  'credentials']) AS scope) AS s
WHERE r.status <> 'pruned';

-- effective_access gains service accounts as principals at project scope, and a last column
-- `principal_type`: 'user' (every row before), or 'service_account' for a project service
-- account's own role (`via` 'membership', `user_id` the service account id, no email). A service
-- account with role 'none' holds nothing. Every other row is as in 0006.
CREATE OR REPLACE VIEW effective_access AS
WITH group_paths AS (
  SELECT
    m.snapshot_id, m.user_id, coalesce(u.email, m.email) AS email,
    gr.role_id, gr.role_name, gr.permissions,
    'group' AS via, g.group_id AS via_group_id, g.name AS via_group_name,
    g.is_scim_managed AS via_group_is_scim_managed
  FROM snapshot_group_members AS m
  JOIN snapshot_group_roles AS gr ON gr.snapshot_id = m.snapshot_id AND gr.group_id = m.group_id
  JOIN snapshot_groups AS g ON g.snapshot_id = m.snapshot_id AND g.group_id = m.group_id
  LEFT JOIN snapshot_users AS u ON u.snapshot_id = m.snapshot_id AND u.user_id = m.user_id
),
direct_paths AS (
  SELECT
    ur.snapshot_id, ur.user_id,
    coalesce(u.email, (
      SELECT min(m.email) FROM snapshot_group_members AS m
      WHERE m.snapshot_id = ur.snapshot_id AND m.user_id = ur.user_id
    )) AS email,
    ur.role_id, ur.role_name, ur.permissions,
    'direct' AS via, NULL::VARCHAR AS via_group_id, NULL::VARCHAR AS via_group_name,
    NULL::BOOLEAN AS via_group_is_scim_managed
  FROM snapshot_user_roles AS ur
  LEFT JOIN snapshot_users AS u ON u.snapshot_id = ur.snapshot_id AND u.user_id = ur.user_id
  WHERE CASE
    WHEN ur.assignment_sources IS NULL THEN NOT EXISTS (
      SELECT 1 FROM group_paths AS gp
      WHERE gp.snapshot_id = ur.snapshot_id AND gp.user_id = ur.user_id
        AND gp.role_id = ur.role_id)
    ELSE coalesce(list_bool_or(
      list_transform(ur.assignment_sources, s -> s.principal_type = 'user')), false)
  END
),
project_group_paths AS (
  SELECT
    pgr.snapshot_id, m.user_id, coalesce(u.email, m.email) AS email,
    pgr.role_id, pgr.role_name, pgr.permissions,
    'group' AS via, g.group_id AS via_group_id, g.name AS via_group_name,
    g.is_scim_managed AS via_group_is_scim_managed, pgr.project_id
  FROM snapshot_project_group_roles AS pgr
  JOIN snapshot_group_members AS m ON m.snapshot_id = pgr.snapshot_id AND m.group_id = pgr.group_id
  JOIN snapshot_groups AS g ON g.snapshot_id = pgr.snapshot_id AND g.group_id = pgr.group_id
  LEFT JOIN snapshot_users AS u ON u.snapshot_id = m.snapshot_id AND u.user_id = m.user_id
),
membership_paths AS (
  SELECT
    pu.snapshot_id, pu.user_id, coalesce(u.email, pu.email) AS email,
    coalesce(pr.role_id, 'project-membership:' || pu.role) AS role_id,
    coalesce(pr.name, 'Project ' || upper(pu.role[1]) || pu.role[2:]) AS role_name,
    pr.permissions,
    'membership' AS via, NULL::VARCHAR AS via_group_id, NULL::VARCHAR AS via_group_name,
    NULL::BOOLEAN AS via_group_is_scim_managed, pu.project_id
  FROM snapshot_project_users AS pu
  LEFT JOIN snapshot_project_roles AS pr
    ON pr.snapshot_id = pu.snapshot_id AND pr.project_id = pu.project_id AND pr.predefined_role
   AND lower(pr.name) = 'project ' || lower(pu.role)
  LEFT JOIN snapshot_users AS u ON u.snapshot_id = pu.snapshot_id AND u.user_id = pu.user_id
),
project_direct_paths AS (
  SELECT
    pur.snapshot_id, pur.user_id, coalesce(u.email, pu.email) AS email,
    pur.role_id, pur.role_name, pur.permissions,
    'direct' AS via, NULL::VARCHAR AS via_group_id, NULL::VARCHAR AS via_group_name,
    NULL::BOOLEAN AS via_group_is_scim_managed, pur.project_id
  FROM snapshot_project_user_roles AS pur
  LEFT JOIN snapshot_project_users AS pu
    ON pu.snapshot_id = pur.snapshot_id AND pu.project_id = pur.project_id
   AND pu.user_id = pur.user_id
  LEFT JOIN snapshot_users AS u ON u.snapshot_id = pur.snapshot_id AND u.user_id = pur.user_id
  WHERE NOT (pur.predefined_role AND pu.role IS NOT NULL
             AND lower(pur.role_name) = 'project ' || lower(pu.role))
    AND CASE
      WHEN pur.assignment_sources IS NULL THEN NOT EXISTS (
        SELECT 1 FROM project_group_paths AS gp
        WHERE gp.snapshot_id = pur.snapshot_id AND gp.project_id = pur.project_id
          AND gp.user_id = pur.user_id AND gp.role_id = pur.role_id)
      ELSE coalesce(list_bool_or(
        list_transform(pur.assignment_sources, s -> s.principal_type = 'user')), false)
    END
),
service_account_paths AS (
  SELECT
    sa.snapshot_id, sa.service_account_id AS user_id, NULL::VARCHAR AS email,
    coalesce(pr.role_id, 'project-membership:' || sa.role) AS role_id,
    coalesce(pr.name, 'Project ' || upper(sa.role[1]) || sa.role[2:]) AS role_name,
    pr.permissions,
    'membership' AS via, NULL::VARCHAR AS via_group_id, NULL::VARCHAR AS via_group_name,
    NULL::BOOLEAN AS via_group_is_scim_managed, sa.project_id
  FROM snapshot_service_accounts AS sa
  LEFT JOIN snapshot_project_roles AS pr
    ON pr.snapshot_id = sa.snapshot_id AND pr.project_id = sa.project_id AND pr.predefined_role
   AND lower(pr.name) = 'project ' || lower(sa.role)
  WHERE sa.role IS NOT NULL AND sa.role <> 'none'
),
project_paths AS (
  SELECT *, 'user' AS principal_type FROM project_group_paths
  UNION ALL SELECT *, 'user' AS principal_type FROM membership_paths
  UNION ALL SELECT *, 'user' AS principal_type FROM project_direct_paths
  UNION ALL SELECT *, 'service_account' AS principal_type FROM service_account_paths
)
SELECT snapshot_id, user_id, email, role_id, role_name, permissions,
  via, via_group_id, via_group_name, via_group_is_scim_managed,
  'organization' AS scope, NULL::VARCHAR AS project_id, NULL::VARCHAR AS project_name,
  'user' AS principal_type
FROM group_paths
UNION ALL
SELECT snapshot_id, user_id, email, role_id, role_name, permissions,
  via, via_group_id, via_group_name, via_group_is_scim_managed,
  'organization' AS scope, NULL::VARCHAR AS project_id, NULL::VARCHAR AS project_name,
  'user' AS principal_type
FROM direct_paths
UNION ALL
SELECT pp.snapshot_id, pp.user_id, pp.email, pp.role_id, pp.role_name, pp.permissions,
  pp.via, pp.via_group_id, pp.via_group_name, pp.via_group_is_scim_managed,
  'project' AS scope, pp.project_id, p.name AS project_name, pp.principal_type
FROM project_paths AS pp
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = pp.snapshot_id AND p.project_id = pp.project_id;
