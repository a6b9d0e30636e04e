/**
 * The exceptions register (accepted risks) in the store: an append-only table of events, `add`
 * and `expire`, in a hash chain of its own, like the audit log's syncs.
 *
 * Chain format ("openai-access-audit exceptions v1", reproducible with any SHA-256 tool):
 *  - an entry's `row_sha256` is the SHA-256 of JSON.stringify of its columns in
 *    EXCEPTION_SEALED order (expires_on as YYYY-MM-DD, recorded_at as UTC ISO text with
 *    microseconds, absent values as null);
 *  - its seal is the SHA-256 of
 *      "openai-access-audit exceptions v1\nprev " + previousSeal + "\n" + row_sha256 + "\n"
 *    where previousSeal is the seal of the entry before it (seq - 1), 64 zeros for the first.
 * `verify` recomputes both for every entry and checks that seq runs 1..n, so a changed, removed
 * or inserted entry is found and named. As with any unkeyed chain, entries cut off the end leave
 * a shorter valid chain: keep the head seal (`exceptions list` prints it) somewhere else too.
 */
import { createHash } from "node:crypto";
import { AuditError } from "../errors.js";
import { StoreError } from "./errors.js";
export const EXCEPTIONS_CHAIN_FORMAT = "openai-access-audit exceptions v1";
const GENESIS = "0".repeat(64);
/** The finding fields an exception may name; it matches a finding when every one named is equal. */
export const EXCEPTION_SUBJECT_FIELDS = [
    "group_id",
    "user_id",
    "role_id",
    "project_id",
    "credential_id",
];
/** The columns an entry's digest covers, in order. */
export const EXCEPTION_SEALED = [
    "seq",
    "event",
    "exception_id",
    "rule_id",
    ...EXCEPTION_SUBJECT_FIELDS,
    "reason",
    "approver",
    "expires_on",
    "recorded_by",
    "recorded_at",
    "tool_version",
];
/** Why a register write was refused (unknown id, already ended): the caller's mistake, exit 2. */
export class ExceptionRegisterError extends AuditError {
    constructor(message) {
        super("EXCEPTION_REFUSED", message, { exitClass: "usage" });
    }
}
const sha256 = (text) => createHash("sha256").update(text, "utf8").digest("hex");
/** The digest of one entry's sealed columns. */
export function exceptionRowDigest(row) {
    return sha256(JSON.stringify(EXCEPTION_SEALED.map((c) => row[c] ?? null)));
}
/** The seal of one entry, chained to the previous entry's seal. */
export function exceptionSeal(previousSeal, rowSha256) {
    return sha256(`${EXCEPTIONS_CHAIN_FORMAT}\nprev ${previousSeal}\n${rowSha256}\n`);
}
const SELECT = `SELECT seq, event, exception_id, rule_id, ${EXCEPTION_SUBJECT_FIELDS.join(", ")},
  reason, approver, strftime(expires_on, '%Y-%m-%d') AS expires_on, recorded_by,
  strftime(recorded_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS recorded_at,
  tool_version, row_sha256, seal
FROM exception_events`;
function rowFrom(raw) {
    const text = (v) => (v === null || v === undefined ? null : String(v));
    return {
        seq: Number(raw.seq),
        event: raw.event === "expire" ? "expire" : "add",
        exception_id: Number(raw.exception_id),
        rule_id: text(raw.rule_id),
        group_id: text(raw.group_id),
        user_id: text(raw.user_id),
        role_id: text(raw.role_id),
        project_id: text(raw.project_id),
        credential_id: text(raw.credential_id),
        reason: String(raw.reason),
        approver: String(raw.approver),
        expires_on: text(raw.expires_on),
        recorded_by: String(raw.recorded_by),
        recorded_at: String(raw.recorded_at),
        tool_version: String(raw.tool_version),
        row_sha256: String(raw.row_sha256),
        seal: String(raw.seal),
    };
}
/** Every register entry, in the order stored (seq). */
export async function listExceptionEvents(connection) {
    const reader = await connection.runAndReadAll(`${SELECT} ORDER BY seq, exception_id, event`);
    return reader.getRowObjectsJS().map((r) => rowFrom(r));
}
/** The exceptions the entries make, by id: each `add` with the first `expire` that names it. */
export function foldExceptionEvents(events) {
    const byId = new Map();
    for (const e of events) {
        if (e.event === "add" && !byId.has(e.exception_id)) {
            const subject = {};
            for (const field of EXCEPTION_SUBJECT_FIELDS) {
                const value = e[field];
                if (value !== null)
                    subject[field] = value;
            }
            byId.set(e.exception_id, {
                id: e.exception_id,
                rule: e.rule_id ?? "",
                subject,
                reason: e.reason,
                approver: e.approver,
                expires_on: e.expires_on ?? "",
                recorded_by: e.recorded_by,
                recorded_at: e.recorded_at,
                ended: null,
            });
        }
        else if (e.event === "expire") {
            const record = byId.get(e.exception_id);
            if (record !== undefined && record.ended === null) {
                record.ended = {
                    at: e.recorded_at,
                    by: e.approver,
                    reason: e.reason,
                    recorded_by: e.recorded_by,
                };
            }
        }
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
}
export async function readExceptionsOn(connection) {
    return foldExceptionEvents(await listExceptionEvents(connection));
}
/** ISO text with microseconds, as DuckDB gives TIMESTAMPTZ back. */
function isoNow() {
    return new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
/** Appends one entry in its own transaction; reads it back and checks it reproduces its seal. */
async function appendEntry(c, build) {
    await c.run("BEGIN TRANSACTION");
    try {
        const events = await listExceptionEvents(c);
        const last = events[events.length - 1];
        const nextId = Math.max(0, ...events.map((e) => e.exception_id)) + 1;
        const seq = (last?.seq ?? 0) + 1;
        const fields = { seq, ...build(nextId, events) };
        const rowSha256 = exceptionRowDigest(fields);
        const seal = exceptionSeal(last?.seal ?? GENESIS, rowSha256);
        await c.run(`INSERT INTO exception_events VALUES ($seq, $event, $exception_id, $rule_id, $group_id,
        $user_id, $role_id, $project_id, $credential_id, $reason, $approver, $expires_on::DATE,
        $recorded_by, $recorded_at::TIMESTAMPTZ, $tool_version, $row_sha256, $seal)`, { ...fields, row_sha256: rowSha256, seal });
        const stored = await c.runAndReadAll(`${SELECT} WHERE seq = $1`, [seq]);
        const row = rowFrom(stored.getRowObjectsJS()[0] ?? {});
        // The row as stored is what verify recomputes from: it must reproduce the seal now.
        if (exceptionRowDigest(row) !== rowSha256) {
            throw new StoreError("SEAL_MISMATCH", `exceptions register entry ${seq}: the stored row does not reproduce its digest`);
        }
        await c.run("COMMIT");
        return row;
    }
    catch (error) {
        await c.run("ROLLBACK").catch(() => { });
        throw error;
    }
}
/** Records a new exception (an `add` entry); returns its entry (exception_id is the new id). */
export async function addExceptionOn(connection, exception) {
    return appendEntry(connection, (nextId) => ({
        event: "add",
        exception_id: nextId,
        rule_id: exception.rule,
        group_id: exception.subject.group_id ?? null,
        user_id: exception.subject.user_id ?? null,
        role_id: exception.subject.role_id ?? null,
        project_id: exception.subject.project_id ?? null,
        credential_id: exception.subject.credential_id ?? null,
        reason: exception.reason,
        approver: exception.approver,
        expires_on: exception.expiresOn,
        recorded_by: exception.recordedBy,
        recorded_at: isoNow(),
        tool_version: exception.toolVersion,
    }));
}
/**
 * Ends an exception early (an `expire` entry; the `add` stays). Refuses an unknown id and one
 * already ended; one already past its expiry date is refused too (nothing left to end).
 */
export async function expireExceptionOn(connection, end) {
    return appendEntry(connection, (_, events) => {
        const record = foldExceptionEvents(events).find((r) => r.id === end.id);
        if (record === undefined) {
            throw new ExceptionRegisterError(`no exception ${end.id} in the register`);
        }
        if (record.ended !== null) {
            throw new ExceptionRegisterError(`exception ${end.id} was already ended early at ${record.ended.at}`);
        }
        const recordedAt = isoNow();
        if (Date.parse(`${record.expires_on}T00:00:00Z`) <= Date.parse(recordedAt)) {
            throw new ExceptionRegisterError(`exception ${end.id} already expired on ${record.expires_on}`);
        }
        return {
            event: "expire",
            exception_id: end.id,
            rule_id: null,
            group_id: null,
            user_id: null,
            role_id: null,
            project_id: null,
            credential_id: null,
            reason: end.reason,
            approver: end.by,
            expires_on: null,
            recorded_by: end.recordedBy,
            recorded_at: recordedAt,
            tool_version: end.toolVersion,
        };
    });
}
/** Recomputes every entry's digest and seal and checks the numbering and the events' logic. */
export async function verifyExceptionsOn(connection) {
    const events = await listExceptionEvents(connection);
    const problems = [];
    let previousSeal = GENESIS;
    let expectedSeq = 1;
    const added = new Set();
    const ended = new Set();
    for (const e of events) {
        const id = e.exception_id;
        if (e.seq < expectedSeq) {
            problems.push({ seq: e.seq, exception_id: id, problem: "inserted (its seq is a duplicate)" });
        }
        else if (e.seq > expectedSeq) {
            for (let missing = expectedSeq; missing < e.seq; missing++) {
                problems.push({ seq: missing, exception_id: null, problem: "removed (seq is missing)" });
            }
        }
        expectedSeq = Math.max(expectedSeq, e.seq + 1);
        const { row_sha256, seal, ...fields } = e;
        const digestOk = exceptionRowDigest(fields) === row_sha256;
        if (!digestOk) {
            problems.push({
                seq: e.seq,
                exception_id: id,
                problem: "changed (its columns no longer match its digest)",
            });
        }
        if (exceptionSeal(previousSeal, row_sha256) !== seal) {
            problems.push({
                seq: e.seq,
                exception_id: id,
                problem: digestOk
                    ? "its seal does not chain to the entry before it (an entry was removed, inserted or rewritten before it)"
                    : "its seal does not match",
            });
        }
        if (e.event === "add") {
            if (added.has(id)) {
                problems.push({ seq: e.seq, exception_id: id, problem: "a second add of the same id" });
            }
            added.add(id);
        }
        else {
            if (!added.has(id)) {
                problems.push({ seq: e.seq, exception_id: id, problem: "ends an exception never added" });
            }
            else if (ended.has(id)) {
                problems.push({ seq: e.seq, exception_id: id, problem: "ends an exception twice" });
            }
            ended.add(id);
        }
        // Chain on the stored seal, so one tampered entry does not flag every later one.
        previousSeal = seal;
    }
    return {
        ok: problems.length === 0,
        entries: events.length,
        head: events[events.length - 1]?.seal ?? null,
        problems,
    };
}
//# sourceMappingURL=exceptions.js.map