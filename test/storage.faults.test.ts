/**
 * Storage faults through the real CLI (a child process) against a real simulator: a full disk
 * during a crawl and a report (small tmpfs mounts), database files that are corrupt, from a newer
 * schema, read-only or locked, output paths that cannot be written (read-only file system, a file
 * in the way, an immutable folder), and --out symbolic links. Each gives one line on stderr, a
 * non-zero exit, and loses nothing: the database is byte-for-byte unchanged where the command had
 * nothing to write, earlier snapshots still verify, and no partial file is left.
 *
 * Mounting needs root (CAP_SYS_ADMIN) and `chattr` a file system with the immutable attribute:
 * both are tried once, and the tests that need them are skipped, with the reason, where refused.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { type CliResult, cliEnv, runCli } from "./support/cli.js";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "aa-storage-faults-"));
const mounts = new Set<string>();
const immutable = new Set<string>();
const children = new Set<ChildProcess>();

function run(command: string, args: string[]): { ok: boolean; text: string } {
  const r = spawnSync(command, args, { encoding: "utf8" });
  return { ok: r.status === 0, text: `${r.stderr ?? ""}${r.error?.message ?? ""}`.trim() };
}

function mountTmpfs(dir: string, size: string, readOnly = false): void {
  mkdirSync(dir, { recursive: true });
  const r = run("mount", [
    "-t",
    "tmpfs",
    "-o",
    `size=${size}${readOnly ? ",ro" : ""}`,
    "tmpfs",
    dir,
  ]);
  if (!r.ok) throw new Error(`mount ${dir}: ${r.text}`);
  mounts.add(dir);
}

function remount(dir: string, options: string): void {
  const r = run("mount", ["-o", `remount,${options}`, dir]);
  if (!r.ok) throw new Error(`remount ${dir}: ${r.text}`);
}

function unmount(dir: string): void {
  if (!mounts.has(dir)) return;
  run("umount", [dir]);
  mounts.delete(dir);
}

function setImmutable(path: string): void {
  const r = run("chattr", ["+i", path]);
  if (!r.ok) throw new Error(`chattr +i ${path}: ${r.text}`);
  immutable.add(path);
}

function clearImmutable(path: string): void {
  run("chattr", ["-i", path]);
  immutable.delete(path);
}

/** Tried once: can this process mount a tmpfs, and set the immutable attribute here? */
const probeDir = mkdtempSync(join(work, "probe-"));
const CAN_MOUNT = (() => {
  const r = run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probeDir]);
  if (r.ok) run("umount", [probeDir]);
  return r.ok;
})();
const CAN_CHATTR = (() => {
  const file = join(probeDir, "file");
  writeFileSync(file, "x");
  const r = run("chattr", ["+i", file]);
  if (r.ok) run("chattr", ["-i", file]);
  return r.ok;
})();
const NO_MOUNT = "mounting a tmpfs is not permitted here (needs root / CAP_SYS_ADMIN)";
const NO_CHATTR = "chattr +i is not available here (needs root and a file system that supports it)";

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Every line on stderr that is not a structured log line (the crawl logs JSON on stderr). */
function messageLines(r: CliResult): string[] {
  return r.stderr.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("{"));
}

/** Exactly one message line, with the exit code; returns it. */
function oneLine(r: CliResult, exit: number): string {
  const lines = messageLines(r);
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.status, r.stderr).toBe(exit);
  const line = lines[0] as string;
  expect(line).not.toMatch(/IO Error|TransactionContext|ENOENT|EROFS|EPERM|ENOSPC|ENOTDIR/);
  return line;
}

/** Every file (relative path) under `dir`, or [] when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const env = cliEnv({ ACCESS_AUDIT_LOG_LEVEL: "error" });
let small: RunningSimulator;
let large: RunningSimulator;
/** A database with two complete snapshots of the small organization. */
let base = "";
/** The same, with an open certification campaign "Q4". */
let certDb = "";

const crawlArgs = (sim: RunningSimulator, db: string, ...more: string[]) => [
  "crawl",
  "--db",
  db,
  "--base-url",
  sim.baseUrl,
  "--concurrency",
  "4",
  ...more,
];
const crawlEnv = (sim: RunningSimulator) => ({ ...env, OPENAI_ADMIN_KEY: sim.adminKey });

async function snapshotStatuses(db: string): Promise<[number, string][]> {
  const r = await runCli(["snapshots", "--db", db, "--json"], env);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { snapshot_id: number; status: string }[]).map((s) => [
    s.snapshot_id,
    s.status,
  ]);
}

/** A copy of `base` under `dir`, for a test that may damage or lock it. */
function copyOfBase(dir: string, name = "audit.duckdb"): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  copyFileSync(base, path);
  return path;
}

beforeAll(async () => {
  small = await startSimulator({ port: 0, seed: 11, groups: 30, users: 200 });
  large = await startSimulator({
    port: 0,
    seed: 12,
    groups: 80,
    users: 2000,
    memberships: 30_000,
  });
  base = join(work, "base", "audit.duckdb");
  for (let i = 0; i < 2; i++) {
    const r = await runCli(crawlArgs(small, base), crawlEnv(small));
    expect(r.status, r.stderr).toBe(0);
  }
  certDb = copyOfBase(join(work, "cert"));
  const started = await runCli(
    ["certify", "start", "--db", certDb, "--name", "Q4", "--reviewer", "ciso@example.com"],
    env,
  );
  expect(started.status, started.stderr).toBe(0);
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  for (const path of [...immutable]) clearImmutable(path);
  for (const dir of [...mounts]) unmount(dir);
  await small?.stop();
  await large?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("a full disk", () => {
  it.skipIf(!CAN_MOUNT)(
    `crawl: exit 1, one line naming the file; earlier snapshots intact and verified; a later crawl with space succeeds (${NO_MOUNT} otherwise)`,
    async () => {
      const disk = join(work, "full-crawl");
      // Room for the database as it is and a little more: the large organization does not fit.
      const room = Math.ceil((statSync(base).size + 1024 * 1024) / 4096) * 4;
      mountTmpfs(disk, `${room}k`);
      try {
        const db = copyOfBase(disk);
        const failed = await runCli(crawlArgs(large, db, "--no-user-roles"), crawlEnv(large));
        expect(oneLine(failed, 1)).toMatch(
          new RegExp(
            `^access-audit: database ${db}: no space left on device (writing ${disk}/\\S+|for temporary files \\(.*\\)); free some space and run the command again$`,
          ),
        );

        remount(disk, "size=256m");
        // Snapshots 1 and 2 are still there and complete; the failed crawl published nothing.
        const statuses = await snapshotStatuses(db);
        expect(statuses.filter(([, s]) => s === "complete").map(([id]) => id)).toEqual([1, 2]);
        expect(statuses.slice(2).every(([, s]) => s === "failed" || s === "abandoned")).toBe(true);

        const again = await runCli(
          crawlArgs(large, db, "--no-user-roles", "--json"),
          crawlEnv(large),
        );
        expect(again.status, again.stderr).toBe(0);
        expect((JSON.parse(again.stdout) as { memberships: number }).memberships).toBe(30_000);
        // The two earlier snapshots and the new one all match their seals.
        const verified = await runCli(["verify", "--db", db], env);
        expect(verified.status, verified.stderr).toBe(0);
        expect(verified.stdout).toMatch(/^3 snapshot\(s\) verified$/m);
      } finally {
        unmount(disk);
      }
    },
  );

  /** The sizes of the base database's report files, to size disks that cannot hold them. */
  async function reportSizes(): Promise<{ html: number; xlsx: number }> {
    const probe = await runCli(
      ["report", "--db", base, "--out", join(work, "sizes"), "--json"],
      env,
    );
    expect(probe.status, probe.stderr).toBe(0);
    const files = (JSON.parse(probe.stdout) as { files: { format: string; bytes: number }[] })
      .files;
    return {
      html: files.find((f) => f.format === "html")?.bytes ?? 0,
      xlsx: files.find((f) => f.format === "xlsx")?.bytes ?? 0,
    };
  }

  it.skipIf(!CAN_MOUNT)(
    `report --out and export --out on a tiny disk: exit 1, one line, no file, no temporary file, the database untouched (${NO_MOUNT} otherwise)`,
    async () => {
      const { html } = await reportSizes();
      const before = sha256(base);
      const tiny = join(work, "full-tiny");
      mountTmpfs(tiny, `${Math.max(8, Math.floor(html / 2 / 4096) * 4)}k`);
      try {
        const [report, exported] = await Promise.all([
          runCli(["report", "--db", base, "--out", join(tiny, "reports")], env),
          runCli(
            ["export", "--db", base, "--format", "csv", "--all", "--out", join(tiny, "export")],
            env,
          ),
        ]);
        expect(oneLine(report, 1)).toBe(
          `access-audit: cannot write reports to ${join(tiny, "reports")}: no space left on device`,
        );
        expect(oneLine(exported, 1)).toBe(
          `access-audit: cannot write the export to ${join(tiny, "export")}: no space left on device`,
        );
        // No report, no temporary file, not even the folder made for them.
        expect(readdirSync(tiny)).toEqual([]);
        expect(sha256(base)).toBe(before);
      } finally {
        unmount(tiny);
      }
    },
  );

  // Needs the StreamingBook fix in src/render/workbook.ts: without it exceljs's dropped
  // finalize() rejection ends the process (a stack trace, and the temporary files stay).
  it.skipIf(!CAN_MOUNT)(
    `report --out on a disk that holds the HTML but not the workbook: neither is kept (${NO_MOUNT} otherwise)`,
    async () => {
      const { html, xlsx } = await reportSizes();
      const half = join(work, "full-half");
      mountTmpfs(half, `${Math.ceil((html + xlsx / 2) / 4096) * 4}k`);
      try {
        const r = await runCli(["report", "--db", base, "--out", join(half, "reports")], env);
        expect(oneLine(r, 1)).toBe(
          `access-audit: cannot write reports to ${join(half, "reports")}: no space left on device`,
        );
        expect(readdirSync(half)).toEqual([]);
      } finally {
        unmount(half);
      }
    },
  );
});

/** Bytes of garbage over one 256 KiB block (past the two headers) of a copy. */
async function garbleBlock(path: string, block: number): Promise<void> {
  const handle = await open(path, "r+");
  try {
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + block * 7) & 0xff;
    await handle.write(garbage, 0, garbage.length, 3 * 4096 + block * 262_144 + 1000);
  } finally {
    await handle.close();
  }
}

/** How DuckDB treats a copy with one garbled block: at open, at a read of the members, or not. */
async function whereCorrupt(path: string): Promise<"open" | "read" | "none"> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  } catch {
    return "open";
  }
  const connection = await instance.connect();
  try {
    await connection.runAndReadAll("SELECT * FROM hist_group_members");
    return "none";
  } catch {
    return "read";
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const CORRUPT = (db: string) =>
  new RegExp(
    `^access-audit: database ${db} is not a DuckDB database or is corrupt \\((not a DuckDB database file|truncated: .+|checksum mismatch: .+)\\); restore it from a backup, or pass another --db$`,
  );

describe("a database file that cannot be used", () => {
  it("corrupt (random bytes, truncated, a block overwritten): one line naming the file, exit 1, unchanged", async () => {
    const dir = join(work, "corrupt");
    mkdirSync(dir, { recursive: true });
    const random = join(dir, "random.duckdb");
    writeFileSync(
      random,
      Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24)),
    );
    const truncated = copyOfBase(dir, "truncated.duckdb");
    truncateSync(truncated, Math.floor(statSync(base).size / 3));
    // A block whose damage DuckDB notices as it opens the file.
    let openCorrupt = "";
    const blocks = Math.floor(statSync(base).size / 262_144);
    let readCorrupt = "";
    for (let block = Math.floor(blocks / 2), n = 0; n < blocks; n++, block = (block + 1) % blocks) {
      const candidate = copyOfBase(dir, `block-${block}.duckdb`);
      await garbleBlock(candidate, block);
      const where = await whereCorrupt(candidate);
      if (where === "open" && openCorrupt === "") openCorrupt = candidate;
      else if (where === "read" && readCorrupt === "") readCorrupt = candidate;
      else rmSync(candidate);
      if (openCorrupt !== "" && readCorrupt !== "") break;
    }
    expect(openCorrupt, "no block of the database is checked at open").not.toBe("");
    expect(readCorrupt, "no block of the members is checked when read").not.toBe("");

    // A reader and a writer for each (a writer on a damaged file must not touch it either).
    const runs: [string, string[], NodeJS.ProcessEnv][] = [
      [random, ["snapshots", "--db", random], env],
      [truncated, crawlArgs(small, truncated), crawlEnv(small)],
      [openCorrupt, ["report", "--db", openCorrupt, "--out", join(dir, "r")], env],
      [openCorrupt, crawlArgs(small, openCorrupt), crawlEnv(small)],
    ];
    const before = new Map(runs.map(([db]) => [db, sha256(db)]));
    // One at a time: two of them open the same file, and at once one would see the other's lock.
    const results: CliResult[] = [];
    for (const [, args, e] of runs) results.push(await runCli(args, e));
    for (const [i, [db]] of runs.entries()) {
      expect(oneLine(results[i] as CliResult, 1), db).toMatch(CORRUPT(db));
      expect(sha256(db), db).toBe(before.get(db));
      expect(existsSync(`${db}.wal`)).toBe(false);
    }
    expect(existsSync(join(dir, "r"))).toBe(false);

    // Damage found only when the members are read: a reader says so and changes nothing.
    const unread = sha256(readCorrupt);
    const verify = await runCli(["verify", "--db", readCorrupt], env);
    expect(oneLine(verify, 1)).toMatch(CORRUPT(readCorrupt));
    expect(oneLine(verify, 1)).toMatch(/checksum mismatch/);
    expect(sha256(readCorrupt)).toBe(unread);
    // A crawl finds out when it merges into the damaged history: it fails and publishes nothing.
    const crawl = await runCli(crawlArgs(small, readCorrupt), crawlEnv(small));
    expect(oneLine(crawl, 1)).toMatch(CORRUPT(readCorrupt));
    const statuses = await snapshotStatuses(readCorrupt);
    expect(statuses.filter(([, s]) => s === "complete").map(([id]) => id)).toEqual([1, 2]);
  });

  it("from a newer schema: one line naming the file and what to do, exit 1, unchanged", async () => {
    const db = copyOfBase(join(work, "newer"));
    const instance = await DuckDBInstance.create(db);
    const connection = await instance.connect();
    await connection.run("INSERT INTO schema_migrations VALUES (99, 'from the future', now())");
    connection.closeSync();
    instance.closeSync();
    const before = sha256(db);
    // Readers together, then a writer (a writer and readers at once would meet the lock instead).
    const results = await Promise.all([
      runCli(["snapshots", "--db", db], env),
      runCli(["report", "--db", db, "--out", join(work, "newer", "reports")], env),
    ]);
    results.push(await runCli(crawlArgs(small, db), crawlEnv(small)));
    for (const r of results) {
      expect(oneLine(r, 1)).toMatch(
        new RegExp(
          `^access-audit: database schema version 99 is newer than this tool supports \\(\\d+\\); upgrade openai-access-audit to open ${db}$`,
        ),
      );
    }
    expect(sha256(db)).toBe(before);
    expect(existsSync(join(work, "newer", "reports"))).toBe(false);
  });

  /** On a read-only database: writers refuse by name; readers work; the file is unchanged. */
  async function readOnlyDatabase(db: string, reason: string): Promise<void> {
    const before = sha256(db);
    const out = join(work, `reports-${reason.length}-${Date.now()}`);
    // The writer runs first: on a writable file it would lock the readers out.
    const crawl = await runCli(crawlArgs(small, db), crawlEnv(small));
    const [verify, diff, report] = await Promise.all([
      runCli(["verify", "--db", db], env),
      runCli(["diff", "--db", db], env),
      runCli(["report", "--db", db, "--out", out], env),
    ]);
    expect(oneLine(crawl, 1)).toBe(
      `access-audit: database ${db} is read-only (${reason}); commands that write (crawl, run, retention, certify, snapshots hold) need write access; snapshots, verify, diff, access, report and export only read it`,
    );
    for (const r of [verify, diff, report]) expect(r.status, r.stderr).toBe(0);
    expect(verify.stdout).toMatch(/2 snapshot\(s\) verified/);
    // The HTML report and the workbook, each with its .sha256 file.
    expect(filesUnder(out)).toHaveLength(4);
    expect(sha256(db)).toBe(before);
  }

  it.skipIf(!CAN_CHATTR)(
    `read-only (chattr +i on the file): writers refuse with one line, readers work, unchanged (${NO_CHATTR} otherwise)`,
    async () => {
      const db = copyOfBase(join(work, "immutable-db"));
      setImmutable(db);
      try {
        await readOnlyDatabase(db, "operation not permitted: immutable? see lsattr");
      } finally {
        clearImmutable(db);
      }
      // A writable file in an immutable folder: DuckDB could not create its .wal beside it.
      const folder = join(work, "immutable-db-folder");
      const inside = copyOfBase(folder);
      const before = sha256(inside);
      setImmutable(folder);
      try {
        const crawl = await runCli(crawlArgs(small, inside), crawlEnv(small));
        expect(oneLine(crawl, 1)).toBe(
          `access-audit: database ${inside} is read-only (operation not permitted: immutable? see lsattr, its folder ${folder}); commands that write (crawl, run, retention, certify, snapshots hold) need write access; snapshots, verify, diff, access, report and export only read it`,
        );
        expect(sha256(inside)).toBe(before);
        expect(readdirSync(folder)).toEqual(["audit.duckdb"]);
      } finally {
        clearImmutable(folder);
      }
    },
  );

  it.skipIf(!CAN_MOUNT)(
    `read-only (a read-only file system): writers refuse with one line, readers work, unchanged (${NO_MOUNT} otherwise)`,
    async () => {
      const disk = join(work, "ro-db");
      mountTmpfs(disk, "64m");
      try {
        const db = copyOfBase(disk);
        remount(disk, "ro");
        await readOnlyDatabase(db, "read-only file system");
        expect(readdirSync(disk)).toEqual(["audit.duckdb"]);
      } finally {
        unmount(disk);
      }
    },
  );

  it("a second crawl during a crawl, and anything while another process holds the file: one line with the pid, exit 1", async () => {
    // A crawl that takes a while: every request of this organization waits 40 ms.
    const slow = await startSimulator({
      port: 0,
      seed: 13,
      groups: 30,
      users: 1500,
      latencyMs: 40,
    });
    try {
      const db = copyOfBase(join(work, "locked-crawl"));
      const child = spawn(
        process.execPath,
        [resolve(repoRoot, "dist/cli/main.js"), ...crawlArgs(slow, db, "--json")],
        {
          env: { ...cliEnv({ OPENAI_ADMIN_KEY: slow.adminKey }) },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      children.add(child);
      let stdout = "";
      child.stdout?.setEncoding("utf8"); // a character can straddle two chunks
      child.stdout?.on("data", (d: string) => {
        stdout += d;
      });
      const exited = new Promise<number | null>((done) => child.once("exit", done));
      await new Promise<void>((ready, fail) => {
        let seen = "";
        child.stderr?.setEncoding("utf8"); // a character can straddle two chunks
        child.stderr?.on("data", (d: string) => {
          seen += d;
          if (seen.includes("snapshot started")) ready();
        });
        child.once("exit", () => fail(new Error(`crawl ended before it started: ${seen}`)));
      });
      // One after the other: a reader holding the file when the second crawl opens it would
      // make that crawl wait for it (and say so) before it meets the first crawl's scratch.
      const second = await runCli(crawlArgs(small, db), crawlEnv(small));
      const reader = await runCli(["snapshots", "--db", db], env);
      const locked = `access-audit: database ${db} is in use by another process (pid ${child.pid}); wait for it to finish`;
      expect(oneLine(second, 1)).toBe(locked);
      // The crawl holds the database only to publish: a reader meanwhile just reads.
      expect(reader.status, reader.stderr).toBe(0);
      expect(reader.stdout).toMatch(/complete/);
      expect(await exited).toBe(0);
      children.delete(child);
      expect((JSON.parse(stdout) as { status: string }).status).toBe("complete");
    } finally {
      await slow.stop();
    }

    // Another program holding the file open for writing.
    const db = copyOfBase(join(work, "locked-other"));
    const before = sha256(db);
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { DuckDBInstance } from "@duckdb/node-api";
         const instance = await DuckDBInstance.create(${JSON.stringify(db)});
         process.stdout.write("ready\\n");
         process.stdin.once("data", () => { instance.closeSync(); process.exit(0); });`,
      ],
      { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] },
    );
    children.add(holder);
    try {
      await new Promise<void>((ready, fail) => {
        holder.stdout?.once("data", () => ready());
        holder.once("exit", (code) => fail(new Error(`holder exited ${code}`)));
      });
      // Not waiting for it (lock_wait 0s): store.readers.test.ts covers the wait.
      const noWait = { ACCESS_AUDIT_LOCK_WAIT: "0s" };
      const results = await Promise.all([
        runCli(crawlArgs(small, db), { ...crawlEnv(small), ...noWait }),
        runCli(["snapshots", "--db", db], { ...env, ...noWait }),
        runCli(["report", "--db", db, "--out", join(work, "locked-other", "r")], {
          ...env,
          ...noWait,
        }),
      ]);
      for (const r of results) {
        expect(oneLine(r, 1)).toBe(
          `access-audit: database ${db} is in use by another process (pid ${holder.pid}); wait for it to finish`,
        );
      }
      expect(sha256(db)).toBe(before);
      expect(existsSync(join(work, "locked-other", "r"))).toBe(false);
    } finally {
      holder.kill("SIGKILL");
      children.delete(holder);
    }
  });
});

describe("output paths that cannot be written", () => {
  /** Every output of the tool, pointed at `target`; each must fail with `reason` and leave nothing. */
  async function refusedEverywhere(
    target: string,
    reason: (path: string) => string,
  ): Promise<void> {
    const dbBefore = sha256(base);
    const certBefore = sha256(certDb);
    const cases: [string[], (path: string) => string][] = [
      [["report", "--db", base, "--out", target], (p) => `cannot write reports to ${p}`],
      [
        ["export", "--db", base, "--format", "parquet", "--out", target],
        (p) => `cannot write the export to ${resolve(p)}`,
      ],
      [
        ["certify", "export", "--db", certDb, "--campaign", "Q4", "--out", target],
        (p) => `cannot write review workbooks to ${p}`,
      ],
      [
        ["certify", "close", "--db", certDb, "--campaign", "Q4", "--out", target],
        (p) => `cannot write the sign-off report to ${p}`,
      ],
    ];
    // The certify commands share a database: one at a time, the others alongside.
    const results = await Promise.all([
      runCli(cases[0]?.[0] ?? [], env),
      runCli(cases[1]?.[0] ?? [], env),
      (async () => [
        await runCli(cases[2]?.[0] ?? [], env),
        await runCli(cases[3]?.[0] ?? [], env),
      ])(),
      runCli(crawlArgs(small, join(target, "audit.duckdb")), crawlEnv(small)),
    ]);
    const [report, exported, [certExport, certClose], crawl] = results as [
      CliResult,
      CliResult,
      CliResult[],
      CliResult,
    ];
    for (const [i, r] of [report, exported, certExport, certClose].entries()) {
      const [, prefix] = cases[i] as [string[], (p: string) => string];
      expect(oneLine(r as CliResult, 1)).toBe(`access-audit: ${prefix(target)}: ${reason(target)}`);
    }
    expect(oneLine(crawl, 1)).toBe(
      `access-audit: cannot create database ${join(target, "audit.duckdb")}: ${reason(join(target, "audit.duckdb"))}; pass a --db in a folder you can write`,
    );
    expect(existsSync(target)).toBe(false);
    expect(sha256(base)).toBe(dbBefore);
    // The campaign was not closed by a close whose report could not be written: not a byte changed.
    expect(sha256(certDb)).toBe(certBefore);
  }

  it.skipIf(!CAN_MOUNT)(`on a read-only file system (${NO_MOUNT} otherwise)`, async () => {
    const disk = join(work, "ro-out");
    mountTmpfs(disk, "1m", true);
    try {
      await refusedEverywhere(join(disk, "out"), () => "read-only file system");
      expect(readdirSync(disk)).toEqual([]);
    } finally {
      unmount(disk);
    }
  });

  it("under a regular file (ENOTDIR)", async () => {
    const file = join(work, "a-file");
    writeFileSync(file, "not a folder\n");
    await refusedEverywhere(join(file, "out"), () => `${file} is a file, not a folder`);
    expect(readFileSync(file, "utf8")).toBe("not a folder\n");
  });

  it.skipIf(!CAN_CHATTR)(
    `in an immutable folder (chattr +i) (${NO_CHATTR} otherwise)`,
    async () => {
      const dir = join(work, "immutable-out");
      mkdirSync(dir);
      setImmutable(dir);
      try {
        await refusedEverywhere(
          join(dir, "out"),
          () => "operation not permitted (immutable? see lsattr)",
        );
        // The immutable folder itself as the output folder.
        const r = await runCli(["report", "--db", base, "--out", dir], env);
        expect(oneLine(r, 1)).toBe(
          `access-audit: cannot write reports to ${dir}: operation not permitted (immutable? see lsattr)`,
        );
        expect(readdirSync(dir)).toEqual([]);
      } finally {
        clearImmutable(dir);
      }
    },
  );

  it("--out given as a symbolic link is refused (exit 2) for export, certify export, close and report", async () => {
    const elsewhere = mkdtempSync(join(work, "elsewhere-"));
    const link = join(work, "out-link");
    symlinkSync(elsewhere, link);
    const certBefore = sha256(certDb);
    const [exported, ...certify] = await Promise.all([
      runCli(["export", "--db", base, "--format", "csv", "--out", link, "--force"], env),
      (async () => [
        await runCli(["certify", "export", "--db", certDb, "--campaign", "Q4", "--out", link], env),
        await runCli(["certify", "close", "--db", certDb, "--campaign", "Q4", "--out", link], env),
        await runCli(["certify", "report", "--db", certDb, "--campaign", "Q4", "--out", link], env),
      ])(),
    ]).then(([e, c]) => [e as CliResult, ...(c as CliResult[])]);
    expect(oneLine(exported as CliResult, 2)).toBe(
      `access-audit: --out ${link} is a symbolic link: refusing to follow it (pass the real folder)`,
    );
    for (const r of certify) {
      expect(oneLine(r as CliResult, 2)).toBe(
        `access-audit: --out ${link} is a symbolic link: refusing to follow it (pass the real folder)`,
      );
    }
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(sha256(certDb)).toBe(certBefore); // close refused before freezing anything
  });
});
