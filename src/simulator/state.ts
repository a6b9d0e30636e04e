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
import {
  AUDIT_LOG_MODES,
  type AuditActor,
  type AuditLogActorWire,
  type AuditLogDetail,
  type AuditLogEventType,
  type AuditLogMode,
  type AuditLogProjectWire,
  type AuditLogWire,
  assignmentKey,
  isAuditLogEventType,
  type ResolvedActor,
  roleUpdatedDetail,
  serviceAccountKeyActor,
  sessionActor,
  userKeyActor,
} from "./audit-events.js";
import type { HistorySources } from "./audit-history.js";
import type { AuditLogQuery, HistoryOptions } from "./audit-log.js";
import { CredentialState, type CredentialsInit, type InviteRole } from "./credentials-state.js";
import { alphanumeric, Prng, ulidLike } from "./prng.js";
import type { ProjectCounts, ProjectRecord } from "./projects-state.js";
import {
  ALL,
  type AssignedRoleWire,
  type AssignmentSourceWire,
  assignedRoleWireOf,
  type CreateRoleOptions,
  type GroupRecord,
  type GroupType,
  indexOfSorted,
  indexOfSortedString,
  lowerBound,
  type OrgUserWire,
  type Page,
  type PageRequest,
  pageOfSorted,
  pagePositions,
  type RoleRecord,
  type RoleWire,
  roleWireOf,
  type SortOrder,
  StateError,
  type UpdateRoleOptions,
  type UserRecord,
  type UserType,
} from "./records.js";

export type {
  AssignedRoleWire,
  AssignmentSourceWire,
  CreateRoleOptions,
  CreatorSummary,
  GroupRecord,
  GroupType,
  OrgUserWire,
  Page,
  PageRequest,
  RoleRecord,
  RoleWire,
  SortOrder,
  StateErrorKind,
  UpdateRoleOptions,
  UserRecord,
  UserType,
} from "./records.js";
export { pagePositions, StateError } from "./records.js";

// ---------------------------------------------------------------- wire shapes (spec-conformant)

/** `GroupResponse`: list, retrieve and create. */
export interface GroupWire {
  id: string;
  name: string;
  created_at: number;
  is_scim_managed: boolean;
  group_type: GroupType;
}

/** `GroupResourceWithSuccess`: the update response (no `group_type`). */
export interface GroupUpdatedWire {
  id: string;
  name: string;
  created_at: number;
  is_scim_managed: boolean;
}

/** `Group`: the summary nested in `GroupRoleAssignment` (note `scim_managed`). */
export interface GroupSummaryWire {
  object: "group";
  id: string;
  name: string;
  created_at: number;
  scim_managed: boolean;
}

/** `GroupUser`: items of `/groups/{id}/users`. */
export interface GroupUserWire {
  id: string;
  name: string;
  email: string | null;
}

/** `GroupMemberUser`: `GET /groups/{id}/users/{user_id}`. */
export interface GroupMemberUserWire {
  id: string;
  name: string;
  email: string | null;
  picture: string | null;
  is_service_account: boolean | null;
  user_type: UserType;
}

export interface OrgCounts extends ProjectCounts {
  groups: number;
  users: number;
  roles: number;
  memberships: number;
  groupRoleAssignments: number;
  userRoleAssignments: number;
}

export interface CreateUserOptions {
  name?: string;
  email?: string | null;
  isServiceAccount?: boolean;
  isScimManaged?: boolean;
  userType?: UserType;
  picture?: string | null;
  apiKeyLastUsedAt?: number | null;
  /** Default: the logical clock's time (the id always comes from the logical clock). */
  addedAt?: number;
}

/** A test's explicit audit event (see OrgState.recordAuditEvent). */
export interface RecordAuditEventInput {
  type: AuditLogEventType;
  /** Unix seconds. Default: now (the audit clock). A past time makes a late event. */
  effective_at?: number;
  /**
   * Who: an AuditActor (resolved against the organization), a wire actor as is, or null (no
   * actor). Default: the current actor (an enclosing asActor, else the console actor).
   */
  actor?: AuditActor | AuditLogActorWire | null;
  /**
   * The project: an id (named as it is now), a wire `{id, name}`, or null for none. Default: as
   * recorded changes do (none, or the Default project for an admin key's actions).
   */
  project?: string | AuditLogProjectWire | null;
  /** The detail object, under the key named by `type`. Default `{}`. */
  detail?: AuditLogDetail;
  /** A top-level `source` (e.g. "scim"); default: the actor's (SCIM: "scim"), else none. */
  source?: string;
}

export interface OrgStateInit {
  seed: number;
  users: UserRecord[];
  groups: GroupRecord[];
  roles: RoleRecord[];
  /** user index -> directly assigned role ids (ascending). */
  directRoles: Map<number, string[]>;
  /** Logical clock (unix seconds) at or after every generated timestamp. */
  clock: number;
  /** Projects, ascending by id (default: none). */
  projects?: ProjectRecord[];
  /** Service accounts, keys, admin keys, invites (default: none; clock anchored at `clock`). */
  credentials?: CredentialsInit;
}

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
  readonly seed: number;
  /** `org-…`, from a stream of its own; the resource of organization-level role events. */
  readonly organizationId: string;
  /** Incremented by every mutation that changes something. */
  version = 0;

  private readonly users: UserRecord[];
  private readonly userIndexById = new Map<string, number>();
  private liveUsers = 0;
  private readonly groups: GroupRecord[];
  private readonly groupById = new Map<string, GroupRecord>();
  private readonly roles: RoleRecord[];
  private readonly roleById = new Map<string, RoleRecord>();
  private readonly directRoles: Map<number, string[]>;
  private membershipCount = 0;
  private clock: number;
  private readonly rng: Prng;
  /** Predefined roles cannot be deleted, so this stays valid. */
  private readonly ownerId: string;

  constructor(init: OrgStateInit) {
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
    for (const r of this.roles) this.roleById.set(r.id, r);
    this.ownerId = this.roles.find((r) => r.predefined && r.name === "Owner")?.id ?? "";
  }

  // ------------------------------------------------------------ wire builders

  private groupWire(g: GroupRecord): GroupWire {
    return {
      id: g.id,
      name: g.name,
      created_at: g.createdAt,
      is_scim_managed: g.isScimManaged,
      group_type: g.groupType,
    };
  }

  private groupUserWire(u: UserRecord): GroupUserWire {
    return { id: u.id, name: u.name, email: u.email };
  }

  private orgUserWire(index: number, u: UserRecord): OrgUserWire {
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
  private memberUserWire(u: UserRecord): GroupMemberUserWire {
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
  groupSummary(groupId: string): GroupSummaryWire {
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

  private requireGroup(groupId: string): GroupRecord {
    const g = this.groupById.get(groupId);
    if (g === undefined) throw new StateError("not_found", `Group with id '${groupId}' not found.`);
    return g;
  }

  private requireUserIndex(userId: string, param: string | null = null): number {
    const index = this.userIndexById.get(userId);
    if (index === undefined) {
      throw new StateError("not_found", `User with id '${userId}' not found.`, param);
    }
    return index;
  }

  private requireRole(roleId: string, param: string | null = null): RoleRecord {
    const r = this.roleById.get(roleId);
    if (r === undefined) {
      throw new StateError("not_found", `Role with id '${roleId}' not found.`, param);
    }
    return r;
  }

  private userAt(index: number): UserRecord {
    return this.users[index] as UserRecord;
  }

  // What the project half reads of the organization (see ProjectState).
  protected override liveUserIndex(userId: string): number | undefined {
    return this.userIndexById.get(userId);
  }

  protected override userRecordAt(index: number): UserRecord {
    return this.userAt(index);
  }

  protected override groupRecord(groupId: string): GroupRecord | undefined {
    return this.groupById.get(groupId);
  }

  protected override orgClock(): number {
    return this.clock;
  }

  protected override markChanged(): void {
    this.changed();
  }

  protected override ownerUserRecords(): UserRecord[] {
    const out: UserRecord[] = [];
    for (const [index, ids] of [...this.directRoles].sort((a, b) => a[0] - b[0])) {
      const u = this.userAt(index);
      if (!u.removed && ids.includes(this.ownerId)) out.push(u);
    }
    return out;
  }

  protected override liveUserByEmail(email: string): UserRecord | undefined {
    const id = this.findUserIdByEmail(email);
    const index = id === undefined ? undefined : this.userIndexById.get(id);
    return index === undefined ? undefined : this.userAt(index);
  }

  protected override auditConsoleActor(): ResolvedActor {
    const owner = this.ownerUserRecords()[0];
    return { wire: owner === undefined ? null : sessionActor(owner), viaAdminKey: false };
  }

  /** An actor as recorded (StateError "not_found" for an unknown user or key). */
  private resolveActor(actor: AuditActor): ResolvedActor {
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
        const wire =
          identity.owner.kind === "user"
            ? userKeyActor(actor.keyId, identity.owner.user)
            : serviceAccountKeyActor(actor.keyId, identity.owner.id);
        return { wire, viaAdminKey: identity.admin };
      }
    }
  }

  protected override addInvitedUser(email: string, role: InviteRole, at: number): UserRecord {
    const local = email.split("@")[0] ?? email;
    const name = local
      .split(/[._-]+/)
      .filter((part) => part !== "")
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join(" ");
    // acceptInvite records the joining (user.added with the invite's role) itself.
    return this.audit.quiet(() => {
      const created = this.createUser({ name: name === "" ? email : name, email, addedAt: at });
      if (role === "owner" && this.ownerId !== "") this.assignUserRole(created.id, this.ownerId);
      return this.userAt(this.requireUserIndex(created.id));
    });
  }

  /** Id of the predefined Owner role (holding it directly makes a user's `role` "owner"). */
  get ownerRoleId(): string {
    return this.ownerId;
  }

  /** Id of the predefined Reader role. */
  get readerRoleId(): string {
    return this.roles.find((r) => r.predefined && r.name === "Reader")?.id ?? "";
  }

  roleIdByName(name: string): string | undefined {
    return this.roles.find((r) => r.name === name)?.id;
  }

  hasGroup(groupId: string): boolean {
    return this.groupById.has(groupId);
  }

  hasUser(userId: string): boolean {
    return this.userIndexById.has(userId);
  }

  hasRole(roleId: string): boolean {
    return this.roleById.has(roleId);
  }

  isScimManagedGroup(groupId: string): boolean {
    return this.requireGroup(groupId).isScimManaged;
  }

  isMember(groupId: string, userId: string): boolean {
    const g = this.requireGroup(groupId);
    const index = this.userIndexById.get(userId);
    return index !== undefined && indexOfSorted(g.members, index) >= 0;
  }

  groupIds(): string[] {
    return this.groups.map((g) => g.id);
  }

  userIds(): string[] {
    const ids: string[] = [];
    for (const u of this.users) if (!u.removed) ids.push(u.id);
    return ids;
  }

  /** Member counts per group id, in group order (handy for picking test subjects). */
  groupSizes(): Array<{ id: string; members: number; roles: number; isScimManaged: boolean }> {
    return this.groups.map((g) => ({
      id: g.id,
      members: g.members.length,
      roles: g.roleIds.length,
      isScimManaged: g.isScimManaged,
    }));
  }

  /** Number of user slots (live and removed); with `userIdAtSlot`, for uniform random picks. */
  userSlotCount(): number {
    return this.users.length;
  }

  /** The id of the user in slot `slot`, or undefined when that user was removed. */
  userIdAtSlot(slot: number): string | undefined {
    const u = this.users[slot];
    return u === undefined || u.removed ? undefined : u.id;
  }

  /** Member count of a group. */
  groupSize(groupId: string): number {
    return this.requireGroup(groupId).members.length;
  }

  /** The id of the member at `position` (ascending id order) of a group. */
  groupMemberIdAt(groupId: string, position: number): string | undefined {
    const index = this.requireGroup(groupId).members[position];
    return index === undefined ? undefined : this.userAt(index).id;
  }

  /** Role ids assigned to a group, ascending. */
  groupRoleIds(groupId: string): string[] {
    return [...this.requireGroup(groupId).roleIds];
  }

  /** Role ids assigned directly to a user, ascending. */
  directUserRoleIds(userId: string): string[] {
    return [...(this.directRoles.get(this.requireUserIndex(userId)) ?? [])];
  }

  /** All role ids, ascending. */
  roleIds(): string[] {
    return this.roles.map((r) => r.id);
  }

  findUserIdByEmail(email: string): string | undefined {
    const wanted = email.toLowerCase();
    return this.users.find((u) => !u.removed && u.email?.toLowerCase() === wanted)?.id;
  }

  counts(): OrgCounts {
    let groupRoleAssignments = 0;
    for (const g of this.groups) groupRoleAssignments += g.roleIds.length;
    let userRoleAssignments = 0;
    for (const ids of this.directRoles.values()) userRoleAssignments += ids.length;
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

  pageGroups(request: PageRequest): Page<GroupWire> {
    const page = pageOfSorted(this.groups, (g) => g.id, request);
    return { items: page.items.map((g) => this.groupWire(g)), hasMore: page.hasMore };
  }

  pageGroupUsers(groupId: string, request: PageRequest): Page<GroupUserWire> {
    const members = this.requireGroup(groupId).members;
    const { positions, hasMore } = pagePositions(
      members.length,
      (i) => this.userAt(members[i] as number).id,
      () => true,
      request,
    );
    return {
      items: positions.map((p) => this.groupUserWire(this.userAt(members[p] as number))),
      hasMore,
    };
  }

  pageGroupRoles(groupId: string, request: PageRequest): Page<AssignedRoleWire> {
    const g = this.requireGroup(groupId);
    const page = pageOfSorted(g.roleIds, (id) => id, request);
    return {
      items: page.items.map((id) => assignedRoleWireOf(this.requireRole(id), null)),
      hasMore: page.hasMore,
    };
  }

  pageRoles(request: PageRequest): Page<RoleWire> {
    const page = pageOfSorted(this.roles, (r) => r.id, request);
    return { items: page.items.map((r) => roleWireOf(r)), hasMore: page.hasMore };
  }

  /** The legacy users list: ascending id order only; `emails` filters case-insensitively. */
  pageUsers(request: PageRequest, emails?: readonly string[]): Page<OrgUserWire> {
    const filter =
      emails === undefined || emails.length === 0
        ? undefined
        : new Set(emails.map((e) => e.toLowerCase()));
    const users = this.users;
    const { positions, hasMore } = pagePositions(
      users.length,
      (i) => (users[i] as UserRecord).id,
      (i) => {
        const u = users[i] as UserRecord;
        if (u.removed) return false;
        return filter === undefined || (u.email !== null && filter.has(u.email.toLowerCase()));
      },
      request,
    );
    return { items: positions.map((p) => this.orgUserWire(p, this.userAt(p))), hasMore };
  }

  pageUserRoles(
    userId: string,
    request: PageRequest,
    includeInherited: boolean,
  ): Page<AssignedRoleWire> {
    const all = this.userRoleEntries(this.requireUserIndex(userId), includeInherited);
    const page = pageOfSorted(all, (e) => e.role.id, request);
    return {
      items: page.items.map((e) => assignedRoleWireOf(e.role, e.sources)),
      hasMore: page.hasMore,
    };
  }

  /** Roles a user holds, ascending by role id, each with the principals it comes from. */
  private userRoleEntries(
    index: number,
    includeInherited: boolean,
  ): Array<{ role: RoleRecord; sources: AssignmentSourceWire[] }> {
    const user = this.userAt(index);
    const sources = new Map<string, AssignmentSourceWire[]>();
    for (const roleId of this.directRoles.get(index) ?? []) {
      sources.set(roleId, [{ principal_id: user.id, principal_type: "user" }]);
    }
    if (includeInherited) {
      for (const g of this.groups) {
        if (g.roleIds.length === 0 || indexOfSorted(g.members, index) < 0) continue;
        for (const roleId of g.roleIds) {
          const list = sources.get(roleId);
          const source: AssignmentSourceWire = { principal_id: g.id, principal_type: "group" };
          if (list === undefined) sources.set(roleId, [source]);
          else list.push(source);
        }
      }
    }
    return [...sources.keys()]
      .sort()
      .map((roleId) => ({ role: this.requireRole(roleId), sources: sources.get(roleId) ?? [] }));
  }

  // ------------------------------------------------------------ full lists (tests)

  listGroups(order: SortOrder = "asc"): GroupWire[] {
    return this.pageGroups({ ...ALL, order }).items;
  }

  getGroup(groupId: string): GroupWire | undefined {
    const g = this.groupById.get(groupId);
    return g === undefined ? undefined : this.groupWire(g);
  }

  listGroupUsers(groupId: string, order: SortOrder = "desc"): GroupUserWire[] {
    return this.pageGroupUsers(groupId, { ...ALL, order }).items;
  }

  getGroupUser(groupId: string, userId: string): GroupMemberUserWire | undefined {
    const g = this.requireGroup(groupId);
    const index = this.userIndexById.get(userId);
    if (index === undefined || indexOfSorted(g.members, index) < 0) return undefined;
    return this.memberUserWire(this.userAt(index));
  }

  listGroupRoles(groupId: string, order: SortOrder = "asc"): AssignedRoleWire[] {
    return this.pageGroupRoles(groupId, { ...ALL, order }).items;
  }

  getGroupRole(groupId: string, roleId: string): AssignedRoleWire | undefined {
    const g = this.requireGroup(groupId);
    if (indexOfSortedString(g.roleIds, roleId) < 0) return undefined;
    return assignedRoleWireOf(this.requireRole(roleId), null);
  }

  listRoles(order: SortOrder = "asc"): RoleWire[] {
    return this.pageRoles({ ...ALL, order }).items;
  }

  getRole(roleId: string): RoleWire | undefined {
    const r = this.roleById.get(roleId);
    return r === undefined ? undefined : roleWireOf(r);
  }

  listUsers(): OrgUserWire[] {
    return this.pageUsers(ALL).items;
  }

  getUser(userId: string): OrgUserWire | undefined {
    const index = this.userIndexById.get(userId);
    return index === undefined ? undefined : this.orgUserWire(index, this.userAt(index));
  }

  listUserRoles(
    userId: string,
    order: SortOrder = "asc",
    includeInherited = true,
  ): AssignedRoleWire[] {
    return this.pageUserRoles(userId, { ...ALL, order }, includeInherited).items;
  }

  getUserRole(
    userId: string,
    roleId: string,
    includeInherited = true,
  ): AssignedRoleWire | undefined {
    const entries = this.userRoleEntries(this.requireUserIndex(userId), includeInherited);
    const entry = entries.find((e) => e.role.id === roleId);
    return entry === undefined ? undefined : assignedRoleWireOf(entry.role, entry.sources);
  }

  /** True when the user holds the role by a direct assignment (not only through a group). */
  hasDirectUserRole(userId: string, roleId: string): boolean {
    const direct = this.directRoles.get(this.requireUserIndex(userId));
    return direct?.includes(roleId) === true;
  }

  hasGroupRole(groupId: string, roleId: string): boolean {
    return indexOfSortedString(this.requireGroup(groupId).roleIds, roleId) >= 0;
  }

  /** A sha256 over every entity in order: equal fingerprints mean byte-identical organizations. */
  fingerprint(): string {
    const hash = createHash("sha256");
    for (const r of this.roles) hash.update(`${JSON.stringify(r)}\n`);
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
  private nextId(prefix: string): { id: string; at: number } {
    this.clock += this.rng.range(1, 90);
    const at = this.clock;
    return { id: `${prefix}${ulidLike(at * 1000 + this.rng.int(1000), this.rng)}`, at };
  }

  private changed(): void {
    this.version++;
  }

  createGroup(
    name: string,
    options: { isScimManaged?: boolean; groupType?: GroupType } = {},
  ): GroupWire {
    const { id, at } = this.nextId("group_");
    const g: GroupRecord = {
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

  renameGroup(groupId: string, name: string): GroupWire {
    const g = this.requireGroup(groupId);
    if (g.name !== name) {
      g.name = name;
      this.changed();
      this.audit.emit("group.updated", { id: g.id, changes_requested: { group_name: name } });
    }
    return this.groupWire(g);
  }

  deleteGroup(groupId: string): void {
    const g = this.requireGroup(groupId);
    const pos = lowerBound(this.groups.length, (i) => (this.groups[i] as GroupRecord).id, g.id);
    this.groups.splice(pos, 1);
    this.groupById.delete(groupId);
    this.membershipCount -= g.members.length;
    this.detachGroupFromProjects(groupId);
    this.changed();
    // Its roles and project attachments go with it, without events of their own (inference).
    this.audit.emit("group.deleted", { id: groupId });
  }

  /** `role.assignment.created|deleted` of an organization role of a group or a user. */
  private emitOrgAssignment(
    created: boolean,
    principalType: "user" | "group",
    principalId: string,
    roleId: string,
  ): void {
    this.audit.emitAssignment(
      created,
      assignmentKey(this.organizationId, principalType, principalId, roleId),
      {
        principal_id: principalId,
        principal_type: principalType,
        resource_id: this.organizationId,
        resource_type: "api.organization",
      },
    );
  }

  addMember(groupId: string, userId: string): boolean {
    const g = this.requireGroup(groupId);
    const index = this.requireUserIndex(userId, "user_id");
    const pos = indexOfSorted(g.members, index);
    if (pos >= 0) return false;
    g.members.splice(-pos - 1, 0, index);
    this.membershipCount++;
    this.changed();
    return true;
  }

  removeMember(groupId: string, userId: string): boolean {
    const g = this.requireGroup(groupId);
    const index = this.requireUserIndex(userId);
    const pos = indexOfSorted(g.members, index);
    if (pos < 0) return false;
    g.members.splice(pos, 1);
    this.membershipCount--;
    this.changed();
    return true;
  }

  assignGroupRole(groupId: string, roleId: string): boolean {
    const g = this.requireGroup(groupId);
    this.requireRole(roleId, "role_id");
    const pos = indexOfSortedString(g.roleIds, roleId);
    if (pos >= 0) return false;
    g.roleIds.splice(-pos - 1, 0, roleId);
    this.changed();
    this.emitOrgAssignment(true, "group", groupId, roleId);
    return true;
  }

  unassignGroupRole(groupId: string, roleId: string): boolean {
    const g = this.requireGroup(groupId);
    const pos = indexOfSortedString(g.roleIds, roleId);
    if (pos < 0) return false;
    g.roleIds.splice(pos, 1);
    this.changed();
    this.emitOrgAssignment(false, "group", groupId, roleId);
    return true;
  }

  assignUserRole(userId: string, roleId: string): boolean {
    const index = this.requireUserIndex(userId);
    this.requireRole(roleId, "role_id");
    const list = this.directRoles.get(index) ?? [];
    const pos = indexOfSortedString(list, roleId);
    if (pos >= 0) return false;
    list.splice(-pos - 1, 0, roleId);
    this.directRoles.set(index, list);
    this.changed();
    this.emitOrgAssignment(true, "user", userId, roleId);
    return true;
  }

  unassignUserRole(userId: string, roleId: string): boolean {
    const index = this.requireUserIndex(userId);
    const list = this.directRoles.get(index);
    if (list === undefined) return false;
    const pos = indexOfSortedString(list, roleId);
    if (pos < 0) return false;
    list.splice(pos, 1);
    if (list.length === 0) this.directRoles.delete(index);
    this.changed();
    this.emitOrgAssignment(false, "user", userId, roleId);
    return true;
  }

  /**
   * The legacy organization role (`POST /organization/users/{id}`): Owner held directly or not.
   * Records `user.updated` (not the role assignment behind it); false when it already was.
   */
  setUserRole(userId: string, role: "owner" | "reader"): boolean {
    this.requireUserIndex(userId);
    const changed = this.audit.quiet(() =>
      role === "owner"
        ? this.assignUserRole(userId, this.ownerId)
        : this.unassignUserRole(userId, this.ownerId),
    );
    if (changed) this.audit.emit("user.updated", { id: userId, changes_requested: { role } });
    return changed;
  }

  createUser(options: CreateUserOptions = {}): OrgUserWire {
    const { id, at } = this.nextId("user_");
    const n = this.users.length + 1;
    const u: UserRecord = {
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
  removeUser(userId: string): void {
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

  createRole(options: CreateRoleOptions): RoleWire {
    const { id, at } = this.nextId("role_");
    const r: RoleRecord = {
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

  updateRole(roleId: string, changes: UpdateRoleOptions): RoleWire {
    const r = this.requireRole(roleId);
    if (r.predefined) {
      throw new StateError("invalid", `Role '${roleId}' is predefined and cannot be modified.`);
    }
    const before = { name: r.name, permissions: [...r.permissions], description: r.description };
    if (changes.name !== undefined && changes.name !== null) r.name = changes.name;
    if (changes.permissions !== undefined && changes.permissions !== null) {
      r.permissions = [...changes.permissions];
    }
    if (changes.description !== undefined) r.description = changes.description;
    this.clock += this.rng.range(1, 90);
    r.updatedAt = this.clock;
    this.changed();
    const detail = roleUpdatedDetail(r.id, before, r);
    if (detail !== undefined) this.audit.emit("role.updated", detail);
    return roleWireOf(r);
  }

  /** Deletes a custom role and every assignment of it. */
  deleteRole(roleId: string): void {
    const r = this.requireRole(roleId);
    if (r.predefined) {
      throw new StateError("invalid", `Role '${roleId}' is predefined and cannot be deleted.`);
    }
    for (const g of this.groups) {
      const pos = indexOfSortedString(g.roleIds, roleId);
      if (pos >= 0) g.roleIds.splice(pos, 1);
    }
    for (const [index, list] of this.directRoles) {
      const pos = indexOfSortedString(list, roleId);
      if (pos >= 0) list.splice(pos, 1);
      if (list.length === 0) this.directRoles.delete(index);
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
  asActor<T>(actor: AuditActor, fn: () => T): T {
    return this.audit.asActor(this.resolveActor(actor), fn);
  }

  /**
   * The wire actor `actor` is recorded as (null for SCIM); without one, the actor the next
   * change is recorded as.
   */
  auditActor(actor?: AuditActor): AuditLogActorWire | null {
    const resolved = actor === undefined ? this.audit.current() : this.resolveActor(actor);
    return resolved.wire === null ? null : structuredClone(resolved.wire);
  }

  /** What HTTP writes act as: the simulator's own admin key (undefined before it is registered). */
  simulatorKeyActor(): AuditActor | undefined {
    const keyId = this.simulatorKeyTrackingId();
    return keyId === undefined ? undefined : { kind: "api_key", keyId };
  }

  get auditLogMode(): AuditLogMode {
    return this.audit.mode;
  }

  /**
   * "enabled" (default); "disabled": logging off, nothing is recorded and the route answers 400;
   * "forbidden": recorded, but the route answers 403.
   */
  setAuditLogMode(mode: AuditLogMode): void {
    if (!AUDIT_LOG_MODES.includes(mode)) {
      throw new StateError("invalid", `Unknown audit log mode '${String(mode)}'.`);
    }
    this.audit.mode = mode;
  }

  /** The audit clock: the time of the latest recorded change (or the earliest possible next). */
  get auditNow(): number {
    return this.audit.now;
  }

  /**
   * A clock (unix seconds) the audit log never records a change behind, e.g. the wall clock, so
   * that a change made after a crawl is never dated before it. startSimulator sets the wall clock
   * when it anchors the credentials clock on it (no `credentialsNow`); undefined: logical only
   * (deterministic: the credentials clock plus 0-2 seconds per change).
   */
  setAuditClock(now: (() => number) | undefined): void {
    this.audit.clockSource = now;
  }

  /**
   * Appends an event as given and returns it. With an `effective_at` in the past it is a late
   * event: it appears at its sorted place (first among the events of its second). Recorded in
   * every mode (a test's hook, not a change).
   */
  recordAuditEvent(input: RecordAuditEventInput): AuditLogWire {
    if (!isAuditLogEventType(input.type)) {
      throw new StateError("invalid", `Unknown audit log event type '${String(input.type)}'.`);
    }
    if (input.effective_at !== undefined && !Number.isSafeInteger(input.effective_at)) {
      throw new StateError("invalid", "effective_at must be an integer (unix seconds).");
    }
    let actor: ResolvedActor;
    if (input.actor === undefined) actor = this.audit.current();
    else if (input.actor === null) actor = { wire: null, viaAdminKey: false };
    else if ("kind" in input.actor) actor = this.resolveActor(input.actor);
    else actor = { wire: structuredClone(input.actor), viaAdminKey: false };
    if (input.source !== undefined) actor = { ...actor, source: input.source };
    let project: AuditLogProjectWire | null | undefined;
    if (typeof input.project === "string") {
      const p = this.getProject(input.project);
      if (p === undefined) {
        throw new StateError("not_found", `Project with id '${input.project}' not found.`);
      }
      project = { id: p.id, name: p.name };
    } else {
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
  seedAuditHistory(count: number, options: HistoryOptions = {}): void {
    const projects = this.listProjects({ includeArchived: true });
    const projectIndex = new Map(projects.map((p, i) => [p.id, i]));
    const people: Array<{ id: string; email: string | null }> = [];
    for (const u of this.users) {
      if (!u.removed && !u.isServiceAccount) people.push({ id: u.id, email: u.email });
    }
    const admins = this.ownerUserRecords().map((u) => ({ id: u.id, email: u.email }));
    // A few more administrators: people holding an organization role directly.
    for (const [index] of [...this.directRoles].sort((a, b) => a[0] - b[0])) {
      const u = this.userAt(index);
      if (admins.length >= 8) break;
      if (!u.removed && !u.isServiceAccount && !admins.some((a) => a.id === u.id)) {
        admins.push({ id: u.id, email: u.email });
      }
    }
    const defaultId = this.defaultProjectId;
    const defaultProject = defaultId === undefined ? undefined : this.getProject(defaultId);
    const sources: HistorySources = {
      organizationId: this.organizationId,
      defaultProject:
        defaultProject === undefined
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

  auditEventCount(): number {
    return this.audit.log.count;
  }

  /** Every event, newest first (wire objects, as served with the default quirks). */
  listAuditEvents(): AuditLogWire[] {
    return this.audit.log.list();
  }

  getAuditEvent(id: string): AuditLogWire | undefined {
    return this.audit.log.get(id);
  }

  /** One page of the log (the server's `GET /organization/audit_logs`). */
  pageAuditEvents(query: AuditLogQuery): Page<AuditLogWire> {
    return this.audit.log.page(query);
  }
}
