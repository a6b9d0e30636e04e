/**
 * The crawl end to end: real HTTP to the simulator, a real DuckDB file, and the real CLI as a
 * child process for the kill, lock and tamper tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../src/api/index.js";
import { crawl } from "../src/crawl/index.js";
import { type FaultConfig, type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { auditSyncRequests } from "./support/audit.js";
import { CLI, cliEnv, runCli } from "./support/cli.js";
import { exactOrCleanFailure } from "./support/crawl-outcome.js";
import { expectedSnapshot, storedSnapshot } from "./support/expected.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-crawl-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dbCounter = 0;
const newDbPath = () => join(tmp, `db-${++dbCounter}.duckdb`);

async function crawlOnce(
  sim: RunningSimulator,
  store: Store,
  extra: { concurrency?: number } = {},
) {
  const client = new AdminClient({
    baseUrl: sim.baseUrl,
    apiKey: sim.adminKey,
    initialBackoffMs: 5,
    maxRetries: 8,
    // Three malformed answers in a row fail a page by design (client.sim.test.ts); these cases
    // test absorption, so the budget makes a run of six at a 3% rate improbable (7e-10).
    maxMalformedRetries: 5,
    concurrency: extra.concurrency ?? 6,
  });
  try {
    return await crawl({
      client,
      store,
      baseUrl: sim.baseUrl,
      keyRedacted: "sk-admin...test",
      toolVersion: "test",
      concurrency: extra.concurrency ?? 6,
    });
  } finally {
    await client.close();
  }
}

describe("crawl into DuckDB", () => {
  let sim: RunningSimulator;
  let store: Store;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 11, groups: 40, users: 600 });
    store = await Store.open(newDbPath());
  });
  afterAll(async () => {
    await store.close();
    await sim.stop();
  });

  it("stores every view exactly as the simulator holds it", async () => {
    // The first sync of this database reads the whole audit log.
    const auditRequests = auditSyncRequests(sim.state, null);
    const result = await crawlOnce(sim, store);
    const expected = expectedSnapshot(sim.state);
    expect(await storedSnapshot(store, result.snapshotId)).toEqual(expected);
    const counts = sim.state.counts();
    expect(result.counts).toMatchObject({
      groups: counts.groups,
      memberships: counts.memberships,
      group_role_assignments: counts.groupRoleAssignments,
      users: counts.users,
      roles: counts.roles,
      user_role_assignments: expected.userRoles.length,
    });
    const [row] = await store.query<{ status: string; seal: string; requests: number }>(
      "SELECT status, seal, requests FROM snapshots WHERE snapshot_id = ?",
      [result.snapshotId],
    );
    expect(row?.status).toBe("complete");
    expect(row?.seal).toMatch(/^[0-9a-f]{64}$/);
    // The snapshot records the crawl's requests; the crawl's total adds the audit-log sync that
    // followed the publish.
    expect(result.auditLog).toMatchObject({
      status: "complete",
      sync: { requests: auditRequests, events_read: sim.state.auditEventCount() },
    });
    expect(result.requests).toBe((row?.requests ?? 0) + auditRequests);
    const endpoints = await store.query<{ endpoint: string; completed: boolean; items: number }>(
      "SELECT endpoint, completed, items FROM snapshot_endpoints WHERE snapshot_id = ? ORDER BY endpoint",
      [result.snapshotId],
    );
    expect(endpoints.map((e) => e.endpoint)).toEqual([
      "/organization/admin_api_keys",
      "/organization/groups",
      "/organization/groups/{group_id}/roles",
      "/organization/groups/{group_id}/users",
      "/organization/invites",
      "/organization/projects",
      "/organization/projects/{project_id}/api_keys",
      "/organization/projects/{project_id}/groups",
      "/organization/projects/{project_id}/service_accounts",
      "/organization/projects/{project_id}/users",
      "/organization/roles",
      "/organization/users",
      "/organization/users/{user_id}/roles",
      "/projects/{project_id}/groups/{group_id}/roles",
      "/projects/{project_id}/roles",
      "/projects/{project_id}/users/{user_id}/roles",
    ]);
    expect(endpoints.every((e) => e.completed)).toBe(true);
    expect(
      endpoints.find((e) => e.endpoint.endsWith("/users") && e.endpoint.includes("group"))?.items,
    ).toBe(counts.memberships);
  });

  it("keeps both snapshots exact after the organization changes", async () => {
    const before = await crawlOnce(sim, store);
    const expectedBefore = expectedSnapshot(sim.state);
    const s = sim.state;
    const groups = s.groupIds();
    const users = s.userIds();
    const [g0, g1, g2, g3] = groups as [string, string, string, string];
    const someone = users.find((u) => !s.isMember(g0, u)) as string;
    s.addMember(g0, someone);
    const member = s.listGroupUsers(g1)[0];
    if (member) s.removeMember(g1, member.id);
    const owner = s.ownerRoleId;
    if (!s.hasGroupRole(g2, owner)) s.assignGroupRole(g2, owner);
    const assigned = s.groupRoleIds(g3)[0];
    if (assigned) s.unassignGroupRole(g3, assigned);
    s.renameGroup(g1, "Renamed ∑ group <b>");
    s.deleteGroup(groups[5] as string);
    const direct = users[3] as string;
    if (!s.hasDirectUserRole(direct, owner)) s.assignUserRole(direct, owner);

    const after = await crawlOnce(sim, store);
    expect(after.snapshotId).toBeGreaterThan(before.snapshotId);
    expect(await storedSnapshot(store, after.snapshotId)).toEqual(expectedSnapshot(sim.state));
    // History is untouched by the newer snapshot.
    expect(await storedSnapshot(store, before.snapshotId)).toEqual(expectedBefore);
    expect((await store.verify()).ok).toBe(true);
  });
});

describe("crawl under faults", () => {
  const cases: [string, FaultConfig][] = [
    ["latency", { latencyMs: 3, latencyJitterMs: 3 }],
    ["429 with Retry-After", { rate429: 0.02, retryAfterSeconds: 1 }],
    ["429 with retry-after-ms", { rate429: 0.08, retryAfterMs: 20, retryAfterSeconds: null }],
    ["429 without Retry-After", { rate429: 0.08, retryAfterSeconds: null }],
    ["5xx", { rate5xx: 0.08, statuses5xx: [500, 502, 503] }],
    ["dropped connections", { rateDrop: 0.05 }],
    ["malformed JSON", { rateMalformed: 0.03 }],
    ["non-advancing cursor", { stuckCursorRate: 1, paths: "/organization/users$" }],
    ["has_more with next null", { nextNullWithHasMoreRate: 0.3 }],
    ["empty page with has_more", { emptyPageWithHasMoreRate: 0.3 }],
    ["5xx with x-should-retry false", { rate5xx: 0.05, shouldRetryFalseRate: 1 }],
  ];

  for (const [name, faults] of cases) {
    it(`${name}: an exact snapshot or a clean failure with nothing published`, async () => {
      const sim = await startSimulator({
        port: 0,
        seed: 5,
        groups: 25,
        users: 300,
        faults: { seed: 9, ...faults },
      });
      const store = await Store.open(newDbPath());
      try {
        const outcome = await exactOrCleanFailure(sim, store, () => crawlOnce(sim, store));
        // Retryable faults must be absorbed; contract violations must fail the crawl.
        const mustFail = /cursor|next null|empty page|should-retry/.test(name);
        expect(outcome).toBe(mustFail ? "failed" : "exact");
        expect(sim.stats().faultsTotal).toBeGreaterThan(0);
      } finally {
        await store.close();
        await sim.stop();
      }
    });
  }

  it("an organization changing between pages: no fact invented, no unchanged fact lost", async () => {
    const sim = await startSimulator({
      port: 0,
      seed: 6,
      groups: 30,
      users: 400,
      faults: { seed: 3, mutateBetweenPagesRate: 0.05 },
    });
    const store = await Store.open(newDbPath());
    try {
      const before = expectedSnapshot(sim.state);
      const result = await crawlOnce(sim, store);
      const after = expectedSnapshot(sim.state);
      expect(sim.stats().mutations.length).toBeGreaterThan(0);
      const stored = await storedSnapshot(store, result.snapshotId);
      const keyed = (rows: Record<string, unknown>[]) =>
        new Set(rows.map((r) => JSON.stringify(r)));
      for (const table of [
        "groups",
        "members",
        "groupRoles",
        "roles",
        "users",
        "userRoles",
        "projects",
        "projectUsers",
        "projectGroups",
        "projectRoles",
        "projectGroupRoles",
        "projectUserRoles",
      ] as const) {
        const b = keyed(before[table]);
        const a = keyed(after[table]);
        const got = keyed(stored[table]);
        // Every stored fact held at the start or at the end of the crawl (a user's inherited
        // roles may also show a membership that held only in between, so they are exempt)...
        if (table !== "userRoles" && table !== "projectUserRoles") {
          for (const row of got) expect(b.has(row) || a.has(row), `${table} ${row}`).toBe(true);
        }
        // ...and every fact that held at both ends is stored.
        for (const row of b) if (a.has(row)) expect(got.has(row), `${table} ${row}`).toBe(true);
      }
    } finally {
      await store.close();
      await sim.stop();
    }
  });

  it("a group deleted while its members are read is recorded as vanished", async () => {
    const sim = await startSimulator({ port: 0, seed: 8, groups: 20, users: 300, latencyMs: 5 });
    const store = await Store.open(newDbPath());
    try {
      const victim = sim.state.groupIds()[12] as string;
      // Delete it once the crawl has started reading members, before its turn comes.
      const timer = setInterval(() => {
        if (
          (sim.stats().byRoute["GET /organization/groups/{group_id}/users"] ?? 0) > 0 &&
          sim.state.hasGroup(victim)
        ) {
          sim.state.deleteGroup(victim);
        }
      }, 1);
      const result = await crawlOnce(sim, store, { concurrency: 1 }).finally(() =>
        clearInterval(timer),
      );
      expect(result.vanishedGroups).toEqual([victim]);
      expect(await storedSnapshot(store, result.snapshotId)).toEqual(expectedSnapshot(sim.state));
    } finally {
      await store.close();
      await sim.stop();
    }
  });
});

describe("crawl CLI", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 21, groups: 30, users: 2000, latencyMs: 2 });
  });
  afterAll(async () => sim.stop());
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill("SIGKILL");
  });

  const env = () => cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey });
  const cli = (args: string[], environment: NodeJS.ProcessEnv = env()) => runCli(args, environment);

  it("crawls, lists and verifies with --json, and refuses a missing key with exit 2", async () => {
    const db = newDbPath();
    const out = await cli(["crawl", "--db", db, "--base-url", sim.baseUrl, "--json"]);
    expect(out.status, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout) as {
      snapshot_id: number;
      status: string;
      memberships: number;
    };
    expect(result.status).toBe("complete");
    expect(result.memberships).toBe(sim.state.counts().memberships);
    expect(out.stderr).not.toContain(sim.adminKey);

    const list = await cli(["snapshots", "--db", db, "--json"]);
    expect(list.status, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { snapshot_id: number }[])[0]?.snapshot_id).toBe(
      result.snapshot_id,
    );
    const verify = await cli(["verify", "--db", db, "--json"]);
    expect(verify.status, verify.stderr).toBe(0);

    const noKey = await cli(["crawl", "--db", db, "--base-url", sim.baseUrl], cliEnv({}));
    expect(noKey.status).toBe(2);
    expect(noKey.stderr.trim().split("\n")).toHaveLength(1);

    const wrongKey = await cli(
      ["crawl", "--db", db, "--base-url", sim.baseUrl],
      cliEnv({ OPENAI_ADMIN_KEY: "sk-admin-wrong-key-that-must-not-leak-0123456789" }),
    );
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toContain("401");
    expect(wrongKey.stderr).not.toContain("must-not-leak");
  });

  it("survives SIGKILL at random moments: history intact, verify passes, next crawl succeeds", async () => {
    const db = newDbPath();
    const first = await cli(["crawl", "--db", db, "--base-url", sim.baseUrl, "--json"]);
    expect(first.status, first.stderr).toBe(0);
    const firstId = (JSON.parse(first.stdout) as { snapshot_id: number }).snapshot_id;
    const store0 = await Store.open(db, { readOnly: true });
    const firstRows = await storedSnapshot(store0, firstId);
    await store0.close();

    // Kill points spread over the whole crawl (it takes roughly 1-2 s here).
    for (const delay of [40, 150, 300, 600, 900, 1300]) {
      const child = spawn(
        process.execPath,
        [CLI, "crawl", "--db", db, "--base-url", sim.baseUrl, "--json"],
        {
          env: env(),
          stdio: "ignore",
        },
      );
      children.push(child);
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
    }
    const verify = await cli(["verify", "--db", db, "--json"]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    const store1 = await Store.open(db, { readOnly: true });
    expect(await storedSnapshot(store1, firstId)).toEqual(firstRows);
    await store1.close();
    const next = await cli(["crawl", "--db", db, "--base-url", sim.baseUrl, "--json"]);
    expect(next.status, next.stderr).toBe(0);
    const store2 = await Store.open(db, { readOnly: true });
    const statuses = await store2.query<{ status: string }>(
      "SELECT status FROM snapshots ORDER BY snapshot_id",
    );
    await store2.close();
    expect(statuses[0]?.status).toBe("complete");
    expect(statuses.at(-1)?.status).toBe("complete");
    expect(statuses.every((s) => s.status === "complete" || s.status === "abandoned")).toBe(true);
  });

  it("a second crawl on the same database exits with a clear message and harms nothing", async () => {
    const db = newDbPath();
    const slow = await startSimulator({
      port: 0,
      seed: 21,
      groups: 30,
      users: 2000,
      latencyMs: 40,
    });
    try {
      const child = spawn(
        process.execPath,
        [CLI, "crawl", "--db", db, "--base-url", slow.baseUrl, "--json"],
        {
          env: cliEnv({ OPENAI_ADMIN_KEY: slow.adminKey }),
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      children.push(child);
      let stdout = "";
      child.stdout?.setEncoding("utf8"); // a character can straddle two chunks
      child.stdout?.on("data", (d: string) => {
        stdout += d;
      });
      const exited = new Promise<number | null>((r) => child.once("exit", r));
      // Once it stages (it holds the database only briefly before, and to publish).
      await new Promise<void>((ready) => {
        let seen = "";
        child.stderr?.setEncoding("utf8"); // a character can straddle two chunks
        child.stderr?.on("data", (d: string) => {
          seen += d;
          if (seen.includes("snapshot started")) ready();
        });
      });
      const second = await cli(
        ["crawl", "--db", db, "--base-url", slow.baseUrl],
        cliEnv({ OPENAI_ADMIN_KEY: slow.adminKey }),
      );
      expect(second.status).toBe(1);
      expect(second.stderr.trim().split("\n")).toHaveLength(1);
      expect(second.stderr).toMatch(/in use by another process/);
      expect(await exited).toBe(0);
      expect((JSON.parse(stdout) as { status: string }).status).toBe("complete");
    } finally {
      await slow.stop();
    }
  });

  it("verify names the snapshot whose stored rows were tampered with", async () => {
    const db = newDbPath();
    for (let i = 0; i < 2; i++) {
      const r = await cli(["crawl", "--db", db, "--base-url", sim.baseUrl]);
      expect(r.status, r.stderr).toBe(0);
    }
    const store = await Store.open(db);
    await store.query(
      "UPDATE hist_group_members SET email = 'attacker@example.com' WHERE rowid = (SELECT min(rowid) FROM hist_group_members)",
    );
    await store.close();
    const verify = await cli(["verify", "--db", db]);
    expect(verify.status).toBe(1);
    expect(verify.stdout).toMatch(/snapshot 1: MISMATCH/);
    expect(verify.stderr).toMatch(/seal mismatch in snapshot\(s\) 1/);
  });
});
