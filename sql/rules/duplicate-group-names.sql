-- id: duplicate-group-names
-- title: Several groups share a name, or names a reader cannot tell apart
-- severity: medium
-- rationale: >-
--   Reviewers and admins pick groups by name; with two groups that read the same (the same
--   name, or lookalikes such as a Cyrillic "а" for a Latin "a", a decomposed accent or a
--   zero-width character), access is granted to or certified for the wrong one, and a
--   lookalike group can be planted to be approved in the real one's place.
-- remediation: Rename or merge the groups so that each name is unique and plainly spelt.
-- controls: [SOC 2 CC6.1, ISO 27001 A.5.16]

-- Why: ambiguous names cause grants and reviews on the wrong group. Names compare by what a
-- reader sees: group_lookalikes holds each name's key (NFKC, case-folded, hidden characters
-- dropped, UTS #39 confusable skeleton; src/util/unicode.ts). One finding per group; names equal
-- when trimmed and case-folded keep their former detail, lookalikes name the other groups' ids.
WITH named AS (
  SELECT g.group_id, g.name, l.lookalike_key,
    count(*) OVER (PARTITION BY lower(trim(g.name))) AS same_name,
    count(*) OVER (PARTITION BY l.lookalike_key) AS n
  FROM snapshot_groups AS g
  JOIN group_lookalikes AS l ON l.snapshot_id = g.snapshot_id AND l.group_id = g.group_id
  WHERE g.snapshot_id = $snapshot AND g.name IS NOT NULL
)
SELECT
  group_id,
  NULL AS user_id,
  NULL AS role_id,
  CASE
    WHEN same_name = n THEN format('name "{}" is shared by {} groups', name, n)
    ELSE format('name "{}" cannot be told apart from the name of {}', name, (
      SELECT string_agg(o.group_id, ', ' ORDER BY o.group_id)
      FROM named AS o
      WHERE o.lookalike_key = named.lookalike_key AND o.group_id <> named.group_id))
  END AS detail
FROM named
WHERE n > 1
