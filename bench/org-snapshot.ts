/** Building benchmark databases without HTTP: churn and publishing straight from an OrgState. */
import {
  GROUP_MEMBERS,
  GROUP_ROLES,
  GROUPS,
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
  USER_ROLES,
  USERS,
} from "../src/facts/index.js";
import type { AssignmentSourceWire, OrgState } from "../src/simulator/index.js";
import type { Store } from "../src/store/index.js";

/** The projects of the benchmark organization (issue 15): on top of the large organization. */
export const BENCH_PROJECTS = {
  projects: 300,
  projectMembersAverage: 40,
  projectGroupsAverage: 5,
  projectCustomRoles: 20,
  archivedProjectFraction: 0.1,
} as const;

/** `churn` memberships change, half removed and half added; each `round` draws other ones. */
export function applyChurn(state: OrgState, churn: number, round = 0): void {
  const userIds = state.userIds();
  const groupIds = state.groupIds();
  let seed = 12345 + round * 7919;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  let removed = 0;
  while (removed < churn / 2) {
    const g = groupIds[Math.floor(rand() * groupIds.length)] as string;
    const size = state.groupSize(g);
    const m = size > 0 ? state.groupMemberIdAt(g, Math.floor(rand() * size)) : undefined;
    if (m && state.removeMember(g, m)) removed++;
  }
  let added = 0;
  while (added < churn / 2) {
    const g = groupIds[Math.floor(rand() * groupIds.length)] as string;
    const u = userIds[Math.floor(rand() * userIds.length)] as string;
    if (state.addMember(g, u)) added++;
  }
  // Projects churn at the same rate: members leave and join active projects (the Default
  // project's members cannot be removed).
  const projects = state.activeProjectIds().filter((p) => p !== state.defaultProjectId);
  if (projects.length === 0) return;
  const members = projects.reduce((n, p) => n + state.projectMemberIds(p).length, 0);
  const projectChurn = Math.round(members * (churn / Math.max(1, state.counts().memberships)));
  for (let left = 0, tries = 0; left < projectChurn / 2 && tries < 100 * projectChurn; tries++) {
    const p = projects[Math.floor(rand() * projects.length)] as string;
    const ids = state.projectMemberIds(p);
    const m = ids[Math.floor(rand() * ids.length)];
    if (m !== undefined && state.removeProjectUser(p, m)) left++;
  }
  for (
    let joined = 0, tries = 0;
    joined < projectChurn / 2 && tries < 100 * projectChurn;
    tries++
  ) {
    const p = projects[Math.floor(rand() * projects.length)] as string;
    const u = userIds[Math.floor(rand() * userIds.length)] as string;
    if (state.addProjectUser(p, u, rand() < 0.1 ? "owner" : "member")) joined++;
  }
}

/**
 * Publishes the simulator's state as one snapshot straight through the store writer (no HTTP),
 * with user roles (direct and inherited through groups, with their sources) unless told not to.
 */
export async function writeSnapshotFromState(
  store: Store,
  state: OrgState,
  options: { userRoles?: boolean; projects?: boolean } = {},
): Promise<number> {
  const projects = options.projects !== false;
  const w = await store.beginSnapshot({
    baseUrl: "bench",
    toolVersion: "bench",
    keyRedacted: "-",
    uncollected: [
      ...(options.userRoles === false ? (["user_roles"] as const) : []),
      ...(projects ? [] : (["projects", "project_role_assignments"] as const)),
    ],
  });
  for (const r of state.listRoles()) {
    w.add(ROLES, {
      role_id: r.id,
      name: r.name,
      description: r.description,
      permissions: r.permissions,
      predefined_role: r.predefined_role,
      resource_type: r.resource_type,
    });
  }
  const userRoles = new Map<string, Map<string, AssignmentSourceWire[]>>();
  const addSource = (userId: string, roleId: string, source: AssignmentSourceWire) => {
    let roles = userRoles.get(userId);
    if (!roles) {
      roles = new Map();
      userRoles.set(userId, roles);
    }
    const sources = roles.get(roleId);
    if (sources) sources.push(source);
    else roles.set(roleId, [source]);
  };
  for (const u of state.listUsers()) {
    for (const roleId of state.directUserRoleIds(u.id)) {
      addSource(u.id, roleId, { principal_id: u.id, principal_type: "user" });
    }
  }
  for (const g of state.listGroups()) {
    w.add(GROUPS, {
      group_id: g.id,
      name: g.name,
      group_type: g.group_type ?? null,
      is_scim_managed: g.is_scim_managed,
      created_at: g.created_at,
    });
    const roles = state.listGroupRoles(g.id);
    for (const u of state.listGroupUsers(g.id)) {
      w.add(GROUP_MEMBERS, { group_id: g.id, user_id: u.id, email: u.email, name: u.name });
      for (const r of roles) addSource(u.id, r.id, { principal_id: g.id, principal_type: "group" });
    }
    for (const r of roles) {
      w.add(GROUP_ROLES, {
        group_id: g.id,
        role_id: r.id,
        role_name: r.name,
        permissions: r.permissions,
        predefined_role: r.predefined_role,
        resource_type: r.resource_type,
      });
    }
  }
  for (const u of state.listUsers()) {
    w.add(USERS, {
      user_id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      is_scim_managed: u.is_scim_managed,
      is_service_account: u.is_service_account,
      added_at: u.added_at,
      api_key_last_used_at: u.api_key_last_used_at,
    });
    if (options.userRoles === false) continue;
    for (const [roleId, sources] of userRoles.get(u.id) ?? []) {
      const r = state.getRole(roleId);
      if (!r) continue;
      w.add(USER_ROLES, {
        user_id: u.id,
        role_id: r.id,
        role_name: r.name,
        permissions: r.permissions,
        predefined_role: r.predefined_role,
        assignment_sources: sources,
      });
    }
  }
  if (projects) {
    // The same transforms as the crawl, over the simulator's wire objects (typed as the
    // client's lenient item types, which allow unknown keys).
    const item = <T>(wire: object): T => wire as T;
    for (const p of state.listProjects({ includeArchived: true })) {
      const row = projectRow(item(p));
      w.add(PROJECTS, row);
      for (const r of state.listProjectRoles(p.id))
        w.add(PROJECT_ROLES, projectRoleRow(p.id, item(r)));
      for (const g of state.listProjectGroups(p.id)) {
        w.add(PROJECT_GROUPS, projectGroupRow(p.id, item(g)));
        for (const r of state.listProjectGroupRoles(p.id, g.group_id)) {
          w.add(PROJECT_GROUP_ROLES, projectGroupRoleRow(p.id, g.group_id, item(r)));
        }
      }
      if (row.archived) continue;
      for (const u of state.listProjectUsers(p.id)) {
        w.add(PROJECT_USERS, projectUserRow(p.id, item(u)));
        for (const r of state.listProjectUserRoles(p.id, u.id)) {
          w.add(PROJECT_USER_ROLES, projectUserRoleRow(p.id, u.id, item(r)));
        }
      }
    }
  }
  for (const e of ["/organization/roles", "/organization/groups", "/organization/users"]) {
    w.recordEndpoint({ endpoint: e, pages: 1, items: 0, completed: true });
  }
  const published = await w.publish({ requests: 0, retries: 0, rateLimited: 0 });
  return published.snapshotId;
}
