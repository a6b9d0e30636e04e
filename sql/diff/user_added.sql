-- kind: user_added
-- description: >-
--   a user joined the organization
-- why: >-
--   set difference over only the history rows valid in exactly one of the two snapshots, since an
--   unchanged fact is one row valid in both: the cost follows the churn, not the size.
WITH
-- History rows valid in exactly one snapshot (macro in sql/macros/diff.sql).
changed AS (
  SELECT * FROM changed_facts('hist_users', $from, $to)
)
SELECT c.user_id, c.email, c.name AS user_name, c.role, c.is_service_account, c.is_scim_managed
FROM changed AS c
ANTI JOIN (SELECT user_id FROM changed WHERE in_from) AS o USING (user_id)
WHERE NOT c.in_from;
