-- kind: admin_key_created
-- description: >-
--   an admin API key exists in `to` and not in `from`, with its owner and expiry (as in `to`)
-- requires: [credentials]
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots (an
--   unchanged fact is one row valid in both), keyed by key id: a key whose row took a new version
--   for its last_used_at, its name or its owner's display name is in both snapshots and makes no
--   kind; last_used_at is not reported (a use is not an access change).
WITH
changed AS (
  SELECT * FROM changed_facts('hist_admin_keys', $from, $to)
)
SELECT c.key_id, c.name, c.redacted_value, c.created_at, c.expires_at,
  c.owner_type, c.owner_id, c.owner_name, c.owner_role
FROM changed AS c
ANTI JOIN (SELECT key_id FROM changed WHERE in_from) AS o USING (key_id)
WHERE NOT c.in_from;
