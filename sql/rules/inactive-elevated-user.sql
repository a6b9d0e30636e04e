-- id: inactive-elevated-user
-- title: Elevated user with no API key use in the inactivity period
-- severity: medium
-- signal: >-
--   the user's last API key use (the users API's api_key_last_used_at); the Admin API reports no
--   sign-ins, so console-only use is invisible to it
-- rationale: >-
--   Elevated access that is not used is pure risk. The only activity the Admin API reports is a
--   user's last API key use: a person whose keys have been idle for longer than the inactivity
--   threshold may no longer need what they hold.
-- remediation: >-
--   Confirm with the person, and the identity provider's sign-in log, that the access is still
--   needed; otherwise remove it.
-- controls: [SOC 2 CC6.2, SOC 2 CC6.3, ISO 27001 A.5.18, ISO 27001 A.8.2]

-- Why: unused privileged access should be removed. One finding per root cause: per group and
-- role for the members it reaches who are inactive (removing the role or the people is one
-- decision), per person for a direct grant. Measured against the snapshot's finished_at (never the
-- clock, so a report is reproducible). Only access already held in $previous is judged (never
-- access granted in the snapshot under review); people who never used a key are another rule's
-- case (elevated-user-no-activity-signal): never is not "long ago".
WITH judged AS (
  SELECT a.user_id, coalesce(u.email, a.email) AS email, u.name, a.role_id, a.role_name, a.via,
    a.via_group_id, a.via_group_name, e.tier, u.api_key_last_used_at, u.added_at, s.finished_at
  FROM analysis_effective_access AS a
  JOIN elevated_roles AS e ON e.snapshot_id = a.snapshot_id AND e.role_id = a.role_id
  JOIN snapshot_users AS u ON u.snapshot_id = a.snapshot_id AND u.user_id = a.user_id
  JOIN snapshots AS s ON s.snapshot_id = a.snapshot_id
  WHERE a.snapshot_id = $snapshot
    AND ($previous::INTEGER IS NULL OR EXISTS (
      SELECT 1 FROM analysis_effective_access AS p
      WHERE p.snapshot_id = $previous::INTEGER AND p.user_id = a.user_id AND p.role_id = a.role_id))
    AND u.api_key_last_used_at IS NOT NULL
    AND u.api_key_last_used_at < s.finished_at - to_days($inactivity_days::INTEGER)
)
SELECT
  via_group_id AS group_id,
  NULL AS user_id,
  role_id,
  any_value(tier) AS tier,
  format('group "{}" gives {} to {} member(s) with no API key use in {} days (latest use among them {})',
    any_value(via_group_name), any_value(role_name), count(*), $inactivity_days::INTEGER,
    strftime(max(api_key_last_used_at) AT TIME ZONE 'UTC', '%Y-%m-%d')) AS detail,
  list_slice(list({'user_id': user_id, 'email': email, 'name': name} ORDER BY user_id), 1, 1000)
    AS members,
  count(*) AS member_count
FROM judged
WHERE via = 'group'
GROUP BY via_group_id, role_id
UNION ALL
SELECT
  NULL AS group_id,
  user_id,
  role_id,
  tier,
  format('{} holds {} directly; last API key use {} ({} days before the snapshot; threshold {} days)',
    coalesce(email, user_id), role_name,
    strftime(api_key_last_used_at AT TIME ZONE 'UTC', '%Y-%m-%d'),
    date_diff('day', api_key_last_used_at, finished_at), $inactivity_days::INTEGER) AS detail,
  NULL AS members,
  NULL AS member_count
FROM judged
WHERE via = 'direct'
