-- kind: service_account_role_changed
-- description: >-
--   a project service account's role changed, e.g. member to owner (before, after: the roles;
--   names as in `to`)
-- requires: [credentials]
-- why: >-
--   the two versions of one service account valid in exactly one snapshot each, compared on the
--   role only: a rename alone is no change of access and makes no kind.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_service_accounts', $from, $to)
)
SELECT t.project_id, p.name AS project_name, t.service_account_id, t.name,
  f.role AS before, t.role AS after
FROM changed AS t
JOIN changed AS f
  ON f.project_id = t.project_id AND f.service_account_id = t.service_account_id
 AND f.in_from AND NOT t.in_from
LEFT JOIN hist_projects AS p
  ON p.project_id = t.project_id AND valid_in($to, p.valid_from, p.valid_to)
WHERE f.role IS DISTINCT FROM t.role;
