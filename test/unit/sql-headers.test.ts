/**
 * The one header format of sql/diff and sql/rules files (a YAML comment block, then the SQL),
 * parsed by src/analysis/sql-header.ts for both, and the shipped files read with it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DIFF_KINDS,
  diffSqlDirectory,
  loadDiffQueries,
  parseDiffQuery,
} from "../../src/analysis/diff.js";
import { BUILTIN_RULES_DIR, parseRule } from "../../src/analysis/rules.js";
import { parseSqlHeader } from "../../src/analysis/sql-header.js";

describe("parseSqlHeader", () => {
  it("reads the leading comment block as YAML and returns the SQL after it", () => {
    const text = [
      "",
      "-- id: a-rule",
      "-- title: >-",
      "--   folded over",
      "--   two lines",
      "-- controls: [A, B]",
      "",
      "-- Why: a comment of the query, not of the header.",
      "SELECT 1;",
      "",
    ].join("\n");
    const { meta, sql } = parseSqlHeader(text, "id");
    expect(meta).toEqual({ id: "a-rule", title: "folded over two lines", controls: ["A", "B"] });
    expect(sql).toBe("-- Why: a comment of the query, not of the header.\nSELECT 1");
  });

  it("ends the header at the first line that is not a comment", () => {
    const { meta, sql } = parseSqlHeader("-- kind: x\nSELECT 1\n-- kind: y\n", "kind");
    expect(meta).toEqual({ kind: "x" });
    expect(sql).toBe("SELECT 1\n-- kind: y");
  });

  it("refuses a file without a header, or with a header that is not YAML", () => {
    expect(() => parseSqlHeader("SELECT 1", "kind")).toThrow(
      "no metadata: start the file with `-- kind: ...` comment lines (YAML)",
    );
    expect(() => parseSqlHeader("-- id: [unclosed\nSELECT 1", "id")).toThrow(
      /^metadata is not valid YAML: /,
    );
  });
});

/** What reports show for each kind: the descriptions of the former `-- description:` lines. */
const DESCRIPTIONS: Record<string, string> = {
  access_gained:
    "a user holds a role in `to` by some path and held it by none in `from` (via: every path to it in `to`, direct or through a group; names as in `to`)",
  group_added: "a group exists in `to` but not in `from`",
  group_renamed: "a group kept its id and changed its name (before, after: the names)",
  group_role_granted: "a role was assigned to a group (names as in `to`)",
  group_scim_changed:
    "a group became or stopped being SCIM-managed (before, after: is_scim_managed; group_name as in `to`)",
  group_type_changed:
    "a group's group_type changed (before, after: NULL where the API omitted it; group_name as in `to`)",
  member_added: "a user became a member of a group (names as in `to`)",
  role_added: "a role appeared in the organization's roles catalog (permissions sorted)",
  role_permissions_changed:
    "a role's set of permissions changed (before, after: sorted permissions; role_name as in `to`)",
  user_added: "a user joined the organization",
  user_role_changed:
    "a user's legacy organization role (`role`: owner / reader) changed (names as in `to`)",
  user_role_granted:
    "a role was assigned to a user directly (names as in `to`); a role held only through a group shows as member_*, group_role_* and access_* changes instead",
  project_access_gained:
    "a user holds a role in a project in `to` by some path and held it by none in `from` (via: every path to it in `to`: membership, direct, or through an attached group; names as in `to`)",
  project_added: "a project exists in `to` and not in `from` (name and archived as in `to`)",
  project_archived: "a project was archived (before, after: its status; archived_at as in `to`)",
  project_group_attached: "an organization group was attached to a project (names as in `to`)",
  project_group_role_granted:
    "a project role was assigned to a group at project scope (names as in `to`)",
  project_member_added:
    "a user became a member of a project, with a membership role (names as in `to`)",
  project_member_role_changed:
    "a project member's membership role changed, e.g. member to owner (before, after: the roles)",
  project_renamed: "a project kept its id and changed its name (before, after: the names)",
  project_role_added:
    "a role appeared in a project's roles catalog (permissions sorted; names as in `to`)",
  project_role_permissions_changed:
    "a project role's set of permissions changed (before, after: sorted permissions)",
  project_user_role_granted:
    "a project role was assigned to a member directly, at project scope (names as in `to`); the predefined role matching the membership role shows as project_member_* instead, and a role held through a group as project_group_role_* and project_access_*",
  service_account_created:
    "a project service account exists in `to` and not in `from` (role, names as in `to`)",
  service_account_role_changed:
    "a project service account's role changed, e.g. member to owner (before, after: the roles; names as in `to`)",
  api_key_created:
    "a project API key exists in `to` and not in `from`, with its owner (owner_type `user` or `service_account`, owner_id, owner_email; names as in `to`)",
  api_key_owner_access_changed:
    "the owner of a project API key gained or lost access to the project (before, after: the key listing's owner_project_access, `active` or `inactive`; names as in `to`)",
  admin_key_created:
    "an admin API key exists in `to` and not in `from`, with its owner and expiry (as in `to`)",
  admin_key_expiry_changed:
    "an admin API key's expiry changed (before, after: expires_at, null for none; names as in `to`)",
  invite_sent:
    "an invite listed in `to` as pending and not listed in `from` (email, role, projects, as in `to`); its mirror invite_revoked is a pending invite of `from` that `to` no longer lists",
  invite_accepted:
    "an invite's status became `accepted` (before, after: the statuses; email, role and projects as in `to`)",
  invite_expired:
    "an invite's status became `expired` (before, after: the statuses; email, role and projects as in `to`)",
  invite_status_changed:
    "an invite's status changed to something other than `accepted` or `expired`, e.g. back to `pending` (before, after: the statuses; email, role and projects as in `to`)",
};

describe("diff headers", () => {
  it("parses every shipped diff file, with the descriptions the reports show", () => {
    const files = readdirSync(diffSqlDirectory()).filter((n) => n.endsWith(".sql"));
    const parsed = files.map((name) => {
      const file = join(diffSqlDirectory(), name);
      return parseDiffQuery(file, readFileSync(file, "utf8"));
    });
    expect(Object.fromEntries(parsed.map((q) => [q.kind, q.description]))).toEqual(DESCRIPTIONS);
    for (const q of parsed) expect(q.sql).toMatch(/^(WITH|SELECT)\b/);
    // What each kind needs both snapshots to have collected (else it is not compared).
    const requires = Object.fromEntries(parsed.map((q) => [q.kind, q.requires.join(",")]));
    expect(requires.member_added).toBe("organization");
    expect(requires.access_gained).toBe("organization,user_roles");
    expect(requires.user_role_granted).toBe("organization,user_roles");
    expect(requires.project_member_added).toBe("organization,projects");
    expect(requires.project_access_gained).toBe("organization,projects,project_role_assignments");
    for (const kind of [
      "service_account_created",
      "api_key_created",
      "admin_key_created",
      "invite_sent",
    ]) {
      expect(requires[kind], kind).toBe("organization,credentials");
    }
    expect(loadDiffQueries().map((q) => q.kind)).toEqual([...DIFF_KINDS]);
  });

  it("refuses an unknown kind, a mirrored kind, a missing field and a missing query", () => {
    const header = (kind: string) => `-- kind: ${kind}\n-- description: d\n-- why: w\n`;
    expect(() => parseDiffQuery("f.sql", `${header("nope")}SELECT 1`)).toThrow(
      /^f\.sql: invalid metadata: kind: /,
    );
    expect(() => parseDiffQuery("f.sql", `${header("member_removed")}SELECT 1`)).toThrow(
      "f.sql: member_removed is computed as the mirror of member_added",
    );
    expect(() => parseDiffQuery("f.sql", "-- kind: member_added\n-- why: w\nSELECT 1")).toThrow(
      /invalid metadata: description: /,
    );
    expect(() => parseDiffQuery("f.sql", header("member_added"))).toThrow(/no query/);
    expect(parseDiffQuery("f.sql", `${header("member_added")}SELECT 1;`)).toMatchObject({
      kind: "member_added",
      description: "d",
      sql: "SELECT 1",
      swapped: false,
    });
  });
});

describe("rule headers", () => {
  it("parses every shipped rule with the same header reader", () => {
    const names = readdirSync(BUILTIN_RULES_DIR).filter((n) => n.endsWith(".sql"));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const file = join(BUILTIN_RULES_DIR, name);
      const rule = parseRule(readFileSync(file, "utf8"), file);
      expect(`${rule.id}.sql`).toBe(name);
      expect(rule.sql).not.toMatch(/^-- (id|title|severity):/m);
    }
  });

  it("refuses what the diff headers refuse, in the same words", () => {
    expect(() => parseRule("SELECT 1", "x.sql")).toThrow(
      "no metadata: start the file with `-- id: ...` comment lines (YAML)",
    );
    expect(() =>
      parseRule(
        "-- id: a\n-- title: t\n-- severity: dire\n-- rationale: r\n-- remediation: m\nSELECT 1",
        "x.sql",
      ),
    ).toThrow(/^invalid metadata: severity: /);
  });
});
