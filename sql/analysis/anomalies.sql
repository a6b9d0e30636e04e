-- The TEMP tables the anomaly rules, the report and certification read (src/analysis/anomalies.ts).
-- `{name}` is a list of bound parameters the runner writes in ([$name_0, ...]::TYPE[]): the node
-- bindings cannot bind an empty list, whose item type they cannot infer. In rule_rows, `{rule}` is
-- one rule's SELECT, whose rows are read as the four columns every rule returns (on the query's
-- 4th line, where a rule's error messages expect it); any further columns (the optional `members`
-- and `tier`) pass through unchanged.

-- name: materialise_effective_access
-- analysis_effective_access: the effective_access view's rows of the snapshots, evaluated once
-- (a join over every membership) for the rules and the report to share. A table of its own name:
-- the public view stays what it is on this connection.
-- Organization scope only: project access is another question (analysis_project_access).
-- SNAPSHOT_IDS is written in as integer literals, as in define_project_access.
CREATE OR REPLACE TEMP TABLE analysis_effective_access AS
SELECT * FROM main.effective_access
WHERE list_contains(SNAPSHOT_IDS, snapshot_id) AND scope = 'organization';

-- name: define_project_access
-- analysis_project_access: the effective_access view's project rows of the snapshots (scope
-- 'project', with project_id and project_name), for the project rules and the report. A TEMP
-- view, not a table: since migration 0014 the view gives a snapshot's project paths in about
-- 0.15 s at 1,000,000 memberships, where writing three snapshots' 2.2 million paths into a table
-- took 3-5 s and spilled 0.5-0.8 GB under the report's memory limit. A view cannot take
-- parameters, so the list of snapshot ids is written in as integer literals.
CREATE OR REPLACE TEMP VIEW analysis_project_access AS
SELECT * FROM main.effective_access
WHERE list_contains(SNAPSHOT_IDS, snapshot_id) AND scope = 'project';

-- name: release_effective_access
DROP TABLE IF EXISTS temp.analysis_effective_access;

-- name: release_project_access
DROP VIEW IF EXISTS temp.analysis_project_access;

-- name: elevated_roles
-- elevated_roles(snapshot_id, role_id, tier): the roles of the snapshots the configuration counts as
-- elevated: the predefined Owner, a role it names, or one holding a permission matching one of its
-- GLOB patterns. SNAPSHOT_IDS (integer literals, as in define_project_access) filters each branch
-- of the UNION: applied after it, every snapshot's roles were read and tested against the patterns
-- (0.4 s on a database of 30 snapshots of 1,000,000 memberships, against 0.06-0.08 s).
CREATE OR REPLACE TEMP TABLE elevated_roles AS
WITH roles AS (
  SELECT snapshot_id, role_id, name, permissions, predefined_role FROM snapshot_roles
  WHERE list_contains(SNAPSHOT_IDS, snapshot_id)
  UNION
  SELECT snapshot_id, role_id, role_name, permissions, predefined_role FROM snapshot_group_roles
  WHERE list_contains(SNAPSHOT_IDS, snapshot_id)
  UNION
  SELECT snapshot_id, role_id, role_name, permissions, predefined_role FROM snapshot_user_roles
  WHERE list_contains(SNAPSHOT_IDS, snapshot_id)
)
SELECT snapshot_id, role_id,
  -- The highest tier any copy of the role qualifies for (config.ts ELEVATION_TIERS).
  CASE max(CASE
      WHEN predefined_role AND name = 'Owner' THEN 3
      WHEN EXISTS (
        SELECT 1 FROM (SELECT unnest(permissions) AS permission) AS p,
          (SELECT unnest({access_admin_patterns}) AS pattern) AS g
        WHERE p.permission GLOB g.pattern) THEN 2
      ELSE 1 END)
    WHEN 3 THEN 'owner' WHEN 2 THEN 'access-admin' ELSE 'write' END AS tier
FROM roles
WHERE ((predefined_role AND name = 'Owner')
    OR list_contains({elevated_role_names}, name)
    OR EXISTS (
      SELECT 1 FROM (SELECT unnest(permissions) AS permission) AS p,
        (SELECT unnest({elevated_permission_patterns}) AS pattern) AS g
      WHERE p.permission GLOB g.pattern))
GROUP BY snapshot_id, role_id
ORDER BY snapshot_id, role_id;

-- name: elevated_project_roles
-- elevated_project_roles(snapshot_id, project_id, role_id, tier): the project roles counted as
-- elevated: the predefined Project Owner, a role the configuration names, or one holding a
-- permission matching one of its GLOB patterns (the same settings as elevated_roles).
CREATE OR REPLACE TEMP TABLE elevated_project_roles AS
SELECT snapshot_id, project_id, role_id,
  CASE max(CASE
      WHEN predefined_role AND name = 'Project Owner' THEN 3
      WHEN EXISTS (
        SELECT 1 FROM (SELECT unnest(permissions) AS permission) AS p,
          (SELECT unnest({access_admin_patterns}) AS pattern) AS g
        WHERE p.permission GLOB g.pattern) THEN 2
      ELSE 1 END)
    WHEN 3 THEN 'owner' WHEN 2 THEN 'access-admin' ELSE 'write' END AS tier
FROM snapshot_project_roles
WHERE list_contains(SNAPSHOT_IDS, snapshot_id)
  AND ((predefined_role AND name = 'Project Owner')
    OR list_contains({elevated_role_names}, name)
    OR EXISTS (
      SELECT 1 FROM (SELECT unnest(permissions) AS permission) AS p,
        (SELECT unnest({elevated_permission_patterns}) AS pattern) AS g
      WHERE p.permission GLOB g.pattern))
GROUP BY snapshot_id, project_id, role_id
ORDER BY snapshot_id, project_id, role_id;

-- name: release_elevated_project_roles
DROP TABLE IF EXISTS temp.elevated_project_roles;

-- name: projects_collected
-- Whether the snapshot collected projects (project rules are skipped otherwise).
SELECT collected FROM snapshot_coverage WHERE snapshot_id = $snapshot AND scope = 'projects';

-- name: credentials_collected
-- Whether the snapshot collected credentials (credential rules are skipped otherwise).
SELECT collected FROM snapshot_coverage WHERE snapshot_id = $snapshot AND scope = 'credentials';

-- name: allowed_domains
-- allowed_domains(domain): the configured email domains (lower case, no '@').
CREATE OR REPLACE TEMP TABLE allowed_domains AS SELECT unnest({allowed_email_domains}) AS domain;

-- name: create_group_lookalikes
-- group_lookalikes(snapshot_id, group_id, lookalike_key): what each group's name looks like to a
-- reader (src/util/unicode.ts lookalikeKey: NFKC, case-folded, hidden characters dropped, UTS #39
-- skeleton), computed by the runner, for rules that compare names (duplicate-group-names).
CREATE OR REPLACE TEMP TABLE group_lookalikes (
  snapshot_id INTEGER, group_id VARCHAR, lookalike_key VARCHAR);

-- name: group_names
SELECT snapshot_id, group_id, name FROM snapshot_groups
WHERE list_contains(SNAPSHOT_IDS, snapshot_id) AND name IS NOT NULL
ORDER BY snapshot_id, group_id;

-- name: insert_group_lookalikes
-- $rows: a JSON list of the keys (one parameter: thousands of bound list items cost more to bind
-- than to insert).
INSERT INTO group_lookalikes
SELECT * FROM (SELECT unnest(from_json($rows,
  '[{"snapshot_id":"INTEGER","group_id":"VARCHAR","lookalike_key":"VARCHAR"}]'), recursive := true));

-- name: release_group_lookalikes
DROP TABLE IF EXISTS temp.group_lookalikes;

-- name: release_elevated_roles
DROP TABLE IF EXISTS temp.elevated_roles;

-- name: release_allowed_domains
DROP TABLE IF EXISTS temp.allowed_domains;

-- name: rule_rows
SELECT * REPLACE (CAST(group_id AS VARCHAR) AS group_id, CAST(user_id AS VARCHAR) AS user_id,
  CAST(role_id AS VARCHAR) AS role_id, CAST(detail AS VARCHAR) AS detail)
FROM (
{rule}
) AS rule_rows;

-- name: project_rule_rows
-- A project rule's rows: the four columns and its project.
SELECT * REPLACE (CAST(group_id AS VARCHAR) AS group_id, CAST(user_id AS VARCHAR) AS user_id,
  CAST(role_id AS VARCHAR) AS role_id, CAST(detail AS VARCHAR) AS detail,
  CAST(project_id AS VARCHAR) AS project_id)
FROM (
{rule}
) AS rule_rows;

-- name: credential_rule_rows
-- A credential rule's rows: the four columns, the credential's project (NULL for an admin key or
-- an invite) and the credential's id (key, service account or invite).
SELECT * REPLACE (CAST(group_id AS VARCHAR) AS group_id, CAST(user_id AS VARCHAR) AS user_id,
  CAST(role_id AS VARCHAR) AS role_id, CAST(detail AS VARCHAR) AS detail,
  CAST(project_id AS VARCHAR) AS project_id, CAST(credential_id AS VARCHAR) AS credential_id)
FROM (
{rule}
) AS rule_rows;

-- name: create_analysis_changes
-- analysis_changes: the attributed changes from $previous to $snapshot (src/analysis/
-- attribution.ts, filled by the runner for rules with `scope: changes`). `new_role` is the role a
-- change gives (a member's or invite's role, or a role change's `after`); `elevated` is set by
-- mark_elevated_changes. Created empty; the rows (analysisChangeRows, in these columns' order) go
-- in through DuckDB's appender (Store.appendToTempTable).
CREATE OR REPLACE TEMP TABLE analysis_changes (
  change_no INTEGER, kind VARCHAR, scope VARCHAR, project_id VARCHAR, group_id VARCHAR,
  user_id VARCHAR, role_id VARCHAR, credential_id VARCHAR, new_role VARCHAR, subject VARCHAR,
  status VARCHAR, label VARCHAR, reason VARCHAR, actor_type VARCHAR, actor_user_id VARCHAR,
  actor_email VARCHAR, actor_key_id VARCHAR, actor_key_type VARCHAR,
  actor_service_account_id VARCHAR, event_id VARCHAR, effective_at VARCHAR, elevated BOOLEAN
);

-- name: mark_elevated_changes
-- Which changes grant elevated access: an elevated organization or project role granted (or a
-- role edited while it is elevated), an Owner role given to a member, service account or invite,
-- and any new admin key (it can do everything the Admin API can).
UPDATE analysis_changes AS c SET elevated = true
WHERE (c.kind IN ('group_role_granted', 'user_role_granted', 'role_permissions_changed')
    AND EXISTS (SELECT 1 FROM elevated_roles AS e
      WHERE e.snapshot_id = $snapshot AND e.role_id = c.role_id))
  OR (c.kind IN ('project_group_role_granted', 'project_user_role_granted',
      'project_role_permissions_changed')
    AND EXISTS (SELECT 1 FROM elevated_project_roles AS e
      WHERE e.snapshot_id = $snapshot AND e.project_id = c.project_id AND e.role_id = c.role_id))
  OR (c.kind IN ('user_role_changed', 'project_member_added', 'project_member_role_changed',
      'service_account_created', 'service_account_role_changed', 'invite_sent')
    AND c.new_role = 'owner')
  OR c.kind = 'admin_key_created';

-- name: create_analysis_audit_gaps
CREATE OR REPLACE TEMP TABLE analysis_audit_gaps AS
SELECT * FROM (
  SELECT unnest(from_json($rows, '[{"gap_from":"VARCHAR","gap_to":"VARCHAR","reason":"VARCHAR"}]'),
    recursive := true)
);

-- name: release_analysis_changes
DROP TABLE IF EXISTS temp.analysis_changes;

-- name: release_analysis_audit_gaps
DROP TABLE IF EXISTS temp.analysis_audit_gaps;

-- name: elevation_tiers
-- The tier of every elevated role of the snapshot: organization roles (project_id NULL) and
-- project roles, for findings that name a role but no tier.
SELECT NULL::VARCHAR AS project_id, role_id, tier FROM elevated_roles WHERE snapshot_id = $snapshot
UNION ALL
SELECT project_id, role_id, tier FROM elevated_project_roles WHERE snapshot_id = $snapshot;

-- name: group_members_macro
-- Macros the rules share (TEMP: allowed on a read-only database). group_members(s, g): the first
-- 1,000 members of group g in snapshot s by user id, as the `members` column wants them
-- ({user_id, email, name}).
CREATE OR REPLACE TEMP MACRO group_members(s, g) AS (
  SELECT list_slice(list({'user_id': m.user_id, 'email': m.email, 'name': m.name}
    ORDER BY m.user_id), 1, 1000)
  FROM snapshot_group_members AS m WHERE m.snapshot_id = s AND m.group_id = g);

-- name: group_members_json_macro
-- group_members_json(s, g): group_members(s, g) as JSON text, which the shipped rules use for
-- their `members` column: the runner parses one text per finding much faster than the client
-- converts a list of structs (about 90 ms of each such rule at 1,000,000 memberships).
CREATE OR REPLACE TEMP MACRO group_members_json(s, g) AS (to_json(group_members(s, g))::VARCHAR);

-- name: group_member_count_macro
-- group_member_count(s, g): how many members group g has in snapshot s.
CREATE OR REPLACE TEMP MACRO group_member_count(s, g) AS (
  SELECT count(*) FROM snapshot_group_members AS m WHERE m.snapshot_id = s AND m.group_id = g);
