/**
 * The project half of the diff oracle: what every project diff kind must report between two
 * snapshots' rows (test/support/expected.ts), computed from ground truth in TypeScript, without
 * SQL. Names come from the snapshot where the thing exists, as the diff's do.
 */
import type { DiffKind } from "../../src/analysis/diff.js";
import type { Row, SnapshotRows } from "./expected.js";

export type Change = Record<string, unknown> & { kind: DiffKind };

const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
const sorted = (v: unknown): string[] => [...(v as string[])].sort();
const key = (r: Row, ...cols: string[]) => cols.map((c) => str(r[c])).join("\u0000");

function index(rows: Row[], ...cols: string[]): Map<string, Row> {
  return new Map(rows.map((r) => [key(r, ...cols), r]));
}

export interface ProjectPath {
  project_id: string;
  user_id: string;
  role_id: string;
  role_name: string;
  via: "membership" | "direct" | "group";
  group_id: string | null;
}

/** The predefined role a membership role stands for ('owner' -> 'Project Owner'). */
const membershipRoleName = (role: unknown) => {
  const r = str(role);
  return `Project ${r.slice(0, 1).toUpperCase()}${r.slice(1)}`;
};

/** Every path by which a user holds a role in a project (the effective_access view's rule). */
export function projectPaths(s: SnapshotRows): ProjectPath[] {
  const out: ProjectPath[] = [];
  const roleByName = new Map<string, Row>();
  for (const r of s.projectRoles) {
    if (r.predefined_role) roleByName.set(`${str(r.project_id)}\u0000${str(r.name)}`, r);
  }
  const membership = new Map<string, string>();
  for (const pu of s.projectUsers) {
    const name = membershipRoleName(pu.role);
    membership.set(key(pu, "project_id", "user_id"), name.toLowerCase());
    const role = roleByName.get(`${str(pu.project_id)}\u0000${name}`);
    out.push({
      project_id: str(pu.project_id),
      user_id: str(pu.user_id),
      role_id: role ? str(role.role_id) : `project-membership:${str(pu.role)}`,
      role_name: role ? str(role.name) : name,
      via: "membership",
      group_id: null,
    });
  }
  const groupPaths: ProjectPath[] = [];
  for (const gr of s.projectGroupRoles) {
    for (const m of s.members) {
      if (m.group_id !== gr.group_id) continue;
      groupPaths.push({
        project_id: str(gr.project_id),
        user_id: str(m.user_id),
        role_id: str(gr.role_id),
        role_name: str(gr.role_name),
        via: "group",
        group_id: str(gr.group_id),
      });
    }
  }
  out.push(...groupPaths);
  for (const d of directProjectRoles(s, groupPaths, membership)) {
    out.push({
      project_id: str(d.project_id),
      user_id: str(d.user_id),
      role_id: str(d.role_id),
      role_name: str(d.role_name),
      via: "direct",
      group_id: null,
    });
  }
  return out;
}

/** Project role assignments of members that are direct, other than the membership's own role. */
function directProjectRoles(
  s: SnapshotRows,
  groupPaths: ProjectPath[],
  membership: Map<string, string>,
): Row[] {
  return s.projectUserRoles.filter((ur) => {
    const own = membership.get(key(ur, "project_id", "user_id"));
    if (ur.predefined_role && own !== undefined && str(ur.role_name).toLowerCase() === own) {
      return false;
    }
    const sources = ur.assignment_sources as { principal_type: string }[] | null;
    if (sources === null) {
      return !groupPaths.some(
        (p) =>
          p.project_id === ur.project_id && p.user_id === ur.user_id && p.role_id === ur.role_id,
      );
    }
    return sources.some((x) => x.principal_type === "user");
  });
}

function directRoles(s: SnapshotRows): Row[] {
  const paths = projectPaths(s);
  return paths.filter((p) => p.via === "direct").map((p) => ({ ...p }) as unknown as Row);
}

/** What the diff from `a` to `b` must report for the project kinds. */
export function expectedProjectDiff(a: SnapshotRows, b: SnapshotRows): Change[] {
  return [...oneWay(a, b, "forward"), ...oneWay(b, a, "mirror")];
}

const MIRROR: Partial<Record<DiffKind, DiffKind>> = {
  project_added: "project_removed",
  project_archived: "project_unarchived",
  project_member_added: "project_member_removed",
  project_group_attached: "project_group_detached",
  project_role_added: "project_role_removed",
  project_group_role_granted: "project_group_role_revoked",
  project_user_role_granted: "project_user_role_revoked",
  project_access_gained: "project_access_lost",
};

/**
 * The "added" kinds from `x` to `y`; with `mirror`, the same computed
 * backwards gives the removal kinds. The kinds with a before and an after run forward only.
 */
function oneWay(x: SnapshotRows, y: SnapshotRows, direction: "forward" | "mirror"): Change[] {
  const out: Change[] = [];
  const kind = (k: DiffKind): DiffKind => (direction === "mirror" ? (MIRROR[k] ?? k) : k);
  const users = index(y.users, "user_id");
  const groups = index(y.groups, "group_id");
  // Groups and projects are named as in the diff's `to` snapshot (y forward, x mirrored), or as in
  // the other one when `to` no longer has them.
  const [newer, older] = direction === "forward" ? [y, x] : [x, y];
  const named = (rows: (s: SnapshotRows) => Row[], col: string) => {
    const [n, o] = [index(rows(newer), col), index(rows(older), col)];
    return (id: unknown) => n.get(str(id))?.name ?? o.get(str(id))?.name;
  };
  const newestProject = named((s) => s.projects, "project_id");
  const projectName = (id: unknown) => newestProject(id) ?? null;
  const groupName = named((s) => s.groups, "group_id");
  const added = (xs: Map<string, Row>, ys: Map<string, Row>) =>
    [...ys.entries()].filter(([k]) => !xs.has(k)).map(([, r]) => r);
  const both = (xs: Map<string, Row>, ys: Map<string, Row>) =>
    [...ys.entries()].filter(([k]) => xs.has(k)).map(([k, r]) => [xs.get(k) as Row, r] as const);

  const px = index(x.projects, "project_id");
  const py = index(y.projects, "project_id");
  for (const p of added(px, py)) {
    out.push({
      kind: kind("project_added"),
      project_id: p.project_id,
      project_name: p.name,
      status: p.status,
      archived: p.archived,
    });
  }
  for (const [f, t] of both(px, py)) {
    if (!f.archived && t.archived) {
      out.push({
        kind: kind("project_archived"),
        project_id: t.project_id,
        project_name: t.name,
        before: f.status,
        after: t.status,
        archived_at: t.archived_at,
      });
    }
    if (direction === "forward" && f.name !== t.name) {
      out.push({
        kind: "project_renamed",
        project_id: t.project_id,
        before: f.name,
        after: t.name,
      });
    }
  }

  const ux = index(x.projectUsers, "project_id", "user_id");
  const uy = index(y.projectUsers, "project_id", "user_id");
  const person = (r: Row) => {
    const u = users.get(str(r.user_id));
    return { email: u?.email ?? r.email ?? null, user_name: u?.name ?? r.name ?? null };
  };
  for (const m of added(ux, uy)) {
    out.push({
      kind: kind("project_member_added"),
      project_id: m.project_id,
      project_name: projectName(m.project_id),
      user_id: m.user_id,
      ...person(m),
      role: m.role,
    });
  }
  if (direction === "forward") {
    for (const [f, t] of both(ux, uy)) {
      if (f.role !== t.role) {
        out.push({
          kind: "project_member_role_changed",
          project_id: t.project_id,
          project_name: projectName(t.project_id),
          user_id: t.user_id,
          ...person(t),
          before: f.role,
          after: t.role,
        });
      }
    }
  }

  const gx = index(x.projectGroups, "project_id", "group_id");
  const gy = index(y.projectGroups, "project_id", "group_id");
  for (const g of added(gx, gy)) {
    const group = groups.get(str(g.group_id));
    out.push({
      kind: kind("project_group_attached"),
      project_id: g.project_id,
      project_name: projectName(g.project_id),
      group_id: g.group_id,
      group_name: groupName(g.group_id) ?? g.group_name,
      is_scim_managed: group?.is_scim_managed ?? null,
    });
  }

  const rx = index(x.projectRoles, "project_id", "role_id");
  const ry = index(y.projectRoles, "project_id", "role_id");
  for (const r of added(rx, ry)) {
    out.push({
      kind: kind("project_role_added"),
      project_id: r.project_id,
      project_name: projectName(r.project_id),
      role_id: r.role_id,
      role_name: r.name,
      permissions: sorted(r.permissions),
      predefined_role: r.predefined_role,
    });
  }
  if (direction === "forward") {
    for (const [f, t] of both(rx, ry)) {
      if (sorted(f.permissions).join() !== sorted(t.permissions).join()) {
        out.push({
          kind: "project_role_permissions_changed",
          project_id: t.project_id,
          project_name: projectName(t.project_id),
          role_id: t.role_id,
          role_name: t.name,
          before: sorted(f.permissions),
          after: sorted(t.permissions),
        });
      }
    }
  }

  const grx = index(x.projectGroupRoles, "project_id", "group_id", "role_id");
  const gry = index(y.projectGroupRoles, "project_id", "group_id", "role_id");
  for (const r of added(grx, gry)) {
    out.push({
      kind: kind("project_group_role_granted"),
      project_id: r.project_id,
      project_name: projectName(r.project_id),
      group_id: r.group_id,
      group_name: groupName(r.group_id) ?? null,
      role_id: r.role_id,
      role_name: r.role_name,
    });
  }

  const dx = index(directRoles(x), "project_id", "user_id", "role_id");
  const dy = index(directRoles(y), "project_id", "user_id", "role_id");
  for (const d of added(dx, dy)) {
    const u = users.get(str(d.user_id));
    out.push({
      kind: kind("project_user_role_granted"),
      project_id: d.project_id,
      project_name: projectName(d.project_id),
      user_id: d.user_id,
      email: u?.email ?? null,
      user_name: u?.name ?? null,
      role_id: d.role_id,
      role_name: d.role_name,
    });
  }

  const held = (s: SnapshotRows) => {
    const m = new Map<string, ProjectPath[]>();
    for (const p of projectPaths(s)) {
      const k = `${p.project_id}\u0000${p.user_id}\u0000${p.role_id}`;
      m.set(k, [...(m.get(k) ?? []), p]);
    }
    return m;
  };
  const hx = held(x);
  const hy = held(y);
  for (const [k, via] of hy) {
    if (hx.has(k)) continue;
    const first = via[0] as ProjectPath;
    const u = users.get(first.user_id);
    out.push({
      kind: kind("project_access_gained"),
      project_id: first.project_id,
      project_name: projectName(first.project_id),
      user_id: first.user_id,
      email: u?.email ?? null,
      user_name: u?.name ?? null,
      role_id: first.role_id,
      role_name: via.map((p) => p.role_name).sort()[0],
      via: [...via]
        .sort((p, q) =>
          p.via !== q.via ? (p.via < q.via ? -1 : 1) : str(p.group_id) < str(q.group_id) ? -1 : 1,
        )
        .map((p) => ({
          via: p.via,
          group_id: p.group_id,
          group_name: p.group_id === null ? null : (groupName(p.group_id) ?? null),
        })),
    });
  }
  return out;
}
