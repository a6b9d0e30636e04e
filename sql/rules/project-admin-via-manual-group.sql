-- id: project-admin-via-manual-group
-- title: Project owner or admin rights held through a group that is not SCIM-managed
-- severity: high
-- scope: project
-- rationale: >-
--   A manual group's membership is edited by hand in OpenAI, outside the identity provider's
--   joiner, mover and leaver process; attached to a project with an elevated project role, it
--   keeps people able to administer the project after they change teams or leave.
-- remediation: >-
--   Attach a SCIM-managed group fed by the identity provider instead, or grant the project role
--   to named people; then detach the manual group or lower its project role.
-- controls: [SOC 2 CC6.2, SOC 2 CC6.3, ISO 27001 A.5.16, ISO 27001 A.5.18]

-- Why: elevated project roles (Project Owner, or configured names and permission patterns) of
-- attached groups whose membership no identity provider keeps up to date.
SELECT
  pgr.project_id,
  pgr.group_id,
  NULL AS user_id,
  pgr.role_id,
  format('manual group "{}" holds {} in project "{}"', g.name, pgr.role_name, p.name) AS detail,
  group_members_json(pgr.snapshot_id, pgr.group_id) AS members,
  group_member_count(pgr.snapshot_id, pgr.group_id) AS member_count
FROM snapshot_project_group_roles AS pgr
JOIN elevated_project_roles AS e
  ON e.snapshot_id = pgr.snapshot_id AND e.project_id = pgr.project_id AND e.role_id = pgr.role_id
JOIN snapshot_groups AS g ON g.snapshot_id = pgr.snapshot_id AND g.group_id = pgr.group_id
LEFT JOIN snapshot_projects AS p
  ON p.snapshot_id = pgr.snapshot_id AND p.project_id = pgr.project_id
WHERE pgr.snapshot_id = $snapshot
  AND NOT coalesce(g.is_scim_managed, false)
