-- kind: user_role_granted
-- description: >-
--   a role was assigned to a user directly (names as in `to`); a role held only through a group
--   shows as member_*, group_role_* and access_* changes instead
-- requires: [user_roles]
-- why: >-
--   only users with a changed fact (an unchanged fact is one history row valid in both) can differ,
--   so their direct roles are compared as sets; sources decide "direct" as in access_*.
WITH
sides AS (SELECT 'from' AS side, $from::INTEGER AS snap UNION ALL SELECT 'to', $to::INTEGER),
-- Users whose memberships, role assignments or groups' roles differ (sql/macros/diff.sql).
cand AS (SELECT user_id FROM access_candidates($from, $to)),
-- The role assignments the API lists for those users, in each snapshot.
held AS (
  SELECT s.side, s.snap, u.user_id, u.role_id, u.role_name, u.assignment_sources
  FROM sides AS s
  JOIN hist_user_roles AS u ON valid_in(s.snap, u.valid_from, u.valid_to)
  SEMI JOIN cand USING (user_id)
),
-- Group paths matter only to decide whether a role listed without sources is direct.
unsourced_group_paths AS (
  SELECT h.side, h.user_id, h.role_id
  FROM (SELECT * FROM held WHERE assignment_sources IS NULL) AS h
  JOIN hist_group_members AS m
    ON m.user_id = h.user_id AND valid_in(h.snap, m.valid_from, m.valid_to)
  JOIN hist_group_roles AS r
    ON r.group_id = m.group_id AND r.role_id = h.role_id
    AND valid_in(h.snap, r.valid_from, r.valid_to)
),
-- Direct as decided by is_direct_assignment (sql/macros/history.sql).
direct AS (
  SELECT h.side, h.user_id, h.role_id, h.role_name FROM held AS h
  WHERE is_direct_assignment(h.assignment_sources, EXISTS (
    SELECT 1 FROM unsourced_group_paths AS p
    WHERE p.side = h.side AND p.user_id = h.user_id AND p.role_id = h.role_id))
)
SELECT c.user_id, us.email, us.name AS user_name, c.role_id, c.role_name
FROM (SELECT * FROM direct WHERE side = 'to') AS c
ANTI JOIN (SELECT user_id, role_id FROM direct WHERE side = 'from') AS o USING (user_id, role_id)
LEFT JOIN hist_users AS us
  ON us.user_id = c.user_id AND valid_in($to, us.valid_from, us.valid_to);
