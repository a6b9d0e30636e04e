-- id: admin-key-unused
-- title: Admin API key unused for a long time, or never used
-- severity: high
-- scope: credentials
-- rationale: >-
--   An admin key nobody uses is the most privileged credential of the organization kept for
--   nothing: it only adds a way in. Unused for analysis.credentials.admin_key_unused_days days (default 90), or never
--   used since it was created at least that long ago, it is very likely forgotten.
-- remediation: >-
--   Confirm with the key's owner that no automation needs it, then delete it; if something does,
--   replace it with a key that expires.
-- controls: [SOC 2 CC6.1, SOC 2 CC6.2, ISO 27001 A.5.18, ISO 27001 A.8.2]

-- Why: ages are measured against the snapshot finished_at (never the clock, so a report is
-- reproducible). The recorded last_used_at is exact whenever it is at least 30 days before the
-- snapshot (USAGE_RESOLUTION_DAYS); the threshold is at least 30 days, so "unused for N days" is.
SELECT
  NULL AS project_id,
  k.key_id AS credential_id,
  NULL AS group_id,
  k.owner_id AS user_id,
  NULL AS role_id,
  CASE WHEN k.last_used_at IS NULL
    THEN format('admin key {} ({}) of {} was never used ({} days since it was created)',
      coalesce(k.name, k.key_id), k.redacted_value, coalesce(k.owner_name, k.owner_id, 'no owner'),
      date_diff('day', k.created_at, s.finished_at))
    ELSE format('admin key {} ({}) of {} was last used {} ({} days before the snapshot)',
      coalesce(k.name, k.key_id), k.redacted_value, coalesce(k.owner_name, k.owner_id, 'no owner'),
      strftime(k.last_used_at AT TIME ZONE 'UTC', '%Y-%m-%d'),
      date_diff('day', k.last_used_at, s.finished_at))
  END AS detail
FROM snapshot_admin_keys AS k
JOIN snapshots AS s ON s.snapshot_id = k.snapshot_id
WHERE k.snapshot_id = $snapshot
  AND coalesce(k.last_used_at, k.created_at)
    < s.finished_at - to_days($admin_key_unused_days::INTEGER)
