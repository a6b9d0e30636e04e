-- kind: group_added
-- description: >-
--   a group exists in `to` but not in `from`
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
-- History rows valid in exactly one snapshot (macro in sql/macros/diff.sql).
changed AS (
  SELECT * FROM changed_facts('hist_groups', $from, $to)
)
SELECT c.group_id, c.name AS group_name, c.group_type, c.is_scim_managed
FROM changed AS c
ANTI JOIN (SELECT group_id FROM changed WHERE in_from) AS o USING (group_id)
WHERE NOT c.in_from;
