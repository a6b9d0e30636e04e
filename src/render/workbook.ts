/**
 * The mechanics under the Excel workbook (xlsx.ts): exceljs's streaming writer made safe and
 * reproducible. Every text cell goes through `neutralise`; sheets are written one after another,
 * each row committed as soon as it is written, with the writer paused while the zip lags behind;
 * a sheet that outgrows Excel's row limit continues in "Name (2)", "Name (3)"…; every zip entry
 * carries the snapshot's date instead of the clock, so the same input gives the same bytes. The
 * zip of a StreamingBook is compressed and written on a worker thread (zip-thread.ts) while this
 * one renders rows.
 */
import { once } from "node:events";
import { PassThrough } from "node:stream";
import type ExcelJS from "exceljs";
import { exceljs } from "../util/exceljs.js";
import { cellText, EXCEL_MAX_CELL_CHARS, xmlSafe } from "./text.js";
import { ThreadZip } from "./zip-thread.js";

/** Rows in an Excel worksheet, the header row included. */
export const EXCEL_MAX_ROWS = 1_048_576;
/** A calendar day (shown without a time). Plain `Date` values are shown with the time. */
export class Day {
  constructor(readonly date: Date) {}
}

/** A row: an object whose properties named like the column headers are the cells. */
export type RowInput = object;

/** A timestamp from the store (ISO 8601, UTC) as a Date; text it cannot read stays text. */
export function timestamp(value: string): Date | string {
  // DuckDB may print microseconds; Date.parse is only specified for milliseconds.
  const time = Date.parse(value.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(time) ? value : new Date(time);
}

export interface ColumnSpec {
  /** The header row's text. */
  header: string;
  /** The row property holding the cells (default: `header`). */
  key?: string;
  /** Fixed width in characters: content is never measured (a sheet may hold a million rows). */
  width: number;
  /** Text in this column is an ISO timestamp, written as a date. */
  time?: boolean;
}

const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { bold: true, color: { argb: "FF1F2937" } },
  fill: { type: "pattern", pattern: "solid", fgColor: { argb: "FFDCE6F1" } },
  border: {
    top: { style: "thin", color: { argb: "FF8EA9C1" } },
    bottom: { style: "thin", color: { argb: "FF8EA9C1" } },
    left: { style: "thin", color: { argb: "FF8EA9C1" } },
    right: { style: "thin", color: { argb: "FF8EA9C1" } },
  },
  alignment: { vertical: "middle" },
};
// One shared object per kind: exceljs caches a style's id by object identity, and a fresh
// object per cell would cost a lookup by serialised XML for each of millions of cells.
const TEXT_STYLE: Partial<ExcelJS.Style> = {};
const NUMBER_STYLE: Partial<ExcelJS.Style> = {};
const BOOLEAN_STYLE: Partial<ExcelJS.Style> = {};
const TIME_STYLE: Partial<ExcelJS.Style> = { numFmt: "yyyy-mm-dd hh:mm:ss" };
const DAY_STYLE: Partial<ExcelJS.Style> = { numFmt: "yyyy-mm-dd" };
const ROW_STYLE: Partial<ExcelJS.Style> = {};

/** exceljs's cell types (its Enums.ValueType), which decide the style id it gives a style. */
const CELL_TYPE = { number: 2, string: 3, date: 4, boolean: 9 } as const;

/** A style of the book, as exceljs numbers it: by first use, then cached per style object. */
interface StyleIds {
  addStyleModel(style: Partial<ExcelJS.Style>, cellType?: number): number;
}

/** The five characters XML text and attributes escape, as exceljs writes them. */
const XML_MARKUP = /[<>&'"]/;
const XML_MARKUP_ALL = /[<>&'"]/g;
const XML_ENTITIES: Readonly<Record<string, string>> = {
  "<": "&lt;",
  ">": "&gt;",
  "&": "&amp;",
  "'": "&apos;",
  '"': "&quot;",
};

/** Escaped for XML; `cellText` has already replaced every character XML cannot carry. */
function xmlText(text: string): string {
  return XML_MARKUP.test(text) ? text.replace(XML_MARKUP_ALL, (c) => XML_ENTITIES[c] ?? c) : text;
}

/**
 * Printable ASCII that `cellText` and XML escaping both leave as it is: no markup character
 * (`"&'<>`) anywhere, and a first character that is neither a space nor one that starts a
 * formula (`=+-@`). Most cells (ids, emails, names) are such text: one test instead of five.
 */
const PLAIN_CELL_TEXT = /^(?:[!#-%(-*,.-;?A-~][ !#-%(-;=?-~]*)?$/;

/** A text cell's content as written in the XML: `cellText`, then escaped. */
export function cellXmlText(text: string): string {
  if (text.length <= EXCEL_MAX_CELL_CHARS && PLAIN_CELL_TEXT.test(text)) return text;
  return xmlText(cellText(text));
}

/** Excel's serial day number of a date, as exceljs computes it (UTC, 1900 date system). */
function excelDate(date: Date): string {
  return String(25569 + date.getTime() / (24 * 3600 * 1000));
}

/** "A", "B", … "Z", "AA", …: a column's letters in a cell reference. */
function columnLetters(index: number): string {
  let letters = "";
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/**
 * The only place values become cells: strings are `neutralise`d text (never a formula), numbers
 * numbers, booleans booleans, Dates dates, null/undefined an empty cell; lists of text are
 * joined with ", " and anything else is written as JSON text. Rows are rendered here as the XML
 * exceljs would write for them (the same bytes), without its Row and Cell objects: at a million
 * rows those objects were most of the workbook's time.
 */
class RowXml {
  private readonly ids = new Map<Partial<ExcelJS.Style>, number>();
  private rowStyle: string | null = null;

  constructor(private readonly styles: StyleIds) {}

  /** exceljs's style id (registered on first use, in the order exceljs would register it). */
  private styleId(style: Partial<ExcelJS.Style>, cellType: number): number {
    let id = this.ids.get(style);
    if (id === undefined) {
      id = this.styles.addStyleModel(style, cellType);
      this.ids.set(style, id);
    }
    return id;
  }

  /** `<c …>` of one value, "" for an empty cell. */
  private cell(ref: string, column: ColumnSpec, value: unknown): string {
    if (value === null || value === undefined) return "";
    if (typeof value === "string") {
      const time = column.time ? timestamp(value) : value;
      return time instanceof Date ? this.date(ref, time, TIME_STYLE) : this.text(ref, time);
    }
    if (typeof value === "number" && Number.isFinite(value)) {
      const s = this.styleId(NUMBER_STYLE, CELL_TYPE.number);
      return `<c r="${ref}"${s ? ` s="${s}"` : ""}><v>${value}</v></c>`;
    }
    if (typeof value === "boolean") {
      const s = this.styleId(BOOLEAN_STYLE, CELL_TYPE.boolean);
      return `<c r="${ref}"${s ? ` s="${s}"` : ""} t="b"><v>${value ? "1" : "0"}</v></c>`;
    }
    if (value instanceof Day) return this.date(ref, value.date, DAY_STYLE);
    if (value instanceof Date && !Number.isNaN(value.getTime())) {
      return this.date(ref, value, TIME_STYLE);
    }
    return this.text(
      ref,
      Array.isArray(value) && value.every((v) => typeof v === "string")
        ? value.join(", ")
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value),
    );
  }

  private text(ref: string, text: string): string {
    const s = this.styleId(TEXT_STYLE, CELL_TYPE.string);
    return `<c r="${ref}"${s ? ` s="${s}"` : ""} t="str"><v>${cellXmlText(text)}</v></c>`;
  }

  private date(ref: string, date: Date, style: Partial<ExcelJS.Style>): string {
    return `<c r="${ref}" s="${this.styleId(style, CELL_TYPE.date)}"><v>${excelDate(date)}</v></c>`;
  }

  /**
   * `<row>` number `row` of `value(i)` for each column `i`; "" when every cell is empty (exceljs
   * writes no such row).
   */
  render(
    row: number,
    letters: readonly string[],
    columns: readonly ColumnSpec[],
    value: (i: number) => unknown,
  ): string {
    // exceljs registers the row's style before its cells' (at the book's first data row).
    if (this.rowStyle === null) {
      const s = this.styleId(ROW_STYLE, CELL_TYPE.number);
      this.rowStyle = s ? ` s="${s}" customFormat="1"` : "";
    }
    let cells = "";
    let first = 0;
    let last = 0;
    for (let i = 0; i < columns.length; i++) {
      const xml = this.cell(`${letters[i]}${row}`, columns[i] as ColumnSpec, value(i));
      if (xml === "") continue;
      if (first === 0) first = i + 1;
      last = i + 1;
      cells += xml;
    }
    if (first === 0) return "";
    return `<row r="${row}" spans="${first}:${last}"${this.rowStyle} x14ac:dyDescent="0.25">${cells}</row>`;
  }
}

/** exceljs internals this module relies on, narrowed from `unknown` where its types stop. */
interface ZipArchive {
  append(source: unknown, data: Record<string, unknown>): unknown;
  abort(): unknown;
  finalize(): Promise<unknown>;
  on(event: "error", listener: (error: Error) => void): unknown;
}
/** The stream one worksheet's XML goes to, on its way to the zip (zip-thread.ts's entry writer). */
interface EntryBuffer {
  _writableState?: { length?: number };
  once(event: "drain", listener: () => void): unknown;
}

/**
 * Where a worksheet's XML waits for the zip: exceljs writes into it without heeding its
 * backpressure, so the writer watches its length itself.
 */
function entryBuffer(sheet: ExcelJS.Worksheet): EntryBuffer {
  const pipes = (sheet as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes;
  const buffer = pipes?.[0] as Partial<EntryBuffer> | undefined;
  if (typeof buffer?.once !== "function" || typeof buffer._writableState?.length !== "number") {
    throw new Error("exceljs worksheet stream not found (unsupported exceljs version)");
  }
  return buffer as EntryBuffer;
}

function stylesOf(writer: object): StyleIds {
  const styles = (writer as { styles?: Partial<StyleIds> }).styles;
  if (typeof styles?.addStyleModel !== "function") {
    throw new Error("exceljs WorkbookWriter has no styles (unsupported exceljs version)");
  }
  return styles as StyleIds;
}

function zipOf(writer: object): ZipArchive {
  const zip = (writer as { zip?: Partial<ZipArchive> }).zip;
  if (!zip || typeof zip.append !== "function" || typeof zip.abort !== "function") {
    throw new Error("exceljs WorkbookWriter has no zip archive (unsupported exceljs version)");
  }
  return zip as ZipArchive;
}

/**
 * archiver stamps every zip entry with the current time unless told a date. exceljs adds its
 * first entries from inside its constructor, by calling `addThemes`, so that is where the
 * archive is reached: from then on every entry gets the workbook's `created` date (written as
 * UTC DOS time: archiver's `forceLocalTime` stays off, so TZ makes no difference).
 */
export type WorkbookWriter = InstanceType<typeof ExcelJS.stream.xlsx.WorkbookWriter>;
export type WorkbookWriterOptions = ConstructorParameters<
  typeof ExcelJS.stream.xlsx.WorkbookWriter
>[0];

let StampedWorkbookWriter: (new (options: WorkbookWriterOptions) => WorkbookWriter) | undefined;
let ThreadedWorkbookWriter: (new (options: WorkbookWriterOptions) => WorkbookWriter) | undefined;
/** The zip the next ThreadedWorkbookWriter takes, set only around its construction. */
let zipForNextWriter: ThreadZip | undefined;
const threadedZips = new WeakMap<object, unknown>();

/**
 * exceljs's streaming WorkbookWriter whose zip entries all carry `options.created` (the class is
 * made on first use: exceljs is loaded only by the commands that write a workbook).
 */
export function stampedWorkbookWriter(
  options: WorkbookWriterOptions,
  zip?: ThreadZip,
): WorkbookWriter {
  StampedWorkbookWriter ??= class extends exceljs().stream.xlsx.WorkbookWriter {
    override addThemes(): Promise<void> {
      const zip = zipOf(this);
      const date = this.created;
      const append = zip.append.bind(zip);
      zip.append = (source, data) => append(source, { ...data, date });
      return super.addThemes();
    }
  };
  if (zip === undefined) return new StampedWorkbookWriter(options);
  ThreadedWorkbookWriter ??= class extends StampedWorkbookWriter {
    /**
     * exceljs's constructor assigns its archiver here, then pipes it to `options.stream`: the
     * archiver is left unused and the zip given to `stampedWorkbookWriter` stands in for it.
     * (Kept in a WeakMap: a private field does not exist yet while the base constructor runs.)
     */
    set zip(archive: unknown) {
      threadedZips.set(this, zipForNextWriter ?? archive);
      zipForNextWriter = undefined;
    }
    get zip(): unknown {
      return threadedZips.get(this);
    }
  };
  zipForNextWriter = zip;
  try {
    return new ThreadedWorkbookWriter(options);
  } finally {
    zipForNextWriter = undefined;
  }
}

export interface DocumentProperties {
  title: string;
  subject: string;
  creator: string;
  description: string;
  keywords: string;
  category: string;
  /** Both `created` and `modified`: never the clock. */
  date: Date;
}

/**
 * How every sheet of a book prints: fitted to the width of an A4 page (as many pages down as it
 * takes), landscape when its columns are wider than a portrait page, the header row repeated on
 * every page, and a running header and footer. Texts are ours (never a name from the API), and
 * start with a letter: digits right after a section code would be read as a font size.
 */
export interface PrintSetup {
  /** Left of the page header, e.g. the report's title. */
  header: string;
  /** Left of the page footer, e.g. the snapshot; the page number goes right. */
  footer: string;
}

/** Paper size code of the OOXML spec for A4 (ECMA-376 Part 1, 18.3.1.63). */
const PAPER_A4 = 9;
/**
 * Widest columns (sum of character widths) that print on a portrait A4 page at 100% within the
 * margins below: 7.47 in of 96 dpi at about 7 pixels per character and 5 of cell padding.
 */
const PORTRAIT_WIDTH_CHARS = 95;
/** Inches: narrow sides, room for the running header and footer. */
const PRINT_MARGINS = { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.25, footer: 0.25 };

/** Text in a header/footer: `&` starts a code there, so a literal one is doubled. */
function headerFooterText(text: string): string {
  return xmlSafe(text).replaceAll("&", "&&");
}

/** The worksheet options that make a sheet of these columns print as PrintSetup says. */
function printOptions(
  print: PrintSetup,
  columns: readonly ColumnSpec[],
): Partial<ExcelJS.AddWorksheetOptions> {
  const width = columns.reduce((sum, c) => sum + c.width, 0);
  return {
    // fitToHeight 0: as many pages down as needed, only the width is fitted. Without fitToPage
    // (sheetPr/pageSetUpPr) Excel and LibreOffice ignore fitToWidth altogether.
    pageSetup: {
      paperSize: PAPER_A4,
      orientation: width > PORTRAIT_WIDTH_CHARS ? "landscape" : "portrait",
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: "1:1",
      margins: PRINT_MARGINS,
    },
    headerFooter: {
      // &A: the sheet's name; &P of &N: page number and count.
      oddHeader: `&L${headerFooterText(print.header)}&R&A`,
      oddFooter: `&L${headerFooterText(print.footer)}&RPage &P of &N`,
    },
  };
}

export interface SheetPart {
  name: string;
  /** Data rows, the header row not counted. */
  rows: number;
}

export interface SheetOptions {
  /** Called before each part is committed, e.g. to add conditional formatting. */
  finish?: (sheet: ExcelJS.Worksheet, dataRows: number) => void;
}

/** Above this many bytes waiting for the zip, the writer waits for it to drain. */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
/** Rendered rows are handed to the worksheet's stream in pieces of about this many bytes. */
const FLUSH_BYTES = 64 * 1024;
/** UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units). */
const UTF8_BYTES_PER_UNIT = 3;

/** The stream a worksheet's XML goes to (exceljs's StreamBuf, which takes strings). */
function sheetStream(sheet: ExcelJS.Worksheet): { write(data: string | Buffer): unknown } {
  const stream = (sheet as unknown as { stream?: { write?: unknown } }).stream;
  if (typeof stream?.write !== "function") {
    throw new Error("exceljs worksheet stream not found (unsupported exceljs version)");
  }
  return stream as { write(data: string | Buffer): unknown };
}

/**
 * exceljs's streaming writer on the zip thread, for a book whose rows need exceljs's own cells
 * (styles, protection, validations: the certification workbooks). exceljs hands a sheet's XML to
 * the zip without heeding its backpressure: `pace` waits while the zip is behind, so memory
 * stays bounded however many rows a sheet has (a million rows buffered 1.25 GB without it).
 */
export class PacedWorkbook {
  private constructor(
    readonly writer: WorkbookWriter,
    private readonly zip: ThreadZip,
  ) {}

  /** Creates (or truncates) `path`; a file that cannot be opened rejects here. */
  static async create(
    path: string,
    options: Omit<NonNullable<WorkbookWriterOptions>, "stream">,
  ): Promise<PacedWorkbook> {
    const zip = new ThreadZip(path);
    try {
      await zip.opened();
      // The zip is compressed and written on a worker thread (zip-thread.ts); exceljs waits on
      // the stream it is given, which ends when the worker has written the whole file.
      return new PacedWorkbook(
        stampedWorkbookWriter({ ...options, stream: new PassThrough() }, zip),
        zip,
      );
    } catch (error) {
      zip.abort();
      await zip.stopped();
      throw error;
    }
  }

  /** After a row of `sheet` is committed: waits while the zip is behind on the sheet. */
  async pace(sheet: ExcelJS.Worksheet): Promise<void> {
    const backlog = entryBuffer(sheet);
    if ((backlog._writableState?.length ?? 0) > MAX_BACKLOG_BYTES) await this.drained(backlog);
  }

  /** @internal Resolves once the zip has caught up, or rejects if writing failed. */
  async drained(backlog: EntryBuffer): Promise<void> {
    await Promise.race([once(backlog as unknown as NodeJS.EventEmitter, "drain"), this.zip.failed]);
  }

  /** Writes what is left and closes the file. */
  async commit(): Promise<void> {
    await Promise.race([this.writer.commit(), this.zip.failed]);
    await this.zip.stopped();
  }

  /** Stops writing after a failure; the caller removes the partial file. */
  async abort(): Promise<void> {
    this.zip.abort();
    await this.zip.stopped();
  }
}

/** One workbook file being streamed. Sheets are written strictly one after another. */
export class StreamingBook {
  readonly parts: SheetPart[] = [];
  private readonly writer: WorkbookWriter;
  private open: SheetSeries | null = null;
  /** @internal Renders every sheet's rows, with the book's style ids. */
  readonly rowXml: RowXml;

  private constructor(
    private readonly paced: PacedWorkbook,
    properties: DocumentProperties,
    readonly maxRows: number,
    private readonly print: PrintSetup | null,
  ) {
    this.writer = paced.writer;
    this.writer.title = xmlSafe(properties.title);
    this.writer.subject = xmlSafe(properties.subject);
    this.writer.description = xmlSafe(properties.description);
    this.writer.keywords = xmlSafe(properties.keywords);
    this.writer.category = xmlSafe(properties.category);
    this.rowXml = new RowXml(stylesOf(this.writer));
  }

  /** Without `print`, sheets print landscape at 100% with the header row repeated. */
  static async create(
    path: string,
    properties: DocumentProperties,
    maxRows = EXCEL_MAX_ROWS,
    print: PrintSetup | null = null,
  ): Promise<StreamingBook> {
    if (!Number.isInteger(maxRows) || maxRows < 2 || maxRows > EXCEL_MAX_ROWS) {
      throw new RangeError(`maxRowsPerSheet must be 2…${EXCEL_MAX_ROWS}, got ${maxRows}`);
    }
    // created/modified go to the constructor: the zip entries take their date from `created`
    // (options exceljs's type declarations omit).
    const options = {
      useStyles: true,
      useSharedStrings: false,
      created: properties.date,
      modified: properties.date,
      creator: xmlSafe(properties.creator),
      lastModifiedBy: xmlSafe(properties.creator),
    };
    const paced = await PacedWorkbook.create(path, options);
    try {
      return new StreamingBook(paced, properties, maxRows, print);
    } catch (error) {
      await paced.abort();
      throw error;
    }
  }

  /** Starts a sheet; the previous one must be closed. */
  sheet(name: string, columns: readonly ColumnSpec[], options: SheetOptions = {}): SheetSeries {
    if (this.open) throw new Error(`sheet ${this.open.name} is still open`);
    const series = new SheetSeries(this, name, columns, options);
    this.open = series;
    return series;
  }

  /** Writes a whole sheet from rows already in memory. */
  async sheetFrom(
    name: string,
    columns: readonly ColumnSpec[],
    rows: Iterable<RowInput>,
    options: SheetOptions = {},
  ): Promise<void> {
    const sheet = this.sheet(name, columns, options);
    for (const row of rows) await sheet.add(row);
    await sheet.close();
  }

  /** @internal */
  addWorksheet(name: string, columns: readonly ColumnSpec[]): ExcelJS.Worksheet {
    return this.writer.addWorksheet(name, {
      views: [{ state: "frozen", xSplit: 0, ySplit: 1, topLeftCell: "A2", activeCell: "A2" }],
      // Printed (or saved as PDF), every page repeats the header row.
      ...(this.print === null
        ? { pageSetup: { orientation: "landscape", printTitlesRow: "1:1" } }
        : printOptions(this.print, columns)),
    });
  }

  /** @internal */
  closed(series: SheetSeries): void {
    if (this.open === series) this.open = null;
    this.parts.push(...series.parts);
  }

  /** @internal Resolves once the zip has caught up, or rejects if writing failed. */
  async drain(buffer: EntryBuffer): Promise<void> {
    await this.paced.drained(buffer);
  }

  async commit(): Promise<void> {
    if (this.open) throw new Error(`sheet ${this.open.name} is still open`);
    await this.paced.commit();
  }

  /** Stops writing after a failure; the caller removes the partial file. */
  async abort(): Promise<void> {
    await this.paced.abort();
  }
}

/** One logical sheet, written as one or more worksheets of at most `maxRows` rows each. */
export class SheetSeries {
  readonly parts: SheetPart[] = [];
  private worksheet: ExcelJS.Worksheet | null = null;
  private backlog: EntryBuffer | null = null;
  private rowNumber = 0;
  private done = false;
  /** Rendered rows not yet written to the worksheet's stream. */
  private readonly pending = Buffer.allocUnsafeSlow(2 * FLUSH_BYTES);
  private pendingBytes = 0;
  private readonly keys: readonly string[];
  private readonly letters: readonly string[];

  constructor(
    private readonly book: StreamingBook,
    readonly name: string,
    private readonly columns: readonly ColumnSpec[],
    private readonly options: SheetOptions,
  ) {
    this.keys = columns.map((c) => c.key ?? c.header);
    this.letters = columns.map((_, i) => columnLetters(i + 1));
  }

  /**
   * Appends one data row, its cells the properties named by the columns' keys. Returns false
   * when the zip lags behind: wait for `drained()` before the next row, or memory grows with
   * everything not yet compressed.
   */
  write(values: RowInput): boolean {
    const cells = values as Readonly<Record<string, unknown>>;
    return this.writeRow((i) => cells[this.keys[i] as string]);
  }

  /** `write` of a row given as its cells in column order (e.g. a JSON array from the store). */
  writeList(values: readonly unknown[]): boolean {
    return this.writeRow((i) => values[i]);
  }

  private writeRow(value: (i: number) => unknown): boolean {
    if (this.done) throw new Error(`sheet ${this.name} is closed`);
    if (this.worksheet === null || this.rowNumber >= this.book.maxRows) this.nextPart();
    this.rowNumber++;
    const xml = this.book.rowXml.render(this.rowNumber, this.letters, this.columns, value);
    // Encoded row by row into one buffer: encoding a long string built by concatenation cost
    // more than rendering it.
    if (this.pendingBytes + xml.length * UTF8_BYTES_PER_UNIT > this.pending.length) this.flush();
    if (xml.length * UTF8_BYTES_PER_UNIT > this.pending.length) {
      if (this.worksheet !== null) sheetStream(this.worksheet).write(xml);
    } else {
      this.pendingBytes += this.pending.write(xml, this.pendingBytes);
      if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    }
    return (this.backlog?._writableState?.length ?? 0) <= MAX_BACKLOG_BYTES;
  }

  /** Hands the rows rendered so far to the worksheet's stream (one write per many rows). */
  private flush(): void {
    if (this.pendingBytes === 0 || this.worksheet === null) return;
    // A copy: the stream may keep what it is given, and `pending` is written again.
    sheetStream(this.worksheet).write(Buffer.from(this.pending.subarray(0, this.pendingBytes)));
    this.pendingBytes = 0;
  }

  /** Resolves once the zip has caught up with this sheet. */
  async drained(): Promise<void> {
    if (this.backlog !== null) await this.book.drain(this.backlog);
  }

  /** `write`, waiting for the zip when needed. */
  async add(values: RowInput): Promise<void> {
    if (!this.write(values)) await this.drained();
  }

  /** Commits the last part (a sheet with no rows still gets its header). */
  async close(): Promise<void> {
    if (this.done) return;
    if (this.worksheet === null) this.nextPart();
    this.commitPart();
    this.done = true;
    this.book.closed(this);
  }

  private nextPart(): ExcelJS.Worksheet {
    if (this.worksheet !== null) this.commitPart();
    const name = this.parts.length === 0 ? this.name : `${this.name} (${this.parts.length + 1})`;
    const sheet = this.book.addWorksheet(name, this.columns);
    sheet.columns = this.columns.map((c) => ({ width: c.width }));
    const header = sheet.getRow(1);
    this.columns.forEach((column, i) => {
      const cell = header.getCell(i + 1);
      cell.value = cellText(column.header);
      cell.style = HEADER_STYLE;
    });
    header.commit();
    this.rowNumber = 1;
    this.worksheet = sheet;
    this.parts.push({ name, rows: 0 });
    this.backlog = entryBuffer(sheet);
    return sheet;
  }

  private commitPart(): void {
    const sheet = this.worksheet;
    const part = this.parts[this.parts.length - 1];
    if (sheet === null || part === undefined) return;
    part.rows = this.rowNumber - 1;
    this.flush();
    // autoFilter is written at commit, so it can span the rows actually written.
    sheet.autoFilter = {
      from: { row: 1, column: 1 },
      to: { row: this.rowNumber, column: this.columns.length },
    };
    this.options.finish?.(sheet, part.rows);
    sheet.commit();
    this.worksheet = null;
    this.backlog = null;
  }
}
