/** `certify export`: one workbook per reviewer of an open campaign. */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Store } from "../store/index.js";
import { checkOutputDir, writeFilesAtomically } from "../util/files.js";
import { type CampaignRow, currentDecisions, type ItemRow, loadItems } from "./db.js";
import { CertifyError } from "./errors.js";
import { fileSafe } from "./files.js";
import { writeReviewerWorkbook } from "./workbook.js";

export interface ExportedWorkbook {
  reviewer: string;
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
): Promise<ExportedWorkbook[]> {
  checkOutputDir(outDir, WORKBOOKS_OUTPUT);
  if (campaign.status !== "open") {
    throw new CertifyError(
      "CAMPAIGN_CLOSED",
      `campaign "${campaign.name}" is closed: its decisions are frozen`,
    );
  }
  const items = await loadItems(store, campaign.campaign_id);
  const decisions = await currentDecisions(store, campaign.campaign_id);
  const byReviewer = new Map<string, ItemRow[]>();
  for (const item of items) {
    if (item.carried_from_campaign_id !== null) continue; // approved earlier, unchanged since
    const list = byReviewer.get(item.reviewer) ?? [];
    list.push(item);
    byReviewer.set(item.reviewer, list);
  }
  const used = new Set<string>();
  const planned: { reviewer: string; list: ItemRow[]; name: string }[] = [];
  for (const [reviewer, list] of [...byReviewer].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let base = `${fileSafe(campaign.name)}-${fileSafe(reviewer)}`;
    if (used.has(base)) {
      base += `-${createHash("sha256").update(reviewer).digest("hex").slice(0, 8)}`;
    }
    used.add(base);
    planned.push({ reviewer, list, name: `${base}.xlsx` });
  }
  const written = await writeFilesAtomically(
    outDir,
    WORKBOOKS_OUTPUT,
    planned.map(({ reviewer, list, name }) => ({
      name,
      write: (temp: string) =>
        writeReviewerWorkbook(temp, { campaign, reviewer, items: list, decisions }),
    })),
  );
  return planned.map(({ reviewer, list, name }, i) => ({
    reviewer,
    items: list.length,
    path: join(outDir, name),
    bytes: written[i]?.bytes ?? 0,
    sha256: written[i]?.sha256 ?? "",
  }));
}
