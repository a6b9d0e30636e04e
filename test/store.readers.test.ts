/**
 * Readers during a crawl (issue 19): the crawl stages in a scratch database of its own
 * (`<db>.crawl`) and holds the database only to publish, so a reader started while it reads the
 * API succeeds at once; a reader that finds the database held waits up to `lock_wait` and says
 * so; past it, one line naming the wait. A crawl killed while it lists leaves neither snapshot
 * nor scratch behind once the next crawl ran. A crawl reads the API while its database opens:
 * held by another process, it reads no more than its cap of rows meanwhile, then publishes (its
 * `started_at` before its first request); past `lock_wait` or on SIGINT it fails with the open's
 * own line and leaves nothing. Real CLI, real simulator, real DuckDB file.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../src/api/index.js";
import { crawl } from "../src/crawl/index.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { packageDirectory } from "../src/util/package-dir.js";
import { CLI, cliEnv, runCli } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "store-readers-"));
const children = new Set<ChildProcess>();
let counter = 0;
let sim: RunningSimulator;
let slow: RunningSimulator;
/** Large enough that its rows exceed what a crawl holds while its database opens (5,000). */
let wide: RunningSimulator;

/** A fresh folder holding one database path (not yet created). */
function newDb(): string {
  counter += 1;
  const dir = join(work, `case-${counter}`);
  mkdirSync(dir);
  return join(dir, "audit.duckdb");
}

const env = (extra: NodeJS.ProcessEnv = {}) =>
  cliEnv({ OPENAI_ADMIN_KEY: slow.adminKey, ...extra });

interface SnapshotLine {
  snapshot_id: number;
  status: string;
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 31, groups: 5, users: 40 });
  // Slow enough that listing takes many seconds: 25 ms a request, about 700 requests.
  slow = await startSimulator({ port: 0, seed: 31, groups: 60, users: 600, latencyMs: 25 });
  wide = await startSimulator({
    port: 0,
    seed: 32,
    groups: 200,
    users: 5000,
    memberships: 200_000,
    projects: 0,
  });
});

afterEach(() => {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
});

afterAll(async () => {
  await sim.stop();
  await slow.stop();
  await wide.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A first snapshot, from the fast simulator. */
async function firstSnapshot(db: string): Promise<void> {
  const r = await runCli(
    ["crawl", "--db", db, "--base-url", sim.baseUrl, "--json"],
    cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey }),
  );
  expect(r.status, r.stderr).toBe(0);
}

/** A crawl of the slow simulator as a child; resolves once its snapshot has started staging. */
async function startSlowCrawl(
  db: string,
): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    [CLI, "crawl", "--db", db, "--base-url", slow.baseUrl, "--json"],
    {
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.add(child);
  const exited = new Promise<number | null>((done) => child.once("exit", done));
  await new Promise<void>((ready, fail) => {
    let seen = "";
    child.stderr?.setEncoding("utf8"); // a character can straddle two chunks
    child.stderr?.on("data", (d: string) => {
      seen += d;
      if (seen.includes('"phase":"members"')) ready();
    });
    child.once("exit", () => fail(new Error(`crawl ended before it listed: ${seen}`)));
  });
  return { child, exited };
}

/** A process that opens the database for writing (the real store) and holds it until told to let go. */
function holdDatabase(db: string): Promise<ChildProcess> {
  const store = join(packageDirectory(), "dist", "store", "index.js");
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { Store } from ${JSON.stringify(store)};
       const store = await Store.open(${JSON.stringify(db)});
       process.stdout.write("held\\n");
       process.stdin.once("data", async () => { await store.close(); process.stdout.write("released\\n"); });`,
    ],
    { cwd: packageDirectory(), stdio: ["pipe", "pipe", "pipe"] },
  );
  children.add(child);
  return new Promise((ready, fail) => {
    child.stdout?.once("data", () => ready(child));
    child.once("exit", (code) => fail(new Error(`holder exited ${code}`)));
  });
}

describe("readers during a crawl", () => {
  it("a reader started while a crawl lists succeeds at once, without waiting", async () => {
    const db = newDb();
    await firstSnapshot(db);
    const { child, exited } = await startSlowCrawl(db);
    let crawlEnded = false;
    void exited.then(() => {
      crawlEnded = true;
    });
    // No wait allowed: it succeeds only if nothing holds the database.
    const reader = await runCli(
      ["snapshots", "--db", db, "--json"],
      env({ ACCESS_AUDIT_LOCK_WAIT: "0s" }),
    );
    expect(crawlEnded).toBe(false);
    expect(reader.status, reader.stderr).toBe(0);
    expect(reader.stderr).toBe("");
    const listed = JSON.parse(reader.stdout) as SnapshotLine[];
    // The crawl's snapshot is not there at all while it lists: no `running` row to mistake for data.
    expect(listed.map((s) => [s.snapshot_id, s.status])).toEqual([[1, "complete"]]);
    expect(existsSync(`${db}.crawl`)).toBe(true);
    expect(await exited).toBe(0);
    expect(child.exitCode).toBe(0);
    const after = await runCli(["snapshots", "--db", db, "--json"], env());
    expect((JSON.parse(after.stdout) as SnapshotLine[]).map((s) => s.status)).toEqual([
      "complete",
      "complete",
    ]);
    expect(existsSync(`${db}.crawl`)).toBe(false);
  });

  it("after a crawl that staged apart, the store takes the database again only when used", async () => {
    const db = newDb();
    await firstSnapshot(db);
    const store = await Store.open(db, { stageApart: true });
    const client = new AdminClient({ baseUrl: sim.baseUrl, apiKey: sim.adminKey, concurrency: 4 });
    try {
      const crawled = await crawl({
        client,
        store,
        baseUrl: sim.baseUrl,
        keyRedacted: "sk-admin...test",
        toolVersion: "test",
        auditLog: false,
      });
      expect(crawled.snapshotId).toBe(2);
      // Published, the store still open: nothing holds the file, so a reader needs no wait.
      const free = await runCli(
        ["snapshots", "--db", db, "--json"],
        env({ ACCESS_AUDIT_LOCK_WAIT: "0s" }),
      );
      expect(free.status, free.stderr).toBe(0);
      expect((JSON.parse(free.stdout) as SnapshotLine[]).map((s) => s.status)).toEqual([
        "complete",
        "complete",
      ]);
      // Its next use takes the database again, and holds it as before.
      expect((await store.listSnapshots()).map((s) => s.snapshot_id)).toEqual([1, 2]);
      const held = await runCli(
        ["snapshots", "--db", db, "--json"],
        env({ ACCESS_AUDIT_LOCK_WAIT: "0s" }),
      );
      expect(held.status).toBe(1);
      expect(held.stderr).toMatch(/in use by another process/);
    } finally {
      await client.close();
      await store.close();
    }
    const closed = await runCli(
      ["snapshots", "--db", db, "--json"],
      env({ ACCESS_AUDIT_LOCK_WAIT: "0s" }),
    );
    expect(closed.status, closed.stderr).toBe(0);
  });

  it("a reader that finds the database held waits, says so once, and then succeeds", async () => {
    const db = newDb();
    await firstSnapshot(db);
    const holder = await holdDatabase(db);
    const reader = spawn(process.execPath, [CLI, "snapshots", "--db", db, "--json"], {
      env: env({ ACCESS_AUDIT_LOCK_WAIT: "60s" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(reader);
    let stdout = "";
    let stderr = "";
    reader.stdout?.setEncoding("utf8"); // a character can straddle two chunks
    reader.stdout?.on("data", (d: string) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((done) => reader.once("close", done));
    // Let go only once the reader says it waits: it must wait, and then get in.
    await new Promise<void>((waiting) => {
      reader.stderr?.setEncoding("utf8"); // a character can straddle two chunks
      reader.stderr?.on("data", (d: string) => {
        stderr += d;
        if (stderr.includes("waiting up to")) waiting();
      });
    });
    await new Promise((r) => setTimeout(r, 1000));
    holder.stdin?.write("go\n");
    expect(await exited, stderr).toBe(0);
    expect(stderr).toBe(
      `access-audit: database ${db} is in use by pid ${holder.pid}; waiting up to 60 s\n`,
    );
    expect((JSON.parse(stdout) as SnapshotLine[]).map((s) => s.snapshot_id)).toEqual([1]);
  });

  it("a reader with a small wait bound fails with one line naming the wait", async () => {
    const db = newDb();
    await firstSnapshot(db);
    const holder = await holdDatabase(db);
    const reader = await runCli(
      ["snapshots", "--db", db, "--json"],
      env({ ACCESS_AUDIT_LOCK_WAIT: "1s" }),
    );
    expect(reader.status).toBe(1);
    expect(reader.stdout).toBe("");
    expect(reader.stderr.trimEnd().split("\n")).toEqual([
      `access-audit: database ${db} is in use by pid ${holder.pid}; waiting up to 1 s`,
      `access-audit: database ${db} is in use by another process (pid ${holder.pid}); waited 1 s for it to finish (raise lock_wait or ACCESS_AUDIT_LOCK_WAIT to wait longer)`,
    ]);
    // Not a setting anyone can mistype silently.
    const bad = await runCli(["snapshots", "--db", db], env({ ACCESS_AUDIT_LOCK_WAIT: "soon" }));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/ACCESS_AUDIT_LOCK_WAIT/);
  });

  it("a crawl killed while it lists leaves no snapshot, and the next crawl clears its scratch", async () => {
    const db = newDb();
    await firstSnapshot(db);
    const { child, exited } = await startSlowCrawl(db);
    child.kill("SIGKILL");
    await exited;
    const folder = join(db, "..");
    // What the killed crawl left: its scratch database and its spill folder.
    expect(existsSync(`${db}.crawl`)).toBe(true);
    expect(
      readdirSync(folder).filter((n) => n.startsWith(`audit.duckdb.tmp-${child.pid}-`)),
    ).toHaveLength(1);
    const listed = await runCli(["snapshots", "--db", db, "--json"], env());
    expect(
      (JSON.parse(listed.stdout) as SnapshotLine[]).map((s) => [s.snapshot_id, s.status]),
    ).toEqual([[1, "complete"]]);
    const next = await runCli(
      ["crawl", "--db", db, "--base-url", sim.baseUrl, "--json"],
      cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey }),
    );
    expect(next.status, next.stderr).toBe(0);
    expect((JSON.parse(next.stdout) as SnapshotLine).snapshot_id).toBe(2);
    expect(
      readdirSync(folder).filter((n) => n !== "audit.duckdb" && n !== "audit.duckdb.wal"),
    ).toEqual([]);
    const verify = await runCli(["verify", "--db", db, "--json"], env());
    expect(verify.status, verify.stderr).toBe(0);
  });
});

describe("a crawl while its database opens", () => {
  const WIDE_FLAGS = ["--no-user-roles", "--no-projects", "--no-audit-log", "--json"];

  /** A crawl of `wide` as a child, with its stdout and stderr gathered. */
  function startWideCrawl(db: string, lockWait: string) {
    const child = spawn(
      process.execPath,
      [CLI, "crawl", "--db", db, "--base-url", wide.baseUrl, ...WIDE_FLAGS],
      {
        env: cliEnv({ OPENAI_ADMIN_KEY: wide.adminKey, ACCESS_AUDIT_LOCK_WAIT: lockWait }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.add(child);
    const out = { stdout: "", stderr: "" };
    child.stdout?.setEncoding("utf8"); // a character can straddle two chunks
    child.stdout?.on("data", (d: string) => {
      out.stdout += d;
    });
    child.stderr?.setEncoding("utf8"); // a character can straddle two chunks
    child.stderr?.on("data", (d: string) => {
      out.stderr += d;
    });
    const exited = new Promise<number | null>((done) => child.once("close", done));
    const waiting = new Promise<void>((ready, fail) => {
      const timer = setInterval(() => {
        if (out.stderr.includes("waiting up to")) {
          clearInterval(timer);
          ready();
        }
      }, 20);
      void exited.then(() => {
        clearInterval(timer);
        fail(new Error(`crawl ended before it waited: ${out.stderr}`));
      });
    });
    return { child, out, exited, waiting };
  }

  /** Polls the simulator until no request arrived for `quietMs`; returns the requests so far. */
  async function requestsOnceQuiet(quietMs: number): Promise<number> {
    let last = wide.stats().requests;
    let quietSince = Date.now();
    const deadline = Date.now() + 30_000;
    while (Date.now() - quietSince < quietMs) {
      if (Date.now() > deadline) throw new Error("the crawl never stopped reading the API");
      await new Promise((r) => setTimeout(r, 100));
      const now = wide.stats().requests;
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      }
    }
    return last;
  }

  /** Once `holder` lets go: the first snapshot alone, and nothing beside the database file. */
  async function expectNothingLeft(db: string, holder: ChildProcess): Promise<void> {
    holder.stdin?.write("go\n");
    await new Promise<void>((released) => holder.stdout?.once("data", () => released()));
    const listed = await runCli(["snapshots", "--db", db, "--json"], env());
    expect(
      (JSON.parse(listed.stdout) as SnapshotLine[]).map((s) => [s.snapshot_id, s.status]),
    ).toEqual([[1, "complete"]]);
    expect(
      readdirSync(join(db, "..")).filter((n) => n !== "audit.duckdb" && n !== "audit.duckdb.wal"),
    ).toEqual([]);
  }

  it("reads the API while another process holds the database, holds a bounded number of rows, then publishes", async () => {
    const db = newDb();
    await firstSnapshot(db);
    // The whole listing, for comparison: every request a crawl of `wide` makes.
    const whole = newDb();
    const before = wide.stats().requests;
    const full = await runCli(
      ["crawl", "--db", whole, "--base-url", wide.baseUrl, ...WIDE_FLAGS],
      cliEnv({ OPENAI_ADMIN_KEY: wide.adminKey }),
    );
    expect(full.status, full.stderr).toBe(0);
    const fullRequests = wide.stats().requests - before;
    const fullCounts = JSON.parse(full.stdout) as { memberships: number; requests: number };
    expect(fullCounts.memberships).toBe(200_000);

    const holder = await holdDatabase(db);
    const start = wide.stats().requests;
    const spawnedAt = Date.now();
    const crawling = startWideCrawl(db, "60s");
    await crawling.waiting;
    const waitingAt = Date.now();
    // It read the API meanwhile, then stopped: 5,000 rows held at most, a few pages of these.
    const stalled = (await requestsOnceQuiet(1000)) - start;
    expect(stalled).toBeGreaterThan(0);
    expect(stalled).toBeLessThan(fullRequests / 2);
    holder.stdin?.write("go\n");
    expect(await crawling.exited, crawling.out.stderr).toBe(0);
    const crawled = JSON.parse(crawling.out.stdout) as {
      snapshot_id: number;
      memberships: number;
      requests: number;
    };
    expect(crawled.snapshot_id).toBe(2);
    expect(crawled.memberships).toBe(200_000);
    expect(crawled.requests).toBe(fullCounts.requests);
    expect(wide.stats().requests - start).toBe(fullRequests);
    // Its start is the crawl's, before its first request, not the moment the database opened.
    const listed = await runCli(["snapshots", "--db", db, "--json"], env());
    const snapshots = JSON.parse(listed.stdout) as (SnapshotLine & { started_at: string })[];
    expect(snapshots.map((s) => [s.snapshot_id, s.status])).toEqual([
      [1, "complete"],
      [2, "complete"],
    ]);
    const startedAt = Date.parse(snapshots[1]?.started_at ?? "");
    expect(startedAt).toBeGreaterThanOrEqual(spawnedAt);
    expect(startedAt).toBeLessThanOrEqual(waitingAt);
    const verify = await runCli(["verify", "--db", db, "--json"], env());
    expect(verify.status, verify.stderr).toBe(0);
  });

  it("fails with the open's own line when the database stays held past lock_wait, leaving nothing", async () => {
    const db = newDb();
    await firstSnapshot(db);
    const holder = await holdDatabase(db);
    const crawling = startWideCrawl(db, "1s");
    expect(await crawling.exited).toBe(1);
    expect(crawling.out.stdout).toBe("");
    expect(crawling.out.stderr.trimEnd().split("\n")).toEqual([
      `access-audit: database ${db} is in use by pid ${holder.pid}; waiting up to 1 s`,
      `access-audit: database ${db} is in use by another process (pid ${holder.pid}); waited 1 s for it to finish (raise lock_wait or ACCESS_AUDIT_LOCK_WAIT to wait longer)`,
    ]);
    await expectNothingLeft(db, holder);
  });

  it("ends at once on SIGINT while it waits for the database, publishing nothing", async () => {
    const db = newDb();
    await firstSnapshot(db);
    const holder = await holdDatabase(db);
    const crawling = startWideCrawl(db, "60s");
    await crawling.waiting;
    const interruptedAt = Date.now();
    crawling.child.kill("SIGINT");
    expect(await crawling.exited).toBe(1);
    // Not the 60 s lock wait.
    expect(Date.now() - interruptedAt).toBeLessThan(5000);
    expect(crawling.out.stderr).toContain("interrupted by SIGINT; nothing published");
    await expectNothingLeft(db, holder);
  });
});
