-- kind: group_renamed
-- description: a group kept its id and changed its name (before, after: the names)
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
      SELECT * FROM hist_groups WHERE valid_from > least($from, $to)
      UNION ALL
      SELECT * FROM hist_groups WHERE valid_to < greatest($from, $to)
    )
  )
  WHERE in_from <> in_to
)
SELECT t.group_id,
  f.name AS before, t.name AS after
FROM changed AS t
JOIN changed AS f ON f.group_id = t.group_id AND f.in_from AND NOT t.in_from
WHERE f.name IS DISTINCT FROM t.name;
