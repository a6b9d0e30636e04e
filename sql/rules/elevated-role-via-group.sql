-- id: elevated-role-via-group
-- title: Elevated role (other than Owner) granted through a group
-- severity: medium
-- rationale: >-
--   Whoever joins the group gains write or admin permissions without a per-person approval;
--   the grant is only as well controlled as the group's membership.
-- remediation: >-
--   Confirm the group's membership is owned and reviewed (ideally SCIM-managed from the IdP),
--   or grant the role directly to the people who need it.
-- controls: [SOC 2 CC6.1, SOC 2 CC6.3, ISO 27001 A.5.15, ISO 27001 A.8.2]

-- Why: elevated permissions follow group membership, not an individual approval.
SELECT
  gr.group_id,
  NULL AS user_id,
  gr.role_id,
  format('group "{}" grants {} to {} member(s)', g.name, gr.role_name, group_member_count(gr.snapshot_id, gr.group_id)) AS detail,
  group_members_json(gr.snapshot_id, gr.group_id) AS members,
  group_member_count(gr.snapshot_id, gr.group_id) AS member_count
FROM snapshot_group_roles AS gr
JOIN snapshot_groups AS g ON g.snapshot_id = gr.snapshot_id AND g.group_id = gr.group_id
JOIN elevated_roles AS e ON e.snapshot_id = gr.snapshot_id AND e.role_id = gr.role_id
WHERE gr.snapshot_id = $snapshot
  AND NOT (gr.predefined_role AND gr.role_name = 'Owner')
