-- kind: project_access_gained
-- description: >-
--   a user holds a role in a project in `to` by some path and held it by none in `from` (via:
--   every path to it in `to`: membership, direct, or through an attached group; names as in `to`)
-- requires: [projects, project_role_assignments]
-- why: >-
--   the effective_access view's project rows of only the users with a changed project fact (an
--   unchanged fact is one history row valid in both snapshots), compared as sets.
WITH
changed_groups AS (
  SELECT group_id FROM changed_facts('hist_project_group_roles', $from, $to)
  UNION SELECT group_id FROM changed_facts('hist_project_groups', $from, $to)
),
changed_projects AS (
  SELECT project_id FROM changed_facts('hist_project_roles', $from, $to)
  UNION SELECT project_id FROM changed_facts('hist_projects', $from, $to)
),
-- Users whose project access can differ: their memberships, project role assignments or group
-- memberships changed, or a group of theirs or a project they belong to changed.
cand AS (
  SELECT user_id FROM changed_facts('hist_project_users', $from, $to)
  UNION SELECT user_id FROM changed_facts('hist_project_user_roles', $from, $to)
  UNION SELECT user_id FROM changed_facts('hist_group_members', $from, $to)
  UNION SELECT m.user_id FROM hist_group_members AS m
    SEMI JOIN changed_groups USING (group_id)
    WHERE valid_in($from, m.valid_from, m.valid_to) OR valid_in($to, m.valid_from, m.valid_to)
  UNION SELECT pu.user_id FROM hist_project_users AS pu
    SEMI JOIN changed_projects USING (project_id)
    WHERE valid_in($from, pu.valid_from, pu.valid_to) OR valid_in($to, pu.valid_from, pu.valid_to)
  UNION SELECT m.user_id FROM hist_group_members AS m
    SEMI JOIN (SELECT r.group_id FROM hist_project_group_roles AS r
               SEMI JOIN changed_projects USING (project_id)) AS g USING (group_id)
    WHERE valid_in($from, m.valid_from, m.valid_to) OR valid_in($to, m.valid_from, m.valid_to)
),
paths AS (
  SELECT * FROM effective_access
  WHERE scope = 'project' AND snapshot_id IN ($from, $to)
    AND user_id IN (SELECT user_id FROM cand)
),
changes AS (
  SELECT project_id, user_id, role_id FROM paths WHERE snapshot_id = $to
  EXCEPT
  SELECT project_id, user_id, role_id FROM paths WHERE snapshot_id = $from
)
SELECT c.project_id, any_value(e.project_name) AS project_name, c.user_id,
  any_value(us.email) AS email, any_value(us.name) AS user_name, c.role_id,
  min(e.role_name) AS role_name,
  list({'via': e.via, 'group_id': e.via_group_id, 'group_name': e.via_group_name}
    ORDER BY e.via, e.via_group_id NULLS FIRST) AS via
FROM changes AS c
JOIN paths AS e
  ON e.snapshot_id = $to AND e.project_id = c.project_id AND e.user_id = c.user_id
 AND e.role_id = c.role_id
LEFT JOIN hist_users AS us
  ON us.user_id = c.user_id AND valid_in($to, us.valid_from, us.valid_to)
GROUP BY c.project_id, c.user_id, c.role_id;
