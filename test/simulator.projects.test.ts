/**
 * Project behaviour of the simulator over real HTTP, beyond the schemas (those are in
 * simulator.contract.test.ts): archived and Default projects, cascades from organization changes,
 * the quirks on project lists, and faults on project lists met by the official SDK and by a
 * crawler-like loop.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { call, dataOf, obj } from "./support/simulator-http.js";

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 17, groups: 40, users: 400, projects: 14 });
});

afterAll(async () => {
  await sim.stop();
});

const get = (path: string) => call(sim, "GET", path);

/** An active project other than the Default one, with members and groups. */
function busyProject(): string {
  const s = sim.state;
  const found = s
    .listProjects()
    .find(
      (p) =>
        p.id !== s.defaultProjectId &&
        s.projectMemberIds(p.id).length >= 3 &&
        s.projectGroupIds(p.id).length >= 2,
    );
  if (found === undefined) throw new Error("no busy project");
  return found.id;
}

describe("archived projects", () => {
  it("keep answering for their groups and roles, refuse users and every write", async () => {
    const s = sim.state;
    const p = s.createProject({ name: "To be archived" }).id;
    const [u1, u2] = s.userIds() as [string, string];
    const group = s.groupIds()[0] as string;
    const viewer = s.projectRoleIdByName(p, "Project Viewer") as string;
    s.addProjectUser(p, u1, "owner");
    s.attachProjectGroup(p, group, viewer);

    const archived = obj((await call(sim, "POST", `/organization/projects/${p}/archive`)).json);
    expect(archived).toMatchObject({ status: "archived" });
    expect(
      dataOf((await get("/organization/projects?limit=100")).json).map((x) => x.id),
    ).not.toContain(p);
    expect(
      dataOf((await get("/organization/projects?limit=100&include_archived=true")).json).map(
        (x) => x.id,
      ),
    ).toContain(p);
    expect(obj((await get(`/organization/projects/${p}`)).json)).toEqual(archived);

    const refused: Array<[string, string, unknown?]> = [
      ["GET", `/organization/projects/${p}/users`],
      ["GET", `/organization/projects/${p}/users/${u1}`],
      ["POST", `/organization/projects/${p}/users`, { user_id: u2, role: "member" }],
      ["POST", `/organization/projects/${p}/users/${u1}`, { role: "member" }],
      ["DELETE", `/organization/projects/${p}/users/${u1}`],
      ["GET", `/projects/${p}/users/${u1}/roles`],
      ["POST", `/projects/${p}/users/${u1}/roles`, { role_id: viewer }],
      ["POST", `/organization/projects/${p}`, { name: "Renamed" }],
      ["POST", `/organization/projects/${p}/archive`],
      ["POST", `/organization/projects/${p}/groups`, { group_id: group, role: viewer }],
      ["DELETE", `/organization/projects/${p}/groups/${group}`],
      ["POST", `/projects/${p}/roles`, { role_name: "Late", permissions: [] }],
      ["DELETE", `/projects/${p}/groups/${group}/roles/${viewer}`],
    ];
    for (const [method, path, body] of refused) {
      const res = await call(sim, method, path, body === undefined ? {} : { body });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(obj(obj(res.json).error)).toEqual({
        message: `Project ${p} is archived.`,
        type: "invalid_request_error",
        param: null,
        code: null,
      });
    }
    expect(dataOf((await get(`/organization/projects/${p}/groups`)).json)).toEqual(
      s.listProjectGroups(p),
    );
    expect(dataOf((await get(`/projects/${p}/roles`)).json)).toEqual(s.listProjectRoles(p));
    expect(
      dataOf((await get(`/projects/${p}/groups/${group}/roles`)).json).map((r) => r.id),
    ).toEqual([viewer]);
    // Nothing changed: the member is still recorded, the group still attached.
    expect(s.projectMemberIds(p)).toEqual([u1]);
    expect(s.getProject(p)).toEqual(archived);
  });
});

describe("the Default project", () => {
  it("cannot be modified or archived, and nobody leaves it but by leaving the organization", async () => {
    const s = sim.state;
    const d = s.defaultProjectId as string;
    const before = s.getProject(d);
    for (const [method, path] of [
      ["POST", `/organization/projects/${d}`],
      ["POST", `/organization/projects/${d}/archive`],
    ] as const) {
      const res = await call(sim, method, path, { body: { name: "Not the default" } });
      expect(res.status).toBe(400);
      expect(obj(obj(res.json).error).message).toBe(
        "The Default project cannot be modified or archived.",
      );
    }
    expect(s.getProject(d)).toEqual(before);
    const member = s.projectMemberIds(d)[0] as string;
    expect((await call(sim, "DELETE", `/organization/projects/${d}/users/${member}`)).status).toBe(
      400,
    );
    // Members can still be added, re-roled and given roles.
    const outsider = s.userIds().find((u) => !s.isProjectMember(d, u)) as string;
    const added = await call(sim, "POST", `/organization/projects/${d}/users`, {
      body: { user_id: outsider, role: "member" },
    });
    expect(obj(added.json)).toMatchObject({ id: outsider, role: "member" });
    // Removing the user from the organization removes them from the Default project too.
    expect((await call(sim, "DELETE", `/organization/users/${outsider}`)).status).toBe(200);
    expect(s.isProjectMember(d, outsider)).toBe(false);
    expect(
      dataOf((await get(`/organization/projects/${d}/users?limit=100`)).json).map((u) => u.id),
    ).not.toContain(outsider);
  });
});

describe("organization changes reach every project", () => {
  it("a deleted group is detached everywhere; a removed user leaves every project", async () => {
    const s = sim.state;
    const p = busyProject();
    const group = s.projectGroupIds(p)[0] as string;
    const holders = s.projectIds().filter((id) => s.isProjectGroup(id, group));
    expect((await call(sim, "DELETE", `/organization/groups/${group}`)).status).toBe(200);
    for (const id of holders) {
      expect(s.isProjectGroup(id, group)).toBe(false);
      expect((await get(`/projects/${id}/groups/${group}/roles`)).status).toBe(404);
    }
    expect(
      dataOf((await get(`/organization/projects/${p}/groups`)).json).map((g) => g.group_id),
    ).not.toContain(group);

    const user = s.projectMemberIds(p)[0] as string;
    expect((await call(sim, "DELETE", `/organization/users/${user}`)).status).toBe(200);
    expect((await get(`/organization/projects/${p}/users/${user}`)).status).toBe(404);
    expect((await get(`/projects/${p}/users/${user}/roles`)).status).toBe(404);
    for (const id of s.projectIds()) expect(s.isProjectMember(id, user)).toBe(false);
  });

  it("a member who joins an attached group inherits its project roles", async () => {
    const s = sim.state;
    const p = busyProject();
    const group = s.projectGroupIds(p)[0] as string;
    const member = s.projectMemberIds(p).find((u) => !s.isMember(group, u)) as string;
    const inherited = s.projectGroupRoleIds(p, group);
    expect(inherited.length).toBeGreaterThan(0);
    await call(sim, "POST", `/organization/groups/${group}/users`, { body: { user_id: member } });
    const roles = dataOf((await get(`/projects/${p}/users/${member}/roles`)).json);
    for (const roleId of inherited) {
      expect(roles.find((r) => r.id === roleId)?.assignment_sources).toContainEqual({
        principal_id: group,
        principal_type: "group",
      });
    }
    await call(sim, "DELETE", `/organization/groups/${group}/users/${member}`);
    const after = dataOf((await get(`/projects/${p}/users/${member}/roles`)).json);
    expect(after).toEqual(s.listProjectUserRoles(p, member));
    for (const r of after) {
      expect(r.assignment_sources).not.toContainEqual({
        principal_id: group,
        principal_type: "group",
      });
    }
  });
});

describe("quirks on project endpoints", () => {
  afterAll(() => {
    sim.setQuirks({
      userRolesIncludeInherited: true,
      assignmentSourcesOmitted: false,
      opaqueCursors: false,
      duplicateWrites: "idempotent",
      missingDeletes: "not_found",
    });
  });

  it("userRolesIncludeInherited, assignmentSourcesOmitted and opaqueCursors apply to projects", async () => {
    const s = sim.state;
    const p = busyProject();
    const group = s.projectGroupIds(p)[0] as string;
    const member = s.projectMemberIds(p)[0] as string;
    s.addMember(group, member);
    sim.setQuirks({ userRolesIncludeInherited: false });
    const direct = dataOf((await get(`/projects/${p}/users/${member}/roles`)).json);
    expect(direct).toEqual(s.listProjectUserRoles(p, member, "asc", false));
    expect(direct.flatMap((r) => r.assignment_sources as unknown[])).not.toContainEqual(
      expect.objectContaining({ principal_type: "group" }),
    );
    sim.setQuirks({ userRolesIncludeInherited: true, assignmentSourcesOmitted: true });
    for (const item of dataOf((await get(`/projects/${p}/users/${member}/roles`)).json)) {
      expect(item).not.toHaveProperty("assignment_sources");
    }
    sim.setQuirks({ assignmentSourcesOmitted: false, opaqueCursors: true });
    const groups = s.projectGroupIds(p);
    const first = obj((await get(`/organization/projects/${p}/groups?limit=1`)).json);
    expect(groups).not.toContain(first.next);
    const second = obj(
      (await get(`/organization/projects/${p}/groups?limit=1&after=${first.next as string}`)).json,
    );
    expect(dataOf(second).map((g) => g.group_id)).toEqual([groups[1]]);
  });

  it("duplicateWrites and missingDeletes apply to attached groups and assignments", async () => {
    const s = sim.state;
    const p = busyProject();
    const group = s.projectGroupIds(p)[0] as string;
    const role = s.projectGroupRoleIds(p, group)[0] as string;
    const again = await call(sim, "POST", `/organization/projects/${p}/groups`, {
      body: { group_id: group, role },
    });
    expect(obj(again.json)).toEqual(s.getProjectGroup(p, group));
    sim.setQuirks({ duplicateWrites: "conflict" });
    expect(
      (await call(sim, "POST", `/projects/${p}/groups/${group}/roles`, { body: { role_id: role } }))
        .status,
    ).toBe(409);
    // Duplicate project members are always a 400 ("various conditions").
    const member = s.projectMemberIds(p)[0] as string;
    expect(
      (
        await call(sim, "POST", `/organization/projects/${p}/users`, {
          body: { user_id: member, role: "member" },
        })
      ).status,
    ).toBe(400);
    sim.setQuirks({ duplicateWrites: "idempotent", missingDeletes: "idempotent" });
    const outsider = s.userIds().find((u) => !s.isProjectMember(p, u)) as string;
    expect(
      obj((await call(sim, "DELETE", `/organization/projects/${p}/users/${outsider}`)).json),
    ).toEqual({
      object: "organization.project.user.deleted",
      id: outsider,
      deleted: true,
    });
  });
});

describe("faults on project lists", () => {
  it("the SDK's retries get through 429s and drops on every project list, losing nothing", async () => {
    const client = new OpenAI({
      adminAPIKey: sim.adminKey,
      apiKey: null,
      baseURL: sim.baseUrl,
      maxRetries: 5,
    });
    const projects = client.admin.organization.projects;
    const p = busyProject();
    sim.setFaults({ seed: 8, rate429: 0.3, retryAfterMs: 5, rateDrop: 0.05, paths: "/projects" });
    sim.resetStats();
    try {
      expect(await collect(projects.list({ limit: 2, include_archived: true }))).toEqual(
        sim.state.listProjects({ includeArchived: true }),
      );
      expect(await collect(projects.users.list(p, { limit: 1 }))).toEqual(
        sim.state.listProjectUsers(p),
      );
      expect(await collect(projects.groups.list(p, { limit: 1 }))).toEqual(
        sim.state.listProjectGroups(p),
      );
      expect(await collect(projects.roles.list(p, { limit: 1 }))).toEqual(
        sim.state.listProjectRoles(p),
      );
      expect(sim.stats().faults.rate429).toBeGreaterThan(3);
    } finally {
      sim.setFaults(undefined);
    }
  });

  it("a stuck cursor on the legacy project users list is visible to a careful pager", async () => {
    const p = busyProject();
    sim.setFaults({ stuckCursorRate: 1, paths: "/organization/projects/[^/]+/users$" });
    try {
      const seen: string[] = [];
      let after: string | undefined;
      let stuck = false;
      for (let pages = 0; pages < 10; pages++) {
        const page = obj(
          (await get(`/organization/projects/${p}/users?limit=1${after ? `&after=${after}` : ""}`))
            .json,
        );
        seen.push(...dataOf(page).map((u) => u.id as string));
        if (page.has_more !== true) break;
        if (page.last_id === after) {
          stuck = true;
          break;
        }
        after = page.last_id as string;
      }
      expect(stuck).toBe(true);
      expect(seen.length).toBeLessThan(10);
    } finally {
      sim.setFaults(undefined);
    }
  });
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
