import { describe, expect, it } from "vitest";
import {
  defineFact,
  EVIDENCE_VIEWS,
  FACT_TABLES,
  GROUP_MEMBERS,
  GROUPS,
  groupRoleRow,
  groupRow,
  memberRow,
  PUBLIC_VIEWS,
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
