/**
 * Errors the store raises on purpose. Each carries a one-line, user-facing
 * message (the CLI prints it as is) and a stable `code` callers can branch on.
 */
import { AuditError } from "../errors.js";
export class StoreError extends AuditError {
    constructor(code, message, options) {
        // Naming a snapshot that is not there is the caller's choice; the rest is the database's.
        super(code, message, {
            exitClass: code === "SNAPSHOT_NOT_FOUND" ? "usage" : "failure",
            cause: options?.cause,
        });
    }
}
/** The one line shown when another process (or this one) already holds the database. */
export function lockedError(path, pid, cause, waited) {
    const who = pid === null ? "pid unknown" : `pid ${pid}`;
    const advice = waited === undefined
        ? "wait for it to finish"
        : `waited ${waited} for it to finish (raise lock_wait or ACCESS_AUDIT_LOCK_WAIT to wait longer)`;
    return new StoreError("DB_LOCKED", `database ${path} is in use by another process (${who}); ${advice}`, {
        cause,
    });
}
/** What commands that only read can still do with a database this process cannot write. */
const READERS_STILL_WORK = "commands that write (crawl, run, retention, certify, snapshots hold) need write access; snapshots, verify, diff, access, report and export only read it";
const DENIED = {
    EROFS: "read-only file system",
    EPERM: "operation not permitted: immutable? see lsattr",
    EACCES: "permission denied",
};
/**
 * `database X is read-only (read-only file system); commands that write … need write access; …`:
 * `code` is the errno (EROFS, EPERM, EACCES), `where` an optional `, its folder D`.
 */
export function readOnlyDatabaseError(path, code, where = "", cause) {
    return new StoreError("DB_READ_ONLY", `database ${path} is read-only (${DENIED[code] ?? code}${where}); ${READERS_STILL_WORK}`, { cause });
}
/**
 * DuckDB's own I/O errors ("IO Error: …", "TransactionContext Error: Failed to commit: …") as one
 * line naming the database (`path`, as the user gave it), what is wrong and what to do, keeping
 * DuckDB's reason briefly. Null for any other error (constraint violations, SQL mistakes, …) and,
 * once open, for an I/O error about a file that is not the database's own (`absolute`, its `.wal`
 * or its spill folder), such as an export's COPY target: callers pass those on as they are.
 */
export function databaseIoError(path, absolute, error, phase) {
    if (error instanceof StoreError)
        return null;
    const message = error instanceof Error ? error.message : String(error);
    const conflict = parseLockConflict(message);
    if (conflict)
        return lockedError(path, conflict.pid, error);
    const options = { cause: error };
    const file = /(?:file|open file) "([^"]+)"/i.exec(message)?.[1];
    const ours = file === undefined || file === absolute || file.startsWith(`${absolute}.`);
    if (phase === "use" && !ours)
        return null;
    const corrupt = corruptionReason(message);
    if (corrupt !== null) {
        return new StoreError("DB_CORRUPT", `database ${path} is not a DuckDB database or is corrupt (${corrupt}); restore it from a backup, or pass another --db`, options);
    }
    if (/No space left on device|Disk quota exceeded/i.test(message)) {
        const what = /quota/i.test(message) ? "disk quota exceeded" : "no space left on device";
        return new StoreError("DB_NO_SPACE", `database ${path}: ${what}${file === undefined ? "" : ` writing ${file}`}; free some space and run the command again`, options);
    }
    // DuckDB caps its temporary files at 90% of the free disk space by default: when a spill
    // does not fit, the disk is what is full, whatever the wording.
    if (/failed to offload data block/i.test(message)) {
        const reason = (message.split("\n")[0] ?? message).replace(/^[A-Za-z]+ Error: /, "");
        return new StoreError("DB_NO_SPACE", `database ${path}: no space left on device for temporary files (${reason}); free some space and run the command again`, options);
    }
    const denied = /Read-only file system/i.test(message)
        ? "EROFS"
        : /Operation not permitted/i.test(message)
            ? "EPERM"
            : /Permission denied/i.test(message)
                ? "EACCES"
                : null;
    if (denied !== null) {
        const where = file === undefined || file === absolute ? "" : `, writing ${file}`;
        return readOnlyDatabaseError(path, denied, where, error);
    }
    if (/^(IO|IOException) Error|^TransactionContext Error: Failed to commit/i.test(message)) {
        const reason = (message.split("\n")[0] ?? message)
            .replace(/^[A-Za-z]+ Error: /, "")
            .replace(/^Failed to commit: /, "");
        return new StoreError("DB_IO", `database ${path}: ${phase === "open" ? "cannot open it" : "input/output error"} (${reason})`, options);
    }
    return null;
}
/** DuckDB's words for a file that is not (or no longer) a whole, valid database; null otherwise. */
function corruptionReason(message) {
    if (/not a valid DuckDB database file/i.test(message))
        return "not a DuckDB database file";
    const short = /Could not read enough bytes from file "[^"]*": (attempted to read \d+ bytes from location \d+)/i.exec(message);
    if (short)
        return `truncated: ${short[1]}`;
    if (/Could not read enough bytes/i.test(message))
        return "truncated";
    const checksum = /Corrupt database file: (computed checksum \d+ does not match stored checksum \d+(?: in block at location \d+)?)/i.exec(message);
    if (checksum)
        return `checksum mismatch: ${checksum[1]}`;
    if (/Corrupt database file/i.test(message)) {
        return (message.split("\n")[0] ?? message).replace(/^[A-Za-z ]+ Error: /, "");
    }
    return null;
}
/** DuckDB's lock conflict reads "Could not set lock on file …: Conflicting lock is held in … (PID 123)". */
export function parseLockConflict(message) {
    if (!/Could not set lock on file|Conflicting lock is held/i.test(message))
        return null;
    const pid = /\(PID (\d+)\)/i.exec(message)?.[1];
    return { pid: pid === undefined ? null : Number(pid) };
}
//# sourceMappingURL=errors.js.map