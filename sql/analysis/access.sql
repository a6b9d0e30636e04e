-- Effective access (src/analysis/access.ts): the paths of the public effective_access view.

-- name: effective_access_paths
-- One snapshot's paths, optionally of one user (id or email) and one role (id or name), in a
-- stable order (user, role, path).
SELECT user_id, email, role_id, role_name, permissions,
  via, via_group_id, via_group_name, via_group_is_scim_managed
FROM effective_access
WHERE snapshot_id = $snapshot
  AND ($user::VARCHAR IS NULL OR user_id = $user OR lower(email) = lower($user))
  AND ($role::VARCHAR IS NULL OR role_id = $role OR lower(role_name) = lower($role))
ORDER BY email NULLS LAST, user_id, role_name NULLS LAST, role_id,
  via, via_group_name NULLS FIRST, via_group_id NULLS FIRST;
