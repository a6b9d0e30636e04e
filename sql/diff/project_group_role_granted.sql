-- kind: project_group_role_granted
-- description: >-
--   a project role was assigned to a group at project scope (names as in `to`)
-- requires: [projects, project_role_assignments]
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_project_group_roles', $from, $to)
)
SELECT c.project_id, p.name AS project_name, c.group_id, g.name AS group_name, c.role_id,
  c.role_name
FROM changed AS c
ANTI JOIN (SELECT project_id, group_id, role_id FROM changed WHERE in_from) AS o
  USING (project_id, group_id, role_id)
LEFT JOIN hist_projects AS p
  ON p.project_id = c.project_id AND valid_in($to, p.valid_from, p.valid_to)
LEFT JOIN hist_groups AS g
  ON g.group_id = c.group_id AND valid_in($to, g.valid_from, g.valid_to)
WHERE NOT c.in_from;
