/**
 * `certify export`: one workbook per reviewer of an open campaign. Each export gives every
 * reviewer's workbook the next generation of that reviewer (1, 2, ...), recorded in
 * certify_exports with the time, the newest decision it shows and the file's SHA-256: an
 * import then refuses an older generation than one already imported, and a file that would
 * replace decisions recorded after it was written (see import.ts).
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { revealInvisible } from "../render/text.js";
import type { Store } from "../store/index.js";
import { checkOutputDir, writeFilesAtomically } from "../util/files.js";
import { trimHeapEvery } from "../util/heap.js";
import {
  type CampaignRow,
  campaignQuery,
  type ExportReviewer,
  inTransaction,
  ReviewOrder,
} from "./db.js";
import { CertifyError } from "./errors.js";
import { fileSafe } from "./files.js";
import { WORKBOOK_HEAP_TRIM, writeReviewerWorkbook } from "./workbook.js";
import {
  checkWorkbookZip,
  MAX_WORKBOOK_BYTES,
  readWorkbookBytes,
  WorkbookLimitError,
} from "./zip-limits.js";

export interface ExportedWorkbook {
  reviewer: string;
  generation: number;
  exported_at: string;
  items: number;
  path: string;
  bytes: number;
  sha256: string;
}

/** What the folder's error messages call these files. */
export const WORKBOOKS_OUTPUT = "review workbooks";

/**
 * Writes every reviewer's workbook into `outDir`, all or nothing: a folder that cannot be
 * written (or a symbolic link, refused) fails before anything is read, and a failure halfway
 * (a full disk) leaves no workbook and no temporary file.
 */
export async function exportWorkbooks(
  store: Store,
  campaign: CampaignRow,
  outDir: string,
  /** The largest workbook file import accepts (default: its limit; lower in tests). */
  maxWorkbookBytes = MAX_WORKBOOK_BYTES,
): Promise<ExportedWorkbook[]> {
  checkOutputDir(outDir, WORKBOOKS_OUTPUT);
  if (campaign.status !== "open") {
    throw new CertifyError(
      "CAMPAIGN_CLOSED",
      `campaign "${campaign.name}" is closed: its decisions are frozen`,
    );
  }
  return inTransaction(store, () => exportInTransaction(store, campaign, outDir, maxWorkbookBytes));
}

/**
 * A workbook is only of use if it can come back: one that `certify import` would refuse (over
 * its limits on a workbook's file and uncompressed sizes, zip-limits.ts: about 95,000 items)
 * fails the export, all or nothing, saying what to do instead.
 */
async function checkImportable(
  path: string,
  share: ExportReviewer,
  maxBytes: number,
): Promise<void> {
  try {
    await checkWorkbookZip(await readWorkbookBytes(path, maxBytes));
  } catch (error) {
    if (!(error instanceof WorkbookLimitError)) throw error;
    throw new CertifyError(
      "WORKBOOK_TOO_LARGE",
      `the workbook of ${revealInvisible(share.reviewer)} (${share.items} items) could not be imported back: ${error.message}. Nothing was exported: share the items among several reviewers (a reviewers file: by_group, by_role, by_project) or certify by scope (elevated, --project)`,
    );
  }
}

async function exportInTransaction(
  store: Store,
  campaign: CampaignRow,
  outDir: string,
  maxWorkbookBytes: number,
): Promise<ExportedWorkbook[]> {
  const order = await ReviewOrder.create(store, campaign.campaign_id, "reviewed");
  // Each row leaves exceljs's objects behind, and V8 let them pile up to gigabytes.
  const stopHeapTrim = trimHeapEvery(WORKBOOK_HEAP_TRIM.intervalMs, WORKBOOK_HEAP_TRIM);
  try {
    return await exportInOrder(store, campaign, outDir, order, maxWorkbookBytes);
  } finally {
    stopHeapTrim();
    await order.release();
  }
}

async function exportInOrder(
  store: Store,
  campaign: CampaignRow,
  outDir: string,
  order: ReviewOrder,
  maxWorkbookBytes: number,
): Promise<ExportedWorkbook[]> {
  const now = await store.query<{ now: string }>(campaignQuery("now_ms"));
  const exportedAt = now[0]?.now ?? new Date().toISOString();
  const seen = await store.query<{ n: number }>(campaignQuery("max_decision_seq"));
  const decisionsSeen = seen[0]?.n ?? 0;
  const used = new Set<string>();
  const planned: { share: ExportReviewer; name: string; generation: number }[] = [];
  for (const share of [...order.reviewers].sort((a, b) => (a.reviewer < b.reviewer ? -1 : 1))) {
    const { reviewer } = share;
    let base = `${fileSafe(campaign.name)}-${fileSafe(reviewer)}`;
    if (used.has(base)) {
      base += `-${createHash("sha256").update(reviewer).digest("hex").slice(0, 8)}`;
    }
    used.add(base);
    const next = await store.query<{ generation: number }>(campaignQuery("next_generation"), [
      campaign.campaign_id,
      reviewer,
    ]);
    const generation = next[0]?.generation ?? 1;
    planned.push({ share, name: `${base}.xlsx`, generation });
  }
  // Written (all or none) before the generations are committed: a failed write records none.
  const files = await writeFilesAtomically(
    outDir,
    WORKBOOKS_OUTPUT,
    planned.map(({ share, name, generation }) => ({
      name,
      write: async (temp: string) => {
        await writeReviewerWorkbook(temp, {
          campaign,
          reviewer: share.reviewer,
          itemCount: share.items,
          batches: order.batches(share),
          generation,
          exportedAt,
        });
        await checkImportable(temp, share, maxWorkbookBytes);
      },
    })),
  );
  const written: ExportedWorkbook[] = [];
  for (const [i, { share, name, generation }] of planned.entries()) {
    const { reviewer, items } = share;
    const sha256 = files[i]?.sha256 ?? "";
    await store.query(campaignQuery("insert_export"), [
      campaign.campaign_id,
      reviewer,
      generation,
      exportedAt,
      decisionsSeen,
      items,
      name,
      sha256,
    ]);
    written.push({
      reviewer,
      generation,
      exported_at: exportedAt,
      items,
      path: join(outDir, name),
      bytes: files[i]?.bytes ?? 0,
      sha256,
    });
  }
  return written;
}
