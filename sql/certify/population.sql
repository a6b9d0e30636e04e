-- A campaign's population: every grant of snapshot $s (src/certify/population.ts). Elevated is
-- the analysis' elevated_roles and elevated_project_roles TEMP tables (materialiseHelpers),
-- filled for $s before these run. A user's direct roles, in the organization or in a project,
-- are the effective_access view's `direct` paths: roles the API only repeats because a group
-- grants them are reviewed through that group, and a project member's own membership role is
-- reviewed as the membership.

-- name: membership_groups
-- Each group's roles and whether one is elevated, once per group: its memberships share them (a
-- list per membership held every role's permissions a million times at a million memberships).
SELECT r.group_id, list(struct_pack(role_id := r.role_id, role_name := r.role_name,
    permissions := r.permissions) ORDER BY r.role_name, r.role_id) AS roles,
  bool_or(e.role_id IS NOT NULL) AS elevated
FROM snapshot_group_roles AS r
LEFT JOIN elevated_roles AS e ON e.snapshot_id = r.snapshot_id AND e.role_id = r.role_id
WHERE r.snapshot_id = $s GROUP BY r.group_id;

-- name: memberships
-- $groups: a JSON array of the group ids whose memberships are read, or NULL for every group.
SELECT m.group_id, g.name AS group_name, g.is_scim_managed, m.user_id,
  coalesce(u.email, m.email) AS email, coalesce(u.name, m.name) AS name
FROM snapshot_group_members AS m
JOIN snapshot_groups AS g ON g.snapshot_id = m.snapshot_id AND g.group_id = m.group_id
LEFT JOIN snapshot_users AS u ON u.snapshot_id = m.snapshot_id AND u.user_id = m.user_id
WHERE m.snapshot_id = $s
  AND ($groups IS NULL OR m.group_id IN (SELECT unnest(from_json($groups, '["VARCHAR"]'))))
ORDER BY g.name, m.group_id, email NULLS LAST, m.user_id;

-- name: group_roles
SELECT r.group_id, g.name AS group_name, g.is_scim_managed, r.role_id, r.role_name,
  r.permissions,
  (SELECT count(*) FROM snapshot_group_members AS m
   WHERE m.snapshot_id = r.snapshot_id AND m.group_id = r.group_id)::INTEGER AS members,
  EXISTS (SELECT 1 FROM elevated_roles AS e
          WHERE e.snapshot_id = r.snapshot_id AND e.role_id = r.role_id) AS elevated
FROM snapshot_group_roles AS r
JOIN snapshot_groups AS g ON g.snapshot_id = r.snapshot_id AND g.group_id = r.group_id
WHERE r.snapshot_id = $s
ORDER BY g.name, r.group_id, r.role_name, r.role_id;

-- name: user_roles
SELECT DISTINCT a.user_id, a.email, u.name, a.role_id, a.role_name, a.permissions,
  EXISTS (SELECT 1 FROM elevated_roles AS e
          WHERE e.snapshot_id = a.snapshot_id AND e.role_id = a.role_id) AS elevated
FROM effective_access AS a
LEFT JOIN snapshot_users AS u ON u.snapshot_id = a.snapshot_id AND u.user_id = a.user_id
WHERE a.snapshot_id = $s AND a.scope = 'organization' AND a.via = 'direct'
ORDER BY a.email NULLS LAST, a.user_id, a.role_name, a.role_id;

-- name: project_memberships
-- Each member of a project with their membership role, as the project's predefined role of that
-- name when its catalog has one (effective_access's `membership` paths do the same). An owner is
-- elevated whatever the configuration says; a member when the predefined role is elevated.
WITH predefined AS (
  SELECT project_id, lower(name) AS lname, min(role_id) AS role_id,
    arg_min(name, role_id) AS name, arg_min(permissions, role_id) AS permissions
  FROM snapshot_project_roles
  WHERE snapshot_id = $s AND predefined_role
  GROUP BY project_id, lower(name))
SELECT pu.project_id, p.name AS project_name, coalesce(p.archived, false) AS archived,
  pu.user_id, coalesce(u.email, pu.email) AS email, coalesce(u.name, pu.name) AS name,
  pu.role AS membership, pr.role_id,
  coalesce(pr.name, 'Project ' || upper(pu.role[1]) || pu.role[2:]) AS role_name,
  pr.permissions,
  (lower(pu.role) = 'owner' OR EXISTS (
    SELECT 1 FROM elevated_project_roles AS e
    WHERE e.snapshot_id = pu.snapshot_id AND e.project_id = pu.project_id
      AND e.role_id = pr.role_id)) AS elevated
FROM snapshot_project_users AS pu
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = pu.snapshot_id AND p.project_id = pu.project_id
LEFT JOIN predefined AS pr ON pr.project_id = pu.project_id AND pr.lname = 'project ' || lower(pu.role)
LEFT JOIN snapshot_users AS u ON u.snapshot_id = pu.snapshot_id AND u.user_id = pu.user_id
WHERE pu.snapshot_id = $s
ORDER BY p.name NULLS LAST, pu.project_id, email NULLS LAST, pu.user_id;

-- name: project_groups
-- Each organization group attached to a project, with the project roles it holds there.
WITH pgr AS (
  SELECT r.project_id, r.group_id,
    list(struct_pack(role_id := r.role_id, role_name := r.role_name,
      permissions := r.permissions) ORDER BY r.role_name, r.role_id) AS roles,
    bool_or(e.role_id IS NOT NULL) AS elevated
  FROM snapshot_project_group_roles AS r
  LEFT JOIN elevated_project_roles AS e
    ON e.snapshot_id = r.snapshot_id AND e.project_id = r.project_id AND e.role_id = r.role_id
  WHERE r.snapshot_id = $s GROUP BY r.project_id, r.group_id)
SELECT pg.project_id, p.name AS project_name, coalesce(p.archived, false) AS archived,
  pg.group_id, coalesce(g.name, pg.group_name) AS group_name, g.is_scim_managed,
  (SELECT count(*) FROM snapshot_group_members AS m
   WHERE m.snapshot_id = pg.snapshot_id AND m.group_id = pg.group_id)::INTEGER AS members,
  pgr.roles, coalesce(pgr.elevated, false) AS elevated
FROM snapshot_project_groups AS pg
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = pg.snapshot_id AND p.project_id = pg.project_id
LEFT JOIN snapshot_groups AS g ON g.snapshot_id = pg.snapshot_id AND g.group_id = pg.group_id
LEFT JOIN pgr ON pgr.project_id = pg.project_id AND pgr.group_id = pg.group_id
WHERE pg.snapshot_id = $s
ORDER BY p.name NULLS LAST, pg.project_id, group_name NULLS LAST, pg.group_id;

-- name: project_user_roles
-- Each project role assigned directly to a member: effective_access's `direct` project paths.
SELECT DISTINCT a.project_id, a.project_name, coalesce(p.archived, false) AS archived,
  a.user_id, a.email, coalesce(u.name, pu.name) AS name, a.role_id, a.role_name, a.permissions,
  EXISTS (SELECT 1 FROM elevated_project_roles AS e
          WHERE e.snapshot_id = a.snapshot_id AND e.project_id = a.project_id
            AND e.role_id = a.role_id) AS elevated
FROM effective_access AS a
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = a.snapshot_id AND p.project_id = a.project_id
LEFT JOIN snapshot_users AS u ON u.snapshot_id = a.snapshot_id AND u.user_id = a.user_id
LEFT JOIN snapshot_project_users AS pu
  ON pu.snapshot_id = a.snapshot_id AND pu.project_id = a.project_id AND pu.user_id = a.user_id
WHERE a.snapshot_id = $s AND a.scope = 'project' AND a.via = 'direct'
ORDER BY a.project_name NULLS LAST, a.project_id, a.email NULLS LAST, a.user_id, a.role_name,
  a.role_id;

-- name: project_owners
-- The owners of each project who may review its grants (`project_owners: true` in the reviewers
-- file): members with the membership role owner that are not service accounts, with an address.
SELECT pu.project_id, coalesce(u.email, pu.email) AS email, pu.user_id
FROM snapshot_project_users AS pu
LEFT JOIN snapshot_users AS u ON u.snapshot_id = pu.snapshot_id AND u.user_id = pu.user_id
WHERE pu.snapshot_id = $s AND lower(pu.role) = 'owner'
  AND NOT coalesce(u.is_service_account, false)
  AND coalesce(u.email, pu.email) IS NOT NULL
ORDER BY pu.project_id, pu.user_id;

-- name: projects
-- The projects of snapshot $s, to resolve `certify start --project ID|NAME`.
SELECT project_id, name, coalesce(archived, false) AS archived FROM snapshot_projects
WHERE snapshot_id = $s ORDER BY project_id;

-- name: coverage
-- What snapshot $s collected, per coverage scope (snapshot_coverage).
SELECT scope, collected FROM snapshot_coverage WHERE snapshot_id = $s ORDER BY scope;

-- name: population_counts
-- The grants of snapshot $s by kind, as the population counts them (the sign-off's totals).
SELECT
  (SELECT count(*) FROM snapshot_group_members WHERE snapshot_id = $s)::INTEGER AS memberships,
  (SELECT count(*) FROM snapshot_group_roles WHERE snapshot_id = $s)::INTEGER AS group_roles,
  (SELECT count(*) FROM (SELECT DISTINCT user_id, role_id FROM effective_access
     WHERE snapshot_id = $s AND scope = 'organization' AND via = 'direct'))::INTEGER AS user_roles,
  (SELECT count(*) FROM snapshot_project_users WHERE snapshot_id = $s)::INTEGER
    AS project_memberships,
  (SELECT count(*) FROM snapshot_project_groups WHERE snapshot_id = $s)::INTEGER
    AS project_groups,
  (SELECT count(*) FROM (SELECT DISTINCT project_id, user_id, role_id FROM effective_access
     WHERE snapshot_id = $s AND scope = 'project' AND via = 'direct'))::INTEGER
    AS project_user_roles,
  (SELECT count(*) FROM snapshot_admin_keys WHERE snapshot_id = $s)::INTEGER AS admin_keys,
  (SELECT count(*) FROM snapshot_api_keys
   WHERE snapshot_id = $s AND coalesce(owner_type, 'user') <> 'service_account')::INTEGER
    AS project_api_keys,
  (SELECT count(*) FROM snapshot_service_accounts WHERE snapshot_id = $s)::INTEGER
    AS service_accounts,
  (SELECT count(*) FROM snapshot_invites WHERE snapshot_id = $s AND status = 'pending')::INTEGER
    AS invites;

-- Credentials (scope `credentials`). Times are unix seconds; src/certify/population.ts writes
-- them as the workbook shows them.

-- name: snapshot_run
-- When snapshot $s was taken (last use is relative to it) and the admin key it was crawled
-- with, in its redacted form (`redactKey`).
SELECT epoch(started_at)::BIGINT AS started, key_redacted FROM snapshot_runs
WHERE snapshot_id = $s;

-- name: admin_keys
-- Each admin API key with its owner (the owner's address from the organization's users).
SELECT k.key_id, k.name, k.redacted_value, epoch(k.created_at)::BIGINT AS created,
  epoch(k.expires_at)::BIGINT AS expires, epoch(k.last_used_at)::BIGINT AS last_used,
  k.owner_type, k.owner_id, coalesce(u.name, k.owner_name) AS owner_name, u.email AS owner_email,
  k.owner_role
FROM snapshot_admin_keys AS k
LEFT JOIN snapshot_users AS u ON u.snapshot_id = k.snapshot_id AND u.user_id = k.owner_id
WHERE k.snapshot_id = $s
ORDER BY k.name NULLS LAST, k.key_id;

-- name: project_api_keys
-- Each project API key owned by a user (a service account's keys are its service account's).
SELECT k.project_id, p.name AS project_name, coalesce(p.archived, false) AS archived, k.key_id,
  k.name, k.redacted_value, epoch(k.created_at)::BIGINT AS created,
  epoch(k.last_used_at)::BIGINT AS last_used, k.owner_id,
  coalesce(u.email, k.owner_email) AS owner_email, coalesce(u.name, k.owner_name) AS owner_name,
  k.owner_role, k.owner_project_access
FROM snapshot_api_keys AS k
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = k.snapshot_id AND p.project_id = k.project_id
LEFT JOIN snapshot_users AS u ON u.snapshot_id = k.snapshot_id AND u.user_id = k.owner_id
WHERE k.snapshot_id = $s AND coalesce(k.owner_type, 'user') <> 'service_account'
ORDER BY p.name NULLS LAST, k.project_id, k.name NULLS LAST, k.key_id;

-- name: service_accounts
-- Each project service account with its keys (revoked with it: the API deletes no key of a
-- service account on its own).
SELECT sa.project_id, p.name AS project_name, coalesce(p.archived, false) AS archived,
  sa.service_account_id, sa.name, sa.role, epoch(sa.created_at)::BIGINT AS created,
  list(struct_pack(key_id := k.key_id, name := k.name, redacted_value := k.redacted_value,
      last_used := epoch(k.last_used_at)::BIGINT) ORDER BY k.key_id)
    FILTER (WHERE k.key_id IS NOT NULL) AS keys
FROM snapshot_service_accounts AS sa
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = sa.snapshot_id AND p.project_id = sa.project_id
LEFT JOIN snapshot_api_keys AS k
  ON k.snapshot_id = sa.snapshot_id AND k.project_id = sa.project_id
 AND k.owner_type = 'service_account' AND k.owner_id = sa.service_account_id
WHERE sa.snapshot_id = $s
GROUP BY sa.project_id, p.name, p.archived, sa.service_account_id, sa.name, sa.role,
  sa.created_at
ORDER BY p.name NULLS LAST, sa.project_id, sa.name NULLS LAST, sa.service_account_id;

-- name: invites
-- Each pending invite (an accepted one is a user now, an expired one grants nothing).
SELECT i.invite_id, i.email, i.role, epoch(i.created_at)::BIGINT AS created,
  epoch(i.expires_at)::BIGINT AS expires, i.projects
FROM snapshot_invites AS i
WHERE i.snapshot_id = $s AND i.status = 'pending'
ORDER BY i.email NULLS LAST, i.invite_id;

-- name: organization_owners
-- The organization's Owners who may review admin keys and invites: users with the Owner role
-- (the legacy role, or the predefined Owner role held directly or through a group), not service
-- accounts, with an address.
SELECT DISTINCT u.email, u.user_id
FROM snapshot_users AS u
WHERE u.snapshot_id = $s AND NOT coalesce(u.is_service_account, false) AND u.email IS NOT NULL
  AND (lower(coalesce(u.role, '')) = 'owner' OR EXISTS (
    SELECT 1 FROM effective_access AS a
    WHERE a.snapshot_id = u.snapshot_id AND a.user_id = u.user_id
      AND a.scope = 'organization' AND a.role_name = 'Owner'))
ORDER BY u.email, u.user_id;
