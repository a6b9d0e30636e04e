/**
 * The project half of the simulated organization (../shared/docs/openai-admin-api-projects.md
 * §3-7): projects, their members, the groups attached to them, each project's roles catalog and
 * the project-scope role assignments of groups and users. `OrgState` (state.ts) extends this
 * class and supplies the organization it reads users and groups from; it lives in a module of
 * its own to keep both files a readable size.
 *
 * Storage stays compact like the organization's: a member is (user index, role, added_at), an
 * attachment is (group id, created_at), assignments are sorted role-id arrays. Wire objects are
 * built per request. Everything is in id order (project ids, user ids, group ids, role ids), which
 * is the simulator's sort key for every list.
 *
 * Documented inferences (the docs are silent; tests rely on these):
 * - Every project's catalog lists the three predefined roles (Project Owner, Project Member,
 *   Project Viewer) under ids of its own, plus its custom roles; a role id belongs to exactly one
 *   project, and another project's role id is "not found" there.
 * - A member's `owner`/`member` membership role shows in their role list as the matching
 *   predefined role, sourced from the user; direct assignments are separate and also sourced from
 *   the user (so a `member` may hold Project Owner directly, which an audit should notice).
 *   Roles of attached groups the user belongs to are sourced from the group. The membership role
 *   itself cannot be unassigned (400): it changes through modify-project-user.
 * - Archived projects "have no users": every project-user and project-user-role operation is a
 *   400, as is every write to an archived project; its groups, roles catalog and group role
 *   assignments still read. There is no unarchive. Cascades (removing an org user, deleting a
 *   group) still clean archived projects.
 * - The Default project cannot be modified or archived, and users cannot be removed from it
 *   (only from the organization), per the older spec text.
 * - Detaching a group removes its project role assignments; removing a member removes their
 *   direct ones; deleting a custom role removes its assignments (a group may stay attached with
 *   no role).
 *
 * Audit events (audit-log.ts; the docs have no event type for attaching a group, §12.4):
 * attaching a group records `role.assignment.created` (group principal, `api.project`
 * resource), detaching one `role.assignment.deleted` per project role it held (one for the bare
 * attachment when it held none). Cascades (removing a member's roles with them, a deleted role's
 * assignments) record nothing of their own.
 */
import { assignmentKey, roleUpdatedDetail } from "./audit-events.js";
import { AuditRecorder } from "./audit-log.js";
import { Prng, ulidLike } from "./prng.js";
import { ALL, assignedRoleWireOf, indexOfSorted, indexOfSortedString, lowerBound, pageOfSorted, pagePositions, roleWireOf, StateError, } from "./records.js";
/** `PublicProjectResidency`. */
export const PROJECT_RESIDENCIES = [
    "GLOBAL",
    "US_STORAGE_PROCESSING",
    "EU_STORAGE_PROCESSING",
    "JP_STORAGE",
    "KR_STORAGE",
    "CA_STORAGE",
    "SG_STORAGE",
    "IN_STORAGE",
    "AU_STORAGE",
    "GB_STORAGE",
    "AE_STORAGE",
    "AE_STORAGE_PROCESSING",
];
export const DEFAULT_PROJECT_NAME = "Default project";
export const PROJECT_OWNER_ROLE = "Project Owner";
export const PROJECT_MEMBER_ROLE = "Project Member";
export const PROJECT_VIEWER_ROLE = "Project Viewer";
/** The predefined roles every project's catalog lists (names from the RBAC guide). */
export const PREDEFINED_PROJECT_ROLES = [
    {
        name: PROJECT_OWNER_ROLE,
        description: "Full control of the project: members, groups, roles, keys and settings",
        permissions: [
            "api.project.read",
            "api.project.write",
            "api.project.admin",
            "api.project.models.read",
            "api.project.models.request",
            "api.organization.projects.users.read",
            "api.organization.projects.users.write",
            "api.organization.projects.groups.read",
            "api.organization.projects.groups.write",
            "api.organization.projects.roles.read",
            "api.organization.projects.roles.write",
            "api.organization.projects.service_accounts.read",
            "api.organization.projects.service_accounts.write",
            "api.organization.projects.api_keys.read",
            "api.organization.projects.api_keys.write",
        ],
    },
    {
        name: PROJECT_MEMBER_ROLE,
        description: "Uses the project's models and tools and manages their own API keys",
        permissions: [
            "api.project.read",
            "api.project.models.read",
            "api.project.models.request",
            "api.organization.projects.users.read",
            "api.organization.projects.api_keys.read",
        ],
    },
    {
        name: PROJECT_VIEWER_ROLE,
        description: "Read-only access to the project",
        permissions: ["api.project.read", "api.project.models.read"],
    },
];
/** The `Project Owner`/`Project Member`/`Project Viewer` records of a new project. */
export function predefinedProjectRoles(ids) {
    return PREDEFINED_PROJECT_ROLES.map((spec, i) => ({
        id: ids[i],
        name: spec.name,
        description: spec.description,
        // Shared and never mutated: predefined roles cannot be updated.
        permissions: spec.permissions,
        resourceType: "api.project",
        predefined: true,
        createdAt: null,
        updatedAt: null,
        createdBy: null,
        createdByUserObj: null,
        metadata: {},
    }));
}
/**
 * A project record with an empty membership and its three predefined roles under `roleIds`
 * (owner, member, viewer, in that order; any order of ids).
 */
export function newProjectRecord(init) {
    const roles = predefinedProjectRoles(init.roleIds);
    const [owner, member, viewer] = roles;
    return {
        id: init.id,
        name: init.name,
        createdAt: init.createdAt,
        archivedAt: init.archivedAt ?? null,
        externalKeyId: init.externalKeyId ?? null,
        residency: init.residency ?? "GLOBAL",
        isDefault: init.isDefault ?? false,
        members: [],
        groups: [],
        roles: roles.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
        ownerRoleId: owner.id,
        memberRoleId: member.id,
        viewerRoleId: viewer.id,
        groupRoles: new Map(),
        userRoles: new Map(),
    };
}
/** Position of a user index among members (ascending), or -(insertion point) - 1. */
function memberPosition(members, index) {
    let lo = 0;
    let hi = members.length;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (members[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < members.length && members[lo].index === index ? lo : -lo - 1;
}
function insertSorted(list, value) {
    const pos = indexOfSortedString(list, value);
    if (pos >= 0)
        return false;
    list.splice(-pos - 1, 0, value);
    return true;
}
function removeSorted(list, value) {
    const pos = indexOfSortedString(list, value);
    if (pos < 0)
        return false;
    list.splice(pos, 1);
    return true;
}
// ---------------------------------------------------------------- the state
/**
 * Projects and project access; `OrgState` extends it (see state.ts for the organization).
 *
 * Reads (wire shapes as the faithful default server emits them, ascending id order):
 * - `projectIds(): string[]` (archived included), `activeProjectIds()`, `defaultProjectId`,
 *   `hasProject(p)`, `isProjectArchived(p)`, `isDefaultProject(p)`
 * - `listProjects({ includeArchived = false }?): ProjectWire[]`, `getProject(p)`
 * - `listProjectUsers(p): ProjectUserWire[]`, `getProjectUser(p, u)`: throw StateError "invalid"
 *   for an archived project (the API answers 400); `projectMemberIds(p)` and
 *   `isProjectMember(p, u)` read the raw membership, archived or not
 * - `listProjectGroups(p, order = "asc"): ProjectGroupWire[]`, `getProjectGroup(p, g)`,
 *   `projectGroupIds(p)`, `isProjectGroup(p, g)`
 * - `listProjectRoles(p, order = "asc"): RoleWire[]`, `getProjectRole(p, r)`,
 *   `projectRoleIdByName(p, name)` (e.g. "Project Owner"), `projectRoleIds(p)`, `hasProjectRole(p, r)`
 * - `listProjectGroupRoles(p, g, order = "asc"): AssignedRoleWire[]` (`assignment_sources: null`),
 *   `getProjectGroupRole(p, g, r)`, `projectGroupRoleIds(p, g)`
 * - `listProjectUserRoles(p, u, order = "asc", includeInherited = true): AssignedRoleWire[]`,
 *   `getProjectUserRole(p, u, r, includeInherited = true)`, `directProjectUserRoleIds(p, u)`
 * - `projectCounts(): ProjectCounts`; `page*` methods: one page of each list, for the server.
 *
 * Mutations (StateError "not_found" for unknown ids, with `param` when the id came in a body;
 * "invalid" for archived projects, the Default project's protections and predefined roles;
 * booleans say whether anything changed):
 * - `createProject({ name, residency?, externalKeyId? }): ProjectWire`
 * - `updateProject(p, { name?, externalKeyId? }): ProjectWire`, `renameProject(p, name)`,
 *   `archiveProject(p): ProjectWire`
 * - `addProjectUser(p, u, role): boolean`, `setProjectUserRole(p, u, role): boolean`,
 *   `removeProjectUser(p, u): boolean`
 * - `attachProjectGroup(p, g, roleId): boolean` (true when newly attached; the role is assigned
 *   either way), `detachProjectGroup(p, g): boolean`
 * - `createProjectRole(p, { name, permissions, description? }): RoleWire`,
 *   `updateProjectRole(p, r, changes): RoleWire`, `deleteProjectRole(p, r): void`
 * - `assignProjectGroupRole(p, g, r)`, `unassignProjectGroupRole(p, g, r)`,
 *   `assignProjectUserRole(p, u, r)`, `unassignProjectUserRole(p, u, r)`: booleans
 *
 * New ids and timestamps come from a seeded stream and clock of their own (never behind the
 * organization's clock), so project changes never move the ids the organization hands out.
 */
export class ProjectState {
    projectList;
    projectById = new Map();
    projectClock;
    projectRng;
    /**
     * The organization audit log and what records into it (audit-log.ts): every mutation of the
     * three state layers records the event the real API would record, here.
     */
    audit;
    constructor(projects, seed, clock) {
        this.projectList = projects;
        for (const p of projects)
            this.projectById.set(p.id, p);
        this.projectClock = clock;
        this.projectRng = new Prng(seed, "project-mutations");
        this.audit = new AuditRecorder(seed, {
            consoleActor: () => this.auditConsoleActor(),
            project: (projectId) => {
                const p = this.projectById.get(projectId);
                return p === undefined ? undefined : { id: p.id, name: p.name };
            },
            defaultProject: () => {
                const p = this.projectList.find((x) => x.isDefault);
                return p === undefined ? undefined : { id: p.id, name: p.name };
            },
            floor: () => this.auditFloor(),
        });
    }
    // ------------------------------------------------------------ wire builders
    projectWire(p) {
        return {
            id: p.id,
            object: "organization.project",
            name: p.name,
            created_at: p.createdAt,
            archived_at: p.archivedAt,
            status: p.archivedAt === null ? "active" : "archived",
            external_key_id: p.externalKeyId,
            residency: p.residency,
        };
    }
    projectUserWire(m) {
        const u = this.userRecordAt(m.index);
        return {
            object: "organization.project.user",
            id: u.id,
            name: u.name,
            email: u.email,
            role: m.role,
            added_at: m.addedAt,
        };
    }
    projectGroupWire(p, pg) {
        const g = this.groupRecord(pg.groupId); // deleting a group detaches it
        return {
            object: "project.group",
            project_id: p.id,
            group_id: g.id,
            group_name: g.name,
            group_type: g.groupType,
            created_at: pg.createdAt,
        };
    }
    // ------------------------------------------------------------ lookups
    requireProject(projectId) {
        const p = this.projectById.get(projectId);
        if (p === undefined) {
            throw new StateError("not_found", `Project with id '${projectId}' not found.`);
        }
        return p;
    }
    /** The project, unless it is archived ("archived projects cannot be used or updated"). */
    requireActiveProject(projectId) {
        const p = this.requireProject(projectId);
        if (p.archivedAt !== null)
            throw new StateError("invalid", `Project ${p.id} is archived.`);
        return p;
    }
    requireProjectUserIndex(userId, param = null) {
        const index = this.liveUserIndex(userId);
        if (index === undefined) {
            throw new StateError("not_found", `User with id '${userId}' not found.`, param);
        }
        return index;
    }
    requireMember(p, userId) {
        const index = this.liveUserIndex(userId);
        const pos = index === undefined ? -1 : memberPosition(p.members, index);
        if (pos < 0) {
            throw new StateError("not_found", `User with id '${userId}' is not a member of project '${p.id}'.`);
        }
        return p.members[pos];
    }
    groupPosition(p, groupId) {
        const pos = lowerBound(p.groups.length, (i) => p.groups[i].groupId, groupId);
        return pos < p.groups.length && p.groups[pos].groupId === groupId
            ? pos
            : -pos - 1;
    }
    requireAttached(p, groupId) {
        const pos = this.groupPosition(p, groupId);
        if (pos < 0) {
            throw new StateError("not_found", `Group with id '${groupId}' does not have access to project '${p.id}'.`);
        }
        return p.groups[pos];
    }
    findRole(p, roleId) {
        const pos = lowerBound(p.roles.length, (i) => p.roles[i].id, roleId);
        const r = p.roles[pos];
        return r !== undefined && r.id === roleId ? r : undefined;
    }
    requireProjectRole(p, roleId, param = null) {
        const r = this.findRole(p, roleId);
        if (r === undefined) {
            throw new StateError("not_found", `Role with id '${roleId}' not found in project '${p.id}'.`, param);
        }
        return r;
    }
    membershipRoleId(p, role) {
        return role === "owner" ? p.ownerRoleId : p.memberRoleId;
    }
    // ------------------------------------------------------------ reads
    projectIds() {
        return this.projectList.map((p) => p.id);
    }
    activeProjectIds() {
        const ids = [];
        for (const p of this.projectList)
            if (p.archivedAt === null)
                ids.push(p.id);
        return ids;
    }
    /** The Default project's id (undefined in an organization generated without projects). */
    get defaultProjectId() {
        return this.projectList.find((p) => p.isDefault)?.id;
    }
    hasProject(projectId) {
        return this.projectById.has(projectId);
    }
    isProjectArchived(projectId) {
        return this.requireProject(projectId).archivedAt !== null;
    }
    isDefaultProject(projectId) {
        return this.requireProject(projectId).isDefault;
    }
    listProjects(options = {}) {
        return this.pageProjects(ALL, options.includeArchived ?? false).items;
    }
    getProject(projectId) {
        const p = this.projectById.get(projectId);
        return p === undefined ? undefined : this.projectWire(p);
    }
    /** Throws StateError "invalid" for an archived project, as the API answers 400. */
    listProjectUsers(projectId) {
        return this.pageProjectUsers(projectId, ALL).items;
    }
    getProjectUser(projectId, userId) {
        const p = this.requireActiveProject(projectId);
        const index = this.liveUserIndex(userId);
        const pos = index === undefined ? -1 : memberPosition(p.members, index);
        return pos < 0 ? undefined : this.projectUserWire(p.members[pos]);
    }
    /** Member ids in id order, archived projects included. */
    projectMemberIds(projectId) {
        return this.requireProject(projectId).members.map((m) => this.userRecordAt(m.index).id);
    }
    isProjectMember(projectId, userId) {
        const p = this.requireProject(projectId);
        const index = this.liveUserIndex(userId);
        return index !== undefined && memberPosition(p.members, index) >= 0;
    }
    listProjectGroups(projectId, order = "asc") {
        return this.pageProjectGroups(projectId, { ...ALL, order }).items;
    }
    getProjectGroup(projectId, groupId) {
        const p = this.requireProject(projectId);
        const pos = this.groupPosition(p, groupId);
        return pos < 0 ? undefined : this.projectGroupWire(p, p.groups[pos]);
    }
    projectGroupIds(projectId) {
        return this.requireProject(projectId).groups.map((g) => g.groupId);
    }
    isProjectGroup(projectId, groupId) {
        return this.groupPosition(this.requireProject(projectId), groupId) >= 0;
    }
    listProjectRoles(projectId, order = "asc") {
        return this.pageProjectRoles(projectId, { ...ALL, order }).items;
    }
    getProjectRole(projectId, roleId) {
        const r = this.findRole(this.requireProject(projectId), roleId);
        return r === undefined ? undefined : roleWireOf(r);
    }
    /** A role id of the project's catalog by name, e.g. "Project Owner". */
    projectRoleIdByName(projectId, name) {
        return this.requireProject(projectId).roles.find((r) => r.name === name)?.id;
    }
    projectRoleIds(projectId) {
        return this.requireProject(projectId).roles.map((r) => r.id);
    }
    hasProjectRole(projectId, roleId) {
        return this.findRole(this.requireProject(projectId), roleId) !== undefined;
    }
    listProjectGroupRoles(projectId, groupId, order = "asc") {
        return this.pageProjectGroupRoles(projectId, groupId, { ...ALL, order }).items;
    }
    getProjectGroupRole(projectId, groupId, roleId) {
        const p = this.requireProject(projectId);
        this.requireAttached(p, groupId);
        const assigned = p.groupRoles.get(groupId) ?? [];
        if (indexOfSortedString(assigned, roleId) < 0)
            return undefined;
        return assignedRoleWireOf(this.requireProjectRole(p, roleId), null);
    }
    projectGroupRoleIds(projectId, groupId) {
        const p = this.requireProject(projectId);
        this.requireAttached(p, groupId);
        return [...(p.groupRoles.get(groupId) ?? [])];
    }
    listProjectUserRoles(projectId, userId, order = "asc", includeInherited = true) {
        return this.pageProjectUserRoles(projectId, userId, { ...ALL, order }, includeInherited).items;
    }
    getProjectUserRole(projectId, userId, roleId, includeInherited = true) {
        const p = this.requireActiveProject(projectId);
        const entry = this.projectUserRoleEntries(p, this.requireMember(p, userId), includeInherited).find((e) => e.role.id === roleId);
        return entry === undefined ? undefined : assignedRoleWireOf(entry.role, entry.sources);
    }
    /** Directly assigned project role ids of a member (not the membership role), ascending. */
    directProjectUserRoleIds(projectId, userId) {
        const p = this.requireProject(projectId);
        const m = this.requireMember(p, userId);
        return [...(p.userRoles.get(m.index) ?? [])];
    }
    projectCounts() {
        const counts = {
            projects: this.projectList.length,
            archivedProjects: 0,
            projectMembers: 0,
            projectGroups: 0,
            projectCustomRoles: 0,
            projectGroupRoleAssignments: 0,
            projectUserRoleAssignments: 0,
        };
        for (const p of this.projectList) {
            if (p.archivedAt !== null)
                counts.archivedProjects++;
            counts.projectMembers += p.members.length;
            counts.projectGroups += p.groups.length;
            for (const r of p.roles)
                if (!r.predefined)
                    counts.projectCustomRoles++;
            for (const ids of p.groupRoles.values())
                counts.projectGroupRoleAssignments += ids.length;
            for (const ids of p.userRoles.values())
                counts.projectUserRoleAssignments += ids.length;
        }
        return counts;
    }
    /** Feeds every project, in order, to a fingerprint. */
    hashProjects(update) {
        for (const p of this.projectList) {
            const { members, groups, roles, groupRoles, userRoles, ...rest } = p;
            update(`${JSON.stringify(rest)}\n`);
            update(`${members.map((m) => `${m.index}:${m.role}:${m.addedAt}`).join(",")}\n`);
            update(`${groups.map((g) => `${g.groupId}:${g.createdAt}`).join(",")}\n`);
            for (const r of roles)
                update(`${JSON.stringify(r)}\n`);
            for (const [g, ids] of groupRoles)
                update(`${g}=${ids.join(",")};`);
            update("\n");
            for (const [u, ids] of userRoles)
                update(`${u}=${ids.join(",")};`);
            update("\n");
        }
    }
    // ------------------------------------------------------------ pages (server)
    pageProjects(request, includeArchived) {
        const list = this.projectList;
        const { positions, hasMore } = pagePositions(list.length, (i) => list[i].id, (i) => includeArchived || list[i].archivedAt === null, request);
        return {
            items: positions.map((i) => this.projectWire(list[i])),
            hasMore,
        };
    }
    pageProjectUsers(projectId, request) {
        const p = this.requireActiveProject(projectId);
        const { positions, hasMore } = pagePositions(p.members.length, (i) => this.userRecordAt(p.members[i].index).id, () => true, request);
        return {
            items: positions.map((i) => this.projectUserWire(p.members[i])),
            hasMore,
        };
    }
    pageProjectGroups(projectId, request) {
        const p = this.requireProject(projectId);
        const page = pageOfSorted(p.groups, (g) => g.groupId, request);
        return { items: page.items.map((g) => this.projectGroupWire(p, g)), hasMore: page.hasMore };
    }
    pageProjectRoles(projectId, request) {
        const page = pageOfSorted(this.requireProject(projectId).roles, (r) => r.id, request);
        return { items: page.items.map(roleWireOf), hasMore: page.hasMore };
    }
    pageProjectGroupRoles(projectId, groupId, request) {
        const p = this.requireProject(projectId);
        this.requireAttached(p, groupId);
        const page = pageOfSorted(p.groupRoles.get(groupId) ?? [], (id) => id, request);
        return {
            items: page.items.map((id) => assignedRoleWireOf(this.requireProjectRole(p, id), null)),
            hasMore: page.hasMore,
        };
    }
    pageProjectUserRoles(projectId, userId, request, includeInherited) {
        const p = this.requireActiveProject(projectId);
        const all = this.projectUserRoleEntries(p, this.requireMember(p, userId), includeInherited);
        const page = pageOfSorted(all, (e) => e.role.id, request);
        return {
            items: page.items.map((e) => assignedRoleWireOf(e.role, e.sources)),
            hasMore: page.hasMore,
        };
    }
    /**
     * The project roles a member holds, ascending by role id, each with its principals: the
     * membership role and direct assignments from the user, attached groups' roles from the group.
     */
    projectUserRoleEntries(p, m, includeInherited) {
        const userId = this.userRecordAt(m.index).id;
        const sources = new Map();
        const fromUser = () => [
            { principal_id: userId, principal_type: "user" },
        ];
        sources.set(this.membershipRoleId(p, m.role), fromUser());
        for (const roleId of p.userRoles.get(m.index) ?? []) {
            if (!sources.has(roleId))
                sources.set(roleId, fromUser());
        }
        if (includeInherited) {
            for (const pg of p.groups) {
                const ids = p.groupRoles.get(pg.groupId);
                const g = this.groupRecord(pg.groupId);
                if (ids === undefined || g === undefined || indexOfSorted(g.members, m.index) < 0)
                    continue;
                for (const roleId of ids) {
                    const source = { principal_id: g.id, principal_type: "group" };
                    const list = sources.get(roleId);
                    if (list === undefined)
                        sources.set(roleId, [source]);
                    else
                        list.push(source);
                }
            }
        }
        return [...sources.keys()].sort().map((roleId) => ({
            role: this.requireProjectRole(p, roleId),
            sources: sources.get(roleId) ?? [],
        }));
    }
    // ------------------------------------------------------------ mutations
    /** Advances the project clock (never behind the organization's) and returns it. */
    nextProjectTime() {
        this.projectClock = Math.max(this.projectClock, this.orgClock()) + this.projectRng.range(1, 90);
        return this.projectClock;
    }
    nextProjectId(prefix, at) {
        return `${prefix}${ulidLike(at * 1000 + this.projectRng.int(1000), this.projectRng)}`;
    }
    createProject(options) {
        const at = this.nextProjectTime();
        const id = this.nextProjectId("proj_", at);
        const roleIds = PREDEFINED_PROJECT_ROLES.map(() => this.nextProjectId("role_", at));
        const p = newProjectRecord({
            id,
            name: options.name,
            createdAt: at,
            roleIds,
            externalKeyId: options.externalKeyId ?? null,
            residency: options.residency ?? "GLOBAL",
        });
        // Ids are time-ordered and the clock only advances: appending keeps id order.
        this.projectList.push(p);
        this.projectById.set(id, p);
        this.markChanged();
        this.audit.emit("project.created", { id, data: { name: p.name, title: p.name } });
        return this.projectWire(p);
    }
    updateProject(projectId, changes) {
        const p = this.requireActiveProject(projectId);
        if (p.isDefault) {
            throw new StateError("invalid", "The Default project cannot be modified or archived.");
        }
        let changed = false;
        let renamed = false;
        if (changes.name !== undefined && changes.name !== null && changes.name !== p.name) {
            p.name = changes.name;
            changed = true;
            renamed = true;
        }
        if (changes.externalKeyId !== undefined && changes.externalKeyId !== p.externalKeyId) {
            p.externalKeyId = changes.externalKeyId;
            changed = true;
        }
        if (changed)
            this.markChanged();
        // `changes_requested` knows only `title`: an external-key change alone records nothing.
        if (renamed)
            this.audit.emit("project.updated", { id: p.id, changes_requested: { title: p.name } });
        return this.projectWire(p);
    }
    renameProject(projectId, name) {
        return this.updateProject(projectId, { name });
    }
    archiveProject(projectId) {
        const p = this.requireActiveProject(projectId);
        if (p.isDefault) {
            throw new StateError("invalid", "The Default project cannot be modified or archived.");
        }
        p.archivedAt = this.nextProjectTime();
        this.markChanged();
        this.audit.emit("project.archived", { id: p.id });
        return this.projectWire(p);
    }
    /** False when the user already is a member (the API answers 400). */
    addProjectUser(projectId, userId, role) {
        const p = this.requireActiveProject(projectId);
        const index = this.requireProjectUserIndex(userId, "user_id");
        const pos = memberPosition(p.members, index);
        if (pos >= 0)
            return false;
        p.members.splice(-pos - 1, 0, { index, role, addedAt: this.nextProjectTime() });
        this.markChanged();
        this.audit.emit("user.added", { id: userId, data: { role } }, p.id);
        return true;
    }
    setProjectUserRole(projectId, userId, role) {
        const p = this.requireActiveProject(projectId);
        const m = this.requireMember(p, userId);
        if (m.role === role)
            return false;
        m.role = role;
        this.markChanged();
        this.audit.emit("user.updated", { id: userId, changes_requested: { role } }, p.id);
        return true;
    }
    /** Removes a member and their direct project roles; false when not a member. */
    removeProjectUser(projectId, userId) {
        const p = this.requireActiveProject(projectId);
        const index = this.requireProjectUserIndex(userId);
        if (p.isDefault) {
            throw new StateError("invalid", "Users cannot be removed from the Default project, unless they are being removed from the organization.");
        }
        const pos = memberPosition(p.members, index);
        if (pos < 0)
            return false;
        p.members.splice(pos, 1);
        p.userRoles.delete(index);
        this.markChanged();
        this.audit.emit("user.deleted", { id: userId }, p.id);
        return true;
    }
    attachProjectGroup(projectId, groupId, roleId) {
        const p = this.requireActiveProject(projectId);
        if (this.groupRecord(groupId) === undefined) {
            throw new StateError("not_found", `Group with id '${groupId}' not found.`, "group_id");
        }
        this.requireProjectRole(p, roleId, "role");
        const pos = this.groupPosition(p, groupId);
        const attached = pos < 0;
        if (attached) {
            p.groups.splice(-pos - 1, 0, { groupId, createdAt: this.nextProjectTime() });
        }
        const ids = p.groupRoles.get(groupId) ?? [];
        const assigned = insertSorted(ids, roleId);
        p.groupRoles.set(groupId, ids);
        if (attached || assigned) {
            this.markChanged();
            // No event type attaches a group: the grant surfaces as a role assignment (inference, §12.4).
            this.emitProjectAssignment(true, p, "group", groupId, roleId);
        }
        return attached;
    }
    /** `role.assignment.created|deleted` of a project role of a group or a member. */
    emitProjectAssignment(created, p, principalType, principalId, roleId) {
        this.audit.emitAssignment(created, assignmentKey(p.id, principalType, principalId, roleId), {
            principal_id: principalId,
            principal_type: principalType,
            resource_id: p.id,
            resource_type: "api.project",
        }, p.id);
    }
    /** Detaches a group and drops its project role assignments; false when not attached. */
    detachProjectGroup(projectId, groupId) {
        const p = this.requireActiveProject(projectId);
        const pos = this.groupPosition(p, groupId);
        if (pos < 0)
            return false;
        const held = p.groupRoles.get(groupId) ?? [];
        p.groups.splice(pos, 1);
        p.groupRoles.delete(groupId);
        this.markChanged();
        // One role.assignment.deleted per role it held; one for the bare attachment when it held none.
        this.audit.oneChange(() => {
            for (const roleId of held.length > 0 ? held : [""]) {
                this.emitProjectAssignment(false, p, "group", groupId, roleId);
            }
        });
        return true;
    }
    requireFreeRoleName(p, name, except) {
        if (p.roles.some((r) => r.name === name && r.id !== except)) {
            throw new StateError("invalid", `A role named '${name}' already exists in project '${p.id}'.`, "role_name");
        }
    }
    createProjectRole(projectId, options) {
        const p = this.requireActiveProject(projectId);
        this.requireFreeRoleName(p, options.name);
        const at = this.nextProjectTime();
        const r = {
            id: this.nextProjectId("role_", at),
            name: options.name,
            description: options.description ?? null,
            permissions: [...options.permissions],
            resourceType: "api.project",
            predefined: false,
            createdAt: at,
            updatedAt: at,
            createdBy: null,
            createdByUserObj: null,
            metadata: {},
        };
        p.roles.splice(lowerBound(p.roles.length, (i) => p.roles[i].id, r.id), 0, r);
        this.markChanged();
        this.audit.emit("role.created", {
            id: r.id,
            role_name: r.name,
            permissions: [...r.permissions],
            resource_type: "api.project",
            resource_id: p.id,
        }, p.id);
        return roleWireOf(r);
    }
    updateProjectRole(projectId, roleId, changes) {
        const p = this.requireActiveProject(projectId);
        const r = this.requireProjectRole(p, roleId);
        if (r.predefined) {
            throw new StateError("invalid", `Role '${roleId}' is predefined and cannot be modified.`);
        }
        const before = { name: r.name, permissions: [...r.permissions], description: r.description };
        if (changes.name !== undefined && changes.name !== null) {
            this.requireFreeRoleName(p, changes.name, roleId);
            r.name = changes.name;
        }
        if (changes.permissions !== undefined && changes.permissions !== null) {
            r.permissions = [...changes.permissions];
        }
        if (changes.description !== undefined)
            r.description = changes.description;
        r.updatedAt = this.nextProjectTime();
        this.markChanged();
        const detail = roleUpdatedDetail(r.id, before, r);
        if (detail !== undefined)
            this.audit.emit("role.updated", detail, p.id);
        return roleWireOf(r);
    }
    /** Deletes a custom project role and every assignment of it in the project. */
    deleteProjectRole(projectId, roleId) {
        const p = this.requireActiveProject(projectId);
        const r = this.requireProjectRole(p, roleId);
        if (r.predefined) {
            throw new StateError("invalid", `Role '${roleId}' is predefined and cannot be deleted.`);
        }
        for (const ids of p.groupRoles.values())
            removeSorted(ids, roleId);
        for (const [index, ids] of p.userRoles) {
            if (removeSorted(ids, roleId) && ids.length === 0)
                p.userRoles.delete(index);
        }
        p.roles.splice(p.roles.indexOf(r), 1);
        this.markChanged();
        this.audit.emit("role.deleted", { id: roleId }, p.id);
    }
    assignProjectGroupRole(projectId, groupId, roleId) {
        const p = this.requireActiveProject(projectId);
        this.requireAttached(p, groupId);
        this.requireProjectRole(p, roleId, "role_id");
        const ids = p.groupRoles.get(groupId) ?? [];
        if (!insertSorted(ids, roleId))
            return false;
        p.groupRoles.set(groupId, ids);
        this.markChanged();
        this.emitProjectAssignment(true, p, "group", groupId, roleId);
        return true;
    }
    unassignProjectGroupRole(projectId, groupId, roleId) {
        const p = this.requireActiveProject(projectId);
        this.requireAttached(p, groupId);
        const ids = p.groupRoles.get(groupId);
        if (ids === undefined || !removeSorted(ids, roleId))
            return false;
        this.markChanged();
        this.emitProjectAssignment(false, p, "group", groupId, roleId);
        return true;
    }
    assignProjectUserRole(projectId, userId, roleId) {
        const p = this.requireActiveProject(projectId);
        const m = this.requireMember(p, userId);
        this.requireProjectRole(p, roleId, "role_id");
        const ids = p.userRoles.get(m.index) ?? [];
        if (!insertSorted(ids, roleId))
            return false;
        p.userRoles.set(m.index, ids);
        this.markChanged();
        this.emitProjectAssignment(true, p, "user", userId, roleId);
        return true;
    }
    /**
     * Removes a direct assignment; false when there is none. The membership role cannot be
     * unassigned (StateError "invalid"): it changes through `setProjectUserRole`.
     */
    unassignProjectUserRole(projectId, userId, roleId) {
        const p = this.requireActiveProject(projectId);
        const m = this.requireMember(p, userId);
        const ids = p.userRoles.get(m.index);
        if (ids !== undefined && removeSorted(ids, roleId)) {
            if (ids.length === 0)
                p.userRoles.delete(m.index);
            this.markChanged();
            this.emitProjectAssignment(false, p, "user", userId, roleId);
            return true;
        }
        if (roleId === this.membershipRoleId(p, m.role)) {
            throw new StateError("invalid", `Role '${roleId}' is the project membership role of user '${userId}'; change it with POST /organization/projects/${p.id}/users/${userId}.`);
        }
        return false;
    }
    // ------------------------------------------------------------ cascades (organization changes)
    /** A user left the organization: they leave every project, archived ones too. */
    removeUserFromProjects(index) {
        for (const p of this.projectList) {
            const pos = memberPosition(p.members, index);
            if (pos >= 0)
                p.members.splice(pos, 1);
            p.userRoles.delete(index);
        }
    }
    /** A group was deleted: it is detached from every project, archived ones too. */
    detachGroupFromProjects(groupId) {
        for (const p of this.projectList) {
            const pos = this.groupPosition(p, groupId);
            if (pos >= 0)
                p.groups.splice(pos, 1);
            p.groupRoles.delete(groupId);
        }
    }
}
//# sourceMappingURL=projects-state.js.map