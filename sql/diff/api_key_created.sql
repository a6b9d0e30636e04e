-- kind: api_key_created
-- description: >-
--   a project API key exists in `to` and not in `from`, with its owner (owner_type `user` or
--   `service_account`, owner_id, owner_email; names as in `to`)
-- requires: [credentials]
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots (an
--   unchanged fact is one row valid in both), keyed by project and key id: a key whose row took
--   a new version for its last_used_at, its name or its owner's display name or email is in both
--   snapshots and makes no kind. last_used_at is not reported at all: a use is not an access
--   change, and its recorded value is coarse (USAGE_RESOLUTION_DAYS).
WITH
changed AS (
  SELECT * FROM changed_facts('hist_api_keys', $from, $to)
)
SELECT c.project_id, p.name AS project_name, c.key_id, c.name, c.redacted_value, c.created_at,
  c.owner_type, c.owner_id, c.owner_name, c.owner_email, c.owner_role, c.owner_project_access
FROM changed AS c
ANTI JOIN (SELECT project_id, key_id FROM changed WHERE in_from) AS o USING (project_id, key_id)
LEFT JOIN hist_projects AS p
  ON p.project_id = c.project_id AND valid_in($to, p.valid_from, p.valid_to)
WHERE NOT c.in_from;
