/** Helpers shared by the analysis commands (`access`, `anomalies`). */
import { AnalysisError } from "../../analysis/access.js";
import { CliError, UsageError } from "../errors.js";

/**
 * A snapshot id that is not a complete snapshot is a usage error (exit 2); a database with no
 * complete snapshot is a failure (exit 1): there is nothing to analyse yet.
 */
export function analysisCliError(error: unknown): unknown {
  if (!(error instanceof AnalysisError)) return error;
  return error.code === "UNKNOWN_SNAPSHOT"
    ? new UsageError(error.message)
    : new CliError(error.message);
}

/** Left-aligned columns separated by two spaces, no trailing blanks. */
export function formatTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const fmt = (row: readonly string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)].join("\n");
}
