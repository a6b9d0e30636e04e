/**
 * The DuckDB client's values, loaded with `require`. The package is CommonJS whose index
 * re-exports a hundred modules; imported from ESM, Node first scans each of them for its export
 * names, which more than doubled the cost of loading it (about 0.1 s of every command's start).
 * Types come from the package as usual (`import type`).
 */
import { createRequire } from "node:module";
import type * as DuckDB from "@duckdb/node-api";

const duckdb = createRequire(import.meta.url)("@duckdb/node-api") as typeof DuckDB;

export const {
  BOOLEAN,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBTypeId,
  INTEGER,
  JsonDuckDBValueConverter,
  LIST,
  listValue,
  STRUCT,
  TIMESTAMPTZ,
  timestampTZValue,
  VARCHAR,
} = duckdb;
export type DuckDBDataChunk = DuckDB.DuckDBDataChunk;
export type DuckDBInstance = DuckDB.DuckDBInstance;
export type DuckDBTimestampTZValue = DuckDB.DuckDBTimestampTZValue;
export type DuckDBTypeId = DuckDB.DuckDBTypeId;
