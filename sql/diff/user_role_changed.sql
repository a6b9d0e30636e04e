-- kind: user_role_changed
-- description: >-
--   a user's legacy organization role (`role`: owner / reader) changed (names as in `to`)
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
-- History rows valid in exactly one snapshot (macro in sql/macros/diff.sql).
changed AS (
  SELECT * FROM changed_facts('hist_users', $from, $to)
)
SELECT t.user_id, t.email, t.name AS user_name,
  f.role AS before, t.role AS after
FROM changed AS t
JOIN changed AS f ON f.user_id = t.user_id AND f.in_from AND NOT t.in_from
WHERE f.role IS DISTINCT FROM t.role;
