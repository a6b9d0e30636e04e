-- id: custom-role-permissions-changed
-- title: Custom role's permissions changed since the previous snapshot
-- severity: medium
-- rationale: >-
--   Changing a custom role changes the access of everyone who holds it, at once and without
--   any assignment showing up; the change needs the same approval as the grants it implies.
-- remediation: >-
--   Match the change to an approved change record; review who holds the role if it gained
--   permissions.
-- controls: [SOC 2 CC6.3, SOC 2 CC8.1, ISO 27001 A.5.15, ISO 27001 A.8.2]
-- requires: [previous_snapshot]

-- Why: a role edit silently changes the access of every holder.
WITH cur AS (
  SELECT role_id, name, list_sort(list_distinct(coalesce(permissions, []))) AS perms
  FROM snapshot_roles WHERE snapshot_id = $snapshot AND NOT coalesce(predefined_role, false)
),
prev AS (
  SELECT role_id, list_sort(list_distinct(coalesce(permissions, []))) AS perms
  FROM snapshot_roles WHERE snapshot_id = $previous::INTEGER
)
SELECT
  NULL AS group_id,
  NULL AS user_id,
  c.role_id,
  format('role "{}" permissions changed since snapshot {}: added [{}], removed [{}]', c.name,
    $previous::INTEGER,
    array_to_string(list_filter(c.perms, x -> NOT list_contains(p.perms, x)), ', '),
    array_to_string(list_filter(p.perms, x -> NOT list_contains(c.perms, x)), ', ')) AS detail
FROM cur AS c
JOIN prev AS p ON p.role_id = c.role_id
WHERE c.perms <> p.perms
