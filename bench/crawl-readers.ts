/**
 * Issue 19: readers during a crawl, and a crawl's memory against organization size and history.
 *
 * - readers-during-crawl: a crawl (real CLI) of 300 groups, 60,000 memberships at 20 ms latency
 *   (simulator as its own process), and `access-audit snapshots --json` (real CLI) started every
 *   second while it runs (at most four at once). A reader's wait is from its "waiting up to"
 *   notice to its exit (0 if it never waited); publish time is from the crawl's `publish` phase
 *   to its exit. Reader wall times are reported too (alone: the median of three).
 *   Targets: every reader succeeds, the longest wait is under the publish time + 1 s.
 * - crawl-memory: peak RSS of the crawl process at 250,000 memberships (fresh database) and at
 *   1,000,000 into a database holding 1 snapshot and into one holding 30 (0.5% churn between
 *   them, written with writeSnapshotFromState), 5 ms latency. Targets: every peak under 250 MB,
 *   and 30 snapshots within 10% of 1.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateOrganization } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { applyChurn, writeSnapshotFromState } from "./org-snapshot.js";
import { type RunningSim, runCliMeasured, startSimProcess, stopProcess } from "./process.js";

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Log = (line: string) => void;

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** One CLI run to its end: exit code, wall time in ms, stdout. */
function runCli(
  cli: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
  lockWaitMs: number;
}> {
  const started = performance.now();
  let waitingSince: number | null = null;
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8"); // a character can straddle two chunks
  child.stdout?.on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8"); // a character can straddle two chunks
  child.stderr?.on("data", (d: string) => {
    stderr += d;
    if (waitingSince === null && stderr.includes("waiting up to")) waitingSince = performance.now();
  });
  return new Promise((resolve) =>
    child.once("close", (code) => {
      const now = performance.now();
      // From its "waiting up to" notice to its exit: what the lock cost it (an upper bound).
      const lockWaitMs = waitingSince === null ? 0 : now - waitingSince;
      resolve({ code, ms: now - started, stdout, stderr, lockWaitMs });
    }),
  );
}

export async function benchReadersDuringCrawl(
  log: Log,
  cli: string,
): Promise<Record<string, Json>> {
  const work = mkdtempSync(join(tmpdir(), "aa-bench-readers-"));
  const org = { seed: 19, groups: 300, users: 6000, memberships: 60_000 };
  const latencyMs = 20;
  const sim = await startSimProcess(cli, [
    "--seed",
    String(org.seed),
    "--groups",
    String(org.groups),
    "--users",
    String(org.users),
    "--memberships",
    String(org.memberships),
    "--latency-ms",
    String(latencyMs),
  ]);
  const env = { ...process.env, OPENAI_ADMIN_KEY: sim.adminKey };
  try {
    const db = join(work, "audit.duckdb");
    // A first snapshot, so readers have something to list and the crawl merges into history.
    const first = await runCli(
      cli,
      ["crawl", "--db", db, "--base-url", sim.baseUrl, "--json"],
      env,
    );
    if (first.code !== 0) throw new Error(`first crawl exited ${first.code}: ${first.stderr}`);
    const baseline: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await runCli(cli, ["snapshots", "--db", db, "--json"], env);
      if (r.code !== 0) throw new Error(`baseline reader exited ${r.code}`);
      baseline.push(r.ms);
    }
    const baselineMs = [...baseline].sort((a, b) => a - b)[1] as number;

    const started = performance.now();
    const crawl = spawn(
      process.execPath,
      [cli, "crawl", "--db", db, "--base-url", sim.baseUrl, "--json"],
      {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let publishAt: number | null = null;
    let seen = "";
    crawl.stderr?.setEncoding("utf8"); // a character can straddle two chunks
    crawl.stderr?.on("data", (d: string) => {
      seen += d;
      if (publishAt === null && seen.includes('"phase":"publish"')) publishAt = performance.now();
      if (seen.length > 100_000) seen = seen.slice(-1000);
    });
    const crawlExit = new Promise<number | null>((r) => crawl.once("exit", r));
    let crawlEndedAt: number | null = null;
    void crawlExit.then(() => {
      crawlEndedAt = performance.now();
    });
    const readers: Promise<{
      code: number | null;
      ms: number;
      startedS: number;
      lockWaitMs: number;
      waited: boolean;
    }>[] = [];
    let running = 0;
    while (crawlEndedAt === null) {
      // At most four at once: on a loaded machine a reader can take longer than a second.
      if (running < 4) {
        const startedS = (performance.now() - started) / 1000;
        running += 1;
        readers.push(
          runCli(cli, ["snapshots", "--db", db, "--json"], env).then((r) => {
            running -= 1;
            return {
              code: r.code,
              ms: r.ms,
              startedS,
              waited: r.stderr.includes("waiting up to"),
              lockWaitMs: r.lockWaitMs,
            };
          }),
        );
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const code = await crawlExit;
    if (code !== 0) throw new Error(`crawl exited ${code}`);
    const done = await Promise.all(readers);
    const endedAt = crawlEndedAt ?? performance.now();
    const crawlS = (endedAt - started) / 1000;
    const publishS = publishAt === null ? 0 : (endedAt - publishAt) / 1000;
    const succeeded = done.filter((r) => r.code === 0).length;
    // The lock wait, not the reader's whole run: on 2 cores a reader beside a crawl also runs
    // slower than alone (reported as longest_reader_s).
    const longestWaitS = Math.max(0, ...done.map((r) => r.lockWaitMs / 1000));
    const longestReaderS = Math.max(0, ...done.map((r) => r.ms / 1000));
    log(
      `readers-during-crawl: crawl ${crawlS.toFixed(1)} s (publish ${publishS.toFixed(1)} s); ${succeeded}/${done.length} readers succeeded, ${done.filter((r) => r.waited).length} waited; longest lock wait ${longestWaitS.toFixed(1)} s, longest reader ${longestReaderS.toFixed(1)} s (reader alone ${(baselineMs / 1000).toFixed(1)} s)`,
    );
    return {
      organization: org,
      latency_ms: latencyMs,
      crawl_s: round(crawlS),
      publish_s: round(publishS),
      reader_alone_s: round(baselineMs / 1000),
      readers: done.length,
      readers_succeeded: succeeded,
      readers_that_waited: done.filter((r) => r.waited).length,
      longest_wait_s: round(longestWaitS),
      longest_reader_s: round(longestReaderS),
      reader_runs: done.map((r) => ({
        started_s: round(r.startedS),
        wall_s: round(r.ms / 1000),
        lock_wait_s: round(r.lockWaitMs / 1000),
        ok: r.code === 0,
        waited: r.waited,
      })),
      targets: { all_readers_succeed: true, longest_wait_max_s: round(publishS + 1) },
      pass: crawlS >= 10 && succeeded === done.length && longestWaitS < publishS + 1,
    };
  } finally {
    await stopProcess(sim.child);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Crawl (real CLI, `--json`) into `db`: its peak RSS in MB, and its wall time. */
async function crawlPeak(
  cli: string,
  sim: RunningSim,
  db: string,
): Promise<{ peakMb: number; wallS: number }> {
  const run = await runCliMeasured(
    cli,
    ["crawl", "--db", db, "--base-url", sim.baseUrl, "--concurrency", "8", "--json"],
    { OPENAI_ADMIN_KEY: sim.adminKey },
  );
  if (run.code !== 0) throw new Error(`crawl exited ${run.code}`);
  return { peakMb: run.peakRssMb, wallS: round(run.wallMs / 1000) };
}

export async function benchCrawlMemory(log: Log, cli: string): Promise<Record<string, Json>> {
  const work = mkdtempSync(join(tmpdir(), "aa-bench-memory-"));
  try {
    const small = { seed: 1, groups: 500, users: 12_500, memberships: 250_000 };
    const large = { seed: 1, groups: 2000, users: 50_000, memberships: 1_000_000 };
    const simArgs = (o: typeof small) => [
      "--seed",
      String(o.seed),
      "--groups",
      String(o.groups),
      "--users",
      String(o.users),
      "--memberships",
      String(o.memberships),
      "--latency-ms",
      "5",
    ];

    const smallSim = await startSimProcess(cli, simArgs(small));
    let at250k: { peakMb: number; wallS: number };
    try {
      at250k = await crawlPeak(cli, smallSim, join(work, "small.duckdb"));
    } finally {
      await stopProcess(smallSim.child);
    }
    log(`crawl-memory: 250,000 memberships: peak RSS ${at250k.peakMb} MB (${at250k.wallS} s)`);

    // The history: the same organization as the simulator serves, 0.5% churn between snapshots.
    log("crawl-memory: writing 1 and 30 snapshots of 1,000,000 memberships");
    const state = generateOrganization(large);
    const churn = Math.round(state.counts().memberships * 0.005);
    const one = join(work, "one.duckdb");
    const thirty = join(work, "thirty.duckdb");
    let store = await Store.open(thirty);
    for (let i = 1; i <= 30; i++) {
      if (i > 1) applyChurn(state, churn, i);
      await writeSnapshotFromState(store, state);
      if (i === 1) {
        // Closed, the file holds everything (checkpointed): a copy is the one-snapshot database.
        await store.close();
        copyFileSync(thirty, one);
        store = await Store.open(thirty);
      }
    }
    await store.close();
    const largeSim = await startSimProcess(cli, simArgs(large));
    let withOne: { peakMb: number; wallS: number };
    let withThirty: { peakMb: number; wallS: number };
    try {
      withOne = await crawlPeak(cli, largeSim, one);
      log(
        `crawl-memory: 1,000,000 memberships into 1 snapshot: peak RSS ${withOne.peakMb} MB (${withOne.wallS} s)`,
      );
      withThirty = await crawlPeak(cli, largeSim, thirty);
      log(
        `crawl-memory: 1,000,000 memberships into 30 snapshots: peak RSS ${withThirty.peakMb} MB (${withThirty.wallS} s)`,
      );
    } finally {
      await stopProcess(largeSim.child);
    }
    const growth = withThirty.peakMb / withOne.peakMb;
    const peakMax = Math.max(at250k.peakMb, withOne.peakMb, withThirty.peakMb);
    return {
      latency_ms: 5,
      concurrency: 8,
      peak_rss_mb_250k: at250k.peakMb,
      peak_rss_mb_1m: withOne.peakMb,
      peak_rss_mb_1m_30_snapshots: withThirty.peakMb,
      crawl_s_250k: at250k.wallS,
      crawl_s_1m: withOne.wallS,
      crawl_s_1m_30_snapshots: withThirty.wallS,
      history_growth: round(growth, 3),
      targets: { peak_rss_mb_max: 250, history_growth_max: 1.1 },
      pass: peakMax < 250 && growth <= 1.1,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
