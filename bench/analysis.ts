/**
 * Analysis benchmarks (issue 4), wired into `npm run bench` by bench/run.ts.
 *
 * diff: two snapshots of 2,000 groups, 50,000 users and 1,000,000 memberships with 0.5%
 * membership churn between them (half removed, half added), written straight through the
 * store's snapshot writer. Times `diffSnapshots` (every kind, read-only store as the CLI opens
 * it; target < 1 s) against the same membership diff written the naive way: a full outer join
 * of the two snapshots' rows of the `snapshot_group_members` view.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRules } from "../src/analysis/anomalies.js";
import { diffSnapshots, loadDiffQueries } from "../src/analysis/diff.js";
import type { AssignmentSourceWire } from "../src/simulator/index.js";
import { generateOrganization, type OrgState } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";

const TARGET_MS = 1000;
const RULES_TARGET_MS = 3000;

/** The naive membership diff: every row of both snapshots, matched by a full outer join. */
const NAIVE_MEMBER_DIFF = `
SELECT coalesce(f.group_id, t.group_id) AS group_id, coalesce(f.user_id, t.user_id) AS user_id,
  CASE WHEN f.user_id IS NULL THEN 'member_added' ELSE 'member_removed' END AS kind
FROM (SELECT group_id, user_id FROM snapshot_group_members WHERE snapshot_id = $from) AS f
FULL OUTER JOIN (SELECT group_id, user_id FROM snapshot_group_members WHERE snapshot_id = $to) AS t
  ON f.group_id = t.group_id AND f.user_id = t.user_id
WHERE f.user_id IS NULL OR t.user_id IS NULL`;

/** Writes the two benchmark snapshots into a new database file. */
export async function buildDiffDatabase(
  db: string,
  log: (s: string) => void,
): Promise<{ from: number; to: number; memberships: number; churn: number }> {
  const state = generateOrganization({
    seed: 4,
    groups: 2000,
    users: 50_000,
    memberships: 1_000_000,
  });
  const memberships = state.counts().memberships;
  const churn = Math.round(memberships * 0.005);
  const writer = await Store.open(db);
  const started = performance.now();
  try {
    const from = await writeSnapshotFromState(writer, state);
    applyChurn(state, churn);
    const to = await writeSnapshotFromState(writer, state);
    log(
      `diff: wrote 2 snapshots of ${memberships} memberships (churn ${churn}) in ${Math.round(performance.now() - started)} ms`,
    );
    return { from, to, memberships, churn };
  } finally {
    await writer.close();
  }
}

export async function benchDiff(log: (s: string) => void): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), "aa-bench-diff-"));
  const db = join(work, "diff.duckdb");
  try {
    const { from, to, memberships, churn } = await buildDiffDatabase(db, log);
    const store = await Store.open(db, { readOnly: true });
    try {
      const timed = async <T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> => {
        const started = performance.now();
        const value = await work();
        return { ms: performance.now() - started, value };
      };
      const runs: number[] = [];
      let result = await diffSnapshots(store, { from, to });
      for (let i = 0; i < 3; i++) {
        const run = await timed(() => diffSnapshots(store, { from, to }));
        runs.push(run.ms);
        result = run.value;
      }
      const reverse = await timed(() => diffSnapshots(store, { from: to, to: from }));
      const naiveRuns: number[] = [];
      let naiveRows = 0;
      for (let i = 0; i < 3; i++) {
        const run = await timed(() => store.query(NAIVE_MEMBER_DIFF, { from, to }));
        naiveRuns.push(run.ms);
        naiveRows = run.value.length;
      }
      // The same membership diff through the history: the member_added + member_removed queries.
      const memberQueries = loadDiffQueries().filter((q) => q.kind.startsWith("member_"));
      const historyRuns: number[] = [];
      for (let i = 0; i < 3; i++) {
        const run = await timed(async () => {
          for (const q of memberQueries) await store.query(q.sql, { from, to });
        });
        historyRuns.push(run.ms);
      }
      const memberChanges = result.summary.member_added + result.summary.member_removed;
      const diffMs = median(runs);
      const naiveMs = median(naiveRuns);
      const historyMs = median(historyRuns);
      log(
        `diff: diffSnapshots ${Math.round(diffMs)} ms (median of 3; reverse ${Math.round(reverse.ms)} ms), ` +
          `${result.changes.length} changes (${memberChanges} membership); ` +
          `membership kinds alone ${Math.round(historyMs)} ms; naive full outer join ${Math.round(naiveMs)} ms ` +
          `(${naiveRows} rows), ${(naiveMs / historyMs).toFixed(1)}x slower`,
      );
      // Every shipped anomaly rule on the newer snapshot, against the older one.
      const ruleRuns: number[] = [];
      let findings = 0;
      let ruleErrors = 0;
      for (let i = 0; i < 3; i++) {
        const run = await timed(() =>
          runRules(store, { snapshotId: to, previousId: from, config: {} }),
        );
        ruleRuns.push(run.ms);
        findings = run.value.findings.length;
        ruleErrors = run.value.errors.length;
        for (const e of run.value.errors)
          if (i === 0) log(`anomalies: rule ${e.rule} failed: ${e.message}`);
      }
      const rulesMs = median(ruleRuns);
      log(
        `anomalies: all shipped rules ${Math.round(rulesMs)} ms (median of 3), ${findings} findings, ${ruleErrors} errors`,
      );
      const nonZero = Object.fromEntries(Object.entries(result.summary).filter(([, n]) => n > 0));
      return {
        memberships,
        churn,
        changes: result.changes.length,
        summary: nonZero,
        diff_ms: round(diffMs),
        diff_ms_runs: runs.map((ms) => round(ms)),
        diff_reverse_ms: round(reverse.ms),
        member_kinds_ms: round(historyMs),
        naive_member_full_outer_join_ms: round(naiveMs),
        naive_member_rows: naiveRows,
        naive_vs_member_kinds: round(naiveMs / historyMs),
        naive_vs_whole_diff: round(naiveMs / diffMs),
        membership_changes_agree: naiveRows === memberChanges && memberChanges === churn,
        rules_ms: round(rulesMs),
        rules_ms_runs: ruleRuns.map((ms) => round(ms)),
        rule_findings: findings,
        rule_errors: ruleErrors,
        targets: { diff_ms_max: TARGET_MS, rules_ms_max: RULES_TARGET_MS },
        pass:
          diffMs < TARGET_MS &&
          naiveRows === memberChanges &&
          memberChanges === churn &&
          rulesMs < RULES_TARGET_MS &&
          ruleErrors === 0,
      };
    } finally {
      await store.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** 0.5% of memberships change: half removed, half added (the history-size scenario's churn). */
function applyChurn(state: OrgState, churn: number): void {
  const userIds = state.userIds();
  const groupIds = state.groupIds();
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  let removed = 0;
  while (removed < churn / 2) {
    const g = groupIds[Math.floor(rand() * groupIds.length)] as string;
    const size = state.groupSize(g);
    const m = size > 0 ? state.groupMemberIdAt(g, Math.floor(rand() * size)) : undefined;
    if (m && state.removeMember(g, m)) removed++;
  }
  let added = 0;
  while (added < churn / 2) {
    const g = groupIds[Math.floor(rand() * groupIds.length)] as string;
    const u = userIds[Math.floor(rand() * userIds.length)] as string;
    if (state.addMember(g, u)) added++;
  }
}

/**
 * Publishes the state as one snapshot, as bench/run.ts does, plus user roles (direct and
 * inherited through groups, with their sources) so that the access kinds have real work.
 */
async function writeSnapshotFromState(store: Store, state: OrgState): Promise<number> {
  const w = await store.beginSnapshot({ baseUrl: "bench", toolVersion: "bench", keyRedacted: "-" });
  for (const r of state.listRoles()) {
    w.addRole({
      role_id: r.id,
      name: r.name,
      description: r.description,
      permissions: r.permissions,
      predefined_role: r.predefined_role,
      resource_type: r.resource_type,
    });
  }
  const userRoles = new Map<string, Map<string, AssignmentSourceWire[]>>();
  const addSource = (userId: string, roleId: string, source: AssignmentSourceWire) => {
    let roles = userRoles.get(userId);
    if (!roles) {
      roles = new Map();
      userRoles.set(userId, roles);
    }
    const sources = roles.get(roleId);
    if (sources) sources.push(source);
    else roles.set(roleId, [source]);
  };
  for (const u of state.listUsers()) {
    for (const roleId of state.directUserRoleIds(u.id)) {
      addSource(u.id, roleId, { principal_id: u.id, principal_type: "user" });
    }
  }
  for (const g of state.listGroups()) {
    w.addGroup({
      group_id: g.id,
      name: g.name,
      group_type: g.group_type ?? null,
      is_scim_managed: g.is_scim_managed,
      created_at: g.created_at,
    });
    const roles = state.listGroupRoles(g.id);
    for (const u of state.listGroupUsers(g.id)) {
      w.addMember({ group_id: g.id, user_id: u.id, email: u.email, name: u.name });
      for (const r of roles) addSource(u.id, r.id, { principal_id: g.id, principal_type: "group" });
    }
    for (const r of roles) {
      w.addGroupRole({
        group_id: g.id,
        role_id: r.id,
        role_name: r.name,
        permissions: r.permissions,
        predefined_role: r.predefined_role,
        resource_type: r.resource_type,
      });
    }
  }
  for (const u of state.listUsers()) {
    w.addUser({
      user_id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      is_scim_managed: u.is_scim_managed,
      is_service_account: u.is_service_account,
      added_at: u.added_at,
      api_key_last_used_at: u.api_key_last_used_at,
    });
    for (const [roleId, sources] of userRoles.get(u.id) ?? []) {
      const r = state.getRole(roleId);
      if (!r) continue;
      w.addUserRole({
        user_id: u.id,
        role_id: r.id,
        role_name: r.name,
        permissions: r.permissions,
        predefined_role: r.predefined_role,
        assignment_sources: sources,
      });
    }
  }
  for (const e of ["/organization/roles", "/organization/groups", "/organization/users"]) {
    w.recordEndpoint({ endpoint: e, pages: 1, items: 0, completed: true });
  }
  const published = await w.publish({ requests: 0, retries: 0, rateLimited: 0 });
  return published.snapshotId;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
