/**
 * Snapshots of a small organization with credentials (service accounts, project and admin API
 * keys, invites), written straight through the store's snapshot writer at a controlled time: the
 * writer stamps a snapshot with the clock, so `publishAt` sets the clock (Date only, with
 * vitest's fake timers) to the instant the snapshot is to start and finish at.
 */
import { vi } from "vitest";
import {
  ADMIN_KEYS,
  type AdminKeyRow,
  API_KEYS,
  type ApiKeyRow,
  type CoverageScope,
  GROUP_MEMBERS,
  GROUP_ROLES,
  GROUPS,
  type GroupRoleRow,
  type GroupRow,
  INVITES,
  type InviteRow,
  type MemberRow,
  PROJECT_GROUP_ROLES,
  PROJECT_GROUPS,
  PROJECT_USERS,
  PROJECTS,
  type ProjectGroupRoleRow,
  type ProjectGroupRow,
  type ProjectRow,
  type ProjectUserRow,
  ROLES,
  type RoleRow,
  SERVICE_ACCOUNTS,
  type ServiceAccountRow,
  USER_ROLES,
  USERS,
  type UserRoleRow,
  type UserRow,
} from "../../src/facts/index.js";
import type { Store } from "../../src/store/index.js";
import { META } from "./history-org.js";

export const DAY = 86_400;

/** One snapshot's facts; every list may be empty. */
export interface CredentialOrg {
  roles: RoleRow[];
  users: UserRow[];
  userRoles: UserRoleRow[];
  groups: GroupRow[];
  members: MemberRow[];
  groupRoles: GroupRoleRow[];
  projects: ProjectRow[];
  projectUsers: ProjectUserRow[];
  projectGroups: ProjectGroupRow[];
  projectGroupRoles: ProjectGroupRoleRow[];
  serviceAccounts: ServiceAccountRow[];
  apiKeys: ApiKeyRow[];
  adminKeys: AdminKeyRow[];
  invites: InviteRow[];
}

export const emptyOrg = (): CredentialOrg => ({
  roles: [],
  users: [],
  userRoles: [],
  groups: [],
  members: [],
  groupRoles: [],
  projects: [],
  projectUsers: [],
  projectGroups: [],
  projectGroupRoles: [],
  serviceAccounts: [],
  apiKeys: [],
  adminKeys: [],
  invites: [],
});

export const OWNER_ROLE: RoleRow = {
  role_id: "role-owner",
  name: "Owner",
  description: null,
  permissions: ["api.organization.admin"],
  predefined_role: true,
  resource_type: "api.organization",
};
export const READER_ROLE: RoleRow = {
  role_id: "role-reader",
  name: "Reader",
  description: null,
  permissions: ["api.organization.read"],
  predefined_role: true,
  resource_type: "api.organization",
};

export const user = (id: string, role: "owner" | "reader", at: number): UserRow => ({
  user_id: id,
  email: `${id}@corp.example`,
  name: `User ${id}`,
  role,
  is_scim_managed: false,
  is_service_account: false,
  added_at: at - 1_000 * DAY,
  api_key_last_used_at: null,
});

export const directRole = (userId: string, role: RoleRow): UserRoleRow => ({
  user_id: userId,
  role_id: role.role_id,
  role_name: role.name,
  permissions: role.permissions,
  predefined_role: role.predefined_role,
  assignment_sources: [{ principal_id: userId, principal_type: "user" }],
});

export const project = (id: string, name: string, at: number, archived = false): ProjectRow => ({
  project_id: id,
  name,
  status: archived ? "archived" : "active",
  archived,
  created_at: at - 900 * DAY,
  archived_at: archived ? at - 10 * DAY : null,
  external_key_id: null,
  residency: null,
});

export const projectUser = (
  projectId: string,
  userId: string,
  role: "owner" | "member",
  at: number,
): ProjectUserRow => ({
  project_id: projectId,
  user_id: userId,
  email: `${userId}@corp.example`,
  name: `User ${userId}`,
  role,
  added_at: at - 500 * DAY,
});

export const serviceAccount = (
  projectId: string,
  id: string,
  role: string,
  createdAt: number,
  name = `bot ${id}`,
): ServiceAccountRow => ({
  project_id: projectId,
  service_account_id: id,
  name,
  role,
  created_at: createdAt,
});

/** A project key; `owner` is a user id (`u-…`) or a service account id (`sa-…`). */
export const apiKey = (
  projectId: string,
  id: string,
  owner: string,
  createdAt: number,
  lastUsedAt: number | null,
  extra: Partial<ApiKeyRow> = {},
): ApiKeyRow => {
  const isUser = owner.startsWith("u-");
  return {
    project_id: projectId,
    key_id: id,
    name: `key ${id}`,
    redacted_value: `sk-proj-...${id.slice(-4)}`,
    created_at: createdAt,
    last_used_at: lastUsedAt,
    owner_type: isUser ? "user" : "service_account",
    owner_id: owner,
    owner_name: isUser ? `User ${owner}` : `bot ${owner}`,
    owner_email: isUser ? `${owner}@corp.example` : null,
    owner_role: "member",
    owner_project_access: "active",
    ...extra,
  };
};

export const adminKey = (
  id: string,
  owner: string | null,
  createdAt: number,
  expiresAt: number | null,
  lastUsedAt: number | null,
  extra: Partial<AdminKeyRow> = {},
): AdminKeyRow => ({
  key_id: id,
  name: `admin ${id}`,
  redacted_value: `sk-admin-...${id.slice(-4)}`,
  created_at: createdAt,
  expires_at: expiresAt,
  last_used_at: lastUsedAt,
  owner_type: owner === null ? null : "user",
  owner_id: owner,
  owner_name: owner === null ? null : `User ${owner}`,
  owner_role: owner === null ? null : "owner",
  ...extra,
});

export const invite = (
  id: string,
  role: "owner" | "reader",
  status: "pending" | "accepted" | "expired",
  createdAt: number,
  extra: Partial<InviteRow> = {},
): InviteRow => ({
  invite_id: id,
  email: `${id}@invitee.example`,
  role,
  status,
  created_at: createdAt,
  expires_at: createdAt + 30 * DAY,
  accepted_at: status === "accepted" ? createdAt + DAY : null,
  projects: [],
  ...extra,
});

/**
 * Writes `org` as one complete snapshot started and finished at `at` (Unix seconds): the clock
 * (Date only) is set to `at` for the writer, then restored.
 */
export async function publishAt(
  store: Store,
  org: CredentialOrg,
  at: number,
  uncollected: readonly CoverageScope[] = [],
): Promise<number> {
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    vi.setSystemTime(new Date(at * 1000));
    const writer = await store.beginSnapshot({ ...META, uncollected });
    for (const r of org.roles) writer.add(ROLES, r);
    for (const r of org.users) writer.add(USERS, r);
    for (const r of org.userRoles) writer.add(USER_ROLES, r);
    for (const r of org.groups) writer.add(GROUPS, r);
    for (const r of org.members) writer.add(GROUP_MEMBERS, r);
    for (const r of org.groupRoles) writer.add(GROUP_ROLES, r);
    if (!uncollected.includes("projects")) {
      for (const r of org.projects) writer.add(PROJECTS, r);
      for (const r of org.projectUsers) writer.add(PROJECT_USERS, r);
      for (const r of org.projectGroups) writer.add(PROJECT_GROUPS, r);
    }
    if (!uncollected.includes("project_role_assignments") && !uncollected.includes("projects")) {
      for (const r of org.projectGroupRoles) writer.add(PROJECT_GROUP_ROLES, r);
    }
    if (!uncollected.includes("credentials")) {
      for (const r of org.serviceAccounts) writer.add(SERVICE_ACCOUNTS, r);
      for (const r of org.apiKeys) writer.add(API_KEYS, r);
      for (const r of org.adminKeys) writer.add(ADMIN_KEYS, r);
      for (const r of org.invites) writer.add(INVITES, r);
    }
    const result = await writer.publish({ requests: 1, retries: 0, rateLimited: 0 });
    return result.snapshotId;
  } finally {
    vi.useRealTimers();
  }
}

/** Rows of a history table. */
export async function historyRows(store: Store, table: string): Promise<number> {
  const rows = await store.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${table}`);
  return rows[0]?.n ?? -1;
}
