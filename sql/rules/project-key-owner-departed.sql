-- id: project-key-owner-departed
-- title: Project API key whose owner left the project or the organization
-- severity: high
-- scope: credentials
-- rationale: >-
--   A user's project key is meant to act for that person. Once they have left the project or the
--   organization, the key keeps working for whoever holds a copy, with nobody accountable for it:
--   the removal of the person's access did not finish.
-- remediation: >-
--   Delete the key; if an integration depends on it, replace it with a service account's key owned
--   by the project's owners.
-- controls: [SOC 2 CC6.2, ISO 27001 A.5.18, ISO 27001 A.6.5]

-- Why: a user-owned key whose listing says the owner's project access is `inactive`, whose owner
-- has no path into the project (membership, direct role or group: analysis_project_access; not
-- judged in an archived project, whose members the API does not list), or whose owner is no
-- longer an organization user. Keys of service accounts belong to the project and are not judged.
SELECT
  k.project_id,
  k.key_id AS credential_id,
  NULL AS group_id,
  k.owner_id AS user_id,
  NULL AS role_id,
  format('key {} ({}) in project "{}" belongs to {}, who {}',
    coalesce(k.name, k.key_id), k.redacted_value, coalesce(p.name, k.project_id),
    coalesce(k.owner_email, k.owner_name, k.owner_id, 'an unnamed user'),
    CASE
      WHEN u.user_id IS NULL THEN 'is no longer an organization user'
      WHEN k.owner_project_access = 'inactive' THEN 'no longer has access to the project'
      ELSE 'is no longer a member of the project'
    END) AS detail
FROM snapshot_api_keys AS k
LEFT JOIN snapshot_users AS u ON u.snapshot_id = k.snapshot_id AND u.user_id = k.owner_id
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = k.snapshot_id AND p.project_id = k.project_id
WHERE k.snapshot_id = $snapshot
  AND k.owner_type = 'user'
  AND (u.user_id IS NULL
    OR k.owner_project_access = 'inactive'
    OR (NOT coalesce(p.archived, false) AND NOT EXISTS (
      SELECT 1 FROM analysis_project_access AS a
      WHERE a.snapshot_id = k.snapshot_id AND a.project_id = k.project_id
        AND a.user_id = k.owner_id AND a.principal_type = 'user')))
