/**
 * Credentials end to end through the crawl: every credential view exact against the simulator's
 * state (before and after changes), the minimum pages of each credential listing, the usage of a
 * key recorded coarsely (a use is not a change of access: history does not grow with it and no
 * diff reports it), `--no-credentials` recorded as coverage, and no full key in the database.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSnapshots } from "../src/analysis/diff.js";
import { AdminClient } from "../src/api/index.js";
import { crawl } from "../src/crawl/index.js";
import { USAGE_RESOLUTION_DAYS } from "../src/facts/index.js";
import {
  type OrgState,
  Prng,
  type RunningSimulator,
  startSimulator,
} from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { auditSyncRequests } from "./support/audit.js";
import { textColumnHits } from "./support/db-search.js";
import { expectedSnapshot, type SnapshotRows, storedSnapshot } from "./support/expected.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-crawl-credentials-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dbCounter = 0;
const newDbPath = () => join(tmp, `db-${++dbCounter}.duckdb`);
const DAY = 86_400;

function clientFor(sim: RunningSimulator): AdminClient {
  return new AdminClient({
    baseUrl: sim.baseUrl,
    apiKey: sim.adminKey,
    initialBackoffMs: 5,
    maxRetries: 8,
    concurrency: 6,
  });
}

async function crawlOnce(sim: RunningSimulator, store: Store, credentials = true) {
  const client = clientFor(sim);
  try {
    return await crawl({
      client,
      store,
      baseUrl: sim.baseUrl,
      keyRedacted: "sk-admin...test",
      toolVersion: "test",
      concurrency: 6,
      credentials,
    });
  } finally {
    await client.close();
  }
}

async function startedAt(store: Store, snapshotId: number): Promise<Date> {
  const [row] = await store.query<{ started_at: string }>(
    "SELECT started_at FROM snapshots WHERE snapshot_id = ?",
    [snapshotId],
  );
  return new Date(String(row?.started_at));
}

/** The fewest pages of each credential listing, from the ground truth. */
function minimumCredentialPages(state: OrgState): Record<string, number> {
  const pages = (items: number) => Math.max(1, Math.ceil(items / 100));
  const out: Record<string, number> = {
    "/organization/admin_api_keys": pages(state.listAdminApiKeys().length),
    "/organization/invites": pages(state.listInvites().length),
    "/organization/projects/{project_id}/service_accounts": 0,
    "/organization/projects/{project_id}/api_keys": 0,
  };
  for (const p of state.listProjects({ includeArchived: false })) {
    out["/organization/projects/{project_id}/service_accounts"] =
      (out["/organization/projects/{project_id}/service_accounts"] ?? 0) +
      pages(state.listServiceAccounts(p.id).length);
    out["/organization/projects/{project_id}/api_keys"] =
      (out["/organization/projects/{project_id}/api_keys"] ?? 0) +
      pages(state.listProjectApiKeys(p.id, "any").length);
  }
  return out;
}

describe("crawl of credentials", () => {
  let sim: RunningSimulator;
  let store: Store;
  const path = newDbPath();
  /** Full key values handed out by create calls: none may reach the database. */
  const secrets: string[] = [];

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 16,
      groups: 20,
      users: 300,
      projects: 12,
      archivedProjectFraction: 0.2,
      serviceAccountsAverage: 3,
      apiKeysAverage: 6,
      adminKeys: 6,
      invites: 12,
    });
    store = await Store.open(path);
    // One project holds more than one page of keys (made in the console: they never pass here).
    const busy = sim.state.activeProjectIds().find((p) => !sim.state.isDefaultProject(p)) as string;
    const owner = sim.state.listProjectUsers(busy)[0] as { id: string };
    for (let i = 0; i < 120; i++) sim.state.createUserApiKey(busy, owner.id, `batch ${i}`);
  });
  afterAll(async () => {
    await store.close();
    await sim.stop();
  });

  let first: SnapshotRows;
  let firstId = 0;

  it("stores every credential view exactly, with the minimum pages of each listing", async () => {
    const s = sim.state;
    const before = sim.stats().requests;
    // The first sync of this database reads the whole audit log (more than a page of events: the
    // 120 keys made in beforeAll).
    const auditRequests = auditSyncRequests(s, null);
    expect(auditRequests).toBeGreaterThan(1);
    const result = await crawlOnce(sim, store);
    firstId = result.snapshotId;
    first = expectedSnapshot(s);
    expect(await storedSnapshot(store, result.snapshotId)).toEqual(first);
    for (const part of ["serviceAccounts", "apiKeys", "adminKeys", "invites"] as const) {
      expect(first[part].length, part).toBeGreaterThan(0);
    }
    // Keys of both kinds of owner, an inactive owner, admin keys with and without expiry.
    expect(new Set(first.apiKeys.map((k) => k.owner_type))).toEqual(
      new Set(["user", "service_account"]),
    );
    expect(first.apiKeys.some((k) => k.owner_project_access === "inactive")).toBe(true);
    expect(first.adminKeys.some((k) => k.expires_at === null)).toBe(true);
    expect(result.counts).toMatchObject({
      service_accounts: first.serviceAccounts.length,
      api_keys: first.apiKeys.length,
      admin_keys: first.adminKeys.length,
      invites: first.invites.length,
    });
    expect(result.uncollected).toEqual([]);
    const recorded = await store.query<{ endpoint: string; pages: number; items: number }>(
      "SELECT endpoint, pages, items FROM snapshot_endpoints WHERE snapshot_id = ? ORDER BY endpoint",
      [result.snapshotId],
    );
    const minimum = minimumCredentialPages(s);
    expect(minimum["/organization/projects/{project_id}/api_keys"]).toBeGreaterThan(
      s.listProjects().length,
    );
    for (const [endpoint, pages] of Object.entries(minimum)) {
      expect(recorded.find((r) => r.endpoint === endpoint)?.pages, endpoint).toBe(pages);
    }
    // Requests: the minimum pages of every endpoint, then the audit-log sync after the publish.
    const total = recorded.reduce((sum, r) => sum + r.pages, 0) + auditRequests;
    expect(result.auditLog).toMatchObject({
      status: "complete",
      sync: { requests: auditRequests },
    });
    expect(result.requests).toBe(total);
    expect(sim.stats().requests - before).toBe(total);
    expect((await store.verify()).ok).toBe(true);
  });

  it("keeps both snapshots exact after credentials change through the API and the console", async () => {
    const s = sim.state;
    const project = s
      .listProjects()
      .find(
        (p) =>
          !s.isDefaultProject(p.id) &&
          s.listProjectUsers(p.id).length > 1 &&
          s.listServiceAccounts(p.id).length > 0 &&
          s.listProjectApiKeys(p.id, "any").filter((k) => k.owner.type === "user").length > 1,
      ) as { id: string };
    expect(project).toBeDefined();
    const client = clientFor(sim);
    try {
      // Deletes through the API (what `remediate apply` does).
      const userKey = s
        .listProjectApiKeys(project.id, "any")
        .find((k) => k.owner.type === "user") as { id: string };
      await client.deleteProjectApiKey(project.id, userKey.id);
      const account = s.listServiceAccounts(project.id)[0] as { id: string };
      await client.deleteServiceAccount(project.id, account.id);
      const admin = s
        .listAdminApiKeys()
        .find((k) => !sim.adminKey.endsWith(k.redacted_value.slice(-3)));
      await client.deleteAdminApiKey((admin as { id: string }).id);
      const pending = s.listInvites().find((i) => i.status === "pending") as { id: string };
      await client.deleteInvite(pending.id);
    } finally {
      await client.close();
    }
    // Changes a person makes in the console (the API cannot issue user keys).
    const member = s.listProjectUsers(project.id)[0] as { id: string };
    secrets.push(s.createUserApiKey(project.id, member.id, "laptop").value);
    const created = s.createServiceAccount(project.id, "ci-bot");
    if (created.apiKey) secrets.push(created.apiKey.value);
    s.setServiceAccountRole(project.id, created.serviceAccount.id, "owner");
    secrets.push(s.createAdminApiKey("break-glass").value);
    const invite = s.createInvite("new.hire@example.com", "owner", [
      { id: project.id, role: "member" },
    ]);
    const toAccept = s.listInvites().find((i) => i.status === "pending" && i.id !== invite.id);
    if (toAccept) s.acceptInvite(toAccept.id);
    // The owner of a key leaves the project: the key stays, its owner access turns inactive.
    const leaver = s
      .listProjectApiKeys(project.id, "any")
      .find((k) => k.owner.type === "user" && k.owner_project_access === "active");
    expect(leaver).toBeDefined();
    if (leaver?.owner.type === "user") s.removeProjectUser(project.id, leaver.owner.user.id);

    const second = await crawlOnce(sim, store);
    const expected = expectedSnapshot(s, {
      previous: first,
      startedAt: await startedAt(store, second.snapshotId),
    });
    expect(await storedSnapshot(store, second.snapshotId)).toEqual(expected);
    expect(await storedSnapshot(store, firstId)).toEqual(first);
    expect(expected.apiKeys.find((k) => k.key_id === leaver?.id)?.owner_project_access).toBe(
      "inactive",
    );
    expect((await store.verify()).ok).toBe(true);
  });

  it("records a use coarsely: no new version within the resolution, no diff, a version on first use", async () => {
    const s = sim.state;
    const one = await crawlOnce(sim, store);
    const oneRows = await storedSnapshot(store, one.snapshotId);
    const versions = async () =>
      (
        await store.query<{ n: number }>(
          "SELECT (SELECT count(*) FROM hist_api_keys) + (SELECT count(*) FROM hist_admin_keys) AS n",
        )
      )[0]?.n;
    const before = Number(await versions());
    // Every key recorded as used within the resolution is used again now.
    const now = Math.floor(Date.now() / 1000);
    const recent = (v: unknown) =>
      typeof v === "string" && Date.parse(v) / 1000 > now - (USAGE_RESOLUTION_DAYS - 2) * DAY;
    const recentKeys = oneRows.apiKeys.filter((k) => recent(k.last_used_at));
    const recentAdmin = oneRows.adminKeys.filter((k) => recent(k.last_used_at));
    expect(recentKeys.length).toBeGreaterThan(0);
    for (const k of recentKeys) s.useApiKey(String(k.key_id));
    for (const k of recentAdmin) s.useAdminApiKey(String(k.key_id));
    const two = await crawlOnce(sim, store);
    expect(Number(await versions())).toBe(before);
    const twoRows = await storedSnapshot(store, two.snapshotId);
    expect(twoRows).toEqual(
      expectedSnapshot(s, { previous: oneRows, startedAt: await startedAt(store, two.snapshotId) }),
    );
    expect(
      (await diffSnapshots(store, { from: one.snapshotId, to: two.snapshotId })).changes,
    ).toEqual([]);

    // A key never used, then used; a key last used long ago, used again: one version each.
    const never = twoRows.apiKeys.find((k) => k.last_used_at === null);
    const stale = twoRows.apiKeys.find(
      (k) => typeof k.last_used_at === "string" && !recent(k.last_used_at),
    );
    expect(never).toBeDefined();
    expect(stale).toBeDefined();
    s.useApiKey(String(never?.key_id));
    s.useApiKey(String(stale?.key_id));
    s.useCredentials(new Prng(5, "use"), 0.3);
    const three = await crawlOnce(sim, store);
    const threeRows = await storedSnapshot(store, three.snapshotId);
    expect(threeRows).toEqual(
      expectedSnapshot(s, {
        previous: twoRows,
        startedAt: await startedAt(store, three.snapshotId),
      }),
    );
    const grown = Number(await versions()) - before;
    const refreshed =
      threeRows.apiKeys.filter(
        (k) => k.last_used_at !== twoRows.apiKeys.find((o) => o.key_id === k.key_id)?.last_used_at,
      ).length +
      threeRows.adminKeys.filter(
        (k) =>
          k.last_used_at !== twoRows.adminKeys.find((o) => o.key_id === k.key_id)?.last_used_at,
      ).length;
    expect(refreshed).toBeGreaterThanOrEqual(2);
    expect(grown).toBe(refreshed);
    expect(
      (await diffSnapshots(store, { from: two.snapshotId, to: three.snapshotId })).changes,
    ).toEqual([]);
    expect((await store.verify()).ok).toBe(true);
  });

  it("--no-credentials is recorded as not collected; no diff reads it as deletions", async () => {
    const full = await crawlOnce(sim, store);
    const none = await crawlOnce(sim, store, false);
    expect(none.uncollected).toEqual(["credentials"]);
    const rows = await storedSnapshot(store, none.snapshotId);
    expect([rows.apiKeys, rows.adminKeys, rows.serviceAccounts, rows.invites]).toEqual([
      [],
      [],
      [],
      [],
    ]);
    expect(none.endpoints.some((e) => /api_keys|service_accounts|invites/.test(e.endpoint))).toBe(
      false,
    );
    for (const [from, to] of [
      [full.snapshotId, none.snapshotId],
      [none.snapshotId, full.snapshotId],
    ] as const) {
      const diff = await diffSnapshots(store, { from, to });
      expect(diff.changes).toEqual([]);
      expect(diff.coverage_changed.map((c) => c.scope)).toEqual(["credentials"]);
    }
  });

  // Each moment is a response of the simulator: the project is archived as soon as that response
  // is written, so the crawl has read the project as active and its next listing is refused.
  it.each([
    [
      "after the projects listing, before its own listings",
      (_target: string) => (path: string) => path.endsWith("/organization/projects"),
      true,
      "(members|service accounts)",
    ],
    [
      "after its members listing, before their roles",
      (target: string) => (path: string) => path.endsWith(`/projects/${target}/users`),
      false,
      "member roles",
    ],
  ] as const)(
    "a project archived %s: a clean failure, nothing published",
    async (_moment, after, credentials, refused) => {
      const s = sim.state;
      // One page of members (the listing's limit is 100), so the members listing ends in one response.
      const target = s
        .activeProjectIds()
        .find(
          (p) =>
            !s.isDefaultProject(p) &&
            s.listServiceAccounts(p).length > 0 &&
            s.projectMemberIds(p).length > 0 &&
            s.projectMemberIds(p).length <= 100,
        ) as string;
      expect(target).toBeDefined();
      const before = await store.query<{ n: number }>(
        "SELECT count(*)::INTEGER AS n FROM snapshots WHERE status = 'complete'",
      );
      const isMoment = after(target);
      const refusals: string[] = [];
      let archived = false;
      const stopObserving = sim.observeResponses((served) => {
        if (!archived && served.status === 200 && isMoment(served.path)) {
          archived = true;
          s.archiveProject(target);
        } else if (served.status === 400) {
          refusals.push(served.route);
        }
      });
      try {
        await expect(crawlOnce(sim, store, credentials)).rejects.toMatchObject({
          code: "PROJECT_CHANGED",
          message: expect.stringMatching(new RegExp(`^project ${target} refused its ${refused} `)),
        });
      } finally {
        stopObserving();
      }
      expect(archived).toBe(true);
      expect(refusals.length).toBeGreaterThan(0);
      expect(
        await store.query<{ n: number }>(
          "SELECT count(*)::INTEGER AS n FROM snapshots WHERE status = 'complete'",
        ),
      ).toEqual(before);
      expect((await store.verify()).ok).toBe(true);
    },
  );

  it("never stores a full key", async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    await store.close();
    try {
      const scanned: string[] = [];
      expect(await textColumnHits(path, [...secrets, sim.adminKey], scanned)).toEqual([]);
      // The audit log the crawls synced is searched too (the keys made here have events there).
      expect(scanned).toEqual(
        expect.arrayContaining(["audit_events.event", "audit_log_syncs.key_redacted"]),
      );
      const made = sim.state.listAuditEvents().filter((e) => e.type === "api_key.created");
      expect(made.length).toBeGreaterThanOrEqual(3);
      const madeId = String((made[0]?.["api_key.created"] as { id?: string } | undefined)?.id);
      expect(await textColumnHits(path, [madeId])).toContain("audit_events.object_id");
    } finally {
      store = await Store.open(path);
    }
  });
});
