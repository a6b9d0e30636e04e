import { lazyRequire } from "./lazy-require.js";
/** The `exceljs` module, loaded by the first call. */
export const exceljs = lazyRequire("exceljs");
//# sourceMappingURL=exceljs.js.map