/**
 * Retention: the policy as a pure function, then pruning real DuckDB files (the seal chain still
 * verifies, the remaining snapshots' views are unchanged row for row, history shrinks, held and
 * latest snapshots stay), migration 3 on a file written before it, and the CLI commands.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { diffSnapshots } from "../src/analysis/diff.js";
import {
  planRetention,
  type RetentionPlanInput,
  type RetentionPolicy,
  SCHEMA_VERSION,
  Store,
} from "../src/store/index.js";
import { MIGRATIONS, migrate } from "../src/store/migrations.js";
import { computeSeal, GENESIS_SEAL } from "../src/store/seal.js";
import { silentLogger } from "../src/util/log.js";
import { cliEnv, runCli } from "./support/cli.js";
import {
  failSnapshot,
  historyRowCounts,
  orgAt,
  PUBLIC_VIEWS,
  publishOrg,
  viewRows,
} from "./support/history-org.js";

const root = mkdtempSync(join(tmpdir(), "retention-"));
let counter = 0;
function dbPath(): string {
  counter += 1;
  return join(root, `case-${counter}`, "audit.duckdb");
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

type PlanSnapshot = RetentionPlanInput["snapshots"][number];
const snap = (id: number, finished: string, status: PlanSnapshot["status"] = "complete") => ({
  snapshot_id: id,
  status,
  finished_at: finished,
});

describe("planRetention", () => {
  const snapshots: PlanSnapshot[] = [
    snap(1, "2024-01-05T10:00:00.000Z"),
    snap(2, "2024-01-20T10:00:00.000Z"),
    snap(3, "2024-01-25T10:00:00.000Z", "failed"),
    snap(4, "2024-02-03T10:00:00.000Z"),
    snap(5, "2024-02-25T10:00:00.000Z"),
    snap(6, "2024-03-10T10:00:00.000Z"),
    snap(7, "2024-03-28T10:00:00.000Z"),
    snap(8, "2024-04-02T10:00:00.000Z"),
  ];
  const now = new Date("2024-04-05T00:00:00Z");
  const plan = (
    policy: RetentionPolicy,
    holds: number[] = [],
    extra: Partial<RetentionPlanInput> = {},
  ) => planRetention({ snapshots, holds, policy, now, ...extra });

  it("keep: all prunes nothing", () => {
    const result = plan({ kind: "all" });
    expect(result.prune).toEqual([]);
    expect(result.keep).toEqual([1, 2, 4, 5, 6, 7, 8]);
    expect(result.policy).toBe("keep: all");
  });

  it("keep_last N keeps the last N complete snapshots; failed runs are not counted or touched", () => {
    const result = plan({ kind: "last", count: 3 });
    expect(result.keep).toEqual([6, 7, 8]);
    expect(result.prune).toEqual([1, 2, 4, 5]);
    expect(result.decisions.map((d) => d.snapshot_id)).not.toContain(3);
    expect(result.decisions.find((d) => d.snapshot_id === 8)?.reasons).toEqual([
      "latest",
      "keep_last",
    ]);
  });

  it("never prunes a held snapshot or the latest", () => {
    const result = plan({ kind: "last", count: 1 }, [2, 2, 5]);
    expect(result.keep).toEqual([2, 5, 8]);
    expect(result.prune).toEqual([1, 4, 6, 7]);
    expect(result.decisions.find((d) => d.snapshot_id === 2)?.reasons).toEqual(["held"]);
    // Even a policy that keeps nothing by age keeps the latest.
    const old = plan({ kind: "younger_than", duration: "1h", monthly: false });
    expect(old.keep).toEqual([8]);
    expect(old.decisions.at(-1)?.reasons).toEqual(["latest"]);
  });

  it("keep_younger_than keeps what finished within the duration", () => {
    expect(plan({ kind: "younger_than", duration: "14d", monthly: false }).keep).toEqual([7, 8]);
    expect(plan({ kind: "younger_than", duration: "4w", monthly: false }).keep).toEqual([6, 7, 8]);
    expect(plan({ kind: "younger_than", duration: "72h", monthly: false }).keep).toEqual([8]);
  });

  it("monthly adds the last complete snapshot of each calendar month", () => {
    const result = plan({ kind: "younger_than", duration: "14d", monthly: true });
    expect(result.keep).toEqual([2, 5, 7, 8]);
    expect(result.prune).toEqual([1, 4, 6]);
    expect(result.decisions.find((d) => d.snapshot_id === 7)?.reasons).toEqual([
      "younger_than",
      "last_of_month",
    ]);
    expect(result.policy).toBe("keep_younger_than: 14d, monthly: true");
  });

  it("takes calendar months in the given time zone", () => {
    const edge: PlanSnapshot[] = [
      snap(1, "2024-01-15T12:00:00.000Z"),
      snap(2, "2024-01-31T23:30:00.000Z"), // already February in Paris
      snap(3, "2024-02-10T12:00:00.000Z"),
      snap(4, "2024-06-01T12:00:00.000Z"),
    ];
    const policy: RetentionPolicy = { kind: "younger_than", duration: "1d", monthly: true };
    const input = { snapshots: edge, holds: [], policy, now: new Date("2024-06-01T13:00:00Z") };
    expect(planRetention(input).keep).toEqual([2, 3, 4]);
    expect(planRetention({ ...input, timeZone: "Europe/Paris" }).keep).toEqual([1, 3, 4]);
  });

  it("rejects a policy that would keep nothing", () => {
    expect(() => plan({ kind: "last", count: 0 })).toThrow(/at least 1/);
    expect(() => plan({ kind: "younger_than", duration: "soon", monthly: false })).toThrow(
      /duration/,
    );
  });
});

/** Rows of every public view for each snapshot, to compare before and after. */
async function captureViews(store: Store, ids: readonly number[]): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  for (const id of ids) {
    for (const view of PUBLIC_VIEWS) out.set(`${view}@${id}`, await viewRows(store, view, id));
  }
  return out;
}

async function statuses(store: Store): Promise<[number, string][]> {
  return (await store.listSnapshots()).map((s) => [s.snapshot_id, s.status]);
}

const DATA_VIEWS = PUBLIC_VIEWS.filter((v) => v !== "snapshots" && v !== "snapshot_seal_parts");

/** The six complete snapshots 1, 2, 3, 5, 6, 7 (steps 1..6) with a failed crawl 4 in between. */
async function buildHistory(path: string): Promise<Store> {
  const store = await Store.open(path);
  for (let step = 1; step <= 3; step++) await publishOrg(store, orgAt(step));
  expect(await failSnapshot(store, orgAt(4))).toBe(4);
  for (let step = 4; step <= 6; step++) await publishOrg(store, orgAt(step));
  return store;
}

describe("retention on a real database", () => {
  it("prunes by keep_last around a hold: views unchanged, verify passes, history shrinks", async () => {
    const store = await buildHistory(dbPath());
    const kept = [2, 6, 7];
    const before = await captureViews(store, [1, 2, 3, 5, 6, 7]);
    const historyBefore = await historyRowCounts(store);
    const runsBefore = await store.listSnapshots();
    const diffBefore = [
      await diffSnapshots(store, { from: 2, to: 6 }),
      await diffSnapshots(store, { from: 7, to: 2 }),
    ];
    const failedEvidence = await store.query(
      "SELECT * FROM snapshot_endpoints WHERE snapshot_id = 4 ORDER BY ALL",
    );
    expect(failedEvidence.length).toBeGreaterThan(0);

    const hold = await store.addHold(2, "Q1 certification");
    expect(hold).toMatchObject({ snapshot_id: 2, reason: "Q1 certification" });
    await expect(store.addHold(4, "nope")).rejects.toThrow(/snapshot 4 is failed/);
    await expect(store.addHold(99, "nope")).rejects.toThrow(/does not exist/);

    const policy: RetentionPolicy = { kind: "last", count: 2 };
    const dry = await store.applyRetention(policy, { dryRun: true });
    expect(dry.dry_run).toBe(true);
    expect(dry.prune).toEqual([1, 3, 5]);
    expect(await historyRowCounts(store)).toEqual(historyBefore);
    expect(await statuses(store)).toEqual(runsBefore.map((r) => [r.snapshot_id, r.status]));

    const result = await store.applyRetention(policy);
    expect(result.prune).toEqual([1, 3, 5]);
    expect(result.keep).toEqual(kept);
    expect(result.decisions.map((d) => [d.snapshot_id, d.reasons])).toEqual([
      [1, []],
      [2, ["held"]],
      [3, []],
      [5, []],
      [6, ["keep_last"]],
      [7, ["latest", "keep_last"]],
    ]);
    // The dry run counted exactly what the real run did.
    expect(dry.history_rows_deleted).toEqual(result.history_rows_deleted);
    expect(dry.history_rows_narrowed).toEqual(result.history_rows_narrowed);
    expect(dry.evidence_rows_deleted).toBe(result.evidence_rows_deleted);

    expect(await statuses(store)).toEqual([
      [1, "pruned"],
      [2, "complete"],
      [3, "pruned"],
      [4, "failed"],
      [5, "pruned"],
      [6, "complete"],
      [7, "complete"],
    ]);
    // A pruned snapshot keeps its row: counts and seal unchanged, pruned_at set.
    const runsAfter = await store.listSnapshots();
    for (const id of [1, 3, 5]) {
      const was = runsBefore.find((r) => r.snapshot_id === id);
      const now = runsAfter.find((r) => r.snapshot_id === id);
      expect(now).toMatchObject({ ...was, status: "pruned", pruned_at: expect.any(String) });
      expect(now?.seal).toMatch(/^[0-9a-f]{64}$/);
    }

    // Every view of every remaining snapshot, row for row.
    const after = await captureViews(store, kept);
    for (const id of kept) {
      for (const view of PUBLIC_VIEWS) {
        expect(after.get(`${view}@${id}`), `${view}@${id}`).toEqual(before.get(`${view}@${id}`));
      }
    }
    // Pruned snapshots: no data and no evidence left, but the seal parts stay with the seal.
    for (const id of [1, 3, 5]) {
      for (const view of DATA_VIEWS) {
        expect(await viewRows(store, view, id), `${view}@${id}`).toEqual([]);
      }
      expect(await viewRows(store, "snapshot_seal_parts", id)).toEqual(
        before.get(`snapshot_seal_parts@${id}`),
      );
    }
    expect((before.get("snapshot_vanished_groups@3") ?? []).length).toBe(1);
    expect(
      await store.query("SELECT * FROM snapshot_endpoints WHERE snapshot_id = 4 ORDER BY ALL"),
    ).toEqual(failedEvidence);
    expect(result.evidence_rows_deleted).toBe(3 * 2 + 1);

    // The history tables shrank, and no table grew.
    const historyAfter = await historyRowCounts(store);
    for (const [table, n] of Object.entries(historyAfter)) {
      expect(n, table).toBeLessThanOrEqual(historyBefore[table] ?? 0);
      expect(historyBefore[table] ?? 0, table).toBe(n + (result.history_rows_deleted[table] ?? -1));
    }
    const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    expect(total(historyAfter)).toBeLessThan(total(historyBefore));
    expect(result.history_rows_deleted.hist_group_members).toBeGreaterThan(0);
    expect(result.history_rows_deleted.hist_users).toBeGreaterThan(0); // the flapping user

    // The seal chain still verifies, through the pruned snapshots' stored seals.
    const verified = await store.verify();
    expect(verified.issues).toEqual([]);
    expect(verified.ok).toBe(true);
    expect(verified.snapshots.map((s) => s.snapshot_id)).toEqual(kept);
    expect(verified.pruned.map((p) => p.snapshot_id)).toEqual([1, 3, 5]);
    await expect(store.verify(3)).rejects.toThrow(/snapshot 3 was pruned/);

    // Diffs across the gaps read the narrowed ranges and give the same answer.
    expect([
      await diffSnapshots(store, { from: 2, to: 6 }),
      await diffSnapshots(store, { from: 7, to: 2 }),
    ]).toEqual(diffBefore);

    // The next crawl merges onto the pruned history exactly as onto a full one.
    const next = await publishOrg(store, orgAt(7));
    expect(next.snapshotId).toBe(8);
    const fresh = await Store.open(dbPath());
    await publishOrg(fresh, orgAt(7));
    for (const view of DATA_VIEWS) {
      const strip = (rows: unknown[]) =>
        rows.map((r) => ({ ...(r as Record<string, unknown>), snapshot_id: 0 }));
      expect(strip(await viewRows(store, view, 8)), view).toEqual(
        strip(await viewRows(fresh, view, 1)),
      );
    }
    await fresh.close();
    expect((await store.verify()).ok).toBe(true);

    // Released, the held snapshot goes with the next run; the latest always stays.
    expect(await store.releaseHolds(2, "another reason")).toBe(0);
    expect(await store.releaseHolds(2)).toBe(1);
    const second = await store.applyRetention({ kind: "last", count: 1 });
    expect(second.prune).toEqual([2, 6, 7]);
    expect(second.keep).toEqual([8]);
    const final = await store.verify();
    expect(final.ok).toBe(true);
    expect(final.snapshots.map((s) => s.snapshot_id)).toEqual([8]);
    expect(final.pruned.map((p) => p.snapshot_id)).toEqual([1, 2, 3, 5, 6, 7]);
    // Only the latest snapshot's facts remain, each as one open range.
    const open = await store.query<{ n: number }>(
      "SELECT count(*)::INTEGER AS n FROM hist_group_members WHERE valid_from <> 8 OR valid_to IS NOT NULL",
    );
    expect(open[0]?.n).toBe(0);
    await store.close();
  });

  it("keeps the last of each month plus everything recent (keep_younger_than, monthly)", async () => {
    const path = dbPath();
    const store = await Store.open(path);
    const dates = [
      "2024-01-05T10:00:00Z",
      "2024-01-20T10:00:00Z",
      "2024-02-03T10:00:00Z",
      "2024-02-25T10:00:00Z",
      "2024-03-10T10:00:00Z",
      "2024-03-28T10:00:00Z",
      "2024-04-02T10:00:00Z",
    ];
    // Only Date is faked: the store stamps started_at / finished_at from the clock.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      for (const [i, date] of dates.entries()) {
        vi.setSystemTime(new Date(date));
        await publishOrg(store, orgAt(i + 1));
      }
    } finally {
      vi.useRealTimers();
    }
    const finished = (await store.listSnapshots()).map((s) => s.finished_at?.slice(0, 10));
    expect(finished).toEqual(dates.map((d) => d.slice(0, 10)));
    const before = await captureViews(store, [2, 4, 6, 7]);

    const result = await store.applyRetention(
      { kind: "younger_than", duration: "14d", monthly: true },
      { now: new Date("2024-04-05T00:00:00Z") },
    );
    expect(result.prune).toEqual([1, 3, 5]);
    expect(result.keep).toEqual([2, 4, 6, 7]);
    const after = await captureViews(store, [2, 4, 6, 7]);
    expect(after).toEqual(before);
    expect((await store.verify()).ok).toBe(true);
    await store.close();
  });

  it("verify flags a pruned status that retention would never have written", async () => {
    const store = await Store.open(dbPath());
    for (let step = 1; step <= 3; step++) await publishOrg(store, orgAt(step));
    // Hiding the latest snapshot by flipping its status is not a prune.
    await store.query("UPDATE snapshot_runs SET status = 'pruned' WHERE snapshot_id = 3");
    const flipped = await store.verify();
    expect(flipped.ok).toBe(false);
    expect(flipped.issues).toContain(
      "snapshot 3 is marked pruned but no later snapshot is complete",
    );
    expect(flipped.issues).toContain("snapshot 3 is marked pruned without a pruned_at time");
    await store.close();
  });

  it("refuses to run on a read-only store", async () => {
    const path = dbPath();
    const writer = await Store.open(path);
    await publishOrg(writer, orgAt(1));
    await writer.close();
    const reader = await Store.open(path, { readOnly: true });
    await expect(reader.applyRetention({ kind: "last", count: 1 })).rejects.toThrow(/read-only/);
    await expect(reader.addHold(1, "x")).rejects.toThrow(/read-only/);
    await reader.close();
  });
});

describe("migration 3", () => {
  afterEach(() => vi.useRealTimers());

  it("upgrades a schema-2 file with snapshots: rows preserved, pruned allowed, verify passes", async () => {
    const path = dbPath();
    mkdirSync(dirname(path), { recursive: true });
    // A file as the previous release wrote it: migrations 1 and 2, one sealed snapshot.
    const instance = await DuckDBInstance.create(path);
    const con = await instance.connect();
    await con.run("SET TimeZone = 'UTC'");
    await migrate(
      con,
      silentLogger,
      MIGRATIONS.filter((m) => m.version <= 2),
    );
    await con.run(
      `INSERT INTO snapshot_runs (snapshot_id, started_at, finished_at, status, base_url, tool_version,
         key_redacted, schema_version, groups, memberships, group_role_assignments, users,
         user_role_assignments, roles, requests, retries, rate_limited, vanished_groups,
         vanished_users, duplicate_rows)
       VALUES (1, '2024-01-01 00:00:00+00', '2024-01-01 00:01:00+00', 'complete', 'http://x/v1',
         '0.1.0', 'sk-...abcd', 2, 1, 1, 0, 1, 0, 0, 3, 0, 0, 0, 0, 0),
       (2, '2024-01-02 00:00:00+00', '2024-01-02 00:01:00+00', 'failed', 'http://x/v1',
         '0.1.0', 'sk-...abcd', 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL)`,
    );
    await con.run("UPDATE snapshot_runs SET error = 'boom' WHERE snapshot_id = 2");
    await con.run(
      "INSERT INTO hist_groups VALUES ('g1', 'Group', 'group', true, '2023-01-01 00:00:00+00', 1, NULL)",
    );
    await con.run("INSERT INTO hist_group_members VALUES ('g1', 'u1', 'u1@x.com', 'U', 1, NULL)");
    await con.run(
      "INSERT INTO hist_users VALUES ('u1', 'u1@x.com', 'U', 'reader', false, false, '2023-01-01 00:00:00+00', NULL, 1, NULL)",
    );
    await con.run("INSERT INTO run_endpoints VALUES (1, '/organization/groups', 1, 1, true)");
    const sealed = await computeSeal(con, 1, GENESIS_SEAL);
    await con.run("UPDATE snapshot_runs SET seal = $1 WHERE snapshot_id = 1", [sealed.seal]);
    for (const p of sealed.parts) {
      await con.run("INSERT INTO run_seal_parts VALUES (1, $1, $2, $3)", [
        p.part,
        p.rowCount,
        p.sha256,
      ]);
    }
    const runsV2 = (
      await con.runAndReadAll("SELECT * FROM snapshot_runs ORDER BY snapshot_id")
    ).getRowObjectsJS();
    con.closeSync();
    instance.closeSync();

    const store = await Store.open(path);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
    const runsV3 = await store.query(
      "SELECT * EXCLUDE (pruned_at), epoch_ms(started_at) AS s, epoch_ms(finished_at) AS f FROM snapshot_runs ORDER BY snapshot_id",
    );
    expect(runsV3.map((r) => [r.snapshot_id, r.status, r.seal, r.error, r.users])).toEqual(
      runsV2.map((r) => [r.snapshot_id, r.status, r.seal, r.error, r.users]),
    );
    expect((await store.listSnapshots()).map((s) => s.pruned_at)).toEqual([null, null]);
    expect((await store.verify()).ok).toBe(true);
    expect(await store.listHolds()).toEqual([]);
    await expect(
      store.query("UPDATE snapshot_runs SET status = 'bogus' WHERE snapshot_id = 2"),
    ).rejects.toThrow(/CHECK/i);

    // The new crawl chains onto the migrated one; then the old one can be pruned.
    await publishOrg(store, orgAt(1));
    const result = await store.applyRetention({ kind: "last", count: 1 });
    expect(result.prune).toEqual([1]);
    const verified = await store.verify();
    expect(verified.ok).toBe(true);
    expect(verified.pruned).toEqual([{ snapshot_id: 1, seal: sealed.seal }]);
    await store.close();
  });
});

describe("the CLI", () => {
  it("holds, releases, applies retention (dry run, flags, JSON) and still verifies", async () => {
    const path = dbPath();
    const store = await buildHistory(path);
    await store.close();
    const env = cliEnv({ ACCESS_AUDIT_DB: path });

    const held = await runCli(["snapshots", "hold", "2", "--reason", "SOX Q1 population"], env);
    expect(held.stderr).toBe("");
    expect(held.status).toBe(0);
    expect(held.stdout).toBe("snapshot 2 held: SOX Q1 population\n");
    const heldFailed = await runCli(["snapshots", "hold", "4", "--reason", "x"], env);
    expect(heldFailed.status).toBe(2);
    expect(heldFailed.stderr).toBe(
      "access-audit: snapshot 4 is failed: only a complete snapshot can be held\n",
    );
    const noReason = await runCli(["snapshots", "hold", "3"], env);
    expect(noReason.status).toBe(2);

    const listed = await runCli(["snapshots", "--json"], env);
    const rows = JSON.parse(listed.stdout) as { snapshot_id: number; held: boolean }[];
    expect(rows.filter((r) => r.held).map((r) => r.snapshot_id)).toEqual([2]);

    const both = await runCli(
      ["retention", "apply", "--keep-last", "2", "--keep-younger-than", "9d"],
      env,
    );
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/cannot be combined/);
    const badDuration = await runCli(
      ["retention", "apply", "--keep-younger-than", "3 months"],
      env,
    );
    expect(badDuration.status).toBe(2);
    expect(badDuration.stderr).toMatch(/expected a duration such as 90d/);
    const monthlyAlone = await runCli(["retention", "apply", "--monthly"], env);
    expect(monthlyAlone.status).toBe(2);

    // No flag and no configuration file: keep everything.
    const none = await runCli(["retention", "apply"], env);
    expect(none.status).toBe(0);
    expect(none.stdout).toMatch(/^policy keep: all\nnothing to prune\n/);

    const dry = await runCli(["retention", "apply", "--keep-last", "2", "--dry-run"], env);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(
      /^policy keep_last: 2 \(dry run: nothing changed\)\nwould prune 3 snapshot\(s\): 1, 3, 5\n/,
    );
    expect(dry.stdout).toContain("kept 3: 2 (held), 6 (keep_last), 7 (latest, keep_last)");

    const applied = await runCli(["retention", "apply", "--keep-last", "2", "--json"], env);
    expect(applied.stderr).toBe("");
    expect(applied.status).toBe(0);
    const result = JSON.parse(applied.stdout) as { prune: number[]; dry_run: boolean };
    expect(result).toMatchObject({ prune: [1, 3, 5], dry_run: false });

    const verified = await runCli(["verify"], env);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain("snapshot 3: pruned, seal ");
    expect(verified.stdout).toMatch(/3 snapshot\(s\) verified\n$/);
    const list = await runCli(["snapshots"], env);
    expect(list.stdout).toMatch(/\n1 +pruned /);
    expect(list.stdout).toMatch(/\n2 +complete \(held\) /);

    const released = await runCli(["snapshots", "release", "2", "--json"], env);
    expect(JSON.parse(released.stdout)).toEqual({ snapshot_id: 2, released: 1 });
    // The policy from a configuration file when no flag is given.
    const configPath = join(root, `retention-${counter}.yaml`);
    writeFileSync(configPath, "retention:\n  keep_last: 1\n");
    const fromConfig = await runCli(["retention", "apply", "--config", configPath, "--json"], env);
    expect(fromConfig.stderr).toBe("");
    expect(JSON.parse(fromConfig.stdout)).toMatchObject({ policy: "keep_last: 1", prune: [2, 6] });
    expect((await runCli(["verify"], env)).status).toBe(0);
  });
});
