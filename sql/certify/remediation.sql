-- Remediation of revoked grants and its verification against later snapshots
-- (src/certify/state.ts, remediate.ts).

-- name: remediation
SELECT item_id, action, method, path, status, attempts, error, planned_at, executed_at
FROM certify_remediation WHERE campaign_id = $1 ORDER BY item_id;

-- name: record_attempt
UPDATE certify_remediation SET status = $3, error = $4, attempts = attempts + 1,
  executed_at = now() WHERE campaign_id = $1 AND item_id = $2;

-- name: absence_checks
-- For each remediated item of campaign $c: the complete snapshots taken after the action (or,
-- for an IdP-managed grant, after the campaign closed), and whether the grant is absent there.
-- A user role counts as the population counted it: a `direct` path of the effective_access view
-- (in the organization, or in the item's project). Only a snapshot that collected what the item
-- is (snapshot_coverage: `projects` for a project member or attached group, also
-- `project_role_assignments` for a direct project role, `user_roles` for a direct organization
-- role; `credentials` for a credential, also `projects` for a project's key or service account)
-- can tell: a later snapshot that did not is "not verifiable yet", never "absent"
-- (latest_uncovered_snapshot_id).
WITH acts AS (
  SELECT i.item_id, i.kind, i.group_id, i.user_id, i.role_id, i.project_id, i.credential_id,
    CASE WHEN a.status = 'idp' THEN c.closed_at ELSE a.executed_at END AS since
  FROM certify_items AS i
  JOIN certify_remediation AS a ON a.campaign_id = i.campaign_id AND a.item_id = i.item_id
  JOIN certify_campaigns AS c ON c.campaign_id = i.campaign_id
  WHERE i.campaign_id = $c AND a.status IN ('done', 'already_absent', 'idp')),
later AS (
  SELECT acts.*, r.snapshot_id,
    NOT list_has_any(coalesce(r.uncollected, []::VARCHAR[]), CASE acts.kind
      WHEN 'user_role' THEN ['user_roles']
      WHEN 'project_membership' THEN ['projects']
      WHEN 'project_group' THEN ['projects']
      WHEN 'project_user_role' THEN ['projects', 'project_role_assignments']
      WHEN 'admin_key' THEN ['credentials']
      WHEN 'invite' THEN ['credentials']
      WHEN 'project_api_key' THEN ['projects', 'credentials']
      WHEN 'service_account' THEN ['projects', 'credentials']
      ELSE []::VARCHAR[]
    END) AS covered
  FROM acts
  JOIN snapshot_runs AS r ON r.status = 'complete' AND r.started_at > acts.since),
checked AS (
  SELECT l.item_id, l.snapshot_id, l.covered,
    CASE WHEN NOT l.covered THEN NULL ELSE CASE l.kind
      WHEN 'membership' THEN NOT EXISTS (
        SELECT 1 FROM snapshot_group_members AS m
        WHERE m.snapshot_id = l.snapshot_id AND m.group_id = l.group_id
          AND m.user_id = l.user_id)
      WHEN 'group_role' THEN NOT EXISTS (
        SELECT 1 FROM snapshot_group_roles AS g
        WHERE g.snapshot_id = l.snapshot_id AND g.group_id = l.group_id
          AND g.role_id = l.role_id)
      WHEN 'user_role' THEN NOT EXISTS (
        SELECT 1 FROM effective_access AS e
        WHERE e.snapshot_id = l.snapshot_id AND e.scope = 'organization' AND e.via = 'direct'
          AND e.user_id = l.user_id AND e.role_id = l.role_id)
      WHEN 'project_membership' THEN NOT EXISTS (
        SELECT 1 FROM snapshot_project_users AS pu
        WHERE pu.snapshot_id = l.snapshot_id AND pu.project_id = l.project_id
          AND pu.user_id = l.user_id)
      WHEN 'project_group' THEN NOT EXISTS (
        SELECT 1 FROM snapshot_project_groups AS pg
        WHERE pg.snapshot_id = l.snapshot_id AND pg.project_id = l.project_id
          AND pg.group_id = l.group_id)
      WHEN 'project_user_role' THEN NOT EXISTS (
        SELECT 1 FROM effective_access AS e
        WHERE e.snapshot_id = l.snapshot_id AND e.scope = 'project' AND e.via = 'direct'
          AND e.project_id = l.project_id AND e.user_id = l.user_id AND e.role_id = l.role_id)
      WHEN 'admin_key' THEN NOT EXISTS (
        SELECT 1 FROM snapshot_admin_keys AS k
        WHERE k.snapshot_id = l.snapshot_id AND k.key_id = l.credential_id)
      WHEN 'project_api_key' THEN NOT EXISTS (
        SELECT 1 FROM snapshot_api_keys AS k
        WHERE k.snapshot_id = l.snapshot_id AND k.project_id = l.project_id
          AND k.key_id = l.credential_id)
      WHEN 'service_account' THEN NOT EXISTS (
        SELECT 1 FROM snapshot_service_accounts AS sa
        WHERE sa.snapshot_id = l.snapshot_id AND sa.project_id = l.project_id
          AND sa.service_account_id = l.credential_id)
      -- An invite is gone when it is no longer listed, or has expired (it cannot be accepted
      -- any more); an accepted one is still access, not a revocation.
      WHEN 'invite' THEN NOT EXISTS (
        SELECT 1 FROM snapshot_invites AS iv
        WHERE iv.snapshot_id = l.snapshot_id AND iv.invite_id = l.credential_id
          AND coalesce(iv.status, '') <> 'expired')
    END END AS absent
  FROM later AS l)
SELECT item_id,
  max(snapshot_id) FILTER (WHERE covered) AS latest_snapshot_id,
  arg_max(absent, snapshot_id) FILTER (WHERE covered) AS absent_now,
  min(snapshot_id) FILTER (WHERE covered AND absent) AS first_absent_snapshot_id,
  max(snapshot_id) FILTER (WHERE NOT covered) AS latest_uncovered_snapshot_id
FROM checked GROUP BY item_id;
