/**
 * verify's seals (computeSeals: each history row digested once; a report's one or two snapshots
 * each hashed from the ranges that contain it, more derived one from the previous one's) against
 * the documented format computed from each view's own rows,
 * on a history with churn, a failed crawl and retention; and a row changed, removed or added in
 * the middle of history is named by exactly the snapshots that show it.
 */
import { createHash } from "node:crypto";
import { copyFileSync } from "node:fs";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { Store } from "../src/store/index.js";
import {
  computeSeal,
  computeSeals,
  GENESIS_SEAL,
  partLinesSql,
  SEAL_PARTS,
  type Seal,
} from "../src/store/seal.js";
import { caseDatabases } from "./support/case-databases.js";
import { failSnapshot, orgAt, publishOrg } from "./support/history-org.js";

const dbPath = caseDatabases("seal-incremental-");

async function withConnection<T>(
  path: string,
  work: (connection: DuckDBConnection) => Promise<T>,
  readOnly = true,
): Promise<T> {
  const instance = await DuckDBInstance.create(path, readOnly ? { access_mode: "READ_ONLY" } : {});
  const connection = await instance.connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Snapshots 1-3 and 5-7 complete with changes between each, 4 failed. */
async function buildHistory(path: string): Promise<void> {
  const store = await Store.open(path);
  for (let step = 1; step <= 3; step++) await publishOrg(store, orgAt(step));
  await failSnapshot(store, orgAt(4));
  for (let step = 4; step <= 6; step++) await publishOrg(store, orgAt(step));
  await store.close();
}

/** The chain's targets as verify builds them: complete snapshots, each after the stored seal before it. */
async function chainTargets(connection: DuckDBConnection) {
  const rows = (
    await connection.runAndReadAll(
      `SELECT snapshot_id, status, seal FROM snapshot_runs
       WHERE status IN ('complete', 'pruned') ORDER BY snapshot_id`,
    )
  ).getRowsJS();
  const targets: { snapshotId: number; previousSeal: string }[] = [];
  let previousSeal = GENESIS_SEAL;
  for (const [id, status, seal] of rows) {
    if (status === "complete") targets.push({ snapshotId: Number(id), previousSeal });
    previousSeal = String(seal);
  }
  return targets;
}

/** The documented format, from the view's lines alone: sha256 per line, sorted, concatenated. */
async function viewPartHashes(connection: DuckDBConnection, snapshotId: number) {
  const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
  const hashes: Record<string, [number, string]> = {};
  for (const part of SEAL_PARTS) {
    const lines = (await connection.runAndReadAll(partLinesSql(part), [snapshotId])).getRowsJS();
    const digests = lines.map(([line]) => sha(String(line))).sort();
    hashes[part.part] = [lines.length, sha(digests.join(""))];
  }
  return hashes;
}

const partHashes = (seal: Seal | undefined) =>
  Object.fromEntries((seal?.parts ?? []).map((p) => [p.part, [p.rowCount, p.sha256]]));

async function expectSameAsViews(path: string, wanted: number[]): Promise<void> {
  await withConnection(path, async (connection) => {
    const targets = await chainTargets(connection);
    expect(targets.map((t) => t.snapshotId)).toEqual(wanted);
    const all = await computeSeals(connection, targets);
    const stored = (
      await connection.runAndReadAll("SELECT snapshot_id, seal FROM snapshot_runs")
    ).getRowsJS();
    for (const target of targets) {
      const id = target.snapshotId;
      const seal = all.get(id);
      expect(partHashes(seal), `snapshot ${id}`).toEqual(await viewPartHashes(connection, id));
      // The single-snapshot path (publish) agrees, and both give the stored seal.
      const single = await computeSeal(connection, id, target.previousSeal);
      expect(single).toEqual(seal);
      expect(seal?.seal).toBe(String(stored.find(([s]) => Number(s) === id)?.[1]));
      // One target alone (verify --snapshot) gives the same seal as the whole chain's walk.
      expect((await computeSeals(connection, [target])).get(id)).toEqual(seal);
    }
    // Two targets (a report's snapshot and the one it is compared with), near and far apart.
    for (const [i, first] of targets.entries()) {
      for (const second of targets.slice(i + 1)) {
        const pair = await computeSeals(connection, [first, second]);
        const ids = `${first.snapshotId} and ${second.snapshotId}`;
        expect(pair.get(first.snapshotId), ids).toEqual(all.get(first.snapshotId));
        expect(pair.get(second.snapshotId), ids).toEqual(all.get(second.snapshotId));
      }
    }
  });
}

describe("incremental seals (verify)", () => {
  const original = dbPath();

  it("equal the documented format on every snapshot of a history with churn", async () => {
    await buildHistory(original);
    await withConnection(original, async (connection) => {
      // The history really churns: rows open and close in the middle.
      const closed = await connection.runAndReadAll(
        "SELECT count(*)::INTEGER FROM hist_group_members WHERE valid_to IS NOT NULL AND valid_from > 1",
      );
      expect(Number(closed.getRowsJS()[0]?.[0])).toBeGreaterThan(0);
    });
    await expectSameAsViews(original, [1, 2, 3, 5, 6, 7]);
  });

  it("equal the documented format after retention narrowed the history", async () => {
    const copy = dbPath();
    copyFileSync(original, copy);
    const store = await Store.open(copy);
    await store.addHold(3, "audit");
    const result = await store.applyRetention({ kind: "last", count: 2 });
    expect(result.prune).toEqual([1, 2, 5]);
    expect(Object.values(result.history_rows_narrowed).some((n) => n > 0)).toBe(true);
    await store.close();
    await expectSameAsViews(copy, [3, 6, 7]);
    const reader = await Store.open(copy, { readOnly: true });
    expect((await reader.verify()).ok).toBe(true);
    await reader.close();
  });

  /** A history row whose range lies strictly inside the chain, and the snapshots showing it. */
  async function middleRow(path: string) {
    return withConnection(path, async (connection) => {
      const row = (
        await connection.runAndReadAll(
          `SELECT group_id, user_id, valid_from, valid_to FROM hist_group_members
           WHERE valid_from > 1 AND valid_to IS NOT NULL AND valid_to < 7
           ORDER BY valid_from, group_id, user_id LIMIT 1`,
        )
      ).getRowObjectsJS()[0];
      expect(row).toBeDefined();
      const from = Number(row?.valid_from);
      const to = Number(row?.valid_to);
      const shown = [1, 2, 3, 5, 6, 7].filter((id) => from <= id && id <= to);
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.length).toBeLessThan(6);
      return { groupId: String(row?.group_id), userId: String(row?.user_id), from, to, shown };
    });
  }

  const cases: [string, (r: Awaited<ReturnType<typeof middleRow>>) => string, "shown" | "one"][] = [
    [
      "a changed row",
      (r) =>
        `UPDATE hist_group_members SET email = 'mallory@example.com'
           WHERE group_id = '${r.groupId}' AND user_id = '${r.userId}' AND valid_from = ${r.from}`,
      "shown",
    ],
    [
      "a removed row",
      (r) =>
        `DELETE FROM hist_group_members
           WHERE group_id = '${r.groupId}' AND user_id = '${r.userId}' AND valid_from = ${r.from}`,
      "shown",
    ],
    [
      "an added row",
      () =>
        `INSERT INTO hist_group_members VALUES ('group-x', 'user-x', 'x@example.com', 'X', 5, 5)`,
      "one",
    ],
  ];
  for (const [label, sql, affected] of cases) {
    it(`name the snapshots that show ${label} in the middle of history`, async () => {
      const copy = dbPath();
      copyFileSync(original, copy);
      const row = await middleRow(copy);
      await withConnection(copy, (c) => c.run(sql(row)).then(() => undefined), false);
      const store = await Store.open(copy, { readOnly: true });
      const result = await store.verify();
      const shown = affected === "shown" ? row.shown : [5];
      // As a report verifies: its snapshot and one that does not show the row (hashed in place).
      const clean = [1, 2, 3, 5, 6, 7].find((id) => !shown.includes(id)) as number;
      const pairs = await Promise.all(
        shown.map((id) => store.verify(id < clean ? [id, clean] : [clean, id])),
      );
      await store.close();
      const bad = result.snapshots.filter((s) => !s.ok);
      expect(bad.map((s) => s.snapshot_id)).toEqual(shown);
      for (const s of bad) expect(s.mismatched_parts).toEqual(["group_members"]);
      expect(result.ok).toBe(false);
      for (const [i, pair] of pairs.entries()) {
        expect(pair.snapshots.filter((s) => !s.ok).map((s) => s.snapshot_id)).toEqual([shown[i]]);
      }
    });
  }
});
