/**
 * exceljs, loaded on first use: about 0.35 s of a start, which only the commands that write a
 * workbook (report, certify export) need to pay; `certify start`, `status`, `close` and `import`
 * (which reads workbooks with its own streaming reader) do not.
 */
import type ExcelJS from "exceljs";
import { lazyRequire } from "./lazy-require.js";

/** The `exceljs` module, loaded by the first call. */
export const exceljs = lazyRequire<typeof ExcelJS>("exceljs");
