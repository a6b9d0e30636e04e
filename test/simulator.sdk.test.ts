/**
 * Proof of fidelity: the official OpenAI SDK, unmodified, pages through the
 * simulator and gets exactly the organization the simulator holds, and its
 * write methods change that organization as the API documents.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateOrganization,
  type RunningSimulator,
  startSimulator,
} from "../src/simulator/index.js";

type SdkAuditQuery = NonNullable<
  Parameters<OpenAI["admin"]["organization"]["auditLogs"]["list"]>[0]
>;

function sdkFor(sim: RunningSimulator, maxRetries = 0): OpenAI {
  return new OpenAI({ adminAPIKey: sim.adminKey, apiKey: null, baseURL: sim.baseUrl, maxRetries });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Runs `fn` over `items` with at most `width` in flight, keeping input order in the result. */
async function mapConcurrent<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

/** Lists everything an access audit reads, through the SDK, with the given page sizes. */
async function crawlWithSdk(
  client: OpenAI,
  pageSize: { groups?: number; members?: number; roles?: number; users?: number },
) {
  const org = client.admin.organization;
  const groups = await collect(
    org.groups.list(pageSize.groups === undefined ? {} : { limit: pageSize.groups }),
  );
  const members = await mapConcurrent(groups, 8, (g) =>
    collect(
      org.groups.users.list(
        g.id,
        pageSize.members === undefined ? {} : { limit: pageSize.members },
      ),
    ),
  );
  const groupRoles = await mapConcurrent(groups, 8, (g) =>
    collect(
      org.groups.roles.list(g.id, pageSize.roles === undefined ? {} : { limit: pageSize.roles }),
    ),
  );
  const roles = await collect(
    org.roles.list(pageSize.roles === undefined ? {} : { limit: pageSize.roles }),
  );
  const users = await collect(
    org.users.list(pageSize.users === undefined ? {} : { limit: pageSize.users }),
  );
  return { groups, members, groupRoles, roles, users };
}

/** Lists every project and the access inside it through the SDK, with the given page size. */
async function crawlProjectsWithSdk(client: OpenAI, limit?: number) {
  const projectsApi = client.admin.organization.projects;
  const page = limit === undefined ? {} : { limit };
  const projects = await collect(projectsApi.list({ include_archived: true, ...page }));
  const active = projects.filter((p) => p.status === "active");
  const users = await mapConcurrent(active, 8, (p) => collect(projectsApi.users.list(p.id, page)));
  const groups = await mapConcurrent(projects, 8, (p) =>
    collect(projectsApi.groups.list(p.id, page)),
  );
  const roles = await mapConcurrent(projects, 8, (p) =>
    collect(projectsApi.roles.list(p.id, page)),
  );
  const groupRoles = await mapConcurrent(
    projects.map((p, i) => ({ p, attached: groups[i] ?? [] })),
    4,
    ({ p, attached }) =>
      mapConcurrent(attached, 4, (g) =>
        collect(projectsApi.groups.roles.list(g.group_id, { project_id: p.id, ...page })),
      ),
  );
  const userRoles = await mapConcurrent(
    active.map((p, i) => ({ p, members: users[i] ?? [] })),
    4,
    ({ p, members }) =>
      mapConcurrent(members, 4, (u) =>
        collect(projectsApi.users.roles.list(u.id, { project_id: p.id, ...page })),
      ),
  );
  return { projects, active, users, groups, roles, groupRoles, userRoles };
}

/** Asserts an SDK crawl of the projects equals the state, item for item. */
function expectProjectsMatch(
  state: RunningSimulator["state"],
  crawled: Awaited<ReturnType<typeof crawlProjectsWithSdk>>,
) {
  expect(crawled.projects).toEqual(state.listProjects({ includeArchived: true }));
  expect(crawled.active).toEqual(state.listProjects());
  expect(crawled.projects.length).toBeGreaterThan(crawled.active.length); // some are archived
  crawled.active.forEach((p, i) => {
    expect(crawled.users[i]).toEqual(state.listProjectUsers(p.id));
    crawled.users[i]?.forEach((u, j) => {
      expect(crawled.userRoles[i]?.[j]).toEqual(state.listProjectUserRoles(p.id, u.id));
    });
  });
  crawled.projects.forEach((p, i) => {
    expect(crawled.groups[i]).toEqual(state.listProjectGroups(p.id));
    expect(crawled.roles[i]).toEqual(state.listProjectRoles(p.id));
    crawled.groups[i]?.forEach((g, j) => {
      expect(crawled.groupRoles[i]?.[j]).toEqual(state.listProjectGroupRoles(p.id, g.group_id));
    });
  });
  const counts = state.counts();
  expect(crawled.groups.flat()).toHaveLength(counts.projectGroups);
  expect(crawled.roles.flat()).toHaveLength(3 * counts.projects + counts.projectCustomRoles);
  expect(crawled.groupRoles.flat(2)).toHaveLength(counts.projectGroupRoleAssignments);
}

describe("the official SDK against a moderately sized organization, small pages", () => {
  let sim: RunningSimulator;
  let client: OpenAI;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 11, groups: 120, users: 1500 });
    client = sdkFor(sim);
  });

  afterAll(async () => {
    await sim.stop();
  });

  it("lists every group, member, role and user exactly as the state holds them", async () => {
    const crawled = await crawlWithSdk(client, { groups: 7, members: 37, roles: 1, users: 17 });
    const state = sim.state;
    expect(crawled.groups).toEqual(state.listGroups());
    crawled.groups.forEach((g, i) => {
      expect(crawled.members[i]).toEqual(state.listGroupUsers(g.id));
      expect(crawled.groupRoles[i]).toEqual(state.listGroupRoles(g.id));
    });
    expect(crawled.roles).toEqual(state.listRoles());
    expect(crawled.users).toEqual(state.listUsers());
    const memberships = crawled.members.reduce((n, m) => n + m.length, 0);
    expect(memberships).toBe(state.counts().memberships);
    expect(crawled.groupRoles.flat().length).toBe(state.counts().groupRoleAssignments);
    // Many pages were needed.
    expect(sim.stats().byRoute["GET /organization/groups/{group_id}/users"]).toBeGreaterThan(300);

    // User role lists (direct and inherited) for every user holding any role.
    const holders = state.userIds().filter((id) => state.listUserRoles(id).length > 0);
    expect(holders.length).toBeGreaterThan(10);
    const userRoles = await mapConcurrent(holders.slice(0, 60), 8, (id) =>
      collect(client.admin.organization.users.roles.list(id, { limit: 1 })),
    );
    holders.slice(0, 60).forEach((id, i) => {
      expect(userRoles[i]).toEqual(state.listUserRoles(id));
    });
  });

  it("writes through the SDK change the state and every later listing", async () => {
    const org = client.admin.organization;
    const state = sim.state;
    const created = await org.groups.create({ name: "SDK Created" });
    expect(created).toEqual(state.getGroup(created.id));
    expect((await collect(org.groups.list({ limit: 50 }))).at(-1)).toEqual(created);

    const updated = await org.groups.update(created.id, { name: "SDK Renamed" });
    expect(updated).toEqual({
      id: created.id,
      name: "SDK Renamed",
      created_at: created.created_at,
      is_scim_managed: false,
    });
    expect(await org.groups.retrieve(created.id)).toEqual(state.getGroup(created.id));

    const [first, second] = state.userIds();
    if (first === undefined || second === undefined) throw new Error("need users");
    expect(await org.groups.users.create(created.id, { user_id: first })).toEqual({
      object: "group.user",
      user_id: first,
      group_id: created.id,
    });
    await org.groups.users.create(created.id, { user_id: second });
    expect(await collect(org.groups.users.list(created.id))).toEqual(
      state.listGroupUsers(created.id),
    );
    expect(
      state
        .listGroupUsers(created.id)
        .map((u) => u.id)
        .sort(),
    ).toEqual([first, second].sort());
    expect(await org.groups.users.retrieve(first, { group_id: created.id })).toEqual(
      state.getGroupUser(created.id, first),
    );

    const roleId = state.roleIdByName("Billing Manager") as string;
    const assigned = await org.groups.roles.create(created.id, { role_id: roleId });
    expect(assigned.object).toBe("group.role");
    expect(assigned.group.scim_managed).toBe(false);
    expect(assigned.role).toEqual(state.getRole(roleId));
    expect(await collect(org.groups.roles.list(created.id))).toEqual(
      state.listGroupRoles(created.id),
    );
    const inherited = await org.users.roles.retrieve(roleId, { user_id: first });
    expect(inherited.assignment_sources).toContainEqual({
      principal_id: created.id,
      principal_type: "group",
    });

    const directRole = state.roleIdByName("Security Auditor") as string;
    const userAssigned = await org.users.roles.create(second, { role_id: directRole });
    expect(userAssigned.user).toEqual(state.getUser(second));
    expect(await collect(org.users.roles.list(second))).toEqual(state.listUserRoles(second));
    expect(await org.users.roles.delete(directRole, { user_id: second })).toEqual({
      object: "user.role.deleted",
      deleted: true,
    });
    expect(state.hasDirectUserRole(second, directRole)).toBe(false);

    expect(await org.groups.roles.delete(roleId, { group_id: created.id })).toEqual({
      object: "group.role.deleted",
      deleted: true,
    });
    expect(await org.groups.users.delete(first, { group_id: created.id })).toEqual({
      object: "group.user.deleted",
      deleted: true,
    });
    expect(state.listGroupUsers(created.id).map((u) => u.id)).toEqual([second]);
    expect(await org.groups.delete(created.id)).toEqual({
      object: "group.deleted",
      id: created.id,
      deleted: true,
    });
    await expect(org.groups.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(collect(org.groups.users.list(created.id))).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    expect(state.hasGroup(created.id)).toBe(false);

    const role = await org.roles.create({
      role_name: "SDK Role",
      permissions: ["api.usage.read"],
      description: "made by the SDK",
    });
    expect(await org.roles.retrieve(role.id)).toEqual(state.getRole(role.id));
    const changed = await org.roles.update(role.id, {
      permissions: ["api.usage.read", "api.projects.read"],
    });
    expect(changed.permissions).toEqual(["api.usage.read", "api.projects.read"]);
    expect(await org.roles.delete(role.id)).toEqual({
      object: "role.deleted",
      id: role.id,
      deleted: true,
    });

    const promoted = await org.users.update(second, { role: "owner" });
    expect(promoted.role).toBe("owner");
    expect(await org.users.retrieve(second)).toEqual(state.getUser(second));
    expect(await org.users.delete(second)).toEqual({
      object: "organization.user.deleted",
      id: second,
      deleted: true,
    });
    expect((await collect(org.users.list({ limit: 100 }))).map((u) => u.id)).not.toContain(second);
  });

  it("lists every project, member, attached group, project role and assignment exactly as the state holds them", async () => {
    sim.resetStats();
    const crawled = await crawlProjectsWithSdk(client, 2);
    expectProjectsMatch(sim.state, crawled);
    // Small pages: every list needed several.
    const routes = sim.stats().byRoute;
    expect(routes["GET /organization/projects"]).toBeGreaterThan(5);
    expect(routes["GET /organization/projects/{project_id}/users"]).toBeGreaterThan(
      crawled.active.length,
    );
    expect(routes["GET /organization/projects/{project_id}/groups"]).toBeGreaterThan(
      crawled.projects.length,
    );
    expect(routes["GET /projects/{project_id}/roles"]).toBeGreaterThan(crawled.projects.length);
    // The user role lists hold membership, direct and group-inherited roles.
    const sources = crawled.userRoles.flat(2).flatMap((r) => r.assignment_sources ?? []);
    expect(sources.some((s) => s.principal_type === "user")).toBe(true);
    expect(sources.some((s) => s.principal_type === "group")).toBe(true);
  });

  it("project writes through the SDK change the state and every later listing", async () => {
    const projects = client.admin.organization.projects;
    const state = sim.state;
    const created = await projects.create({ name: "SDK Project", geography: "eu" });
    expect(created).toEqual(state.getProject(created.id));
    expect(state.getProject(created.id)?.residency).toBe("EU_STORAGE_PROCESSING");
    expect((await collect(projects.list({ limit: 100 }))).at(-1)).toEqual(created);
    const updated = await projects.update(created.id, {
      name: "SDK Project (renamed)",
      external_key_id: "ekm_key_sdk",
    });
    expect(updated).toMatchObject({
      name: "SDK Project (renamed)",
      external_key_id: "ekm_key_sdk",
    });
    expect(await projects.retrieve(created.id)).toEqual(state.getProject(created.id));

    const [first, second, third] = state
      .userIds()
      .filter((id) => state.getUser(id)?.email !== null);
    if (first === undefined || second === undefined || third === undefined) {
      throw new Error("need three users with emails");
    }
    expect(await projects.users.create(created.id, { user_id: first, role: "owner" })).toEqual(
      state.getProjectUser(created.id, first),
    );
    const byEmail = await projects.users.create(created.id, {
      email: state.getUser(second)?.email as string,
      role: "member",
    });
    expect(byEmail).toMatchObject({ id: second, role: "member" });
    await projects.users.create(created.id, { user_id: third, role: "member" });
    const promoted = await projects.users.update(second, { project_id: created.id, role: "owner" });
    expect(promoted.role).toBe("owner");
    expect(await projects.users.retrieve(second, { project_id: created.id })).toEqual(
      state.getProjectUser(created.id, second),
    );
    expect(await collect(projects.users.list(created.id, { limit: 1 }))).toEqual(
      state.listProjectUsers(created.id),
    );

    const role = await projects.roles.create(created.id, {
      role_name: "SDK Key Manager",
      permissions: ["api.organization.projects.api_keys.read"],
      description: "made by the SDK",
    });
    expect(await projects.roles.retrieve(role.id, { project_id: created.id })).toEqual(
      state.getProjectRole(created.id, role.id),
    );
    const changed = await projects.roles.update(role.id, {
      project_id: created.id,
      permissions: [
        "api.organization.projects.api_keys.read",
        "api.organization.projects.api_keys.write",
      ],
    });
    expect(changed.permissions).toHaveLength(2);
    expect(await collect(projects.roles.list(created.id))).toEqual(
      state.listProjectRoles(created.id),
    );

    const memberRole = state.projectRoleIdByName(created.id, "Project Member") as string;
    const group = state.groupSizes().find((g) => g.members > 0) as { id: string };
    const attached = await projects.groups.create(created.id, {
      group_id: group.id,
      role: memberRole,
    });
    expect(attached).toEqual(state.getProjectGroup(created.id, group.id));
    expect(await projects.groups.retrieve(group.id, { project_id: created.id })).toEqual(attached);
    expect(await collect(projects.groups.list(created.id))).toEqual([attached]);
    expect(state.projectGroupRoleIds(created.id, group.id)).toEqual([memberRole]);
    const groupAssigned = await projects.groups.roles.create(group.id, {
      project_id: created.id,
      role_id: role.id,
    });
    expect(groupAssigned).toMatchObject({ object: "group.role", role: { id: role.id } });
    expect(await collect(projects.groups.roles.list(group.id, { project_id: created.id }))).toEqual(
      state.listProjectGroupRoles(created.id, group.id),
    );

    const userAssigned = await projects.users.roles.create(third, {
      project_id: created.id,
      role_id: role.id,
    });
    expect(userAssigned.user).toEqual(state.getUser(third));
    expect(state.directProjectUserRoleIds(created.id, third)).toEqual([role.id]);
    const thirdRoles = await collect(
      projects.users.roles.list(third, { project_id: created.id, limit: 1 }),
    );
    expect(thirdRoles).toEqual(state.listProjectUserRoles(created.id, third));
    expect(
      await projects.users.roles.retrieve(role.id, { project_id: created.id, user_id: third }),
    ).toEqual(state.getProjectUserRole(created.id, third, role.id));
    expect(
      await projects.users.roles.delete(role.id, { project_id: created.id, user_id: third }),
    ).toEqual({ object: "user.role.deleted", deleted: true });
    expect(state.directProjectUserRoleIds(created.id, third)).toEqual([]);
    expect(
      await projects.groups.roles.delete(role.id, { project_id: created.id, group_id: group.id }),
    ).toEqual({ object: "group.role.deleted", deleted: true });
    expect(state.projectGroupRoleIds(created.id, group.id)).toEqual([memberRole]);

    // Deleting a role removes its assignments; detaching a group removes the group's.
    await projects.users.roles.create(third, { project_id: created.id, role_id: role.id });
    expect(await projects.roles.delete(role.id, { project_id: created.id })).toEqual({
      object: "role.deleted",
      id: role.id,
      deleted: true,
    });
    expect(state.directProjectUserRoleIds(created.id, third)).toEqual([]);
    expect(await projects.groups.delete(group.id, { project_id: created.id })).toEqual({
      object: "project.group.deleted",
      deleted: true,
    });
    expect(state.isProjectGroup(created.id, group.id)).toBe(false);
    expect(await projects.users.delete(third, { project_id: created.id })).toEqual({
      object: "organization.project.user.deleted",
      id: third,
      deleted: true,
    });
    expect(state.projectMemberIds(created.id).sort()).toEqual([first, second].sort());

    const archived = await projects.archive(created.id);
    expect(archived).toMatchObject({ id: created.id, status: "archived" });
    expect((await collect(projects.list({ limit: 100 }))).map((p) => p.id)).not.toContain(
      created.id,
    );
    expect(
      (await collect(projects.list({ limit: 100, include_archived: true }))).map((p) => p.id),
    ).toContain(created.id);
    await expect(collect(projects.users.list(created.id))).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
    await expect(projects.update(created.id, { name: "x" })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
    await expect(
      projects.update(state.defaultProjectId as string, { name: "x" }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(projects.retrieve("proj_missing")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("pages every service account, project key, admin key and invite exactly as the state holds them", async () => {
    const org = client.admin.organization;
    const state = sim.state;
    sim.resetStats();
    const active = state.activeProjectIds();
    const serviceAccounts = await mapConcurrent(active, 8, (p) =>
      collect(org.projects.serviceAccounts.list(p, { limit: 1 })),
    );
    const keys = await mapConcurrent(active, 8, (p) =>
      collect(org.projects.apiKeys.list(p, { limit: 2, owner_project_access: "any" })),
    );
    const visible = await mapConcurrent(active, 8, (p) =>
      collect(org.projects.apiKeys.list(p, { limit: 2 })),
    );
    active.forEach((p, i) => {
      expect(serviceAccounts[i]).toEqual(state.listServiceAccounts(p));
      expect(keys[i]).toEqual(state.listProjectApiKeys(p, "any"));
      expect(visible[i]).toEqual(state.listProjectApiKeys(p, "active"));
    });
    const counts = state.credentialCounts();
    expect(serviceAccounts.flat()).toHaveLength(counts.serviceAccounts);
    expect(keys.flat()).toHaveLength(counts.apiKeys);
    expect(keys.flat().some((k) => k.owner_project_access === "inactive")).toBe(true);
    // CursorPage: the SDK sends after = the last item's id, in either order.
    expect(await collect(org.adminAPIKeys.list({ limit: 2 }))).toEqual(state.listAdminApiKeys());
    expect(await collect(org.adminAPIKeys.list({ limit: 2, order: "desc" }))).toEqual(
      state.listAdminApiKeys("desc"),
    );
    expect(await collect(org.invites.list({ limit: 3 }))).toEqual(state.listInvites());
    const routes = sim.stats().byRoute;
    expect(routes["GET /organization/admin_api_keys"]).toBeGreaterThan(4);
    expect(routes["GET /organization/invites"]).toBeGreaterThan(3);
  });

  it("credential writes through the SDK change the state and every later listing", async () => {
    const org = client.admin.organization;
    const state = sim.state;
    const p = state.activeProjectIds().find((x) => !state.isDefaultProject(x)) as string;

    const sa = await org.projects.serviceAccounts.create(p, { name: "SDK Service Account" });
    expect(sa.role).toBe("member");
    expect(sa.api_key?.value).toMatch(/^sk-svcacct-SIMULATED-/);
    const { api_key: firstKey, ...saWire } = sa;
    expect(await org.projects.serviceAccounts.retrieve(sa.id, { project_id: p })).toEqual(saWire);
    const promoted = await org.projects.serviceAccounts.update(sa.id, {
      project_id: p,
      role: "owner",
    });
    expect(promoted.role).toBe("owner");
    const extra = await org.projects.serviceAccounts.apiKeys.create(sa.id, {
      project_id: p,
      name: "SDK rotation",
    });
    expect(extra.value).toMatch(/^sk-svcacct-SIMULATED-/);
    const listedKeys = await collect(
      org.projects.apiKeys.list(p, { owner_project_access: "any", limit: 100 }),
    );
    const owned = listedKeys.filter(
      (k) => k.owner.type === "service_account" && k.owner.service_account?.id === sa.id,
    );
    expect(owned.map((k) => k.id).sort()).toEqual([firstKey?.id, extra.id].sort());
    expect(JSON.stringify(listedKeys)).not.toContain(extra.value);
    expect(await org.projects.apiKeys.retrieve(extra.id, { project_id: p })).toEqual(
      state.getProjectApiKey(p, extra.id),
    );
    await expect(org.projects.apiKeys.delete(extra.id, { project_id: p })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
    const member = state.projectMemberIds(p)[0] as string;
    const userKey = state.createUserApiKey(p, member, "SDK user key");
    expect(await org.projects.apiKeys.delete(userKey.id, { project_id: p })).toEqual({
      object: "organization.project.api_key.deleted",
      id: userKey.id,
      deleted: true,
    });
    expect(await org.projects.serviceAccounts.delete(sa.id, { project_id: p })).toEqual({
      object: "organization.project.service_account.deleted",
      id: sa.id,
      deleted: true,
    });
    expect(state.getProjectApiKey(p, extra.id)).toBeUndefined();
    expect(await collect(org.projects.serviceAccounts.list(p))).toEqual(
      state.listServiceAccounts(p),
    );

    const admin = await org.adminAPIKeys.create({ name: "SDK admin", expires_in_seconds: 600 });
    expect(admin.value).toMatch(/^sk-admin-SIMULATED-/);
    expect(admin.expires_at).toBe(admin.created_at + 600);
    const { value: _value, ...adminWire } = admin;
    expect(await org.adminAPIKeys.retrieve(admin.id)).toEqual(adminWire);
    expect((await collect(org.adminAPIKeys.list({ limit: 100 }))).at(-1)).toEqual(adminWire);
    expect(await org.adminAPIKeys.delete(admin.id)).toEqual({
      id: admin.id,
      object: "organization.admin_api_key.deleted",
      deleted: true,
    });
    await expect(org.adminAPIKeys.retrieve(admin.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    const invite = await org.invites.create({
      email: "sdk.invitee@example.org",
      role: "reader",
      projects: [{ id: p, role: "member" }],
    });
    expect(invite).toEqual(state.getInvite(invite.id));
    expect(await org.invites.retrieve(invite.id)).toEqual(invite);
    expect((await collect(org.invites.list({ limit: 100 }))).at(-1)).toEqual(invite);
    expect(await org.invites.delete(invite.id)).toEqual({
      object: "organization.invite.deleted",
      id: invite.id,
      deleted: true,
    });
    const accepted = state.listInvites().find((i) => i.status === "accepted");
    await expect(org.invites.delete(accepted?.id as string)).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
  });

  it("pages the audit log with for await, filters by the SDK's own query encoding, and sees the 400 of a disabled log", async () => {
    const auditLogs = client.admin.organization.auditLogs;
    const state = sim.state;
    // The writes of the tests above were recorded (as the simulator's admin key).
    expect(state.auditEventCount()).toBeGreaterThan(20);
    const all = await collect(auditLogs.list({ limit: 7 }));
    expect(all).toEqual(state.listAuditEvents());
    const since = all[all.length - 3]?.effective_at as number;
    const types = [...new Set(all.slice(0, 12).map((e) => e.type))].slice(0, 3);
    const projects = [...new Set(all.flatMap((e) => (e.project?.id ? [e.project.id] : [])))].slice(
      0,
      2,
    );
    const filtered = await collect(
      auditLogs.list({
        limit: 3,
        effective_at: { gte: since },
        // The SDK's union lacks one of the spec's 145 types (drift); ours are all in it.
        event_types: types as NonNullable<SdkAuditQuery["event_types"]>,
        project_ids: projects,
      }),
    );
    const expected = state
      .listAuditEvents()
      .filter(
        (e) =>
          e.effective_at >= since &&
          (types as string[]).includes(e.type) &&
          projects.includes(e.project?.id as string),
      );
    expect(expected.length).toBeGreaterThan(0);
    expect(filtered).toEqual(expected);
    const keyId = state.simulatorAdminKeyId() as string;
    const byKey = await collect(auditLogs.list({ actor_ids: [keyId], limit: 100 }));
    expect(byKey.length).toBeGreaterThan(0);
    expect(byKey.every((e) => e.actor?.api_key?.id === keyId)).toBe(true);
    sim.setAuditLogMode("disabled");
    try {
      const failure = await auditLogs.list().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
      expect((failure as InstanceType<typeof OpenAI.BadRequestError>).code).toBe(
        "audit_logging_disabled",
      );
    } finally {
      sim.setAuditLogMode("enabled");
    }
  });

  it("surfaces errors as the SDK's typed errors", async () => {
    const bad = new OpenAI({
      adminAPIKey: "sk-admin-not-the-key-123456",
      apiKey: null,
      baseURL: sim.baseUrl,
      maxRetries: 0,
    });
    const failure = await bad.admin.organization.groups.list().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    // The simulator echoes the key on purpose: clients must redact it themselves.
    expect(String((failure as Error).message)).toContain("sk-admin-not-the-key-123456");
    const badRequest = await client.admin.organization.groups
      .create({ name: "" })
      .catch((e: unknown) => e);
    expect(badRequest).toBeInstanceOf(OpenAI.BadRequestError);
    expect((badRequest as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("name");
  });

  it("the SDK's own retries get through injected 429s and dropped connections without losing items", async () => {
    const retrying = sdkFor(sim, 4);
    sim.setFaults({ seed: 5, rate429: 0.15, retryAfterMs: 5, rateDrop: 0.05, maxFaults: 12 });
    sim.resetStats();
    try {
      const groups = await collect(retrying.admin.organization.groups.list({ limit: 5 }));
      expect(groups).toEqual(sim.state.listGroups());
      const faults = sim.stats().faults;
      expect(faults.rate429 + faults.drop).toBeGreaterThan(0);
    } finally {
      sim.setFaults(undefined);
    }
  });
});

describe("the official SDK against generateOrganization({seed: 1, groups: 500, users: 5000}), default pages", () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      state: generateOrganization({ seed: 1, groups: 500, users: 5000 }),
    });
  });

  afterAll(async () => {
    await sim.stop();
  });

  it("pages through it completely", async () => {
    const crawled = await crawlWithSdk(sdkFor(sim), {});
    const state = sim.state;
    expect(crawled.groups).toEqual(state.listGroups());
    crawled.groups.forEach((g, i) => {
      expect(crawled.members[i]).toEqual(state.listGroupUsers(g.id));
      expect(crawled.groupRoles[i]).toEqual(state.listGroupRoles(g.id));
    });
    expect(crawled.roles).toEqual(state.listRoles());
    expect(crawled.users).toEqual(state.listUsers());
    expect(crawled.users).toHaveLength(5000);
    expect(crawled.members.reduce((n, m) => n + m.length, 0)).toBe(state.counts().memberships);
    expectProjectsMatch(state, await crawlProjectsWithSdk(sdkFor(sim)));
    const org = sdkFor(sim).admin.organization;
    const active = state.activeProjectIds();
    const keys = await mapConcurrent(active, 8, (p) =>
      collect(org.projects.apiKeys.list(p, { owner_project_access: "any" })),
    );
    expect(keys.flat()).toHaveLength(state.credentialCounts().apiKeys);
    for (const [i, p] of active.entries()) {
      expect(keys[i]).toEqual(state.listProjectApiKeys(p, "any"));
    }
    expect(await collect(org.adminAPIKeys.list())).toEqual(state.listAdminApiKeys());
    expect(await collect(org.invites.list())).toEqual(state.listInvites());
  });
});
