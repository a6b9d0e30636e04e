/**
 * Effective access: every path by which a user holds a role in a snapshot, from the
 * `effective_access` view (store migrations 2 and 6): at organization scope `direct`, or through
 * a group (membership x group role) with the group's name and SCIM state; at project scope also
 * `membership` (the member's own owner/member role, and a project service account's role: store
 * migration 8). "Why is this person an Owner?" and "who can administer project X?" (people and
 * machines).
 */
import { AuditError } from "../errors.js";
import { sqlQueries } from "../util/sql-files.js";
const snapshotQuery = sqlQueries("analysis/snapshots.sql");
const accessQuery = sqlQueries("analysis/access.sql");
/** An unknown snapshot id is the caller's (2); a database with nothing to analyse fails (1). */
export class AnalysisError extends AuditError {
    constructor(code, message) {
        super(code, message, { exitClass: code === "NO_SNAPSHOTS" ? "failure" : "usage" });
    }
}
/**
 * The snapshot to analyse: `requested` when it is a complete snapshot, else the latest
 * complete one. Throws NO_SNAPSHOTS when there is none, UNKNOWN_SNAPSHOT for an id that is
 * not a complete snapshot.
 */
export async function resolveSnapshotId(store, requested) {
    const latest = await store.latestCompleteSnapshotId();
    if (latest === null) {
        throw new AnalysisError("NO_SNAPSHOTS", `no complete snapshot in ${store.path}: run \`access-audit crawl\` first`);
    }
    if (requested === undefined)
        return latest;
    const rows = await store.query(snapshotQuery("snapshot_status"), {
        id: requested,
    });
    const status = rows[0]?.status;
    if (status !== "complete") {
        throw new AnalysisError("UNKNOWN_SNAPSHOT", status === undefined
            ? `snapshot ${requested} does not exist (latest complete: ${latest})`
            : `snapshot ${requested} is ${status}, not complete (latest complete: ${latest})`);
    }
    return requested;
}
/** The complete snapshot just before `snapshotId`, or null. */
export async function previousSnapshotId(store, snapshotId) {
    const rows = await store.query(snapshotQuery("previous_complete"), {
        id: snapshotId,
    });
    return rows[0]?.id ?? null;
}
/**
 * The project `idOrName` names in the snapshot: by id, else by name (case-insensitively). A
 * name shared by several projects, no match, or a snapshot without projects is a usage error.
 */
export async function findProject(store, snapshotId, idOrName) {
    const collected = await store.query(accessQuery("projects_collected"), {
        snapshot: snapshotId,
    });
    if (collected[0]?.collected !== true) {
        throw new AnalysisError("PROJECTS_NOT_COLLECTED", `snapshot ${snapshotId} did not collect projects (crawled with --no-projects, or before projects were read)`);
    }
    const matches = await store.query(accessQuery("find_project"), {
        snapshot: snapshotId,
        project: idOrName,
    });
    const [first, second] = matches;
    if (first === undefined) {
        throw new AnalysisError("UNKNOWN_PROJECT", `no project with id or name ${JSON.stringify(idOrName)} in snapshot ${snapshotId}`);
    }
    if (second !== undefined) {
        throw new AnalysisError("UNKNOWN_PROJECT", `${matches.length} projects are named ${JSON.stringify(idOrName)} in snapshot ${snapshotId}: give the id (${matches.map((m) => m.project_id).join(", ")})`);
    }
    return first;
}
/** Effective access paths of one snapshot, filtered, in a stable order (user, role, path). */
export async function listEffectiveAccess(store, snapshotId, filter = {}) {
    const rows = await store.query(accessQuery("effective_access_paths"), accessParams(snapshotId, filter));
    return rows.map(parsePath);
}
/**
 * `listEffectiveAccess` in batches of about `batchRows` paths, for listings too long to hold:
 * a whole snapshot of a large organization has millions of paths.
 */
export async function* iterateEffectiveAccess(store, snapshotId, filter = {}, batchRows) {
    for await (const batch of store.iterate(accessQuery("effective_access_paths"), accessParams(snapshotId, filter), batchRows)) {
        yield batch.map(parsePath);
    }
}
function parsePath(row) {
    return JSON.parse(row.path);
}
function accessParams(snapshotId, filter) {
    return {
        snapshot: snapshotId,
        user: filter.user ?? null,
        role: filter.role ?? null,
        project: filter.project ?? null,
    };
}
//# sourceMappingURL=access.js.map