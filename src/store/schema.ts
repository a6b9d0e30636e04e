/**
 * The current shape of the stored facts, shared by the snapshot writer (staging
 * and merge), the seal and `verify`. Migrations keep their own literal SQL:
 * they are history and must not change when this file does.
 */
import { BOOLEAN, type DuckDBType, LIST, STRUCT, TIMESTAMPTZ, VARCHAR } from "@duckdb/node-api";

export interface ColumnDef {
  readonly name: string;
  /** SQL type as used in CREATE TABLE. */
  readonly sql: string;
  readonly type: DuckDBType;
  /** For list columns: the `from_json` structure their staged JSON text is parsed with. */
  readonly jsonShape?: string;
}

/** One kind of fact, kept as a history table of versions valid over a range of snapshots. */
export interface FactTable {
  /** Short name: the seal part name and the `SnapshotCounts` key source. */
  readonly part: string;
  /** Public view with one row per (complete snapshot, fact). */
  readonly view: string;
  /** History table: data columns + `valid_from`, `valid_to` (inclusive snapshot ids). */
  readonly hist: string;
  /** Connection-local TEMP table the crawl appends packed rows to. */
  readonly rawStage: string;
  /** Connection-local TEMP table of typed, de-duplicated rows built from `rawStage` at publish. */
  readonly stage: string;
  /** Column of `snapshot_runs` holding this table's row count. */
  readonly countColumn: keyof SnapshotCounts;
  /** Identity of a fact within one snapshot. */
  readonly key: readonly string[];
  /** Data columns in view order, keys first. */
  readonly columns: readonly ColumnDef[];
}

export interface SnapshotCounts {
  groups: number;
  memberships: number;
  group_role_assignments: number;
  roles: number;
  users: number;
  user_role_assignments: number;
}

const varchar = (name: string): ColumnDef => ({ name, sql: "VARCHAR", type: VARCHAR });
const boolean = (name: string): ColumnDef => ({ name, sql: "BOOLEAN", type: BOOLEAN });
const timestamptz = (name: string): ColumnDef => ({ name, sql: "TIMESTAMPTZ", type: TIMESTAMPTZ });
const varcharList = (name: string): ColumnDef => ({
  name,
  sql: "VARCHAR[]",
  type: LIST(VARCHAR),
  jsonShape: '["VARCHAR"]',
});

export const ASSIGNMENT_SOURCE_TYPE = STRUCT({ principal_id: VARCHAR, principal_type: VARCHAR });

export const GROUPS: FactTable = {
  part: "groups",
  view: "snapshot_groups",
  hist: "hist_groups",
  rawStage: "stage_raw_groups",
  stage: "stage_groups",
  countColumn: "groups",
  key: ["group_id"],
  columns: [
    varchar("group_id"),
    varchar("name"),
    varchar("group_type"),
    boolean("is_scim_managed"),
    timestamptz("created_at"),
  ],
};

export const GROUP_MEMBERS: FactTable = {
  part: "group_members",
  view: "snapshot_group_members",
  hist: "hist_group_members",
  rawStage: "stage_raw_group_members",
  stage: "stage_group_members",
  countColumn: "memberships",
  key: ["group_id", "user_id"],
  columns: [varchar("group_id"), varchar("user_id"), varchar("email"), varchar("name")],
};

export const GROUP_ROLES: FactTable = {
  part: "group_roles",
  view: "snapshot_group_roles",
  hist: "hist_group_roles",
  rawStage: "stage_raw_group_roles",
  stage: "stage_group_roles",
  countColumn: "group_role_assignments",
  key: ["group_id", "role_id"],
  columns: [
    varchar("group_id"),
    varchar("role_id"),
    varchar("role_name"),
    varcharList("permissions"),
    boolean("predefined_role"),
    varchar("resource_type"),
  ],
};

export const ROLES: FactTable = {
  part: "roles",
  view: "snapshot_roles",
  hist: "hist_roles",
  rawStage: "stage_raw_roles",
  stage: "stage_roles",
  countColumn: "roles",
  key: ["role_id"],
  columns: [
    varchar("role_id"),
    varchar("name"),
    varchar("description"),
    varcharList("permissions"),
    boolean("predefined_role"),
    varchar("resource_type"),
  ],
};

export const USERS: FactTable = {
  part: "users",
  view: "snapshot_users",
  hist: "hist_users",
  rawStage: "stage_raw_users",
  stage: "stage_users",
  countColumn: "users",
  key: ["user_id"],
  columns: [
    varchar("user_id"),
    varchar("email"),
    varchar("name"),
    varchar("role"),
    boolean("is_scim_managed"),
    boolean("is_service_account"),
    timestamptz("added_at"),
    timestamptz("api_key_last_used_at"),
  ],
};

export const USER_ROLES: FactTable = {
  part: "user_roles",
  view: "snapshot_user_roles",
  hist: "hist_user_roles",
  rawStage: "stage_raw_user_roles",
  stage: "stage_user_roles",
  countColumn: "user_role_assignments",
  key: ["user_id", "role_id"],
  columns: [
    varchar("user_id"),
    varchar("role_id"),
    varchar("role_name"),
    varcharList("permissions"),
    boolean("predefined_role"),
    {
      name: "assignment_sources",
      sql: "STRUCT(principal_id VARCHAR, principal_type VARCHAR)[]",
      type: LIST(ASSIGNMENT_SOURCE_TYPE),
      jsonShape: '[{"principal_id":"VARCHAR","principal_type":"VARCHAR"}]',
    },
  ],
};

/** Fixed order: the seal hashes the parts in exactly this order. */
export const FACT_TABLES: readonly FactTable[] = [
  GROUPS,
  GROUP_MEMBERS,
  GROUP_ROLES,
  ROLES,
  USERS,
  USER_ROLES,
];

/** Double-quoted SQL identifier (all names here are fixed ASCII, but quote anyway). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
