-- changed_facts(hist, f, t): the rows of history table `hist` (a hist_* name) valid in exactly one
-- of snapshots f and t, with in_from / in_to flags.
-- Why: an unchanged fact is one history row valid in both snapshots, so every diff kind only needs
-- these rows; the two range filters are pushed into the scans and drop the rest before their other
-- columns are read, which makes a diff cost follow the churn, not the organization's size.
CREATE OR REPLACE TEMP MACRO changed_facts(hist, f, t) AS TABLE
SELECT * FROM (
  SELECT *,
    valid_in(f, valid_from, valid_to) AS in_from,
    valid_in(t, valid_from, valid_to) AS in_to
  FROM (
    SELECT * FROM query_table(hist) WHERE valid_from > least(f, t)
    UNION ALL
    SELECT * FROM query_table(hist) WHERE valid_to < greatest(f, t)
  )
)
WHERE in_from <> in_to
;

-- access_candidates(f, t): users whose memberships, own role assignments or groups' roles differ
-- between snapshots f and t.
-- Why: nobody else's roles can differ, so the access and user-role kinds compare only these users.
CREATE OR REPLACE TEMP MACRO access_candidates(f, t) AS TABLE
SELECT user_id FROM changed_facts('hist_group_members', f, t)
UNION
SELECT user_id FROM changed_facts('hist_user_roles', f, t)
UNION
SELECT m.user_id
FROM hist_group_members AS m
SEMI JOIN (SELECT group_id FROM changed_facts('hist_group_roles', f, t)) AS gr USING (group_id)
WHERE valid_in(f, m.valid_from, m.valid_to)
   OR valid_in(t, m.valid_from, m.valid_to)
