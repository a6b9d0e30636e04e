/**
 * Projects end to end through the crawl: every project view exact against the simulator's state
 * (before and after changes made through the API), the minimum number of requests, the
 * completeness record per endpoint, faults on the project endpoints, members and groups that
 * vanish mid-crawl, and coverage: `--no-projects` / `--no-project-role-assignments` are recorded
 * and never read as removals.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSnapshots } from "../src/analysis/diff.js";
import { AdminClient } from "../src/api/index.js";
import { crawl } from "../src/crawl/index.js";
import {
  type FaultConfig,
  type OrgState,
  type RunningSimulator,
  startSimulator,
} from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { auditSyncRequests } from "./support/audit.js";
import { exactOrCleanFailure } from "./support/crawl-outcome.js";
import { expectedSnapshot, storedSnapshot } from "./support/expected.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-crawl-projects-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dbCounter = 0;
const newDbPath = () => join(tmp, `db-${++dbCounter}.duckdb`);

interface CrawlFlags {
  projects?: boolean;
  projectRoleAssignments?: boolean;
  concurrency?: number;
}

function clientFor(sim: RunningSimulator, concurrency = 6): AdminClient {
  return new AdminClient({
    baseUrl: sim.baseUrl,
    apiKey: sim.adminKey,
    initialBackoffMs: 5,
    maxRetries: 8,
    concurrency,
  });
}

async function crawlOnce(sim: RunningSimulator, store: Store, flags: CrawlFlags = {}) {
  const client = clientFor(sim, flags.concurrency);
  try {
    return await crawl({
      client,
      store,
      baseUrl: sim.baseUrl,
      keyRedacted: "sk-admin...test",
      toolVersion: "test",
      concurrency: flags.concurrency ?? 6,
      ...(flags.projects === undefined ? {} : { projects: flags.projects }),
      ...(flags.projectRoleAssignments === undefined
        ? {}
        : { projectRoleAssignments: flags.projectRoleAssignments }),
    });
  } finally {
    await client.close();
  }
}

/** The fewest pages each project endpoint needs, by endpoint template, from the ground truth. */
function minimumProjectPages(state: OrgState, assignments = true): Record<string, number> {
  const pages = (items: number, size: number) => Math.max(1, Math.ceil(items / size));
  const projects = state.listProjects({ includeArchived: true });
  const out: Record<string, number> = {
    "/organization/projects": pages(projects.length, 100),
    "/organization/projects/{project_id}/users": 0,
    "/organization/projects/{project_id}/groups": 0,
    "/projects/{project_id}/roles": 0,
  };
  if (assignments) {
    out["/projects/{project_id}/groups/{group_id}/roles"] = 0;
    out["/projects/{project_id}/users/{user_id}/roles"] = 0;
  }
  const add = (endpoint: string, n: number) => {
    if (endpoint in out) out[endpoint] = (out[endpoint] ?? 0) + n;
  };
  for (const p of projects) {
    const groups = state.listProjectGroups(p.id);
    add("/organization/projects/{project_id}/groups", pages(groups.length, 100));
    add("/projects/{project_id}/roles", pages(state.listProjectRoles(p.id).length, 1000));
    for (const g of groups) {
      add(
        "/projects/{project_id}/groups/{group_id}/roles",
        pages(state.listProjectGroupRoles(p.id, g.group_id).length, 1000),
      );
    }
    if (p.status === "archived") continue;
    const users = state.listProjectUsers(p.id);
    add("/organization/projects/{project_id}/users", pages(users.length, 100));
    for (const u of users) {
      add(
        "/projects/{project_id}/users/{user_id}/roles",
        pages(state.listProjectUserRoles(p.id, u.id).length, 1000),
      );
    }
  }
  return out;
}

describe("crawl of projects", () => {
  let sim: RunningSimulator;
  let store: Store;
  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 31,
      groups: 30,
      users: 400,
      projects: 24,
      projectMembersAverage: 120,
      projectGroupsAverage: 4,
      projectCustomRoles: 10,
      archivedProjectFraction: 0.2,
    });
    store = await Store.open(newDbPath());
  });
  afterAll(async () => {
    await store.close();
    await sim.stop();
  });

  it("stores every project view exactly, with the minimum requests and a per-endpoint record", async () => {
    const s = sim.state;
    const archived = s
      .listProjects({ includeArchived: true })
      .filter((p) => p.status === "archived");
    expect(archived.length).toBeGreaterThan(0);
    // Large enough that the members listing of some project takes several pages of 100.
    expect(
      Math.max(...s.activeProjectIds().map((p) => s.listProjectUsers(p).length)),
    ).toBeGreaterThan(100);
    const before = sim.stats().requests;
    // The first sync of this database reads the whole audit log.
    const auditRequests = auditSyncRequests(s, null);
    const result = await crawlOnce(sim, store);
    const expected = expectedSnapshot(s);
    expect(await storedSnapshot(store, result.snapshotId)).toEqual(expected);
    expect(expected.projects.length).toBe(s.listProjects({ includeArchived: true }).length);
    expect(expected.projectUserRoles.length).toBeGreaterThan(0);
    expect(result.counts).toMatchObject({
      projects: expected.projects.length,
      project_memberships: expected.projectUsers.length,
      project_groups: expected.projectGroups.length,
      project_roles: expected.projectRoles.length,
      project_group_role_assignments: expected.projectGroupRoles.length,
      project_user_role_assignments: expected.projectUserRoles.length,
    });
    expect(result.uncollected).toEqual([]);
    // The completeness record: pages and items per project endpoint, each at its minimum.
    const recorded = await store.query<{ endpoint: string; pages: number; items: number }>(
      "SELECT endpoint, pages, items FROM snapshot_endpoints WHERE snapshot_id = ? ORDER BY endpoint",
      [result.snapshotId],
    );
    const minimum = minimumProjectPages(s);
    for (const [endpoint, pages] of Object.entries(minimum)) {
      expect(recorded.find((r) => r.endpoint === endpoint)?.pages, endpoint).toBe(pages);
    }
    const items = (endpoint: string) => recorded.find((r) => r.endpoint === endpoint)?.items;
    expect(items("/organization/projects")).toBe(expected.projects.length);
    expect(items("/organization/projects/{project_id}/users")).toBe(expected.projectUsers.length);
    expect(items("/projects/{project_id}/users/{user_id}/roles")).toBe(
      expected.projectUserRoles.length,
    );
    expect(result.endpoints).toEqual(recorded);
    // Requests: exactly the sum of the minimum pages of every endpoint (no fault injected), then
    // the audit-log sync that followed the publish.
    const total = recorded.reduce((sum, r) => sum + r.pages, 0) + auditRequests;
    expect(result.auditLog).toMatchObject({
      status: "complete",
      sync: { requests: auditRequests },
    });
    expect(result.requests).toBe(total);
    expect(sim.stats().requests - before).toBe(total);
    expect((await store.verify()).ok).toBe(true);
  });

  it("keeps both snapshots exact after projects change through the API", async () => {
    const s = sim.state;
    const first = await crawlOnce(sim, store);
    const expectedFirst = expectedSnapshot(s);
    const client = clientFor(sim);
    try {
      const active = s
        .listProjects()
        .filter((p) => !s.isDefaultProject(p.id) && s.listProjectUsers(p.id).length > 1);
      const [a, b] = active as [(typeof active)[0], (typeof active)[0]];
      await client.updateProject(a.id, `${a.name} (renamed)`);
      await client.archiveProject(b.id);
      const created = await client.createProject("Brand new project");
      const outsider = s.userIds().find((u) => !s.isProjectMember(a.id, u)) as string;
      await client.addProjectUser(a.id, outsider, "owner");
      const [m1, m2] = s.listProjectUsers(a.id).filter((u) => u.id !== outsider);
      await client.updateProjectUser(a.id, (m1 as { id: string }).id, "owner");
      await client.removeProjectUser(a.id, (m2 as { id: string }).id);
      const group = s.listGroups().find((g) => !s.isProjectGroup(a.id, g.id)) as { id: string };
      const memberRole = s.projectRoleIdByName(a.id, "Project Member") as string;
      await client.attachProjectGroup(a.id, group.id, memberRole);
      const attached = s.listProjectGroups(a.id).find((g) => g.group_id !== group.id);
      if (attached) await client.detachProjectGroup(a.id, attached.group_id);
      const custom = await client.createProjectRole(a.id, {
        name: "Key rotator",
        permissions: ["api.organization.projects.api_keys.write"],
      });
      await client.assignProjectGroupRole(a.id, group.id, custom.id);
      await client.assignProjectUserRole(a.id, outsider, custom.id);
      await client.updateProjectRole(a.id, custom.id, {
        permissions: [
          "api.organization.projects.api_keys.read",
          "api.organization.projects.api_keys.write",
        ],
      });
      await client.addProjectUser(created.id, outsider, "member");
    } finally {
      await client.close();
    }
    const second = await crawlOnce(sim, store);
    expect(await storedSnapshot(store, second.snapshotId)).toEqual(expectedSnapshot(s));
    // History: the earlier snapshot reads exactly as it was.
    expect(await storedSnapshot(store, first.snapshotId)).toEqual(expectedFirst);
    expect((await store.verify()).ok).toBe(true);
  });

  it("--no-project-role-assignments and --no-projects are recorded; a diff says coverage changed", async () => {
    const full = await crawlOnce(sim, store);
    const noAssignments = await crawlOnce(sim, store, { projectRoleAssignments: false });
    const noProjects = await crawlOnce(sim, store, { projects: false });
    expect(noAssignments.uncollected).toEqual(["project_role_assignments"]);
    expect(noProjects.uncollected).toEqual(["credentials", "project_role_assignments", "projects"]);
    expect(await storedSnapshot(store, noAssignments.snapshotId)).toEqual(
      expectedSnapshot(sim.state, { projectRoleAssignments: false }),
    );
    expect(await storedSnapshot(store, noProjects.snapshotId)).toEqual(
      expectedSnapshot(sim.state, { projects: false }),
    );
    expect(noProjects.endpoints.some((e) => e.endpoint.includes("project"))).toBe(false);
    expect(noAssignments.requests).toBeLessThan(full.requests);
    const coverage = await store.query<{ snapshot_id: number; scope: string; collected: boolean }>(
      "SELECT * FROM snapshot_coverage WHERE snapshot_id = ? ORDER BY scope",
      [noProjects.snapshotId],
    );
    expect(coverage.map((c) => [c.scope, c.collected])).toEqual([
      ["credentials", false],
      ["organization", true],
      ["project_role_assignments", false],
      ["projects", false],
      ["user_roles", true],
    ]);

    // Nothing changed in the organization: no diff may invent project removals or additions.
    for (const [from, to] of [
      [full.snapshotId, noProjects.snapshotId],
      [noProjects.snapshotId, full.snapshotId],
    ] as const) {
      const diff = await diffSnapshots(store, { from, to });
      expect(diff.changes).toEqual([]);
      expect(diff.coverage_changed.map((c) => c.scope)).toEqual([
        "projects",
        "project_role_assignments",
        "credentials",
      ]);
      expect(diff.not_compared.map((k) => k.kind)).toContain("project_removed");
      expect(diff.not_compared.map((k) => k.kind)).toContain("project_added");
      expect(diff.not_compared.map((k) => k.kind)).not.toContain("member_added");
    }
    const partial = await diffSnapshots(store, {
      from: full.snapshotId,
      to: noAssignments.snapshotId,
    });
    expect(partial.changes).toEqual([]);
    expect(partial.not_compared.map((k) => k.kind)).toEqual([
      "project_group_role_granted",
      "project_group_role_revoked",
      "project_user_role_granted",
      "project_user_role_revoked",
      "project_access_gained",
      "project_access_lost",
    ]);
    // The seal covers what was not collected: rewriting it is tampering.
    await store.query("UPDATE snapshot_runs SET uncollected = [] WHERE snapshot_id = ?", [
      noProjects.snapshotId,
    ]);
    const tampered = await store.verify();
    expect(tampered.snapshots.filter((v) => !v.ok).map((v) => v.snapshot_id)).toEqual([
      noProjects.snapshotId,
    ]);
    await store.query(
      "UPDATE snapshot_runs SET uncollected = ['credentials', 'project_role_assignments', 'projects'] WHERE snapshot_id = ?",
      [noProjects.snapshotId],
    );
    expect((await store.verify()).ok).toBe(true);
  });
});

describe("project endpoints under faults", () => {
  const cases: [string, FaultConfig, "exact" | "failed"][] = [
    ["429 on project lists", { rate429: 0.1, retryAfterMs: 5, paths: "projects" }, "exact"],
    ["5xx on project lists", { rate5xx: 0.1, paths: "projects" }, "exact"],
    ["dropped connections", { rateDrop: 0.05, paths: "projects" }, "exact"],
    // Two retries of a malformed body (the client's default): rare enough that three in a row
    // on one of ~1,600 requests is about a 1-in-600 event.
    ["malformed JSON", { rateMalformed: 0.01, paths: "projects" }, "exact"],
    ["short pages", { shortPageRate: 0.5, paths: "/organization/projects/[^/]+/users$" }, "exact"],
    [
      "non-advancing cursor, legacy projects list",
      { stuckCursorRate: 1, paths: "/organization/projects$" },
      "failed",
    ],
    [
      "has_more with next null, project groups",
      { nextNullWithHasMoreRate: 1, paths: "/organization/projects/[^/]+/groups$" },
      "failed",
    ],
  ];
  for (const [name, faults, want] of cases) {
    it(`${name}: ${want === "exact" ? "an exact snapshot" : "a clean failure, nothing published"}`, async () => {
      const sim = await startSimulator({
        port: 0,
        seed: 12,
        groups: 15,
        users: 500,
        // Over 100 projects: the projects listing takes two pages, so it has a cursor.
        projects: 140,
        projectMembersAverage: 5,
        projectGroupsAverage: 2,
        faults: { seed: 4, ...faults },
      });
      const store = await Store.open(newDbPath());
      try {
        const outcome = await exactOrCleanFailure(sim, store, () => crawlOnce(sim, store));
        expect(outcome).toBe(want);
        expect(sim.stats().faultsTotal).toBeGreaterThan(0);
      } finally {
        await store.close();
        await sim.stop();
      }
    });
  }

  it("a member removed while the crawl reads the project is left out and recorded", async () => {
    const sim = await startSimulator({
      port: 0,
      seed: 14,
      groups: 10,
      users: 200,
      projects: 6,
      projectMembersAverage: 20,
      latencyMs: 3,
    });
    const store = await Store.open(newDbPath());
    try {
      const s = sim.state;
      const project = s
        .listProjects()
        .find((p) => !s.isDefaultProject(p.id) && s.listProjectUsers(p.id).length > 3) as {
        id: string;
      };
      const victim = s.listProjectUsers(project.id).at(-1)?.id as string;
      // Remove the member once its project's members were listed, before its roles are read.
      const timer = setInterval(() => {
        const listed = sim.stats().byRoute["GET /projects/{project_id}/users/{user_id}/roles"] ?? 0;
        if (listed > 0 && s.isProjectMember(project.id, victim)) {
          s.removeProjectUser(project.id, victim);
        }
      }, 1);
      const result = await crawlOnce(sim, store, { concurrency: 1 }).finally(() =>
        clearInterval(timer),
      );
      expect(result.vanishedProjectAccess).toEqual([
        { projectId: project.id, principalType: "user", principalId: victim },
      ]);
      expect(await storedSnapshot(store, result.snapshotId)).toEqual(expectedSnapshot(s));
      const evidence = await store.query(
        "SELECT project_id, principal_type, principal_id FROM snapshot_vanished_project_access",
      );
      expect(evidence).toEqual([
        { project_id: project.id, principal_type: "user", principal_id: victim },
      ]);
      expect((await store.verify()).ok).toBe(true);
    } finally {
      await store.close();
      await sim.stop();
    }
  });
});
