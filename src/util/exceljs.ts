/**
 * exceljs, loaded with `require` on first use: loading it takes about 0.35 s, which only the
 * commands that write a workbook (report, certify export and report) need to pay; `certify
 * start`, `status`, `close` and `import` (which reads workbooks with its own streaming reader)
 * do not. Types come from the package as usual (`import type`).
 */
import { createRequire } from "node:module";
import type ExcelJS from "exceljs";

let client: typeof ExcelJS | undefined;

/** The `exceljs` module, loaded by the first call. */
export function exceljs(): typeof ExcelJS {
  client ??= createRequire(import.meta.url)("exceljs") as typeof ExcelJS;
  return client;
}
