/**
 * `diffSnapshots` and `access-audit diff`: a generated organization with hand-made changes of
 * every kind, crawled over real HTTP into a real DuckDB file before and after; the expected diff
 * is computed independently from the simulator's ground truth (test/support/expected.ts), and
 * the CLI runs as a child process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runRules } from "../src/analysis/anomalies.js";
import {
  ATTRIBUTION_STATUSES,
  type AttributedChange,
  type AttributedDiffResult,
  type AttributionStatus,
  attributeDiff,
  DERIVED_KINDS,
} from "../src/analysis/attribution.js";
import {
  DIFF_KINDS,
  type DiffChange,
  type DiffKind,
  type DiffResult,
  diffSnapshots,
  loadDiffQueries,
} from "../src/analysis/diff.js";
import { diffLines } from "../src/cli/commands/diff.js";
import { terminalJson } from "../src/render/index.js";
import type {
  AuditLogActorWire,
  GroupType,
  OrgState,
  RunningSimulator,
} from "../src/simulator/index.js";
import { startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { crawlInto } from "./support/analysis-org.js";
import { cliEnv, runCli } from "./support/cli.js";
import { expectedSnapshot, type Row, type SnapshotRows } from "./support/expected.js";
import { expectedProjectDiff } from "./support/project-oracle.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-diff-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ------------------------------------------------------------------ the oracle

type Change = Record<string, unknown> & { kind: DiffKind };
const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
const sortedPermissions = (v: unknown): string[] => [...(v as string[])].sort();

function byId(rows: Row[], ...keys: string[]): Map<string, Row> {
  return new Map(rows.map((r) => [keys.map((k) => str(r[k])).join("\u0000"), r]));
}

interface Path {
  user_id: string;
  role_id: string;
  role_name: string;
  group_id: string | null;
}

/** Every path to every role (effective access), and the direct role assignments. */
function paths(s: SnapshotRows): { all: Path[]; direct: Row[] } {
  const group: Path[] = [];
  for (const m of s.members) {
    for (const r of s.groupRoles) {
      if (r.group_id !== m.group_id) continue;
      group.push({
        user_id: str(m.user_id),
        role_id: str(r.role_id),
        role_name: str(r.role_name),
        group_id: str(m.group_id),
      });
    }
  }
  const direct = s.userRoles.filter((ur) => {
    const sources = ur.assignment_sources as { principal_type: string }[] | null;
    if (sources === null) {
      return !group.some((p) => p.user_id === ur.user_id && p.role_id === ur.role_id);
    }
    return sources.some((x) => x.principal_type === "user");
  });
  const all = [
    ...group,
    ...direct.map((d) => ({
      user_id: str(d.user_id),
      role_id: str(d.role_id),
      role_name: str(d.role_name),
      group_id: null,
    })),
  ];
  return { all, direct };
}

/** What the diff from `a` to `b` must be, computed from ground truth without SQL. */
function expectedDiff(a: SnapshotRows, b: SnapshotRows): Change[] {
  const out: Change[] = [];
  const users = (s: SnapshotRows) => byId(s.users, "user_id");
  const groups = (s: SnapshotRows) => byId(s.groups, "group_id");
  const userNames = (s: SnapshotRows, id: unknown) => {
    const u = users(s).get(str(id));
    return { email: u?.email ?? null, user_name: u?.name ?? null };
  };
  // Groups are named as in `b` (the diff's `to`), or as in `a` when `b` no longer has them.
  const groupName = (_s: SnapshotRows, id: unknown) =>
    groups(b).get(str(id))?.name ?? groups(a).get(str(id))?.name ?? null;

  const added = (x: Map<string, Row>, y: Map<string, Row>) =>
    [...y.entries()].filter(([k]) => !x.has(k)).map(([, r]) => r);
  const both = (x: Map<string, Row>, y: Map<string, Row>) =>
    [...y.entries()].filter(([k]) => x.has(k)).map(([k, r]) => [x.get(k) as Row, r] as const);

  const [ga, gb] = [groups(a), groups(b)];
  for (const [kind, rows] of [
    ["group_added", added(ga, gb)],
    ["group_removed", added(gb, ga)],
  ] as const) {
    for (const g of rows) {
      out.push({
        kind,
        group_id: g.group_id,
        group_name: g.name,
        group_type: g.group_type,
        is_scim_managed: g.is_scim_managed,
      });
    }
  }
  for (const [f, t] of both(ga, gb)) {
    if (f.name !== t.name)
      out.push({ kind: "group_renamed", group_id: t.group_id, before: f.name, after: t.name });
    for (const [kind, col] of [
      ["group_scim_changed", "is_scim_managed"],
      ["group_type_changed", "group_type"],
    ] as const) {
      if (f[col] !== t[col]) {
        out.push({ kind, group_id: t.group_id, group_name: t.name, before: f[col], after: t[col] });
      }
    }
  }
  const [ma, mb] = [byId(a.members, "group_id", "user_id"), byId(b.members, "group_id", "user_id")];
  for (const [kind, rows, s] of [
    ["member_added", added(ma, mb), b],
    ["member_removed", added(mb, ma), a],
  ] as const) {
    for (const m of rows) {
      out.push({
        kind,
        group_id: m.group_id,
        group_name: groupName(s, m.group_id),
        user_id: m.user_id,
        ...userNames(s, m.user_id),
      });
    }
  }
  const [ra, rb] = [
    byId(a.groupRoles, "group_id", "role_id"),
    byId(b.groupRoles, "group_id", "role_id"),
  ];
  for (const [kind, rows, s] of [
    ["group_role_granted", added(ra, rb), b],
    ["group_role_revoked", added(rb, ra), a],
  ] as const) {
    for (const r of rows) {
      out.push({
        kind,
        group_id: r.group_id,
        group_name: groupName(s, r.group_id),
        role_id: r.role_id,
        role_name: r.role_name,
      });
    }
  }
  const [ua, ub] = [users(a), users(b)];
  for (const [kind, rows] of [
    ["user_added", added(ua, ub)],
    ["user_removed", added(ub, ua)],
  ] as const) {
    for (const u of rows) {
      out.push({
        kind,
        user_id: u.user_id,
        email: u.email,
        user_name: u.name,
        role: u.role,
        is_service_account: u.is_service_account,
        is_scim_managed: u.is_scim_managed,
      });
    }
  }
  for (const [f, t] of both(ua, ub)) {
    if (f.role !== t.role) {
      out.push({
        kind: "user_role_changed",
        user_id: t.user_id,
        email: t.email,
        user_name: t.name,
        before: f.role,
        after: t.role,
      });
    }
  }
  const [pa, pb] = [paths(a), paths(b)];
  const [da, db] = [byId(pa.direct, "user_id", "role_id"), byId(pb.direct, "user_id", "role_id")];
  for (const [kind, rows, s] of [
    ["user_role_granted", added(da, db), b],
    ["user_role_revoked", added(db, da), a],
  ] as const) {
    for (const r of rows) {
      out.push({
        kind,
        user_id: r.user_id,
        ...userNames(s, r.user_id),
        role_id: r.role_id,
        role_name: r.role_name,
      });
    }
  }
  const [rla, rlb] = [byId(a.roles, "role_id"), byId(b.roles, "role_id")];
  for (const [kind, rows] of [
    ["role_added", added(rla, rlb)],
    ["role_removed", added(rlb, rla)],
  ] as const) {
    for (const r of rows) {
      out.push({
        kind,
        role_id: r.role_id,
        role_name: r.name,
        permissions: sortedPermissions(r.permissions),
        predefined_role: r.predefined_role,
      });
    }
  }
  for (const [f, t] of both(rla, rlb)) {
    const [before, after] = [sortedPermissions(f.permissions), sortedPermissions(t.permissions)];
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      out.push({
        kind: "role_permissions_changed",
        role_id: t.role_id,
        role_name: t.name,
        before,
        after,
      });
    }
  }
  const held = (all: Path[]) => new Set(all.map((p) => `${p.user_id}\u0000${p.role_id}`));
  for (const [kind, mine, other, s] of [
    ["access_gained", pb.all, pa.all, b],
    ["access_lost", pa.all, pb.all, a],
  ] as const) {
    const others = held(other);
    const changed = [...held(mine)].filter((k) => !others.has(k));
    for (const key of changed) {
      const [user_id, role_id] = key.split("\u0000") as [string, string];
      const via = mine
        .filter((p) => p.user_id === user_id && p.role_id === role_id)
        .sort((x, y) =>
          x.group_id === null ? -1 : y.group_id === null ? 1 : x.group_id < y.group_id ? -1 : 1,
        );
      out.push({
        kind,
        user_id,
        ...userNames(s, user_id),
        role_id,
        role_name: via.map((p) => p.role_name).sort()[0],
        via: via.map((p) => ({
          via: p.group_id === null ? "direct" : "group",
          group_id: p.group_id,
          group_name: p.group_id === null ? null : groupName(s, p.group_id),
        })),
      });
    }
  }
  // Organization changes reach into projects too (a deleted group is detached, a removed user
  // leaves every project): the project half of the oracle (test/support/project-oracle.ts).
  out.push(...expectedProjectDiff(a, b));
  return out.sort(
    (x, y) =>
      DIFF_KINDS.indexOf(x.kind) - DIFF_KINDS.indexOf(y.kind) ||
      cmp(str(x.project_id), str(y.project_id)) ||
      cmp(str(x.group_id), str(y.group_id)) ||
      cmp(str(x.user_id), str(y.user_id)) ||
      cmp(str(x.role_id), str(y.role_id)),
  );
}

const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

const MIRROR: Record<DiffKind, DiffKind> = {
  group_added: "group_removed",
  group_removed: "group_added",
  group_renamed: "group_renamed",
  group_scim_changed: "group_scim_changed",
  group_type_changed: "group_type_changed",
  member_added: "member_removed",
  member_removed: "member_added",
  group_role_granted: "group_role_revoked",
  group_role_revoked: "group_role_granted",
  user_added: "user_removed",
  user_removed: "user_added",
  user_role_changed: "user_role_changed",
  user_role_granted: "user_role_revoked",
  user_role_revoked: "user_role_granted",
  role_added: "role_removed",
  role_removed: "role_added",
  role_permissions_changed: "role_permissions_changed",
  access_gained: "access_lost",
  access_lost: "access_gained",
  project_added: "project_removed",
  project_removed: "project_added",
  project_archived: "project_unarchived",
  project_unarchived: "project_archived",
  project_renamed: "project_renamed",
  project_member_added: "project_member_removed",
  project_member_removed: "project_member_added",
  project_member_role_changed: "project_member_role_changed",
  project_group_attached: "project_group_detached",
  project_group_detached: "project_group_attached",
  project_role_added: "project_role_removed",
  project_role_removed: "project_role_added",
  project_role_permissions_changed: "project_role_permissions_changed",
  project_group_role_granted: "project_group_role_revoked",
  project_group_role_revoked: "project_group_role_granted",
  project_user_role_granted: "project_user_role_revoked",
  project_user_role_revoked: "project_user_role_granted",
  project_access_gained: "project_access_lost",
  project_access_lost: "project_access_gained",
  service_account_created: "service_account_deleted",
  service_account_deleted: "service_account_created",
  service_account_role_changed: "service_account_role_changed",
  api_key_created: "api_key_deleted",
  api_key_deleted: "api_key_created",
  api_key_owner_access_changed: "api_key_owner_access_changed",
  admin_key_created: "admin_key_deleted",
  admin_key_deleted: "admin_key_created",
  admin_key_expiry_changed: "admin_key_expiry_changed",
  invite_sent: "invite_revoked",
  invite_revoked: "invite_sent",
  // Transitions are classified by the status reached (test/analysis.credentials.test.ts).
  invite_accepted: "invite_status_changed",
  invite_expired: "invite_status_changed",
  invite_status_changed: "invite_status_changed",
};

const CREDENTIAL_KIND = (k: DiffKind): boolean =>
  /^(service_account|api_key|admin_key|invite)_/.test(k);

function mirror(changes: DiffChange[]): DiffChange[] {
  return changes.map((c) => {
    const m: DiffChange = { ...c, kind: MIRROR[c.kind] };
    if (c.before !== undefined && c.after !== undefined) {
      m.before = c.after;
      m.after = c.before;
    }
    return m;
  });
}

/** JSON with every object's keys sorted, to compare changes whatever their key order. */
function canonicalJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sortKeys(value));
}

/** Waits until `seconds` whole seconds have begun since now (audit events are dated to the second). */
async function nextSecond(seconds = 1): Promise<void> {
  const until = (Math.floor(Date.now() / 1000) + seconds) * 1000 + 20;
  await new Promise((resolve) => setTimeout(resolve, until - Date.now()));
}

const count = (r: DiffResult, kind: DiffKind) => r.changes.filter((c) => c.kind === kind);

// ------------------------------------------------------------------ the scenario

/** Group attributes the Admin API cannot change; flipped on the simulator's own records. */
function setGroupAttributes(
  state: OrgState,
  groupId: string,
  change: { isScimManaged?: boolean; groupType?: GroupType },
): void {
  const records = (
    state as unknown as { groupById: Map<string, { isScimManaged: boolean; groupType: GroupType }> }
  ).groupById;
  const g = records.get(groupId);
  if (!g) throw new Error(`no group ${groupId}`);
  if (change.isScimManaged !== undefined) g.isScimManaged = change.isScimManaged;
  if (change.groupType !== undefined) g.groupType = change.groupType;
}

interface Ids {
  viaGroupRole: string;
  directRole: string;
  doomedRole: string;
  reshapedRole: string;
  newRole: string;
  roleGroup: string;
  joiner: string;
  leaver: string;
  doubleHolder: string;
  directGrantee: string;
  directRevokee: string;
  renamed: string;
  scim: string;
  typed: string;
  deleted: string;
  created: string;
  newUser: string;
  removedUser: string;
  grantedGroup: string;
  revokedGroup: string;
  revokedGroupRole: string;
  scimGroup: string;
  scimJoiner: string;
}

describe("diff between two snapshots", () => {
  let sim: RunningSimulator;
  const db = join(tmp, "diff.duckdb");
  /** The same crawls, but the second without its audit-log sync: a gap over the changes. */
  const gapDb = join(tmp, "diff-gap.duckdb");
  let store: Store;
  /** The console (sim.state) records every change below as this session (the first Owner's). */
  let consoleActor: AuditLogActorWire | null = null;
  /** The console's actor for the rename after snapshot 2 (the next Owner by then). */
  let renameActor: AuditLogActorWire | null = null;
  let s1: number;
  let s2: number;
  let s3: number;
  let before: SnapshotRows;
  let after: SnapshotRows;
  const ids = {} as Ids;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 21, groups: 30, users: 300 });
    const s = sim.state;
    const groups = s.groupIds();
    const users = s.userIds();
    // Fresh roles and a fresh group, so that each access change has exactly one cause.
    ids.viaGroupRole = s.createRole({ name: "Diff via group", permissions: ["api.usage.read"] }).id;
    ids.directRole = s.createRole({ name: "Diff direct", permissions: ["api.projects.read"] }).id;
    ids.doomedRole = s.createRole({ name: "Diff doomed", permissions: ["api.billing.read"] }).id;
    ids.reshapedRole = s.createRole({
      name: "Diff reshaped",
      permissions: ["api.groups.read", "api.roles.read"],
    }).id;
    ids.roleGroup = s.createGroup("Diff role group").id;
    s.assignGroupRole(ids.roleGroup, ids.viaGroupRole);
    s.assignGroupRole(ids.roleGroup, ids.doomedRole);
    [ids.joiner, ids.leaver, ids.doubleHolder, ids.directGrantee, ids.directRevokee] = users.slice(
      -5,
    ) as [string, string, string, string, string];
    ids.removedUser = users[0] as string;
    s.addMember(ids.roleGroup, ids.leaver);
    s.addMember(ids.roleGroup, ids.doubleHolder);
    s.assignUserRole(ids.directRevokee, ids.directRole);
    [ids.renamed, ids.scim, ids.typed, ids.deleted, ids.grantedGroup, ids.revokedGroup] =
      groups.slice(0, 6) as [string, string, string, string, string, string];
    ids.revokedGroupRole = s.readerRoleId;
    s.assignGroupRole(ids.revokedGroup, ids.revokedGroupRole);
    // A SCIM-managed group that holds a role, and someone the directory will add to it.
    ids.scimGroup = s.createGroup("Diff SCIM group", { isScimManaged: true }).id;
    s.assignGroupRole(ids.scimGroup, ids.directRole);
    ids.scimJoiner = users[1] as string;
    // Events are dated to the second, and an interval runs from the second its first crawl
    // started in: let that second pass, so the setup's events stay out of the interval.
    await nextSecond();
    s1 = await crawlInto(sim, db);
    before = expectedSnapshot(s);
    await crawlInto(sim, gapDb);

    // One (or more) of every kind, in the console, as the first Owner's session: named, since
    // one of the changes removes that Owner (the console would act as the next one from there).
    consoleActor = s.auditActor();
    const owner = consoleActor?.type === "session" ? consoleActor.session.user.id : "";
    s.asActor({ kind: "session", userId: owner }, () => {
      ids.created = s.createGroup("Diff new ∑ group", {
        isScimManaged: true,
        groupType: "tenant_group",
      }).id;
      s.deleteGroup(ids.deleted);
      s.renameGroup(ids.renamed, "Renamed <b>group</b>");
      setGroupAttributes(s, ids.scim, { isScimManaged: !s.isScimManagedGroup(ids.scim) });
      const typeBefore = s.getGroup(ids.typed)?.group_type;
      setGroupAttributes(s, ids.typed, {
        groupType: typeBefore === "tenant_group" ? "group" : "tenant_group",
      });
      s.addMember(ids.roleGroup, ids.joiner); // access_gained through the group
      s.addMember(ids.scimGroup, ids.scimJoiner); // the same through a SCIM group: the directory's
      s.removeMember(ids.roleGroup, ids.leaver); // access_lost through the group
      s.assignUserRole(ids.doubleHolder, ids.viaGroupRole); // direct grant, no access change
      s.assignUserRole(ids.directGrantee, ids.directRole); // direct grant and access_gained
      s.unassignUserRole(ids.directRevokee, ids.directRole); // direct revoke and access_lost
      if (!s.hasDirectUserRole(ids.directGrantee, s.ownerRoleId)) {
        s.assignUserRole(ids.directGrantee, s.ownerRoleId); // legacy role reader -> owner
      }
      s.assignGroupRole(ids.grantedGroup, ids.reshapedRole);
      s.unassignGroupRole(ids.revokedGroup, ids.revokedGroupRole);
      ids.newUser = s.createUser({ name: "Newcomer Zoë", email: "newcomer@example.com" }).id;
      s.removeUser(ids.removedUser);
      ids.newRole = s.createRole({ name: "Diff new role", permissions: ["api.usage.read"] }).id;
      s.deleteRole(ids.doomedRole);
      s.updateRole(ids.reshapedRole, { permissions: ["api.roles.read", "api.roles.write"] });
    });
    await nextSecond(); // and out of the interval of snapshots 2 and 3
    s2 = await crawlInto(sim, db);
    after = expectedSnapshot(s);
    await crawlInto(sim, gapDb, { auditLog: false });

    // The same at the end: the interval runs to the second after the crawl ended.
    await nextSecond(2);
    renameActor = s.auditActor();
    s.renameGroup(ids.renamed, "Renamed again");
    s3 = await crawlInto(sim, db);
    store = await Store.open(db, { readOnly: true });
  });

  afterAll(async () => {
    await store?.close();
    await sim?.stop();
  });

  it("has one query per kind, each with a header", () => {
    expect(loadDiffQueries().map((q) => q.kind)).toEqual([...DIFF_KINDS]);
    for (const q of loadDiffQueries()) expect(q.description.length).toBeGreaterThan(10);
  });

  it("finds exactly the changes the ground truth implies, of every kind", async () => {
    const result = await diffSnapshots(store, { from: s1, to: s2 });
    expect(result.from).toBe(s1);
    expect(result.to).toBe(s2);
    expect(result.changes).toEqual(expectedDiff(before, after));
    // Every organization kind occurs here (the project kinds: test/analysis.projects.test.ts;
    // the credential kinds: test/analysis.credentials.test.ts).
    for (const kind of DIFF_KINDS.filter((k) => !k.startsWith("project_") && !CREDENTIAL_KIND(k))) {
      expect(result.summary[kind], kind).toBeGreaterThan(0);
    }
    expect(Object.keys(result.summary)).toEqual([...DIFF_KINDS]);
    expect(Object.values(result.summary).reduce((a, b) => a + b, 0)).toBe(result.changes.length);
  });

  /**
   * How the test made each change, so what the audit log must say about it: its status and the
   * event types that may record it (the change's own, or its logged cause's: a role or group
   * deleted with its assignments, a user removed with their roles and seats). Every change here
   * was made in the console; a change this does not know fails the test.
   */
  function expectedAttribution(c: DiffChange): { status: AttributionStatus; types: string[] } {
    const scimGroups = new Set(
      [...before.groups, ...after.groups]
        .filter((g) => g.is_scim_managed === true)
        .map((g) => str(g.group_id)),
    );
    const via = (Array.isArray(c.via) ? c.via : []) as { via: string; group_id: string | null }[];
    const viaGroups = via.flatMap((p) => (p.group_id === null ? [] : [p.group_id]));
    const direct = via.some((p) => p.via === "direct");
    const logged = (...types: string[]) => ({ status: "attributed" as const, types });
    const notLogged = (groups: string[]) => ({
      status: groups.some((g) => scimGroups.has(g)) ? ("scim" as const) : ("not_logged" as const),
      types: [],
    });
    const user = str(c.user_id);
    switch (c.kind) {
      case "group_added":
        return logged("group.created");
      case "group_removed":
        return logged("group.deleted");
      case "group_renamed":
        return logged("group.updated");
      case "group_scim_changed":
      case "group_type_changed":
        return notLogged([]);
      case "member_added":
      case "member_removed":
        // Group membership has no event: the directory's doing for a SCIM group.
        return notLogged([str(c.group_id)]);
      case "group_role_granted":
        return logged("role.assignment.created");
      case "group_role_revoked":
        // Unassigned, or gone with the deleted group or the deleted role.
        return logged("role.assignment.deleted", "group.deleted", "role.deleted");
      case "user_added":
        return logged("user.added");
      case "user_removed":
        return logged("user.deleted");
      case "user_role_changed":
        // Reader -> owner by assigning the Owner role (role.assignment.created).
        return logged("user.updated", "role.assignment.created", "role.assignment.deleted");
      case "user_role_granted":
        return logged("role.assignment.created");
      case "user_role_revoked":
        // Unassigned, or gone with the removed user.
        return logged("role.assignment.deleted", "user.deleted", "role.deleted");
      case "role_added":
        return logged("role.created");
      case "role_removed":
        return logged("role.deleted");
      case "role_permissions_changed":
        return logged("role.updated");
      case "access_gained": {
        const cause =
          (direct && [ids.directGrantee, ids.doubleHolder].includes(user)) ||
          viaGroups.includes(ids.grantedGroup) ||
          user === ids.newUser;
        return cause ? logged("role.assignment.created", "user.added") : notLogged(viaGroups);
      }
      case "access_lost": {
        const cause =
          (direct && user === ids.directRevokee) ||
          viaGroups.some((g) => g === ids.revokedGroup || g === ids.deleted) ||
          user === ids.removedUser ||
          c.role_id === ids.doomedRole;
        return cause
          ? logged("role.assignment.deleted", "group.deleted", "user.deleted", "role.deleted")
          : notLogged(viaGroups);
      }
      // The organization's changes reach into projects: the deleted group leaves its projects,
      // the removed user every project, and their access and keys' access go with them.
      case "project_group_detached":
      case "project_group_role_revoked":
        expect(c.group_id, c.kind).toBe(ids.deleted);
        return logged("role.assignment.deleted", "group.deleted");
      case "project_member_removed":
      case "project_user_role_revoked":
        expect(c.user_id, c.kind).toBe(ids.removedUser);
        return logged("user.deleted", "role.assignment.deleted");
      case "project_access_lost":
        expect(user === ids.removedUser || viaGroups.includes(ids.deleted), c.kind).toBe(true);
        return logged("user.deleted", "group.deleted", "role.assignment.deleted");
      case "api_key_owner_access_changed":
        expect(c.owner_id, c.kind).toBe(ids.removedUser);
        return logged("user.deleted");
      default:
        throw new Error(`the test made no ${c.kind} change: ${JSON.stringify(c)}`);
    }
  }

  const brief = (c: DiffChange) =>
    `${c.kind} ${[c.project_id, c.group_id, c.user_id ?? c.owner_id, c.role_id, c.key_id]
      .filter((v) => v !== undefined && v !== null)
      .join(" ")}`;

  it("attributes every change", async () => {
    const forward = await attributeDiff(store, await diffSnapshots(store, { from: s1, to: s2 }));
    expect(forward.audit_log).toMatchObject({ covered: true, gaps: [], failed_syncs: [] });
    // Statuses first, all at once, so that a failure lists every change that differs.
    expect(forward.changes.map((c) => [brief(c), c.attribution.status])).toEqual(
      forward.changes.map((c) => [brief(c), expectedAttribution(c).status]),
    );
    // Made in the console: the session of the first Owner.
    expect(consoleActor?.type).toBe("session");
    const session = consoleActor?.type === "session" ? consoleActor.session : undefined;
    const window = forward.audit_log.window;
    const statuses = new Set<string>();
    for (const c of forward.changes) {
      const a = c.attribution;
      statuses.add(a.status);
      if (a.status !== "attributed") {
        // Not logged, or the directory's doing: no event, no actor, and why.
        expect([brief(c), a.events, a.actor]).toEqual([brief(c), [], null]);
        expect(a.reason, brief(c)).toEqual(expect.any(String));
        continue;
      }
      expect(a.actor, brief(c)).toMatchObject({
        type: "session",
        user_id: session?.user.id,
        ip_address: session?.ip_address,
        key_id: null,
      });
      expect(a.reason).toBeNull();
      expect(a.events.length, brief(c)).toBeGreaterThan(0);
      const types = expectedAttribution(c).types;
      for (const e of a.events) {
        expect(types, `${brief(c)}: ${e.type}`).toContain(e.type);
        expect(e.effective_at >= window.from && e.effective_at <= window.to, brief(c)).toBe(true);
      }
      expect(a.label).toBe(
        `by ${session?.user.email} (${session?.user.id}) from ${session?.ip_address} at ${a.events[a.events.length - 1]?.effective_at}`,
      );
    }
    expect([...statuses].sort()).toEqual(["attributed", "not_logged", "scim"]);

    // The reverse diff: every change attributed as the change that really happened.
    const reverse = await attributeDiff(store, await diffSnapshots(store, { from: s2, to: s1 }));
    const plain = ({ attribution: _, ...c }: AttributedChange) => canonicalJson(c);
    const forwardStatus = new Map(
      forward.changes.map((c) => [plain(mirror([c])[0] as AttributedChange), c]),
    );
    expect(reverse.changes.length).toBe(forward.changes.length);
    for (const c of reverse.changes) {
      expect(ATTRIBUTION_STATUSES).toContain(c.attribution.status);
      const made = forwardStatus.get(plain(c));
      expect(made, brief(c)).toBeDefined();
      expect([brief(c), c.attribution.status]).toEqual([brief(c), made?.attribution.status]);
      expect(c.attribution.actor).toEqual(made?.attribution.actor);
    }
  });

  it("a gap in the audit log leaves the changes that need an event unattributed, saying where", async () => {
    const gapStore = await Store.open(gapDb, { readOnly: true });
    try {
      const snapshots = await gapStore.query<{ snapshot_id: number }>(
        "SELECT snapshot_id FROM snapshots WHERE status = 'complete' ORDER BY snapshot_id",
      );
      expect(snapshots).toHaveLength(2);
      const [a, b] = snapshots.map((r) => r.snapshot_id) as [number, number];
      const result = await attributeDiff(
        gapStore,
        await diffSnapshots(gapStore, { from: a, to: b }),
      );
      // The same changes as in the database that synced the audit log.
      const synced = await diffSnapshots(store, { from: s1, to: s2 });
      expect(result.changes.map(brief)).toEqual(synced.changes.map(brief));
      const [sync] = await gapStore.listAuditSyncs();
      expect(sync?.status).toBe("complete");
      expect(result.audit_log).toMatchObject({ covered: false, failed_syncs: [], syncs: 1 });
      // One gap: from where the first crawl's sync stopped to the end of the interval.
      expect(result.audit_log.gaps).toHaveLength(1);
      const [gap] = result.audit_log.gaps;
      expect(
        Math.abs(Date.parse(String(gap?.from)) - Date.parse(String(sync?.covered_to))),
      ).toBeLessThanOrEqual(1);
      // ... to the end of the second crawl (the interval's end, to the second).
      const end = Date.parse(result.audit_log.window.to);
      expect(Date.parse(String(gap?.to))).toBeLessThanOrEqual(end);
      expect(Date.parse(String(gap?.to))).toBeGreaterThan(end - 1000);
      const gapReason = `the audit log held does not cover ${gap?.from} to ${gap?.to}`;
      const seen = new Set<string>();
      for (const c of result.changes) {
        const expected = expectedAttribution(c).status;
        const a = c.attribution;
        seen.add(a.status);
        expect(a.events, brief(c)).toEqual([]);
        if (expected === "attributed") {
          // Its event is in the gap: unattributed, saying where the log has none.
          // (A derived change says which change of the diff it follows, then the same reason.)
          const namesGap = a.reason === gapReason || a.reason?.endsWith(`: ${gapReason}`) === true;
          expect([brief(c), a.status, namesGap]).toEqual([brief(c), "unattributed", true]);
        } else if (DERIVED_KINDS.includes(c.kind)) {
          // Access held through a group whose membership changed (not logged, or SCIM's): the
          // group's role assignment could be in the gap too, so either that or the honest gap.
          expect([
            brief(c),
            a.status === expected ||
              a.reason === gapReason ||
              a.reason?.endsWith(`: ${gapReason}`) === true,
          ]).toEqual([brief(c), true]);
        } else {
          // Never logged: the same as with the audit log.
          expect([brief(c), a.status]).toEqual([brief(c), expected]);
        }
      }
      expect(seen).toEqual(new Set(["unattributed", "not_logged", "scim"]));
    } finally {
      await gapStore.close();
    }
  });

  it("reports ids, names and before/after values", async () => {
    const r = await diffSnapshots(store, { from: s1, to: s2 });
    const groupBefore = before.groups.find((g) => g.group_id === ids.renamed);
    expect(count(r, "group_renamed")).toEqual([
      {
        kind: "group_renamed",
        group_id: ids.renamed,
        before: groupBefore?.name,
        after: "Renamed <b>group</b>",
      },
    ]);
    expect(count(r, "group_added")).toEqual([
      {
        kind: "group_added",
        group_id: ids.created,
        group_name: "Diff new ∑ group",
        group_type: "tenant_group",
        is_scim_managed: true,
      },
    ]);
    expect(count(r, "group_removed").map((c) => c.group_id)).toEqual([ids.deleted]);
    const scim = count(r, "group_scim_changed");
    expect(scim).toHaveLength(1);
    expect(scim[0]).toMatchObject({ group_id: ids.scim });
    expect(scim[0]?.after).toBe(!scim[0]?.before);
    expect(count(r, "group_type_changed")).toHaveLength(1);
    expect(count(r, "user_added")).toEqual([
      {
        kind: "user_added",
        user_id: ids.newUser,
        email: "newcomer@example.com",
        user_name: "Newcomer Zoë",
        role: "reader",
        is_service_account: false,
        is_scim_managed: false,
      },
    ]);
    expect(count(r, "user_removed").map((c) => c.user_id)).toEqual([ids.removedUser]);
    expect(count(r, "user_role_changed")).toEqual([
      expect.objectContaining({ user_id: ids.directGrantee, before: "reader", after: "owner" }),
    ]);
    expect(count(r, "role_added")).toEqual([
      {
        kind: "role_added",
        role_id: ids.newRole,
        role_name: "Diff new role",
        permissions: ["api.usage.read"],
        predefined_role: false,
      },
    ]);
    expect(count(r, "role_removed").map((c) => c.role_id)).toEqual([ids.doomedRole]);
    expect(count(r, "role_permissions_changed")).toEqual([
      {
        kind: "role_permissions_changed",
        role_id: ids.reshapedRole,
        role_name: "Diff reshaped",
        before: ["api.groups.read", "api.roles.read"],
        after: ["api.roles.read", "api.roles.write"],
      },
    ]);
    expect(count(r, "group_role_granted")).toEqual([
      expect.objectContaining({ group_id: ids.grantedGroup, role_id: ids.reshapedRole }),
    ]);
    // The deleted role's assignment to the role group is revoked with it.
    expect(count(r, "group_role_revoked").map((c) => [c.group_id, c.role_id])).toEqual(
      expect.arrayContaining([
        [ids.revokedGroup, ids.revokedGroupRole],
        [ids.roleGroup, ids.doomedRole],
      ]),
    );
    expect(count(r, "member_added").filter((c) => c.group_id === ids.roleGroup)).toEqual([
      expect.objectContaining({ user_id: ids.joiner, group_name: "Diff role group" }),
    ]);
  });

  it("derives access gained and lost whatever the path", async () => {
    const r = await diffSnapshots(store, { from: s1, to: s2 });
    const on = (kind: DiffKind, user: string, role: string) =>
      count(r, kind).filter((c) => c.user_id === user && c.role_id === role);
    const group = [{ via: "group", group_id: ids.roleGroup, group_name: "Diff role group" }];
    // Through a group: joining and leaving the group that holds the role.
    expect(on("access_gained", ids.joiner, ids.viaGroupRole)).toEqual([
      expect.objectContaining({ role_name: "Diff via group", via: group }),
    ]);
    expect(on("access_lost", ids.leaver, ids.viaGroupRole)).toEqual([
      expect.objectContaining({ role_name: "Diff via group", via: group }),
    ]);
    // Directly: assigned and unassigned on the user.
    const direct = [{ via: "direct", group_id: null, group_name: null }];
    expect(on("access_gained", ids.directGrantee, ids.directRole)).toEqual([
      expect.objectContaining({ via: direct }),
    ]);
    expect(on("user_role_granted", ids.directGrantee, ids.directRole)).toHaveLength(1);
    expect(on("access_lost", ids.directRevokee, ids.directRole)).toEqual([
      expect.objectContaining({ via: direct }),
    ]);
    expect(on("user_role_revoked", ids.directRevokee, ids.directRole)).toHaveLength(1);
    // A direct grant of a role already held through a group changes no access.
    expect(on("user_role_granted", ids.doubleHolder, ids.viaGroupRole)).toHaveLength(1);
    expect(on("access_gained", ids.doubleHolder, ids.viaGroupRole)).toEqual([]);
    // Members of the role group lose the deleted role with it.
    expect(on("access_lost", ids.doubleHolder, ids.doomedRole)).toHaveLength(1);
    // The effective_access view agrees on every (user, role) gained and lost.
    const fromView = async (a: number, b: number) =>
      store.query<{ user_id: string; role_id: string }>(
        `SELECT user_id, role_id FROM effective_access
         WHERE snapshot_id = $a AND scope = 'organization'
         EXCEPT SELECT user_id, role_id FROM effective_access
         WHERE snapshot_id = $b AND scope = 'organization'
         ORDER BY user_id, role_id`,
        { a, b },
      );
    const pairs = (kind: DiffKind) =>
      count(r, kind)
        .map((c) => ({ user_id: c.user_id, role_id: c.role_id }))
        .sort((x, y) => cmp(str(x.user_id), str(y.user_id)) || cmp(str(x.role_id), str(y.role_id)));
    expect(pairs("access_gained")).toEqual(await fromView(s2, s1));
    expect(pairs("access_lost")).toEqual(await fromView(s1, s2));
  });

  it("gives the mirror image in reverse order", async () => {
    const forward = await diffSnapshots(store, { from: s1, to: s2 });
    const reverse = await diffSnapshots(store, { from: s2, to: s1 });
    expect(reverse.from).toBe(s2);
    expect(reverse.to).toBe(s1);
    expect(reverse.changes).toEqual(expectedDiff(after, before));
    const sortLike = (cs: DiffChange[]) =>
      [...cs].sort(
        (x, y) =>
          DIFF_KINDS.indexOf(x.kind) - DIFF_KINDS.indexOf(y.kind) ||
          cmp(str(x.group_id), str(y.group_id)) ||
          cmp(str(x.user_id), str(y.user_id)) ||
          cmp(str(x.role_id), str(y.role_id)),
      );
    expect(reverse.changes).toEqual(sortLike(mirror(forward.changes)));
    for (const kind of DIFF_KINDS)
      expect(reverse.summary[MIRROR[kind]]).toBe(forward.summary[kind]);
  });

  it("finds nothing between a snapshot and itself", async () => {
    for (const id of [s1, s2]) {
      const r = await diffSnapshots(store, { from: id, to: id });
      expect(r.changes).toEqual([]);
      expect(Object.values(r.summary).every((n) => n === 0)).toBe(true);
    }
  });

  it("compares snapshots that are not adjacent", async () => {
    const r = await diffSnapshots(store, { from: s1, to: s3 });
    const renamed = count(r, "group_renamed");
    expect(renamed).toEqual([
      expect.objectContaining({ group_id: ids.renamed, after: "Renamed again" }),
    ]);
    expect(r.changes.length).toBe(
      (await diffSnapshots(store, { from: s1, to: s2 })).changes.length,
    );
  });

  it("refuses an unknown snapshot", async () => {
    await expect(diffSnapshots(store, { from: s1, to: 999 })).rejects.toThrow(/no snapshot 999/);
  });

  describe("access-audit diff", () => {
    // The CLI opens the file read-only; so does this process, which DuckDB allows side by side.
    it("defaults to the last two complete snapshots and prints JSON", async () => {
      const run = await runCli(["diff", "--db", db, "--json"], cliEnv({}));
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      const parsed = JSON.parse(run.stdout) as AttributedDiffResult;
      expect(Object.keys(parsed)).toEqual([
        "from",
        "to",
        "changes",
        "summary",
        "coverage_changed",
        "not_collected",
        "not_compared",
        "audit_log",
      ]);
      expect(parsed.from).toBe(s2);
      expect(parsed.to).toBe(s3);
      // The rename was made in the console: its group.updated event names the console session.
      const session = renameActor?.type === "session" ? renameActor.session : undefined;
      expect(parsed.changes).toEqual([
        {
          kind: "group_renamed",
          group_id: ids.renamed,
          before: "Renamed <b>group</b>",
          after: "Renamed again",
          attribution: {
            status: "attributed",
            label: expect.any(String),
            reason: null,
            actor: {
              type: "session",
              user_id: session?.user.id,
              email: session?.user.email,
              ip_address: session?.ip_address,
              key_id: null,
              key_type: null,
              service_account_id: null,
            },
            events: [expect.objectContaining({ type: "group.updated", project_id: null })],
          },
        },
      ]);
      const [renamed] = parsed.changes;
      expect(renamed?.attribution.label).toBe(
        `by ${session?.user.email} (${session?.user.id}) from ${session?.ip_address} at ${renamed?.attribution.events[0]?.effective_at}`,
      );
      expect(parsed.summary.group_renamed).toBe(1);
      expect(parsed.audit_log).toMatchObject({ syncs: 3, failed_syncs: [] });
    });

    it("takes --from and --to, in either order", async () => {
      const run = await runCli(
        ["diff", "--db", db, "--from", String(s2), "--to", String(s1), "--json"],
        cliEnv({}),
      );
      expect(run.status).toBe(0);
      // The diff, each change attributed (a reverse diff too).
      expect(JSON.parse(run.stdout)).toEqual(
        await attributeDiff(store, await diffSnapshots(store, { from: s2, to: s1 })),
      );
    });

    it("prints a table grouped by kind", async () => {
      const run = await runCli(
        ["diff", "--from", String(s1), "--to", String(s2)],
        cliEnv({ ACCESS_AUDIT_DB: db }),
      );
      expect(run.status).toBe(0);
      const r = await diffSnapshots(store, { from: s1, to: s2 });
      expect(run.stdout).toContain(`diff of snapshot ${s1} -> ${s2}`);
      // A heading per kind with changes; none for a kind without.
      for (const kind of DIFF_KINDS) {
        if (r.summary[kind] > 0) expect(run.stdout).toContain(`\n${kind} (${r.summary[kind]})\n`);
        else expect(run.stdout).not.toContain(`\n${kind} (`);
      }
      expect(run.stdout).toContain('"Diff reshaped" +api.roles.write -api.groups.read');
      expect(run.stdout).toMatch(/access_gained \(\d+\)\n(.*\n)*.*"Diff via group" via group/);
      expect(run.stdout).toContain(`${r.changes.length} change(s)`);
      // Under each change, who made it (or why the audit log cannot say).
      const attributed = await attributeDiff(store, r);
      for (const c of attributed.changes)
        expect(run.stdout).toContain(`    ${c.attribution.label}`);
      expect(run.stdout).toContain(
        "not in the audit log: the API logs no event for a group's type",
      );
    });

    it("exits 2 with one line for an unknown snapshot", async () => {
      const run = await runCli(["diff", "--db", db, "--from", "999"], cliEnv({}));
      expect(run.status).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toBe("access-audit: no snapshot 999 in the database\n");
    });
  });
});

describe("the audit log synced by each crawl", () => {
  it("covers the interval to the end of the later crawl: no gap, no audit-log-gap finding", async () => {
    const sim = await startSimulator({ port: 0, seed: 8, groups: 4, users: 12, projects: 1 });
    const db = join(tmp, "own-sync.duckdb");
    try {
      const first = await crawlInto(sim, db);
      const group = sim.state.groupIds()[0] as string;
      sim.state.renameGroup(group, "Renamed before the second crawl");
      // The second crawl with the clock held half-way through a second: the publish and the
      // sync that follows it then start in the same second, as they do whenever the sync starts
      // within the second the crawl finished in (most crawls: it follows within milliseconds).
      vi.useFakeTimers({ toFake: ["Date"] });
      let second: number;
      try {
        vi.setSystemTime(new Date((Math.floor(Date.now() / 1000) + 2) * 1000 + 500));
        second = await crawlInto(sim, db);
      } finally {
        vi.useRealTimers();
      }
      const store = await Store.open(db, { readOnly: true });
      try {
        const syncs = await store.listAuditSyncs();
        expect(syncs.map((x) => x.status)).toEqual(["complete", "complete"]);
        const [row] = await store.query<{ finished_at: string }>(
          "SELECT finished_at::VARCHAR AS finished_at FROM snapshots WHERE snapshot_id = ?",
          [second],
        );
        // The second sync started when the second crawl ended, so it vouches for all of it.
        expect(Date.parse(String(syncs[1]?.covered_to))).toBeGreaterThanOrEqual(
          Date.parse(String(row?.finished_at).replace(" ", "T").replace(/\+00$/, "Z")),
        );
        const result = await attributeDiff(
          store,
          await diffSnapshots(store, { from: first, to: second }),
        );
        expect(result.audit_log).toMatchObject({ covered: true, gaps: [], failed_syncs: [] });
        expect(result.changes.map((c) => [c.kind, c.attribution.status])).toEqual([
          ["group_renamed", "attributed"],
        ]);
        const report = await runRules(store, { snapshotId: second });
        expect(report.findings.filter((f) => f.rule === "audit-log-gap")).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await sim.stop();
    }
  });
});

describe("access-audit diff with fewer than two snapshots", () => {
  it("says so and exits 2", async () => {
    const sim = await startSimulator({ port: 0, seed: 3, groups: 3, users: 10 });
    const db = join(tmp, "one.duckdb");
    try {
      await crawlInto(sim, db);
    } finally {
      await sim.stop();
    }
    const run = await runCli(["diff", "--db", db], cliEnv({}));
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      "access-audit: a diff needs two complete snapshots; the database has 1: run `access-audit crawl` again\n",
    );
  });
});

describe("access-audit diff of more changes than one piece", () => {
  const tmp = mkdtempSync(join(tmpdir(), "aa-diff-many-"));
  const db = join(tmp, "many.duckdb");
  let from: number;
  let to: number;

  beforeAll(async () => {
    const sim = await startSimulator({
      port: 0,
      seed: 43,
      groups: 20,
      users: 300,
      memberships: 3000,
    });
    try {
      from = await crawlInto(sim, db);
      // Every group re-provisioned: its members removed, others added.
      const s = sim.state;
      const users = s.listUsers();
      for (const group of s.listGroups()) {
        const members = new Set(s.listGroupUsers(group.id).map((u) => u.id));
        for (const id of members) s.removeMember(group.id, id);
        for (const user of users.filter((u) => !members.has(u.id)).slice(0, 150)) {
          s.addMember(group.id, user.id);
        }
      }
      to = await crawlInto(sim, db);
    } finally {
      await sim.stop();
    }
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("prints --json and the text piece by piece, the same as whole", async () => {
    const store = await Store.open(db, { readOnly: true });
    let result: Awaited<ReturnType<typeof attributeDiff>>;
    try {
      result = await attributeDiff(store, await diffSnapshots(store, { from, to }));
    } finally {
      await store.close();
    }
    // The JSON goes out 2,048 changes at a time, the text 4,096 lines (two per change).
    expect(result.changes.length).toBeGreaterThan(2 * 2048);
    const env = cliEnv({});
    const json = await runCli(
      ["diff", "--db", db, "--from", String(from), "--to", String(to), "--json"],
      env,
    );
    expect(json.stderr).toBe("");
    expect(json.status).toBe(0);
    expect(json.stdout).toBe(`${terminalJson(result)}\n`);

    const text = await runCli(
      ["diff", "--db", db, "--from", String(from), "--to", String(to)],
      env,
    );
    expect(text.status).toBe(0);
    expect(text.stdout).toBe(`${[...diffLines(result)].join("\n")}\n`);
    const lines = text.stdout.split("\n");
    expect(lines.at(-2)).toBe(`${result.changes.length} change(s)`);
    expect(lines.filter((l) => /^ {2}group_\w+ .*: user_\w+/.test(l))).toHaveLength(
      result.summary.member_added + result.summary.member_removed,
    );
  });
});
