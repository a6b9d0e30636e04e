-- A campaign's population: every grant of snapshot $s (src/certify/population.ts). Elevated is
-- the analysis' elevated_roles TEMP table (materialiseHelpers), filled for $s before these run.
-- A user's direct roles are the effective_access view's `direct` paths: roles the API only
-- repeats because a group grants them are reviewed through that group.

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

-- name: population_counts
-- The grants of snapshot $s by kind, as the population counts them (the sign-off's totals).
SELECT
  (SELECT count(*) FROM snapshot_group_members WHERE snapshot_id = $s)::INTEGER AS memberships,
  (SELECT count(*) FROM snapshot_group_roles WHERE snapshot_id = $s)::INTEGER AS group_roles,
  (SELECT count(*) FROM (SELECT DISTINCT user_id, role_id FROM effective_access
     WHERE snapshot_id = $s AND scope = 'organization' AND via = 'direct'))::INTEGER AS user_roles;
