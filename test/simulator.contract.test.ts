/**
 * The simulator's wire contract: every shape it serves validates against the
 * official OpenAPI schemas (or deviates exactly as a quirk documents), errors
 * carry the four-key envelope, cursors behave, the generator is deterministic
 * and every fault kind fires.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAULT_KINDS,
  generateOrganization,
  type RunningSimulator,
  startSimulator,
} from "../src/simulator/index.js";
import { type CallOptions, call, dataOf, obj, type RawResponse } from "./support/simulator-http.js";
import { SpecValidator } from "./support/simulator-openapi.js";

const spec = new SpecValidator();
const covered = new Set<string>();

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 7, groups: 40, users: 300 });
});

afterAll(async () => {
  await sim.stop();
});

/** Calls and asserts the response validates against the schema the spec documents for it. */
async function conform(
  method: string,
  template: string,
  path: string,
  options?: CallOptions,
  target: RunningSimulator = sim,
): Promise<RawResponse> {
  const res = await call(target, method, path, options);
  const result = spec.validateResponse(method, template, res.status, res.json);
  expect(result.errors, `${method} ${path} -> ${res.status} ${res.text.slice(0, 300)}`).toEqual([]);
  expect(result.valid).toBe(true);
  if (res.status === 200) covered.add(`${method} ${template}`);
  return res;
}

/** Asserts the four-key error envelope, the status and (optionally) the param. */
function expectError(
  res: RawResponse,
  status: number,
  param: string | null = null,
): Record<string, unknown> {
  expect(res.status, res.text).toBe(status);
  const result = spec.validateSchema("ErrorResponse", res.json);
  expect(result.errors).toEqual([]);
  const body = obj(res.json);
  expect(Object.keys(body)).toEqual(["error"]);
  const error = obj(body.error);
  expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(error.param).toBe(param);
  return error;
}

function subjects() {
  const sizes = sim.state.groupSizes();
  const withMembers = sizes.find((g) => g.members >= 3) ?? sizes[0];
  if (withMembers === undefined) throw new Error("no groups");
  const member = sim.state.listGroupUsers(withMembers.id)[0];
  if (member === undefined) throw new Error("no members");
  const usageViewer = sim.state.roleIdByName("Usage Viewer") as string;
  const projectViewer = sim.state.roleIdByName("Project Viewer") as string;
  return { groupId: withMembers.id, userId: member.id, usageViewer, projectViewer };
}

describe("every endpoint conforms to the OpenAPI schemas (default quirks)", () => {
  it("serves schema-valid bodies for groups, group users and group roles", async () => {
    const { userId, usageViewer, projectViewer } = subjects();
    const list = await conform("GET", "/organization/groups", "/organization/groups");
    expect(dataOf(list.json)).toEqual(sim.state.listGroups());
    await conform("GET", "/organization/groups", "/organization/groups?limit=5&order=desc");

    const created = obj(
      (
        await conform("POST", "/organization/groups", "/organization/groups", {
          body: { name: "Contract Team" },
        })
      ).json,
    );
    const gid = created.id as string;
    expect(created).toMatchObject({
      name: "Contract Team",
      is_scim_managed: false,
      group_type: "group",
    });
    await conform("GET", "/organization/groups/{group_id}", `/organization/groups/${gid}`);
    const updated = obj(
      (
        await conform("POST", "/organization/groups/{group_id}", `/organization/groups/${gid}`, {
          body: { name: "Escalations" },
        })
      ).json,
    );
    // GroupResourceWithSuccess has no group_type.
    expect(Object.keys(updated).sort()).toEqual(["created_at", "id", "is_scim_managed", "name"]);

    const added = await conform(
      "POST",
      "/organization/groups/{group_id}/users",
      `/organization/groups/${gid}/users`,
      {
        body: { user_id: userId },
      },
    );
    expect(added.json).toEqual({ object: "group.user", user_id: userId, group_id: gid });
    const members = await conform(
      "GET",
      "/organization/groups/{group_id}/users",
      `/organization/groups/${gid}/users`,
    );
    expect(dataOf(members.json).map((u) => u.id)).toEqual([userId]);
    const member = await conform(
      "GET",
      "/organization/groups/{group_id}/users/{user_id}",
      `/organization/groups/${gid}/users/${userId}`,
    );
    expect(Object.keys(obj(member.json)).sort()).toEqual([
      "email",
      "id",
      "is_service_account",
      "name",
      "picture",
      "user_type",
    ]);

    const assigned = obj(
      (
        await conform(
          "POST",
          "/organization/groups/{group_id}/roles",
          `/organization/groups/${gid}/roles`,
          {
            body: { role_id: usageViewer },
          },
        )
      ).json,
    );
    expect(assigned.object).toBe("group.role");
    // The nested Group uses scim_managed, not is_scim_managed.
    expect(obj(assigned.group)).toEqual({
      object: "group",
      id: gid,
      name: "Escalations",
      created_at: created.created_at,
      scim_managed: false,
    });
    expect(obj(assigned.role).id).toBe(usageViewer);
    const groupRoles = await conform(
      "GET",
      "/organization/groups/{group_id}/roles",
      `/organization/groups/${gid}/roles`,
    );
    for (const item of dataOf(groupRoles.json)) {
      expect(item).not.toHaveProperty("object");
      expect(item.assignment_sources).toBeNull();
    }
    await conform(
      "GET",
      "/organization/groups/{group_id}/roles/{role_id}",
      `/organization/groups/${gid}/roles/${usageViewer}`,
    );

    // The member now inherits the role through the group.
    const userRoles = await conform(
      "GET",
      "/organization/users/{user_id}/roles",
      `/organization/users/${userId}/roles`,
    );
    const inherited = dataOf(userRoles.json).find((r) => r.id === usageViewer);
    expect(inherited?.assignment_sources).toContainEqual({
      principal_id: gid,
      principal_type: "group",
    });
    await conform(
      "GET",
      "/organization/users/{user_id}/roles/{role_id}",
      `/organization/users/${userId}/roles/${usageViewer}`,
    );
    const userAssigned = obj(
      (
        await conform(
          "POST",
          "/organization/users/{user_id}/roles",
          `/organization/users/${userId}/roles`,
          {
            body: { role_id: projectViewer },
          },
        )
      ).json,
    );
    expect(userAssigned.object).toBe("user.role");
    expect(obj(userAssigned.user).id).toBe(userId);
    const direct = obj(
      (await call(sim, "GET", `/organization/users/${userId}/roles/${projectViewer}`)).json,
    );
    expect(direct.assignment_sources).toContainEqual({
      principal_id: userId,
      principal_type: "user",
    });
    const userUnassigned = await conform(
      "DELETE",
      "/organization/users/{user_id}/roles/{role_id}",
      `/organization/users/${userId}/roles/${projectViewer}`,
    );
    expect(userUnassigned.json).toEqual({ object: "user.role.deleted", deleted: true });

    const unassigned = await conform(
      "DELETE",
      "/organization/groups/{group_id}/roles/{role_id}",
      `/organization/groups/${gid}/roles/${usageViewer}`,
    );
    expect(unassigned.json).toEqual({ object: "group.role.deleted", deleted: true });
    const removed = await conform(
      "DELETE",
      "/organization/groups/{group_id}/users/{user_id}",
      `/organization/groups/${gid}/users/${userId}`,
    );
    expect(removed.json).toEqual({ object: "group.user.deleted", deleted: true });
    const deleted = await conform(
      "DELETE",
      "/organization/groups/{group_id}",
      `/organization/groups/${gid}`,
    );
    expect(deleted.json).toEqual({ object: "group.deleted", id: gid, deleted: true });
    expect(sim.state.hasGroup(gid)).toBe(false);
  });

  it("serves schema-valid bodies for roles and users", async () => {
    const roles = await conform("GET", "/organization/roles", "/organization/roles");
    expect(dataOf(roles.json)).toEqual(sim.state.listRoles());
    const names = dataOf(roles.json).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["Owner", "Reader"]));
    const created = obj(
      (
        await conform("POST", "/organization/roles", "/organization/roles", {
          body: { role_name: "Contract Role", permissions: ["api.groups.read"], description: null },
        })
      ).json,
    );
    expect(created).toMatchObject({
      object: "role",
      name: "Contract Role",
      predefined_role: false,
    });
    const rid = created.id as string;
    await conform("GET", "/organization/roles/{role_id}", `/organization/roles/${rid}`);
    const updated = await conform(
      "POST",
      "/organization/roles/{role_id}",
      `/organization/roles/${rid}`,
      {
        body: { permissions: ["api.groups.read", "api.groups.write"] },
      },
    );
    expect(obj(updated.json).permissions).toEqual(["api.groups.read", "api.groups.write"]);
    const deleted = await conform(
      "DELETE",
      "/organization/roles/{role_id}",
      `/organization/roles/${rid}`,
    );
    expect(deleted.json).toEqual({ object: "role.deleted", id: rid, deleted: true });

    const users = await conform("GET", "/organization/users", "/organization/users?limit=5");
    const page = obj(users.json);
    expect(Object.keys(page).sort()).toEqual(["data", "first_id", "has_more", "last_id", "object"]);
    expect(dataOf(page)).toEqual(sim.state.listUsers().slice(0, 5));
    const [first, second] = sim.state.listUsers().filter((u) => u.role === "reader");
    if (first === undefined || second === undefined) throw new Error("need two readers");
    await conform("GET", "/organization/users/{user_id}", `/organization/users/${first.id}`);
    const promoted = await conform(
      "POST",
      "/organization/users/{user_id}",
      `/organization/users/${first.id}`,
      {
        body: { role: "owner" },
      },
    );
    expect(obj(promoted.json).role).toBe("owner");
    expect(sim.state.hasDirectUserRole(first.id, sim.state.ownerRoleId)).toBe(true);
    const demoted = await call(sim, "POST", `/organization/users/${first.id}`, {
      body: { role: "reader" },
    });
    expect(obj(demoted.json).role).toBe("reader");
    const gone = await conform(
      "DELETE",
      "/organization/users/{user_id}",
      `/organization/users/${second.id}`,
    );
    expect(gone.json).toEqual({
      object: "organization.user.deleted",
      id: second.id,
      deleted: true,
    });
    expect(sim.state.getUser(second.id)).toBeUndefined();
  });

  it("serves schema-valid bodies for projects, project users, groups, roles and role assignments", async () => {
    const s = sim.state;
    const listed = await conform("GET", "/organization/projects", "/organization/projects");
    expect(dataOf(listed.json)).toEqual(s.listProjects());
    expect(dataOf(listed.json).every((p) => p.status === "active")).toBe(true);
    const all = await conform(
      "GET",
      "/organization/projects",
      "/organization/projects?include_archived=true&limit=100",
    );
    expect(dataOf(all.json)).toEqual(s.listProjects({ includeArchived: true }));
    expect(dataOf(all.json).some((p) => p.status === "archived")).toBe(true);

    // A fresh project, then every project endpoint over it.
    const created = obj(
      (
        await conform("POST", "/organization/projects", "/organization/projects", {
          body: { name: "Contract Project", residency: "EU_STORAGE_PROCESSING" },
        })
      ).json,
    );
    expect(created).toMatchObject({
      object: "organization.project",
      name: "Contract Project",
      status: "active",
      archived_at: null,
      external_key_id: null,
      residency: "EU_STORAGE_PROCESSING",
    });
    const pid = created.id as string;
    expect(pid).toMatch(/^proj_/);
    const base = `/organization/projects/${pid}`;
    await conform("GET", "/organization/projects/{project_id}", base);
    const modified = await conform("POST", "/organization/projects/{project_id}", base, {
      body: { name: "Contract Project (renamed)", external_key_id: "ekm_key_contract" },
    });
    expect(obj(modified.json)).toMatchObject({
      name: "Contract Project (renamed)",
      external_key_id: "ekm_key_contract",
    });

    const [ownerId, memberId] = s.listUsers().map((u) => u.id);
    const member = s.getUser(memberId as string);
    if (ownerId === undefined || member?.email === null || member === undefined) {
      throw new Error("need two users, the second with an email");
    }
    const addedOwner = await conform(
      "POST",
      "/organization/projects/{project_id}/users",
      `${base}/users`,
      { body: { user_id: ownerId, role: "owner" } },
    );
    expect(obj(addedOwner.json)).toMatchObject({
      object: "organization.project.user",
      id: ownerId,
      role: "owner",
    });
    const addedByEmail = await conform(
      "POST",
      "/organization/projects/{project_id}/users",
      `${base}/users`,
      { body: { email: member.email, role: "member" } },
    );
    expect(obj(addedByEmail.json).id).toBe(member.id);
    const users = await conform(
      "GET",
      "/organization/projects/{project_id}/users",
      `${base}/users`,
    );
    expect(Object.keys(obj(users.json)).sort()).toEqual([
      "data",
      "first_id",
      "has_more",
      "last_id",
      "object",
    ]);
    expect(dataOf(users.json)).toEqual(s.listProjectUsers(pid));
    await conform(
      "GET",
      "/organization/projects/{project_id}/users/{user_id}",
      `${base}/users/${member.id}`,
    );
    const promoted = await conform(
      "POST",
      "/organization/projects/{project_id}/users/{user_id}",
      `${base}/users/${member.id}`,
      { body: { role: "owner" } },
    );
    expect(obj(promoted.json).role).toBe("owner");

    // The roles catalog: three predefined roles, then a custom one.
    const roles = await conform("GET", "/projects/{project_id}/roles", `/projects/${pid}/roles`);
    expect(dataOf(roles.json)).toEqual(s.listProjectRoles(pid));
    expect(
      dataOf(roles.json)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["Project Member", "Project Owner", "Project Viewer"]);
    for (const r of dataOf(roles.json)) {
      expect(r).toMatchObject({ resource_type: "api.project", predefined_role: true });
    }
    const custom = obj(
      (
        await conform("POST", "/projects/{project_id}/roles", `/projects/${pid}/roles`, {
          body: {
            role_name: "Contract Key Manager",
            permissions: ["api.organization.projects.api_keys.read"],
            description: "made by the contract test",
          },
        })
      ).json,
    );
    expect(custom).toMatchObject({
      object: "role",
      name: "Contract Key Manager",
      predefined_role: false,
      resource_type: "api.project",
    });
    const rid = custom.id as string;
    await conform("GET", "/projects/{project_id}/roles/{role_id}", `/projects/${pid}/roles/${rid}`);
    const updatedRole = await conform(
      "POST",
      "/projects/{project_id}/roles/{role_id}",
      `/projects/${pid}/roles/${rid}`,
      {
        body: {
          permissions: [
            "api.organization.projects.api_keys.read",
            "api.organization.projects.api_keys.write",
          ],
        },
      },
    );
    expect(obj(updatedRole.json).permissions).toHaveLength(2);

    // A group attached with the Project Member role; its role assignments.
    const memberRole = s.projectRoleIdByName(pid, "Project Member") as string;
    const group = s.groupSizes().find((g) => g.members > 0 && !s.isMember(g.id, ownerId));
    if (group === undefined) throw new Error("need a group without the first user");
    const attached = await conform(
      "POST",
      "/organization/projects/{project_id}/groups",
      `${base}/groups`,
      { body: { group_id: group.id, role: memberRole } },
    );
    expect(Object.keys(obj(attached.json)).sort()).toEqual([
      "created_at",
      "group_id",
      "group_name",
      "group_type",
      "object",
      "project_id",
    ]);
    expect(obj(attached.json)).toMatchObject({
      object: "project.group",
      project_id: pid,
      group_id: group.id,
    });
    const groups = await conform(
      "GET",
      "/organization/projects/{project_id}/groups",
      `${base}/groups`,
    );
    expect(dataOf(groups.json)).toEqual(s.listProjectGroups(pid));
    await conform(
      "GET",
      "/organization/projects/{project_id}/groups/{group_id}",
      `${base}/groups/${group.id}`,
    );
    const groupRoles = await conform(
      "GET",
      "/projects/{project_id}/groups/{group_id}/roles",
      `/projects/${pid}/groups/${group.id}/roles`,
    );
    expect(dataOf(groupRoles.json).map((r) => r.id)).toEqual([memberRole]);
    for (const item of dataOf(groupRoles.json)) {
      expect(item).not.toHaveProperty("object");
      expect(item.assignment_sources).toBeNull();
    }
    const groupAssigned = obj(
      (
        await conform(
          "POST",
          "/projects/{project_id}/groups/{group_id}/roles",
          `/projects/${pid}/groups/${group.id}/roles`,
          { body: { role_id: rid } },
        )
      ).json,
    );
    expect(groupAssigned.object).toBe("group.role");
    expect(obj(groupAssigned.group)).toMatchObject({ object: "group", id: group.id });
    expect(obj(groupAssigned.group)).toHaveProperty("scim_managed");
    expect(obj(groupAssigned.role).id).toBe(rid);
    await conform(
      "GET",
      "/projects/{project_id}/groups/{group_id}/roles/{role_id}",
      `/projects/${pid}/groups/${group.id}/roles/${rid}`,
    );

    // A member's roles: membership role and direct ones from the user, the group's from the group.
    s.addMember(group.id, ownerId);
    const userAssigned = obj(
      (
        await conform(
          "POST",
          "/projects/{project_id}/users/{user_id}/roles",
          `/projects/${pid}/users/${ownerId}/roles`,
          { body: { role_id: s.projectRoleIdByName(pid, "Project Viewer") } },
        )
      ).json,
    );
    expect(userAssigned.object).toBe("user.role");
    expect(userAssigned.user).toEqual(s.getUser(ownerId));
    const userRoles = dataOf(
      (
        await conform(
          "GET",
          "/projects/{project_id}/users/{user_id}/roles",
          `/projects/${pid}/users/${ownerId}/roles`,
        )
      ).json,
    );
    expect(userRoles).toEqual(s.listProjectUserRoles(pid, ownerId));
    const fromUser = { principal_id: ownerId, principal_type: "user" };
    const fromGroup = { principal_id: group.id, principal_type: "group" };
    const sourcesOf = (name: string) => userRoles.find((r) => r.name === name)?.assignment_sources;
    expect(sourcesOf("Project Owner")).toEqual([fromUser]);
    expect(sourcesOf("Project Viewer")).toEqual([fromUser]);
    expect(sourcesOf("Project Member")).toEqual([fromGroup]);
    expect(sourcesOf("Contract Key Manager")).toEqual([fromGroup]);
    const viewer = s.projectRoleIdByName(pid, "Project Viewer") as string;
    await conform(
      "GET",
      "/projects/{project_id}/users/{user_id}/roles/{role_id}",
      `/projects/${pid}/users/${ownerId}/roles/${viewer}`,
    );
    const userUnassigned = await conform(
      "DELETE",
      "/projects/{project_id}/users/{user_id}/roles/{role_id}",
      `/projects/${pid}/users/${ownerId}/roles/${viewer}`,
    );
    expect(userUnassigned.json).toEqual({ object: "user.role.deleted", deleted: true });
    const groupUnassigned = await conform(
      "DELETE",
      "/projects/{project_id}/groups/{group_id}/roles/{role_id}",
      `/projects/${pid}/groups/${group.id}/roles/${rid}`,
    );
    expect(groupUnassigned.json).toEqual({ object: "group.role.deleted", deleted: true });
    s.removeMember(group.id, ownerId);

    const roleDeleted = await conform(
      "DELETE",
      "/projects/{project_id}/roles/{role_id}",
      `/projects/${pid}/roles/${rid}`,
    );
    expect(roleDeleted.json).toEqual({ object: "role.deleted", id: rid, deleted: true });
    const detached = await conform(
      "DELETE",
      "/organization/projects/{project_id}/groups/{group_id}",
      `${base}/groups/${group.id}`,
    );
    expect(detached.json).toEqual({ object: "project.group.deleted", deleted: true });
    const removed = await conform(
      "DELETE",
      "/organization/projects/{project_id}/users/{user_id}",
      `${base}/users/${member.id}`,
    );
    expect(removed.json).toEqual({
      object: "organization.project.user.deleted",
      id: member.id,
      deleted: true,
    });
    const archived = obj(
      (await conform("POST", "/organization/projects/{project_id}/archive", `${base}/archive`))
        .json,
    );
    expect(archived).toMatchObject({ id: pid, status: "archived" });
    expect(archived.archived_at).toEqual(expect.any(Number));
    expect(s.getProject(pid)).toEqual(archived);
  });

  it("serves schema-valid errors for projects: unknown ids, archived, Default project, bad bodies", async () => {
    const s = sim.state;
    const archived = s.listProjects({ includeArchived: true }).find((p) => p.status === "archived");
    const defaultId = s.defaultProjectId;
    const active = s
      .listProjects()
      .find(
        (p) =>
          p.id !== defaultId &&
          s.projectMemberIds(p.id).length > 0 &&
          s.projectGroupIds(p.id).length > 0,
      );
    const other = s.listProjects().find((p) => p.id !== defaultId && p.id !== active?.id);
    if (archived === undefined || defaultId === undefined || active === undefined || !other) {
      throw new Error("need an archived, the Default, and two other projects");
    }
    const a = archived.id;
    const p = active.id;
    const member = s.projectMemberIds(p)[0] as string;
    const attached = s.projectGroupIds(p)[0] as string;
    const outsider = s.userIds().find((u) => !s.isProjectMember(p, u)) as string;
    const detachedGroup = s.groupIds().find((g) => !s.isProjectGroup(p, g)) as string;
    const foreignRole = s.projectRoleIdByName(other.id, "Project Viewer") as string;

    // An archived project: no users (400), no writes (400), but groups and roles still read.
    const archivedUser = s.projectMemberIds(a)[0] ?? member;
    const archivedCalls: Array<[string, string, string, CallOptions?]> = [
      ["GET", "/organization/projects/{project_id}/users", `/organization/projects/${a}/users`],
      [
        "POST",
        "/organization/projects/{project_id}/users",
        `/organization/projects/${a}/users`,
        { body: { user_id: outsider, role: "member" } },
      ],
      [
        "POST",
        "/organization/projects/{project_id}/users/{user_id}",
        `/organization/projects/${a}/users/${archivedUser}`,
        { body: { role: "owner" } },
      ],
      [
        "DELETE",
        "/organization/projects/{project_id}/users/{user_id}",
        `/organization/projects/${a}/users/${archivedUser}`,
      ],
      [
        "POST",
        "/organization/projects/{project_id}",
        `/organization/projects/${a}`,
        { body: { name: "x" } },
      ],
      [
        "POST",
        "/organization/projects/{project_id}/archive",
        `/organization/projects/${a}/archive`,
      ],
      [
        "GET",
        "/projects/{project_id}/users/{user_id}/roles",
        `/projects/${a}/users/${archivedUser}/roles`,
      ],
    ];
    for (const [method, template, path, options] of archivedCalls) {
      const error = expectError(await conform(method, template, path, options), 400);
      expect(error.message).toBe(`Project ${a} is archived.`);
      expect(error.type).toBe("invalid_request_error");
    }
    await conform("GET", "/organization/projects/{project_id}", `/organization/projects/${a}`);
    const archivedGroups = await conform(
      "GET",
      "/organization/projects/{project_id}/groups",
      `/organization/projects/${a}/groups`,
    );
    expect(dataOf(archivedGroups.json)).toEqual(s.listProjectGroups(a));
    await conform("GET", "/projects/{project_id}/roles", `/projects/${a}/roles`);
    for (const g of s.projectGroupIds(a)) {
      await conform(
        "GET",
        "/projects/{project_id}/groups/{group_id}/roles",
        `/projects/${a}/groups/${g}/roles`,
      );
    }

    // The Default project cannot be modified or archived; users cannot leave it.
    expectError(
      await conform(
        "POST",
        "/organization/projects/{project_id}",
        `/organization/projects/${defaultId}`,
        { body: { name: "Renamed default" } },
      ),
      400,
    );
    expectError(await call(sim, "POST", `/organization/projects/${defaultId}/archive`), 400);
    const defaultMember = s.projectMemberIds(defaultId)[0];
    if (defaultMember !== undefined) {
      expectError(
        await call(sim, "DELETE", `/organization/projects/${defaultId}/users/${defaultMember}`),
        400,
      );
      expect(s.isProjectMember(defaultId, defaultMember)).toBe(true);
    }

    // Unknown ids: 404.
    for (const [method, path] of [
      ["GET", "/organization/projects/proj_doesnotexist"],
      ["POST", "/organization/projects/proj_doesnotexist/archive"],
      ["GET", "/organization/projects/proj_doesnotexist/users"],
      ["GET", "/organization/projects/proj_doesnotexist/groups"],
      ["GET", "/projects/proj_doesnotexist/roles"],
      ["GET", `/organization/projects/${p}/users/${outsider}`],
      ["DELETE", `/organization/projects/${p}/users/${outsider}`],
      ["GET", `/organization/projects/${p}/groups/${detachedGroup}`],
      ["DELETE", `/organization/projects/${p}/groups/${detachedGroup}`],
      ["GET", `/projects/${p}/roles/${foreignRole}`],
      ["DELETE", `/projects/${p}/roles/role_doesnotexist`],
      ["GET", `/projects/${p}/groups/${detachedGroup}/roles`],
      ["GET", `/projects/${p}/groups/group_doesnotexist/roles`],
      ["GET", `/projects/${p}/users/${outsider}/roles`],
      ["GET", `/projects/${p}/users/${member}/roles/${foreignRole}`],
      ["GET", `/projects/${p}/groups/${attached}/roles/${foreignRole}`],
    ] as const) {
      expectError(await call(sim, method, path), 404);
    }
    expectError(
      await conform(
        "GET",
        "/projects/{project_id}/groups/{group_id}/roles",
        `/projects/${p}/groups/${detachedGroup}/roles`,
      ),
      404,
    );

    // Bad bodies and parameters: 400 with the offending param.
    const viewer = s.projectRoleIdByName(p, "Project Viewer") as string;
    const owner = s.projectRoleIdByName(p, "Project Owner") as string;
    const cases: Array<[string, string, CallOptions, string | null]> = [
      ["POST", "/organization/projects", { body: {} }, "name"],
      ["POST", "/organization/projects", { body: { name: "" } }, "name"],
      ["POST", "/organization/projects", { body: { name: "x", residency: "MARS" } }, "residency"],
      [
        "POST",
        "/organization/projects",
        { body: { name: "x", geography: "Atlantis" } },
        "geography",
      ],
      ["POST", `/organization/projects/${p}`, { body: { name: 7 } }, "name"],
      ["GET", "/organization/projects?limit=101", {}, "limit"],
      ["GET", "/organization/projects?include_archived=maybe", {}, "include_archived"],
      ["POST", `/organization/projects/${p}/users`, { body: { user_id: outsider } }, "role"],
      [
        "POST",
        `/organization/projects/${p}/users`,
        { body: { user_id: outsider, role: "admin" } },
        "role",
      ],
      ["POST", `/organization/projects/${p}/users`, { body: { role: "member" } }, "user_id"],
      [
        "POST",
        `/organization/projects/${p}/users`,
        { body: { user_id: "user_unknown", role: "member" } },
        "user_id",
      ],
      [
        "POST",
        `/organization/projects/${p}/users`,
        { body: { email: "nobody@nowhere.invalid", role: "member" } },
        "email",
      ],
      [
        "POST",
        `/organization/projects/${p}/users`,
        { body: { user_id: member, role: "member" } },
        "user_id",
      ],
      ["POST", `/organization/projects/${p}/users/${member}`, { body: { role: "admin" } }, "role"],
      ["POST", `/organization/projects/${p}/groups`, { body: { group_id: detachedGroup } }, "role"],
      ["POST", `/organization/projects/${p}/groups`, { body: { role: viewer } }, "group_id"],
      [
        "POST",
        `/organization/projects/${p}/groups`,
        { body: { group_id: "group_unknown", role: viewer } },
        "group_id",
      ],
      [
        "POST",
        `/organization/projects/${p}/groups`,
        { body: { group_id: detachedGroup, role: foreignRole } },
        "role",
      ],
      ["GET", `/organization/projects/${p}/groups?limit=101`, {}, "limit"],
      ["GET", `/organization/projects/${p}/groups?order=up`, {}, "order"],
      ["GET", `/organization/projects/${p}/groups/${attached}?group_type=team`, {}, "group_type"],
      ["POST", `/projects/${p}/roles`, { body: { permissions: [] } }, "role_name"],
      ["POST", `/projects/${p}/roles`, { body: { role_name: "No Perms" } }, "permissions"],
      [
        "POST",
        `/projects/${p}/roles`,
        { body: { role_name: "Project Viewer", permissions: [] } },
        "role_name",
      ],
      ["POST", `/projects/${p}/roles/${viewer}`, { body: { permissions: [] } }, null],
      ["DELETE", `/projects/${p}/roles/${owner}`, {}, null],
      ["GET", `/projects/${p}/roles?limit=1001`, {}, "limit"],
      ["POST", `/projects/${p}/groups/${attached}/roles`, { body: {} }, "role_id"],
      [
        "POST",
        `/projects/${p}/groups/${attached}/roles`,
        { body: { role_id: foreignRole } },
        "role_id",
      ],
      [
        "POST",
        `/projects/${p}/users/${member}/roles`,
        { body: { role_id: "role_unknown" } },
        "role_id",
      ],
      ["GET", `/projects/${p}/users/${member}/roles?limit=1001`, {}, "limit"],
      ["POST", "/organization/projects", { rawBody: "{not json" }, null],
    ];
    for (const [method, path, options, param] of cases) {
      expectError(await call(sim, method, path, options), 400, param);
    }
    // The membership role is not a direct assignment: it changes through modify-project-user.
    const membership = s.getProjectUser(p, member)?.role === "owner" ? owner : undefined;
    const membershipRole = membership ?? (s.projectRoleIdByName(p, "Project Member") as string);
    if (!s.directProjectUserRoleIds(p, member).includes(membershipRole)) {
      expectError(
        await conform(
          "DELETE",
          "/projects/{project_id}/users/{user_id}/roles/{role_id}",
          `/projects/${p}/users/${member}/roles/${membershipRole}`,
        ),
        400,
      );
    }
  });

  it("serves schema-valid bodies for service accounts, project keys, admin keys and invites", async () => {
    const s = sim.state;
    const p = s.activeProjectIds().find((x) => !s.isDefaultProject(x)) as string;
    const archived = s.listProjects({ includeArchived: true }).find((x) => x.status === "archived");
    const SA = "/organization/projects/{project_id}/service_accounts";
    const SA_ONE = `${SA}/{service_account_id}`;
    const KEYS = "/organization/projects/{project_id}/api_keys";
    const KEY_ONE = `${KEYS}/{api_key_id}`;
    const ADMIN = "/organization/admin_api_keys";
    const INVITES = "/organization/invites";
    const sas = `/organization/projects/${p}/service_accounts`;
    const keys = `/organization/projects/${p}/api_keys`;

    // Service accounts: list, create (with a key and without), retrieve, update, key, delete.
    const listedSas = await conform("GET", SA, `${sas}?limit=100`);
    expect(dataOf(listedSas.json)).toEqual(s.listServiceAccounts(p));
    const created = obj((await conform("POST", SA, sas, { body: { name: "Contract SA" } })).json);
    expect(obj(created.api_key).value).toMatch(/^sk-svcacct-SIMULATED-/);
    const bare = obj(
      (
        await conform("POST", SA, sas, {
          body: { name: "Bare SA", create_service_account_only: true },
        })
      ).json,
    );
    expect(bare.api_key).toBeNull();
    const saId = created.id as string;
    await conform("GET", SA_ONE, `${sas}/${saId}`);
    await conform("POST", SA_ONE, `${sas}/${saId}`, { body: { role: "owner" } });
    const saKey = await conform("POST", `${SA_ONE}/api_keys`, `${sas}/${saId}/api_keys`, {
      body: { name: "Contract key" },
    });
    expect(obj(saKey.json).value).toMatch(/^sk-svcacct-SIMULATED-/);

    // Project keys: every filter, retrieve, 400 for a service account's key, delete a user's.
    for (const access of ["", "?owner_project_access=any", "?owner_project_access=inactive"]) {
      await conform("GET", KEYS, `${keys}${access}`);
    }
    const all = dataOf(
      (await conform("GET", KEYS, `${keys}?owner_project_access=any&limit=100`)).json,
    );
    expect(all).toEqual(s.listProjectApiKeys(p, "any"));
    const saKeyId = obj(created.api_key).id as string;
    const retrieved = await conform("GET", KEY_ONE, `${keys}/${saKeyId}`);
    expect(obj(retrieved.json).owner).toMatchObject({ type: "service_account" });
    expectError(await conform("DELETE", KEY_ONE, `${keys}/${saKeyId}`), 400);
    const member = s.projectMemberIds(p)[0] as string;
    const userKey = s.createUserApiKey(p, member, "Contract user key");
    const userWire = await conform("GET", KEY_ONE, `${keys}/${userKey.id}`);
    expect(obj(obj(userWire.json).owner)).toMatchObject({ type: "user", user: { id: member } });
    await conform("DELETE", KEY_ONE, `${keys}/${userKey.id}`);
    await conform("DELETE", SA_ONE, `${sas}/${saId}`);
    if (archived !== undefined) {
      const base = `/organization/projects/${archived.id}`;
      expectError(await conform("GET", SA, `${base}/service_accounts`), 400);
      expectError(
        await conform("POST", SA, `${base}/service_accounts`, { body: { name: "x" } }),
        400,
      );
      await conform("GET", KEYS, `${base}/api_keys`);
    }

    // Admin keys: both orders, create with and without expiry, retrieve, delete.
    for (const order of ["asc", "desc"]) {
      const listed = await conform("GET", ADMIN, `${ADMIN}?order=${order}&limit=100`);
      expect(dataOf(listed.json)).toEqual(s.listAdminApiKeys(order as "asc" | "desc"));
    }
    const admin = obj(
      (await conform("POST", ADMIN, ADMIN, { body: { name: "Contract admin key" } })).json,
    );
    expect(admin.expires_at).toBeNull();
    await conform("POST", ADMIN, ADMIN, {
      body: { name: "Expiring", expires_in_seconds: 86_400 },
    });
    await conform("GET", `${ADMIN}/{key_id}`, `${ADMIN}/${admin.id}`);
    const deletedAdmin = await conform("DELETE", `${ADMIN}/{key_id}`, `${ADMIN}/${admin.id}`);
    expect(deletedAdmin.json).toEqual({
      id: admin.id,
      object: "organization.admin_api_key.deleted",
      deleted: true,
    });
    // A service-account owner (the spec's list example) also validates.
    expect(s.listAdminApiKeys().some((k) => k.owner.type === "service_account")).toBe(true);

    // Invites: list, create, retrieve, delete; accepted ones cannot be deleted.
    const invites = await conform("GET", INVITES, `${INVITES}?limit=100`);
    expect(dataOf(invites.json)).toEqual(s.listInvites());
    const invite = obj(
      (
        await conform("POST", INVITES, INVITES, {
          body: { email: "contract.invitee@example.org", role: "reader", projects: [] },
        })
      ).json,
    );
    await conform("GET", `${INVITES}/{invite_id}`, `${INVITES}/${invite.id}`);
    await conform("DELETE", `${INVITES}/{invite_id}`, `${INVITES}/${invite.id}`);
    const accepted = s.listInvites().find((i) => i.status === "accepted");
    expectError(
      await conform("DELETE", `${INVITES}/{invite_id}`, `${INVITES}/${accepted?.id}`),
      400,
    );
    expectError(await conform("GET", `${INVITES}/{invite_id}`, `${INVITES}/invite-nope`), 404);
  });

  it("serves schema-valid audit-log pages: every actor kind, filters, late events, history, quirks and errors", async () => {
    const s = sim.state;
    const LOGS = "/organization/audit_logs";
    const p = s.activeProjectIds().find((x) => !s.isDefaultProject(x)) as string;
    const member = s.projectMemberIds(p)[0] as string;
    const reader = s.listUsers().find((u) => u.role === "reader" && u.email !== null);
    if (reader === undefined) throw new Error("need a reader");
    // Console, a user's project key, a service account's key, SCIM, an explicit late event.
    s.createGroup("Audit contract group");
    const key = s.createUserApiKey(p, member, "Contract audit key");
    s.asActor({ kind: "api_key", keyId: key.id }, () =>
      s.renameProject(p, "Audit contract project"),
    );
    const created = s.createServiceAccount(p, "Audit contract SA");
    const saKeyId = created.apiKey?.id as string;
    s.asActor({ kind: "api_key", keyId: saKeyId }, () => s.createUserApiKey(p, member, "By SA"));
    s.asActor({ kind: "scim" }, () =>
      s.createUser({ name: "Scim Person", email: "scim.person@example.com" }),
    );
    s.asActor({ kind: "session", userId: reader.id }, () => s.createGroup("Reader's group"));
    s.recordAuditEvent({
      type: "login.failed",
      effective_at: s.auditNow - 3_600,
      detail: { error_code: "x", error_message: "y" },
    });
    // And writes through the API (an admin key: the Default project).
    await call(sim, "POST", "/organization/groups", {
      body: { name: "Audit contract HTTP group" },
    });

    const full = await conform("GET", LOGS, `${LOGS}?limit=100`);
    const page = obj(full.json);
    expect(Object.keys(page).sort()).toEqual(["data", "first_id", "has_more", "last_id", "object"]);
    const data = dataOf(page);
    expect(data).toEqual(s.listAuditEvents().slice(0, 100));
    expect(page.first_id).toBe(data[0]?.id);
    expect(page.last_id).toBe(data[data.length - 1]?.id);
    for (const event of data) expect(spec.validateSchema("AuditLog", event).errors).toEqual([]);
    const kinds = new Set(data.map((e) => (e.actor === null ? "null" : obj(e.actor).type)));
    expect([...kinds].sort()).toEqual(["api_key", "null", "session"]);
    // Every filter at once still validates; the bracket keys arrive percent-encoded from the SDKs.
    const since = (data[data.length - 1]?.effective_at as number) ?? 0;
    await conform(
      "GET",
      LOGS,
      `${LOGS}?effective_at%5Bgte%5D=${since}&effective_at%5Blt%5D=${s.auditNow + 1}&project_ids%5B%5D=${p}&event_types%5B%5D=api_key.created&actor_ids%5B%5D=${saKeyId}&actor_emails%5B%5D=x%40example.com&resource_ids%5B%5D=${key.id}&tenant_only=false&limit=5`,
    );
    await conform("GET", LOGS, `${LOGS}?tenant_only=true`);
    await conform("GET", LOGS, `${LOGS}?before=${data[3]?.id}&limit=2`);

    // Quirks: the session fields of the spec's examples, a top-level source everywhere.
    sim.setQuirks({ auditLogSessionDetails: true, auditLogSource: true });
    const quirky = dataOf((await conform("GET", LOGS, `${LOGS}?limit=100`)).json);
    const session = quirky.find((e) => e.actor !== null && obj(e.actor).type === "session");
    expect(Object.keys(obj(obj(session?.actor).session)).sort()).toEqual([
      "ip_address",
      "ip_address_details",
      "ja3",
      "ja4",
      "user",
      "user_agent",
    ]);
    expect(new Set(quirky.map((e) => e.source))).toEqual(
      new Set(["cloud_console", "adminapi", "scim"]),
    );
    sim.setQuirks({ auditLogSessionDetails: false, auditLogSource: false });

    // A seeded history validates too.
    const historic = generateOrganization({ seed: 3, groups: 10, users: 60, auditEvents: 2_000 });
    const other = await startSimulator({ port: 0, seed: 3, state: historic });
    try {
      for (const after of [undefined, historic.listAuditEvents()[1_000]?.id]) {
        const res = await conform(
          "GET",
          LOGS,
          `${LOGS}?limit=100${after === undefined ? "" : `&after=${after}`}`,
          undefined,
          other,
        );
        expect(dataOf(res.json)).toHaveLength(100);
      }
    } finally {
      await other.stop();
    }

    // Errors: the two modes and bad parameters, each the four-key envelope.
    sim.setAuditLogMode("disabled");
    const disabled = expectError(await conform("GET", LOGS, LOGS), 400);
    expect(disabled.code).toBe("audit_logging_disabled");
    sim.setAuditLogMode("forbidden");
    expectError(await conform("GET", LOGS, LOGS), 403);
    sim.setAuditLogMode("enabled");
    for (const [query, param] of [
      ["limit=101", "limit"],
      ["limit=x", "limit"],
      ["effective_at[gte]=yesterday", "effective_at[gte]"],
      ["event_types[]=not.a.type", "event_types"],
      ["tenant_only=true&event_types[]=project.created", "event_types"],
      ["tenant_only=maybe", "tenant_only"],
    ] as const) {
      expectError(await conform("GET", LOGS, `${LOGS}?${query}`), 400, param);
    }
  });

  it("has exercised every operation of the spec it serves", () => {
    const expected = spec.operations().map((o) => `${o.method} ${o.template}`);
    // 26 organization operations, 27 project ones, 17 credential ones, the audit log
    expect(expected).toHaveLength(71);
    expect([...covered].sort()).toEqual(expected.sort());
  });
});

describe("quirks: documented deviations, switched on and off", () => {
  afterAll(() => {
    sim.setQuirks({
      groupTypeOmitted: false,
      groupObjectKey: false,
      assignmentSourcesOmitted: false,
      opaqueCursors: false,
      echoKeyInAuthErrors: true,
      userRolesIncludeInherited: true,
      scimGroupsReadOnly: false,
      duplicateWrites: "idempotent",
      missingDeletes: "not_found",
      limitZero: "default",
      roleAssignmentDefaultLimit: 100,
      notFoundStatus: 404,
    });
  });

  it("groupTypeOmitted drops group_type like the spec examples; only that fails the schema", async () => {
    sim.setQuirks({ groupTypeOmitted: true });
    const res = await call(sim, "GET", "/organization/groups?limit=3");
    for (const item of dataOf(res.json)) {
      expect(item).not.toHaveProperty("group_type");
      const result = spec.validateSchema("GroupResponse", item);
      expect(result.valid).toBe(false);
      expect(result.errors).toEqual(["/ must have required property 'group_type'"]);
      expect(spec.validateSchema("GroupResponse", { ...item, group_type: "group" }).valid).toBe(
        true,
      );
    }
    const id = dataOf(res.json)[0]?.id as string;
    expect(obj((await call(sim, "GET", `/organization/groups/${id}`)).json)).not.toHaveProperty(
      "group_type",
    );
    sim.setQuirks({ groupTypeOmitted: false });
    expect(dataOf((await call(sim, "GET", "/organization/groups?limit=1")).json)[0]).toHaveProperty(
      "group_type",
    );
  });

  it("groupObjectKey adds object:'group' like the spec examples, which the schema tolerates", async () => {
    sim.setQuirks({ groupObjectKey: true });
    const res = await conform("GET", "/organization/groups", "/organization/groups?limit=3");
    for (const item of dataOf(res.json)) expect(item.object).toBe("group");
    sim.setQuirks({ groupObjectKey: false });
    const plain = await call(sim, "GET", "/organization/groups?limit=3");
    for (const item of dataOf(plain.json)) expect(item).not.toHaveProperty("object");
  });

  it("assignmentSourcesOmitted drops assignment_sources from list items only", async () => {
    const withRoles = sim.state.groupSizes().find((g) => g.roles > 0);
    if (withRoles === undefined) throw new Error("no group with roles");
    sim.setQuirks({ assignmentSourcesOmitted: true });
    const res = await call(sim, "GET", `/organization/groups/${withRoles.id}/roles`);
    expect(dataOf(res.json).length).toBeGreaterThan(0);
    for (const item of dataOf(res.json)) {
      expect(item).not.toHaveProperty("assignment_sources");
      expect(spec.validateSchema("AssignedRoleDetails", item).errors).toEqual([
        "/ must have required property 'assignment_sources'",
      ]);
    }
    const roleId = dataOf(res.json)[0]?.id as string;
    const single = await call(sim, "GET", `/organization/groups/${withRoles.id}/roles/${roleId}`);
    expect(obj(single.json)).toHaveProperty("assignment_sources", null);
    sim.setQuirks({ assignmentSourcesOmitted: false });
  });

  it("opaqueCursors returns a token that is not an id but works as after", async () => {
    sim.setQuirks({ opaqueCursors: true });
    const first = await conform("GET", "/organization/groups", "/organization/groups?limit=3");
    const next = obj(first.json).next as string;
    const ids = sim.state.listGroups().map((g) => g.id);
    expect(ids).not.toContain(next);
    expect(next.startsWith("group_")).toBe(false);
    const second = await call(
      sim,
      "GET",
      `/organization/groups?limit=3&after=${encodeURIComponent(next)}`,
    );
    expect(dataOf(second.json).map((g) => g.id)).toEqual(ids.slice(3, 6));
    // A raw id still works too.
    const raw = await call(sim, "GET", `/organization/groups?limit=3&after=${ids[2]}`);
    expect(dataOf(raw.json).map((g) => g.id)).toEqual(ids.slice(3, 6));
    sim.setQuirks({ opaqueCursors: false });
  });

  it("echoKeyInAuthErrors echoes the full presented key by default, masks it when off", async () => {
    const wrong = "sk-admin-wrong-key-0123456789abcdefSECRET";
    const echoed = expectError(await call(sim, "GET", "/organization/groups", { key: wrong }), 401);
    expect(echoed.code).toBe("invalid_api_key");
    expect(echoed.message).toContain(wrong);
    sim.setQuirks({ echoKeyInAuthErrors: false });
    const masked = expectError(await call(sim, "GET", "/organization/groups", { key: wrong }), 401);
    expect(masked.message).not.toContain(wrong);
    expect(masked.message).toContain("CRET");
    sim.setQuirks({ echoKeyInAuthErrors: true });
  });

  it("userRolesIncludeInherited switches group-inherited roles in user role lists", async () => {
    const group = sim.state.groupSizes().find((g) => g.roles > 0 && g.members > 0);
    if (group === undefined) throw new Error("no group with roles and members");
    const userId = sim.state.listGroupUsers(group.id)[0]?.id as string;
    const inherited = dataOf((await call(sim, "GET", `/organization/users/${userId}/roles`)).json);
    expect(inherited.map((r) => r.id)).toEqual(
      expect.arrayContaining(sim.state.groupRoleIds(group.id)),
    );
    expect(inherited).toEqual(sim.state.listUserRoles(userId));
    sim.setQuirks({ userRolesIncludeInherited: false });
    const direct = dataOf((await call(sim, "GET", `/organization/users/${userId}/roles`)).json);
    expect(direct.map((r) => r.id)).toEqual(sim.state.directUserRoleIds(userId));
    sim.setQuirks({ userRolesIncludeInherited: true });
  });

  it("scimGroupsReadOnly rejects writes to SCIM-managed groups", async () => {
    const scim = sim.state.groupSizes().find((g) => g.isScimManaged && g.members > 0);
    if (scim === undefined) throw new Error("no SCIM group");
    const userId = sim.state.listGroupUsers(scim.id)[0]?.id as string;
    sim.setQuirks({ scimGroupsReadOnly: true });
    expectError(
      await call(sim, "POST", `/organization/groups/${scim.id}`, { body: { name: "x" } }),
      400,
    );
    expectError(await call(sim, "DELETE", `/organization/groups/${scim.id}/users/${userId}`), 400);
    expect(sim.state.isMember(scim.id, userId)).toBe(true);
    sim.setQuirks({ scimGroupsReadOnly: false });
  });

  it("duplicateWrites: idempotent by default, 409 or 400 when switched", async () => {
    const { groupId, userId, usageViewer } = subjects();
    const again = await conform(
      "POST",
      "/organization/groups/{group_id}/users",
      `/organization/groups/${groupId}/users`,
      {
        body: { user_id: userId },
      },
    );
    expect(again.status).toBe(200);
    sim.setQuirks({ duplicateWrites: "conflict" });
    expectError(
      await call(sim, "POST", `/organization/groups/${groupId}/users`, {
        body: { user_id: userId },
      }),
      409,
      "user_id",
    );
    sim.state.assignGroupRole(groupId, usageViewer);
    sim.setQuirks({ duplicateWrites: "bad_request" });
    expectError(
      await call(sim, "POST", `/organization/groups/${groupId}/roles`, {
        body: { role_id: usageViewer },
      }),
      400,
      "role_id",
    );
    sim.setQuirks({ duplicateWrites: "idempotent" });
    sim.state.unassignGroupRole(groupId, usageViewer);
  });

  it("missingDeletes: 404 for a non-member by default, 200 when idempotent", async () => {
    const { groupId } = subjects();
    const outsider = sim.state.userIds().find((id) => !sim.state.isMember(groupId, id)) as string;
    expectError(
      await call(sim, "DELETE", `/organization/groups/${groupId}/users/${outsider}`),
      404,
    );
    sim.setQuirks({ missingDeletes: "idempotent" });
    const ok = await call(sim, "DELETE", `/organization/groups/${groupId}/users/${outsider}`);
    expect(ok.json).toEqual({ object: "group.user.deleted", deleted: true });
    sim.setQuirks({ missingDeletes: "not_found" });
  });

  it("limitZero: default page size, an empty last page, or a 400", async () => {
    const all = sim.state.listGroups();
    const asDefault = await conform("GET", "/organization/groups", "/organization/groups?limit=0");
    expect(dataOf(asDefault.json)).toEqual(all.slice(0, 100));
    sim.setQuirks({ limitZero: "empty" });
    const empty = await conform("GET", "/organization/groups", "/organization/groups?limit=0");
    expect(empty.json).toEqual({ object: "list", data: [], has_more: false, next: null });
    sim.setQuirks({ limitZero: "error" });
    expectError(await call(sim, "GET", "/organization/groups?limit=0"), 400, "limit");
    sim.setQuirks({ limitZero: "default" });
  });

  it("roleAssignmentDefaultLimit and notFoundStatus are configurable", async () => {
    const { groupId, usageViewer, projectViewer } = subjects();
    sim.state.assignGroupRole(groupId, usageViewer);
    sim.state.assignGroupRole(groupId, projectViewer);
    sim.setQuirks({ roleAssignmentDefaultLimit: 1 });
    const page = obj((await call(sim, "GET", `/organization/groups/${groupId}/roles`)).json);
    expect(dataOf(page)).toHaveLength(1);
    expect(page.has_more).toBe(true);
    sim.setQuirks({ roleAssignmentDefaultLimit: 100, notFoundStatus: 400 });
    expectError(await call(sim, "GET", "/organization/groups/group_missing"), 400);
    sim.setQuirks({ notFoundStatus: 404 });
    sim.state.unassignGroupRole(groupId, usageViewer);
    sim.state.unassignGroupRole(groupId, projectViewer);
  });
});

describe("errors", () => {
  it("401 without a key or with a wrong one", async () => {
    const missing = expectError(await call(sim, "GET", "/organization/groups", { key: null }), 401);
    expect(missing.type).toBe("invalid_request_error");
    const wrong = expectError(
      await call(sim, "GET", "/organization/groups", { key: "sk-admin-nope-123456789" }),
      401,
    );
    expect(wrong).toMatchObject({ type: "invalid_request_error", code: "invalid_api_key" });
    // The SDK headers and organization headers are ignored, not rejected.
    const ok = await fetch(`${sim.baseUrl}/organization/roles`, {
      headers: {
        authorization: `Bearer ${sim.adminKey}`,
        "OpenAI-Organization": "org-whatever",
        "OpenAI-Project": "proj_whatever",
        "X-Stainless-Retry-Count": "0",
      },
    });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
  });

  it("404 for unknown ids, their sub-resources and unknown URLs", async () => {
    const { userId } = subjects();
    for (const path of [
      "/organization/groups/group_doesnotexist",
      "/organization/groups/group_doesnotexist/users",
      "/organization/groups/group_doesnotexist/roles",
      `/organization/groups/group_doesnotexist/users/${userId}`,
      "/organization/users/user_doesnotexist",
      "/organization/users/user_doesnotexist/roles",
      "/organization/roles/role_doesnotexist",
      "/organization/projects/proj_doesnotexist",
      "/organization/audit_logs/audit_log-doesnotexist",
      "/v2/whatever",
    ]) {
      const res = await call(sim, "GET", path);
      expectError(res, 404);
    }
    expectError(await call(sim, "DELETE", "/organization/groups/group_doesnotexist"), 404);
    expectError(
      await call(sim, "POST", "/organization/groups/group_doesnotexist", { body: { name: "x" } }),
      404,
    );
  });

  it("400 with param for bad bodies and bad list parameters", async () => {
    const { groupId } = subjects();
    const cases: Array<[string, string, CallOptions, string | null]> = [
      ["POST", "/organization/groups", { body: {} }, "name"],
      ["POST", "/organization/groups", { body: { name: "" } }, "name"],
      ["POST", "/organization/groups", { body: { name: "x".repeat(256) } }, "name"],
      ["POST", "/organization/groups", { body: { name: 42 } }, "name"],
      ["POST", `/organization/groups/${groupId}`, { body: { name: "" } }, "name"],
      ["POST", `/organization/groups/${groupId}/users`, { body: {} }, "user_id"],
      [
        "POST",
        `/organization/groups/${groupId}/users`,
        { body: { user_id: "user_unknown" } },
        "user_id",
      ],
      ["POST", `/organization/groups/${groupId}/roles`, { body: {} }, "role_id"],
      [
        "POST",
        `/organization/groups/${groupId}/roles`,
        { body: { role_id: "role_unknown" } },
        "role_id",
      ],
      ["POST", "/organization/roles", { body: { permissions: [] } }, "role_name"],
      ["POST", "/organization/roles", { body: { role_name: "No Perms" } }, "permissions"],
      ["GET", "/organization/groups?limit=1001", {}, "limit"],
      ["GET", "/organization/groups?limit=abc", {}, "limit"],
      ["GET", "/organization/groups?limit=2.5", {}, "limit"],
      ["GET", "/organization/groups?limit=-1", {}, "limit"],
      ["GET", "/organization/groups?order=sideways", {}, "order"],
      ["GET", `/organization/groups/${groupId}/users?limit=5000`, {}, "limit"],
      ["GET", "/organization/roles?order=up", {}, "order"],
      ["GET", "/organization/users?limit=101", {}, "limit"],
      ["POST", "/organization/groups", { rawBody: "{not json" }, null],
    ];
    for (const [method, path, options, param] of cases) {
      const res = await call(sim, method, path, options);
      expectError(res, 400, param);
    }
    // A name of exactly 255 characters is fine.
    const ok = await call(sim, "POST", "/organization/groups", { body: { name: "y".repeat(255) } });
    expect(ok.status).toBe(200);
    sim.state.deleteGroup(obj(ok.json).id as string);
  });
});

describe("pagination", () => {
  it("after is exclusive, default orders differ, and the last page says so", async () => {
    const ids = sim.state.listGroups().map((g) => g.id);
    const page1 = obj((await call(sim, "GET", "/organization/groups?limit=5")).json);
    expect(dataOf(page1).map((g) => g.id)).toEqual(ids.slice(0, 5));
    expect(page1).toMatchObject({ has_more: true, next: ids[4] });
    const page2 = obj(
      (await call(sim, "GET", `/organization/groups?limit=5&after=${ids[4]}`)).json,
    );
    expect(dataOf(page2).map((g) => g.id)).toEqual(ids.slice(5, 10));
    const tail = obj(
      (await call(sim, "GET", `/organization/groups?after=${ids[ids.length - 3]}`)).json,
    );
    expect(dataOf(tail).map((g) => g.id)).toEqual(ids.slice(-2));
    expect(tail).toMatchObject({ has_more: false, next: null });
    const desc = obj(
      (await call(sim, "GET", `/organization/groups?limit=3&order=desc&after=${ids[5]}`)).json,
    );
    expect(dataOf(desc).map((g) => g.id)).toEqual([ids[4], ids[3], ids[2]]);

    const { groupId } = subjects();
    const membersDesc = sim.state.listGroupUsers(groupId);
    const defaultOrder = dataOf(
      (await call(sim, "GET", `/organization/groups/${groupId}/users`)).json,
    );
    expect(defaultOrder).toEqual(membersDesc.slice(0, 100));
    const sorted = [...defaultOrder.map((u) => u.id as string)].sort().reverse();
    expect(defaultOrder.map((u) => u.id)).toEqual(sorted);
    const asc = dataOf(
      (await call(sim, "GET", `/organization/groups/${groupId}/users?order=asc&limit=2`)).json,
    );
    expect(asc).toEqual(sim.state.listGroupUsers(groupId, "asc").slice(0, 2));
  });

  it("a deleted cursor item still works as after", async () => {
    const before = sim.state.listGroups().map((g) => g.id);
    const page1 = obj((await call(sim, "GET", "/organization/groups?limit=4")).json);
    const cursor = page1.next as string;
    sim.state.deleteGroup(cursor);
    const page2 = dataOf(
      (await call(sim, "GET", `/organization/groups?limit=4&after=${cursor}`)).json,
    );
    expect(page2.map((g) => g.id)).toEqual(before.slice(4, 8));

    const { groupId } = subjects();
    const members = sim.state.listGroupUsers(groupId).map((u) => u.id);
    const m1 = obj((await call(sim, "GET", `/organization/groups/${groupId}/users?limit=1`)).json);
    const memberCursor = m1.next as string;
    expect(memberCursor).toBe(members[0]);
    sim.state.removeMember(groupId, memberCursor);
    const m2 = dataOf(
      (
        await call(
          sim,
          "GET",
          `/organization/groups/${groupId}/users?limit=2&after=${memberCursor}`,
        )
      ).json,
    );
    expect(m2.map((u) => u.id)).toEqual(members.slice(1, 3));
    sim.state.addMember(groupId, memberCursor);
  });

  it("project lists page in both envelopes: legacy by last_id, next-cursor by group id", async () => {
    const s = sim.state;
    // Legacy: projects (archived included) and a project's users, two at a time.
    const legacyPages = async (template: string, path: string, join: string) => {
      const items: Array<Record<string, unknown>> = [];
      let after: string | undefined;
      for (let guard = 0; guard < 1000; guard++) {
        const page = obj(
          (
            await conform(
              "GET",
              template,
              `${path}${join}limit=2${after === undefined ? "" : `&after=${after}`}`,
            )
          ).json,
        );
        const data = dataOf(page);
        expect(page.first_id).toBe(data[0]?.id ?? null);
        expect(page.last_id).toBe(data.at(-1)?.id ?? null);
        expect(page).not.toHaveProperty("next");
        items.push(...data);
        if (page.has_more !== true) break;
        after = page.last_id as string;
      }
      return items;
    };
    expect(
      await legacyPages(
        "/organization/projects",
        "/organization/projects",
        "?include_archived=true&",
      ),
    ).toEqual(s.listProjects({ includeArchived: true }));
    expect(await legacyPages("/organization/projects", "/organization/projects", "?")).toEqual(
      s.listProjects(),
    );
    const big = s
      .listProjects()
      .map((p) => p.id)
      .sort((x, y) => s.projectMemberIds(y).length - s.projectMemberIds(x).length)[0] as string;
    expect(s.projectMemberIds(big).length).toBeGreaterThan(4);
    expect(
      await legacyPages(
        "/organization/projects/{project_id}/users",
        `/organization/projects/${big}/users`,
        "?",
      ),
    ).toEqual(s.listProjectUsers(big));

    // Next-cursor: a project's groups, one at a time; `next` is the last item's group id.
    const withGroups = s
      .listProjects({ includeArchived: true })
      .find((p) => s.projectGroupIds(p.id).length >= 3)?.id as string;
    const groupIds = s.projectGroupIds(withGroups);
    const first = obj(
      (await call(sim, "GET", `/organization/projects/${withGroups}/groups?limit=1`)).json,
    );
    expect(first).toMatchObject({ has_more: true, next: groupIds[0] });
    expect(Object.keys(first).sort()).toEqual(["data", "has_more", "next", "object"]);
    const collected: Array<Record<string, unknown>> = [];
    let next: string | null = null;
    do {
      const page = obj(
        (
          await conform(
            "GET",
            "/organization/projects/{project_id}/groups",
            `/organization/projects/${withGroups}/groups?limit=1${next === null ? "" : `&after=${next}`}`,
          )
        ).json,
      );
      collected.push(...dataOf(page));
      next = page.next as string | null;
      expect(next === null).toBe(page.has_more === false);
    } while (next !== null);
    expect(collected).toEqual(s.listProjectGroups(withGroups));
    const desc = dataOf(
      (
        await call(
          sim,
          "GET",
          `/organization/projects/${withGroups}/groups?order=desc&after=${groupIds[2]}`,
        )
      ).json,
    );
    expect(desc.map((g) => g.group_id)).toEqual([groupIds[1], groupIds[0]]);
    // Default page size 20 (max 100); roles default to 1000.
    expect((await call(sim, "GET", `/organization/projects/${withGroups}/groups`)).status).toBe(
      200,
    );
    const roles = obj((await call(sim, "GET", `/projects/${withGroups}/roles?limit=2`)).json);
    expect(dataOf(roles)).toEqual(s.listProjectRoles(withGroups).slice(0, 2));
    expect(roles).toMatchObject({ has_more: true, next: s.projectRoleIds(withGroups)[1] });
  });

  it("the legacy users list pages by last_id and filters by emails / emails[]", async () => {
    const users = sim.state.listUsers();
    const p1 = obj((await call(sim, "GET", "/organization/users?limit=3")).json);
    expect(p1).toMatchObject({ first_id: users[0]?.id, last_id: users[2]?.id, has_more: true });
    expect(p1).not.toHaveProperty("next");
    const p2 = obj(
      (await call(sim, "GET", `/organization/users?limit=3&after=${p1.last_id}`)).json,
    );
    expect(dataOf(p2)).toEqual(users.slice(3, 6));
    const withEmail = users.filter((u) => u.email !== null).slice(0, 2);
    const [a, b] = withEmail.map((u) => u.email as string);
    const plain = dataOf(
      (await call(sim, "GET", `/organization/users?emails=${encodeURIComponent(a as string)}`))
        .json,
    );
    expect(plain).toEqual(withEmail.slice(0, 1));
    const brackets = dataOf(
      (
        await call(
          sim,
          "GET",
          `/organization/users?emails%5B%5D=${encodeURIComponent(a as string)}&emails%5B%5D=${encodeURIComponent(b as string)}`,
        )
      ).json,
    );
    expect(brackets).toEqual(withEmail);
    const empty = obj(
      (await call(sim, "GET", "/organization/users?emails=nobody@nowhere.invalid")).json,
    );
    expect(empty).toEqual({
      object: "list",
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
  });
});

describe("consistency after mutations", () => {
  it("a member added over HTTP inherits the group's roles; a deleted group vanishes everywhere", async () => {
    const { userId, usageViewer } = subjects();
    const gid = obj(
      (await call(sim, "POST", "/organization/groups", { body: { name: "Transient" } })).json,
    ).id as string;
    await call(sim, "POST", `/organization/groups/${gid}/roles`, {
      body: { role_id: usageViewer },
    });
    await call(sim, "POST", `/organization/groups/${gid}/users`, { body: { user_id: userId } });
    const ids = dataOf((await call(sim, "GET", "/organization/groups?limit=1000")).json).map(
      (g) => g.id,
    );
    expect(ids[ids.length - 1]).toBe(gid); // ids are time-ordered: the new group sorts last
    const role = obj(
      (await call(sim, "GET", `/organization/users/${userId}/roles/${usageViewer}`)).json,
    );
    expect(role.assignment_sources).toContainEqual({ principal_id: gid, principal_type: "group" });

    await call(sim, "DELETE", `/organization/groups/${gid}`);
    for (const path of [
      `/organization/groups/${gid}`,
      `/organization/groups/${gid}/users`,
      `/organization/groups/${gid}/roles`,
      `/organization/groups/${gid}/users/${userId}`,
      `/organization/groups/${gid}/roles/${usageViewer}`,
    ]) {
      expectError(await call(sim, "GET", path), 404);
    }
    const after = await call(sim, "GET", `/organization/users/${userId}/roles/${usageViewer}`);
    if (after.status === 200) {
      expect(obj(after.json).assignment_sources).not.toContainEqual({
        principal_id: gid,
        principal_type: "group",
      });
    } else {
      expectError(after, 404);
    }
    const listed = dataOf((await call(sim, "GET", "/organization/groups?limit=1000")).json).map(
      (g) => g.id,
    );
    expect(listed).not.toContain(gid);
  });

  it("a removed user disappears from the users list and every group", async () => {
    const group = sim.state.groupSizes().find((g) => g.members > 2);
    if (group === undefined) throw new Error("no group");
    const userId = sim.state.listGroupUsers(group.id)[1]?.id as string;
    sim.state.removeUser(userId);
    expectError(await call(sim, "GET", `/organization/users/${userId}`), 404);
    const members = dataOf(
      (await call(sim, "GET", `/organization/groups/${group.id}/users?limit=1000`)).json,
    );
    expect(members.map((m) => m.id)).not.toContain(userId);
    expect(members).toEqual(sim.state.listGroupUsers(group.id));
  });
});

describe("generator", () => {
  it("is deterministic: same seed, same organization; different seed, different organization", () => {
    const a = generateOrganization({ seed: 5, groups: 30, users: 200 });
    const b = generateOrganization({ seed: 5, groups: 30, users: 200 });
    const c = generateOrganization({ seed: 6, groups: 30, users: 200 });
    expect(a.fingerprint()).toBe(b.fingerprint());
    expect(JSON.stringify(a.listUsers())).toBe(JSON.stringify(b.listUsers()));
    expect(a.listGroups()).toEqual(b.listGroups());
    expect(a.fingerprint()).not.toBe(c.fingerprint());
    expect(a.listGroups().map((g) => g.id)).not.toEqual(c.listGroups().map((g) => g.id));
  });

  it("hits an exact memberships target with skewed, realistic content", () => {
    const org = generateOrganization({ seed: 3, groups: 200, users: 3000, memberships: 40_000 });
    const counts = org.counts();
    expect(counts).toMatchObject({ groups: 200, users: 3000, memberships: 40_000 });
    const sizes = org
      .groupSizes()
      .map((g) => g.members)
      .sort((x, y) => x - y);
    expect(sizes[0]).toBe(0); // some empty groups
    expect(sizes[Math.floor(sizes.length / 2)]).toBeLessThan(100); // many small ones
    expect(sizes[sizes.length - 1]).toBeGreaterThan(1000); // a few large ones
    const users = org.listUsers();
    expect(users.some((u) => u.email === null)).toBe(true);
    expect(users.some((u) => u.is_service_account)).toBe(true);
    expect(users.some((u) => u.role === "owner")).toBe(true);
    const names = users.map((u) => u.name);
    expect(names).toEqual(expect.arrayContaining(["Zoë Ångström", "李小龍", "Ørjan"]));
    const groups = org.listGroups();
    expect(groups.some((g) => g.group_type === "tenant_group")).toBe(true);
    expect(groups.some((g) => g.is_scim_managed)).toBe(true);
    expect(groups.some((g) => !g.is_scim_managed)).toBe(true);
    const ownerGroups = groups.filter((g) => org.groupRoleIds(g.id).includes(org.ownerRoleId));
    expect(ownerGroups).toHaveLength(1);
    expect(ownerGroups[0]?.is_scim_managed).toBe(false);
    const predefined = org
      .listRoles()
      .filter((r) => r.predefined_role)
      .map((r) => r.name);
    expect(predefined).toEqual(["Owner", "Reader"]);
    expect(org.listRoles().length).toBeGreaterThanOrEqual(10);
    // Timestamps come from a fixed past window, never the clock.
    for (const g of groups) expect(g.created_at).toBeLessThan(1_720_000_000);
  });

  it("adds seeded projects without changing the organization's groups, users and roles", () => {
    const options = { seed: 9, groups: 60, users: 800 };
    const plain = generateOrganization({ ...options, projects: 0 });
    const a = generateOrganization(options);
    const b = generateOrganization(options);
    const other = generateOrganization({
      ...options,
      projects: 40,
      projectMembersAverage: 12,
      projectGroupsAverage: 4,
      projectCustomRoles: 9,
      archivedProjectFraction: 0.25,
    });
    expect(a.fingerprint()).toBe(b.fingerprint());
    expect(a.listProjects({ includeArchived: true })).toEqual(
      b.listProjects({ includeArchived: true }),
    );
    expect(plain.listProjects({ includeArchived: true })).toEqual([]);
    for (const org of [a, other]) {
      expect(org.listGroups()).toEqual(plain.listGroups());
      expect(org.listUsers()).toEqual(plain.listUsers());
      expect(org.listRoles()).toEqual(plain.listRoles());
      for (const g of plain.groupIds().slice(0, 20)) {
        expect(org.listGroupUsers(g)).toEqual(plain.listGroupUsers(g));
        expect(org.listGroupRoles(g)).toEqual(plain.listGroupRoles(g));
      }
    }
    expect(a.counts()).toMatchObject({ projects: 14, archivedProjects: 1, projectCustomRoles: 6 });
    expect(other.counts()).toMatchObject({
      projects: 40,
      archivedProjects: 10,
      projectCustomRoles: 9,
    });
    expect(other.counts().projectMembers).toBeGreaterThan(40 * 12 * 0.8);
    expect(other.counts().projectGroups).toBeGreaterThan(40 * 4 * 0.8);
  });

  it("handles degenerate sizes", () => {
    expect(generateOrganization({ seed: 1, groups: 0, users: 0 }).counts()).toMatchObject({
      groups: 0,
      users: 0,
      memberships: 0,
    });
    const tiny = generateOrganization({ seed: 1, groups: 3, users: 2 });
    expect(tiny.counts().groups).toBe(3);
    expect(tiny.listUsers()).toHaveLength(2);
  });
});

describe("faults", () => {
  let faulty: RunningSimulator;
  beforeAll(async () => {
    faulty = await startSimulator({ port: 0, seed: 3, groups: 30, users: 200 });
  });
  afterAll(async () => {
    await faulty.stop();
  });

  const get = (path: string) => call(faulty, "GET", path);

  it("429 with Retry-After, without it, and with retry-after-ms", async () => {
    faulty.setFaults({ rate429: 1, firstN: 1 });
    faulty.resetStats();
    const limited = await get("/organization/groups");
    expectError(limited, 429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect((await get("/organization/groups")).status).toBe(200);
    faulty.setFaults({ rate429: 1, firstN: 1, retryAfterSeconds: null, retryAfterMs: 250 });
    const bare = await get("/organization/groups");
    expect(bare.status).toBe(429);
    expect(bare.headers.get("retry-after")).toBeNull();
    expect(bare.headers.get("retry-after-ms")).toBe("250");
    expect(faulty.stats().faults.rate429).toBe(2);
  });

  it("5xx with x-should-retry: false", async () => {
    faulty.setFaults({ rate5xx: 1, statuses5xx: [503], shouldRetryFalseRate: 1, firstN: 1 });
    faulty.resetStats();
    const res = await get("/organization/groups");
    expectError(res, 503);
    expect(res.headers.get("x-should-retry")).toBe("false");
    expect(faulty.stats().faults).toMatchObject({ status5xx: 1, shouldRetryFalse: 1 });
  });

  it("a dropped connection, after which the server keeps serving", async () => {
    faulty.setFaults({ rateDrop: 1, firstN: 1 });
    faulty.resetStats();
    await expect(get("/organization/groups")).rejects.toThrow();
    const ok = await get("/organization/groups");
    expect(ok.status).toBe(200);
    expect(faulty.stats().faults.drop).toBe(1);
  });

  it("a malformed 200", async () => {
    faulty.setFaults({ rateMalformed: 1, firstN: 1 });
    faulty.resetStats();
    const res = await get("/organization/groups");
    expect(res.status).toBe(200);
    expect(res.json).toBeUndefined();
    expect(() => JSON.parse(res.text)).toThrow();
    expect(faulty.stats().faults.malformed).toBe(1);
  });

  it("list-envelope faults: stuck cursor, next null, empty page, missing has_more, short page", async () => {
    const ids = faulty.state.listGroups().map((g) => g.id);
    faulty.resetStats();
    faulty.setFaults({ stuckCursorRate: 1 });
    const stuck = obj((await get(`/organization/groups?limit=3&after=${ids[2]}`)).json);
    expect(stuck.next).toBe(ids[2]);
    expect(dataOf(stuck).length).toBe(3);

    faulty.setFaults({ nextNullWithHasMoreRate: 1 });
    expect(obj((await get("/organization/groups?limit=3")).json)).toMatchObject({
      has_more: true,
      next: null,
    });

    faulty.setFaults({ emptyPageWithHasMoreRate: 1 });
    expect(obj((await get(`/organization/groups?limit=3&after=${ids[2]}`)).json)).toMatchObject({
      data: [],
      has_more: true,
      next: ids[2],
    });

    faulty.setFaults({ missingHasMoreRate: 1 });
    const missing = obj((await get("/organization/groups?limit=3")).json);
    expect(missing).not.toHaveProperty("has_more");
    expect(missing.next).toBe(ids[2]);

    faulty.setFaults({ shortPageRate: 1 });
    const short = obj((await get("/organization/groups?limit=4")).json);
    expect(dataOf(short).map((g) => g.id)).toEqual(ids.slice(0, 2));
    expect(short).toMatchObject({ has_more: true, next: ids[1] });

    faulty.setFaults({ stuckCursorRate: 1 });
    const users = faulty.state.listUsers();
    const legacy = obj((await get(`/organization/users?limit=2&after=${users[1]?.id}`)).json);
    expect(legacy.last_id).toBe(users[1]?.id);

    expect(faulty.stats().faults).toMatchObject({
      stuckCursor: 2,
      nextNullWithHasMore: 1,
      emptyPageWithHasMore: 1,
      missingHasMore: 1,
      shortPage: 1,
    });
  });

  it("mutations between pages change the organization, and are logged", async () => {
    const before = faulty.state.version;
    faulty.setFaults({ mutateBetweenPagesRate: 1 });
    faulty.resetStats();
    for (let i = 0; i < 10; i++) await get("/organization/groups?limit=5");
    const stats = faulty.stats();
    expect(stats.faults.mutateBetweenPages).toBe(10);
    expect(stats.mutations).toHaveLength(10);
    expect(faulty.state.version).toBeGreaterThan(before);
    faulty.setFaults(undefined);
    const listed = dataOf((await get("/organization/groups?limit=1000")).json);
    expect(listed).toEqual(faulty.state.listGroups());
  });

  it("latency, path filters, maxFaults and reproducibility", async () => {
    faulty.setFaults({ latencyMs: 60, firstN: 1 });
    faulty.resetStats();
    const t0 = performance.now();
    await get("/organization/roles");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    expect(faulty.stats().faults.latency).toBe(1);

    faulty.setFaults({ rate5xx: 1, paths: "/roles$" });
    expect((await get("/organization/groups")).status).toBe(200);
    expect((await get("/organization/roles")).status).toBeGreaterThanOrEqual(500);

    faulty.setFaults({ rate429: 1, maxFaults: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await get("/organization/roles")).status);
    expect(statuses).toEqual([429, 429, 200, 200]);

    const run = async () => {
      faulty.setFaults({ seed: 99, rate5xx: 0.3, rate429: 0.2 });
      const seen: number[] = [];
      for (let i = 0; i < 25; i++) seen.push((await get("/organization/roles")).status);
      return seen;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
    faulty.setFaults(undefined);
  });

  it("list faults and 429s reach the project lists, in both envelopes", async () => {
    const s = faulty.state;
    const projects = s.listProjects({ includeArchived: true }).map((p) => p.id);
    const withGroups = projects.find((p) => s.projectGroupIds(p).length >= 4) as string;
    const groupIds = s.projectGroupIds(withGroups);
    faulty.resetStats();

    faulty.setFaults({ stuckCursorRate: 1 });
    const stuck = obj(
      (await get(`/organization/projects?include_archived=true&limit=2&after=${projects[1]}`)).json,
    );
    expect(dataOf(stuck).map((p) => p.id)).toEqual(projects.slice(2, 4));
    expect(stuck).toMatchObject({ has_more: true, last_id: projects[1] });
    const stuckGroups = obj(
      (await get(`/organization/projects/${withGroups}/groups?limit=1&after=${groupIds[0]}`)).json,
    );
    expect(stuckGroups).toMatchObject({ has_more: true, next: groupIds[0] });

    // A short page keeps a correct cursor: the group id, not an `id` the items lack.
    faulty.setFaults({ shortPageRate: 1 });
    const short = obj((await get(`/organization/projects/${withGroups}/groups?limit=4`)).json);
    expect(dataOf(short).map((g) => g.group_id)).toEqual(groupIds.slice(0, 2));
    expect(short).toMatchObject({ has_more: true, next: groupIds[1] });
    const shortProjects = obj(
      (await get("/organization/projects?include_archived=true&limit=4")).json,
    );
    expect(shortProjects).toMatchObject({ has_more: true, last_id: projects[1] });

    faulty.setFaults({ missingHasMoreRate: 1 });
    const member = s.listProjects().find((p) => s.projectMemberIds(p.id).length > 2)?.id as string;
    expect(
      obj((await get(`/organization/projects/${member}/users?limit=2`)).json),
    ).not.toHaveProperty("has_more");

    faulty.setFaults({ rate429: 1, firstN: 1 });
    const limited = await get(`/organization/projects/${withGroups}/groups`);
    expectError(limited, 429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(
      spec.validateResponse("GET", "/organization/projects/{project_id}/groups", 429, limited.json)
        .valid,
    ).toBe(true);
    expect((await get(`/organization/projects/${withGroups}/groups`)).status).toBe(200);

    faulty.setFaults({ oversizedPageRate: 1, firstN: 1 });
    const padded = dataOf((await get(`/organization/projects/${withGroups}/groups?limit=1`)).json);
    expect(padded).toHaveLength(6);
    expect(new Set(padded.map((g) => g.group_id)).size).toBe(6);
    faulty.setFaults(undefined);
    expect(faulty.stats().faults).toMatchObject({
      stuckCursor: 2,
      shortPage: 2,
      missingHasMore: 1,
      rate429: 1,
      oversizedPage: 1,
    });
  });

  it("mutations between pages of a project list change projects, and are logged", async () => {
    const s = faulty.state;
    const p = s.listProjects().find((x) => s.projectMemberIds(x.id).length > 0)?.id as string;
    faulty.setFaults({ seed: 2, mutateBetweenPagesRate: 1 });
    faulty.resetStats();
    for (let i = 0; i < 20; i++) await get(`/organization/projects/${p}/groups?limit=1`);
    faulty.setFaults(undefined);
    const mutations = faulty.stats().mutations;
    expect(mutations).toHaveLength(20);
    expect(mutations.some((m) => m.includes("Project"))).toBe(true);
    expect(mutations.some((m) => m.includes(p))).toBe(true);
    const listed = dataOf((await get(`/organization/projects/${p}/groups?limit=100`)).json);
    expect(listed).toEqual(s.listProjectGroups(p));
  });

  it("the server-side token bucket answers 429 with Retry-After: 1", async () => {
    const limited = await startSimulator({
      port: 0,
      seed: 4,
      groups: 3,
      users: 10,
      rateLimitRps: 2,
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => call(limited, "GET", "/organization/roles")),
      );
      const rejected = results.filter((r) => r.status === 429);
      expect(rejected.length).toBeGreaterThan(0);
      expect(rejected[0]?.headers.get("retry-after")).toBe("1");
      expectError(rejected[0] as RawResponse, 429);
      expect(limited.stats().faults.rateLimited).toBe(rejected.length);
    } finally {
      await limited.stop();
    }
  });

  it("stats count requests per route template and bytes", async () => {
    faulty.resetStats();
    await get("/organization/groups");
    const gid = faulty.state.listGroups()[0]?.id as string;
    await get(`/organization/groups/${gid}/users`);
    await get(`/organization/groups/${gid}/users`);
    const stats = faulty.stats();
    expect(stats.requests).toBe(3);
    expect(stats.byRoute).toEqual({
      "GET /organization/groups": 1,
      "GET /organization/groups/{group_id}/users": 2,
    });
    expect(stats.byStatus).toEqual({ "200": 3 });
    expect(stats.bytesSent).toBeGreaterThan(100);
    expect(Object.keys(stats.faults).sort()).toEqual([...FAULT_KINDS].sort());
  });
});

describe("lifecycle", () => {
  it("stop() closes keep-alive sockets and in-flight requests promptly", async () => {
    const slow = await startSimulator({
      port: 0,
      seed: 8,
      groups: 3,
      users: 10,
      latencyMs: 10_000,
    });
    const fast = await startSimulator({ port: 0, seed: 8, groups: 3, users: 10 });
    try {
      expect(slow.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(slow.adminKey).toMatch(/^sk-admin-sim-[A-Za-z0-9]{24}$/);
      expect(fast.adminKey).toBe(slow.adminKey); // derived from the seed
      const pending = call(slow, "GET", "/organization/groups").then(
        () => "answered",
        () => "failed",
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      const t0 = performance.now();
      await slow.stop();
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(await pending).toBe("failed");
      // A keep-alive connection is open on `fast`; stopping still returns at once.
      expect((await call(fast, "GET", "/organization/roles")).status).toBe(200);
      const t1 = performance.now();
      await fast.stop();
      expect(performance.now() - t1).toBeLessThan(1000);
      await expect(call(fast, "GET", "/organization/roles")).rejects.toThrow();
    } finally {
      await slow.stop();
      await fast.stop();
    }
  });
});
