-- kind: member_added
-- description: >-
--   a user became a member of a group (names as in `to`)
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
-- History rows valid in exactly one snapshot (macro in sql/macros/diff.sql).
changed AS (
  SELECT group_id, user_id, valid_from, valid_to, in_from, in_to FROM changed_facts('hist_group_members', $from, $to)
)
-- Names from the users table: reading the members' own email and name columns for every row
-- costs more than the whole rest of the query.
SELECT c.group_id, g.name AS group_name, c.user_id, us.email, us.name AS user_name
FROM changed AS c
ANTI JOIN (SELECT group_id, user_id FROM changed WHERE in_from) AS o USING (group_id, user_id)
LEFT JOIN hist_groups AS g
  ON g.group_id = c.group_id AND valid_in($to, g.valid_from, g.valid_to)
LEFT JOIN hist_users AS us
  ON us.user_id = c.user_id AND valid_in($to, us.valid_from, us.valid_to)
WHERE NOT c.in_from;
