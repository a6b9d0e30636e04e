-- id: project-without-human-owner
-- title: Active project with no person as owner
-- severity: high
-- scope: project
-- rationale: >-
--   Someone must answer for who can use a project and for its keys. A project owned by nobody,
--   or only by a service account, has no accountable person to approve or review its access.
-- remediation: >-
--   Make a named employee (not a service account or shared identity) an owner of the project,
--   through a SCIM-managed group or directly; archive the project if it is no longer used.
-- controls: [SOC 2 CC6.1, SOC 2 CC6.2, ISO 27001 A.5.15, ISO 27001 A.5.18]

-- Why: owners are those with the owner membership role, or the Project Owner role by any path;
-- a person is a principal of type 'user' that the organization does not mark as a service
-- account. A project service account with the owner role (effective access's principal_type
-- 'service_account') is a machine, never the project's accountable person.
WITH owners AS (
  SELECT a.project_id, a.user_id,
    a.principal_type = 'service_account' OR coalesce(u.is_service_account, false)
      AS is_service_account
  FROM analysis_project_access AS a
  LEFT JOIN snapshot_users AS u ON u.snapshot_id = a.snapshot_id AND u.user_id = a.user_id
  WHERE a.snapshot_id = $snapshot
    AND (a.role_name = 'Project Owner' OR a.role_id = 'project-membership:owner')
)
SELECT
  p.project_id,
  NULL AS group_id,
  NULL AS user_id,
  NULL AS role_id,
  CASE
    WHEN count(o.user_id) = 0 THEN format('project "{}" has no owner', p.name)
    ELSE format('project "{}" is owned only by service account(s): {}', p.name,
      string_agg(DISTINCT o.user_id, ', ' ORDER BY o.user_id))
  END AS detail
FROM snapshot_projects AS p
LEFT JOIN owners AS o ON o.project_id = p.project_id
WHERE p.snapshot_id = $snapshot AND NOT coalesce(p.archived, false)
GROUP BY p.project_id, p.name
HAVING count(o.user_id) FILTER (WHERE NOT o.is_service_account) = 0
