import { duckdb } from "../util/duckdb.js";
import { memoryLimitLiteral } from "./db.js";
import { StoreError } from "./errors.js";
import { SCHEMA_VERSION } from "./migrations.js";
import { FACT_TABLES, ident, } from "./schema.js";
import { computeSeal, GENESIS_SEAL, hashStagedParts } from "./seal.js";
import { createStageBuffer, unpackStageSql, } from "./staging.js";
/** TEMP table of rows to remove at publish (vanished groups and users). */
const DROPS_TABLE = "stage_drops";
/** Per-phase wall time and RSS of a publish, for the log; `phase` names where a failure happened. */
class PhaseTimer {
    timings = {};
    phase = "flush";
    started = performance.now();
    mark = this.started;
    lap(finished) {
        const now = performance.now();
        this.timings[finished] = Math.round(now - this.mark);
        this.timings[`${finished}RssMb`] = Math.round(process.memoryUsage.rss() / 1e6);
        // The process's peak so far (maxRSS is in KiB): a phase's own high-water mark falls between
        // two laps.
        const peakBytes = process.resourceUsage().maxRSS * 1024;
        this.timings[`${finished}PeakRssMb`] = Math.round(peakBytes / 1e6);
        this.mark = now;
        this.phase = `after ${finished}`;
    }
    elapsed() {
        return Math.round(performance.now() - this.started);
    }
}
export function isOutOfMemory(error) {
    return /Out of Memory Error/i.test(errorText(error));
}
/** Instance-wide; staging runs with a low limit so TEMP tables spill early. */
async function setMemoryLimit(raw, limit) {
    await raw.run(`SET memory_limit = ${memoryLimitLiteral(limit)}`);
}
function nowValue() {
    return duckdb().timestampTZValue(BigInt(Date.now()) * 1000n);
}
/** The key of a drop: the parent's id values joined by U+001F (as `concat_ws(chr(31), …)` in SQL). */
function dropId(values) {
    return values.join("\u001f");
}
function errorText(error) {
    return error instanceof Error ? error.message : String(error);
}
/** Same fact: equal key and no attribute distinct (NULL-safe, lists compared whole). */
function sameFact(table, a, b) {
    return table.columns
        .map(({ name }) => table.key.includes(name)
        ? `${a}.${ident(name)} = ${b}.${ident(name)}`
        : `${a}.${ident(name)} IS NOT DISTINCT FROM ${b}.${ident(name)}`)
        .join(" AND ");
}
/**
 * Facts unchanged since the previous complete snapshot keep their row; new or
 * changed versions start at this snapshot; versions no longer seen end at the
 * previous complete snapshot. Rows per snapshot therefore grow with churn only.
 */
async function mergeIntoHistory(connection, table, snapshotId, previousComplete, staged) {
    if (!staged) {
        // Nothing staged (no stage table): every current version ends; the same as the anti joins below.
        const closed = await connection.run(`UPDATE ${ident(table.hist)} SET valid_to = coalesce($2::INTEGER, valid_from - 1)
       WHERE valid_to IS NULL AND valid_from < $1::INTEGER`, [snapshotId, previousComplete]);
        return { inserted: 0, closed: closed.rowsChanged };
    }
    if (table.usage !== undefined)
        await keepRecordedUsage(connection, table, snapshotId);
    const columns = table.columns.map((c) => ident(c.name)).join(", ");
    const stageColumns = table.columns.map((c) => `s.${ident(c.name)}`).join(", ");
    const hist = ident(table.hist);
    const stage = ident(table.stage);
    // Explicit ANTI JOINs against only the current versions: a plain hash anti
    // join, several times faster than the equivalent NOT EXISTS under a low memory_limit.
    const inserted = await connection.run(`INSERT INTO ${hist} (${columns}, valid_from, valid_to)
     SELECT ${stageColumns}, $1::INTEGER, NULL
     FROM ${stage} AS s
     ANTI JOIN (SELECT * FROM ${hist} WHERE valid_to IS NULL) AS h ON ${sameFact(table, "h", "s")}`, [snapshotId]);
    // Without a previous complete snapshot there is nothing legitimate to close;
    // anything found was not written by publish and is hidden (verify reports it).
    const closed = await connection.run(`UPDATE ${hist} SET valid_to = coalesce($2::INTEGER, valid_from - 1)
     WHERE rowid IN (
       SELECT h.rowid FROM ${hist} AS h
       ANTI JOIN ${stage} AS s ON ${sameFact(table, "s", "h")}
       WHERE h.valid_to IS NULL AND h.valid_from < $1::INTEGER)`, [snapshotId, previousComplete]);
    return { inserted: inserted.rowsChanged, closed: closed.rowsChanged };
}
/**
 * A use of a key is not a change of access: the staged usage timestamp takes the current
 * version's value unless that value is null, the new one is null or earlier, or the recorded
 * use is at least the resolution (less a day, the margin for a long crawl) before this
 * snapshot's start (UsageColumn in src/facts/types.ts). The row then versions only on other
 * changes, on a first use, or once per resolution of constant use.
 */
async function keepRecordedUsage(connection, table, snapshotId) {
    const usage = table.usage;
    if (usage === undefined)
        return;
    const column = ident(usage.column);
    const stage = ident(table.stage);
    const keys = table.key.map((k) => `${stage}.${ident(k)} = h.${ident(k)}`).join(" AND ");
    await connection.run(`UPDATE ${stage} SET ${column} = h.${column}
     FROM (SELECT * FROM ${ident(table.hist)} WHERE valid_to IS NULL) AS h
     WHERE ${keys}
       AND ${stage}.${column} > h.${column}
       AND h.${column} > (SELECT started_at FROM snapshot_runs WHERE snapshot_id = $1)
         - to_days($2::INTEGER) + INTERVAL 1 DAY`, [snapshotId, usage.resolutionDays]);
}
/** Rows per INSERT of insertRows: a statement per row cost more than the rows themselves. */
const ROWS_PER_INSERT = 256;
/** Inserts rows (values in `columns` order) with one parameterised INSERT per ROWS_PER_INSERT rows. */
async function insertRows(raw, table, columns, rows) {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
        const batch = rows.slice(start, start + ROWS_PER_INSERT);
        const tuples = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(", ")})`);
        await raw.run(`INSERT INTO ${ident(table)} (${columns.map(ident).join(", ")}) VALUES ${tuples.join(", ")}`, batch.flat());
    }
}
/** Inserts and commits a snapshot's `running` row with the next id; returns the id. */
async function insertRunningRow(raw, meta, startedAt) {
    const next = await raw.runAndReadAll("SELECT (coalesce(max(snapshot_id), 0) + 1)::INTEGER FROM snapshot_runs");
    const snapshotId = Number(next.getRowsJS()[0]?.[0]);
    await raw.run(`INSERT INTO snapshot_runs
       (snapshot_id, started_at, status, base_url, tool_version, key_redacted, schema_version,
        uncollected)
     VALUES ($1, $2, 'running', $3, $4, $5, $6, $7::VARCHAR[])`, [
        snapshotId,
        duckdb().timestampTZValue(BigInt(startedAt) * 1000n),
        meta.baseUrl,
        meta.toolVersion,
        meta.keyRedacted,
        SCHEMA_VERSION,
        JSON.stringify([...new Set(meta.uncollected ?? [])].sort()),
    ]);
    return snapshotId;
}
/**
 * Keeps the last staged row per key (a page read twice, a user renamed between pages); returns
 * the rows removed and the rows kept.
 */
async function removeDuplicateKeys(connection, table) {
    const stage = ident(table.stage);
    const key = table.key.map(ident).join(", ");
    const reader = await connection.runAndReadAll(`SELECT (SELECT count(*) FROM ${stage})::INTEGER, (SELECT count(*) FROM (SELECT DISTINCT ${key} FROM ${stage}))::INTEGER`);
    const [all, distinct] = (reader.getRowsJS()[0] ?? [0, 0]).map(Number);
    if (all > distinct) {
        await connection.run(`DELETE FROM ${stage} WHERE seq NOT IN (SELECT max(seq) FROM ${stage} GROUP BY ${key})`);
    }
    return { duplicates: all - distinct, rows: distinct };
}
export class StoreSnapshotWriter {
    id;
    connection;
    buffers;
    memoryLimits;
    logger;
    onFinished;
    meta;
    startedAt;
    target;
    state = "staging";
    endpoints = new Map();
    vanishedGroups = new Set();
    vanishedUsers = new Set();
    /**
     * Publish progress that survives a retry: tables already unpacked; per table de-duplicated,
     * the duplicates removed and the rows kept.
     */
    unpacked = new Set();
    staged = new Map();
    prepared = null;
    vanishedProjectAccess = new Map();
    /** Staged rows to remove at publish: `id` is the values of the table's `vanishesWith` columns. */
    drops = [];
    stopIdleListener;
    uncollected;
    /**
     * Who runs the crawl: written with the publish, whose memory budget has room for it (the
     * `running` row is inserted under the staging budget, which a tight limit leaves no room in).
     */
    runBy;
    /** Whether the `running` row is in the database (at once, or at publish with a target). */
    runningRecorded;
    constructor(id, connection, buffers, memoryLimits, logger, onFinished, meta, startedAt, target) {
        this.id = id;
        this.connection = connection;
        this.buffers = buffers;
        this.memoryLimits = memoryLimits;
        this.logger = logger;
        this.onFinished = onFinished;
        this.meta = meta;
        this.startedAt = startedAt;
        this.target = target;
        this.uncollected = new Set(meta.uncollected ?? []);
        this.runBy = { user: meta.crawlUser ?? null, host: meta.crawlHost ?? null };
        this.runningRecorded = target === null;
        this.stopIdleListener = connection.onIdle(() => {
            for (const buffer of this.allBuffers())
                buffer.appendReady();
        });
    }
    /**
     * Creates the staging tables, then inserts and commits the `running` row; with a `target`
     * (staging apart from the database) the row waits for the publish (recordRunning).
     */
    static async begin(connection, meta, memoryLimits, logger, onFinished, target = null) {
        return connection.exclusive(async (raw) => {
            // Staging first: if it cannot be set up, no `running` row is left behind.
            const buffers = new Map();
            for (const table of FACT_TABLES) {
                buffers.set(table.part, await createStageBuffer(raw, connection, table));
            }
            const startedAt = Date.now();
            let snapshotId;
            try {
                // Committed on its own, before any data: a crash from here on is visible as `running`.
                snapshotId = target?.expectedId ?? (await insertRunningRow(raw, meta, startedAt));
                await setMemoryLimit(raw, memoryLimits.staging);
            }
            catch (error) {
                for (const buffer of buffers.values())
                    buffer.discard();
                throw error;
            }
            logger.info({ snapshotId, baseUrl: meta.baseUrl }, "snapshot started");
            return new StoreSnapshotWriter(snapshotId, connection, buffers, memoryLimits, logger, onFinished, meta, startedAt, target);
        });
    }
    get snapshotId() {
        return this.id;
    }
    add(table, row) {
        this.assertStaging();
        const buffer = this.buffers.get(table.part);
        if (buffer === undefined)
            throw new TypeError(`${table.part} is not a declared fact type`);
        if (this.uncollected.has(table.coverage)) {
            throw new TypeError(`${table.part} belongs to coverage scope ${table.coverage}, which this snapshot does not collect`);
        }
        buffer.add(row);
    }
    recordEndpoint(e) {
        this.assertStaging();
        const seen = this.endpoints.get(e.endpoint);
        this.endpoints.set(e.endpoint, seen
            ? {
                endpoint: e.endpoint,
                pages: seen.pages + e.pages,
                items: seen.items + e.items,
                completed: seen.completed && e.completed,
            }
            : { ...e });
    }
    recordVanishedGroup(groupId) {
        this.assertStaging();
        this.vanishedGroups.add(groupId);
    }
    recordVanishedUser(userId) {
        this.assertStaging();
        this.vanishedUsers.add(userId);
    }
    async dropGroup(groupId) {
        this.recordDrop(["group_id"], [groupId]);
        this.logger.debug({ snapshotId: this.snapshotId, groupId }, "dropping staged rows of group");
    }
    async dropUser(userId) {
        this.recordDrop(["user_id"], [userId]);
        this.logger.debug({ snapshotId: this.snapshotId, userId }, "dropping staged rows of user");
    }
    async dropProjectAccess(projectId, principalType, principalId) {
        this.recordDrop(["project_id", principalType === "user" ? "user_id" : "group_id"], [projectId, principalId]);
        this.vanishedProjectAccess.set(JSON.stringify([projectId, principalType, principalId]), {
            projectId,
            principalType,
            principalId,
        });
        this.logger.debug({ snapshotId: this.snapshotId, projectId, principalType, principalId }, "dropping staged project rows of a vanished member or group");
    }
    async flush() {
        this.assertStaging();
        await this.connection.exclusive(async () => {
            for (const buffer of this.allBuffers())
                buffer.flushToTable();
        });
    }
    /**
     * Rows are packed in blocks, so they are removed at publish: every row of
     * `id` added before this call (its `seq` is below the watermark), none after.
     */
    recordDrop(columns, values) {
        this.assertStaging();
        const wanted = columns.join(",");
        for (const buffer of this.allBuffers()) {
            if (buffer.table.vanishesWith?.join(",") !== wanted)
                continue;
            this.drops.push({ table: buffer.table, id: dropId(values), beforeSeq: buffer.rowsAdded });
        }
    }
    async publish(stats) {
        this.assertStaging();
        const incomplete = [...this.endpoints.values()].filter((e) => !e.completed);
        if (incomplete.length > 0) {
            throw new StoreError("INCOMPLETE_CRAWL", `snapshot ${this.snapshotId} cannot be published: endpoint ${incomplete.map((e) => e.endpoint).join(", ")} was not read to the end`);
        }
        this.state = "publishing";
        const timer = new PhaseTimer();
        try {
            const result = await this.connection.exclusive(async (raw) => {
                for (const buffer of this.allBuffers())
                    buffer.close();
                timer.lap("flush");
                // Staging apart, unpacking and de-duplicating touch only the scratch: done before the
                // database is attached, so readers wait for the merge and seal alone.
                if (this.target !== null) {
                    await this.withMemoryRetry(raw, timer, () => this.prepare(raw, timer));
                }
                return this.onDatabase(raw, async () => {
                    await this.recordRunning(raw);
                    if (this.target !== null)
                        timer.lap("running");
                    return this.publishExclusive(raw, stats, timer);
                }, timer);
            });
            this.state = "published";
            this.logger.debug({ snapshotId: this.snapshotId, timings: timer.timings }, "publish timings");
            const timings = Object.fromEntries(Object.entries(timer.timings).filter(([phase]) => !phase.endsWith("RssMb")));
            return { ...result, timings };
        }
        catch (error) {
            this.state = "failed";
            await this.connection
                .exclusive(async (raw) => {
                for (const buffer of this.allBuffers())
                    buffer.discard();
                await this.onDatabase(raw, async () => {
                    await setMemoryLimit(raw, this.memoryLimits.publish);
                    await this.recordRunning(raw);
                    await this.markFailed(raw, `publish failed: ${errorText(error)}`);
                });
            })
                .catch((markError) => this.logger.error({ err: markError }, "could not mark snapshot failed"));
            throw error;
        }
        finally {
            await this.finish();
        }
    }
    async abort(reason) {
        if (this.state !== "staging")
            return;
        this.state = "failed";
        try {
            await this.connection.exclusive(async (raw) => {
                for (const buffer of this.allBuffers())
                    buffer.discard();
                await this.onDatabase(raw, async () => {
                    await setMemoryLimit(raw, this.memoryLimits.publish);
                    await this.recordRunning(raw);
                    await this.markFailed(raw, reason);
                });
            });
            this.logger.warn({ snapshotId: this.snapshotId, reason }, "snapshot aborted");
        }
        finally {
            await this.finish();
        }
    }
    /**
     * Runs `work` with the database at hand: attached for it when staging apart (see
     * PublishTarget), timed as the phases `attach` and `detach` when a timer is given.
     */
    async onDatabase(raw, work, timer) {
        if (this.target === null)
            return work();
        const detach = await this.target.attach(raw);
        timer?.lap("attach");
        try {
            return await work();
        }
        finally {
            await detach().catch((error) => this.logger.warn({ err: error }, "could not detach the database after publishing"));
            timer?.lap("detach");
        }
    }
    /**
     * Staging apart, the `running` row is written only now, with the id the database gives next
     * (the one expected unless another writer made a snapshot meanwhile) and the crawl's start.
     */
    async recordRunning(raw) {
        if (this.runningRecorded)
            return;
        await setMemoryLimit(raw, this.memoryLimits.publish);
        this.id = await insertRunningRow(raw, this.meta, this.startedAt);
        this.runningRecorded = true;
    }
    /** Sets the publish memory_limit for `work`, and retries it once with more on running out. */
    async withMemoryRetry(raw, timer, work) {
        await setMemoryLimit(raw, this.memoryLimits.publish);
        try {
            return await work();
        }
        catch (error) {
            // A join or sort that cannot spill far enough fails the whole crawl; one
            // retry with more room is cheaper than crawling again.
            if (!isOutOfMemory(error))
                throw error;
            this.logger.warn({ snapshotId: this.snapshotId, phase: timer.phase, err: errorText(error) }, `publish ran out of memory; retrying once with memory_limit ${this.memoryLimits.publishRetry}`);
            await setMemoryLimit(raw, this.memoryLimits.publishRetry);
            try {
                return await work();
            }
            finally {
                await setMemoryLimit(raw, this.memoryLimits.publish);
            }
        }
    }
    async publishExclusive(raw, stats, timer) {
        const sealed = await this.withMemoryRetry(raw, timer, () => this.unpackMergeAndSeal(raw, stats, timer));
        this.logger.info({
            snapshotId: this.snapshotId,
            seal: sealed.seal,
            counts: sealed.counts,
            changes: sealed.changes,
            timings: timer.timings,
            ms: timer.elapsed(),
        }, "snapshot published");
        // Committed: from here on nothing may turn the publish into a failure.
        await this.dropStaging(raw).catch((error) => this.logger.warn({ err: error }, "could not drop staging tables"));
        await this.checkpoint(raw);
        timer.lap("checkpoint");
        return { snapshotId: this.snapshotId, seal: sealed.seal, counts: sealed.counts };
    }
    /**
     * The staged rows as typed stage tables: unpacked, vanished rows dropped, duplicate keys
     * removed (the last row kept). Touches staging only; remembers what it finished, so it runs
     * again after a failure, or as a no-op once done.
     */
    async prepare(raw, timer) {
        if (this.prepared !== null)
            return this.prepared;
        await this.stageDrops(raw);
        const emptyRawStages = [];
        for (const table of FACT_TABLES) {
            if (this.unpacked.has(table.part))
                continue;
            if (!this.hasStaged(table)) {
                emptyRawStages.push(`DROP TABLE ${ident(table.rawStage)};`);
                this.unpacked.add(table.part);
                continue;
            }
            await raw.run(`${unpackStageSql(table)};\nDROP TABLE ${ident(table.rawStage)};`);
            const columns = table.vanishesWith;
            if (columns !== undefined && this.drops.some((d) => d.table === table)) {
                const stage = ident(table.stage);
                const id = `concat_ws(chr(31), ${columns.map((c) => `${stage}.${ident(c)}`).join(", ")})`;
                await raw.run(`DELETE FROM ${stage} USING ${DROPS_TABLE} AS d
           WHERE d.part = $1 AND ${id} = d.id AND ${stage}.seq < d.before_seq`, [table.part]);
            }
            this.unpacked.add(table.part);
        }
        // One statement for every empty table: a small crawl leaves most of them empty.
        if (emptyRawStages.length > 0)
            await raw.run(emptyRawStages.join("\n"));
        timer.lap("unpack");
        for (const table of FACT_TABLES) {
            if (this.staged.has(table.part))
                continue;
            this.staged.set(table.part, this.hasStaged(table) ? await removeDuplicateKeys(raw, table) : { duplicates: 0, rows: 0 });
        }
        const staged = [...this.staged.values()];
        const duplicateRows = staged.reduce((sum, table) => sum + table.duplicates, 0);
        if (duplicateRows > 0) {
            this.logger.warn({ snapshotId: this.snapshotId, duplicateRows }, "crawl delivered rows with the same key more than once; kept the last");
        }
        timer.lap("dedupe");
        // The stage tables are final now, except where the merge keeps a recorded usage time
        // (keepRecordedUsage): the others' seal parts are hashed here, before the database is
        // attached when staging apart.
        const hashed = await hashStagedParts(raw, new Map(FACT_TABLES.filter((t) => t.usage === undefined && this.hasStaged(t)).map((t) => [
            t.part,
            this.staged.get(t.part)?.rows ?? 0,
        ])));
        timer.lap("digest");
        const counts = Object.fromEntries(FACT_TABLES.map((t) => [t.countColumn, this.staged.get(t.part)?.rows ?? 0]));
        this.prepared = { counts, duplicateRows, hashed };
        return this.prepared;
    }
    /**
     * Everything up to COMMIT. Safe to run again after a failure: unpacking and
     * de-duplication remember what they finished, and the transaction rolls back.
     */
    async unpackMergeAndSeal(raw, stats, timer) {
        const { counts, duplicateRows, hashed } = await this.prepare(raw, timer);
        const previous = await raw.runAndReadAll(`SELECT snapshot_id, seal FROM snapshot_runs WHERE status = 'complete'
       ORDER BY snapshot_id DESC LIMIT 1`);
        const previousRow = previous.getRowObjectsJS()[0];
        const previousId = previousRow ? Number(previousRow.snapshot_id) : null;
        const previousSeal = typeof previousRow?.seal === "string" ? previousRow.seal : GENESIS_SEAL;
        const changes = {};
        await raw.run("BEGIN TRANSACTION");
        try {
            for (const table of FACT_TABLES) {
                changes[table.part] = await mergeIntoHistory(raw, table, this.snapshotId, previousId, this.hasStaged(table));
            }
            timer.lap("merge");
            // One count column per fact type (its `countColumn`), then the run's own figures.
            const countColumns = FACT_TABLES.map((t) => t.countColumn);
            const assignments = countColumns.map((c, i) => `${ident(c)} = $${i + 3}`);
            const next = countColumns.length + 3;
            await raw.run(`UPDATE snapshot_runs SET status = 'complete', finished_at = $2,
           ${assignments.join(", ")}, requests = $${next}, retries = $${next + 1},
           rate_limited = $${next + 2}, vanished_groups = $${next + 3},
           vanished_users = $${next + 4}, duplicate_rows = $${next + 5},
           vanished_project_access = $${next + 6}, organization_id = $${next + 7},
           crawl_user = $${next + 8}, crawl_host = $${next + 9}
         WHERE snapshot_id = $1`, [
                this.snapshotId,
                nowValue(),
                ...countColumns.map((c) => counts[c]),
                stats.requests,
                stats.retries,
                stats.rateLimited,
                this.vanishedGroups.size,
                this.vanishedUsers.size,
                duplicateRows,
                this.vanishedProjectAccess.size,
                stats.organizationId ?? null,
                this.runBy.user,
                this.runBy.host,
            ]);
            await this.insertEvidence(raw);
            timer.lap("evidence");
            const sealed = await computeSeal(raw, this.snapshotId, previousSeal, {
                parts: this.stagedParts(),
                hashed,
            });
            timer.lap("seal");
            await raw.run("UPDATE snapshot_runs SET seal = $2 WHERE snapshot_id = $1", [
                this.snapshotId,
                sealed.seal,
            ]);
            await insertRows(raw, "run_seal_parts", ["snapshot_id", "part", "row_count", "sha256"], sealed.parts.map((p) => [this.snapshotId, p.part, p.rowCount, p.sha256]));
            await raw.run("COMMIT");
            timer.lap("commit");
            return { seal: sealed.seal, counts, changes };
        }
        catch (error) {
            await raw.run("ROLLBACK").catch(() => { });
            throw error;
        }
    }
    /** The recorded drops as a TEMP table, so each staged table needs one DELETE however many vanished. */
    async stageDrops(raw) {
        if (this.drops.length === 0)
            return;
        await raw.run(`CREATE OR REPLACE TEMP TABLE ${DROPS_TABLE} (part VARCHAR, id VARCHAR, before_seq INTEGER)`);
        const appender = await raw.createAppender(DROPS_TABLE, "main", "temp");
        for (const drop of this.drops) {
            appender.appendVarchar(drop.table.part);
            appender.appendVarchar(drop.id);
            appender.appendInteger(drop.beforeSeq);
            appender.endRow();
        }
        appender.closeSync();
    }
    /** The fact parts with a stage table (see hasStaged). */
    stagedParts() {
        return new Set(FACT_TABLES.filter((t) => this.hasStaged(t)).map((t) => t.part));
    }
    /** Whether any row of `table` was added: a table with none gets no stage table at publish. */
    hasStaged(table) {
        return (this.buffers.get(table.part)?.rowsAdded ?? 0) > 0;
    }
    /** Endpoint totals and vanished groups are kept for every outcome: they explain a failure too. */
    async insertEvidence(raw) {
        const id = this.snapshotId;
        await insertRows(raw, "run_endpoints", ["snapshot_id", "endpoint", "pages", "items", "completed"], [...this.endpoints.values()].map((e) => [id, e.endpoint, e.pages, e.items, e.completed]));
        await insertRows(raw, "run_vanished_groups", ["snapshot_id", "group_id"], [...this.vanishedGroups].map((g) => [id, g]));
        await insertRows(raw, "run_vanished_users", ["snapshot_id", "user_id"], [...this.vanishedUsers].map((u) => [id, u]));
        await insertRows(raw, "run_vanished_project_access", ["snapshot_id", "project_id", "principal_type", "principal_id"], [...this.vanishedProjectAccess.values()].map((v) => [
            id,
            v.projectId,
            v.principalType,
            v.principalId,
        ]));
    }
    async markFailed(raw, reason) {
        await this.dropStaging(raw).catch(() => { });
        await raw.run("BEGIN TRANSACTION");
        try {
            await raw.run(`UPDATE snapshot_runs SET status = 'failed', finished_at = $2, error = $3,
           vanished_groups = $4, vanished_users = $5
         WHERE snapshot_id = $1 AND status = 'running'`, [this.snapshotId, nowValue(), reason, this.vanishedGroups.size, this.vanishedUsers.size]);
            await this.insertEvidence(raw);
            await raw.run("COMMIT");
        }
        catch (error) {
            await raw.run("ROLLBACK").catch(() => { });
            throw error;
        }
    }
    async dropStaging(raw) {
        const tables = [DROPS_TABLE, ...FACT_TABLES.flatMap((t) => [t.rawStage, t.stage])];
        await raw.run(tables.map((t) => `DROP TABLE IF EXISTS ${ident(t)};`).join("\n"));
    }
    /** Folds the WAL into the file so freed blocks are reused by the next publish. */
    async checkpoint(raw) {
        try {
            await raw.run("CHECKPOINT");
        }
        catch (error) {
            this.logger.warn({ err: error }, "checkpoint after publish failed; DuckDB will retry later");
        }
    }
    allBuffers() {
        return [...this.buffers.values()];
    }
    assertStaging() {
        if (this.state !== "staging") {
            throw new StoreError("WRITER_CLOSED", `snapshot ${this.snapshotId} is ${this.state}; no more changes are accepted`);
        }
    }
    async finish() {
        this.stopIdleListener();
        if (this.target === null) {
            await this.connection
                .exclusive((raw) => setMemoryLimit(raw, this.memoryLimits.connection))
                .catch((error) => this.logger.warn({ err: error }, "could not restore the connection's memory_limit"));
        }
        this.onFinished();
        await this.target
            ?.finished()
            .catch((error) => this.logger.warn({ err: error }, "could not release the crawl's scratch database"));
    }
}
//# sourceMappingURL=writer.js.map