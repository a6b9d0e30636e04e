-- id: service-account-elevated
-- title: Service account holds an elevated role
-- severity: high
-- rationale: >-
--   A service account's key is shared by software and rarely rotated; with write or admin
--   permissions a leaked key can change the organization's access itself.
-- remediation: >-
--   Give the service account the narrowest role its integration needs, and record an owner
--   and a rotation schedule for its key.
-- controls: [SOC 2 CC6.1, SOC 2 CC6.3, ISO 27001 A.5.15, ISO 27001 A.8.2]

-- Why: non-human identities with elevated rights are high-value, poorly watched credentials.
SELECT
  a.via_group_id AS group_id,
  a.user_id,
  a.role_id,
  format('service account {} holds {} {}', coalesce(u.email, u.name, a.user_id), a.role_name,
    CASE WHEN a.via = 'direct' THEN 'directly' ELSE 'via group "' || a.via_group_name || '"' END
  ) AS detail
FROM analysis_effective_access AS a
JOIN snapshot_users AS u ON u.snapshot_id = a.snapshot_id AND u.user_id = a.user_id
JOIN elevated_roles AS e ON e.snapshot_id = a.snapshot_id AND e.role_id = a.role_id
WHERE a.snapshot_id = $snapshot
  AND u.is_service_account
