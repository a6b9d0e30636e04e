-- id: archived-project-with-access
-- title: Archived project that still has groups or role assignments
-- severity: low
-- scope: project
-- rationale: >-
--   An archived project cannot be used, so access still attached to it is access nobody needs
--   today; it is what comes back if the project is ever restored, and it clutters every review.
-- remediation: >-
--   Detach groups and remove project role assignments before archiving a project. The API
--   refuses changes to an archived project, so record existing cases as reviewed (an accepted
--   exception) rather than trying to remove them.
-- controls: [SOC 2 CC6.2, ISO 27001 A.5.18]

-- Why: the API lists no members of an archived project ("archived projects have no users"), but
-- still lists its attached groups and their project roles.
SELECT
  p.project_id,
  NULL AS group_id,
  NULL AS user_id,
  NULL AS role_id,
  format('archived project "{}" still has {} attached group(s), {} group role assignment(s)',
    p.name,
    (SELECT count(*) FROM snapshot_project_groups AS pg
     WHERE pg.snapshot_id = p.snapshot_id AND pg.project_id = p.project_id),
    (SELECT count(*) FROM snapshot_project_group_roles AS pgr
     WHERE pgr.snapshot_id = p.snapshot_id AND pgr.project_id = p.project_id)) AS detail
FROM snapshot_projects AS p
WHERE p.snapshot_id = $snapshot AND coalesce(p.archived, false)
  AND (EXISTS (SELECT 1 FROM snapshot_project_groups AS pg
               WHERE pg.snapshot_id = p.snapshot_id AND pg.project_id = p.project_id)
    OR EXISTS (SELECT 1 FROM snapshot_project_users AS pu
               WHERE pu.snapshot_id = p.snapshot_id AND pu.project_id = p.project_id))
