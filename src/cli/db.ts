/**
 * The `--db` convention shared by every command that touches the database, and the configuration
 * file's part in it: `--db`, then `ACCESS_AUDIT_DB`, then `database` in the configuration file
 * (`ACCESS_AUDIT_CONFIG` or ./access-audit.config.yaml), then the default.
 */
import type { Command } from "commander";
import { type EffectiveConfig, loadConfig } from "../config/index.js";

export const DEFAULT_DB_PATH = "./data/access-audit.duckdb";

export function addDbOption(command: Command): Command {
  return command.option(
    "--db <path>",
    `DuckDB database file (default: $ACCESS_AUDIT_DB, the configuration's database, or ${DEFAULT_DB_PATH})`,
  );
}

let loaded: Promise<EffectiveConfig> | null = null;

/**
 * The configuration as the environment names it (`ACCESS_AUDIT_CONFIG`, or the optional default
 * file), loaded and validated once per process. An invalid file stops the command (exit 2).
 */
export function commandConfig(): Promise<EffectiveConfig> {
  loaded ??= loadConfig({ cwd: process.cwd(), env: process.env });
  return loaded;
}

export async function resolveDbPath(flag: string | undefined): Promise<string> {
  if (flag !== undefined) return flag;
  if (process.env.ACCESS_AUDIT_DB) return process.env.ACCESS_AUDIT_DB;
  const config = await commandConfig();
  return config.file === null ? DEFAULT_DB_PATH : config.database;
}
