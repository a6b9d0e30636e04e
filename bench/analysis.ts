/**
 * Analysis benchmarks (issue 4), wired into `npm run bench` by bench/run.ts.
 *
 * diff: two snapshots of 2,000 groups, 50,000 users and 1,000,000 memberships with 0.5%
 * membership churn between them (half removed, half added), written straight through the
 * store's snapshot writer. Times `diffSnapshots` (every kind, read-only store as the CLI opens
 * it; target < 1 s) against the same membership diff written the naive way: a full outer join
 * of the two snapshots' rows of the `snapshot_group_members` view.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
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

/** The organization of the analysis databases: the large one, with the bench's projects. */
const ANALYSIS_ORGANIZATION = {
  seed: 4,
  groups: 2000,
  users: 50_000,
  memberships: 1_000_000,
  ...BENCH_PROJECTS,
} as const;

/** Writes the two benchmark snapshots into a new database file. */
export async function buildDiffDatabase(
  db: string,
  log: (s: string) => void,
): Promise<{ from: number; to: number; memberships: number; churn: number }> {
  const state = generateOrganization(ANALYSIS_ORGANIZATION);
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

/** Snapshots in analysis-history's long database. */
const HISTORY_SNAPSHOTS = 30;
/** Reading the newest snapshot may cost at most this much more with a long history. */
const HISTORY_GROWTH_MAX = 1.25;

/** One snapshot's access paths of one scope, as a reader evaluates them (count and a checksum). */
const PATHS_OF_SNAPSHOT = `
SELECT count(*)::BIGINT AS n,
  sum(hash(user_id, role_id, via, via_group_id, email, project_id))::VARCHAR AS checksum
FROM effective_access WHERE snapshot_id = $s AND scope = $scope`;

/** One user's paths of one snapshot, filtered as `access --user` filters them. */
const PATHS_OF_USER = `
SELECT count(*)::BIGINT AS n,
  sum(hash(user_id, role_id, via, via_group_id, email, project_id))::VARCHAR AS checksum
FROM effective_access
WHERE snapshot_id = $s AND (user_id = $user OR lower(email) = lower($user))`;

/**
 * analysis-history (issue 19): what reading the newest snapshot costs on a database of 2
 * snapshots and on the same database after 30, measured in the same run, the two databases timed
 * in turn (median of 3 each, read-only stores as the CLI opens them): its organization and project
 * access paths (the `effective_access` view every report, rule and listing reads), one user's
 * paths (as `access --user` reads them) and every shipped rule against the snapshot before.
 * Migration 0015: the view had read every snapshot's memberships whichever one was asked for.
 */
export async function benchAnalysisHistory(
  log: (s: string) => void,
): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), "aa-bench-analysis-history-"));
  try {
    const state = generateOrganization(ANALYSIS_ORGANIZATION);
    const churn = Math.round(state.counts().memberships * 0.005);
    const longDb = join(work, "thirty.duckdb");
    const shortDb = join(work, "two.duckdb");
    let writer = await Store.open(longDb);
    for (let i = 1; i <= HISTORY_SNAPSHOTS; i++) {
      if (i > 1) applyChurn(state, churn, i);
      await writeSnapshotFromState(writer, state);
      if (i === 2) {
        // Closing checkpoints the WAL into the file, so the copy is the whole database.
        await writer.close();
        copyFileSync(longDb, shortDb);
        writer = await Store.open(longDb);
      }
    }
    await writer.close();
    log(`analysis-history: wrote ${HISTORY_SNAPSHOTS} snapshots (churn ${churn} each)`);
    const user = state.listUsers()[5]?.id ?? "";
    // Both databases open at once, each figure timed on them in turn: the machine's speed drifts
    // by the minute, and a ratio of two medians taken minutes apart measured that drift as well.
    const short = await Store.open(shortDb, { readOnly: true });
    const long = await Store.open(longDb, { readOnly: true });
    try {
      const sides = [
        { store: short, newest: 2 },
        { store: long, newest: HISTORY_SNAPSHOTS },
      ] as const;
      /**
       * One figure on both databases: an untimed run on each (what it returns is kept), then 3
       * timed rounds, the order of the two swapped every round; the median of each side's 3.
       */
      const timedPair = async <T>(work: (store: Store, newest: number) => Promise<T>) => {
        const values: T[] = [];
        for (const side of sides) values.push(await work(side.store, side.newest));
        const runs = sides.map((): number[] => []);
        for (let turn = 0; turn < 3; turn++) {
          for (const i of turn % 2 === 0 ? [0, 1] : [1, 0]) {
            const side = sides[i as 0 | 1];
            const started = performance.now();
            await work(side.store, side.newest);
            runs[i]?.push(performance.now() - started);
          }
        }
        return sides.map((_, i) => ({ ms: round(median(runs[i] ?? [])), value: values[i] }));
      };
      const checksum = async (
        store: Store,
        sql: string,
        params: Record<string, string | number>,
      ) => {
        const rows = await store.query<{ n: bigint | number; checksum: string }>(sql, params);
        return `${rows[0]?.n}:${rows[0]?.checksum}`;
      };
      const organization = await timedPair((store, s) =>
        checksum(store, PATHS_OF_SNAPSHOT, { s, scope: "organization" }),
      );
      const project = await timedPair((store, s) =>
        checksum(store, PATHS_OF_SNAPSHOT, { s, scope: "project" }),
      );
      const ofUser = await timedPair((store, s) => checksum(store, PATHS_OF_USER, { s, user }));
      const rules = await timedPair((store, s) =>
        runRules(store, { snapshotId: s, previousId: s - 1, config: {} }),
      );
      const figure = (i: 0 | 1) => ({
        snapshot: sides[i].newest,
        organization_paths_ms: organization[i]?.ms ?? 0,
        project_paths_ms: project[i]?.ms ?? 0,
        user_paths_ms: ofUser[i]?.ms ?? 0,
        rules_ms: rules[i]?.ms ?? 0,
        checksums: {
          organization: organization[i]?.value ?? "",
          project: project[i]?.value ?? "",
          user: ofUser[i]?.value ?? "",
        },
      });
      const two = figure(0);
      const thirty = figure(1);
      const growth = {
        organization_paths: round(thirty.organization_paths_ms / two.organization_paths_ms),
        project_paths: round(thirty.project_paths_ms / two.project_paths_ms),
        user_paths: round(thirty.user_paths_ms / two.user_paths_ms),
        rules: round(thirty.rules_ms / two.rules_ms),
      };
      log(
        `analysis-history: newest snapshot's organization paths ${two.organization_paths_ms} ms with 2 snapshots, ` +
          `${thirty.organization_paths_ms} ms with ${HISTORY_SNAPSHOTS}; project paths ${two.project_paths_ms} / ` +
          `${thirty.project_paths_ms} ms; one user's paths ${two.user_paths_ms} / ${thirty.user_paths_ms} ms; ` +
          `rules ${two.rules_ms} / ${thirty.rules_ms} ms`,
      );
      return {
        memberships: state.counts().memberships,
        churn_per_snapshot: churn,
        two,
        thirty,
        growth,
        targets: { growth_max: HISTORY_GROWTH_MAX },
        pass: Object.values(growth).every((g) => g <= HISTORY_GROWTH_MAX),
      };
    } finally {
      await short.close();
      await long.close();
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
