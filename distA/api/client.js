import { silentLogger } from "../util/log.js";
import { DEFAULT_BASE_URL } from "./base-url.js";
import { MAX_BACKOFF_MS, packageVersion, Transport } from "./http.js";
import { DEFAULT_CONCURRENCY, MAX_RESPONSE_BYTES } from "./limits.js";
import { PaginatedList } from "./paginate.js";
import { AdminApiKeyDeletedSchema, AdminApiKeySchema, AssignedRoleSchema, AuditLogSchema, DeletedAssignmentSchema, GroupDeletedSchema, GroupRoleAssignmentSchema, GroupSchema, GroupUpdatedSchema, GroupUserAssignmentSchema, GroupUserSchema, InviteDeletedSchema, InviteSchema, lastIdPageSchema, nextCursorPageSchema, OrgUserSchema, ProjectApiKeyDeletedSchema, ProjectApiKeySchema, ProjectGroupSchema, ProjectSchema, ProjectUserDeletedSchema, ProjectUserSchema, RoleDeletedSchema, RoleSchema, ServiceAccountDeletedSchema, ServiceAccountSchema, UserRoleAssignmentSchema, } from "./types.js";
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
export const MAX_PAGE_SIZE = { nextCursor: 1000, legacy: 100, projectGroups: 100 };
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
};
function positiveInt(name, v, dflt, min = 1) {
    const value = v ?? dflt;
    if (!Number.isInteger(value) || value < min) {
        throw new RangeError(`${name} must be an integer >= ${min}, got ${String(value)}`);
    }
    return value;
}
function nonNegative(name, v, dflt) {
    const value = v ?? dflt;
    if (!Number.isFinite(value) || value < 0) {
        throw new RangeError(`${name} must be a finite number >= 0, got ${String(value)}`);
    }
    return value;
}
/** URL-encode one path segment (ids); "." and ".." are encoded so they cannot be normalised away. */
export function encodeSegment(name, id) {
    if (typeof id !== "string" || id.length === 0) {
        throw new TypeError(`${name} must be a non-empty string`);
    }
    const enc = encodeURIComponent(id);
    return enc === "." || enc === ".." ? enc.replaceAll(".", "%2E") : enc;
}
function pageLimit(limit, max) {
    if (limit === undefined)
        return max;
    if (!Number.isInteger(limit) || limit < 1 || limit > max) {
        throw new RangeError(`limit must be an integer in 1..${max}, got ${String(limit)}`);
    }
    return limit;
}
export class AdminClient {
    transport;
    constructor(options) {
        if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
            throw new TypeError("apiKey is required");
        }
        if (/[\r\n\s]/.test(options.apiKey)) {
            // Never echo it: the message names the problem only.
            throw new TypeError("apiKey must not contain whitespace");
        }
        const concurrency = positiveInt("concurrency", options.concurrency, DEFAULTS.concurrency);
        const userAgent = options.userAgent ?? `openai-access-audit/${packageVersion()}`;
        if (/[\r\n]/.test(userAgent))
            throw new TypeError("userAgent must be one line");
        this.transport = new Transport({
            apiKey: options.apiKey,
            baseUrl: options.baseUrl ?? process.env.OPENAI_BASE_URL ?? DEFAULTS.baseUrl,
            allowInsecureHttp: options.allowInsecureHttp ?? false,
            concurrency,
            maxRetries: positiveInt("maxRetries", options.maxRetries, DEFAULTS.maxRetries, 0),
            requestTimeoutMs: positiveInt("requestTimeoutMs", options.requestTimeoutMs, DEFAULTS.requestTimeoutMs),
            deadlineMs: positiveInt("deadlineMs", options.deadlineMs, DEFAULTS.deadlineMs),
            maxRetryDelayMs: nonNegative("maxRetryDelayMs", options.maxRetryDelayMs, DEFAULTS.maxRetryDelayMs),
            initialBackoffMs: nonNegative("initialBackoffMs", options.initialBackoffMs, DEFAULTS.initialBackoffMs),
            maxBackoffMs: MAX_BACKOFF_MS,
            maxMalformedRetries: positiveInt("maxMalformedRetries", options.maxMalformedRetries, DEFAULTS.maxMalformedRetries, 0),
            maxResponseBytes: positiveInt("maxResponseBytes", options.maxResponseBytes, DEFAULTS.maxResponseBytes),
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
    organizationIds() {
        return this.transport.organizationIds();
    }
    stats() {
        return this.transport.stats();
    }
    /** Close the keep-alive pool; pending waits end with a NetworkError. */
    close() {
        return this.transport.close();
    }
    // ---------------------------------------------------------------- lists
    nextCursorList(path, endpoint, schema, opts, shape = {}) {
        const query = [
            ["limit", String(pageLimit(opts?.limit, shape.maxLimit ?? MAX_PAGE_SIZE.nextCursor))],
        ];
        if (opts?.order !== undefined) {
            if (opts.order !== "asc" && opts.order !== "desc") {
                throw new RangeError(`order must be "asc" or "desc"`);
            }
            query.push(["order", opts.order]);
        }
        return new PaginatedList({
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
    lastIdList(path, endpoint, schema, opts, extra = []) {
        return new PaginatedList({
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
    listProjects(opts) {
        return this.lastIdList("/organization/projects", "/organization/projects", ProjectsPage, opts, [["include_archived", "true"]]);
    }
    /** `GET /organization/projects/{project_id}/users` (legacy envelope). 400 for an archived project. */
    listProjectUsers(projectId, opts) {
        return this.lastIdList(`/organization/projects/${encodeSegment("projectId", projectId)}/users`, "/organization/projects/{project_id}/users", ProjectUsersPage, opts);
    }
    /** `GET /organization/projects/{project_id}/groups` (NextCursorPage, limit 100, `after` = group id). */
    listProjectGroups(projectId, opts) {
        return this.nextCursorList(`/organization/projects/${encodeSegment("projectId", projectId)}/groups`, "/organization/projects/{project_id}/groups", ProjectGroupsPage, opts, { maxLimit: MAX_PAGE_SIZE.projectGroups, idOf: (g) => g.group_id });
    }
    /** `GET /projects/{project_id}/roles` (NextCursorPage, limit 1000): the project's roles catalog. */
    listProjectRoles(projectId, opts) {
        return this.nextCursorList(`/projects/${encodeSegment("projectId", projectId)}/roles`, "/projects/{project_id}/roles", RolesPage, opts);
    }
    /** `GET /projects/{project_id}/groups/{group_id}/roles` (NextCursorPage, limit 1000). */
    listProjectGroupRoles(projectId, groupId, opts) {
        return this.nextCursorList(`/projects/${encodeSegment("projectId", projectId)}/groups/${encodeSegment("groupId", groupId)}/roles`, "/projects/{project_id}/groups/{group_id}/roles", AssignedRolesPage, opts);
    }
    /** `GET /projects/{project_id}/users/{user_id}/roles` (NextCursorPage, limit 1000). */
    listProjectUserRoles(projectId, userId, opts) {
        return this.nextCursorList(`/projects/${encodeSegment("projectId", projectId)}/users/${encodeSegment("userId", userId)}/roles`, "/projects/{project_id}/users/{user_id}/roles", AssignedRolesPage, opts);
    }
    /**
     * `GET /organization/projects/{project_id}/service_accounts` (legacy envelope). 400 for an
     * archived project.
     */
    listServiceAccounts(projectId, opts) {
        return this.lastIdList(`/organization/projects/${encodeSegment("projectId", projectId)}/service_accounts`, "/organization/projects/{project_id}/service_accounts", ServiceAccountsPage, opts);
    }
    /**
     * `GET /organization/projects/{project_id}/api_keys?owner_project_access=any` (legacy
     * envelope): every enabled key of the project. Without the parameter the API applies
     * "membership-based visibility rules" that may leave enabled keys out.
     */
    listProjectApiKeys(projectId, opts) {
        return this.lastIdList(`/organization/projects/${encodeSegment("projectId", projectId)}/api_keys`, "/organization/projects/{project_id}/api_keys", ProjectApiKeysPage, opts, [["owner_project_access", "any"]]);
    }
    /**
     * `GET /organization/admin_api_keys` (CursorPage: `after` = the last item's id; no maximum
     * limit is stated, 100 is asked for).
     */
    listAdminApiKeys(opts) {
        return new PaginatedList({
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
    listInvites(opts) {
        return this.lastIdList("/organization/invites", "/organization/invites", InvitesPage, opts);
    }
    /**
     * `GET /organization/audit_logs` (legacy envelope, limit 100, newest first by inference).
     * `effectiveAt` bounds are unix seconds, sent in the SDKs' bracket form
     * (`effective_at[gte]=…`); array filters as `event_types[]=…`. A 403 means the key lacks
     * the audit-log permission; a 400 may mean audit logging is turned off (inference).
     */
    listAuditLogs(opts) {
        const extra = [];
        for (const bound of ["gt", "gte", "lt", "lte"]) {
            const value = opts?.effectiveAt?.[bound];
            if (value !== undefined)
                extra.push([`effective_at[${bound}]`, String(value)]);
        }
        const arrays = [
            ["event_types[]", opts?.eventTypes],
            ["project_ids[]", opts?.projectIds],
            ["actor_ids[]", opts?.actorIds],
            ["actor_emails[]", opts?.actorEmails],
            ["resource_ids[]", opts?.resourceIds],
        ];
        for (const [name, values] of arrays)
            for (const v of values ?? [])
                extra.push([name, v]);
        return this.lastIdList("/organization/audit_logs", "/organization/audit_logs", AuditLogsPage, opts, extra);
    }
    /** `GET /organization/groups` (NextCursorPage, limit 1000). */
    listGroups(opts) {
        return this.nextCursorList("/organization/groups", "/organization/groups", GroupsPage, opts);
    }
    /** `GET /organization/groups/{group_id}/users` (NextCursorPage, limit 1000). 404 -> NotFoundError. */
    listGroupUsers(groupId, opts) {
        return this.nextCursorList(`/organization/groups/${encodeSegment("groupId", groupId)}/users`, "/organization/groups/{group_id}/users", GroupUsersPage, opts);
    }
    /** `GET /organization/groups/{group_id}/roles` (NextCursorPage, limit 1000). 404 -> NotFoundError. */
    listGroupRoles(groupId, opts) {
        return this.nextCursorList(`/organization/groups/${encodeSegment("groupId", groupId)}/roles`, "/organization/groups/{group_id}/roles", AssignedRolesPage, opts);
    }
    /** `GET /organization/roles` (NextCursorPage, limit 1000). */
    listRoles(opts) {
        return this.nextCursorList("/organization/roles", "/organization/roles", RolesPage, opts);
    }
    /** `GET /organization/users/{user_id}/roles` (NextCursorPage, limit 1000). */
    listUserRoles(userId, opts) {
        return this.nextCursorList(`/organization/users/${encodeSegment("userId", userId)}/roles`, "/organization/users/{user_id}/roles", AssignedRolesPage, opts);
    }
    /** `GET /organization/users` (legacy `last_id` envelope, limit 100, `emails[]` filter). */
    listUsers(opts) {
        const query = [
            ["limit", String(pageLimit(opts?.limit, MAX_PAGE_SIZE.legacy))],
        ];
        for (const email of opts?.emails ?? [])
            query.push(["emails[]", email]);
        return new PaginatedList({
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
    async retrieveGroup(groupId, opts) {
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
    async createGroup(name) {
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
    async updateGroup(groupId, name) {
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
    async deleteGroup(groupId) {
        const res = await this.transport.request({
            method: "DELETE",
            path: `/organization/groups/${encodeSegment("groupId", groupId)}`,
            endpoint: "/organization/groups/{group_id}",
            schema: GroupDeletedSchema,
        });
        return res.data;
    }
    /** `POST /organization/groups/{group_id}/users`. */
    async addGroupUser(groupId, userId) {
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
    async removeGroupUser(groupId, userId) {
        const res = await this.transport.request({
            method: "DELETE",
            path: `/organization/groups/${encodeSegment("groupId", groupId)}/users/${encodeSegment("userId", userId)}`,
            endpoint: "/organization/groups/{group_id}/users/{user_id}",
            schema: DeletedAssignmentSchema,
        });
        return res.data;
    }
    /** `POST /organization/groups/{group_id}/roles`. */
    async assignGroupRole(groupId, roleId) {
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
    async unassignGroupRole(groupId, roleId) {
        const res = await this.transport.request({
            method: "DELETE",
            path: `/organization/groups/${encodeSegment("groupId", groupId)}/roles/${encodeSegment("roleId", roleId)}`,
            endpoint: "/organization/groups/{group_id}/roles/{role_id}",
            schema: DeletedAssignmentSchema,
        });
        return res.data;
    }
    /** `POST /organization/users/{user_id}/roles`. */
    async assignUserRole(userId, roleId) {
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
    async unassignUserRole(userId, roleId) {
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
    async createProject(name) {
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
    async updateProject(projectId, name) {
        return this.post(`/organization/projects/${encodeSegment("projectId", projectId)}`, "/organization/projects/{project_id}", { name }, ProjectSchema);
    }
    /** `POST /organization/projects/{project_id}/archive`. There is no unarchive. */
    async archiveProject(projectId) {
        return this.post(`/organization/projects/${encodeSegment("projectId", projectId)}/archive`, "/organization/projects/{project_id}/archive", undefined, ProjectSchema);
    }
    /** `POST /organization/projects/{project_id}/users`: the user must be an organization member. */
    async addProjectUser(projectId, userId, role) {
        return this.post(`/organization/projects/${encodeSegment("projectId", projectId)}/users`, "/organization/projects/{project_id}/users", { user_id: userId, role }, ProjectUserSchema);
    }
    /** `POST /organization/projects/{project_id}/users/{user_id}`: change the membership role. */
    async updateProjectUser(projectId, userId, role) {
        return this.post(`/organization/projects/${encodeSegment("projectId", projectId)}/users/${encodeSegment("userId", userId)}`, "/organization/projects/{project_id}/users/{user_id}", { role }, ProjectUserSchema);
    }
    /** `DELETE /organization/projects/{project_id}/users/{user_id}`. */
    async removeProjectUser(projectId, userId) {
        return this.delete(`/organization/projects/${encodeSegment("projectId", projectId)}/users/${encodeSegment("userId", userId)}`, "/organization/projects/{project_id}/users/{user_id}", ProjectUserDeletedSchema);
    }
    /** `POST /organization/projects/{project_id}/groups`: attach a group with a project role id. */
    async attachProjectGroup(projectId, groupId, roleId) {
        return this.post(`/organization/projects/${encodeSegment("projectId", projectId)}/groups`, "/organization/projects/{project_id}/groups", { group_id: groupId, role: roleId }, ProjectGroupSchema);
    }
    /** `DELETE /organization/projects/{project_id}/groups/{group_id}` (the reply has no id). */
    async detachProjectGroup(projectId, groupId) {
        return this.delete(`/organization/projects/${encodeSegment("projectId", projectId)}/groups/${encodeSegment("groupId", groupId)}`, "/organization/projects/{project_id}/groups/{group_id}", DeletedAssignmentSchema);
    }
    /** `POST /projects/{project_id}/roles` (the body says `role_name`, the reply `name`). */
    async createProjectRole(projectId, role) {
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
    async updateProjectRole(projectId, roleId, change) {
        return this.post(`/projects/${encodeSegment("projectId", projectId)}/roles/${encodeSegment("roleId", roleId)}`, "/projects/{project_id}/roles/{role_id}", {
            ...(change.name === undefined ? {} : { role_name: change.name }),
            ...(change.permissions === undefined ? {} : { permissions: [...change.permissions] }),
            ...(change.description === undefined ? {} : { description: change.description }),
        }, RoleSchema);
    }
    /** `DELETE /projects/{project_id}/roles/{role_id}` (custom roles only). */
    async deleteProjectRole(projectId, roleId) {
        return this.delete(`/projects/${encodeSegment("projectId", projectId)}/roles/${encodeSegment("roleId", roleId)}`, "/projects/{project_id}/roles/{role_id}", RoleDeletedSchema);
    }
    /** `POST /projects/{project_id}/groups/{group_id}/roles`. */
    async assignProjectGroupRole(projectId, groupId, roleId) {
        return this.post(`/projects/${encodeSegment("projectId", projectId)}/groups/${encodeSegment("groupId", groupId)}/roles`, "/projects/{project_id}/groups/{group_id}/roles", { role_id: roleId }, GroupRoleAssignmentSchema);
    }
    /** `DELETE /projects/{project_id}/groups/{group_id}/roles/{role_id}`. */
    async unassignProjectGroupRole(projectId, groupId, roleId) {
        return this.delete(`/projects/${encodeSegment("projectId", projectId)}/groups/${encodeSegment("groupId", groupId)}/roles/${encodeSegment("roleId", roleId)}`, "/projects/{project_id}/groups/{group_id}/roles/{role_id}", DeletedAssignmentSchema);
    }
    /** `POST /projects/{project_id}/users/{user_id}/roles`. */
    async assignProjectUserRole(projectId, userId, roleId) {
        return this.post(`/projects/${encodeSegment("projectId", projectId)}/users/${encodeSegment("userId", userId)}/roles`, "/projects/{project_id}/users/{user_id}/roles", { role_id: roleId }, UserRoleAssignmentSchema);
    }
    /** `DELETE /projects/{project_id}/users/{user_id}/roles/{role_id}`. */
    async unassignProjectUserRole(projectId, userId, roleId) {
        return this.delete(`/projects/${encodeSegment("projectId", projectId)}/users/${encodeSegment("userId", userId)}/roles/${encodeSegment("roleId", roleId)}`, "/projects/{project_id}/users/{user_id}/roles/{role_id}", DeletedAssignmentSchema);
    }
    /** `DELETE /organization/projects/{project_id}/service_accounts/{service_account_id}` (its keys go with it). */
    async deleteServiceAccount(projectId, serviceAccountId) {
        return this.delete(`/organization/projects/${encodeSegment("projectId", projectId)}/service_accounts/${encodeSegment("serviceAccountId", serviceAccountId)}`, "/organization/projects/{project_id}/service_accounts/{service_account_id}", ServiceAccountDeletedSchema);
    }
    /** `DELETE /organization/projects/{project_id}/api_keys/{api_key_id}` (400 for a service account's key). */
    async deleteProjectApiKey(projectId, keyId) {
        return this.delete(`/organization/projects/${encodeSegment("projectId", projectId)}/api_keys/${encodeSegment("keyId", keyId)}`, "/organization/projects/{project_id}/api_keys/{api_key_id}", ProjectApiKeyDeletedSchema);
    }
    /** `DELETE /organization/admin_api_keys/{key_id}`. */
    async deleteAdminApiKey(keyId) {
        return this.delete(`/organization/admin_api_keys/${encodeSegment("keyId", keyId)}`, "/organization/admin_api_keys/{key_id}", AdminApiKeyDeletedSchema);
    }
    /** `DELETE /organization/invites/{invite_id}` (an accepted invite cannot be deleted). */
    async deleteInvite(inviteId) {
        return this.delete(`/organization/invites/${encodeSegment("inviteId", inviteId)}`, "/organization/invites/{invite_id}", InviteDeletedSchema);
    }
    async post(path, endpoint, body, schema) {
        const res = await this.transport.request({
            method: "POST",
            path,
            endpoint,
            schema,
            ...(body === undefined ? {} : { body }),
        });
        return res.data;
    }
    async delete(path, endpoint, schema) {
        const res = await this.transport.request({ method: "DELETE", path, endpoint, schema });
        return res.data;
    }
}
//# sourceMappingURL=client.js.map