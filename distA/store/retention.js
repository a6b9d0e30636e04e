import { StoreError } from "./errors.js";
import { FACT_TABLES, ident } from "./schema.js";
export const KEEP_ALL = { kind: "all" };
const DURATION_UNITS_MS = {
    h: 3_600_000,
    d: 86_400_000,
    w: 7 * 86_400_000,
};
/** `12h`, `90d`, `8w` in milliseconds; null when the text is not such a duration. */
export function parseDuration(text) {
    const match = /^\s*(\d{1,6})\s*([hdw])\s*$/i.exec(text);
    if (!match)
        return null;
    const amount = Number(match[1]);
    const unit = DURATION_UNITS_MS[(match[2] ?? "").toLowerCase()];
    if (unit === undefined || amount <= 0)
        return null;
    return amount * unit;
}
/** The policy as the config file spells it, e.g. `keep_younger_than: 90d, monthly: true`. */
export function describePolicy(policy) {
    switch (policy.kind) {
        case "all":
            return "keep: all";
        case "last":
            return `keep_last: ${policy.count}`;
        case "younger_than":
            return `keep_younger_than: ${policy.duration}${policy.monthly ? ", monthly: true" : ""}`;
    }
}
/** `2024-03` for an instant, in a time zone. */
function monthKey(iso, timeZone) {
    const parts = new Intl.DateTimeFormat("en-CA", {
        timeZone,
        year: "numeric",
        month: "2-digit",
    }).formatToParts(new Date(iso));
    const year = parts.find((p) => p.type === "year")?.value ?? "0000";
    const month = parts.find((p) => p.type === "month")?.value ?? "00";
    return `${year}-${month}`;
}
/**
 * Decides which complete snapshots a policy prunes. Pure: the same snapshots, holds, policy and
 * clock always give the same plan. A snapshot's age and month come from `finished_at` (when it
 * was published). Failed, abandoned, running and already pruned snapshots are left alone.
 */
export function planRetention(input) {
    const timeZone = input.timeZone ?? "UTC";
    const complete = input.snapshots
        .filter((s) => s.status === "complete")
        .slice()
        .sort((a, b) => a.snapshot_id - b.snapshot_id);
    const held = new Set(input.holds);
    const latest = complete.at(-1)?.snapshot_id;
    const { policy } = input;
    const policyKeeps = new Map();
    const addReason = (id, reason) => {
        const reasons = policyKeeps.get(id) ?? [];
        if (!reasons.includes(reason))
            reasons.push(reason);
        policyKeeps.set(id, reasons);
    };
    if (policy.kind === "all") {
        for (const s of complete)
            addReason(s.snapshot_id, "keep_all");
    }
    else if (policy.kind === "last") {
        if (!Number.isInteger(policy.count) || policy.count < 1) {
            throw new RangeError(`keep_last must be a whole number of at least 1, got ${policy.count}`);
        }
        for (const s of complete.slice(-policy.count))
            addReason(s.snapshot_id, "keep_last");
    }
    else {
        const maxAgeMs = parseDuration(policy.duration);
        if (maxAgeMs === null) {
            throw new RangeError(`keep_younger_than: expected a duration such as 90d, got "${policy.duration}"`);
        }
        const cutoff = input.now.getTime() - maxAgeMs;
        const lastOfMonth = new Map();
        for (const s of complete) {
            if (s.finished_at === null)
                continue;
            if (Date.parse(s.finished_at) > cutoff)
                addReason(s.snapshot_id, "younger_than");
            // Ascending ids: a later snapshot of the same month replaces an earlier one.
            if (policy.monthly)
                lastOfMonth.set(monthKey(s.finished_at, timeZone), s.snapshot_id);
        }
        for (const id of lastOfMonth.values())
            addReason(id, "last_of_month");
    }
    const decisions = complete.map((s) => {
        const reasons = [];
        if (s.snapshot_id === latest)
            reasons.push("latest");
        if (held.has(s.snapshot_id))
            reasons.push("held");
        reasons.push(...(policyKeeps.get(s.snapshot_id) ?? []));
        return {
            snapshot_id: s.snapshot_id,
            finished_at: s.finished_at,
            action: reasons.length > 0 ? "keep" : "prune",
            reasons,
        };
    });
    return {
        policy: describePolicy(policy),
        decisions,
        prune: decisions.filter((d) => d.action === "prune").map((d) => d.snapshot_id),
        keep: decisions.filter((d) => d.action === "keep").map((d) => d.snapshot_id),
    };
}
/** TEMP table: for each snapshot being pruned, the nearest complete snapshots after and before it. */
const BOUNDS_TABLE = "retention_bounds";
const EVIDENCE_TABLES = ["run_endpoints", "run_vanished_groups", "run_vanished_users"];
function idList(ids) {
    for (const id of ids) {
        if (!Number.isSafeInteger(id))
            throw new TypeError(`invalid snapshot id ${id}`);
    }
    return ids.join(", ");
}
async function readPlanInput(raw) {
    const runs = await raw.runAndReadAll(`SELECT snapshot_id, status, epoch_ms(finished_at) AS finished_ms
     FROM snapshot_runs ORDER BY snapshot_id`);
    const snapshots = runs.getRowObjectsJS().map((row) => ({
        snapshot_id: Number(row.snapshot_id),
        status: String(row.status),
        finished_at: row.finished_ms === null ? null : new Date(Number(row.finished_ms)).toISOString(),
    }));
    const holdRows = await raw.runAndReadAll("SELECT DISTINCT snapshot_id FROM snapshot_holds ORDER BY snapshot_id");
    return { snapshots, holds: holdRows.getRowsJS().map(([id]) => Number(id)) };
}
/**
 * Plans and applies a policy in one transaction on a connection that holds the write lock
 * (Store.applyRetention). With `dryRun` the same work is done and rolled back, so the counts
 * are exact.
 */
export async function applyRetentionOn(raw, policy, options = {}) {
    const history_rows_deleted = {};
    const history_rows_narrowed = {};
    let evidence_rows_deleted = 0;
    await raw.run("BEGIN TRANSACTION");
    let plan;
    try {
        const input = await readPlanInput(raw);
        plan = planRetention({
            ...input,
            policy,
            now: options.now ?? new Date(),
            ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
        });
        if (plan.prune.length > 0) {
            const ids = idList(plan.prune);
            const pruned = await raw.run(`UPDATE snapshot_runs SET status = 'pruned', pruned_at = now()
         WHERE status = 'complete' AND snapshot_id IN (${ids})`);
            if (pruned.rowsChanged !== plan.prune.length) {
                throw new Error(`expected to prune ${plan.prune.length} snapshot(s), marked ${pruned.rowsChanged}`);
            }
            // Computed after the status change, so "complete" means what remains.
            await raw.run(`CREATE OR REPLACE TEMP TABLE ${BOUNDS_TABLE} AS
         SELECT p.id,
           (SELECT min(c.snapshot_id) FROM snapshot_runs AS c
            WHERE c.status = 'complete' AND c.snapshot_id > p.id) AS next_complete,
           (SELECT max(c.snapshot_id) FROM snapshot_runs AS c
            WHERE c.status = 'complete' AND c.snapshot_id < p.id) AS previous_complete
         FROM (SELECT unnest([${ids}]) AS id) AS p`);
            for (const table of FACT_TABLES) {
                const hist = ident(table.hist);
                // Every range starts and ends at a snapshot that was complete, so a range holds no
                // complete snapshot any more exactly when the first complete one after its pruned
                // start lies beyond its end. Open ranges contain the latest, which is never pruned.
                const deleted = await raw.run(`DELETE FROM ${hist} WHERE rowid IN (
             SELECT h.rowid FROM ${hist} AS h JOIN ${BOUNDS_TABLE} AS b ON h.valid_from = b.id
             WHERE h.valid_to IS NOT NULL
               AND (b.next_complete IS NULL OR b.next_complete > h.valid_to))`);
                const narrowedFrom = await raw.run(`UPDATE ${hist} SET valid_from = b.next_complete
           FROM ${BOUNDS_TABLE} AS b WHERE ${hist}.valid_from = b.id`);
                const narrowedTo = await raw.run(`UPDATE ${hist} SET valid_to = b.previous_complete
           FROM ${BOUNDS_TABLE} AS b WHERE ${hist}.valid_to = b.id`);
                history_rows_deleted[table.hist] = deleted.rowsChanged;
                history_rows_narrowed[table.hist] = narrowedFrom.rowsChanged + narrowedTo.rowsChanged;
            }
            await raw.run(`DROP TABLE ${BOUNDS_TABLE}`);
            for (const table of EVIDENCE_TABLES) {
                const deleted = await raw.run(`DELETE FROM ${table} WHERE snapshot_id IN (${ids})`);
                evidence_rows_deleted += deleted.rowsChanged;
            }
        }
        await raw.run(options.dryRun ? "ROLLBACK" : "COMMIT");
    }
    catch (error) {
        await raw.run("ROLLBACK").catch(() => { });
        throw error;
    }
    if (!options.dryRun && plan.prune.length > 0) {
        // Folds the deletions into the file so the freed blocks are reused by the next publish.
        await raw.run("CHECKPOINT").catch(() => { });
    }
    return {
        ...plan,
        dry_run: options.dryRun ?? false,
        history_rows_deleted,
        history_rows_narrowed,
        evidence_rows_deleted,
    };
}
export async function addHoldOn(raw, snapshotId, reason) {
    const text = reason.trim();
    if (text === "")
        throw new TypeError("a hold needs a reason");
    const status = await raw.runAndReadAll("SELECT status FROM snapshot_runs WHERE snapshot_id = $1", [snapshotId]);
    const found = status.getRowsJS()[0]?.[0];
    if (found !== "complete") {
        throw new StoreError("SNAPSHOT_NOT_FOUND", found === undefined
            ? `snapshot ${snapshotId} does not exist`
            : `snapshot ${snapshotId} is ${String(found)}: only a complete snapshot can be held`);
    }
    const inserted = await raw.runAndReadAll(`INSERT INTO snapshot_holds (snapshot_id, reason, created_at) VALUES ($1, $2, now())
     RETURNING snapshot_id, reason, strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`, [snapshotId, text]);
    const [id, savedReason, createdAt] = inserted.getRowsJS()[0] ?? [];
    return { snapshot_id: Number(id), reason: String(savedReason), created_at: String(createdAt) };
}
/** Removes the holds on a snapshot (only those with this reason, when given); returns how many. */
export async function releaseHoldsOn(raw, snapshotId, reason) {
    const result = reason === undefined
        ? await raw.run("DELETE FROM snapshot_holds WHERE snapshot_id = $1", [snapshotId])
        : await raw.run("DELETE FROM snapshot_holds WHERE snapshot_id = $1 AND reason = $2", [
            snapshotId,
            reason.trim(),
        ]);
    return result.rowsChanged;
}
//# sourceMappingURL=retention.js.map