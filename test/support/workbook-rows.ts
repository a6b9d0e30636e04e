/**
 * Reading the report workbook's sheets back by header: each data row as an object keyed by its
 * column's row property (`user_id` for "User ID"), through the workbook's own column table, so
 * tests say `row.user_id` while the file says "User ID". A header the table does not list stays
 * as written, and a sheet continued past Excel's row limit ("Members (2)") reads as its sheet.
 */
import type ExcelJS from "exceljs";
import { SHEET_COLUMNS } from "../../src/report/xlsx.js";

export function sheetRecords(worksheet: ExcelJS.Worksheet): Record<string, ExcelJS.CellValue>[] {
  const name = worksheet.name.replace(/ \(\d+\)$/, "") as keyof typeof SHEET_COLUMNS;
  const keys = new Map((SHEET_COLUMNS[name] ?? []).map(([key, header]) => [header, key]));
  const header = (worksheet.getRow(1).values as ExcelJS.CellValue[])
    .slice(1)
    .map((h) => keys.get(String(h)) ?? String(h));
  const rows: Record<string, ExcelJS.CellValue>[] = [];
  worksheet.eachRow((row, number) => {
    if (number === 1) return;
    const record: Record<string, ExcelJS.CellValue> = {};
    header.forEach((key, i) => {
      record[key] = row.getCell(i + 1).value;
    });
    rows.push(record);
  });
  return rows;
}
