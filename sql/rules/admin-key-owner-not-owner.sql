-- id: admin-key-owner-not-owner
-- title: Admin API key whose owner is no longer an Owner, or no longer in the organization
-- severity: high
-- scope: credentials
-- rationale: >-
--   An admin key acts with the organization's highest rights whoever holds it. When its owner has
--   lost the Owner role or left, the key keeps rights its owner no longer has: the removal of the
--   person's access did not finish.
-- remediation: >-
--   Delete the key (or have a current Owner replace it for the automation that needs it), and add
--   admin keys to the leaver and role-change checklist.
-- controls: [SOC 2 CC6.2, SOC 2 CC6.3, ISO 27001 A.5.18, ISO 27001 A.6.5]

-- Why: an Owner is an organization user whose legacy role is `owner` or who holds the predefined
-- Owner role by some path of effective access (analysis_effective_access, organization scope).
-- A key whose listing names no owner is reported too: nobody answers for it.
WITH key_owners AS (
  SELECT DISTINCT owner_id AS user_id FROM snapshot_admin_keys
  WHERE snapshot_id = $snapshot AND owner_id IS NOT NULL
),
-- Only the keys' owners are looked up: effective access holds every path of every user.
owners AS (
  SELECT u.user_id FROM snapshot_users AS u
  WHERE u.snapshot_id = $snapshot AND u.role = 'owner'
  UNION
  SELECT a.user_id FROM analysis_effective_access AS a
  SEMI JOIN key_owners AS o ON o.user_id = a.user_id
  JOIN snapshot_roles AS r ON r.snapshot_id = a.snapshot_id AND r.role_id = a.role_id
  WHERE a.snapshot_id = $snapshot AND r.predefined_role AND r.name = 'Owner'
)
SELECT
  NULL AS project_id,
  k.key_id AS credential_id,
  NULL AS group_id,
  k.owner_id AS user_id,
  NULL AS role_id,
  format('admin key {} ({}) belongs to {}, who {}',
    coalesce(k.name, k.key_id), k.redacted_value,
    coalesce(u.email, k.owner_name, k.owner_id, 'nobody'),
    CASE
      WHEN k.owner_id IS NULL THEN 'the listing does not name'
      WHEN u.user_id IS NULL THEN 'is no longer an organization user'
      ELSE 'no longer holds the Owner role (role: ' || coalesce(u.role, '-') || ')'
    END) AS detail
FROM snapshot_admin_keys AS k
LEFT JOIN snapshot_users AS u ON u.snapshot_id = k.snapshot_id AND u.user_id = k.owner_id
WHERE k.snapshot_id = $snapshot
  AND (u.user_id IS NULL OR u.user_id NOT IN (SELECT user_id FROM owners))
