/**
 * A campaign's population: every grant of one snapshot, as reviewable items. A grant is a
 * user's membership of a group, a group's role, or a user's direct role (the `effective_access`
 * view's `direct` paths: roles the API only repeats because a group grants them are reviewed
 * through that group). Elevated follows the configured analysis (materialiseHelpers).
 */
import { createHash } from "node:crypto";
import { materialiseHelpers, releaseHelpers } from "../analysis/anomalies.js";
import { type AnalysisConfig, resolveAnalysisConfig } from "../analysis/config.js";
import type { Store } from "../store/index.js";
import { sqlQueries } from "../util/sql-files.js";
import type { Grant, ItemKind } from "./db.js";

/** sql/certify/population.sql */
export const populationQuery = sqlQueries("certify/population.sql");

export interface PopulationItem extends Grant {
  /** The role of a role item; for a membership, the roles its group grants (by name). */
  roles: { role_id: string; role_name: string | null }[];
}

const KIND_PREFIX: Record<ItemKind, string> = {
  membership: "M",
  group_role: "GR",
  user_role: "UR",
};

/** Stable across campaigns and snapshots: the same grant always has the same id. */
export function itemId(
  kind: ItemKind,
  groupId: string | null,
  userId: string | null,
  roleId: string | null,
): string {
  const digest = createHash("sha256")
    .update([kind, groupId ?? "", userId ?? "", roleId ?? ""].join("\0"))
    .digest("hex");
  return `${KIND_PREFIX[kind]}-${digest.slice(0, 20)}`;
}

const sha = (value: unknown): string =>
  createHash("sha256").update(JSON.stringify(value)).digest("hex");

const managed = (scim: boolean | null): string =>
  scim === null ? "unknown management" : scim ? "SCIM-managed" : "manual";

interface MemberRow {
  group_id: string;
  group_name: string | null;
  is_scim_managed: boolean | null;
  user_id: string;
  email: string | null;
  name: string | null;
  roles: { role_id: string; role_name: string | null; permissions: string[] | null }[] | null;
  elevated: boolean;
}

interface GroupRoleRow {
  group_id: string;
  group_name: string | null;
  is_scim_managed: boolean | null;
  role_id: string;
  role_name: string | null;
  permissions: string[] | null;
  members: number;
  elevated: boolean;
}

interface UserRoleRow {
  user_id: string;
  email: string | null;
  name: string | null;
  role_id: string;
  role_name: string | null;
  permissions: string[] | null;
  elevated: boolean;
}

/**
 * Every grant of `snapshotId`, in a stable order; `elevated` as the configuration (the same one
 * the reports and rules use) says.
 */
export async function loadPopulation(
  store: Store,
  snapshotId: number,
  analysis: AnalysisConfig,
): Promise<PopulationItem[]> {
  await materialiseHelpers(store, [snapshotId], resolveAnalysisConfig(analysis));
  try {
    const members = await store.query<MemberRow>(populationQuery("memberships"), {
      s: snapshotId,
    });
    const groupRoles = await store.query<GroupRoleRow>(populationQuery("group_roles"), {
      s: snapshotId,
    });
    const userRoles = await store.query<UserRoleRow>(populationQuery("user_roles"), {
      s: snapshotId,
    });
    const items: PopulationItem[] = [];
    for (const m of members) {
      const roles = m.roles ?? [];
      const names = roles.map((r) => r.role_name ?? r.role_id);
      items.push({
        item_id: itemId("membership", m.group_id, m.user_id, null),
        kind: "membership",
        group_id: m.group_id,
        group_name: m.group_name,
        group_is_scim_managed: m.is_scim_managed,
        user_id: m.user_id,
        user_email: m.email,
        user_name: m.name,
        role_id: null,
        role_name: null,
        elevated: m.elevated,
        path: `member of group "${m.group_name ?? m.group_id}" (${managed(m.is_scim_managed)}), which grants ${names.length === 0 ? "no role" : names.join(", ")}`,
        fingerprint: sha([
          m.is_scim_managed,
          m.elevated,
          roles.map((r) => [r.role_id, r.permissions]),
        ]),
        roles: roles.map((r) => ({ role_id: r.role_id, role_name: r.role_name })),
      });
    }
    for (const r of groupRoles) {
      items.push({
        item_id: itemId("group_role", r.group_id, null, r.role_id),
        kind: "group_role",
        group_id: r.group_id,
        group_name: r.group_name,
        group_is_scim_managed: r.is_scim_managed,
        user_id: null,
        user_email: null,
        user_name: null,
        role_id: r.role_id,
        role_name: r.role_name,
        elevated: r.elevated,
        path: `role assigned to group "${r.group_name ?? r.group_id}" (${managed(r.is_scim_managed)}, ${r.members} member${r.members === 1 ? "" : "s"})`,
        fingerprint: sha([r.is_scim_managed, r.elevated, r.permissions]),
        roles: [{ role_id: r.role_id, role_name: r.role_name }],
      });
    }
    for (const r of userRoles) {
      items.push({
        item_id: itemId("user_role", null, r.user_id, r.role_id),
        kind: "user_role",
        group_id: null,
        group_name: null,
        group_is_scim_managed: null,
        user_id: r.user_id,
        user_email: r.email,
        user_name: r.name,
        role_id: r.role_id,
        role_name: r.role_name,
        elevated: r.elevated,
        path: "role assigned directly to the user",
        fingerprint: sha([r.elevated, r.permissions]),
        roles: [{ role_id: r.role_id, role_name: r.role_name }],
      });
    }
    return items;
  } finally {
    await releaseHelpers(store);
  }
}
