-- id: key-rotation-overdue
-- title: API key older than the rotation age
-- severity: low
-- scope: credentials
-- rationale: >-
--   The longer a key lives, the more places a copy of it may have reached (old laptops, logs, CI
--   systems, former staff). Rotating keys older than analysis.credentials.key_rotation_days days (default 365) bounds
--   how long a leaked copy stays useful.
-- remediation: >-
--   Create a new key, move its users to it, then delete the old one; prefer admin keys that expire.
-- controls: [SOC 2 CC6.1, ISO 27001 A.5.17, ISO 27001 A.8.24]

-- Why: project keys and admin keys created more than the rotation age before the snapshot
-- finished_at (never the clock); an admin key has no project.
SELECT
  k.project_id,
  k.key_id AS credential_id,
  NULL AS group_id,
  k.owner_id AS user_id,
  NULL AS role_id,
  format('key {} ({}) in project "{}" was created {} ({} days before the snapshot)',
    coalesce(k.name, k.key_id), k.redacted_value, coalesce(p.name, k.project_id),
    strftime(k.created_at AT TIME ZONE 'UTC', '%Y-%m-%d'),
    date_diff('day', k.created_at, s.finished_at)) AS detail
FROM snapshot_api_keys AS k
JOIN snapshots AS s ON s.snapshot_id = k.snapshot_id
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = k.snapshot_id AND p.project_id = k.project_id
WHERE k.snapshot_id = $snapshot
  AND k.created_at < s.finished_at - to_days($key_rotation_days::INTEGER)
UNION ALL
SELECT
  NULL AS project_id,
  k.key_id AS credential_id,
  NULL AS group_id,
  k.owner_id AS user_id,
  NULL AS role_id,
  format('admin key {} ({}) was created {} ({} days before the snapshot)',
    coalesce(k.name, k.key_id), k.redacted_value,
    strftime(k.created_at AT TIME ZONE 'UTC', '%Y-%m-%d'),
    date_diff('day', k.created_at, s.finished_at)) AS detail
FROM snapshot_admin_keys AS k
JOIN snapshots AS s ON s.snapshot_id = k.snapshot_id
WHERE k.snapshot_id = $snapshot
  AND k.created_at < s.finished_at - to_days($key_rotation_days::INTEGER)
