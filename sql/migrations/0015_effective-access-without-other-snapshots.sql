-- migration: effective access without reading other snapshots' memberships and users
-- Released: never edit this file; add the next number instead.
-- The effective_access view of 0014, unchanged in its rows, so that reading one snapshot's paths
-- no longer costs more as the history grows. Where a path's snapshot is a correlated column, its
-- users and memberships are read from their history tables by that snapshot (the snapshot_*
-- views' own range condition; the path's snapshot is complete), not through the views:
--  - DuckDB did not carry the snapshot filter into a LEFT JOIN's view: the users' emails were
--    joined from every snapshot's users.
--  - The group-path test (a direct role kept only where no group path explains it, for rows the
--    API gave no assignment_sources) is a correlated NOT EXISTS. DuckDB built a hash table of every
--    snapshot's memberships for it, even with no row to test; with a filter on the user, it
--    materialised the organization and project tests' common part, every snapshot's memberships,
--    once (30,000,000 rows, 1.3-2.5 s, on a database of 30 snapshots of 1,000,000 memberships).
--    Each test also requires the member to be a user with some row without sources (implied by
--    the correlation): a semi join that leaves nothing to test when every row has its sources.
--  - The direct paths' fallback email (from the group member listing) is looked up once, after
--    the two branches, rather than in each of them.
-- At 1,000,000 memberships, one snapshot's organization paths took 0.09 s on a database of 2
-- snapshots and 0.7-1.5 s on one of 8; one user's paths (`access --user`) 0.6 s on a database of
-- 2 snapshots and 2.8 s on one of 30, now 0.66 s. The rows are the same as 0014's (EXCEPT ALL
-- both ways over every snapshot of such databases, with and without the sources of half the
-- direct roles).
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
  LEFT JOIN hist_users AS u ON u.user_id = m.user_id
   AND u.valid_from <= m.snapshot_id AND m.snapshot_id <= coalesce(u.valid_to, 2147483647)
),
-- A direct role: one whose assignment_sources name the user or, only where the API gave none,
-- one that no group path explains. The email is joined once, after both branches.
direct_roles AS (
  SELECT ur.snapshot_id, ur.user_id, ur.role_id, ur.role_name, ur.permissions
  FROM snapshot_user_roles AS ur
  WHERE ur.assignment_sources IS NOT NULL
    AND coalesce(list_bool_or(
      list_transform(ur.assignment_sources, s -> s.principal_type = 'user')), false)
  UNION ALL
  SELECT ur.snapshot_id, ur.user_id, ur.role_id, ur.role_name, ur.permissions
  FROM snapshot_user_roles AS ur
  WHERE ur.assignment_sources IS NULL AND NOT EXISTS (
      SELECT 1 FROM hist_group_members AS m
      JOIN snapshot_group_roles AS gr ON gr.snapshot_id = ur.snapshot_id AND gr.group_id = m.group_id
      JOIN snapshot_groups AS g ON g.snapshot_id = ur.snapshot_id AND g.group_id = m.group_id
      WHERE m.user_id = ur.user_id
        AND m.valid_from <= ur.snapshot_id AND ur.snapshot_id <= coalesce(m.valid_to, 2147483647)
        AND gr.role_id = ur.role_id
        AND m.user_id IN (SELECT user_id FROM hist_user_roles WHERE assignment_sources IS NULL))
),
direct_paths AS (
  SELECT
    d.snapshot_id, d.user_id,
    coalesce(u.email, (
      SELECT min(m.email) FROM hist_group_members AS m
      WHERE m.user_id = d.user_id
        AND m.valid_from <= d.snapshot_id AND d.snapshot_id <= coalesce(m.valid_to, 2147483647)
    )) AS email,
    d.role_id, d.role_name, d.permissions,
    'direct' AS via, NULL::VARCHAR AS via_group_id, NULL::VARCHAR AS via_group_name,
    NULL::BOOLEAN AS via_group_is_scim_managed
  FROM direct_roles AS d
  LEFT JOIN hist_users AS u ON u.user_id = d.user_id
   AND u.valid_from <= d.snapshot_id AND d.snapshot_id <= coalesce(u.valid_to, 2147483647)
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
  LEFT JOIN hist_users AS u ON u.user_id = m.user_id
   AND u.valid_from <= m.snapshot_id AND m.snapshot_id <= coalesce(u.valid_to, 2147483647)
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
  LEFT JOIN hist_users AS u ON u.user_id = pu.user_id
   AND u.valid_from <= pu.snapshot_id AND pu.snapshot_id <= coalesce(u.valid_to, 2147483647)
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
  LEFT JOIN hist_users AS u ON u.user_id = pur.user_id
   AND u.valid_from <= pur.snapshot_id AND pur.snapshot_id <= coalesce(u.valid_to, 2147483647)
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
  LEFT JOIN hist_users AS u ON u.user_id = pur.user_id
   AND u.valid_from <= pur.snapshot_id AND pur.snapshot_id <= coalesce(u.valid_to, 2147483647)
  WHERE NOT (pur.predefined_role AND pu.role IS NOT NULL
             AND lower(pur.role_name) = 'project ' || lower(pu.role))
    AND pur.assignment_sources IS NULL AND NOT EXISTS (
        SELECT 1 FROM snapshot_project_group_roles AS pgr
        JOIN hist_group_members AS m ON m.group_id = pgr.group_id
         AND m.valid_from <= pgr.snapshot_id AND pgr.snapshot_id <= coalesce(m.valid_to, 2147483647)
        JOIN snapshot_groups AS g ON g.snapshot_id = pgr.snapshot_id AND g.group_id = pgr.group_id
        WHERE pgr.snapshot_id = pur.snapshot_id AND pgr.project_id = pur.project_id
          AND m.user_id = pur.user_id AND pgr.role_id = pur.role_id
          AND m.user_id IN (
            SELECT user_id FROM hist_project_user_roles WHERE assignment_sources IS NULL))
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
