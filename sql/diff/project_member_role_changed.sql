-- kind: project_member_role_changed
-- description: >-
--   a project member's membership role changed, e.g. member to owner (before, after: the roles)
-- requires: [projects]
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_project_users', $from, $to)
)
SELECT t.project_id, p.name AS project_name, t.user_id, coalesce(us.email, t.email) AS email,
  coalesce(us.name, t.name) AS user_name, f.role AS before, t.role AS after
FROM changed AS t
JOIN changed AS f
  ON f.project_id = t.project_id AND f.user_id = t.user_id AND f.in_from AND NOT t.in_from
LEFT JOIN hist_projects AS p
  ON p.project_id = t.project_id AND valid_in($to, p.valid_from, p.valid_to)
LEFT JOIN hist_users AS us
  ON us.user_id = t.user_id AND valid_in($to, us.valid_from, us.valid_to)
WHERE f.role IS DISTINCT FROM t.role;
