-- kind: project_role_permissions_changed
-- description: >-
--   a project role's set of permissions changed (before, after: sorted permissions)
-- requires: [projects]
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_project_roles', $from, $to)
)
SELECT t.project_id, p.name AS project_name, t.role_id, t.name AS role_name,
  list_sort(f.permissions) AS before, list_sort(t.permissions) AS after
FROM changed AS t
JOIN changed AS f
  ON f.project_id = t.project_id AND f.role_id = t.role_id AND f.in_from AND NOT t.in_from
LEFT JOIN hist_projects AS p
  ON p.project_id = t.project_id AND valid_in($to, p.valid_from, p.valid_to)
WHERE list_sort(f.permissions) IS DISTINCT FROM list_sort(t.permissions);
