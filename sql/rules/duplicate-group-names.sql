-- id: duplicate-group-names
-- title: Several groups share the same name
-- severity: medium
-- rationale: >-
--   Reviewers and admins pick groups by name; with two groups of the same name, access is
--   granted to or certified for the wrong one.
-- remediation: Rename or merge the groups so that each name is unique.
-- controls: [SOC 2 CC6.1, ISO 27001 A.5.16]

-- Why: ambiguous names cause grants and reviews on the wrong group. Names compare trimmed and
-- case-insensitively; one finding per group.
WITH named AS (
  SELECT group_id, name, lower(trim(name)) AS k,
    count(*) OVER (PARTITION BY lower(trim(name))) AS n
  FROM snapshot_groups
  WHERE snapshot_id = $snapshot AND name IS NOT NULL
)
SELECT
  group_id,
  NULL AS user_id,
  NULL AS role_id,
  format('name "{}" is shared by {} groups', name, n) AS detail
FROM named
WHERE n > 1
