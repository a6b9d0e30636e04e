/**
 * `certify import`: validates every row of a returned workbook against the campaign; a file
 * with any problem is rejected whole and records nothing. A file already imported (same
 * SHA-256) records nothing again.
 *
 * Replays cannot undo newer decisions. Every exported workbook carries its reviewer's export
 * generation under the campaign's HMAC (rowhash.ts); a workbook exported before generations
 * is generation 0. An import:
 * - refuses a file of an older generation than the newest one already imported for that
 *   reviewer (whatever it says: re-export for a newer generation instead);
 * - refuses a file that would replace a decision recorded after the file was exported (the
 *   reviewer never saw it: a second, different file of the same generation, or a file filled
 *   in before another was imported), unless the operator passes --supersede; the import then
 *   records how many decisions it replaced, who ran it (the configured certify.operator, else
 *   the OS user) and when;
 * - records nothing, and says so, for a file whose decisions are all already recorded.
 * Otherwise its decisions are appended (decisions are append-only, the latest wins, the
 * history stays).
 *
 * Memory: the workbook is read streaming (workbook-read.ts); what is kept is the reviewer's
 * items and their current decisions (not the whole campaign's: a million-item campaign took
 * 2.8 GB to check one reviewer's 30,000 rows), the accepted decisions (justifications at most
 * MAX_JUSTIFICATION_CHARS in all) and at most MAX_LISTED_PROBLEMS problems, after which reading
 * stops. A row of an item that is not the reviewer's is always a problem: its item is looked up
 * once reading ends, so its problem says the same as if every item had been at hand.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { Store } from "../store/index.js";
import {
  type CampaignRow,
  type CurrentDecision,
  campaignQuery,
  currentDecisions,
  type Decision,
  type ItemRow,
  insertDecisions,
  inTransaction,
  loadCampaignById,
  loadItem,
  loadReviewerItems,
} from "./db.js";
import { CertifyError } from "./errors.js";
import { hashesEqual } from "./rowhash.js";
import {
  CREDENTIAL_HEADERS,
  credentialCells,
  DECISION_LABELS,
  EXPORT_MAC_LABEL,
  EXPORTED_AT_LABEL,
  GENERATION_LABEL,
  itemRowHash,
  POPULATION_HEADERS,
  PROJECT_HEADERS,
  populationCells,
  projectCells,
  workbookExportMac,
} from "./workbook.js";
import { type ReadRow, readReviewerWorkbook } from "./workbook-read.js";
import { readWorkbookBytes, WorkbookLimitError } from "./zip-limits.js";

/** Problems listed per file; reading stops at this many (the file is refused anyway). */
export const MAX_LISTED_PROBLEMS = 100;
/** Characters of justification a file may bring in all. */
export const MAX_JUSTIFICATION_CHARS = 16 * 1024 * 1024;

/** Who runs an import with --supersede. */
export interface Supersede {
  /** The configured certify.operator, else the OS user. */
  by: string;
  osUser: string;
}

export interface ImportOptions {
  /** Refuse workbooks of any other campaign. */
  expectedCampaign?: string;
  /** --supersede: replace decisions recorded after the file was exported. */
  supersede?: Supersede | null;
}

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
  status: "recorded" | "already_imported" | "unchanged" | "rejected";
  /** The workbook's export generation (0: exported before generations), once known. */
  generation: number | null;
  rows: number;
  /** Decisions recorded (a row repeating the item's current decision records nothing). */
  recorded: number;
  unchanged: number;
  undecided: number;
  /** Decisions recorded after the file was exported that it replaced (--supersede). */
  superseded: number;
  superseded_by: string | null;
  problems: ImportProblem[];
  /** More problems than are listed: reading stopped after MAX_LISTED_PROBLEMS. */
  more_problems: boolean;
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

const DECISION_NAMES: Record<Decision, string> = {
  approve: "Approve",
  revoke: "Revoke",
  needs_info: "Needs info",
  escalated: "Escalated",
};

const describe = (decision: Decision, justification: string | null): string =>
  justification === null
    ? DECISION_NAMES[decision]
    : `${DECISION_NAMES[decision]} (${quote(justification, 40)})`;

/** Imports one file; never throws for a bad file (its problems are in the outcome). */
export async function importWorkbook(
  store: Store,
  file: string,
  options: ImportOptions = {},
): Promise<ImportOutcome> {
  const outcome: ImportOutcome = {
    file,
    sha256: "",
    campaign: null,
    reviewer: null,
    status: "rejected",
    generation: null,
    rows: 0,
    recorded: 0,
    unchanged: 0,
    undecided: 0,
    superseded: 0,
    superseded_by: null,
    problems: [],
    more_problems: false,
  };
  /** Lists a problem, or notes that there are more than are listed (then returns null). */
  const listProblem = (reason: string, row: number | null): ImportProblem | null => {
    if (outcome.problems.length >= MAX_LISTED_PROBLEMS) {
      outcome.more_problems = true;
      return null;
    }
    const listed = { file, row, reason };
    outcome.problems.push(listed);
    return listed;
  };
  const reject = (reason: string, row: number | null = null): ImportOutcome => {
    listProblem(reason, row);
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

  let campaign: CampaignRow | null = null;
  let items = new Map<string, ItemRow>();
  let reviewer = "";
  let generation = 0;
  /** Decisions up to this sequence number were shown in the workbook when it was written. */
  let decisionsSeen = 0;
  let justifications = 0;
  let stop = false;
  const seen = new Map<string, number>();
  const accepted: Accepted[] = [];

  const meta = async (labels: ReadonlyMap<string, string>): Promise<boolean> => {
    const campaignIdText = labels.get("Campaign ID") ?? "";
    campaign = /^\d{1,9}$/.test(campaignIdText)
      ? await loadCampaignById(store, Number(campaignIdText))
      : null;
    if (campaign === null) {
      reject("the Instructions sheet names no campaign of this database");
      return false;
    }
    outcome.campaign = campaign.name;
    if (options.expectedCampaign !== undefined && campaign.name !== options.expectedCampaign) {
      reject(
        `the workbook belongs to campaign "${campaign.name}", not "${options.expectedCampaign}"`,
      );
      return false;
    }
    const previous = await store.query<{ imported_at: string }>(campaignQuery("import_of_file"), [
      campaign.campaign_id,
      outcome.sha256,
    ]);
    if (previous[0] !== undefined) {
      outcome.status = "already_imported";
      outcome.reviewer = labels.get("Reviewer") ?? null;
      return false;
    }
    if (campaign.status !== "open") {
      reject(`campaign "${campaign.name}" is closed: its decisions are frozen`);
      return false;
    }
    reviewer = (labels.get("Reviewer") ?? "").toLowerCase();
    if (reviewer === "") {
      reject("the Instructions sheet names no reviewer");
      return false;
    }
    outcome.reviewer = reviewer;

    const generationText = labels.get(GENERATION_LABEL);
    const exportedAt = labels.get(EXPORTED_AT_LABEL);
    const mac = labels.get(EXPORT_MAC_LABEL);
    if (generationText !== undefined || exportedAt !== undefined || mac !== undefined) {
      if (
        generationText === undefined ||
        exportedAt === undefined ||
        mac === undefined ||
        !/^[1-9]\d{0,8}$/.test(generationText) ||
        !hashesEqual(mac, workbookExportMac(campaign, reviewer, Number(generationText), exportedAt))
      ) {
        reject(
          `the Instructions sheet's ${GENERATION_LABEL}, ${EXPORTED_AT_LABEL} and ${EXPORT_MAC_LABEL} do not match: edited, or taken from another workbook`,
        );
        return false;
      }
      generation = Number(generationText);
      const exported = await store.query<{ exported_at: string; decisions_seen: number }>(
        campaignQuery("export_of"),
        [campaign.campaign_id, reviewer, generation],
      );
      if (exported[0] === undefined || exported[0].exported_at !== exportedAt) {
        reject(
          `generation ${generation} of ${reviewer}'s workbook (exported ${exportedAt}) is not recorded as exported from this database`,
        );
        return false;
      }
      decisionsSeen = exported[0].decisions_seen;
    }
    outcome.generation = generation;
    const newest = await store.query<{ generation: number | null }>(
      campaignQuery("newest_imported_generation"),
      [campaign.campaign_id, reviewer],
    );
    const newestGeneration = newest[0]?.generation ?? null;
    if (newestGeneration !== null && generation < newestGeneration) {
      reject(
        `this is generation ${generation} of ${reviewer}'s workbook, older than generation ${newestGeneration} already imported: an older file cannot replace newer decisions (export again for a new generation if it should)`,
      );
      return false;
    }
    items = await loadReviewerItems(store, campaign.campaign_id, reviewer);
    return true;
  };

  /**
   * What is wrong with row `r` as a row of `item` (undefined: the campaign has no such item), up
   * to whose item it is; null if nothing. Notes the row of each item seen (duplicates).
   */
  const itemProblem = (c: CampaignRow, item: ItemRow | undefined, r: ReadRow): string | null => {
    if (item === undefined) return `unknown item ${quote(r.item_id)}: not in campaign "${c.name}"`;
    const expected = populationCells(item);
    const expectedProject = projectCells(item);
    const expectedCredential = credentialCells(item);
    const edited = [
      ...POPULATION_HEADERS.map((header, i) => [header, expected[i], r.population[i]] as const),
      ...PROJECT_HEADERS.map((header, i) => [header, expectedProject[i], r.project[i]] as const),
      ...CREDENTIAL_HEADERS.map(
        (header, i) => [header, expectedCredential[i], r.credential[i]] as const,
      ),
    ].flatMap(([header, want, got]) =>
      sameCell(got, want) ? [] : [`${header} ${quote(want ?? "")} -> ${quote(got ?? "")}`],
    );
    if (edited.length > 0) return `population cell(s) edited: ${edited.join("; ")}`;
    if (!hashesEqual(r.row_hash, itemRowHash(c, item, generation))) {
      return generation === 0
        ? "row hash does not match: the row was forged or its hidden cells edited"
        : `row hash does not match generation ${generation} of this reviewer's workbook: the row was forged, its hidden cells edited, or it was copied from another workbook`;
    }
    const first = seen.get(item.item_id);
    if (first !== undefined) {
      return `duplicate decision row for item ${item.item_id} (first at row ${first})`;
    }
    seen.set(item.item_id, r.row);
    if (item.reviewer !== reviewer) {
      return `item ${item.item_id} is assigned to ${item.reviewer}, not to this workbook's reviewer ${reviewer}`;
    }
    return null;
  };
  /** Rows of items not the reviewer's, each listed as a problem whose reason is told at the end. */
  const elsewhere: { problem: ImportProblem; r: ReadRow }[] = [];

  const row = (r: ReadRow): boolean => {
    const c = campaign;
    if (c === null || stop) return false;
    outcome.rows++;
    const problem = (reason: string): boolean => {
      reject(reason, r.row);
      return !outcome.more_problems;
    };
    if (r.item_id === "" || r.row_hash === "") {
      return problem(
        "no item id or row hash: a row added to the workbook, or its hidden cells cleared",
      );
    }
    if (r.campaign_id !== String(c.campaign_id)) {
      return problem(
        `row from another campaign (campaign id ${quote(r.campaign_id)}, this workbook's is ${c.campaign_id})`,
      );
    }
    if (r.snapshot_id !== String(c.snapshot_id)) {
      return problem(
        `row from another snapshot (${quote(r.snapshot_id)}, the campaign's is ${c.snapshot_id})`,
      );
    }
    const item = items.get(r.item_id);
    if (item === undefined) {
      // Not the reviewer's: a problem whatever else holds (its reason: itemProblem, at the end).
      const listed = listProblem("", r.row);
      if (listed !== null) elsewhere.push({ problem: listed, r });
      return !outcome.more_problems;
    }
    const wrong = itemProblem(c, item, r);
    if (wrong !== null) return problem(wrong);
    if (item.carried_from_campaign_id !== null) {
      return problem(`item ${item.item_id} is not under review (approval carried forward)`);
    }
    if (r.decision === "") {
      if (r.justification !== "") return problem("a justification without a decision");
      outcome.undecided++;
      return true;
    }
    const decision = DECISIONS.get(r.decision.toLowerCase());
    if (decision === undefined) {
      return problem(
        `invalid decision ${quote(r.decision)} (expected Approve, Revoke or Needs info)`,
      );
    }
    if (r.justification === "" && decision === "revoke") {
      return problem("a justification is required for Revoke");
    }
    if (r.justification === "" && item.elevated && decision !== "needs_info") {
      return problem("a justification is required for a decision on an elevated grant");
    }
    justifications += r.justification.length;
    if (justifications > MAX_JUSTIFICATION_CHARS) {
      stop = true;
      reject(
        `the justifications hold more than ${MAX_JUSTIFICATION_CHARS.toLocaleString("en-US")} characters in all, more than a certification workbook may; refused`,
      );
      return false;
    }
    accepted.push({
      item,
      row: r.row,
      decision,
      justification: r.justification === "" ? null : r.justification,
    });
    return true;
  };

  let unreadable: string | null = null;
  try {
    const fileProblems = await readReviewerWorkbook(bytes, { meta, row });
    for (const problem of fileProblems) reject(problem);
  } catch (error) {
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    unreadable =
      error instanceof WorkbookLimitError
        ? error.message
        : `not a readable workbook (${message.slice(0, 200)})`;
  }
  // In row order, as the checks would have run with every item at hand (duplicates included).
  // Assigned by `meta`, which TypeScript does not follow into.
  const read = campaign as CampaignRow | null;
  if (read !== null) {
    for (const { problem, r } of elsewhere) {
      const item = (await loadItem(store, read.campaign_id, r.item_id)) ?? undefined;
      // Never null: an item not in `items` is another reviewer's, or none at all.
      problem.reason = itemProblem(read, item, r) ?? `item ${r.item_id} is not this reviewer's`;
    }
  }
  if (unreadable !== null) return reject(unreadable);
  const c: CampaignRow | null = campaign;
  if (outcome.problems.length > 0 || outcome.status === "already_imported" || c === null) {
    return outcome;
  }
  await record(store, c, outcome, accepted, reviewer, decisionsSeen, options.supersede ?? null);
  return outcome;
}

async function record(
  store: Store,
  campaign: CampaignRow,
  outcome: ImportOutcome,
  accepted: Accepted[],
  reviewer: string,
  decisionsSeen: number,
  supersede: Supersede | null,
): Promise<void> {
  await inTransaction(store, async () => {
    const current = await currentDecisions(store, campaign.campaign_id, reviewer);
    const conflicts: { a: Accepted; c: CurrentDecision }[] = [];
    const fresh = accepted.filter((a) => {
      const c = current.get(a.item.item_id);
      const same =
        c !== undefined &&
        c.source === "workbook" &&
        c.decision === a.decision &&
        (c.justification ?? null) === a.justification &&
        c.reviewer === reviewer;
      if (same) {
        outcome.unchanged++;
        return false;
      }
      // A decision the workbook never showed: recorded after it was exported.
      if (c !== undefined && c.source === "workbook" && c.decision_seq > decisionsSeen) {
        conflicts.push({ a, c });
      }
      return true;
    });
    const generation = outcome.generation ?? 0;
    if (fresh.length === 0) {
      outcome.status = "unchanged";
      return;
    }
    if (conflicts.length > 0 && supersede === null) {
      outcome.problems.push({
        file: outcome.file,
        row: null,
        reason: `${conflicts.length} decision(s) differ from ones recorded after this workbook (generation ${generation}) was exported; nothing recorded: re-export for a newer generation, or pass --supersede to replace them (recorded with who and when)`,
      });
      for (const { a, c } of conflicts.slice(0, MAX_LISTED_PROBLEMS - 1)) {
        outcome.problems.push({
          file: outcome.file,
          row: a.row,
          reason: `would replace ${describe(c.decision, c.justification)} on item ${a.item.item_id}, recorded ${c.decided_at}, with ${describe(a.decision, a.justification)}`,
        });
      }
      outcome.more_problems = conflicts.length > MAX_LISTED_PROBLEMS - 1;
      return;
    }
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
    const superseded = supersede !== null && conflicts.length > 0 ? supersede : null;
    await store.query(campaignQuery("insert_import"), [
      campaign.campaign_id,
      outcome.sha256,
      basename(outcome.file),
      reviewer,
      outcome.rows,
      fresh.length,
      at,
      generation,
      superseded === null ? 0 : conflicts.length,
      superseded?.by ?? null,
      superseded?.osUser ?? null,
    ]);
    outcome.recorded = fresh.length;
    outcome.superseded = superseded === null ? 0 : conflicts.length;
    outcome.superseded_by = superseded?.by ?? null;
    outcome.status = "recorded";
  });
}

/** Imports several files; each is accepted or rejected on its own. */
export async function importWorkbooks(
  store: Store,
  files: readonly string[],
  options: ImportOptions = {},
): Promise<ImportOutcome[]> {
  if (store.readOnly) throw new CertifyError("READ_ONLY", `database ${store.path} is read-only`);
  const outcomes: ImportOutcome[] = [];
  for (const file of files) outcomes.push(await importWorkbook(store, file, options));
  return outcomes;
}
