/** Building benchmark databases without HTTP: churn and publishing straight from an OrgState. */
import {
  GROUP_MEMBERS,
  GROUP_ROLES,
  GROUPS,
  ROLES,
  USER_ROLES,
  USERS,
} from "../src/facts/index.js";
import type { AssignmentSourceWire, OrgState } from "../src/simulator/index.js";
import type { Store } from "../src/store/index.js";

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
}

/**
 * Publishes the simulator's state as one snapshot straight through the store writer (no HTTP),
 * with user roles (direct and inherited through groups, with their sources) unless told not to.
 */
export async function writeSnapshotFromState(
  store: Store,
  state: OrgState,
  options: { userRoles?: boolean } = {},
): Promise<number> {
  const w = await store.beginSnapshot({ baseUrl: "bench", toolVersion: "bench", keyRedacted: "-" });
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
  for (const e of ["/organization/roles", "/organization/groups", "/organization/users"]) {
    w.recordEndpoint({ endpoint: e, pages: 1, items: 0, completed: true });
  }
  const published = await w.publish({ requests: 0, retries: 0, rateLimited: 0 });
  return published.snapshotId;
}
