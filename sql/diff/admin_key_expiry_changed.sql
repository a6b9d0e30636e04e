-- kind: admin_key_expiry_changed
-- description: >-
--   an admin API key's expiry changed (before, after: expires_at, null for none; names as in `to`)
-- requires: [credentials]
-- why: >-
--   how long an admin key stays valid is part of its access. The two versions of one key valid in
--   exactly one snapshot each are compared on expires_at only: a version taken for last_used_at,
--   the key's name or the owner's display name makes no kind.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_admin_keys', $from, $to)
)
SELECT t.key_id, t.name, t.redacted_value, t.owner_type, t.owner_id, t.owner_name,
  f.expires_at AS before, t.expires_at AS after
FROM changed AS t
JOIN changed AS f ON f.key_id = t.key_id AND f.in_from AND NOT t.in_from
WHERE f.expires_at IS DISTINCT FROM t.expires_at;
