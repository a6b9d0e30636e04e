-- id: elevated-change-by-api-key
-- title: Elevated access granted by an API key, not a person
-- severity: high
-- scope: changes
-- rationale: >-
--   An elevated grant should be a person's decision, made in a session that names them and their
--   address. One the audit log attributes to an API key was made by automation or by whoever holds
--   the key, so no one can be asked whether it was approved, and a leaked key can escalate access.
-- remediation: >-
--   Find the automation that holds the key (its owner is named) and the request that approved the
--   grant; if there is none, revoke the grant and the key. Keep admin keys for read-only audits
--   and make grants from a named session.
-- controls: [SOC 2 CC6.2, SOC 2 CC6.3, SOC 2 CC8.1, ISO 27001 A.5.18, ISO 27001 A.8.2]

-- Why: the latest event matching the grant names an api_key actor (attribution.ts); `elevated`
-- is set by the runner from the configured elevated roles (mark_elevated_changes).
SELECT
  c.project_id,
  c.credential_id,
  c.group_id,
  c.user_id,
  c.role_id,
  format('{} was made {} (event {})', c.subject, c.label, c.event_id) AS detail
FROM analysis_changes AS c
WHERE c.elevated AND c.status = 'attributed' AND c.actor_type = 'api_key'
