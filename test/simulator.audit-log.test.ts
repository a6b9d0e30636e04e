/**
 * The simulator's organization audit log over real HTTP: every write records the event the real
 * API would record (type, detail, project, actor: the admin key for API writes, a console session
 * for the state's own calls, SCIM as `actor: null`), group membership records nothing, every
 * filter and both cursors of `GET /organization/audit_logs` behave, the two modes answer as
 * documented, a late event lands at its sorted place, and a million events seed quickly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_KEY_SCOPES,
  AUDIT_LOGGING_DISABLED_MESSAGE,
  AUDIT_LOGS_FORBIDDEN_MESSAGE,
  type AuditLogWire,
  applyRandomCredentialMutation,
  applyRandomMutation,
  applyRandomProjectMutation,
  generateOrganization,
  type OrgState,
  PROJECT_KEY_SCOPES,
  Prng,
  type RunningSimulator,
  StateError,
  startSimulator,
} from "../src/simulator/index.js";
import { call, dataOf, obj } from "./support/simulator-http.js";

/** The credentials clock's "now": fixed, so event times are reproducible. */
const NOW = 1_800_000_000;
const DAY = 86_400;
const LOGS = "/organization/audit_logs";

type Json = Record<string, unknown>;

async function ok(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<Json> {
  const res = await call(sim, method, path, body === undefined ? {} : { body });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 300)}`).toBe(200);
  return obj(res.json);
}

/** The events `fn` records, oldest first (the newest of the log, reversed). */
async function recorded(
  state: OrgState,
  fn: () => unknown | Promise<unknown>,
): Promise<AuditLogWire[]> {
  const before = state.auditEventCount();
  await fn();
  const added = state.auditEventCount() - before;
  return added === 0 ? [] : state.pageAuditEvents({ limit: added }).items.reverse();
}

/** What a test compares: type, detail and project id of each event. */
function summary(events: readonly AuditLogWire[]) {
  return events.map((e) => ({ type: e.type, detail: e[e.type], project: e.project?.id ?? null }));
}

function userRef(state: OrgState, userId: string): { id: string; email?: string } {
  const u = state.getUser(userId);
  if (u === undefined) throw new Error(`no user ${userId}`);
  return u.email === null ? { id: u.id } : { id: u.id, email: u.email };
}

/** The actor of a write through the API: the simulator's admin key, of its owner. */
function httpActor(state: OrgState) {
  const keyId = state.simulatorAdminKeyId() as string;
  const owner = state.getAdminApiKey(keyId)?.owner.id as string;
  return { type: "api_key", api_key: { id: keyId, type: "user", user: userRef(state, owner) } };
}

function defaultProject(state: OrgState) {
  const id = state.defaultProjectId as string;
  return { id, name: state.getProject(id)?.name };
}

/** The console's default actor: the first Owner, from a documentation address. */
function consoleActor(state: OrgState) {
  const owner = state.listUsers().find((u) => u.role === "owner");
  if (owner === undefined) throw new Error("no Owner");
  return {
    type: "session",
    session: {
      user: userRef(state, owner.id),
      ip_address: expect.stringMatching(/^203\.0\.113\.\d{1,3}$/),
    },
  };
}

describe("writes record the event the real API records", () => {
  let sim: RunningSimulator;
  let s: OrgState;
  /** A non-Default active project with members. */
  let p: string;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 21, groups: 30, users: 200, credentialsNow: NOW });
    s = sim.state;
    p = s
      .activeProjectIds()
      .find((x) => !s.isDefaultProject(x) && s.projectMemberIds(x).length > 1) as string;
  });

  afterAll(async () => {
    await sim.stop();
  });

  it("starts empty; the simulator's own key is setup, not a change", () => {
    expect(s.auditEventCount()).toBe(0);
    expect(s.listAuditEvents()).toEqual([]);
    expect(s.organizationId).toMatch(/^org-[A-Za-z0-9]{24}$/);
  });

  it("groups: created, renamed, deleted as the admin key in the Default project; membership records nothing", async () => {
    const user = s.userIds()[3] as string;
    let gid = "";
    const events = await recorded(s, async () => {
      gid = (await ok(sim, "POST", "/organization/groups", { name: "Audit A" })).id as string;
      await ok(sim, "POST", `/organization/groups/${gid}`, { name: "Audit B" });
      await ok(sim, "POST", `/organization/groups/${gid}/users`, { user_id: user });
      await ok(sim, "DELETE", `/organization/groups/${gid}/users/${user}`);
      await ok(sim, "POST", `/organization/groups/${gid}`, { name: "Audit B" }); // no change
      await ok(sim, "DELETE", `/organization/groups/${gid}`);
    });
    const dp = defaultProject(s);
    expect(summary(events)).toEqual([
      {
        type: "group.created",
        detail: { id: gid, data: { group_name: "Audit A" } },
        project: dp.id,
      },
      {
        type: "group.updated",
        detail: { id: gid, changes_requested: { group_name: "Audit B" } },
        project: dp.id,
      },
      { type: "group.deleted", detail: { id: gid }, project: dp.id },
    ]);
    for (const e of events) {
      expect(e.actor).toEqual(httpActor(s));
      expect(e.project).toEqual(dp);
      expect(e.id).toMatch(/^audit_log-[0-9a-z]{16}_\d{8}$/);
      expect(e.effective_at).toBeGreaterThanOrEqual(NOW);
    }
    // Time never goes backwards; membership changes through the state record nothing either.
    expect(events.map((e) => e.effective_at)).toEqual(
      [...events.map((e) => e.effective_at)].sort(),
    );
    const g = s.groupIds()[0] as string;
    const none = await recorded(s, () => {
      const u = s.userIds().find((id) => !s.isMember(g, id)) as string;
      s.addMember(g, u);
      s.removeMember(g, u);
    });
    expect(none).toEqual([]);
  });

  it("organization role assignments of groups and users: role.assignment.*, one id per assignment", async () => {
    const g = s.groupIds()[1] as string;
    const u = s.listUsers().find((x) => x.role === "reader")?.id as string;
    const role = s.listRoles().find((r) => !r.predefined_role && !s.hasGroupRole(g, r.id))
      ?.id as string;
    const events = await recorded(s, async () => {
      await ok(sim, "POST", `/organization/groups/${g}/roles`, { role_id: role });
      await ok(sim, "DELETE", `/organization/groups/${g}/roles/${role}`);
      await ok(sim, "POST", `/organization/users/${u}/roles`, { role_id: role });
      await ok(sim, "DELETE", `/organization/users/${u}/roles/${role}`);
    });
    const org = { resource_id: s.organizationId, resource_type: "api.organization" };
    const group = { principal_id: g, principal_type: "group", ...org };
    const user = { principal_id: u, principal_type: "user", ...org };
    expect(summary(events)).toEqual([
      {
        type: "role.assignment.created",
        detail: { id: expect.stringMatching(/^ra_/), ...group },
        project: s.defaultProjectId,
      },
      {
        type: "role.assignment.deleted",
        detail: { id: expect.stringMatching(/^ra_/), ...group },
        project: s.defaultProjectId,
      },
      {
        type: "role.assignment.created",
        detail: { id: expect.stringMatching(/^ra_/), ...user },
        project: s.defaultProjectId,
      },
      {
        type: "role.assignment.deleted",
        detail: { id: expect.stringMatching(/^ra_/), ...user },
        project: s.defaultProjectId,
      },
    ]);
    const ids = events.map((e) => obj(e[e.type]).id);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).toBe(ids[3]);
    expect(ids[0]).not.toBe(ids[2]);
    // A seeded assignment (never recorded as created) still gets a stable id when removed.
    const seeded = s.groupSizes().find((x) => x.roles > 0)?.id as string;
    const seededRole = s.groupRoleIds(seeded)[0] as string;
    const [removed] = await recorded(s, () => s.unassignGroupRole(seeded, seededRole));
    expect(obj(removed?.["role.assignment.deleted"]).id).toMatch(/^ra_[0-9A-Z]{26}$/);
  });

  it("organization users: the legacy role is user.updated, removal user.deleted, a new user user.added", async () => {
    const u = s.listUsers().filter((x) => x.role === "reader")[2]?.id as string;
    const other = s.listUsers().filter((x) => x.role === "reader")[3]?.id as string;
    const custom = s.listRoles().find((r) => !r.predefined_role && !s.hasDirectUserRole(u, r.id))
      ?.id as string;
    const events = await recorded(s, async () => {
      await ok(sim, "POST", `/organization/users/${u}`, { role: "owner" });
      await ok(sim, "POST", `/organization/users/${u}`, { role: "owner" }); // no change
      await ok(sim, "POST", `/organization/users/${u}`, { role: "reader" });
      await ok(sim, "POST", `/organization/users/${u}`, { role_id: custom });
      await ok(sim, "DELETE", `/organization/users/${other}`);
    });
    expect(summary(events).map(({ type, detail }) => ({ type, detail }))).toEqual([
      { type: "user.updated", detail: { id: u, changes_requested: { role: "owner" } } },
      { type: "user.updated", detail: { id: u, changes_requested: { role: "reader" } } },
      {
        type: "role.assignment.created",
        detail: {
          id: expect.stringMatching(/^ra_/),
          principal_id: u,
          principal_type: "user",
          resource_id: s.organizationId,
          resource_type: "api.organization",
        },
      },
      { type: "user.deleted", detail: { id: other } },
    ]);
    let created = "";
    const [added] = await recorded(s, () => {
      created = s.createUser({ name: "Console Newcomer" }).id;
    });
    expect(added).toMatchObject({
      type: "user.added",
      "user.added": { id: created, data: { role: "reader" } },
    });
    // The console: a session of the first Owner, and no project (no admin key involved).
    expect(added?.actor).toEqual(consoleActor(s));
    expect(added).not.toHaveProperty("project");
  });

  it("organization roles: role.created, role.updated with the permission diff, role.deleted", async () => {
    let rid = "";
    const events = await recorded(s, async () => {
      rid = (
        await ok(sim, "POST", "/organization/roles", {
          role_name: "Audit Role",
          permissions: ["api.groups.read", "api.usage.read"],
        })
      ).id as string;
      await ok(sim, "POST", `/organization/roles/${rid}`, {
        role_name: "Audit Role 2",
        permissions: ["api.groups.read", "api.groups.write"],
        description: "Edited",
      });
      await ok(sim, "POST", `/organization/roles/${rid}`, {
        permissions: ["api.groups.write", "api.groups.read"],
      }); // same set
      await ok(sim, "DELETE", `/organization/roles/${rid}`);
    });
    expect(summary(events).map(({ type, detail }) => ({ type, detail }))).toEqual([
      {
        type: "role.created",
        detail: {
          id: rid,
          role_name: "Audit Role",
          permissions: ["api.groups.read", "api.usage.read"],
          resource_type: "api.organization",
          resource_id: s.organizationId,
        },
      },
      {
        type: "role.updated",
        detail: {
          id: rid,
          changes_requested: {
            role_name: "Audit Role 2",
            permissions_added: ["api.groups.write"],
            permissions_removed: ["api.usage.read"],
            description: "Edited",
          },
        },
      },
      { type: "role.deleted", detail: { id: rid } },
    ]);
  });

  it("projects: created, renamed (title) and archived, in the Default project as admin-key actions", async () => {
    let pid = "";
    const events = await recorded(s, async () => {
      pid = (await ok(sim, "POST", "/organization/projects", { name: "Audit Project" }))
        .id as string;
      await ok(sim, "POST", `/organization/projects/${pid}`, { name: "Audit Project II" });
      await ok(sim, "POST", `/organization/projects/${pid}`, { external_key_id: "ek_1" });
      await ok(sim, "POST", `/organization/projects/${pid}/archive`);
    });
    const dp = s.defaultProjectId;
    expect(summary(events)).toEqual([
      {
        type: "project.created",
        detail: { id: pid, data: { name: "Audit Project", title: "Audit Project" } },
        project: dp,
      },
      {
        type: "project.updated",
        detail: { id: pid, changes_requested: { title: "Audit Project II" } },
        project: dp,
      },
      // An external-key change alone records nothing: changes_requested knows only title.
      { type: "project.archived", detail: { id: pid }, project: dp },
    ]);
  });

  it("project users: user.added, user.updated, user.deleted with the project set", async () => {
    const u = s.userIds().find((id) => !s.isProjectMember(p, id)) as string;
    const events = await recorded(s, async () => {
      await ok(sim, "POST", `/organization/projects/${p}/users`, { user_id: u, role: "member" });
      await ok(sim, "POST", `/organization/projects/${p}/users/${u}`, { role: "owner" });
      await ok(sim, "DELETE", `/organization/projects/${p}/users/${u}`);
    });
    expect(summary(events)).toEqual([
      { type: "user.added", detail: { id: u, data: { role: "member" } }, project: p },
      { type: "user.updated", detail: { id: u, changes_requested: { role: "owner" } }, project: p },
      { type: "user.deleted", detail: { id: u }, project: p },
    ]);
    expect(events[0]?.project).toEqual({ id: p, name: s.getProject(p)?.name });
    for (const e of events) expect(e.actor).toEqual(httpActor(s));
  });

  it("project groups and project role assignments: role.assignment.* on the project, with the principal", async () => {
    const g = s.groupIds().find((id) => !s.isProjectGroup(p, id)) as string;
    const viewer = s.projectRoleIdByName(p, "Project Viewer") as string;
    const memberRole = s.projectRoleIdByName(p, "Project Member") as string;
    const u = s.projectMemberIds(p)[0] as string;
    const events = await recorded(s, async () => {
      await ok(sim, "POST", `/organization/projects/${p}/groups`, { group_id: g, role: viewer });
      await ok(sim, "POST", `/projects/${p}/groups/${g}/roles`, { role_id: memberRole });
      await ok(sim, "DELETE", `/projects/${p}/groups/${g}/roles/${memberRole}`);
      await ok(sim, "POST", `/projects/${p}/users/${u}/roles`, { role_id: viewer });
      await ok(sim, "DELETE", `/projects/${p}/users/${u}/roles/${viewer}`);
      await ok(sim, "DELETE", `/organization/projects/${p}/groups/${g}`);
    });
    const on = { resource_id: p, resource_type: "api.project" };
    const group = { principal_id: g, principal_type: "group", ...on };
    const user = { principal_id: u, principal_type: "user", ...on };
    const id = expect.stringMatching(/^ra_/);
    expect(summary(events)).toEqual([
      { type: "role.assignment.created", detail: { id, ...group }, project: p },
      { type: "role.assignment.created", detail: { id, ...group }, project: p },
      { type: "role.assignment.deleted", detail: { id, ...group }, project: p },
      { type: "role.assignment.created", detail: { id, ...user }, project: p },
      { type: "role.assignment.deleted", detail: { id, ...user }, project: p },
      // Detaching removes the role it was attached with.
      { type: "role.assignment.deleted", detail: { id, ...group }, project: p },
    ]);
    const ids = events.map((e) => obj(e[e.type]).id);
    expect(ids[1]).toBe(ids[2]);
    expect(ids[3]).toBe(ids[4]);
    expect(ids[0]).toBe(ids[5]);
  });

  it("project roles: role.created, role.updated, role.deleted on the project", async () => {
    let rid = "";
    const events = await recorded(s, async () => {
      rid = (
        await ok(sim, "POST", `/projects/${p}/roles`, {
          role_name: "Audit PR",
          permissions: ["api.project.read"],
        })
      ).id as string;
      await ok(sim, "POST", `/projects/${p}/roles/${rid}`, { permissions: ["api.project.write"] });
      await ok(sim, "DELETE", `/projects/${p}/roles/${rid}`);
    });
    expect(summary(events)).toEqual([
      {
        type: "role.created",
        detail: {
          id: rid,
          role_name: "Audit PR",
          permissions: ["api.project.read"],
          resource_type: "api.project",
          resource_id: p,
        },
        project: p,
      },
      {
        type: "role.updated",
        detail: {
          id: rid,
          changes_requested: {
            permissions_added: ["api.project.write"],
            permissions_removed: ["api.project.read"],
          },
        },
        project: p,
      },
      { type: "role.deleted", detail: { id: rid }, project: p },
    ]);
  });

  it("service accounts and project keys: service_account.*, api_key.* (its first key with it, at the same time)", async () => {
    const sas = `/organization/projects/${p}/service_accounts`;
    let sa: Json = {};
    let bare: Json = {};
    let extraKey = "";
    const events = await recorded(s, async () => {
      sa = await ok(sim, "POST", sas, { name: "Audit SA" });
      bare = await ok(sim, "POST", sas, { name: "Bare SA", create_service_account_only: true });
      await ok(sim, "POST", `${sas}/${sa.id}`, { role: "owner" });
      await ok(sim, "POST", `${sas}/${sa.id}`, { name: "Renamed SA" });
      extraKey = (
        await ok(sim, "POST", `${sas}/${sa.id}/api_keys`, { name: "x", scopes: ["api.model.read"] })
      ).id as string;
      await ok(sim, "DELETE", `${sas}/${sa.id}`);
    });
    const keyId = obj(sa.api_key).id as string;
    expect(summary(events)).toEqual([
      {
        type: "service_account.created",
        detail: { id: sa.id, data: { role: "member" } },
        project: p,
      },
      {
        type: "api_key.created",
        detail: { id: keyId, data: { scopes: [...PROJECT_KEY_SCOPES] } },
        project: p,
      },
      {
        type: "service_account.created",
        detail: { id: bare.id, data: { role: "none" } },
        project: p,
      },
      {
        type: "service_account.updated",
        detail: { id: sa.id, changes_requested: { role: "owner" } },
        project: p,
      },
      // A rename alone records nothing: changes_requested knows only role.
      {
        type: "api_key.created",
        detail: { id: extraKey, data: { scopes: ["api.model.read"] } },
        project: p,
      },
      // Its keys go with it: no api_key.deleted of their own.
      { type: "service_account.deleted", detail: { id: sa.id }, project: p },
    ]);
    expect(events[0]?.effective_at).toBe(events[1]?.effective_at);

    // A user's key: only the user can make one, so it is their own session by default.
    const owner = s.projectMemberIds(p)[1] as string;
    let key = "";
    const made = await recorded(s, () => {
      key = s.createUserApiKey(p, owner, "Mine").id;
    });
    expect(summary(made)).toEqual([
      {
        type: "api_key.created",
        detail: { id: key, data: { scopes: [...PROJECT_KEY_SCOPES] } },
        project: p,
      },
    ]);
    expect(made[0]?.actor).toEqual({
      type: "session",
      session: { user: userRef(s, owner), ip_address: expect.stringMatching(/^203\.0\.113\./) },
    });
    const gone = await recorded(s, () =>
      ok(sim, "DELETE", `/organization/projects/${p}/api_keys/${key}`),
    );
    expect(summary(gone)).toEqual([{ type: "api_key.deleted", detail: { id: key }, project: p }]);
    // Using keys records nothing.
    const used = await recorded(s, () => {
      s.useApiKey(keyId === "" ? key : (s.listProjectApiKeys(p)[0]?.id as string));
      s.useAdminApiKey(s.simulatorAdminKeyId() as string);
      s.useCredentials(new Prng(1, "use"), 0.5);
    });
    expect(used).toEqual([]);
  });

  it("admin keys: api_key.created/deleted by id (inference), with no project of their own", async () => {
    let kid = "";
    const api = await recorded(s, async () => {
      kid = (await ok(sim, "POST", "/organization/admin_api_keys", { name: "Audit admin" }))
        .id as string;
      await ok(sim, "DELETE", `/organization/admin_api_keys/${kid}`);
    });
    expect(summary(api)).toEqual([
      {
        type: "api_key.created",
        detail: { id: kid, data: { scopes: [...ADMIN_KEY_SCOPES] } },
        project: s.defaultProjectId,
      },
      { type: "api_key.deleted", detail: { id: kid }, project: s.defaultProjectId },
    ]);
    const console = await recorded(s, () => s.createAdminApiKey("Console admin"));
    expect(console[0]?.type).toBe("api_key.created");
    expect(console[0]).not.toHaveProperty("project");
    expect(console[0]?.actor).toEqual(consoleActor(s));
  });

  it("invites: sent and deleted; accepted by the invitee, who joins the organization and its projects", async () => {
    let iid = "";
    const api = await recorded(s, async () => {
      iid = (
        await ok(sim, "POST", "/organization/invites", {
          email: "audit.one@example.org",
          role: "reader",
        })
      ).id as string;
      await ok(sim, "DELETE", `/organization/invites/${iid}`);
    });
    expect(summary(api).map(({ type, detail }) => ({ type, detail }))).toEqual([
      {
        type: "invite.sent",
        detail: { id: iid, data: { email: "audit.one@example.org", role: "reader" } },
      },
      { type: "invite.deleted", detail: { id: iid } },
    ]);

    const invite = s.createInvite("audit.two@example.org", "owner", [{ id: p, role: "member" }]);
    const expiring = s.createInvite("audit.three@example.org", "reader", []);
    const accepted = await recorded(s, () => {
      s.acceptInvite(invite.id);
      s.expireInvite(expiring.id); // expiry records nothing
    });
    const newcomer = s.findUserIdByEmail("audit.two@example.org") as string;
    expect(summary(accepted)).toEqual([
      { type: "invite.accepted", detail: { id: invite.id }, project: null },
      { type: "user.added", detail: { id: newcomer, data: { role: "owner" } }, project: null },
      { type: "user.added", detail: { id: newcomer, data: { role: "member" } }, project: p },
    ]);
    for (const e of accepted) {
      expect(e.actor).toEqual({
        type: "session",
        session: {
          user: { id: newcomer, email: "audit.two@example.org" },
          ip_address: expect.any(String),
        },
      });
      expect(e.effective_at).toBe(accepted[0]?.effective_at);
    }
  });

  it("asActor: a person, a non-Owner, a user's key, a service account's key, an admin key; nested; unknown ones throw", async () => {
    const reader = s.listUsers().find((u) => u.role === "reader" && u.email !== null) as {
      id: string;
      email: string;
    };
    const member = s.projectMemberIds(p)[0] as string;
    const userKey = s.createUserApiKey(p, member, "Actor key");
    const { serviceAccount, apiKey } = s.createServiceAccount(p, "Actor SA");
    const adminKey = s.createAdminApiKey("Actor admin");
    const events = await recorded(s, () => {
      s.asActor({ kind: "session", userId: reader.id, ipAddress: "198.51.100.7" }, () => {
        s.createGroup("By a reader");
        s.asActor({ kind: "api_key", keyId: userKey.id }, () => s.createGroup("By a user's key"));
        s.asActor({ kind: "api_key", keyId: apiKey?.id as string }, () =>
          s.addProjectUser(
            p,
            s.userIds().find((id) => !s.isProjectMember(p, id)) as string,
            "member",
          ),
        );
        s.asActor({ kind: "api_key", keyId: adminKey.id }, () => {
          s.createGroup("By an admin key");
          s.renameProject(p, "Renamed by an admin key");
        });
        s.createGroup("By the reader again");
      });
    });
    expect(events.map((e) => e.actor)).toEqual([
      {
        type: "session",
        session: { user: { id: reader.id, email: reader.email }, ip_address: "198.51.100.7" },
      },
      { type: "api_key", api_key: { id: userKey.id, type: "user", user: userRef(s, member) } },
      {
        type: "api_key",
        api_key: {
          id: apiKey?.id,
          type: "service_account",
          service_account: { id: serviceAccount.id },
        },
      },
      httpActorOf(s, adminKey.id),
      httpActorOf(s, adminKey.id),
      {
        type: "session",
        session: { user: { id: reader.id, email: reader.email }, ip_address: "198.51.100.7" },
      },
    ]);
    // Only an admin key's unscoped actions land in the Default project.
    expect(events.map((e) => e.project?.id ?? null)).toEqual([
      null,
      null,
      p,
      s.defaultProjectId,
      s.defaultProjectId,
      null,
    ]);
    expect(s.auditActor()).toEqual(consoleActor(s));
    expect(() => s.asActor({ kind: "session", userId: "user_nobody" }, () => 1)).toThrow(
      StateError,
    );
    expect(() => s.asActor({ kind: "api_key", keyId: "key_nope" }, () => 1)).toThrow(StateError);
  });

  it("SCIM: provisioning records user.added/user.deleted with actor null and source scim; membership nothing", async () => {
    const scimGroup = s.groupSizes().find((g) => g.isScimManaged)?.id as string;
    let uid = "";
    const events = await recorded(s, () =>
      s.asActor({ kind: "scim" }, () => {
        uid = s.createUser({
          name: "Provisioned Person",
          email: "provisioned@example.com",
          isScimManaged: true,
        }).id;
        s.addMember(scimGroup, uid);
        s.removeMember(scimGroup, uid);
        s.removeUser(uid);
      }),
    );
    expect(summary(events)).toEqual([
      { type: "user.added", detail: { id: uid, data: { role: "reader" } }, project: null },
      { type: "user.deleted", detail: { id: uid }, project: null },
    ]);
    for (const e of events) {
      expect(e.actor).toBeNull();
      expect(e.source).toBe("scim");
    }
    const served = dataOf((await ok(sim, "GET", `${LOGS}?resource_ids[]=${uid}`)) as unknown);
    expect(served).toEqual([...events].reverse());
    expect(Object.keys(served[0] ?? {})).toEqual([
      "id",
      "type",
      "effective_at",
      "actor",
      "source",
      "user.deleted",
    ]);
  });

  it("a write through the API after the simulator's key is deleted still records its tracking id", async () => {
    const keyId = s.simulatorAdminKeyId() as string;
    const before = httpActor(s);
    await ok(sim, "DELETE", `/organization/admin_api_keys/${keyId}`);
    const [event] = await recorded(s, () =>
      ok(sim, "POST", "/organization/groups", { name: "After deletion" }),
    );
    expect(event?.actor).toEqual(before);
  });

  it("every mutation the fault injector makes records its event", () => {
    const expectations: Record<string, string[]> = {
      addMember: [],
      removeMember: [],
      createGroup: ["group.created"],
      deleteGroup: ["group.deleted"],
      assignGroupRole: ["role.assignment.created"],
      unassignGroupRole: ["role.assignment.deleted"],
      assignUserRole: ["role.assignment.created"],
      unassignUserRole: ["role.assignment.deleted"],
      addProjectUser: ["user.added"],
      removeProjectUser: ["user.deleted"],
      setProjectUserRole: ["user.updated"],
      attachProjectGroup: ["role.assignment.created"],
      assignProjectGroupRole: ["role.assignment.created"],
      unassignProjectGroupRole: ["role.assignment.deleted"],
      assignProjectUserRole: ["role.assignment.created"],
      unassignProjectUserRole: ["role.assignment.deleted"],
      createServiceAccount: ["service_account.created", "api_key.created"],
      deleteServiceAccount: ["service_account.deleted"],
      setServiceAccountRole: ["service_account.updated"],
      createUserApiKey: ["api_key.created"],
      deleteProjectApiKey: ["api_key.deleted"],
      createAdminApiKey: ["api_key.created"],
      deleteAdminApiKey: ["api_key.deleted"],
      createInvite: ["invite.sent"],
      deleteInvite: ["invite.deleted"],
    };
    const state = generateOrganization({ seed: 4, groups: 25, users: 150, credentialsNow: NOW });
    const seen = new Set<string>();
    const mutators = [
      (rng: Prng) => applyRandomMutation(state, rng),
      (rng: Prng) => applyRandomProjectMutation(state, rng),
      (rng: Prng) => applyRandomCredentialMutation(state, rng),
    ];
    mutators.forEach((mutate, m) => {
      const rng = new Prng(m + 1, "audit-mutations");
      for (let i = 0; i < 400; i++) {
        const before = state.auditEventCount();
        const description = mutate(rng);
        const added = state.auditEventCount() - before;
        const events = added === 0 ? [] : state.pageAuditEvents({ limit: added }).items.reverse();
        const kind = description?.split(" ")[0] ?? "none";
        seen.add(kind);
        const types = events.map((e) => e.type);
        if (kind === "none") expect(types).toEqual([]);
        else if (kind === "detachProjectGroup") {
          expect(types.length).toBeGreaterThan(0);
          expect(new Set(types)).toEqual(new Set(["role.assignment.deleted"]));
        } else if (kind === "acceptInvite") {
          expect(types[0]).toBe("invite.accepted");
          expect(types.slice(1).every((t) => t === "user.added")).toBe(true);
        } else {
          expect(types, description).toEqual(expectations[kind]);
        }
      }
    });
    // Every kind of change happened at least once.
    for (const kind of [...Object.keys(expectations), "detachProjectGroup", "acceptInvite"]) {
      expect(seen, kind).toContain(kind);
    }
  });
});

function httpActorOf(state: OrgState, adminKeyId: string) {
  const owner = state.getAdminApiKey(adminKeyId)?.owner.id as string;
  return {
    type: "api_key",
    api_key: { id: adminKeyId, type: "user", user: userRef(state, owner) },
  };
}

// ---------------------------------------------------------------- the route

interface Filter {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  projectIds?: string[];
  types?: string[];
  actorIds?: string[];
  actorEmails?: string[];
  resourceIds?: string[];
  tenantOnly?: boolean;
}

/** An independent reading of the filters, over the state's full list. */
function oracle(state: OrgState, f: Filter): AuditLogWire[] {
  return state.listAuditEvents().filter((e) => {
    const t = e.effective_at;
    if (f.gt !== undefined && !(t > f.gt)) return false;
    if (f.gte !== undefined && !(t >= f.gte)) return false;
    if (f.lt !== undefined && !(t < f.lt)) return false;
    if (f.lte !== undefined && !(t <= f.lte)) return false;
    const tenant =
      e.type.startsWith("tenant.") ||
      e.type.startsWith("role.bound") ||
      e.type.startsWith("role.unbound");
    if (tenant !== (f.tenantOnly === true)) return false;
    if (f.types && !f.types.includes(e.type)) return false;
    if (f.projectIds && !f.projectIds.includes(e.project?.id ?? "")) return false;
    const a = e.actor;
    const ids: string[] = [];
    const emails: string[] = [];
    if (a?.type === "session") {
      ids.push(a.session.user.id);
      if (a.session.user.email) emails.push(a.session.user.email.toLowerCase());
    } else if (a?.type === "api_key") {
      ids.push(a.api_key.id);
      if (a.api_key.user) ids.push(a.api_key.user.id);
      if (a.api_key.user?.email) emails.push(a.api_key.user.email.toLowerCase());
      if (a.api_key.service_account) ids.push(a.api_key.service_account.id);
    }
    if (f.actorIds && !ids.some((id) => f.actorIds?.includes(id))) return false;
    if (
      f.actorEmails &&
      !emails.some((m) => f.actorEmails?.map((x) => x.toLowerCase()).includes(m))
    )
      return false;
    if (f.resourceIds) {
      const d = obj(e[e.type]);
      const targets = [d.id];
      if (e.type.startsWith("role.assignment.")) targets.push(d.principal_id, d.resource_id);
      if (!targets.some((x) => typeof x === "string" && f.resourceIds?.includes(x))) return false;
    }
    return true;
  });
}

/** Pages a query to its end with `after`, checking each envelope. */
async function pageAll(
  sim: RunningSimulator,
  query: string,
  limit = 100,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | undefined;
  let pages = 0;
  for (;;) {
    const res = await call(
      sim,
      "GET",
      `${LOGS}?${query}${query === "" ? "" : "&"}limit=${limit}${after === undefined ? "" : `&after=${after}`}`,
    );
    expect(res.status, res.text).toBe(200);
    const body = obj(res.json);
    const data = dataOf(body);
    pages++;
    expect(data.length).toBeLessThanOrEqual(limit);
    expect(body.first_id).toBe(data[0]?.id ?? null);
    expect(body.last_id).toBe(data[data.length - 1]?.id ?? null);
    ids.push(...data.map((e) => e.id as string));
    if (body.has_more !== true) break;
    expect(data).toHaveLength(limit);
    after = body.last_id as string;
    if (pages > 1000) throw new Error("runaway paging");
  }
  return { ids, pages };
}

describe("GET /organization/audit_logs", () => {
  let sim: RunningSimulator;
  let s: OrgState;
  let ctx: {
    project: string;
    otherProject: string;
    group: string;
    owner: { id: string; email: string };
    saKey: string;
    sa: string;
    adminKey: string;
    tenant: AuditLogWire;
  };

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 5, groups: 15, users: 90, credentialsNow: NOW });
    s = sim.state;
    const projects = s.activeProjectIds().filter((x) => !s.isDefaultProject(x));
    const [project, otherProject] = projects as [string, string];
    const owner = s.listUsers().find((u) => u.role === "owner" && u.email !== null) as {
      id: string;
      email: string;
    };
    const group = s.groupIds()[0] as string;
    // A varied log: the fault injector's changes, plus every actor kind and an HTTP write.
    const rng = new Prng(77, "route-log");
    for (let i = 0; s.auditEventCount() < 240 && i < 5_000; i++) {
      applyRandomMutation(s, rng, group, i % 3 === 0 ? project : undefined, { credentials: true });
    }
    const { serviceAccount, apiKey } = s.createServiceAccount(project, "Route SA");
    const adminKey = s.createAdminApiKey("Route admin").id;
    s.asActor({ kind: "api_key", keyId: apiKey?.id as string }, () =>
      s.addProjectUser(
        project,
        s.userIds().find((u) => !s.isProjectMember(project, u)) as string,
        "member",
      ),
    );
    s.asActor({ kind: "api_key", keyId: adminKey }, () => s.renameGroup(group, "Renamed by key"));
    s.asActor({ kind: "scim" }, () => s.createUser({ name: "Scim", email: "scim@example.com" }));
    await ok(sim, "POST", `/organization/projects/${otherProject}/users`, {
      user_id: s.userIds().find((u) => !s.isProjectMember(otherProject, u)),
      role: "member",
    });
    for (let i = 0; i < 20; i++) s.renameGroup(group, `Group name ${i}`);
    const tenant = s.recordAuditEvent({ type: "tenant.group.member.added", detail: {} });
    ctx = {
      project,
      otherProject,
      group,
      owner,
      saKey: apiKey?.id as string,
      sa: serviceAccount.id,
      adminKey,
      tenant,
    };
    expect(s.auditEventCount()).toBeGreaterThan(250);
  });

  afterAll(async () => {
    await sim.stop();
  });

  it("pages every event once, newest first, with real first_id/last_id, through after (limit 100)", async () => {
    const all = oracle(s, {});
    expect(all.length).toBeGreaterThan(250);
    const { ids, pages } = await pageAll(sim, "");
    expect(ids).toEqual(all.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBe(Math.ceil(all.length / 100));
    const times = all.map((e) => e.effective_at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Default page: 20, has_more.
    const first = obj((await call(sim, "GET", LOGS)).json);
    expect(dataOf(first)).toHaveLength(20);
    expect(first.has_more).toBe(true);
    expect(dataOf(first)).toEqual(all.slice(0, 20));
  });

  it("before: the page just newer than a cursor; with after: the window between; unknown cursors end the list", async () => {
    const all = oracle(s, {}).map((e) => e.id);
    const page = async (q: string) => {
      const res = await call(sim, "GET", `${LOGS}?${q}`);
      expect(res.status, res.text).toBe(200);
      return obj(res.json);
    };
    const second = await page(`limit=100&after=${all[99]}`);
    expect(dataOf(second).map((e) => e.id)).toEqual(all.slice(100, 200));
    const back = await page(`limit=100&before=${second.first_id}`);
    expect(dataOf(back).map((e) => e.id)).toEqual(all.slice(0, 100));
    expect(back.has_more).toBe(false);
    const near = await page(`limit=5&before=${all[100]}`);
    expect(dataOf(near).map((e) => e.id)).toEqual(all.slice(95, 100));
    expect(near.has_more).toBe(true);
    const top = await page(`limit=5&before=${all[0]}`);
    expect(top).toEqual({
      object: "list",
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
    const window = await page(`limit=100&after=${all[9]}&before=${all[20]}`);
    expect(dataOf(window).map((e) => e.id)).toEqual(all.slice(10, 20));
    expect(window.has_more).toBe(false);
    const windowed = await page(`limit=4&after=${all[9]}&before=${all[20]}`);
    expect(dataOf(windowed).map((e) => e.id)).toEqual(all.slice(10, 14));
    expect(windowed.has_more).toBe(true);
    for (const bad of [
      "audit_log-0000000000000000_20260101",
      "nope",
      (all[5] as string).replace(/_\d{8}$/, "_19990101"),
    ]) {
      for (const key of ["after", "before"]) {
        const res = await page(`${key}=${encodeURIComponent(bad)}`);
        expect(res).toEqual({
          object: "list",
          data: [],
          first_id: null,
          last_id: null,
          has_more: false,
        });
      }
    }
  });

  it("filters by time (bracket, percent-encoded, bare), project, type, actor id and email, resource, and all at once", async () => {
    const all = oracle(s, {});
    const mid = all[Math.floor(all.length / 2)]?.effective_at as number;
    const late = all[30]?.effective_at as number;
    const roleAssigned = all.find((e) => e.type === "role.assignment.created");
    const principal = obj(roleAssigned?.["role.assignment.created"]).principal_id as string;
    const cases: Array<[string, Filter]> = [
      [`effective_at[gte]=${mid}`, { gte: mid }],
      [`effective_at%5Bgt%5D=${mid}`, { gt: mid }],
      [`effective_at[lt]=${mid}`, { lt: mid }],
      [`effective_at[lte]=${mid}&effective_at[gt]=${mid - 300}`, { lte: mid, gt: mid - 300 }],
      [`gte=${mid}&lt=${late}`, { gte: mid, lt: late }],
      [
        `project_ids[]=${ctx.project}&project_ids[]=${ctx.otherProject}`,
        { projectIds: [ctx.project, ctx.otherProject] },
      ],
      [`project_ids=${ctx.project}`, { projectIds: [ctx.project] }],
      [`project_ids%5B%5D=${s.defaultProjectId}`, { projectIds: [s.defaultProjectId as string] }],
      [
        "event_types[]=group.updated&event_types[]=user.added",
        { types: ["group.updated", "user.added"] },
      ],
      [
        "event_types=group.updated&event_types=user.added",
        { types: ["group.updated", "user.added"] },
      ],
      ["event_types%5B%5D=role.assignment.created", { types: ["role.assignment.created"] }],
      [`actor_ids[]=${ctx.owner.id}`, { actorIds: [ctx.owner.id] }],
      [`actor_ids[]=${ctx.sa}`, { actorIds: [ctx.sa] }],
      [
        `actor_ids[]=${ctx.saKey}&actor_ids[]=${ctx.adminKey}`,
        { actorIds: [ctx.saKey, ctx.adminKey] },
      ],
      [`actor_ids[]=${s.simulatorAdminKeyId()}`, { actorIds: [s.simulatorAdminKeyId() as string] }],
      [
        `actor_emails[]=${encodeURIComponent(ctx.owner.email.toUpperCase())}`,
        { actorEmails: [ctx.owner.email] },
      ],
      [`resource_ids[]=${ctx.group}`, { resourceIds: [ctx.group] }],
      [`resource_ids[]=${s.organizationId}`, { resourceIds: [s.organizationId] }],
      [`resource_ids[]=${principal}`, { resourceIds: [principal] }],
      [`resource_ids[]=${ctx.project}`, { resourceIds: [ctx.project] }],
      [
        `effective_at[gte]=${mid}&event_types[]=group.updated&event_types[]=role.assignment.created&actor_ids[]=${ctx.owner.id}&unknown=1`,
        { gte: mid, types: ["group.updated", "role.assignment.created"], actorIds: [ctx.owner.id] },
      ],
      [
        `project_ids[]=${ctx.project}&resource_ids[]=${ctx.project}`,
        { projectIds: [ctx.project], resourceIds: [ctx.project] },
      ],
    ];
    for (const [query, filter] of cases) {
      const expected = oracle(s, filter).map((e) => e.id);
      const { ids } = await pageAll(sim, query, 37);
      expect(ids, query).toEqual(expected);
    }
    // The cases are not vacuous.
    expect(oracle(s, { actorIds: [ctx.sa] }).length).toBeGreaterThan(0);
    expect(oracle(s, { actorIds: [ctx.adminKey] }).length).toBeGreaterThan(0);
    expect(oracle(s, { resourceIds: [s.organizationId] }).length).toBeGreaterThan(0);
    expect(oracle(s, { actorIds: [s.simulatorAdminKeyId() as string] }).length).toBe(1);
    expect(
      oracle(s, {
        gte: mid,
        types: ["group.updated", "role.assignment.created"],
        actorIds: [ctx.owner.id],
      }).length,
    ).toBeGreaterThan(0);
  });

  it("tenant_only: only tenant-scoped events (never listed otherwise); a non-tenant event type is a 400", async () => {
    const tenant = dataOf((await ok(sim, "GET", `${LOGS}?tenant_only=true`)) as unknown);
    expect(tenant).toEqual([ctx.tenant]);
    const typed = dataOf(
      (await ok(
        sim,
        "GET",
        `${LOGS}?tenant_only=TRUE&event_types[]=tenant.group.member.added`,
      )) as unknown,
    );
    expect(typed).toEqual([ctx.tenant]);
    const { ids } = await pageAll(sim, "tenant_only=false");
    expect(ids).not.toContain(ctx.tenant.id);
    expect(await pageAll(sim, "event_types[]=tenant.group.member.added")).toEqual({
      ids: [],
      pages: 1,
    });
    const bad = await call(
      sim,
      "GET",
      `${LOGS}?tenant_only=true&event_types[]=tenant.group.member.added&event_types[]=group.created`,
    );
    expect(bad.status).toBe(400);
    expect(obj(obj(bad.json).error)).toMatchObject({
      type: "invalid_request_error",
      param: "event_types",
    });
    const fresh = await startSimulator({ port: 0, seed: 2, groups: 5, users: 30 });
    try {
      fresh.state.createGroup("x");
      const none = obj((await call(fresh, "GET", `${LOGS}?tenant_only=true`)).json);
      expect(none).toEqual({
        object: "list",
        data: [],
        first_id: null,
        last_id: null,
        has_more: false,
      });
    } finally {
      await fresh.stop();
    }
  });

  it("limit: 1..100, default 20; out of range or not an integer is a 400 like the other lists", async () => {
    expect(dataOf((await ok(sim, "GET", `${LOGS}?limit=1`)) as unknown)).toHaveLength(1);
    expect(dataOf((await ok(sim, "GET", `${LOGS}?limit=100`)) as unknown)).toHaveLength(100);
    expect(dataOf((await ok(sim, "GET", `${LOGS}?limit=0`)) as unknown)).toHaveLength(20); // limitZero quirk default
    for (const [limit, code] of [
      ["101", "integer_above_max_value"],
      ["-1", "integer_below_min_value"],
      ["ten", "invalid_type"],
    ]) {
      const res = await call(sim, "GET", `${LOGS}?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(obj(obj(res.json).error)).toMatchObject({ param: "limit", code });
    }
    for (const [query, param] of [
      ["effective_at[gte]=1.5", "effective_at[gte]"],
      ["event_types[]=group.exploded", "event_types"],
      ["tenant_only=yes", "tenant_only"],
    ]) {
      const res = await call(sim, "GET", `${LOGS}?${query}`);
      expect(res.status, query).toBe(400);
      expect(obj(obj(res.json).error).param).toBe(param);
    }
  });

  it("a late event appears at its sorted place: first among its second, after every newer one", async () => {
    const before = oracle(s, {});
    const anchor = before[120] as AuditLogWire;
    const t = anchor.effective_at;
    const firstOfSecond = before.findIndex((e) => e.effective_at === t);
    const late = s.recordAuditEvent({
      type: "api_key.deleted",
      effective_at: t,
      actor: { kind: "session", userId: ctx.owner.id },
      project: ctx.project,
      detail: { id: "key_late" },
    });
    expect(late).toMatchObject({
      type: "api_key.deleted",
      effective_at: t,
      project: { id: ctx.project },
    });
    const { ids } = await pageAll(sim, "");
    expect(ids.indexOf(late.id)).toBe(firstOfSecond);
    expect(ids.filter((id) => id !== late.id)).toEqual(before.map((e) => e.id));
    // An incremental read from just before its second finds it; one after it does not.
    const since = dataOf(
      (await ok(sim, "GET", `${LOGS}?effective_at[gte]=${t}&resource_ids[]=key_late`)) as unknown,
    );
    expect(since.map((e) => e.id)).toEqual([late.id]);
    expect(
      dataOf(
        (await ok(sim, "GET", `${LOGS}?effective_at[gt]=${t}&resource_ids[]=key_late`)) as unknown,
      ),
    ).toEqual([]);
    // Older than everything: last. Later changes are still newest.
    const oldest = s.recordAuditEvent({
      type: "login.succeeded",
      effective_at: NOW - 400 * DAY,
      actor: null,
      project: null,
    });
    expect(oldest).toEqual({
      id: oldest.id,
      type: "login.succeeded",
      effective_at: NOW - 400 * DAY,
      actor: null,
      "login.succeeded": {},
    });
    const [next] = await recorded(s, () => s.createGroup("After the late ones"));
    const final = (await pageAll(sim, "")).ids;
    expect(final[final.length - 1]).toBe(oldest.id);
    expect(final[0]).toBe(next?.id);
    expect(s.getAuditEvent(late.id)).toEqual(late);
    expect(() => s.recordAuditEvent({ type: "login.succeeded", effective_at: 1.5 })).toThrow(
      StateError,
    );
    expect(() => s.recordAuditEvent({ type: "no.such" as never })).toThrow(StateError);
  });

  it("modes: disabled answers 400 audit_logging_disabled and records nothing; forbidden answers 403 and records", async () => {
    const count = s.auditEventCount();
    sim.setAuditLogMode("disabled");
    const disabled = await call(sim, "GET", `${LOGS}?limit=5`);
    expect(disabled.status).toBe(400);
    expect(disabled.json).toEqual({
      error: {
        message: AUDIT_LOGGING_DISABLED_MESSAGE,
        type: "invalid_request_error",
        param: null,
        code: "audit_logging_disabled",
      },
    });
    expect(AUDIT_LOGGING_DISABLED_MESSAGE).toBe(
      "Audit logging is not enabled for this organization. An Owner can turn it on under Organization settings → Data controls → Data retention → Audit logging.",
    );
    const hidden = (await ok(sim, "POST", "/organization/groups", { name: "While disabled" }))
      .id as string;
    s.createGroup("Console, while disabled");
    expect(s.auditEventCount()).toBe(count);

    sim.setAuditLogMode("forbidden");
    const forbidden = await call(sim, "GET", LOGS);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json).toEqual({
      error: {
        message:
          "You have insufficient permissions for this operation. Missing scopes: api.audit_logs.read.",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
    expect(AUDIT_LOGS_FORBIDDEN_MESSAGE).toBe(obj(obj(forbidden.json).error).message);
    const seen = (await ok(sim, "POST", "/organization/groups", { name: "While forbidden" }))
      .id as string;

    sim.setAuditLogMode("enabled");
    expect(s.auditLogMode).toBe("enabled");
    const listed = dataOf(
      (await ok(sim, "GET", `${LOGS}?event_types[]=group.created&limit=100`)) as unknown,
    );
    const targets = listed.map((e) => obj(e["group.created"]).id);
    expect(targets).toContain(seen);
    expect(targets).not.toContain(hidden);
    expect(() => s.setAuditLogMode("off" as never)).toThrow(StateError);

    const off = await startSimulator({
      port: 0,
      seed: 2,
      groups: 5,
      users: 30,
      auditLog: "disabled",
    });
    try {
      expect((await call(off, "GET", LOGS)).status).toBe(400);
      off.state.createGroup("unrecorded");
      expect(off.state.auditEventCount()).toBe(0);
      off.setAuditLogMode("enabled");
      off.state.createGroup("recorded");
      expect(dataOf((await call(off, "GET", LOGS)).json).map((e) => e.type)).toEqual([
        "group.created",
      ]);
    } finally {
      await off.stop();
    }
  });
});

describe("the audit clock", () => {
  it("is logical with a fixed credentialsNow, follows the wall clock without one, never goes back", async () => {
    const fixed = generateOrganization({ seed: 6, groups: 5, users: 30, credentialsNow: NOW });
    const [first] = await recorded(fixed, () => fixed.createGroup("a"));
    expect(first?.effective_at).toBe(NOW);
    // A clock source moves it forward; removing it never moves it back.
    fixed.setAuditClock(() => NOW + 1_000);
    const [ahead] = await recorded(fixed, () => fixed.createGroup("b"));
    expect(ahead?.effective_at).toBe(NOW + 1_000);
    fixed.setAuditClock(undefined);
    const [after] = await recorded(fixed, () => fixed.createGroup("c"));
    expect(after?.effective_at).toBeGreaterThanOrEqual(NOW + 1_000);
    expect(after?.effective_at).toBeLessThanOrEqual(NOW + 1_002);

    const wall = await startSimulator({ port: 0, seed: 6, groups: 5, users: 30 });
    try {
      // Time passes after the start: a change is still dated now, not at the start.
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const before = Math.floor(Date.now() / 1000);
      const events = await recorded(wall.state, async () => {
        await ok(wall, "POST", "/organization/groups", { name: "Now" });
        wall.state.createGroup("Also now");
      });
      const end = Math.ceil(Date.now() / 1000) + 2;
      for (const e of events) {
        expect(e.effective_at).toBeGreaterThanOrEqual(before);
        expect(e.effective_at).toBeLessThanOrEqual(end + 2);
      }
    } finally {
      await wall.stop();
    }
  });
});

// ---------------------------------------------------------------- history

describe("seeded history", () => {
  it("a million events seed in seconds, compactly, and serve by time (figures printed, not asserted)", async () => {
    const state = generateOrganization({ seed: 8, groups: 40, users: 400, credentialsNow: NOW });
    const fingerprint = state.fingerprint();
    const m0 = process.memoryUsage();
    const t0 = performance.now();
    state.seedAuditHistory(1_000_000);
    const seconds = (performance.now() - t0) / 1000;
    const m1 = process.memoryUsage();
    const mb = (m1.heapUsed + m1.arrayBuffers - m0.heapUsed - m0.arrayBuffers) / 1e6;
    console.log(
      `[audit-log] 1,000,000 events seeded in ${seconds.toFixed(2)} s, +${mb.toFixed(1)} MB (heap + array buffers)`,
    );
    expect(state.auditEventCount()).toBe(1_000_000);
    expect(state.fingerprint()).toBe(fingerprint);

    const sim = await startSimulator({ port: 0, seed: 8, state });
    try {
      const newest = obj((await call(sim, "GET", `${LOGS}?limit=100`)).json);
      const data = dataOf(newest);
      expect(newest.has_more).toBe(true);
      expect(data[0]?.effective_at as number).toBeLessThan(NOW);
      expect(new Set(data.map((e) => e.type)).size).toBeGreaterThan(8);
      // One day, 90 days ago: found by binary search, paged completely.
      const from = NOW - 90 * DAY;
      const query = `effective_at[gte]=${from}&effective_at[lt]=${from + DAY}`;
      const t1 = performance.now();
      const { ids } = await pageAll(sim, query);
      const pagedMs = performance.now() - t1;
      const expected = state.pageAuditEvents({
        effectiveAt: { gte: from, lt: from + DAY },
        limit: 100_000,
      });
      expect(ids).toEqual(expected.items.map((e) => e.id));
      expect(ids.length).toBeGreaterThan(3_000);
      console.log(`[audit-log] one day of ${ids.length} events paged in ${pagedMs.toFixed(0)} ms`);
      // The oldest: within 180 days.
      const oldest = state.pageAuditEvents({
        effectiveAt: { lt: NOW - 179 * DAY },
        limit: 100_000,
      }).items;
      expect(oldest.every((e) => e.effective_at >= NOW - 180 * DAY)).toBe(true);
      // Actors: people, admin keys, service accounts' keys and SCIM; never the simulator's key.
      const sample = state.pageAuditEvents({ limit: 5_000 }).items;
      const kinds = new Set(
        sample.map((e) =>
          e.actor === null ? "scim" : e.actor.type === "session" ? "session" : e.actor.api_key.type,
        ),
      );
      expect([...kinds].sort()).toEqual(["scim", "service_account", "session", "user"]);
      // Every detail is the type's own; a detail id finds its event again (a full scan).
      for (const e of sample) {
        const d = obj(e[e.type]);
        if (e.type === "login.succeeded" || e.type === "logout.succeeded") expect(d).toEqual({});
        else if (e.type === "login.failed") expect(typeof d.error_code).toBe("string");
        else expect(typeof d.id, e.type).toBe("string");
        if (e.type.startsWith("role.assignment.")) {
          expect(Object.keys(d).sort()).toEqual([
            "id",
            "principal_id",
            "principal_type",
            "resource_id",
            "resource_type",
          ]);
        }
      }
      const target = sample.find((e) => e.type === "api_key.created") as AuditLogWire;
      const keyId = obj(target["api_key.created"]).id as string;
      const found = dataOf(obj((await call(sim, "GET", `${LOGS}?resource_ids[]=${keyId}`)).json));
      expect(found.map((e) => e.id)).toEqual([target.id]);
      expect(found[0]).toEqual(target);
      const simKey = state.simulatorAdminKeyId();
      expect(sample.some((e) => e.actor?.type === "api_key" && e.actor.api_key.id === simKey)).toBe(
        false,
      );
      // A live change after the history is the newest event.
      const [live] = await recorded(state, () =>
        ok(sim, "POST", "/organization/groups", { name: "Live" }),
      );
      expect(live?.effective_at).toBeGreaterThanOrEqual(NOW);
      expect(dataOf(obj((await call(sim, "GET", `${LOGS}?limit=1`)).json))[0]?.id).toBe(live?.id);
    } finally {
      await sim.stop();
    }
  });

  it("is deterministic, moves no existing id, and recording never moves the ids changes hand out", () => {
    const make = (auditEvents?: number) =>
      generateOrganization({
        seed: 12,
        groups: 20,
        users: 120,
        credentialsNow: NOW,
        ...(auditEvents ? { auditEvents } : {}),
      });
    const a = make(5_000);
    const b = make(5_000);
    const plain = make();
    expect(a.listAuditEvents()).toEqual(b.listAuditEvents());
    expect(a.fingerprint()).toBe(plain.fingerprint());
    // The same changes with logging on and off produce the same organization.
    plain.setAuditLogMode("disabled");
    for (const state of [a, plain]) {
      const rng = new Prng(3, "same-changes");
      for (let i = 0; i < 300; i++) {
        applyRandomMutation(state, rng, undefined, undefined, { credentials: true });
      }
    }
    expect(a.fingerprint()).toBe(plain.fingerprint());
    expect(a.auditEventCount()).toBeGreaterThan(5_000);
    expect(plain.auditEventCount()).toBe(0);
    expect(() => a.seedAuditHistory(10)).toThrow(StateError);
  });
});
