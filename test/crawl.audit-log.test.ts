/**
 * The audit log end to end: the simulator records the event of every change over real HTTP, each
 * crawl syncs it into a real DuckDB file, and each change of the diff is attributed to the person,
 * key or SCIM that made it, or honestly to nobody. Also: incremental sync with an overlap over ten
 * runs with late events, the minimum pages of a first sync, a key without the permission and
 * audit logging turned off (the crawl succeeds, the gap is recorded and closes later), the rules
 * on attribution, and the CLI (`diff`, `verify` of a tampered event).
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRules } from "../src/analysis/anomalies.js";
import { type AttributedChange, attributeDiff } from "../src/analysis/attribution.js";
import { diffSnapshots } from "../src/analysis/diff.js";
import { AdminClient } from "../src/api/index.js";
import { syncAuditLog } from "../src/crawl/index.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { crawlResultInto } from "./support/analysis-org.js";
import { cliEnv, runCli } from "./support/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-audit-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dbCounter = 0;
const dbPath = () => join(tmp, `audit-${++dbCounter}.duckdb`);

function clientFor(sim: RunningSimulator): AdminClient {
  return new AdminClient({
    baseUrl: sim.baseUrl,
    apiKey: sim.adminKey,
    initialBackoffMs: 5,
    maxRetries: 8,
    concurrency: 4,
  });
}

const crawlInto = (sim: RunningSimulator, path: string) => crawlResultInto(sim, path);

async function sync(sim: RunningSimulator, path: string, overlapSeconds = 3600) {
  const store = await Store.open(path);
  const client = clientFor(sim);
  try {
    return await syncAuditLog({
      client,
      store,
      baseUrl: sim.baseUrl,
      keyRedacted: "sk-admin...test",
      toolVersion: "test",
      overlapSeconds,
    });
  } finally {
    await client.close();
    await store.close();
  }
}

async function attributed(path: string, from: number, to: number) {
  const store = await Store.open(path, { readOnly: true });
  try {
    return await attributeDiff(store, await diffSnapshots(store, { from, to }));
  } finally {
    await store.close();
  }
}

async function findings(path: string, snapshotId: number) {
  const store = await Store.open(path, { readOnly: true });
  try {
    return await runRules(store, { snapshotId });
  } finally {
    await store.close();
  }
}

/** A write over HTTP with the simulator's admin key (recorded as that key). */
async function post(sim: RunningSimulator, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${sim.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.text()).toBe(200);
}

function one(changes: AttributedChange[], match: (c: AttributedChange) => boolean) {
  const found = changes.filter(match);
  expect(found).toHaveLength(1);
  return found[0] as AttributedChange;
}

describe("attribution of a diff", () => {
  let sim: RunningSimulator;
  const path = dbPath();
  let from = 0;
  let to = 0;
  const ids = {} as Record<
    | "manual"
    | "scim"
    | "owner"
    | "auditor"
    | "nonOwner"
    | "memberX"
    | "memberY"
    | "userZ"
    | "keyId",
    string
  >;
  let scimUserEmail = "";

  beforeAll(async () => {
    sim = await startSimulator({ seed: 31, groups: 8, users: 40, projects: 2 });
    const s = sim.state;
    ids.manual = s.createGroup("Break-glass (manual)").id;
    ids.scim = s.createGroup("Engineering (SCIM)", { isScimManaged: true }).id;
    ids.owner = s.roleIdByName("Owner") as string;
    ids.auditor = s.roleIdByName("Security Auditor") as string;
    const readers = s
      .listUsers()
      .filter((u) => u.role === "reader" && !u.is_service_account && u.email !== null);
    ids.nonOwner = (readers[0] as { id: string }).id;
    ids.memberX = (readers[1] as { id: string }).id;
    ids.memberY = (readers[2] as { id: string }).id;
    ids.userZ = (readers[3] as { id: string }).id;
    ids.keyId = (s.simulatorKeyActor() as { keyId: string }).keyId;
    from = (await crawlInto(sim, path)).snapshotId;

    // a. Over the API: the Owner role to a manual group (recorded as the admin key).
    await post(sim, `/organization/groups/${ids.manual}/roles`, { role_id: ids.owner });
    // b. In the console, by a person who is not an Owner, from a known address.
    s.asActor({ kind: "session", userId: ids.nonOwner, ipAddress: "198.51.100.9" }, () =>
      s.assignGroupRole(ids.scim, ids.auditor),
    );
    // c, d. Memberships: the API logs none; SCIM's are the directory's doing.
    s.addMember(ids.manual, ids.memberX);
    s.addMember(ids.scim, ids.memberY);
    // e. Made while audit logging was off: an event is expected and none exists.
    sim.setAuditLogMode("disabled");
    s.assignUserRole(ids.userZ, ids.owner);
    sim.setAuditLogMode("enabled");
    // f. A user provisioned by the SCIM integration (its event has source: scim).
    scimUserEmail = "provisioned@example.com";
    s.asActor({ kind: "scim" }, () => s.createUser({ email: scimUserEmail, isScimManaged: true }));
    to = (await crawlInto(sim, path)).snapshotId;
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("labels each change by who made it, or says why it cannot", async () => {
    const diff = await attributed(path, from, to);
    expect(diff.audit_log.covered).toBe(true);
    expect(diff.audit_log.gaps).toEqual([]);
    const byKey = one(
      diff.changes,
      (c) => c.kind === "group_role_granted" && c.group_id === ids.manual,
    ).attribution;
    expect(byKey.status).toBe("attributed");
    expect(byKey.actor?.type).toBe("api_key");
    expect(byKey.actor?.key_id).toBe(ids.keyId);
    expect(byKey.label).toMatch(new RegExp(`^by API key ${ids.keyId} of `));
    expect(byKey.events.map((e) => e.type)).toEqual(["role.assignment.created"]);

    const byPerson = one(
      diff.changes,
      (c) => c.kind === "group_role_granted" && c.group_id === ids.scim,
    ).attribution;
    expect(byPerson.status).toBe("attributed");
    expect(byPerson.actor).toMatchObject({
      type: "session",
      user_id: ids.nonOwner,
      ip_address: "198.51.100.9",
    });
    expect(byPerson.label).toContain(`(${ids.nonOwner}) from 198.51.100.9 at `);

    const manualMember = one(
      diff.changes,
      (c) => c.kind === "member_added" && c.group_id === ids.manual,
    ).attribution;
    expect(manualMember).toMatchObject({ status: "not_logged", label: "not in the audit log" });
    expect(manualMember.reason).toContain("no organization-level event");

    const scimMember = one(
      diff.changes,
      (c) => c.kind === "member_added" && c.group_id === ids.scim,
    ).attribution;
    expect(scimMember).toMatchObject({ status: "scim", label: "by SCIM", events: [] });

    const offTheLog = one(
      diff.changes,
      (c) => c.kind === "user_role_granted" && c.user_id === ids.userZ,
    ).attribution;
    expect(offTheLog).toMatchObject({ status: "unattributed", label: "unattributed", events: [] });
    expect(offTheLog.reason).toContain("out of band, or audit logging was off");

    const provisioned = one(
      diff.changes,
      (c) => c.kind === "user_added" && c.email === scimUserEmail,
    ).attribution;
    expect(provisioned.status).toBe("scim");
    expect(provisioned.events.map((e) => e.type)).toEqual(["user.added"]);

    // The Owner gained through the manual group: caused by the logged grant.
    const gained = one(
      diff.changes,
      (c) => c.kind === "access_gained" && c.user_id === ids.memberX && c.role_id === ids.owner,
    ).attribution;
    expect(gained.status).toBe("attributed");
    expect(gained.actor?.key_id).toBe(ids.keyId);
    // Access that follows a grant nobody can account for is unaccounted for too.
    const gainedOffTheLog = one(
      diff.changes,
      (c) => c.kind === "access_gained" && c.user_id === ids.userZ && c.role_id === ids.owner,
    ).attribution;
    expect(gainedOffTheLog.status).toBe("unattributed");
    expect(gainedOffTheLog.reason).toMatch(/^follows user role granted: /);
    // Every change has an attribution, and every event lies in the interval.
    for (const c of diff.changes) {
      expect(["attributed", "scim", "not_logged", "unattributed"]).toContain(c.attribution.status);
      for (const e of c.attribution.events) {
        expect(e.effective_at >= diff.audit_log.window.from).toBe(true);
        expect(e.effective_at <= diff.audit_log.window.to).toBe(true);
      }
    }
  });

  it("the reverse diff is attributed as what really happened", async () => {
    const diff = await attributed(path, to, from);
    const revoked = one(
      diff.changes,
      (c) => c.kind === "group_role_revoked" && c.group_id === ids.manual,
    ).attribution;
    expect(revoked.status).toBe("attributed");
    expect(revoked.events.map((e) => e.type)).toEqual(["role.assignment.created"]);
  });

  it("the rules fire on the changes that need action and stay silent on the others", async () => {
    const report = await findings(path, to);
    const of = (rule: string) => report.findings.filter((f) => f.rule === rule);
    expect(of("elevated-change-by-api-key").map((f) => [f.group_id, f.role_id])).toEqual([
      [ids.manual, ids.owner],
    ]);
    // The Owner role granted off the log, and with it the legacy role `owner`.
    expect(of("elevated-change-unattributed").map((f) => [f.user_id, f.role_id])).toEqual([
      // The higher tier first: the Owner grant, then the legacy role that came with it.
      [ids.userZ, ids.owner],
      [ids.userZ, null],
    ]);
    // Only the person who was not an Owner; the console's Owner and the admin key's owner are.
    expect(of("change-by-non-owner").map((f) => [f.user_id, f.group_id])).toEqual([
      [ids.nonOwner, ids.scim],
    ]);
    expect(of("audit-log-gap")).toEqual([]);
    expect(report.skipped.map((s) => s.rule)).not.toContain("audit-log-gap");
    // The first snapshot has nothing to attribute: the rules say they were skipped.
    const first = await findings(path, from);
    expect(first.skipped.map((s) => s.rule)).toEqual(
      expect.arrayContaining(["audit-log-gap", "elevated-change-unattributed"]),
    );
  });

  it("diff prints the labels; verify names a tampered event (exit 1)", async () => {
    const text = await runCli(["diff", "--db", path], cliEnv({}));
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`by API key ${ids.keyId}`);
    expect(text.stdout).toContain("by SCIM");
    expect(text.stdout).toContain("not in the audit log");
    expect(text.stdout).toContain("unattributed: no matching event");
    const json = await runCli(["diff", "--db", path, "--json"], cliEnv({}));
    const parsed = JSON.parse(json.stdout) as { changes: AttributedChange[]; audit_log: unknown };
    expect(parsed.audit_log).toMatchObject({ covered: true });
    expect(parsed.changes.every((c) => typeof c.attribution?.status === "string")).toBe(true);

    const copy = dbPath();
    copyFileSync(path, copy);
    expect((await runCli(["verify", "--db", copy], cliEnv({}))).status).toBe(0);
    const instance = await DuckDBInstance.create(copy);
    const connection = await instance.connect();
    const target = (
      await connection.runAndReadAll(
        "SELECT event_id FROM audit_events WHERE type = 'role.assignment.created' ORDER BY seq LIMIT 1",
      )
    ).getRowsJS()[0]?.[0] as string;
    await connection.run(
      `UPDATE audit_events SET actor_email = 'nobody@example.com' WHERE event_id = '${target}'`,
    );
    connection.closeSync();
    instance.closeSync();
    const verify = await runCli(["verify", "--db", copy], cliEnv({}));
    expect(verify.status).toBe(1);
    expect(verify.stdout).toContain(target);
    expect(verify.stderr.trim().split("\n")).toHaveLength(1);
    expect(verify.stderr).toContain("audit-log chain mismatch");
  });
});

describe("a sync the API refuses", () => {
  it("leaves the crawl successful, records the gap, and the next complete sync closes it", async () => {
    const sim = await startSimulator({
      seed: 32,
      groups: 5,
      users: 20,
      projects: 1,
      auditLog: "forbidden",
    });
    const path = dbPath();
    try {
      const first = await crawlInto(sim, path);
      expect(first.auditLog?.status).toBe("failed");
      const reason = first.auditLog && "sync" in first.auditLog ? first.auditLog.sync.reason : "";
      expect(reason).toContain("api.audit_logs.read");
      expect(reason).not.toContain("\n");
      const group = sim.state.createGroup("Ops (manual)").id;
      const owner = sim.state.roleIdByName("Owner") as string;
      await post(sim, `/organization/groups/${group}/roles`, { role_id: owner });
      const second = await crawlInto(sim, path);
      expect(second.auditLog?.status).toBe("failed");

      let diff = await attributed(path, first.snapshotId, second.snapshotId);
      expect(diff.audit_log.covered).toBe(false);
      const grant = () =>
        one(diff.changes, (c) => c.kind === "group_role_granted" && c.group_id === group);
      expect(grant().attribution.status).toBe("unattributed");
      expect(grant().attribution.reason).toContain("does not cover");
      expect(grant().attribution.reason).toContain("api.audit_logs.read");
      let report = await findings(path, second.snapshotId);
      expect(report.findings.filter((f) => f.rule === "audit-log-gap")).toHaveLength(1);
      expect(
        report.findings
          .filter((f) => f.rule === "elevated-change-unattributed")
          .map((f) => f.group_id),
      ).toEqual([group]);

      // The CLI says so in one line on stderr and exits 1.
      const cli = await runCli(
        ["audit-log", "sync", "--db", path, "--base-url", sim.baseUrl],
        cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey }),
      );
      expect(cli.status).toBe(1);
      expect(cli.stderr).toContain("warning: audit log not synced");

      // Audit logging turned off: a 400, reported as such.
      sim.setAuditLogMode("disabled");
      const off = await sync(sim, path);
      expect(off.status).toBe("failed");
      expect(off.reason).toContain("Data retention");

      // Permission given: the next sync reads the whole log, and the grant is attributed.
      sim.setAuditLogMode("enabled");
      const healed = await sync(sim, path);
      expect(healed.status).toBe("complete");
      expect(healed.sync.read_from).toBeNull();
      diff = await attributed(path, first.snapshotId, second.snapshotId);
      expect(diff.audit_log.covered).toBe(true);
      expect(grant().attribution.status).toBe("attributed");
      report = await findings(path, second.snapshotId);
      expect(report.findings.filter((f) => f.rule === "audit-log-gap")).toEqual([]);
      expect(report.findings.filter((f) => f.rule === "elevated-change-by-api-key")).toHaveLength(
        1,
      );
      const store = await Store.open(path, { readOnly: true });
      try {
        expect((await store.listAuditSyncs()).map((s) => s.status)).toEqual([
          "failed",
          "failed",
          "failed",
          "failed",
          "complete",
        ]);
        expect((await store.verify()).ok).toBe(true);
      } finally {
        await store.close();
      }
    } finally {
      await sim.stop();
    }
  });
});

describe("incremental sync", () => {
  it("never duplicates or drops an event across 10 runs with events arriving late", async () => {
    const sim = await startSimulator({ seed: 33, groups: 3, users: 10, projects: 1 });
    const path = dbPath();
    const overlap = 600;
    const tooLate = new Set<string>();
    try {
      let added = 0;
      for (let run = 1; run <= 10; run++) {
        for (let j = 0; j < 3; j++) sim.state.createGroup(`g${run}-${j}`);
        const now = sim.state.auditNow;
        // Published late, within the overlap: the next sync must read them.
        for (const lateness of [1, 90, 300, 590]) {
          sim.state.recordAuditEvent({
            type: "group.updated",
            effective_at: now - lateness,
            detail: { id: `group_late_${run}_${lateness}`, changes_requested: { group_name: "x" } },
          });
        }
        // Later than the overlap allows: missed, as the overlap setting says it would be.
        if (run % 3 === 0) {
          tooLate.add(
            sim.state.recordAuditEvent({
              type: "group.deleted",
              effective_at: now - 3 * overlap,
              detail: { id: `group_too_late_${run}` },
            }).id,
          );
        }
        const result = await sync(sim, path, overlap);
        expect(result.status).toBe("complete");
        added += result.sync.events_added;
        const store = await Store.open(path, { readOnly: true });
        try {
          const held = await store.query<{ event_id: string }>("SELECT event_id FROM audit_events");
          const heldIds = held.map((r) => r.event_id).sort();
          expect(new Set(heldIds).size).toBe(heldIds.length);
          expect(heldIds.length).toBe(added);
          const expected = sim.state
            .listAuditEvents()
            .map((e) => e.id)
            .filter((id) => !tooLate.has(id))
            .sort();
          expect(heldIds).toEqual(expected);
        } finally {
          await store.close();
        }
      }
      expect(tooLate.size).toBe(3);
    } finally {
      await sim.stop();
    }
  });

  it("a first sync makes exactly the minimum pages, and the next only re-reads the overlap", async () => {
    const sim = await startSimulator({
      seed: 34,
      groups: 3,
      users: 10,
      projects: 1,
      auditEvents: 2345,
    });
    const path = dbPath();
    try {
      const total = sim.state.auditEventCount();
      expect(total).toBe(2345);
      const first = await sync(sim, path);
      expect(first.sync.requests).toBe(Math.ceil(total / 100));
      expect(first.sync.events_added).toBe(total);
      const newest = Math.max(...sim.state.listAuditEvents().map((e) => e.effective_at));
      const inOverlap = sim.state
        .listAuditEvents()
        .filter((e) => e.effective_at >= newest - 3600).length;
      const second = await sync(sim, path);
      expect(second.sync.requests).toBe(Math.max(1, Math.ceil(inOverlap / 100)));
      expect(second.sync.events_added).toBe(0);
      expect(second.sync.read_from).not.toBeNull();
    } finally {
      await sim.stop();
    }
  });
});
