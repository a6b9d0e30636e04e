/**
 * A campaign's population: every grant of one snapshot, as reviewable items. A grant is a
 * user's membership of a group, a group's role, or a user's direct role (the `effective_access`
 * view's `direct` paths: roles the API only repeats because a group grants them are reviewed
 * through that group). Elevated follows the configured analysis (materialiseHelpers).
 */
import { createHash } from "node:crypto";
import { materialiseHelpers } from "../analysis/anomalies.js";
import { type AnalysisConfig, resolveAnalysisConfig } from "../analysis/config.js";
import type { Store } from "../store/index.js";
import type { Grant, ItemKind } from "./db.js";

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
    const members = await store.query<MemberRow>(
      `WITH gr AS (
         SELECT r.group_id, list(struct_pack(role_id := r.role_id, role_name := r.role_name,
             permissions := r.permissions) ORDER BY r.role_name, r.role_id) AS roles,
           bool_or(e.role_id IS NOT NULL) AS elevated
         FROM snapshot_group_roles AS r
         LEFT JOIN elevated_roles AS e ON e.snapshot_id = r.snapshot_id AND e.role_id = r.role_id
         WHERE r.snapshot_id = $s GROUP BY r.group_id)
       SELECT m.group_id, g.name AS group_name, g.is_scim_managed, m.user_id,
         coalesce(u.email, m.email) AS email, coalesce(u.name, m.name) AS name,
         gr.roles, coalesce(gr.elevated, false) AS elevated
       FROM snapshot_group_members AS m
       JOIN snapshot_groups AS g ON g.snapshot_id = m.snapshot_id AND g.group_id = m.group_id
       LEFT JOIN snapshot_users AS u ON u.snapshot_id = m.snapshot_id AND u.user_id = m.user_id
       LEFT JOIN gr ON gr.group_id = m.group_id
       WHERE m.snapshot_id = $s
       ORDER BY g.name, m.group_id, email NULLS LAST, m.user_id`,
      { s: snapshotId },
    );
    const groupRoles = await store.query<GroupRoleRow>(
      `SELECT r.group_id, g.name AS group_name, g.is_scim_managed, r.role_id, r.role_name,
         r.permissions,
         (SELECT count(*) FROM snapshot_group_members AS m
          WHERE m.snapshot_id = r.snapshot_id AND m.group_id = r.group_id)::INTEGER AS members,
         EXISTS (SELECT 1 FROM elevated_roles AS e
                 WHERE e.snapshot_id = r.snapshot_id AND e.role_id = r.role_id) AS elevated
       FROM snapshot_group_roles AS r
       JOIN snapshot_groups AS g ON g.snapshot_id = r.snapshot_id AND g.group_id = r.group_id
       WHERE r.snapshot_id = $s
       ORDER BY g.name, r.group_id, r.role_name, r.role_id`,
      { s: snapshotId },
    );
    const userRoles = await store.query<UserRoleRow>(
      `SELECT DISTINCT a.user_id, a.email, u.name, a.role_id, a.role_name, a.permissions,
         EXISTS (SELECT 1 FROM elevated_roles AS e
                 WHERE e.snapshot_id = a.snapshot_id AND e.role_id = a.role_id) AS elevated
       FROM effective_access AS a
       LEFT JOIN snapshot_users AS u ON u.snapshot_id = a.snapshot_id AND u.user_id = a.user_id
       WHERE a.snapshot_id = $s AND a.via = 'direct'
       ORDER BY a.email NULLS LAST, a.user_id, a.role_name, a.role_id`,
      { s: snapshotId },
    );
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
    await store.query("DROP TABLE IF EXISTS temp.elevated_roles");
    await store.query("DROP TABLE IF EXISTS temp.allowed_domains");
  }
}
