/**
 * A campaign's population: every grant of one snapshot, as reviewable items. An organization
 * grant is a user's membership of a group, a group's role, or a user's direct role (the
 * `effective_access` view's `direct` paths: roles the API only repeats because a group grants
 * them are reviewed through that group). A project grant is a user's membership of a project
 * (with its membership role), a group's attachment to a project (with the project roles it
 * holds there), or a project role assigned directly to a member (a `direct` project path: not
 * the membership's own role, not a role only a group gives). Elevated follows the configured
 * analysis (materialiseHelpers: elevated_roles, elevated_project_roles); a project owner is
 * always elevated.
 */
import { createHash } from "node:crypto";
import { materialiseHelpers, releaseHelpers } from "../analysis/anomalies.js";
import { type AnalysisConfig, resolveAnalysisConfig } from "../analysis/config.js";
import type { Store } from "../store/index.js";
import { sqlQueries } from "../util/sql-files.js";
import type { CredentialItemKind, Grant, ItemKind } from "./db.js";

/** sql/certify/population.sql */
export const populationQuery = sqlQueries("certify/population.sql");

export interface PopulationItem extends Grant {
  /**
   * The role of a role item; for a membership, the roles its group grants (by name); for a
   * project membership, its membership role; for a project attachment, the group's project roles.
   */
  roles: { role_id: string; role_name: string | null }[];
  /** For a project item: the addresses of the project's owners who may review it. */
  project_owners: string[];
  /** For an admin key or an invite: the organization's Owners who may review it. */
  organization_owners: string[];
}

const KIND_PREFIX: Record<ItemKind, string> = {
  membership: "M",
  group_role: "GR",
  user_role: "UR",
  project_membership: "PM",
  project_group: "PG",
  project_user_role: "PUR",
  admin_key: "AK",
  project_api_key: "PK",
  service_account: "SA",
  invite: "IV",
};

/**
 * Stable across campaigns and snapshots: the same grant always has the same id. An
 * organization item's id is what it was before projects (its digest has no project part); a
 * project item's digest starts with its project id.
 */
export function itemId(
  kind: ItemKind,
  groupId: string | null,
  userId: string | null,
  roleId: string | null,
  projectId: string | null = null,
): string {
  const parts = [kind, groupId ?? "", userId ?? "", roleId ?? ""];
  if (projectId !== null) parts.splice(1, 0, projectId);
  const digest = createHash("sha256").update(parts.join("\0")).digest("hex");
  return `${KIND_PREFIX[kind]}-${digest.slice(0, 20)}`;
}

/**
 * A credential's id: stable across campaigns and snapshots, from its kind, its project (for a
 * project key or a service account) and its own id.
 */
export function credentialItemId(
  kind: CredentialItemKind,
  credentialId: string,
  projectId: string | null = null,
): string {
  const parts = [kind, projectId ?? "", credentialId];
  const digest = createHash("sha256").update(parts.join("\0")).digest("hex");
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
}

/** A group's roles, as every membership of it grants them (sql: membership_groups). */
interface MembershipGroupRow {
  group_id: string;
  roles: { role_id: string; role_name: string | null; permissions: string[] | null }[];
  elevated: boolean;
}

/** What every membership of one group has alike: computed once per group, shared by its items. */
type MembershipGrant = Pick<PopulationItem, "elevated" | "path" | "fingerprint" | "roles">;

export interface PopulationOptions {
  /**
   * Which group memberships become items: all, only those of groups that grant an elevated role
   * (a campaign of elevated access), or none (a campaign of project grants). The others would
   * be filtered out anyway: at a million memberships, making them items first took 1 GB.
   */
  memberships?: "all" | "elevated" | "none";
}

/** Rows of the memberships query per batch: a million memberships are never all read at once. */
const MEMBERSHIP_BATCH_ROWS = 10_000;

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

interface ProjectMemberRow {
  project_id: string;
  project_name: string | null;
  archived: boolean;
  user_id: string;
  email: string | null;
  name: string | null;
  membership: string | null;
  role_id: string | null;
  role_name: string | null;
  permissions: string[] | null;
  elevated: boolean;
}

interface ProjectGroupRow {
  project_id: string;
  project_name: string | null;
  archived: boolean;
  group_id: string;
  group_name: string | null;
  is_scim_managed: boolean | null;
  members: number;
  roles: { role_id: string; role_name: string | null; permissions: string[] | null }[] | null;
  elevated: boolean;
}

interface ProjectUserRoleRow {
  project_id: string;
  project_name: string | null;
  archived: boolean;
  user_id: string;
  email: string | null;
  name: string | null;
  role_id: string;
  role_name: string | null;
  permissions: string[] | null;
  elevated: boolean;
}

/** What a snapshot collected (snapshot_coverage), as the population needs it. */
export interface PopulationCoverage {
  /** Projects, their members and attached groups. */
  projects: boolean;
  /** Project-scope role assignments (direct project roles, attached groups' project roles). */
  project_role_assignments: boolean;
  /** Service accounts, project and admin API keys, invites. */
  credentials: boolean;
}

export async function loadCoverage(store: Store, snapshotId: number): Promise<PopulationCoverage> {
  const rows = await store.query<{ scope: string; collected: boolean }>(
    populationQuery("coverage"),
    { s: snapshotId },
  );
  const collected = (scope: string) => rows.find((r) => r.scope === scope)?.collected !== false;
  return {
    projects: collected("projects"),
    project_role_assignments: collected("projects") && collected("project_role_assignments"),
    credentials: collected("credentials"),
  };
}

/** What a grant item has of a credential: nothing. */
const NO_CREDENTIAL: Pick<
  PopulationItem,
  | "credential_id"
  | "credential_name"
  | "redacted_value"
  | "owner_type"
  | "credential_created"
  | "credential_last_used"
  | "credential_expires"
  | "tool_key"
  | "organization_owners"
> = {
  credential_id: null,
  credential_name: null,
  redacted_value: null,
  owner_type: null,
  credential_created: null,
  credential_last_used: null,
  credential_expires: null,
  tool_key: null,
  organization_owners: [],
};

const project = (name: string | null, id: string, archived: boolean): string =>
  `${archived ? "archived " : ""}project "${name ?? id}"`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Every grant of `snapshotId`, in a stable order; `elevated` as the configuration (the same one
 * the reports and rules use) says. A snapshot that did not collect projects has no project items.
 */
export async function loadPopulation(
  store: Store,
  snapshotId: number,
  analysis: AnalysisConfig,
  { memberships = "all" }: PopulationOptions = {},
): Promise<PopulationItem[]> {
  await materialiseHelpers(store, [snapshotId], resolveAnalysisConfig(analysis));
  try {
    const q = <T>(name: string) => store.query<T>(populationQuery(name), { s: snapshotId });
    const groupRoles = await q<GroupRoleRow>("group_roles");
    const userRoles = await q<UserRoleRow>("user_roles");
    const projectMembers = await q<ProjectMemberRow>("project_memberships");
    const projectGroups = await q<ProjectGroupRow>("project_groups");
    const projectUserRoles = await q<ProjectUserRoleRow>("project_user_roles");
    const ownerRows = await q<{ project_id: string; email: string }>("project_owners");
    const owners = new Map<string, string[]>();
    for (const o of ownerRows) {
      const list = owners.get(o.project_id) ?? [];
      list.push(o.email);
      owners.set(o.project_id, list);
    }
    const ownersOf = (projectId: string): string[] => owners.get(projectId) ?? [];
    const organization = { project_id: null, project_name: null, project_owners: [] };
    const items: PopulationItem[] = [];
    const groupsRoles = new Map(
      (await q<MembershipGroupRow>("membership_groups")).map((g) => [g.group_id, g]),
    );
    // The group's name and management come from snapshot_groups: alike for all its members.
    const grants = new Map<string, MembershipGrant>();
    const grantOf = (m: MemberRow): MembershipGrant => {
      const known = grants.get(m.group_id);
      if (known !== undefined) return known;
      const group = groupsRoles.get(m.group_id);
      const roles = group?.roles ?? [];
      const elevated = group?.elevated ?? false;
      const names = roles.map((r) => r.role_name ?? r.role_id);
      const grant: MembershipGrant = {
        elevated,
        path: `member of group "${m.group_name ?? m.group_id}" (${managed(m.is_scim_managed)}), which grants ${names.length === 0 ? "no role" : names.join(", ")}`,
        fingerprint: sha([
          m.is_scim_managed,
          elevated,
          roles.map((r) => [r.role_id, r.permissions]),
        ]),
        roles: roles.map((r) => ({ role_id: r.role_id, role_name: r.role_name })),
      };
      grants.set(m.group_id, grant);
      return grant;
    };
    // The groups whose memberships are read: every one, or those granting an elevated role.
    const readGroups =
      memberships === "all"
        ? null
        : [...groupsRoles.values()]
            .filter((g) => memberships === "elevated" && g.elevated)
            .map((g) => g.group_id);
    const batches =
      readGroups?.length === 0
        ? []
        : store.iterate<MemberRow>(
            populationQuery("memberships"),
            { s: snapshotId, groups: readGroups === null ? null : JSON.stringify(readGroups) },
            MEMBERSHIP_BATCH_ROWS,
          );
    for await (const batch of batches) {
      for (const m of batch) {
        const grant = grantOf(m);
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
          ...organization,
          ...NO_CREDENTIAL,
          elevated: grant.elevated,
          path: grant.path,
          fingerprint: grant.fingerprint,
          roles: grant.roles,
        });
      }
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
        ...organization,
        ...NO_CREDENTIAL,
        elevated: r.elevated,
        path: `role assigned to group "${r.group_name ?? r.group_id}" (${managed(r.is_scim_managed)}, ${plural(r.members, "member")})`,
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
        ...organization,
        ...NO_CREDENTIAL,
        elevated: r.elevated,
        path: "role assigned directly to the user",
        fingerprint: sha([r.elevated, r.permissions]),
        roles: [{ role_id: r.role_id, role_name: r.role_name }],
      });
    }
    for (const m of projectMembers) {
      const membership = (m.membership ?? "member").toLowerCase();
      items.push({
        item_id: itemId("project_membership", null, m.user_id, null, m.project_id),
        kind: "project_membership",
        group_id: null,
        group_name: null,
        group_is_scim_managed: null,
        user_id: m.user_id,
        user_email: m.email,
        user_name: m.name,
        role_id: m.role_id,
        role_name: m.role_name,
        project_id: m.project_id,
        project_name: m.project_name,
        project_owners: ownersOf(m.project_id),
        ...NO_CREDENTIAL,
        elevated: m.elevated,
        path: `${membership} of ${project(m.project_name, m.project_id, m.archived)}`,
        fingerprint: sha([membership, m.elevated, m.permissions]),
        roles:
          m.role_id === null && m.role_name === null
            ? []
            : [{ role_id: m.role_id ?? "", role_name: m.role_name }],
      });
    }
    for (const g of projectGroups) {
      const roles = g.roles ?? [];
      const names = roles.map((r) => r.role_name ?? r.role_id);
      items.push({
        item_id: itemId("project_group", g.group_id, null, null, g.project_id),
        kind: "project_group",
        group_id: g.group_id,
        group_name: g.group_name,
        group_is_scim_managed: g.is_scim_managed,
        user_id: null,
        user_email: null,
        user_name: null,
        role_id: null,
        role_name: null,
        project_id: g.project_id,
        project_name: g.project_name,
        project_owners: ownersOf(g.project_id),
        ...NO_CREDENTIAL,
        elevated: g.elevated,
        path: `group "${g.group_name ?? g.group_id}" (${managed(g.is_scim_managed)}, ${plural(g.members, "member")}) attached to ${project(g.project_name, g.project_id, g.archived)} with ${names.length === 0 ? "no project role" : names.join(", ")}`,
        fingerprint: sha([
          g.is_scim_managed,
          g.elevated,
          roles.map((r) => [r.role_id, r.permissions]),
        ]),
        roles: roles.map((r) => ({ role_id: r.role_id, role_name: r.role_name })),
      });
    }
    for (const r of projectUserRoles) {
      items.push({
        item_id: itemId("project_user_role", null, r.user_id, r.role_id, r.project_id),
        kind: "project_user_role",
        group_id: null,
        group_name: null,
        group_is_scim_managed: null,
        user_id: r.user_id,
        user_email: r.email,
        user_name: r.name,
        role_id: r.role_id,
        role_name: r.role_name,
        project_id: r.project_id,
        project_name: r.project_name,
        project_owners: ownersOf(r.project_id),
        ...NO_CREDENTIAL,
        elevated: r.elevated,
        path: `project role assigned directly to the member in ${project(r.project_name, r.project_id, r.archived)}`,
        fingerprint: sha([r.elevated, r.permissions]),
        roles: [{ role_id: r.role_id, role_name: r.role_name }],
      });
    }
    return items;
  } finally {
    await releaseHelpers(store);
  }
}
