-- id: scim-group-role-assigned
-- title: Role assigned by hand to a SCIM-managed group since the previous snapshot
-- severity: medium
-- rationale: >-
--   An identity provider syncs a SCIM group's name and members, never its OpenAI roles; a new
--   role on such a group was added in OpenAI by a person, and it silently extends to everyone
--   the IdP puts in the group.
-- remediation: >-
--   Confirm the assignment was approved and that the IdP group's owners know it now carries
--   this role; otherwise remove it.
-- controls: [SOC 2 CC6.2, SOC 2 CC8.1, ISO 27001 A.5.16, ISO 27001 A.5.18]
-- requires: [previous_snapshot]

-- Why: a change the IdP cannot have made, on a group whose membership the IdP controls.
SELECT
  gr.group_id,
  NULL AS user_id,
  gr.role_id,
  format('{} assigned to SCIM-managed group "{}" since snapshot {}', gr.role_name, g.name,
    $previous::INTEGER) AS detail
FROM snapshot_group_roles AS gr
JOIN snapshot_groups AS g ON g.snapshot_id = gr.snapshot_id AND g.group_id = gr.group_id
WHERE gr.snapshot_id = $snapshot
  AND $previous::INTEGER IS NOT NULL
  AND coalesce(g.is_scim_managed, false)
  AND NOT EXISTS (
    SELECT 1 FROM snapshot_group_roles AS p
    WHERE p.snapshot_id = $previous::INTEGER AND p.group_id = gr.group_id AND p.role_id = gr.role_id
  )
