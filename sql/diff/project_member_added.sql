-- kind: project_member_added
-- description: >-
--   a user became a member of a project, with a membership role (names as in `to`)
-- requires: [projects]
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_project_users', $from, $to)
)
SELECT c.project_id, p.name AS project_name, c.user_id, coalesce(us.email, c.email) AS email,
  coalesce(us.name, c.name) AS user_name, c.role
FROM changed AS c
ANTI JOIN (SELECT project_id, user_id FROM changed WHERE in_from) AS o USING (project_id, user_id)
LEFT JOIN hist_projects AS p
  ON p.project_id = c.project_id AND valid_in($to, p.valid_from, p.valid_to)
LEFT JOIN hist_users AS us
  ON us.user_id = c.user_id AND valid_in($to, us.valid_from, us.valid_to)
WHERE NOT c.in_from;
