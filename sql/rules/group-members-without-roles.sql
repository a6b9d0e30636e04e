-- id: group-members-without-roles
-- title: Group has members but no roles (orphaned)
-- severity: low
-- rationale: >-
--   A group that grants nothing is either left over from a removed grant or waiting for one;
--   either way its membership is not reviewed as access, until a role is attached.
-- remediation: Delete the group if it is unused, or document what it is for.
-- controls: [SOC 2 CC6.2, ISO 27001 A.5.16]

-- Why: leftover groups blur the access picture and become grants the moment a role is added.
SELECT
  g.group_id,
  NULL AS user_id,
  NULL AS role_id,
  format('group "{}" has {} member(s) and no roles', g.name, count(*)) AS detail
FROM snapshot_groups AS g
JOIN snapshot_group_members AS m ON m.snapshot_id = g.snapshot_id AND m.group_id = g.group_id
WHERE g.snapshot_id = $snapshot
  AND NOT EXISTS (
    SELECT 1 FROM snapshot_group_roles AS gr
    WHERE gr.snapshot_id = g.snapshot_id AND gr.group_id = g.group_id
  )
GROUP BY g.group_id, g.name
