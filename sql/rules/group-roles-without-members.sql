-- id: group-roles-without-members
-- title: Group holds roles but has no members
-- severity: low
-- rationale: >-
--   An empty group with roles grants nothing today, but anyone added to it later gains those
--   roles at once; it is a dormant grant nobody reviews.
-- remediation: Remove the roles from the group, or delete the group if it is no longer used.
-- controls: [SOC 2 CC6.1, ISO 27001 A.5.15]

-- Why: a dormant grant that activates silently when someone is added.
SELECT
  g.group_id,
  NULL AS user_id,
  NULL AS role_id,
  format('group "{}" holds {} role(s) and has no members', g.name, count(*)) AS detail
FROM snapshot_groups AS g
JOIN snapshot_group_roles AS gr ON gr.snapshot_id = g.snapshot_id AND gr.group_id = g.group_id
WHERE g.snapshot_id = $snapshot
  AND NOT EXISTS (
    SELECT 1 FROM snapshot_group_members AS m
    WHERE m.snapshot_id = g.snapshot_id AND m.group_id = g.group_id
  )
GROUP BY g.group_id, g.name
