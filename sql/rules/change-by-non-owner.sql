-- id: change-by-non-owner
-- title: Organization access changed by a person who was not an Owner
-- severity: high
-- scope: changes
-- rationale: >-
--   Organization roles, groups, users, admin keys and invites are normally managed by Owners. A
--   change made by someone who was not an Owner when the review period began shows a path by which
--   access is administered outside the Owners: a custom role that can grant roles, or a key whose
--   owner has since lost the role. Each such path is a way to escalate privileges.
-- remediation: >-
--   Confirm the person was meant to administer access; if so, document the role that lets them
--   (and review who else holds it); if not, remove that role and review every change they made.
-- controls: [SOC 2 CC6.1, SOC 2 CC6.3, ISO 27001 A.5.15, ISO 27001 A.5.18, ISO 27001 A.8.2]

-- Why: "at the time of the change" is judged on $previous, the state before the change; the
-- person is the session's user or the owner of the user API key the event names (a service
-- account's key has no person). Project-scope changes are left out: Project Owners make them.
SELECT
  c.project_id,
  c.credential_id,
  c.group_id,
  c.actor_user_id AS user_id,
  c.role_id,
  format('{} was made {}; {} was not an Owner in snapshot {}', c.subject, c.label,
    coalesce(c.actor_email, c.actor_user_id), $previous::INTEGER) AS detail
FROM analysis_changes AS c
WHERE c.status = 'attributed'
  AND c.scope = 'organization'
  AND c.actor_user_id IS NOT NULL
  AND c.actor_type IN ('session', 'api_key')
  AND c.actor_key_type IS DISTINCT FROM 'service_account'
  AND NOT EXISTS (
    SELECT 1 FROM snapshot_users AS u
    WHERE u.snapshot_id = $previous::INTEGER AND u.user_id = c.actor_user_id AND u.role = 'owner'
  )
