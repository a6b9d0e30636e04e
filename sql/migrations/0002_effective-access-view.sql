-- migration: effective_access view
-- Released: never edit this file; add the next number instead.
CREATE VIEW effective_access AS
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
)
SELECT snapshot_id, user_id, email, role_id, role_name, permissions,
  via, via_group_id, via_group_name, via_group_is_scim_managed
FROM group_paths
UNION ALL
SELECT snapshot_id, user_id, email, role_id, role_name, permissions,
  via, via_group_id, via_group_name, via_group_is_scim_managed
FROM direct_paths;
