/**
 * The audit database: one DuckDB file, one writer at a time, any number of
 * readers when no writer holds it (DuckDB's own file lock).
 */
import { silentLogger } from "../util/log.js";
import { AuditSyncWriter, auditLogPosition, listAuditSyncs, verifyAuditLog, } from "./audit-log.js";
import { attachForPublish, connect, jsonSafeConverter, memoryLimitLiteral, openCrawlScratch, openDatabase, SerialConnection, } from "./db.js";
import { StoreError } from "./errors.js";
import { addExceptionOn, expireExceptionOn, listExceptionEvents, readExceptionsOn, verifyExceptionsOn, } from "./exceptions.js";
import { migrate, readSchemaVersion, SCHEMA_VERSION, schemaTooNewError } from "./migrations.js";
import { addHoldOn, applyRetentionOn, releaseHoldsOn, } from "./retention.js";
import { verifySnapshots } from "./verify.js";
import { isOutOfMemory, StoreSnapshotWriter, } from "./writer.js";
/** Bounds verify, queries and the writes of commands other than a crawl's publish. */
export const DEFAULT_MEMORY_LIMIT = "128MB";
/**
 * Bounds a publish (raise for faster ones), unless the opener sets `memoryLimit`. Measured with
 * bench crawl-large (1M memberships): peak RSS 397–436 MB at 128MB, 298–347 MB at 64MB with the
 * seal digest sorted in buckets (which a single sort of every row needs more than 64MB for).
 * At 48MB unpacking the staged rows ran out of memory. A publish that runs out is retried once
 * with PUBLISH_RETRY_MEMORY_LIMIT.
 */
export const DEFAULT_PUBLISH_MEMORY_LIMIT = "64MB";
export const DEFAULT_STAGING_MEMORY_LIMIT = "32MB";
/** Readers (analysis, reports, verify) join whole snapshots; they are not held to the crawl's budget. */
export const DEFAULT_READ_ONLY_MEMORY_LIMIT = "2GB";
/** A publish that runs out of memory is retried once with this much room. */
const PUBLISH_RETRY_MEMORY_LIMIT = "1GB";
export class Store {
    held;
    shownPath;
    path;
    settings;
    stageApart;
    readOnly;
    schemaVersion;
    memoryLimits;
    logger;
    activeWriter = null;
    closed = false;
    /** Let go of for a crawl that staged apart and is done: taken again at the next use. */
    holdOnUse = false;
    holding = null;
    constructor(held, 
    /** As the caller named it (messages); `path` is absolute. */
    shownPath, path, settings, stageApart, readOnly, schemaVersion, memoryLimits, logger) {
        this.held = held;
        this.shownPath = shownPath;
        this.path = path;
        this.settings = settings;
        this.stageApart = stageApart;
        this.readOnly = readOnly;
        this.schemaVersion = schemaVersion;
        this.memoryLimits = memoryLimits;
        this.logger = logger;
    }
    /**
     * Opens (creating directories and the file for writing), brings the schema
     * up to date unless read-only, and marks snapshots a killed process left
     * `running` as `abandoned`.
     */
    static async open(path, opts = {}) {
        const readOnly = opts.readOnly ?? false;
        const logger = opts.logger ?? silentLogger;
        const memoryLimit = opts.memoryLimit ?? (readOnly ? DEFAULT_READ_ONLY_MEMORY_LIMIT : DEFAULT_MEMORY_LIMIT);
        const stagingMemoryLimit = opts.stagingMemoryLimit ?? DEFAULT_STAGING_MEMORY_LIMIT;
        memoryLimitLiteral(stagingMemoryLimit);
        const settings = {
            readOnly,
            memoryLimit,
            ...(opts.threads === undefined ? {} : { threads: opts.threads }),
        };
        const { held, schemaVersion } = await hold(path, settings, logger, true);
        return new Store(held, path, held.database.path, settings, opts.stageApart ?? false, readOnly, schemaVersion, {
            staging: stagingMemoryLimit,
            publish: opts.memoryLimit ?? DEFAULT_PUBLISH_MEMORY_LIMIT,
            publishRetry: PUBLISH_RETRY_MEMORY_LIMIT,
            connection: memoryLimit,
        }, logger);
    }
    async writeConnection() {
        return (await this.attached()).write;
    }
    async readConnection() {
        return (await this.attached()).read;
    }
    /**
     * The held database. While a crawl stages apart there is none to use; once its writer is done,
     * the first use takes the database again (a crawl whose process ends after the publish never
     * reopens it).
     */
    async attached() {
        this.assertOpen();
        if (this.held === null && this.holdOnUse) {
            this.holding ??= this.holdAgain().finally(() => {
                this.holding = null;
            });
            await this.holding;
        }
        if (this.held === null) {
            throw new StoreError("STORE_DETACHED", `store ${this.path} has let go of the database while a crawl stages apart; it holds it again after the publish`);
        }
        return this.held;
    }
    /** Closes the store's connections and lets go of the file. */
    letGo() {
        const held = this.held;
        if (held === null)
            return;
        this.held = null;
        held.write.raw.closeSync();
        held.read.raw.closeSync();
        held.database.instance.closeSync();
        held.database.release();
    }
    /** Starts a snapshot (committed as `running`). Only one may be active per store. */
    async beginSnapshot(meta) {
        this.assertOpen();
        if (this.readOnly) {
            throw new StoreError("READ_ONLY", `database ${this.path} is open read-only`);
        }
        if (this.activeWriter) {
            throw new StoreError("WRITER_ACTIVE", `snapshot ${this.activeWriter.snapshotId} is still being written; publish or abort it first`);
        }
        const writer = this.stageApart
            ? await this.beginApart(meta)
            : await StoreSnapshotWriter.begin(await this.writeConnection(), meta, this.memoryLimits, this.logger, () => {
                if (this.activeWriter === writer)
                    this.activeWriter = null;
            });
        this.activeWriter = writer;
        return writer;
    }
    /**
     * Stages in a crawl scratch of its own and lets go of the database until the publish (see
     * `stageApart`); once the writer is done, the store holds the database again at its next use.
     */
    async beginApart(meta) {
        const scratch = await openCrawlScratch(this.shownPath, {
            memoryLimit: this.memoryLimits.staging,
            ...(this.settings.threads === undefined ? {} : { threads: this.settings.threads }),
        });
        let scratchConnection;
        let writer;
        try {
            const [next] = await this.query("SELECT (coalesce(max(snapshot_id), 0) + 1)::INTEGER AS id FROM snapshot_runs");
            // Let go before staging starts (and says "snapshot started"): nothing below needs the file.
            this.letGo();
            scratchConnection = await connect(scratch.instance);
            const staging = scratchConnection;
            writer = await StoreSnapshotWriter.begin(new SerialConnection(staging), meta, this.memoryLimits, this.logger, () => {
                if (this.activeWriter === writer)
                    this.activeWriter = null;
            }, {
                expectedId: next?.id ?? 1,
                attach: (raw) => attachForPublish(raw, this.shownPath),
                finished: async () => {
                    staging.closeSync();
                    scratch.close();
                    this.holdOnUse = true;
                },
            });
        }
        catch (error) {
            scratchConnection?.closeSync();
            scratch.close();
            await this.holdAgain();
            throw error;
        }
        this.logger.debug({ path: this.path }, "database released while the crawl stages apart");
        return writer;
    }
    /** Takes the database again after a crawl staged apart (waiting for readers like any opener). */
    async holdAgain() {
        if (this.held !== null)
            return;
        this.held = (await hold(this.shownPath, this.settings, this.logger, false)).held;
        this.holdOnUse = false;
    }
    async listSnapshots() {
        return this.query("SELECT * FROM snapshots ORDER BY snapshot_id");
    }
    async latestCompleteSnapshotId() {
        const rows = await this.query("SELECT max(snapshot_id) AS id FROM snapshots WHERE status = 'complete'");
        return rows[0]?.id ?? null;
    }
    /**
     * Prunes the complete snapshots the policy does not keep (never the latest, never a held
     * one), in one transaction; see retention.ts. Needs the store open for writing, like a crawl.
     */
    async applyRetention(policy, options = {}) {
        this.assertWritable("apply retention");
        return (await this.writeConnection()).exclusive((raw) => applyRetentionOn(raw, policy, options));
    }
    /** Puts a hold on a complete snapshot: retention never prunes it while a hold remains. */
    async addHold(snapshotId, reason) {
        this.assertWritable("hold a snapshot");
        return (await this.writeConnection()).exclusive((raw) => addHoldOn(raw, snapshotId, reason));
    }
    /** Removes a snapshot's holds (only those with `reason`, when given); returns how many. */
    async releaseHolds(snapshotId, reason) {
        this.assertWritable("release a hold");
        return (await this.writeConnection()).exclusive((raw) => releaseHoldsOn(raw, snapshotId, reason));
    }
    async listHolds() {
        return this.query("SELECT snapshot_id, reason, created_at FROM snapshot_holds ORDER BY snapshot_id, created_at");
    }
    /**
     * Runs one audit-log sync on the write connection: `work` stages events through the writer
     * and ends with its `complete` or `fail`; if it throws first, nothing is recorded.
     */
    async auditSync(meta, work) {
        this.assertWritable("sync the audit log");
        return (await this.writeConnection()).exclusive(async (raw) => {
            const writer = await AuditSyncWriter.begin(raw, meta);
            try {
                return await work(writer);
            }
            finally {
                await writer.close();
            }
        });
    }
    /** Where the held audit log ends (newest event time, number of syncs). */
    async auditLogPosition() {
        this.assertOpen();
        return (await this.readConnection()).exclusive((raw) => auditLogPosition(raw));
    }
    /** Every audit-log sync attempt, oldest first. */
    async listAuditSyncs() {
        this.assertOpen();
        return (await this.readConnection()).exclusive((raw) => listAuditSyncs(raw));
    }
    /** Records a new exception (accepted risk) in the register; returns its entry. */
    async addException(exception) {
        this.assertWritable("record an exception");
        return (await this.writeConnection()).exclusive((raw) => addExceptionOn(raw, exception));
    }
    /** Ends an exception early (a new entry; the register is append-only). */
    async expireException(end) {
        this.assertWritable("end an exception");
        return (await this.writeConnection()).exclusive((raw) => expireExceptionOn(raw, end));
    }
    /** Every exception in the register, by id, with how it ended if it ended early. */
    async readExceptions() {
        this.assertOpen();
        return (await this.readConnection()).exclusive((raw) => readExceptionsOn(raw));
    }
    /** Every register entry, oldest first. */
    async listExceptionEvents() {
        this.assertOpen();
        return (await this.readConnection()).exclusive((raw) => listExceptionEvents(raw));
    }
    /**
     * Recomputes the seal of every complete snapshot (or one, or several: each history row digested
     * once) and checks the chain; without a snapshot id, the audit log's and the exceptions
     * register's chains too.
     */
    async verify(snapshotId) {
        const result = await this.verifySnapshotChain(snapshotId);
        if (snapshotId !== undefined)
            return result;
        const audit = await (await this.readConnection()).exclusive((raw) => verifyAuditLog(raw));
        const exceptions = await (await this.readConnection()).exclusive((raw) => verifyExceptionsOn(raw));
        return {
            ...result,
            ok: result.ok && audit.ok && exceptions.ok,
            audit_log: audit,
            exceptions,
        };
    }
    async verifySnapshotChain(snapshotId) {
        this.assertOpen();
        return (await this.readConnection()).exclusive(async (raw) => {
            try {
                return await verifySnapshots(raw, snapshotId);
            }
            catch (error) {
                if (!isOutOfMemory(error))
                    throw error;
                // Sorting a large snapshot may need more than memory_limit allows; retry once with room.
                this.logger.warn({ err: String(error) }, "verify ran out of memory; retrying once");
                await raw.run(`SET memory_limit = ${memoryLimitLiteral(this.memoryLimits.publishRetry)}`);
                try {
                    return await verifySnapshots(raw, snapshotId);
                }
                finally {
                    await raw.run(`SET memory_limit = ${memoryLimitLiteral(this.settings.memoryLimit)}`);
                }
            }
        });
    }
    /** Runs SQL and returns JSON-safe rows (BIGINT → number, TIMESTAMPTZ → ISO string, lists → arrays). */
    async query(sql, params) {
        this.assertOpen();
        return (await this.readConnection()).exclusive(async (raw) => {
            const reader = await raw.runAndReadAll(sql, params);
            return reader.convertRowObjects(jsonSafeConverter());
        });
    }
    /**
     * Appends `rows` to the TEMP table `table` on the connection `query` uses, through DuckDB's
     * appender, each row's cells taken by column name (a column a row lacks is an error). Rows the
     * analysis computed in JS go in this way rather than as one JSON parameter: DuckDB's JSON reader
     * kept about 16 KB of memory per row of the changes table (9,315 changes: 153 MB of RSS), where
     * the appender takes 12 MB.
     */
    async appendToTempTable(table, rows) {
        this.assertOpen();
        await (await this.readConnection()).exclusive(async (raw) => {
            const columns = (await raw.runAndReadAll("SELECT column_name FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = $table ORDER BY column_index", { table }))
                .getRows()
                .map((r) => String(r[0]));
            if (columns.length === 0)
                throw new Error(`no TEMP table ${table} to append to`);
            const appender = await raw.createAppender(table, "main", "temp");
            try {
                for (const row of rows) {
                    for (const column of columns) {
                        const cell = row[column];
                        if (cell === undefined)
                            throw new Error(`a row for ${table} has no ${column}`);
                        appendCell(appender, cell);
                    }
                    appender.endRow();
                }
            }
            catch (error) {
                // Closing flushes, and would throw again over the row that failed: the first error wins.
                try {
                    appender.closeSync();
                }
                catch { }
                throw error;
            }
            appender.closeSync();
        });
    }
    /**
     * Streams a large result in batches of about `batchRows` rows without
     * materialising it. Uses its own connection, so other store calls may run
     * while iterating. Give a query over a view ORDER BY: DuckDB 1.5 can hang for
     * good streaming an unsorted plan with several pipelines, such as the
     * `effective_access` view's UNION ALL (duckdb/duckdb#22215; seen here at
     * 1,000,000 memberships, 0% CPU), where a sorted result is read from one.
     */
    async *iterate(sql, params, batchRows = 10_000) {
        this.assertOpen();
        const connection = await connect((await this.attached()).database.instance);
        try {
            yield* batchesOf(connection, sql, params, batchRows);
        }
        finally {
            connection.closeSync();
        }
    }
    /**
     * `iterate` on the connection `query` uses, so the TEMP tables made there are visible (a
     * report's materialised access, read in one sorted pass). The connection is held until the
     * iteration ends: another store call made before then waits for it.
     */
    async *iterateOnQueryConnection(sql, params, batchRows = 10_000) {
        this.assertOpen();
        let acquired = () => { };
        const connection = new Promise((resolve) => {
            acquired = resolve;
        });
        let release = () => { };
        const done = new Promise((resolve) => {
            release = resolve;
        });
        const held = (await this.readConnection()).exclusive(async (raw) => {
            acquired(raw);
            await done;
        });
        try {
            yield* batchesOf(await connection, sql, params, batchRows);
        }
        finally {
            release();
            await held;
        }
    }
    /** Aborts a snapshot still being written, then releases the file. */
    async close() {
        if (this.closed)
            return;
        if (this.activeWriter)
            await this.activeWriter.abort("store closed before publish");
        this.closed = true;
        // A first use that is taking the database again: let go of what it takes.
        await this.holding?.catch(() => { });
        const held = this.held;
        if (held !== null) {
            await held.write.drain();
            await held.read.drain();
        }
        this.letGo();
        this.logger.debug({ path: this.path }, "store closed");
    }
    /** Maintenance writes need the write lock and must not interleave with a snapshot being written. */
    assertWritable(what) {
        this.assertOpen();
        if (this.readOnly) {
            throw new StoreError("READ_ONLY", `database ${this.path} is open read-only; cannot ${what}`);
        }
        if (this.activeWriter) {
            throw new StoreError("WRITER_ACTIVE", `snapshot ${this.activeWriter.snapshotId} is still being written; cannot ${what} now`);
        }
    }
    assertOpen() {
        if (this.closed)
            throw new StoreError("STORE_CLOSED", `store ${this.path} is closed`);
    }
}
/**
 * Opens the database and the store's two connections; the first time (`prepare`) also brings
 * the schema up to date (or checks it, read-only) and marks leftovers of killed writers.
 */
async function hold(path, settings, logger, prepare) {
    const database = await openDatabase(path, settings);
    const connections = [];
    try {
        const writeRaw = await connect(database.instance);
        connections.push(writeRaw);
        let schemaVersion = SCHEMA_VERSION;
        if (prepare) {
            schemaVersion = settings.readOnly
                ? await checkReadableSchema(writeRaw, path)
                : (await migrate(writeRaw, logger)).to;
            if (!settings.readOnly)
                await abandonLeftovers(writeRaw, logger);
        }
        const readRaw = await connect(database.instance);
        connections.push(readRaw);
        logger.debug({ path: database.path, readOnly: settings.readOnly, schemaVersion }, "store opened");
        return {
            held: {
                database,
                write: new SerialConnection(writeRaw),
                read: new SerialConnection(readRaw),
            },
            schemaVersion,
        };
    }
    catch (error) {
        for (const connection of connections)
            connection.closeSync();
        database.instance.closeSync();
        database.release();
        throw error;
    }
}
async function checkReadableSchema(connection, path) {
    const version = await readSchemaVersion(connection);
    if (version > SCHEMA_VERSION)
        throw schemaTooNewError(version);
    if (version < SCHEMA_VERSION) {
        throw new StoreError("SCHEMA_TOO_OLD", version === 0
            ? `database ${path} has no openai-access-audit schema; open it for writing first`
            : `database schema version ${version} is older than this tool (${SCHEMA_VERSION}); open it once for writing to upgrade`);
    }
    return version;
}
/** A process killed mid-crawl leaves its snapshot `running`; its TEMP staging died with it. */
async function abandonLeftovers(connection, logger) {
    const reader = await connection.runAndReadAll(`UPDATE snapshot_runs
     SET status = 'abandoned', finished_at = now(),
         error = coalesce(error, 'the writing process ended before publishing')
     WHERE status = 'running' RETURNING snapshot_id`);
    const ids = reader.getRowsJS().map(([id]) => Number(id));
    if (ids.length > 0)
        logger.warn({ snapshotIds: ids }, "marked unfinished snapshots abandoned");
}
/** A streamed result's rows as JSON-safe objects, in batches of about `batchRows`. */
async function* batchesOf(connection, sql, params, batchRows) {
    const result = await connection.stream(sql, params);
    const names = result.deduplicatedColumnNames();
    let batch = [];
    // The next chunk is fetched (by DuckDB, off this thread) while this one is converted here.
    let next = result.fetchChunk();
    try {
        for (;;) {
            const chunk = await next;
            if (chunk === null || chunk.rowCount === 0)
                break;
            next = result.fetchChunk();
            for (const row of chunk.convertRows(jsonSafeConverter())) {
                const object = {};
                names.forEach((name, index) => {
                    object[name] = row[index] ?? null;
                });
                batch.push(object);
            }
            if (batch.length >= batchRows) {
                yield batch;
                batch = [];
            }
        }
        if (batch.length > 0)
            yield batch;
    }
    finally {
        // A consumer that stops early: the fetch in flight ends before the connection may close.
        await next.catch(() => null);
    }
}
function appendCell(appender, cell) {
    if (cell === null)
        appender.appendNull();
    else if (typeof cell === "string")
        appender.appendVarchar(cell);
    else if (typeof cell === "boolean")
        appender.appendBoolean(cell);
    else if (Number.isInteger(cell) && Math.abs(cell) <= 0x7fffffff)
        appender.appendInteger(cell);
    else if (Number.isSafeInteger(cell))
        appender.appendBigInt(BigInt(cell));
    else
        appender.appendDouble(cell);
}
//# sourceMappingURL=store.js.map