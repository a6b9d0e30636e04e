-- kind: project_user_role_granted
-- description: >-
--   a project role was assigned to a member directly, at project scope (names as in `to`); the
--   predefined role matching the membership role shows as project_member_* instead, and a role held
--   through a group as project_group_role_* and project_access_*
-- requires: [projects, project_role_assignments]
-- why: >-
--   only the assignment rows valid in exactly one snapshot can differ; "direct" is decided as in
--   the effective_access view (sources, else no group path) and the membership's own role left out.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_project_user_roles', $from, $to)
),
sides AS (SELECT 'from' AS side, $from::INTEGER AS snap UNION ALL SELECT 'to', $to::INTEGER),
held AS (
  SELECT s.side, s.snap, c.project_id, c.user_id, c.role_id, c.role_name, c.predefined_role,
    c.assignment_sources
  FROM changed AS c
  JOIN sides AS s ON (s.side = 'from' AND c.in_from) OR (s.side = 'to' AND c.in_to)
),
direct AS (
  SELECT h.* FROM held AS h
  LEFT JOIN hist_project_users AS pu
    ON pu.project_id = h.project_id AND pu.user_id = h.user_id
   AND valid_in(h.snap, pu.valid_from, pu.valid_to)
  WHERE NOT (h.predefined_role AND pu.role IS NOT NULL
             AND lower(h.role_name) = 'project ' || lower(pu.role))
    AND is_direct_assignment(h.assignment_sources, EXISTS (
      SELECT 1 FROM hist_project_group_roles AS r
      JOIN hist_group_members AS m
        ON m.group_id = r.group_id AND valid_in(h.snap, m.valid_from, m.valid_to)
      WHERE r.project_id = h.project_id AND r.role_id = h.role_id AND m.user_id = h.user_id
        AND valid_in(h.snap, r.valid_from, r.valid_to)))
)
SELECT c.project_id, p.name AS project_name, c.user_id, us.email, us.name AS user_name, c.role_id,
  c.role_name
FROM (SELECT * FROM direct WHERE side = 'to') AS c
ANTI JOIN (SELECT project_id, user_id, role_id FROM direct WHERE side = 'from') AS o
  USING (project_id, user_id, role_id)
LEFT JOIN hist_projects AS p
  ON p.project_id = c.project_id AND valid_in($to, p.valid_from, p.valid_to)
LEFT JOIN hist_users AS us
  ON us.user_id = c.user_id AND valid_in($to, us.valid_from, us.valid_to);
