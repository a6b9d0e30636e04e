-- kind: group_role_granted
-- description: >-
--   a role was assigned to a group (names as in `to`)
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
-- History rows valid in exactly one snapshot (macro in sql/macros/diff.sql).
changed AS (
  SELECT * FROM changed_facts('hist_group_roles', $from, $to)
)
SELECT c.group_id, g.name AS group_name, c.role_id, c.role_name
FROM changed AS c
ANTI JOIN (SELECT group_id, role_id FROM changed WHERE in_from) AS o USING (group_id, role_id)
LEFT JOIN hist_groups AS g
  ON g.group_id = c.group_id AND valid_in($to, g.valid_from, g.valid_to)
WHERE NOT c.in_from;
