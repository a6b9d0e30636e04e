/**
 * `certify start`: a campaign over one sealed snapshot, its items and their reviewers. Scope
 * `all`, `elevated` and `changed-since-last` take organization and project grants alike;
 * `projects` only project grants, `organization` only organization grants; `--project` limits
 * any scope but `organization` to the grants inside the named projects. A snapshot that did
 * not collect projects has no project grants: the campaign records its coverage, and a
 * campaign of project grants only is refused there. `credentials` takes the snapshot's
 * credentials only (credentials.ts), and is refused on a snapshot that did not collect them;
 * with `--project`, only the credentials of those projects (their keys and service accounts).
 */

import { randomBytes } from "node:crypto";
import { resolveSnapshotId } from "../analysis/access.js";
import type { AnalysisConfig } from "../analysis/config.js";
import type { Store } from "../store/index.js";
import { loadCredentialPopulation } from "./credentials.js";
import {
  appendRows,
  type CampaignRow,
  campaignQuery,
  currentDecisions,
  insertDecisions,
  inTransaction,
  isCredentialKind,
  isProjectKind,
  loadCampaign,
  type Scope,
  type UndecidedPolicy,
} from "./db.js";
import { CertifyError } from "./errors.js";
import type { IdentityRules } from "./identity.js";
import {
  loadCoverage,
  loadPopulation,
  type PopulationCoverage,
  type PopulationItem,
  populationQuery,
} from "./population.js";
import { assignReviewer, type ReviewerRules } from "./reviewers.js";

export interface StartOptions {
  name: string;
  snapshotId?: number;
  scope: Scope;
  reviewers: ReviewerRules;
  policy: UndecidedPolicy;
  allowSelfReview: boolean;
  /** YYYY-MM-DD. */
  dueDate?: string;
  /** What counts as elevated (scope `elevated`): the configuration's, as reports use it. */
  analysis: AnalysisConfig;
  /** How reviewer and user addresses compare for self-review (`certify.identity`). */
  identity?: IdentityRules;
  /** `--project`: ids or names of projects the campaign is limited to (their grants only). */
  projects?: readonly string[];
}

export interface StartResult {
  campaign: CampaignRow;
  items: number;
  to_review: number;
  carried_forward: number;
  self_review: number;
  reviewers: { reviewer: string; items: number }[];
  hold: string;
  /** What the snapshot collected: without projects, the campaign has no project grants. */
  coverage: PopulationCoverage;
  /** The projects a `--project` campaign is limited to; null: no such limit. */
  projects: { project_id: string; name: string | null }[] | null;
  /** Items by kind. */
  by_kind: Record<string, number>;
  /** Things the operator should know (e.g. admin keys that may be the tool's own). */
  warnings: string[];
}

export const holdReason = (name: string): string => `certification campaign ${name}`;

const describeItem = (item: PopulationItem): string => {
  const who = item.user_email ?? item.user_id ?? "";
  const where = item.group_name ?? item.group_id ?? "";
  const role = item.role_name ?? item.role_id;
  const inProject = `project "${item.project_name ?? item.project_id ?? ""}"`;
  switch (item.kind) {
    case "membership":
      return `${who} in group "${where}"`;
    case "group_role":
      return `group "${where}" role ${role}`;
    case "user_role":
      return `${who} role ${role}`;
    case "project_membership":
      return `${who} in ${inProject}`;
    case "project_group":
      return `group "${where}" attached to ${inProject}`;
    case "project_user_role":
      return `${who} role ${role} in ${inProject}`;
    case "admin_key":
      return `admin key "${item.credential_name ?? item.credential_id ?? ""}" of ${who}`;
    case "project_api_key":
      return `API key "${item.credential_name ?? item.credential_id ?? ""}" of ${who} in ${inProject}`;
    case "service_account":
      return `service account "${item.credential_name ?? item.credential_id ?? ""}" in ${inProject}`;
    case "invite":
      return `invite of ${who}`;
  }
};

/** `--project` values as project ids of the snapshot: an id, else a unique name. */
async function resolveProjects(
  store: Store,
  snapshotId: number,
  wanted: readonly string[],
): Promise<{ project_id: string; name: string | null }[]> {
  const projects = await store.query<{ project_id: string; name: string | null }>(
    populationQuery("projects"),
    { s: snapshotId },
  );
  const found = new Map<string, { project_id: string; name: string | null }>();
  for (const value of wanted) {
    const byId = projects.find((p) => p.project_id === value);
    const byName = projects.filter((p) => p.name === value);
    const hit = byId ?? (byName.length === 1 ? byName[0] : undefined);
    if (hit === undefined) {
      throw new CertifyError(
        "PROJECT_NOT_FOUND",
        byName.length > 1
          ? `--project ${JSON.stringify(value)}: ${byName.length} projects of snapshot ${snapshotId} have that name (${byName.map((p) => p.project_id).join(", ")}): give the id`
          : `--project ${JSON.stringify(value)}: no project of snapshot ${snapshotId} has that id or name`,
      );
    }
    found.set(hit.project_id, hit);
  }
  return [...found.values()].sort((a, b) => (a.project_id < b.project_id ? -1 : 1));
}

function listed(items: string[], max = 20): string {
  const shown = items.slice(0, max).join("; ");
  return items.length > max ? `${shown}; and ${items.length - max} more` : shown;
}

export async function startCampaign(store: Store, options: StartOptions): Promise<StartResult> {
  const name = options.name.trim();
  if (name === "") throw new CertifyError("REVIEWERS_INVALID", "--name must not be empty");
  const existing = await store.query(campaignQuery("campaign_name_taken"), [name]);
  if (existing.length > 0) {
    throw new CertifyError("CAMPAIGN_EXISTS", `a campaign named "${name}" already exists`);
  }
  const snapshotId = await resolveSnapshotId(store, options.snapshotId);
  const verification = await store.verify(snapshotId);
  const mine = verification.snapshots.find((s) => s.snapshot_id === snapshotId);
  if (mine === undefined || !mine.ok || mine.stored === null) {
    throw new CertifyError(
      "SEAL_MISMATCH",
      `snapshot ${snapshotId} does not match its seal: refusing to certify it`,
    );
  }
  const seal = mine.stored;

  if (options.scope === "organization" && (options.projects?.length ?? 0) > 0) {
    throw new CertifyError(
      "OPTIONS_CONFLICT",
      "--project and --scope organization exclude each other: organization grants are in no project",
    );
  }
  const coverage = await loadCoverage(store, snapshotId);
  const projectsOnly = options.scope === "projects" || (options.projects?.length ?? 0) > 0;
  if (projectsOnly && !coverage.projects) {
    throw new CertifyError(
      "PROJECTS_NOT_COLLECTED",
      `snapshot ${snapshotId} did not collect projects (crawled with --no-projects): it has no project grants to certify${options.scope === "projects" ? "" : " (--project)"}`,
    );
  }
  if (options.scope === "credentials" && !coverage.credentials) {
    throw new CertifyError(
      "CREDENTIALS_NOT_COLLECTED",
      `snapshot ${snapshotId} did not collect credentials (crawled with --no-credentials or --no-projects, or before credentials were collected): it has no credentials to certify`,
    );
  }
  const limited =
    options.projects === undefined || options.projects.length === 0
      ? null
      : await resolveProjects(store, snapshotId, options.projects);

  const warnings: string[] = [];
  let population: PopulationItem[];
  if (options.scope === "credentials") {
    const credentials = await loadCredentialPopulation(store, snapshotId);
    population = credentials.items;
    warnings.push(...credentials.warnings);
  } else {
    population = await loadPopulation(store, snapshotId, options.analysis, {
      memberships:
        options.scope === "projects" || limited !== null
          ? "none"
          : options.scope === "elevated"
            ? "elevated"
            : "all",
    });
  }
  if (options.scope !== "credentials") {
    population = population.filter((i) => !isCredentialKind(i.kind));
  }
  if (options.scope === "elevated") population = population.filter((i) => i.elevated);
  if (options.scope === "projects") population = population.filter((i) => isProjectKind(i.kind));
  if (options.scope === "organization") {
    population = population.filter((i) => !isProjectKind(i.kind));
  }
  if (limited !== null) {
    const ids = new Set(limited.map((p) => p.project_id));
    population = population.filter((i) => i.project_id !== null && ids.has(i.project_id));
  }

  // changed-since-last: items unchanged (same id and fingerprint) since the last closed campaign
  // and approved there keep that approval, with its reviewer and date; the rest are reviewed.
  let baseline: CampaignRow | null = null;
  const carried = new Map<
    string,
    { reviewer: string; decided_at: string; justification: string | null }
  >();
  if (options.scope === "changed-since-last") {
    const last = await store.query<{ name: string }>(campaignQuery("last_closed_campaign_name"));
    if (last[0] !== undefined) {
      baseline = await loadCampaign(store, last[0].name);
      const previous = await store.query<{ item_id: string; fingerprint: string }>(
        campaignQuery("item_fingerprints"),
        [baseline.campaign_id],
      );
      const fingerprints = new Map(previous.map((p) => [p.item_id, p.fingerprint]));
      const decisions = await currentDecisions(store, baseline.campaign_id);
      for (const item of population) {
        const decision = decisions.get(item.item_id);
        if (
          decision !== undefined &&
          decision.decision === "approve" &&
          decision.source !== "close_policy" &&
          fingerprints.get(item.item_id) === item.fingerprint
        ) {
          carried.set(item.item_id, {
            reviewer: decision.reviewer,
            decided_at: decision.decided_at,
            justification: decision.justification,
          });
        }
      }
    }
  }

  const assigned = population.map((item) => ({
    item,
    assignment: assignReviewer(
      options.reviewers,
      {
        group_id: item.group_id,
        group_name: item.group_name,
        roles: item.roles,
        user_email: item.user_email,
        project_id: item.project_id,
        project_name: item.project_name,
        project_owners: item.project_owners,
        organization_owners: item.organization_owners,
      },
      options.identity,
    ),
  }));
  const unassigned = assigned.filter((a) => a.assignment === null).map((a) => describeItem(a.item));
  if (unassigned.length > 0) {
    throw new CertifyError(
      "NO_REVIEWER",
      `no reviewer rule matches ${unassigned.length} item(s) (add default:): ${listed(unassigned)}`,
    );
  }
  const selfReview = assigned.filter(
    (a) => a.assignment?.self_review === true && !carried.has(a.item.item_id),
  );
  if (selfReview.length > 0 && !options.allowSelfReview) {
    throw new CertifyError(
      "SELF_REVIEW",
      `self-review is forbidden: ${selfReview.length} item(s) would be reviewed by their own user (add fallback: to the reviewers file, or pass --allow-self-review): ${listed(
        selfReview.map((a) => `${describeItem(a.item)} -> ${a.assignment?.reviewer ?? ""}`),
      )}`,
    );
  }

  const campaign = await inTransaction(store, async () => {
    const idRows = await store.query<{ id: number }>(campaignQuery("next_campaign_id"));
    const campaignId = idRows[0]?.id ?? 1;
    await store.query(campaignQuery("insert_campaign"), [
      campaignId,
      name,
      snapshotId,
      seal,
      options.scope,
      baseline?.campaign_id ?? null,
      options.reviewers.sha256,
      options.reviewers.source,
      options.policy,
      options.allowSelfReview,
      options.dueDate ?? null,
      randomBytes(32).toString("hex"),
      limited === null ? null : JSON.stringify(limited.map((p) => p.project_id)),
    ]);
    await appendRows(
      store,
      "certify_items",
      [
        "campaign_id",
        "item_id",
        "kind",
        "group_id",
        "group_name",
        "group_is_scim_managed",
        "user_id",
        "user_email",
        "user_name",
        "role_id",
        "role_name",
        "elevated",
        "path",
        "fingerprint",
        "reviewer",
        "reviewer_rule",
        "self_review",
        "carried_from_campaign_id",
        "project_id",
        "project_name",
        "credential_id",
        "credential_name",
        "redacted_value",
        "owner_type",
        "credential_created",
        "credential_last_used",
        "credential_expires",
        "tool_key",
      ],
      // One row at a time: a million items are not copied into a second array.
      (function* () {
        for (const { item, assignment } of assigned) {
          yield [
            campaignId,
            item.item_id,
            item.kind,
            item.group_id,
            item.group_name,
            item.group_is_scim_managed,
            item.user_id,
            item.user_email,
            item.user_name,
            item.role_id,
            item.role_name,
            item.elevated,
            item.path,
            item.fingerprint,
            assignment?.reviewer ?? "",
            assignment?.rule ?? "",
            assignment?.self_review ?? false,
            carried.has(item.item_id) ? (baseline?.campaign_id ?? null) : null,
            item.project_id,
            item.project_name,
            item.credential_id,
            item.credential_name,
            item.redacted_value,
            item.owner_type,
            item.credential_created,
            item.credential_last_used,
            item.credential_expires,
            item.tool_key,
          ];
        }
      })(),
    );
    await insertDecisions(
      store,
      [...carried].map(([id, c]) => ({
        campaign_id: campaignId,
        item_id: id,
        decision: "approve",
        justification: c.justification,
        reviewer: c.reviewer,
        decided_at: c.decided_at,
        source: "carried_forward",
      })),
    );
    return loadCampaign(store, name);
  });
  // The population must outlive retention for as long as the campaign is evidence.
  await store.addHold(snapshotId, holdReason(name));

  const perReviewer = new Map<string, number>();
  for (const a of assigned) {
    if (carried.has(a.item.item_id)) continue;
    const reviewer = a.assignment?.reviewer ?? "";
    perReviewer.set(reviewer, (perReviewer.get(reviewer) ?? 0) + 1);
  }
  return {
    campaign,
    items: population.length,
    to_review: population.length - carried.size,
    carried_forward: carried.size,
    self_review: selfReview.length,
    reviewers: [...perReviewer]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([reviewer, items]) => ({ reviewer, items })),
    hold: holdReason(name),
    coverage,
    projects: limited,
    by_kind: countByKind(population),
    warnings,
  };
}

function countByKind(items: readonly { kind: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.kind] = (counts[item.kind] ?? 0) + 1;
  return counts;
}
