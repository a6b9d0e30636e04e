-- id: elevated-role-manual-group
-- title: Elevated role held by a group that is not SCIM-managed
-- severity: high
-- rationale: >-
--   A manual group's membership is edited by hand in OpenAI, outside the IdP's joiner, mover
--   and leaver process, so people keep elevated access after they change teams or leave.
-- remediation: >-
--   Move the role to a SCIM-managed group fed by the IdP, or remove it and grant it directly
--   to named people.
-- controls: [SOC 2 CC6.2, SOC 2 CC6.3, ISO 27001 A.5.16, ISO 27001 A.5.18]

-- Why: elevated access whose membership no identity provider keeps up to date.
SELECT
  gr.group_id,
  NULL AS user_id,
  gr.role_id,
  format('manual group "{}" holds {} for {} member(s)', g.name, gr.role_name, group_member_count(gr.snapshot_id, gr.group_id)) AS detail,
  group_members_json(gr.snapshot_id, gr.group_id) AS members,
  group_member_count(gr.snapshot_id, gr.group_id) AS member_count
FROM snapshot_group_roles AS gr
JOIN snapshot_groups AS g ON g.snapshot_id = gr.snapshot_id AND g.group_id = gr.group_id
JOIN elevated_roles AS e ON e.snapshot_id = gr.snapshot_id AND e.role_id = gr.role_id
WHERE gr.snapshot_id = $snapshot
  AND NOT coalesce(g.is_scim_managed, false)
