-- kind: project_access_gained
-- description: >-
--   a user holds a role in a project in `to` by some path and held it by none in `from` (via:
--   every path to it in `to`: membership, direct, or through an attached group; names as in `to`)
-- requires: [projects, project_role_assignments]
-- why: >-
--   the effective_access view's project paths (the same three rules, read from the history ranges
--   directly) of only the users with a changed project fact (an unchanged fact is one history row
--   valid in both snapshots), compared as sets; the view itself would evaluate every project path.
--   People only: a project service account's own role (the view's principal_type
--   'service_account') changes with service_account_created / _deleted / _role_changed.
WITH
sides AS (SELECT 'from' AS side, $from::INTEGER AS snap UNION ALL SELECT 'to', $to::INTEGER),
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
-- Group paths: a project role of an attached group x the group's members, same snapshot.
members AS (
  SELECT s.side, m.group_id, m.user_id
  FROM sides AS s
  JOIN hist_group_members AS m ON valid_in(s.snap, m.valid_from, m.valid_to)
  SEMI JOIN cand USING (user_id)
),
group_paths AS (
  SELECT s.side, r.project_id, m.user_id, r.role_id, r.role_name, 'group' AS via, r.group_id
  FROM sides AS s
  JOIN hist_project_group_roles AS r ON valid_in(s.snap, r.valid_from, r.valid_to)
  JOIN members AS m ON m.side = s.side AND m.group_id = r.group_id
),
-- Membership paths: the member's own role as the project's predefined role of that name.
memberships AS (
  SELECT s.side, s.snap, u.project_id, u.user_id, u.role
  FROM sides AS s
  JOIN hist_project_users AS u ON valid_in(s.snap, u.valid_from, u.valid_to)
  SEMI JOIN cand USING (user_id)
),
membership_paths AS (
  SELECT pu.side, pu.project_id, pu.user_id,
    coalesce(pr.role_id, 'project-membership:' || pu.role) AS role_id,
    coalesce(pr.name, 'Project ' || upper(pu.role[1]) || pu.role[2:]) AS role_name,
    'membership' AS via, NULL::VARCHAR AS group_id
  FROM memberships AS pu
  LEFT JOIN hist_project_roles AS pr
    ON pr.project_id = pu.project_id AND pr.predefined_role
   AND lower(pr.name) = 'project ' || lower(pu.role)
   AND valid_in(pu.snap, pr.valid_from, pr.valid_to)
),
-- Direct paths: assignments the API lists for the member, decided as the view decides them.
held AS (
  SELECT s.side, s.snap, h.project_id, h.user_id, h.role_id, h.role_name, h.predefined_role,
    h.assignment_sources
  FROM sides AS s
  JOIN hist_project_user_roles AS h ON valid_in(s.snap, h.valid_from, h.valid_to)
  SEMI JOIN cand USING (user_id)
),
direct_paths AS (
  SELECT h.side, h.project_id, h.user_id, h.role_id, h.role_name, 'direct' AS via,
    NULL::VARCHAR AS group_id
  FROM held AS h
  LEFT JOIN memberships AS pu
    ON pu.side = h.side AND pu.project_id = h.project_id AND pu.user_id = h.user_id
  WHERE NOT (h.predefined_role AND pu.role IS NOT NULL
             AND lower(h.role_name) = 'project ' || lower(pu.role))
    AND is_direct_assignment(h.assignment_sources, EXISTS (
      SELECT 1 FROM group_paths AS g
      WHERE g.side = h.side AND g.project_id = h.project_id AND g.user_id = h.user_id
        AND g.role_id = h.role_id))
),
effective AS (
  SELECT * FROM group_paths
  UNION ALL SELECT * FROM membership_paths
  UNION ALL SELECT * FROM direct_paths
),
changes AS (
  SELECT project_id, user_id, role_id FROM effective WHERE side = 'to'
  EXCEPT
  SELECT project_id, user_id, role_id FROM effective WHERE side = 'from'
)
SELECT c.project_id, any_value(p.name) AS project_name, c.user_id,
  any_value(us.email) AS email, any_value(us.name) AS user_name, c.role_id,
  min(e.role_name) AS role_name,
  list({'via': e.via, 'group_id': e.group_id, 'group_name': g.name}
    ORDER BY e.via, e.group_id NULLS FIRST) AS via
FROM changes AS c
JOIN effective AS e
  ON e.side = 'to' AND e.project_id = c.project_id AND e.user_id = c.user_id
 AND e.role_id = c.role_id
LEFT JOIN hist_projects AS p
  ON p.project_id = c.project_id AND valid_in($to, p.valid_from, p.valid_to)
LEFT JOIN hist_users AS us
  ON us.user_id = c.user_id AND valid_in($to, us.valid_from, us.valid_to)
LEFT JOIN hist_groups AS g
  ON g.group_id = e.group_id AND valid_in($to, g.valid_from, g.valid_to)
GROUP BY c.project_id, c.user_id, c.role_id;
