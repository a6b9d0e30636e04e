/**
 * The audit log in a real DuckDB file: append-only events deduplicated by id, syncs in a hash
 * chain of their own, and `verify` finding (and naming) any changed, added or removed event or
 * sync row. Events are built here; test/crawl.audit-log.test.ts reads them from the simulator.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import type { AuditLog } from "../src/api/index.js";
import { Store } from "../src/store/index.js";

const root = mkdtempSync(join(tmpdir(), "audit-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const dbPath = () => join(root, `db-${++counter}.duckdb`);

const T0 = 1_780_000_000;

function event(n: number, overrides: Partial<AuditLog> = {}): AuditLog {
  return {
    id: `audit_log-${String(n).padStart(6, "0")}`,
    type: "role.assignment.created",
    effective_at: T0 + n,
    actor: {
      type: "session",
      session: {
        user: { id: "user_owner", email: "owner@example.com" },
        ip_address: "203.0.113.7",
      },
    },
    "role.assignment.created": {
      id: `ra_${n}`,
      principal_id: `group_${n % 7}`,
      principal_type: "group",
      resource_id: "org_1",
      resource_type: "api.organization",
    },
    ...overrides,
  } as AuditLog;
}

const meta = (startedAtMs: number) => ({
  baseUrl: "http://127.0.0.1:1/v1",
  keyRedacted: "sk-admin...abcd",
  toolVersion: "test",
  snapshotId: null,
  startedAtMs,
});

async function sync(
  store: Store,
  events: AuditLog[],
  readFrom: number | null,
  startedAtMs = (T0 + 10_000) * 1000,
) {
  return store.auditSync(meta(startedAtMs), async (writer) => {
    for (let i = 0; i < events.length; i += 100) await writer.add(events.slice(i, i + 100));
    return writer.complete({ readFrom, coverageFrom: readFrom ?? T0, requests: 1 });
  });
}

async function tamper(path: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function verifyOf(path: string) {
  const store = await Store.open(path, { readOnly: true });
  try {
    return await store.verify();
  } finally {
    await store.close();
  }
}

/** A database with two complete syncs (the second overlapping the first) and a failed one. */
async function seeded(): Promise<string> {
  const path = dbPath();
  const store = await Store.open(path);
  try {
    await sync(
      store,
      Array.from({ length: 250 }, (_, i) => event(i)),
      null,
    );
    // Overlap: events 200..249 again, plus 250..299 new: only the new ones are appended.
    await sync(
      store,
      Array.from({ length: 100 }, (_, i) => event(200 + i)),
      T0 + 200,
    );
    await store.auditSync(meta((T0 + 20_000) * 1000), (writer) =>
      writer.fail("the admin key may not read the audit log (HTTP 403)", 1),
    );
  } finally {
    await store.close();
  }
  return path;
}

describe("audit log store", () => {
  it("appends each event once, in a contiguous sequence, and records every sync", async () => {
    const path = await seeded();
    const store = await Store.open(path, { readOnly: true });
    try {
      const syncs = await store.listAuditSyncs();
      expect(syncs.map((s) => [s.status, s.events_read, s.events_added])).toEqual([
        ["complete", 250, 250],
        ["complete", 100, 50],
        ["failed", 0, 0],
      ]);
      expect(syncs[1]?.first_seq).toBe(251);
      expect(syncs[1]?.last_seq).toBe(300);
      expect(syncs[2]?.reason).toContain("403");
      expect(syncs[2]?.coverage_from).toBeNull();
      const rows = await store.query<{ n: number; ids: number; lo: number; hi: number }>(
        "SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS ids, min(seq)::INTEGER AS lo, max(seq)::INTEGER AS hi FROM audit_events",
      );
      expect(rows[0]).toEqual({ n: 300, ids: 300, lo: 1, hi: 300 });
      // Extracted join columns.
      const one = await store.query<Record<string, string | null>>(
        "SELECT actor_type, actor_email, actor_ip, principal_id, resource_type FROM audit_events WHERE event_id = 'audit_log-000008'",
      );
      expect(one[0]).toEqual({
        actor_type: "session",
        actor_email: "owner@example.com",
        actor_ip: "203.0.113.7",
        principal_id: "group_1",
        resource_type: "api.organization",
      });
      expect((await store.auditLogPosition()).newestEventAt).toBe(T0 + 299);
      const verified = await store.verify();
      expect(verified.ok).toBe(true);
      expect(verified.audit_log?.syncs.map((s) => s.ok)).toEqual([true, true, true]);
    } finally {
      await store.close();
    }
  });

  it("never stores a field named value (a secret's name in the API)", async () => {
    const path = dbPath();
    const store = await Store.open(path);
    try {
      const secret = `sk-proj-${"x".repeat(40)}`;
      await sync(
        store,
        [event(1, { api_key: { value: secret, id: "key_1" } } as Partial<AuditLog>)],
        null,
      );
      const rows = await store.query<{ e: string }>("SELECT event::VARCHAR AS e FROM audit_events");
      expect(rows[0]?.e).toContain("key_1");
      expect(rows[0]?.e).not.toContain(secret);
    } finally {
      await store.close();
    }
  });

  const tampers: [string, string, (r: Awaited<ReturnType<typeof verifyOf>>) => void][] = [
    [
      "a changed actor",
      "UPDATE audit_events SET actor_email = 'someone-else@example.com' WHERE event_id = 'audit_log-000042'",
      (r) => {
        expect(r.audit_log?.syncs[0]?.changed_events).toEqual(["audit_log-000042"]);
      },
    ],
    [
      "a changed event with its digest recomputed",
      "UPDATE audit_events SET event = '{\"id\":\"audit_log-000042\"}', row_sha256 = sha256('forged') WHERE event_id = 'audit_log-000042'",
      (r) => {
        expect(r.audit_log?.syncs[0]?.problems.join(" ")).toContain("events digest");
      },
    ],
    [
      "a removed event",
      "DELETE FROM audit_events WHERE event_id = 'audit_log-000260'",
      (r) => {
        expect(r.audit_log?.syncs[1]?.problems.join(" ")).toContain(
          "49 event(s); 50 were appended",
        );
      },
    ],
    [
      "an added event",
      "INSERT INTO audit_events SELECT 301, 2, 'audit_log-forged', type, effective_at, project_id, project_name, actor_type, actor_user_id, actor_email, actor_ip, actor_key_id, actor_key_type, actor_service_account_id, source, object_id, principal_id, principal_type, resource_id, resource_type, event, row_sha256 FROM audit_events WHERE seq = 300",
      (r) => {
        expect(r.audit_log?.syncs[1]?.ok).toBe(false);
      },
    ],
    [
      "an event of no sync",
      "INSERT INTO audit_events SELECT 999, 99, 'audit_log-orphan', type, effective_at, project_id, project_name, actor_type, actor_user_id, actor_email, actor_ip, actor_key_id, actor_key_type, actor_service_account_id, source, object_id, principal_id, principal_type, resource_id, resource_type, event, row_sha256 FROM audit_events WHERE seq = 1",
      (r) => {
        expect(r.audit_log?.issues.join(" ")).toContain("no complete sync appended");
      },
    ],
    [
      "a widened coverage claim",
      "UPDATE audit_log_syncs SET coverage_from = coverage_from - INTERVAL 30 DAY WHERE sync_id = 2",
      (r) => {
        expect(r.audit_log?.syncs[1]?.problems.join(" ")).toContain("seal");
      },
    ],
    [
      "a failed sync turned into a complete one",
      "UPDATE audit_log_syncs SET status = 'complete', reason = NULL WHERE sync_id = 3",
      (r) => {
        expect(r.audit_log?.syncs[2]?.ok).toBe(false);
      },
    ],
  ];

  it.each(tampers)("verify finds %s", async (_name, sql, check) => {
    const original = await seeded();
    const copy = dbPath();
    copyFileSync(original, copy);
    expect((await verifyOf(copy)).ok).toBe(true);
    await tamper(copy, sql);
    const result = await verifyOf(copy);
    expect(result.ok).toBe(false);
    check(result);
  });
});
