/**
 * The DuckDB client's values, loaded with `require` on first use.
 *
 * - `require`, not `import`: the package is CommonJS whose index re-exports a hundred modules;
 *   imported from ESM, Node first scans each of them for its export names, which more than
 *   doubled the cost of loading it.
 * - On first use, not at start: loading it (the native addon included) is about 0.25 s, which a
 *   command that stops before opening a database (a usage error, a refused path or URL, `config
 *   check`, `--help`) need not pay.
 *
 * Types come from the package as usual (`import type`).
 */
import type * as DuckDB from "@duckdb/node-api";
import { lazyRequire } from "./lazy-require.js";

/** The `@duckdb/node-api` module, loaded by the first call. */
export const duckdb = lazyRequire<typeof DuckDB>("@duckdb/node-api");

export type DuckDBDataChunk = DuckDB.DuckDBDataChunk;
export type DuckDBInstance = DuckDB.DuckDBInstance;
export type DuckDBTimestampTZValue = DuckDB.DuckDBTimestampTZValue;
