-- kind: role_removed
-- description: a role disappeared from the organization's roles catalog (permissions sorted)
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
      SELECT * FROM hist_roles WHERE valid_from > least($from, $to)
      UNION ALL
      SELECT * FROM hist_roles WHERE valid_to < greatest($from, $to)
    )
  )
  WHERE in_from <> in_to
)
SELECT c.role_id, c.name AS role_name, list_sort(c.permissions) AS permissions, c.predefined_role
FROM changed AS c
ANTI JOIN (SELECT role_id FROM changed WHERE NOT in_from) AS o USING (role_id)
WHERE c.in_from;
