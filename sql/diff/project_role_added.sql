-- kind: project_role_added
-- description: >-
--   a role appeared in a project's roles catalog (permissions sorted; names as in `to`)
-- requires: [projects]
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_project_roles', $from, $to)
)
SELECT c.project_id, p.name AS project_name, c.role_id, c.name AS role_name,
  list_sort(c.permissions) AS permissions, c.predefined_role
FROM changed AS c
ANTI JOIN (SELECT project_id, role_id FROM changed WHERE in_from) AS o USING (project_id, role_id)
LEFT JOIN hist_projects AS p
  ON p.project_id = c.project_id AND valid_in($to, p.valid_from, p.valid_to)
WHERE NOT c.in_from;
