-- kind: role_permissions_changed
-- description: >-
--   a role's set of permissions changed (before, after: sorted permissions; role_name as in `to`)
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
-- History rows valid in exactly one snapshot (macro in sql/macros/diff.sql).
changed AS (
  SELECT * FROM changed_facts('hist_roles', $from, $to)
)
SELECT t.role_id, t.name AS role_name,
  list_sort(f.permissions) AS before, list_sort(t.permissions) AS after
FROM changed AS t
JOIN changed AS f ON f.role_id = t.role_id AND f.in_from AND NOT t.in_from
WHERE list_sort(f.permissions) IS DISTINCT FROM list_sort(t.permissions);
