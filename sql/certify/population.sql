-- A campaign's population: every grant of snapshot $s (src/certify/population.ts). Elevated is
-- the analysis' elevated_roles and elevated_project_roles TEMP tables (materialiseHelpers),
-- filled for $s before these run. A user's direct roles, in the organization or in a project,
-- are the effective_access view's `direct` paths: roles the API only repeats because a group
-- grants them are reviewed through that group, and a project member's own membership role is
-- reviewed as the membership.

-- name: memberships
WITH gr AS (
  SELECT r.group_id, list(struct_pack(role_id := r.role_id, role_name := r.role_name,
      permissions := r.permissions) ORDER BY r.role_name, r.role_id) AS roles,
    bool_or(e.role_id IS NOT NULL) AS elevated
  FROM snapshot_group_roles AS r
  LEFT JOIN elevated_roles AS e ON e.snapshot_id = r.snapshot_id AND e.role_id = r.role_id
  WHERE r.snapshot_id = $s GROUP BY r.group_id)
SELECT m.group_id, g.name AS group_name, g.is_scim_managed, m.user_id,
  coalesce(u.email, m.email) AS email, coalesce(u.name, m.name) AS name,
  gr.roles, coalesce(gr.elevated, false) AS elevated
FROM snapshot_group_members AS m
JOIN snapshot_groups AS g ON g.snapshot_id = m.snapshot_id AND g.group_id = m.group_id
LEFT JOIN snapshot_users AS u ON u.snapshot_id = m.snapshot_id AND u.user_id = m.user_id
LEFT JOIN gr ON gr.group_id = m.group_id
WHERE m.snapshot_id = $s
ORDER BY g.name, m.group_id, email NULLS LAST, m.user_id;

-- name: group_roles
SELECT r.group_id, g.name AS group_name, g.is_scim_managed, r.role_id, r.role_name,
  r.permissions,
  (SELECT count(*) FROM snapshot_group_members AS m
   WHERE m.snapshot_id = r.snapshot_id AND m.group_id = r.group_id)::INTEGER AS members,
  EXISTS (SELECT 1 FROM elevated_roles AS e
          WHERE e.snapshot_id = r.snapshot_id AND e.role_id = r.role_id) AS elevated
FROM snapshot_group_roles AS r
JOIN snapshot_groups AS g ON g.snapshot_id = r.snapshot_id AND g.group_id = r.group_id
WHERE r.snapshot_id = $s
ORDER BY g.name, r.group_id, r.role_name, r.role_id;

-- name: user_roles
SELECT DISTINCT a.user_id, a.email, u.name, a.role_id, a.role_name, a.permissions,
  EXISTS (SELECT 1 FROM elevated_roles AS e
          WHERE e.snapshot_id = a.snapshot_id AND e.role_id = a.role_id) AS elevated
FROM effective_access AS a
LEFT JOIN snapshot_users AS u ON u.snapshot_id = a.snapshot_id AND u.user_id = a.user_id
WHERE a.snapshot_id = $s AND a.scope = 'organization' AND a.via = 'direct'
ORDER BY a.email NULLS LAST, a.user_id, a.role_name, a.role_id;

-- name: project_memberships
-- Each member of a project with their membership role, as the project's predefined role of that
-- name when its catalog has one (effective_access's `membership` paths do the same). An owner is
-- elevated whatever the configuration says; a member when the predefined role is elevated.
WITH predefined AS (
  SELECT project_id, lower(name) AS lname, min(role_id) AS role_id,
    arg_min(name, role_id) AS name, arg_min(permissions, role_id) AS permissions
  FROM snapshot_project_roles
  WHERE snapshot_id = $s AND predefined_role
  GROUP BY project_id, lower(name))
SELECT pu.project_id, p.name AS project_name, coalesce(p.archived, false) AS archived,
  pu.user_id, coalesce(u.email, pu.email) AS email, coalesce(u.name, pu.name) AS name,
  pu.role AS membership, pr.role_id,
  coalesce(pr.name, 'Project ' || upper(pu.role[1]) || pu.role[2:]) AS role_name,
  pr.permissions,
  (lower(pu.role) = 'owner' OR EXISTS (
    SELECT 1 FROM elevated_project_roles AS e
    WHERE e.snapshot_id = pu.snapshot_id AND e.project_id = pu.project_id
      AND e.role_id = pr.role_id)) AS elevated
FROM snapshot_project_users AS pu
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = pu.snapshot_id AND p.project_id = pu.project_id
LEFT JOIN predefined AS pr ON pr.project_id = pu.project_id AND pr.lname = 'project ' || lower(pu.role)
LEFT JOIN snapshot_users AS u ON u.snapshot_id = pu.snapshot_id AND u.user_id = pu.user_id
WHERE pu.snapshot_id = $s
ORDER BY p.name NULLS LAST, pu.project_id, email NULLS LAST, pu.user_id;

-- name: project_groups
-- Each organization group attached to a project, with the project roles it holds there.
WITH pgr AS (
  SELECT r.project_id, r.group_id,
    list(struct_pack(role_id := r.role_id, role_name := r.role_name,
      permissions := r.permissions) ORDER BY r.role_name, r.role_id) AS roles,
    bool_or(e.role_id IS NOT NULL) AS elevated
  FROM snapshot_project_group_roles AS r
  LEFT JOIN elevated_project_roles AS e
    ON e.snapshot_id = r.snapshot_id AND e.project_id = r.project_id AND e.role_id = r.role_id
  WHERE r.snapshot_id = $s GROUP BY r.project_id, r.group_id)
SELECT pg.project_id, p.name AS project_name, coalesce(p.archived, false) AS archived,
  pg.group_id, coalesce(g.name, pg.group_name) AS group_name, g.is_scim_managed,
  (SELECT count(*) FROM snapshot_group_members AS m
   WHERE m.snapshot_id = pg.snapshot_id AND m.group_id = pg.group_id)::INTEGER AS members,
  pgr.roles, coalesce(pgr.elevated, false) AS elevated
FROM snapshot_project_groups AS pg
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = pg.snapshot_id AND p.project_id = pg.project_id
LEFT JOIN snapshot_groups AS g ON g.snapshot_id = pg.snapshot_id AND g.group_id = pg.group_id
LEFT JOIN pgr ON pgr.project_id = pg.project_id AND pgr.group_id = pg.group_id
WHERE pg.snapshot_id = $s
ORDER BY p.name NULLS LAST, pg.project_id, group_name NULLS LAST, pg.group_id;

-- name: project_user_roles
-- Each project role assigned directly to a member: effective_access's `direct` project paths.
SELECT DISTINCT a.project_id, a.project_name, coalesce(p.archived, false) AS archived,
  a.user_id, a.email, coalesce(u.name, pu.name) AS name, a.role_id, a.role_name, a.permissions,
  EXISTS (SELECT 1 FROM elevated_project_roles AS e
          WHERE e.snapshot_id = a.snapshot_id AND e.project_id = a.project_id
            AND e.role_id = a.role_id) AS elevated
FROM effective_access AS a
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = a.snapshot_id AND p.project_id = a.project_id
LEFT JOIN snapshot_users AS u ON u.snapshot_id = a.snapshot_id AND u.user_id = a.user_id
LEFT JOIN snapshot_project_users AS pu
  ON pu.snapshot_id = a.snapshot_id AND pu.project_id = a.project_id AND pu.user_id = a.user_id
WHERE a.snapshot_id = $s AND a.scope = 'project' AND a.via = 'direct'
ORDER BY a.project_name NULLS LAST, a.project_id, a.email NULLS LAST, a.user_id, a.role_name,
  a.role_id;

-- name: project_owners
-- The owners of each project who may review its grants (`project_owners: true` in the reviewers
-- file): members with the membership role owner that are not service accounts, with an address.
SELECT pu.project_id, coalesce(u.email, pu.email) AS email, pu.user_id
FROM snapshot_project_users AS pu
LEFT JOIN snapshot_users AS u ON u.snapshot_id = pu.snapshot_id AND u.user_id = pu.user_id
WHERE pu.snapshot_id = $s AND lower(pu.role) = 'owner'
  AND NOT coalesce(u.is_service_account, false)
  AND coalesce(u.email, pu.email) IS NOT NULL
ORDER BY pu.project_id, pu.user_id;

-- name: projects
-- The projects of snapshot $s, to resolve `certify start --project ID|NAME`.
SELECT project_id, name, coalesce(archived, false) AS archived FROM snapshot_projects
WHERE snapshot_id = $s ORDER BY project_id;

-- name: coverage
-- What snapshot $s collected, per coverage scope (snapshot_coverage).
SELECT scope, collected FROM snapshot_coverage WHERE snapshot_id = $s ORDER BY scope;

-- name: population_counts
-- The grants of snapshot $s by kind, as the population counts them (the sign-off's totals).
SELECT
  (SELECT count(*) FROM snapshot_group_members WHERE snapshot_id = $s)::INTEGER AS memberships,
  (SELECT count(*) FROM snapshot_group_roles WHERE snapshot_id = $s)::INTEGER AS group_roles,
  (SELECT count(*) FROM (SELECT DISTINCT user_id, role_id FROM effective_access
     WHERE snapshot_id = $s AND scope = 'organization' AND via = 'direct'))::INTEGER AS user_roles,
  (SELECT count(*) FROM snapshot_project_users WHERE snapshot_id = $s)::INTEGER
    AS project_memberships,
  (SELECT count(*) FROM snapshot_project_groups WHERE snapshot_id = $s)::INTEGER
    AS project_groups,
  (SELECT count(*) FROM (SELECT DISTINCT project_id, user_id, role_id FROM effective_access
     WHERE snapshot_id = $s AND scope = 'project' AND via = 'direct'))::INTEGER
    AS project_user_roles;
