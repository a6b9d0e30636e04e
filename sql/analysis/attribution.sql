-- Attribution of diff changes to audit-log events (src/analysis/attribution.ts).

-- name: window
-- The interval in which the changes between two snapshots happened: from the start of the
-- earlier crawl to the end of the later one (each listing was read somewhere in between).
SELECT epoch(min(started_at)) AS window_from, epoch(max(finished_at)) AS window_to
FROM snapshots WHERE snapshot_id IN ($from, $to);

-- name: syncs
-- Every sync attempt: what each complete one vouches for, and why each failed one failed.
SELECT sync_id, status, reason, snapshot_id, epoch(started_at) AS started_at,
  epoch(coverage_from) AS coverage_from, epoch(covered_to) AS covered_to
FROM audit_log_syncs ORDER BY sync_id;

-- name: scim_groups
-- Groups managed by SCIM in either snapshot: their membership is the directory's doing.
SELECT DISTINCT group_id FROM snapshot_groups
WHERE snapshot_id IN ($from, $to) AND is_scim_managed;

-- name: scim_users
-- Users provisioned by SCIM in either snapshot.
SELECT DISTINCT user_id FROM snapshot_users
WHERE snapshot_id IN ($from, $to) AND is_scim_managed;

-- name: matches
-- The events of the window that match each key: same event type, and the key's id in the
-- detail's `id` (on = 'object') or its `principal_id` (on = 'principal'); then the optional
-- resource (role assignments' resource_id), project (the event's project) and organization
-- scope (a role assignment whose resource is not a project). Two equi-joins, so the cost
-- follows the matches, not keys x events.
WITH k AS (
  SELECT unnest(from_json($keys,
    '[{"i":"INTEGER","t":"VARCHAR","on":"VARCHAR","id":"VARCHAR","res":"VARCHAR","prj":"VARCHAR","org":"BOOLEAN"}]'),
    recursive := true)
),
w AS (
  SELECT seq, event_id, type, effective_at, project_id, actor_type, actor_user_id, actor_email,
    actor_ip, actor_key_id, actor_key_type, actor_service_account_id, source, object_id,
    principal_id, resource_id, resource_type
  FROM audit_events
  WHERE effective_at BETWEEN to_timestamp($window_from) AND to_timestamp($window_to)
),
m AS (
  SELECT k.*, w.* FROM k JOIN w ON w.type = k.t AND w.object_id = k.id WHERE k.on = 'object'
  UNION ALL BY NAME
  SELECT k.*, w.* FROM k JOIN w ON w.type = k.t AND w.principal_id = k.id WHERE k.on = 'principal'
)
SELECT i AS change,
  -- One JSON text per change: converting a JSON string is far cheaper than a row per event.
  to_json(list({
    'event_id': event_id, 'type': type, 'effective_at': epoch(effective_at)::BIGINT,
    'project_id': project_id, 'actor_type': actor_type, 'actor_user_id': actor_user_id,
    'actor_email': actor_email, 'actor_ip': actor_ip, 'actor_key_id': actor_key_id,
    'actor_key_type': actor_key_type, 'actor_service_account_id': actor_service_account_id,
    'source': source
  } ORDER BY effective_at, seq))::VARCHAR AS events
FROM (
  SELECT DISTINCT i, seq, event_id, type, effective_at, project_id, actor_type, actor_user_id,
    actor_email, actor_ip, actor_key_id, actor_key_type, actor_service_account_id, source
  FROM m
  WHERE (res IS NULL OR resource_id = res)
    AND (prj IS NULL OR project_id = prj)
    AND (org IS NOT TRUE OR coalesce(resource_type, '') <> 'api.project')
)
GROUP BY i
ORDER BY i;
