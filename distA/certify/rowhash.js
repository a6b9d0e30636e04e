/**
 * Row MACs: HMAC-SHA256 keyed by the campaign's secret (in the database, never in a workbook)
 * over the campaign, the snapshot, the item and the population cells exactly as written. A
 * reviewer can neither edit a population cell nor forge a row and recompute its hash.
 *
 * Since export generations (migration 5) a row's MAC also covers the workbook's reviewer and
 * generation (`row-v2`), and the Instructions sheet carries an export MAC over the campaign,
 * snapshot, reviewer, generation and export time: a file cannot be relabelled as a newer (or
 * older) generation, nor its rows moved into another generation's workbook. Workbooks exported
 * before generations carry `row-v1` MACs and no generation: generation 0.
 *
 * The cells of a project grant's row are its population cells followed by its project's name
 * and id (workbook.ts); an organization grant's are its population cells alone.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
const mac = (secret, fields) => createHmac("sha256", Buffer.from(secret, "hex")).update(JSON.stringify(fields)).digest("hex");
/** The MAC of a row of a workbook exported before generations (generation 0). */
export function rowHash(secret, campaignId, snapshotId, itemId, cells) {
    return mac(secret, ["row-v1", campaignId, snapshotId, itemId, ...cells]);
}
/** The MAC of a row of generation `generation` (>= 1) of `reviewer`'s workbook. */
export function rowHashV2(secret, campaignId, snapshotId, reviewer, generation, itemId, cells) {
    return mac(secret, [
        "row-v2",
        campaignId,
        snapshotId,
        reviewer,
        String(generation),
        itemId,
        ...cells,
    ]);
}
/** The MAC of a workbook's export: who it is for, which generation, when it was written. */
export function exportMac(secret, campaignId, snapshotId, reviewer, generation, exportedAt) {
    return mac(secret, [
        "export-v1",
        campaignId,
        snapshotId,
        reviewer,
        String(generation),
        exportedAt,
    ]);
}
export function hashesEqual(a, b) {
    const x = Buffer.from(a, "utf8");
    const y = Buffer.from(b, "utf8");
    return x.length === y.length && timingSafeEqual(x, y);
}
//# sourceMappingURL=rowhash.js.map