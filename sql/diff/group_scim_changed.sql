-- kind: group_scim_changed
-- description: >-
--   a group became or stopped being SCIM-managed (before, after: is_scim_managed; group_name as in
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
  f.is_scim_managed AS before, t.is_scim_managed AS after
FROM changed AS t
JOIN changed AS f ON f.group_id = t.group_id AND f.in_from AND NOT t.in_from
WHERE f.is_scim_managed IS DISTINCT FROM t.is_scim_managed;
