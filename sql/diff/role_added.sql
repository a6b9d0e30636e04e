-- kind: role_added
-- description: >-
--   a role appeared in the organization's roles catalog (permissions sorted)
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
-- History rows valid in exactly one snapshot (macro in sql/macros/diff.sql).
changed AS (
  SELECT * FROM changed_facts('hist_roles', $from, $to)
)
SELECT c.role_id, c.name AS role_name, list_sort(c.permissions) AS permissions, c.predefined_role
FROM changed AS c
ANTI JOIN (SELECT role_id FROM changed WHERE in_from) AS o USING (role_id)
WHERE NOT c.in_from;
