/**
 * The seal: SHA-256 over a canonical serialisation of one complete snapshot,
 * chained to the previous complete snapshot's seal.
 *
 * Format v1 (reproducible with DuckDB and any SHA-256 tool):
 *  - A snapshot is serialised as parts, in this fixed order: `snapshot` (its
 *    row in the `snapshots` view, columns SEALED_SNAPSHOT_COLUMNS), then
 *    `groups`, `group_members`, `group_roles`, `roles`, `users`,
 *    `user_roles` (the data views), `endpoints`, `vanished_groups`,
 *    `vanished_users`.
 *  - A part's rows are the view's rows for the snapshot without the
 *    `snapshot_id` column (except in `snapshot`), columns in view order.
 *  - Each row is one line: DuckDB's `json_array(col, …)` of the row. The
 *    JSON is compact (no spaces) and identical to `JSON.stringify` of the
 *    array, except that control characters other than \b \f \n \r \t are
 *    escaped with uppercase hex (`\u001F`). Strings, booleans, integers and
 *    null are JSON scalars; VARCHAR[] is an array; assignment sources are
 *    `[{"principal_id":…,"principal_type":…}]`; TIMESTAMPTZ is UTC text with
 *    microseconds, `2024-01-02T03:04:05.000000Z`.
 *  - row digest = lowercase hex SHA-256 of the line's UTF-8 bytes.
 *  - part hash = lowercase hex SHA-256 of the row digests sorted ascending
 *    and concatenated (64 hex characters each, no separator). Sorting the
 *    fixed-width digests rather than the rows gives a total order that needs
 *    nothing but the lines to reproduce, and keeps the sort narrow enough to
 *    spill within a small memory_limit however wide the rows are.
 *  - seal = lowercase hex SHA-256 of the UTF-8 text
 *      "openai-access-audit seal v1\n" + "prev " + previousSeal + "\n"
 *      + for each part: part + " " + rowCount + " " + partHash + "\n"
 *    where previousSeal is the seal of the previous complete snapshot, or 64
 *    zeros for the first one.
 * DuckDB renders and digests the lines; the sorted digests are streamed chunk
 * by chunk into the part hash, so no snapshot is ever held whole in memory.
 *
 * Format v2 (snapshots of schema version 6 and later, which may hold projects) is v1 with:
 *  - the first line "openai-access-audit seal v2";
 *  - the `snapshot` part's columns SEALED_SNAPSHOT_COLUMNS_V2 (v1's, then the project counts,
 *    `vanished_project_access` and `uncollected`, the sorted list of coverage scopes the crawl
 *    did not collect);
 *  - after `user_roles`: `projects`, `project_users`, `project_groups`, `project_roles`,
 *    `project_group_roles`, `project_user_roles`; after `vanished_users`:
 *    `vanished_project_access` (project_id, principal_type, principal_id).
 *
 * Format v3 (schema version 8 and later, which may hold credentials) is v2 with:
 *  - the first line "openai-access-audit seal v3";
 *  - the `snapshot` part's columns SEALED_SNAPSHOT_COLUMNS_V3 (v2's, then `service_accounts`,
 *    `api_keys`, `admin_keys`, `invites`);
 *  - after `project_user_roles`: `service_accounts`, `api_keys`, `admin_keys`, `invites`.
 * A snapshot is sealed and verified in the format of the schema version it was written with
 * (its `schema_version`, itself sealed), so a database's older seals keep verifying.
 */
import { createHash } from "node:crypto";
import type { DuckDBConnection } from "@duckdb/node-api";
import { FACT_TABLES, ident } from "./schema.js";

export const SEAL_FORMAT = "openai-access-audit seal v1";
export const SEAL_FORMAT_V2 = "openai-access-audit seal v2";
/** The first schema version whose snapshots are sealed in format v2. */
export const SEAL_V2_SCHEMA_VERSION = 6;
export const SEAL_FORMAT_V3 = "openai-access-audit seal v3";
/** The first schema version whose snapshots are sealed in format v3. */
export const SEAL_V3_SCHEMA_VERSION = 8;
export const GENESIS_SEAL = "0".repeat(64);

export interface SealPart {
  readonly part: string;
  readonly rowCount: number;
  readonly sha256: string;
}

export interface Seal {
  readonly seal: string;
  readonly parts: readonly SealPart[];
}

interface PartQuery {
  readonly part: string;
  readonly view: string;
  readonly columns: readonly string[];
  /** Columns of type TIMESTAMPTZ, rendered as ISO-8601 UTC text. */
  readonly timestamps: readonly string[];
}

/** Columns of the `snapshots` view that the seal covers: all but status, seal and error. */
export const SEALED_SNAPSHOT_COLUMNS = [
  "snapshot_id",
  "started_at",
  "finished_at",
  "base_url",
  "tool_version",
  "key_redacted",
  "schema_version",
  "groups",
  "memberships",
  "group_role_assignments",
  "users",
  "user_role_assignments",
  "roles",
  "requests",
  "retries",
  "rate_limited",
  "vanished_groups",
  "vanished_users",
  "duplicate_rows",
] as const;

/** v2 adds the project counts and what the crawl did not collect. */
export const SEALED_SNAPSHOT_COLUMNS_V2 = [
  ...SEALED_SNAPSHOT_COLUMNS,
  "projects",
  "project_memberships",
  "project_groups",
  "project_roles",
  "project_group_role_assignments",
  "project_user_role_assignments",
  "vanished_project_access",
  "uncollected",
] as const;

/** v3 adds the credential counts. */
export const SEALED_SNAPSHOT_COLUMNS_V3 = [
  ...SEALED_SNAPSHOT_COLUMNS_V2,
  "service_accounts",
  "api_keys",
  "admin_keys",
  "invites",
] as const;

/** The fact types format v1 seals (the six of schema versions 1 to 5). */
const V1_FACT_PARTS = ["groups", "group_members", "group_roles", "roles", "users", "user_roles"];
/** The fact types format v2 seals (schema versions 6 and 7): v1's and the six project ones. */
const V2_FACT_PARTS = [
  ...V1_FACT_PARTS,
  "projects",
  "project_users",
  "project_groups",
  "project_roles",
  "project_group_roles",
  "project_user_roles",
];

function factParts(tables: typeof FACT_TABLES): PartQuery[] {
  return tables.map((table) => {
    const columns = table.columns.map((c) => c.name);
    return {
      part: table.part,
      view: table.view,
      columns,
      timestamps: table.columns.filter((c) => c.sql === "TIMESTAMPTZ").map((c) => c.name),
    };
  });
}

const EVIDENCE_PARTS: readonly PartQuery[] = [
  {
    part: "endpoints",
    view: "snapshot_endpoints",
    columns: ["endpoint", "pages", "items", "completed"],
    timestamps: [],
  },
  {
    part: "vanished_groups",
    view: "snapshot_vanished_groups",
    columns: ["group_id"],
    timestamps: [],
  },
  {
    part: "vanished_users",
    view: "snapshot_vanished_users",
    columns: ["user_id"],
    timestamps: [],
  },
];

/** Format v1: schema versions 1 to 5. */
export const SEAL_PARTS_V1: readonly PartQuery[] = [
  {
    part: "snapshot",
    view: "snapshots",
    columns: SEALED_SNAPSHOT_COLUMNS,
    timestamps: ["started_at", "finished_at"],
  },
  ...factParts(FACT_TABLES.filter((t) => V1_FACT_PARTS.includes(t.part))),
  ...EVIDENCE_PARTS,
];

const VANISHED_PROJECT_ACCESS_PART: PartQuery = {
  part: "vanished_project_access",
  view: "snapshot_vanished_project_access",
  columns: ["project_id", "principal_type", "principal_id"],
  timestamps: [],
};

/** Format v2: schema versions 6 and 7. */
export const SEAL_PARTS_V2: readonly PartQuery[] = [
  {
    part: "snapshot",
    view: "snapshots",
    columns: SEALED_SNAPSHOT_COLUMNS_V2,
    timestamps: ["started_at", "finished_at"],
  },
  ...factParts(FACT_TABLES.filter((t) => V2_FACT_PARTS.includes(t.part))),
  ...EVIDENCE_PARTS,
  VANISHED_PROJECT_ACCESS_PART,
];

/** Format v3: every fact type, in FACT_TABLES order. */
export const SEAL_PARTS: readonly PartQuery[] = [
  {
    part: "snapshot",
    view: "snapshots",
    columns: SEALED_SNAPSHOT_COLUMNS_V3,
    timestamps: ["started_at", "finished_at"],
  },
  ...factParts(FACT_TABLES),
  ...EVIDENCE_PARTS,
  VANISHED_PROJECT_ACCESS_PART,
];

/** The format a snapshot written with `schemaVersion` is sealed in. */
export function sealFormatFor(schemaVersion: number): {
  format: string;
  parts: readonly PartQuery[];
} {
  if (schemaVersion >= SEAL_V3_SCHEMA_VERSION) return { format: SEAL_FORMAT_V3, parts: SEAL_PARTS };
  if (schemaVersion >= SEAL_V2_SCHEMA_VERSION) {
    return { format: SEAL_FORMAT_V2, parts: SEAL_PARTS_V2 };
  }
  return { format: SEAL_FORMAT, parts: SEAL_PARTS_V1 };
}

/** The SQL that renders a part's canonical lines (in no particular order). */
export function partLinesSql(part: PartQuery): string {
  const values = part.columns.map((c) =>
    part.timestamps.includes(c)
      ? `strftime(${ident(c)} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')`
      : ident(c),
  );
  return `SELECT json_array(${values.join(", ")})::VARCHAR AS line FROM ${ident(part.view)}
WHERE snapshot_id = $1`;
}

/** The row digests of a part, sorted: what the part hash is computed over. */
export function partDigestsSql(part: PartQuery): string {
  return `SELECT sha256(line) AS digest FROM (${partLinesSql(part)}) ORDER BY digest`;
}

async function hashPart(
  connection: DuckDBConnection,
  part: PartQuery,
  snapshotId: number,
): Promise<SealPart> {
  const hash = createHash("sha256");
  let rowCount = 0;
  const result = await connection.stream(partDigestsSql(part), [snapshotId]);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const digests = chunk.getColumnVector(0);
    let text = "";
    for (let row = 0; row < chunk.rowCount; row++) text += digests.getItem(row);
    hash.update(text, "ascii");
    rowCount += chunk.rowCount;
  }
  return { part: part.part, rowCount, sha256: hash.digest("hex") };
}

export function chainSeal(
  previousSeal: string,
  parts: readonly SealPart[],
  format: string = SEAL_FORMAT,
): string {
  let text = `${format}\nprev ${previousSeal}\n`;
  for (const p of parts) text += `${p.part} ${p.rowCount} ${p.sha256}\n`;
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Seals one snapshot from the public views. Inside the publish transaction it
 * sees the snapshot as it is about to be committed; `verify` calls the same
 * function on the stored data.
 */
export async function computeSeal(
  connection: DuckDBConnection,
  snapshotId: number,
  previousSeal: string,
): Promise<Seal> {
  const version = await connection.runAndReadAll(
    "SELECT schema_version FROM snapshot_runs WHERE snapshot_id = $1",
    [snapshotId],
  );
  const { format, parts: queries } = sealFormatFor(Number(version.getRowsJS()[0]?.[0] ?? 0));
  const parts: SealPart[] = [];
  for (const part of queries) parts.push(await hashPart(connection, part, snapshotId));
  return { seal: chainSeal(previousSeal, parts, format), parts };
}
