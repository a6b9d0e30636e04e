/**
 * The mechanics under the Excel workbook (xlsx.ts): exceljs's streaming writer made safe and
 * reproducible. Every text cell goes through `neutralise`; sheets are written one after another,
 * each row committed as soon as it is written, with the writer paused while the zip lags behind;
 * a sheet that outgrows Excel's row limit continues in "Name (2)", "Name (3)"…; every zip entry
 * carries the snapshot's date instead of the clock, so the same input gives the same bytes.
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import ExcelJS from "exceljs";
import { cellText, xmlSafe } from "./text.js";

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

/**
 * The only place values become cells: strings are `neutralise`d text (never a formula), numbers
 * numbers, booleans booleans, Dates dates, null/undefined an empty cell; lists of text are
 * joined with ", " and anything else is written as JSON text.
 */
function setCell(row: ExcelJS.Row, index: number, column: ColumnSpec, value: unknown): void {
  if (value === null || value === undefined) return;
  const cell = row.getCell(index);
  if (typeof value === "string") {
    const time = column.time ? timestamp(value) : value;
    if (time instanceof Date) {
      cell.value = time;
      cell.style = TIME_STYLE;
    } else {
      cell.value = cellText(time);
      cell.style = TEXT_STYLE;
    }
  } else if (typeof value === "number" && Number.isFinite(value)) {
    cell.value = value;
    cell.style = NUMBER_STYLE;
  } else if (typeof value === "boolean") {
    cell.value = value;
    cell.style = BOOLEAN_STYLE;
  } else if (value instanceof Day) {
    cell.value = value.date;
    cell.style = DAY_STYLE;
  } else if (value instanceof Date && !Number.isNaN(value.getTime())) {
    cell.value = value;
    cell.style = TIME_STYLE;
  } else {
    const text =
      Array.isArray(value) && value.every((v) => typeof v === "string")
        ? value.join(", ")
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
    cell.value = cellText(text);
    cell.style = TEXT_STYLE;
  }
}

/** exceljs internals this module relies on, narrowed from `unknown` where its types stop. */
interface ZipArchive {
  append(source: unknown, data: Record<string, unknown>): unknown;
  abort(): unknown;
  finalize(): Promise<unknown>;
  on(event: "error", listener: (error: Error) => void): unknown;
}
/** The PassThrough (readable-stream 2) archiver reads one worksheet's XML from. */
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
class StampedWorkbookWriter extends ExcelJS.stream.xlsx.WorkbookWriter {
  override addThemes(): Promise<void> {
    const zip = zipOf(this);
    const date = this.created;
    const append = zip.append.bind(zip);
    zip.append = (source, data) => append(source, { ...data, date });
    return super.addThemes();
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

/** One workbook file being streamed. Sheets are written strictly one after another. */
export class StreamingBook {
  readonly parts: SheetPart[] = [];
  private readonly writer: StampedWorkbookWriter;
  private readonly zip: ZipArchive;
  private readonly failed: Promise<never>;
  private open: SheetSeries | null = null;

  private constructor(
    private readonly out: WriteStream,
    properties: DocumentProperties,
    readonly maxRows: number,
    private readonly print: PrintSetup | null,
  ) {
    // created/modified go to the constructor: the zip entries take their date from `created`.
    const options = {
      stream: out,
      useStyles: true,
      useSharedStrings: false,
      created: properties.date,
      modified: properties.date,
      creator: xmlSafe(properties.creator),
      lastModifiedBy: xmlSafe(properties.creator),
    };
    this.writer = new StampedWorkbookWriter(options);
    this.writer.title = xmlSafe(properties.title);
    this.writer.subject = xmlSafe(properties.subject);
    this.writer.description = xmlSafe(properties.description);
    this.writer.keywords = xmlSafe(properties.keywords);
    this.writer.category = xmlSafe(properties.category);
    this.zip = zipOf(this.writer);
    // After abort() (a failed write, e.g. a full disk) exceljs's commit still calls finalize() and
    // drops the rejected promise it returns: observe it so it cannot end the process as unhandled.
    const finalize = this.zip.finalize.bind(this.zip);
    this.zip.finalize = () => {
      const finalizing = finalize();
      finalizing.catch(() => {});
      return finalizing;
    };
    this.failed = new Promise<never>((_, reject) => {
      this.zip.on("error", reject);
      out.on("error", reject);
    });
    this.failed.catch(() => {}); // observed through `race`; never an unhandled rejection
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
    const out = createWriteStream(path, { mode: 0o600 });
    await Promise.race([
      once(out, "open"),
      once(out, "error").then(([error]) => Promise.reject(error)),
    ]);
    return new StreamingBook(out, properties, maxRows, print);
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
    await Promise.race([once(buffer as unknown as NodeJS.EventEmitter, "drain"), this.failed]);
  }

  async commit(): Promise<void> {
    if (this.open) throw new Error(`sheet ${this.open.name} is still open`);
    await Promise.race([this.writer.commit(), this.failed]);
    if (!this.out.closed) await Promise.race([once(this.out, "close"), this.failed]);
  }

  /** Stops writing after a failure; the caller removes the partial file. */
  async abort(): Promise<void> {
    try {
      this.zip.abort();
    } catch {
      // already finished or failed: closing the file is all that is left
    }
    if (!this.out.closed) {
      const closed = once(this.out, "close").catch(() => undefined);
      this.out.destroy();
      await closed;
    }
  }
}

/** One logical sheet, written as one or more worksheets of at most `maxRows` rows each. */
export class SheetSeries {
  readonly parts: SheetPart[] = [];
  private worksheet: ExcelJS.Worksheet | null = null;
  private backlog: EntryBuffer | null = null;
  private rowNumber = 0;
  private done = false;

  constructor(
    private readonly book: StreamingBook,
    readonly name: string,
    private readonly columns: readonly ColumnSpec[],
    private readonly options: SheetOptions,
  ) {}

  /**
   * Appends one data row and commits it. Returns false when the zip lags behind: wait for
   * `drained()` before the next row, or memory grows with everything not yet compressed.
   */
  write(values: RowInput): boolean {
    if (this.done) throw new Error(`sheet ${this.name} is closed`);
    let sheet = this.worksheet;
    if (sheet === null || this.rowNumber >= this.book.maxRows) sheet = this.nextPart();
    this.rowNumber++;
    const row = sheet.getRow(this.rowNumber);
    // A fresh style object per row would miss exceljs's style cache, as for cells.
    (row as unknown as { style: Partial<ExcelJS.Style> }).style = ROW_STYLE;
    const cells = values as Readonly<Record<string, unknown>>;
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i] as ColumnSpec;
      setCell(row, i + 1, column, cells[column.key ?? column.header]);
    }
    row.commit();
    return (this.backlog?._writableState?.length ?? 0) <= MAX_BACKLOG_BYTES;
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
