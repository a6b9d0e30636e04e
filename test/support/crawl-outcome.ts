/**
 * The one outcome a crawl under faults may have, checked the same way everywhere: an exact
 * snapshot of the simulator's state, or a clean failure (nothing visible, the run `failed`,
 * and an error that does not carry the admin key).
 */
import { expect } from "vitest";
import type { RunningSimulator } from "../../src/simulator/index.js";
import type { Store } from "../../src/store/index.js";
import { expectedSnapshot, storedSnapshot } from "./expected.js";

export async function exactOrCleanFailure(
  sim: RunningSimulator,
  store: Store,
  crawlOnce: () => Promise<{ snapshotId: number }>,
): Promise<"exact" | "failed"> {
  const expected = expectedSnapshot(sim.state);
  let snapshotId: number;
  try {
    snapshotId = (await crawlOnce()).snapshotId;
  } catch (error) {
    expect(String(error)).not.toContain(sim.adminKey);
    const visible = await store.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM snapshot_group_members)
         + (SELECT count(*) FROM snapshot_projects) AS n`,
    );
    expect(Number(visible[0]?.n)).toBe(0);
    const statuses = await store.query<{ status: string }>("SELECT status FROM snapshots");
    expect(statuses.map((r) => r.status)).toEqual(["failed"]);
    return "failed";
  }
  expect(await storedSnapshot(store, snapshotId)).toEqual(expected);
  return "exact";
}
