-- id: redundant-role-paths
-- title: User holds the same role by several paths
-- severity: low
-- rationale: >-
--   With redundant grants, removing one path (leaving a group, revoking a direct grant) does not
--   remove the access, so revocations look done when they are not.
-- remediation: Keep one path per role (preferably a reviewed group) and remove the others.
-- controls: [SOC 2 CC6.3, ISO 27001 A.5.18]

-- Why: a revocation through one path leaves the access in place through another.
-- The ordered string_agg runs only on the redundant pairs: an ordered aggregate over every
-- (user, role) pair of a large organization costs seconds.
WITH paths AS (
  SELECT user_id, role_id, email, role_name, via, via_group_name, via_group_id
  FROM analysis_effective_access
  WHERE snapshot_id = $snapshot
),
redundant AS (
  SELECT user_id, role_id FROM paths GROUP BY user_id, role_id HAVING count(*) > 1
)
SELECT
  NULL AS group_id,
  user_id,
  role_id,
  format('{} holds {} by {} paths: {}', coalesce(any_value(email), user_id), any_value(role_name),
    count(*), string_agg(
      CASE WHEN via = 'direct' THEN 'direct' ELSE 'group "' || via_group_name || '"' END,
      ', ' ORDER BY via, via_group_name, via_group_id)) AS detail
FROM paths SEMI JOIN redundant USING (user_id, role_id)
GROUP BY user_id, role_id
