/**
 * Certification of credentials against an in-process simulator, through the real CLI on a real
 * DuckDB file with real workbooks: a credentials campaign from start to remediation. `certify
 * start --scope credentials` freezes admin keys (reviewed by an organization Owner, never the
 * key's own owner), user-owned project keys and service accounts with their keys (the project's
 * owners), and pending invites (an Owner); the workbooks show each credential's name, redacted
 * value, owner, dates and last use (exact, or "used within 30 days"); decisions come back;
 * `remediate apply` deletes exactly the revoked credentials through the API (the simulator's
 * state proves it), a 404 counts as already gone, an accepted invite's 400 is recorded as
 * refused, the tool's own admin key is refused up front without a call (even with
 * --retry-refused), a re-apply changes nothing; a crawl without credentials cannot verify, the
 * next crawl with them does. A snapshot crawled without credentials refuses the scope.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../src/api/index.js";
import { keyFits, redactedFit } from "../src/certify/credentials.js";
import { crawl } from "../src/crawl/index.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { MIGRATIONS, migrate } from "../src/store/migrations.js";
import { redactKey } from "../src/util/log.js";
import { fillWorkbook, readRows, type WorkbookRow } from "./support/certify-workbooks.js";
import { cliEnv, runCli } from "./support/cli.js";
import { FORMULA_START, hiddenIn, workbookTexts } from "./support/output-checks.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-certify-credentials-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DAY = 86_400;
const SEC = "sec@corp.example";
const OLIVIA = "olivia@corp.example";
const OSCAR = "oscar@corp.example";
const ALICE = "alice@corp.example";
const BOB = "bob@corp.example";
const day = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10);

interface Action {
  item_id: string;
  kind: string;
  action: string;
  method: string | null;
  path: string | null;
  status: string;
  attempts: number;
  error: string | null;
  credential_id: string | null;
  tool_key: string | null;
}
interface ApplyJson {
  executed: number;
  skipped: number;
  failed: number;
  refused: number;
  withheld: number;
  actions: Action[];
}
interface ItemRowDb {
  item_id: string;
  kind: string;
  project_id: string | null;
  credential_id: string;
  user_email: string | null;
  reviewer: string;
  reviewer_rule: string;
  elevated: boolean;
  path: string;
  tool_key: string | null;
}

/** One crawl into `path`, recording the simulator's admin key redacted as the CLI does. */
async function crawlInto(
  sim: RunningSimulator,
  path: string,
  options: { credentials?: boolean } = {},
): Promise<number> {
  const store = await Store.open(path);
  const client = new AdminClient({ baseUrl: sim.baseUrl, apiKey: sim.adminKey, concurrency: 4 });
  try {
    const result = await crawl({
      client,
      store,
      baseUrl: sim.baseUrl,
      keyRedacted: redactKey(sim.adminKey),
      toolVersion: "test",
      concurrency: 4,
      ...options,
    });
    return result.snapshotId;
  } finally {
    await client.close();
    await store.close();
  }
}

async function query<T>(path: string, sql: string, params?: unknown[]): Promise<T[]> {
  const store = await Store.open(path, { readOnly: true });
  try {
    return await store.query<T>(sql, params as never);
  } finally {
    await store.close();
  }
}

describe("redacted key matching", () => {
  it("fits a redacted form to the tool's redacted key and to a full key", () => {
    expect(redactedFit("sk-admin-...WXYZ", "sk-admin...WXYZ")).toBe(true);
    expect(redactedFit("sk-admin-...WXYZ", "sk-admin...XYZ")).toBe(true);
    expect(redactedFit("sk-admin-...WXYZ", "sk-admin...WXYA")).toBe(false);
    expect(redactedFit("sk-admin-...WXYZ", "sk-proj...WXYZ")).toBe(false);
    expect(redactedFit("***", "sk-admin...WXYZ")).toBeNull();
    expect(keyFits("sk-admin-sim-abcdWXYZ", "sk-admin...WXYZ")).toBe(true);
    expect(keyFits("sk-admin-sim-abcdWXYZ", "sk-admin...WXYA")).toBe(false);
  });
});

describe("a credentials campaign from start to remediation against the simulator", () => {
  let sim: RunningSimulator;
  const db = join(tmp, "audit.duckdb");
  const blindDb = join(tmp, "no-credentials.duckdb");
  const reviewers = join(tmp, "reviewers.yaml");
  const reports = join(tmp, "reports");
  const ids = {} as Record<
    | "olivia"
    | "oscar"
    | "alice"
    | "bob"
    | "apollo"
    | "bobKey"
    | "bobOldKey"
    | "aliceKey"
    | "deploy"
    | "deployKey1"
    | "deployKey2"
    | "metrics"
    | "metricsKey"
    | "oliviaAdmin"
    | "oscarAdmin"
    | "toolAdmin"
    | "newInvite"
    | "lateInvite",
    string
  >;
  let now = 0;
  let oscarExpires = 0;
  const cli = (args: string[], path = db) =>
    runCli([...args, "--db", path], cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey }), 120_000, tmp);
  const items = () =>
    query<ItemRowDb>(
      db,
      `SELECT i.* FROM certify_items AS i JOIN certify_campaigns AS c USING (campaign_id)
       WHERE c.name = 'C1' ORDER BY i.item_id`,
    );

  beforeAll(async () => {
    // The credentials clock starts 200 days ago (keys created then can have been used since).
    now = Math.floor(Date.now() / 1000);
    sim = await startSimulator({
      credentialsNow: now - 200 * DAY,
      port: 0,
      seed: 61,
      groups: 0,
      users: 0,
      projects: 1,
      projectCustomRoles: 0,
      serviceAccountsAverage: 0,
      apiKeysAverage: 0,
      adminKeys: 0,
      invites: 0,
    });
    const s = sim.state;
    const user = (name: string, email: string) => s.createUser({ name, email }).id;
    ids.olivia = user("Olivia", OLIVIA);
    ids.oscar = user("Oscar", OSCAR);
    ids.alice = user("Alice", ALICE);
    ids.bob = user("Bob", BOB);
    const owner = s.roleIdByName("Owner") as string;
    s.assignUserRole(ids.olivia, owner);
    s.assignUserRole(ids.oscar, owner);
    ids.apollo = s.createProject({ name: "Apollo" }).id;
    s.addProjectUser(ids.apollo, ids.alice, "owner");
    s.addProjectUser(ids.apollo, ids.bob, "member");

    ids.bobKey = s.createUserApiKey(ids.apollo, ids.bob, "bob laptop").id;
    s.useApiKey(ids.bobKey, now - 100 * DAY);
    ids.bobOldKey = s.createUserApiKey(ids.apollo, ids.bob, "bob old").id;
    ids.aliceKey = s.createUserApiKey(ids.apollo, ids.alice, "alice ci").id;
    s.useApiKey(ids.aliceKey, now - DAY);
    const deploy = s.createServiceAccount(ids.apollo, "deploy");
    ids.deploy = deploy.serviceAccount.id;
    ids.deployKey1 = deploy.apiKey?.id ?? "";
    ids.deployKey2 = s.createServiceAccountApiKey(ids.apollo, ids.deploy, "second").id;
    const metrics = s.createServiceAccount(ids.apollo, "metrics");
    ids.metrics = metrics.serviceAccount.id;
    ids.metricsKey = metrics.apiKey?.id ?? "";

    ids.oliviaAdmin = s.createAdminApiKey("olivia admin", { ownerUserId: ids.olivia }).id;
    const oscarKey = s.createAdminApiKey("oscar admin", {
      ownerUserId: ids.oscar,
      expiresInSeconds: 365 * DAY,
    });
    ids.oscarAdmin = oscarKey.id;
    oscarExpires = oscarKey.expires_at ?? 0;
    // The simulator lists its own key as "sk-admin...WXYZ"; the tool records "sk-admin-...WXYZ".
    ids.toolAdmin =
      s.listAdminApiKeys().find((k) => k.name === "Access review (simulator key)")?.id ?? "";
    expect(ids.toolAdmin).not.toBe("");

    ids.newInvite = s.createInvite("new@corp.example", "owner", [
      { id: ids.apollo, role: "owner" },
    ]).id;
    ids.lateInvite = s.createInvite("late@corp.example", "reader").id;
    // Not pending: not an item.
    s.expireInvite(s.createInvite("gone@corp.example", "reader").id);

    await crawlInto(sim, db);
    await crawlInto(sim, blindDb, { credentials: false });
    writeFileSync(
      reviewers,
      [
        `default: ${SEC}`,
        "project_owners: true",
        "organization_owners: true",
        "fallback: ciso@corp.example",
      ].join("\n"),
    );
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it("a snapshot crawled without credentials refuses --scope credentials in one line (exit 2)", async () => {
    const refused = await cli(
      ["certify", "start", "--name", "blind", "--scope", "credentials", "--reviewers", reviewers],
      blindDb,
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /^access-audit: snapshot 1 did not collect credentials \(crawled with --no-credentials/,
    );
  });

  it("start --scope credentials: every credential an item, with the right reviewers", async () => {
    const start = await cli([
      "certify",
      "start",
      "--name",
      "C1",
      "--scope",
      "credentials",
      "--reviewers",
      reviewers,
      "--json",
    ]);
    expect(start.status, start.stderr).toBe(0);
    const started = JSON.parse(start.stdout) as {
      items: number;
      by_kind: Record<string, number>;
      reviewers: { reviewer: string; items: number }[];
      warnings: string[];
    };
    expect(started.by_kind).toEqual({
      admin_key: 3,
      project_api_key: 3,
      service_account: 2,
      invite: 2,
    });
    expect(started.warnings).toEqual([]);
    expect(started.reviewers).toEqual([
      { reviewer: ALICE, items: 4 },
      { reviewer: OLIVIA, items: 4 },
      { reviewer: OSCAR, items: 1 },
      { reviewer: SEC, items: 1 },
    ]);
    const all = await items();
    const of = (credential: string) => {
      const hit = all.find((i) => i.credential_id === credential);
      if (hit === undefined) throw new Error(`no item for ${credential}`);
      return hit;
    };
    // An admin key goes to an Owner, never its own owner.
    expect(of(ids.oliviaAdmin)).toMatchObject({
      kind: "admin_key",
      user_email: OLIVIA,
      reviewer: OSCAR,
      reviewer_rule: "organization_owners",
      elevated: true,
      tool_key: null,
    });
    expect(of(ids.oscarAdmin)).toMatchObject({ reviewer: OLIVIA, tool_key: null });
    expect(of(ids.toolAdmin)).toMatchObject({ reviewer: OLIVIA, tool_key: "match" });
    expect(of(ids.toolAdmin).path).toContain("(the admin key this tool crawled with)");
    // A project's key and service account go to the project's owner; her own key does not.
    expect(of(ids.bobKey)).toMatchObject({
      kind: "project_api_key",
      project_id: ids.apollo,
      reviewer: ALICE,
      reviewer_rule: "project_owners",
      elevated: false,
    });
    expect(of(ids.aliceKey)).toMatchObject({ reviewer: SEC, reviewer_rule: "default" });
    expect(of(ids.deploy)).toMatchObject({ kind: "service_account", reviewer: ALICE });
    expect(of(ids.deploy).path).toBe(
      `service account "deploy" (role member) in project "Apollo" with 2 keys: ${[
        ids.deployKey1,
        ids.deployKey2,
      ]
        .sort()
        .map((k) => {
          const wire = sim.state.listProjectApiKeys(ids.apollo, "any").find((w) => w.id === k);
          return `"${wire?.name}" (${wire?.redacted_value})`;
        })
        .join(", ")}; revoking it deletes its keys`,
    );
    // A service account's keys are not items of their own.
    expect(all.some((i) => i.credential_id === ids.deployKey1)).toBe(false);
    expect(of(ids.newInvite)).toMatchObject({
      kind: "invite",
      user_email: "new@corp.example",
      reviewer: OLIVIA,
      elevated: true,
    });
    expect(all.filter((i) => i.kind === "invite").map((i) => i.user_email)).not.toContain(
      "gone@corp.example",
    );
  });

  const revoke = new Set<string>();
  const decide = (row: WorkbookRow) =>
    revoke.has(row["Credential ID"])
      ? { decision: "Revoke", justification: "not needed any more" }
      : { decision: "Approve", justification: "still needed" };

  it("export: the credential columns reviewers need, last use as precise as stored; import", async () => {
    const out = join(tmp, "out");
    const exported = await cli(["certify", "export", "--campaign", "C1", "--out", out, "--json"]);
    expect(exported.status, exported.stderr).toBe(0);
    const files = (JSON.parse(exported.stdout) as { files: { reviewer: string; path: string }[] })
      .files;
    expect(files.map((f) => f.reviewer)).toEqual([ALICE, OLIVIA, OSCAR, SEC]);
    const rows = new Map<string, WorkbookRow>();
    for (const f of files) for (const r of await readRows(f.path)) rows.set(r["Credential ID"], r);
    const keys = sim.state.listProjectApiKeys(ids.apollo, "any");
    const wire = (id: string) => keys.find((k) => k.id === id);
    expect(rows.get(ids.bobKey)).toMatchObject({
      Grant: "Project API key",
      Project: "Apollo",
      "Project ID": ids.apollo,
      Credential: "bob laptop",
      "Redacted value": wire(ids.bobKey)?.redacted_value,
      "Owner type": "User",
      "User email": BOB,
      "User name": "Bob",
      Created: day(wire(ids.bobKey)?.created_at ?? 0),
      "Last used": day(now - 100 * DAY),
      Expires: "",
    });
    expect(rows.get(ids.aliceKey)?.["Last used"]).toMatch(
      /^used within 30 days of the snapshot \(\d{4}-\d{2}-\d{2}\)$/,
    );
    expect(rows.get(ids.bobOldKey)?.["Last used"]).toBe("never");
    expect(rows.get(ids.deploy)).toMatchObject({
      Grant: "Service account",
      Credential: "deploy",
      Role: "member",
      "Owner type": "Service account",
      "Redacted value": [ids.deployKey1, ids.deployKey2]
        .sort()
        .map((k) => wire(k)?.redacted_value)
        .join(", "),
    });
    const admins = sim.state.listAdminApiKeys();
    expect(rows.get(ids.oscarAdmin)).toMatchObject({
      Grant: "Admin API key",
      Project: "",
      Credential: "oscar admin",
      "Redacted value": admins.find((k) => k.id === ids.oscarAdmin)?.redacted_value,
      "User email": OSCAR,
      Expires: day(oscarExpires),
      "Last used": "never",
    });
    expect(rows.get(ids.toolAdmin)).toMatchObject({ Expires: "never", Elevated: "Yes" });
    expect(rows.get(ids.newInvite)).toMatchObject({
      Grant: "Pending invite",
      "User email": "new@corp.example",
      Role: "owner",
    });
    expect(rows.get(ids.newInvite)?.["Access path"]).toBe(
      'pending invite of new@corp.example as owner, to project(s) "Apollo" (owner)',
    );
    for (const f of files) {
      for (const text of await workbookTexts(f.path)) {
        expect(hiddenIn(text)).toEqual([]);
        expect(text).not.toMatch(FORMULA_START);
      }
    }

    // An edited credential cell is refused: the MAC covers it.
    const filled = join(tmp, "filled");
    mkdirSync(filled, { recursive: true });
    for (const id of [
      ids.bobKey,
      ids.bobOldKey,
      ids.deploy,
      ids.oliviaAdmin,
      ids.toolAdmin,
      ids.newInvite,
      ids.lateInvite,
    ]) {
      revoke.add(id);
    }
    const alice = files[0]?.path ?? "";
    const edited = join(filled, "alice-edited.xlsx");
    await fillWorkbook(alice, edited, decide, (sheet) => {
      const header = sheet.getRow(1).values as unknown[];
      sheet.getRow(2).getCell(header.indexOf("Last used")).value = "yesterday";
    });
    const rejected = await cli(["certify", "import", edited]);
    expect(rejected.status).toBe(1);
    expect(rejected.stderr).toMatch(
      /row 2: population cell\(s\) edited: Last used "[^"]+" -> "yesterday"/,
    );

    const good: string[] = [];
    for (const f of files) {
      const path = join(filled, `${f.reviewer}.xlsx`);
      await fillWorkbook(f.path, path, decide);
      good.push(path);
    }
    const imported = await cli(["certify", "import", ...good, "--json"]);
    expect(imported.status, imported.stderr).toBe(0);
    const status = await cli(["certify", "status", "--campaign", "C1", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ items: 10, decided: 10, revoked: 7 });
  });

  it("close and apply: exactly the revoked credentials deleted; 404 gone, accepted invite and own key refused; idempotent", async () => {
    const closed = await cli(["certify", "close", "--campaign", "C1", "--out", reports]);
    expect(closed.status, closed.stderr).toBe(0);
    const plan = await cli(["remediate", "plan", "--campaign", "C1", "--json"]);
    expect(plan.status, plan.stderr).toBe(0);
    const actions = (JSON.parse(plan.stdout) as { actions: Action[] }).actions;
    const byCredential = (list: Action[], id: string) => list.find((a) => a.credential_id === id);
    expect(actions).toHaveLength(7);
    expect(byCredential(actions, ids.bobKey)).toMatchObject({
      action: "delete_project_api_key",
      method: "DELETE",
      path: `/organization/projects/${ids.apollo}/api_keys/${ids.bobKey}`,
      status: "planned",
    });
    expect(byCredential(actions, ids.deploy)).toMatchObject({
      action: "delete_service_account",
      path: `/organization/projects/${ids.apollo}/service_accounts/${ids.deploy}`,
    });
    expect(byCredential(actions, ids.oliviaAdmin)).toMatchObject({
      action: "delete_admin_api_key",
      path: `/organization/admin_api_keys/${ids.oliviaAdmin}`,
    });
    expect(byCredential(actions, ids.newInvite)).toMatchObject({
      action: "delete_invite",
      path: `/organization/invites/${ids.newInvite}`,
    });
    const planText = await cli(["remediate", "plan", "--campaign", "C1"]);
    expect(planText.stdout).toContain("will be refused: the admin key this tool crawled with");

    // Meanwhile: Bob's old key is deleted by someone else; the late invite is accepted.
    const s = sim.state;
    s.deleteProjectApiKey(ids.apollo, ids.bobOldKey);
    s.acceptInvite(ids.lateInvite);
    const apply = (...extra: string[]) =>
      cli([
        "remediate",
        "apply",
        "--campaign",
        "C1",
        "--yes",
        "--base-url",
        sim.baseUrl,
        "--json",
        ...extra,
      ]);
    const first = await apply();
    expect(first.status).toBe(1);
    expect(first.stderr).toMatch(/1 call\(s\) refused by the API \(400\/422\)/);
    expect(first.stderr).toMatch(
      /1 revocation\(s\) of the admin key this tool uses refused up front, without a call/,
    );
    const result = JSON.parse(first.stdout) as ApplyJson;
    expect(result).toMatchObject({ executed: 6, skipped: 0, failed: 2, refused: 2, withheld: 1 });
    const after = result.actions;
    expect(byCredential(after, ids.bobKey)?.status).toBe("done");
    expect(byCredential(after, ids.deploy)?.status).toBe("done");
    expect(byCredential(after, ids.oliviaAdmin)?.status).toBe("done");
    expect(byCredential(after, ids.newInvite)?.status).toBe("done");
    expect(byCredential(after, ids.bobOldKey)?.status).toBe("already_absent");
    const late = byCredential(after, ids.lateInvite);
    expect(late).toMatchObject({ status: "refused", attempts: 1 });
    expect(late?.error).toMatch(/^400 /);
    expect(late?.error?.split("\n")).toHaveLength(1);
    const own = byCredential(after, ids.toolAdmin);
    expect(own).toMatchObject({ status: "refused", attempts: 1 });
    expect(own?.error).toMatch(
      /^refused by access-audit: admin key .* is the admin key this tool crawled the campaign's snapshot with/,
    );

    // The simulator: exactly those are gone, everything else is intact.
    const keyIds = () =>
      s
        .listProjectApiKeys(ids.apollo, "any")
        .map((k) => k.id)
        .sort();
    expect(keyIds()).toEqual([ids.aliceKey, ids.metricsKey].sort());
    expect(s.listServiceAccounts(ids.apollo).map((a) => a.id)).toEqual([ids.metrics]);
    expect(
      s
        .listAdminApiKeys()
        .map((k) => k.id)
        .sort(),
    ).toEqual([ids.oscarAdmin, ids.toolAdmin].sort());
    const invites = s.listInvites();
    expect(invites.find((i) => i.id === ids.newInvite)).toBeUndefined();
    expect(invites.find((i) => i.id === ids.lateInvite)?.status).toBe("accepted");

    // Again: nothing to do, nothing changes, exit 0; asked to retry the refused, the own key
    // is still never called.
    const snapshotOf = () => JSON.stringify([keyIds(), s.listAdminApiKeys(), s.listInvites()]);
    const before = snapshotOf();
    const second = await apply();
    expect(second.status, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ executed: 0, skipped: 7, failed: 0 });
    const retried = await apply("--retry-refused");
    expect(retried.status).toBe(1);
    const again = JSON.parse(retried.stdout) as ApplyJson;
    expect(again).toMatchObject({ executed: 1, skipped: 5, refused: 2, withheld: 1 });
    expect(byCredential(again.actions, ids.toolAdmin)?.attempts).toBe(2);
    expect(snapshotOf()).toBe(before);
  });

  it("verification: a crawl without credentials cannot tell; the next crawl with them verifies", async () => {
    const status = async () => {
      const r = await cli(["certify", "status", "--campaign", "C1", "--json"]);
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { remediation: Record<string, number> }).remediation;
    };
    expect(await status()).toMatchObject({ revoked: 7, verified: 0, pending: 5, failed: 2 });
    await crawlInto(sim, db, { credentials: false });
    expect(await status()).toMatchObject({ verified: 0, pending: 5, failed: 2 });
    const seen = await crawlInto(sim, db);
    expect(await status()).toMatchObject({ revoked: 7, verified: 5, pending: 0, failed: 2 });
    const verified = await query<{ n: number }>(
      db,
      "SELECT count(*)::INTEGER AS n FROM snapshot_admin_keys WHERE snapshot_id = $1 AND key_id = $2",
      [seen, ids.oliviaAdmin],
    );
    expect(verified[0]?.n).toBe(0);
  });
});

describe("migration 9 on a certification database of schema 8", () => {
  it("keeps every campaign, item and remediation row, and accepts the credential kinds", async () => {
    const path = join(tmp, "v8.duckdb");
    const instance = await DuckDBInstance.create(path);
    const con = await instance.connect();
    const logger = pino({ level: "silent" });
    try {
      await migrate(con, logger, MIGRATIONS.slice(0, 8));
      await con.run(
        `INSERT INTO certify_campaigns VALUES (1, 'Q3', 1, 'seal', 'projects', NULL, NULL,
          'reviewer:a@b.c', 'keep', false, DATE '2026-09-30', 'ab', 'closed', now(), now(),
          ['proj'], ['user_roles'])`,
      );
      await con.run(
        `INSERT INTO certify_items VALUES (1, 'PM-1', 'project_membership', NULL, NULL, NULL,
          'u', 'u@x', 'U', 'r', 'Project Owner', true, 'owner of project "P"', 'f', 'a@b.c',
          'project_owners', false, NULL, 'proj', 'P')`,
      );
      await con.run(
        `INSERT INTO certify_remediation VALUES (1, 'PM-1', 'remove_project_member', 'DELETE',
          '/organization/projects/proj/users/u', 'refused', 1, '400', now(), now())`,
      );
      await migrate(con, logger);
      const read = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJS();
      expect(
        await read(
          "SELECT name, scope, due_date::VARCHAR AS due, project_filter, uncollected FROM certify_campaigns",
        ),
      ).toEqual([
        {
          name: "Q3",
          scope: "projects",
          due: "2026-09-30",
          project_filter: ["proj"],
          uncollected: ["user_roles"],
        },
      ]);
      expect(
        await read(
          "SELECT item_id, kind, project_id, project_name, credential_id, tool_key FROM certify_items",
        ),
      ).toEqual([
        {
          item_id: "PM-1",
          kind: "project_membership",
          project_id: "proj",
          project_name: "P",
          credential_id: null,
          tool_key: null,
        },
      ]);
      expect(
        await read("SELECT item_id, status, attempts, error FROM certify_remediation"),
      ).toEqual([{ item_id: "PM-1", status: "refused", attempts: 1, error: "400" }]);
      await con.run(
        `INSERT INTO certify_campaigns (campaign_id, name, snapshot_id, seal, scope,
          reviewers_source, undecided_policy, allow_self_review, secret, status, created_at)
         VALUES (2, 'C', 1, 's', 'credentials', 'x', 'keep', false, 'ab', 'open', now())`,
      );
      await con.run(
        `INSERT INTO certify_items (campaign_id, item_id, kind, elevated, path, fingerprint,
          reviewer, reviewer_rule, self_review, credential_id, tool_key)
         VALUES (2, 'AK-1', 'admin_key', true, 'admin API key', 'f', 'a@b.c',
          'organization_owners', false, 'key_1', 'match')`,
      );
      await con.run(
        `INSERT INTO certify_remediation VALUES (2, 'AK-1', 'delete_admin_api_key', 'DELETE',
          '/organization/admin_api_keys/key_1', 'planned', 0, NULL, now(), NULL)`,
      );
      await expect(
        con.run(
          `INSERT INTO certify_items (campaign_id, item_id, kind, elevated, path, fingerprint,
            reviewer, reviewer_rule, self_review)
           VALUES (2, 'X-1', 'api_key_everything', false, '', 'f', 'a@b.c', 'default', false)`,
        ),
      ).rejects.toThrow(/CHECK constraint/);
      await expect(
        con.run(
          `INSERT INTO certify_campaigns (campaign_id, name, snapshot_id, seal, scope,
            reviewers_source, undecided_policy, allow_self_review, secret, status, created_at)
           VALUES (3, 'Q3', 1, 's', 'credentials', 'x', 'keep', false, 'ab', 'open', now())`,
        ),
      ).rejects.toThrow(/Duplicate key|unique/i);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });
});
