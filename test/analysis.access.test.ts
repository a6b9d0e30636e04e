/**
 * The effective_access view and `access-audit access`: every path by which a user holds a
 * role, against an organization built by hand in the simulator, crawled over real HTTP into a
 * real DuckDB file; the CLI runs as a child process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccessPath, listEffectiveAccess } from "../src/analysis/access.js";
import { GROUP_MEMBERS, GROUP_ROLES, GROUPS, ROLES, USERS } from "../src/facts/index.js";
import { terminalJson } from "../src/render/index.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { crawlInto, NO_CREDENTIALS, roleId } from "./support/analysis-org.js";
import { cliEnv, runCli } from "./support/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-access-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Org {
  alice: string;
  bob: string;
  carol: string;
  dave: string;
  admins: string;
  eng: string;
  owner: string;
  reader: string;
  projectAdmin: string;
  usageViewer: string;
}

/** Paths of one snapshot reduced to what identifies them, sorted like the view's output. */
const brief = (rows: AccessPath[]) =>
  rows.map((r) => [r.user_id, r.role_id, r.via, r.via_group_id, r.via_group_is_scim_managed]);

describe("effective access", () => {
  let sim: RunningSimulator;
  let org: Org;
  const db = join(tmp, "access.duckdb");
  let first: number;
  let second: number;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 31, groups: 0, users: 0, ...NO_CREDENTIALS });
    const s = sim.state;
    const alice = s.createUser({ name: "Alice", email: "alice@corp.example" }).id;
    const bob = s.createUser({ name: "Bob", email: "bob@corp.example" }).id;
    const carol = s.createUser({ name: "Carol", email: null }).id;
    const dave = s.createUser({ name: "Dave", email: "dave@corp.example" }).id;
    const admins = s.createGroup("Org Admins", { isScimManaged: false }).id;
    const eng = s.createGroup("okta-engineering", { isScimManaged: true }).id;
    org = {
      alice,
      bob,
      carol,
      dave,
      admins,
      eng,
      owner: s.ownerRoleId,
      reader: s.readerRoleId,
      projectAdmin: roleId(sim, "Project Administrator"),
      usageViewer: roleId(sim, "Usage Viewer"),
    };
    s.assignGroupRole(admins, org.owner);
    s.assignGroupRole(eng, org.reader);
    s.assignGroupRole(eng, org.projectAdmin);
    s.addMember(admins, alice);
    s.addMember(eng, alice);
    s.addMember(eng, bob);
    s.assignUserRole(alice, org.owner); // Owner directly and through Org Admins
    s.assignUserRole(bob, org.reader); // Reader directly and through okta-engineering
    s.assignUserRole(carol, org.usageViewer); // direct only; no email anywhere
    // dave holds nothing.
    first = await crawlInto(sim, db);
    // The same organization, but the API omits assignment_sources from role lists.
    sim.setQuirks({ assignmentSourcesOmitted: true });
    second = await crawlInto(sim, db);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("lists one row per path: direct, or through a group with its name and SCIM state", async () => {
    const store = await Store.open(db, { readOnly: true });
    try {
      const rows = await listEffectiveAccess(store, first);
      const o = org;
      // Order: email (NULLs last), user, role name, role id, direct before group, group name.
      const expected: Omit<
        AccessPath,
        "scope" | "project_id" | "project_name" | "principal_type"
      >[] = [
        {
          user_id: o.alice,
          email: "alice@corp.example",
          role_id: o.owner,
          role_name: "Owner",
          permissions: expect.any(Array) as unknown as string[],
          via: "direct",
          via_group_id: null,
          via_group_name: null,
          via_group_is_scim_managed: null,
        },
        {
          user_id: o.alice,
          email: "alice@corp.example",
          role_id: o.owner,
          role_name: "Owner",
          permissions: expect.any(Array) as unknown as string[],
          via: "group",
          via_group_id: o.admins,
          via_group_name: "Org Admins",
          via_group_is_scim_managed: false,
        },
        {
          user_id: o.alice,
          email: "alice@corp.example",
          role_id: o.projectAdmin,
          role_name: "Project Administrator",
          permissions: ["api.projects.read", "api.projects.write", "api.usage.read"],
          via: "group",
          via_group_id: o.eng,
          via_group_name: "okta-engineering",
          via_group_is_scim_managed: true,
        },
        {
          user_id: o.alice,
          email: "alice@corp.example",
          role_id: o.reader,
          role_name: "Reader",
          permissions: expect.any(Array) as unknown as string[],
          via: "group",
          via_group_id: o.eng,
          via_group_name: "okta-engineering",
          via_group_is_scim_managed: true,
        },
        {
          user_id: o.bob,
          email: "bob@corp.example",
          role_id: o.projectAdmin,
          role_name: "Project Administrator",
          permissions: ["api.projects.read", "api.projects.write", "api.usage.read"],
          via: "group",
          via_group_id: o.eng,
          via_group_name: "okta-engineering",
          via_group_is_scim_managed: true,
        },
        {
          user_id: o.bob,
          email: "bob@corp.example",
          role_id: o.reader,
          role_name: "Reader",
          permissions: expect.any(Array) as unknown as string[],
          via: "direct",
          via_group_id: null,
          via_group_name: null,
          via_group_is_scim_managed: null,
        },
        {
          user_id: o.bob,
          email: "bob@corp.example",
          role_id: o.reader,
          role_name: "Reader",
          permissions: expect.any(Array) as unknown as string[],
          via: "group",
          via_group_id: o.eng,
          via_group_name: "okta-engineering",
          via_group_is_scim_managed: true,
        },
        {
          user_id: o.carol,
          email: null,
          role_id: o.usageViewer,
          role_name: "Usage Viewer",
          permissions: ["api.usage.read"],
          via: "direct",
          via_group_id: null,
          via_group_name: null,
          via_group_is_scim_managed: null,
        },
      ];
      // The hand-built organization has no projects besides what the generator seeds: compare
      // the organization scope here (project scope: test/analysis.projects.test.ts).
      expect(rows.filter((r) => r.scope === "organization")).toEqual(
        expected.map((r) => ({
          scope: "organization",
          project_id: null,
          project_name: null,
          ...r,
          principal_type: "user",
        })),
      );
      // Nothing for dave, and inherited user roles are never counted as direct.
      expect(rows.some((r) => r.user_id === o.dave)).toBe(false);

      // Filters: by email (any case) or id, by role name (any case) or id.
      expect(
        brief(
          await listEffectiveAccess(store, first, { user: "ALICE@corp.example", role: "owner" }),
        ),
      ).toEqual([
        [o.alice, o.owner, "direct", null, null],
        [o.alice, o.owner, "group", o.admins, false],
      ]);
      expect(brief(await listEffectiveAccess(store, first, { role: o.projectAdmin }))).toEqual([
        [o.alice, o.projectAdmin, "group", o.eng, true],
        [o.bob, o.projectAdmin, "group", o.eng, true],
      ]);
      expect(await listEffectiveAccess(store, first, { user: o.dave })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("without assignment_sources, a user role is direct only when no group path explains it", async () => {
    const store = await Store.open(db, { readOnly: true });
    try {
      const [nulls] = await store.query<{ n: number }>(
        "SELECT count(*) AS n FROM snapshot_user_roles WHERE snapshot_id = $1 AND assignment_sources IS NOT NULL",
        [second],
      );
      expect(nulls?.n).toBe(0);
      const o = org;
      // alice's direct Owner and bob's direct Reader are indistinguishable from inherited ones.
      expect(brief(await listEffectiveAccess(store, second))).toEqual([
        [o.alice, o.owner, "group", o.admins, false],
        [o.alice, o.projectAdmin, "group", o.eng, true],
        [o.alice, o.reader, "group", o.eng, true],
        [o.bob, o.projectAdmin, "group", o.eng, true],
        [o.bob, o.reader, "group", o.eng, true],
        [o.carol, o.usageViewer, "direct", null, null],
      ]);
    } finally {
      await store.close();
    }
  });

  it("access-audit access: table, filters, --json, unknown snapshot, empty database", async () => {
    const env = cliEnv({});
    const o = org;
    const json = await runCli(
      ["access", "--db", db, "--snapshot", String(first), "--user", o.bob, "--json"],
      env,
    );
    expect(json.stderr).toBe("");
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout) as { snapshot_id: number; access: AccessPath[] };
    expect(parsed.snapshot_id).toBe(first);
    expect(brief(parsed.access)).toEqual([
      [o.bob, o.projectAdmin, "group", o.eng, true],
      [o.bob, o.reader, "direct", null, null],
      [o.bob, o.reader, "group", o.eng, true],
    ]);

    // Default: the latest complete snapshot.
    const latest = await runCli(["access", "--db", db, "--role", "Owner"], env);
    expect(latest.status).toBe(0);
    expect(latest.stdout.split("\n")).toEqual([
      `snapshot ${second}: 1 access path(s)`,
      expect.stringMatching(/^scope\s+user\s+user_id\s+role\s+role_id\s+via\s+group_id$/),
      expect.stringMatching(
        new RegExp(
          `^organization\\s+alice@corp\\.example\\s+${o.alice}\\s+Owner\\s+${o.owner}\\s+group "Org Admins" \\(manual\\)\\s+${o.admins}$`,
        ),
      ),
      "",
    ]);

    const table = await runCli(["access", "--db", db, "--snapshot", String(first)], env);
    expect(table.status).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2 + 8);
    expect(lines[0]).toBe(`snapshot ${first}: 8 access path(s)`);
    expect(lines.filter((l) => l.includes('group "okta-engineering" (SCIM)'))).toHaveLength(4);
    expect(lines.filter((l) => /\sdirect\s+-$/.test(l))).toHaveLength(3);

    const none = await runCli(["access", "--db", db, "--user", "nobody@corp.example"], env);
    expect(none).toMatchObject({
      status: 0,
      stdout: `snapshot ${second}: no access paths match\n`,
    });

    const unknown = await runCli(["access", "--db", db, "--snapshot", "99"], env);
    expect(unknown).toMatchObject({
      status: 2,
      stdout: "",
      stderr: `access-audit: snapshot 99 does not exist (latest complete: ${second})\n`,
    });

    const emptyDb = join(tmp, "empty.duckdb");
    await (await Store.open(emptyDb)).close();
    const empty = await runCli(["access", "--db", emptyDb], env);
    expect(empty.status).toBe(1);
    expect(empty.stderr).toBe(
      `access-audit: no complete snapshot in ${emptyDb}: run \`access-audit crawl\` first\n`,
    );
  });
});

describe("effective access in a project without assignment_sources", () => {
  // The project twin of the organization case above: the view's project direct paths test the
  // project group paths (migration 0013 evaluates those where they are used).
  let sim: RunningSimulator;
  const db = join(tmp, "access-project.duckdb");
  const ids = { project: "", alice: "", bob: "", carol: "", eng: "", role: "" };
  let first: number;
  let second: number;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 32, groups: 0, users: 0, ...NO_CREDENTIALS });
    const s = sim.state;
    ids.alice = s.createUser({ name: "Alice", email: "alice@corp.example" }).id;
    ids.bob = s.createUser({ name: "Bob", email: "bob@corp.example" }).id;
    ids.carol = s.createUser({ name: "Carol", email: "carol@corp.example" }).id;
    ids.eng = s.createGroup("okta-engineering", { isScimManaged: true }).id;
    s.addMember(ids.eng, ids.alice);
    s.addMember(ids.eng, ids.bob);
    ids.project = s.createProject({ name: "Atlas" }).id;
    ids.role = s.createProjectRole(ids.project, {
      name: "Key Manager",
      permissions: ["api.organization.projects.api_keys.write"],
    }).id;
    s.attachProjectGroup(ids.project, ids.eng, ids.role);
    s.addProjectUser(ids.project, ids.bob, "member");
    s.addProjectUser(ids.project, ids.carol, "member");
    s.assignProjectUserRole(ids.project, ids.bob, ids.role); // directly and through the group
    s.assignProjectUserRole(ids.project, ids.carol, ids.role); // directly only
    first = await crawlInto(sim, db);
    sim.setQuirks({ assignmentSourcesOmitted: true });
    second = await crawlInto(sim, db);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("a direct project role is kept only when no project group path explains it", async () => {
    const store = await Store.open(db, { readOnly: true });
    try {
      const paths = async (snapshot: number) =>
        brief(await listEffectiveAccess(store, snapshot, { project: ids.project, role: ids.role }));
      const { alice, bob, carol, eng, role } = ids;
      // In the view's order: by email, then direct before group.
      const expected = (bobDirect: boolean) => [
        [alice, role, "group", eng, true],
        ...(bobDirect ? [[bob, role, "direct", null, null]] : []),
        [bob, role, "group", eng, true],
        [carol, role, "direct", null, null],
      ];
      // With the API's sources, bob's direct grant is told apart from the group's.
      expect(await paths(first)).toEqual(expected(true));
      const [nulls] = await store.query<{ n: number }>(
        "SELECT count(*) AS n FROM snapshot_project_user_roles WHERE snapshot_id = $1 AND assignment_sources IS NOT NULL",
        [second],
      );
      expect(nulls?.n).toBe(0);
      // Without them, bob's is indistinguishable from the group's; carol's stays direct.
      expect(await paths(second)).toEqual(expected(false));
    } finally {
      await store.close();
    }
  });

  it("evaluates one snapshot's paths without the group paths of every snapshot", async () => {
    // A named group-path CTE in the plan is one DuckDB materialises whole, for every snapshot in
    // the database, whichever is asked for: 3.6 s per snapshot's project paths at 4 snapshots
    // of 1,000,000 memberships, and growing with history (migration 0014). Read from a store
    // reopened from the file: a stored view is what every later command runs.
    const store = await Store.open(db, { readOnly: true });
    try {
      const [plan] = await store.query<{ explain_value: string }>(
        "EXPLAIN (FORMAT json) SELECT * FROM effective_access WHERE snapshot_id = $1",
        [second],
      );
      const materialised: string[] = [];
      const walk = (node: { name: string; extra_info?: unknown; children?: unknown[] }) => {
        const info = node.extra_info as Record<string, unknown> | undefined;
        if (node.name === "CTE") materialised.push(String(info?.["CTE Name"]));
        for (const child of node.children ?? []) walk(child as typeof node);
      };
      for (const node of JSON.parse(plan?.explain_value ?? "[]")) walk(node);
      // The optimizer's own small common subplans are fine; the view's path CTEs are not.
      expect(materialised.filter((name) => !name.startsWith("__common_subplan"))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe("effective access over a history of user records", () => {
  // Migration 0015 joins each path's user from the user history by the path's snapshot rather
  // than through the snapshot_users view. Written through the store's own snapshot writer: one
  // user whose email changes from snapshot to snapshot, one listed only as a group member.
  const db = join(tmp, "user-history.duckdb");
  const groupId = "group-eng";
  const roleId = "role-writer";
  const role = {
    role_name: "Writer",
    permissions: ["api.organization.projects.write"],
    predefined_role: false,
    resource_type: "api.organization",
  };
  const ids: number[] = [];

  beforeAll(async () => {
    const store = await Store.open(db);
    try {
      for (const email of ["ana@old.example", "ana@new.example", null]) {
        const w = await store.beginSnapshot({
          baseUrl: "test",
          toolVersion: "test",
          keyRedacted: "-",
        });
        w.add(ROLES, { role_id: roleId, name: role.role_name, description: null, ...role });
        w.add(GROUPS, {
          group_id: groupId,
          name: "eng",
          group_type: null,
          is_scim_managed: false,
          created_at: 1_700_000_000,
        });
        w.add(GROUP_ROLES, { group_id: groupId, role_id: roleId, ...role });
        for (const user_id of ["user-ana", "user-ben"]) {
          w.add(GROUP_MEMBERS, {
            group_id: groupId,
            user_id,
            email: `${user_id}@member-listing.example`,
            name: user_id,
          });
        }
        // Ana is an organization user with this snapshot's email; Ben only a group member.
        w.add(USERS, {
          user_id: "user-ana",
          email,
          name: "Ana",
          role: "reader",
          is_scim_managed: false,
          is_service_account: false,
          added_at: 1_700_000_000,
          api_key_last_used_at: null,
        });
        ids.push((await w.publish({ requests: 0, retries: 0, rateLimited: 0 })).snapshotId);
      }
    } finally {
      await store.close();
    }
  });

  it("gives each snapshot's paths that snapshot's email, once per path", async () => {
    const store = await Store.open(db, { readOnly: true });
    try {
      const paths = async (snapshot: number) =>
        (await listEffectiveAccess(store, snapshot)).map((p) => [p.user_id, p.email, p.via]);
      const ben = ["user-ben", "user-ben@member-listing.example", "group"];
      expect(await paths(ids[0] as number)).toEqual([
        ["user-ana", "ana@old.example", "group"],
        ben,
      ]);
      expect(await paths(ids[1] as number)).toEqual([
        ["user-ana", "ana@new.example", "group"],
        ben,
      ]);
      // A user record without an email falls back to the member listing's.
      expect(await paths(ids[2] as number)).toEqual([
        ["user-ana", "user-ana@member-listing.example", "group"],
        ben,
      ]);
    } finally {
      await store.close();
    }
  });
});

describe("one snapshot's effective access as the history grows", () => {
  // Every reader (rules, reports, certification, `access`) evaluates the view for one or two
  // snapshots, often for one user. Before migration 0015 the view read every snapshot's
  // memberships and users whichever snapshot was asked for, so the same question cost more with
  // every crawl (at 1,000,000 memberships, `access --user` took 0.6 s with 2 snapshots and 2.8 s
  // with 30). Counted in rows, not timed: DuckDB's profile adds up the rows of every operator.
  let sim: RunningSimulator;
  const db = join(tmp, "history.duckdb");
  const memberships = 600;
  let user = "";

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 38,
      groups: 12,
      users: 90,
      memberships,
      projects: 4,
      projectMembersAverage: 10,
      projectGroupsAverage: 2,
      ...NO_CREDENTIALS,
    });
    user = sim.state.listUsers()[5]?.id ?? "";
  });
  afterAll(async () => {
    await sim?.stop();
  });

  /** Rows through every operator of one snapshot's paths, and of one user's among them. */
  const rowsThroughPlan = async (snapshot: number) => {
    const store = await Store.open(db, { readOnly: true });
    try {
      const rows = async (where: string, params: (string | number)[]) => {
        const [profile] = await store.query<{ explain_value: string }>(
          `EXPLAIN (ANALYZE, FORMAT json) SELECT * FROM effective_access WHERE ${where}`,
          params,
        );
        return Number(
          (JSON.parse(profile?.explain_value ?? "{}") as { cumulative_cardinality?: number })
            .cumulative_cardinality,
        );
      };
      return {
        all: await rows("snapshot_id = $1", [snapshot]),
        user: await rows("snapshot_id = $1 AND (user_id = $2 OR lower(email) = lower($2))", [
          snapshot,
          user,
        ]),
      };
    } finally {
      await store.close();
    }
  };

  it("reads about as many rows for a snapshot after five more crawls as before them", async () => {
    const first = await crawlInto(sim, db, { credentials: false });
    const before = await rowsThroughPlan(first);
    expect(before.all).toBeGreaterThan(memberships);
    let latest = first;
    for (let i = 0; i < 5; i++) latest = await crawlInto(sim, db, { credentials: false });
    // The organization did not change. The scans of the snapshot runs grow by a row per crawl
    // in each branch (a few hundred rows in all); one more snapshot's memberships would add 600.
    for (const after of [await rowsThroughPlan(first), await rowsThroughPlan(latest)]) {
      expect(after.all - before.all).toBeLessThan(memberships);
      expect(after.user - before.user).toBeLessThan(memberships);
    }
  });
});

describe("access-audit access over more paths than one batch", () => {
  let sim: RunningSimulator;
  const db = join(tmp, "many.duckdb");
  let snapshot: number;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 37, groups: 40, users: 400, memberships: 4000 });
    snapshot = await crawlInto(sim, db);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("streams --json and the table in batches, as one document and one aligned table", async () => {
    const store = await Store.open(db, { readOnly: true });
    let paths: AccessPath[];
    try {
      paths = await listEffectiveAccess(store, snapshot);
    } finally {
      await store.close();
    }
    // The command reads 2,048 paths at a time: this listing spans several batches.
    expect(paths.length).toBeGreaterThan(2 * 2048);
    const env = cliEnv({});

    const json = await runCli(["access", "--db", db, "--json"], env);
    expect(json.stderr).toBe("");
    expect(json.status).toBe(0);
    expect(json.stdout).toBe(`${terminalJson({ snapshot_id: snapshot, access: paths })}\n`);

    const table = await runCli(["access", "--db", db], env);
    expect(table.status).toBe(0);
    const [count, header, ...rows] = table.stdout.split("\n");
    expect(count).toBe(`snapshot ${snapshot}: ${paths.length} access path(s)`);
    expect(rows.pop()).toBe("");
    expect(rows).toHaveLength(paths.length);
    // Widths are the whole listing's, not each batch's: every row's user id starts under the
    // header's, and the rows come in the JSON's order.
    const column = header?.indexOf("user_id") ?? -1;
    expect(column).toBeGreaterThan(0);
    rows.forEach((row, index) => {
      expect(row.slice(column, column + (paths[index]?.user_id.length ?? 0))).toBe(
        paths[index]?.user_id,
      );
    });
  });
});
