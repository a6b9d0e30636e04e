-- The report model's queries (src/report/model.ts). $s is a snapshot id. The analysis leaves
-- analysis_effective_access (the effective_access view's organization rows of the report's
-- snapshots), analysis_project_access (its project rows) and elevated_roles on the connection
-- before these run (src/analysis/anomalies.ts): each evaluation of the view is a join over every
-- membership, done once per report.

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

-- name: elevated_paths
-- The elevated organization paths of $s (a path: user, role, via, group): only their number is
-- shown, so only it is read.
SELECT count(*)::INTEGER AS n
FROM analysis_effective_access AS ea
SEMI JOIN elevated_roles AS er ON er.snapshot_id = ea.snapshot_id AND er.role_id = ea.role_id
WHERE ea.snapshot_id = $s AND ea.scope = 'organization';

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
      WHERE ea.snapshot_id = $s AND ea.scope = 'organization');

-- name: elevated_counts_view
-- The same for the older trend points, from the view, all in one evaluation: SNAPSHOT_IDS is the
-- list of their ids, written in as integer literals (a parameter would not narrow the view's
-- branches to them). At 1,000,000 memberships three points take 0.19-0.24 s together against
-- 0.12-0.16 s each alone, and a small organization's report no longer plans the view once per
-- point (24 points: about 35 ms each).
SELECT snapshot_id, count(*)::INTEGER AS grants, count(DISTINCT user_id)::INTEGER AS users
FROM (SELECT DISTINCT ea.snapshot_id, ea.user_id, ea.role_id FROM main.effective_access AS ea
      SEMI JOIN elevated_roles AS er
        ON er.snapshot_id = ea.snapshot_id AND er.role_id = ea.role_id
      WHERE list_contains(SNAPSHOT_IDS, ea.snapshot_id) AND ea.scope = 'organization')
GROUP BY snapshot_id;

-- name: uncollected
-- The coverage scopes $s did not collect (COVERAGE_SCOPES in src/facts/types.ts), and the schema
-- version it was written with (before 6, the tool did not collect projects at all).
SELECT coalesce(uncollected, []::VARCHAR[]) AS uncollected, schema_version
FROM snapshots WHERE snapshot_id = $s;

-- name: projects
-- Every project of $s, archived ones included, by name then id, with its member count.
WITH members AS (
  SELECT project_id, count(*)::INTEGER AS members FROM snapshot_project_users
  WHERE snapshot_id = $s GROUP BY project_id)
SELECT p.project_id, p.name, p.status, coalesce(p.archived, false) AS archived, p.created_at,
  p.archived_at, coalesce(m.members, 0) AS members
FROM snapshot_projects AS p
LEFT JOIN members AS m USING (project_id)
WHERE p.snapshot_id = $s
ORDER BY p.name NULLS LAST, p.project_id;

-- name: project_member_totals
-- Project memberships of $s, and the people they belong to.
SELECT count(*)::INTEGER AS memberships, count(DISTINCT user_id)::INTEGER AS people
FROM snapshot_project_users WHERE snapshot_id = $s;

-- name: project_owners
-- Who owns each project of $s: everyone holding its Project Owner role by any path of
-- effective_access (analysis_project_access: the owner membership role, the role through an
-- attached group, or assigned directly; a project service account with the owner role too, named
-- as one), one row per (project, user) with the paths; the first $cap per project in (email,
-- user id) order, each with the project's total.
WITH paths AS (
  SELECT project_id, user_id, email, via, via_group_id FROM temp.analysis_project_access
  WHERE snapshot_id = $s AND scope = 'project' AND role_name = 'Project Owner'),
owners AS (
  SELECT project_id, user_id, min(email) AS email,
    bool_or(via = 'membership') AS membership,
    bool_or(via = 'direct') AS direct,
    list_sort(list(DISTINCT via_group_id) FILTER (WHERE via = 'group' AND via_group_id IS NOT NULL))
      AS group_ids
  FROM paths GROUP BY project_id, user_id),
ranked AS (
  SELECT *,
    row_number() OVER (PARTITION BY project_id ORDER BY email NULLS LAST, user_id) AS rn,
    count(*) OVER (PARTITION BY project_id) AS total
  FROM owners)
SELECT r.project_id, r.user_id, r.email,
  coalesce(u.name, pu.name, sa.name || ' (service account)') AS user_name, r.membership,
  r.direct, coalesce(r.group_ids, []::VARCHAR[]) AS group_ids, r.total::INTEGER AS total
FROM ranked AS r
LEFT JOIN snapshot_users AS u ON u.snapshot_id = $s AND u.user_id = r.user_id
LEFT JOIN snapshot_project_users AS pu
  ON pu.snapshot_id = $s AND pu.project_id = r.project_id AND pu.user_id = r.user_id
-- A project service account owns the project as a machine (effective_access principal_type).
LEFT JOIN snapshot_service_accounts AS sa
  ON sa.snapshot_id = $s AND sa.project_id = r.project_id AND sa.service_account_id = r.user_id
WHERE r.rn <= $cap
ORDER BY r.project_id, r.rn;

-- name: project_groups
-- The organization groups attached to each project of $s: their name and management as the
-- organization lists them (else as the project does), members, and project roles held.
WITH roles AS (
  SELECT project_id, group_id, list_sort(list(coalesce(role_name, role_id))) AS roles
  FROM snapshot_project_group_roles WHERE snapshot_id = $s GROUP BY project_id, group_id),
members AS (
  SELECT group_id, count(*)::INTEGER AS members FROM snapshot_group_members
  WHERE snapshot_id = $s GROUP BY group_id)
SELECT pg.project_id, pg.group_id, coalesce(g.name, pg.group_name) AS name,
  coalesce(g.group_type, pg.group_type) AS group_type, g.is_scim_managed,
  pg.created_at AS attached_at, coalesce(m.members, 0) AS members,
  coalesce(r.roles, []::VARCHAR[]) AS roles
FROM snapshot_project_groups AS pg
LEFT JOIN snapshot_groups AS g ON g.snapshot_id = pg.snapshot_id AND g.group_id = pg.group_id
LEFT JOIN members AS m ON m.group_id = pg.group_id
LEFT JOIN roles AS r ON r.project_id = pg.project_id AND r.group_id = pg.group_id
WHERE pg.snapshot_id = $s
ORDER BY pg.project_id, coalesce(g.name, pg.group_name) NULLS LAST, pg.group_id;

-- name: project_custom_roles
-- Each project's own roles (not the predefined Project Owner/Member/Viewer).
SELECT project_id, role_id, name, description, coalesce(permissions, []::VARCHAR[]) AS permissions
FROM snapshot_project_roles
WHERE snapshot_id = $s AND NOT coalesce(predefined_role, false)
ORDER BY project_id, name NULLS LAST, role_id;

-- Credentials (migration 0008). $s is the snapshot, $days the usage resolution
-- (USAGE_RESOLUTION_DAYS): a recorded last_used_at later than $days before the snapshot's start
-- only says "used within $days" (the store keeps it while the key is in use: src/store/writer.ts,
-- keepRecordedUsage), so `last_used_recent` marks it; an older one is exact. `age_days`: whole
-- days from created_at to the snapshot's end, never the clock.

-- name: credentials_admin_keys
-- The organization's admin API keys, oldest first.
SELECT k.key_id, k.name, k.redacted_value, k.created_at, k.expires_at, k.last_used_at,
  coalesce(k.last_used_at > r.started_at - to_days($days::INTEGER), false) AS last_used_recent,
  floor((epoch(r.finished_at) - epoch(k.created_at)) / 86400)::INTEGER AS age_days,
  k.owner_type, k.owner_id, k.owner_name, k.owner_role
FROM snapshot_admin_keys AS k
JOIN snapshots AS r ON r.snapshot_id = k.snapshot_id
WHERE k.snapshot_id = $s
ORDER BY k.created_at NULLS LAST, k.key_id;

-- name: credentials_api_keys
-- Every project API key, by project (as the Projects section orders them), then oldest first.
SELECT k.project_id, k.key_id, k.name, k.redacted_value, k.created_at, k.last_used_at,
  coalesce(k.last_used_at > r.started_at - to_days($days::INTEGER), false) AS last_used_recent,
  floor((epoch(r.finished_at) - epoch(k.created_at)) / 86400)::INTEGER AS age_days,
  k.owner_type, k.owner_id, k.owner_name, k.owner_email, k.owner_role, k.owner_project_access
FROM snapshot_api_keys AS k
JOIN snapshots AS r ON r.snapshot_id = k.snapshot_id
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = k.snapshot_id AND p.project_id = k.project_id
WHERE k.snapshot_id = $s
ORDER BY p.name NULLS LAST, k.project_id, k.created_at NULLS LAST, k.key_id;

-- name: credentials_service_accounts
-- Every project service account, by project, then by name and id.
SELECT a.project_id, a.service_account_id, a.name, a.role, a.created_at,
  floor((epoch(r.finished_at) - epoch(a.created_at)) / 86400)::INTEGER AS age_days
FROM snapshot_service_accounts AS a
JOIN snapshots AS r ON r.snapshot_id = a.snapshot_id
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = a.snapshot_id AND p.project_id = a.project_id
WHERE a.snapshot_id = $s
ORDER BY p.name NULLS LAST, a.project_id, a.name NULLS LAST, a.service_account_id;

-- name: credentials_projects
-- The projects that hold a key or a service account, in the Projects section's order.
WITH held AS (
  SELECT project_id FROM snapshot_api_keys WHERE snapshot_id = $s
  UNION SELECT project_id FROM snapshot_service_accounts WHERE snapshot_id = $s)
SELECT h.project_id, p.name, coalesce(p.archived, false) AS archived
FROM held AS h
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = $s AND p.project_id = h.project_id
ORDER BY p.name NULLS LAST, h.project_id;

-- name: credentials_invites
-- Pending invites (access waiting to be accepted), oldest first, with the projects they grant
-- (null when the API gave no list).
SELECT i.invite_id, i.email, i.role, i.status, i.created_at, i.expires_at,
  floor((epoch(r.finished_at) - epoch(i.created_at)) / 86400)::INTEGER AS age_days, i.projects
FROM snapshot_invites AS i
JOIN snapshots AS r ON r.snapshot_id = i.snapshot_id
WHERE i.snapshot_id = $s AND i.status = 'pending'
ORDER BY i.created_at NULLS LAST, i.invite_id;

-- name: project_names
SELECT project_id AS id, name FROM snapshot_projects WHERE snapshot_id = $s;

-- name: elevated_change_numbers
-- The changes the analysis marks elevated (mark_elevated_changes, sql/analysis/anomalies.sql), by
-- their place in the diff, after the model filled analysis_changes with the attributed diff.
SELECT change_no FROM temp.analysis_changes WHERE elevated ORDER BY change_no;

-- name: audit_log_head
-- The newest audit-log sync and its seal: the head of the audit log's chain, which says which
-- audit log the attributions were read from (a later sync can attribute more).
SELECT sync_id, seal FROM audit_log_syncs ORDER BY sync_id DESC LIMIT 1;

-- name: privileged_people
-- One row per person or service account holding elevated access in snapshot $s, by the highest
-- organization tier (then the highest project tier: a Project Owner is not an Owner): organization
-- roles (analysis_effective_access, elevated_roles) and project roles (analysis_project_access,
-- elevated_project_roles), every path with its tier and whether it is new since $p (NULL: no
-- compared snapshot), the user's email domain judged against $domains (a JSON list; NULL when
-- none are configured) and the only activity signal the API gives: the last API key use.
-- One row per path, the person's columns repeated, ordered by person then path: the caller groups
-- them (src/report/model.ts). Each row is one JSON object (`path`): tens of thousands of rows of 23
-- columns read as one string each and parsed took 1.8-2.2 s, against 2.7-3.1 s through the client's
-- value conversion (84,000 paths). A list() aggregate of every person's paths could not spill and
-- ran out of the report's 256 MB at a million memberships; so did the correlated NOT EXISTS this
-- replaced with joins on the compared snapshot's keys. `paths` is read three times: MATERIALIZED
-- joins the tiers once.
WITH paths AS MATERIALIZED (
  SELECT ea.snapshot_id, ea.user_id, ea.email, 'user' AS principal_type, ea.role_id, ea.role_name,
    ea.via, ea.via_group_id, ea.via_group_name, NULL::VARCHAR AS project_id,
    NULL::VARCHAR AS project_name, er.tier
  FROM analysis_effective_access AS ea
  JOIN elevated_roles AS er ON er.snapshot_id = ea.snapshot_id AND er.role_id = ea.role_id
  WHERE ea.scope = 'organization' AND (ea.snapshot_id = $s OR ea.snapshot_id = $p::INTEGER)
  -- The project paths of each snapshot in a branch of its own: with `$s OR $p` DuckDB evaluated
  -- the members of every snapshot in the database for the view (1.6-1.8 s against 0.9 s).
  UNION ALL
  SELECT ea.snapshot_id, ea.user_id, ea.email, ea.principal_type, ea.role_id, ea.role_name, ea.via,
    ea.via_group_id, ea.via_group_name, ea.project_id, ea.project_name, epr.tier
  FROM temp.analysis_project_access AS ea
  JOIN elevated_project_roles AS epr
    ON epr.snapshot_id = ea.snapshot_id AND epr.project_id = ea.project_id
   AND epr.role_id = ea.role_id
  WHERE ea.snapshot_id = $s
  UNION ALL
  SELECT ea.snapshot_id, ea.user_id, ea.email, ea.principal_type, ea.role_id, ea.role_name, ea.via,
    ea.via_group_id, ea.via_group_name, ea.project_id, ea.project_name, epr.tier
  FROM temp.analysis_project_access AS ea
  JOIN elevated_project_roles AS epr
    ON epr.snapshot_id = ea.snapshot_id AND epr.project_id = ea.project_id
   AND epr.role_id = ea.role_id
  WHERE ea.snapshot_id = $p::INTEGER
),
-- The compared snapshot's paths and people, as keys for plain equi-joins (a correlated NOT EXISTS
-- over them ran out of the report's memory at a million memberships).
before AS (
  SELECT DISTINCT user_id, role_id, via, coalesce(via_group_id, '') AS group_key,
    coalesce(project_id, '') AS project_key
  FROM paths WHERE snapshot_id = $p::INTEGER
),
before_people AS (SELECT DISTINCT user_id FROM paths WHERE snapshot_id = $p::INTEGER),
now AS (
  SELECT n.*, $p::INTEGER IS NOT NULL AND b.user_id IS NULL AS is_new
  FROM paths AS n
  LEFT JOIN before AS b
    ON b.user_id = n.user_id AND b.role_id = n.role_id AND b.via = n.via
   AND b.group_key = coalesce(n.via_group_id, '') AND b.project_key = coalesce(n.project_id, '')
  WHERE n.snapshot_id = $s
),
domains AS (SELECT unnest(from_json($domains::VARCHAR, '["VARCHAR"]')) AS domain),
people AS (
  SELECT user_id, any_value(principal_type) AS principal_type, min(email) AS email,
    max(CASE tier WHEN 'owner' THEN 3 WHEN 'access-admin' THEN 2 ELSE 1 END)
      FILTER (WHERE project_id IS NULL) AS tier_rank,
    max(CASE tier WHEN 'owner' THEN 3 WHEN 'access-admin' THEN 2 ELSE 1 END)
      FILTER (WHERE project_id IS NOT NULL) AS project_tier_rank,
    count(*) FILTER (WHERE project_id IS NULL)::INTEGER AS organization_paths,
    count(*) FILTER (WHERE project_id IS NOT NULL)::INTEGER AS project_paths,
    count(*) FILTER (WHERE is_new)::INTEGER AS new_paths
  FROM now GROUP BY user_id
)
SELECT to_json({
  'user_id': p.user_id,
  'email': coalesce(u.email, p.email),
  'name': u.name,
  'is_service_account':
    p.principal_type = 'service_account' OR coalesce(u.is_service_account, false),
  'tier': CASE p.tier_rank WHEN 3 THEN 'owner' WHEN 2 THEN 'access-admin' WHEN 1 THEN 'write' END,
  'project_tier':
    CASE p.project_tier_rank WHEN 3 THEN 'owner' WHEN 2 THEN 'access-admin' WHEN 1 THEN 'write' END,
  'organization_paths': p.organization_paths,
  'project_paths': p.project_paths,
  'new_paths': p.new_paths,
  'newly_privileged': CASE WHEN $p::INTEGER IS NULL THEN NULL ELSE bp.user_id IS NULL END,
  'external_domain': CASE
    WHEN $domains::VARCHAR IS NULL OR coalesce(u.email, p.email) IS NULL THEN NULL
    ELSE NOT EXISTS (
      SELECT 1 FROM domains AS d
      WHERE lower(regexp_extract(coalesce(u.email, p.email), '@([^@]*)$', 1)) = d.domain
         OR lower(regexp_extract(coalesce(u.email, p.email), '@([^@]*)$', 1)) LIKE '%.' || d.domain)
  END,
  -- Microseconds since the epoch, as text: the caller writes them as the store writes timestamps.
  'api_key_last_used_at': epoch_us(u.api_key_last_used_at)::VARCHAR,
  'added_at': epoch_us(u.added_at)::VARCHAR,
  'path_scope': CASE WHEN n.project_id IS NULL THEN 'organization' ELSE 'project' END,
  'path_project_id': n.project_id,
  'path_project_name': n.project_name,
  'path_role_id': n.role_id,
  'path_role_name': n.role_name,
  'path_via': n.via,
  'path_group_id': n.via_group_id,
  'path_group_name': n.via_group_name,
  'path_tier': n.tier,
  'path_is_new': n.is_new
})::VARCHAR AS path
FROM people AS p
JOIN now AS n ON n.user_id = p.user_id
LEFT JOIN snapshot_users AS u ON u.snapshot_id = $s AND u.user_id = p.user_id
LEFT JOIN before_people AS bp ON bp.user_id = p.user_id
ORDER BY p.tier_rank DESC NULLS LAST, p.project_tier_rank DESC NULLS LAST, p.new_paths > 0 DESC,
  coalesce(u.email, p.email) NULLS LAST, p.user_id,
  n.project_id NULLS FIRST, CASE n.tier WHEN 'owner' THEN 0 WHEN 'access-admin' THEN 1 ELSE 2 END,
  n.role_name, n.role_id, n.via, n.via_group_name, n.via_group_id;
