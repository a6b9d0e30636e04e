-- id: elevated-change-unattributed
-- title: Elevated access granted with no audit-log event
-- severity: critical
-- scope: changes
-- rationale: >-
--   The audit log records who grants a role, creates an admin key or invites an Owner. An elevated
--   grant with no matching event was made out of band, while audit logging was off, or in a
--   window the log held does not cover: nobody can account for it, which is what an access review
--   exists to catch.
-- remediation: >-
--   Check the finding's reason: if the audit log has a gap (see audit-log-gap), sync it and run the
--   analysis again; otherwise find who made the grant and its approval, and revoke it if there is
--   none.
-- controls: [SOC 2 CC6.2, SOC 2 CC6.3, SOC 2 CC7.2, ISO 27001 A.5.18, ISO 27001 A.8.15]

-- Why: status 'unattributed' means an event was expected for this kind of change and none was
-- found in the interval (attribution.ts); changes the API never logs are 'not_logged' instead.
SELECT
  c.project_id,
  c.credential_id,
  c.group_id,
  c.user_id,
  c.role_id,
  format('{} is unattributed: {}', c.subject, c.reason) AS detail
FROM analysis_changes AS c
WHERE c.elevated AND c.status = 'unattributed'
