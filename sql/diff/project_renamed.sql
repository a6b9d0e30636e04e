-- kind: project_renamed
-- description: >-
--   a project kept its id and changed its name (before, after: the names)
-- requires: [projects]
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_projects', $from, $to)
)
SELECT t.project_id, f.name AS before, t.name AS after
FROM changed AS t
JOIN changed AS f ON f.project_id = t.project_id AND f.in_from AND NOT t.in_from
WHERE f.name IS DISTINCT FROM t.name;
