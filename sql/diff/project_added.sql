-- kind: project_added
-- description: >-
--   a project exists in `to` and not in `from` (name and archived as in `to`)
-- requires: [projects]
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_projects', $from, $to)
)
SELECT c.project_id, c.name AS project_name, c.status, c.archived
FROM changed AS c
ANTI JOIN (SELECT project_id FROM changed WHERE in_from) AS o USING (project_id)
WHERE NOT c.in_from;
