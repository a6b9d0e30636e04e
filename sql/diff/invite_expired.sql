-- kind: invite_expired
-- description: >-
--   an invite's status became `expired` (before, after: the statuses; email, role and projects as in
--   `to`)
-- requires: [credentials]
-- why: >-
--   status transitions of one invite, partitioned by the status it reaches: `accepted`
--   (invite_accepted), `expired` (invite_expired), anything else (invite_status_changed), so
--   that each transition has exactly one kind and diff(b, a) classifies the reverse transition by
--   where it goes. The two versions valid in exactly one snapshot each are compared on the status.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_invites', $from, $to)
)
SELECT t.invite_id, t.email, t.role, t.projects, t.accepted_at, t.expires_at,
  f.status AS before, t.status AS after
FROM changed AS t
JOIN changed AS f ON f.invite_id = t.invite_id AND f.in_from AND NOT t.in_from
WHERE f.status IS DISTINCT FROM t.status AND t.status = 'expired';
