/** Filling review workbooks as reviewers would: exceljs reads, sets Decision/Justification, writes. */
import ExcelJS from "exceljs";
import { ALL_HEADERS, cellString } from "../../src/certify/workbook.js";

export type WorkbookRow = Record<(typeof ALL_HEADERS)[number], string>;
export interface Fill {
  decision: string;
  justification?: string;
}

const column = (header: (typeof ALL_HEADERS)[number]): number => ALL_HEADERS.indexOf(header) + 1;

export async function readRows(path: string): Promise<WorkbookRow[]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  const sheet = book.getWorksheet("Review");
  if (sheet === undefined) throw new Error(`${path} has no Review sheet`);
  const rows: WorkbookRow[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const record = {} as WorkbookRow;
    for (const h of ALL_HEADERS) record[h] = cellString(row.getCell(column(h)).value);
    rows.push(record);
  });
  return rows;
}

/**
 * Copies `from` to `to`, filling each row's decision from `decide` (null leaves it empty);
 * `edit` may change the sheet further (a reviewer's mistake or a forgery).
 */
export async function fillWorkbook(
  from: string,
  to: string,
  decide: (row: WorkbookRow) => Fill | null,
  edit?: (sheet: ExcelJS.Worksheet) => void,
): Promise<void> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(from);
  const sheet = book.getWorksheet("Review");
  if (sheet === undefined) throw new Error(`${from} has no Review sheet`);
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const record = {} as WorkbookRow;
    for (const h of ALL_HEADERS) record[h] = cellString(row.getCell(column(h)).value);
    const fill = decide(record);
    if (fill === null) return;
    row.getCell(column("Decision")).value = fill.decision;
    if (fill.justification !== undefined) {
      row.getCell(column("Justification")).value = fill.justification;
    }
  });
  edit?.(sheet);
  await book.xlsx.writeFile(to);
}

/** The cell values of one row, to paste into another workbook (a forged row). */
export async function rowValues(
  path: string,
  match: (row: WorkbookRow) => boolean,
): Promise<string[]> {
  const rows = await readRows(path);
  const found = rows.find(match);
  if (found === undefined) throw new Error(`no matching row in ${path}`);
  return ALL_HEADERS.map((h) => found[h]);
}

export { column as workbookColumn };
