-- kind: user_removed
-- description: a user left the organization
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
      SELECT * FROM hist_users WHERE valid_from > least($from, $to)
      UNION ALL
      SELECT * FROM hist_users WHERE valid_to < greatest($from, $to)
    )
  )
  WHERE in_from <> in_to
)
SELECT c.user_id, c.email, c.name AS user_name, c.role, c.is_service_account, c.is_scim_managed
FROM changed AS c
ANTI JOIN (SELECT user_id FROM changed WHERE NOT in_from) AS o USING (user_id)
WHERE c.in_from;
