/**
 * A campaign's state as one read: each item with its current decision, its remediation action
 * and what later snapshots say about it. Verification is derived, never stored: a revoked grant
 * is verified when the latest complete snapshot that started after its removal (or, for an
 * identity-provider change, after the campaign closed) no longer has it.
 */
import type { Store } from "../store/index.js";
import { sqlQueries } from "../util/sql-files.js";
import {
  type CampaignRow,
  type CurrentDecision,
  composedCampaignQuery,
  currentDecisions,
  type Decision,
  type ItemRow,
  loadItems,
} from "./db.js";

/** sql/certify/remediation.sql */
export const remediationQuery = sqlQueries("certify/remediation.sql");

/**
 * `failed`: the call failed (retried by the next `remediate apply`); `refused`: the API answered
 * 400 or 422, a change it will not make (the Default project's members, an archived project, an
 * invite already accepted): kept with its reason and not retried unless asked
 * (`--retry-refused`); or the tool refused up front to delete the admin key it uses itself
 * (never called, not even with `--retry-refused`).
 */
export type RemediationStatus =
  | "planned"
  | "done"
  | "already_absent"
  | "failed"
  | "refused"
  | "idp";
export type RemediationAction =
  | "remove_group_member"
  | "unassign_group_role"
  | "unassign_user_role"
  | "idp_change"
  | "remove_project_member"
  | "detach_project_group"
  | "unassign_project_user_role"
  | "delete_admin_api_key"
  | "delete_project_api_key"
  | "delete_service_account"
  | "delete_invite";

export interface RemediationRow {
  item_id: string;
  action: RemediationAction;
  method: string | null;
  path: string | null;
  status: RemediationStatus;
  attempts: number;
  error: string | null;
  planned_at: string;
  executed_at: string | null;
}

/** How the error of a revocation the tool refused itself (never sent to the API) starts. */
export const TOOL_REFUSAL = "refused by access-audit:";

export type VerificationState = "verified" | "pending" | "failed";

export interface Verification {
  state: VerificationState;
  detail: string;
  /** The first later snapshot without the grant. */
  snapshot_id: number | null;
}

export interface ItemState {
  item: ItemRow;
  decision: CurrentDecision | null;
  remediation: RemediationRow | null;
  /** Only for revoked items. */
  verification: Verification | null;
}

interface CheckRow {
  item_id: string;
  /** The latest later snapshot that collected what the item is (null: none yet). */
  latest_snapshot_id: number | null;
  absent_now: boolean | null;
  first_absent_snapshot_id: number | null;
  /** The latest later snapshot that did not collect it (it cannot tell). */
  latest_uncovered_snapshot_id: number | null;
}

export async function loadRemediation(
  store: Store,
  campaignId: number,
): Promise<Map<string, RemediationRow>> {
  const rows = await store.query<RemediationRow>(remediationQuery("remediation"), [campaignId]);
  return new Map(rows.map((r) => [r.item_id, r]));
}

async function checks(store: Store, campaignId: number): Promise<Map<string, CheckRow>> {
  const rows = await store.query<CheckRow>(remediationQuery("absence_checks"), {
    c: campaignId,
  });
  return new Map(rows.map((r) => [r.item_id, r]));
}

/** What an item of `kind` is, for a snapshot that did not collect it. */
function uncollectedText(kind: ItemRow["kind"]): string {
  switch (kind) {
    case "user_role":
      return "user role assignments";
    case "project_membership":
    case "project_group":
      return "projects";
    case "project_user_role":
      return "project role assignments";
    case "admin_key":
    case "project_api_key":
    case "service_account":
    case "invite":
      return "credentials";
    default:
      return "it";
  }
}

function verify(
  kind: ItemRow["kind"],
  remediation: RemediationRow | null,
  check: CheckRow | undefined,
): Verification {
  if (check?.absent_now === true) {
    const at = check.first_absent_snapshot_id ?? check.latest_snapshot_id;
    return { state: "verified", detail: `verified: absent from snapshot ${at}`, snapshot_id: at };
  }
  if (remediation === null)
    return { state: "pending", detail: "not planned yet", snapshot_id: null };
  if (remediation.status === "failed") {
    return {
      state: "failed",
      detail: `API call failed after ${remediation.attempts} attempt(s): ${remediation.error ?? "unknown error"}`,
      snapshot_id: null,
    };
  }
  if (remediation.status === "refused") {
    const ours = (remediation.error ?? "").startsWith(TOOL_REFUSAL);
    return {
      state: "failed",
      detail: ours
        ? `refused (not called): ${remediation.error ?? ""}`
        : `refused by the API (not retried): ${remediation.error ?? "unknown error"}`,
      snapshot_id: null,
    };
  }
  if (remediation.status === "planned") {
    return { state: "pending", detail: "planned, not applied yet", snapshot_id: null };
  }
  const idp = remediation.status === "idp";
  if (check !== undefined && check.latest_snapshot_id !== null) {
    return {
      state: "pending",
      detail: `still present in snapshot ${check.latest_snapshot_id}${idp ? " (change it in the identity provider)" : ""}`,
      snapshot_id: null,
    };
  }
  if (check !== undefined && check.latest_uncovered_snapshot_id !== null) {
    return {
      state: "pending",
      detail: `not verifiable yet: snapshot ${check.latest_uncovered_snapshot_id} did not collect ${uncollectedText(kind)}; crawl with them`,
      snapshot_id: null,
    };
  }
  return {
    state: "pending",
    detail: idp
      ? "change in the identity provider; no crawl since the campaign closed"
      : "applied; no crawl since",
    snapshot_id: null,
  };
}

/**
 * What a revoked item's state needs besides its decision: the campaign's remediation actions and
 * what later snapshots say of them (as many as the campaign has revocations, at most).
 */
export interface RevocationFacts {
  remediation: ReadonlyMap<string, RemediationRow>;
  checked: ReadonlyMap<string, CheckRow>;
}

export async function loadRevocationFacts(
  store: Store,
  campaignId: number,
): Promise<RevocationFacts> {
  return {
    remediation: await loadRemediation(store, campaignId),
    checked: await checks(store, campaignId),
  };
}

/** An item's state from its current decision (null: undecided). */
export function stateOf(
  item: ItemRow,
  decision: CurrentDecision | null,
  facts: RevocationFacts,
): ItemState {
  const action = facts.remediation.get(item.item_id) ?? null;
  return {
    item,
    decision,
    remediation: action,
    verification:
      decision?.decision === "revoke"
        ? verify(item.kind, action, facts.checked.get(item.item_id))
        : null,
  };
}

/** Every item's state, in review order, in memory (see signoff.ts for a campaign read in windows). */
export async function campaignState(store: Store, campaign: CampaignRow): Promise<ItemState[]> {
  const items = await loadItems(store, campaign.campaign_id);
  const decisions = await currentDecisions(store, campaign.campaign_id);
  const facts = await loadRevocationFacts(store, campaign.campaign_id);
  return items.map((item) => stateOf(item, decisions.get(item.item_id) ?? null, facts));
}

export interface ReviewerStatus {
  reviewer: string;
  items: number;
  decided: number;
  approved: number;
  revoked: number;
  needs_info: number;
  pending: number;
  percent_complete: number;
  overdue: boolean;
}

export interface CampaignStatus {
  campaign: string;
  campaign_id: number;
  status: "open" | "closed";
  snapshot_id: number;
  seal: string;
  scope: string;
  undecided_policy: string;
  due_date: string | null;
  created_at: string;
  closed_at: string | null;
  items: number;
  decided: number;
  approved: number;
  revoked: number;
  needs_info: number;
  escalated: number;
  carried_forward: number;
  pending: number;
  percent_complete: number;
  reviewers: ReviewerStatus[];
  overdue_reviewers: string[];
  remediation: { revoked: number; verified: number; pending: number; failed: number; idp: number };
  /** Items by kind (membership, ..., project_membership, project_group, project_user_role). */
  by_kind: Record<string, number>;
  /** Project grants: whether the snapshot collected them, and any `--project` limit. */
  projects: ProjectCoverage;
}

export interface ProjectCoverage {
  /** Whether the snapshot collected projects; null: a campaign started before projects. */
  collected: boolean | null;
  /** Whether it collected project-scope role assignments too. */
  role_assignments_collected: boolean | null;
  /** The project ids a `--project` campaign is limited to; null: no such limit. */
  only: string[] | null;
  /** One line saying the above. */
  note: string;
}

/** What a campaign's population holds of project grants, from what its snapshot collected. */
export function projectCoverage(campaign: CampaignRow): ProjectCoverage {
  const only = campaign.project_filter;
  const uncollected = campaign.uncollected;
  if (uncollected === null) {
    return {
      collected: null,
      role_assignments_collected: null,
      only,
      note: "not reviewed: the campaign started before project grants were certified",
    };
  }
  const collected = !uncollected.includes("projects");
  const roles = collected && !uncollected.includes("project_role_assignments");
  const limit = only === null ? "" : `; limited to project(s) ${only.join(", ")}`;
  const note = !collected
    ? `not collected by snapshot ${campaign.snapshot_id} (crawled without projects): the campaign has no project grants`
    : !roles
      ? `collected by snapshot ${campaign.snapshot_id} without project role assignments: no direct project roles, and attached groups' project roles unknown${limit}`
      : `collected by snapshot ${campaign.snapshot_id}${limit}`;
  return { collected, role_assignments_collected: roles, only, note };
}

const percent = (part: number, whole: number): number =>
  whole === 0 ? 100 : Math.floor((part / whole) * 1000) / 10;

/** What a campaign's counts need of one item (an ItemState, or a row of sql: item_status). */
export interface StatusRow {
  kind: string;
  reviewer: string;
  carried: boolean;
  decision: Decision | null;
  /** Revoked items only. */
  verification: Verification | null;
  /** Revoked in the identity provider (a change the API cannot make). */
  idp: boolean;
}

/** Counts of one campaign, an item at a time. Approve/revoke are decided; needs-info is pending. */
class StatusTally {
  private readonly byReviewer = new Map<string, ReviewerStatus>();
  private readonly totals = {
    items: 0,
    decided: 0,
    approved: 0,
    revoked: 0,
    needs_info: 0,
    escalated: 0,
    carried: 0,
  };
  private readonly remediation = { revoked: 0, verified: 0, pending: 0, failed: 0, idp: 0 };
  private readonly byKind: Record<string, number> = {};

  add(s: StatusRow): void {
    const totals = this.totals;
    totals.items++;
    this.byKind[s.kind] = (this.byKind[s.kind] ?? 0) + 1;
    const d = s.decision;
    if (s.carried) totals.carried++;
    const final = d === "approve" || d === "revoke" || d === "escalated";
    if (final) totals.decided++;
    if (d === "approve") totals.approved++;
    if (d === "revoke") totals.revoked++;
    if (d === "needs_info") totals.needs_info++;
    if (d === "escalated") totals.escalated++;
    if (s.verification !== null) {
      this.remediation.revoked++;
      this.remediation[s.verification.state]++;
      if (s.idp) this.remediation.idp++;
    }
    if (s.carried) return;
    const r = this.byReviewer.get(s.reviewer) ?? {
      reviewer: s.reviewer,
      items: 0,
      decided: 0,
      approved: 0,
      revoked: 0,
      needs_info: 0,
      pending: 0,
      percent_complete: 0,
      overdue: false,
    };
    r.items++;
    if (final) r.decided++;
    else r.pending++;
    if (d === "approve") r.approved++;
    if (d === "revoke") r.revoked++;
    if (d === "needs_info") r.needs_info++;
    this.byReviewer.set(s.reviewer, r);
  }

  status(campaign: CampaignRow, today: string): CampaignStatus {
    const totals = this.totals;
    const overdueDate =
      campaign.status === "open" && campaign.due_date !== null && today > campaign.due_date;
    const reviewers = [...this.byReviewer.values()]
      .sort((a, b) => (a.reviewer < b.reviewer ? -1 : 1))
      .map((r) => ({
        ...r,
        percent_complete: percent(r.decided, r.items),
        overdue: overdueDate && r.pending > 0,
      }));
    return {
      campaign: campaign.name,
      campaign_id: campaign.campaign_id,
      status: campaign.status,
      snapshot_id: campaign.snapshot_id,
      seal: campaign.seal,
      scope: campaign.scope,
      undecided_policy: campaign.undecided_policy,
      due_date: campaign.due_date,
      created_at: campaign.created_at,
      closed_at: campaign.closed_at,
      items: totals.items,
      decided: totals.decided,
      approved: totals.approved,
      revoked: totals.revoked,
      needs_info: totals.needs_info,
      escalated: totals.escalated,
      carried_forward: totals.carried,
      pending: totals.items - totals.decided,
      percent_complete: percent(totals.decided, totals.items),
      reviewers,
      overdue_reviewers: reviewers.filter((r) => r.overdue).map((r) => r.reviewer),
      remediation: this.remediation,
      // In kind order: items are read in no particular order.
      by_kind: Object.fromEntries(
        Object.entries(this.byKind).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
      projects: projectCoverage(campaign),
    };
  }
}

/** Counts of one campaign whose states are in memory (the sign-off). */
export function summarise(
  campaign: CampaignRow,
  states: readonly ItemState[],
  today: string = new Date().toISOString().slice(0, 10),
): CampaignStatus {
  const tally = new StatusTally();
  for (const s of states) {
    tally.add({
      kind: s.item.kind,
      reviewer: s.item.reviewer,
      carried: s.item.carried_from_campaign_id !== null,
      decision: s.decision?.decision ?? null,
      verification: s.verification,
      idp: s.remediation?.status === "idp",
    });
  }
  return tally.status(campaign, today);
}

/** Rows per batch of `campaignStatus`'s read. */
const STATUS_BATCH_ROWS = 10_000;

/**
 * `summarise` of a campaign read from the store a batch of items at a time, each with only what
 * the counts need: loading every item and decision whole, a million items' status took 38 s
 * and 2.7 GB.
 */
export async function campaignStatus(
  store: Store,
  campaign: CampaignRow,
  today: string = new Date().toISOString().slice(0, 10),
  facts?: RevocationFacts,
): Promise<CampaignStatus> {
  const { remediation, checked } =
    facts ?? (await loadRevocationFacts(store, campaign.campaign_id));
  const tally = new StatusTally();
  for await (const batch of store.iterateOnQueryConnection<ItemStatusRow>(
    composedCampaignQuery("item_status"),
    [campaign.campaign_id],
    STATUS_BATCH_ROWS,
  )) {
    for (const row of batch) {
      const action = remediation.get(row.item_id) ?? null;
      tally.add({
        kind: row.kind,
        reviewer: row.reviewer,
        carried: row.carried,
        decision: row.decision,
        verification:
          row.decision === "revoke" ? verify(row.kind, action, checked.get(row.item_id)) : null,
        idp: action?.status === "idp",
      });
    }
  }
  return tally.status(campaign, today);
}

/** A row of sql: item_status. */
interface ItemStatusRow {
  item_id: string;
  kind: ItemRow["kind"];
  reviewer: string;
  carried: boolean;
  decision: Decision | null;
}
