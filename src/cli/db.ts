/** The `--db` convention shared by every command that touches the database. */
import type { Command } from "commander";

export const DEFAULT_DB_PATH = "./data/access-audit.duckdb";

export function addDbOption(command: Command): Command {
  return command.option(
    "--db <path>",
    `DuckDB database file (default: $ACCESS_AUDIT_DB or ${DEFAULT_DB_PATH})`,
  );
}

export function resolveDbPath(flag: string | undefined): string {
  return flag ?? process.env.ACCESS_AUDIT_DB ?? DEFAULT_DB_PATH;
}
