-- kind: service_account_created
-- description: >-
--   a project service account exists in `to` and not in `from` (role, names as in `to`)
-- requires: [credentials]
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots (an
--   unchanged fact is one row valid in both): the cost follows the churn, not the size. Keyed by
--   project and service account id; a rename alone is no change of access and makes no kind.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_service_accounts', $from, $to)
)
SELECT c.project_id, p.name AS project_name, c.service_account_id, c.name, c.role, c.created_at
FROM changed AS c
ANTI JOIN (SELECT project_id, service_account_id FROM changed WHERE in_from) AS o
  USING (project_id, service_account_id)
LEFT JOIN hist_projects AS p
  ON p.project_id = c.project_id AND valid_in($to, p.valid_from, p.valid_to)
WHERE NOT c.in_from;
