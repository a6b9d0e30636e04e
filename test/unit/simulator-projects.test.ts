/**
 * The simulator's project state without HTTP: what the generator builds (the ownership anomalies
 * an audit must find included), the accessors and mutations tests and demos call directly, their
 * cascades from organization changes, and the random project changes of chaos runs.
 */
import { describe, expect, it } from "vitest";
import {
  applyRandomMutation,
  generateOrganization,
  type OrgState,
  Prng,
  StateError,
} from "../../src/simulator/index.js";

const CONTRACTORS = "@contractors.example.org";

/** Every way a user can be a project owner: membership, a direct role, an attached group's role. */
function ownerPaths(s: OrgState, projectId: string) {
  const owner = s.projectRoleIdByName(projectId, "Project Owner") as string;
  const members = s.listProjectUsers(projectId);
  return {
    ownerMembers: members.filter((u) => u.role === "owner").map((u) => u.id),
    directOwners: members.filter((u) =>
      s.directProjectUserRoleIds(projectId, u.id).includes(owner),
    ),
    ownerGroups: s
      .projectGroupIds(projectId)
      .filter((g) => s.projectGroupRoleIds(projectId, g).includes(owner)),
  };
}

function expectStateError(fn: () => unknown, kind: "not_found" | "invalid", param?: string) {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StateError);
  expect((caught as StateError).kind).toBe(kind);
  if (param !== undefined) expect((caught as StateError).param).toBe(param);
}

describe("generated projects", () => {
  const org = generateOrganization({
    seed: 21,
    groups: 80,
    users: 2000,
    projects: 60,
    projectMembersAverage: 20,
    projectGroupsAverage: 4,
    projectCustomRoles: 12,
    archivedProjectFraction: 0.1,
  });

  it("has a Default project, archived ones, custom roles and realistic access", () => {
    const all = org.listProjects({ includeArchived: true });
    expect(all).toHaveLength(60);
    expect(all.map((p) => p.id)).toEqual(org.projectIds());
    expect(all.map((p) => p.id)).toEqual([...org.projectIds()].sort());
    expect(all.every((p) => /^proj_[0-9A-Z]{26}$/.test(p.id))).toBe(true);
    const defaultId = org.defaultProjectId as string;
    expect(all[0]).toMatchObject({ id: defaultId, name: "Default project", status: "active" });
    const archived = all.filter((p) => p.status === "archived");
    expect(archived).toHaveLength(6);
    for (const p of archived) expect(p.archived_at).toBeGreaterThan(p.created_at);
    expect(org.listProjects()).toHaveLength(54);
    expect(org.counts()).toMatchObject({
      projects: 60,
      archivedProjects: 6,
      projectCustomRoles: 12,
    });

    for (const p of all) {
      const roles = org.listProjectRoles(p.id);
      expect(
        roles
          .filter((r) => r.predefined_role)
          .map((r) => r.name)
          .sort(),
      ).toEqual(["Project Member", "Project Owner", "Project Viewer"]);
      expect(roles.every((r) => r.resource_type === "api.project")).toBe(true);
      expect(new Set(roles.map((r) => r.name)).size).toBe(roles.length);
    }
    const owner = org.getProjectRole(
      defaultId,
      org.projectRoleIdByName(defaultId, "Project Owner") as string,
    );
    expect(owner?.permissions).toEqual(
      expect.arrayContaining([
        "api.organization.projects.users.write",
        "api.organization.projects.api_keys.write",
      ]),
    );
    // Role ids are per project.
    const roleIds = all.flatMap((p) => org.projectRoleIds(p.id));
    expect(new Set(roleIds).size).toBe(roleIds.length);

    const members = org.listProjects().flatMap((p) => org.listProjectUsers(p.id));
    expect(members.length / 54).toBeGreaterThan(12);
    const owners = members.filter((m) => m.role === "owner").length;
    expect(owners).toBeGreaterThan(0);
    expect(owners / members.length).toBeLessThan(0.2);
    expect(org.projectMemberIds(defaultId).length).toBeGreaterThan(20);

    const attached = all.flatMap((p) => org.projectGroupIds(p.id));
    expect(attached.length / 60).toBeGreaterThan(2.5);
    const scim = new Set(
      org
        .groupSizes()
        .filter((g) => g.isScimManaged)
        .map((g) => g.id),
    );
    expect(attached.some((g) => scim.has(g))).toBe(true);
    expect(attached.some((g) => !scim.has(g))).toBe(true);
    const counts = org.counts();
    expect(counts.projectGroupRoleAssignments).toBeGreaterThanOrEqual(counts.projectGroups);
    expect(counts.projectUserRoleAssignments).toBeGreaterThan(0);
    for (const p of all) {
      for (const g of org.listProjectGroups(p.id)) {
        expect(g.created_at).toBeGreaterThanOrEqual(p.created_at);
        expect(org.projectGroupRoleIds(p.id, g.group_id).length).toBeGreaterThan(0);
      }
    }
  });

  it("has projects with no owner at all, and ones owned only by a service account or a contractor", () => {
    const kinds = org.listProjects().map((p) => {
      const paths = ownerPaths(org, p.id);
      const soleOwner =
        paths.ownerMembers.length === 1 &&
        paths.directOwners.length === 0 &&
        paths.ownerGroups.length === 0
          ? org.getUser(paths.ownerMembers[0] as string)
          : undefined;
      if (paths.ownerMembers.length + paths.directOwners.length + paths.ownerGroups.length === 0) {
        return "none";
      }
      if (soleOwner?.is_service_account) return "service account";
      if (soleOwner?.email?.endsWith(CONTRACTORS)) return "contractor";
      return "other";
    });
    expect(kinds.filter((k) => k === "none").length).toBeGreaterThanOrEqual(1);
    expect(kinds.filter((k) => k === "service account").length).toBeGreaterThanOrEqual(1);
    expect(kinds.filter((k) => k === "contractor").length).toBeGreaterThanOrEqual(1);
    const unowned = org.listProjects().find((_, i) => kinds[i] === "none") as { id: string };
    expect(org.projectMemberIds(unowned.id).length).toBeGreaterThan(0);
  });

  it("small organizations get a modest number of projects by default", () => {
    expect(generateOrganization({ seed: 1, groups: 40, users: 300 }).counts().projects).toBe(9);
    expect(generateOrganization({ seed: 1, groups: 50, users: 500 }).counts().projects).toBe(11);
    expect(generateOrganization({ seed: 1, groups: 120, users: 1500 }).counts().projects).toBe(19);
    const none = generateOrganization({ seed: 1, groups: 3, users: 5, projects: 0 });
    expect(none.listProjects({ includeArchived: true })).toEqual([]);
    expect(none.defaultProjectId).toBeUndefined();
    const empty = generateOrganization({ seed: 1, groups: 0, users: 0 });
    expect(empty.counts()).toMatchObject({ projects: 8, projectMembers: 0, projectGroups: 0 });
  });
});

describe("project accessors and mutations", () => {
  const fresh = () => generateOrganization({ seed: 4, groups: 30, users: 300 });

  it("create, rename, archive; the Default project and archived projects refuse changes", () => {
    const s = fresh();
    const before = s.version;
    const p = s.createProject({ name: "Direct", residency: "JP_STORAGE" });
    expect(s.version).toBe(before + 1);
    expect(s.projectIds().at(-1)).toBe(p.id); // time-ordered: sorts last
    expect(p).toEqual({
      id: p.id,
      object: "organization.project",
      name: "Direct",
      created_at: p.created_at,
      archived_at: null,
      status: "active",
      external_key_id: null,
      residency: "JP_STORAGE",
    });
    expect(s.renameProject(p.id, "Direct 2").name).toBe("Direct 2");
    expect(s.updateProject(p.id, { externalKeyId: "k" }).external_key_id).toBe("k");
    expect(s.updateProject(p.id, { externalKeyId: null }).external_key_id).toBeNull();
    const [userId] = s.userIds() as [string];
    expect(s.addProjectUser(p.id, userId, "member")).toBe(true);
    expect(s.addProjectUser(p.id, userId, "owner")).toBe(false);
    expect(s.getProjectUser(p.id, userId)?.role).toBe("member");

    const archived = s.archiveProject(p.id);
    expect(archived.status).toBe("archived");
    expect(archived.archived_at).toBeGreaterThan(archived.created_at);
    expect(s.listProjects().map((x) => x.id)).not.toContain(p.id);
    expect(s.listProjects({ includeArchived: true }).map((x) => x.id)).toContain(p.id);
    expectStateError(() => s.listProjectUsers(p.id), "invalid");
    expectStateError(() => s.listProjectUserRoles(p.id, userId), "invalid");
    expectStateError(() => s.archiveProject(p.id), "invalid");
    expectStateError(() => s.renameProject(p.id, "x"), "invalid");
    expectStateError(() => s.addProjectUser(p.id, s.userIds()[1] as string, "member"), "invalid");
    expect(s.projectMemberIds(p.id)).toEqual([userId]); // kept, just not listable
    expect(s.listProjectGroups(p.id)).toEqual([]);
    expect(s.listProjectRoles(p.id)).toHaveLength(3);

    const defaultId = s.defaultProjectId as string;
    expectStateError(() => s.renameProject(defaultId, "x"), "invalid");
    expectStateError(() => s.archiveProject(defaultId), "invalid");
    const defaultMember = s.projectMemberIds(defaultId)[0] as string;
    expectStateError(() => s.removeProjectUser(defaultId, defaultMember), "invalid");
    expect(s.getProject("proj_missing")).toBeUndefined();
    expectStateError(() => s.isProjectArchived("proj_missing"), "not_found");
  });

  it("members, groups, roles and assignments, with the documented cascades", () => {
    const s = fresh();
    const p = s.createProject({ name: "Access" }).id;
    const ownerRole = s.projectRoleIdByName(p, "Project Owner") as string;
    const memberRole = s.projectRoleIdByName(p, "Project Member") as string;
    const viewerRole = s.projectRoleIdByName(p, "Project Viewer") as string;
    const group = s.groupSizes().find((g) => g.members >= 2) as { id: string };
    const [a, b] = s.listGroupUsers(group.id, "asc").map((u) => u.id) as [string, string];
    s.addProjectUser(p, a, "owner");
    s.addProjectUser(p, b, "member");
    expect(s.listProjectUsers(p).map((u) => u.id)).toEqual([a, b].sort());

    // A group attached with a role; its members inherit it (with the quirk on).
    expect(s.attachProjectGroup(p, group.id, viewerRole)).toBe(true);
    expect(s.attachProjectGroup(p, group.id, memberRole)).toBe(false); // already attached
    expect(s.projectGroupRoleIds(p, group.id)).toEqual([memberRole, viewerRole].sort());
    const custom = s.createProjectRole(p, { name: "Custom", permissions: ["api.project.read"] });
    expectStateError(
      () => s.createProjectRole(p, { name: "Custom", permissions: [] }),
      "invalid",
      "role_name",
    );
    expect(s.assignProjectUserRole(p, b, custom.id)).toBe(true);
    expect(s.assignProjectUserRole(p, b, custom.id)).toBe(false);
    const rolesOfB = s.listProjectUserRoles(p, b);
    const source = (id: string) => rolesOfB.find((r) => r.id === id)?.assignment_sources;
    expect(source(memberRole)).toEqual([
      { principal_id: b, principal_type: "user" },
      { principal_id: group.id, principal_type: "group" },
    ]);
    expect(source(viewerRole)).toEqual([{ principal_id: group.id, principal_type: "group" }]);
    expect(source(custom.id)).toEqual([{ principal_id: b, principal_type: "user" }]);
    expect(s.listProjectUserRoles(p, b, "asc", false).map((r) => r.id)).toEqual(
      [memberRole, custom.id].sort(),
    );
    expect(s.listProjectUserRoles(p, a).map((r) => r.id)).toContain(ownerRole);

    // The membership role is not a direct assignment.
    expectStateError(() => s.unassignProjectUserRole(p, b, memberRole), "invalid");
    expect(s.unassignProjectUserRole(p, b, viewerRole)).toBe(false); // only through the group
    expect(s.setProjectUserRole(p, b, "owner")).toBe(true);
    expect(s.listProjectUserRoles(p, b).map((r) => r.id)).toContain(ownerRole);

    // Predefined roles are fixed; a custom role's deletion removes its assignments.
    expectStateError(() => s.updateProjectRole(p, viewerRole, { name: "x" }), "invalid");
    expectStateError(() => s.deleteProjectRole(p, ownerRole), "invalid");
    s.assignProjectGroupRole(p, group.id, custom.id);
    expect(s.updateProjectRole(p, custom.id, { description: "d" }).description).toBe("d");
    s.deleteProjectRole(p, custom.id);
    expect(s.directProjectUserRoleIds(p, b)).toEqual([]);
    expect(s.projectGroupRoleIds(p, group.id)).not.toContain(custom.id);
    expect(s.hasProjectRole(p, custom.id)).toBe(false);

    // Another project's role id is not found here.
    const other = s.createProject({ name: "Other" }).id;
    const foreign = s.projectRoleIdByName(other, "Project Viewer") as string;
    expectStateError(() => s.assignProjectUserRole(p, a, foreign), "not_found", "role_id");
    expectStateError(() => s.attachProjectGroup(p, group.id, foreign), "not_found", "role");
    expectStateError(() => s.listProjectUserRoles(p, s.userIds().at(-1) as string), "not_found");
    const outside = s.groupIds().find((g) => !s.isProjectGroup(p, g)) as string;
    expectStateError(() => s.listProjectGroupRoles(p, outside), "not_found");

    // Removing a member drops their direct roles; detaching a group drops its roles.
    s.assignProjectUserRole(p, a, viewerRole);
    expect(s.removeProjectUser(p, a)).toBe(true);
    expect(s.removeProjectUser(p, a)).toBe(false);
    s.addProjectUser(p, a, "member");
    expect(s.directProjectUserRoleIds(p, a)).toEqual([]);
    expect(s.detachProjectGroup(p, group.id)).toBe(true);
    expect(s.detachProjectGroup(p, group.id)).toBe(false);
    s.attachProjectGroup(p, group.id, viewerRole);
    expect(s.projectGroupRoleIds(p, group.id)).toEqual([viewerRole]);

    // Organization changes cascade into every project, archived ones included.
    s.archiveProject(other);
    s.deleteGroup(group.id);
    expect(s.isProjectGroup(p, group.id)).toBe(false);
    s.removeUser(b);
    expect(s.isProjectMember(p, b)).toBe(false);
    expect(s.listProjectUsers(p).map((u) => u.id)).toEqual([a]);
  });

  it("counts and fingerprints projects; project changes never move the organization's ids", () => {
    const s = fresh();
    const twin = fresh();
    expect(s.fingerprint()).toBe(twin.fingerprint());
    const p = s.activeProjectIds()[1] as string;
    s.addProjectUser(p, s.userIds().find((u) => !s.isProjectMember(p, u)) as string, "member");
    expect(s.fingerprint()).not.toBe(twin.fingerprint());
    expect(s.counts().projectMembers).toBe(twin.counts().projectMembers + 1);
    s.createProject({ name: "More" });
    expect(s.createGroup("After projects")).toEqual(twin.createGroup("After projects"));
    expect(s.createUser()).toEqual(twin.createUser());
  });
});

describe("random project changes", () => {
  it("draw the organization's changes in the same order as before, and also change projects", () => {
    const options = { seed: 12, groups: 30, users: 300 };
    const withProjects = generateOrganization(options);
    const without = generateOrganization({ ...options, projects: 0 });
    const rngA = new Prng(12, "changes");
    const rngB = new Prng(12, "changes");
    const a: string[] = [];
    const b: string[] = [];
    for (let i = 0; i < 200; i++) {
      a.push(applyRandomMutation(withProjects, rngA) ?? "noop");
      b.push(applyRandomMutation(without, rngB) ?? "noop");
    }
    const projectKinds = a.filter((m) => m.includes("Project"));
    expect(projectKinds.length).toBeGreaterThan(20);
    const kinds = new Set(projectKinds.map((m) => m.split(" ")[0]));
    for (const kind of [
      "addProjectUser",
      "removeProjectUser",
      "setProjectUserRole",
      "attachProjectGroup",
      "detachProjectGroup",
      "assignProjectGroupRole",
      "assignProjectUserRole",
    ]) {
      expect(kinds).toContain(kind);
    }
    // The organization-level changes are the very same sequence (fewer of them, as some calls
    // changed a project instead).
    const orgA = a.filter((m) => !m.includes("Project") && m !== "noop");
    const orgB = b.filter((m) => m !== "noop");
    expect(orgA.length).toBeGreaterThan(100);
    expect(orgA).toEqual(orgB.slice(0, orgA.length));
    // Archived projects never change.
    for (const m of projectKinds) {
      expect(withProjects.isProjectArchived(m.split(" ")[1] as string)).toBe(false);
    }
  });
});
