-- id: service-account-owner-role
-- title: Project service account with the owner role
-- severity: medium
-- scope: credentials
-- rationale: >-
--   A project owner manages the project's members, keys and service accounts. A service account
--   with that role hands those rights to every holder of its keys, which software shares and
--   rarely rotates, and no person answers for what it does.
-- remediation: >-
--   Give the service account the member role unless its integration manages the project itself;
--   record an owner and a rotation schedule for its keys.
-- controls: [SOC 2 CC6.1, SOC 2 CC6.3, ISO 27001 A.5.15, ISO 27001 A.8.2]

-- Why: the service account listing own role (owner / member / none).
SELECT
  sa.project_id,
  sa.service_account_id AS credential_id,
  NULL AS group_id,
  NULL AS user_id,
  NULL AS role_id,
  format('service account {} ({}) is an owner of project "{}" with {} key(s)',
    coalesce(sa.name, sa.service_account_id), sa.service_account_id,
    coalesce(p.name, sa.project_id),
    (SELECT count(*) FROM snapshot_api_keys AS k
     WHERE k.snapshot_id = sa.snapshot_id AND k.project_id = sa.project_id
       AND k.owner_type = 'service_account' AND k.owner_id = sa.service_account_id)) AS detail
FROM snapshot_service_accounts AS sa
LEFT JOIN snapshot_projects AS p ON p.snapshot_id = sa.snapshot_id AND p.project_id = sa.project_id
WHERE sa.snapshot_id = $snapshot AND lower(sa.role) = 'owner'
