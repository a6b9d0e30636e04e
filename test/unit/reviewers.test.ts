/**
 * Reviewer routing as a pure function (src/certify/reviewers.ts assignReviewer): the precedence
 * by_group, by_role, by_project, project_owners, default; project owners chosen by the smallest
 * address that is not the item's own user (never a self-review; no eligible owner falls through
 * to the next rule); self-review under any other rule going to the fallback; organization items
 * untouched by the project rules.
 */
import { describe, expect, it } from "vitest";
import {
  type Assignable,
  assignReviewer,
  type ReviewerRules,
} from "../../src/certify/reviewers.js";

const without = <K extends keyof ReviewerRules>(r: ReviewerRules, key: K): ReviewerRules => {
  const { [key]: _, ...rest } = r;
  return rest as ReviewerRules;
};

const rules = (over: Partial<ReviewerRules> = {}): ReviewerRules => ({
  default: "sec@corp.example",
  byGroup: new Map(),
  byRole: new Map(),
  byProject: new Map(),
  projectOwners: false,
  sha256: null,
  source: "test",
  ...over,
});

/** A project membership of Apollo (proj_a) by `user`, whose owners are `owners`. */
const membership = (user: string | null, owners: string[] = []): Assignable => ({
  group_id: null,
  group_name: null,
  roles: [{ role_id: "role_member", role_name: "Project Member" }],
  user_email: user,
  project_id: "proj_a",
  project_name: "Apollo",
  project_owners: owners,
});

/** Group Platform (group_p) attached to Apollo with Project Owner. */
const attachment = (owners: string[] = []): Assignable => ({
  group_id: "group_p",
  group_name: "Platform",
  roles: [{ role_id: "role_owner", role_name: "Project Owner" }],
  user_email: null,
  project_id: "proj_a",
  project_name: "Apollo",
  project_owners: owners,
});

describe("assignReviewer: project rules", () => {
  it("routes by precedence: by_group, by_role, by_project, project_owners, default", () => {
    const all = rules({
      byGroup: new Map([["Platform", "group-lead@corp.example"]]),
      byRole: new Map([["Project Owner", "role-lead@corp.example"]]),
      byProject: new Map([["Apollo", "apollo-lead@corp.example"]]),
      projectOwners: true,
    });
    const owners = ["owner@corp.example"];
    expect(assignReviewer(all, attachment(owners))).toEqual({
      reviewer: "group-lead@corp.example",
      rule: "by_group:Platform",
      self_review: false,
    });
    const noGroup = { ...all, byGroup: new Map<string, string>() };
    expect(assignReviewer(noGroup, attachment(owners))?.rule).toBe("by_role:Project Owner");
    const noRole = { ...noGroup, byRole: new Map<string, string>() };
    expect(assignReviewer(noRole, attachment(owners))).toMatchObject({
      reviewer: "apollo-lead@corp.example",
      rule: "by_project:Apollo",
    });
    const noProject = { ...noRole, byProject: new Map<string, string>() };
    expect(assignReviewer(noProject, attachment(owners))).toMatchObject({
      reviewer: "owner@corp.example",
      rule: "project_owners",
    });
    expect(assignReviewer({ ...noProject, projectOwners: false }, attachment(owners))).toEqual({
      reviewer: "sec@corp.example",
      rule: "default",
      self_review: false,
    });
  });

  it("by_project matches the id before the name, and names the key it matched", () => {
    const both = rules({
      byProject: new Map([
        ["proj_a", "by-id@corp.example"],
        ["Apollo", "by-name@corp.example"],
      ]),
    });
    expect(assignReviewer(both, membership("bob@corp.example"))).toMatchObject({
      reviewer: "by-id@corp.example",
      rule: "by_project:proj_a",
    });
    const name = rules({ byProject: new Map([["Apollo", "by-name@corp.example"]]) });
    expect(assignReviewer(name, membership("bob@corp.example"))?.rule).toBe("by_project:Apollo");
  });

  it("project_owners takes the smallest address, never the item's own user", () => {
    const owners = rules({ projectOwners: true });
    const list = ["Zed@corp.example", "dave@corp.example", "alice@corp.example"];
    expect(assignReviewer(owners, membership("bob@corp.example", list))).toEqual({
      reviewer: "alice@corp.example",
      rule: "project_owners",
      self_review: false,
    });
    // Alice's own membership goes to the next owner, also when written another way.
    expect(assignReviewer(owners, membership("Alice+x@Corp.Example", list))).toEqual({
      reviewer: "dave@corp.example",
      rule: "project_owners",
      self_review: false,
    });
    // The only owner is the member: the rule does not match, the default takes it.
    expect(
      assignReviewer(owners, membership("alice@corp.example", ["alice@corp.example"])),
    ).toEqual({ reviewer: "sec@corp.example", rule: "default", self_review: false });
    // No owner at all, and no default: nobody.
    expect(assignReviewer(without(owners, "default"), membership("bob@corp.example"))).toBe(null);
    // Addresses that are not addresses are never chosen.
    expect(
      assignReviewer(owners, membership("bob@corp.example", ["=cmd|' /C calc'!A0", " "])),
    ).toMatchObject({ rule: "default" });
  });

  it("a self-review under any other rule goes to the fallback, as for organization grants", () => {
    const apollo = rules({
      byProject: new Map([["Apollo", "bob@corp.example"]]),
      projectOwners: true,
      fallback: "ciso@corp.example",
    });
    // by_project comes before project_owners: bob would review his own membership.
    expect(assignReviewer(apollo, membership("bob@corp.example", ["alice@corp.example"]))).toEqual({
      reviewer: "ciso@corp.example",
      rule: "fallback (self-review under by_project:Apollo)",
      self_review: false,
    });
    const noFallback = without(apollo, "fallback");
    expect(assignReviewer(noFallback, membership("bob@corp.example"))).toMatchObject({
      reviewer: "bob@corp.example",
      self_review: true,
    });
  });

  it("organization items never match a project rule", () => {
    const projectRules = rules({
      byProject: new Map([["Apollo", "apollo-lead@corp.example"]]),
      projectOwners: true,
    });
    const orgMembership: Assignable = {
      group_id: "group_p",
      group_name: "Platform",
      roles: [],
      user_email: "bob@corp.example",
    };
    expect(assignReviewer(projectRules, orgMembership)?.rule).toBe("default");
    expect(
      assignReviewer(projectRules, { ...orgMembership, project_id: null, project_name: "Apollo" })
        ?.rule,
    ).toBe("default");
  });
});
