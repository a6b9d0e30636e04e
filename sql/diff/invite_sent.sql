-- kind: invite_sent
-- description: >-
--   an invite listed in `to` as pending and not listed in `from` (email, role, projects, as in
--   `to`); its mirror invite_revoked is a pending invite of `from` that `to` no longer lists
-- requires: [credentials]
-- why: >-
--   a pending invite is access waiting to be accepted, so it counts when it appears and when it
--   disappears while still pending (revoked). An invite that appears already accepted or expired,
--   or a settled one that disappears, grants or removes nothing by itself (the acceptance shows
--   as the user's own kinds) and makes no kind here. Set difference over only the history rows
--   valid in exactly one of the two snapshots, keyed by invite id.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_invites', $from, $to)
)
SELECT c.invite_id, c.email, c.role, c.status, c.created_at, c.expires_at, c.projects
FROM changed AS c
ANTI JOIN (SELECT invite_id FROM changed WHERE in_from) AS o USING (invite_id)
WHERE NOT c.in_from AND c.status = 'pending';
