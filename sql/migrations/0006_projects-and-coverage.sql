-- migration: projects: project facts, snapshot coverage, vanished project access
-- Released: never edit this file; add the next number instead.
-- Projects, their members, attached groups, roles catalog and project-scope role assignments,
-- kept as history like the organization facts (valid_from / valid_to snapshot ranges).
CREATE TABLE hist_projects (
  project_id VARCHAR NOT NULL, name VARCHAR, status VARCHAR, archived BOOLEAN,
  created_at TIMESTAMPTZ, archived_at TIMESTAMPTZ, external_key_id VARCHAR, residency VARCHAR,
  valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_project_users (
  project_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL, email VARCHAR, name VARCHAR,
  role VARCHAR, added_at TIMESTAMPTZ, valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_project_groups (
  project_id VARCHAR NOT NULL, group_id VARCHAR NOT NULL, group_name VARCHAR, group_type VARCHAR,
  created_at TIMESTAMPTZ, valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_project_roles (
  project_id VARCHAR NOT NULL, role_id VARCHAR NOT NULL, name VARCHAR, description VARCHAR,
  permissions VARCHAR[], predefined_role BOOLEAN, resource_type VARCHAR,
  valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_project_group_roles (
  project_id VARCHAR NOT NULL, group_id VARCHAR NOT NULL, role_id VARCHAR NOT NULL,
  role_name VARCHAR, permissions VARCHAR[], predefined_role BOOLEAN, resource_type VARCHAR,
  valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE hist_project_user_roles (
  project_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL, role_id VARCHAR NOT NULL,
  role_name VARCHAR, permissions VARCHAR[], predefined_role BOOLEAN,
  assignment_sources STRUCT(principal_id VARCHAR, principal_type VARCHAR)[],
  valid_from INTEGER NOT NULL, valid_to INTEGER);

-- Members removed from, and groups detached from, a project while the crawl read it.
CREATE TABLE run_vanished_project_access (
  snapshot_id INTEGER NOT NULL, project_id VARCHAR NOT NULL, principal_type VARCHAR NOT NULL,
  principal_id VARCHAR NOT NULL);

ALTER TABLE snapshot_runs ADD COLUMN projects INTEGER;
ALTER TABLE snapshot_runs ADD COLUMN project_memberships INTEGER;
ALTER TABLE snapshot_runs ADD COLUMN project_groups INTEGER;
ALTER TABLE snapshot_runs ADD COLUMN project_roles INTEGER;
ALTER TABLE snapshot_runs ADD COLUMN project_group_role_assignments INTEGER;
ALTER TABLE snapshot_runs ADD COLUMN project_user_role_assignments INTEGER;
ALTER TABLE snapshot_runs ADD COLUMN vanished_project_access INTEGER;
-- The coverage scopes a crawl did not collect (COVERAGE_SCOPES in src/facts/types.ts): an
-- uncollected fact type is "not collected", never "every row removed".
ALTER TABLE snapshot_runs ADD COLUMN uncollected VARCHAR[];
-- Snapshots taken before this migration collected no projects. Whether they read user role
-- assignments is visible in their completeness record (a run with --no-user-roles listed none).
UPDATE snapshot_runs SET uncollected = CASE
  WHEN users > 0 AND NOT EXISTS (
    SELECT 1 FROM run_endpoints AS e
    WHERE e.snapshot_id = snapshot_runs.snapshot_id
      AND e.endpoint = '/organization/users/{user_id}/roles')
  THEN ['user_roles', 'projects', 'project_role_assignments']
  ELSE ['projects', 'project_role_assignments']
END;

CREATE OR REPLACE VIEW snapshots AS
SELECT snapshot_id, started_at, finished_at, status, base_url, tool_version,
  groups, memberships, group_role_assignments, users, user_role_assignments, roles,
  requests, retries, seal,
  rate_limited, key_redacted, schema_version, vanished_groups, vanished_users, duplicate_rows,
  error, pruned_at,
  projects, project_memberships, project_groups, project_roles, project_group_role_assignments,
  project_user_role_assignments, vanished_project_access, uncollected
FROM snapshot_runs;

CREATE VIEW snapshot_projects AS
SELECT r.snapshot_id, h.project_id, h.name, h.status, h.archived, h.created_at, h.archived_at,
  h.external_key_id, h.residency
FROM snapshot_runs AS r
JOIN hist_projects AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_project_users AS
SELECT r.snapshot_id, h.project_id, h.user_id, h.email, h.name, h.role, h.added_at
FROM snapshot_runs AS r
JOIN hist_project_users AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_project_groups AS
SELECT r.snapshot_id, h.project_id, h.group_id, h.group_name, h.group_type, h.created_at
FROM snapshot_runs AS r
JOIN hist_project_groups AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_project_roles AS
SELECT r.snapshot_id, h.project_id, h.role_id, h.name, h.description, h.permissions,
  h.predefined_role, h.resource_type
FROM snapshot_runs AS r
JOIN hist_project_roles AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_project_group_roles AS
SELECT r.snapshot_id, h.project_id, h.group_id, h.role_id, h.role_name, h.permissions,
  h.predefined_role, h.resource_type
FROM snapshot_runs AS r
JOIN hist_project_group_roles AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_project_user_roles AS
SELECT r.snapshot_id, h.project_id, h.user_id, h.role_id, h.role_name, h.permissions,
  h.predefined_role, h.assignment_sources
FROM snapshot_runs AS r
JOIN hist_project_user_roles AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';
CREATE VIEW snapshot_vanished_project_access AS
SELECT snapshot_id, project_id, principal_type, principal_id FROM run_vanished_project_access;
-- What each snapshot collected (or, for a failed one, set out to), one row per (snapshot,
-- coverage scope); a snapshot pruned by retention keeps only its row in `snapshots`.
CREATE VIEW snapshot_coverage AS
SELECT r.snapshot_id, s.scope, NOT list_contains(coalesce(r.uncollected, []), s.scope) AS collected
FROM snapshot_runs AS r
CROSS JOIN (SELECT unnest(['organization', 'user_roles', 'projects', 'project_role_assignments']) AS scope) AS s
WHERE r.status <> 'pruned';

-- effective_access gains the project scope: one row per (snapshot, user, role, scope, path).
-- Organization rows are as before (scope 'organization', no project). Project rows have a path
-- `via` of:
--   'membership': the project member's own role (owner/member), as the project's predefined role
--                 of that name ('Project Owner' / 'Project Member') when the catalog has it, else
--                 role_id 'project-membership:<role>' with no permissions;
--   'direct':     a project role assigned to the member (assignment source the user, or no
--                 sources and no group path), other than the membership's own predefined role;
--   'group':      a project role of a group attached to the project, held by its members.
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
project_paths AS (
  SELECT * FROM project_group_paths
  UNION ALL SELECT * FROM membership_paths
  UNION ALL SELECT * FROM project_direct_paths
)
SELECT snapshot_id, user_id, email, role_id, role_name, permissions,
  via, via_group_id, via_group_name, via_group_is_scim_managed,
  'organization' AS scope, NULL::VARCHAR AS project_id, NULL::VARCHAR AS project_name
FROM group_paths
UNION ALL
SELECT snapshot_id, user_id, email, role_id, role_name, permissions,
  via, via_group_id, via_group_name, via_group_is_scim_managed,
  'organization' AS scope, NULL::VARCHAR AS project_id, NULL::VARCHAR AS project_name
FROM direct_paths
UNION ALL
SELECT pp.snapshot_id, pp.user_id, pp.email, pp.role_id, pp.role_name, pp.permissions,
  pp.via, pp.via_group_id, pp.via_group_name, pp.via_group_is_scim_managed,
  'project' AS scope, pp.project_id, p.name AS project_name
FROM project_paths AS pp
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = pp.snapshot_id AND p.project_id = pp.project_id;
