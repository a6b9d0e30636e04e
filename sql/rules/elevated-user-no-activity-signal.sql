-- id: elevated-user-no-activity-signal
-- title: Owner or access administrator who has never used an API key
-- severity: low
-- signal: >-
--   the user's last API key use (the users API's api_key_last_used_at), which is empty for them;
--   the Admin API reports no sign-ins
-- rationale: >-
--   For these people the Admin API has no activity signal at all: whether they still use their
--   access cannot be told from OpenAI's data. Owners and access administrators can change who
--   can do what, so their activity should be confirmed from another source.
-- remediation: >-
--   Check the identity provider's sign-in log (or ask the person); remove the role if it is not
--   used.
-- controls: [SOC 2 CC6.2, SOC 2 CC6.3, ISO 27001 A.5.18]

-- Why: never used is its own case, not "inactive": console-only users never touch a key. Only the
-- two highest tiers (Owner, administers access), only people who joined before the inactivity
-- period began, and only access already held in $previous, so a new grant is never judged. One
-- finding per group and role (its members listed), or per person for a direct grant.
WITH judged AS (
  SELECT a.user_id, coalesce(u.email, a.email) AS email, u.name, a.role_id, a.role_name, a.via,
    a.via_group_id, a.via_group_name, e.tier, u.api_key_last_used_at, u.added_at, s.finished_at
  FROM analysis_effective_access AS a
  JOIN elevated_roles AS e ON e.snapshot_id = a.snapshot_id AND e.role_id = a.role_id
  JOIN snapshot_users AS u ON u.snapshot_id = a.snapshot_id AND u.user_id = a.user_id
  JOIN snapshots AS s ON s.snapshot_id = a.snapshot_id
  WHERE a.snapshot_id = $snapshot
    AND e.tier IN ('owner', 'access-admin')
    AND ($previous::INTEGER IS NULL OR EXISTS (
      SELECT 1 FROM analysis_effective_access AS p
      WHERE p.snapshot_id = $previous::INTEGER AND p.user_id = a.user_id AND p.role_id = a.role_id))
    AND u.added_at < s.finished_at - to_days($inactivity_days::INTEGER)
    AND u.api_key_last_used_at IS NULL
    AND NOT coalesce(u.is_service_account, false)
)
SELECT
  via_group_id AS group_id,
  NULL AS user_id,
  role_id,
  any_value(tier) AS tier,
  format('group "{}" gives {} to {} member(s) with no API key use on record',
    any_value(via_group_name), any_value(role_name), count(*)) AS detail,
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
  format('{} holds {} directly and has no API key use on record (member since {})',
    coalesce(email, user_id), role_name, strftime(added_at AT TIME ZONE 'UTC', '%Y-%m-%d')) AS detail,
  NULL AS members,
  NULL AS member_count
FROM judged
WHERE via = 'direct'
