/**
 * The organization audit log in the store: events appended once each (deduplicated by event id)
 * in their own table, and one row per sync attempt, complete or failed, in a hash chain of its
 * own (separate from the snapshot seals: the log is a stream, not a state).
 *
 * Chain format ("openai-access-audit audit-log v1", reproducible with DuckDB and any SHA-256 tool):
 *  - an event's line is DuckDB's `json_array(…)::VARCHAR` of its columns in AUDIT_EVENT_COLUMNS
 *    order (timestamps as UTC text with microseconds, the event JSON embedded as JSON), and its
 *    `row_sha256` the SHA-256 of that line;
 *  - a sync's `events_sha256` is the SHA-256 of the row digests of the events it appended,
 *    concatenated in `seq` order (the empty string's digest when it appended none); `seq`
 *    follows the order the API listed the events in;
 *  - a sync's seal is the SHA-256 of
 *      "openai-access-audit audit-log v1\nprev " + previousSeal + "\n" + JSON.stringify(fields) + "\n"
 *    where fields are the sync's columns in AUDIT_SYNC_SEALED order (timestamps as ISO text) and
 *    previousSeal the previous sync's seal, or 64 zeros for the first.
 * `verify` recomputes every line, digest and seal, so a changed, added or removed event or sync
 * row is found and named.
 */
import { createHash } from "node:crypto";
import { StoreError } from "./errors.js";
export const AUDIT_CHAIN_FORMAT = "openai-access-audit audit-log v1";
const GENESIS = "0".repeat(64);
const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");
/** The columns read from the event at ingest, for joins (audit-log.ts auditEventColumns). */
const EXTRACTED = [
    "project_id",
    "project_name",
    "actor_type",
    "actor_user_id",
    "actor_email",
    "actor_ip",
    "actor_key_id",
    "actor_key_type",
    "actor_service_account_id",
    "source",
    "object_id",
    "principal_id",
    "principal_type",
    "resource_id",
    "resource_type",
];
/** The stored columns of an event, in the order its line (and so its digest) uses. */
export const AUDIT_EVENT_COLUMNS = [
    "seq",
    "sync_id",
    "event_id",
    "type",
    "effective_at",
    ...EXTRACTED,
    "event",
];
const iso = (column) => `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')`;
/** The canonical line of an event row (see the format above). */
export const AUDIT_EVENT_LINE_SQL = `json_array(${AUDIT_EVENT_COLUMNS.map((c) => c === "effective_at" ? iso(c) : c).join(", ")})::VARCHAR`;
/** The sync columns its seal covers, in order. */
export const AUDIT_SYNC_SEALED = [
    "sync_id",
    "started_at",
    "finished_at",
    "status",
    "reason",
    "read_from",
    "coverage_from",
    "covered_to",
    "snapshot_id",
    "base_url",
    "key_redacted",
    "tool_version",
    "requests",
    "events_read",
    "events_added",
    "first_seq",
    "last_seq",
    "events_sha256",
];
const SYNC_TIMESTAMPS = new Set([
    "started_at",
    "finished_at",
    "read_from",
    "coverage_from",
    "covered_to",
]);
function str(value) {
    return typeof value === "string" && value !== "" ? value : null;
}
function record(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value)
        ? value
        : null;
}
/**
 * Drops every key named `value` (the API's name for a full secret in create responses) before
 * anything is stored: an audit event should carry none, and the store must never hold one.
 */
function withoutSecrets(value) {
    if (Array.isArray(value))
        return value.map(withoutSecrets);
    const object = record(value);
    if (object === null)
        return value;
    const out = {};
    for (const [k, v] of Object.entries(object))
        if (k !== "value")
            out[k] = withoutSecrets(v);
    return out;
}
/**
 * The columns an event is joined on, read from its actor and from its detail object (keyed by
 * the event type). Role assignments carry principal and resource; every other detail its `id`.
 */
export function auditEventColumns(event) {
    const actor = record(event.actor);
    const session = record(actor?.session);
    const apiKey = record(actor?.api_key);
    const sessionUser = record(session?.user);
    const keyUser = record(apiKey?.user);
    const detail = record(event[event.type]);
    const project = record(event.project);
    return {
        project_id: str(project?.id),
        project_name: str(project?.name),
        actor_type: str(actor?.type),
        actor_user_id: str(sessionUser?.id) ?? str(keyUser?.id),
        actor_email: str(sessionUser?.email) ?? str(keyUser?.email),
        actor_ip: str(session?.ip_address),
        actor_key_id: str(apiKey?.id),
        actor_key_type: str(apiKey?.type),
        actor_service_account_id: str(record(apiKey?.service_account)?.id),
        source: str(event.source),
        object_id: str(detail?.id),
        principal_id: str(detail?.principal_id),
        principal_type: str(detail?.principal_type),
        resource_id: str(detail?.resource_id),
        resource_type: str(detail?.resource_type),
    };
}
function stagedEvent(event) {
    const columns = auditEventColumns(event);
    return [
        event.id,
        event.type,
        String(event.effective_at),
        ...EXTRACTED.map((c) => columns[c]),
        JSON.stringify(withoutSecrets(event)),
    ];
}
const STAGE_RAW = "audit_stage_raw";
const STAGE = "audit_stage";
const EVENTS_PER_BLOCK = 64;
/** Long events end a block early: big strings are costly to pin (as in staging.ts). */
const MAX_BLOCK_CHARS = 8192;
const BLOCKS_PER_APPEND = 256;
/** Events unpacked and appended per step: a bounded working set under a small memory_limit. */
const EVENTS_PER_STEP = 32_768;
/**
 * Unpacks the staged blocks of one step (`first_ord` in [$lo, $hi)): one row per event, in the
 * order the API listed them, without the events already held (the overlap re-reads some). The
 * paginator refuses an event listed twice within one listing.
 */
function unpackSql() {
    const cols = ["event_id", "type", "effective_s", ...EXTRACTED, "event"];
    const select = cols.map((c, i) => `p[${i + 1}] AS ${c}`).join(", ");
    return `CREATE OR REPLACE TEMP TABLE ${STAGE} AS
SELECT s.* FROM (
  SELECT ord, ${select} FROM (
    SELECT first_ord + i AS ord, from_json(line, '["VARCHAR"]') AS p FROM (
      SELECT first_ord, unnest(lines) AS line, unnest(range(len(lines))) AS i
      FROM (
        SELECT first_ord, string_split(block, chr(30)) AS lines FROM ${STAGE_RAW}
        WHERE first_ord >= $lo AND first_ord < $hi
      )
    )
  )
) AS s
ANTI JOIN (
  -- Only a window re-read for the overlap can hold them: the events held from its start on.
  SELECT event_id FROM audit_events
  WHERE sync_id < $sync_id AND effective_at >= to_timestamp($read_from)
) AS held USING (event_id)`;
}
/** Appends the unpacked step: `seq` continues from $base_seq in listing order. */
function insertSql() {
    const base = [
        "seq",
        "sync_id",
        "event_id",
        "type",
        "to_timestamp(effective_s::BIGINT) AS effective_at",
        ...EXTRACTED,
        "event::JSON AS event",
    ];
    return `INSERT INTO audit_events
SELECT *, sha256(${AUDIT_EVENT_LINE_SQL}) AS row_sha256 FROM (
  SELECT ${base.join(", ")} FROM (
    SELECT *, $base_seq + row_number() OVER (ORDER BY ord) AS seq,
      $sync_id::INTEGER AS sync_id
    FROM ${STAGE}
  )
)`;
}
/** Streams `SELECT digest …` rows into one SHA-256 (digests concatenated in query order). */
async function digestOf(connection, sql, params, onRow) {
    const hash = createHash("sha256");
    let rows = 0;
    const result = await connection.stream(sql, params);
    for (;;) {
        const chunk = await result.fetchChunk();
        const chunkRows = chunk?.rowCount ?? 0; // a native call: read once per chunk
        if (chunk === null || chunkRows === 0)
            break;
        const digests = chunk.getColumnVector(0);
        const all = onRow ? chunk.getRows() : null;
        let text = "";
        for (let row = 0; row < chunkRows; row++) {
            text += digests.getItem(row);
            if (onRow && all)
                onRow(all[row] ?? []);
        }
        hash.update(text, "ascii");
        rows += chunkRows;
    }
    return { sha256: rows === 0 ? EMPTY_SHA256 : hash.digest("hex"), rows };
}
function isoOf(value) {
    if (value === null || value === undefined)
        return null;
    return String(value);
}
/** The seal of one sync row, chained to the previous sync's seal. */
export function auditSyncSeal(previousSeal, row) {
    const fields = AUDIT_SYNC_SEALED.map((c) => {
        const v = row[c];
        return SYNC_TIMESTAMPS.has(c) ? isoOf(v) : (v ?? null);
    });
    const text = `${AUDIT_CHAIN_FORMAT}\nprev ${previousSeal}\n${JSON.stringify(fields)}\n`;
    return createHash("sha256").update(text, "utf8").digest("hex");
}
const SYNC_SELECT = `SELECT sync_id,
  ${AUDIT_SYNC_SEALED.filter((c) => c !== "sync_id")
    .map((c) => (SYNC_TIMESTAMPS.has(c) ? `${iso(c)} AS ${c}` : c))
    .join(", ")}, seal
FROM audit_log_syncs`;
function syncRowFrom(raw) {
    const num = (v) => (v === null || v === undefined ? null : Number(v));
    return {
        sync_id: Number(raw.sync_id),
        started_at: String(raw.started_at),
        finished_at: String(raw.finished_at),
        status: raw.status === "complete" ? "complete" : "failed",
        reason: raw.reason === null ? null : String(raw.reason),
        read_from: isoOf(raw.read_from),
        coverage_from: isoOf(raw.coverage_from),
        covered_to: isoOf(raw.covered_to),
        snapshot_id: num(raw.snapshot_id),
        base_url: String(raw.base_url),
        key_redacted: String(raw.key_redacted),
        tool_version: String(raw.tool_version),
        requests: Number(raw.requests),
        events_read: Number(raw.events_read),
        events_added: Number(raw.events_added),
        first_seq: num(raw.first_seq),
        last_seq: num(raw.last_seq),
        events_sha256: String(raw.events_sha256),
        seal: String(raw.seal),
    };
}
/** Every sync, oldest first. */
export async function listAuditSyncs(connection) {
    const reader = await connection.runAndReadAll(`${SYNC_SELECT} ORDER BY sync_id`);
    return reader.getRowObjectsJS().map((r) => syncRowFrom(r));
}
export async function auditLogPosition(connection) {
    const reader = await connection.runAndReadAll(`SELECT (SELECT epoch(max(effective_at))::BIGINT FROM audit_events),
            (SELECT count(*)::INTEGER FROM audit_log_syncs)`);
    const [newest, syncs] = reader.getRowsJS()[0] ?? [null, 0];
    return {
        newestEventAt: newest === null || newest === undefined ? null : Number(newest),
        syncs: Number(syncs),
    };
}
/** ISO text of a time in ms, for the sync row (microsecond precision kept by DuckDB). */
function isoMs(ms) {
    return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
/**
 * One sync in progress: events are staged as pages arrive (TEMP tables, so a killed process
 * leaves nothing behind), and `complete` appends the new ones and the sync row in one
 * transaction; `fail` records the attempt as a gap and appends nothing.
 */
export class AuditSyncWriter {
    connection;
    meta;
    lines = [];
    blocks = [];
    staged = 0;
    blockChars = 0;
    read = 0;
    open = true;
    constructor(connection, meta) {
        this.connection = connection;
        this.meta = meta;
    }
    static async begin(connection, meta) {
        await connection.run(`CREATE OR REPLACE TEMP TABLE ${STAGE_RAW} (first_ord BIGINT, block VARCHAR)`);
        return new AuditSyncWriter(connection, meta);
    }
    get eventsRead() {
        return this.read;
    }
    /** Stages a page of events (appends to DuckDB every few thousand). */
    async add(events) {
        if (!this.open)
            throw new StoreError("WRITER_CLOSED", "the audit-log sync has ended");
        for (const event of events) {
            const line = JSON.stringify(stagedEvent(event));
            this.lines.push(line);
            this.blockChars += line.length;
            this.read += 1;
            if (this.lines.length === EVENTS_PER_BLOCK || this.blockChars >= MAX_BLOCK_CHARS) {
                this.endBlock();
            }
        }
        if (this.blocks.length >= BLOCKS_PER_APPEND)
            await this.appendBlocks();
    }
    endBlock() {
        if (this.lines.length === 0)
            return;
        this.blocks.push({ firstOrd: this.staged, text: this.lines.join("\u001e") });
        this.staged += this.lines.length;
        this.lines = [];
        this.blockChars = 0;
    }
    async appendBlocks() {
        if (this.blocks.length === 0)
            return;
        const appender = await this.connection.createAppender(STAGE_RAW, "main", "temp");
        try {
            for (const block of this.blocks) {
                appender.appendBigInt(BigInt(block.firstOrd));
                appender.appendVarchar(block.text);
                appender.endRow();
            }
            appender.flushSync();
        }
        finally {
            appender.closeSync();
        }
        this.blocks = [];
    }
    /**
     * Appends the events not held yet and the sync row. `readFrom`: the lower bound sent (unix
     * s), null for a whole-log read; `coverageFrom`: the start of the window vouched for.
     */
    async complete(options) {
        this.endBlock();
        await this.appendBlocks();
        const c = this.connection;
        await c.run("BEGIN TRANSACTION");
        try {
            const head = await c.runAndReadAll(`SELECT coalesce((SELECT max(seq) FROM audit_events), 0)::BIGINT,
                coalesce((SELECT max(sync_id) FROM audit_log_syncs), 0)::INTEGER`);
            const [maxSeq, maxSync] = (head.getRowsJS()[0] ?? [0, 0]).map(Number);
            const syncId = maxSync + 1;
            let next = maxSeq;
            for (let lo = 0; lo < this.staged; lo += EVENTS_PER_STEP) {
                await c.run(unpackSql(), {
                    lo,
                    hi: lo + EVENTS_PER_STEP,
                    sync_id: syncId,
                    // A whole-log read (no lower bound) happens only when nothing is held yet.
                    read_from: options.readFrom ?? 0,
                });
                await c.run(insertSql(), { base_seq: next, sync_id: syncId });
                const n = await c.runAndReadAll(`SELECT count(*)::BIGINT FROM ${STAGE}`);
                next += Number(n.getRowsJS()[0]?.[0] ?? 0);
            }
            const digest = await digestOf(c, "SELECT row_sha256 FROM audit_events WHERE sync_id = $1 ORDER BY seq", [syncId]);
            const row = await this.insertSync(c, syncId, {
                status: "complete",
                reason: null,
                read_from: options.readFrom === null ? null : isoMs(options.readFrom * 1000),
                coverage_from: isoMs(options.coverageFrom * 1000),
                covered_to: isoMs(this.meta.startedAtMs),
                requests: options.requests,
                events_added: digest.rows,
                first_seq: digest.rows === 0 ? null : maxSeq + 1,
                last_seq: digest.rows === 0 ? null : maxSeq + digest.rows,
                events_sha256: digest.sha256,
            });
            await c.run("COMMIT");
            return row;
        }
        catch (error) {
            await c.run("ROLLBACK").catch(() => { });
            throw error;
        }
        finally {
            await this.close();
        }
    }
    /** Records the attempt as failed (a gap, with why), adding no events. */
    async fail(reason, requests) {
        const c = this.connection;
        await c.run("BEGIN TRANSACTION");
        try {
            const head = await c.runAndReadAll("SELECT coalesce(max(sync_id), 0)::INTEGER FROM audit_log_syncs");
            const syncId = Number(head.getRowsJS()[0]?.[0] ?? 0) + 1;
            const row = await this.insertSync(c, syncId, {
                status: "failed",
                reason,
                read_from: null,
                coverage_from: null,
                covered_to: null,
                requests,
                events_added: 0,
                first_seq: null,
                last_seq: null,
                events_sha256: EMPTY_SHA256,
            });
            await c.run("COMMIT");
            return row;
        }
        catch (error) {
            await c.run("ROLLBACK").catch(() => { });
            throw error;
        }
        finally {
            await this.close();
        }
    }
    /** Drops the staging (an interrupted sync records nothing). */
    async close() {
        if (!this.open)
            return;
        this.open = false;
        this.lines = [];
        this.blocks = [];
        await this.connection.run(`DROP TABLE IF EXISTS temp.${STAGE_RAW}`).catch(() => { });
        await this.connection.run(`DROP TABLE IF EXISTS temp.${STAGE}`).catch(() => { });
    }
    async insertSync(c, syncId, fields) {
        const previous = await c.runAndReadAll("SELECT seal FROM audit_log_syncs ORDER BY sync_id DESC LIMIT 1");
        const previousSeal = String(previous.getRowsJS()[0]?.[0] ?? GENESIS);
        const unsealed = {
            sync_id: syncId,
            started_at: isoMs(this.meta.startedAtMs),
            finished_at: isoMs(Date.now()),
            snapshot_id: this.meta.snapshotId,
            base_url: this.meta.baseUrl,
            key_redacted: this.meta.keyRedacted,
            tool_version: this.meta.toolVersion,
            events_read: this.read,
            ...fields,
        };
        const seal = auditSyncSeal(previousSeal, unsealed);
        const ts = (v) => (v === null ? null : v);
        await c.run(`INSERT INTO audit_log_syncs VALUES ($sync_id, $started_at::TIMESTAMPTZ, $finished_at::TIMESTAMPTZ,
        $status, $reason, $read_from::TIMESTAMPTZ, $coverage_from::TIMESTAMPTZ, $covered_to::TIMESTAMPTZ,
        $snapshot_id::INTEGER, $base_url, $key_redacted, $tool_version, $requests::INTEGER,
        $events_read::BIGINT, $events_added::BIGINT, $first_seq::BIGINT, $last_seq::BIGINT,
        $events_sha256, $seal)`, {
            sync_id: syncId,
            started_at: unsealed.started_at,
            finished_at: unsealed.finished_at,
            status: unsealed.status,
            reason: unsealed.reason,
            read_from: ts(unsealed.read_from),
            coverage_from: ts(unsealed.coverage_from),
            covered_to: ts(unsealed.covered_to),
            snapshot_id: unsealed.snapshot_id,
            base_url: unsealed.base_url,
            key_redacted: unsealed.key_redacted,
            tool_version: unsealed.tool_version,
            requests: unsealed.requests,
            events_read: unsealed.events_read,
            events_added: unsealed.events_added,
            first_seq: unsealed.first_seq,
            last_seq: unsealed.last_seq,
            events_sha256: unsealed.events_sha256,
            seal,
        });
        // Read back: the row as stored is what the seal must match (verify recomputes from it).
        const stored = await c.runAndReadAll(`${SYNC_SELECT} WHERE sync_id = $1`, [syncId]);
        const row = syncRowFrom(stored.getRowObjectsJS()[0] ?? {});
        if (auditSyncSeal(previousSeal, row) !== seal) {
            throw new StoreError("SEAL_MISMATCH", `audit-log sync ${syncId}: the stored row does not reproduce its seal`);
        }
        return row;
    }
}
/** Recomputes every event line, each sync's events digest and seal, and the chain. */
export async function verifyAuditLog(connection) {
    const syncs = await listAuditSyncs(connection);
    const results = [];
    let previousSeal = GENESIS;
    for (const sync of syncs) {
        const problems = [];
        const changed = [];
        let count = 0;
        let changedCount = 0;
        const digest = await digestOf(connection, `SELECT sha256(${AUDIT_EVENT_LINE_SQL}) AS computed, event_id, row_sha256, seq
       FROM audit_events WHERE sync_id = $1 ORDER BY seq`, [sync.sync_id], (row) => {
            const [computed, eventId, stored, seq] = row;
            const expectedSeq = (sync.first_seq ?? 0) + count;
            count += 1;
            if (computed !== stored || Number(seq) !== expectedSeq) {
                changedCount += 1;
                if (changed.length < 20)
                    changed.push(eventId);
            }
        });
        if (changedCount > 0) {
            problems.push(`${changedCount} event(s) differ from what was appended`);
        }
        if (digest.rows !== sync.events_added) {
            problems.push(`holds ${digest.rows} event(s); ${sync.events_added} were appended`);
        }
        if (digest.sha256 !== sync.events_sha256)
            problems.push("the events digest does not match");
        const { seal, ...unsealed } = sync;
        if (auditSyncSeal(previousSeal, unsealed) !== seal) {
            problems.push("the sync's seal does not match its row and the previous seal");
        }
        results.push({
            sync_id: sync.sync_id,
            ok: problems.length === 0,
            changed_events: changed,
            problems,
        });
        previousSeal = seal;
    }
    const issues = [];
    const orphans = await connection.runAndReadAll(`SELECT count(*)::INTEGER FROM audit_events AS e
     ANTI JOIN audit_log_syncs AS s ON s.sync_id = e.sync_id AND s.status = 'complete'`);
    const orphanCount = Number(orphans.getRowsJS()[0]?.[0] ?? 0);
    if (orphanCount > 0) {
        issues.push(`audit_events: ${orphanCount} event(s) that no complete sync appended`);
    }
    syncs.forEach((s, i) => {
        if (s.sync_id !== i + 1)
            issues.push(`audit_log_syncs: sync ${i + 1} is missing`);
    });
    return { ok: issues.length === 0 && results.every((r) => r.ok), syncs: results, issues };
}
//# sourceMappingURL=audit-log.js.map