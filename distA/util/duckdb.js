import { lazyRequire } from "./lazy-require.js";
/** The `@duckdb/node-api` module, loaded by the first call. */
export const duckdb = lazyRequire("@duckdb/node-api");
//# sourceMappingURL=duckdb.js.map