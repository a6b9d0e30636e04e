/** Text output shared by the analysis commands (`access`, `anomalies`). */

import { revealInvisible } from "../../render/text.js";

/**
 * Left-aligned columns separated by two spaces, no trailing blanks. Cells are revealed one by
 * one, so a name holding a line break or an escape sequence cannot make a row of its own.
 */
export function formatTable(header: readonly string[], cells: readonly string[][]): string {
  const rows = cells.map((row) => row.map(revealInvisible));
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
