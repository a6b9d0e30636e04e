-- kind: user_role_granted
-- description: a role was assigned to a user directly (names as in `to`); a role held only through
--  a group shows as member_*, group_role_* and access_* changes instead
-- why: only users with a changed fact (an unchanged fact is one history row valid in both)
-- can differ, so their direct roles are compared as sets; sources decide "direct" as in access_*.
WITH
sides AS (SELECT 'from' AS side, $from::INTEGER AS snap UNION ALL SELECT 'to', $to::INTEGER),
-- Users whose memberships, role assignments or groups' roles differ (sql/macros/diff.sql).
cand AS (SELECT user_id FROM access_candidates($from, $to)),
-- The role assignments the API lists for those users, in each snapshot.
held AS (
  SELECT s.side, s.snap, u.user_id, u.role_id, u.role_name, u.assignment_sources
  FROM sides AS s
  JOIN hist_user_roles AS u ON s.snap BETWEEN u.valid_from AND coalesce(u.valid_to, 2147483647)
  SEMI JOIN cand USING (user_id)
),
-- Group paths matter only to decide whether a role listed without sources is direct.
unsourced_group_paths AS (
  SELECT h.side, h.user_id, h.role_id
  FROM (SELECT * FROM held WHERE assignment_sources IS NULL) AS h
  JOIN hist_group_members AS m
    ON m.user_id = h.user_id AND h.snap BETWEEN m.valid_from AND coalesce(m.valid_to, 2147483647)
  JOIN hist_group_roles AS r
    ON r.group_id = m.group_id AND r.role_id = h.role_id
    AND h.snap BETWEEN r.valid_from AND coalesce(r.valid_to, 2147483647)
),
-- Direct: a 'user' principal among the sources, or no sources reported and no group path.
direct AS (
  SELECT side, user_id, role_id, role_name FROM held
  WHERE list_contains(list_transform(assignment_sources, x -> x.principal_type), 'user')
  UNION ALL
  SELECT side, user_id, role_id, role_name FROM held
  ANTI JOIN unsourced_group_paths AS p USING (side, user_id, role_id)
  WHERE assignment_sources IS NULL
)
SELECT c.user_id, us.email, us.name AS user_name, c.role_id, c.role_name
FROM (SELECT * FROM direct WHERE side = 'to') AS c
ANTI JOIN (SELECT user_id, role_id FROM direct WHERE side = 'from') AS o USING (user_id, role_id)
LEFT JOIN hist_users AS us
  ON us.user_id = c.user_id AND $to BETWEEN us.valid_from AND coalesce(us.valid_to, 2147483647);
