-- id: owner-via-group
-- title: Owner role granted through a group
-- severity: critical
-- rationale: >-
--   Every member of the group is an organization Owner, and anyone who can change the group's
--   membership (an IdP admin, a group manager) can create Owners without touching the role.
-- remediation: >-
--   Remove the Owner role from the group; grant Owner directly to a short, named list of people
--   and review it at every access certification.
-- controls: [SOC 2 CC6.1, SOC 2 CC6.3, ISO 27001 A.5.15, ISO 27001 A.8.2]

-- Why: group membership silently becomes the most privileged role in the organization.
SELECT
  gr.group_id,
  NULL AS user_id,
  gr.role_id,
  format('group "{}" grants Owner to {} member(s)', g.name, group_member_count(gr.snapshot_id, gr.group_id)) AS detail,
  group_members_json(gr.snapshot_id, gr.group_id) AS members,
  group_member_count(gr.snapshot_id, gr.group_id) AS member_count
FROM snapshot_group_roles AS gr
JOIN snapshot_groups AS g ON g.snapshot_id = gr.snapshot_id AND g.group_id = gr.group_id
WHERE gr.snapshot_id = $snapshot
  AND gr.predefined_role
  AND gr.role_name = 'Owner'
