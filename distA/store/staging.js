import { duckdb } from "../util/duckdb.js";
import { ident } from "./schema.js";
/*
 * Packed staging layout. Each value that crosses into DuckDB costs a native
 * call, and appending many small strings costs DuckDB more than a few long
 * ones; both dominated ingest. So rows travel as text blocks:
 *  - a row is one line: its values joined by U+001F, NULL written as U+001D,
 *    booleans as true/false, timestamps as unix seconds, lists as JSON text;
 *  - a row with a value containing U+0000 or U+001C..U+001F is written
 *    instead as U+001C followed by a JSON array of the same texts;
 *  - ROWS_PER_BLOCK lines joined by U+001E make one appended VARCHAR, with
 *    the running row number of its first line (`seq`, append order).
 * `publish` unpacks the blocks into the typed `stage_*` table in one parallel
 * SQL pass (unpackStageSql).
 */
const UNIT_SEPARATOR = "\u001f";
const ROW_SEPARATOR = "\u001e";
const NULL_MARK = "\u001d";
const JSON_ROW_MARK = "\u001c";
// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are the separators.
const RESERVED = /[\u0000\u001c-\u001f]/;
const ROWS_PER_BLOCK = 64;
/** Long rows (many permissions) end a block early: big strings are costly to pin. */
const MAX_BLOCK_CHARS = 8192;
const BLOCKS_PER_CHUNK = 32;
/**
 * The appender keeps rows in its own unspillable buffer until it flushes by
 * row count; with few, long rows that is never. Flush it every few MB so the
 * rows reach the TEMP table, which can spill under `memory_limit`.
 */
const APPENDER_FLUSH_CHARS = 4 * 1024 * 1024;
function kindOf(table, index) {
    const column = table.columns[index];
    if (column === undefined)
        throw new Error(`${table.part} has no column ${index}`);
    if (column.sql === "VARCHAR")
        return "string";
    if (column.sql === "BOOLEAN")
        return "boolean";
    if (column.sql === "TIMESTAMPTZ")
        return "timestamp";
    if (column.jsonShape !== undefined)
        return "json";
    throw new Error(`no staging encoding for ${table.part}.${column.name} (${column.sql})`);
}
export function createRawStageTableSql(table) {
    return `CREATE OR REPLACE TEMP TABLE ${ident(table.rawStage)} (first_seq INTEGER, block VARCHAR)`;
}
/**
 * Rebuilds the typed staging table from the packed blocks; `seq` numbers the
 * rows in the order they were added, so "last row wins" survives the parallel pass.
 */
export function unpackStageSql(table) {
    const select = table.columns.map((column, index) => {
        const position = index + 1;
        const text = `CASE WHEN j THEN p[${position}] WHEN p[${position}] = chr(29) THEN NULL ELSE p[${position}] END`;
        const typed = {
            string: text,
            boolean: `(${text})::BOOLEAN`,
            timestamp: `to_timestamp((${text})::BIGINT)`,
            json: `from_json(${text}, '${column.jsonShape}')::${column.sql}`,
        };
        return `${typed[kindOf(table, index)]} AS ${ident(column.name)}`;
    });
    return `CREATE OR REPLACE TEMP TABLE ${ident(table.stage)} AS
SELECT seq, ${select.join(", ")}
FROM (
  SELECT seq, j,
    CASE WHEN j THEN from_json(substr(line, 2), '["VARCHAR"]') ELSE string_split(line, chr(31)) END AS p
  FROM (
    SELECT first_seq + i AS seq, line, starts_with(line, chr(28)) AS j
    FROM (
      SELECT first_seq, unnest(lines) AS line, unnest(range(len(lines))) AS i
      FROM (SELECT first_seq, string_split(block, chr(30)) AS lines FROM ${ident(table.rawStage)})
    )
  )
)`;
}
/**
 * Encodes rows of one table into blocks and appends them as DataChunks.
 * Rows are encoded when added (later changes to the object do not matter).
 * Appending is only done while the connection is idle: the appender may flush
 * into its table, which must not overlap a query running on the same
 * connection. Chunks filled meanwhile wait in `ready`.
 */
export class StageBuffer {
    table;
    appender;
    connection;
    /** The current block's lines and row separators, joined once when it ends. */
    blockParts = [];
    blockChars = 0;
    blockRows = 0;
    blockFirstSeq = 0;
    blocks = [];
    ready = [];
    /** Chunks already appended, kept for reuse: their native memory is freed only by GC otherwise. */
    spare = [];
    nextSeq = 0;
    /** Characters appended since the appender last flushed. */
    unflushedChars = 0;
    closed = false;
    kinds;
    constructor(table, appender, connection) {
        this.table = table;
        this.appender = appender;
        this.connection = connection;
        this.kinds = table.columns.map((_, index) => kindOf(table, index));
    }
    get rowsAdded() {
        return this.nextSeq;
    }
    add(row) {
        if (this.blockRows === 0)
            this.blockFirstSeq = this.nextSeq;
        else
            this.blockParts.push(ROW_SEPARATOR);
        this.encodeInto(this.table.values(row));
        this.nextSeq += 1;
        this.blockRows += 1;
        if (this.blockRows === ROWS_PER_BLOCK || this.blockChars >= MAX_BLOCK_CHARS)
            this.endBlock();
    }
    /** Appends whatever is ready; call only when nothing else runs on the connection. */
    appendReady() {
        if (this.closed)
            return;
        const chunks = this.ready;
        this.ready = [];
        for (const { chunk, chars } of chunks) {
            this.appender.appendDataChunk(chunk);
            this.spare.push(chunk);
            this.unflushedChars += chars;
        }
        if (this.unflushedChars >= APPENDER_FLUSH_CHARS) {
            this.appender.flushSync();
            this.unflushedChars = 0;
        }
    }
    /** Pushes every buffered row into the table. Call only from inside `exclusive`. */
    flushToTable() {
        if (this.blockRows > 0)
            this.endBlock();
        if (this.blocks.length > 0)
            this.endChunk();
        this.appendReady();
        this.appender.flushSync();
        this.unflushedChars = 0;
    }
    /** Flushes and closes the appender. Call only from inside `exclusive`. */
    close() {
        if (this.closed)
            return;
        this.flushToTable();
        this.closed = true;
        this.spare = [];
        this.appender.closeSync();
    }
    /** Throws away buffered rows and closes the appender. Safe to call more than once. */
    discard() {
        this.blockParts = [];
        this.blockChars = 0;
        this.blockRows = 0;
        this.blocks = [];
        this.ready = [];
        this.spare = [];
        if (this.closed)
            return;
        this.closed = true;
        this.appender.clear();
        this.appender.closeSync();
    }
    endBlock() {
        this.blocks.push({ firstSeq: this.blockFirstSeq, text: this.blockParts.join("") });
        this.blockParts.length = 0;
        this.blockChars = 0;
        this.blockRows = 0;
        if (this.blocks.length === BLOCKS_PER_CHUNK) {
            this.endChunk();
            if (this.connection.idle)
                this.appendReady();
        }
    }
    endChunk() {
        const reused = this.spare.pop();
        if (reused)
            reused.reset();
        const { DuckDBDataChunk, INTEGER, VARCHAR } = duckdb();
        const chunk = reused ?? DuckDBDataChunk.create([INTEGER, VARCHAR]);
        // Sized exactly (setting it also drops cached vector views).
        chunk.rowCount = this.blocks.length;
        const firstSeqs = chunk.getColumnVector(0);
        const texts = chunk.getColumnVector(1);
        let chars = 0;
        this.blocks.forEach((block, index) => {
            firstSeqs.setItem(index, block.firstSeq);
            texts.setItem(index, block.text);
            chars += block.text.length;
        });
        firstSeqs.flush();
        texts.flush();
        this.blocks = [];
        this.ready.push({ chunk, chars });
    }
    /** Appends one row as one line of text to the current block (see the layout above). */
    encodeInto(values) {
        const kinds = this.kinds;
        let line = "";
        let reserved = false;
        for (let index = 0; index < kinds.length; index++) {
            const text = this.text(values[index] ?? null, kinds[index], index);
            if (text !== null && RESERVED.test(text))
                reserved = true;
            line = index === 0 ? (text ?? NULL_MARK) : line + UNIT_SEPARATOR + (text ?? NULL_MARK);
        }
        if (reserved) {
            const texts = kinds.map((kind, index) => this.text(values[index] ?? null, kind, index));
            line = JSON_ROW_MARK + JSON.stringify(texts);
        }
        this.blockParts.push(line);
        this.blockChars += line.length + 1;
    }
    text(value, kind, index) {
        if (value === null)
            return null;
        switch (kind) {
            case "string":
                if (typeof value === "string")
                    return value;
                break;
            case "boolean":
                if (typeof value === "boolean")
                    return value ? "true" : "false";
                break;
            case "timestamp":
                if (typeof value === "number" && Number.isSafeInteger(value))
                    return String(value);
                throw new TypeError(`${this.columnName(index)} must be whole unix seconds or null, got ${String(value)}`);
            case "json":
                if (typeof value === "object")
                    return JSON.stringify(value);
                break;
        }
        throw new TypeError(`${this.columnName(index)} must be a ${kind} or null`);
    }
    columnName(index) {
        return `${this.table.part}.${this.table.columns[index]?.name ?? "?"}`;
    }
}
export async function createStageBuffer(raw, connection, table) {
    await raw.run(createRawStageTableSql(table));
    const appender = await raw.createAppender(table.rawStage, "main", "temp");
    return new StageBuffer(table, appender, connection);
}
//# sourceMappingURL=staging.js.map