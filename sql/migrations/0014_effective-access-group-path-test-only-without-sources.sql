-- migration: effective access without a group-path test where the API names the sources
-- Released: never edit this file; add the next number instead.
-- The effective_access view of 0013, unchanged in its rows. A direct role is kept when its
-- assignment_sources name the user or, only where the API gave no sources, when no group path
-- explains it. 0013 wrote both as one CASE; DuckDB evaluated the CASE's NOT EXISTS for every row,
-- over the group paths of every snapshot in the database, whichever snapshot was asked for. Here
-- they are two branches of a UNION ALL, and the test, for rows without sources only, joins the
-- tables it needs rather than reading the group-path CTEs a second time. No CTE is read twice, so
-- none is materialised, and no hint is needed (so the two branches repeat their SELECT: a CTE that
-- both read would be materialised, for every snapshot). DuckDB does not keep 0013's NOT
-- MATERIALIZED in a stored view (the SQL it stores drops it), so that hint held only until the
-- database was reopened. One snapshot's project paths, on a database of 4 snapshots of 1,000,000
-- memberships: 3.6 s before, 0.13-0.16 s after.
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
  WHERE ur.assignment_sources IS NOT NULL
    AND coalesce(list_bool_or(
      list_transform(ur.assignment_sources, s -> s.principal_type = 'user')), false)
  UNION ALL
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
  WHERE ur.assignment_sources IS NULL AND NOT EXISTS (
      SELECT 1 FROM snapshot_group_members AS m
      JOIN snapshot_group_roles AS gr ON gr.snapshot_id = m.snapshot_id AND gr.group_id = m.group_id
      JOIN snapshot_groups AS g ON g.snapshot_id = m.snapshot_id AND g.group_id = m.group_id
      WHERE m.snapshot_id = ur.snapshot_id AND m.user_id = ur.user_id
        AND gr.role_id = ur.role_id)
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
    AND pur.assignment_sources IS NOT NULL
    AND coalesce(list_bool_or(
      list_transform(pur.assignment_sources, s -> s.principal_type = 'user')), false)
  UNION ALL
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
    AND pur.assignment_sources IS NULL AND NOT EXISTS (
        SELECT 1 FROM snapshot_project_group_roles AS pgr
        JOIN snapshot_group_members AS m
          ON m.snapshot_id = pgr.snapshot_id AND m.group_id = pgr.group_id
        JOIN snapshot_groups AS g ON g.snapshot_id = pgr.snapshot_id AND g.group_id = pgr.group_id
        WHERE pgr.snapshot_id = pur.snapshot_id AND pgr.project_id = pur.project_id
          AND m.user_id = pur.user_id AND pgr.role_id = pur.role_id)
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
