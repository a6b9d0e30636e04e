-- kind: group_renamed
-- description: >-
--   a group kept its id and changed its name (before, after: the names)
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
-- History rows valid in exactly one snapshot (macro in sql/macros/diff.sql).
changed AS (
  SELECT * FROM changed_facts('hist_groups', $from, $to)
)
SELECT t.group_id,
  f.name AS before, t.name AS after
FROM changed AS t
JOIN changed AS f ON f.group_id = t.group_id AND f.in_from AND NOT t.in_from
WHERE f.name IS DISTINCT FROM t.name;
