-- id: audit-log-gap
-- title: The audit log does not cover the review period
-- severity: medium
-- scope: changes
-- rationale: >-
--   Attribution is only as complete as the audit log held: where it has a gap (never synced, a key
--   without the audit-log permission, audit logging turned off, a failed sync), changes in that
--   window cannot be attributed, and "no event" proves nothing.
-- remediation: >-
--   Give the crawl's admin key the audit-log read permission and make sure audit logging is on
--   (Organization settings → Data controls → Data retention), then run `access-audit audit-log
--   sync`: a sync reads back from the newest event held, so the gap closes while the API still
--   holds the events.
-- controls: [SOC 2 CC7.2, SOC 2 CC4.1, ISO 27001 A.8.15, ISO 27001 A.8.16]

-- Why: one finding per part of the interval from $previous to $snapshot that no complete sync
-- covers (analysis_audit_gaps, filled by the runner from the sync records).
SELECT
  NULL AS project_id,
  NULL AS credential_id,
  NULL AS group_id,
  NULL AS user_id,
  NULL AS role_id,
  format('no audit-log coverage from {} to {}{}', g.gap_from, g.gap_to,
    CASE WHEN g.reason IS NULL THEN '' ELSE ': ' || g.reason END) AS detail
FROM analysis_audit_gaps AS g
