/**
 * The randomized fault suite (issue 8): seeded runs of crawl -> analyse -> report against the
 * in-process simulator with a random mix of latency, 429s (with and without Retry-After), 5xx,
 * dropped connections, malformed bodies, pagination contract violations and mid-crawl changes.
 *
 * Every run ends in one of these outcomes:
 *  - `exact`: the crawl published and nothing changed the organization while it ran; the stored
 *    snapshot equals the simulator's state.
 *  - `bounded`: the crawl published while the organization changed under it. The API has no
 *    isolation, so there is no single point to compare with: every stored fact held at the start
 *    of the crawl, at its end, or was added by a logged mid-crawl change; every fact that held
 *    throughout is stored (facts a logged change removed and re-added are exempt; a user's role
 *    rows are checked exactly for every user no change touched).
 *  - `clean failure`: the crawl threw a one-line error without the admin key; its snapshot is
 *    `failed` and shows no rows; the previous snapshot is still the latest and unchanged.
 *  - `other`: anything else (a wrong snapshot, an unclean failure, a hang, a check that threw).
 * In every accepted case the rules then run over the latest snapshot, the HTML and XLSX reports are
 * written (final names only, no temp files), and `verify` passes on the whole store.
 *
 * Everything a run does is derived from its seed (organization, the change before the second
 * crawl, the fault mix, the fault streams, the crawl's concurrency), so `faultRun(seed, dir)`
 * replays the same conditions. Request interleaving under concurrency and retry timing are not
 * seeded, so which request meets which fault can differ between two replays of one seed.
 */

import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { runRules } from "../src/analysis/anomalies.js";
import { AdminApiError, AdminClient } from "../src/api/index.js";
import { crawl, IncompleteCrawlError } from "../src/crawl/index.js";
import { FACT_TABLES } from "../src/facts/index.js";
import { writeReports } from "../src/report/index.js";
import {
  applyRandomMutation,
  FAULT_KINDS,
  type FaultConfig,
  type FaultKind,
  Prng,
  type RunningSimulator,
  startSimulator,
} from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import {
  expectedSnapshot,
  type Row,
  type SnapshotRows,
  storedSnapshot,
} from "../test/support/expected.js";
import type { LogLine, SuiteResult } from "./suite.js";

export const FAULT_OUTCOMES = ["exact", "bounded", "clean failure", "other"] as const;
export type FaultOutcome = (typeof FAULT_OUTCOMES)[number];

/** A crawl that takes longer than this is a hang. */
export const CRAWL_TIMEOUT_MS = 60_000;
/** Analysis, reports and checks of one run after the crawl. */
const AFTER_CRAWL_TIMEOUT_MS = 60_000;

/** Faults that break the pagination contract: a crawl that met one must fail. */
const CONTRACT_VIOLATIONS = ["stuckCursor", "nextNullWithHasMore", "emptyPageWithHasMore"] as const;
/**
 * The injected faults that account for a failed crawl's error, or an empty list when none does
 * (then the failure is unexpected: e.g. a timeout, a duplicate item, or an error the faults fired
 * cannot produce).
 */
export function explainFailure(error: unknown, fired: Record<FaultKind, number>): FaultKind[] {
  const any = (...kinds: FaultKind[]) => kinds.filter((k) => fired[k] > 0);
  if (error instanceof IncompleteCrawlError) return any("missingHasMore");
  if (!(error instanceof AdminApiError)) return [];
  const message = error.message;
  switch (error.kind) {
    case "server":
      return any("status5xx");
    case "network":
      return any("drop");
    case "rate_limited":
      return any("rate429");
    case "protocol":
      if (message.includes("malformed JSON")) return any("malformed");
      if (message.includes("cursor did not advance")) return any("stuckCursor");
      // `has_more: true` on a page that is empty anyway reads as an empty page.
      if (message.includes("with an empty page") || /has_more=true but \w+ is null/.test(message)) {
        return any("nextNullWithHasMore", "emptyPageWithHasMore");
      }
      return [];
    default:
      return [];
  }
}

export interface FaultPlan {
  seed: number;
  groups: number;
  users: number;
  concurrency: number;
  /** Changes made to the organization between the baseline and the faulty crawl. */
  changes: number;
  faults: FaultConfig;
  /** One-line summary of the mix, for the log. */
  summary: string;
}

export interface FaultRunResult {
  seed: number;
  outcome: FaultOutcome;
  /** Why, for `other`; a short note otherwise. */
  detail: string;
  plan: FaultPlan;
  /** Faults the simulator injected during the faulty crawl, by kind. */
  faults: Record<FaultKind, number>;
  /** Mid-crawl changes that altered the organization. */
  mutations: number;
  /** Groups and users the published faulty crawl found deleted while it read them. */
  vanished: number;
  ms: number;
  /** Where the run's files were kept (only for `other`). */
  keptAt?: string;
}

const pct = (rate: number): string => `${(rate * 100).toFixed(1)}%`;

/** The organization, the fault mix and the crawl settings of one seed. */
export function planFor(seed: number): FaultPlan {
  const rng = new Prng(seed, "chaos:fault-mix");
  const groups = rng.range(10, 20);
  const users = rng.range(100, 200);
  const concurrency = rng.pick([1, 2, 4, 6]);
  const changes = rng.range(2, 6);
  const faults: FaultConfig = { seed: new Prng(seed, "chaos:fault-seed").nextUint32() };
  const parts: string[] = [];

  if (rng.chance(0.4)) {
    faults.latencyMs = rng.range(0, 2);
    faults.latencyJitterMs = rng.range(1, 5);
    parts.push(`latency ${faults.latencyMs}+${faults.latencyJitterMs}ms`);
  }
  if (rng.chance(0.35)) {
    const variant = rng.int(4);
    if (variant === 0) {
      // A real one-second wait pauses the whole client: keep these rare.
      faults.rate429 = 0.002 + rng.next() * 0.006;
      faults.retryAfterSeconds = 1;
    } else if (variant === 1) {
      faults.rate429 = 0.005 + rng.next() * 0.035;
      faults.retryAfterSeconds = 0;
    } else if (variant === 2) {
      faults.rate429 = 0.005 + rng.next() * 0.035;
      faults.retryAfterSeconds = null;
    } else {
      faults.rate429 = 0.005 + rng.next() * 0.035;
      faults.retryAfterSeconds = null;
      faults.retryAfterMs = rng.range(5, 30);
    }
    const header =
      faults.retryAfterMs !== undefined
        ? `retry-after-ms=${faults.retryAfterMs}`
        : faults.retryAfterSeconds === null
          ? "no Retry-After"
          : `Retry-After=${faults.retryAfterSeconds}`;
    parts.push(`429 ${pct(faults.rate429)} ${header}`);
  }
  if (rng.chance(0.35)) {
    faults.rate5xx = 0.01 + rng.next() * 0.05;
    const statuses = [500, 502, 503].filter(() => rng.chance(0.6));
    if (statuses.length > 0) faults.statuses5xx = statuses;
    let text = `5xx ${pct(faults.rate5xx)}`;
    if (rng.chance(0.2)) {
      faults.shouldRetryFalseRate = 0.05 + rng.next() * 0.25;
      text += ` (should-retry=false ${pct(faults.shouldRetryFalseRate)})`;
    }
    parts.push(text);
  }
  if (rng.chance(0.3)) {
    faults.rateDrop = 0.005 + rng.next() * 0.035;
    parts.push(`drop ${pct(faults.rateDrop)}`);
  }
  if (rng.chance(0.3)) {
    faults.rateMalformed = 0.005 + rng.next() * 0.035;
    parts.push(`malformed ${pct(faults.rateMalformed)}`);
  }
  // Contract violations: less frequent, so that many runs succeed.
  if (rng.chance(0.15)) {
    // Only a page with an incoming cursor can get stuck (the users list's later pages).
    faults.stuckCursorRate = 0.3 + rng.next() * 0.7;
    parts.push(`stuck cursor ${pct(faults.stuckCursorRate)}`);
  }
  if (rng.chance(0.12)) {
    faults.nextNullWithHasMoreRate = 0.001 + rng.next() * 0.005;
    parts.push(`has_more+next null ${pct(faults.nextNullWithHasMoreRate)}`);
  }
  if (rng.chance(0.12)) {
    faults.emptyPageWithHasMoreRate = 0.001 + rng.next() * 0.005;
    parts.push(`empty page+has_more ${pct(faults.emptyPageWithHasMoreRate)}`);
  }
  if (rng.chance(0.08)) {
    faults.missingHasMoreRate = 0.002 + rng.next() * 0.01;
    parts.push(`no has_more ${pct(faults.missingHasMoreRate)}`);
  }
  if (rng.chance(0.15)) {
    faults.shortPageRate = 0.02 + rng.next() * 0.1;
    parts.push(`short pages ${pct(faults.shortPageRate)}`);
  }
  if (rng.chance(0.3)) {
    faults.mutateBetweenPagesRate = 0.005 + rng.next() * 0.03;
    parts.push(`mid-crawl changes ${pct(faults.mutateBetweenPagesRate)}`);
  }
  if (parts.length === 0) {
    faults.latencyMs = 0;
    faults.latencyJitterMs = rng.range(1, 3);
    parts.push(`latency 0+${faults.latencyJitterMs}ms`);
  }
  if (rng.chance(0.25)) {
    faults.maxFaults = rng.range(1, 10);
    parts.push(`max ${faults.maxFaults} faults`);
  }
  if (rng.chance(0.15)) {
    faults.paths = rng.pick(["/users", "/roles", "/groups/[^/]+/users$", "/organization/users$"]);
    parts.push(`only ${faults.paths}`);
  }
  return {
    seed,
    groups,
    users,
    concurrency,
    changes,
    faults,
    summary: `${groups}g/${users}u c${concurrency}: ${parts.join(", ")}`,
  };
}

class RunCheckError extends Error {
  override name = "CheckFailed";
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RunCheckError(message);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RunCheckError(`${what} did not finish in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();
const json = (row: Row): string => JSON.stringify(row);
const TABLES = [
  "groups",
  "members",
  "groupRoles",
  "roles",
  "users",
  "userRoles",
  "projects",
  "projectUsers",
  "projectGroups",
  "projectRoles",
  "projectGroupRoles",
  "projectUserRoles",
] as const;
type Table = (typeof TABLES)[number];

async function crawlOnce(
  sim: RunningSimulator,
  store: Store,
  concurrency: number,
  signal?: AbortSignal,
) {
  const client = new AdminClient({
    baseUrl: sim.baseUrl,
    apiKey: sim.adminKey,
    initialBackoffMs: 5,
    maxRetries: 8,
    concurrency,
  });
  try {
    return await crawl({
      client,
      store,
      baseUrl: sim.baseUrl,
      keyRedacted: "sk-admin...chaos",
      toolVersion: "chaos",
      concurrency,
      ...(signal === undefined ? {} : { signal }),
    });
  } finally {
    await client.close();
  }
}

/** First differences between two snapshots, for a detail line. */
function describeDifference(got: SnapshotRows, want: SnapshotRows): string {
  const out: string[] = [];
  for (const table of TABLES) {
    const g = new Set(got[table].map(json));
    const w = new Set(want[table].map(json));
    const extra = [...g].filter((r) => !w.has(r));
    const missing = [...w].filter((r) => !g.has(r));
    if (extra.length > 0 || missing.length > 0) {
      out.push(
        `${table}: ${extra.length} unexpected${extra[0] ? ` e.g. ${extra[0]}` : ""}, ${missing.length} missing${missing[0] ? ` e.g. ${missing[0]}` : ""}`,
      );
    }
  }
  return out.length > 0 ? out.join("; ") : "rows equal but in a different order";
}

/** What the mid-crawl changes (the simulator's mutation log) added, removed and touched. */
interface ChangeLog {
  createdGroups: Set<string>;
  addedMembers: Set<string>;
  removedMembers: Set<string>;
  assignedGroupRoles: Set<string>;
  unassignedGroupRoles: Set<string>;
  /** Users whose direct roles changed (their `role` and role rows may have varied). */
  directRoleUsers: Set<string>;
  /** Users added to or removed from a group. */
  membershipUsers: Set<string>;
  /** Groups whose roles changed or which were deleted: their members' inherited roles varied. */
  roleGroups: Set<string>;
  /** `project|user` whose membership or direct project roles changed. */
  projectUsers: Set<string>;
  /** `project|group` attached, detached, or whose project roles changed. */
  projectGroups: Set<string>;
  /** `project|group|role` assigned (or attached with) and unassigned (or detached). */
  assignedProjectGroupRoles: Set<string>;
  unassignedProjectGroupRoles: Set<string>;
}

function parseChangeLog(lines: readonly string[]): ChangeLog {
  const log: ChangeLog = {
    createdGroups: new Set(),
    addedMembers: new Set(),
    removedMembers: new Set(),
    assignedGroupRoles: new Set(),
    unassignedGroupRoles: new Set(),
    directRoleUsers: new Set(),
    membershipUsers: new Set(),
    roleGroups: new Set(),
    projectUsers: new Set(),
    projectGroups: new Set(),
    assignedProjectGroupRoles: new Set(),
    unassignedProjectGroupRoles: new Set(),
  };
  for (const line of lines) {
    const [op, a = "", b = "", c = ""] = line.split(" ");
    switch (op) {
      case "addMember":
        log.addedMembers.add(`${a}|${b}`);
        log.membershipUsers.add(b);
        break;
      case "removeMember":
        log.removedMembers.add(`${a}|${b}`);
        log.membershipUsers.add(b);
        break;
      case "createGroup":
        log.createdGroups.add(a);
        break;
      case "deleteGroup":
        log.roleGroups.add(a);
        break;
      case "assignGroupRole":
        log.assignedGroupRoles.add(`${a}|${b}`);
        log.roleGroups.add(a);
        break;
      case "unassignGroupRole":
        log.unassignedGroupRoles.add(`${a}|${b}`);
        log.roleGroups.add(a);
        break;
      case "assignUserRole":
      case "unassignUserRole":
        log.directRoleUsers.add(a);
        break;
      // Project access changes (simulator faults.ts, applyRandomProjectMutation).
      case "addProjectUser":
      case "removeProjectUser":
      case "setProjectUserRole":
      case "assignProjectUserRole":
      case "unassignProjectUserRole":
        log.projectUsers.add(`${a}|${b}`);
        break;
      case "attachProjectGroup":
      case "assignProjectGroupRole":
        log.projectGroups.add(`${a}|${b}`);
        log.assignedProjectGroupRoles.add(`${a}|${b}|${c}`);
        break;
      case "detachProjectGroup":
        log.projectGroups.add(`${a}|${b}`);
        break;
      case "unassignProjectGroupRole":
        log.projectGroups.add(`${a}|${b}`);
        log.unassignedProjectGroupRoles.add(`${a}|${b}|${c}`);
        break;
      case "noop":
        break;
      default:
        throw new RunCheckError(`unknown mutation in the simulator's log: ${line}`);
    }
  }
  return log;
}

/**
 * The check of a snapshot crawled while the organization changed: returns the problems found
 * (empty when the snapshot is bounded by the states at the start and the end of the crawl).
 */
export function boundedProblems(
  before: SnapshotRows,
  after: SnapshotRows,
  stored: SnapshotRows,
  mutationLog: readonly string[],
): string[] {
  const log = parseChangeLog(mutationLog);
  const problems: string[] = [];
  const usersBefore = new Map(before.users.map((u) => [String(u.user_id), u]));
  const rolesBefore = new Map(before.roles.map((r) => [String(r.role_id), r]));
  const membersAnyTime = new Map<string, Set<string>>();
  for (const m of [...before.members, ...after.members]) {
    const g = String(m.group_id);
    const set = membersAnyTime.get(g) ?? new Set<string>();
    set.add(String(m.user_id));
    membersAnyTime.set(g, set);
  }
  for (const key of log.addedMembers) {
    const [g = "", u = ""] = key.split("|");
    const set = membersAnyTime.get(g) ?? new Set<string>();
    set.add(u);
    membersAnyTime.set(g, set);
  }
  const touchedUsers = new Set([...log.directRoleUsers, ...log.membershipUsers]);
  for (const g of log.roleGroups) for (const u of membersAnyTime.get(g) ?? []) touchedUsers.add(u);

  /** A row added by a logged change, with the attributes it must have had. */
  const addedByChange = (table: Table, row: Row): boolean => {
    if (table === "groups") return log.createdGroups.has(String(row.group_id));
    if (table === "members") {
      const user = usersBefore.get(String(row.user_id));
      return (
        log.addedMembers.has(`${String(row.group_id)}|${String(row.user_id)}`) &&
        user !== undefined &&
        user.email === row.email &&
        user.name === row.name
      );
    }
    if (table === "groupRoles") {
      const role = rolesBefore.get(String(row.role_id));
      return (
        log.assignedGroupRoles.has(`${String(row.group_id)}|${String(row.role_id)}`) &&
        role !== undefined &&
        role.name === row.role_name &&
        json({ p: role.permissions }) === json({ p: row.permissions }) &&
        role.predefined_role === row.predefined_role &&
        role.resource_type === row.resource_type
      );
    }
    if (table === "projectUsers") {
      // Added, or its membership role changed, while the crawl ran.
      return log.projectUsers.has(`${String(row.project_id)}|${String(row.user_id)}`);
    }
    if (table === "projectGroups") {
      return log.projectGroups.has(`${String(row.project_id)}|${String(row.group_id)}`);
    }
    if (table === "projectGroupRoles") {
      return log.assignedProjectGroupRoles.has(
        `${String(row.project_id)}|${String(row.group_id)}|${String(row.role_id)}`,
      );
    }
    if (table === "users") {
      // A direct owner assignment changes only the user's `role`.
      const user = usersBefore.get(String(row.user_id));
      return (
        log.directRoleUsers.has(String(row.user_id)) &&
        user !== undefined &&
        json({ ...user, role: null }) === json({ ...row, role: null })
      );
    }
    return false;
  };
  /** A fact that held at both ends but may have been absent in between. */
  const removedByChange = (table: Table, row: Row): boolean => {
    if (table === "members") {
      return log.removedMembers.has(`${String(row.group_id)}|${String(row.user_id)}`);
    }
    if (table === "groupRoles") {
      return log.unassignedGroupRoles.has(`${String(row.group_id)}|${String(row.role_id)}`);
    }
    if (table === "users") return log.directRoleUsers.has(String(row.user_id));
    if (table === "projectUsers") {
      return log.projectUsers.has(`${String(row.project_id)}|${String(row.user_id)}`);
    }
    if (table === "projectGroups") {
      return log.projectGroups.has(`${String(row.project_id)}|${String(row.group_id)}`);
    }
    if (table === "projectGroupRoles") {
      // Unassigned, or its group detached (which drops every project role of it).
      return (
        log.unassignedProjectGroupRoles.has(
          `${String(row.project_id)}|${String(row.group_id)}|${String(row.role_id)}`,
        ) || log.projectGroups.has(`${String(row.project_id)}|${String(row.group_id)}`)
      );
    }
    return false;
  };
  // A project member's roles list repeats the project roles of their groups: exact only for
  // members whose project access and groups nothing touched.
  const touchedProjectUsers = new Set(log.projectUsers);
  const projectGroupsTouched = new Set([...log.projectGroups].map((k) => k.split("|")[1] ?? ""));
  const touchedGroupsAnywhere = new Set([...log.roleGroups, ...projectGroupsTouched]);
  for (const g of touchedGroupsAnywhere) {
    for (const u of membersAnyTime.get(g) ?? []) touchedUsers.add(u);
  }
  for (const key of [...log.addedMembers, ...log.removedMembers]) {
    touchedUsers.add(key.split("|")[1] ?? "");
  }

  for (const table of TABLES) {
    if (table === "projectUserRoles") {
      const byMember = (rows: Row[]) => {
        const map = new Map<string, string[]>();
        for (const r of rows) {
          const k = `${String(r.project_id)}|${String(r.user_id)}`;
          if (touchedProjectUsers.has(k) || touchedUsers.has(String(r.user_id))) continue;
          const list = map.get(k) ?? [];
          list.push(json(r));
          map.set(k, list);
        }
        return map;
      };
      const want = byMember(before.projectUserRoles);
      const have = byMember(stored.projectUserRoles);
      for (const k of new Set([...want.keys(), ...have.keys()])) {
        const w = (want.get(k) ?? []).join("\n");
        const h = (have.get(k) ?? []).join("\n");
        if (w !== h)
          problems.push(`projectUserRoles of untouched member ${k}: stored ${h || "none"}`);
      }
      continue;
    }
    const b = new Set(before[table].map(json));
    const a = new Set(after[table].map(json));
    const got = new Set(stored[table].map(json));
    if (table === "userRoles") {
      // Exact for every user no change touched; a touched user's inherited roles may show a
      // membership or assignment that held only in between.
      const byUser = (rows: Row[]) => {
        const map = new Map<string, string[]>();
        for (const r of rows) {
          const u = String(r.user_id);
          if (touchedUsers.has(u)) continue;
          const list = map.get(u) ?? [];
          list.push(json(r));
          map.set(u, list);
        }
        return map;
      };
      const want = byUser(before.userRoles);
      const have = byUser(stored.userRoles);
      for (const u of new Set([...want.keys(), ...have.keys()])) {
        const w = (want.get(u) ?? []).join("\n");
        const h = (have.get(u) ?? []).join("\n");
        if (w !== h) problems.push(`userRoles of untouched user ${u}: stored ${h || "none"}`);
      }
      continue;
    }
    for (const row of stored[table]) {
      const text = json(row);
      if (!b.has(text) && !a.has(text) && !addedByChange(table, row)) {
        problems.push(`${table}: stored fact held neither at the start nor at the end: ${text}`);
      }
    }
    for (const row of before[table]) {
      const text = json(row);
      if (a.has(text) && !got.has(text) && !removedByChange(table, row)) {
        problems.push(`${table}: fact that held throughout is missing: ${text}`);
      }
    }
  }
  return problems;
}

interface Baseline {
  snapshotId: number;
  rows: SnapshotRows;
}

/** The checks after a failed crawl; throws RunCheckError when the failure was not clean. */
async function checkCleanFailure(
  sim: RunningSimulator,
  store: Store,
  baseline: Baseline,
  error: unknown,
  hung: boolean,
): Promise<string> {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : typeof error;
  check(!hung, `crawl did not finish in ${CRAWL_TIMEOUT_MS} ms (${name}: ${oneLine(message)})`);
  check(!/[\r\n]/.test(message), `crawl error is not one line: ${JSON.stringify(message)}`);
  check(!message.includes(sim.adminKey), "crawl error contains the admin key");
  check(message.trim() !== "", `crawl error has no message (${name})`);

  const runs = await store.query<{ snapshot_id: number; status: string; error: string | null }>(
    "SELECT snapshot_id, status, error FROM snapshots ORDER BY snapshot_id",
  );
  check(
    runs.length === 2 && runs[0]?.snapshot_id === baseline.snapshotId,
    `expected the baseline and one failed snapshot, found ${JSON.stringify(runs)}`,
  );
  const failed = runs[1] as { snapshot_id: number; status: string; error: string | null };
  check(
    failed.status === "failed",
    `failed crawl left snapshot ${failed.snapshot_id} '${failed.status}'`,
  );
  check(
    failed.error !== null && !failed.error.includes(sim.adminKey),
    "failed snapshot's error is missing or contains the admin key",
  );
  for (const view of [...FACT_TABLES.map((t) => t.view), "snapshot_endpoints"]) {
    const [row] = await store.query<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM ${view} WHERE snapshot_id = ?`,
      [failed.snapshot_id],
    );
    check(row?.n === 0, `${view} shows ${row?.n} rows of failed snapshot ${failed.snapshot_id}`);
  }
  const latest = await store.latestCompleteSnapshotId();
  check(
    latest === baseline.snapshotId,
    `latest complete snapshot is ${latest}, not ${baseline.snapshotId}`,
  );
  const again = await storedSnapshot(store, baseline.snapshotId);
  check(
    json({ s: again }) === json({ s: baseline.rows }),
    `baseline snapshot changed after the failed crawl: ${describeDifference(again, baseline.rows)}`,
  );
  return `${name}: ${oneLine(message).slice(0, 160)}`;
}

/** Rules and both reports over the latest snapshot, then verify of the whole store. */
async function analyseAndReport(store: Store, outDir: string, expectedSnapshotId: number) {
  const latest = await store.latestCompleteSnapshotId();
  check(latest === expectedSnapshotId, `latest snapshot ${latest}, expected ${expectedSnapshotId}`);
  const anomalies = await runRules(store, { snapshotId: latest });
  check(
    anomalies.errors.length === 0,
    `rules failed: ${anomalies.errors.map((e) => `${e.rule}: ${e.message}`).join("; ")}`,
  );
  const written = await writeReports(store, { outDir, formats: ["html", "xlsx"] });
  check(
    written.model.snapshot.snapshot_id === latest,
    `report is of snapshot ${written.model.snapshot.snapshot_id}, not ${latest}`,
  );
  check(
    written.files.map((f) => f.format).join(",") === "html,xlsx",
    `reports written: ${written.files.map((f) => f.format).join(",")}`,
  );
  for (const file of written.files) {
    const info = await stat(file.path);
    check(info.isFile() && info.size > 0 && info.size === file.bytes, `report ${file.path} bad`);
  }
  const names = (await readdir(outDir)).sort();
  // Each report and its `.sha256` checksum file, nothing else (no temporary file left behind).
  const wanted = written.files
    .flatMap((f) => [f.path, f.sha256_path])
    .map((p) => p.slice(outDir.length + 1))
    .sort();
  check(
    json({ n: names }) === json({ n: wanted }),
    `report folder holds ${names.join(", ")}; expected ${wanted.join(", ")}`,
  );
  const verified = await store.verify();
  check(
    verified.ok && verified.issues.length === 0,
    `verify failed: ${json({ s: verified.snapshots.filter((s) => !s.ok), i: verified.issues })}`,
  );
  return anomalies.findings.length;
}

/** One seeded run: baseline crawl, change, faulty crawl, classification, analysis and reports. */
export async function faultRun(seed: number, workDir: string): Promise<FaultRunResult> {
  const started = performance.now();
  const plan = planFor(seed);
  const dir = join(workDir, `faults-seed-${seed}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  let sim: RunningSimulator | undefined;
  let store: Store | undefined;
  let outcome: FaultOutcome = "other";
  let detail = "";
  let faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  let mutations = 0;
  let vanished = 0;
  try {
    sim = await startSimulator({ port: 0, seed, groups: plan.groups, users: plan.users });
    store = await Store.open(join(dir, "audit.duckdb"), { threads: 1 });

    // 1. Baseline.
    const first = await withTimeout(
      crawlOnce(sim, store, plan.concurrency),
      CRAWL_TIMEOUT_MS,
      "baseline crawl",
    );
    const baselineRows = await storedSnapshot(store, first.snapshotId);
    const baselineDiff = describeDifference(baselineRows, expectedSnapshot(sim.state));
    check(
      json({ s: baselineRows }) === json({ s: expectedSnapshot(sim.state) }),
      `baseline snapshot not exact: ${baselineDiff}`,
    );
    check((await store.verify()).ok, "verify failed after the baseline crawl");
    const baseline: Baseline = { snapshotId: first.snapshotId, rows: baselineRows };

    // 2. Change the organization a little, then crawl under the fault mix.
    const changeRng = new Prng(seed, "chaos:changes");
    for (let i = 0; i < plan.changes; i++) applyRandomMutation(sim.state, changeRng);
    const groupIds = sim.state.groupIds();
    if (groupIds.length > 0) {
      sim.state.renameGroup(changeRng.pick(groupIds), `Renamed ${changeRng.range(100, 999)} <&>`);
    }
    const before = expectedSnapshot(sim.state);
    const versionBefore = sim.state.version;
    sim.resetStats();
    sim.setFaults(plan.faults);
    let crawlError: { error: unknown } | undefined;
    let secondId: number | undefined;
    const deadline = AbortSignal.timeout(CRAWL_TIMEOUT_MS);
    try {
      const second = await crawlOnce(sim, store, plan.concurrency, deadline);
      secondId = second.snapshotId;
      vanished = second.vanishedGroups.length + second.vanishedUsers.length;
    } catch (error) {
      crawlError = { error };
    }
    sim.setFaults(undefined);
    const stats = sim.stats();
    faults = stats.faults;
    const changed = sim.state.version !== versionBefore;
    mutations = stats.mutations.filter((m) => m !== "noop").length;
    const after = expectedSnapshot(sim.state);
    const contractFired = CONTRACT_VIOLATIONS.filter((k) => faults[k] > 0);

    // 3. Classify.
    if (crawlError === undefined) {
      const id = secondId as number;
      check(
        contractFired.length === 0 || faults.malformed > 0,
        `crawl published snapshot ${id} although the API broke the pagination contract (${contractFired.join(", ")})`,
      );
      check(id > baseline.snapshotId, `second snapshot id ${id} <= ${baseline.snapshotId}`);
      const stored = await storedSnapshot(store, id);
      if (!changed) {
        check(
          json({ s: stored }) === json({ s: after }),
          `snapshot ${id} is not exact: ${describeDifference(stored, after)}`,
        );
        outcome = "exact";
        detail = `snapshot ${id} exact`;
      } else {
        const problems = boundedProblems(before, after, stored, stats.mutations);
        check(
          problems.length === 0,
          `snapshot ${id} crawled during ${mutations} changes is not bounded: ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ""}`,
        );
        outcome = "bounded";
        detail = `snapshot ${id} bounded by ${mutations} mid-crawl changes${vanished > 0 ? `, ${vanished} vanished` : ""}`;
      }
    } else {
      const why = await checkCleanFailure(sim, store, baseline, crawlError.error, deadline.aborted);
      const explained = explainFailure(crawlError.error, faults);
      check(explained.length > 0, `no injected fault explains the failure: ${why}`);
      outcome = "clean failure";
      detail = why;
    }

    // Analysis and reports over whatever is now the latest snapshot.
    const latest = crawlError === undefined ? (secondId as number) : baseline.snapshotId;
    const findings = await withTimeout(
      analyseAndReport(store, join(dir, "reports"), latest),
      AFTER_CRAWL_TIMEOUT_MS,
      "analysis and reports",
    );
    detail += `; ${findings} findings`;
  } catch (error) {
    outcome = "other";
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    detail = `${detail ? `${detail}; then ` : ""}${oneLine(text)}`;
  } finally {
    await store?.close().catch(() => undefined);
    await sim?.stop().catch(() => undefined);
  }
  const result: FaultRunResult = {
    seed,
    outcome,
    detail,
    plan,
    faults,
    mutations,
    vanished,
    ms: Math.round(performance.now() - started),
  };
  if (outcome === "other") {
    result.keptAt = dir;
    result.detail += ` (files kept in ${dir}; replay with faultRun(${seed}, dir))`;
  } else {
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}

function firedSummary(faults: Record<FaultKind, number>): string {
  const fired = FAULT_KINDS.filter((k) => faults[k] > 0).map((k) => `${k}=${faults[k]}`);
  return fired.length > 0 ? fired.join(" ") : "none";
}

/** Runs every seed in turn and tallies the outcomes. */
export async function runFaultSuite(options: {
  seeds: number[];
  log: LogLine;
  workDir: string;
}): Promise<SuiteResult> {
  const started = performance.now();
  await mkdir(options.workDir, { recursive: true });
  const tally: Record<string, number> = Object.fromEntries(FAULT_OUTCOMES.map((o) => [o, 0]));
  const unexpected: SuiteResult["unexpected"] = [];
  const firedTotal = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<
    FaultKind,
    number
  >;
  const bySeed: { seed: number; outcome: FaultOutcome; ms: number }[] = [];
  let runMs = 0;
  let mutations = 0;
  let vanished = 0;
  for (const seed of options.seeds) {
    const r = await faultRun(seed, options.workDir);
    tally[r.outcome] = (tally[r.outcome] ?? 0) + 1;
    for (const k of FAULT_KINDS) firedTotal[k] += r.faults[k];
    runMs += r.ms;
    mutations += r.mutations;
    vanished += r.vanished;
    bySeed.push({ seed, outcome: r.outcome, ms: r.ms });
    if (r.outcome === "other") unexpected.push({ id: String(seed), detail: r.detail });
    options.log(
      `seed ${seed}: ${r.outcome} in ${r.ms} ms [${r.plan.summary}] fired: ${firedSummary(r.faults)}${r.outcome === "exact" ? "" : ` - ${r.detail}`}`,
    );
  }
  const runs = options.seeds.length;
  options.log(
    `faults: ${runs} runs, ${tally.exact} exact, ${tally.bounded} bounded (changed mid-crawl), ${tally["clean failure"]} clean failures, ${tally.other} other`,
  );
  return {
    suite: "faults",
    runs,
    tally,
    unexpected,
    details: {
      faultsFired: firedTotal,
      midCrawlChanges: mutations,
      vanishedDuringCrawl: vanished,
      meanMsPerRun: runs === 0 ? 0 : Math.round(runMs / runs),
      bySeed,
    },
    durationMs: Math.round(performance.now() - started),
  };
}
