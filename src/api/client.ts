/**
 * `AdminClient`: typed reads and writes of the OpenAI Admin API (groups, group users, group and
 * user role assignments, roles, organization users; projects, their members, attached groups,
 * roles catalogs and project role assignments) over the transport in ./http.ts.
 */
import type { Logger } from "pino";
import type { z } from "zod";
import { silentLogger } from "../util/log.js";
import { DEFAULT_BASE_URL } from "./base-url.js";
import { MAX_BACKOFF_MS, packageVersion, type RequestStats, Transport } from "./http.js";
import { DEFAULT_CONCURRENCY, MAX_RESPONSE_BYTES } from "./limits.js";
import { type ListOptions, type Paginated, PaginatedList, type RawPage } from "./paginate.js";
import {
  type AdminApiKey,
  type AdminApiKeyDeleted,
  AdminApiKeyDeletedSchema,
  AdminApiKeySchema,
  type AssignedRole,
  AssignedRoleSchema,
  type AuditLog,
  AuditLogSchema,
  type DeletedAssignment,
  DeletedAssignmentSchema,
  type Group,
  type GroupDeleted,
  GroupDeletedSchema,
  type GroupRoleAssignment,
  GroupRoleAssignmentSchema,
  GroupSchema,
  type GroupUpdated,
  GroupUpdatedSchema,
  type GroupUser,
  type GroupUserAssignment,
  GroupUserAssignmentSchema,
  GroupUserSchema,
  type Invite,
  type InviteDeleted,
  InviteDeletedSchema,
  InviteSchema,
  lastIdPageSchema,
  nextCursorPageSchema,
  type OrgUser,
  OrgUserSchema,
  type Project,
  type ProjectApiKey,
  type ProjectApiKeyDeleted,
  ProjectApiKeyDeletedSchema,
  ProjectApiKeySchema,
  type ProjectGroup,
  ProjectGroupSchema,
  ProjectSchema,
  type ProjectUser,
  type ProjectUserDeleted,
  ProjectUserDeletedSchema,
  ProjectUserSchema,
  type Role,
  type RoleDeleted,
  RoleDeletedSchema,
  RoleSchema,
  type ServiceAccount,
  type ServiceAccountDeleted,
  ServiceAccountDeletedSchema,
  ServiceAccountSchema,
  type UserRoleAssignment,
  UserRoleAssignmentSchema,
} from "./types.js";

export interface AdminClientOptions {
  /** Sent only as `Authorization: Bearer`; registered with `registerSecret`. */
  apiKey: string;
  /**
   * Default `process.env.OPENAI_BASE_URL ?? DEFAULT_BASE_URL`. Refused (TypeError, the value not
   * repeated) with a user name or password, a query string, a fragment, something that looks
   * like a key, or `http:` to a host that is not loopback (unless `allowInsecureHttp`).
   */
  baseUrl?: string;
  /** Send the key over plain `http:` to a host that is not loopback. Default false. */
  allowInsecureHttp?: boolean;
  /** Max requests in flight, shared by all calls of this client. Default DEFAULT_CONCURRENCY. */
  concurrency?: number;
  /** Default 6. */
  maxRetries?: number;
  /** Per attempt (headers + body). Default 30 000. */
  requestTimeoutMs?: number;
  /** Overall per request including retries and waits. Default 300 000. */
  deadlineMs?: number;
  /** Cap on one wait. A larger server Retry-After fails the call instead. Default 60 000. */
  maxRetryDelayMs?: number;
  /** First backoff; doubles per retry, capped at 8 000, minus up to 25% jitter. Default 500. */
  initialBackoffMs?: number;
  /** Client-side rate limit (requests/s); default none. Adaptive: halved on a 429, recovers. */
  rateLimitRps?: number;
  /** pino logger; default silent. Retries are logged at debug level (never headers). */
  logger?: Logger;
  /** Default `openai-access-audit/<version>`. */
  userAgent?: string;
  /** Retries of a 2xx response with malformed JSON (also bounded by maxRetries). Default 2. */
  maxMalformedRetries?: number;
  /** Largest response body accepted (a larger one is refused, not retried). Default 64 MiB. */
  maxResponseBytes?: number;
}

const GroupsPage = nextCursorPageSchema(GroupSchema);
const GroupUsersPage = nextCursorPageSchema(GroupUserSchema);
const AssignedRolesPage = nextCursorPageSchema(AssignedRoleSchema);
const RolesPage = nextCursorPageSchema(RoleSchema);
const OrgUsersPage = lastIdPageSchema(OrgUserSchema);
const ProjectsPage = lastIdPageSchema(ProjectSchema);
const ProjectUsersPage = lastIdPageSchema(ProjectUserSchema);
const ProjectGroupsPage = nextCursorPageSchema(ProjectGroupSchema);
const ServiceAccountsPage = lastIdPageSchema(ServiceAccountSchema);
const ProjectApiKeysPage = lastIdPageSchema(ProjectApiKeySchema);
const AdminApiKeysPage = lastIdPageSchema(AdminApiKeySchema);
const InvitesPage = lastIdPageSchema(InviteSchema);
const AuditLogsPage = lastIdPageSchema(AuditLogSchema);

/** Largest page sizes the endpoints accept. */
export const MAX_PAGE_SIZE = { nextCursor: 1000, legacy: 100, projectGroups: 100 } as const;

export { DEFAULT_BASE_URL, DEFAULT_CONCURRENCY };

const DEFAULTS = {
  baseUrl: DEFAULT_BASE_URL,
  concurrency: DEFAULT_CONCURRENCY,
  maxRetries: 6,
  requestTimeoutMs: 30_000,
  deadlineMs: 300_000,
  maxRetryDelayMs: 60_000,
  initialBackoffMs: 500,
  maxMalformedRetries: 2,
  maxResponseBytes: MAX_RESPONSE_BYTES,
} as const;

function positiveInt(name: string, v: number | undefined, dflt: number, min = 1): number {
  const value = v ?? dflt;
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function nonNegative(name: string, v: number | undefined, dflt: number): number {
  const value = v ?? dflt;
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

/** URL-encode one path segment (ids); "." and ".." are encoded so they cannot be normalised away. */
export function encodeSegment(name: string, id: string): string {
  if (typeof id !== "string" || id.length === 0) {
    throw new TypeError(`${name} must be a non-empty string`);
  }
  const enc = encodeURIComponent(id);
  return enc === "." || enc === ".." ? enc.replaceAll(".", "%2E") : enc;
}

function pageLimit(limit: number | undefined, max: number): number {
  if (limit === undefined) return max;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new RangeError(`limit must be an integer in 1..${max}, got ${String(limit)}`);
  }
  return limit;
}

export class AdminClient {
  private readonly transport: Transport;

  constructor(options: AdminClientOptions) {
    if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
      throw new TypeError("apiKey is required");
    }
    if (/[\r\n\s]/.test(options.apiKey)) {
      // Never echo it: the message names the problem only.
      throw new TypeError("apiKey must not contain whitespace");
    }
    const concurrency = positiveInt("concurrency", options.concurrency, DEFAULTS.concurrency);
    const userAgent = options.userAgent ?? `openai-access-audit/${packageVersion()}`;
    if (/[\r\n]/.test(userAgent)) throw new TypeError("userAgent must be one line");
    this.transport = new Transport({
      apiKey: options.apiKey,
      baseUrl: options.baseUrl ?? process.env.OPENAI_BASE_URL ?? DEFAULTS.baseUrl,
      allowInsecureHttp: options.allowInsecureHttp ?? false,
      concurrency,
      maxRetries: positiveInt("maxRetries", options.maxRetries, DEFAULTS.maxRetries, 0),
      requestTimeoutMs: positiveInt(
        "requestTimeoutMs",
        options.requestTimeoutMs,
        DEFAULTS.requestTimeoutMs,
      ),
      deadlineMs: positiveInt("deadlineMs", options.deadlineMs, DEFAULTS.deadlineMs),
      maxRetryDelayMs: nonNegative(
        "maxRetryDelayMs",
        options.maxRetryDelayMs,
        DEFAULTS.maxRetryDelayMs,
      ),
      initialBackoffMs: nonNegative(
        "initialBackoffMs",
        options.initialBackoffMs,
        DEFAULTS.initialBackoffMs,
      ),
      maxBackoffMs: MAX_BACKOFF_MS,
      maxMalformedRetries: positiveInt(
        "maxMalformedRetries",
        options.maxMalformedRetries,
        DEFAULTS.maxMalformedRetries,
        0,
      ),
      maxResponseBytes: positiveInt(
        "maxResponseBytes",
        options.maxResponseBytes,
        DEFAULTS.maxResponseBytes,
      ),
      rateLimitRps: options.rateLimitRps,
      logger: options.logger ?? silentLogger,
      userAgent,
    });
  }

  /** Cumulative counters (a copy). */
  /**
   * The organization ids the API named in its responses' `openai-organization` header (sorted;
   * empty when it sent none: the admin bodies carry no organization id).
   */
  organizationIds(): string[] {
    return this.transport.organizationIds();
  }

  stats(): RequestStats {
    return this.transport.stats();
  }

  /** Close the keep-alive pool; pending waits end with a NetworkError. */
  close(): Promise<void> {
    return this.transport.close();
  }

  // ---------------------------------------------------------------- lists

  private nextCursorList<T, S extends z.ZodType<RawPage<T>>>(
    path: string,
    endpoint: string,
    schema: S,
    opts: ListOptions | undefined,
    shape: { maxLimit?: number; idOf?: (item: T) => string } = {},
  ): Paginated<T> {
    const query: [string, string][] = [
      ["limit", String(pageLimit(opts?.limit, shape.maxLimit ?? MAX_PAGE_SIZE.nextCursor))],
    ];
    if (opts?.order !== undefined) {
      if (opts.order !== "asc" && opts.order !== "desc") {
        throw new RangeError(`order must be "asc" or "desc"`);
      }
      query.push(["order", opts.order]);
    }
    return new PaginatedList<T, S>({
      transport: this.transport,
      path,
      endpoint,
      style: "next",
      schema,
      query,
      startAfter: opts?.after,
      signal: opts?.signal,
      idOf: shape.idOf,
    });
  }

  /** A legacy `last_id` list (limit 100) with the given extra query parameters. */
  private lastIdList<T extends { id: string }, S extends z.ZodType<RawPage<T>>>(
    path: string,
    endpoint: string,
    schema: S,
    opts: { limit?: number; after?: string; signal?: AbortSignal } | undefined,
    extra: [string, string][] = [],
  ): Paginated<T> {
    return new PaginatedList<T, S>({
      transport: this.transport,
      path,
      endpoint,
      style: "last_id",
      schema,
      query: [["limit", String(pageLimit(opts?.limit, MAX_PAGE_SIZE.legacy))], ...extra],
      startAfter: opts?.after,
      signal: opts?.signal,
    });
  }

  /**
   * `GET /organization/projects?include_archived=true` (legacy envelope, limit 100): every
   * project, archived ones included (the API leaves them out by default).
   */
  listProjects(opts?: {
    limit?: number;
    after?: string;
    signal?: AbortSignal;
  }): Paginated<Project> {
    return this.lastIdList<Project, typeof ProjectsPage>(
      "/organization/projects",
      "/organization/projects",
      ProjectsPage,
      opts,
      [["include_archived", "true"]],
    );
  }

  /** `GET /organization/projects/{project_id}/users` (legacy envelope). 400 for an archived project. */
  listProjectUsers(
    projectId: string,
    opts?: { limit?: number; after?: string; signal?: AbortSignal },
  ): Paginated<ProjectUser> {
    return this.lastIdList<ProjectUser, typeof ProjectUsersPage>(
      `/organization/projects/${encodeSegment("projectId", projectId)}/users`,
      "/organization/projects/{project_id}/users",
      ProjectUsersPage,
      opts,
    );
  }

  /** `GET /organization/projects/{project_id}/groups` (NextCursorPage, limit 100, `after` = group id). */
  listProjectGroups(projectId: string, opts?: ListOptions): Paginated<ProjectGroup> {
    return this.nextCursorList<ProjectGroup, typeof ProjectGroupsPage>(
      `/organization/projects/${encodeSegment("projectId", projectId)}/groups`,
      "/organization/projects/{project_id}/groups",
      ProjectGroupsPage,
      opts,
      { maxLimit: MAX_PAGE_SIZE.projectGroups, idOf: (g) => g.group_id },
    );
  }

  /** `GET /projects/{project_id}/roles` (NextCursorPage, limit 1000): the project's roles catalog. */
  listProjectRoles(projectId: string, opts?: ListOptions): Paginated<Role> {
    return this.nextCursorList<Role, typeof RolesPage>(
      `/projects/${encodeSegment("projectId", projectId)}/roles`,
      "/projects/{project_id}/roles",
      RolesPage,
      opts,
    );
  }

  /** `GET /projects/{project_id}/groups/{group_id}/roles` (NextCursorPage, limit 1000). */
  listProjectGroupRoles(
    projectId: string,
    groupId: string,
    opts?: ListOptions,
  ): Paginated<AssignedRole> {
    return this.nextCursorList<AssignedRole, typeof AssignedRolesPage>(
      `/projects/${encodeSegment("projectId", projectId)}/groups/${encodeSegment("groupId", groupId)}/roles`,
      "/projects/{project_id}/groups/{group_id}/roles",
      AssignedRolesPage,
      opts,
    );
  }

  /** `GET /projects/{project_id}/users/{user_id}/roles` (NextCursorPage, limit 1000). */
  listProjectUserRoles(
    projectId: string,
    userId: string,
    opts?: ListOptions,
  ): Paginated<AssignedRole> {
    return this.nextCursorList<AssignedRole, typeof AssignedRolesPage>(
      `/projects/${encodeSegment("projectId", projectId)}/users/${encodeSegment("userId", userId)}/roles`,
      "/projects/{project_id}/users/{user_id}/roles",
      AssignedRolesPage,
      opts,
    );
  }

  /**
   * `GET /organization/projects/{project_id}/service_accounts` (legacy envelope). 400 for an
   * archived project.
   */
  listServiceAccounts(
    projectId: string,
    opts?: { limit?: number; after?: string; signal?: AbortSignal },
  ): Paginated<ServiceAccount> {
    return this.lastIdList<ServiceAccount, typeof ServiceAccountsPage>(
      `/organization/projects/${encodeSegment("projectId", projectId)}/service_accounts`,
      "/organization/projects/{project_id}/service_accounts",
      ServiceAccountsPage,
      opts,
    );
  }

  /**
   * `GET /organization/projects/{project_id}/api_keys?owner_project_access=any` (legacy
   * envelope): every enabled key of the project. Without the parameter the API applies
   * "membership-based visibility rules" that may leave enabled keys out.
   */
  listProjectApiKeys(
    projectId: string,
    opts?: { limit?: number; after?: string; signal?: AbortSignal },
  ): Paginated<ProjectApiKey> {
    return this.lastIdList<ProjectApiKey, typeof ProjectApiKeysPage>(
      `/organization/projects/${encodeSegment("projectId", projectId)}/api_keys`,
      "/organization/projects/{project_id}/api_keys",
      ProjectApiKeysPage,
      opts,
      [["owner_project_access", "any"]],
    );
  }

  /**
   * `GET /organization/admin_api_keys` (CursorPage: `after` = the last item's id; no maximum
   * limit is stated, 100 is asked for).
   */
  listAdminApiKeys(opts?: {
    limit?: number;
    after?: string;
    signal?: AbortSignal;
  }): Paginated<AdminApiKey> {
    return new PaginatedList<AdminApiKey, typeof AdminApiKeysPage>({
      transport: this.transport,
      path: "/organization/admin_api_keys",
      endpoint: "/organization/admin_api_keys",
      style: "last_item",
      schema: AdminApiKeysPage,
      query: [
        ["limit", String(pageLimit(opts?.limit, MAX_PAGE_SIZE.legacy))],
        ["order", "asc"],
      ],
      startAfter: opts?.after,
      signal: opts?.signal,
    });
  }

  /** `GET /organization/invites` (legacy envelope): pending, accepted and expired invites. */
  listInvites(opts?: { limit?: number; after?: string; signal?: AbortSignal }): Paginated<Invite> {
    return this.lastIdList<Invite, typeof InvitesPage>(
      "/organization/invites",
      "/organization/invites",
      InvitesPage,
      opts,
    );
  }

  /**
   * `GET /organization/audit_logs` (legacy envelope, limit 100, newest first by inference).
   * `effectiveAt` bounds are unix seconds, sent in the SDKs' bracket form
   * (`effective_at[gte]=…`); array filters as `event_types[]=…`. A 403 means the key lacks
   * the audit-log permission; a 400 may mean audit logging is turned off (inference).
   */
  listAuditLogs(opts?: {
    effectiveAt?: { gt?: number; gte?: number; lt?: number; lte?: number };
    eventTypes?: readonly string[];
    projectIds?: readonly string[];
    actorIds?: readonly string[];
    actorEmails?: readonly string[];
    resourceIds?: readonly string[];
    limit?: number;
    after?: string;
    signal?: AbortSignal;
  }): Paginated<AuditLog> {
    const extra: [string, string][] = [];
    for (const bound of ["gt", "gte", "lt", "lte"] as const) {
      const value = opts?.effectiveAt?.[bound];
      if (value !== undefined) extra.push([`effective_at[${bound}]`, String(value)]);
    }
    const arrays: [string, readonly string[] | undefined][] = [
      ["event_types[]", opts?.eventTypes],
      ["project_ids[]", opts?.projectIds],
      ["actor_ids[]", opts?.actorIds],
      ["actor_emails[]", opts?.actorEmails],
      ["resource_ids[]", opts?.resourceIds],
    ];
    for (const [name, values] of arrays) for (const v of values ?? []) extra.push([name, v]);
    return this.lastIdList<AuditLog, typeof AuditLogsPage>(
      "/organization/audit_logs",
      "/organization/audit_logs",
      AuditLogsPage,
      opts,
      extra,
    );
  }

  /** `GET /organization/groups` (NextCursorPage, limit 1000). */
  listGroups(opts?: ListOptions): Paginated<Group> {
    return this.nextCursorList<Group, typeof GroupsPage>(
      "/organization/groups",
      "/organization/groups",
      GroupsPage,
      opts,
    );
  }

  /** `GET /organization/groups/{group_id}/users` (NextCursorPage, limit 1000). 404 -> NotFoundError. */
  listGroupUsers(groupId: string, opts?: ListOptions): Paginated<GroupUser> {
    return this.nextCursorList<GroupUser, typeof GroupUsersPage>(
      `/organization/groups/${encodeSegment("groupId", groupId)}/users`,
      "/organization/groups/{group_id}/users",
      GroupUsersPage,
      opts,
    );
  }

  /** `GET /organization/groups/{group_id}/roles` (NextCursorPage, limit 1000). 404 -> NotFoundError. */
  listGroupRoles(groupId: string, opts?: ListOptions): Paginated<AssignedRole> {
    return this.nextCursorList<AssignedRole, typeof AssignedRolesPage>(
      `/organization/groups/${encodeSegment("groupId", groupId)}/roles`,
      "/organization/groups/{group_id}/roles",
      AssignedRolesPage,
      opts,
    );
  }

  /** `GET /organization/roles` (NextCursorPage, limit 1000). */
  listRoles(opts?: ListOptions): Paginated<Role> {
    return this.nextCursorList<Role, typeof RolesPage>(
      "/organization/roles",
      "/organization/roles",
      RolesPage,
      opts,
    );
  }

  /** `GET /organization/users/{user_id}/roles` (NextCursorPage, limit 1000). */
  listUserRoles(userId: string, opts?: ListOptions): Paginated<AssignedRole> {
    return this.nextCursorList<AssignedRole, typeof AssignedRolesPage>(
      `/organization/users/${encodeSegment("userId", userId)}/roles`,
      "/organization/users/{user_id}/roles",
      AssignedRolesPage,
      opts,
    );
  }

  /** `GET /organization/users` (legacy `last_id` envelope, limit 100, `emails[]` filter). */
  listUsers(opts?: {
    limit?: number;
    emails?: string[];
    after?: string;
    signal?: AbortSignal;
  }): Paginated<OrgUser> {
    const query: [string, string][] = [
      ["limit", String(pageLimit(opts?.limit, MAX_PAGE_SIZE.legacy))],
    ];
    for (const email of opts?.emails ?? []) query.push(["emails[]", email]);
    return new PaginatedList<OrgUser, typeof OrgUsersPage>({
      transport: this.transport,
      path: "/organization/users",
      endpoint: "/organization/users",
      style: "last_id",
      schema: OrgUsersPage,
      query,
      startAfter: opts?.after,
      signal: opts?.signal,
    });
  }

  // ---------------------------------------------------------------- single reads

  /** `GET /organization/groups/{group_id}`. */
  async retrieveGroup(groupId: string, opts?: { signal?: AbortSignal }): Promise<Group> {
    const res = await this.transport.request({
      method: "GET",
      path: `/organization/groups/${encodeSegment("groupId", groupId)}`,
      endpoint: "/organization/groups/{group_id}",
      schema: GroupSchema,
      signal: opts?.signal,
    });
    return res.data;
  }

  // ---------------------------------------------------------------- writes

  /**
   * `POST /organization/groups`. Not idempotent: network errors are retried only when the
   * request certainly never reached the server; status-driven retries (429/5xx) still apply.
   */
  async createGroup(name: string): Promise<Group> {
    const res = await this.transport.request({
      method: "POST",
      path: "/organization/groups",
      endpoint: "/organization/groups",
      body: { name },
      schema: GroupSchema,
      idempotent: false,
    });
    return res.data;
  }

  /** `POST /organization/groups/{group_id}` (rename; the API uses POST, not PATCH). */
  async updateGroup(groupId: string, name: string): Promise<GroupUpdated> {
    const res = await this.transport.request({
      method: "POST",
      path: `/organization/groups/${encodeSegment("groupId", groupId)}`,
      endpoint: "/organization/groups/{group_id}",
      body: { name },
      schema: GroupUpdatedSchema,
    });
    return res.data;
  }

  /** `DELETE /organization/groups/{group_id}`. */
  async deleteGroup(groupId: string): Promise<GroupDeleted> {
    const res = await this.transport.request({
      method: "DELETE",
      path: `/organization/groups/${encodeSegment("groupId", groupId)}`,
      endpoint: "/organization/groups/{group_id}",
      schema: GroupDeletedSchema,
    });
    return res.data;
  }

  /** `POST /organization/groups/{group_id}/users`. */
  async addGroupUser(groupId: string, userId: string): Promise<GroupUserAssignment> {
    const res = await this.transport.request({
      method: "POST",
      path: `/organization/groups/${encodeSegment("groupId", groupId)}/users`,
      endpoint: "/organization/groups/{group_id}/users",
      body: { user_id: userId },
      schema: GroupUserAssignmentSchema,
    });
    return res.data;
  }

  /** `DELETE /organization/groups/{group_id}/users/{user_id}`. */
  async removeGroupUser(groupId: string, userId: string): Promise<DeletedAssignment> {
    const res = await this.transport.request({
      method: "DELETE",
      path: `/organization/groups/${encodeSegment("groupId", groupId)}/users/${encodeSegment("userId", userId)}`,
      endpoint: "/organization/groups/{group_id}/users/{user_id}",
      schema: DeletedAssignmentSchema,
    });
    return res.data;
  }

  /** `POST /organization/groups/{group_id}/roles`. */
  async assignGroupRole(groupId: string, roleId: string): Promise<GroupRoleAssignment> {
    const res = await this.transport.request({
      method: "POST",
      path: `/organization/groups/${encodeSegment("groupId", groupId)}/roles`,
      endpoint: "/organization/groups/{group_id}/roles",
      body: { role_id: roleId },
      schema: GroupRoleAssignmentSchema,
    });
    return res.data;
  }

  /** `DELETE /organization/groups/{group_id}/roles/{role_id}`. */
  async unassignGroupRole(groupId: string, roleId: string): Promise<DeletedAssignment> {
    const res = await this.transport.request({
      method: "DELETE",
      path: `/organization/groups/${encodeSegment("groupId", groupId)}/roles/${encodeSegment("roleId", roleId)}`,
      endpoint: "/organization/groups/{group_id}/roles/{role_id}",
      schema: DeletedAssignmentSchema,
    });
    return res.data;
  }

  /** `POST /organization/users/{user_id}/roles`. */
  async assignUserRole(userId: string, roleId: string): Promise<UserRoleAssignment> {
    const res = await this.transport.request({
      method: "POST",
      path: `/organization/users/${encodeSegment("userId", userId)}/roles`,
      endpoint: "/organization/users/{user_id}/roles",
      body: { role_id: roleId },
      schema: UserRoleAssignmentSchema,
    });
    return res.data;
  }

  /** `DELETE /organization/users/{user_id}/roles/{role_id}`. */
  async unassignUserRole(userId: string, roleId: string): Promise<DeletedAssignment> {
    const res = await this.transport.request({
      method: "DELETE",
      path: `/organization/users/${encodeSegment("userId", userId)}/roles/${encodeSegment("roleId", roleId)}`,
      endpoint: "/organization/users/{user_id}/roles/{role_id}",
      schema: DeletedAssignmentSchema,
    });
    return res.data;
  }

  // ---------------------------------------------------------------- project writes

  /** `POST /organization/projects`. Not idempotent (see createGroup). */
  async createProject(name: string): Promise<Project> {
    const res = await this.transport.request({
      method: "POST",
      path: "/organization/projects",
      endpoint: "/organization/projects",
      body: { name },
      schema: ProjectSchema,
      idempotent: false,
    });
    return res.data;
  }

  /** `POST /organization/projects/{project_id}` (rename). */
  async updateProject(projectId: string, name: string): Promise<Project> {
    return this.post(
      `/organization/projects/${encodeSegment("projectId", projectId)}`,
      "/organization/projects/{project_id}",
      { name },
      ProjectSchema,
    );
  }

  /** `POST /organization/projects/{project_id}/archive`. There is no unarchive. */
  async archiveProject(projectId: string): Promise<Project> {
    return this.post(
      `/organization/projects/${encodeSegment("projectId", projectId)}/archive`,
      "/organization/projects/{project_id}/archive",
      undefined,
      ProjectSchema,
    );
  }

  /** `POST /organization/projects/{project_id}/users`: the user must be an organization member. */
  async addProjectUser(projectId: string, userId: string, role: string): Promise<ProjectUser> {
    return this.post(
      `/organization/projects/${encodeSegment("projectId", projectId)}/users`,
      "/organization/projects/{project_id}/users",
      { user_id: userId, role },
      ProjectUserSchema,
    );
  }

  /** `POST /organization/projects/{project_id}/users/{user_id}`: change the membership role. */
  async updateProjectUser(projectId: string, userId: string, role: string): Promise<ProjectUser> {
    return this.post(
      `/organization/projects/${encodeSegment("projectId", projectId)}/users/${encodeSegment("userId", userId)}`,
      "/organization/projects/{project_id}/users/{user_id}",
      { role },
      ProjectUserSchema,
    );
  }

  /** `DELETE /organization/projects/{project_id}/users/{user_id}`. */
  async removeProjectUser(projectId: string, userId: string): Promise<ProjectUserDeleted> {
    return this.delete(
      `/organization/projects/${encodeSegment("projectId", projectId)}/users/${encodeSegment("userId", userId)}`,
      "/organization/projects/{project_id}/users/{user_id}",
      ProjectUserDeletedSchema,
    );
  }

  /** `POST /organization/projects/{project_id}/groups`: attach a group with a project role id. */
  async attachProjectGroup(
    projectId: string,
    groupId: string,
    roleId: string,
  ): Promise<ProjectGroup> {
    return this.post(
      `/organization/projects/${encodeSegment("projectId", projectId)}/groups`,
      "/organization/projects/{project_id}/groups",
      { group_id: groupId, role: roleId },
      ProjectGroupSchema,
    );
  }

  /** `DELETE /organization/projects/{project_id}/groups/{group_id}` (the reply has no id). */
  async detachProjectGroup(projectId: string, groupId: string): Promise<DeletedAssignment> {
    return this.delete(
      `/organization/projects/${encodeSegment("projectId", projectId)}/groups/${encodeSegment("groupId", groupId)}`,
      "/organization/projects/{project_id}/groups/{group_id}",
      DeletedAssignmentSchema,
    );
  }

  /** `POST /projects/{project_id}/roles` (the body says `role_name`, the reply `name`). */
  async createProjectRole(
    projectId: string,
    role: { name: string; permissions: readonly string[]; description?: string | null },
  ): Promise<Role> {
    const res = await this.transport.request({
      method: "POST",
      path: `/projects/${encodeSegment("projectId", projectId)}/roles`,
      endpoint: "/projects/{project_id}/roles",
      body: {
        role_name: role.name,
        permissions: [...role.permissions],
        ...(role.description === undefined ? {} : { description: role.description }),
      },
      schema: RoleSchema,
      idempotent: false,
    });
    return res.data;
  }

  /** `POST /projects/{project_id}/roles/{role_id}`. */
  async updateProjectRole(
    projectId: string,
    roleId: string,
    change: { name?: string; permissions?: readonly string[]; description?: string | null },
  ): Promise<Role> {
    return this.post(
      `/projects/${encodeSegment("projectId", projectId)}/roles/${encodeSegment("roleId", roleId)}`,
      "/projects/{project_id}/roles/{role_id}",
      {
        ...(change.name === undefined ? {} : { role_name: change.name }),
        ...(change.permissions === undefined ? {} : { permissions: [...change.permissions] }),
        ...(change.description === undefined ? {} : { description: change.description }),
      },
      RoleSchema,
    );
  }

  /** `DELETE /projects/{project_id}/roles/{role_id}` (custom roles only). */
  async deleteProjectRole(projectId: string, roleId: string): Promise<RoleDeleted> {
    return this.delete(
      `/projects/${encodeSegment("projectId", projectId)}/roles/${encodeSegment("roleId", roleId)}`,
      "/projects/{project_id}/roles/{role_id}",
      RoleDeletedSchema,
    );
  }

  /** `POST /projects/{project_id}/groups/{group_id}/roles`. */
  async assignProjectGroupRole(
    projectId: string,
    groupId: string,
    roleId: string,
  ): Promise<GroupRoleAssignment> {
    return this.post(
      `/projects/${encodeSegment("projectId", projectId)}/groups/${encodeSegment("groupId", groupId)}/roles`,
      "/projects/{project_id}/groups/{group_id}/roles",
      { role_id: roleId },
      GroupRoleAssignmentSchema,
    );
  }

  /** `DELETE /projects/{project_id}/groups/{group_id}/roles/{role_id}`. */
  async unassignProjectGroupRole(
    projectId: string,
    groupId: string,
    roleId: string,
  ): Promise<DeletedAssignment> {
    return this.delete(
      `/projects/${encodeSegment("projectId", projectId)}/groups/${encodeSegment("groupId", groupId)}/roles/${encodeSegment("roleId", roleId)}`,
      "/projects/{project_id}/groups/{group_id}/roles/{role_id}",
      DeletedAssignmentSchema,
    );
  }

  /** `POST /projects/{project_id}/users/{user_id}/roles`. */
  async assignProjectUserRole(
    projectId: string,
    userId: string,
    roleId: string,
  ): Promise<UserRoleAssignment> {
    return this.post(
      `/projects/${encodeSegment("projectId", projectId)}/users/${encodeSegment("userId", userId)}/roles`,
      "/projects/{project_id}/users/{user_id}/roles",
      { role_id: roleId },
      UserRoleAssignmentSchema,
    );
  }

  /** `DELETE /projects/{project_id}/users/{user_id}/roles/{role_id}`. */
  async unassignProjectUserRole(
    projectId: string,
    userId: string,
    roleId: string,
  ): Promise<DeletedAssignment> {
    return this.delete(
      `/projects/${encodeSegment("projectId", projectId)}/users/${encodeSegment("userId", userId)}/roles/${encodeSegment("roleId", roleId)}`,
      "/projects/{project_id}/users/{user_id}/roles/{role_id}",
      DeletedAssignmentSchema,
    );
  }

  /** `DELETE /organization/projects/{project_id}/service_accounts/{service_account_id}` (its keys go with it). */
  async deleteServiceAccount(
    projectId: string,
    serviceAccountId: string,
  ): Promise<ServiceAccountDeleted> {
    return this.delete(
      `/organization/projects/${encodeSegment("projectId", projectId)}/service_accounts/${encodeSegment("serviceAccountId", serviceAccountId)}`,
      "/organization/projects/{project_id}/service_accounts/{service_account_id}",
      ServiceAccountDeletedSchema,
    );
  }

  /** `DELETE /organization/projects/{project_id}/api_keys/{api_key_id}` (400 for a service account's key). */
  async deleteProjectApiKey(projectId: string, keyId: string): Promise<ProjectApiKeyDeleted> {
    return this.delete(
      `/organization/projects/${encodeSegment("projectId", projectId)}/api_keys/${encodeSegment("keyId", keyId)}`,
      "/organization/projects/{project_id}/api_keys/{api_key_id}",
      ProjectApiKeyDeletedSchema,
    );
  }

  /** `DELETE /organization/admin_api_keys/{key_id}`. */
  async deleteAdminApiKey(keyId: string): Promise<AdminApiKeyDeleted> {
    return this.delete(
      `/organization/admin_api_keys/${encodeSegment("keyId", keyId)}`,
      "/organization/admin_api_keys/{key_id}",
      AdminApiKeyDeletedSchema,
    );
  }

  /** `DELETE /organization/invites/{invite_id}` (an accepted invite cannot be deleted). */
  async deleteInvite(inviteId: string): Promise<InviteDeleted> {
    return this.delete(
      `/organization/invites/${encodeSegment("inviteId", inviteId)}`,
      "/organization/invites/{invite_id}",
      InviteDeletedSchema,
    );
  }

  private async post<S extends z.ZodType>(
    path: string,
    endpoint: string,
    body: Record<string, unknown> | undefined,
    schema: S,
  ): Promise<z.infer<S>> {
    const res = await this.transport.request({
      method: "POST",
      path,
      endpoint,
      schema,
      ...(body === undefined ? {} : { body }),
    });
    return res.data;
  }

  private async delete<S extends z.ZodType>(
    path: string,
    endpoint: string,
    schema: S,
  ): Promise<z.infer<S>> {
    const res = await this.transport.request({ method: "DELETE", path, endpoint, schema });
    return res.data;
  }
}
