/**
 * What a snapshot of the simulated organization must contain, view by view, built from the
 * simulator's ground truth; and what the store's views actually hold. Both sorted by key and
 * in the views' column order, so tests compare them with one deep equality.
 */
import {
  ADMIN_KEYS,
  API_KEYS,
  type FactTable,
  GROUP_MEMBERS,
  GROUP_ROLES,
  GROUPS,
  INVITES,
  PROJECT_GROUP_ROLES,
  PROJECT_GROUPS,
  PROJECT_ROLES,
  PROJECT_USER_ROLES,
  PROJECT_USERS,
  PROJECTS,
  ROLES,
  SERVICE_ACCOUNTS,
  USAGE_RESOLUTION_DAYS,
  USER_ROLES,
  USERS,
} from "../../src/facts/index.js";
import type { OrgState } from "../../src/simulator/index.js";
import type { Store } from "../../src/store/index.js";

export type Row = Record<string, unknown>;
export interface SnapshotRows {
  groups: Row[];
  members: Row[];
  groupRoles: Row[];
  roles: Row[];
  users: Row[];
  userRoles: Row[];
  projects: Row[];
  projectUsers: Row[];
  projectGroups: Row[];
  projectRoles: Row[];
  projectGroupRoles: Row[];
  projectUserRoles: Row[];
  serviceAccounts: Row[];
  apiKeys: Row[];
  adminKeys: Row[];
  invites: Row[];
}

/** How a crawl was run, for the oracle. */
export interface ExpectedOptions {
  userRoles?: boolean;
  projects?: boolean;
  projectRoleAssignments?: boolean;
  credentials?: boolean;
  /**
   * The previous snapshot's rows and this snapshot's start, to apply the coarse recording of
   * `last_used_at` (USAGE_RESOLUTION_DAYS): without them the state's value is expected.
   */
  previous?: SnapshotRows;
  startedAt?: Date;
}

const sources = (
  list: readonly { principal_id: string; principal_type: string }[] | null | undefined,
) => list?.map((s) => ({ principal_id: s.principal_id, principal_type: s.principal_type })) ?? null;

/**
 * The project views as the simulator's state has them: every project (archived included), the
 * members of active ones (the API lists none for an archived project), attached groups, roles
 * catalogs and, unless left out, the role assignments of attached groups and members.
 */
function expectedProjects(
  state: OrgState,
  options: { projects?: boolean; projectRoleAssignments?: boolean },
): Pick<
  SnapshotRows,
  | "projects"
  | "projectUsers"
  | "projectGroups"
  | "projectRoles"
  | "projectGroupRoles"
  | "projectUserRoles"
> {
  const out = {
    projects: [] as Row[],
    projectUsers: [] as Row[],
    projectGroups: [] as Row[],
    projectRoles: [] as Row[],
    projectGroupRoles: [] as Row[],
    projectUserRoles: [] as Row[],
  };
  if (options.projects === false) return out;
  const assignments = options.projectRoleAssignments !== false;
  for (const p of state.listProjects({ includeArchived: true })) {
    const archived = p.archived_at !== null || p.status === "archived";
    out.projects.push({
      project_id: p.id,
      name: p.name,
      status: p.status,
      archived,
      created_at: iso(p.created_at),
      archived_at: iso(p.archived_at),
      external_key_id: p.external_key_id,
      residency: p.residency ?? null,
    });
    if (!archived) {
      for (const u of state.listProjectUsers(p.id)) {
        out.projectUsers.push({
          project_id: p.id,
          user_id: u.id,
          email: u.email,
          name: u.name,
          role: u.role,
          added_at: iso(u.added_at),
        });
        if (!assignments) continue;
        for (const r of state.listProjectUserRoles(p.id, u.id)) {
          out.projectUserRoles.push({
            project_id: p.id,
            user_id: u.id,
            role_id: r.id,
            role_name: r.name,
            permissions: r.permissions,
            predefined_role: r.predefined_role,
            assignment_sources: sources(r.assignment_sources),
          });
        }
      }
    }
    for (const g of state.listProjectGroups(p.id)) {
      out.projectGroups.push({
        project_id: p.id,
        group_id: g.group_id,
        group_name: g.group_name,
        group_type: g.group_type ?? null,
        created_at: iso(g.created_at),
      });
      if (!assignments) continue;
      for (const r of state.listProjectGroupRoles(p.id, g.group_id)) {
        out.projectGroupRoles.push({
          project_id: p.id,
          group_id: g.group_id,
          role_id: r.id,
          role_name: r.name,
          permissions: r.permissions,
          predefined_role: r.predefined_role,
          resource_type: r.resource_type,
        });
      }
    }
    for (const r of state.listProjectRoles(p.id)) {
      out.projectRoles.push({
        project_id: p.id,
        role_id: r.id,
        name: r.name,
        description: r.description,
        permissions: r.permissions,
        predefined_role: r.predefined_role,
        resource_type: r.resource_type,
      });
    }
  }
  return {
    projects: out.projects.sort(byKey("project_id")),
    projectUsers: out.projectUsers.sort(byKey("project_id", "user_id")),
    projectGroups: out.projectGroups.sort(byKey("project_id", "group_id")),
    projectRoles: out.projectRoles.sort(byKey("project_id", "role_id")),
    projectGroupRoles: out.projectGroupRoles.sort(byKey("project_id", "group_id", "role_id")),
    projectUserRoles: out.projectUserRoles.sort(byKey("project_id", "user_id", "role_id")),
  };
}

/**
 * The recorded last use: the previous snapshot's value stays while it is more recent than the
 * resolution (less a day) before this snapshot's start and the new value is later (writer.ts).
 */
function recordedUse(
  now: string | null,
  before: unknown,
  startedAt: Date | undefined,
): string | null {
  if (typeof before !== "string" || now === null || startedAt === undefined) return now;
  const cutoff = startedAt.getTime() - (USAGE_RESOLUTION_DAYS - 1) * 86_400_000;
  return now > before && Date.parse(before) > cutoff ? before : now;
}

/**
 * The credential views as the simulator's state has them: service accounts and every key
 * (`owner_project_access=any`) of active projects, admin keys and invites.
 */
function expectedCredentials(
  state: OrgState,
  options: ExpectedOptions,
): Pick<SnapshotRows, "serviceAccounts" | "apiKeys" | "adminKeys" | "invites"> {
  const out = {
    serviceAccounts: [] as Row[],
    apiKeys: [] as Row[],
    adminKeys: [] as Row[],
    invites: [] as Row[],
  };
  if (options.projects === false || options.credentials === false) return out;
  const previousKey = new Map(
    (options.previous?.apiKeys ?? []).map((k) => [`${k.project_id}\u0000${k.key_id}`, k]),
  );
  const previousAdmin = new Map((options.previous?.adminKeys ?? []).map((k) => [k.key_id, k]));
  for (const p of state.listProjects({ includeArchived: true })) {
    if (p.archived_at !== null || p.status === "archived") continue;
    for (const a of state.listServiceAccounts(p.id)) {
      out.serviceAccounts.push({
        project_id: p.id,
        service_account_id: a.id,
        name: a.name,
        role: a.role,
        created_at: iso(a.created_at),
      });
    }
    for (const k of state.listProjectApiKeys(p.id, "any")) {
      const owner = k.owner.type === "service_account" ? k.owner.service_account : k.owner.user;
      out.apiKeys.push({
        project_id: p.id,
        key_id: k.id,
        name: k.name,
        redacted_value: k.redacted_value,
        created_at: iso(k.created_at),
        last_used_at: recordedUse(
          iso(k.last_used_at),
          previousKey.get(`${p.id}\u0000${k.id}`)?.last_used_at,
          options.startedAt,
        ),
        owner_type: k.owner.type,
        owner_id: owner?.id ?? null,
        owner_name: owner?.name ?? null,
        owner_email:
          k.owner.type === "user" ? ((k.owner.user as { email?: string }).email ?? null) : null,
        owner_role: owner?.role ?? null,
        owner_project_access: k.owner_project_access,
      });
    }
  }
  for (const k of state.listAdminApiKeys()) {
    out.adminKeys.push({
      key_id: k.id,
      name: k.name ?? null,
      redacted_value: k.redacted_value,
      created_at: iso(k.created_at),
      expires_at: iso(k.expires_at ?? null),
      last_used_at: recordedUse(
        iso(k.last_used_at ?? null),
        previousAdmin.get(k.id)?.last_used_at,
        options.startedAt,
      ),
      owner_type: k.owner?.type ?? null,
      owner_id: k.owner?.id ?? null,
      owner_name: k.owner?.name ?? null,
      owner_role: k.owner?.role ?? null,
    });
  }
  for (const i of state.listInvites()) {
    out.invites.push({
      invite_id: i.id,
      email: i.email,
      role: i.role,
      status: i.status,
      created_at: iso(i.created_at),
      expires_at: iso(i.expires_at ?? null),
      accepted_at: iso(i.accepted_at ?? null),
      projects: i.projects?.map((x) => ({ project_id: x.id, role: x.role })) ?? null,
    });
  }
  return {
    serviceAccounts: out.serviceAccounts.sort(byKey("project_id", "service_account_id")),
    apiKeys: out.apiKeys.sort(byKey("project_id", "key_id")),
    adminKeys: out.adminKeys.sort(byKey("key_id")),
    invites: out.invites.sort(byKey("invite_id")),
  };
}

const iso = (unix: number | null): string | null =>
  unix === null ? null : new Date(unix * 1000).toISOString();

const byKey =
  (...keys: string[]) =>
  (a: Row, b: Row): number => {
    for (const k of keys) {
      const x = String(a[k]);
      const y = String(b[k]);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

export function expectedSnapshot(state: OrgState, options: ExpectedOptions = {}): SnapshotRows {
  const groups = state.listGroups();
  const members: Row[] = [];
  const groupRoles: Row[] = [];
  for (const g of groups) {
    for (const u of state.listGroupUsers(g.id)) {
      members.push({ group_id: g.id, user_id: u.id, email: u.email, name: u.name });
    }
    for (const r of state.listGroupRoles(g.id)) {
      groupRoles.push({
        group_id: g.id,
        role_id: r.id,
        role_name: r.name,
        permissions: r.permissions,
        predefined_role: r.predefined_role,
        resource_type: r.resource_type,
      });
    }
  }
  const users = state.listUsers();
  const userRoles: Row[] = [];
  if (options.userRoles !== false) {
    for (const u of users) {
      for (const r of state.listUserRoles(u.id)) {
        userRoles.push({
          user_id: u.id,
          role_id: r.id,
          role_name: r.name,
          permissions: r.permissions,
          predefined_role: r.predefined_role,
          assignment_sources:
            r.assignment_sources?.map((s) => ({
              principal_id: s.principal_id,
              principal_type: s.principal_type,
            })) ?? null,
        });
      }
    }
  }
  return {
    groups: groups
      .map((g) => ({
        group_id: g.id,
        name: g.name,
        group_type: g.group_type ?? null,
        is_scim_managed: g.is_scim_managed,
        created_at: iso(g.created_at),
      }))
      .sort(byKey("group_id")),
    members: members.sort(byKey("group_id", "user_id")),
    groupRoles: groupRoles.sort(byKey("group_id", "role_id")),
    roles: state
      .listRoles()
      .map((r) => ({
        role_id: r.id,
        name: r.name,
        description: r.description,
        permissions: r.permissions,
        predefined_role: r.predefined_role,
        resource_type: r.resource_type,
      }))
      .sort(byKey("role_id")),
    users: users
      .map((u) => ({
        user_id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        is_scim_managed: u.is_scim_managed,
        is_service_account: u.is_service_account,
        added_at: iso(u.added_at),
        api_key_last_used_at: iso(u.api_key_last_used_at),
      }))
      .sort(byKey("user_id")),
    userRoles: userRoles.sort(byKey("user_id", "role_id")),
    ...expectedProjects(state, options),
    ...expectedCredentials(state, options),
  };
}

export async function storedSnapshot(store: Store, snapshotId: number): Promise<SnapshotRows> {
  // Each fact type's view, its declared columns, ordered by its key.
  const read = (table: FactTable) =>
    store.query<Row>(
      `SELECT ${table.columns.map((c) => c.name).join(", ")} FROM ${table.view}
       WHERE snapshot_id = ? ORDER BY ${table.key.join(", ")}`,
      [snapshotId],
    );
  return {
    groups: await read(GROUPS),
    members: await read(GROUP_MEMBERS),
    groupRoles: await read(GROUP_ROLES),
    roles: await read(ROLES),
    users: await read(USERS),
    userRoles: await read(USER_ROLES),
    projects: await read(PROJECTS),
    projectUsers: await read(PROJECT_USERS),
    projectGroups: await read(PROJECT_GROUPS),
    projectRoles: await read(PROJECT_ROLES),
    projectGroupRoles: await read(PROJECT_GROUP_ROLES),
    projectUserRoles: await read(PROJECT_USER_ROLES),
    serviceAccounts: await read(SERVICE_ACCOUNTS),
    apiKeys: await read(API_KEYS),
    adminKeys: await read(ADMIN_KEYS),
    invites: await read(INVITES),
  };
}
