/**
 * A small organization that changes at every step (members come and go, a group is renamed,
 * one appears and one disappears, a role's permissions change, a user flaps in and out), written
 * straight through the store's snapshot writer, for tests of what happens to history.
 */
import {
  GROUP_MEMBERS,
  GROUP_ROLES,
  GROUPS,
  ROLES,
  USER_ROLES,
  USERS,
} from "../../src/facts/index.js";
import type {
  GroupRoleRow,
  GroupRow,
  MemberRow,
  PublishResult,
  RoleRow,
  Store,
  UserRoleRow,
  UserRow,
} from "../../src/store/index.js";

export interface Org {
  groups: GroupRow[];
  members: MemberRow[];
  groupRoles: GroupRoleRow[];
  roles: RoleRow[];
  users: UserRow[];
  userRoles: UserRoleRow[];
  vanishedGroups: string[];
}

export const META = {
  baseUrl: "http://sim.test/v1",
  toolVersion: "0.1.0-test",
  keyRedacted: "sk-...abcd",
};

/** Every public view, as `export` writes them (declared with the fact types). */
export { PUBLIC_VIEWS } from "../../src/facts/index.js";

/** The organization as seen by the crawl number `step` (1-based). */
export function orgAt(step: number): Org {
  const roles: RoleRow[] = [
    {
      role_id: "role-owner",
      name: "Owner",
      description: "Full control",
      permissions: ["api.organization.admin"],
      predefined_role: true,
      resource_type: "api.organization",
    },
    {
      role_id: "role-reader",
      name: "Reader",
      description: null,
      permissions: ["api.organization.read"],
      predefined_role: true,
      resource_type: "api.organization",
    },
    {
      role_id: "role-custom",
      name: "Deployers",
      description: "custom",
      permissions: step >= 3 ? ["api.models.write", "api.files.write"] : ["api.models.write"],
      predefined_role: false,
      resource_type: "api.organization",
    },
  ];
  const groupIds = ["g0", "g1", "g2", "g3", "g4"];
  if (step <= 2) groupIds.push("g5");
  if (step >= 3) groupIds.push("g6");
  const groups: GroupRow[] = groupIds.map((id, i) => ({
    group_id: id,
    name: id === "g2" && step >= 4 ? "Group two (renamed)" : `Group ${id}`,
    group_type: i % 2 === 0 ? "group" : "tenant_group",
    is_scim_managed: i % 3 === 0,
    created_at: 1_700_000_000 + i,
  }));
  const userIds = Array.from({ length: 16 }, (_, k) => `u${k}`);
  if (step % 2 === 1) userIds.push("u-flap");
  const users: UserRow[] = userIds.map((id, k) => ({
    user_id: id,
    email: k === 3 ? null : `${id}@example.com`,
    name: `User ${id}`,
    role: k === 0 ? "owner" : "reader",
    is_scim_managed: k % 2 === 0,
    is_service_account: k === 15,
    added_at: 1_600_000_000 + k * 86_400,
    api_key_last_used_at: k % 4 === 0 ? null : 1_710_000_000 + k,
  }));
  const members: MemberRow[] = [];
  groupIds.forEach((groupId, j) => {
    userIds.forEach((userId, k) => {
      // About a third of the memberships change from one step to the next.
      if ((k + j + Math.floor(step / (k % 2 === 0 ? 1 : 2))) % 3 === 0) {
        members.push({
          group_id: groupId,
          user_id: userId,
          email: `${userId}@example.com`,
          name: `User ${userId}`,
        });
      }
    });
  });
  const groupRoles: GroupRoleRow[] = groupIds.map((groupId, j) => {
    const role = roles[j % 3] as RoleRow;
    return {
      group_id: groupId,
      role_id: role.role_id,
      role_name: role.name,
      permissions: role.permissions,
      predefined_role: role.predefined_role,
      resource_type: role.resource_type,
    };
  });
  const userRoles: UserRoleRow[] = userIds.map((userId, k) => ({
    user_id: userId,
    role_id: k === 0 ? "role-owner" : "role-reader",
    role_name: k === 0 ? "Owner" : "Reader",
    permissions: k === 0 ? ["api.organization.admin"] : ["api.organization.read"],
    predefined_role: true,
    assignment_sources: [{ principal_id: userId, principal_type: "user" }],
  }));
  return {
    groups,
    members,
    groupRoles,
    roles,
    users,
    userRoles,
    vanishedGroups: step % 3 === 0 ? [`gone-${step}`] : [],
  };
}

function stage(writer: Awaited<ReturnType<Store["beginSnapshot"]>>, org: Org): void {
  for (const r of org.roles) writer.add(ROLES, r);
  for (const r of org.groups) writer.add(GROUPS, r);
  for (const r of org.members) writer.add(GROUP_MEMBERS, r);
  for (const r of org.groupRoles) writer.add(GROUP_ROLES, r);
  for (const r of org.users) writer.add(USERS, r);
  for (const r of org.userRoles) writer.add(USER_ROLES, r);
  for (const g of org.vanishedGroups) writer.recordVanishedGroup(g);
  writer.recordEndpoint({
    endpoint: "/organization/groups",
    pages: 1,
    items: org.groups.length,
    completed: true,
  });
  writer.recordEndpoint({
    endpoint: "/organization/users",
    pages: 2,
    items: org.users.length,
    completed: true,
  });
}

export async function publishOrg(store: Store, org: Org): Promise<PublishResult> {
  const writer = await store.beginSnapshot(META);
  stage(writer, org);
  return writer.publish({ requests: 10, retries: 1, rateLimited: 0 });
}

/** A crawl that fails after staging (its evidence rows stay, its data never shows). */
export async function failSnapshot(store: Store, org: Org): Promise<number> {
  const writer = await store.beginSnapshot(META);
  stage(writer, org);
  await writer.abort("simulated failure");
  return writer.snapshotId;
}

/** A view's rows for one snapshot, in a total order. */
export async function viewRows(store: Store, view: string, snapshotId: number): Promise<unknown[]> {
  return store.query(`SELECT * FROM ${view} WHERE snapshot_id = $1 ORDER BY ALL`, [snapshotId]);
}

/** Rows of every history table. */
export async function historyRowCounts(store: Store): Promise<Record<string, number>> {
  const tables = [
    "hist_groups",
    "hist_group_members",
    "hist_group_roles",
    "hist_roles",
    "hist_users",
    "hist_user_roles",
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const rows = await store.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${table}`);
    counts[table] = rows[0]?.n ?? -1;
  }
  return counts;
}
