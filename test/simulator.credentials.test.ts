/**
 * Credentials over real HTTP (../shared/docs/openai-admin-api-projects.md §8-11, §13): project
 * service accounts, project API keys, admin API keys and invites page completely and exactly as
 * the state holds them, writes are stateful, errors are the documented ones, secrets appear only
 * in create responses, and the default organization holds every case an access audit must find.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AdminApiKeyWire,
  applyRandomCredentialMutation,
  Prng,
  type ProjectApiKeyWire,
  type RunningSimulator,
  redactKey,
  startSimulator,
} from "../src/simulator/index.js";
import { call, dataOf, obj, type RawResponse } from "./support/simulator-http.js";

const DAY = 86_400;

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 }); // the defaults: seed 42, 50 groups, 500 users
});

afterAll(async () => {
  await sim.stop();
});

/** Every page of a legacy list, following `after` = `last_id`; the pages' raw texts too. */
async function pageAll(
  path: string,
  limit: number,
  cursor: "last_id" | "last_item" = "last_id",
): Promise<{ items: Array<Record<string, unknown>>; texts: string[]; pages: number }> {
  const items: Array<Record<string, unknown>> = [];
  const texts: string[] = [];
  let after: string | undefined;
  for (let pages = 1; pages < 1000; pages++) {
    const sep = path.includes("?") ? "&" : "?";
    const res = await call(
      sim,
      "GET",
      `${path}${sep}limit=${limit}${after === undefined ? "" : `&after=${after}`}`,
    );
    expect(res.status, res.text).toBe(200);
    texts.push(res.text);
    const body = obj(res.json);
    const data = dataOf(body);
    expect(Object.keys(body).sort()).toEqual(["data", "first_id", "has_more", "last_id", "object"]);
    expect(body.first_id).toBe(data[0]?.id ?? null);
    expect(body.last_id).toBe(data.at(-1)?.id ?? null);
    expect(data.length).toBeLessThanOrEqual(limit);
    items.push(...data);
    if (body.has_more !== true) return { items, texts, pages };
    after = cursor === "last_id" ? (body.last_id as string) : (data.at(-1)?.id as string);
  }
  throw new Error("did not end");
}

function expectError(res: RawResponse, status: number, param: string | null = null) {
  expect(res.status, res.text).toBe(status);
  const error = obj(obj(res.json).error);
  expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(error.param).toBe(param);
  return error;
}

const keysPath = (p: string) => `/organization/projects/${p}/api_keys`;
const saPath = (p: string) => `/organization/projects/${p}/service_accounts`;

describe("the default organization holds the cases an audit must find", () => {
  it("project keys: used today, unused for a year, never used, old, inactive owners", () => {
    const s = sim.state;
    const now = s.credentialsNow;
    expect(now).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 120);
    const projects = s.credentialProjectIds();
    const keys = projects.flatMap((p) => s.listProjectApiKeys(p).map((k) => ({ p, k })));
    expect(keys.length).toBe(s.credentialCounts().apiKeys);
    expect(keys.some(({ k }) => k.last_used_at !== null && k.last_used_at >= now - DAY)).toBe(true);
    expect(keys.some(({ k }) => k.last_used_at !== null && k.last_used_at < now - 365 * DAY)).toBe(
      true,
    );
    expect(keys.some(({ k }) => k.last_used_at === null)).toBe(true);
    expect(keys.some(({ k }) => k.created_at < now - 365 * DAY)).toBe(true);
    for (const { k } of keys) {
      expect(k.created_at).toBeLessThanOrEqual(now);
      if (k.last_used_at !== null) expect(k.last_used_at).toBeGreaterThanOrEqual(k.created_at);
    }
    const inactive = keys.filter(({ k }) => k.owner_project_access === "inactive");
    const owner = (k: ProjectApiKeyWire) => (k.owner.type === "user" ? k.owner.user.id : "");
    // Left the project: still in the organization, not a member.
    expect(
      inactive.some(
        ({ p, k }) => s.getUser(owner(k)) !== undefined && !s.isProjectMember(p, owner(k)),
      ),
    ).toBe(true);
    // Left the organization.
    expect(
      inactive.some(({ k }) => k.owner.type === "user" && s.getUser(owner(k)) === undefined),
    ).toBe(true);
    // Service accounts with role owner; service-account keys.
    const sas = projects.flatMap((p) => s.listServiceAccounts(p));
    expect(sas.some((sa) => sa.role === "owner")).toBe(true);
    expect(keys.some(({ k }) => k.owner.type === "service_account")).toBe(true);
    // A project owned only by service-account users: that automation holds a key.
    const saOwned = projects.filter((p) => {
      const owners = s.listProjectUsers(p).filter((u) => u.role === "owner");
      return owners.length > 0 && owners.every((u) => s.getUser(u.id)?.is_service_account);
    });
    expect(saOwned.length).toBeGreaterThan(0);
    for (const p of saOwned) {
      const ownerIds = s
        .listProjectUsers(p)
        .filter((u) => u.role === "owner")
        .map((u) => u.id);
      expect(s.listProjectApiKeys(p).some((k) => ownerIds.includes(owner(k)))).toBe(true);
    }
    // Archived projects have no credentials.
    for (const p of s.listProjects({ includeArchived: true })) {
      if (p.status === "archived") expect(s.listProjectApiKeys(p.id)).toEqual([]);
    }
  });

  it("admin keys: the simulator's own, no expiry, stale, never used, ex-Owner, departed, service account", () => {
    const s = sim.state;
    const now = s.credentialsNow;
    const keys = s.listAdminApiKeys();
    expect(keys).toHaveLength(6); // five generated plus the simulator's own
    const own = keys.find((k) => k.redacted_value === redactKey(sim.adminKey)) as AdminApiKeyWire;
    expect(own).toBeDefined();
    expect(own.id).toBe(s.simulatorAdminKeyId());
    expect(own.redacted_value).toMatch(/^sk-admin\.\.\./);
    expect(sim.adminKey.endsWith(own.redacted_value.slice(-4))).toBe(true);
    expect(own.owner).toMatchObject({ type: "user", object: "organization.user", role: "owner" });
    expect(s.getUser(own.owner.id)?.role).toBe("owner");
    expect(keys.some((k) => k.expires_at === null)).toBe(true);
    expect(keys.some((k) => k.last_used_at !== null && k.last_used_at < now - 90 * DAY)).toBe(true);
    expect(keys.some((k) => k.last_used_at === null)).toBe(true);
    const users = keys.filter((k) => k.owner.type === "user");
    expect(users.some((k) => s.getUser(k.owner.id)?.role === "reader")).toBe(true);
    expect(users.some((k) => s.getUser(k.owner.id) === undefined)).toBe(true);
    const sa = keys.find((k) => k.owner.type === "service_account");
    expect(sa?.owner.object).toBe("organization.service_account");
    expect(s.getUser(sa?.owner.id as string)?.is_service_account).toBe(true);
  });

  it("invites: pending for weeks with role owner, accepted, expired", () => {
    const s = sim.state;
    const now = s.credentialsNow;
    const invites = s.listInvites();
    expect(invites).toHaveLength(13);
    expect(
      invites.some(
        (i) => i.status === "pending" && i.role === "owner" && i.created_at < now - 14 * DAY,
      ),
    ).toBe(true);
    const accepted = invites.filter((i) => i.status === "accepted");
    expect(accepted.length).toBeGreaterThan(0);
    for (const i of accepted) expect(i.accepted_at).not.toBeNull();
    expect(invites.some((i) => i.status === "expired")).toBe(true);
    for (const i of invites) {
      if (i.status === "pending") expect(i.expires_at as number).toBeGreaterThan(now);
    }
  });
});

describe("lists page completely and exactly as the state holds them", () => {
  it("service accounts and project keys, in every filter; the default hides inactive owners", async () => {
    const s = sim.state;
    let multiPage = false;
    for (const p of s.activeProjectIds()) {
      const sas = await pageAll(saPath(p), 1);
      expect(sas.items).toEqual(s.listServiceAccounts(p));
      for (const access of ["any", "active", "inactive"] as const) {
        const listed = await pageAll(`${keysPath(p)}?owner_project_access=${access}`, 2);
        expect(listed.items).toEqual(s.listProjectApiKeys(p, access));
        if (listed.pages > 2) multiPage = true;
      }
      const byDefault = await pageAll(keysPath(p), 3);
      expect(byDefault.items).toEqual(s.listProjectApiKeys(p, "active"));
    }
    expect(multiPage).toBe(true);
    const all = s.activeProjectIds().flatMap((p) => s.listProjectApiKeys(p, "any"));
    const visible = s.activeProjectIds().flatMap((p) => s.listProjectApiKeys(p));
    expect(visible.length).toBe(all.length);
    const hidden = s
      .activeProjectIds()
      .flatMap((p) => s.listProjectApiKeys(p, "inactive"))
      .map((k) => k.id);
    expect(hidden.length).toBeGreaterThanOrEqual(2);

    // The visibility rule is a quirk: "any" hides nothing.
    const p = s.activeProjectIds().find((x) => s.listProjectApiKeys(x, "inactive").length > 0);
    sim.setQuirks({ apiKeysDefaultOwnerAccess: "any" });
    try {
      expect((await pageAll(keysPath(p as string), 100)).items).toEqual(
        s.listProjectApiKeys(p as string, "any"),
      );
    } finally {
      sim.setQuirks({ apiKeysDefaultOwnerAccess: "active" });
    }
    expectError(
      await call(sim, "GET", `${keysPath(p as string)}?owner_project_access=all`),
      400,
      "owner_project_access",
    );
    expectError(await call(sim, "GET", `${keysPath(p as string)}?limit=101`), 400, "limit");
  });

  it("admin keys in both orders, with after = the last item's id (CursorPage)", async () => {
    const s = sim.state;
    for (const order of ["asc", "desc"] as const) {
      const listed = await pageAll(`/organization/admin_api_keys?order=${order}`, 2, "last_item");
      expect(listed.items).toEqual(s.listAdminApiKeys(order));
      expect(listed.pages).toBe(3);
    }
    expect(s.listAdminApiKeys("desc")).toEqual([...s.listAdminApiKeys()].reverse());
    const asc = s.listAdminApiKeys().map((k) => k.created_at);
    expect(asc).toEqual([...asc].sort((a, b) => a - b)); // ordered by creation time
    const one = await call(sim, "GET", "/organization/admin_api_keys");
    expect(dataOf(one.json)).toEqual(s.listAdminApiKeys()); // default limit 20 covers them
    expect((await call(sim, "GET", "/organization/admin_api_keys?limit=100")).status).toBe(200);
    expectError(await call(sim, "GET", "/organization/admin_api_keys?order=up"), 400, "order");
    expectError(await call(sim, "GET", "/organization/admin_api_keys?limit=101"), 400, "limit");
  });

  it("invites", async () => {
    const listed = await pageAll("/organization/invites", 3);
    expect(listed.items).toEqual(sim.state.listInvites());
    expect(listed.pages).toBe(5);
  });
});

describe("writes are stateful; secrets only in create responses", () => {
  it("service accounts: create (with and without a key), retrieve, update, key create, delete", async () => {
    const s = sim.state;
    const p = s.activeProjectIds().find((x) => !s.isDefaultProject(x)) as string;
    const res = await call(sim, "POST", saPath(p), { body: { name: "Billing Bot" } });
    expect(res.status, res.text).toBe(200);
    const created = obj(res.json);
    expect(Object.keys(created).sort()).toEqual([
      "api_key",
      "created_at",
      "id",
      "name",
      "object",
      "role",
    ]);
    expect(created).toMatchObject({
      object: "organization.project.service_account",
      name: "Billing Bot",
      role: "member",
    });
    expect(created.created_at as number).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 60);
    const apiKey = obj(created.api_key);
    expect(apiKey.object).toBe("organization.project.service_account.api_key");
    const value = apiKey.value as string;
    expect(value).toMatch(/^sk-svcacct-SIMULATED-[A-Za-z0-9]{40}$/);
    const saId = created.id as string;
    expect(saId).toMatch(/^svc_acct_/);

    // The key is listed, redacted, owned by the service account; the value appears nowhere else.
    const listed = await pageAll(`${keysPath(p)}?owner_project_access=any`, 100);
    const key = listed.items.find((k) => k.id === apiKey.id) as ProjectApiKeyWire &
      Record<string, unknown>;
    expect(key).toMatchObject({
      redacted_value: redactKey(value),
      owner_project_access: "active",
      last_used_at: null,
      owner: {
        type: "service_account",
        service_account: { id: saId, name: "Billing Bot", role: "member" },
      },
    });
    expect(Object.keys(key.owner)).toEqual(["type", "service_account"]);
    const reads = [
      ...listed.texts,
      (await call(sim, "GET", `${keysPath(p)}/${apiKey.id}`)).text,
      (await call(sim, "GET", `${saPath(p)}/${saId}`)).text,
      ...(await pageAll(saPath(p), 100)).texts,
    ];
    for (const text of reads) {
      expect(text).not.toContain(value);
      expect(text).not.toContain('"value"');
    }

    const only = obj(
      (
        await call(sim, "POST", saPath(p), {
          body: { name: "Bare", create_service_account_only: true },
        })
      ).json,
    );
    expect(only).toMatchObject({ role: "none", api_key: null });

    const updated = await call(sim, "POST", `${saPath(p)}/${saId}`, {
      body: { name: "Billing Bot v2", role: "owner" },
    });
    expect(obj(updated.json)).toMatchObject({ id: saId, name: "Billing Bot v2", role: "owner" });
    expect(s.getServiceAccount(p, saId)?.role).toBe("owner");
    expectError(
      await call(sim, "POST", `${saPath(p)}/${saId}`, { body: { role: "none" } }),
      400,
      "role",
    );
    const second = obj(
      (
        await call(sim, "POST", `${saPath(p)}/${saId}/api_keys`, {
          body: { name: "Rotation", scopes: ["api.responses.write"] },
        })
      ).json,
    );
    expect(Object.keys(second).sort()).toEqual(["created_at", "id", "name", "object", "value"]);
    expect(second).toMatchObject({
      object: "organization.project.service_account.api_key",
      name: "Rotation",
    });
    expect(s.serviceAccountKeyIds(p, saId)).toEqual([apiKey.id, second.id].sort());

    // A service account's key cannot be deleted on its own: 400; deleting the account revokes both.
    expectError(await call(sim, "DELETE", `${keysPath(p)}/${apiKey.id}`), 400);
    const deleted = await call(sim, "DELETE", `${saPath(p)}/${saId}`);
    expect(deleted.json).toEqual({
      object: "organization.project.service_account.deleted",
      id: saId,
      deleted: true,
    });
    expect(s.getServiceAccount(p, saId)).toBeUndefined();
    for (const id of [apiKey.id, second.id]) {
      expect(s.getProjectApiKey(p, id as string)).toBeUndefined();
      expectError(await call(sim, "GET", `${keysPath(p)}/${id}`), 404);
    }
    expectError(await call(sim, "GET", `${saPath(p)}/${saId}`), 404);
  });

  it("user keys: retrieve, delete; removing the owner from the project or the organization makes them inactive", async () => {
    const s = sim.state;
    const p = s
      .activeProjectIds()
      .find((x) => !s.isDefaultProject(x) && s.projectMemberIds(x).length >= 2) as string;
    const [first, second] = s.projectMemberIds(p) as [string, string];
    const a = s.createUserApiKey(p, first, "Laptop");
    const b = s.createUserApiKey(p, second, "Server");
    expect(a.value).toMatch(/^sk-proj-SIMULATED-/);
    expect(a.redacted_value).toBe(redactKey(a.value));
    const { value: _a, ...wireA } = a;
    expect(obj((await call(sim, "GET", `${keysPath(p)}/${a.id}`)).json)).toEqual(wireA);
    const role = s.getProjectUser(p, first)?.role;
    expect(wireA.owner).toEqual({
      type: "user",
      user: expect.objectContaining({ id: first, role }),
    });

    s.removeProjectUser(p, first);
    s.removeUser(second);
    const visible = dataOf((await call(sim, "GET", `${keysPath(p)}?limit=100`)).json);
    expect(visible.map((k) => k.id)).not.toContain(a.id);
    expect(visible.map((k) => k.id)).not.toContain(b.id);
    const inactive = dataOf(
      (await call(sim, "GET", `${keysPath(p)}?limit=100&owner_project_access=inactive`)).json,
    );
    const gotA = inactive.find((k) => k.id === a.id) as unknown as ProjectApiKeyWire;
    const gotB = inactive.find((k) => k.id === b.id) as unknown as ProjectApiKeyWire;
    expect(gotA.owner_project_access).toBe("inactive");
    expect(gotB.owner_project_access).toBe("inactive");
    expect(gotA.owner).toEqual(wireA.owner); // the last project role stays
    expect(s.getUser(second)).toBeUndefined();

    // Deleting a user's key is stateful.
    expect((await call(sim, "DELETE", `${keysPath(p)}/${a.id}`)).json).toEqual({
      object: "organization.project.api_key.deleted",
      id: a.id,
      deleted: true,
    });
    expect(s.getProjectApiKey(p, a.id)).toBeUndefined();
    expectError(await call(sim, "DELETE", `${keysPath(p)}/${a.id}`), 404);

    // Usage: one key, then a fraction of all of them.
    const used = s.useApiKey(b.id);
    expect(used.last_used_at).toBe(s.credentialsNow);
    const before = s.credentialsNow;
    const total = s.credentialCounts().apiKeys + s.credentialCounts().adminKeys;
    expect(s.useCredentials(new Prng(1, "use"), 0.5)).toBe(Math.round(total / 2));
    expect(s.credentialsNow).toBeGreaterThan(before);
    const all = s.credentialProjectIds().flatMap((x) => s.listProjectApiKeys(x));
    const usedNow = [...all, ...s.listAdminApiKeys()].filter(
      (k) => k.last_used_at === s.credentialsNow,
    );
    expect(usedNow).toHaveLength(Math.round(total / 2));
  });

  it("admin keys: create returns the value once, retrieve and delete", async () => {
    const s = sim.state;
    const res = await call(sim, "POST", "/organization/admin_api_keys", {
      body: { name: "Deploy", expires_in_seconds: 3600 },
    });
    expect(res.status, res.text).toBe(200);
    const created = obj(res.json);
    const value = created.value as string;
    expect(value).toMatch(/^sk-admin-SIMULATED-/);
    expect(created).toMatchObject({
      object: "organization.admin_api_key",
      name: "Deploy",
      redacted_value: redactKey(value),
      last_used_at: null,
      expires_at: (created.created_at as number) + 3600,
      owner: { type: "user", object: "organization.user", role: "owner" },
    });
    const id = created.id as string;
    const { value: _v, ...wire } = created;
    const retrieved = await call(sim, "GET", `/organization/admin_api_keys/${id}`);
    expect(retrieved.json).toEqual(wire);
    const listed = await pageAll("/organization/admin_api_keys", 100);
    expect(listed.items.at(-1)).toEqual(wire);
    for (const text of [retrieved.text, ...listed.texts]) expect(text).not.toContain(value);
    const forever = obj(
      (await call(sim, "POST", "/organization/admin_api_keys", { body: { name: "Forever" } })).json,
    );
    expect(forever.expires_at).toBeNull();
    for (const body of [
      {},
      { name: "x", expires_in_seconds: 0 },
      { name: "x", expires_in_seconds: 31_536_001 },
      { name: "x", expires_in_seconds: "1d" },
    ]) {
      const bad = await call(sim, "POST", "/organization/admin_api_keys", { body });
      expectError(bad, 400, "name" in body ? "expires_in_seconds" : "name");
    }
    expect((await call(sim, "DELETE", `/organization/admin_api_keys/${id}`)).json).toEqual({
      id,
      object: "organization.admin_api_key.deleted",
      deleted: true,
    });
    expect(s.getAdminApiKey(id)).toBeUndefined();
    expectError(await call(sim, "GET", `/organization/admin_api_keys/${id}`), 404);
    expectError(await call(sim, "DELETE", `/organization/admin_api_keys/${id}`), 404);
    const marked = s.useAdminApiKey(forever.id as string, s.credentialsNow);
    expect(marked.last_used_at).toBe(s.credentialsNow);
  });

  it("invites: create, retrieve, accept, expire, delete; accepted ones cannot be deleted", async () => {
    const s = sim.state;
    const p = s.activeProjectIds().find((x) => !s.isDefaultProject(x)) as string;
    const res = await call(sim, "POST", "/organization/invites", {
      body: { email: "new.hire@example.org", role: "owner", projects: [{ id: p, role: "owner" }] },
    });
    expect(res.status, res.text).toBe(200);
    const invite = obj(res.json);
    expect(invite).toMatchObject({
      object: "organization.invite",
      email: "new.hire@example.org",
      role: "owner",
      status: "pending",
      accepted_at: null,
      projects: [{ id: p, role: "owner" }],
    });
    expect(invite.id).toMatch(/^invite-/);
    expect(invite.expires_at as number).toBeGreaterThan(invite.created_at as number);
    const id = invite.id as string;
    expect((await call(sim, "GET", `/organization/invites/${id}`)).json).toEqual(invite);
    const legacy = obj(
      (
        await call(sim, "POST", "/organization/invites", {
          body: { email: "legacy@example.org", role: "reader" },
        })
      ).json,
    );
    expect(legacy.projects).toEqual([{ id: s.defaultProjectId, role: "member" }]);

    // Accepting creates the user, an Owner, in the invited project.
    const accepted = s.acceptInvite(id);
    expect(accepted.status).toBe("accepted");
    expect(accepted.accepted_at).toBe(s.credentialsNow);
    const userId = s.findUserIdByEmail("new.hire@example.org") as string;
    expect(s.getUser(userId)).toMatchObject({ role: "owner", added_at: accepted.accepted_at });
    expect(s.getProjectUser(p, userId)?.role).toBe("owner");
    expectError(await call(sim, "DELETE", `/organization/invites/${id}`), 400);
    expect(s.getInvite(id)?.status).toBe("accepted");
    expectError(
      await call(sim, "POST", "/organization/invites", {
        body: { email: "new.hire@example.org", role: "reader" },
      }),
      400,
      "email",
    );

    const expired = s.expireInvite(legacy.id as string);
    expect(expired.status).toBe("expired");
    expect((await call(sim, "DELETE", `/organization/invites/${legacy.id}`)).json).toEqual({
      object: "organization.invite.deleted",
      id: legacy.id,
      deleted: true,
    });
    expect(s.getInvite(legacy.id as string)).toBeUndefined();
    expectError(await call(sim, "GET", `/organization/invites/${legacy.id}`), 404);
    for (const [body, param] of [
      [{ role: "reader" }, "email"],
      [{ email: "not-an-email", role: "reader" }, "email"],
      [{ email: "x@example.org", role: "admin" }, "role"],
      [
        { email: "x@example.org", role: "reader", projects: [{ id: p, role: "viewer" }] },
        "projects",
      ],
      [
        { email: "x@example.org", role: "reader", projects: [{ id: "proj_nope", role: "member" }] },
        "projects",
      ],
    ] as const) {
      expectError(await call(sim, "POST", "/organization/invites", { body }), 400, param);
    }
  });
});

describe("errors", () => {
  it("archived projects: 400 for service accounts, no keys; unknown ids: 404", async () => {
    const s = sim.state;
    const archived = s.listProjects({ includeArchived: true }).find((p) => p.status === "archived");
    const a = archived?.id as string;
    for (const [method, path, body] of [
      ["GET", saPath(a), undefined],
      ["POST", saPath(a), { name: "x" }],
      ["GET", `${saPath(a)}/svc_acct_x`, undefined],
      ["DELETE", `${saPath(a)}/svc_acct_x`, undefined],
      ["POST", `${saPath(a)}/svc_acct_x/api_keys`, {}],
    ] as const) {
      const error = expectError(await call(sim, method, path, body ? { body } : {}), 400);
      expect(error.message).toBe(`Project ${a} is archived.`);
    }
    const keys = obj((await call(sim, "GET", `${keysPath(a)}?owner_project_access=any`)).json);
    expect(keys).toMatchObject({ data: [], has_more: false, first_id: null, last_id: null });

    const p = s.activeProjectIds()[1] as string;
    for (const [method, path] of [
      ["GET", saPath("proj_doesnotexist")],
      ["GET", keysPath("proj_doesnotexist")],
      ["GET", `${saPath(p)}/svc_acct_doesnotexist`],
      ["POST", `${saPath(p)}/svc_acct_doesnotexist`],
      ["DELETE", `${saPath(p)}/svc_acct_doesnotexist`],
      ["POST", `${saPath(p)}/svc_acct_doesnotexist/api_keys`],
      ["GET", `${keysPath(p)}/key_doesnotexist`],
      ["DELETE", `${keysPath(p)}/key_doesnotexist`],
      ["GET", "/organization/admin_api_keys/key_doesnotexist"],
      ["DELETE", "/organization/admin_api_keys/key_doesnotexist"],
      ["GET", "/organization/invites/invite-doesnotexist"],
      ["DELETE", "/organization/invites/invite-doesnotexist"],
    ] as const) {
      expectError(await call(sim, method, path, method === "GET" ? {} : { body: {} }), 404);
    }
    // A key of another project is not found in this one.
    const other = s.credentialProjectIds().find((x) => x !== p && s.listProjectApiKeys(x).length);
    const foreign = s.listProjectApiKeys(other as string)[0]?.id as string;
    expectError(await call(sim, "GET", `${keysPath(p)}/${foreign}`), 404);
    expectError(await call(sim, "POST", saPath(p), { body: {} }), 400, "name");
    expectError(
      await call(sim, "POST", saPath(p), { body: { name: "x", create_service_account_only: "y" } }),
      400,
      "create_service_account_only",
    );
    expectError(await call(sim, "GET", saPath(p), { key: "sk-admin-wrong-key-0000" }), 401);
  });

  it("archiving a project deletes its service accounts and keys", () => {
    const s = sim.state;
    const p = s
      .credentialProjectIds()
      .find(
        (x) =>
          !s.isDefaultProject(x) &&
          s.listServiceAccounts(x).length > 0 &&
          s.listProjectApiKeys(x).length > 0,
      ) as string;
    const before = s.credentialCounts();
    const sas = s.listServiceAccounts(p).length;
    const keys = s.listProjectApiKeys(p).length;
    s.archiveProject(p);
    expect(s.credentialCounts()).toMatchObject({
      serviceAccounts: before.serviceAccounts - sas,
      apiKeys: before.apiKeys - keys,
    });
    expect(s.listProjectApiKeys(p)).toEqual([]);
    expect(() => s.listServiceAccounts(p)).toThrow(/archived/);
  });
});

describe("random credential changes", () => {
  it("every kind happens, and what is served stays what the state holds", async () => {
    const s = sim.state;
    const rng = new Prng(5, "credential-changes");
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const m = applyRandomCredentialMutation(s, rng);
      if (m !== undefined) seen.add(m.split(" ")[0] as string);
    }
    expect([...seen].sort()).toEqual(
      [
        "acceptInvite",
        "createAdminApiKey",
        "createInvite",
        "createServiceAccount",
        "createUserApiKey",
        "deleteAdminApiKey",
        "deleteInvite",
        "deleteProjectApiKey",
        "deleteServiceAccount",
        "setServiceAccountRole",
      ].sort(),
    );
    expect(s.simulatorAdminKeyId()).toBeDefined(); // never deleted by a random change
    expect((await pageAll("/organization/invites", 7)).items).toEqual(s.listInvites());
    expect((await pageAll("/organization/admin_api_keys", 7)).items).toEqual(s.listAdminApiKeys());

    // Between pages, the server's mutations reach the credentials too.
    sim.setFaults({ seed: 4, mutateBetweenPagesRate: 1 });
    sim.resetStats();
    try {
      for (let i = 0; i < 40; i++) await call(sim, "GET", "/organization/invites?limit=1");
    } finally {
      sim.setFaults(undefined);
    }
    const mutations = sim.stats().mutations;
    expect(mutations).toHaveLength(40);
    expect(
      mutations.some((m) => /Invite|AdminApiKey|ServiceAccount|ApiKey/.test(m.split(" ")[0] ?? "")),
    ).toBe(true);
    expect((await pageAll("/organization/invites", 100)).items).toEqual(s.listInvites());
  });
});
