/**
 * Transport security (SECURITY.md, issue 14 items 7, 8, 9a), through the real CLI as a child
 * process against the simulator over real HTTP:
 * - the admin key is never sent over plain HTTP to another machine unless that was allowed
 *   (`--allow-insecure-http`, `api.allow_insecure_http`), and the refusal comes before any
 *   connection, from every command that calls the API;
 * - a key that ends up in the base URL (user name, password, query string, fragment, the key
 *   itself as the URL) is refused before anything is printed or stored, and reaches no output,
 *   log, file or database; a server echoing the key base64- or hex-encoded is redacted too;
 * - a server that pages forever with fresh ids meets the crawl's ceilings (pages per listing,
 *   items, time): a clean failure naming the ceiling and its setting, no snapshot published.
 */

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { encodedForms } from "../src/util/log.js";
import { type CliResult, cliEnv, runCli, runCliChild } from "./support/cli.js";
import { textColumnHits } from "./support/db-search.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-transport-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh working folder, with a configuration file when `yaml` is given. */
let folders = 0;
function folder(yaml?: string): string {
  folders += 1;
  const dir = join(tmp, `wd-${folders}`);
  mkdirSync(dir, { recursive: true });
  if (yaml !== undefined) writeFileSync(join(dir, "access-audit.config.yaml"), yaml);
  return dir;
}

/** Every file below `dir`, recursively. */
function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

/** The message lines of stderr (not the JSON log lines). */
function messageLines(stderr: string): string[] {
  return stderr
    .trim()
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("{"));
}

/** Exactly one message line on stderr, matching `pattern`. */
function expectOneLine(result: CliResult, pattern: RegExp): void {
  const lines = messageLines(result.stderr);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^access-audit: /);
  expect(lines[0]).toMatch(pattern);
}

async function snapshotStatuses(db: string): Promise<string[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    const rows = await store.query<{ status: string }>(
      "SELECT status FROM snapshots ORDER BY snapshot_id",
    );
    return rows.map((r) => r.status);
  } finally {
    await store.close();
  }
}

/** An address of this machine that is not loopback (the key would cross a network to it). */
const LAN_ADDRESS = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === "IPv4" && !a.internal)?.address;

const INSECURE =
  /refusing to send the admin key in clear text over plain HTTP to (\S+): use https:\/\/, or allow it for a network you trust with --allow-insecure-http \(api\.allow_insecure_http: true\)$/;

// ---------------------------------------------------------------------------------------------

describe("plain HTTP to another machine", () => {
  let lan: RunningSimulator | undefined;
  let env: NodeJS.ProcessEnv;
  const key = "sk-admin-transport-plainhttp-0123456789abcdefghij";

  beforeAll(async () => {
    if (LAN_ADDRESS !== undefined) {
      lan = await startSimulator({
        host: LAN_ADDRESS,
        port: 0,
        seed: 4,
        groups: 6,
        users: 30,
        adminKey: key,
      });
    }
    env = cliEnv({ OPENAI_ADMIN_KEY: key });
  });
  afterAll(async () => {
    await lan?.stop();
  });

  /** Targets over plain HTTP on other machines; none is ever connected to. */
  const targets = (): string[] => [
    ...(lan ? [lan.baseUrl] : []),
    "http://10.255.255.1/v1",
    "http://example.invalid:8080/v1",
  ];

  it("crawl refuses it with one line, exit 2, before any connection or database", async () => {
    for (const target of targets()) {
      const cwd = folder();
      const result = await runCli(["crawl", "--base-url", target], env, 60_000, cwd);
      expect(result.status, result.stderr).toBe(2);
      expectOneLine(result, INSECURE);
      expect(messageLines(result.stderr)[0]).toMatch(/^access-audit: --base-url: refusing/);
      expect(messageLines(result.stderr)[0]).toContain(` to ${new URL(target).host}: `);
      expect(result.stdout).toBe("");
      expect(filesBelow(cwd)).toEqual([]);
    }
    expect(lan?.stats().requests ?? 0).toBe(0);
  });

  it("so do run, schedule, remediate apply and config check, wherever the URL comes from", async () => {
    const url = lan?.baseUrl ?? "http://10.255.255.1/v1";
    const fromFile = folder(`database: ./audit.duckdb\napi:\n  base_url: ${url}\n`);
    const run = await runCli(["run"], env, 60_000, fromFile);
    expect(run.status, run.stderr).toBe(2);
    expectOneLine(run, /^access-audit: \S*access-audit\.config\.yaml: api\.base_url: refusing/);
    expectOneLine(run, INSECURE);

    const check = await runCli(["config", "check"], env, 60_000, fromFile);
    expect(check.status, check.stderr).toBe(2);
    expectOneLine(check, /^access-audit: access-audit\.config\.yaml: api\.base_url: refusing/);

    // schedule would run until stopped: it must refuse at start-up instead.
    const schedule = await runCliChild(["schedule", "--cron", "* * * * * *"], {
      env: { ...env, OPENAI_BASE_URL: url },
      cwd: folder(),
      timeoutMs: 30_000,
    });
    expect(schedule.timedOut).toBe(false);
    expect(schedule.status, schedule.stderr).toBe(2);
    expectOneLine(schedule, /^access-audit: OPENAI_BASE_URL: refusing/);

    const remediate = await runCli(
      ["remediate", "apply", "--campaign", "Q4", "--yes", "--base-url", url],
      env,
      60_000,
      folder(),
    );
    expect(remediate.status, remediate.stderr).toBe(2);
    expectOneLine(remediate, /^access-audit: --base-url: refusing/);

    for (const r of [run, check, schedule, remediate]) {
      expect(r.stderr + r.stdout).not.toContain(key);
    }
    expect(lan?.stats().requests ?? 0).toBe(0);
  });

  it("loopback is this machine: plain HTTP to 127.0.0.1 needs no flag", async () => {
    const local = await startSimulator({ port: 0, seed: 4, groups: 3, users: 10, adminKey: key });
    try {
      const result = await runCli(
        ["crawl", "--db", "audit.duckdb", "--base-url", local.baseUrl],
        env,
        60_000,
        folder(),
      );
      expect(result.status, result.stderr).toBe(0);
    } finally {
      await local.stop();
    }
  });

  it("allowed with --allow-insecure-http or api.allow_insecure_http", async () => {
    // Allowed in the file: config check accepts it and says where it came from.
    const allowedFile = folder(
      `database: ./audit.duckdb\napi:\n  base_url: ${lan?.baseUrl ?? "http://example.invalid/v1"}\n  allow_insecure_http: true\n`,
    );
    const check = await runCli(["config", "check"], env, 60_000, allowedFile);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain("allow_insecure_http: true # file\n");

    if (lan !== undefined) {
      // A real crawl over plain HTTP to another address of this machine.
      const crawl = await runCli(
        ["crawl", "--db", "audit.duckdb", "--base-url", lan.baseUrl, "--allow-insecure-http"],
        env,
        60_000,
        folder(),
      );
      expect(crawl.status, crawl.stderr).toBe(0);
      expect(crawl.stdout).toMatch(/^snapshot 1 complete/);
      const run = await runCli(["run", "--json"], env, 60_000, allowedFile);
      expect(run.status, run.stderr).toBe(0);
      expect(lan.stats().requests).toBeGreaterThan(0);
    } else {
      // No other address here: the flag lets it try (and fail to resolve), not refuse.
      const tried = await runCliChild(
        ["crawl", "--base-url", "http://example.invalid/v1", "--allow-insecure-http"],
        {
          env: { ...env, ACCESS_AUDIT_LOG_LEVEL: "debug" },
          cwd: folder(),
          killAfterMs: 5_000,
        },
      );
      expect(tried.stderr).not.toMatch(/refusing/);
      expect(tried.stderr).toMatch(/admin api: retrying/);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("a key in the base URL reaches no output, log, file or database", () => {
  /** The admin key has the usual shape; the gateway token of the second one does not. */
  let sim: RunningSimulator;
  let gateway: RunningSimulator;
  const token = "corp-gateway-token-0123456789abcdef";
  const data = join(tmp, "data");
  const db = join(data, "audit.duckdb");
  const outputs: string[] = [];
  let refusals = 0;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 8, groups: 6, users: 40 });
    gateway = await startSimulator({ port: 0, seed: 9, groups: 4, users: 20, adminKey: token });
    mkdirSync(data, { recursive: true });
    // A database with a snapshot in it: what a mistake must not add to.
    const first = await runCli(
      ["crawl", "--db", db, "--base-url", sim.baseUrl],
      cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey }),
      60_000,
      tmp,
    );
    expect(first.status, first.stderr).toBe(0);
  });
  afterAll(async () => {
    await sim?.stop();
    await gateway?.stop();
  });

  /** Each mistake, with the key it leaks and the simulator it would otherwise reach. */
  const mistakes = (): [string, string, (key: string, host: string) => string][] => [
    ["as the password", "userinfo", (k, h) => `http://audit:${k}@${h}/v1`],
    ["as the user name", "userinfo", (k, h) => `http://${k}@${h}/v1`],
    ["in the query string", "query", (k, h) => `http://${h}/v1?api_key=${k}`],
    ["in the fragment", "fragment", (k, h) => `http://${h}/v1#${k}`],
    ["as the whole URL", "key", (k) => k],
  ];
  const shown: Record<string, RegExp> = {
    userinfo: /without a user name or password .*got "http:\/\/\[redacted\]@127\.0\.0\.1:\d+\/v1"$/,
    query: /without a query string .*got "http:\/\/127\.0\.0\.1:\d+\/v1\?\[redacted\]"$/,
    fragment: /without a fragment .*got "http:\/\/127\.0\.0\.1:\d+\/v1#\[redacted\]"$/,
  };

  async function attempt(args: string[], env: NodeJS.ProcessEnv, cwd = tmp): Promise<CliResult> {
    const result = await runCli(args, env, 60_000, cwd);
    outputs.push(result.stdout, result.stderr);
    refusals += 1;
    return result;
  }

  it.each([
    ["an admin key", "sim"],
    ["a token of another shape", "gateway"],
  ] as const)(
    "%s: refused from a flag, the environment and the file, never repeated",
    async (_n, which) => {
      const target = which === "sim" ? sim : gateway;
      const key = target.adminKey;
      const host = new URL(target.baseUrl).host;
      const env = cliEnv({ OPENAI_ADMIN_KEY: key });
      for (const [name, kind, make] of mistakes()) {
        const url = make(key, host);
        const flag = await attempt(["crawl", "--db", db, "--base-url", url], env);
        const viaEnv = await attempt(["crawl", "--db", db], { ...env, OPENAI_BASE_URL: url });
        const cwd = folder(`database: ${db}\napi:\n  base_url: "${url}"\n`);
        const run = await attempt(["run"], env, cwd);
        const check = await attempt(["config", "check", "--json"], env, cwd);
        for (const [via, result] of [
          ["flag", flag],
          ["env", viaEnv],
          ["file: run", run],
          ["file: config check", check],
        ] as const) {
          const what = `${name} via ${via}`;
          expect(result.status, `${what}: ${result.stderr}`).toBe(2);
          expect(messageLines(result.stderr), what).toHaveLength(1);
          expect(result.stderr + result.stdout, what).not.toContain(key);
          const line = messageLines(result.stderr)[0] ?? "";
          if (which === "sim" && via.startsWith("file")) {
            // A key-shaped value in the file is refused as a literal secret, before the schema.
            expect(line, what).toMatch(
              /api\.base_url: this value looks like an API key; secrets are not read from the config file/,
            );
          } else if (which === "sim") {
            expect(line, what).toMatch(
              /shaped like a key \(not shown\)|looks like an API key \(not shown\)/,
            );
          } else if (kind === "key") {
            // Not key-shaped: named, but masked (registered before anything was parsed).
            expect(line, what).toMatch(
              /expected an http\(s\) URL such as \S+, got "cor\.\.\.cdef"$/,
            );
          } else {
            expect(line, what).toMatch(shown[kind] as RegExp);
          }
        }
      }
    },
  );

  it("a key read from a key file and pasted as the base URL is refused unseen", async () => {
    const keyFile = join(tmp, "admin.key");
    writeFileSync(keyFile, `${sim.adminKey}\n`);
    const result = await attempt(
      ["crawl", "--db", db, "--key-file", keyFile, "--base-url", sim.adminKey],
      cliEnv({}),
    );
    expect(result.status, result.stderr).toBe(2);
    expectOneLine(
      result,
      /^access-audit: --base-url: expected an http\(s\) URL such as https:\/\/api\.openai\.com\/v1, got a value that looks like an API key \(not shown\)/,
    );
    rmSync(keyFile);
  });

  it("nothing was stored: no new snapshot, and no key in any file or column", async () => {
    expect(refusals).toBeGreaterThanOrEqual(41);
    expect(await snapshotStatuses(db)).toEqual(["complete"]);
    const secrets = [sim.adminKey, gateway.adminKey];
    for (const text of outputs) for (const s of secrets) expect(text.includes(s)).toBe(false);
    const files = filesBelow(data);
    expect(files).toContain(db);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const s of secrets) expect(bytes.includes(s), `${s} in ${file}`).toBe(false);
    }
    const scanned: string[] = [];
    expect(await textColumnHits(db, secrets, scanned)).toEqual([]);
    // The audit log the first crawl synced is searched too.
    expect(scanned).toEqual(
      expect.arrayContaining(["audit_events.event", "audit_log_syncs.key_redacted"]),
    );
    // The search finds what is there (so it can fail): the base URL of the first crawl, with
    // its snapshot and with the audit-log sync that followed it.
    expect(await textColumnHits(db, [new URL(sim.baseUrl).host])).toEqual(
      expect.arrayContaining(["snapshot_runs.base_url", "audit_log_syncs.base_url"]),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe("a server echoing the key encoded in an error body", () => {
  const key = "sk-admin-echo-0123456789abcdefghijklmnopqrstuvwxyzABCD";
  const b64 = (t: string) => Buffer.from(t).toString("base64");
  const b64url = (t: string) => Buffer.from(t).toString("base64url");
  const hex = (t: string) => Buffer.from(t).toString("hex");
  const echoes = {
    base64: b64(key),
    base64Unpadded: b64(key).replace(/=+$/, ""),
    base64url: b64url(key),
    hex: hex(key),
    HEX: hex(key).toUpperCase(),
    basicAuth: b64(`audit:${key}`),
    bearer: b64(`Bearer ${key}`),
  };
  let server: Server;
  let baseUrl = "";

  beforeAll(async () => {
    server = createServer((_req, res) => {
      const message = `Incorrect API key provided: ${Object.entries(echoes)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`;
      res.writeHead(401, {
        "content-type": "application/json",
        "x-request-id": `req_${echoes.base64url}`,
      });
      res.end(
        JSON.stringify({
          error: { message, type: echoes.hex, param: echoes.basicAuth, code: echoes.base64 },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("base64 (standard, url-safe, padded or not), hex, basic auth: all redacted", async () => {
    const data = join(tmp, "echo");
    mkdirSync(data);
    const db = join(data, "audit.duckdb");
    const result = await runCli(
      ["crawl", "--db", db, "--base-url", baseUrl],
      cliEnv({ OPENAI_ADMIN_KEY: key }),
      60_000,
      tmp,
    );
    expect(result.status, result.stderr).toBe(1);
    expectOneLine(
      result,
      /^access-audit: 401 auth: GET \/organization\/roles\S*: Unauthorized: Incorrect API key provided: base64=\[redacted\]/,
    );
    const forbidden = [key, ...Object.values(echoes), ...encodedForms(key)];
    const line = messageLines(result.stderr)[0] ?? "";
    for (const name of Object.keys(echoes))
      expect(line).toMatch(new RegExp(`${name}=\\S*\\[redacted\\]`));
    for (const f of forbidden) expect(result.stderr + result.stdout, f).not.toContain(f);
    // The failed run's error is stored: the same redacted line, nothing of the key.
    const store = await Store.open(db, { readOnly: true });
    try {
      const rows = await store.query<{ status: string; error: string }>(
        "SELECT status, error FROM snapshot_runs",
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]?.status).toBe("failed");
      expect(rows[0]?.error).toMatch(/Incorrect API key provided: base64=\[redacted\]/);
    } finally {
      await store.close();
    }
    for (const file of filesBelow(data)) {
      const bytes = readFileSync(file);
      for (const f of forbidden) expect(bytes.includes(f), `${f} in ${file}`).toBe(false);
    }
    expect(await textColumnHits(db, forbidden)).toEqual([]);
  });

  it("an audit-log refusal echoing the key: the crawl succeeds, its failed sync stores no key", async () => {
    // The simulator behind a proxy that answers the audit log with a 400 echoing the key (a
    // refused sync's reason quotes the API's message: it is stored with the sync).
    const sim = await startSimulator({ port: 0, seed: 12, groups: 3, users: 10, adminKey: key });
    const upstream = new URL(sim.baseUrl).origin;
    const proxy = createServer((req, res) => {
      if ((req.url ?? "").includes("/organization/audit_logs")) {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            error: {
              message: `Audit logging is off for key ${Object.entries(echoes)
                .map(([k, v]) => `${k}=${v}`)
                .join(" ")}`,
              type: echoes.hex,
              param: echoes.basicAuth,
              code: echoes.base64,
            },
          }),
        );
        return;
      }
      fetch(`${upstream}${req.url}`, {
        headers: { authorization: String(req.headers.authorization) },
      })
        .then(async (r) => {
          res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "" });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const data = join(tmp, "echo-audit-log");
    mkdirSync(data);
    const db = join(data, "audit.duckdb");
    try {
      const port = (proxy.address() as AddressInfo).port;
      const result = await runCli(
        ["crawl", "--db", db, "--base-url", `http://127.0.0.1:${port}/v1`, "--json"],
        cliEnv({ OPENAI_ADMIN_KEY: key }),
        60_000,
        tmp,
      );
      expect(result.status, result.stderr).toBe(0);
      const forbidden = [key, ...Object.values(echoes), ...encodedForms(key)];
      for (const f of forbidden) expect(result.stderr + result.stdout, f).not.toContain(f);
      const store = await Store.open(db, { readOnly: true });
      try {
        const syncs = await store.listAuditSyncs();
        expect(syncs.map((x) => x.status)).toEqual(["failed"]);
        expect(syncs[0]?.reason).toMatch(
          /^the API refused to list the audit log \(HTTP 400: .*base64=\S*\[redacted\]/,
        );
      } finally {
        await store.close();
      }
      for (const file of filesBelow(data)) {
        const bytes = readFileSync(file);
        for (const f of forbidden) expect(bytes.includes(f), `${f} in ${file}`).toBe(false);
      }
      const scanned: string[] = [];
      expect(await textColumnHits(db, forbidden, scanned)).toEqual([]);
      expect(scanned).toContain("audit_log_syncs.reason");
      // The search sees the reason (so it can fail).
      expect(await textColumnHits(db, ["the API refused to list the audit log"])).toEqual([
        "audit_log_syncs.reason",
      ]);
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await sim.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("a server that pages forever meets the crawl's ceilings", () => {
  let sim: RunningSimulator;
  const db = join(tmp, "ceilings.duckdb");
  let env: NodeJS.ProcessEnv;
  let items = 0;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 21, groups: 10, users: 250 });
    env = cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey });
    const first = await runCli(
      ["crawl", "--db", db, "--base-url", sim.baseUrl, "--json"],
      env,
      60_000,
      tmp,
    );
    expect(first.status, first.stderr).toBe(0);
    // Every item of every listing, projects included: the completeness record's total.
    const out = JSON.parse(first.stdout) as { endpoints: { items: number }[] };
    items = out.endpoints.reduce((sum, e) => sum + e.items, 0);
    expect(items).toBeGreaterThan(250);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("the simulator's endless fault serves fresh ids with has_more, page after page", async () => {
    sim.setFaults({ endlessPagesRate: 1, paths: "/organization/(groups|users)$" });
    try {
      const seen = new Set<string>();
      for (const [path, cursorKey] of [
        ["/organization/groups?limit=20", "next"],
        ["/organization/users?limit=7", "last_id"],
      ] as const) {
        let after: string | null = null;
        for (let page = 0; page < 4; page++) {
          const query: string = after === null ? "" : `&after=${encodeURIComponent(after)}`;
          const res = await fetch(`${sim.baseUrl}${path}${query}`, {
            headers: { authorization: `Bearer ${sim.adminKey}` },
          });
          const body = (await res.json()) as Record<string, unknown> & { data: { id: string }[] };
          expect(res.status).toBe(200);
          expect(body.has_more).toBe(true);
          expect(body.data).toHaveLength(path.includes("users") ? 7 : 20);
          for (const item of body.data) {
            expect(seen.has(item.id)).toBe(false);
            seen.add(item.id);
          }
          after = body[cursorKey] as string;
          expect(after).toBeTruthy();
        }
      }
      expect(sim.stats().faults.endlessPages).toBe(8);
    } finally {
      sim.setFaults(undefined);
    }
  });

  it.each([
    [
      "pages per listing",
      ["--max-pages-per-listing", "5"],
      /^access-audit: crawl stopped at its max_pages_per_listing ceiling: the listing of \/organization\/groups still said has_more=true after 5 pages; snapshot not published \(if the organization really is that large, raise crawl\.max_pages_per_listing or --max-pages-per-listing\)$/,
    ],
    [
      "items per crawl",
      ["--max-items", "2500"],
      /^access-audit: crawl stopped at its max_items ceiling: 2500 items in one crawl would be exceeded by page 3 of \/organization\/groups \(\d+ read before it\); snapshot not published \(if the organization really is that large, raise crawl\.max_items or --max-items\)$/,
    ],
    [
      "time",
      ["--max-duration", "2s"],
      /^access-audit: crawl stopped at its max_duration ceiling: still reading the API after 2s; snapshot not published \(if a crawl of this organization really takes that long, raise crawl\.max_duration or --max-duration\)$/,
    ],
  ])("%s: a clean failure naming the ceiling, no snapshot", async (_name, flags, pattern) => {
    const before = await snapshotStatuses(db);
    sim.setFaults({ endlessPagesRate: 1, paths: "/organization/groups$", latencyMs: 20 });
    const started = performance.now();
    let result: CliResult;
    try {
      result = await runCli(
        ["crawl", "--db", db, "--base-url", sim.baseUrl, ...flags],
        env,
        60_000,
        tmp,
      );
    } finally {
      sim.setFaults(undefined);
    }
    expect(result.status, result.stderr).toBe(1);
    expectOneLine(result, pattern);
    expect(result.stdout).toBe("");
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(await snapshotStatuses(db)).toEqual([...before, "failed"]);
  });

  it("run stops at a ceiling set in the configuration, and publishes nothing", async () => {
    const before = await snapshotStatuses(db);
    const cwd = folder(
      `database: ${db}\napi:\n  base_url: ${sim.baseUrl}\ncrawl:\n  max_items: 2500\nreport:\n  output: ./reports\n`,
    );
    sim.setFaults({ endlessPagesRate: 1, paths: "/organization/groups$" });
    let result: CliResult;
    try {
      result = await runCli(["run"], env, 60_000, cwd);
    } finally {
      sim.setFaults(undefined);
    }
    expect(result.status, result.stderr).toBe(1);
    expectOneLine(
      result,
      /max_items ceiling: 2500 items .*raise crawl\.max_items or --max-items\)$/,
    );
    expect(await snapshotStatuses(db)).toEqual([...before, "failed"]);
    expect(existsSync(join(cwd, "reports"))).toBe(false);
  });

  it("a real organization exactly at a ceiling passes; one page or item more fails", async () => {
    const crawl = (flags: string[]) =>
      runCli(
        ["crawl", "--db", db, "--base-url", sim.baseUrl, "--json", ...flags],
        env,
        60_000,
        tmp,
      );
    // 250 users are 3 pages of the users listing (100 a page); every other listing is 1 page.
    const pagesOk = await crawl(["--max-pages-per-listing", "3"]);
    expect(pagesOk.status, pagesOk.stderr).toBe(0);
    const pagesShort = await crawl(["--max-pages-per-listing", "2"]);
    expect(pagesShort.status).toBe(1);
    expectOneLine(
      pagesShort,
      /listing of \/organization\/users still said has_more=true after 2 pages/,
    );
    const itemsOk = await crawl(["--max-items", String(items)]);
    expect(itemsOk.status, itemsOk.stderr).toBe(0);
    const itemsShort = await crawl(["--max-items", String(items - 1)]);
    expect(itemsShort.status).toBe(1);
    expectOneLine(itemsShort, new RegExp(`max_items ceiling: ${items - 1} items in one crawl`));
    expect((await snapshotStatuses(db)).slice(-4)).toEqual([
      "complete",
      "failed",
      "complete",
      "failed",
    ]);
  });
});
