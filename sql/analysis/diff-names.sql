-- The names a diff gives the groups and projects it mentions (src/analysis/diff.ts).
-- Why here and not in each sql/diff file: a removal kind is its counterpart's file run with
-- $from and $to exchanged, so inside the file "to" is the older snapshot and a renamed group would
-- carry its old name. One lookup over the diff's own ids names every row alike.

-- name: group_names
-- Each group of $ids (a JSON list) by its name in $to, or in $from when $to no longer has it
-- (deleted: its last known name).
SELECT g.group_id AS id, arg_max(g.name, valid_in($to, g.valid_from, g.valid_to)) AS name
FROM hist_groups AS g
WHERE g.group_id IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))
  AND (valid_in($from, g.valid_from, g.valid_to) OR valid_in($to, g.valid_from, g.valid_to))
GROUP BY g.group_id;

-- name: project_names
-- The same for the projects of $ids.
SELECT p.project_id AS id, arg_max(p.name, valid_in($to, p.valid_from, p.valid_to)) AS name
FROM hist_projects AS p
WHERE p.project_id IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))
  AND (valid_in($from, p.valid_from, p.valid_to) OR valid_in($to, p.valid_from, p.valid_to))
GROUP BY p.project_id;
