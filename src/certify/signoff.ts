/**
 * The sign-off report of a campaign, HTML and XLSX, from the database only (no clock): the
 * campaign and its population seal, reviewers, every item's decision with its justification
 * and time, revocations with their remediation and verification, and a completeness appendix.
 * The HTML is one self-contained file rendered by an isolated Handlebars environment (escaped
 * output only) under a CSP that allows its own stylesheet by hash and nothing else.
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type Handlebars from "handlebars";
import {
  createTemplateEnvironment,
  readTemplate,
  revealInvisible,
  StreamingBook,
} from "../render/index.js";
import type { Store } from "../store/index.js";
import { checkOutputDir, writeFilesAtomically } from "../util/files.js";
import { trimHeapEvery } from "../util/heap.js";
import { TOOL_VERSION } from "../version.js";
import type { CampaignRow } from "./db.js";
import { campaignQuery, composedCampaignQuery, ReviewOrder } from "./db.js";
import { fileSafe } from "./files.js";
import { populationQuery } from "./population.js";
import {
  type CampaignStatus,
  campaignStatus,
  type ItemState,
  loadRevocationFacts,
  projectCoverage,
  type RevocationFacts,
  stateOf,
} from "./state.js";
import { KIND_LABELS, WORKBOOK_HEAP_TRIM } from "./workbook.js";

const TEMPLATE = "certify-signoff.html.hbs";
const STYLESHEET = "certify-signoff.css";

export interface SignoffModel {
  tool_version: string;
  template_version: string;
  campaign: CampaignRow;
  status: CampaignStatus;
  seal_verified: boolean;
  /** The first SIGNOFF_HTML_ROWS items in review order (of status.items), with their decisions. */
  decisions: ItemState[];
  /** The first SIGNOFF_HTML_ROWS revoked items in review order (of status.revoked). */
  revocations: ItemState[];
  /** Items whose current decision came from each source, and those without one. */
  sources: { workbook: number; carried_forward: number; close_policy: number; undecided: number };
  imports: {
    file_name: string;
    file_sha256: string;
    reviewer: string;
    rows: number;
    decisions: number;
    imported_at: string;
    /** The workbook's export generation (0: exported before generations). */
    generation: number;
    /** Decisions recorded after the workbook was exported that it replaced (--supersede). */
    superseded: number;
    /** Who ran that import (certify.operator, else the OS user); null when nothing superseded. */
    superseded_by: string | null;
    os_user: string | null;
  }[];
  exports: {
    reviewer: string;
    generation: number;
    exported_at: string;
    decisions_seen: number;
    items: number;
    file_name: string;
    file_sha256: string;
  }[];
  /**
   * Grants of each kind in the snapshot and in the campaign. A project kind's snapshot count is
   * "not collected" when the snapshot did not collect it.
   */
  population: { kind: string; in_snapshot: number | string; in_campaign: number }[];
}

export function signoffTemplateVersion(): string {
  const hash = createHash("sha256");
  for (const name of [STYLESHEET, TEMPLATE]) hash.update(`${name}\0${readTemplate(name)}\0`);
  return `t-${hash.digest("hex").slice(0, 12)}`;
}

/**
 * The items of `order` (or its revoked ones) with their states, in review order, a window at a
 * time: a million items' states held at once were about 3 GB of heap.
 */
async function* statesInOrder(
  order: ReviewOrder,
  facts: RevocationFacts,
  revoked: boolean,
): AsyncGenerator<ItemState[]> {
  for await (const batch of revoked ? order.revokedBatches() : order.batches(order.all)) {
    yield batch.items.map((item) =>
      stateOf(item, batch.decisions.get(item.item_id) ?? null, facts),
    );
  }
}

/** The first `max` of statesInOrder. */
async function firstStates(
  order: ReviewOrder,
  facts: RevocationFacts,
  revoked: boolean,
  max: number,
): Promise<ItemState[]> {
  const first: ItemState[] = [];
  for await (const states of statesInOrder(order, facts, revoked)) {
    first.push(...states.slice(0, max - first.length));
    if (first.length >= max) break;
  }
  return first;
}

/** Runs `work` with every item of the campaign in review order (a ReviewOrder of `all`). */
async function withOrder<T>(
  store: Store,
  campaign: CampaignRow,
  work: (order: ReviewOrder) => Promise<T>,
): Promise<T> {
  const order = await ReviewOrder.create(store, campaign.campaign_id, "all");
  try {
    return await work(order);
  } finally {
    await order.release();
  }
}

export async function buildSignoffModel(
  store: Store,
  campaign: CampaignRow,
  facts?: RevocationFacts,
  order?: ReviewOrder,
): Promise<SignoffModel> {
  if (order === undefined) {
    return withOrder(store, campaign, (all) => buildSignoffModel(store, campaign, facts, all));
  }
  const revocationFacts = facts ?? (await loadRevocationFacts(store, campaign.campaign_id));
  const status = await campaignStatus(
    store,
    campaign,
    campaign.closed_at?.slice(0, 10) ?? "0000-00-00",
    revocationFacts,
  );
  const sources = { workbook: 0, carried_forward: 0, close_policy: 0, undecided: 0 };
  for (const { source, n } of await store.query<{ source: keyof typeof sources | null; n: number }>(
    composedCampaignQuery("decision_sources"),
    [campaign.campaign_id],
  )) {
    sources[source ?? "undecided"] += n;
  }
  // The report states the seal check it made, not the clock: same database, same report.
  const verification = await store.verify(campaign.snapshot_id);
  const mine = verification.snapshots.find((s) => s.snapshot_id === campaign.snapshot_id);
  const imports = await store.query<SignoffModel["imports"][number]>(campaignQuery("imports"), [
    campaign.campaign_id,
  ]);
  const exports = await store.query<SignoffModel["exports"][number]>(campaignQuery("exports"), [
    campaign.campaign_id,
  ]);
  const counts = await store.query<{
    memberships: number;
    group_roles: number;
    user_roles: number;
    project_memberships: number;
    project_groups: number;
    project_user_roles: number;
    admin_keys: number;
    project_api_keys: number;
    service_accounts: number;
    invites: number;
  }>(populationQuery("population_counts"), { s: campaign.snapshot_id });
  const c = counts[0] ?? {
    memberships: 0,
    group_roles: 0,
    user_roles: 0,
    project_memberships: 0,
    project_groups: 0,
    project_user_roles: 0,
    admin_keys: 0,
    project_api_keys: 0,
    service_accounts: 0,
    invites: 0,
  };
  const inCampaign = (kind: string) => status.by_kind[kind] ?? 0;
  const coverage = projectCoverage(campaign);
  const NOT_COLLECTED = "not collected";
  const projectCount = (n: number, roles = false): number | string =>
    coverage.collected === false || (roles && coverage.role_assignments_collected === false)
      ? NOT_COLLECTED
      : n;
  const credentialCount = (n: number): number | string =>
    (campaign.uncollected ?? []).includes("credentials") ? NOT_COLLECTED : n;
  const row = (kind: keyof typeof KIND_LABELS, inSnapshot: number | string) => ({
    kind: KIND_LABELS[kind],
    in_snapshot: inSnapshot,
    in_campaign: inCampaign(kind),
  });
  return {
    tool_version: TOOL_VERSION,
    template_version: signoffTemplateVersion(),
    campaign,
    status,
    seal_verified: mine?.ok === true && mine.stored === campaign.seal,
    decisions: await firstStates(order, revocationFacts, false, SIGNOFF_HTML_ROWS),
    revocations:
      status.revoked === 0
        ? []
        : await firstStates(order, revocationFacts, true, SIGNOFF_HTML_ROWS),
    sources,
    imports,
    exports,
    population: [
      row("membership", c.memberships),
      row("group_role", c.group_roles),
      row("user_role", c.user_roles),
      row("project_membership", projectCount(c.project_memberships)),
      row("project_group", projectCount(c.project_groups)),
      row("project_user_role", projectCount(c.project_user_roles, true)),
      // Credentials are reviewed by `--scope credentials` campaigns only.
      ...(campaign.scope === "credentials"
        ? [
            row("admin_key", credentialCount(c.admin_keys)),
            row("project_api_key", credentialCount(c.project_api_keys)),
            row("service_account", credentialCount(c.service_accounts)),
            row("invite", credentialCount(c.invites)),
          ]
        : []),
    ],
  };
}

const DECISION_TEXT = {
  approve: "Approve",
  revoke: "Revoke",
  needs_info: "Needs info",
  escalated: "Escalated",
} as const;
const SOURCE_TEXT = {
  workbook: "reviewer workbook",
  carried_forward: "carried forward",
  close_policy: "campaign policy at close",
} as const;
const REMEDIATION_TEXT = {
  planned: "planned",
  done: "removed through the API",
  already_absent: "already absent (404)",
  failed: "API call failed",
  refused: "refused by the API (not retried)",
  idp: "change in the identity provider",
} as const;

const show = (v: string | null | undefined): string =>
  v === null || v === undefined || v === "" ? "—" : revealInvisible(v);

/**
 * The Grant cell of the HTML tables: the kind, and a project grant's project (the template has
 * no project column; the XLSX report has one).
 */
const grantText = (item: ItemState["item"]): string => {
  const credential =
    item.credential_id === null
      ? ""
      : ` ${item.credential_name === null ? "" : `"${show(item.credential_name)}" `}(${show(item.credential_id)}${item.redacted_value ? `, ${show(item.redacted_value)}` : ""})`;
  return item.project_id === null
    ? `${KIND_LABELS[item.kind]}${credential}`
    : `${KIND_LABELS[item.kind]}${credential}: project "${show(item.project_name)}" (${show(item.project_id)})`;
};

/**
 * Rows listed per table of the HTML sign-off; the rest are counted, and the XLSX sign-off lists
 * every one. A campaign of every grant of a large organization has a million decisions: listed,
 * the HTML was 514 MB, and with its items it ran out of the JS heap.
 */
export const SIGNOFF_HTML_ROWS = 10_000;

function decisionRows(states: readonly ItemState[]) {
  return states.map((s) => ({
    item_id: s.item.item_id,
    grant: grantText(s.item),
    group: show(s.item.group_name),
    group_id: show(s.item.group_id),
    user: show(s.item.user_email ?? s.item.user_id),
    user_id: show(s.item.user_id),
    role: show(s.item.role_name),
    role_id: show(s.item.role_id),
    elevated: s.item.elevated ? "Yes" : "No",
    path: show(s.item.path),
    reviewer: show(s.item.reviewer),
    self_review: s.item.self_review ? "Yes" : "No",
    decision: s.decision === null ? "Undecided" : DECISION_TEXT[s.decision.decision],
    justification: show(s.decision?.justification),
    decided_by: show(s.decision?.reviewer),
    decided_at: show(s.decision?.decided_at),
    source: s.decision === null ? "—" : SOURCE_TEXT[s.decision.source],
    file_sha256: show(s.decision?.file_sha256),
    sheet_row: s.decision?.sheet_row ?? null,
  }));
}

function revocationRows(revoked: readonly ItemState[]) {
  return revoked.map((s) => ({
    item_id: s.item.item_id,
    grant: grantText(s.item),
    kind: KIND_LABELS[s.item.kind],
    project: show(s.item.project_name),
    project_id: show(s.item.project_id),
    group: show(s.item.group_name),
    group_id: show(s.item.group_id),
    managed:
      s.item.group_id === null
        ? "—"
        : s.item.group_is_scim_managed === null
          ? "Unknown"
          : s.item.group_is_scim_managed
            ? "SCIM"
            : "Manual",
    user: show(s.item.user_email ?? s.item.user_id),
    user_id: show(s.item.user_id),
    role: show(s.item.role_name),
    role_id: show(s.item.role_id),
    call:
      s.remediation?.method && s.remediation.path
        ? `${s.remediation.method} ${s.remediation.path}`
        : s.remediation?.action === "idp_change"
          ? "change in the identity provider"
          : "—",
    remediation: s.remediation === null ? "not planned" : REMEDIATION_TEXT[s.remediation.status],
    attempts: s.remediation?.attempts ?? 0,
    executed_at: show(s.remediation?.executed_at),
    error: show(s.remediation?.error),
    verification: s.verification?.state ?? "pending",
    verification_detail: s.verification?.detail ?? "",
  }));
}

/** The line under an HTML table that lists `listed` of `total` rows ("" when it lists all). */
function unlistedText(total: number, listed: number, what: string, sheet: string): string {
  if (listed >= total) return "";
  return `Not listed here: ${total - listed} of the ${total} ${what} (this lists the first ${listed}); the XLSX sign-off lists every one in its ${sheet} sheet.`;
}

function outcomes(model: SignoffModel) {
  return [
    { label: "Items in the campaign", value: model.status.items },
    { label: "Decided by a reviewer workbook", value: model.sources.workbook },
    { label: "Approvals carried forward", value: model.sources.carried_forward },
    { label: "Decided by the campaign policy at close", value: model.sources.close_policy },
    { label: "Without a decision", value: model.sources.undecided },
  ];
}

/** How an import replaced decisions recorded after its workbook was exported, if it did. */
function supersedeText(i: SignoffModel["imports"][number]): string {
  if (i.superseded === 0) return "—";
  const by = revealInvisible(i.superseded_by ?? "unknown");
  const os = i.os_user !== null && i.os_user !== i.superseded_by ? ` (OS user ${i.os_user})` : "";
  return `${i.superseded} decision(s) replaced with --supersede by ${by}${os} at ${i.imported_at}`;
}

let compiled: { template: Handlebars.TemplateDelegate; csp: string; css: string } | null = null;

function compile() {
  if (compiled) return compiled;
  const css = readTemplate(STYLESHEET).replace(/\r\n?/g, "\n");
  if (/<\/style|<!--/i.test(css))
    throw new Error(`templates/${STYLESHEET} must not close its element`);
  // The package's own stylesheet, checked above; never data.
  const env = createTemplateEnvironment({ rawHelpers: { stylesheet: () => css } });
  const template = env.compile<unknown>(readTemplate(TEMPLATE), TEMPLATE);
  const hash = createHash("sha256").update(css, "utf8").digest("base64");
  const csp = [
    "default-src 'none'",
    `style-src 'sha256-${hash}'`,
    "img-src data:",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
  compiled = { template, csp, css };
  return compiled;
}

export function renderSignoffHtml(model: SignoffModel, maxRows = SIGNOFF_HTML_ROWS): string {
  const { template, csp } = compile();
  const c = model.campaign;
  const st = model.status;
  const revocations = revocationRows(model.revocations.slice(0, maxRows));
  const decisions = decisionRows(model.decisions.slice(0, maxRows));
  return template({
    csp,
    generator: `openai-access-audit ${model.tool_version}; templates ${model.template_version}`,
    title: `Access certification sign-off: ${revealInvisible(c.name)}`,
    facts: [
      { label: "Campaign", value: revealInvisible(c.name), code: false },
      {
        label: "Status",
        value: c.status === "closed" ? `closed ${c.closed_at ?? ""}` : "open (not signed off)",
        code: false,
      },
      { label: "Created", value: c.created_at, code: false },
      { label: "Scope", value: c.scope, code: false },
      { label: "Project grants", value: revealInvisible(st.projects.note), code: false },
      { label: "Policy for undecided items", value: c.undecided_policy, code: false },
      { label: "Due date", value: c.due_date ?? "none", code: false },
      { label: "Population: snapshot", value: `#${c.snapshot_id}`, code: false },
      { label: "Population seal", value: c.seal, code: true },
      {
        label: "Seal check",
        value: model.seal_verified
          ? "the snapshot still matches its seal"
          : "MISMATCH: the snapshot no longer matches its seal",
        code: false,
      },
      { label: "Reviewer assignment", value: revealInvisible(c.reviewers_source), code: true },
      { label: "Reviewers file SHA-256", value: c.reviewers_sha256 ?? "—", code: true },
      { label: "Tool version", value: model.tool_version, code: true },
    ],
    summary: [
      { label: "Items", value: st.items },
      { label: "Approved", value: st.approved },
      { label: "Revoked", value: st.revoked },
      { label: "Escalated", value: st.escalated },
      { label: "Pending", value: st.pending },
      { label: "Complete", value: `${st.percent_complete}%` },
      { label: "Remediation verified", value: st.remediation.verified },
      { label: "Remediation pending", value: st.remediation.pending },
      { label: "Remediation failed", value: st.remediation.failed },
    ],
    reviewers: st.reviewers.map((r) => ({ ...r, reviewer: revealInvisible(r.reviewer) })),
    revocations,
    revocations_unlisted: unlistedText(
      st.revoked,
      revocations.length,
      "revocations",
      "Revocations",
    ),
    decisions,
    decisions_unlisted: unlistedText(st.items, decisions.length, "decisions", "Decisions"),
    outcomes: outcomes(model),
    population: model.population,
    imports: model.imports.map((i) => ({
      ...i,
      file_name: revealInvisible(i.file_name),
      supersede: supersedeText(i),
    })),
    exports: model.exports.map((e) => ({
      ...e,
      reviewer: revealInvisible(e.reviewer),
      file_name: revealInvisible(e.file_name),
    })),
  });
}

async function writeSignoffXlsx(
  path: string,
  model: SignoffModel,
  order: ReviewOrder,
  facts: RevocationFacts,
): Promise<void> {
  const c = model.campaign;
  const book = await StreamingBook.create(path, {
    title: `Access certification sign-off: ${c.name}`,
    subject: `campaign ${c.campaign_id}, snapshot ${c.snapshot_id}`,
    creator: "openai-access-audit",
    description: `population seal ${c.seal}`,
    keywords: `certification ${c.name}`,
    category: "access certification",
    date: new Date(c.closed_at ?? c.created_at),
  });
  try {
    const cols = (spec: [string, number][]) => spec.map(([header, width]) => ({ header, width }));
    const st = model.status;
    await book.sheetFrom(
      "Summary",
      cols([
        ["Field", 34],
        ["Value", 90],
      ]),
      [
        ["Campaign", c.name],
        ["Status", c.status],
        ["Created at", c.created_at],
        ["Closed at", c.closed_at ?? ""],
        ["Scope", c.scope],
        ["Project grants", st.projects.note],
        ["Undecided policy", c.undecided_policy],
        ["Snapshot", String(c.snapshot_id)],
        ["Population seal", c.seal],
        ["Seal check", model.seal_verified ? "matches" : "MISMATCH"],
        ["Reviewer assignment", c.reviewers_source],
        ["Reviewers file SHA-256", c.reviewers_sha256 ?? ""],
        ["Items", String(st.items)],
        ["Approved", String(st.approved)],
        ["Revoked", String(st.revoked)],
        ["Escalated", String(st.escalated)],
        ["Pending", String(st.pending)],
        ["Percent complete", String(st.percent_complete)],
        ["Remediation verified", String(st.remediation.verified)],
        ["Remediation pending", String(st.remediation.pending)],
        ["Remediation failed", String(st.remediation.failed)],
        ["Tool version", model.tool_version],
        ["Template version", model.template_version],
      ].map(([Field, Value]) => ({ Field, Value })),
    );
    await book.sheetFrom(
      "Reviewers",
      cols([
        ["Reviewer", 34],
        ["Items", 10],
        ["Decided", 10],
        ["Approved", 10],
        ["Revoked", 10],
        ["Pending", 10],
        ["Percent complete", 16],
      ]),
      st.reviewers.map((r) => ({
        Reviewer: r.reviewer,
        Items: r.items,
        Decided: r.decided,
        Approved: r.approved,
        Revoked: r.revoked,
        Pending: r.pending,
        "Percent complete": r.percent_complete,
      })),
    );
    const decisions = book.sheet(
      "Decisions",
      cols([
        ["Item ID", 26],
        ["Grant", 18],
        ["Group", 28],
        ["Group ID", 24],
        ["User", 30],
        ["User ID", 24],
        ["Role", 24],
        ["Role ID", 24],
        ["Project", 28],
        ["Project ID", 24],
        ["Elevated", 9],
        ["Access path", 60],
        ["Reviewer", 30],
        ["Self-review", 11],
        ["Decision", 12],
        ["Justification", 50],
        ["Decided by", 30],
        ["Decided at", 26],
        ["Source", 24],
        ["File SHA-256", 66],
        ["Sheet row", 10],
      ]),
    );
    for await (const states of statesInOrder(order, facts, false)) {
      for (const s of states) {
        await decisions.add({
          "Item ID": s.item.item_id,
          Grant: KIND_LABELS[s.item.kind],
          Group: s.item.group_name,
          "Group ID": s.item.group_id,
          User: s.item.user_email,
          "User ID": s.item.user_id,
          Role: s.item.role_name,
          "Role ID": s.item.role_id,
          Project: s.item.project_name,
          "Project ID": s.item.project_id,
          Elevated: s.item.elevated,
          "Access path": s.item.path,
          Reviewer: s.item.reviewer,
          "Self-review": s.item.self_review,
          Decision: s.decision === null ? "Undecided" : DECISION_TEXT[s.decision.decision],
          Justification: s.decision?.justification ?? null,
          "Decided by": s.decision?.reviewer ?? null,
          "Decided at": s.decision?.decided_at ?? null,
          Source: s.decision === null ? null : SOURCE_TEXT[s.decision.source],
          "File SHA-256": s.decision?.file_sha256 ?? null,
          "Sheet row": s.decision?.sheet_row ?? null,
        });
      }
    }
    await decisions.close();
    const revocations = book.sheet(
      "Revocations",
      cols([
        ["Item ID", 26],
        ["Grant", 18],
        ["Group", 28],
        ["Managed by", 11],
        ["User", 30],
        ["Role", 24],
        ["API call", 70],
        ["Remediation", 30],
        ["Attempts", 9],
        ["Executed at", 26],
        ["Error", 50],
        ["Verification", 12],
        ["Verification detail", 50],
        ["Project", 28],
        ["Project ID", 24],
      ]),
    );
    // Each window of revocations is read from a window of every item: none, no need.
    for await (const states of model.status.revoked === 0
      ? []
      : statesInOrder(order, facts, true)) {
      for (const r of revocationRows(states)) {
        await revocations.add({
          "Item ID": r.item_id,
          Grant: r.kind,
          Group: r.group,
          "Managed by": r.managed,
          User: r.user,
          Role: r.role,
          "API call": r.call,
          Remediation: r.remediation,
          Attempts: r.attempts,
          "Executed at": r.executed_at,
          Error: r.error,
          Verification: r.verification,
          "Verification detail": r.verification_detail,
          Project: r.project,
          "Project ID": r.project_id,
        });
      }
    }
    await revocations.close();
    await book.sheetFrom(
      "Completeness",
      cols([
        ["Check", 44],
        ["Value", 16],
        ["In snapshot", 14],
      ]),
      [
        ...outcomes(model).map((o) => ({ Check: o.label, Value: o.value })),
        ...model.population.map((p) => ({
          Check: `Population: ${p.kind}`,
          Value: p.in_campaign,
          "In snapshot": p.in_snapshot,
        })),
      ],
    );
    await book.sheetFrom(
      "Imports",
      cols([
        ["File", 40],
        ["SHA-256", 66],
        ["Reviewer", 30],
        ["Generation", 11],
        ["Rows", 8],
        ["Decisions", 10],
        ["Imported at", 26],
        ["Superseded", 11],
        ["Superseded by", 30],
        ["OS user", 20],
      ]),
      model.imports.map((i) => ({
        File: i.file_name,
        "SHA-256": i.file_sha256,
        Reviewer: i.reviewer,
        Generation: i.generation,
        Rows: i.rows,
        Decisions: i.decisions,
        "Imported at": i.imported_at,
        Superseded: i.superseded,
        "Superseded by": i.superseded_by,
        "OS user": i.os_user,
      })),
    );
    await book.sheetFrom(
      "Exports",
      cols([
        ["Reviewer", 30],
        ["Generation", 11],
        ["Exported at", 26],
        ["Decisions shown up to", 20],
        ["Items", 8],
        ["File", 40],
        ["SHA-256", 66],
      ]),
      model.exports.map((e) => ({
        Reviewer: e.reviewer,
        Generation: e.generation,
        "Exported at": e.exported_at,
        "Decisions shown up to": e.decisions_seen,
        Items: e.items,
        File: e.file_name,
        "SHA-256": e.file_sha256,
      })),
    );
    await book.commit();
  } catch (error) {
    await book.abort();
    throw error;
  }
}

export interface SignoffFile {
  format: "html" | "xlsx";
  path: string;
  bytes: number;
  sha256: string;
}

/** What the folder's error messages call these files. */
export const SIGNOFF_OUTPUT = "the sign-off report";

/**
 * Checks, creating nothing, that the sign-off report can be written to `outDir` (not a symbolic
 * link, not on a read-only file system, no file in the way): `certify close` calls it before it
 * freezes anything, so an unwritable folder fails with the campaign still open.
 */
export function checkSignoffDir(outDir: string): void {
  checkOutputDir(outDir, SIGNOFF_OUTPUT);
}

/** Writes the HTML and XLSX sign-off report into `outDir`, both or neither. */
export async function writeSignoff(
  store: Store,
  campaign: CampaignRow,
  outDir: string,
): Promise<SignoffFile[]> {
  checkSignoffDir(outDir);
  const facts = await loadRevocationFacts(store, campaign.campaign_id);
  const base = `certification-${fileSafe(campaign.name)}-signoff`;
  const written = await withOrder(store, campaign, async (order) => {
    const model = await buildSignoffModel(store, campaign, facts, order);
    const stopHeapTrim = trimHeapEvery(WORKBOOK_HEAP_TRIM.intervalMs, WORKBOOK_HEAP_TRIM);
    try {
      return await writeFilesAtomically(outDir, SIGNOFF_OUTPUT, [
        {
          name: `${base}.html`,
          write: (temp) =>
            writeFile(temp, renderSignoffHtml(model), { encoding: "utf8", mode: 0o600 }),
        },
        { name: `${base}.xlsx`, write: (temp) => writeSignoffXlsx(temp, model, order, facts) },
      ]);
    } finally {
      stopHeapTrim();
    }
  });
  return (["html", "xlsx"] as const).map((format, i) => {
    const file = written[i] as (typeof written)[number];
    return { format, path: join(outDir, file.name), bytes: file.bytes, sha256: file.sha256 };
  });
}
