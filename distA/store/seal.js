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
 * DuckDB renders, digests and sorts the lines; the sorted digests are streamed chunk
 * by chunk into the part hash, so no snapshot is ever held whole in memory.
 * A fact part's rows are read from its history table (`valid_from <= id <=
 * valid_to`), which is what its view shows for a complete snapshot, without
 * the view's range join; a publish reads them from its stage tables instead
 * (the same rows; see computeSeal). Verifying many snapshots digests each history row
 * once (computeSeals): a row has the same digest in every snapshot of its
 * range.
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
import { applyDigestChanges, DIGEST_HEX_BYTES, DIGEST_WORDS, EMPTY_DIGESTS, hashMergedDigests, mergeAllDigests, writeHexDigests, } from "./digest-list.js";
import { FACT_TABLES, ident } from "./schema.js";
export const SEAL_FORMAT = "openai-access-audit seal v1";
export const SEAL_FORMAT_V2 = "openai-access-audit seal v2";
/** The first schema version whose snapshots are sealed in format v2. */
export const SEAL_V2_SCHEMA_VERSION = 6;
export const SEAL_FORMAT_V3 = "openai-access-audit seal v3";
/** The first schema version whose snapshots are sealed in format v3. */
export const SEAL_V3_SCHEMA_VERSION = 8;
export const GENESIS_SEAL = "0".repeat(64);
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
];
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
];
/** v3 adds the credential counts. */
export const SEALED_SNAPSHOT_COLUMNS_V3 = [
    ...SEALED_SNAPSHOT_COLUMNS_V2,
    "service_accounts",
    "api_keys",
    "admin_keys",
    "invites",
];
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
function factParts(tables) {
    return tables.map((table) => {
        const columns = table.columns.map((c) => c.name);
        return {
            part: table.part,
            view: table.view,
            hist: table.hist,
            stage: table.stage,
            columns,
            timestamps: table.columns.filter((c) => c.sql === "TIMESTAMPTZ").map((c) => c.name),
        };
    });
}
const EVIDENCE_PARTS = [
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
export const SEAL_PARTS_V1 = [
    {
        part: "snapshot",
        view: "snapshots",
        columns: SEALED_SNAPSHOT_COLUMNS,
        timestamps: ["started_at", "finished_at"],
    },
    ...factParts(FACT_TABLES.filter((t) => V1_FACT_PARTS.includes(t.part))),
    ...EVIDENCE_PARTS,
];
const VANISHED_PROJECT_ACCESS_PART = {
    part: "vanished_project_access",
    view: "snapshot_vanished_project_access",
    columns: ["project_id", "principal_type", "principal_id"],
    timestamps: [],
};
/** Format v2: schema versions 6 and 7. */
export const SEAL_PARTS_V2 = [
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
export const SEAL_PARTS = [
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
export function sealFormatFor(schemaVersion) {
    if (schemaVersion >= SEAL_V3_SCHEMA_VERSION)
        return { format: SEAL_FORMAT_V3, parts: SEAL_PARTS };
    if (schemaVersion >= SEAL_V2_SCHEMA_VERSION) {
        return { format: SEAL_FORMAT_V2, parts: SEAL_PARTS_V2 };
    }
    return { format: SEAL_FORMAT, parts: SEAL_PARTS_V1 };
}
/** A part's canonical line of one row, as SQL over its columns. */
function lineSql(part) {
    const values = part.columns.map((c) => part.timestamps.includes(c)
        ? `strftime(${ident(c)} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')`
        : ident(c));
    return `json_array(${values.join(", ")})::VARCHAR`;
}
/** The SQL that renders a part's canonical lines (in no particular order), from its view. */
export function partLinesSql(part) {
    return `SELECT ${lineSql(part)} AS line FROM ${ident(part.view)}
WHERE snapshot_id = $1`;
}
/** A fact part's rows in snapshot $1: those of its view, read from the history table. */
function snapshotRowsFilter() {
    return `valid_from <= $1 AND $1 <= coalesce(valid_to, 2147483647)
  AND EXISTS (SELECT 1 FROM snapshot_runs WHERE snapshot_id = $1 AND status = 'complete')`;
}
/** A row's digest as SQL: the lowercase hex SHA-256 of its line. */
function rowDigestSql(part) {
    return `sha256(${lineSql(part)})`;
}
/**
 * A hex row digest as four big-endian 64-bit words `w0`..`w3`: fixed-width values sort as the
 * hex text does and reach JS without a native call per row (a string or a 32-byte BLOB costs
 * one); eight 32-bit words cost twice the hex casts, which cost more than the JS side.
 */
function digestWordsSql(digest) {
    return Array.from({ length: DIGEST_WORDS }, (_, w) => `('0x' || substr(${digest}, ${w * 16 + 1}, 16))::UBIGINT AS w${w}`).join(", ");
}
/** The row digests of a part in snapshot $1 (column `digest`), in no particular order. */
function partDigestRowsSql(part, source) {
    if (part.hist === undefined)
        return `SELECT sha256(line) AS digest FROM (${partLinesSql(part)})`;
    if (source === "stage" && part.stage !== undefined) {
        return `SELECT ${rowDigestSql(part)} AS digest FROM ${ident(part.stage)}`;
    }
    return `SELECT ${rowDigestSql(part)} AS digest FROM ${ident(part.hist)} WHERE ${snapshotRowsFilter()}`;
}
/**
 * The row digests of several parts in snapshot $1, as (`part`: index in `parts`, digest words),
 * in no particular order. `sourceOf` says where each fact part's rows are read (history unless
 * told); a part with no source has no rows.
 */
function unsortedPartsDigestsSql(parts, sourceOf) {
    const rows = parts.flatMap((part, index) => part.hist !== undefined && sourceOf(part) === "none"
        ? []
        : [`SELECT ${index} AS part, digest FROM (${partDigestRowsSql(part, sourceOf(part))})`]);
    return `SELECT part, ${digestWordsSql("digest")} FROM (${rows.join("\nUNION ALL\n")})`;
}
/**
 * The row digests of several parts in snapshot $1 (see unsortedPartsDigestsSql), sorted by part
 * then digest: what each part hash is computed over. One statement for all the parts, since a
 * small snapshot's seal costs statements rather than rows.
 */
export function partsDigestsSql(parts, sourceOf = () => "history") {
    return `${unsortedPartsDigestsSql(parts, sourceOf)}\nORDER BY ALL`;
}
/** A chunk's digest words (UBIGINT columns `first` to `first + 3`) into `words`, in row order. */
function readDigestWords(chunk, first, words) {
    // Read once: `rowCount` is a native call, and a loop test per word cost 0.4 s a million rows.
    const rows = chunk.rowCount;
    for (let w = 0; w < DIGEST_WORDS; w++) {
        const vector = chunk.getColumnVector(first + w);
        for (let row = 0; row < rows; row++) {
            const word = vector.getItem(row);
            if (typeof word !== "bigint")
                throw new Error("a row digest word is not a UBIGINT");
            words[row * DIGEST_WORDS + w] = word;
        }
    }
}
/** Running part hashes: each part's sorted row digests, fed in order. */
class PartHashes {
    parts;
    hashes;
    rowCounts;
    /** A chunk's digest words and their hex, reused from chunk to chunk. */
    words = new BigUint64Array(0);
    hex = Buffer.alloc(0);
    constructor(parts) {
        this.parts = parts;
        this.hashes = parts.map(() => createHash("sha256"));
        this.rowCounts = parts.map(() => 0);
    }
    /** Feeds rows (`part`, digest words), sorted by part then digest, from a streamed result. */
    async feed(result) {
        for (;;) {
            const chunk = await result.fetchChunk();
            const rows = chunk?.rowCount ?? 0; // a native call: read once per chunk
            if (chunk === null || rows === 0)
                break;
            const indexes = chunk.getColumnVector(0);
            const hex = this.chunkHex(chunk);
            // Rows come sorted by part: hash each run of one part's rows at once.
            let start = 0;
            for (let row = 1; row <= rows; row++) {
                const index = Number(indexes.getItem(start));
                if (row < rows && Number(indexes.getItem(row)) === index)
                    continue;
                this.hashes[index]?.update(hex.subarray(start * DIGEST_HEX_BYTES, row * DIGEST_HEX_BYTES));
                this.rowCounts[index] = (this.rowCounts[index] ?? 0) + (row - start);
                start = row;
            }
        }
    }
    /** chunkDigests into the reused buffers: the hex of the chunk's digests, in row order. */
    chunkHex(chunk) {
        const rows = chunk.rowCount;
        if (this.words.length < rows * DIGEST_WORDS) {
            this.words = new BigUint64Array(rows * DIGEST_WORDS);
            this.hex = Buffer.alloc(rows * DIGEST_HEX_BYTES);
        }
        readDigestWords(chunk, 1, this.words);
        writeHexDigests(this.words, rows, this.hex);
        return this.hex.subarray(0, rows * DIGEST_HEX_BYTES);
    }
    done() {
        return this.parts.map((part, index) => ({
            part: part.part,
            rowCount: this.rowCounts[index] ?? 0,
            sha256: this.hashes[index].digest("hex"),
        }));
    }
}
/** The part hashes of `parts` in one snapshot, in the order of `parts`. */
async function hashParts(connection, parts, snapshotId, sourceOf = () => "history") {
    const hashes = new PartHashes(parts);
    // Without a snapshot id only stage tables are read, and the statement takes no parameter.
    await hashes.feed(await connection.stream(partsDigestsSql(parts, sourceOf), snapshotId === null ? [] : [snapshotId]));
    return hashes.done();
}
/** Row digests sorted at once, at most; more are sorted in buckets (see hashPartsInBuckets). */
export const DIGEST_BUCKET_ROWS = 131_072;
/**
 * hashParts for many rows, sorted in bounded steps: the digest words are written to a TEMP
 * table (which spills like any table), then read back one bucket of leading bits at a time,
 * each bucket sorted on its own. The buckets follow each other in digest order, so every part
 * still receives its digests sorted: the same part hashes, while a sort holds about
 * DIGEST_BUCKET_ROWS rows (about 5 MB) instead of all of them: one sort of a million digests
 * ran out of a publish's 64MB memory_limit.
 */
async function hashPartsInBuckets(connection, parts, sourceOf, rows) {
    const bits = Math.min(12, Math.ceil(Math.log2(Math.max(1, rows / DIGEST_BUCKET_ROWS))));
    if (bits === 0)
        return hashParts(connection, parts, null, sourceOf);
    const hashes = new PartHashes(parts);
    await connection.run(`CREATE OR REPLACE TEMP TABLE seal_digests AS ${unsortedPartsDigestsSql(parts, sourceOf)}`);
    try {
        for (let bucket = 0; bucket < 2 ** bits; bucket++) {
            await hashes.feed(await connection.stream(`SELECT * FROM seal_digests WHERE w0 >> ${64 - bits} = ${bucket} ORDER BY ALL`));
        }
    }
    finally {
        await connection.run("DROP TABLE IF EXISTS seal_digests");
    }
    return hashes.done();
}
export function chainSeal(previousSeal, parts, format = SEAL_FORMAT) {
    let text = `${format}\nprev ${previousSeal}\n`;
    for (const p of parts)
        text += `${p.part} ${p.rowCount} ${p.sha256}\n`;
    return createHash("sha256").update(text, "utf8").digest("hex");
}
/**
 * The part hashes of the given fact parts, read from their stage tables: for a publish that
 * staged apart, computed in its scratch before the database is attached, so readers do not wait
 * for them. Only parts whose stage the merge leaves as it is may be hashed this early.
 */
export async function hashStagedParts(connection, parts) {
    const queries = SEAL_PARTS.filter((part) => part.hist !== undefined && parts.has(part.part));
    if (queries.length === 0)
        return new Map();
    const rows = queries.reduce((sum, part) => sum + (parts.get(part.part) ?? 0), 0);
    const hashes = await hashPartsInBuckets(connection, queries, () => "stage", rows);
    return new Map(hashes.map((h) => [h.part, h]));
}
/**
 * Seals one snapshot from the public views. Inside the publish transaction it
 * sees the snapshot as it is about to be committed; `verify` calls the same
 * function on the stored data.
 *
 * A publish passes `staged` (the fact parts that have a stage table, and the part hashes it
 * computed from them already): each fact part's rows are then read from its stage table, which is what the history merge just made the
 * snapshot's current rows from, row for row, and a part without one has no rows. The rows are
 * the same, so the seal is the same (verify recomputes it from the history, and the publish
 * tests check both against the format); but the history rows the merge wrote are
 * transaction-local until the commit, and DuckDB scans those about half as fast as a table.
 */
export async function computeSeal(connection, snapshotId, previousSeal, staged) {
    const version = await connection.runAndReadAll("SELECT schema_version FROM snapshot_runs WHERE snapshot_id = $1", [snapshotId]);
    const { format, parts: queries } = sealFormatFor(Number(version.getRowsJS()[0]?.[0] ?? 0));
    const sourceOf = (part) => staged === undefined ? "history" : staged.parts.has(part.part) ? "stage" : "none";
    const hashed = staged?.hashed ?? new Map();
    const rest = queries.filter((part) => !hashed.has(part.part));
    const restHashes = await hashParts(connection, rest, snapshotId, sourceOf);
    const parts = queries.map((part) => hashed.get(part.part) ?? restHashes[rest.indexOf(part)]);
    return { seal: chainSeal(previousSeal, parts, format), parts };
}
/** The part hash of no rows. */
const EMPTY_PART_HASH = createHash("sha256").digest("hex");
/**
 * Every history row of a fact part that some snapshot in [first, last] shows, digested once,
 * grouped by validity range, each group's digests sorted. The ranges' sizes are counted first,
 * so each group's hex is written straight into a buffer of its size. Gathered chunk by chunk and
 * then joined, the chunks and the joined copy were held together for a moment: verifying two
 * snapshots of a million memberships peaked 10-30 MB higher (414-421 MB against 389-403 MB).
 */
async function rangeDigests(connection, part, first, last) {
    const inRange = `FROM ${ident(part.hist)}
    WHERE valid_from <= $2 AND coalesce(valid_to, 2147483647) >= $1`;
    const sizes = await connection.runAndReadAll(`SELECT valid_from, coalesce(valid_to, 2147483647) AS valid_to, count(*) AS n ${inRange}
     GROUP BY ALL ORDER BY ALL`, [first, last]);
    const ranges = sizes.getRowsJS().map(([from, to, n]) => ({
        validFrom: Number(from),
        validTo: Number(to),
        digests: {
            // Not from the shared pool: its own ArrayBuffer at offset 0, as writeHexDigests needs.
            bytes: Buffer.allocUnsafeSlow(Number(n) * DIGEST_HEX_BYTES),
            count: Number(n),
        },
    }));
    const result = await connection.stream(`SELECT valid_from, valid_to, ${digestWordsSql("digest")} FROM (
       SELECT valid_from, coalesce(valid_to, 2147483647) AS valid_to, ${rowDigestSql(part)} AS digest
       ${inRange})
     ORDER BY ALL`, [first, last]);
    // The range being filled (rows arrive in range order, as counted) and the rows it has so far.
    let index = -1;
    let filled = 0;
    // Both statements read the same rows unless a write commits between them, which a store
    // does not do while it verifies.
    const changed = () => new Error(`${part.hist} changed while its seal was being recomputed`);
    let words = new BigUint64Array(0);
    for (;;) {
        const chunk = await result.fetchChunk();
        const rows = chunk?.rowCount ?? 0; // a native call: read once per chunk
        if (chunk === null || rows === 0)
            break;
        if (words.length < rows * DIGEST_WORDS)
            words = new BigUint64Array(rows * DIGEST_WORDS);
        readDigestWords(chunk, 2, words);
        const froms = chunk.getColumnVector(0);
        const tos = chunk.getColumnVector(1);
        let start = 0;
        while (start < rows) {
            const from = Number(froms.getItem(start));
            const to = Number(tos.getItem(start));
            let range = ranges[index];
            if (range === undefined || range.validFrom !== from || range.validTo !== to) {
                if (range !== undefined && filled !== range.digests.count)
                    throw changed();
                index += 1;
                filled = 0;
                range = ranges[index];
                if (range === undefined || range.validFrom !== from || range.validTo !== to) {
                    throw changed();
                }
            }
            // The rows [start, end) belong to this range.
            let end = start + 1;
            while (end < rows && Number(froms.getItem(end)) === from && Number(tos.getItem(end)) === to) {
                end += 1;
            }
            if (filled + (end - start) > range.digests.count)
                throw changed();
            writeHexDigests(words.subarray(start * DIGEST_WORDS, end * DIGEST_WORDS), end - start, range.digests.bytes.subarray(filled * DIGEST_HEX_BYTES));
            filled += end - start;
            start = end;
        }
    }
    if (index !== ranges.length - 1 || filled !== (ranges[index]?.digests.count ?? 0)) {
        throw changed();
    }
    return ranges;
}
/** Index of the first id in `sorted` at or above `id` (sorted.length if none). */
function firstAtOrAbove(sorted, id) {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
        const mid = (low + high) >>> 1;
        if (sorted[mid] < id)
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}
/**
 * At most this many target snapshots (a report's two, or `verify --snapshot`) are each hashed as
 * the union of the ranges that contain it, in place (hashMergedDigests); more are walked.
 */
const HASHED_IN_PLACE_TARGETS = 2;
/**
 * The part hash of a fact part in each target snapshot. A snapshot's rows are those of the
 * ranges that contain it. A few targets are each hashed from those ranges where they lie; more
 * are hashed walking the complete snapshots in order from the first target to the last, deriving
 * each one's sorted digests from the previous one's: minus the ranges that ended, plus those that
 * start (a snapshot deep in a long history is contained in many ranges). A range contains exactly
 * the complete snapshots between its first and last complete one, so this is each view's rows,
 * row for row.
 */
async function hashFactPartAcross(connection, part, complete, targets) {
    const indexes = complete.flatMap((id, k) => (targets.has(id) ? [k] : []));
    const firstK = indexes[0] ?? 0;
    const lastK = indexes.at(-1) ?? -1;
    const hashes = new Map();
    if (lastK < firstK)
        return hashes;
    // Each range with the complete snapshots it contains: from its first to its last complete one.
    const spans = [];
    for (const r of await rangeDigests(connection, part, complete[firstK], complete[lastK])) {
        const from = Math.max(firstAtOrAbove(complete, r.validFrom), firstK);
        const to = Math.min(firstAtOrAbove(complete, r.validTo + 1) - 1, lastK);
        if (from <= to)
            spans.push({ from, to, digests: r.digests });
    }
    if (indexes.length <= HASHED_IN_PLACE_TARGETS) {
        for (const k of indexes) {
            const covering = spans.filter((span) => span.from <= k && k <= span.to);
            const { count, sha256 } = hashMergedDigests(covering.map((span) => span.digests));
            hashes.set(complete[k], { part: part.part, rowCount: count, sha256 });
        }
        return hashes;
    }
    const opening = new Map();
    const closing = new Map();
    const add = (at, k, digests) => {
        const lists = at.get(k);
        if (lists)
            lists.push(digests);
        else
            at.set(k, [digests]);
    };
    for (const { from, to, digests } of spans) {
        add(opening, from, digests);
        if (to < lastK)
            add(closing, to, digests);
    }
    const total = (lists) => (lists ?? []).reduce((n, l) => n + l.count, 0);
    let most = 0;
    for (let k = firstK, count = 0; k <= lastK; k++) {
        count += total(opening.get(k)) - total(closing.get(k - 1));
        most = Math.max(most, count);
    }
    // Two buffers, written in turn: each snapshot's list is built from the previous one's.
    const buffers = [
        Buffer.allocUnsafe(most * DIGEST_HEX_BYTES),
        Buffer.allocUnsafe(most * DIGEST_HEX_BYTES),
    ];
    let current = EMPTY_DIGESTS;
    for (let k = firstK; k <= lastK; k++) {
        current = applyDigestChanges(current, mergeAllDigests(closing.get(k - 1) ?? []), mergeAllDigests(opening.get(k) ?? []), buffers[(k - firstK) % 2]);
        const id = complete[k];
        if (!targets.has(id))
            continue;
        const sha256 = createHash("sha256")
            .update(current.bytes.subarray(0, current.count * DIGEST_HEX_BYTES))
            .digest("hex");
        hashes.set(id, { part: part.part, rowCount: current.count, sha256 });
    }
    return hashes;
}
/**
 * Recomputes the seals of several complete snapshots (`verify`): the same seals as
 * computeSeal, each chained to the given previous seal, with every history row digested once
 * rather than once per snapshot that shows it.
 */
export async function computeSeals(connection, targets) {
    const runs = await connection.runAndReadAll(`SELECT snapshot_id, schema_version FROM snapshot_runs WHERE status = 'complete'
     ORDER BY snapshot_id`);
    const complete = [];
    const versions = new Map();
    for (const [id, version] of runs.getRowsJS()) {
        complete.push(Number(id));
        versions.set(Number(id), Number(version ?? 0));
    }
    const formats = new Map(targets.map((t) => [t.snapshotId, sealFormatFor(versions.get(t.snapshotId) ?? 0)]));
    // Each fact part once, for the targets whose format seals it.
    const factHashes = new Map();
    for (const part of SEAL_PARTS) {
        if (part.hist === undefined)
            continue;
        const wanted = new Set(targets
            .filter((t) => formats.get(t.snapshotId)?.parts.some((p) => p.part === part.part))
            .map((t) => t.snapshotId));
        if (wanted.size === 0)
            continue;
        factHashes.set(part.part, await hashFactPartAcross(connection, { ...part, hist: part.hist }, complete, wanted));
    }
    const seals = new Map();
    for (const { snapshotId, previousSeal } of targets) {
        const { format, parts: queries } = formats.get(snapshotId) ?? sealFormatFor(0);
        const others = queries.filter((part) => part.hist === undefined);
        const otherHashes = await hashParts(connection, others, snapshotId);
        // A target that is not complete shows no rows, as its views do.
        const parts = queries.map((part) => (part.hist === undefined
            ? otherHashes[others.indexOf(part)]
            : factHashes.get(part.part)?.get(snapshotId)) ?? {
            part: part.part,
            rowCount: 0,
            sha256: EMPTY_PART_HASH,
        });
        seals.set(snapshotId, { seal: chainSeal(previousSeal, parts, format), parts });
    }
    return seals;
}
//# sourceMappingURL=seal.js.map