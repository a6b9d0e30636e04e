-- id: project-key-unused
-- title: Project API key unused for a long time, or never used
-- severity: low
-- scope: credentials
-- rationale: >-
--   A project key nobody uses is a standing credential kept for nothing. Unused for
--   analysis.credentials.key_unused_days days (default 90), or never used since it was created at least that long ago,
--   it is very likely forgotten, and whoever holds a copy can still use the project.
-- remediation: >-
--   Ask the key's owner (or the project's owners, for a service account's key) whether anything
--   still needs it; delete it otherwise.
-- controls: [SOC 2 CC6.1, SOC 2 CC6.2, ISO 27001 A.5.18]

-- Why: ages are measured against the snapshot finished_at (never the clock). The recorded
-- last_used_at is exact whenever it is at least 30 days before the snapshot
-- (USAGE_RESOLUTION_DAYS), and the threshold is at least 30 days.
SELECT
  k.project_id,
  k.key_id AS credential_id,
  NULL AS group_id,
  k.owner_id AS user_id,
  NULL AS role_id,
  CASE WHEN k.last_used_at IS NULL
    THEN format('key {} ({}) of {} {} in project "{}" was never used ({} days since it was created)',
      coalesce(k.name, k.key_id), k.redacted_value, replace(coalesce(k.owner_type, 'owner'), '_', ' '),
      coalesce(k.owner_email, k.owner_name, k.owner_id, '-'), coalesce(p.name, k.project_id),
      date_diff('day', k.created_at, s.finished_at))
    ELSE format('key {} ({}) of {} {} in project "{}" was last used {} ({} days before the snapshot)',
      coalesce(k.name, k.key_id), k.redacted_value, replace(coalesce(k.owner_type, 'owner'), '_', ' '),
      coalesce(k.owner_email, k.owner_name, k.owner_id, '-'), coalesce(p.name, k.project_id),
      strftime(k.last_used_at AT TIME ZONE 'UTC', '%Y-%m-%d'),
      date_diff('day', k.last_used_at, s.finished_at))
  END AS detail
FROM snapshot_api_keys AS k
JOIN snapshots AS s ON s.snapshot_id = k.snapshot_id
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = k.snapshot_id AND p.project_id = k.project_id
WHERE k.snapshot_id = $snapshot
  AND coalesce(k.last_used_at, k.created_at) < s.finished_at - to_days($key_unused_days::INTEGER)
