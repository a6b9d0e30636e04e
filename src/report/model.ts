/**
 * The report model: everything the HTML and Excel renderers show about one snapshot and its
 * changes since an earlier one, read from the store and the analysis. Renderers only format
 * this model (plus the large per-row sheets the workbook streams straight from the store), so
 * both formats say the same thing. Nothing here reads the clock: every date comes from a
 * snapshot, which keeps reports of the same snapshot pair byte-identical.
 */

import type { Json } from "@duckdb/node-api";
import type { Logger } from "pino";
import { AnalysisError, previousSnapshotId, resolveSnapshotId } from "../analysis/access.js";
import {
  compareFindings,
  defineProjectAccess,
  type Finding,
  fillAnalysisChanges,
  materialiseEffectiveAccess,
  materialiseHelpers,
  type RuleStatus,
  releaseEffectiveAccess,
  releaseHelpers,
  releaseProjectAccess,
  runLoadedRules,
  withSnapshotIds,
} from "../analysis/anomalies.js";
import {
  type AttributedChange,
  type AttributedDiffResult,
  type AttributionActor,
  type AttributionStatus,
  type AuditLogWindow,
  attributeDiff,
} from "../analysis/attribution.js";
import {
  type AnalysisConfig,
  type ElevationTier,
  type ResolvedAnalysisConfig,
  resolveAnalysisConfig,
} from "../analysis/config.js";
import {
  type DiffChange,
  type DiffKind,
  type DiffResult,
  diffSnapshots,
  loadDiffQueries,
} from "../analysis/diff.js";
import { type AppliedException, applyExceptions } from "../analysis/exceptions.js";
import {
  BUILTIN_RULES_DIR,
  loadRules,
  type Rule,
  type RuleError,
  SEVERITIES,
  type Severity,
} from "../analysis/rules.js";
import { AuditError } from "../errors.js";
import { USAGE_RESOLUTION_DAYS } from "../facts/credentials.js";
import {
  type EndpointRecord,
  isoFromMicros,
  SCHEMA_VERSION,
  type SnapshotRow,
  type Store,
} from "../store/index.js";
import { sqlQueries } from "../util/sql-files.js";
import { type PhaseTimer, phaseTimer } from "./phases.js";

const query = sqlQueries("report/model.sql");
/**
 * The analysis' own statements that say which changes are elevated (`mark_elevated_changes`, the
 * definition the `elevated-change-*` rules use), so the report and the findings never disagree.
 */
const analysisQuery = sqlQueries("analysis/anomalies.sql");

export interface ReportSnapshot {
  snapshot_id: number;
  started_at: string;
  finished_at: string;
  base_url: string;
  tool_version: string;
  /** The schema version the snapshot was written with. */
  schema_version: number;
  /** The crawl credential in its redacted form (`sk-admin...abcd`), never the key. */
  key_redacted: string;
  /** The OS user and host the crawl ran as; null: not recorded (before schema 11). */
  crawl_user: string | null;
  crawl_host: string | null;
  /** The API's `openai-organization` response header; null: not given (or not recorded). */
  organization_id: string | null;
  seal: string;
  groups: number;
  memberships: number;
  group_role_assignments: number;
  users: number;
  user_role_assignments: number;
  roles: number;
  requests: number;
  retries: number;
  rate_limited: number;
  vanished_groups: number;
  vanished_users: number;
  duplicate_rows: number;
}

/** One change, flattened for tables: who/what it is about, and before/after as text. */
export interface ReportChange {
  kind: DiffKind;
  group_id: string | null;
  group_name: string | null;
  user_id: string | null;
  /** Email, or the user's name when the API gave no email. */
  user: string | null;
  role_id: string | null;
  role_name: string | null;
  before: string | null;
  after: string | null;
  /** Other attributes of the change (e.g. the paths of gained access), as text. */
  detail: string | null;
  /** Who made the change, as far as the audit log held can say (src/analysis/attribution.ts). */
  attribution: ReportAttribution;
  /**
   * The change grants elevated access: an elevated role granted (or edited while elevated), an
   * Owner role given, an admin key created (the analysis' `mark_elevated_changes`).
   */
  elevated: boolean;
}

/** A change's attribution, as the report shows it. */
export interface ReportAttribution {
  status: AttributionStatus;
  /**
   * `by <actor> … at <time>`, `by SCIM`, `not in the audit log` or `unattributed`
   * (ChangeAttribution.label).
   */
  label: string;
  /** Why, for every status but `attributed`. */
  reason: string | null;
  /**
   * Who, without when: what changes are grouped by. A person (`email (user id)`), an API key and
   * its owner, `SCIM`, `not in the audit log` or `unattributed`.
   */
  made_by: string;
  /** When the latest matching event took effect (ISO 8601, UTC); null when none matched. */
  event_time: string | null;
  /** Every matching event's id, oldest first. */
  event_ids: string[];
}

/** The changes one actor made (or that share a status without an actor), and how many are elevated. */
export interface ReportActorCount {
  made_by: string;
  status: AttributionStatus;
  changes: number;
  elevated: number;
}

/** How many changes have each attribution status, and the elevated ones nobody accounts for. */
export interface ReportAttributionTotals {
  attributed: number;
  scim: number;
  not_logged: number;
  unattributed: number;
  /** Changes that grant elevated access. */
  elevated: number;
  /** Elevated changes with status `unattributed`: nobody can account for them. */
  unattributed_elevated: number;
}

export interface ReportFinding extends Finding {
  /**
   * The project the finding is about, from rules that return a `project_id` column; null for
   * every other finding.
   */
  project_id: string | null;
  /**
   * The credential the finding is about (an admin or project key id, a service account id or an
   * invite id), from rules that return a `credential_id` column; null for every other finding.
   */
  credential_id: string | null;
  group_name: string | null;
  user: string | null;
  role_name: string | null;
  rationale: string;
  remediation: string;
  controls: string[];
  /** The exception that accepts it ("accepted until D by X"), or null: open. */
  exception: AppliedException | null;
  /**
   * New or changed since the compared snapshot (`state`), or there is none to compare with: what
   * a reviewer reads first.
   */
  is_new: boolean;
}

/** One elevated path of a privileged person (report/model.sql privileged_people). */
export interface PrivilegedPath {
  scope: "organization" | "project";
  project_id: string | null;
  project_name: string | null;
  role_id: string;
  role_name: string | null;
  via: string;
  group_id: string | null;
  group_name: string | null;
  tier: ElevationTier;
  is_new: boolean;
}

/**
 * A person or service account holding elevated access: the answer to "who are the Owners, who
 * can change access, and who is new to it?" in one row each.
 */
export interface PrivilegedPerson {
  user_id: string;
  email: string | null;
  name: string | null;
  is_service_account: boolean;
  /** The highest tier of an organization path; null: project privileges only. */
  tier: ElevationTier | null;
  /** The highest tier of a project path (Project Owner is `owner` here); null: none. */
  project_tier: ElevationTier | null;
  organization_paths: number;
  project_paths: number;
  /** Paths not held in the compared snapshot. */
  new_paths: number;
  /** Held no elevated path in the compared snapshot; null: nothing to compare with. */
  newly_privileged: boolean | null;
  /** The email's domain is outside the allowed ones; null: not judged (none configured, no email). */
  external_domain: boolean | null;
  /** The only activity signal the Admin API gives: the user's last API key use. */
  api_key_last_used_at: string | null;
  added_at: string | null;
  paths: PrivilegedPath[];
}

/** A row of report/model.sql privileged_people: one path, with its person's columns. */
interface PrivilegedPathRow extends Omit<PrivilegedPerson, "paths"> {
  path_scope: PrivilegedPath["scope"];
  path_project_id: string | null;
  path_project_name: string | null;
  path_role_id: string;
  path_role_name: string | null;
  path_via: string;
  path_group_id: string | null;
  path_group_name: string | null;
  path_tier: ElevationTier;
  path_is_new: boolean;
}

/**
 * A row of privileged_people from its JSON: its two timestamps come as microseconds since the
 * epoch (text), written here as the store writes every timestamp.
 */
function privilegedPathRow(json: string): PrivilegedPathRow {
  const row = JSON.parse(json) as Omit<PrivilegedPathRow, "api_key_last_used_at" | "added_at"> & {
    api_key_last_used_at: string | null;
    added_at: string | null;
  };
  const iso = (micros: string | null) => (micros === null ? null : isoFromMicros(BigInt(micros)));
  return {
    ...row,
    api_key_last_used_at: iso(row.api_key_last_used_at),
    added_at: iso(row.added_at),
  };
}

/** Rows of privileged_people converted and grouped at a time. */
export const PRIVILEGED_BATCH_ROWS = 2048;

/**
 * Adds a row of privileged_people (ordered by person, then path) to `people`: to the last person
 * when it is theirs, else as the next person.
 */
function addPrivilegedPath(people: PrivilegedPerson[], row: PrivilegedPathRow): void {
  const {
    path_scope,
    path_project_id,
    path_project_name,
    path_role_id,
    path_role_name,
    path_via,
    path_group_id,
    path_group_name,
    path_tier,
    path_is_new,
    ...columns
  } = row;
  let person = people[people.length - 1];
  if (person === undefined || person.user_id !== columns.user_id) {
    person = { ...columns, paths: [] };
    people.push(person);
  }
  person.paths.push({
    scope: path_scope,
    project_id: path_project_id,
    project_name: path_project_name,
    role_id: path_role_id,
    role_name: path_role_name,
    via: path_via,
    group_id: path_group_id,
    group_name: path_group_name,
    tier: path_tier,
    is_new: path_is_new,
  });
}

export interface ReportGroup {
  group_id: string;
  name: string | null;
  group_type: string | null;
  is_scim_managed: boolean | null;
  created_at: string | null;
  members: number;
  /** Role names (or ids when unnamed), sorted. */
  roles: string[];
  elevated: boolean;
}

/** Someone who holds a project's Project Owner role, with the paths they hold it by. */
export interface ReportProjectOwner {
  user_id: string;
  email: string | null;
  user_name: string | null;
  /** Through their own membership role `owner`. */
  membership: boolean;
  /** Assigned the role directly (besides the membership role). */
  direct: boolean;
  /** The attached groups through which they hold it, sorted by id. */
  group_ids: string[];
}

/** An organization group attached to a project. */
export interface ReportProjectGroup {
  group_id: string;
  /** As the organization names it (as the project does when the organization no longer lists it). */
  name: string | null;
  group_type: string | null;
  is_scim_managed: boolean | null;
  /** When the group was given access to the project. */
  attached_at: string | null;
  /** The group's members in the organization. */
  members: number;
  /** The project roles the group holds (names, or ids when unnamed), sorted. */
  roles: string[];
}

/** A project's own role (not one of the predefined Project Owner/Member/Viewer). */
export interface ReportProjectRole {
  role_id: string;
  name: string | null;
  description: string | null;
  permissions: string[];
}

export interface ReportProject {
  project_id: string;
  name: string | null;
  status: string | null;
  archived: boolean;
  created_at: string | null;
  archived_at: string | null;
  /** Members listed (an archived project's members cannot be listed: 0). */
  members: number;
  /** Everyone holding the project's Project Owner role. */
  owner_count: number;
  /** The first PROJECT_OWNERS_CAP of them, by email then id (all are in the workbook). */
  owners: ReportProjectOwner[];
  /** By name then id. */
  groups: ReportProjectGroup[];
  /** By name then id. */
  custom_roles: ReportProjectRole[];
}

/** The snapshot's projects, or why there are none to show. */
export interface ReportProjects {
  /** False when the crawl did not collect projects: then nothing else here is meaningful. */
  collected: boolean;
  /**
   * Why they were not collected: `option` (crawl run with --no-projects) or `older` (a snapshot
   * taken before the tool collected projects); null when collected.
   */
  not_collected_reason: "option" | "older" | null;
  /** Project role assignments collected (else: no owners through groups, no group roles). */
  role_assignments_collected: boolean;
  /** By name then id. */
  projects: ReportProject[];
  totals: {
    projects: number;
    active: number;
    archived: number;
    memberships: number;
    /** Distinct people among the memberships. */
    members: number;
    attached_groups: number;
    custom_roles: number;
  };
}

/**
 * When a key was last used, as the store records it: `last_used_at` is exact when
 * `last_used_recent` is false; when true the key was used within USAGE_RESOLUTION_DAYS of the
 * snapshot (the recorded date is a lower bound: it may have been used since). Null: never used.
 */
interface CredentialUse {
  last_used_at: string | null;
  last_used_recent: boolean;
}

export interface ReportAdminKey extends CredentialUse {
  key_id: string;
  name: string | null;
  /** The API's redacted form (a prefix and the last characters), never the key. */
  redacted_value: string | null;
  created_at: string | null;
  /** Null: never expires. */
  expires_at: string | null;
  /** Whole days from creation to the snapshot's end. */
  age_days: number | null;
  owner_type: string | null;
  owner_id: string | null;
  owner_name: string | null;
  owner_role: string | null;
}

export interface ReportApiKey extends CredentialUse {
  key_id: string;
  name: string | null;
  redacted_value: string | null;
  created_at: string | null;
  age_days: number | null;
  /** `user` or `service_account`. */
  owner_type: string | null;
  owner_id: string | null;
  owner_name: string | null;
  owner_email: string | null;
  owner_role: string | null;
  /** `active` or `inactive`: whether the owner still has access to the project. */
  owner_project_access: string | null;
}

export interface ReportServiceAccount {
  service_account_id: string;
  name: string | null;
  role: string | null;
  created_at: string | null;
  age_days: number | null;
}

/** A project's keys and service accounts. */
export interface ReportCredentialProject {
  project_id: string;
  name: string | null;
  archived: boolean;
  /** Oldest first. */
  api_keys: ReportApiKey[];
  /** By name then id. */
  service_accounts: ReportServiceAccount[];
}

export interface ReportInvite {
  invite_id: string;
  email: string | null;
  role: string | null;
  status: string | null;
  /** When it was sent. */
  created_at: string | null;
  expires_at: string | null;
  age_days: number | null;
  /** The projects it grants, named as the snapshot names them; null when the API gave no list. */
  projects: { project_id: string; name: string | null; role: string | null }[] | null;
}

/** The snapshot's credentials, or why there are none to show. */
export interface ReportCredentials {
  /** False when the crawl did not collect credentials: then nothing else here is meaningful. */
  collected: boolean;
  /**
   * Why not: `option` (crawl run with --no-credentials, or --no-projects), `older` (a snapshot
   * taken before the tool collected credentials); null when collected.
   */
  not_collected_reason: "option" | "older" | null;
  /** USAGE_RESOLUTION_DAYS: how recent a recorded use can be and still be exact. */
  usage_resolution_days: number;
  /** Oldest first. */
  admin_keys: ReportAdminKey[];
  /** The projects holding a key or a service account, in the Projects section's order. */
  projects: ReportCredentialProject[];
  /** Pending invites only, oldest first. */
  invites: ReportInvite[];
  totals: {
    admin_keys: number;
    api_keys: number;
    service_accounts: number;
    projects: number;
    pending_invites: number;
  };
}

export interface TrendPoint {
  snapshot_id: number;
  date: string;
  groups: number;
  memberships: number;
  users: number;
  elevated_grants: number;
}

export interface SealPartRecord {
  part: string;
  row_count: number;
  sha256: string;
}

/** The first schema version that records the crawl's user, host and organization id (0011). */
const IDENTITY_SCHEMA_VERSION = 11;
const NOT_RECORDED = "not recorded (the snapshot predates this record)";

/**
 * The organization id the API sent (`openai-organization`), "not given by the API", or "not
 * recorded" for an older snapshot. Raw text: each format makes it safe.
 */
export function organizationIdText(s: ReportSnapshot): string {
  if (s.organization_id !== null) return s.organization_id;
  return s.schema_version < IDENTITY_SCHEMA_VERSION ? NOT_RECORDED : "not given by the API";
}

/** `user on host` as the crawl recorded them, or "not recorded". Raw text. */
export function crawledByText(s: ReportSnapshot): string {
  if (s.crawl_user === null && s.crawl_host === null) return NOT_RECORDED;
  return `${s.crawl_user ?? "unknown user"} on ${s.crawl_host ?? "unknown host"}`;
}

/**
 * The evidence header as label/value pairs (raw text), for the email and the workbook: who and
 * what the report is about, and how to tell the snapshots behind it apart.
 */
export function evidenceHeader(model: ReportModel): { label: string; value: string }[] {
  const s = model.snapshot;
  const p = model.previous;
  return [
    { label: "Organization id (from the API)", value: organizationIdText(s) },
    {
      label: "Organization name (configured name)",
      value: model.organization_name ?? "none configured",
    },
    { label: "Reviewed snapshot", value: `${s.snapshot_id} (finished ${s.finished_at})` },
    { label: "Seal of the reviewed snapshot", value: s.seal },
    {
      label: "Compared snapshot",
      value: p === null ? "none" : `${p.snapshot_id} (finished ${p.finished_at})`,
    },
    ...(p === null ? [] : [{ label: "Seal of the compared snapshot", value: p.seal }]),
    { label: "Crawl credential (redacted)", value: s.key_redacted },
    { label: "Crawl run by (OS user on host)", value: crawledByText(s) },
    { label: "API base URL", value: s.base_url },
    { label: "Tool version", value: model.tool_version },
    {
      label: "Schema version",
      value: `${model.schema_version} (the snapshot's: ${s.schema_version})`,
    },
    { label: "Template version", value: model.template_version },
  ];
}

/** The evidence of one snapshot the report used: completeness and seal. */
export interface SnapshotEvidence {
  snapshot: ReportSnapshot;
  /** The seal this snapshot's seal is chained to (64 zeros for the first). */
  previous_seal: string;
  endpoints: EndpointRecord[];
  vanished_group_ids: string[];
  vanished_user_ids: string[];
  seal_parts: SealPartRecord[];
}

export interface KindCount {
  kind: DiffKind;
  /** Short plural heading, e.g. "Members removed". */
  label: string;
  description: string;
  count: number;
}

const SCOPE_WORDS: Readonly<Record<string, string>> = {
  user_roles: "users' role assignments",
  projects: "projects",
  project_role_assignments: "project role assignments",
};

/** The coverage difference between a diff's snapshots, said once, or null. */
export function coverageNote(diff: DiffResult | null): string | null {
  if (diff === null || diff.not_compared.length === 0) return null;
  const parts = diff.coverage_changed.map((c) => {
    const [has, lacks] = c.from_collected ? [diff.from, diff.to] : [diff.to, diff.from];
    return `${SCOPE_WORDS[c.scope] ?? c.scope} were collected in snapshot ${has} but not in snapshot ${lacks}`;
  });
  if (diff.not_collected.length > 0) {
    parts.push(
      `${diff.not_collected.map((s) => SCOPE_WORDS[s] ?? s).join(" and ")} were collected in neither`,
    );
  }
  return `Coverage differs: ${parts.join("; ")}. Their changes are not compared (${diff.not_compared.length} kinds of change), so none is listed for them.`;
}

/** The audit log's coverage of the interval of the changes, in words: one sentence, then each failed sync. */
export function auditLogStatement(window: AuditLogWindow): { summary: string; failed: string[] } {
  const interval = `from ${window.window.from} to ${window.window.to}`;
  const failed = window.failed_syncs.map(
    (s) =>
      `sync ${s.sync_id} (started ${s.started_at}) failed: ${s.reason ?? "no reason recorded"}`,
  );
  if (window.syncs === 0) {
    return {
      summary: `The audit log has never been synced into this database, so no change ${interval} can be attributed (run \`access-audit audit-log sync\`).`,
      failed,
    };
  }
  if (window.covered) {
    return {
      summary: `The audit log held covers the whole interval of the changes, ${interval}: a change that should have an event and has none was made out of band or while audit logging was off.`,
      failed,
    };
  }
  const whole =
    window.gaps.length === 1 &&
    window.gaps[0]?.from === window.window.from &&
    window.gaps[0]?.to === window.window.to;
  if (whole) {
    return {
      summary: `The audit log held covers none of the interval of the changes, ${interval}: a change that should have an event is unattributed, and a missing event proves nothing.`,
      failed,
    };
  }
  const gaps = window.gaps.map((g) => `${g.from} to ${g.to}`).join(", ");
  return {
    summary: `The audit log held does not cover ${gaps} of the interval of the changes (${interval}): a change that should have an event is unattributed there, and a missing event proves nothing.`,
    failed,
  };
}

/** `auditLogStatement` as one paragraph; null without a compared snapshot. */
export function auditLogNote(window: AuditLogWindow | null): string | null {
  if (window === null) return null;
  const { summary, failed } = auditLogStatement(window);
  return failed.length === 0
    ? summary
    : `${summary} ${failed.map((f) => `${f[0]?.toUpperCase() ?? ""}${f.slice(1)}.`).join(" ")}`;
}

/** The order actors are listed in: what nobody accounts for first, what the log cannot say last. */
export const ATTRIBUTION_ORDER: readonly AttributionStatus[] = [
  "unattributed",
  "attributed",
  "scim",
  "not_logged",
];

const personOf = (email: string | null, id: string | null): string =>
  email !== null && id !== null ? `${email} (${id})` : (email ?? id ?? "an unnamed user");

/** Who made an attributed change, without when (the label says both): what changes are grouped by. */
export function madeBy(status: AttributionStatus, actor: AttributionActor | null): string {
  if (status === "scim") return "SCIM";
  if (status === "not_logged") return "not in the audit log";
  if (status === "unattributed" || actor === null) return "unattributed";
  switch (actor.type) {
    case "session":
      return personOf(actor.email, actor.user_id);
    case "api_key": {
      const owner =
        actor.key_type === "service_account" || actor.service_account_id !== null
          ? `service account ${actor.service_account_id ?? "(unnamed)"}`
          : personOf(actor.email, actor.user_id);
      return `API key ${actor.key_id ?? "(no tracking id)"} of ${owner}`;
    }
    case "scim":
      return "SCIM";
    default:
      return "an actor the audit log does not name";
  }
}

/** A change of the attributed diff as the report shows it. */
export function reportChange(change: AttributedChange, elevated: boolean): ReportChange {
  const { attribution, ...plain } = change;
  const latest = attribution.events[attribution.events.length - 1];
  return {
    ...flattenChange(plain as DiffChange),
    attribution: {
      status: attribution.status,
      label: attribution.label,
      reason: attribution.reason,
      made_by: madeBy(attribution.status, attribution.actor),
      event_time: latest?.effective_at ?? null,
      event_ids: attribution.events.map((e) => e.event_id),
    },
    elevated,
  };
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The changes counted per actor, in ATTRIBUTION_ORDER, then by name. */
export function changesByActor(changes: readonly ReportChange[]): ReportActorCount[] {
  const groups = new Map<string, ReportActorCount>();
  for (const c of changes) {
    const key = `${c.attribution.status}\u0000${c.attribution.made_by}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        made_by: c.attribution.made_by,
        status: c.attribution.status,
        changes: 0,
        elevated: 0,
      };
      groups.set(key, group);
    }
    group.changes++;
    if (c.elevated) group.elevated++;
  }
  return [...groups.values()].sort(
    (a, b) =>
      ATTRIBUTION_ORDER.indexOf(a.status) - ATTRIBUTION_ORDER.indexOf(b.status) ||
      byCodeUnit(a.made_by, b.made_by),
  );
}

/** How many changes have each status, how many are elevated, and how many of those are unattributed. */
export function attributionTotals(changes: readonly ReportChange[]): ReportAttributionTotals {
  const totals: ReportAttributionTotals = {
    attributed: 0,
    scim: 0,
    not_logged: 0,
    unattributed: 0,
    elevated: 0,
    unattributed_elevated: 0,
  };
  for (const c of changes) {
    totals[c.attribution.status]++;
    if (c.elevated) totals.elevated++;
    if (isUnaccounted(c)) totals.unattributed_elevated++;
  }
  return totals;
}

/** An elevated change nobody can account for: it grants elevated access and is unattributed. */
export const isUnaccounted = (c: ReportChange): boolean =>
  c.elevated && c.attribution.status === "unattributed";

/**
 * Which changes of the attributed diff grant elevated access, by the analysis' own definition
 * (`create_analysis_changes` and `mark_elevated_changes`, sql/analysis/anomalies.sql). Needs the
 * `elevated_roles` and `elevated_project_roles` of `snapshotId` (materialiseHelpers).
 */
async function elevatedChanges(
  store: Store,
  changes: readonly AttributedChange[],
  snapshotId: number,
): Promise<Set<number>> {
  if (changes.length === 0) return new Set();
  await fillAnalysisChanges(store, changes);
  try {
    await store.query(analysisQuery("mark_elevated_changes"), { snapshot: snapshotId });
    const rows = await store.query<{ change_no: number }>(query("elevated_change_numbers"));
    return new Set(rows.map((r) => r.change_no));
  } finally {
    await store.query(analysisQuery("release_analysis_changes"));
  }
}

/** Headings for change kinds, in people's words. */
export const CHANGE_LABELS: Readonly<Record<DiffKind, string>> = {
  group_added: "Groups added",
  group_removed: "Groups removed",
  group_renamed: "Groups renamed",
  group_scim_changed: "Group SCIM state changed",
  group_type_changed: "Group type changed",
  member_added: "Members added",
  member_removed: "Members removed",
  group_role_granted: "Roles granted to groups",
  group_role_revoked: "Roles revoked from groups",
  user_added: "Users added",
  user_removed: "Users removed",
  user_role_changed: "Organization role changed",
  user_role_granted: "Roles granted to users directly",
  user_role_revoked: "Roles revoked from users directly",
  role_added: "Roles added to the catalog",
  role_removed: "Roles removed from the catalog",
  role_permissions_changed: "Role permissions changed",
  access_gained: "Access gained (any path)",
  access_lost: "Access lost (every path)",
  project_added: "Projects added",
  project_removed: "Projects removed",
  project_archived: "Projects archived",
  project_unarchived: "Projects unarchived",
  project_renamed: "Projects renamed",
  project_member_added: "Project members added",
  project_member_removed: "Project members removed",
  project_member_role_changed: "Project membership role changed",
  project_group_attached: "Groups attached to projects",
  project_group_detached: "Groups detached from projects",
  project_role_added: "Project roles added",
  project_role_removed: "Project roles removed",
  project_role_permissions_changed: "Project role permissions changed",
  project_group_role_granted: "Project roles granted to groups",
  project_group_role_revoked: "Project roles revoked from groups",
  project_user_role_granted: "Project roles granted to members directly",
  project_user_role_revoked: "Project roles revoked from members directly",
  project_access_gained: "Project access gained (any path)",
  project_access_lost: "Project access lost (every path)",
  service_account_created: "Service accounts created",
  service_account_deleted: "Service accounts deleted",
  service_account_role_changed: "Service account roles changed",
  api_key_created: "Project API keys created",
  api_key_deleted: "Project API keys deleted",
  api_key_owner_access_changed: "Key owners' project access changed",
  admin_key_created: "Admin API keys created",
  admin_key_deleted: "Admin API keys deleted",
  admin_key_expiry_changed: "Admin API key expiry changed",
  invite_sent: "Invites sent",
  invite_revoked: "Pending invites revoked",
  invite_accepted: "Invites accepted",
  invite_expired: "Invites expired",
  invite_status_changed: "Invite status changed otherwise",
};

export interface SeverityCount {
  severity: Severity;
  count: number;
  new: number;
}

export interface ReportModel {
  tool_version: string;
  template_version: string;
  /** The schema version of the tool writing the report. */
  schema_version: number;
  /** The organization's configured name (configuration `organization`); null: none. */
  organization_name: string | null;
  /** The organization's date: the day (UTC) the snapshot finished, YYYY-MM-DD. */
  org_date: string;
  /** When the snapshot finished: the report's only timestamp. */
  as_of: string;
  snapshot: ReportSnapshot;
  /** The snapshot compared with; null when there is none (the first snapshot). */
  previous: ReportSnapshot | null;
  /** The newest complete snapshot in the database and its seal: the head of the chain. */
  chain_head: { snapshot_id: number; seal: string };
  config: ResolvedAnalysisConfig;
  totals: {
    groups: number;
    users: number;
    memberships: number;
    group_role_assignments: number;
    user_role_assignments: number;
    roles: number;
    elevated_grants: number;
    elevated_users: number;
    scim_groups: number;
    manual_groups: number;
  };
  changes_by_kind: KindCount[];
  /** In the diff's order (kind, then ids). */
  changes: ReportChange[];
  /**
   * What the audit log held says about the interval of the changes (from the start of the
   * earlier crawl to the end of the later one); null when there is no compared snapshot.
   */
  audit_log: AuditLogWindow | null;
  /** `audit_log` in words, said the same way by every format; null without a compared snapshot. */
  audit_log_note: string | null;
  /**
   * The newest audit-log sync in the database and its seal (the head of the audit log's own
   * chain): which audit log the attributions were read from. Null when it was never synced.
   */
  audit_log_head: { sync_id: number; seal: string } | null;
  /**
   * The exceptions register read (its newest entry's seal; `verify` checks the chain): the
   * accepted findings depend on it, so the report names it. null: the register is empty.
   */
  exceptions_head: { entries: number; seal: string } | null;
  /**
   * One row per actor (ATTRIBUTION_ORDER of its status, then by name): unattributed first, then
   * people and keys, SCIM, and changes the audit log does not record.
   */
  changes_by_actor: ReportActorCount[];
  attribution_totals: ReportAttributionTotals;
  /**
   * What the two snapshots did not both collect, in words (null when both collected the same):
   * the kinds that need it were not compared, so their absence is not "nothing changed".
   */
  changes_coverage_note: string | null;
  /** Open findings by severity (accepted ones are not counted here). */
  findings_by_severity: SeverityCount[];
  /** Findings an active exception accepts (each carries its `exception`). */
  accepted_findings: number;
  findings: ReportFinding[];
  rule_errors: RuleError[];
  /** Every rule with its status this run (alarm, ok, skip, error), in id order. */
  rules: ReportRule[];
  /** The elevated organization paths (user, role, via, group) of the snapshot. */
  elevated_paths: number;
  /** People and service accounts with elevated access: highest tier first, then the newly privileged. */
  privileged: PrivilegedPerson[];
  groups: ReportGroup[];
  projects: ReportProjects;
  credentials: ReportCredentials;
  trend: TrendPoint[];
  /** The snapshot first, then the compared one. */
  evidence: SnapshotEvidence[];
}

export interface ReportRule
  extends Pick<Rule, "id" | "title" | "severity" | "rationale" | "remediation" | "controls"> {
  scope: Rule["scope"];
  status: RuleStatus;
  /** Open findings (accepted ones are counted apart). */
  findings: number;
  /** Why it was skipped or failed; null otherwise. */
  reason: string | null;
  /** What enables a skipped rule. */
  setting: string | null;
  signal: string | null;
}

/** How a rule's status reads in the reports. */
export const RULE_STATUS_LABELS: Readonly<Record<RuleStatus, string>> = {
  alarm: "Alarm: findings",
  ok: "OK: ran, nothing found",
  skip: "Skipped: not evaluated",
  error: "Error: could not run",
};

/** How an elevation tier reads in the reports. */
export const TIER_LABELS: Readonly<Record<ElevationTier, string>> = {
  owner: "Owner",
  "access-admin": "Administers access",
  write: "Other write",
};

/** What changed for a privileged person since the compared snapshot; null: nothing to compare. */
export function privilegedSince(p: PrivilegedPerson): string | null {
  if (p.newly_privileged === null) return null;
  if (p.newly_privileged) return "New to privileged access";
  return p.new_paths === 0 ? "Unchanged" : `${p.new_paths} new path${p.new_paths === 1 ? "" : "s"}`;
}

/** A privileged person's email domain: External, No, or why it was not judged. */
export function privilegedDomain(p: PrivilegedPerson, domainsConfigured: boolean): string {
  if (p.external_domain === null) return domainsConfigured ? "No email" : "Not judged";
  return p.external_domain ? "External" : "No";
}

/**
 * One elevated path in words: role, project, how it is held and its tier. `name` shows an
 * untrusted name (each format reveals and escapes its own way); `quote` wraps it.
 */
export function privilegedPathText(
  p: PrivilegedPath,
  name: (value: string) => string,
  quote: (value: string) => string,
): string {
  const role = name(p.role_name ?? p.role_id);
  const where =
    p.scope === "project" ? ` in project ${quote(name(p.project_name ?? p.project_id ?? ""))}` : "";
  const how =
    p.via === "group"
      ? ` via group ${quote(name(p.group_name ?? p.group_id ?? ""))}`
      : p.via === "membership"
        ? " (project membership)"
        : " (direct)";
  return `${role}${where}${how} · ${p.scope === "project" ? "project tier: " : ""}${TIER_LABELS[p.tier]}`;
}

export interface BuildReportOptions {
  /** Default: the latest complete snapshot. */
  snapshotId?: number;
  /** Default: the complete snapshot before `snapshotId`; `null`: compare with nothing. */
  fromId?: number | null;
  config?: AnalysisConfig;
  ruleDirs?: readonly string[];
  /** Snapshots in the trend chart, ending with `snapshotId` (default 24). */
  trendLength?: number;
  toolVersion: string;
  templateVersion: string;
  /** The schema version of the tool writing the report (default: the store's). */
  schemaVersion?: number;
  /** The organization's configured name (configuration `organization`). */
  organizationName?: string | null;
  /**
   * Called with the snapshot and the compared one once they are resolved, before any analysis:
   * the report re-verifies their seals here, while the process is still small.
   */
  beforeAnalysis?: (snapshotIds: readonly number[]) => Promise<void>;
  /**
   * Leave the analysis' TEMP table `analysis_effective_access` and view `analysis_project_access`
   * (this snapshot and the compared ones) on the store's query connection for the renderers; the
   * caller drops them with `releaseReportTables`.
   */
  keepEffectiveAccess?: boolean;
  /** Phase timings at debug level (phases.ts); default none. */
  logger?: Logger;
}

/** Drops what `buildReportModel` left for the renderers. */
export async function releaseReportTables(store: Store): Promise<void> {
  await releaseEffectiveAccess(store);
  await releaseProjectAccess(store);
}

export class ReportError extends AuditError {
  /** `usage`: the caller chose badly (a snapshot id), rather than the database failing. */
  constructor(message: string, usage = false) {
    super(usage ? "REPORT_REFUSED" : "REPORT_FAILED", message, {
      exitClass: usage ? "usage" : "failure",
    });
  }
}

const num = (value: Json | undefined): number => (typeof value === "number" ? value : 0);

function toReportSnapshot(row: SnapshotRow): ReportSnapshot {
  if (row.status !== "complete" || row.seal === null || row.finished_at === null) {
    throw new ReportError(`snapshot ${row.snapshot_id} is ${row.status}, not complete`);
  }
  return {
    snapshot_id: row.snapshot_id,
    started_at: row.started_at,
    finished_at: row.finished_at,
    base_url: row.base_url,
    tool_version: row.tool_version,
    schema_version: row.schema_version,
    key_redacted: row.key_redacted,
    crawl_user: row.crawl_user ?? null,
    crawl_host: row.crawl_host ?? null,
    organization_id: row.organization_id ?? null,
    seal: row.seal,
    groups: row.groups ?? 0,
    memberships: row.memberships ?? 0,
    group_role_assignments: row.group_role_assignments ?? 0,
    users: row.users ?? 0,
    user_role_assignments: row.user_role_assignments ?? 0,
    roles: row.roles ?? 0,
    requests: row.requests ?? 0,
    retries: row.retries ?? 0,
    rate_limited: row.rate_limited ?? 0,
    vanished_groups: row.vanished_groups ?? 0,
    vanished_users: row.vanished_users ?? 0,
    duplicate_rows: row.duplicate_rows ?? 0,
  };
}

/** JSON values as short text for a table cell: lists joined, objects as compact JSON. */
export function jsonText(value: Json | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(", ");
  return JSON.stringify(value);
}

const CHANGE_FIELDS = new Set([
  "kind",
  "group_id",
  "group_name",
  "user_id",
  "email",
  "user_name",
  "role_id",
  "role_name",
  "before",
  "after",
]);

/** Access-path lists (`via` of access_gained/lost) read as "group X (id)" or "direct". */
function viaText(value: Json | undefined): string | null {
  if (!Array.isArray(value)) return jsonText(value);
  return value
    .map((path) => {
      if (path === null || typeof path !== "object" || Array.isArray(path)) return String(path);
      const p = path as Record<string, Json>;
      if (p.via === "direct") return "direct";
      return `group ${jsonText(p.group_name) ?? "(unnamed)"} (${jsonText(p.group_id) ?? "?"})`;
    })
    .join("; ");
}

/** A change flattened for tables, before its attribution is added (reportChange). */
export function flattenChange(change: DiffChange): Omit<ReportChange, "attribution" | "elevated"> {
  const details: string[] = [];
  for (const [key, value] of Object.entries(change)) {
    if (CHANGE_FIELDS.has(key) || value === undefined) continue;
    const text = key === "via" ? viaText(value) : jsonText(value);
    details.push(`${key}: ${text ?? "null"}`);
  }
  const str = (v: Json | undefined): string | null => (typeof v === "string" ? v : null);
  return {
    kind: change.kind,
    group_id: str(change.group_id),
    // A rename's name is its `after`.
    group_name:
      str(change.group_name) ?? (change.kind === "group_renamed" ? str(change.after) : null),
    user_id: str(change.user_id),
    user: str(change.email) ?? str(change.user_name),
    role_id: str(change.role_id),
    role_name: str(change.role_name),
    before: jsonText(change.before),
    after: jsonText(change.after),
    detail: details.length > 0 ? details.join("; ") : null,
  };
}

/** A finding's `project_id`, when its rule returns one (not part of every Finding). */
export function findingProjectId(f: Finding): string | null {
  const id = (f as Finding & { project_id?: unknown }).project_id;
  return typeof id === "string" ? id : null;
}

/**
 * A finding's `credential_id`, when its rule returns one (read as an optional field: not every
 * Finding has it).
 */
export function findingCredentialId(f: Finding): string | null {
  const id = (f as Finding & { credential_id?: unknown }).credential_id;
  return typeof id === "string" ? id : null;
}

/** Findings in the report's order: compareFindings, then the credential they are about. */
function compareReportFindings(a: Finding, b: Finding): number {
  const ca = findingCredentialId(a) ?? "";
  const cb = findingCredentialId(b) ?? "";
  return compareFindings(a, b) || (ca < cb ? -1 : ca > cb ? 1 : 0);
}

/**
 * The findings about each credential, as indexes into `findings` (in their order), by credential
 * id: a finding is about a credential when its `credential_id` is the credential's id and its
 * `project_id`, when it has one, is the credential's project. Renderers link each credential's
 * row to these findings.
 */
export class CredentialFindings {
  private readonly byId = new Map<string, number[]>();

  constructor(private readonly findings: readonly ReportFinding[]) {
    findings.forEach((f, i) => {
      const id = f.credential_id ?? findingCredentialId(f);
      if (id === null) return;
      const list = this.byId.get(id) ?? [];
      list.push(i);
      this.byId.set(id, list);
    });
  }

  /** Indexes into the findings; `projectId` null for admin keys and invites. */
  of(id: string, projectId: string | null): number[] {
    const list = this.byId.get(id) ?? [];
    if (projectId === null) return list;
    return list.filter((i) => {
      const p = this.findings[i]?.project_id ?? null;
      return p === null || p === projectId;
    });
  }
}

async function snapshotRows(
  store: Store,
  ids: readonly number[],
): Promise<Map<number, SnapshotRow>> {
  const rows = await store.query<SnapshotRow>(query("snapshot_rows"), {
    ids: ids.length > 0 ? `[${ids.join(",")}]` : "[]",
  });
  return new Map(rows.map((r) => [r.snapshot_id, r]));
}

/** Names of the groups, users and roles the findings point at, from the snapshot's views. */
async function nameLookups(store: Store, snapshotId: number) {
  const groups = new Map<string, string | null>();
  const users = new Map<string, string | null>();
  const roles = new Map<string, string | null>();
  for (const r of await store.query<{ id: string; name: string | null }>(query("group_names"), {
    s: snapshotId,
  })) {
    groups.set(r.id, r.name);
  }
  for await (const batch of store.iterate<{ id: string; name: string | null }>(
    query("user_names"),
    { s: snapshotId },
  )) {
    for (const r of batch) users.set(r.id, r.name);
  }
  for (const r of await store.query<{ id: string; name: string | null }>(query("role_names"), {
    s: snapshotId,
  })) {
    roles.set(r.id, r.name);
  }
  return { groups, users, roles };
}

async function evidenceOf(store: Store, snapshot: ReportSnapshot): Promise<SnapshotEvidence> {
  const s = { s: snapshot.snapshot_id };
  const previous = await store.query<{ seal: string | null }>(query("previous_seal"), s);
  return {
    snapshot,
    previous_seal: previous[0]?.seal ?? "0".repeat(64),
    endpoints: await store.query<EndpointRecord>(query("endpoints"), s),
    vanished_group_ids: (await store.query<{ id: string }>(query("vanished_group_ids"), s)).map(
      (r) => r.id,
    ),
    vanished_user_ids: (await store.query<{ id: string }>(query("vanished_user_ids"), s)).map(
      (r) => r.id,
    ),
    seal_parts: await store.query<SealPartRecord>(query("seal_parts"), s),
  };
}

/** Owners listed per project; the rest are counted (and all are in the workbook). */
export const PROJECT_OWNERS_CAP = 50;
/** The schema version that started collecting projects (migration 0006). */
const PROJECTS_SCHEMA_VERSION = 6;

interface ProjectOwnerRow extends ReportProjectOwner {
  project_id: string;
  total: number;
}

/** Groups rows sorted by project id into a map of lists (order kept). */
function byProject<Row extends { project_id: string }>(rows: readonly Row[]) {
  const map = new Map<string, Omit<Row, "project_id">[]>();
  for (const { project_id, ...rest } of rows) {
    let list = map.get(project_id);
    if (list === undefined) {
      list = [];
      map.set(project_id, list);
    }
    list.push(rest);
  }
  return map;
}

/** The snapshot's projects with their owners, attached groups and custom roles. */
async function projectsOf(store: Store, snapshotId: number): Promise<ReportProjects> {
  const s = { s: snapshotId };
  const coverage = await store.query<{ uncollected: string[]; schema_version: number }>(
    query("uncollected"),
    s,
  );
  const uncollected = new Set(coverage[0]?.uncollected ?? []);
  const empty: ReportProjects["totals"] = {
    projects: 0,
    active: 0,
    archived: 0,
    memberships: 0,
    members: 0,
    attached_groups: 0,
    custom_roles: 0,
  };
  if (uncollected.has("projects")) {
    const older = (coverage[0]?.schema_version ?? 0) < PROJECTS_SCHEMA_VERSION;
    return {
      collected: false,
      not_collected_reason: older ? "older" : "option",
      role_assignments_collected: false,
      projects: [],
      totals: empty,
    };
  }
  const rows = await store.query<
    Omit<ReportProject, "owner_count" | "owners" | "groups" | "custom_roles">
  >(query("projects"), s);
  const owners = await store.query<ProjectOwnerRow>(query("project_owners"), {
    ...s,
    cap: PROJECT_OWNERS_CAP,
  });
  const groups = await store.query<ReportProjectGroup & { project_id: string }>(
    query("project_groups"),
    s,
  );
  const roles = await store.query<ReportProjectRole & { project_id: string }>(
    query("project_custom_roles"),
    s,
  );
  const members = await store.query<{ memberships: number; people: number }>(
    query("project_member_totals"),
    s,
  );
  const ownersBy = byProject(owners);
  const groupsBy = byProject(groups);
  const rolesBy = byProject(roles);
  const projects: ReportProject[] = rows.map((p) => {
    const listed = ownersBy.get(p.project_id) ?? [];
    return {
      ...p,
      owner_count: listed[0]?.total ?? 0,
      owners: listed.map(({ total: _, ...owner }) => owner),
      groups: groupsBy.get(p.project_id) ?? [],
      custom_roles: rolesBy.get(p.project_id) ?? [],
    };
  });
  const archived = projects.filter((p) => p.archived).length;
  return {
    collected: true,
    not_collected_reason: null,
    role_assignments_collected: !uncollected.has("project_role_assignments"),
    projects,
    totals: {
      projects: projects.length,
      active: projects.length - archived,
      archived,
      memberships: members[0]?.memberships ?? 0,
      members: members[0]?.people ?? 0,
      attached_groups: groups.length,
      custom_roles: roles.length,
    },
  };
}

/**
 * How a recorded last use reads: "never", the exact date, or, when it is more recent than the
 * usage resolution, "within N days" with the recorded date as a lower bound.
 */
export function lastUsedText(
  lastUsedAt: string | null,
  recent: boolean,
  resolutionDays: number,
): string {
  if (lastUsedAt === null) return "Never";
  if (recent) return `Within ${resolutionDays} days (on or after ${lastUsedAt.slice(0, 10)})`;
  return lastUsedAt.slice(0, 10);
}

/** The schema version that started collecting credentials (migration 0008). */
const CREDENTIALS_SCHEMA_VERSION = 8;

/** The snapshot's admin keys, project keys, service accounts and pending invites. */
async function credentialsOf(store: Store, snapshotId: number): Promise<ReportCredentials> {
  const s = { s: snapshotId };
  const coverage = await store.query<{ uncollected: string[]; schema_version: number }>(
    query("uncollected"),
    s,
  );
  const base = {
    usage_resolution_days: USAGE_RESOLUTION_DAYS,
    admin_keys: [],
    projects: [],
    invites: [],
    totals: { admin_keys: 0, api_keys: 0, service_accounts: 0, projects: 0, pending_invites: 0 },
  };
  if (new Set(coverage[0]?.uncollected ?? []).has("credentials")) {
    const older = (coverage[0]?.schema_version ?? 0) < CREDENTIALS_SCHEMA_VERSION;
    return { ...base, collected: false, not_collected_reason: older ? "older" : "option" };
  }
  const used = { ...s, days: USAGE_RESOLUTION_DAYS };
  const adminKeys = await store.query<ReportAdminKey>(query("credentials_admin_keys"), used);
  const apiKeys = await store.query<ReportApiKey & { project_id: string }>(
    query("credentials_api_keys"),
    used,
  );
  const accounts = await store.query<ReportServiceAccount & { project_id: string }>(
    query("credentials_service_accounts"),
    s,
  );
  const held = await store.query<{ project_id: string; name: string | null; archived: boolean }>(
    query("credentials_projects"),
    s,
  );
  const invites = await store.query<
    Omit<ReportInvite, "projects"> & { projects: { project_id: string; role: string }[] | null }
  >(query("credentials_invites"), s);
  const names = new Map(
    (await store.query<{ id: string; name: string | null }>(query("project_names"), s)).map((r) => [
      r.id,
      r.name,
    ]),
  );
  const keysBy = byProject(apiKeys);
  const accountsBy = byProject(accounts);
  return {
    ...base,
    collected: true,
    not_collected_reason: null,
    admin_keys: adminKeys,
    projects: held.map((p) => ({
      ...p,
      api_keys: keysBy.get(p.project_id) ?? [],
      service_accounts: accountsBy.get(p.project_id) ?? [],
    })),
    invites: invites.map((i) => ({
      ...i,
      projects:
        i.projects?.map((g) => ({
          project_id: g.project_id,
          name: names.get(g.project_id) ?? null,
          role: g.role,
        })) ?? null,
    })),
    totals: {
      admin_keys: adminKeys.length,
      api_keys: apiKeys.length,
      service_accounts: accounts.length,
      projects: held.length,
      pending_invites: invites.length,
    },
  };
}

/**
 * Reads everything a report shows. Requires the `elevated_roles` TEMP table to be filled for
 * the trend's snapshots, so it fills it itself (and drops it at the end).
 */
export async function buildReportModel(
  store: Store,
  options: BuildReportOptions,
): Promise<ReportModel> {
  let snapshotId: number;
  try {
    snapshotId = await resolveSnapshotId(store, options.snapshotId);
  } catch (error) {
    if (error instanceof AnalysisError) {
      throw new ReportError(error.message, error.code === "UNKNOWN_SNAPSHOT");
    }
    throw error;
  }
  const fromId =
    options.fromId === undefined ? await previousSnapshotId(store, snapshotId) : options.fromId;
  if (fromId !== null && fromId === snapshotId) {
    throw new ReportError(`--from and --snapshot are both ${snapshotId}: nothing to compare`, true);
  }
  const config = resolveAnalysisConfig(options.config);
  const timed: PhaseTimer = phaseTimer(options.logger);
  const trendLength = options.trendLength ?? 24;
  const trendIds = (
    await store.query<{ id: number }>(query("trend_ids"), { s: snapshotId, n: trendLength })
  )
    .map((r) => r.id)
    .reverse();
  const rowIds = [...new Set([...trendIds, ...(fromId === null ? [] : [fromId])])];
  const rows = await snapshotRows(store, rowIds);
  const snapshotRow = rows.get(snapshotId);
  if (!snapshotRow) throw new ReportError(`snapshot ${snapshotId} does not exist`);
  const snapshot = toReportSnapshot(snapshotRow);
  let previous: ReportSnapshot | null = null;
  if (fromId !== null) {
    const row = rows.get(fromId);
    if (!row) throw new ReportError(`snapshot ${fromId} does not exist`, true);
    previous = toReportSnapshot(row);
  }

  await timed("verify", async () =>
    options.beforeAnalysis?.(previous === null ? [snapshotId] : [snapshotId, previous.snapshot_id]),
  );

  const head = await store.query<{ id: number; seal: string }>(query("chain_head"));
  const auditHead = await store.query<{ sync_id: number; seal: string }>(query("audit_log_head"));
  const registerEntries = await store.listExceptionEvents();
  const lastEntry = registerEntries[registerEntries.length - 1];
  const exceptionsHead =
    lastEntry === undefined ? null : { entries: registerEntries.length, seal: lastEntry.seal };

  // Changes
  const kindDescriptions = new Map(loadDiffQueries().map((q) => [q.kind, q.description]));
  const diff =
    previous === null
      ? null
      : await timed("diff", () =>
          diffSnapshots(store, { from: previous.snapshot_id, to: snapshotId }),
        );
  // Who made each change, from the audit log held (the diff's order is kept).
  const attributed: AttributedDiffResult | null =
    diff === null ? null : await timed("attribution", () => attributeDiff(store, diff));
  const changesByKind: KindCount[] = loadDiffQueries().map((q) => ({
    kind: q.kind,
    label: CHANGE_LABELS[q.kind],
    description: kindDescriptions.get(q.kind) ?? "",
    count: diff?.summary[q.kind] ?? 0,
  }));

  // Organization effective access is evaluated once for every snapshot the rules and tables below
  // read (a join over all memberships), then shared as the analysis' TEMP table
  // analysis_effective_access; its project rows, cheap to evaluate where they are read, as the
  // TEMP view analysis_project_access.
  const loaded = await loadRules([BUILTIN_RULES_DIR, ...(options.ruleDirs ?? [])]);
  const beforeFrom = fromId === null ? null : await previousSnapshotId(store, fromId);
  const accessIds = [...new Set([snapshotId, fromId, beforeFrom])].filter(
    (id): id is number => id !== null,
  );
  try {
    await timed("effective access", () => materialiseEffectiveAccess(store, accessIds));
    await timed("project access", () => defineProjectAccess(store, accessIds));
    return await buildWithAccess();
  } finally {
    if (options.keepEffectiveAccess !== true) await releaseReportTables(store);
  }

  async function buildWithAccess(): Promise<ReportModel> {
    // Findings, each marked new, changed or unchanged against the compared snapshot's (the
    // runner judges that one too: effective access above covers the snapshot before it).
    const current = await timed("rules", () =>
      runLoadedRules(store, loaded.rules, {
        snapshotId,
        previousId: fromId,
        config,
        effectiveAccessMaterialised: true,
        projectAccessDefined: true,
        // The changes rules judge the diff attributed above rather than a second one.
        ...(attributed === null ? {} : { attributedDiff: attributed }),
      }),
    );
    const ruleById = new Map(loaded.rules.map((r) => [r.id, r]));
    const names = await nameLookups(store, snapshotId);
    // Accepted risks, judged at the snapshot's finish so the report is the same on every run.
    const judged = applyExceptions(
      current.findings,
      await store.readExceptions(),
      Date.parse(snapshot.finished_at),
    );
    const findings: ReportFinding[] = judged.sort(compareReportFindings).map((f) => {
      const rule = ruleById.get(f.rule);
      return {
        ...f,
        project_id: findingProjectId(f),
        credential_id: findingCredentialId(f),
        group_name: f.group_id === null ? null : (names.groups.get(f.group_id) ?? null),
        user: f.user_id === null ? null : (names.users.get(f.user_id) ?? null),
        role_name: f.role_id === null ? null : (names.roles.get(f.role_id) ?? null),
        rationale: rule?.rationale ?? "",
        remediation: rule?.remediation ?? "",
        controls: rule?.controls ?? [],
        is_new: f.state !== "unchanged",
      };
    });
    // Counts are of open findings: an accepted one is counted apart (accepted_findings).
    const open = findings.filter((f) => f.exception === null);
    const findingsBySeverity: SeverityCount[] = [...SEVERITIES].reverse().map((severity) => ({
      severity,
      count: open.filter((f) => f.severity === severity).length,
      new: open.filter((f) => f.severity === severity && f.is_new).length,
    }));

    // Elevated access, groups and trend all need the elevated roles of their snapshots.
    await timed("helpers", () => materialiseHelpers(store, rowIds, config));
    try {
      const elevatedPaths = await timed("elevated paths", () =>
        store.query<{ n: number }>(query("elevated_paths"), { s: snapshotId }),
      );
      // Read in batches and grouped as they come: read whole, the result, its rows' JSON and
      // their objects were all held at once (140 MB of heap at a million memberships).
      const privileged = await timed("privileged people", async () => {
        const people: PrivilegedPerson[] = [];
        for await (const batch of store.iterateOnQueryConnection<{ path: string }>(
          query("privileged_people"),
          {
            s: snapshotId,
            p: fromId,
            domains:
              config.allowedEmailDomains.length === 0
                ? null
                : JSON.stringify(config.allowedEmailDomains),
          },
          PRIVILEGED_BATCH_ROWS,
        )) {
          for (const row of batch) addPrivilegedPath(people, privilegedPathRow(row.path));
        }
        return people;
      });
      const groups = await timed("groups", () =>
        store.query<ReportGroup>(query("groups"), { s: snapshotId }),
      );
      const projects = await timed("projects", () => projectsOf(store, snapshotId));
      const credentials = await timed("credentials", () => credentialsOf(store, snapshotId));
      // The analysed snapshots from their table; the older trend points from the view, together.
      type ElevatedCount = { snapshot_id: number; grants: number; users: number };
      const elevatedCounts: ElevatedCount[] = [];
      for (const id of trendIds.filter((id) => accessIds.includes(id))) {
        const [counted] = await store.query<{ grants: number; users: number }>(
          query("elevated_counts_analysed"),
          { s: id },
        );
        elevatedCounts.push({
          snapshot_id: id,
          grants: counted?.grants ?? 0,
          users: counted?.users ?? 0,
        });
      }
      const older = trendIds.filter((id) => !accessIds.includes(id));
      if (older.length > 0) {
        elevatedCounts.push(
          ...(await timed("trend", () =>
            store.query<ElevatedCount>(withSnapshotIds(query("elevated_counts_view"), older)),
          )),
        );
      }
      const elevatedBySnapshot = new Map(elevatedCounts.map((r) => [r.snapshot_id, r]));
      const trend: TrendPoint[] = trendIds.map((id) => {
        const row = rows.get(id);
        return {
          snapshot_id: id,
          date: (row?.finished_at ?? "").slice(0, 10),
          groups: row?.groups ?? 0,
          memberships: row?.memberships ?? 0,
          users: row?.users ?? 0,
          elevated_grants: elevatedBySnapshot.get(id)?.grants ?? 0,
        };
      });
      // Which changes are elevated needs the elevated roles of the snapshot, filled just above.
      const elevated =
        attributed === null
          ? new Set<number>()
          : await timed("elevated changes", () =>
              elevatedChanges(store, attributed.changes, snapshotId),
            );
      const changes = (attributed?.changes ?? []).map((c, i) => reportChange(c, elevated.has(i)));
      const scim = groups.filter((g) => g.is_scim_managed === true).length;
      const evidence = [await evidenceOf(store, snapshot)];
      if (previous) evidence.push(await evidenceOf(store, previous));
      return {
        tool_version: options.toolVersion,
        template_version: options.templateVersion,
        schema_version: options.schemaVersion ?? SCHEMA_VERSION,
        organization_name: options.organizationName ?? null,
        org_date: snapshot.finished_at.slice(0, 10),
        as_of: snapshot.finished_at,
        snapshot,
        previous,
        chain_head: {
          snapshot_id: head[0]?.id ?? snapshotId,
          seal: head[0]?.seal ?? snapshot.seal,
        },
        config,
        totals: {
          groups: snapshot.groups,
          users: snapshot.users,
          memberships: snapshot.memberships,
          group_role_assignments: snapshot.group_role_assignments,
          user_role_assignments: snapshot.user_role_assignments,
          roles: snapshot.roles,
          elevated_grants: num(elevatedBySnapshot.get(snapshotId)?.grants),
          elevated_users: num(elevatedBySnapshot.get(snapshotId)?.users),
          scim_groups: scim,
          manual_groups: groups.length - scim,
        },
        changes_by_kind: changesByKind,
        changes,
        audit_log: attributed?.audit_log ?? null,
        audit_log_note: auditLogNote(attributed?.audit_log ?? null),
        audit_log_head: auditHead[0] ?? null,
        exceptions_head: exceptionsHead,
        changes_by_actor: changesByActor(changes),
        attribution_totals: attributionTotals(changes),
        changes_coverage_note: coverageNote(diff),
        findings_by_severity: findingsBySeverity,
        accepted_findings: findings.length - open.length,
        findings,
        rule_errors: [...loaded.errors, ...current.errors],
        rules: loaded.rules.map((r): ReportRule => {
          const outcome = current.rules.find((o) => o.rule === r.id);
          return {
            id: r.id,
            title: r.title,
            severity: r.severity,
            rationale: r.rationale,
            remediation: r.remediation,
            controls: r.controls,
            scope: r.scope,
            status: outcome?.status ?? "error",
            findings: outcome?.findings ?? 0,
            reason: outcome?.reason ?? null,
            setting: outcome?.setting ?? null,
            signal: r.signal ?? null,
          };
        }),
        elevated_paths: elevatedPaths[0]?.n ?? 0,
        privileged,
        groups,
        projects,
        credentials,
        trend,
        evidence,
      };
    } finally {
      await releaseHelpers(store);
    }
  }
}
