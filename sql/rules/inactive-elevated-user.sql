-- id: inactive-elevated-user
-- title: Elevated user whose API key has not been used for a long time
-- severity: medium
-- rationale: >-
--   Elevated access that is not used is pure risk; an API key idle for longer than the
--   inactivity threshold suggests the access is no longer needed.
-- remediation: Confirm the person still needs the role; otherwise remove it.
-- controls: [SOC 2 CC6.2, SOC 2 CC6.3, ISO 27001 A.5.18, ISO 27001 A.8.2]

-- Why: unused privileged access should be removed. Measured against the snapshot's finished_at
-- (never the clock, so a report is reproducible); users who never used a key are not judged.
SELECT
  a.via_group_id AS group_id,
  a.user_id,
  a.role_id,
  format('{} holds {} {}; API key last used {} ({} days before the snapshot)',
    coalesce(a.email, a.user_id), a.role_name,
    CASE WHEN a.via = 'direct' THEN 'directly' ELSE 'via group "' || a.via_group_name || '"' END,
    strftime(u.api_key_last_used_at AT TIME ZONE 'UTC', '%Y-%m-%d'),
    date_diff('day', u.api_key_last_used_at, s.finished_at)) AS detail
FROM analysis_effective_access AS a
JOIN snapshot_users AS u ON u.snapshot_id = a.snapshot_id AND u.user_id = a.user_id
JOIN elevated_roles AS e ON e.snapshot_id = a.snapshot_id AND e.role_id = a.role_id
JOIN snapshots AS s ON s.snapshot_id = a.snapshot_id
WHERE a.snapshot_id = $snapshot
  AND u.api_key_last_used_at IS NOT NULL
  AND u.api_key_last_used_at < s.finished_at - to_days($inactivity_days::INTEGER)
