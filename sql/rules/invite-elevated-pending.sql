-- id: invite-elevated-pending
-- title: Invite with an elevated role pending for a long time
-- severity: medium
-- scope: credentials
-- rationale: >-
--   A pending invite is access waiting to be accepted by whoever controls the invited address. One
--   that grants the Owner role (of the organization or of a project) and has waited longer than
--   analysis.credentials.invite_pending_days days (default 7) was probably forgotten, or went to the wrong address.
-- remediation: >-
--   Confirm with the person that they still need the role; otherwise delete the invite. Invite
--   with the least role needed and raise it later if required.
-- controls: [SOC 2 CC6.1, SOC 2 CC6.2, ISO 27001 A.5.16, ISO 27001 A.5.18]

-- Why: status `pending`, not past its own expiry at the snapshot (it can still be accepted), with
-- the organization role `owner` or `owner` in one of its projects, created more than the threshold
-- before the snapshot finished_at (never the clock).
SELECT
  NULL AS project_id,
  i.invite_id AS credential_id,
  NULL AS group_id,
  NULL AS user_id,
  NULL AS role_id,
  format('invite {} for {} ({}) has been pending for {} days',
    i.invite_id, i.email,
    CASE WHEN i.role = 'owner' THEN 'organization Owner'
      ELSE 'Owner of project(s) ' || array_to_string(list_sort(list_transform(
        list_filter(coalesce(i.projects, []), x -> x.role = 'owner'), x -> x.project_id)), ', ')
    END,
    date_diff('day', i.created_at, s.finished_at)) AS detail
FROM snapshot_invites AS i
JOIN snapshots AS s ON s.snapshot_id = i.snapshot_id
WHERE i.snapshot_id = $snapshot
  AND i.status = 'pending'
  AND (i.expires_at IS NULL OR i.expires_at > s.finished_at)
  AND (i.role = 'owner' OR len(list_filter(coalesce(i.projects, []), x -> x.role = 'owner')) > 0)
  AND i.created_at < s.finished_at - to_days($invite_pending_days::INTEGER)
