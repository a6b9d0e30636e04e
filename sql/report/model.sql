-- The report model's queries (src/report/model.ts). $s is a snapshot id. The analysis leaves
-- analysis_effective_access (the effective_access view's rows of the report's snapshots) and
-- elevated_roles on the connection before these run (src/analysis/anomalies.ts).

-- name: trend_ids
-- The last $n complete snapshots up to $s, newest first.
SELECT snapshot_id AS id FROM snapshots WHERE status = 'complete' AND snapshot_id <= $s
ORDER BY snapshot_id DESC LIMIT $n;

-- name: snapshot_rows
-- $ids: a list of snapshot ids as text ("[1,2]").
SELECT * FROM snapshots WHERE list_contains($ids::INTEGER[], snapshot_id);

-- name: chain_head
SELECT snapshot_id AS id, seal FROM snapshots WHERE status = 'complete'
ORDER BY snapshot_id DESC LIMIT 1;

-- name: group_names
SELECT group_id AS id, name FROM snapshot_groups WHERE snapshot_id = $s;

-- name: user_names
SELECT user_id AS id, coalesce(email, name) AS name FROM snapshot_users WHERE snapshot_id = $s;

-- name: role_names
SELECT role_id AS id, min(name) AS name FROM (
  SELECT role_id, name FROM snapshot_roles WHERE snapshot_id = $s
  UNION ALL SELECT role_id, role_name FROM snapshot_group_roles WHERE snapshot_id = $s
  UNION ALL SELECT role_id, role_name FROM snapshot_user_roles WHERE snapshot_id = $s)
GROUP BY role_id;

-- name: previous_seal
SELECT seal FROM snapshots WHERE status = 'complete' AND snapshot_id < $s
ORDER BY snapshot_id DESC LIMIT 1;

-- name: endpoints
SELECT endpoint, pages, items, completed FROM snapshot_endpoints WHERE snapshot_id = $s
ORDER BY endpoint;

-- name: vanished_group_ids
SELECT group_id AS id FROM snapshot_vanished_groups WHERE snapshot_id = $s ORDER BY 1;

-- name: vanished_user_ids
SELECT user_id AS id FROM snapshot_vanished_users WHERE snapshot_id = $s ORDER BY 1;

-- name: seal_parts
SELECT part, row_count, sha256 FROM snapshot_seal_parts WHERE snapshot_id = $s
ORDER BY CASE part WHEN 'snapshot' THEN 0 WHEN 'groups' THEN 1 WHEN 'group_members' THEN 2
  WHEN 'group_roles' THEN 3 WHEN 'roles' THEN 4 WHEN 'users' THEN 5 WHEN 'user_roles' THEN 6
  WHEN 'endpoints' THEN 7 WHEN 'vanished_groups' THEN 8 WHEN 'vanished_users' THEN 9
  ELSE 10 END, part;

-- name: elevated_access
SELECT ea.user_id, ea.email, u.name AS user_name, u.is_service_account,
  ea.role_id, ea.role_name, ea.via, ea.via_group_id, ea.via_group_name,
  ea.via_group_is_scim_managed
FROM analysis_effective_access AS ea
SEMI JOIN elevated_roles AS er ON er.snapshot_id = ea.snapshot_id AND er.role_id = ea.role_id
LEFT JOIN snapshot_users AS u ON u.snapshot_id = ea.snapshot_id AND u.user_id = ea.user_id
WHERE ea.snapshot_id = $s
ORDER BY ea.email NULLS LAST, ea.user_id, ea.role_name NULLS LAST, ea.role_id, ea.via,
  ea.via_group_name NULLS FIRST, ea.via_group_id NULLS FIRST;

-- name: groups
WITH members AS (
  SELECT group_id, count(*)::INTEGER AS members FROM snapshot_group_members
  WHERE snapshot_id = $s GROUP BY group_id),
roles AS (
  SELECT gr.group_id,
    list_sort(list(coalesce(gr.role_name, gr.role_id))) AS roles,
    bool_or(er.role_id IS NOT NULL) AS elevated
  FROM snapshot_group_roles AS gr
  LEFT JOIN elevated_roles AS er ON er.snapshot_id = gr.snapshot_id AND er.role_id = gr.role_id
  WHERE gr.snapshot_id = $s GROUP BY gr.group_id)
SELECT g.group_id, g.name, g.group_type, g.is_scim_managed, g.created_at,
  coalesce(m.members, 0) AS members, coalesce(r.roles, []::VARCHAR[]) AS roles,
  coalesce(r.elevated, false) AS elevated
FROM snapshot_groups AS g
LEFT JOIN members AS m USING (group_id)
LEFT JOIN roles AS r USING (group_id)
WHERE g.snapshot_id = $s
ORDER BY g.name NULLS LAST, g.group_id;

-- name: elevated_counts_analysed
-- Elevated grants (distinct user, role) and users of a snapshot the analysis materialised.
SELECT count(*)::INTEGER AS grants, count(DISTINCT user_id)::INTEGER AS users
FROM (SELECT DISTINCT ea.user_id, ea.role_id FROM temp.analysis_effective_access AS ea
      SEMI JOIN elevated_roles AS er
        ON er.snapshot_id = ea.snapshot_id AND er.role_id = ea.role_id
      WHERE ea.snapshot_id = $s);

-- name: elevated_counts_view
-- The same for an older trend point, from the view (an evaluation of its own).
SELECT count(*)::INTEGER AS grants, count(DISTINCT user_id)::INTEGER AS users
FROM (SELECT DISTINCT ea.user_id, ea.role_id FROM main.effective_access AS ea
      SEMI JOIN elevated_roles AS er
        ON er.snapshot_id = ea.snapshot_id AND er.role_id = ea.role_id
      WHERE ea.snapshot_id = $s);
