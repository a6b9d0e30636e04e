-- id: admin-key-without-expiry
-- title: Admin API key that never expires
-- severity: medium
-- scope: credentials
-- rationale: >-
--   An admin API key can change the organization's access itself (users, roles, projects and
--   keys). One without an expiry stays valid until someone remembers to delete it, so a copy left
--   in a script, a CI secret or a laptop stays dangerous forever.
-- remediation: >-
--   Replace the key with one that expires (the shortest lifetime its automation tolerates), move
--   its users to the new key, then delete this one.
-- controls: [SOC 2 CC6.1, SOC 2 CC6.2, ISO 27001 A.5.17, ISO 27001 A.8.5]

-- Why: expires_at NULL means the key never expires (the admin key listing contract).
SELECT
  NULL AS project_id,
  k.key_id AS credential_id,
  NULL AS group_id,
  k.owner_id AS user_id,
  NULL AS role_id,
  format('admin key {} ({}) of {} never expires (created {})',
    coalesce(k.name, k.key_id), k.redacted_value, coalesce(k.owner_name, k.owner_id, 'no owner'),
    strftime(k.created_at AT TIME ZONE 'UTC', '%Y-%m-%d')) AS detail
FROM snapshot_admin_keys AS k
WHERE k.snapshot_id = $snapshot AND k.expires_at IS NULL
