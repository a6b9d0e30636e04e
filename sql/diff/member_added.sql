-- kind: member_added
-- description: a user became a member of a group (names as in `to`)
-- why: set difference over only the history rows valid in exactly one of the two snapshots,
-- since an unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
-- History rows valid in exactly one snapshot: an unchanged fact spans both, and the two range
-- filters (pushed into the scan) drop those rows before their other columns are read.
changed AS (
  SELECT * FROM (
    SELECT *,
      $from BETWEEN valid_from AND coalesce(valid_to, 2147483647) AS in_from,
      $to BETWEEN valid_from AND coalesce(valid_to, 2147483647) AS in_to
    FROM (
      SELECT group_id, user_id, valid_from, valid_to
      FROM hist_group_members WHERE valid_from > least($from, $to)
      UNION ALL
      SELECT group_id, user_id, valid_from, valid_to
      FROM hist_group_members WHERE valid_to < greatest($from, $to)
    )
  )
  WHERE in_from <> in_to
)
-- Names from the users table: reading the members' own email and name columns for every row
-- costs more than the whole rest of the query.
SELECT c.group_id, g.name AS group_name, c.user_id, us.email, us.name AS user_name
FROM changed AS c
ANTI JOIN (SELECT group_id, user_id FROM changed WHERE in_from) AS o USING (group_id, user_id)
LEFT JOIN hist_groups AS g
  ON g.group_id = c.group_id AND $to BETWEEN g.valid_from AND coalesce(g.valid_to, 2147483647)
LEFT JOIN hist_users AS us
  ON us.user_id = c.user_id AND $to BETWEEN us.valid_from AND coalesce(us.valid_to, 2147483647)
WHERE NOT c.in_from;
