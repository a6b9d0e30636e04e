-- id: email-domain-not-allowed
-- title: User's email domain is outside the allowed domains
-- severity: high
-- rationale: >-
--   People outside the organization's own domains (contractors, personal addresses, former
--   acquisitions) are the least likely to be removed when their engagement ends.
-- remediation: >-
--   Confirm the person's engagement and sponsor, move them to a corporate identity, or remove
--   them from the organization.
-- controls: [SOC 2 CC6.2, SOC 2 CC6.3, ISO 27001 A.5.18, ISO 27001 A.5.19]
-- requires: [allowed_email_domains]

-- Why: external identities escape the corporate leaver process. Skipped (and said so) until domains
-- are configured; an allowed domain also covers its subdomains; users without an email are not judged.
WITH users AS (
  SELECT user_id, email, lower(regexp_extract(email, '@([^@]*)$', 1)) AS domain
  FROM snapshot_users
  WHERE snapshot_id = $snapshot AND email IS NOT NULL
)
SELECT
  NULL AS group_id,
  u.user_id,
  NULL AS role_id,
  format('{} is outside the allowed domains; access: {}', u.email, coalesce((
    SELECT string_agg(
      a.role_name || CASE WHEN a.via = 'direct' THEN ' (direct)'
                          ELSE ' (via group "' || a.via_group_name || '")' END,
      ', ' ORDER BY a.role_name, a.via, a.via_group_name, a.via_group_id)
    FROM analysis_effective_access AS a
    WHERE a.snapshot_id = $snapshot AND a.user_id = u.user_id
  ), 'no roles')) AS detail
FROM users AS u
WHERE EXISTS (SELECT 1 FROM allowed_domains)
  AND NOT EXISTS (
    SELECT 1 FROM allowed_domains AS d
    WHERE u.domain = d.domain OR u.domain LIKE '%.' || d.domain
  )
