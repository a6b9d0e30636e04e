import { describe, expect, it } from "vitest";
import {
  defineFact,
  EVIDENCE_VIEWS,
  FACT_TABLES,
  factsOfScope,
  GROUP_MEMBERS,
  GROUPS,
  groupRoleRow,
  groupRow,
  memberRow,
  PUBLIC_VIEWS,
  projectGroupRow,
  projectRow,
  projectUserRoleRow,
  projectUserRow,
  roleRow,
  USER_ROLES,
  USERS,
  userRoleRow,
  userRow,
  varchar,
} from "../../src/facts/index.js";

describe("fact type declarations", () => {
  it("derive every name from the part, and values in column order", () => {
    const fact = defineFact<{ b: string; a: string | null }>({
      part: "things",
      countColumn: "groups",
      key: ["a"],
      columns: [varchar("a"), varchar("b")],
      listing: "/things",
    });
    expect(fact).toMatchObject({
      view: "snapshot_things",
      hist: "hist_things",
      stage: "stage_things",
      rawStage: "stage_raw_things",
    });
    expect(fact.values({ b: "2", a: null })).toEqual([null, "2"]);
    expect(() =>
      defineFact({ part: "x", countColumn: "groups", key: ["id"], columns: [], listing: "/x" }),
    ).toThrow(/key id is not a column/);
  });

  it("keep the seal order and the public view order the database was built with", () => {
    expect(FACT_TABLES.map((t) => t.part)).toEqual([
      "groups",
      "group_members",
      "group_roles",
      "roles",
      "users",
      "user_roles",
      "projects",
      "project_users",
      "project_groups",
      "project_roles",
      "project_group_roles",
      "project_user_roles",
      "service_accounts",
      "api_keys",
      "admin_keys",
      "invites",
    ]);
    expect(PUBLIC_VIEWS).toEqual([
      "snapshots",
      ...FACT_TABLES.map((t) => t.view),
      "effective_access",
      ...EVIDENCE_VIEWS,
    ]);
    expect(new Set(FACT_TABLES.map((t) => t.countColumn)).size).toBe(FACT_TABLES.length);
    expect(
      FACT_TABLES.filter((t) => t.vanishesWith?.join() === "group_id").map((t) => t.part),
    ).toEqual(["groups", "group_members", "group_roles"]);
    expect(
      FACT_TABLES.filter((t) => t.vanishesWith?.join() === "user_id").map((t) => t.part),
    ).toEqual(["users", "user_roles"]);
    expect(
      FACT_TABLES.filter((t) => t.vanishesWith?.join() === "project_id,user_id").map((t) => t.part),
    ).toEqual(["project_users", "project_user_roles"]);
    expect(
      FACT_TABLES.filter((t) => t.vanishesWith?.join() === "project_id,group_id").map(
        (t) => t.part,
      ),
    ).toEqual(["project_groups", "project_group_roles"]);
    // Coverage: what --no-user-roles, --no-projects and --no-project-role-assignments leave out.
    expect(factsOfScope("user_roles").map((t) => t.part)).toEqual(["user_roles"]);
    expect(factsOfScope("projects").map((t) => t.part)).toEqual([
      "projects",
      "project_users",
      "project_groups",
      "project_roles",
    ]);
    expect(factsOfScope("project_role_assignments").map((t) => t.part)).toEqual([
      "project_group_roles",
      "project_user_roles",
    ]);
    expect(factsOfScope("credentials").map((t) => t.part)).toEqual([
      "service_accounts",
      "api_keys",
      "admin_keys",
      "invites",
    ]);
    // Only key usage versions coarsely.
    expect(FACT_TABLES.filter((t) => t.usage !== undefined).map((t) => t.part)).toEqual([
      "api_keys",
      "admin_keys",
    ]);
    expect(() =>
      defineFact({
        part: "x",
        countColumn: "groups",
        key: ["id"],
        columns: [varchar("id"), varchar("last_used_at")],
        listing: "/x",
        usage: { column: "last_used_at", resolutionDays: 30 },
      }),
    ).toThrow(/usage column must be a TIMESTAMPTZ outside the key/);
    expect(() =>
      defineFact({
        part: "x",
        countColumn: "groups",
        key: ["id"],
        columns: [varchar("id")],
        listing: "/x",
        vanishesWith: ["parent_id"],
      }),
    ).toThrow(/vanishesWith column parent_id is not part of the key/);
  });
});

describe("project transforms", () => {
  it("projects: archived by either field; fields the API omitted are NULL", () => {
    expect(
      projectRow({
        id: "proj_1",
        created_at: 1,
        name: "Alpha",
        status: "active",
        archived_at: null,
      }),
    ).toEqual({
      project_id: "proj_1",
      name: "Alpha",
      status: "active",
      archived: false,
      created_at: 1,
      archived_at: null,
      external_key_id: null,
      residency: null,
    });
    expect(projectRow({ id: "p", created_at: 1, archived_at: 5 }).archived).toBe(true);
    expect(projectRow({ id: "p", created_at: 1, status: "archived" }).archived).toBe(true);
    expect(projectRow({ id: "p", created_at: 1, status: "active" }).archived).toBe(false);
  });

  it("project groups take the project asked for; project user roles keep only two source fields", () => {
    expect(
      projectGroupRow("proj_a", {
        object: "project.group",
        project_id: "proj_other",
        group_id: "g1",
        group_name: "Support",
        created_at: 9,
      }),
    ).toEqual({
      project_id: "proj_a",
      group_id: "g1",
      group_name: "Support",
      group_type: null,
      created_at: 9,
    });
    const row = projectUserRoleRow("proj_a", "u1", {
      id: "r1",
      name: "Project Owner",
      permissions: ["a"],
      resource_type: "api.project",
      predefined_role: true,
      assignment_sources: [{ principal_id: "g1", principal_type: "group", extra: 1 }],
    });
    expect(row.assignment_sources).toEqual([{ principal_id: "g1", principal_type: "group" }]);
    expect(projectUserRow("proj_a", { id: "u1", role: "owner", added_at: 3 })).toEqual({
      project_id: "proj_a",
      user_id: "u1",
      email: null,
      name: null,
      role: "owner",
      added_at: 3,
    });
  });
});

describe("transforms from API items to rows", () => {
  const role = {
    object: "role",
    id: "role_1",
    name: "Billing Manager",
    description: null,
    permissions: ["api.billing.read", "api.billing.write"],
    predefined_role: false,
    resource_type: "api.organization",
  };

  it("groups: a group_type the API omitted is NULL, not guessed", () => {
    const row = groupRow({
      object: "group",
      id: "g1",
      name: "Eng",
      created_at: 1_700_000_000,
      is_scim_managed: true,
    } as Parameters<typeof groupRow>[0]);
    expect(row).toEqual({
      group_id: "g1",
      name: "Eng",
      group_type: null,
      is_scim_managed: true,
      created_at: 1_700_000_000,
    });
    expect(GROUPS.values(row)).toEqual(["g1", "Eng", null, true, 1_700_000_000]);
  });

  it("members and group roles carry their group's id", () => {
    const member = memberRow("g1", {
      object: "organization.user",
      id: "u1",
      email: null,
      name: "A",
    } as Parameters<typeof memberRow>[1]);
    expect(GROUP_MEMBERS.values(member)).toEqual(["g1", "u1", null, "A"]);
    expect(groupRoleRow("g1", role as Parameters<typeof groupRoleRow>[1])).toEqual({
      group_id: "g1",
      role_id: "role_1",
      role_name: "Billing Manager",
      permissions: ["api.billing.read", "api.billing.write"],
      predefined_role: false,
      resource_type: "api.organization",
    });
    expect(roleRow(role as Parameters<typeof roleRow>[0]).description).toBeNull();
  });

  it("users: every field the API omitted is NULL", () => {
    const row = userRow({
      object: "organization.user",
      id: "u1",
      added_at: 1_600_000_000,
    } as Parameters<typeof userRow>[0]);
    expect(USERS.values(row)).toEqual(["u1", null, null, null, null, null, 1_600_000_000, null]);
  });

  it("user roles keep only the two stored fields of each source, and NULL when omitted", () => {
    const withSources = userRoleRow("u1", {
      ...role,
      assignment_sources: [
        { principal_id: "g1", principal_type: "group", extra: "dropped" },
        { principal_id: "u1", principal_type: "user" },
      ],
    } as Parameters<typeof userRoleRow>[1]);
    expect(USER_ROLES.values(withSources).at(-1)).toEqual([
      { principal_id: "g1", principal_type: "group" },
      { principal_id: "u1", principal_type: "user" },
    ]);
    const without = userRoleRow("u1", role as Parameters<typeof userRoleRow>[1]);
    expect(without.assignment_sources).toBeNull();
  });
});
