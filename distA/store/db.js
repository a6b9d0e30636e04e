/**
 * Opening the DuckDB file: settings, the one-writer rule, and a connection
 * wrapper that serialises work (a DuckDB connection must not run two things at
 * once, and the node bindings run queries on a worker thread).
 */
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, realpathSync, rmdirSync, rmSync, } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { duckdb } from "../util/duckdb.js";
import { fileSystemReason, isSymlink, lstatOrNull, sweepOrphans, unwritableReason, } from "../util/files.js";
import { databaseIoError, lockedError, readOnlyDatabaseError, StoreError } from "./errors.js";
import { readSchemaVersion, SCHEMA_VERSION } from "./migrations.js";
/**
 * DuckDB's file lock is per process (fcntl), so a second instance on the same
 * file inside this process would succeed and both would write. This registry
 * refuses that: one writer, or any number of readers, per file per process.
 */
const READER_SPILL_PREFIX = "access-audit-read-";
/** A writer's spill folder is `<db>${WRITER_SPILL_INFIX}<pid>-XXXXXX`, beside the database. */
const WRITER_SPILL_INFIX = ".tmp-";
/**
 * A crawl's scratch database, `<db>.crawl`: its staging lives there (TEMP tables) while it lists
 * the API, so the database itself stays free for readers; DuckDB's lock on it keeps a second
 * crawl of the same database out. Empty (TEMP tables are never written to it) and removed when
 * the crawl ends; a killed crawl's is taken over and removed by the next one.
 */
const CRAWL_SCRATCH_SUFFIX = ".crawl";
/**
 * What DuckDB keeps beside a database (its write-ahead log, and the logs of a checkpoint or a
 * recovery in progress) and the spill folder older versions of the tool used (`<db>.tmp`).
 * DuckDB opens them by name and follows links: a link planted there made it overwrite (or a
 * sweep empty) whatever the link points to, so a link, or a log with other hard links, is refused.
 */
const SIDE_FILES = [
    ".wal",
    ".wal.checkpoint",
    ".wal.recovery",
    ".tmp",
    CRAWL_SCRATCH_SUFFIX,
    `${CRAWL_SCRATCH_SUFFIX}.wal`,
];
const heldInProcess = new Map();
const instanceNames = new WeakMap();
const connectionNames = new WeakMap();
/** A DuckDB I/O error about `name`'s files as a StoreError; anything else unchanged. */
function translated(name, error, phase) {
    if (name === undefined)
        return error;
    // Node's own errors (ENOSPC from a file the caller writes, …) are the caller's to describe.
    if (typeof error?.code === "string")
        return error;
    return databaseIoError(name.shown, name.absolute, error, phase) ?? error;
}
/**
 * `cannot create database X: read-only file system`, when a new file cannot be made; `problem`
 * is the reason, or the error (passed on as is unless it is a file-system error).
 */
function cannotCreate(path, problem) {
    const reason = typeof problem === "string" ? problem : fileSystemReason(problem)?.reason;
    if (reason === undefined)
        return problem;
    return new StoreError("DB_CANNOT_CREATE", `cannot create database ${path}: ${reason}; pass a --db in a folder you can write`, typeof problem === "string" ? undefined : { cause: problem });
}
function canonicalPath(path) {
    const absolute = resolve(path);
    try {
        return join(realpathSync(dirname(absolute)), basename(absolute));
    }
    catch {
        return absolute;
    }
}
/**
 * How long an opener waits when another process holds the database, and how it says so once.
 * The CLI sets it from `lock_wait` (ACCESS_AUDIT_LOCK_WAIT) before it opens anything; the
 * library's default is not to wait (the caller decides).
 */
let lockWait = { ms: 0, notice: () => { } };
export function useDatabaseLockWait(ms, notice) {
    lockWait = { ms, notice };
}
/** `60 s`, `1.5 s`. */
export function formatWait(ms) {
    return `${Number((ms / 1000).toFixed(1))} s`;
}
/**
 * Runs `attempt` (an open or an ATTACH) until it stops failing with DB_LOCKED or the process's
 * lock wait has passed: then the usual one line, saying how long it waited.
 */
async function waitingForLock(path, attempt) {
    const { ms, notice } = lockWait;
    const deadline = Date.now() + ms;
    let pause = 50;
    let noticed = false;
    for (;;) {
        try {
            return await attempt();
        }
        catch (error) {
            if (!(error instanceof StoreError && error.code === "DB_LOCKED") || ms <= 0)
                throw error;
            const pid = /\(pid (\d+)\)/.exec(error.message)?.[1];
            if (Date.now() >= deadline) {
                throw lockedError(path, pid === undefined ? null : Number(pid), error, formatWait(ms));
            }
            if (!noticed) {
                noticed = true;
                notice(`database ${path} is in use by ${pid === undefined ? "another process" : `pid ${pid}`}; waiting up to ${formatWait(ms)}`);
            }
            await new Promise((done) => setTimeout(done, Math.max(0, Math.min(pause, deadline - Date.now()))));
            pause = Math.min(pause * 2, 250);
        }
    }
}
/**
 * Claims `key` in this process (see heldInProcess) before the first await, so two concurrent
 * opens in this process cannot both pass; returns the release.
 */
function claimInProcess(key, readOnly, path) {
    const held = heldInProcess.get(key);
    if (held && (!held.readOnly || !readOnly))
        throw lockedError(path, process.pid);
    if (held)
        held.count += 1;
    else
        heldInProcess.set(key, { readOnly, count: 1 });
    let released = false;
    return () => {
        if (released)
            return;
        released = true;
        const current = heldInProcess.get(key);
        if (!current)
            return;
        current.count -= 1;
        if (current.count <= 0)
            heldInProcess.delete(key);
    };
}
/** Opens the database, waiting up to the process's lock wait for another process to let go. */
export function openDatabase(path, settings) {
    return waitingForLock(path, () => openDatabaseOnce(path, settings));
}
/** DuckDB's settings for an instance of ours: the database's own, or a crawl's scratch. */
function instanceOptions(settings, tempDirectory) {
    const options = {
        // Offline by design: never try to download an extension (json, icu, parquet are built in).
        autoinstall_known_extensions: "false",
        autoload_known_extensions: "false",
        memory_limit: memoryLimitLiteral(settings.memoryLimit).slice(1, -1),
        // Queries that need an order say ORDER BY; without this, big INSERT…SELECTs buffer more.
        preserve_insertion_order: "false",
        temp_directory: tempDirectory,
        // Every snapshot_* view is a range join of a history table with the snapshot runs asked for,
        // a handful of rows. Above 5 estimated rows DuckDB sorted the whole history table for a merge
        // join instead of a nested loop: on a database of 30 snapshots of 1,000,000 memberships, two
        // snapshots' effective access took 0.26-0.30 s, against 0.13 s.
        nested_loop_join_threshold: "64",
    };
    if (settings.threads !== undefined)
        options.threads = String(settings.threads);
    return options;
}
async function openDatabaseOnce(path, settings) {
    const absolute = refuseLinkedPaths(path);
    const existed = existsSync(absolute);
    let createdDir;
    if (settings.readOnly) {
        if (!existed) {
            throw new StoreError("DB_NOT_FOUND", `database ${path} does not exist`);
        }
    }
    else if (existed) {
        // Writing needs the file and its folder (DuckDB's .wal and spill folder live beside it).
        refuseUnwritable(path, absolute);
    }
    else {
        // A new file: say plainly when its folder cannot be made or written, before DuckDB tries.
        const problem = unwritableReason(dirname(absolute));
        if (problem !== null)
            throw cannotCreate(path, problem.reason);
        try {
            createdDir = mkdirSync(dirname(absolute), { recursive: true });
        }
        catch (error) {
            throw cannotCreate(path, fileSystemReason(error)?.reason ?? error);
        }
    }
    const releaseClaim = claimInProcess(canonicalPath(absolute), settings.readOnly, path);
    let released = false;
    // Each opener spills into a private folder of its own (mkdtemp: 0700, a name nobody can guess
    // or plant beforehand), named after its process so that one a killed opener left behind (it
    // can hold up to the spill of a crawl or a report) is removed by the next opener. Readers may
    // run concurrently and never touch the writer's folder.
    if (settings.readOnly)
        sweepOrphans(tmpdir(), READER_SPILL_PREFIX, "");
    let tempDirectory;
    try {
        tempDirectory = settings.readOnly
            ? mkdtempSync(join(tmpdir(), `${READER_SPILL_PREFIX}${process.pid}-`))
            : mkdtempSync(`${absolute}${WRITER_SPILL_INFIX}${process.pid}-`);
    }
    catch (error) {
        releaseClaim();
        if (!existed)
            removeFailedCreation(absolute, createdDir, undefined);
        const reason = fileSystemReason(error)?.reason;
        if (reason === undefined)
            throw error;
        throw new StoreError("DB_IO", `database ${path}: cannot create its spill folder (${reason})`, {
            cause: error,
        });
    }
    const options = instanceOptions(settings, tempDirectory);
    options.access_mode = settings.readOnly ? "READ_ONLY" : "READ_WRITE";
    const name = { shown: path, absolute };
    let instance;
    try {
        instance = await duckdb().DuckDBInstance.create(absolute, options);
        instanceNames.set(instance, name);
        await refuseNewerSchema(instance, path);
    }
    catch (error) {
        instance?.closeSync();
        releaseClaim();
        const failure = translated(name, error, "open");
        const lockedByOther = failure instanceof StoreError && failure.code === "DB_LOCKED";
        removeSpillFolder(tempDirectory);
        // Ours to clean up only if we were the one creating it (not another process that won the race).
        if (!settings.readOnly && !existed && !lockedByOther && instance === undefined) {
            removeFailedCreation(absolute, createdDir, tempDirectory);
        }
        throw existed || lockedByOther ? failure : cannotCreate(path, failure);
    }
    if (!settings.readOnly)
        removeLeftoverSpillFolders(absolute);
    return {
        instance,
        path: absolute,
        tempDirectory,
        release() {
            if (!released)
                removeSpillFolder(tempDirectory);
            released = true;
            releaseClaim();
        },
    };
}
/**
 * Opens `<db>.crawl` for a crawl of `path` (which must exist: the crawl opened it first). Another
 * crawl holding it is refused at once, with the usual one line naming its pid: a crawl can last
 * hours, so waiting for it would not help.
 */
export async function openCrawlScratch(path, settings) {
    const absolute = resolve(path);
    refuseLinkedSideFiles(path, absolute);
    const scratchPath = `${absolute}${CRAWL_SCRATCH_SUFFIX}`;
    const releaseClaim = claimInProcess(canonicalPath(scratchPath), false, path);
    let tempDirectory;
    try {
        // The same prefix as the writer's own: a killed crawl's spill is swept by the next writer.
        tempDirectory = mkdtempSync(`${absolute}${WRITER_SPILL_INFIX}${process.pid}-`);
    }
    catch (error) {
        releaseClaim();
        const reason = fileSystemReason(error)?.reason;
        if (reason === undefined)
            throw error;
        throw new StoreError("DB_IO", `database ${path}: cannot create its spill folder (${reason})`, {
            cause: error,
        });
    }
    const options = instanceOptions(settings, tempDirectory);
    const name = { shown: path, absolute };
    let instance;
    try {
        instance = await duckdb()
            .DuckDBInstance.create(scratchPath, options)
            .catch((error) => {
            const failure = translated(name, error, "open");
            if (failure instanceof StoreError && failure.code === "DB_LOCKED")
                throw failure;
            // Nobody holds it and it does not open (a crawl killed while DuckDB created it): it holds
            // nothing of value, so it is made anew.
            for (const file of [scratchPath, `${scratchPath}.wal`])
                rmSync(file, { force: true });
            return duckdb().DuckDBInstance.create(scratchPath, options);
        });
    }
    catch (error) {
        releaseClaim();
        removeSpillFolder(tempDirectory);
        throw translated(name, error, "open");
    }
    instanceNames.set(instance, name);
    let closed = false;
    return {
        instance,
        databasePath: absolute,
        close() {
            if (closed)
                return;
            closed = true;
            // Removed while still held, so no other crawl can take the name over in between.
            for (const file of [scratchPath, `${scratchPath}.wal`])
                rmSync(file, { force: true });
            instance.closeSync();
            rmSync(`${scratchPath}.wal`, { force: true });
            removeSpillFolder(tempDirectory);
            releaseClaim();
        },
    };
}
/** The alias a crawl's scratch connection gives the database while it publishes. */
const PUBLISH_ALIAS = "access_audit_publish_target";
/**
 * Attaches the database to a crawl's scratch connection as its default catalog (`USE`), so the
 * publish's SQL finds the database's tables and its own TEMP staging by their plain names.
 * Waits for readers like an open does; the returned function detaches it (releasing the lock).
 */
export async function attachForPublish(raw, path) {
    const absolute = refuseLinkedPaths(path);
    if (!existsSync(absolute))
        throw new StoreError("DB_NOT_FOUND", `database ${path} does not exist`);
    refuseUnwritable(path, absolute);
    const name = { shown: path, absolute };
    const home = String((await raw.runAndReadAll("SELECT current_database()")).getRowsJS()[0]?.[0]);
    const releaseClaim = await waitingForLock(path, async () => {
        const release = claimInProcess(canonicalPath(absolute), false, path);
        try {
            await raw.run(`ATTACH '${absolute.replaceAll("'", "''")}' AS ${PUBLISH_ALIAS}`);
            return release;
        }
        catch (error) {
            release();
            throw translated(name, error, "open");
        }
    });
    const detach = async () => {
        try {
            await raw.run(`USE "${home.replaceAll('"', '""')}"`);
            await raw.run(`DETACH ${PUBLISH_ALIAS}`);
        }
        finally {
            releaseClaim();
        }
    };
    try {
        await raw.run(`USE ${PUBLISH_ALIAS}`);
        await refuseNewerSchemaOn(raw, path);
    }
    catch (error) {
        await detach().catch(() => { });
        throw error;
    }
    return detach;
}
/**
 * Refuses to open a database whose side files (`SIDE_FILES`) are symbolic links, or logs with
 * other hard links: checked with lstat, before DuckDB (which would follow them) is started.
 */
function refuseLinkedSideFiles(path, absolute) {
    for (const suffix of SIDE_FILES) {
        const side = `${absolute}${suffix}`;
        let stat;
        try {
            stat = lstatOrNull(side);
        }
        catch {
            continue; // a folder we may not search: DuckDB says what is wrong when it opens the file
        }
        if (stat === null)
            continue;
        const kind = stat.isSymbolicLink()
            ? "a symbolic link"
            : stat.isFile() && stat.nlink > 1
                ? "a file with other hard links"
                : null;
        if (kind === null)
            continue;
        throw new StoreError("DB_SYMLINK", `database ${path}: ${side} beside it is ${kind}: refusing to follow it (remove it if you did not make it)`);
    }
}
/** Removes an opener's own spill folder (its files are DuckDB's, gone once it is closed). */
function removeSpillFolder(dir) {
    try {
        rmSync(dir, { recursive: true, force: true });
    }
    catch {
        // Permissions changed under us: a leftover the next opener sweeps.
    }
}
/** A database this process may not write (or whose folder it may not write) is refused by name. */
function refuseUnwritable(path, absolute) {
    try {
        accessSync(absolute, constants.W_OK);
    }
    catch (error) {
        const code = fileSystemReason(error)?.code;
        if (code === "EROFS" || code === "EPERM" || code === "EACCES") {
            throw readOnlyDatabaseError(path, code, "", error);
        }
        return; // anything else: DuckDB says what it is
    }
    const folder = unwritableReason(dirname(absolute));
    if (folder !== null && ["EROFS", "EPERM", "EACCES"].includes(folder.code)) {
        throw readOnlyDatabaseError(path, folder.code, `, its folder ${dirname(absolute)}`);
    }
}
/**
 * Reads the schema version before anything else touches the file, so a database written by a
 * newer tool is refused by name, readers and writers alike, and left exactly as it was.
 */
async function refuseNewerSchema(instance, path) {
    const probe = await instance.connect();
    try {
        await refuseNewerSchemaOn(probe, path);
    }
    finally {
        probe.closeSync();
    }
}
async function refuseNewerSchemaOn(connection, path) {
    const version = await readSchemaVersion(connection);
    if (version > SCHEMA_VERSION) {
        throw new StoreError("SCHEMA_TOO_NEW", `database schema version ${version} is newer than this tool supports (${SCHEMA_VERSION}); upgrade openai-access-audit to open ${path}`);
    }
}
/**
 * The database's absolute path, once neither it nor its side files are links: checked with
 * lstat before DuckDB (which would follow them) touches anything.
 */
function refuseLinkedPaths(path) {
    const absolute = resolve(path);
    if (isSymlink(absolute)) {
        throw new StoreError("DB_SYMLINK", `database ${path} is a symbolic link: refusing to follow it (pass the real path)`);
    }
    refuseLinkedSideFiles(path, absolute);
    return absolute;
}
/** A database this call was creating and could not finish: no half-made file or folder stays. */
function removeFailedCreation(absolute, createdDir, tempDirectory) {
    // Side files were checked not to be links; fs.rm would unlink a link rather than follow it.
    for (const file of [absolute, `${absolute}.wal`, tempDirectory]) {
        if (file !== undefined)
            rmSync(file, { recursive: true, force: true });
    }
    if (createdDir === undefined)
        return;
    for (let dir = dirname(absolute);; dir = dirname(dir)) {
        try {
            rmdirSync(dir);
        }
        catch {
            return;
        }
        if (dir === createdDir || dirname(dir) === dir)
            return;
    }
}
/**
 * A killed writer leaves its spill folder behind; we hold the lock, so no writer uses one now.
 * Only real folders of processes that are gone are removed (`sweepOrphans`: never through a
 * link), and the `<db>.tmp` folder of an older version of the tool if it is a real folder.
 */
function removeLeftoverSpillFolders(absolute) {
    sweepOrphans(dirname(absolute), `${basename(absolute)}${WRITER_SPILL_INFIX}`, "");
    const legacy = `${absolute}.tmp`;
    if (lstatOrNull(legacy)?.isDirectory() === true) {
        removeSpillFolder(legacy);
    }
}
/** DuckDB size text such as `512MB`; validated because SET takes it as a literal. */
export function memoryLimitLiteral(value) {
    if (!/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value)) {
        throw new TypeError(`invalid memory limit ${JSON.stringify(value)} (expected e.g. "256MB")`);
    }
    return `'${value}'`;
}
/** Sets the session up the same way for every connection we hand out. */
export async function connect(instance) {
    const name = instanceNames.get(instance);
    const connection = await instance.connect().catch((error) => {
        throw translated(name, error, "use");
    });
    if (name !== undefined)
        connectionNames.set(connection, name);
    // TIMESTAMPTZ values render in UTC in SQL text (casts, string_agg, users' ad-hoc queries).
    await connection.run("SET TimeZone = 'UTC'");
    return connection;
}
/**
 * Runs work on one connection strictly one at a time. `idle` tells the
 * snapshot writer when it may touch its appenders (an appender may flush into
 * its table, which must not overlap a running query on the same connection).
 */
export class SerialConnection {
    raw;
    tail = Promise.resolve();
    pending = 0;
    idleListeners = new Set();
    name;
    constructor(raw) {
        this.raw = raw;
        this.name = connectionNames.get(raw);
    }
    get idle() {
        return this.pending === 0;
    }
    onIdle(listener) {
        this.idleListeners.add(listener);
        return () => this.idleListeners.delete(listener);
    }
    async exclusive(work) {
        const previous = this.tail;
        let release = () => { };
        this.tail = new Promise((done) => {
            release = done;
        });
        this.pending += 1;
        try {
            await previous;
            return await work(this.raw);
        }
        catch (error) {
            // A full disk, a corrupt block, a read-only file: one line naming the database.
            throw translated(this.name, error, "use");
        }
        finally {
            this.pending -= 1;
            release();
            if (this.pending === 0)
                for (const listener of this.idleListeners)
                    listener();
        }
    }
    /** Waits for everything queued so far. */
    async drain() {
        await this.exclusive(async () => { });
    }
}
/** Lossless ISO-8601 UTC text for a microsecond timestamp: milliseconds, plus µs digits only when present. */
export function isoFromMicros(micros) {
    const millis = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
    const subMillis = micros - millis * 1000n;
    const date = new Date(Number(millis));
    if (Number.isNaN(date.getTime()))
        return String(micros);
    const iso = date.toISOString();
    return subMillis === 0n ? iso : `${iso.slice(0, -1)}${subMillis.toString().padStart(3, "0")}Z`;
}
export function isoFromTimestampTZ(value) {
    if (!value.isFinite)
        return value.micros > 0n ? "infinity" : "-infinity";
    return isoFromMicros(value.micros);
}
function jsonSafeInteger(value) {
    if (typeof value === "bigint") {
        return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    }
    return typeof value === "number" ? value : String(value);
}
let jsonSafe;
/**
 * Rows the store hands out are JSON-safe: no bigint, timestamps as ISO strings. Made on first
 * use (DuckDB is loaded by then: a converter runs only on the rows of an open database), with
 * the type ids it tests captured once rather than looked up for every value.
 */
export function jsonSafeConverter() {
    if (jsonSafe !== undefined)
        return jsonSafe;
    const { DuckDBTimestampTZValue, DuckDBTypeId, JsonDuckDBValueConverter } = duckdb();
    const { BIGINT, HUGEINT, UBIGINT, UHUGEINT, DECIMAL, TIMESTAMP_TZ } = DuckDBTypeId;
    jsonSafe = (value, type, converter) => {
        if (value === null)
            return null;
        switch (type.typeId) {
            case BIGINT:
            case HUGEINT:
            case UBIGINT:
            case UHUGEINT:
                return jsonSafeInteger(value);
            case DECIMAL:
                return Number(String(value));
            case TIMESTAMP_TZ:
                return value instanceof DuckDBTimestampTZValue ? isoFromTimestampTZ(value) : String(value);
            default:
                return JsonDuckDBValueConverter(value, type, converter);
        }
    };
    return jsonSafe;
}
//# sourceMappingURL=db.js.map