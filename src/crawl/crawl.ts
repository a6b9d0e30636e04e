/**
 * One crawl = one snapshot. Reads every endpoint the audit needs through the client and
 * streams the rows into a store snapshot writer; publishes only when every listing was read
 * to `has_more = false`, otherwise aborts so that nothing becomes visible.
 *
 * The crawl only orders and parallelises the listings; what a row is, and how an API item
 * becomes one, is declared per fact type in src/facts (get -> transform -> load).
 * The listings start while the database opens (their first rows held for the writer: RowsToWriter).
 * Order: the roles catalog, groups, organization users and projects listings together, each group's
 * members and roles as the groups listing names them, then from one queue each user's roles and, per
 * project, its members (active projects: the API answers 400 for an archived one), attached
 * groups and roles catalog, and the project role assignments of each attached group and member.
 * A group that 404s while its members or roles are read was deleted mid-crawl: it is recorded as
 * vanished and left out, not a failure; likewise a project member or attached group that 404s.
 * Credentials: the admin API keys and invites listings run alongside the users listing; each
 * active project's service accounts and API keys (all of them: `owner_project_access=any`) join
 * the queue. An archived project has neither (the API answers 400 for its service accounts;
 * inference for keys, which belong to its members and service accounts).
 * What the caller leaves out (`--no-user-roles`, `--no-projects`,
 * `--no-project-role-assignments`, `--no-credentials`) is recorded with the snapshot as not
 * collected.
 */

import { setMaxListeners } from "node:events";
import { hostname, userInfo } from "node:os";
import type { Logger } from "pino";
import {
  AdminApiError,
  type AdminClient,
  DEFAULT_CONCURRENCY,
  type Paginated,
  type PaginationSummary,
} from "../api/index.js";
import { AuditError } from "../errors.js";
import {
  ADMIN_KEYS,
  API_KEYS,
  adminKeyRow,
  apiKeyRow,
  type CoverageScope,
  GROUP_MEMBERS,
  GROUP_ROLES,
  GROUPS,
  groupRoleRow,
  groupRow,
  INVITES,
  inviteRow,
  memberRow,
  PROJECT_GROUP_ROLES,
  PROJECT_GROUPS,
  PROJECT_ROLES,
  PROJECT_USER_ROLES,
  PROJECT_USERS,
  PROJECTS,
  projectGroupRoleRow,
  projectGroupRow,
  projectRoleRow,
  projectRow,
  projectUserRoleRow,
  projectUserRow,
  ROLES,
  roleRow,
  SERVICE_ACCOUNTS,
  serviceAccountRow,
  USER_ROLES,
  USERS,
  userRoleRow,
  userRow,
} from "../facts/index.js";
import type { FactTable } from "../facts/types.js";
import type { SnapshotCounts, SnapshotWriter, Store } from "../store/index.js";
import { heapUsedBytes, trimHeapEvery } from "../util/heap.js";
import { silentLogger } from "../util/log.js";
import { type AuditLogSyncResult, syncAuditLog } from "./audit-log.js";
import {
  CrawlLimitError,
  type CrawlLimits,
  DEFAULT_CRAWL_LIMITS,
  formatDuration,
} from "./limits.js";
import { runPool, runQueue } from "./pool.js";

/**
 * How often the publish collects the JS heap (heap.ts), keeping the crawl's peak (the publish's
 * unpack and digest) near the live heap. The listing is not collected: there V8's own collections
 * kept at most 58 MB in use (87 MB reserved) at 1,000,000 memberships, and forced ones every 2 s
 * cost 8-10 s of CPU and 5-7 s of the crawl's 60-68 s (bench crawl-memory's organization,
 * alternating runs), with the same peak RSS.
 */
const HEAP_TRIM_INTERVAL_MS = 2000;
/**
 * Garbage the listing may leave before the publish collects it at once: at 1,000,000 memberships
 * the heap ended the listing 20-25 MB above its start; a five-user crawl's collection would cost
 * 19-27 ms of its fixed cost for nothing.
 */
const LISTING_GARBAGE_BYTES = 16 * 1024 * 1024;

export interface CrawlProgress {
  groupsTotal: number;
  groupsDone: number;
  usersTotal: number;
  usersDone: number;
  projectsTotal: number;
  /** Project listings (members, groups, roles, role assignments) read and still queued. */
  projectListingsDone: number;
  projectListingsQueued: number;
  phase: "groups" | "members" | "user-roles" | "projects" | "publish" | "done";
  requests: number;
  retries: number;
  rateLimited: number;
}

export interface CrawlOptions {
  client: AdminClient;
  /**
   * The database, or its opening: given a promise, the listings start while it opens (their first
   * rows are held for the snapshot writer, up to PENDING_ROWS_MAX), and a database that cannot be
   * opened stops them and fails the crawl with its own error.
   */
  store: Store | Promise<Store>;
  baseUrl: string;
  keyRedacted: string;
  toolVersion: string;
  /** Groups (or users) whose sub-lists are read at the same time. */
  concurrency?: number;
  /** Read each user's role assignments (one request per user). Default true. */
  userRoles?: boolean;
  /** Read projects, their members, attached groups and roles catalogs. Default true. */
  projects?: boolean;
  /**
   * Read the project role assignments of each attached group and each member (one request
   * each). Default true; meaningless without `projects`.
   */
  projectRoleAssignments?: boolean;
  /**
   * Read the admin API keys, the invites, and each active project's service accounts and API
   * keys. Default true; a crawl without `projects` collects no credentials.
   */
  credentials?: boolean;
  /**
   * After publishing, sync the organization audit log (audit-log.ts). Default true. A sync the
   * API refuses is recorded as a gap and the crawl still succeeds.
   */
  auditLog?: boolean;
  /** Default DEFAULT_AUDIT_LOG_OVERLAP_SECONDS. */
  auditLogOverlapSeconds?: number;
  logger?: Logger;
  onProgress?: (progress: CrawlProgress) => void;
  signal?: AbortSignal;
  /** Ceilings of pages per listing, items and time (each default in DEFAULT_CRAWL_LIMITS). */
  limits?: Partial<CrawlLimits>;
}

export interface CrawlResult {
  snapshotId: number;
  seal: string;
  counts: SnapshotCounts;
  vanishedGroups: string[];
  vanishedUsers: string[];
  /** Members removed from / groups detached from a project while it was read. */
  vanishedProjectAccess: {
    projectId: string;
    principalType: "user" | "group";
    principalId: string;
  }[];
  /** Coverage scopes left out on request (recorded with the snapshot). */
  uncollected: CoverageScope[];
  /** Pages and items per endpoint template, as in the completeness record. */
  endpoints: { endpoint: string; pages: number; items: number }[];
  requests: number;
  retries: number;
  rateLimited: number;
  durationMs: number;
  /**
   * The audit-log sync that followed the publish: complete, failed (a recorded gap, with why),
   * `interrupted` (stopped by the caller; nothing recorded), or null when not asked for.
   */
  auditLog: AuditLogSyncResult | { status: "interrupted" | "error"; reason: string } | null;
}

/** Raised when a listing ended without the API saying `has_more = false`. */
export class IncompleteCrawlError extends AuditError {
  constructor(endpoint: string) {
    super(
      "INCOMPLETE_CRAWL",
      `listing of ${endpoint} did not end with has_more=false; snapshot not published`,
    );
  }
}

/** Sums pagination summaries per endpoint template for the completeness record. */
class EndpointTally {
  private readonly byEndpoint = new Map<
    string,
    { pages: number; items: number; completed: boolean }
  >();

  add(summary: PaginationSummary): void {
    if (!summary.completed) throw new IncompleteCrawlError(summary.endpoint);
    const t = this.byEndpoint.get(summary.endpoint) ?? { pages: 0, items: 0, completed: true };
    t.pages += summary.pages;
    t.items += summary.items;
    this.byEndpoint.set(summary.endpoint, t);
  }

  flushTo(writer: SnapshotWriter): void {
    for (const e of this.sorted()) writer.recordEndpoint({ ...e, completed: true });
  }

  sorted(): { endpoint: string; pages: number; items: number }[] {
    return [...this.byEndpoint]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([endpoint, t]) => ({ endpoint, pages: t.pages, items: t.items }));
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof AdminApiError && err.kind === "not_found";
}

/** The coverage scopes a crawl with these options leaves out. */
export function uncollectedScopes(options: {
  userRoles?: boolean | undefined;
  projects?: boolean | undefined;
  projectRoleAssignments?: boolean | undefined;
  credentials?: boolean | undefined;
}): CoverageScope[] {
  const out: CoverageScope[] = [];
  if (options.projects === false) out.push("projects", "project_role_assignments", "credentials");
  else {
    if (options.projectRoleAssignments === false) out.push("project_role_assignments");
    if (options.credentials === false) out.push("credentials");
  }
  if (options.userRoles === false) out.push("user_roles");
  return out.sort();
}

/** One listing of the last phase's queue: a user's organization roles, or a project listing. */
type AccessTask =
  | { kind: "org-user-roles"; userId: string }
  | { kind: "users" | "groups" | "roles" | "service-accounts" | "api-keys"; projectId: string }
  | { kind: "user-roles"; projectId: string; userId: string }
  | { kind: "group-roles"; projectId: string; groupId: string };

/** The crawl's ceilings and what it has used of them so far. */
class Budget {
  private items = 0;

  constructor(readonly limits: CrawlLimits) {}

  /** Takes a page of `count` items (index `index`) of `endpoint`; throws at a ceiling. */
  takePage(endpoint: string, index: number, count: number, hasMore: boolean): void {
    const { maxItems, maxPagesPerListing } = this.limits;
    if (this.items + count > maxItems) {
      throw new CrawlLimitError(
        "max_items",
        `${maxItems} items in one crawl would be exceeded by page ${index + 1} of ${endpoint} (${this.items} read before it)`,
      );
    }
    this.items += count;
    if (hasMore && index + 1 >= maxPagesPerListing) {
      throw new CrawlLimitError(
        "max_pages_per_listing",
        `the listing of ${endpoint} still said has_more=true after ${maxPagesPerListing} pages`,
      );
    }
  }
}

/**
 * Rows on their way to the snapshot writer. The database may still be opening when the first
 * pages arrive: their rows are held, in order, and handed over when the writer exists. Past
 * PENDING_ROWS_MAX rows held, a page waits for the writer instead (`room`), so a database that
 * takes long to open (another process's lock) never makes the crawl hold the organization.
 */
class RowsToWriter {
  private ready: SnapshotWriter | null = null;
  private pending: ((writer: SnapshotWriter) => void)[] = [];
  private readonly handedOver: Promise<SnapshotWriter>;

  constructor(writerReady: Promise<SnapshotWriter>) {
    this.handedOver = writerReady.then((writer) => {
      for (const add of this.pending) add(writer);
      this.pending = [];
      this.ready = writer;
      return writer;
    });
    // Its failure is the crawl's to report (the writer promise's); not an unhandled rejection.
    this.handedOver.catch(() => {});
  }

  add<Row>(table: FactTable<Row>, row: Row): void {
    if (this.ready !== null) this.ready.add(table, row);
    else this.pending.push((writer) => writer.add(table, row));
  }

  /** Resolves at once while rows may still be held; otherwise once the writer has them. */
  async room(): Promise<void> {
    if (this.ready === null && this.pending.length >= PENDING_ROWS_MAX) await this.handedOver;
  }

  /** The writer, once every row held has gone to it. */
  writer(): Promise<SnapshotWriter> {
    return this.handedOver;
  }
}

/**
 * Rows held while the database opens (RowsToWriter). 5,000 keep a crawl of 40,000 memberships at
 * 20 ms latency reading through a new database's 0.2-0.3 s open as 20,000 did (median of 6
 * alternating runs: 5.41 and 5.42 s, against 5.59 s waiting for the open); 20,000 raised the
 * peak RSS of a crawl of 1,000,000 memberships by 20-30 MB (held rows promoted to V8's old space),
 * 5,000 did not.
 */
const PENDING_ROWS_MAX = 5000;

/**
 * What every listing of one crawl shares: its tally, its rows' way to the writer, its abort and
 * its budget.
 */
interface CrawlListing {
  tally: EndpointTally;
  rows: RowsToWriter;
  signal: AbortSignal;
  budget: Budget;
}

/** Drains a listing page by page into `sink`, within the budget, then records its summary. */
async function drain<T>(
  pages: Paginated<T>,
  listing: CrawlListing,
  sink: (item: T) => void,
): Promise<void> {
  for await (const page of pages.pages()) {
    listing.signal.throwIfAborted();
    listing.budget.takePage(pages.summary().endpoint, page.index, page.items.length, page.hasMore);
    await listing.rows.room();
    for (const item of page.items) sink(item);
  }
  listing.tally.add(pages.summary());
}

export async function crawl(options: CrawlOptions): Promise<CrawlResult> {
  const { client, signal } = options;
  const log = options.logger ?? silentLogger;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const limits: CrawlLimits = { ...DEFAULT_CRAWL_LIMITS, ...definedOnly(options.limits) };
  const budget = new Budget(limits);
  const started = Date.now();
  const statsAtStart = client.stats();
  const progress: CrawlProgress = {
    groupsTotal: 0,
    groupsDone: 0,
    usersTotal: 0,
    usersDone: 0,
    projectsTotal: 0,
    projectListingsDone: 0,
    projectListingsQueued: 0,
    phase: "groups",
    requests: 0,
    retries: 0,
    rateLimited: 0,
  };
  // Progress is told from the moment the snapshot has begun: a crawl whose database cannot be
  // opened says so in one line, with no progress before it.
  let begun = false;
  const report = () => {
    if (!begun) return;
    const s = client.stats();
    progress.requests = s.requests - statsAtStart.requests;
    progress.retries = s.retries - statsAtStart.retries;
    progress.rateLimited = s.rateLimited - statsAtStart.rateLimited;
    options.onProgress?.({ ...progress });
  };

  const uncollected = uncollectedScopes(options);
  const readProjects = options.projects !== false;
  const readProjectRoles = readProjects && options.projectRoleAssignments !== false;
  const readCredentials = readProjects && options.credentials !== false;
  const heapAtStart = heapUsedBytes();
  let stopHeapTrim = (): void => {};
  const tally = new EndpointTally();
  // Aborted by the caller's signal, by the first failure of any concurrent listing, or by a
  // database that could not be opened.
  const inner = new AbortController();
  // Every request in flight (and each waiting for a slot) listens on it: not a leak.
  setMaxListeners(Math.max(10, concurrency * 4), inner.signal);
  const onOuterAbort = () => inner.abort(signal?.reason);
  if (signal?.aborted) onOuterAbort();
  signal?.addEventListener("abort", onOuterAbort, { once: true });
  // The store may still be opening: the listings start now, their rows held until the writer
  // exists (RowsToWriter). Opening the database, its schema check and the crawl's scratch take
  // 0.1-0.3 s, that many round trips of the API. started_at is now, before the first request.
  const storeReady = Promise.resolve(options.store);
  const writerReady = storeReady.then((store) =>
    store.beginSnapshot({
      baseUrl: options.baseUrl,
      toolVersion: options.toolVersion,
      keyRedacted: options.keyRedacted,
      uncollected,
      ...crawlIdentity(),
      startedAt: started,
    }),
  );
  writerReady.then(
    (writer) => {
      log.info({ snapshot_id: writer.snapshotId }, "crawl started");
      begun = true;
      report();
    },
    (error: unknown) => inner.abort(error),
  );
  const rows = new RowsToWriter(writerReady);
  const listing: CrawlListing = { tally, rows, signal: inner.signal, budget };
  // The wall-clock ceiling: stops every listing at once, like an interrupt.
  const deadline = setTimeout(() => {
    inner.abort(
      new CrawlLimitError(
        "max_duration",
        `still reading the API after ${formatDuration(limits.maxDurationMs)}`,
      ),
    );
  }, limits.maxDurationMs);
  deadline.unref();
  const vanishedGroups: string[] = [];
  const vanishedUsers: string[] = [];
  const vanishedProjectAccess: CrawlResult["vanishedProjectAccess"] = [];
  const projects: { id: string; archived: boolean }[] = [];

  /** Each organization user's role assignments (one request each); a 404 is a vanished user. */
  const readUserRoles = async (userId: string): Promise<void> => {
    try {
      await drain(client.listUserRoles(userId, { signal: inner.signal }), listing, (r) =>
        rows.add(USER_ROLES, userRoleRow(userId, r)),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const writer = await rows.writer();
      await writer.dropUser(userId);
      writer.recordVanishedUser(userId);
      vanishedUsers.push(userId);
      log.warn({ user_id: userId }, "user vanished during the crawl");
    }
    progress.usersDone++;
    if (progress.usersDone === progress.usersTotal && progress.phase === "user-roles") {
      progress.phase = "projects";
      report();
    } else if (progress.usersDone % 100 === 0) report();
  };

  /**
   * Each user's organization roles, then every project's members (active projects only),
   * attached groups and roles catalog, then (unless left out) the role assignments of each
   * attached group and member: one queue, so the connections stay busy across the whole
   * phase however the work is spread over users and projects.
   */
  const crawlAccess = async (userIds: readonly string[]): Promise<void> => {
    const initial: AccessTask[] = [];
    if (options.userRoles !== false) {
      for (const userId of userIds) initial.push({ kind: "org-user-roles", userId });
    }
    for (const p of projects) {
      // An archived project's members cannot be listed (the API answers 400: "archived
      // projects have no users"); its attached groups and roles still can.
      if (!p.archived) initial.push({ kind: "users", projectId: p.id });
      if (!p.archived && readCredentials) {
        initial.push(
          { kind: "service-accounts", projectId: p.id },
          { kind: "api-keys", projectId: p.id },
        );
      }
      initial.push({ kind: "groups", projectId: p.id }, { kind: "roles", projectId: p.id });
    }
    progress.projectListingsQueued = initial.filter((t) => t.kind !== "org-user-roles").length;
    progress.phase = options.userRoles !== false && userIds.length > 0 ? "user-roles" : "projects";
    report();
    await runQueue<AccessTask>(initial, concurrency, inner.signal, async (task, enqueue) => {
      if (task.kind === "org-user-roles") {
        await readUserRoles(task.userId);
        return;
      }
      const { projectId } = task;
      const more = (next: AccessTask) => {
        progress.projectListingsQueued++;
        enqueue(next);
      };
      switch (task.kind) {
        case "users":
          await drain(
            client.listProjectUsers(projectId, { signal: inner.signal }),
            listing,
            (u) => {
              rows.add(PROJECT_USERS, projectUserRow(projectId, u));
              if (readProjectRoles) more({ kind: "user-roles", projectId, userId: u.id });
            },
          ).catch(projectChanged(projectId, "members"));
          break;
        case "service-accounts":
          await drain(
            client.listServiceAccounts(projectId, { signal: inner.signal }),
            listing,
            (a) => rows.add(SERVICE_ACCOUNTS, serviceAccountRow(projectId, a)),
          ).catch(projectChanged(projectId, "service accounts"));
          break;
        case "api-keys":
          await drain(
            client.listProjectApiKeys(projectId, { signal: inner.signal }),
            listing,
            (k) => rows.add(API_KEYS, apiKeyRow(projectId, k)),
          );
          break;
        case "groups":
          await drain(
            client.listProjectGroups(projectId, { signal: inner.signal }),
            listing,
            (g) => {
              rows.add(PROJECT_GROUPS, projectGroupRow(projectId, g));
              if (readProjectRoles) more({ kind: "group-roles", projectId, groupId: g.group_id });
            },
          );
          break;
        case "roles":
          await drain(client.listProjectRoles(projectId, { signal: inner.signal }), listing, (r) =>
            rows.add(PROJECT_ROLES, projectRoleRow(projectId, r)),
          );
          break;
        case "user-roles":
        case "group-roles": {
          const principalType = task.kind === "user-roles" ? "user" : "group";
          const principalId = task.kind === "user-roles" ? task.userId : task.groupId;
          try {
            if (task.kind === "user-roles") {
              await drain(
                client.listProjectUserRoles(projectId, task.userId, { signal: inner.signal }),
                listing,
                (r) => rows.add(PROJECT_USER_ROLES, projectUserRoleRow(projectId, task.userId, r)),
              );
            } else {
              await drain(
                client.listProjectGroupRoles(projectId, task.groupId, { signal: inner.signal }),
                listing,
                (r) =>
                  rows.add(PROJECT_GROUP_ROLES, projectGroupRoleRow(projectId, task.groupId, r)),
              );
            }
          } catch (err) {
            // An archived project refuses its members' roles (400) as it refuses its members.
            if (task.kind === "user-roles") throwIfProjectChanged(err, projectId, "member roles");
            if (!isNotFound(err)) throw err;
            // Removed from (or detached from) the project while we read it: left out, recorded.
            await (await rows.writer()).dropProjectAccess(projectId, principalType, principalId);
            vanishedProjectAccess.push({ projectId, principalType, principalId });
            log.warn(
              { project_id: projectId, principal_type: principalType, principal_id: principalId },
              "project member or group vanished during the crawl",
            );
          }
          break;
        }
      }
      progress.projectListingsDone++;
      if (progress.projectListingsDone % 100 === 0) report();
    });
    report();
  };

  try {
    report();
    // Every organization-level listing starts at once: none needs another's results, and run
    // one after another each would add a round trip to every crawl. Only the per-group reads
    // wait, for the groups listing that names them.
    const readRoles = drain(client.listRoles({ signal: inner.signal }), listing, (r) =>
      rows.add(ROLES, roleRow(r)),
    );
    const groupIds: string[] = [];
    const readGroupList = drain(client.listGroups({ signal: inner.signal }), listing, (g) => {
      groupIds.push(g.id);
      rows.add(GROUPS, groupRow(g));
    });
    const readGroup = async (groupId: string) => {
      try {
        await drain(client.listGroupUsers(groupId, { signal: inner.signal }), listing, (u) =>
          rows.add(GROUP_MEMBERS, memberRow(groupId, u)),
        );
        await drain(client.listGroupRoles(groupId, { signal: inner.signal }), listing, (r) =>
          rows.add(GROUP_ROLES, groupRoleRow(groupId, r)),
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
        // Deleted while we read it: leave it out of the snapshot, say so in the evidence.
        const writer = await rows.writer();
        await writer.dropGroup(groupId);
        writer.recordVanishedGroup(groupId);
        vanishedGroups.push(groupId);
        log.warn({ group_id: groupId }, "group vanished during the crawl");
      }
      progress.groupsDone++;
      report();
    };
    const readGroups = readGroupList.then(() => {
      progress.groupsTotal = groupIds.length;
      progress.phase = "members";
      report();
      return runPool(groupIds, concurrency, inner.signal, readGroup);
    });
    // The users listing is a cursor chain that cannot be parallelised: it runs alongside the
    // per-group work instead of after it.
    const userIds: string[] = [];
    const readUsers = drain(client.listUsers({ signal: inner.signal }), listing, (u) => {
      userIds.push(u.id);
      rows.add(USERS, userRow(u));
    });
    // The projects listing is a cursor chain too: alongside, like the users listing.
    const readProjectList = readProjects
      ? drain(client.listProjects({ signal: inner.signal }), listing, (p) => {
          const row = projectRow(p);
          projects.push({ id: row.project_id, archived: row.archived });
          rows.add(PROJECTS, row);
        })
      : Promise.resolve();
    // Admin keys and invites: two more organization-level cursor chains.
    const readCredentialLists = readCredentials
      ? [
          drain(client.listAdminApiKeys({ signal: inner.signal }), listing, (k) =>
            rows.add(ADMIN_KEYS, adminKeyRow(k)),
          ),
          drain(client.listInvites({ signal: inner.signal }), listing, (i) =>
            rows.add(INVITES, inviteRow(i)),
          ),
        ]
      : [];
    await allOrAbort(
      [readRoles, readGroups, readUsers, readProjectList, ...readCredentialLists],
      inner,
    );
    progress.usersTotal = userIds.length;
    progress.projectsTotal = projects.length;

    // Users' roles and the project listings share one queue (a barrier between them would
    // leave connections idle while the last requests of the first part finish).
    await crawlAccess(userIds);

    // Every listing ended: publishing is not cut short by the time ceiling.
    clearTimeout(deadline);
    progress.phase = "publish";
    report();
    // The listing's garbage goes before the publish adds DuckDB's peak to it.
    stopHeapTrim = trimHeapEvery(HEAP_TRIM_INTERVAL_MS, {
      nowAboveBytes: heapAtStart + LISTING_GARBAGE_BYTES,
    });
    const writer = await rows.writer();
    tally.flushTo(writer);
    const s = client.stats();
    const organizations = client.organizationIds();
    const published = await writer.publish({
      requests: s.requests - statsAtStart.requests,
      retries: s.retries - statsAtStart.retries,
      rateLimited: s.rateLimited - statsAtStart.rateLimited,
      // Several values would mean the key reached more than one organization: all are kept.
      organizationId: organizations.length === 0 ? null : organizations.join(", "),
    });
    const auditLog =
      options.auditLog === false
        ? null
        : await followingAuditSync(options, await storeReady, published.snapshotId, log);
    progress.phase = "done";
    report();
    const result: CrawlResult = {
      snapshotId: published.snapshotId,
      seal: published.seal,
      counts: published.counts,
      vanishedGroups,
      vanishedUsers,
      vanishedProjectAccess,
      uncollected,
      endpoints: tally.sorted(),
      requests: progress.requests,
      retries: progress.retries,
      rateLimited: progress.rateLimited,
      durationMs: Date.now() - started,
      auditLog,
    };
    log.info({ snapshot_id: result.snapshotId, ...result.counts }, "crawl complete");
    return result;
  } catch (err) {
    // A database that could not be opened (or a snapshot that could not begin) stopped the
    // listings: its own error is the crawl's, and there is no writer to abort. Otherwise the
    // writer may still be opening: it is waited for, then aborted, so nothing staged remains.
    const writer = await writerReady;
    const reason = err instanceof Error ? err.message : String(err);
    await writer.abort(reason).catch((abortErr: unknown) => {
      log.error({ err: String(abortErr) }, "could not record the failed crawl");
    });
    log.error({ snapshot_id: writer.snapshotId, reason }, "crawl failed; nothing published");
    throw err;
  } finally {
    stopHeapTrim();
    clearTimeout(deadline);
    signal?.removeEventListener("abort", onOuterAbort);
  }
}

/**
 * Who ran the crawl, for the report's evidence header: the OS user and host. A user without a
 * passwd entry (some containers) is named by its uid; neither is a secret.
 */
function crawlIdentity(): { crawlUser: string | null; crawlHost: string | null } {
  let crawlUser: string | null = null;
  try {
    crawlUser = userInfo().username;
  } catch {
    crawlUser = typeof process.getuid === "function" ? `uid ${process.getuid()}` : null;
  }
  let crawlHost: string | null = null;
  try {
    crawlHost = hostname();
  } catch {
    crawlHost = null;
  }
  return { crawlUser, crawlHost };
}

/**
 * The audit-log sync after a publish. The snapshot is already complete, so nothing here fails
 * the crawl: a refusal is a recorded gap, an interrupt records nothing.
 */
async function followingAuditSync(
  options: CrawlOptions,
  store: Store,
  snapshotId: number,
  log: Logger,
): Promise<CrawlResult["auditLog"]> {
  try {
    return await syncAuditLog({
      client: options.client,
      store,
      baseUrl: options.baseUrl,
      keyRedacted: options.keyRedacted,
      toolVersion: options.toolVersion,
      snapshotId,
      logger: log,
      ...(options.auditLogOverlapSeconds === undefined
        ? {}
        : { overlapSeconds: options.auditLogOverlapSeconds }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (options.signal?.aborted) return { status: "interrupted", reason };
    log.error({ reason }, "audit log sync failed; nothing recorded");
    return { status: "error", reason };
  }
}

/**
 * A 400 on a listing the API refuses only for an archived project (members, their roles, service
 * accounts) means the project was archived while the crawl read it: a clean failure, run again.
 */
function throwIfProjectChanged(err: unknown, projectId: string, listing: string): void {
  if (err instanceof AdminApiError && err.status === 400) {
    throw new AuditError(
      "PROJECT_CHANGED",
      `project ${projectId} refused its ${listing} listing (HTTP 400: archived during the crawl?); snapshot not published: run the crawl again`,
    );
  }
}

/** A catch handler: PROJECT_CHANGED for an archived project's 400, else the error itself. */
function projectChanged(projectId: string, listing: string): (err: unknown) => never {
  return (err) => {
    throwIfProjectChanged(err, projectId, listing);
    throw err;
  };
}

/** The keys of `value` whose values are defined (so they do not hide the defaults). */
function definedOnly<T extends object>(value: Partial<T> | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** Awaits all; on the first failure aborts the others, waits for them to stop, and rethrows it. */
async function allOrAbort(tasks: Promise<void>[], controller: AbortController): Promise<void> {
  let first: { error: unknown } | undefined;
  await Promise.all(
    tasks.map((t) =>
      t.catch((error: unknown) => {
        if (!first) {
          first = { error };
          controller.abort(error);
        }
      }),
    ),
  );
  if (first) throw first.error;
}
