/**
 * The shape of a fact type: one declaration (name, key, columns in view order, the API listing
 * its rows come from) from which the store derives its history table, staging, merge, public
 * view, seal part, verify and export (src/store), and the crawl its loading. The API-to-row
 * mapping is a pure transform declared beside each fact type (get -> transform -> load).
 */

export interface ColumnDef {
  readonly name: string;
  /** SQL type as used in CREATE TABLE. */
  readonly sql: string;
  /** For list columns: the `from_json` structure their staged JSON text is parsed with. */
  readonly jsonShape?: string;
}

/** A value as the writer takes it; timestamps are unix seconds. */
export type RawValue =
  | string
  | boolean
  | number
  | null
  | readonly string[]
  | readonly { readonly [key: string]: string }[];

/** The counts a snapshot records, one per fact type (its `countColumn`). */
export interface SnapshotCounts {
  groups: number;
  memberships: number;
  group_role_assignments: number;
  roles: number;
  users: number;
  user_role_assignments: number;
  projects: number;
  project_memberships: number;
  project_groups: number;
  project_roles: number;
  project_group_role_assignments: number;
  project_user_role_assignments: number;
  service_accounts: number;
  api_keys: number;
  admin_keys: number;
  invites: number;
}

/**
 * What a crawl may leave out on request, recorded per snapshot so that a fact type it did not
 * collect is never read as "every row removed": `organization` is always collected; the others
 * follow `--no-user-roles`, `--no-projects`, `--no-project-role-assignments` and
 * `--no-credentials`.
 */
export const COVERAGE_SCOPES = [
  "organization",
  "user_roles",
  "projects",
  "project_role_assignments",
  "credentials",
] as const;
export type CoverageScope = (typeof COVERAGE_SCOPES)[number];

/**
 * One kind of fact, kept as a history table of versions valid over a range of snapshots.
 * `Row` is the row as the crawl hands it over: one property per column, named as the column
 * (`FactTable` alone, with `never` rows, is any fact type's shape).
 */
export interface FactTable<Row = never> {
  /** Short name: the seal part, and the stem of every name below. */
  readonly part: string;
  /** Public view with one row per (complete snapshot, fact): `snapshot_<part>`. */
  readonly view: string;
  /** History table, data columns + `valid_from`, `valid_to` (inclusive snapshot ids): `hist_<part>`. */
  readonly hist: string;
  /** Connection-local TEMP table the crawl appends packed rows to: `stage_raw_<part>`. */
  readonly rawStage: string;
  /** Connection-local TEMP table of typed, de-duplicated rows built at publish: `stage_<part>`. */
  readonly stage: string;
  /** Column of `snapshot_runs` holding this table's row count. */
  readonly countColumn: keyof SnapshotCounts;
  /** Identity of a fact within one snapshot. */
  readonly key: readonly string[];
  /** Data columns in view order, keys first. */
  readonly columns: readonly ColumnDef[];
  /** The API listing (endpoint template) the rows come from, for the completeness record. */
  readonly listing: string;
  /** The coverage scope: collected unless the crawl was told to leave this scope out. */
  readonly coverage: CoverageScope;
  /**
   * The columns naming the parent whose disappearance mid-crawl (a 404 while its sub-lists are
   * read) removes the rows staged for it, e.g. `["group_id"]`; none for top-level catalogs.
   */
  readonly vanishesWith?: readonly string[];
  /** A usage timestamp that versions the row only coarsely (see UsageColumn). */
  readonly usage?: UsageColumn;
  /** A row's values in `columns` order (derived from the columns). */
  readonly values: (row: Row) => RawValue[];
}

/**
 * A timestamp that moves with use rather than with access (a key's `last_used_at`). At publish a
 * newer value replaces the recorded one only when the recorded one is null, when the new one is
 * null or earlier, or when the recorded one lies `resolutionDays` (less a day's margin for the
 * crawl's own length) or more before the snapshot's start. So the recorded value is exact when
 * it is at least `resolutionDays` old at the snapshot, and otherwise means "used within
 * `resolutionDays`"; a key in constant use adds one version per `resolutionDays`.
 */
export interface UsageColumn {
  readonly column: string;
  readonly resolutionDays: number;
}

export interface FactSpec {
  readonly part: string;
  readonly countColumn: keyof SnapshotCounts;
  readonly key: readonly string[];
  readonly columns: readonly ColumnDef[];
  readonly listing: string;
  /** Default `organization`. */
  readonly coverage?: CoverageScope;
  readonly vanishesWith?: readonly string[];
  readonly usage?: UsageColumn;
}

/** Declares a fact type: every table and view name and the value order follow from the spec. */
export function defineFact<Row extends object>(spec: FactSpec): FactTable<Row> {
  for (const key of spec.key) {
    if (!spec.columns.some((c) => c.name === key)) {
      throw new Error(`fact ${spec.part}: key ${key} is not a column`);
    }
  }
  for (const column of spec.vanishesWith ?? []) {
    if (!spec.key.includes(column)) {
      throw new Error(`fact ${spec.part}: vanishesWith column ${column} is not part of the key`);
    }
  }
  if (spec.usage !== undefined) {
    const usage = spec.columns.find((c) => c.name === spec.usage?.column);
    if (usage === undefined || usage.sql !== "TIMESTAMPTZ" || spec.key.includes(usage.name)) {
      throw new Error(`fact ${spec.part}: usage column must be a TIMESTAMPTZ outside the key`);
    }
  }
  const names = spec.columns.map((c) => c.name);
  return {
    ...spec,
    coverage: spec.coverage ?? "organization",
    view: `snapshot_${spec.part}`,
    hist: `hist_${spec.part}`,
    rawStage: `stage_raw_${spec.part}`,
    stage: `stage_${spec.part}`,
    values: (row: Row) => {
      const record = row as Record<string, RawValue | undefined>;
      return names.map((name) => record[name] ?? null);
    },
  };
}

export const varchar = (name: string): ColumnDef => ({ name, sql: "VARCHAR" });
export const boolean = (name: string): ColumnDef => ({ name, sql: "BOOLEAN" });
export const timestamptz = (name: string): ColumnDef => ({ name, sql: "TIMESTAMPTZ" });
export const varcharList = (name: string): ColumnDef => ({
  name,
  sql: "VARCHAR[]",
  jsonShape: '["VARCHAR"]',
});
/** A list of structs of VARCHAR fields, e.g. `STRUCT(principal_id VARCHAR, principal_type VARCHAR)[]`. */
export const structList = (name: string, fields: readonly string[]): ColumnDef => ({
  name,
  sql: `STRUCT(${fields.map((f) => `${f} VARCHAR`).join(", ")})[]`,
  jsonShape: `[{${fields.map((f) => `"${f}":"VARCHAR"`).join(",")}}]`,
});
