-- id: custom-project-role-large-group
-- title: Custom project role with write or admin permissions granted to a large group
-- severity: medium
-- scope: project
-- rationale: >-
--   A custom role is hand-made and rarely reviewed; with write or admin permissions and given to a
--   large group (50 members or more), it hands project-changing rights to many people at once,
--   most of whom are unlikely to need them.
-- remediation: >-
--   Narrow the role to read permissions, or grant it to a smaller group of the people who need
--   it; prefer the predefined project roles where they fit.
-- controls: [SOC 2 CC6.3, ISO 27001 A.5.15, ISO 27001 A.8.2]

-- Why: elevated (configured patterns, *.write and *.admin by default) custom project roles held
-- by attached groups of at least 50 members. Copy this rule to change the threshold.
SELECT
  pgr.project_id,
  pgr.group_id,
  NULL AS user_id,
  pgr.role_id,
  format('custom role "{}" of project "{}" is granted to group "{}" ({} members)',
    pgr.role_name, p.name, g.name, count(m.user_id)) AS detail
FROM snapshot_project_group_roles AS pgr
JOIN elevated_project_roles AS e
  ON e.snapshot_id = pgr.snapshot_id AND e.project_id = pgr.project_id AND e.role_id = pgr.role_id
JOIN snapshot_groups AS g ON g.snapshot_id = pgr.snapshot_id AND g.group_id = pgr.group_id
JOIN snapshot_group_members AS m ON m.snapshot_id = pgr.snapshot_id AND m.group_id = pgr.group_id
LEFT JOIN snapshot_projects AS p
  ON p.snapshot_id = pgr.snapshot_id AND p.project_id = pgr.project_id
WHERE pgr.snapshot_id = $snapshot AND NOT pgr.predefined_role
GROUP BY pgr.project_id, pgr.group_id, pgr.role_id, pgr.role_name, p.name, g.name
HAVING count(m.user_id) >= 50
