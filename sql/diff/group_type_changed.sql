-- kind: group_type_changed
-- description: >-
--   a group's group_type changed (before, after: NULL where the API omitted it; group_name as in
--   `to`)
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
-- History rows valid in exactly one snapshot (macro in sql/macros/diff.sql).
changed AS (
  SELECT * FROM changed_facts('hist_groups', $from, $to)
)
SELECT t.group_id, t.name AS group_name,
  f.group_type AS before, t.group_type AS after
FROM changed AS t
JOIN changed AS f ON f.group_id = t.group_id AND f.in_from AND NOT t.in_from
WHERE f.group_type IS DISTINCT FROM t.group_type;
