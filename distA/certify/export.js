/**
 * `certify export`: one workbook per reviewer of an open campaign. Each export gives every
 * reviewer's workbook the next generation of that reviewer (1, 2, ...), recorded in
 * certify_exports with the time, the newest decision it shows and the file's SHA-256: an
 * import then refuses an older generation than one already imported, and a file that would
 * replace decisions recorded after it was written (see import.ts).
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { checkOutputDir, writeFilesAtomically } from "../util/files.js";
import { campaignQuery, currentDecisions, inTransaction, loadItems, } from "./db.js";
import { CertifyError } from "./errors.js";
import { fileSafe } from "./files.js";
import { writeReviewerWorkbook } from "./workbook.js";
/** What the folder's error messages call these files. */
export const WORKBOOKS_OUTPUT = "review workbooks";
/**
 * Writes every reviewer's workbook into `outDir`, all or nothing: a folder that cannot be
 * written (or a symbolic link, refused) fails before anything is read, and a failure halfway
 * (a full disk) leaves no workbook and no temporary file.
 */
export async function exportWorkbooks(store, campaign, outDir) {
    checkOutputDir(outDir, WORKBOOKS_OUTPUT);
    if (campaign.status !== "open") {
        throw new CertifyError("CAMPAIGN_CLOSED", `campaign "${campaign.name}" is closed: its decisions are frozen`);
    }
    return inTransaction(store, () => exportInTransaction(store, campaign, outDir));
}
async function exportInTransaction(store, campaign, outDir) {
    const items = await loadItems(store, campaign.campaign_id);
    const decisions = await currentDecisions(store, campaign.campaign_id);
    const now = await store.query(campaignQuery("now_ms"));
    const exportedAt = now[0]?.now ?? new Date().toISOString();
    const seen = await store.query(campaignQuery("max_decision_seq"));
    const decisionsSeen = seen[0]?.n ?? 0;
    const byReviewer = new Map();
    for (const item of items) {
        if (item.carried_from_campaign_id !== null)
            continue; // approved earlier, unchanged since
        const list = byReviewer.get(item.reviewer) ?? [];
        list.push(item);
        byReviewer.set(item.reviewer, list);
    }
    const used = new Set();
    const planned = [];
    for (const [reviewer, list] of [...byReviewer].sort(([a], [b]) => (a < b ? -1 : 1))) {
        let base = `${fileSafe(campaign.name)}-${fileSafe(reviewer)}`;
        if (used.has(base)) {
            base += `-${createHash("sha256").update(reviewer).digest("hex").slice(0, 8)}`;
        }
        used.add(base);
        const next = await store.query(campaignQuery("next_generation"), [
            campaign.campaign_id,
            reviewer,
        ]);
        const generation = next[0]?.generation ?? 1;
        planned.push({ reviewer, list, name: `${base}.xlsx`, generation });
    }
    // Written (all or none) before the generations are committed: a failed write records none.
    const files = await writeFilesAtomically(outDir, WORKBOOKS_OUTPUT, planned.map(({ reviewer, list, name, generation }) => ({
        name,
        write: (temp) => writeReviewerWorkbook(temp, {
            campaign,
            reviewer,
            items: list,
            decisions,
            generation,
            exportedAt,
        }),
    })));
    const written = [];
    for (const [i, { reviewer, list, name, generation }] of planned.entries()) {
        const sha256 = files[i]?.sha256 ?? "";
        await store.query(campaignQuery("insert_export"), [
            campaign.campaign_id,
            reviewer,
            generation,
            exportedAt,
            decisionsSeen,
            list.length,
            name,
            sha256,
        ]);
        written.push({
            reviewer,
            generation,
            exported_at: exportedAt,
            items: list.length,
            path: join(outDir, name),
            bytes: files[i]?.bytes ?? 0,
            sha256,
        });
    }
    return written;
}
//# sourceMappingURL=export.js.map