-- Effective access (src/analysis/access.ts): the paths of the public effective_access view.

-- name: effective_access_paths
-- One snapshot's paths, optionally of one user (id or email), one role (id or name) and one
-- project (id), in a stable order (organization scope first, then projects by name; user, role,
-- path). A project's service accounts are principals too (principal_type 'service_account', the
-- service account id as user_id, no email). Each path is one JSON object (`path`), rendered
-- after the sort: the client converts one text column much faster than thirteen typed ones
-- (842,933 paths: about 6 s against 23 s), and the sort carries no JSON.
SELECT to_json({
    'scope': scope, 'project_id': project_id, 'project_name': project_name, 'user_id': user_id,
    'email': email, 'role_id': role_id, 'role_name': role_name, 'permissions': permissions,
    'via': via, 'via_group_id': via_group_id, 'via_group_name': via_group_name,
    'via_group_is_scim_managed': via_group_is_scim_managed, 'principal_type': principal_type
  })::VARCHAR AS path
FROM (
  SELECT scope, project_id, project_name, user_id, email, role_id, role_name, permissions,
    via, via_group_id, via_group_name, via_group_is_scim_managed, principal_type
  FROM effective_access
  WHERE snapshot_id = $snapshot
    AND ($user::VARCHAR IS NULL OR user_id = $user OR lower(email) = lower($user))
    AND ($role::VARCHAR IS NULL OR role_id = $role OR lower(role_name) = lower($role))
    AND ($project::VARCHAR IS NULL OR project_id = $project)
  ORDER BY scope, project_name NULLS FIRST, project_id NULLS FIRST, email NULLS LAST, user_id,
    role_name NULLS LAST, role_id, via, via_group_name NULLS FIRST, via_group_id NULLS FIRST
);

-- name: find_project
-- Projects of the snapshot matching $project by id, else by name (case-insensitively).
SELECT project_id, name, archived FROM snapshot_projects
WHERE snapshot_id = $snapshot
  AND (project_id = $project OR (lower(name) = lower($project) AND NOT EXISTS (
    SELECT 1 FROM snapshot_projects AS p
    WHERE p.snapshot_id = $snapshot AND p.project_id = $project)))
ORDER BY project_id;

-- name: projects_collected
SELECT collected FROM snapshot_coverage WHERE snapshot_id = $snapshot AND scope = 'projects';
