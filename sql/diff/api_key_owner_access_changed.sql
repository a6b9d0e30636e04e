-- kind: api_key_owner_access_changed
-- description: >-
--   the owner of a project API key gained or lost access to the project (before, after: the key
--   listing's owner_project_access, `active` or `inactive`; names as in `to`)
-- requires: [credentials]
-- why: >-
--   the API documents owner_project_access as whether the key's owner still has access to the
--   project, so a change is a change of access. The two versions of one key valid in exactly one
--   snapshot each are compared on that column only: a version taken for last_used_at, the key's
--   name or the owner's display copies (name, email, role) makes no kind.
WITH
changed AS (
  SELECT * FROM changed_facts('hist_api_keys', $from, $to)
)
SELECT t.project_id, p.name AS project_name, t.key_id, t.name, t.redacted_value,
  t.owner_type, t.owner_id, t.owner_name, t.owner_email,
  f.owner_project_access AS before, t.owner_project_access AS after
FROM changed AS t
JOIN changed AS f
  ON f.project_id = t.project_id AND f.key_id = t.key_id AND f.in_from AND NOT t.in_from
LEFT JOIN hist_projects AS p
  ON p.project_id = t.project_id AND valid_in($to, p.valid_from, p.valid_to)
WHERE f.owner_project_access IS DISTINCT FROM t.owner_project_access;
