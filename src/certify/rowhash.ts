/**
 * Row MACs: HMAC-SHA256 keyed by the campaign's secret (in the database, never in a workbook)
 * over the campaign, the snapshot, the item and the population cells exactly as written. A
 * reviewer can neither edit a population cell nor forge a row and recompute its hash.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export function rowHash(
  secret: string,
  campaignId: string,
  snapshotId: string,
  itemId: string,
  cells: readonly string[],
): string {
  return createHmac("sha256", Buffer.from(secret, "hex"))
    .update(JSON.stringify(["row-v1", campaignId, snapshotId, itemId, ...cells]))
    .digest("hex");
}

export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}
