-- kind: group_role_revoked
-- description: a role assignment of a group ended, including those of a removed group or role
--  (names as in `from`)
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
      SELECT * FROM hist_group_roles WHERE valid_from > least($from, $to)
      UNION ALL
      SELECT * FROM hist_group_roles WHERE valid_to < greatest($from, $to)
    )
  )
  WHERE in_from <> in_to
)
SELECT c.group_id, g.name AS group_name, c.role_id, c.role_name
FROM changed AS c
ANTI JOIN (SELECT group_id, role_id FROM changed WHERE NOT in_from) AS o USING (group_id, role_id)
LEFT JOIN hist_groups AS g
  ON g.group_id = c.group_id AND $from BETWEEN g.valid_from AND coalesce(g.valid_to, 2147483647)
WHERE c.in_from;
