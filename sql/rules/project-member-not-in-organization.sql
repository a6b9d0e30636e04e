-- id: project-member-not-in-organization
-- title: Project member who is no longer an organization user
-- severity: high
-- scope: project
-- rationale: >-
--   Removing a person from the organization should end every access they had; a project that
--   still lists them as a member shows a leaver process that did not finish, or an inconsistent
--   record to investigate.
-- remediation: >-
--   Remove the user from the project, and check their API keys and the project's service
--   accounts for credentials they created.
-- controls: [SOC 2 CC6.2, ISO 27001 A.5.18, ISO 27001 A.6.5]

-- Why: project memberships whose user the organization users listing of the same snapshot
-- does not contain. A project service account is no organization user by design: should a
-- membership listing ever name one, it is not flagged (its own rules judge it).
SELECT
  pu.project_id,
  NULL AS group_id,
  pu.user_id,
  NULL AS role_id,
  format('{} ({}) is a {} of project "{}" but not an organization user',
    coalesce(pu.email, pu.name, pu.user_id), pu.user_id, pu.role, p.name) AS detail
FROM snapshot_project_users AS pu
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = pu.snapshot_id AND p.project_id = pu.project_id
WHERE pu.snapshot_id = $snapshot
  AND NOT EXISTS (
    SELECT 1 FROM snapshot_users AS u
    WHERE u.snapshot_id = pu.snapshot_id AND u.user_id = pu.user_id)
  AND NOT EXISTS (
    SELECT 1 FROM snapshot_service_accounts AS sa
    WHERE sa.snapshot_id = pu.snapshot_id AND sa.project_id = pu.project_id
      AND sa.service_account_id = pu.user_id)
