/**
 * verify-history (issue 19): `access-audit verify` as a user runs it (the CLI in its own process),
 * on one snapshot of 2,000 groups, 50,000 users and 1,000,000 memberships, and on the same
 * database after 30 snapshots with 0.5% membership churn each, measured in the same run. Wall
 * time and peak RSS; every seal must verify. Target: 30 snapshots under 10 s.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateOrganization } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { applyChurn, writeSnapshotFromState } from "./org-snapshot.js";
import { runCliMeasured } from "./process.js";

const SNAPSHOTS = 30;
const THIRTY_TARGET_MS = 10_000;
const PEAK_RSS_TARGET_MB = 1_024;

interface VerifyRun {
  wall_ms: number;
  peak_rss_mb: number;
  snapshots: number;
  ok: boolean;
}

async function runVerify(cli: string, db: string): Promise<VerifyRun> {
  const run = await runCliMeasured(cli, ["verify", "--db", db, "--json"]);
  // verify exits non-zero on a mismatch; the JSON says which, so parse it either way.
  const parsed = JSON.parse(run.stdout) as { ok: boolean; snapshots: { ok: boolean }[] };
  return {
    wall_ms: Math.round(run.wallMs),
    peak_rss_mb: run.peakRssMb,
    snapshots: parsed.snapshots.length,
    ok: parsed.ok && run.code === 0 && parsed.snapshots.every((s) => s.ok),
  };
}

/** Writes its figures to `results["verify-history"]`. */
export async function benchVerifyHistory(
  results: Record<string, unknown>,
  log: (s: string) => void,
  cli: string,
): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "aa-bench-verify-"));
  try {
    const state = generateOrganization({
      seed: 4,
      groups: 2000,
      users: 50_000,
      memberships: 1_000_000,
    });
    const db = join(work, "history.duckdb");
    const oneDb = join(work, "one.duckdb");
    const churn = Math.round(state.counts().memberships * 0.005);
    let store = await Store.open(db);
    for (let i = 1; i <= SNAPSHOTS; i++) {
      if (i > 1) applyChurn(state, churn, i);
      await writeSnapshotFromState(store, state, { userRoles: false });
      if (i === 1) {
        // Closing checkpoints the WAL into the file, so the copy is the whole database.
        await store.close();
        copyFileSync(db, oneDb);
        store = await Store.open(db);
      }
    }
    await store.close();
    log(`verify-history: built ${SNAPSHOTS} snapshots (${churn} memberships churn each)`);
    const one = await runVerify(cli, oneDb);
    log(`verify-history: 1 snapshot ${one.wall_ms} ms, peak RSS ${one.peak_rss_mb} MB`);
    const thirty = await runVerify(cli, db);
    log(
      `verify-history: ${SNAPSHOTS} snapshots ${thirty.wall_ms} ms, peak RSS ${thirty.peak_rss_mb} MB`,
    );
    const allOk = one.ok && thirty.ok && one.snapshots === 1 && thirty.snapshots === SNAPSHOTS;
    results["verify-history"] = {
      memberships: state.counts().memberships,
      churn_per_snapshot: churn,
      one,
      thirty,
      ratio: Math.round((thirty.wall_ms / one.wall_ms) * 100) / 100,
      every_seal_verified: allOk,
      targets: {
        thirty_wall_ms_max: THIRTY_TARGET_MS,
        peak_rss_mb_max: PEAK_RSS_TARGET_MB,
      },
      pass:
        allOk &&
        thirty.wall_ms < THIRTY_TARGET_MS &&
        Math.max(one.peak_rss_mb, thirty.peak_rss_mb) < PEAK_RSS_TARGET_MB,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
