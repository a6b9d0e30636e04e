/**
 * Staging of crawled rows into connection-local TEMP tables through the
 * appender, one DataChunk at a time. TEMP tables vanish with the process, so a
 * killed crawl leaves no staging behind; with a low `memory_limit` while
 * staging they spill to the temp directory instead of growing the process.
 */
import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import type { RawValue } from "../facts/index.js";
import { type DuckDBDataChunk, duckdb } from "../util/duckdb.js";
import type { SerialConnection } from "./db.js";
import { type FactTable, ident } from "./schema.js";

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

type Kind = "string" | "boolean" | "timestamp" | "json";

function kindOf(table: FactTable, index: number): Kind {
  const column = table.columns[index];
  if (column === undefined) throw new Error(`${table.part} has no column ${index}`);
  if (column.sql === "VARCHAR") return "string";
  if (column.sql === "BOOLEAN") return "boolean";
  if (column.sql === "TIMESTAMPTZ") return "timestamp";
  if (column.jsonShape !== undefined) return "json";
  throw new Error(`no staging encoding for ${table.part}.${column.name} (${column.sql})`);
}

export function createRawStageTableSql(table: FactTable): string {
  return `CREATE OR REPLACE TEMP TABLE ${ident(table.rawStage)} (first_seq INTEGER, block VARCHAR)`;
}

/**
 * Rebuilds the typed staging table from the packed blocks; `seq` numbers the
 * rows in the order they were added, so "last row wins" survives the parallel pass.
 */
export function unpackStageSql(table: FactTable): string {
  const select = table.columns.map((column, index) => {
    const position = index + 1;
    const text = `CASE WHEN j THEN p[${position}] WHEN p[${position}] = chr(29) THEN NULL ELSE p[${position}] END`;
    const typed: Record<Kind, string> = {
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

/** What the writer needs of a staged table regardless of its row type. */
export interface StagedTable {
  readonly table: FactTable;
  /** Rows added so far; the next row's `seq`. */
  readonly rowsAdded: number;
  appendReady(): void;
  flushToTable(): void;
  close(): void;
  discard(): void;
}

/**
 * Encodes rows of one table into blocks and appends them as DataChunks.
 * Rows are encoded when added (later changes to the object do not matter).
 * Appending is only done while the connection is idle: the appender may flush
 * into its table, which must not overlap a query running on the same
 * connection. Chunks filled meanwhile wait in `ready`.
 */
export class StageBuffer<Row> implements StagedTable {
  /** The current block's lines and row separators, joined once when it ends. */
  private blockParts: string[] = [];
  private blockChars = 0;
  private blockRows = 0;
  private blockFirstSeq = 0;
  private blocks: { firstSeq: number; text: string }[] = [];
  private ready: { chunk: DuckDBDataChunk; chars: number }[] = [];
  /** Chunks already appended, kept for reuse: their native memory is freed only by GC otherwise. */
  private spare: DuckDBDataChunk[] = [];
  private nextSeq = 0;
  /** Characters appended since the appender last flushed. */
  private unflushedChars = 0;
  private closed = false;
  private readonly kinds: readonly Kind[];

  constructor(
    readonly table: FactTable<Row>,
    private readonly appender: DuckDBAppender,
    private readonly connection: SerialConnection,
  ) {
    this.kinds = table.columns.map((_, index) => kindOf(table, index));
  }

  get rowsAdded(): number {
    return this.nextSeq;
  }

  add(row: Row): void {
    if (this.blockRows === 0) this.blockFirstSeq = this.nextSeq;
    else this.blockParts.push(ROW_SEPARATOR);
    this.encodeInto(this.table.values(row));
    this.nextSeq += 1;
    this.blockRows += 1;
    if (this.blockRows === ROWS_PER_BLOCK || this.blockChars >= MAX_BLOCK_CHARS) this.endBlock();
  }

  /** Appends whatever is ready; call only when nothing else runs on the connection. */
  appendReady(): void {
    if (this.closed) return;
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
  flushToTable(): void {
    if (this.blockRows > 0) this.endBlock();
    if (this.blocks.length > 0) this.endChunk();
    this.appendReady();
    this.appender.flushSync();
    this.unflushedChars = 0;
  }

  /** Flushes and closes the appender. Call only from inside `exclusive`. */
  close(): void {
    if (this.closed) return;
    this.flushToTable();
    this.closed = true;
    this.spare = [];
    this.appender.closeSync();
  }

  /** Throws away buffered rows and closes the appender. Safe to call more than once. */
  discard(): void {
    this.blockParts = [];
    this.blockChars = 0;
    this.blockRows = 0;
    this.blocks = [];
    this.ready = [];
    this.spare = [];
    if (this.closed) return;
    this.closed = true;
    this.appender.clear();
    this.appender.closeSync();
  }

  private endBlock(): void {
    this.blocks.push({ firstSeq: this.blockFirstSeq, text: this.blockParts.join("") });
    this.blockParts.length = 0;
    this.blockChars = 0;
    this.blockRows = 0;
    if (this.blocks.length === BLOCKS_PER_CHUNK) {
      this.endChunk();
      if (this.connection.idle) this.appendReady();
    }
  }

  private endChunk(): void {
    const reused = this.spare.pop();
    if (reused) reused.reset();
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
  private encodeInto(values: readonly RawValue[]): void {
    const kinds = this.kinds;
    let line = "";
    let reserved = false;
    for (let index = 0; index < kinds.length; index++) {
      const text = this.text(values[index] ?? null, kinds[index] as Kind, index);
      if (text !== null && RESERVED.test(text)) reserved = true;
      line = index === 0 ? (text ?? NULL_MARK) : line + UNIT_SEPARATOR + (text ?? NULL_MARK);
    }
    if (reserved) {
      const texts = kinds.map((kind, index) => this.text(values[index] ?? null, kind, index));
      line = JSON_ROW_MARK + JSON.stringify(texts);
    }
    this.blockParts.push(line);
    this.blockChars += line.length + 1;
  }

  private text(value: RawValue, kind: Kind, index: number): string | null {
    if (value === null) return null;
    switch (kind) {
      case "string":
        if (typeof value === "string") return value;
        break;
      case "boolean":
        if (typeof value === "boolean") return value ? "true" : "false";
        break;
      case "timestamp":
        if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
        throw new TypeError(
          `${this.columnName(index)} must be whole unix seconds or null, got ${String(value)}`,
        );
      case "json":
        if (typeof value === "object") return JSON.stringify(value);
        break;
    }
    throw new TypeError(`${this.columnName(index)} must be a ${kind} or null`);
  }

  private columnName(index: number): string {
    return `${this.table.part}.${this.table.columns[index]?.name ?? "?"}`;
  }
}

export async function createStageBuffer<Row>(
  raw: DuckDBConnection,
  connection: SerialConnection,
  table: FactTable<Row>,
): Promise<StageBuffer<Row>> {
  await raw.run(createRawStageTableSql(table));
  const appender = await raw.createAppender(table.rawStage, "main", "temp");
  return new StageBuffer(table, appender, connection);
}
