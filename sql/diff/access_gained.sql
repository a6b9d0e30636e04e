-- kind: access_gained
-- description: >-
--   a user holds a role in `to` by some path and held it by none in `from` (via: every path to it
--   in `to`, direct or through a group; names as in `to`)
-- requires: [user_roles]
-- why: >-
--   effective roles (distinct user, role over every path) of only the users with a changed fact (an
--   unchanged fact is one history row valid in both snapshots), compared as sets.
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
-- Group paths: membership x the group's roles, both in the same snapshot.
group_paths AS (
  SELECT s.side, m.user_id, r.role_id, r.role_name, m.group_id
  FROM sides AS s
  JOIN hist_group_roles AS r ON valid_in(s.snap, r.valid_from, r.valid_to)
  JOIN hist_group_members AS m
    ON m.group_id = r.group_id AND valid_in(s.snap, m.valid_from, m.valid_to)
  WHERE m.user_id IN (SELECT user_id FROM cand)
),
-- Direct as decided by is_direct_assignment (sql/macros/history.sql).
direct AS (
  SELECT h.side, h.user_id, h.role_id, h.role_name FROM held AS h
  WHERE is_direct_assignment(h.assignment_sources, EXISTS (
    SELECT 1 FROM group_paths AS p
    WHERE p.side = h.side AND p.user_id = h.user_id AND p.role_id = h.role_id))
),
-- The same paths as the effective_access view, for these users only (the view computes them for
-- everyone, about 1 s per snapshot at 1M memberships).
effective AS (
  SELECT side, user_id, role_id, role_name, group_id FROM group_paths
  UNION ALL
  SELECT side, user_id, role_id, role_name, NULL FROM direct
),
changes AS (
  SELECT user_id, role_id FROM effective WHERE side = 'to'
  EXCEPT
  SELECT user_id, role_id FROM effective WHERE side = 'from'
)
SELECT c.user_id, any_value(us.email) AS email, any_value(us.name) AS user_name, c.role_id,
  min(e.role_name) AS role_name,
  list({
    'via': CASE WHEN e.group_id IS NULL THEN 'direct' ELSE 'group' END,
    'group_id': e.group_id,
    'group_name': g.name
  } ORDER BY e.group_id NULLS FIRST) AS via
FROM changes AS c
JOIN effective AS e ON e.side = 'to' AND e.user_id = c.user_id AND e.role_id = c.role_id
LEFT JOIN hist_users AS us
  ON us.user_id = c.user_id AND valid_in($to, us.valid_from, us.valid_to)
LEFT JOIN hist_groups AS g
  ON g.group_id = e.group_id AND valid_in($to, g.valid_from, g.valid_to)
GROUP BY c.user_id, c.role_id;
