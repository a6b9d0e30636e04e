-- id: elevated-access-gained
-- title: Elevated access gained since the previous snapshot
-- severity: high
-- rationale: >-
--   Every new elevated grant should trace to an approved request; reviewing the additions
--   between two snapshots is how an unapproved grant is caught within one review cycle.
-- remediation: >-
--   Match each grant to its approval (ticket, change record); revoke any that has none.
-- controls: [SOC 2 CC6.2, SOC 2 CC6.3, ISO 27001 A.5.18, ISO 27001 A.8.2]

-- Why: new privileged access must be traceable to an approval. One finding per path by which a
-- user now holds an elevated role they held by no path in $previous; none without a previous.
SELECT
  a.via_group_id AS group_id,
  a.user_id,
  a.role_id,
  format('{} gained {} {} since snapshot {}', coalesce(a.email, a.user_id), a.role_name,
    CASE WHEN a.via = 'direct' THEN 'directly' ELSE 'via group "' || a.via_group_name || '"' END,
    $previous::INTEGER) AS detail
FROM analysis_effective_access AS a
JOIN elevated_roles AS e ON e.snapshot_id = a.snapshot_id AND e.role_id = a.role_id
WHERE a.snapshot_id = $snapshot
  AND $previous::INTEGER IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM analysis_effective_access AS p
    WHERE p.snapshot_id = $previous::INTEGER AND p.user_id = a.user_id AND p.role_id = a.role_id
  )
