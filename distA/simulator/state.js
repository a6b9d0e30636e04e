/**
 * The simulated organization: the ground truth the fake Admin API serves.
 *
 * Storage is compact so that the benchmark organization (2,000 groups, 50,000
 * users, 1,000,000 memberships) fits comfortably in memory: users live in one
 * array ordered by id (an id is time-ordered, so new users append), and each
 * group keeps its members as an ascending array of user indexes. Wire objects
 * are built per request, never stored.
 *
 * Everything is ordered by id, which is how the simulator defines the sort key
 * behind `order` and the exclusive `after` cursor (the real sort key is
 * undocumented; ids are time-ordered, so id order is creation order).
 */
import { createHash } from "node:crypto";
import { AUDIT_LOG_MODES, assignmentKey, isAuditLogEventType, roleUpdatedDetail, serviceAccountKeyActor, sessionActor, userKeyActor, } from "./audit-events.js";
import { CredentialState } from "./credentials-state.js";
import { alphanumeric, Prng, ulidLike } from "./prng.js";
import { ALL, assignedRoleWireOf, indexOfSorted, indexOfSortedString, lowerBound, pageOfSorted, pagePositions, roleWireOf, StateError, } from "./records.js";
export { pagePositions, StateError } from "./records.js";
// ---------------------------------------------------------------- the state
/**
 * The organization behind the simulator. Tests read it as the expected answer
 * and mutate it directly; the HTTP write endpoints call the same methods, so
 * every endpoint stays consistent with every other after any change.
 *
 * Reads (wire shapes exactly as the faithful default server emits them, in API order):
 * - `listGroups(order = "asc"): GroupWire[]`, `getGroup(groupId): GroupWire | undefined`
 * - `listGroupUsers(groupId, order = "desc"): GroupUserWire[]`,
 *   `getGroupUser(groupId, userId): GroupMemberUserWire | undefined`, `isMember(groupId, userId)`
 * - `listGroupRoles(groupId, order = "asc"): AssignedRoleWire[]` (`assignment_sources: null`)
 * - `listRoles(order = "asc"): RoleWire[]`, `getRole(roleId)`, `roleIdByName(name)`,
 *   `ownerRoleId`, `readerRoleId`
 * - `listUsers(): OrgUserWire[]` (id order), `getUser(userId)`, `findUserIdByEmail(email)`
 * - `listUserRoles(userId, order = "asc", includeInherited = true): AssignedRoleWire[]`
 * - `counts(): OrgCounts` (projects included), `groupIds()`, `userIds()`,
 *   `fingerprint()` (sha256 of everything, projects included)
 * - `page*` methods: one page of each list, used by the server.
 * - Projects and the access inside them: see `ProjectState` (projects-state.ts); service
 *   accounts, project and admin API keys, invites: see `CredentialState` (credentials-state.ts),
 *   which extends ProjectState and which this class extends.
 *
 * Mutations (throw `StateError` "not_found" for unknown ids; booleans say whether anything changed):
 * - `createGroup(name, { isScimManaged?, groupType? }?): GroupWire`
 * - `renameGroup(groupId, name): GroupWire`, `deleteGroup(groupId): void` (also detaches it
 *   from every project)
 * - `addMember(groupId, userId): boolean`, `removeMember(groupId, userId): boolean`
 * - `assignGroupRole(groupId, roleId): boolean`, `unassignGroupRole(groupId, roleId): boolean`
 * - `assignUserRole(userId, roleId): boolean`, `unassignUserRole(userId, roleId): boolean`
 * - `createUser(options?): OrgUserWire`, `removeUser(userId): void` (also from every project)
 * - `createRole(options): RoleWire`, `updateRole(roleId, changes): RoleWire`, `deleteRole(roleId): void`
 *
 * New ids and timestamps come from a seeded logical clock, so a given sequence
 * of mutations always produces the same ids.
 *
 * The audit log (audit-log.ts): every mutation of the organization, its projects and its
 * credentials records the event the real API would record (a change that changes nothing records
 * nothing; group membership, key use and invite expiry never record). Changes made through this
 * class are "the console": recorded as a session of `asActor`'s actor, else of the first Owner.
 * - `asActor(actor, fn)`, `auditActor(actor?)`, `organizationId`
 * - `setUserRole(userId, "owner" | "reader")`: the legacy role (`user.updated`)
 * - `auditLogMode`, `setAuditLogMode(mode)`, `auditNow`, `setAuditClock(now?)`
 * - `recordAuditEvent(input)`, `seedAuditHistory(count, options?)`
 * - `listAuditEvents()`, `auditEventCount()`, `getAuditEvent(id)`, `pageAuditEvents(query)`
 */
export class OrgState extends CredentialState {
    seed;
    /** `org-…`, from a stream of its own; the resource of organization-level role events. */
    organizationId;
    /** Incremented by every mutation that changes something. */
    version = 0;
    users;
    userIndexById = new Map();
    liveUsers = 0;
    groups;
    groupById = new Map();
    roles;
    roleById = new Map();
    directRoles;
    membershipCount = 0;
    clock;
    rng;
    /** Predefined roles cannot be deleted, so this stays valid. */
    ownerId;
    constructor(init) {
        super(init.projects ?? [], init.seed, init.clock, init.credentials);
        this.seed = init.seed;
        this.users = init.users;
        this.groups = init.groups;
        this.roles = init.roles;
        this.directRoles = init.directRoles;
        this.clock = init.clock;
        this.rng = new Prng(init.seed, "state-mutations");
        this.organizationId = `org-${alphanumeric(new Prng(init.seed, "organization-id"), 24)}`;
        this.users.forEach((u, i) => {
            if (!u.removed) {
                this.userIndexById.set(u.id, i);
                this.liveUsers++;
            }
        });
        for (const g of this.groups) {
            this.groupById.set(g.id, g);
            this.membershipCount += g.members.length;
        }
        for (const r of this.roles)
            this.roleById.set(r.id, r);
        this.ownerId = this.roles.find((r) => r.predefined && r.name === "Owner")?.id ?? "";
    }
    // ------------------------------------------------------------ wire builders
    groupWire(g) {
        return {
            id: g.id,
            name: g.name,
            created_at: g.createdAt,
            is_scim_managed: g.isScimManaged,
            group_type: g.groupType,
        };
    }
    groupUserWire(u) {
        return { id: u.id, name: u.name, email: u.email };
    }
    orgUserWire(index, u) {
        const direct = this.directRoles.get(index);
        const isOwner = direct?.includes(this.ownerId) === true;
        return {
            object: "organization.user",
            id: u.id,
            name: u.name,
            email: u.email,
            role: isOwner ? "owner" : "reader",
            added_at: u.addedAt,
            is_service_account: u.isServiceAccount,
            is_scim_managed: u.isScimManaged,
            api_key_last_used_at: u.apiKeyLastUsedAt,
        };
    }
    /** The `GroupMemberUser` shape of `GET /groups/{id}/users/{user_id}`. */
    memberUserWire(u) {
        return {
            id: u.id,
            name: u.name,
            email: u.email,
            picture: u.picture,
            is_service_account: u.isServiceAccount,
            user_type: u.userType,
        };
    }
    /** The `Group` summary nested in the assign-group-role response. */
    groupSummary(groupId) {
        const g = this.requireGroup(groupId);
        return {
            object: "group",
            id: g.id,
            name: g.name,
            created_at: g.createdAt,
            scim_managed: g.isScimManaged,
        };
    }
    // ------------------------------------------------------------ lookups
    requireGroup(groupId) {
        const g = this.groupById.get(groupId);
        if (g === undefined)
            throw new StateError("not_found", `Group with id '${groupId}' not found.`);
        return g;
    }
    requireUserIndex(userId, param = null) {
        const index = this.userIndexById.get(userId);
        if (index === undefined) {
            throw new StateError("not_found", `User with id '${userId}' not found.`, param);
        }
        return index;
    }
    requireRole(roleId, param = null) {
        const r = this.roleById.get(roleId);
        if (r === undefined) {
            throw new StateError("not_found", `Role with id '${roleId}' not found.`, param);
        }
        return r;
    }
    userAt(index) {
        return this.users[index];
    }
    // What the project half reads of the organization (see ProjectState).
    liveUserIndex(userId) {
        return this.userIndexById.get(userId);
    }
    userRecordAt(index) {
        return this.userAt(index);
    }
    groupRecord(groupId) {
        return this.groupById.get(groupId);
    }
    orgClock() {
        return this.clock;
    }
    markChanged() {
        this.changed();
    }
    ownerUserRecords() {
        const out = [];
        for (const [index, ids] of [...this.directRoles].sort((a, b) => a[0] - b[0])) {
            const u = this.userAt(index);
            if (!u.removed && ids.includes(this.ownerId))
                out.push(u);
        }
        return out;
    }
    liveUserByEmail(email) {
        const id = this.findUserIdByEmail(email);
        const index = id === undefined ? undefined : this.userIndexById.get(id);
        return index === undefined ? undefined : this.userAt(index);
    }
    auditConsoleActor() {
        const owner = this.ownerUserRecords()[0];
        return { wire: owner === undefined ? null : sessionActor(owner), viaAdminKey: false };
    }
    /** An actor as recorded (StateError "not_found" for an unknown user or key). */
    resolveActor(actor) {
        switch (actor.kind) {
            case "scim":
                return { wire: null, source: "scim", viaAdminKey: false };
            case "session": {
                const u = this.userAt(this.requireUserIndex(actor.userId));
                return { wire: sessionActor(u, actor.ipAddress), viaAdminKey: false };
            }
            case "api_key": {
                const identity = this.apiKeyIdentity(actor.keyId);
                if (identity === undefined) {
                    throw new StateError("not_found", `API key with id '${actor.keyId}' not found.`);
                }
                const wire = identity.owner.kind === "user"
                    ? userKeyActor(actor.keyId, identity.owner.user)
                    : serviceAccountKeyActor(actor.keyId, identity.owner.id);
                return { wire, viaAdminKey: identity.admin };
            }
        }
    }
    addInvitedUser(email, role, at) {
        const local = email.split("@")[0] ?? email;
        const name = local
            .split(/[._-]+/)
            .filter((part) => part !== "")
            .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
            .join(" ");
        // acceptInvite records the joining (user.added with the invite's role) itself.
        return this.audit.quiet(() => {
            const created = this.createUser({ name: name === "" ? email : name, email, addedAt: at });
            if (role === "owner" && this.ownerId !== "")
                this.assignUserRole(created.id, this.ownerId);
            return this.userAt(this.requireUserIndex(created.id));
        });
    }
    /** Id of the predefined Owner role (holding it directly makes a user's `role` "owner"). */
    get ownerRoleId() {
        return this.ownerId;
    }
    /** Id of the predefined Reader role. */
    get readerRoleId() {
        return this.roles.find((r) => r.predefined && r.name === "Reader")?.id ?? "";
    }
    roleIdByName(name) {
        return this.roles.find((r) => r.name === name)?.id;
    }
    hasGroup(groupId) {
        return this.groupById.has(groupId);
    }
    hasUser(userId) {
        return this.userIndexById.has(userId);
    }
    hasRole(roleId) {
        return this.roleById.has(roleId);
    }
    isScimManagedGroup(groupId) {
        return this.requireGroup(groupId).isScimManaged;
    }
    isMember(groupId, userId) {
        const g = this.requireGroup(groupId);
        const index = this.userIndexById.get(userId);
        return index !== undefined && indexOfSorted(g.members, index) >= 0;
    }
    groupIds() {
        return this.groups.map((g) => g.id);
    }
    userIds() {
        const ids = [];
        for (const u of this.users)
            if (!u.removed)
                ids.push(u.id);
        return ids;
    }
    /** Member counts per group id, in group order (handy for picking test subjects). */
    groupSizes() {
        return this.groups.map((g) => ({
            id: g.id,
            members: g.members.length,
            roles: g.roleIds.length,
            isScimManaged: g.isScimManaged,
        }));
    }
    /** Number of user slots (live and removed); with `userIdAtSlot`, for uniform random picks. */
    userSlotCount() {
        return this.users.length;
    }
    /** The id of the user in slot `slot`, or undefined when that user was removed. */
    userIdAtSlot(slot) {
        const u = this.users[slot];
        return u === undefined || u.removed ? undefined : u.id;
    }
    /** Member count of a group. */
    groupSize(groupId) {
        return this.requireGroup(groupId).members.length;
    }
    /** The id of the member at `position` (ascending id order) of a group. */
    groupMemberIdAt(groupId, position) {
        const index = this.requireGroup(groupId).members[position];
        return index === undefined ? undefined : this.userAt(index).id;
    }
    /** Role ids assigned to a group, ascending. */
    groupRoleIds(groupId) {
        return [...this.requireGroup(groupId).roleIds];
    }
    /** Role ids assigned directly to a user, ascending. */
    directUserRoleIds(userId) {
        return [...(this.directRoles.get(this.requireUserIndex(userId)) ?? [])];
    }
    /** All role ids, ascending. */
    roleIds() {
        return this.roles.map((r) => r.id);
    }
    findUserIdByEmail(email) {
        const wanted = email.toLowerCase();
        return this.users.find((u) => !u.removed && u.email?.toLowerCase() === wanted)?.id;
    }
    counts() {
        let groupRoleAssignments = 0;
        for (const g of this.groups)
            groupRoleAssignments += g.roleIds.length;
        let userRoleAssignments = 0;
        for (const ids of this.directRoles.values())
            userRoleAssignments += ids.length;
        return {
            groups: this.groups.length,
            users: this.liveUsers,
            roles: this.roles.length,
            memberships: this.membershipCount,
            groupRoleAssignments,
            userRoleAssignments,
            ...this.projectCounts(),
        };
    }
    // ------------------------------------------------------------ pages (server)
    pageGroups(request) {
        const page = pageOfSorted(this.groups, (g) => g.id, request);
        return { items: page.items.map((g) => this.groupWire(g)), hasMore: page.hasMore };
    }
    pageGroupUsers(groupId, request) {
        const members = this.requireGroup(groupId).members;
        const { positions, hasMore } = pagePositions(members.length, (i) => this.userAt(members[i]).id, () => true, request);
        return {
            items: positions.map((p) => this.groupUserWire(this.userAt(members[p]))),
            hasMore,
        };
    }
    pageGroupRoles(groupId, request) {
        const g = this.requireGroup(groupId);
        const page = pageOfSorted(g.roleIds, (id) => id, request);
        return {
            items: page.items.map((id) => assignedRoleWireOf(this.requireRole(id), null)),
            hasMore: page.hasMore,
        };
    }
    pageRoles(request) {
        const page = pageOfSorted(this.roles, (r) => r.id, request);
        return { items: page.items.map((r) => roleWireOf(r)), hasMore: page.hasMore };
    }
    /** The legacy users list: ascending id order only; `emails` filters case-insensitively. */
    pageUsers(request, emails) {
        const filter = emails === undefined || emails.length === 0
            ? undefined
            : new Set(emails.map((e) => e.toLowerCase()));
        const users = this.users;
        const { positions, hasMore } = pagePositions(users.length, (i) => users[i].id, (i) => {
            const u = users[i];
            if (u.removed)
                return false;
            return filter === undefined || (u.email !== null && filter.has(u.email.toLowerCase()));
        }, request);
        return { items: positions.map((p) => this.orgUserWire(p, this.userAt(p))), hasMore };
    }
    pageUserRoles(userId, request, includeInherited) {
        const all = this.userRoleEntries(this.requireUserIndex(userId), includeInherited);
        const page = pageOfSorted(all, (e) => e.role.id, request);
        return {
            items: page.items.map((e) => assignedRoleWireOf(e.role, e.sources)),
            hasMore: page.hasMore,
        };
    }
    /** Roles a user holds, ascending by role id, each with the principals it comes from. */
    userRoleEntries(index, includeInherited) {
        const user = this.userAt(index);
        const sources = new Map();
        for (const roleId of this.directRoles.get(index) ?? []) {
            sources.set(roleId, [{ principal_id: user.id, principal_type: "user" }]);
        }
        if (includeInherited) {
            for (const g of this.groups) {
                if (g.roleIds.length === 0 || indexOfSorted(g.members, index) < 0)
                    continue;
                for (const roleId of g.roleIds) {
                    const list = sources.get(roleId);
                    const source = { principal_id: g.id, principal_type: "group" };
                    if (list === undefined)
                        sources.set(roleId, [source]);
                    else
                        list.push(source);
                }
            }
        }
        return [...sources.keys()]
            .sort()
            .map((roleId) => ({ role: this.requireRole(roleId), sources: sources.get(roleId) ?? [] }));
    }
    // ------------------------------------------------------------ full lists (tests)
    listGroups(order = "asc") {
        return this.pageGroups({ ...ALL, order }).items;
    }
    getGroup(groupId) {
        const g = this.groupById.get(groupId);
        return g === undefined ? undefined : this.groupWire(g);
    }
    listGroupUsers(groupId, order = "desc") {
        return this.pageGroupUsers(groupId, { ...ALL, order }).items;
    }
    getGroupUser(groupId, userId) {
        const g = this.requireGroup(groupId);
        const index = this.userIndexById.get(userId);
        if (index === undefined || indexOfSorted(g.members, index) < 0)
            return undefined;
        return this.memberUserWire(this.userAt(index));
    }
    listGroupRoles(groupId, order = "asc") {
        return this.pageGroupRoles(groupId, { ...ALL, order }).items;
    }
    getGroupRole(groupId, roleId) {
        const g = this.requireGroup(groupId);
        if (indexOfSortedString(g.roleIds, roleId) < 0)
            return undefined;
        return assignedRoleWireOf(this.requireRole(roleId), null);
    }
    listRoles(order = "asc") {
        return this.pageRoles({ ...ALL, order }).items;
    }
    getRole(roleId) {
        const r = this.roleById.get(roleId);
        return r === undefined ? undefined : roleWireOf(r);
    }
    listUsers() {
        return this.pageUsers(ALL).items;
    }
    getUser(userId) {
        const index = this.userIndexById.get(userId);
        return index === undefined ? undefined : this.orgUserWire(index, this.userAt(index));
    }
    listUserRoles(userId, order = "asc", includeInherited = true) {
        return this.pageUserRoles(userId, { ...ALL, order }, includeInherited).items;
    }
    getUserRole(userId, roleId, includeInherited = true) {
        const entries = this.userRoleEntries(this.requireUserIndex(userId), includeInherited);
        const entry = entries.find((e) => e.role.id === roleId);
        return entry === undefined ? undefined : assignedRoleWireOf(entry.role, entry.sources);
    }
    /** True when the user holds the role by a direct assignment (not only through a group). */
    hasDirectUserRole(userId, roleId) {
        const direct = this.directRoles.get(this.requireUserIndex(userId));
        return direct?.includes(roleId) === true;
    }
    hasGroupRole(groupId, roleId) {
        return indexOfSortedString(this.requireGroup(groupId).roleIds, roleId) >= 0;
    }
    /** A sha256 over every entity in order: equal fingerprints mean byte-identical organizations. */
    fingerprint() {
        const hash = createHash("sha256");
        for (const r of this.roles)
            hash.update(`${JSON.stringify(r)}\n`);
        this.users.forEach((u, i) => {
            hash.update(`${JSON.stringify(u)}|${(this.directRoles.get(i) ?? []).join(",")}\n`);
        });
        for (const g of this.groups) {
            const { members, ...rest } = g;
            hash.update(`${JSON.stringify(rest)}|${members.join(",")}\n`);
        }
        this.hashProjects((text) => hash.update(text));
        this.hashCredentials((text) => hash.update(text));
        return hash.digest("hex");
    }
    // ------------------------------------------------------------ mutations
    /** Advances the logical clock and returns a fresh time-ordered id with that timestamp. */
    nextId(prefix) {
        this.clock += this.rng.range(1, 90);
        const at = this.clock;
        return { id: `${prefix}${ulidLike(at * 1000 + this.rng.int(1000), this.rng)}`, at };
    }
    changed() {
        this.version++;
    }
    createGroup(name, options = {}) {
        const { id, at } = this.nextId("group_");
        const g = {
            id,
            name,
            createdAt: at,
            isScimManaged: options.isScimManaged ?? false,
            groupType: options.groupType ?? "group",
            members: [],
            roleIds: [],
        };
        this.groups.push(g); // ids are time-ordered and the clock only advances: order is kept
        this.groupById.set(id, g);
        this.changed();
        this.audit.emit("group.created", { id, data: { group_name: name } });
        return this.groupWire(g);
    }
    renameGroup(groupId, name) {
        const g = this.requireGroup(groupId);
        if (g.name !== name) {
            g.name = name;
            this.changed();
            this.audit.emit("group.updated", { id: g.id, changes_requested: { group_name: name } });
        }
        return this.groupWire(g);
    }
    deleteGroup(groupId) {
        const g = this.requireGroup(groupId);
        const pos = lowerBound(this.groups.length, (i) => this.groups[i].id, g.id);
        this.groups.splice(pos, 1);
        this.groupById.delete(groupId);
        this.membershipCount -= g.members.length;
        this.detachGroupFromProjects(groupId);
        this.changed();
        // Its roles and project attachments go with it, without events of their own (inference).
        this.audit.emit("group.deleted", { id: groupId });
    }
    /** `role.assignment.created|deleted` of an organization role of a group or a user. */
    emitOrgAssignment(created, principalType, principalId, roleId) {
        this.audit.emitAssignment(created, assignmentKey(this.organizationId, principalType, principalId, roleId), {
            principal_id: principalId,
            principal_type: principalType,
            resource_id: this.organizationId,
            resource_type: "api.organization",
        });
    }
    addMember(groupId, userId) {
        const g = this.requireGroup(groupId);
        const index = this.requireUserIndex(userId, "user_id");
        const pos = indexOfSorted(g.members, index);
        if (pos >= 0)
            return false;
        g.members.splice(-pos - 1, 0, index);
        this.membershipCount++;
        this.changed();
        return true;
    }
    removeMember(groupId, userId) {
        const g = this.requireGroup(groupId);
        const index = this.requireUserIndex(userId);
        const pos = indexOfSorted(g.members, index);
        if (pos < 0)
            return false;
        g.members.splice(pos, 1);
        this.membershipCount--;
        this.changed();
        return true;
    }
    assignGroupRole(groupId, roleId) {
        const g = this.requireGroup(groupId);
        this.requireRole(roleId, "role_id");
        const pos = indexOfSortedString(g.roleIds, roleId);
        if (pos >= 0)
            return false;
        g.roleIds.splice(-pos - 1, 0, roleId);
        this.changed();
        this.emitOrgAssignment(true, "group", groupId, roleId);
        return true;
    }
    unassignGroupRole(groupId, roleId) {
        const g = this.requireGroup(groupId);
        const pos = indexOfSortedString(g.roleIds, roleId);
        if (pos < 0)
            return false;
        g.roleIds.splice(pos, 1);
        this.changed();
        this.emitOrgAssignment(false, "group", groupId, roleId);
        return true;
    }
    assignUserRole(userId, roleId) {
        const index = this.requireUserIndex(userId);
        this.requireRole(roleId, "role_id");
        const list = this.directRoles.get(index) ?? [];
        const pos = indexOfSortedString(list, roleId);
        if (pos >= 0)
            return false;
        list.splice(-pos - 1, 0, roleId);
        this.directRoles.set(index, list);
        this.changed();
        this.emitOrgAssignment(true, "user", userId, roleId);
        return true;
    }
    unassignUserRole(userId, roleId) {
        const index = this.requireUserIndex(userId);
        const list = this.directRoles.get(index);
        if (list === undefined)
            return false;
        const pos = indexOfSortedString(list, roleId);
        if (pos < 0)
            return false;
        list.splice(pos, 1);
        if (list.length === 0)
            this.directRoles.delete(index);
        this.changed();
        this.emitOrgAssignment(false, "user", userId, roleId);
        return true;
    }
    /**
     * The legacy organization role (`POST /organization/users/{id}`): Owner held directly or not.
     * Records `user.updated` (not the role assignment behind it); false when it already was.
     */
    setUserRole(userId, role) {
        this.requireUserIndex(userId);
        const changed = this.audit.quiet(() => role === "owner"
            ? this.assignUserRole(userId, this.ownerId)
            : this.unassignUserRole(userId, this.ownerId));
        if (changed)
            this.audit.emit("user.updated", { id: userId, changes_requested: { role } });
        return changed;
    }
    createUser(options = {}) {
        const { id, at } = this.nextId("user_");
        const n = this.users.length + 1;
        const u = {
            id,
            name: options.name ?? `Simulated User ${n}`,
            email: options.email === undefined ? `simulated.user${n}@example.com` : options.email,
            picture: options.picture ?? null,
            addedAt: options.addedAt ?? at,
            isServiceAccount: options.isServiceAccount ?? false,
            isScimManaged: options.isScimManaged ?? false,
            apiKeyLastUsedAt: options.apiKeyLastUsedAt ?? null,
            userType: options.userType ?? "user",
            removed: false,
        };
        const index = this.users.push(u) - 1;
        this.userIndexById.set(id, index);
        this.liveUsers++;
        this.changed();
        this.audit.emit("user.added", { id, data: { role: "reader" } });
        return this.orgUserWire(index, u);
    }
    /** Removes a user from the organization: from every group and every direct role too. */
    removeUser(userId) {
        const index = this.requireUserIndex(userId);
        for (const g of this.groups) {
            const pos = indexOfSorted(g.members, index);
            if (pos >= 0) {
                g.members.splice(pos, 1);
                this.membershipCount--;
            }
        }
        this.directRoles.delete(index);
        this.removeUserFromProjects(index);
        this.userAt(index).removed = true;
        this.userIndexById.delete(userId);
        this.liveUsers--;
        this.changed();
        // Their memberships, roles and project seats go with them, without events of their own.
        this.audit.emit("user.deleted", { id: userId });
    }
    createRole(options) {
        const { id, at } = this.nextId("role_");
        const r = {
            id,
            name: options.name,
            description: options.description ?? null,
            permissions: [...options.permissions],
            resourceType: options.resourceType ?? "api.organization",
            predefined: false,
            createdAt: at,
            updatedAt: at,
            createdBy: null,
            createdByUserObj: null,
            metadata: {},
        };
        this.roles.push(r);
        this.roleById.set(id, r);
        this.changed();
        this.audit.emit("role.created", {
            id,
            role_name: r.name,
            permissions: [...r.permissions],
            resource_type: "api.organization",
            resource_id: this.organizationId,
        });
        return roleWireOf(r);
    }
    updateRole(roleId, changes) {
        const r = this.requireRole(roleId);
        if (r.predefined) {
            throw new StateError("invalid", `Role '${roleId}' is predefined and cannot be modified.`);
        }
        const before = { name: r.name, permissions: [...r.permissions], description: r.description };
        if (changes.name !== undefined && changes.name !== null)
            r.name = changes.name;
        if (changes.permissions !== undefined && changes.permissions !== null) {
            r.permissions = [...changes.permissions];
        }
        if (changes.description !== undefined)
            r.description = changes.description;
        this.clock += this.rng.range(1, 90);
        r.updatedAt = this.clock;
        this.changed();
        const detail = roleUpdatedDetail(r.id, before, r);
        if (detail !== undefined)
            this.audit.emit("role.updated", detail);
        return roleWireOf(r);
    }
    /** Deletes a custom role and every assignment of it. */
    deleteRole(roleId) {
        const r = this.requireRole(roleId);
        if (r.predefined) {
            throw new StateError("invalid", `Role '${roleId}' is predefined and cannot be deleted.`);
        }
        for (const g of this.groups) {
            const pos = indexOfSortedString(g.roleIds, roleId);
            if (pos >= 0)
                g.roleIds.splice(pos, 1);
        }
        for (const [index, list] of this.directRoles) {
            const pos = indexOfSortedString(list, roleId);
            if (pos >= 0)
                list.splice(pos, 1);
            if (list.length === 0)
                this.directRoles.delete(index);
        }
        this.roles.splice(this.roles.indexOf(r), 1);
        this.roleById.delete(roleId);
        this.changed();
        this.audit.emit("role.deleted", { id: roleId });
    }
    // ------------------------------------------------------------ audit log
    /**
     * Runs `fn` as `actor`: every change it makes is recorded as theirs (a console session, an
     * API key, or the SCIM integration). Blocks nest; the innermost wins. StateError "not_found"
     * for an unknown user or key.
     */
    asActor(actor, fn) {
        return this.audit.asActor(this.resolveActor(actor), fn);
    }
    /**
     * The wire actor `actor` is recorded as (null for SCIM); without one, the actor the next
     * change is recorded as.
     */
    auditActor(actor) {
        const resolved = actor === undefined ? this.audit.current() : this.resolveActor(actor);
        return resolved.wire === null ? null : structuredClone(resolved.wire);
    }
    /** What HTTP writes act as: the simulator's own admin key (undefined before it is registered). */
    simulatorKeyActor() {
        const keyId = this.simulatorKeyTrackingId();
        return keyId === undefined ? undefined : { kind: "api_key", keyId };
    }
    get auditLogMode() {
        return this.audit.mode;
    }
    /**
     * "enabled" (default); "disabled": logging off, nothing is recorded and the route answers 400;
     * "forbidden": recorded, but the route answers 403.
     */
    setAuditLogMode(mode) {
        if (!AUDIT_LOG_MODES.includes(mode)) {
            throw new StateError("invalid", `Unknown audit log mode '${String(mode)}'.`);
        }
        this.audit.mode = mode;
    }
    /** The audit clock: the time of the latest recorded change (or the earliest possible next). */
    get auditNow() {
        return this.audit.now;
    }
    /**
     * A clock (unix seconds) the audit log never records a change behind, e.g. the wall clock, so
     * that a change made after a crawl is never dated before it. startSimulator sets the wall clock
     * when it anchors the credentials clock on it (no `credentialsNow`); undefined: logical only
     * (deterministic: the credentials clock plus 0-2 seconds per change).
     */
    setAuditClock(now) {
        this.audit.clockSource = now;
    }
    /**
     * Appends an event as given and returns it. With an `effective_at` in the past it is a late
     * event: it appears at its sorted place (first among the events of its second). Recorded in
     * every mode (a test's hook, not a change).
     */
    recordAuditEvent(input) {
        if (!isAuditLogEventType(input.type)) {
            throw new StateError("invalid", `Unknown audit log event type '${String(input.type)}'.`);
        }
        if (input.effective_at !== undefined && !Number.isSafeInteger(input.effective_at)) {
            throw new StateError("invalid", "effective_at must be an integer (unix seconds).");
        }
        let actor;
        if (input.actor === undefined)
            actor = this.audit.current();
        else if (input.actor === null)
            actor = { wire: null, viaAdminKey: false };
        else if ("kind" in input.actor)
            actor = this.resolveActor(input.actor);
        else
            actor = { wire: structuredClone(input.actor), viaAdminKey: false };
        if (input.source !== undefined)
            actor = { ...actor, source: input.source };
        let project;
        if (typeof input.project === "string") {
            const p = this.getProject(input.project);
            if (p === undefined) {
                throw new StateError("not_found", `Project with id '${input.project}' not found.`);
            }
            project = { id: p.id, name: p.name };
        }
        else {
            project = input.project;
        }
        return this.audit.record({
            type: input.type,
            ...(input.effective_at === undefined ? {} : { effectiveAt: input.effective_at }),
            actor,
            project,
            detail: input.detail ?? {},
        });
    }
    /**
     * Seeds `count` plausible historical events over the `days` (default 180) before the audit
     * clock's start, from the organization as it is now (audit-history.ts); an empty log only.
     */
    seedAuditHistory(count, options = {}) {
        const projects = this.listProjects({ includeArchived: true });
        const projectIndex = new Map(projects.map((p, i) => [p.id, i]));
        const people = [];
        for (const u of this.users) {
            if (!u.removed && !u.isServiceAccount)
                people.push({ id: u.id, email: u.email });
        }
        const admins = this.ownerUserRecords().map((u) => ({ id: u.id, email: u.email }));
        // A few more administrators: people holding an organization role directly.
        for (const [index] of [...this.directRoles].sort((a, b) => a[0] - b[0])) {
            const u = this.userAt(index);
            if (admins.length >= 8)
                break;
            if (!u.removed && !u.isServiceAccount && !admins.some((a) => a.id === u.id)) {
                admins.push({ id: u.id, email: u.email });
            }
        }
        const defaultId = this.defaultProjectId;
        const defaultProject = defaultId === undefined ? undefined : this.getProject(defaultId);
        const sources = {
            organizationId: this.organizationId,
            defaultProject: defaultProject === undefined
                ? undefined
                : { id: defaultProject.id, name: defaultProject.name },
            projects: projects.map((p) => ({ id: p.id, name: p.name })),
            users: people,
            admins,
            groups: this.groups.map((g) => ({ id: g.id, name: g.name })),
            adminKeys: this.historyAdminKeys(),
            serviceAccountKeys: this.historyServiceAccountKeys().map((k) => ({
                keyId: k.keyId,
                serviceAccountId: k.serviceAccountId,
                project: projectIndex.get(k.projectId) ?? 0,
            })),
        };
        this.audit.log.seedHistory(count, sources, this.audit.now, options);
    }
    auditEventCount() {
        return this.audit.log.count;
    }
    /** Every event, newest first (wire objects, as served with the default quirks). */
    listAuditEvents() {
        return this.audit.log.list();
    }
    getAuditEvent(id) {
        return this.audit.log.get(id);
    }
    /** One page of the log (the server's `GET /organization/audit_logs`). */
    pageAuditEvents(query) {
        return this.audit.log.page(query);
    }
}
//# sourceMappingURL=state.js.map