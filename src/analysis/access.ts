/**
 * Effective access: every path by which a user holds a role in a snapshot, from the
 * `effective_access` view (store migrations 2 and 6): at organization scope `direct`, or through
 * a group (membership x group role) with the group's name and SCIM state; at project scope also
 * `membership` (the member's own owner/member role, and a project service account's role: store
 * migration 8). "Why is this person an Owner?" and "who can administer project X?" (people and
 * machines).
 */
import { AuditError } from "../errors.js";
import type { Store } from "../store/index.js";
import { sqlQueries } from "../util/sql-files.js";

const snapshotQuery = sqlQueries("analysis/snapshots.sql");
const accessQuery = sqlQueries("analysis/access.sql");

export type AnalysisErrorCode =
  | "NO_SNAPSHOTS"
  | "UNKNOWN_SNAPSHOT"
  | "UNKNOWN_PROJECT"
  | "PROJECTS_NOT_COLLECTED";

/** An unknown snapshot id is the caller's (2); a database with nothing to analyse fails (1). */
export class AnalysisError extends AuditError {
  declare readonly code: AnalysisErrorCode;

  constructor(code: AnalysisErrorCode, message: string) {
    super(code, message, { exitClass: code === "NO_SNAPSHOTS" ? "failure" : "usage" });
  }
}

/**
 * The snapshot to analyse: `requested` when it is a complete snapshot, else the latest
 * complete one. Throws NO_SNAPSHOTS when there is none, UNKNOWN_SNAPSHOT for an id that is
 * not a complete snapshot.
 */
export async function resolveSnapshotId(store: Store, requested?: number): Promise<number> {
  const latest = await store.latestCompleteSnapshotId();
  if (latest === null) {
    throw new AnalysisError(
      "NO_SNAPSHOTS",
      `no complete snapshot in ${store.path}: run \`access-audit crawl\` first`,
    );
  }
  if (requested === undefined) return latest;
  const rows = await store.query<{ status: string }>(snapshotQuery("snapshot_status"), {
    id: requested,
  });
  const status = rows[0]?.status;
  if (status !== "complete") {
    throw new AnalysisError(
      "UNKNOWN_SNAPSHOT",
      status === undefined
        ? `snapshot ${requested} does not exist (latest complete: ${latest})`
        : `snapshot ${requested} is ${status}, not complete (latest complete: ${latest})`,
    );
  }
  return requested;
}

/** The complete snapshot just before `snapshotId`, or null. */
export async function previousSnapshotId(store: Store, snapshotId: number): Promise<number | null> {
  const rows = await store.query<{ id: number | null }>(snapshotQuery("previous_complete"), {
    id: snapshotId,
  });
  return rows[0]?.id ?? null;
}

export interface AccessPath {
  /** `organization`, or `project` for access inside one project. */
  scope: "organization" | "project";
  project_id: string | null;
  project_name: string | null;
  user_id: string;
  email: string | null;
  role_id: string;
  role_name: string | null;
  permissions: string[] | null;
  /** `membership` (a project member's own role) exists at project scope only. */
  via: "direct" | "group" | "membership";
  via_group_id: string | null;
  via_group_name: string | null;
  via_group_is_scim_managed: boolean | null;
  /**
   * `user` (a person, or an organization user marked as a service account), or
   * `service_account`: a project service account's own role, at project scope (user_id is the
   * service account id, email null).
   */
  principal_type: "user" | "service_account";
}

export interface AccessFilter {
  /** A user id, or an email (case-insensitive). */
  user?: string;
  /** A role id, or a role name (case-insensitive). */
  role?: string;
  /** A project id (resolve a name with findProject first). */
  project?: string;
}

export interface ProjectMatch {
  project_id: string;
  name: string | null;
  archived: boolean | null;
}

/**
 * The project `idOrName` names in the snapshot: by id, else by name (case-insensitively). A
 * name shared by several projects, no match, or a snapshot without projects is a usage error.
 */
export async function findProject(
  store: Store,
  snapshotId: number,
  idOrName: string,
): Promise<ProjectMatch> {
  const collected = await store.query<{ collected: boolean }>(accessQuery("projects_collected"), {
    snapshot: snapshotId,
  });
  if (collected[0]?.collected !== true) {
    throw new AnalysisError(
      "PROJECTS_NOT_COLLECTED",
      `snapshot ${snapshotId} did not collect projects (crawled with --no-projects, or before projects were read)`,
    );
  }
  const matches = await store.query<ProjectMatch>(accessQuery("find_project"), {
    snapshot: snapshotId,
    project: idOrName,
  });
  const [first, second] = matches;
  if (first === undefined) {
    throw new AnalysisError(
      "UNKNOWN_PROJECT",
      `no project with id or name ${JSON.stringify(idOrName)} in snapshot ${snapshotId}`,
    );
  }
  if (second !== undefined) {
    throw new AnalysisError(
      "UNKNOWN_PROJECT",
      `${matches.length} projects are named ${JSON.stringify(idOrName)} in snapshot ${snapshotId}: give the id (${matches.map((m) => m.project_id).join(", ")})`,
    );
  }
  return first;
}

/** Effective access paths of one snapshot, filtered, in a stable order (user, role, path). */
export async function listEffectiveAccess(
  store: Store,
  snapshotId: number,
  filter: AccessFilter = {},
): Promise<AccessPath[]> {
  const rows = await store.query<PathRow>(
    accessQuery("effective_access_paths"),
    accessParams(snapshotId, filter),
  );
  return rows.map(parsePath);
}

/**
 * `listEffectiveAccess` in batches of about `batchRows` paths, for listings too long to hold:
 * a whole snapshot of a large organization has millions of paths.
 */
export async function* iterateEffectiveAccess(
  store: Store,
  snapshotId: number,
  filter: AccessFilter = {},
  batchRows?: number,
): AsyncGenerator<AccessPath[]> {
  for await (const batch of store.iterate<PathRow>(
    accessQuery("effective_access_paths"),
    accessParams(snapshotId, filter),
    batchRows,
  )) {
    yield batch.map(parsePath);
  }
}

/** A path as the query returns it: one JSON object with AccessPath's fields (see access.sql). */
interface PathRow {
  path: string;
}

function parsePath(row: PathRow): AccessPath {
  return JSON.parse(row.path) as AccessPath;
}

function accessParams(snapshotId: number, filter: AccessFilter) {
  return {
    snapshot: snapshotId,
    user: filter.user ?? null,
    role: filter.role ?? null,
    project: filter.project ?? null,
  };
}
