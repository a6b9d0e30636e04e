-- kind: invite_status_changed
-- description: >-
--   an invite's status changed to something other than `accepted` or `expired`, e.g. back to
--   `pending` (before, after: the statuses; email, role and projects as in `to`)
-- requires: [credentials]
-- why: >-
--   the rest of the partition of status transitions by the status reached (invite_accepted,
--   invite_expired): every transition has exactly one kind, in both directions.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_invites', $from, $to)
)
SELECT t.invite_id, t.email, t.role, t.projects, t.accepted_at, t.expires_at,
  f.status AS before, t.status AS after
FROM changed AS t
JOIN changed AS f ON f.invite_id = t.invite_id AND f.in_from AND NOT t.in_from
WHERE f.status IS DISTINCT FROM t.status
  AND coalesce(t.status, '') NOT IN ('accepted', 'expired');
