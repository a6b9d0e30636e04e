/**
 * Credentials through the analysis, on snapshots written straight through the store's writer at
 * controlled times (test/support/credential-history.ts) into real DuckDB files: every credential
 * diff kind exact in both directions; no kind and no history growth from a key's use; each
 * credential rule firing on one fact and silent on its counterpart; the rules skipped on a
 * snapshot without credentials; service accounts in effective access and in the project rules.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEffectiveAccess } from "../src/analysis/access.js";
import { type Finding, runRules } from "../src/analysis/anomalies.js";
import {
  ATTRIBUTION_STATUSES,
  type AttributionStatus,
  attributeDiff,
} from "../src/analysis/attribution.js";
import { resolveAnalysisConfig } from "../src/analysis/config.js";
import { DIFF_KINDS, type DiffChange, diffSnapshots } from "../src/analysis/diff.js";
import type { AuditLog } from "../src/api/types.js";
import { loadConfig } from "../src/config/load.js";
import {
  type AuditLogActorWire,
  sessionActor,
  userKeyActor,
} from "../src/simulator/audit-events.js";
import { Store } from "../src/store/index.js";
import {
  adminKey,
  apiKey,
  type CredentialOrg,
  DAY,
  directRole,
  emptyOrg,
  historyRows,
  invite,
  OWNER_ROLE,
  project,
  projectUser,
  publishAt,
  READER_ROLE,
  serviceAccount,
  user,
} from "./support/credential-history.js";
import { META } from "./support/history-org.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-credentials-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dbCounter = 0;
const newDbPath = () => join(tmp, `db-${++dbCounter}.duckdb`);

/** Every instant below is relative to this one (Unix seconds). */
const T0 = 1_750_000_000;
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

const CREDENTIAL_KINDS = DIFF_KINDS.filter((k) =>
  /^(service_account|api_key|admin_key|invite)_/.test(k),
);
const CREDENTIAL_RULES = [
  "admin-key-owner-not-owner",
  "admin-key-unused",
  "admin-key-without-expiry",
  "invite-elevated-pending",
  "key-rotation-overdue",
  "project-key-owner-departed",
  "project-key-unused",
  "service-account-owner-role",
];

async function withStore<T>(db: string, run: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(db);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

const credentialChanges = (changes: DiffChange[]) =>
  changes.filter((c) => CREDENTIAL_KINDS.includes(c.kind));

/** Before: the credentials that will be kept, deleted or changed. */
function credentialOrgBefore(at: number): CredentialOrg {
  const o = emptyOrg();
  o.users.push(user("u-alice", "reader", at));
  o.projects.push(project("p1", "Alpha", at));
  o.serviceAccounts.push(
    serviceAccount("p1", "sa-keep", "member", T0 - 50 * DAY),
    serviceAccount("p1", "sa-old", "member", T0 - 40 * DAY),
    serviceAccount("p1", "sa-role", "member", T0 - 30 * DAY),
  );
  o.apiKeys.push(
    apiKey("p1", "k-keep", "u-alice", T0 - 60 * DAY, T0 - 5 * DAY),
    apiKey("p1", "k-old", "sa-keep", T0 - 60 * DAY, null),
    apiKey("p1", "k-access", "u-alice", T0 - 60 * DAY, null),
  );
  o.adminKeys.push(
    adminKey("ak-keep", "u-alice", T0 - 70 * DAY, null, T0 - 3 * DAY),
    adminKey("ak-old", "u-alice", T0 - 70 * DAY, null, null),
    adminKey("ak-exp", "u-alice", T0 - 70 * DAY, T0 + 90 * DAY, null),
  );
  o.invites.push(
    invite("inv-keep", "reader", "pending", T0 - 2 * DAY),
    invite("inv-gone", "owner", "pending", T0 - 2 * DAY),
    invite("inv-acc", "reader", "pending", T0 - 2 * DAY),
    invite("inv-exp", "owner", "pending", T0 - 40 * DAY),
    invite("inv-settled", "reader", "accepted", T0 - 9 * DAY),
  );
  return o;
}

/** After: one of every change, and changes that must make no kind (names, uses). */
function credentialOrgAfter(at: number): CredentialOrg {
  const o = emptyOrg();
  o.users.push(user("u-alice", "reader", at));
  o.projects.push(project("p1", "Alpha", at));
  o.serviceAccounts.push(
    serviceAccount("p1", "sa-keep", "member", T0 - 50 * DAY, "renamed bot"),
    serviceAccount("p1", "sa-role", "owner", T0 - 30 * DAY),
    serviceAccount("p1", "sa-new", "member", T0),
  );
  o.apiKeys.push(
    apiKey("p1", "k-keep", "u-alice", T0 - 60 * DAY, at - 3600, {
      name: "renamed key",
      owner_name: "Alice Renamed",
      owner_email: "alice.new@corp.example",
    }),
    apiKey("p1", "k-access", "u-alice", T0 - 60 * DAY, null, {
      owner_project_access: "inactive",
    }),
    apiKey("p1", "k-new", "u-alice", T0, null),
  );
  o.adminKeys.push(
    adminKey("ak-keep", "u-alice", T0 - 70 * DAY, null, at - 3600, { name: "renamed admin" }),
    adminKey("ak-exp", "u-alice", T0 - 70 * DAY, T0 + 180 * DAY, null),
    adminKey("ak-new", "u-alice", T0, T0 + 30 * DAY, null),
  );
  o.invites.push(
    invite("inv-keep", "reader", "pending", T0 - 2 * DAY),
    invite("inv-new", "owner", "pending", T0, {
      projects: [{ project_id: "p1", role: "owner" }],
    }),
    invite("inv-new-accepted", "reader", "accepted", T0),
    invite("inv-acc", "reader", "accepted", T0 - 2 * DAY),
    invite("inv-exp", "owner", "expired", T0 - 40 * DAY),
  );
  return o;
}

describe("credential diff kinds", () => {
  const db = newDbPath();
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;

  beforeAll(async () => {
    await withStore(db, async (store) => {
      s1 = await publishAt(store, credentialOrgBefore(T0), T0);
      s2 = await publishAt(store, credentialOrgAfter(T0 + DAY), T0 + DAY);
      s3 = await publishAt(store, credentialOrgAfter(T0 + 2 * DAY), T0 + 2 * DAY, ["credentials"]);
    });
  });

  const forward: DiffChange[] = [
    {
      kind: "service_account_created",
      project_id: "p1",
      project_name: "Alpha",
      service_account_id: "sa-new",
      name: "bot sa-new",
      role: "member",
      created_at: iso(T0),
    },
    {
      kind: "service_account_deleted",
      project_id: "p1",
      project_name: "Alpha",
      service_account_id: "sa-old",
      name: "bot sa-old",
      role: "member",
      created_at: iso(T0 - 40 * DAY),
    },
    {
      kind: "service_account_role_changed",
      project_id: "p1",
      project_name: "Alpha",
      service_account_id: "sa-role",
      name: "bot sa-role",
      before: "member",
      after: "owner",
    },
    {
      kind: "api_key_created",
      project_id: "p1",
      project_name: "Alpha",
      key_id: "k-new",
      name: "key k-new",
      redacted_value: "sk-proj-...-new",
      created_at: iso(T0),
      owner_type: "user",
      owner_id: "u-alice",
      owner_name: "User u-alice",
      owner_email: "u-alice@corp.example",
      owner_role: "member",
      owner_project_access: "active",
    },
    {
      kind: "api_key_deleted",
      project_id: "p1",
      project_name: "Alpha",
      key_id: "k-old",
      name: "key k-old",
      redacted_value: "sk-proj-...-old",
      created_at: iso(T0 - 60 * DAY),
      owner_type: "service_account",
      owner_id: "sa-keep",
      owner_name: "bot sa-keep",
      owner_email: null,
      owner_role: "member",
      owner_project_access: "active",
    },
    {
      kind: "api_key_owner_access_changed",
      project_id: "p1",
      project_name: "Alpha",
      key_id: "k-access",
      name: "key k-access",
      redacted_value: "sk-proj-...cess",
      owner_type: "user",
      owner_id: "u-alice",
      owner_name: "User u-alice",
      owner_email: "u-alice@corp.example",
      before: "active",
      after: "inactive",
    },
    {
      kind: "admin_key_created",
      key_id: "ak-new",
      name: "admin ak-new",
      redacted_value: "sk-admin-...-new",
      created_at: iso(T0),
      expires_at: iso(T0 + 30 * DAY),
      owner_type: "user",
      owner_id: "u-alice",
      owner_name: "User u-alice",
      owner_role: "owner",
    },
    {
      kind: "admin_key_deleted",
      key_id: "ak-old",
      name: "admin ak-old",
      redacted_value: "sk-admin-...-old",
      created_at: iso(T0 - 70 * DAY),
      expires_at: null,
      owner_type: "user",
      owner_id: "u-alice",
      owner_name: "User u-alice",
      owner_role: "owner",
    },
    {
      kind: "admin_key_expiry_changed",
      key_id: "ak-exp",
      name: "admin ak-exp",
      redacted_value: "sk-admin-...-exp",
      owner_type: "user",
      owner_id: "u-alice",
      owner_name: "User u-alice",
      before: iso(T0 + 90 * DAY),
      after: iso(T0 + 180 * DAY),
    },
    {
      kind: "invite_sent",
      invite_id: "inv-new",
      email: "inv-new@invitee.example",
      role: "owner",
      status: "pending",
      created_at: iso(T0),
      expires_at: iso(T0 + 30 * DAY),
      projects: [{ project_id: "p1", role: "owner" }],
    },
    {
      kind: "invite_revoked",
      invite_id: "inv-gone",
      email: "inv-gone@invitee.example",
      role: "owner",
      status: "pending",
      created_at: iso(T0 - 2 * DAY),
      expires_at: iso(T0 + 28 * DAY),
      projects: [],
    },
    {
      kind: "invite_accepted",
      invite_id: "inv-acc",
      email: "inv-acc@invitee.example",
      role: "reader",
      projects: [],
      accepted_at: iso(T0 - DAY),
      expires_at: iso(T0 + 28 * DAY),
      before: "pending",
      after: "accepted",
    },
    {
      kind: "invite_expired",
      invite_id: "inv-exp",
      email: "inv-exp@invitee.example",
      role: "owner",
      projects: [],
      accepted_at: null,
      expires_at: iso(T0 - 10 * DAY),
      before: "pending",
      after: "expired",
    },
  ];

  it("finds exactly one change of every kind, and none from names, owners' copies or uses", async () => {
    await withStore(db, async (store) => {
      const result = await diffSnapshots(store, { from: s1, to: s2 });
      expect(credentialChanges(result.changes)).toEqual(forward);
      for (const kind of CREDENTIAL_KINDS) {
        const expected = kind === "invite_status_changed" ? 0 : 1;
        expect(result.summary[kind], kind).toBe(expected);
      }
    });
  });

  it("gives the mirror image in reverse; a status transition is classified by where it goes", async () => {
    await withStore(db, async (store) => {
      const result = await diffSnapshots(store, { from: s2, to: s1 });
      const mirrorKind: Record<string, DiffChange["kind"]> = {
        service_account_created: "service_account_deleted",
        service_account_deleted: "service_account_created",
        api_key_created: "api_key_deleted",
        api_key_deleted: "api_key_created",
        admin_key_created: "admin_key_deleted",
        admin_key_deleted: "admin_key_created",
        invite_sent: "invite_revoked",
        invite_revoked: "invite_sent",
        invite_accepted: "invite_status_changed",
        invite_expired: "invite_status_changed",
      };
      const expected = forward.map((c) => {
        const m: DiffChange = { ...c, kind: mirrorKind[c.kind] ?? c.kind };
        if (c.before !== undefined && c.after !== undefined) {
          m.before = c.after;
          m.after = c.before;
        }
        // The status kinds carry the snapshot `to`'s dates: here the earlier one's.
        if (c.kind === "invite_accepted") m.accepted_at = null;
        return m;
      });
      const order = (cs: DiffChange[]) =>
        [...cs].sort(
          (a, b) =>
            DIFF_KINDS.indexOf(a.kind) - DIFF_KINDS.indexOf(b.kind) ||
            String(a.project_id ?? "").localeCompare(String(b.project_id ?? "")) ||
            String(a.service_account_id ?? a.key_id ?? a.invite_id).localeCompare(
              String(b.service_account_id ?? b.key_id ?? b.invite_id),
            ),
        );
      expect(credentialChanges(result.changes)).toEqual(order(expected));
      expect(result.summary.invite_status_changed).toBe(2);
      expect(result.summary.invite_accepted).toBe(0);
    });
  });

  it("does not compare credentials with a snapshot that did not collect them", async () => {
    await withStore(db, async (store) => {
      for (const [from, to] of [
        [s2, s3],
        [s3, s2],
      ] as const) {
        const result = await diffSnapshots(store, { from, to });
        expect(credentialChanges(result.changes)).toEqual([]);
        expect(result.not_compared).toEqual(
          CREDENTIAL_KINDS.map((kind) => ({ kind, missing: ["credentials"] })),
        );
        expect(result.coverage_changed).toEqual([
          { scope: "credentials", from_collected: from === s2, to_collected: to === s2 },
        ]);
      }
    });
  });
});

// ------------------------------------------------------------------ attribution

/** Events as `GET /organization/audit_logs` lists them (the simulator's wire shape). */
let eventNo = 0;
function auditEvent(
  type: string,
  at: number,
  actor: AuditLogActorWire | null,
  detail: Record<string, unknown>,
  projectId?: string,
): AuditLog {
  eventNo += 1;
  const day = new Date(at * 1000).toISOString().slice(0, 10).replaceAll("-", "");
  return {
    id: `audit_log-test${String(eventNo).padStart(12, "0")}_${day}`,
    type,
    effective_at: at,
    actor,
    ...(projectId === undefined ? {} : { project: { id: projectId, name: "Alpha" } }),
    [type]: detail,
  } as AuditLog;
}

/** One sync into the store, as a crawl's would be: complete over [from, to], or failed at `to`. */
async function recordSync(
  store: Store,
  events: readonly AuditLog[],
  window: { from: number; to: number },
  failed?: string,
) {
  return store.auditSync(
    { ...META, snapshotId: null, startedAtMs: window.to * 1000 },
    async (w) => {
      if (failed !== undefined) return w.fail(failed, 1);
      await w.add(events);
      return w.complete({ readFrom: null, coverageFrom: window.from, requests: 1 });
    },
  );
}

describe("attribution of every credential kind", () => {
  // Who made the changes: the credentials of projects over HTTP with an admin key, the
  // organization's admin keys and invites in a console session.
  const ADMIN_KEY = userKeyActor("key-automation", {
    id: "u-alice",
    email: "u-alice@corp.example",
  });
  const CONSOLE = sessionActor({ id: "u-alice", email: "u-alice@corp.example" }, "203.0.113.7");
  const at = (hours: number) => T0 + hours * 3600;
  /**
   * What the test did between the two snapshots (T0 and T0 + 1 day): each change's event, at the
   * hour given. sa-role's role was changed out of band (no event: only an older one, before the
   * interval), inv-exp expired by itself; a decoy names another key.
   */
  const made: Record<
    string,
    { type: string; hour: number; actor: AuditLogActorWire; project?: string } | null
  > = {
    "sa-new": { type: "service_account.created", hour: 1, actor: ADMIN_KEY, project: "p1" },
    "sa-old": { type: "service_account.deleted", hour: 2, actor: ADMIN_KEY, project: "p1" },
    "sa-role": null,
    "k-new": { type: "api_key.created", hour: 3, actor: ADMIN_KEY, project: "p1" },
    "k-old": { type: "api_key.deleted", hour: 4, actor: ADMIN_KEY, project: "p1" },
    // k-access: its owner left the project (user.deleted of u-alice in p1).
    "k-access": { type: "user.deleted", hour: 5, actor: CONSOLE, project: "p1" },
    "ak-new": { type: "api_key.created", hour: 14, actor: CONSOLE },
    "ak-old": { type: "api_key.deleted", hour: 15, actor: CONSOLE },
    "ak-exp": { type: "api_key.updated", hour: 16, actor: CONSOLE },
    "inv-new": { type: "invite.sent", hour: 17, actor: CONSOLE },
    "inv-gone": { type: "invite.deleted", hour: 18, actor: CONSOLE },
    "inv-acc": { type: "invite.accepted", hour: 19, actor: CONSOLE },
    "inv-exp": null,
  };
  const subjectId = (c: DiffChange): string =>
    String(c.service_account_id ?? c.key_id ?? c.invite_id);

  function events(until: number): AuditLog[] {
    const out: AuditLog[] = [];
    for (const [id, m] of Object.entries(made)) {
      if (m === null || at(m.hour) > until) continue;
      const target = id === "k-access" ? "u-alice" : id;
      out.push(auditEvent(m.type, at(m.hour), m.actor, { id: target }, m.project));
    }
    // Decoys: the right type for another key, and sa-role's update before the interval.
    out.push(auditEvent("api_key.created", at(6), ADMIN_KEY, { id: "k-elsewhere" }, "p1"));
    out.push(auditEvent("service_account.updated", T0 - 600, ADMIN_KEY, { id: "sa-role" }, "p1"));
    return out;
  }

  /** The status the test's story gives each change (forward). */
  function expected(c: DiffChange): AttributionStatus {
    const m = made[subjectId(c)];
    if (m === undefined) throw new Error(`the test made no change to ${subjectId(c)} (${c.kind})`);
    if (m !== null) return "attributed";
    return c.kind === "invite_expired" ? "not_logged" : "unattributed";
  }

  const FORBIDDEN = "the admin key may not read the audit log (HTTP 403)";
  const db = newDbPath();
  const gapDb = newDbPath();
  let s1 = 0;
  let s2 = 0;
  let g1 = 0;
  let g2 = 0;
  let gapFrom = 0;

  beforeAll(async () => {
    // The organizations of "credential diff kinds" at T0 and T0 + 1 day.
    const covered = { from: T0 - 3600, to: T0 + DAY + 60 };
    await withStore(db, async (store) => {
      s1 = await publishAt(store, credentialOrgBefore(T0), T0);
      s2 = await publishAt(store, credentialOrgAfter(T0 + DAY), T0 + DAY);
      await recordSync(store, events(covered.to), covered);
    });
    // The same, but the audit log held stops at noon; the next sync, in the evening, was refused.
    gapFrom = at(12);
    await withStore(gapDb, async (store) => {
      g1 = await publishAt(store, credentialOrgBefore(T0), T0);
      g2 = await publishAt(store, credentialOrgAfter(T0 + DAY), T0 + DAY);
      await recordSync(store, events(gapFrom), { from: covered.from, to: gapFrom });
      await recordSync(store, [], { from: 0, to: at(20) }, FORBIDDEN);
    });
  });

  it("attributes every change", async () => {
    await withStore(db, async (store) => {
      const forward = await attributeDiff(store, await diffSnapshots(store, { from: s1, to: s2 }));
      expect(forward.audit_log).toEqual({
        window: { from: iso(T0), to: iso(T0 + DAY) },
        covered: true,
        gaps: [],
        failed_syncs: [],
        syncs: 1,
      });
      const changes = credentialChanges(forward.changes) as typeof forward.changes;
      // Only the credential changes: nothing else differs between the two organizations.
      expect(changes).toHaveLength(forward.changes.length);
      expect(changes.map((c) => [c.kind, subjectId(c), c.attribution.status])).toEqual(
        changes.map((c) => [c.kind, subjectId(c), expected(c)]),
      );
      const statuses = new Set(changes.map((c) => c.attribution.status));
      expect([...statuses].sort()).toEqual(["attributed", "not_logged", "unattributed"]);
      for (const c of changes) {
        const a = c.attribution;
        const m = made[subjectId(c)];
        if (m === null || m === undefined) {
          expect([a.events, a.actor]).toEqual([[], null]);
          expect(a.reason).toBe(
            c.kind === "invite_expired"
              ? "an invite expires with time: no one acts, and nothing is logged"
              : "no matching event in the audit log, which covers this interval: the change was made out of band, or audit logging was off",
          );
          continue;
        }
        // The one event the test recorded for it (its kind's type, in the interval), by the
        // actor it named.
        expect(a.events.map((e) => [e.type, e.effective_at, e.project_id])).toEqual([
          [m.type, iso(at(m.hour)), m.project ?? null],
        ]);
        for (const e of a.events) {
          expect(e.effective_at >= forward.audit_log.window.from).toBe(true);
          expect(e.effective_at <= forward.audit_log.window.to).toBe(true);
        }
        expect(a.actor).toEqual(
          m.actor === ADMIN_KEY
            ? {
                type: "api_key",
                user_id: "u-alice",
                email: "u-alice@corp.example",
                ip_address: null,
                key_id: "key-automation",
                key_type: "user",
                service_account_id: null,
              }
            : {
                type: "session",
                user_id: "u-alice",
                email: "u-alice@corp.example",
                ip_address: "203.0.113.7",
                key_id: null,
                key_type: null,
                service_account_id: null,
              },
        );
        expect(a.label).toBe(
          m.actor === ADMIN_KEY
            ? `by API key key-automation of u-alice@corp.example (u-alice) at ${iso(at(m.hour))}`
            : `by u-alice@corp.example (u-alice) from 203.0.113.7 at ${iso(at(m.hour))}`,
        );
      }

      // The reverse diff: each change attributed as the change that really happened.
      const reverse = await attributeDiff(store, await diffSnapshots(store, { from: s2, to: s1 }));
      const forwardOf = new Map(changes.map((c) => [subjectId(c), c.attribution]));
      expect(reverse.changes).toHaveLength(changes.length);
      for (const c of reverse.changes) {
        expect(ATTRIBUTION_STATUSES).toContain(c.attribution.status);
        expect([c.kind, subjectId(c), c.attribution]).toEqual([
          c.kind,
          subjectId(c),
          forwardOf.get(subjectId(c)),
        ]);
      }
    });
  });

  it("a gap in the audit log: what needs an event after it is unattributed, naming it", async () => {
    await withStore(gapDb, async (store) => {
      const result = await attributeDiff(store, await diffSnapshots(store, { from: g1, to: g2 }));
      const gap = { from: iso(gapFrom), to: iso(T0 + DAY) };
      expect(result.audit_log).toEqual({
        window: { from: iso(T0), to: iso(T0 + DAY) },
        covered: false,
        gaps: [gap],
        failed_syncs: [{ sync_id: 2, started_at: iso(at(20)), reason: FORBIDDEN }],
        syncs: 2,
      });
      const reason = `the audit log held does not cover ${gap.from} to ${gap.to} (failed sync: ${FORBIDDEN})`;
      const changes = credentialChanges(result.changes) as typeof result.changes;
      expect(changes.map((c) => [c.kind, subjectId(c)])).toEqual(
        credentialChanges(
          (await withStore(db, (s) => diffSnapshots(s, { from: s1, to: s2 }))).changes,
        ).map((c) => [c.kind, subjectId(c)]),
      );
      for (const c of changes) {
        const m = made[subjectId(c)];
        const want =
          c.kind === "invite_expired"
            ? { status: "not_logged", reason: expect.stringMatching(/^an invite expires/) }
            : m !== null && m !== undefined && at(m.hour) <= gapFrom
              ? { status: "attributed", reason: null }
              : { status: "unattributed", reason };
        expect([c.kind, subjectId(c), c.attribution]).toEqual([
          c.kind,
          subjectId(c),
          expect.objectContaining(want),
        ]);
      }
    });
  });
});

describe("last_used_at is not an access change", () => {
  it("makes no kind; history grows once, at a key's first use, not with later uses", async () => {
    const db = newDbPath();
    const org = (at: number, used: { key: number | null; first: number | null; admin: number }) => {
      const o = emptyOrg();
      o.users.push(user("u-alice", "reader", at));
      o.projects.push(project("p1", "Alpha", at));
      o.apiKeys.push(
        apiKey("p1", "k-busy", "u-alice", T0 - 100 * DAY, used.key),
        apiKey("p1", "k-first", "u-alice", T0 - 100 * DAY, used.first),
      );
      o.adminKeys.push(adminKey("ak-busy", "u-alice", T0 - 100 * DAY, null, used.admin));
      return o;
    };
    await withStore(db, async (store) => {
      const a = await publishAt(
        store,
        org(T0, { key: T0 - 5 * DAY, first: null, admin: T0 - DAY }),
        T0,
      );
      const rows = {
        keys: await historyRows(store, "hist_api_keys"),
        admin: await historyRows(store, "hist_admin_keys"),
      };
      expect(rows).toEqual({ keys: 2, admin: 1 });
      // Used again within 30 days: the recorded use stays, no new version.
      const b = await publishAt(
        store,
        org(T0 + DAY, { key: T0 + DAY - 60, first: null, admin: T0 + DAY - 60 }),
        T0 + DAY,
      );
      expect(await historyRows(store, "hist_api_keys")).toBe(2);
      expect(await historyRows(store, "hist_admin_keys")).toBe(1);
      // k-first is used for the first time: one new version, still no kind.
      const c = await publishAt(
        store,
        org(T0 + 2 * DAY, {
          key: T0 + 2 * DAY - 60,
          first: T0 + 2 * DAY - 60,
          admin: T0 + 2 * DAY,
        }),
        T0 + 2 * DAY,
      );
      expect(await historyRows(store, "hist_api_keys")).toBe(3);
      expect(await historyRows(store, "hist_admin_keys")).toBe(1);
      for (const [from, to] of [
        [a, b],
        [b, c],
        [a, c],
        [c, a],
      ] as const) {
        const result = await diffSnapshots(store, { from, to });
        expect(result.changes).toEqual([]);
      }
      const [recorded] = await store.query<{ last_used_at: string }>(
        "SELECT last_used_at FROM snapshot_api_keys WHERE snapshot_id = $s AND key_id = 'k-busy'",
        { s: c },
      );
      expect(recorded?.last_used_at).toBe(iso(T0 - 5 * DAY));
    });
  });
});

/** The organization every credential rule is checked on: for each, facts that fire and facts that do not. */
function ruleOrg(at: number): CredentialOrg {
  const o = emptyOrg();
  const ago = (days: number) => at - days * DAY;
  o.roles.push(OWNER_ROLE, READER_ROLE);
  o.users.push(
    user("u-owner", "owner", at),
    user("u-gowner", "reader", at),
    user("u-alice", "reader", at),
    user("u-bob", "reader", at),
    user("u-carol", "reader", at),
  );
  o.userRoles.push(directRole("u-owner", OWNER_ROLE), directRole("u-alice", READER_ROLE));
  // u-gowner is an Owner through a group only; u-carol reaches project p1 through a group only.
  o.groups.push(
    {
      group_id: "g-admins",
      name: "Admins",
      group_type: "group",
      is_scim_managed: true,
      created_at: ago(900),
    },
    {
      group_id: "g-eng",
      name: "Engineering",
      group_type: "group",
      is_scim_managed: true,
      created_at: ago(900),
    },
  );
  o.members.push(
    { group_id: "g-admins", user_id: "u-gowner", email: "u-gowner@corp.example", name: "G" },
    { group_id: "g-eng", user_id: "u-carol", email: "u-carol@corp.example", name: "C" },
  );
  o.groupRoles.push({ group_id: "g-admins", ...OWNER_ROLE, role_name: OWNER_ROLE.name });
  o.projects.push(
    project("p1", "Alpha", at),
    project("p2", "Beta", at),
    project("p3", "Gamma", at),
  );
  o.projectUsers.push(
    projectUser("p1", "u-owner", "owner", at),
    projectUser("p1", "u-alice", "member", at),
    projectUser("p1", "u-gone-member", "member", at),
    // A listing that names a service account as a member: not a person who left.
    { ...projectUser("p1", "sa-listed", "member", at), email: null },
    projectUser("p3", "u-alice", "owner", at),
  );
  o.projectGroups.push({
    project_id: "p1",
    group_id: "g-eng",
    group_name: "Engineering",
    group_type: "group",
    created_at: ago(100),
  });
  o.projectGroupRoles.push({
    project_id: "p1",
    group_id: "g-eng",
    role_id: "prole-member",
    role_name: "Project Member",
    permissions: ["api.model.request"],
    predefined_role: true,
    resource_type: "api.project",
  });
  o.serviceAccounts.push(
    serviceAccount("p1", "sa-member", "member", ago(50)),
    serviceAccount("p1", "sa-owner", "owner", ago(50)),
    serviceAccount("p1", "sa-listed", "member", ago(50)),
    serviceAccount("p1", "sa-none", "none", ago(50)),
    // p2's only owner is a machine; p3 has a person and a machine.
    serviceAccount("p2", "sa-p2", "owner", ago(50)),
    serviceAccount("p3", "sa-p3", "owner", ago(50)),
  );
  o.apiKeys.push(
    apiKey("p1", "k-fresh", "u-alice", ago(10), ago(1)),
    apiKey("p1", "k-stale", "u-alice", ago(100), ago(95)),
    apiKey("p1", "k-recent-use", "u-alice", ago(200), ago(40)),
    apiKey("p1", "k-never-old", "sa-member", ago(91), null),
    apiKey("p1", "k-never-new", "sa-member", ago(5), null),
    apiKey("p1", "k-inactive", "u-alice", ago(10), ago(1), { owner_project_access: "inactive" }),
    apiKey("p1", "k-nonmember", "u-bob", ago(10), ago(1)),
    apiKey("p1", "k-group-member", "u-carol", ago(10), ago(1)),
    apiKey("p1", "k-left-org", "u-gone", ago(10), ago(1)),
    apiKey("p1", "k-sa", "sa-owner", ago(10), ago(1)),
    apiKey("p1", "k-old", "sa-member", ago(400), ago(1)),
    apiKey("p1", "k-young", "sa-member", ago(300), ago(1)),
  );
  o.adminKeys.push(
    adminKey("ak-noexp", "u-owner", ago(10), null, ago(1)),
    adminKey("ak-exp", "u-owner", ago(10), ago(-30), ago(1)),
    adminKey("ak-stale", "u-owner", ago(400), ago(-100), ago(200)),
    adminKey("ak-never-old", "u-owner", ago(100), ago(-100), null),
    adminKey("ak-never-new", "u-owner", ago(10), ago(-100), null),
    adminKey("ak-reader", "u-alice", ago(10), ago(-100), ago(1)),
    adminKey("ak-gone", "u-gone", ago(10), ago(-100), ago(1)),
    adminKey("ak-group-owner", "u-gowner", ago(10), ago(-100), ago(1)),
  );
  o.invites.push(
    invite("inv-owner-old", "owner", "pending", ago(10)),
    invite("inv-owner-new", "owner", "pending", ago(3)),
    invite("inv-reader-old", "reader", "pending", ago(10)),
    invite("inv-project-owner", "reader", "pending", ago(10), {
      projects: [{ project_id: "p1", role: "owner" }],
    }),
    invite("inv-project-member", "reader", "pending", ago(10), {
      projects: [{ project_id: "p1", role: "member" }],
    }),
    invite("inv-owner-accepted", "owner", "accepted", ago(10)),
    invite("inv-owner-lapsed", "owner", "pending", ago(40), { expires_at: ago(10) }),
  );
  return o;
}

describe("credential rules", () => {
  const db = newDbPath();
  const AT = T0 + 400 * DAY;
  let snapshot = 0;
  let uncollected = 0;
  let findings: Finding[] = [];

  beforeAll(async () => {
    await withStore(db, async (store) => {
      snapshot = await publishAt(store, ruleOrg(AT), AT);
      uncollected = await publishAt(store, ruleOrg(AT + DAY), AT + DAY, ["credentials"]);
      const report = await runRules(store, { snapshotId: snapshot, previousId: null });
      expect(report.errors).toEqual([]);
      // No previous snapshot: no changes, so the rules on who made them, and those comparing with
      // a previous snapshot, do not run; without allowed domains, the domain rule does not either.
      const noPrevious = `snapshot ${snapshot} has no complete snapshot before it: there are no changes to judge`;
      expect(report.skipped).toEqual([
        { rule: "audit-log-gap", reason: noPrevious },
        { rule: "change-by-non-owner", reason: noPrevious },
        { rule: "custom-role-permissions-changed", reason: noPrevious },
        { rule: "elevated-access-gained", reason: noPrevious },
        { rule: "elevated-change-by-api-key", reason: noPrevious },
        { rule: "elevated-change-unattributed", reason: noPrevious },
        {
          rule: "email-domain-not-allowed",
          reason: "no allowed email domains are configured, so no address can be judged external",
        },
        { rule: "scim-group-role-assigned", reason: noPrevious },
      ]);
      findings = report.findings;
    });
  });

  const fired = (rule: string) =>
    findings
      .filter((f) => f.rule === rule)
      .map((f) => [f.project_id, f.credential_id])
      .sort((a, b) => String(a[1]).localeCompare(String(b[1])));

  it("admin-key-without-expiry: a key that never expires, not one that does", () => {
    expect(fired("admin-key-without-expiry")).toEqual([[null, "ak-noexp"]]);
    const [f] = findings.filter((x) => x.rule === "admin-key-without-expiry");
    expect(f).toMatchObject({ severity: "medium", user_id: "u-owner", group_id: null });
    expect(f?.detail).toBe(
      `admin key admin ak-noexp (sk-admin-...oexp) of User u-owner never expires (created ${iso(AT - 10 * DAY).slice(0, 10)})`,
    );
  });

  it("admin-key-unused: unused for 90 days or never used and old, not a used or a young key", () => {
    expect(fired("admin-key-unused")).toEqual([
      [null, "ak-never-old"],
      [null, "ak-stale"],
    ]);
    const stale = findings.find(
      (x) => x.rule === "admin-key-unused" && x.credential_id === "ak-stale",
    );
    expect(stale?.severity).toBe("high");
    expect(stale?.detail).toContain("(200 days before the snapshot)");
  });

  it("admin-key-owner-not-owner: an owner without the Owner role or gone, not an Owner by any path", () => {
    expect(fired("admin-key-owner-not-owner")).toEqual([
      [null, "ak-gone"],
      [null, "ak-reader"],
    ]);
    const details = findings
      .filter((x) => x.rule === "admin-key-owner-not-owner")
      .map((x) => x.detail)
      .sort();
    expect(details).toEqual([
      "admin key admin ak-gone (sk-admin-...gone) belongs to User u-gone, who is no longer an organization user",
      "admin key admin ak-reader (sk-admin-...ader) belongs to u-alice@corp.example, who no longer holds the Owner role (role: reader)",
    ]);
  });

  it("project-key-unused: unused for 90 days or never used and old, not a used or a young key", () => {
    expect(fired("project-key-unused")).toEqual([
      ["p1", "k-never-old"],
      ["p1", "k-stale"],
    ]);
  });

  it("project-key-owner-departed: owner inactive, not a member, or gone; not a member by a group, nor a machine", () => {
    expect(fired("project-key-owner-departed")).toEqual([
      ["p1", "k-inactive"],
      ["p1", "k-left-org"],
      ["p1", "k-nonmember"],
    ]);
    const byKey = new Map(
      findings
        .filter((x) => x.rule === "project-key-owner-departed")
        .map((x) => [x.credential_id, x]),
    );
    expect(byKey.get("k-inactive")?.detail).toContain("no longer has access to the project");
    expect(byKey.get("k-nonmember")?.detail).toContain("is no longer a member of the project");
    expect(byKey.get("k-left-org")?.detail).toContain("is no longer an organization user");
    expect(byKey.get("k-nonmember")).toMatchObject({ severity: "high", user_id: "u-bob" });
  });

  it("service-account-owner-role: an owner service account, not a member", () => {
    expect(fired("service-account-owner-role")).toEqual([
      ["p1", "sa-owner"],
      ["p2", "sa-p2"],
      ["p3", "sa-p3"],
    ]);
    expect(
      findings.find(
        (x) => x.credential_id === "sa-owner" && x.rule === "service-account-owner-role",
      )?.detail,
    ).toBe('service account bot sa-owner (sa-owner) is an owner of project "Alpha" with 1 key(s)');
  });

  it("invite-elevated-pending: an Owner invite (organization or project) pending over 7 days only", () => {
    expect(fired("invite-elevated-pending")).toEqual([
      [null, "inv-owner-old"],
      [null, "inv-project-owner"],
    ]);
    const details = findings
      .filter((x) => x.rule === "invite-elevated-pending")
      .map((x) => x.detail)
      .sort();
    expect(details).toEqual([
      "invite inv-owner-old for inv-owner-old@invitee.example (organization Owner) has been pending for 10 days",
      "invite inv-project-owner for inv-project-owner@invitee.example (Owner of project(s) p1) has been pending for 10 days",
    ]);
  });

  it("key-rotation-overdue: project and admin keys older than 365 days, not younger ones", () => {
    expect(fired("key-rotation-overdue")).toEqual([
      [null, "ak-stale"],
      ["p1", "k-old"],
    ]);
  });

  it("other rules carry no credential_id", () => {
    for (const f of findings) {
      if (!CREDENTIAL_RULES.includes(f.rule)) expect(f.credential_id, f.rule).toBeNull();
      else expect(f.credential_id, f.rule).not.toBeNull();
    }
  });

  it("thresholds come from the configuration", async () => {
    await withStore(db, async (store) => {
      const report = await runRules(store, {
        snapshotId: snapshot,
        previousId: null,
        config: {
          credentials: {
            adminKeyUnusedDays: 250,
            keyUnusedDays: 96,
            invitePendingDays: 12,
            keyRotationDays: 401,
          },
        },
      });
      const ids = (rule: string) =>
        report.findings
          .filter((f) => f.rule === rule)
          .map((f) => f.credential_id)
          .sort();
      expect(ids("admin-key-unused")).toEqual([]);
      expect(ids("project-key-unused")).toEqual([]);
      expect(ids("invite-elevated-pending")).toEqual([]);
      expect(ids("key-rotation-overdue")).toEqual([]);
    });
  });

  it("is skipped, and said so, on a snapshot that did not collect credentials", async () => {
    await withStore(db, async (store) => {
      const report = await runRules(store, { snapshotId: uncollected, previousId: snapshot });
      expect(report.errors).toEqual([]);
      // The credential rules, for want of credentials; the domain rule, for want of domains.
      const credentials = report.skipped.filter((s) => s.rule !== "email-domain-not-allowed");
      expect(credentials.map((s) => s.rule)).toEqual(CREDENTIAL_RULES);
      for (const s of credentials) expect(s.reason).toMatch(/did not collect credentials/);
      expect(report.findings.filter((f) => CREDENTIAL_RULES.includes(f.rule))).toEqual([]);
    });
  });

  it("effective access lists a project's service accounts beside its people", async () => {
    await withStore(db, async (store) => {
      const rows = await listEffectiveAccess(store, snapshot, { project: "p1" });
      const machines = rows
        .filter((r) => r.principal_type === "service_account")
        .map((r) => [r.user_id, r.role_name, r.via, r.email]);
      expect(machines).toEqual([
        ["sa-listed", "Project Member", "membership", null],
        ["sa-member", "Project Member", "membership", null],
        ["sa-owner", "Project Owner", "membership", null],
      ]);
      const owners = rows
        .filter((r) => r.role_name === "Project Owner")
        .map((r) => [r.user_id, r.principal_type]);
      expect(owners).toEqual([
        ["u-owner", "user"],
        ["sa-owner", "service_account"],
      ]);
      // --user is about people: a person's paths are all of principal type user.
      const alice = await listEffectiveAccess(store, snapshot, { user: "u-alice" });
      expect(alice.length).toBeGreaterThan(0);
      expect(alice.every((r) => r.principal_type === "user")).toBe(true);
    });
  });

  it("project rules count a service account owner as a machine, and never as a departed member", () => {
    // p2 is owned only by sa-p2; p1 and p3 have a person as owner beside a service account.
    expect(
      findings
        .filter((f) => f.rule === "project-without-human-owner")
        .map((f) => [f.project_id, f.detail]),
    ).toEqual([["p2", 'project "Beta" is owned only by service account(s): sa-p2']]);
    expect(
      findings
        .filter((f) => f.rule === "project-member-not-in-organization")
        .map((f) => [f.project_id, f.user_id]),
    ).toEqual([["p1", "u-gone-member"]]);
  });
});

describe("credential thresholds in the configuration", () => {
  const dir = mkdtempSync(join(tmp, "config-"));
  const load = (yaml: string) => {
    writeFileSync(join(dir, "access-audit.config.yaml"), yaml);
    return loadConfig({ cwd: dir, env: {} });
  };

  it("defaults, file values, and their sources", async () => {
    const defaults = await load("");
    expect(defaults.analysis.credentials).toEqual({
      adminKeyUnusedDays: 90,
      keyUnusedDays: 90,
      invitePendingDays: 7,
      keyRotationDays: 365,
    });
    const set = await load(
      "analysis:\n  credentials:\n    admin_key_unused_days: 30\n    key_unused_days: 120\n    invite_pending_days: 1\n    key_rotation_days: 180\n",
    );
    expect(set.analysis.credentials).toEqual({
      adminKeyUnusedDays: 30,
      keyUnusedDays: 120,
      invitePendingDays: 1,
      keyRotationDays: 180,
    });
    expect(set.sources["analysis.credentials.key_unused_days"]).toBe("file");
  });

  it("refuses an unused threshold under 30 days and any non-positive or fractional value (exit 2)", async () => {
    for (const bad of [
      "admin_key_unused_days: 29",
      "key_unused_days: 10",
      "invite_pending_days: 0",
      "key_rotation_days: -5",
      "key_rotation_days: 1.5",
      "unknown_days: 3",
    ]) {
      const error = await load(`analysis:\n  credentials:\n    ${bad}\n`).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, bad).toMatchObject({ exitClass: "usage" });
      expect(String((error as Error).message), bad).toContain("analysis.credentials");
    }
    expect(() => resolveAnalysisConfig({ credentials: { keyUnusedDays: 29 } })).toThrow(
      /at least 30/,
    );
  });
});
