/**
 * `certify import`: validates every row of a returned workbook against the campaign; a file
 * with any problem is rejected whole and records nothing. A file already imported (same
 * SHA-256) records nothing again. A later file may re-decide an item: its decision supersedes
 * the earlier one (decisions are append-only, the latest wins, the history stays).
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { Store } from "../store/index.js";
import {
  type CampaignRow,
  campaignQuery,
  currentDecisions,
  type Decision,
  type ItemRow,
  insertDecisions,
  inTransaction,
  loadCampaignById,
  loadItems,
} from "./db.js";
import { CertifyError } from "./errors.js";
import { hashesEqual } from "./rowhash.js";
import {
  DECISION_LABELS,
  itemRowHash,
  POPULATION_HEADERS,
  populationCells,
  readReviewerWorkbook,
} from "./workbook.js";
import { readWorkbookBytes, WorkbookLimitError } from "./zip-limits.js";

export interface ImportProblem {
  file: string;
  /** The Excel row number, or null for a problem of the whole file. */
  row: number | null;
  reason: string;
}

export interface ImportOutcome {
  file: string;
  sha256: string;
  campaign: string | null;
  reviewer: string | null;
  status: "recorded" | "already_imported" | "rejected";
  rows: number;
  /** Decisions recorded (a row repeating the item's current decision records nothing). */
  recorded: number;
  unchanged: number;
  undecided: number;
  problems: ImportProblem[];
}

const DECISIONS = new Map<string, Exclude<Decision, "escalated">>(
  Object.entries(DECISION_LABELS).map(([key, label]) => [
    label.toLowerCase(),
    key as Exclude<Decision, "escalated">,
  ]),
);

/**
 * A population cell as read back equals the exported one. Line breaks are compared after XML's
 * end-of-line normalisation (XML 1.0 §2.11: every parser turns CR LF and a lone CR into LF), so
 * a name holding a CR, which no spreadsheet can give back, is not mistaken for an edit.
 */
const sameCell = (read: string | undefined, exported: string | undefined): boolean =>
  read === exported ||
  (read !== undefined &&
    exported !== undefined &&
    read.replace(/\r\n?/g, "\n") === exported.replace(/\r\n?/g, "\n"));

const quote = (text: string, max = 60): string =>
  JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);

interface Accepted {
  item: ItemRow;
  row: number;
  decision: Exclude<Decision, "escalated">;
  justification: string | null;
}

/** Imports one file; never throws for a bad file (its problems are in the outcome). */
export async function importWorkbook(
  store: Store,
  file: string,
  expectedCampaign?: string,
): Promise<ImportOutcome> {
  const outcome: ImportOutcome = {
    file,
    sha256: "",
    campaign: null,
    reviewer: null,
    status: "rejected",
    rows: 0,
    recorded: 0,
    unchanged: 0,
    undecided: 0,
    problems: [],
  };
  const reject = (reason: string, row: number | null = null): ImportOutcome => {
    outcome.problems.push({ file, row, reason });
    return outcome;
  };
  // Read once, after a size check: the bytes hashed are the bytes checked and parsed.
  let bytes: Buffer;
  try {
    bytes = await readWorkbookBytes(file);
  } catch (error) {
    if (error instanceof WorkbookLimitError) return reject(error.message);
    const code = error && typeof error === "object" && "code" in error ? String(error.code) : "";
    return reject(`cannot read the file (${code})`);
  }
  outcome.sha256 = createHash("sha256").update(bytes).digest("hex");
  let read: Awaited<ReturnType<typeof readReviewerWorkbook>>;
  try {
    read = await readReviewerWorkbook(bytes);
  } catch (error) {
    if (error instanceof WorkbookLimitError) return reject(error.message);
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    return reject(`not a readable workbook (${message.slice(0, 200)})`);
  }
  for (const problem of read.problems) reject(problem);
  if (outcome.problems.length > 0) return outcome;
  outcome.rows = read.rows.length;

  const campaignIdText = read.meta.get("Campaign ID") ?? "";
  const campaign = /^\d+$/.test(campaignIdText)
    ? await loadCampaignById(store, Number(campaignIdText))
    : null;
  if (campaign === null) return reject("the Instructions sheet names no campaign of this database");
  outcome.campaign = campaign.name;
  if (expectedCampaign !== undefined && campaign.name !== expectedCampaign) {
    return reject(`the workbook belongs to campaign "${campaign.name}", not "${expectedCampaign}"`);
  }
  const previous = await store.query<{ imported_at: string }>(campaignQuery("import_of_file"), [
    campaign.campaign_id,
    outcome.sha256,
  ]);
  if (previous[0] !== undefined) {
    outcome.status = "already_imported";
    outcome.reviewer = read.meta.get("Reviewer") ?? null;
    return outcome;
  }
  if (campaign.status !== "open") {
    return reject(`campaign "${campaign.name}" is closed: its decisions are frozen`);
  }

  const items = new Map(
    (await loadItems(store, campaign.campaign_id)).map((item) => [item.item_id, item]),
  );
  const reviewer = (read.meta.get("Reviewer") ?? "").toLowerCase();
  outcome.reviewer = reviewer === "" ? null : reviewer;
  const seen = new Map<string, number>();
  const accepted: Accepted[] = [];
  for (const r of read.rows) {
    const problem = (reason: string) => reject(reason, r.row);
    if (r.item_id === "" || r.row_hash === "") {
      problem("no item id or row hash: a row added to the workbook, or its hidden cells cleared");
      continue;
    }
    if (r.campaign_id !== String(campaign.campaign_id)) {
      problem(
        `row from another campaign (campaign id ${quote(r.campaign_id)}, this workbook's is ${campaign.campaign_id})`,
      );
      continue;
    }
    if (r.snapshot_id !== String(campaign.snapshot_id)) {
      problem(
        `row from another snapshot (${quote(r.snapshot_id)}, the campaign's is ${campaign.snapshot_id})`,
      );
      continue;
    }
    const item = items.get(r.item_id);
    if (item === undefined) {
      problem(`unknown item ${quote(r.item_id)}: not in campaign "${campaign.name}"`);
      continue;
    }
    const expected = populationCells(item);
    const edited = POPULATION_HEADERS.flatMap((header, i) =>
      sameCell(r.population[i], expected[i])
        ? []
        : [`${header} ${quote(expected[i] ?? "")} -> ${quote(r.population[i] ?? "")}`],
    );
    if (edited.length > 0) {
      problem(`population cell(s) edited: ${edited.join("; ")}`);
      continue;
    }
    if (!hashesEqual(r.row_hash, itemRowHash(campaign, item))) {
      problem("row hash does not match: the row was forged or its hidden cells edited");
      continue;
    }
    const first = seen.get(item.item_id);
    if (first !== undefined) {
      problem(`duplicate decision row for item ${item.item_id} (first at row ${first})`);
      continue;
    }
    seen.set(item.item_id, r.row);
    if (reviewer !== "" && item.reviewer !== reviewer) {
      problem(
        `item ${item.item_id} is assigned to ${item.reviewer}, not to this workbook's reviewer ${reviewer}`,
      );
      continue;
    }
    if (item.carried_from_campaign_id !== null) {
      problem(`item ${item.item_id} is not under review (approval carried forward)`);
      continue;
    }
    if (r.decision === "") {
      if (r.justification !== "") problem("a justification without a decision");
      else outcome.undecided++;
      continue;
    }
    const decision = DECISIONS.get(r.decision.toLowerCase());
    if (decision === undefined) {
      problem(`invalid decision ${quote(r.decision)} (expected Approve, Revoke or Needs info)`);
      continue;
    }
    if (r.justification === "" && decision === "revoke") {
      problem("a justification is required for Revoke");
      continue;
    }
    if (r.justification === "" && item.elevated && decision !== "needs_info") {
      problem("a justification is required for a decision on an elevated grant");
      continue;
    }
    accepted.push({
      item,
      row: r.row,
      decision,
      justification: r.justification === "" ? null : r.justification,
    });
  }
  if (outcome.problems.length > 0) return outcome;
  if (reviewer === "") return reject("the Instructions sheet names no reviewer");

  await record(store, campaign, outcome, accepted, reviewer);
  outcome.status = "recorded";
  return outcome;
}

async function record(
  store: Store,
  campaign: CampaignRow,
  outcome: ImportOutcome,
  accepted: Accepted[],
  reviewer: string,
): Promise<void> {
  await inTransaction(store, async () => {
    const current = await currentDecisions(store, campaign.campaign_id);
    const fresh = accepted.filter((a) => {
      const c = current.get(a.item.item_id);
      const same =
        c !== undefined &&
        c.source === "workbook" &&
        c.decision === a.decision &&
        (c.justification ?? null) === a.justification &&
        c.reviewer === reviewer;
      if (same) outcome.unchanged++;
      return !same;
    });
    const now = await store.query<{ now: string }>(campaignQuery("now"));
    const at = now[0]?.now ?? new Date().toISOString();
    await insertDecisions(
      store,
      fresh.map((a) => ({
        campaign_id: campaign.campaign_id,
        item_id: a.item.item_id,
        decision: a.decision,
        justification: a.justification,
        reviewer,
        decided_at: at,
        source: "workbook",
        file_sha256: outcome.sha256,
        sheet_row: a.row,
      })),
    );
    await store.query(campaignQuery("insert_import"), [
      campaign.campaign_id,
      outcome.sha256,
      basename(outcome.file),
      reviewer,
      outcome.rows,
      fresh.length,
      at,
    ]);
    outcome.recorded = fresh.length;
  });
}

/** Imports several files; each is accepted or rejected on its own. */
export async function importWorkbooks(
  store: Store,
  files: readonly string[],
  expectedCampaign?: string,
): Promise<ImportOutcome[]> {
  if (store.readOnly) throw new CertifyError("READ_ONLY", `database ${store.path} is read-only`);
  const outcomes: ImportOutcome[] = [];
  for (const file of files) outcomes.push(await importWorkbook(store, file, expectedCampaign));
  return outcomes;
}
