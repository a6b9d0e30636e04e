-- kind: project_archived
-- description: >-
--   a project was archived (before, after: its status; archived_at as in `to`)
-- requires: [projects]
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_projects', $from, $to)
)
SELECT t.project_id, t.name AS project_name, f.status AS before, t.status AS after, t.archived_at
FROM changed AS t
JOIN changed AS f ON f.project_id = t.project_id AND f.in_from AND NOT t.in_from
WHERE NOT coalesce(f.archived, false) AND coalesce(t.archived, false);
