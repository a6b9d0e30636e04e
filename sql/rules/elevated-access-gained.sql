-- id: elevated-access-gained
-- title: Elevated access gained since the previous snapshot
-- severity: high
-- rationale: >-
--   Every new elevated grant should trace to an approved request; reviewing the additions
--   between two snapshots is how an unapproved grant is caught within one review cycle.
-- remediation: >-
--   Match each grant to its approval (ticket, change record); revoke any that has none.
-- controls: [SOC 2 CC6.2, SOC 2 CC6.3, ISO 27001 A.5.18, ISO 27001 A.8.2]
-- requires: [previous_snapshot]

-- Why: new privileged access must be traceable to an approval. One finding per root cause: per
-- group and role for the members who gained the role through that group (one approval covers
-- them), per person for a direct grant; only people who held the role by no path in $previous.
WITH gained AS (
  SELECT a.*
  FROM analysis_effective_access AS a
  JOIN elevated_roles AS e ON e.snapshot_id = a.snapshot_id AND e.role_id = a.role_id
  WHERE a.snapshot_id = $snapshot
    AND $previous::INTEGER IS NOT NULL
    AND NOT EXISTS (
      SELECT 1 FROM analysis_effective_access AS p
      WHERE p.snapshot_id = $previous::INTEGER AND p.user_id = a.user_id AND p.role_id = a.role_id
    )
)
SELECT
  via_group_id AS group_id,
  NULL AS user_id,
  role_id,
  format('{} member(s) of group "{}" gained {} since snapshot {}', count(*), any_value(via_group_name),
    any_value(role_name), $previous::INTEGER) AS detail,
  list_slice(list({'user_id': user_id, 'email': email, 'name': NULL::VARCHAR} ORDER BY user_id), 1, 1000)
    AS members,
  count(*) AS member_count
FROM gained
WHERE via = 'group'
GROUP BY via_group_id, role_id
UNION ALL
SELECT
  NULL AS group_id,
  user_id,
  role_id,
  format('{} gained {} directly since snapshot {}', coalesce(email, user_id), role_name,
    $previous::INTEGER) AS detail,
  NULL AS members,
  NULL AS member_count
FROM gained
WHERE via = 'direct'
