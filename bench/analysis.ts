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
import { installAnalysisMacros } from "../src/analysis/macros.js";
import { generateOrganization } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { applyChurn, BENCH_PROJECTS, writeSnapshotFromState } from "./org-snapshot.js";

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
    ...BENCH_PROJECTS,
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
      await installAnalysisMacros(store);
      const historyRuns: number[] = [];
      for (let i = 0; i < 3; i++) {
        const run = await timed(async () => {
          for (const q of memberQueries) {
            await store.query(q.sql, q.swapped ? { from: to, to: from } : { from, to });
          }
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
