import { StoreError } from "./errors.js";
import { FACT_TABLES, ident } from "./schema.js";
import { computeSeals, GENESIS_SEAL } from "./seal.js";
/** The seal chain: complete snapshots and the pruned ones between them, in order. */
async function chainedSnapshots(connection) {
    const reader = await connection.runAndReadAll(`SELECT snapshot_id, seal, status FROM snapshot_runs
     WHERE status IN ('complete', 'pruned') ORDER BY snapshot_id`);
    return reader.getRowObjectsJS().map((row) => ({
        snapshotId: Number(row.snapshot_id),
        seal: typeof row.seal === "string" ? row.seal : null,
        pruned: row.status === "pruned",
    }));
}
async function storedParts(connection, snapshotId) {
    const reader = await connection.runAndReadAll("SELECT part, sha256 FROM run_seal_parts WHERE snapshot_id = $1", [snapshotId]);
    return new Map(reader.getRowsJS().map(([part, sha]) => [String(part), String(sha)]));
}
/** Every legitimate history row starts and ends at a complete snapshot, in order. */
async function structuralIssues(connection) {
    const issues = [];
    for (const table of FACT_TABLES) {
        const reader = await connection.runAndReadAll(`WITH complete AS (SELECT snapshot_id FROM snapshot_runs WHERE status = 'complete')
       SELECT count(*)::INTEGER FROM ${ident(table.hist)} AS h
       WHERE h.valid_from NOT IN (SELECT snapshot_id FROM complete)
          OR (h.valid_to IS NOT NULL AND (h.valid_to < h.valid_from
              OR h.valid_to NOT IN (SELECT snapshot_id FROM complete)))`);
        const orphans = Number(reader.getRowsJS()[0]?.[0] ?? 0);
        if (orphans > 0) {
            issues.push(`${table.hist}: ${orphans} row(s) with a validity range that no publish wrote`);
        }
    }
    // Retention marks a snapshot pruned only with its seal kept, pruned_at set and a later
    // complete snapshot present (the latest is never pruned); anything else was not retention.
    const pruned = await connection.runAndReadAll(`SELECT snapshot_id, seal IS NULL, pruned_at IS NULL,
       snapshot_id > (SELECT coalesce(max(snapshot_id), 0) FROM snapshot_runs WHERE status = 'complete')
     FROM snapshot_runs WHERE status = 'pruned' ORDER BY snapshot_id`);
    for (const [id, noSeal, noPrunedAt, afterLatest] of pruned.getRowsJS()) {
        if (noSeal)
            issues.push(`pruned snapshot ${String(id)} has lost its seal: the chain cannot be followed`);
        if (noPrunedAt)
            issues.push(`snapshot ${String(id)} is marked pruned without a pruned_at time`);
        if (afterLatest) {
            issues.push(`snapshot ${String(id)} is marked pruned but no later snapshot is complete`);
        }
    }
    const sealed = await connection.runAndReadAll(`SELECT snapshot_id, status FROM snapshot_runs
     WHERE status NOT IN ('complete', 'pruned') AND seal IS NOT NULL ORDER BY snapshot_id`);
    for (const [id, status] of sealed.getRowsJS()) {
        issues.push(`snapshot ${String(id)} carries a seal but its status is '${String(status)}'`);
    }
    return issues;
}
/**
 * Verifies every complete snapshot, one, or several (`snapshotIds`, e.g. a report's snapshot and
 * the one it is compared with): the requested ones in one `computeSeals`, so a history row that
 * several of them show is digested once.
 */
export async function verifySnapshots(connection, snapshotIds) {
    const chain = await chainedSnapshots(connection);
    const requested = snapshotIds === undefined
        ? null
        : new Set(typeof snapshotIds === "number" ? [snapshotIds] : snapshotIds);
    for (const id of requested ?? []) {
        const found = chain.find((s) => s.snapshotId === id);
        if (found === undefined || found.pruned) {
            throw new StoreError("SNAPSHOT_NOT_FOUND", found?.pruned
                ? `snapshot ${id} was pruned by retention: its seal stays in the chain but its rows are gone`
                : `snapshot ${id} is not a complete snapshot`);
        }
    }
    // Each snapshot chains on the previous stored seal, so one tampered snapshot does not flag
    // every later one.
    const targets = [];
    const pruned = [];
    let previousSeal = GENESIS_SEAL;
    for (const snapshot of chain) {
        if (snapshot.pruned) {
            if (requested === null) {
                pruned.push({ snapshot_id: snapshot.snapshotId, seal: snapshot.seal });
            }
        }
        else if (requested === null || requested.has(snapshot.snapshotId)) {
            targets.push({ snapshotId: snapshot.snapshotId, previousSeal, stored: snapshot.seal });
        }
        previousSeal = snapshot.seal ?? GENESIS_SEAL;
    }
    const computed = await computeSeals(connection, targets);
    const snapshots = [];
    for (const target of targets) {
        const seal = computed.get(target.snapshotId);
        if (seal === undefined)
            throw new Error(`no seal computed for snapshot ${target.snapshotId}`);
        const stored = await storedParts(connection, target.snapshotId);
        snapshots.push({
            snapshot_id: target.snapshotId,
            stored: target.stored,
            computed: seal.seal,
            ok: target.stored === seal.seal,
            mismatched_parts: seal.parts
                .filter((p) => stored.get(p.part) !== p.sha256)
                .map((p) => p.part),
        });
    }
    const issues = await structuralIssues(connection);
    return { ok: issues.length === 0 && snapshots.every((s) => s.ok), snapshots, pruned, issues };
}
//# sourceMappingURL=verify.js.map