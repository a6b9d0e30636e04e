/**
 * Recomputes seals from the stored rows and checks the chain, plus structural
 * checks the seal cannot see (history rows that no complete snapshot shows).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { StoreError } from "./errors.js";
import { FACT_TABLES, ident } from "./schema.js";
import { computeSeal, GENESIS_SEAL } from "./seal.js";

export interface SnapshotVerification {
  snapshot_id: number;
  /** The seal stored at publish (null if it is missing). */
  stored: string | null;
  /** The seal recomputed now from the stored rows and the previous stored seal. */
  computed: string;
  ok: boolean;
  /** Parts whose recomputed hash differs from the hash stored at publish (diagnostic). */
  mismatched_parts: string[];
}

export interface VerifyResult {
  ok: boolean;
  snapshots: SnapshotVerification[];
  /** Problems outside any one seal, e.g. history rows attributed to no complete snapshot. */
  issues: string[];
}

interface CompleteSnapshot {
  snapshotId: number;
  seal: string | null;
}

async function completeSnapshots(connection: DuckDBConnection): Promise<CompleteSnapshot[]> {
  const reader = await connection.runAndReadAll(
    "SELECT snapshot_id, seal FROM snapshot_runs WHERE status = 'complete' ORDER BY snapshot_id",
  );
  return reader.getRowObjectsJS().map((row) => ({
    snapshotId: Number(row.snapshot_id),
    seal: typeof row.seal === "string" ? row.seal : null,
  }));
}

async function storedParts(
  connection: DuckDBConnection,
  snapshotId: number,
): Promise<Map<string, string>> {
  const reader = await connection.runAndReadAll(
    "SELECT part, sha256 FROM run_seal_parts WHERE snapshot_id = $1",
    [snapshotId],
  );
  return new Map(reader.getRowsJS().map(([part, sha]) => [String(part), String(sha)]));
}

/** Every legitimate history row starts and ends at a complete snapshot, in order. */
async function structuralIssues(connection: DuckDBConnection): Promise<string[]> {
  const issues: string[] = [];
  for (const table of FACT_TABLES) {
    const reader = await connection.runAndReadAll(
      `WITH complete AS (SELECT snapshot_id FROM snapshot_runs WHERE status = 'complete')
       SELECT count(*)::INTEGER FROM ${ident(table.hist)} AS h
       WHERE h.valid_from NOT IN (SELECT snapshot_id FROM complete)
          OR (h.valid_to IS NOT NULL AND (h.valid_to < h.valid_from
              OR h.valid_to NOT IN (SELECT snapshot_id FROM complete)))`,
    );
    const orphans = Number(reader.getRowsJS()[0]?.[0] ?? 0);
    if (orphans > 0) {
      issues.push(`${table.hist}: ${orphans} row(s) with a validity range that no publish wrote`);
    }
  }
  const sealed = await connection.runAndReadAll(
    `SELECT snapshot_id, status FROM snapshot_runs
     WHERE status <> 'complete' AND seal IS NOT NULL ORDER BY snapshot_id`,
  );
  for (const [id, status] of sealed.getRowsJS()) {
    issues.push(`snapshot ${String(id)} carries a seal but its status is '${String(status)}'`);
  }
  return issues;
}

export async function verifySnapshots(
  connection: DuckDBConnection,
  snapshotId?: number,
): Promise<VerifyResult> {
  const complete = await completeSnapshots(connection);
  if (snapshotId !== undefined && !complete.some((s) => s.snapshotId === snapshotId)) {
    throw new StoreError("SNAPSHOT_NOT_FOUND", `snapshot ${snapshotId} is not a complete snapshot`);
  }
  const snapshots: SnapshotVerification[] = [];
  let previousSeal = GENESIS_SEAL;
  for (const snapshot of complete) {
    if (snapshotId === undefined || snapshot.snapshotId === snapshotId) {
      const computed = await computeSeal(connection, snapshot.snapshotId, previousSeal);
      const stored = await storedParts(connection, snapshot.snapshotId);
      snapshots.push({
        snapshot_id: snapshot.snapshotId,
        stored: snapshot.seal,
        computed: computed.seal,
        ok: snapshot.seal === computed.seal,
        mismatched_parts: computed.parts
          .filter((p) => stored.get(p.part) !== p.sha256)
          .map((p) => p.part),
      });
    }
    // Chain on the stored seal, so one tampered snapshot does not flag every later one.
    previousSeal = snapshot.seal ?? GENESIS_SEAL;
  }
  const issues = await structuralIssues(connection);
  return { ok: issues.length === 0 && snapshots.every((s) => s.ok), snapshots, issues };
}
