/**
 * The audit store: one DuckDB file holding every snapshot of an organization's
 * groups, members and role assignments. The crawler, CLI and reports import
 * from here only.
 *
 * Public schema (views; query them with SQL, e.g. `store.query`):
 *  - `snapshots` — one row per crawl, any status (`running`, `complete`,
 *    `failed`, `abandoned`, `pruned`): timing, base URL, tool version, redacted key,
 *    schema version, row counts, requests/retries/rate_limited, vanished
 *    groups/users, duplicate rows dropped, error, the seal, and `pruned_at`.
 *    A `pruned` snapshot was complete; retention removed its rows but kept
 *    its counts and seal, which later seals chain through.
 *  - `snapshot_holds(snapshot_id, reason, created_at)` — legal holds: retention
 *    never prunes a held snapshot.
 *  - data views, complete snapshots only, one row per (snapshot_id, fact):
 *    `snapshot_groups`, `snapshot_group_members`, `snapshot_group_roles`,
 *    `snapshot_roles`, `snapshot_users`, `snapshot_user_roles`.
 *    Timestamps are TIMESTAMPTZ (UTC), `permissions` is VARCHAR[],
 *    `assignment_sources` is STRUCT(principal_id VARCHAR, principal_type VARCHAR)[]
 *    (NULL when the API omitted it).
 *  - evidence: `snapshot_endpoints` (pages/items/completed per endpoint
 *    template), `snapshot_vanished_groups`, `snapshot_vanished_users`,
 *    `snapshot_seal_parts` (per-part hashes behind each seal).
 *  - `exception_events` — the exceptions register (accepted risks): append-only `add` and
 *    `expire` entries in a hash chain (src/store/exceptions.ts); read it with
 *    `store.readExceptions()`.
 *  - `schema_migrations(version, name, applied_at)`.
 * Storage behind the views (`hist_*` tables with valid_from/valid_to snapshot
 * ranges, `snapshot_runs`, `run_*`) is internal and may change with migrations.
 */
export { AUDIT_CHAIN_FORMAT, AuditSyncWriter, auditEventColumns, } from "./audit-log.js";
export { isoFromMicros, useDatabaseLockWait } from "./db.js";
export { StoreError } from "./errors.js";
export { EXCEPTION_SUBJECT_FIELDS, EXCEPTIONS_CHAIN_FORMAT, ExceptionRegisterError, } from "./exceptions.js";
export { EXPORT_FORMATS, EXPORT_VIEWS, ExportError, exportSnapshots, } from "./export.js";
export { MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";
export { describePolicy, KEEP_ALL, parseDuration, planRetention, } from "./retention.js";
export { GENESIS_SEAL, SEAL_FORMAT } from "./seal.js";
export { DEFAULT_MEMORY_LIMIT, DEFAULT_STAGING_MEMORY_LIMIT, Store, } from "./store.js";
//# sourceMappingURL=index.js.map