/**
 * Searches a database file the way an auditor would look for a leaked value: every text
 * column (anything not a number, boolean or time) of every table, through SQL.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { expect } from "vitest";

/**
 * `table.column` of every text column holding one of `needles`. `scanned`, when given, receives
 * the `table.column` of every column searched (so a test can check which tables were covered).
 */
export async function textColumnHits(
  db: string,
  needles: readonly string[],
  scanned?: string[],
): Promise<string[]> {
  const instance = await DuckDBInstance.create(db, {
    access_mode: "READ_ONLY",
    autoinstall_known_extensions: "false",
  });
  const connection = await instance.connect();
  const hits: string[] = [];
  try {
    const columns = (
      await connection.runAndReadAll(
        `SELECT table_name, column_name FROM duckdb_columns()
         WHERE NOT internal AND database_name = current_database()
           AND data_type NOT IN ('INTEGER', 'BIGINT', 'BOOLEAN', 'TIMESTAMP WITH TIME ZONE', 'DOUBLE')`,
      )
    ).getRowObjectsJson() as { table_name: string; column_name: string }[];
    expect(columns.length).toBeGreaterThan(20);
    scanned?.push(...columns.map((c) => `${c.table_name}.${c.column_name}`));
    for (const { table_name, column_name } of columns) {
      for (const needle of needles) {
        const found = await connection.runAndReadAll(
          `SELECT count(*)::INTEGER AS n FROM "${table_name}"
           WHERE CAST("${column_name}" AS VARCHAR) LIKE '%' || $needle || '%'`,
          { needle },
        );
        if (Number(found.getRowObjectsJson()[0]?.n) > 0) hits.push(`${table_name}.${column_name}`);
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return hits;
}
