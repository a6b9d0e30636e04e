/**
 * Numbered schema migrations, inlined so the compiled `dist/` needs no SQL
 * files. Never edit a released migration: add the next number instead.
 * Each migration runs in its own transaction together with its
 * `schema_migrations` row, so a crash leaves the schema at a whole version.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Logger } from "pino";
import { StoreError } from "./errors.js";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** History view over complete snapshots: a fact is in snapshot s when valid_from <= s <= valid_to. */
function dataView(view: string, hist: string, columns: string): string {
  return `CREATE VIEW ${view} AS
SELECT r.snapshot_id, ${columns
    .split(",")
    .map((c) => `h.${c.trim()}`)
    .join(", ")}
FROM snapshot_runs AS r
JOIN ${hist} AS h
  ON h.valid_from <= r.snapshot_id AND r.snapshot_id <= coalesce(h.valid_to, 2147483647)
WHERE r.status = 'complete';`;
}

const HISTORY_RANGE = "valid_from INTEGER NOT NULL, valid_to INTEGER";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
CREATE TABLE snapshot_runs (
  snapshot_id INTEGER PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  status VARCHAR NOT NULL CHECK (status IN ('running', 'complete', 'failed', 'abandoned')),
  base_url VARCHAR NOT NULL,
  tool_version VARCHAR NOT NULL,
  key_redacted VARCHAR NOT NULL,
  schema_version INTEGER NOT NULL,
  groups INTEGER,
  memberships INTEGER,
  group_role_assignments INTEGER,
  users INTEGER,
  user_role_assignments INTEGER,
  roles INTEGER,
  requests INTEGER,
  retries INTEGER,
  rate_limited INTEGER,
  vanished_groups INTEGER,
  vanished_users INTEGER,
  duplicate_rows INTEGER,
  error VARCHAR,
  seal VARCHAR
);

CREATE TABLE hist_groups (
  group_id VARCHAR NOT NULL, name VARCHAR, group_type VARCHAR, is_scim_managed BOOLEAN,
  created_at TIMESTAMPTZ, ${HISTORY_RANGE});
CREATE TABLE hist_group_members (
  group_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL, email VARCHAR, name VARCHAR,
  ${HISTORY_RANGE});
CREATE TABLE hist_group_roles (
  group_id VARCHAR NOT NULL, role_id VARCHAR NOT NULL, role_name VARCHAR, permissions VARCHAR[],
  predefined_role BOOLEAN, resource_type VARCHAR, ${HISTORY_RANGE});
CREATE TABLE hist_roles (
  role_id VARCHAR NOT NULL, name VARCHAR, description VARCHAR, permissions VARCHAR[],
  predefined_role BOOLEAN, resource_type VARCHAR, ${HISTORY_RANGE});
CREATE TABLE hist_users (
  user_id VARCHAR NOT NULL, email VARCHAR, name VARCHAR, role VARCHAR, is_scim_managed BOOLEAN,
  is_service_account BOOLEAN, added_at TIMESTAMPTZ, api_key_last_used_at TIMESTAMPTZ,
  ${HISTORY_RANGE});
CREATE TABLE hist_user_roles (
  user_id VARCHAR NOT NULL, role_id VARCHAR NOT NULL, role_name VARCHAR, permissions VARCHAR[],
  predefined_role BOOLEAN, assignment_sources STRUCT(principal_id VARCHAR, principal_type VARCHAR)[],
  ${HISTORY_RANGE});

CREATE TABLE run_endpoints (
  snapshot_id INTEGER NOT NULL, endpoint VARCHAR NOT NULL, pages INTEGER NOT NULL,
  items INTEGER NOT NULL, completed BOOLEAN NOT NULL);
CREATE TABLE run_vanished_groups (snapshot_id INTEGER NOT NULL, group_id VARCHAR NOT NULL);
CREATE TABLE run_vanished_users (snapshot_id INTEGER NOT NULL, user_id VARCHAR NOT NULL);
CREATE TABLE run_seal_parts (
  snapshot_id INTEGER NOT NULL, part VARCHAR NOT NULL, row_count INTEGER NOT NULL,
  sha256 VARCHAR NOT NULL);

CREATE VIEW snapshots AS
SELECT snapshot_id, started_at, finished_at, status, base_url, tool_version,
  groups, memberships, group_role_assignments, users, user_role_assignments, roles,
  requests, retries, seal,
  rate_limited, key_redacted, schema_version, vanished_groups, vanished_users, duplicate_rows,
  error
FROM snapshot_runs;

${dataView("snapshot_groups", "hist_groups", "group_id, name, group_type, is_scim_managed, created_at")}
${dataView("snapshot_group_members", "hist_group_members", "group_id, user_id, email, name")}
${dataView(
  "snapshot_group_roles",
  "hist_group_roles",
  "group_id, role_id, role_name, permissions, predefined_role, resource_type",
)}
${dataView(
  "snapshot_roles",
  "hist_roles",
  "role_id, name, description, permissions, predefined_role, resource_type",
)}
${dataView(
  "snapshot_users",
  "hist_users",
  "user_id, email, name, role, is_scim_managed, is_service_account, added_at, api_key_last_used_at",
)}
${dataView(
  "snapshot_user_roles",
  "hist_user_roles",
  "user_id, role_id, role_name, permissions, predefined_role, assignment_sources",
)}

CREATE VIEW snapshot_endpoints AS
SELECT snapshot_id, endpoint, pages, items, completed FROM run_endpoints;
CREATE VIEW snapshot_vanished_groups AS
SELECT snapshot_id, group_id FROM run_vanished_groups;
CREATE VIEW snapshot_vanished_users AS
SELECT snapshot_id, user_id FROM run_vanished_users;
CREATE VIEW snapshot_seal_parts AS
SELECT snapshot_id, part, row_count, sha256 FROM run_seal_parts;
`,
  },
  {
    version: 2,
    name: "effective_access view",
    // One row per path that grants a user a role. Group paths are memberships x group roles;
    // the API's per-user role list also repeats inherited roles (assignment_sources names the
    // group), so a user role counts as direct only when a 'user' principal is among its
    // sources, or when the API omitted the sources and no group path explains it.
    sql: `
CREATE VIEW effective_access AS
WITH group_paths AS (
  SELECT
    m.snapshot_id, m.user_id, coalesce(u.email, m.email) AS email,
    gr.role_id, gr.role_name, gr.permissions,
    'group' AS via, g.group_id AS via_group_id, g.name AS via_group_name,
    g.is_scim_managed AS via_group_is_scim_managed
  FROM snapshot_group_members AS m
  JOIN snapshot_group_roles AS gr ON gr.snapshot_id = m.snapshot_id AND gr.group_id = m.group_id
  JOIN snapshot_groups AS g ON g.snapshot_id = m.snapshot_id AND g.group_id = m.group_id
  LEFT JOIN snapshot_users AS u ON u.snapshot_id = m.snapshot_id AND u.user_id = m.user_id
),
direct_paths AS (
  SELECT
    ur.snapshot_id, ur.user_id,
    coalesce(u.email, (
      SELECT min(m.email) FROM snapshot_group_members AS m
      WHERE m.snapshot_id = ur.snapshot_id AND m.user_id = ur.user_id
    )) AS email,
    ur.role_id, ur.role_name, ur.permissions,
    'direct' AS via, NULL::VARCHAR AS via_group_id, NULL::VARCHAR AS via_group_name,
    NULL::BOOLEAN AS via_group_is_scim_managed
  FROM snapshot_user_roles AS ur
  LEFT JOIN snapshot_users AS u ON u.snapshot_id = ur.snapshot_id AND u.user_id = ur.user_id
  WHERE CASE
    WHEN ur.assignment_sources IS NULL THEN NOT EXISTS (
      SELECT 1 FROM group_paths AS gp
      WHERE gp.snapshot_id = ur.snapshot_id AND gp.user_id = ur.user_id
        AND gp.role_id = ur.role_id)
    ELSE coalesce(list_bool_or(
      list_transform(ur.assignment_sources, s -> s.principal_type = 'user')), false)
  END
)
SELECT snapshot_id, user_id, email, role_id, role_name, permissions,
  via, via_group_id, via_group_name, via_group_is_scim_managed
FROM group_paths
UNION ALL
SELECT snapshot_id, user_id, email, role_id, role_name, permissions,
  via, via_group_id, via_group_name, via_group_is_scim_managed
FROM direct_paths;
`,
  },
  {
    version: 3,
    name: "retention: pruned status, pruned_at, snapshot_holds",
    // DuckDB cannot alter a CHECK constraint, so snapshot_runs is rebuilt with its rows; the
    // views name their columns and bind at query time, so they survive the swap unchanged
    // (except `snapshots`, recreated to show pruned_at last). A pruned snapshot keeps its row,
    // counts and seal (later seals chain through it); only its data and evidence rows go.
    sql: `
CREATE TABLE snapshot_runs_before_v3 AS SELECT * FROM snapshot_runs;
DROP VIEW snapshots;
DROP TABLE snapshot_runs;
CREATE TABLE snapshot_runs (
  snapshot_id INTEGER PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  status VARCHAR NOT NULL
    CHECK (status IN ('running', 'complete', 'failed', 'abandoned', 'pruned')),
  base_url VARCHAR NOT NULL,
  tool_version VARCHAR NOT NULL,
  key_redacted VARCHAR NOT NULL,
  schema_version INTEGER NOT NULL,
  groups INTEGER,
  memberships INTEGER,
  group_role_assignments INTEGER,
  users INTEGER,
  user_role_assignments INTEGER,
  roles INTEGER,
  requests INTEGER,
  retries INTEGER,
  rate_limited INTEGER,
  vanished_groups INTEGER,
  vanished_users INTEGER,
  duplicate_rows INTEGER,
  error VARCHAR,
  seal VARCHAR,
  pruned_at TIMESTAMPTZ
);
INSERT INTO snapshot_runs (
  snapshot_id, started_at, finished_at, status, base_url, tool_version, key_redacted,
  schema_version, groups, memberships, group_role_assignments, users, user_role_assignments,
  roles, requests, retries, rate_limited, vanished_groups, vanished_users, duplicate_rows, error,
  seal)
SELECT
  snapshot_id, started_at, finished_at, status, base_url, tool_version, key_redacted,
  schema_version, groups, memberships, group_role_assignments, users, user_role_assignments,
  roles, requests, retries, rate_limited, vanished_groups, vanished_users, duplicate_rows, error,
  seal
FROM snapshot_runs_before_v3;
DROP TABLE snapshot_runs_before_v3;

CREATE VIEW snapshots AS
SELECT snapshot_id, started_at, finished_at, status, base_url, tool_version,
  groups, memberships, group_role_assignments, users, user_role_assignments, roles,
  requests, retries, seal,
  rate_limited, key_redacted, schema_version, vanished_groups, vanished_users, duplicate_rows,
  error, pruned_at
FROM snapshot_runs;

CREATE TABLE snapshot_holds (
  snapshot_id INTEGER NOT NULL,
  reason VARCHAR NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
`,
  },
  {
    version: 4,
    name: "certification campaigns and remediation",
    // Campaigns freeze a sealed snapshot as their population. Decisions are append-only (the
    // latest per item wins; history stays as evidence). `secret` keys the workbook row MACs and
    // never leaves the database. Remediation records one API action (or an identity-provider
    // change) per revoked item; verification is derived from later snapshots at read time.
    sql: `
CREATE TABLE certify_campaigns (
  campaign_id INTEGER PRIMARY KEY,
  name VARCHAR NOT NULL UNIQUE,
  snapshot_id INTEGER NOT NULL,
  seal VARCHAR NOT NULL,
  scope VARCHAR NOT NULL CHECK (scope IN ('all', 'elevated', 'changed-since-last')),
  baseline_campaign_id INTEGER,
  reviewers_sha256 VARCHAR,
  reviewers_source VARCHAR NOT NULL,
  undecided_policy VARCHAR NOT NULL CHECK (undecided_policy IN ('keep', 'revoke', 'escalate')),
  allow_self_review BOOLEAN NOT NULL,
  due_date DATE,
  secret VARCHAR NOT NULL,
  status VARCHAR NOT NULL CHECK (status IN ('open', 'closed')),
  created_at TIMESTAMPTZ NOT NULL,
  closed_at TIMESTAMPTZ
);
CREATE TABLE certify_items (
  campaign_id INTEGER NOT NULL,
  item_id VARCHAR NOT NULL,
  kind VARCHAR NOT NULL CHECK (kind IN ('membership', 'group_role', 'user_role')),
  group_id VARCHAR, group_name VARCHAR, group_is_scim_managed BOOLEAN,
  user_id VARCHAR, user_email VARCHAR, user_name VARCHAR,
  role_id VARCHAR, role_name VARCHAR,
  elevated BOOLEAN NOT NULL,
  path VARCHAR NOT NULL,
  fingerprint VARCHAR NOT NULL,
  reviewer VARCHAR NOT NULL,
  reviewer_rule VARCHAR NOT NULL,
  self_review BOOLEAN NOT NULL,
  carried_from_campaign_id INTEGER,
  PRIMARY KEY (campaign_id, item_id)
);
CREATE TABLE certify_decisions (
  decision_seq INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL,
  item_id VARCHAR NOT NULL,
  decision VARCHAR NOT NULL CHECK (decision IN ('approve', 'revoke', 'needs_info', 'escalated')),
  justification VARCHAR,
  reviewer VARCHAR NOT NULL,
  decided_at TIMESTAMPTZ NOT NULL,
  source VARCHAR NOT NULL CHECK (source IN ('workbook', 'carried_forward', 'close_policy')),
  file_sha256 VARCHAR,
  sheet_row INTEGER
);
CREATE TABLE certify_imports (
  campaign_id INTEGER NOT NULL,
  file_sha256 VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  reviewer VARCHAR NOT NULL,
  rows INTEGER NOT NULL,
  decisions INTEGER NOT NULL,
  imported_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (campaign_id, file_sha256)
);
CREATE TABLE certify_remediation (
  campaign_id INTEGER NOT NULL,
  item_id VARCHAR NOT NULL,
  action VARCHAR NOT NULL
    CHECK (action IN ('remove_group_member', 'unassign_group_role', 'unassign_user_role', 'idp_change')),
  method VARCHAR,
  path VARCHAR,
  status VARCHAR NOT NULL CHECK (status IN ('planned', 'done', 'already_absent', 'failed', 'idp')),
  attempts INTEGER NOT NULL,
  error VARCHAR,
  planned_at TIMESTAMPTZ NOT NULL,
  executed_at TIMESTAMPTZ,
  PRIMARY KEY (campaign_id, item_id)
);
`,
  },
];

export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`;

export function schemaTooNewError(found: number, supported: number = SCHEMA_VERSION): StoreError {
  return new StoreError(
    "SCHEMA_TOO_NEW",
    `database schema version ${found} is newer than this tool supports (${supported}); upgrade openai-access-audit`,
  );
}

/** The highest applied migration, or 0 for a database this tool never touched. */
export async function readSchemaVersion(con: DuckDBConnection): Promise<number> {
  const exists = await con.runAndReadAll(
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables()
     WHERE database_name = current_database() AND schema_name = 'main'
       AND table_name = 'schema_migrations'`,
  );
  if (exists.getRowsJS()[0]?.[0] === 0) return 0;
  const reader = await con.runAndReadAll(
    "SELECT coalesce(max(version), 0)::INTEGER FROM schema_migrations",
  );
  return Number(reader.getRowsJS()[0]?.[0] ?? 0);
}

/** Brings the schema to SCHEMA_VERSION; refuses a database written by a newer tool. */
export async function migrate(
  con: DuckDBConnection,
  logger: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<{ from: number; to: number }> {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  await con.run(CREATE_MIGRATIONS_TABLE);
  const from = await readSchemaVersion(con);
  if (from > latest) throw schemaTooNewError(from, latest);
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    await con.run("BEGIN TRANSACTION");
    try {
      await con.run(migration.sql);
      await con.run(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())",
        [migration.version, migration.name],
      );
      await con.run("COMMIT");
    } catch (error) {
      await con.run("ROLLBACK");
      throw error;
    }
    logger.info({ version: migration.version, name: migration.name }, "applied schema migration");
  }
  return { from, to: Math.max(from, latest) };
}
