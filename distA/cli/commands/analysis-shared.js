/** Text output shared by the analysis commands (`access`, `anomalies`). */
import { revealInvisible } from "../../render/text.js";
/**
 * A table's columns, for printing a table too long to hold in batches: widen the widths with
 * every batch's revealed cells first, then print each batch with the final widths.
 */
export class TableLayout {
    header;
    widths;
    constructor(header) {
        this.header = header;
        this.widths = header.map((h) => h.length);
    }
    /**
     * Cells revealed one by one, so a name holding a line break or an escape sequence cannot make
     * a row of its own.
     */
    static reveal(cells) {
        return cells.map((row) => row.map(revealInvisible));
    }
    /** Widens the columns for these (revealed) rows. A loop, not `Math.max(...)`: rows may be millions. */
    widen(rows) {
        for (const row of rows) {
            for (let i = 0; i < this.widths.length; i++) {
                const length = (row[i] ?? "").length;
                if (length > (this.widths[i] ?? 0))
                    this.widths[i] = length;
            }
        }
    }
    /** One line: left-aligned columns separated by two spaces, no trailing blanks. */
    line(row) {
        return row
            .map((c, i) => c.padEnd(this.widths[i] ?? 0))
            .join("  ")
            .trimEnd();
    }
}
/**
 * Left-aligned columns separated by two spaces, no trailing blanks. Cells are revealed one by
 * one, so a name holding a line break or an escape sequence cannot make a row of its own.
 */
export function formatTable(header, cells) {
    const rows = TableLayout.reveal(cells);
    const layout = new TableLayout(header);
    layout.widen(rows);
    return [layout.line(header), ...rows.map((row) => layout.line(row))].join("\n");
}
//# sourceMappingURL=analysis-shared.js.map