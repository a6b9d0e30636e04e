-- The workbook's queries (src/report/xlsx.ts): the large per-row sheets, streamed from the store.
-- $s is the snapshot id. Effective access rows are ordered like the model's elevated paths (a
-- path is unique by user, role, via, group); permissions belong to the role (Roles sheet):
-- repeated on every path they would be most of the sheet's bytes and of the memory its sort takes.
-- The Effective access sheet is the organization's access (scope 'organization'); access inside
-- projects is the Project access sheet's.
-- The large sheets' queries (access, members, project access) return each row as one JSON array
-- `cells`, its values in the sheet's column order (SHEET_COLUMNS in xlsx.ts): reading one string
-- per row from DuckDB costs a third of reading each value as a column of its own.

-- name: elevated_role_ids
SELECT role_id FROM elevated_roles WHERE snapshot_id = $s;

-- name: access_rows
-- The user's name and email from snapshot_users: the view has no name, and no email on a direct
-- assignment's row.
WITH e AS (
  SELECT user_id, email, role_id, role_name, via, via_group_id, via_group_name,
    via_group_is_scim_managed
  FROM main.effective_access WHERE snapshot_id = $s AND scope = 'organization'
),
u AS (SELECT user_id, name, email FROM snapshot_users WHERE snapshot_id = $s)
SELECT json_array(e.user_id, u.name, coalesce(e.email, u.email), e.role_id, e.role_name, e.via,
    e.via_group_id, e.via_group_name, e.via_group_is_scim_managed)::VARCHAR AS cells
FROM e LEFT JOIN u ON u.user_id = e.user_id
ORDER BY coalesce(e.email, u.email) NULLS LAST, e.user_id, e.role_name NULLS LAST, e.role_id,
  e.via, e.via_group_name NULLS FIRST, e.via_group_id NULLS FIRST;

-- name: analysed_access_exists
-- Whether the analysis left analysis_effective_access on this connection.
SELECT count(*)::INTEGER AS n FROM duckdb_tables()
WHERE temporary AND table_name = 'analysis_effective_access';

-- name: analysed_access_count
SELECT count(*)::INTEGER AS n FROM temp.analysis_effective_access
WHERE snapshot_id = $s AND scope = 'organization';

-- name: analysed_access_rows
-- The analysed rows of $s in the sheet's order (access_rows' order, names and emails), streamed
-- on the connection that holds analysis_effective_access.
WITH u AS (SELECT user_id, name, email FROM snapshot_users WHERE snapshot_id = $s)
SELECT json_array(e.user_id, u.name, coalesce(e.email, u.email), e.role_id, e.role_name, e.via,
    e.via_group_id, e.via_group_name, e.via_group_is_scim_managed)::VARCHAR AS cells
FROM temp.analysis_effective_access AS e
LEFT JOIN u ON u.user_id = e.user_id
WHERE e.snapshot_id = $s AND e.scope = 'organization'
ORDER BY coalesce(e.email, u.email) NULLS LAST, e.user_id, e.role_name NULLS LAST, e.role_id,
  e.via, e.via_group_name NULLS FIRST, e.via_group_id NULLS FIRST;

-- name: group_roles
SELECT gr.group_id, g.name AS group_name, gr.role_id, gr.role_name, gr.permissions,
  gr.predefined_role, gr.resource_type
FROM snapshot_group_roles AS gr
LEFT JOIN snapshot_groups AS g ON g.snapshot_id = gr.snapshot_id AND g.group_id = gr.group_id
WHERE gr.snapshot_id = $s
ORDER BY g.name NULLS LAST, gr.group_id, gr.role_name NULLS LAST, gr.role_id;

-- name: users
SELECT user_id, email, name, role, is_scim_managed, is_service_account, added_at,
  api_key_last_used_at
FROM snapshot_users WHERE snapshot_id = $s
ORDER BY email NULLS LAST, user_id;

-- name: roles
SELECT role_id, name, description, permissions, predefined_role, resource_type
FROM snapshot_roles WHERE snapshot_id = $s
ORDER BY name NULLS LAST, role_id;

-- name: members
-- Every membership of $s, in the model's group order (name, then id), then by email and user id.
SELECT json_array(m.group_id, g.name, m.user_id, m.email, m.name)::VARCHAR AS cells
FROM snapshot_group_members AS m
LEFT JOIN snapshot_groups AS g ON g.snapshot_id = m.snapshot_id AND g.group_id = m.group_id
WHERE m.snapshot_id = $s
ORDER BY g.name NULLS LAST, m.group_id, m.email NULLS LAST, m.user_id;

-- name: project_access
-- The Project access sheet: every path of effective_access inside a project (scope 'project'),
-- by project name and id, then as the Effective access sheet; a person's name and email from
-- snapshot_users, a service account's name from snapshot_service_accounts. Those two are
-- filtered to $s before the join: joined as views on the row's snapshot_id, the query ran for
-- minutes at a million memberships instead of seconds.
WITH e AS (
  SELECT project_id, project_name, user_id, principal_type, email, role_id, role_name, via,
    via_group_id, via_group_name, via_group_is_scim_managed
  FROM main.effective_access WHERE snapshot_id = $s AND scope = 'project'
),
u AS (SELECT user_id, name, email FROM snapshot_users WHERE snapshot_id = $s),
a AS (
  SELECT project_id, service_account_id, name FROM snapshot_service_accounts
  WHERE snapshot_id = $s
)
SELECT json_array(e.project_id, e.project_name, e.user_id,
    CASE e.principal_type WHEN 'service_account' THEN a.name ELSE u.name END,
    coalesce(e.email, u.email), e.role_id, e.role_name, e.via, e.via_group_id, e.via_group_name,
    e.via_group_is_scim_managed)::VARCHAR AS cells
FROM e
LEFT JOIN u ON u.user_id = e.user_id
LEFT JOIN a ON a.project_id = e.project_id AND a.service_account_id = e.user_id
ORDER BY e.project_name NULLS LAST, e.project_id, e.email NULLS LAST, e.user_id,
  e.role_name NULLS LAST, e.role_id, e.via, e.via_group_name NULLS FIRST,
  e.via_group_id NULLS FIRST;

-- name: user_names
-- Names and emails of the users $ids, for the sheets written from the model (changes, findings,
-- credentials): as this snapshot ($s) holds them, else as the compared one ($p) (a user removed).
SELECT DISTINCT ON (user_id) user_id, name, email
FROM snapshot_users
WHERE snapshot_id IN ($s, $p) AND user_id IN (SELECT unnest($ids))
ORDER BY user_id, snapshot_id = $s DESC;

-- name: project_names
-- Project names, as this snapshot ($s) holds them, else as the compared one ($p).
SELECT DISTINCT ON (project_id) project_id, name
FROM snapshot_projects
WHERE snapshot_id IN ($s, $p) AND project_id IN (SELECT unnest($ids))
ORDER BY project_id, snapshot_id = $s DESC;

-- name: role_names
-- Role names, organization and project roles, as this snapshot ($s) holds them, else as the
-- compared one ($p).
SELECT DISTINCT ON (role_id) role_id, name
FROM (
  SELECT snapshot_id, role_id, name FROM snapshot_roles
  UNION ALL
  SELECT snapshot_id, role_id, name FROM snapshot_project_roles
)
WHERE snapshot_id IN ($s, $p) AND role_id IN (SELECT unnest($ids))
ORDER BY role_id, snapshot_id = $s DESC, name NULLS LAST;
