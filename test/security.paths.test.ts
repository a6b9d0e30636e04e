/**
 * Links planted where the tool writes (SECURITY.md, issue 14). Beside the database: a link (or a
 * hard link) planted as `<db>.tmp`, `<db>.wal`, `<db>.wal.checkpoint` or `<db>.wal.recovery` is
 * refused with one line before DuckDB starts, and what it points to is left exactly as it was;
 * spill folders are private (mkdtemp, 0700), removed at close, and a killed opener's are swept
 * only when they are real folders (a link named like one is neither followed nor removed). On the
 * way to --out: `link/`, `link/.`, a linked parent folder, a link in the middle of the path and a
 * relative `link/` are refused by report, export, certify export and certify report, and nothing
 * is written where the link points; an output folder swapped for a link while the command runs
 * (a swapper process racing the real CLI, and the writer in-process) never receives a file:
 * the target is watched with inotify and must see no event at all. Delivery does not mail a
 * report file reached through a link.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  type FSWatcher,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  watch,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendChangeReport } from "../src/deliver/email.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { OutputPathError, writeFilesAtomically } from "../src/util/files.js";
import { crawlInto } from "./support/analysis-org.js";
import { type CliResult, cliEnv, runCli } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "aa-paths-"));
/** The CLI children's TMPDIR, where readers make their spill folders. */
const childTmp = join(work, "tmp");
mkdirSync(childTmp);
let sim: RunningSimulator;
/** A crawled database with an open campaign `Q4`. */
let db: string;
let env: NodeJS.ProcessEnv;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 14, groups: 6, users: 30 });
  env = cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey, TMPDIR: childTmp });
  db = join(work, "base", "audit.duckdb");
  mkdirSync(join(work, "base"));
  await crawlInto(sim, db);
  const started = await runCli(
    ["certify", "start", "--db", db, "--name", "Q4", "--reviewer", "ciso@example.com"],
    env,
  );
  expect(started.status, started.stderr).toBe(0);
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Every entry under `dir` (links not followed) with its kind and, for files, a hash. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string, rel: string) => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      const key = rel === "" ? name : `${rel}/${name}`;
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) out[key] = "link";
      else if (stat.isDirectory()) {
        out[key] = "dir";
        walk(path, key);
      } else out[key] = `file ${sha256(path)} ${stat.mtimeMs}`;
    }
  };
  walk(dir, "");
  return out;
}

/** A folder holding files and a subfolder: what a planted link points at. */
function sentinel(name: string): { dir: string; before: Record<string, string> } {
  const dir = mkdtempSync(join(work, `${name}-`));
  writeFileSync(join(dir, "evidence.txt"), "precious evidence\n");
  mkdirSync(join(dir, "nested"));
  writeFileSync(join(dir, "nested", "keep.bin"), Buffer.alloc(4096, 7));
  return { dir, before: tree(dir) };
}

/** Records every inotify event on `dir` (any file made, changed, renamed or removed in it). */
function watchFolder(dir: string): { events: string[]; close: () => void } {
  const events: string[] = [];
  const watcher: FSWatcher = watch(dir, (event, name) => events.push(`${event} ${name}`));
  return { events, close: () => watcher.close() };
}

/** Messages on stderr that are not structured log lines. */
function messageLines(r: CliResult): string[] {
  return r.stderr.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("{"));
}

function oneLine(r: CliResult, exit: number): string {
  const lines = messageLines(r);
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.status, r.stderr).toBe(exit);
  return lines[0] as string;
}

/** A pid that no process has (one that just exited). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  return r.pid as number;
}

function crawl(path: string): Promise<CliResult> {
  return runCli(["crawl", "--db", path, "--base-url", sim.baseUrl], env);
}

describe("files beside the database", () => {
  it("a link planted as <db>.tmp: the crawl refuses it, and the folder it points to keeps its files", async () => {
    for (const fresh of [false, true]) {
      const dir = mkdtempSync(join(work, "tmp-link-"));
      const path = join(dir, "audit.duckdb");
      if (!fresh) expect((await crawl(path)).status).toBe(0);
      const target = sentinel("spill-target");
      symlinkSync(target.dir, `${path}.tmp`);
      const watched = watchFolder(target.dir);
      const r = await crawl(path);
      watched.close();
      expect(oneLine(r, 1)).toBe(
        `access-audit: database ${path}: ${path}.tmp beside it is a symbolic link: refusing to follow it (remove it if you did not make it)`,
      );
      expect(tree(target.dir)).toEqual(target.before);
      expect(watched.events).toEqual([]);
      expect(existsSync(path)).toBe(!fresh); // a new database is not even started
    }
  });

  it("a link or hard link planted as <db>.wal (.wal.checkpoint, .wal.recovery): refused by writers and readers, its target unchanged", async () => {
    const dir = mkdtempSync(join(work, "wal-link-"));
    const path = join(dir, "audit.duckdb");
    expect((await crawl(path)).status).toBe(0);
    const dbBefore = sha256(path);
    for (const suffix of [".wal", ".wal.checkpoint", ".wal.recovery"]) {
      for (const kind of ["symbolic link", "file with other hard links"] as const) {
        const target = join(work, `wal-target-${suffix.slice(1)}-${kind.length}`);
        writeFileSync(target, "a file the database must never write\n".repeat(50));
        const before = { sha: sha256(target), mtime: statSync(target).mtimeMs };
        if (kind === "symbolic link") symlinkSync(target, `${path}${suffix}`);
        else linkSync(target, `${path}${suffix}`);
        const results = [
          await crawl(path),
          await runCli(["report", "--db", path, "--out", join(dir, "reports")], env),
          await runCli(["snapshots", "--db", path], env),
        ];
        for (const r of results) {
          expect(oneLine(r, 1)).toBe(
            `access-audit: database ${path}: ${path}${suffix} beside it is a ${kind}: refusing to follow it (remove it if you did not make it)`,
          );
        }
        expect({ sha: sha256(target), mtime: statSync(target).mtimeMs }).toEqual(before);
        expect(sha256(path)).toBe(dbBefore);
        expect(existsSync(join(dir, "reports"))).toBe(false);
        rmSync(`${path}${suffix}`);
      }
    }
    // Without the planted files, the database opens as before.
    expect((await runCli(["snapshots", "--db", path], env)).status).toBe(0);
  });

  it("spill folders: private and unique per opener, removed at close; a killed opener's are swept only when real folders", async () => {
    const dir = mkdtempSync(join(work, "spill-"));
    const path = join(dir, "audit.duckdb");
    expect((await crawl(path)).status).toBe(0);
    const dead = deadPid();
    const target = sentinel("leftover-target");
    const inner = sentinel("inner-target");
    // A real leftover of a killed writer, holding a link of its own: removed, the link unlinked.
    const leftover = `${path}.tmp-${dead}-AbC123`;
    mkdirSync(leftover);
    writeFileSync(join(leftover, "duckdb_temp_block-1.block"), Buffer.alloc(8192));
    symlinkSync(inner.dir, join(leftover, "inner-link"));
    // A link named like a leftover: neither followed nor removed.
    const planted = `${path}.tmp-${dead}-Zz9999`;
    symlinkSync(target.dir, planted);
    // The same for readers, in their TMPDIR.
    const readerLeftover = join(childTmp, `access-audit-read-${dead}-Rr2222`);
    mkdirSync(readerLeftover);
    writeFileSync(join(readerLeftover, "spill.block"), "x");
    const readerPlanted = join(childTmp, `access-audit-read-${dead}-Qq1111`);
    symlinkSync(target.dir, readerPlanted);
    const watched = [watchFolder(target.dir), watchFolder(inner.dir)];

    expect((await crawl(path)).status).toBe(0);
    const report = await runCli(
      ["report", "--db", path, "--out", join(dir, "reports"), "--format", "html"],
      env,
    );
    expect(report.status, report.stderr).toBe(0);
    for (const w of watched) w.close();

    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(readerLeftover)).toBe(false);
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
    expect(lstatSync(readerPlanted).isSymbolicLink()).toBe(true);
    expect(tree(target.dir)).toEqual(target.before);
    expect(tree(inner.dir)).toEqual(inner.before);
    expect(watched.flatMap((w) => w.events)).toEqual([]);
    // Nothing of the runs' own is left: their folders went with them.
    expect(readdirSync(dir).filter((n) => n.includes(".tmp"))).toEqual([basename(planted)]);
    expect(readdirSync(childTmp).sort()).toEqual([basename(readerPlanted)]);

    // While open: one folder per opener, 0700, named after the process; gone at close.
    const mine = (at: string, prefix: string) =>
      readdirSync(at).filter((n) => n.startsWith(`${prefix}${process.pid}-`));
    const writer = await Store.open(path);
    const writerSpill = mine(dir, "audit.duckdb.tmp-");
    expect(writerSpill).toHaveLength(1);
    expect(lstatSync(join(dir, writerSpill[0] as string)).mode & 0o7777).toBe(0o700);
    await writer.close();
    expect(mine(dir, "audit.duckdb.tmp-")).toEqual([]);
    const readers = [
      await Store.open(path, { readOnly: true }),
      await Store.open(path, { readOnly: true }),
    ];
    const readerSpill = mine(tmpdir(), "access-audit-read-");
    expect(readerSpill).toHaveLength(2);
    for (const name of readerSpill) {
      expect(lstatSync(join(tmpdir(), name)).mode & 0o7777).toBe(0o700);
    }
    for (const reader of readers) await reader.close();
    expect(mine(tmpdir(), "access-audit-read-")).toEqual([]);
  });
});

/** Each command that writes into --out, pointed at `out`. */
function writers(out: string): { name: string; args: string[] }[] {
  return [
    { name: "report", args: ["report", "--db", db, "--out", out, "--format", "html"] },
    { name: "export", args: ["export", "--db", db, "--format", "csv", "--out", out] },
    {
      name: "certify export",
      args: ["certify", "export", "--db", db, "--campaign", "Q4", "--out", out],
    },
    {
      name: "certify report",
      args: ["certify", "report", "--db", db, "--campaign", "Q4", "--out", out],
    },
  ];
}

/**
 * Runs `jobs` one at a time: `certify export` records its export generation, so it writes the
 * database and cannot share it with the other commands.
 */
async function oneAtATime<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (const job of jobs) results.push(await job());
  return results;
}

describe("--out never follows a link", () => {
  it("refuses link/, link/., a linked parent, a link in the middle and a relative link/, writing nothing anywhere", async () => {
    const dir = mkdtempSync(join(work, "out-variants-"));
    const target = sentinel("out-target");
    const link = join(dir, "link");
    symlinkSync(target.dir, link);
    const real = join(dir, "real");
    mkdirSync(real);
    symlinkSync(target.dir, join(real, "mid"));
    const dirBefore = tree(dir);
    const variants: { out: string; cwd?: string }[] = [
      { out: `${link}/` },
      { out: `${link}/.` },
      { out: `${link}/./` },
      { out: join(link, "sub") }, // the linked folder as a parent
      { out: `${join(link, "sub", "deeper")}/` },
      { out: join(real, "mid", "a", "b") }, // a link in the middle
      { out: "link/", cwd: dir }, // relative, from the working directory
      { out: "./link/.", cwd: dir },
    ];
    const watched = watchFolder(target.dir);
    const jobs = variants.flatMap(({ out, cwd }) =>
      writers(out).map((w) => async () => ({
        ...w,
        out,
        result: await runCli(w.args, env, 120_000, cwd),
      })),
    );
    const results = await oneAtATime(jobs);
    watched.close();
    for (const { name, out, result } of results) {
      const line = oneLine(result, 2);
      expect(line, `${name} --out ${out}`).toMatch(
        /^access-audit: --out .* is a symbolic link: refusing to follow it \(pass the real folder\)$/,
      );
    }
    expect(tree(target.dir)).toEqual(target.before);
    expect(watched.events).toEqual([]);
    expect(tree(dir)).toEqual(dirBefore);
  });

  it("writes into a real folder named with a trailing / or /. (and only there)", async () => {
    const dir = mkdtempSync(join(work, "out-real-"));
    for (const [i, suffix] of ["/", "/.", "/./"].entries()) {
      const out = join(dir, `out-${i}`);
      // The export first: it publishes the whole folder (which must be absent or empty).
      const all = writers(`${out}${suffix}`);
      const exported = all.filter((w) => w.name === "export");
      const others = all.filter((w) => w.name !== "export");
      const results = [
        ...(await oneAtATime(
          exported.map((w) => async () => ({ ...w, result: await runCli(w.args, env) })),
        )),
        ...(await oneAtATime(
          others.map((w) => async () => ({ ...w, result: await runCli(w.args, env) })),
        )),
      ];
      for (const { name, result } of results) {
        expect(result.status, `${name}: ${result.stderr}`).toBe(0);
      }
      const names = readdirSync(out);
      expect(names.some((n) => n.startsWith("access-review-") && n.endsWith(".html"))).toBe(true);
      expect(names.some((n) => n.startsWith("Q4-") && n.endsWith(".xlsx"))).toBe(true);
      expect(names.some((n) => n.startsWith("certification-Q4-signoff"))).toBe(true);
      expect(names).toContain("manifest.json"); // export: the folder was empty
      expect(names.filter((n) => n.endsWith(".tmp") || n.includes(".partial-"))).toEqual([]);
      expect(statSync(out).mode & 0o777).toBe(0o700);
    }
    expect(readdirSync(dir).sort()).toEqual(["out-0", "out-1", "out-2"]);
  });
});

/**
 * A process that keeps swapping `out` for a link to `target` and back: renames the real folder
 * aside, puts the link in its place, waits up to `linkMs`, restores it and waits up to `realMs`.
 */
function startSwapper(
  out: string,
  target: string,
  { linkMs, realMs }: { linkMs: number; realMs: number },
): { stop: () => Promise<number> } {
  const script = `
    const fs = require("node:fs");
    const [out, target, linkMs, realMs] = process.argv.slice(1);
    const aside = out + ".aside";
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    let swaps = 0;
    let stopping = false;
    process.on("SIGTERM", () => { stopping = true; });
    const step = () => {
      for (let i = 0; i < 20; i++) {
        try { fs.renameSync(out, aside); } catch { sleep(1); continue; }
        try { fs.symlinkSync(target, out); swaps++; } catch {}
        sleep(Math.floor(Math.random() * Number(linkMs)));
        try { if (fs.lstatSync(out).isSymbolicLink()) fs.unlinkSync(out); } catch {}
        try { fs.renameSync(aside, out); }
        catch { fs.renameSync(aside, out + ".kept-" + Date.now() + "-" + i); }
        sleep(Math.floor(Math.random() * Number(realMs)));
      }
      if (stopping) { process.stdout.write(String(swaps)); process.exit(0); }
      setImmediate(step);
    };
    step();
  `;
  const child = spawn(process.execPath, ["-e", script, out, target, `${linkMs}`, `${realMs}`], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.add(child);
  let output = "";
  child.stdout?.setEncoding("utf8"); // a character can straddle two chunks
  child.stdout?.on("data", (d: string) => {
    output += d;
  });
  return {
    stop: () =>
      new Promise((done) => {
        child.once("exit", () => {
          children.delete(child);
          done(Number(output));
        });
        child.kill("SIGTERM");
      }),
  };
}

function isRealFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The real folders a swapped `out` may have ended up as (never the link). */
function realFolders(out: string): string[] {
  const parent = join(out, "..");
  return readdirSync(parent)
    .filter((n) => n === basename(out) || n.startsWith(`${basename(out)}.`))
    .map((n) => join(parent, n))
    .filter((p) => lstatSync(p).isDirectory());
}

describe("an output folder swapped for a link while writing", () => {
  it("report, 36 runs racing a swapper: the link's target never sees an event", async () => {
    const dir = mkdtempSync(join(work, "race-cli-"));
    const out = join(dir, "reports");
    mkdirSync(out, { mode: 0o700 });
    const target = sentinel("race-target");
    const watched = watchFolder(target.dir);
    // A link a quarter of the time: runs start, and publish, often enough to race every step.
    const swapper = startSwapper(out, target.dir, { linkMs: 6, realMs: 18 });
    const outcomes: Record<string, number> = { published: 0, "link refused": 0, changed: 0 };
    try {
      for (let i = 0; i < 36; i++) {
        const r = await runCli(["report", "--db", db, "--out", out, "--format", "html"], env);
        if (r.status === 0) {
          outcomes.published = (outcomes.published ?? 0) + 1;
          continue;
        }
        const line = messageLines(r).join("\n");
        if (r.status === 2 && /is a symbolic link: refusing to follow it/.test(line)) {
          outcomes["link refused"] = (outcomes["link refused"] ?? 0) + 1;
        } else {
          expect(oneLine(r, 1)).toMatch(
            new RegExp(
              `^access-audit: cannot write reports to ${out}: ${out}(\\.aside)? was (removed|replaced by a symbolic link|replaced) while writing; nothing was published$`,
            ),
          );
          outcomes.changed = (outcomes.changed ?? 0) + 1;
        }
      }
    } finally {
      const swaps = await swapper.stop();
      watched.close();
      console.log(`report racing a swapper (${swaps} swaps): ${JSON.stringify(outcomes)}`);
    }
    expect(watched.events).toEqual([]);
    expect(tree(target.dir)).toEqual(target.before);
    expect(lstatSync(out).isDirectory()).toBe(true);
    for (const folder of realFolders(out)) {
      expect(readdirSync(folder).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    }
    expect(outcomes.published).toBeGreaterThan(0);
  });

  it("the writer itself, 300 times racing a swapper: published into the real folder or refused, never through the link", async () => {
    const dir = mkdtempSync(join(work, "race-writer-"));
    const out = join(dir, "out");
    mkdirSync(out, { mode: 0o700 });
    const target = sentinel("race-writer-target");
    const watched = watchFolder(target.dir);
    const swapper = startSwapper(out, target.dir, { linkMs: 12, realMs: 12 });
    const outcomes: Record<string, number> = {};
    try {
      for (let i = 0; i < 300; i++) {
        // Start while the real folder is in place, so that the swaps land during the writing.
        while (!isRealFolder(out)) await new Promise((done) => setTimeout(done, 1));
        try {
          await writeFilesAtomically(out, "reports", [
            {
              name: `file-${i}.txt`,
              // A few milliseconds of writing, in pieces, as a report would.
              write: async (temp) => {
                for (let k = 0; k < 4; k++) {
                  writeFileSync(temp, `${i}:${k}\n`.repeat(512), { flag: "a" });
                  await new Promise((done) => setTimeout(done, 1));
                }
              },
            },
          ]);
          outcomes.published = (outcomes.published ?? 0) + 1;
        } catch (error) {
          expect(error).toBeInstanceOf(OutputPathError);
          const code = (error as OutputPathError).code;
          expect(["SYMLINK", "CHANGED"]).toContain(code);
          expect((error as Error).message.split("\n")).toHaveLength(1);
          outcomes[code] = (outcomes[code] ?? 0) + 1;
        }
      }
    } finally {
      const swaps = await swapper.stop();
      watched.close();
      console.log(`writer racing a swapper (${swaps} swaps): ${JSON.stringify(outcomes)}`);
    }
    expect(watched.events).toEqual([]);
    expect(tree(target.dir)).toEqual(target.before);
    // Every published file is whole, in a real folder; no temporary file is left anywhere.
    let found = 0;
    for (const folder of realFolders(out)) {
      for (const name of readdirSync(folder)) {
        expect(name).toMatch(/^file-\d+\.txt$/);
        const i = Number(/\d+/.exec(name)?.[0]);
        expect(readFileSync(join(folder, name), "utf8")).toBe(
          [0, 1, 2, 3].map((k) => `${i}:${k}\n`.repeat(512)).join(""),
        );
        found++;
      }
    }
    expect(found).toBe(outcomes.published);
    expect(outcomes.published).toBeGreaterThan(0);
    expect((outcomes.SYMLINK ?? 0) + (outcomes.CHANGED ?? 0)).toBeGreaterThan(0);
  });
});

describe("delivery", () => {
  it("does not mail report files reached through a link (the reports folder swapped after writing)", async () => {
    const dir = mkdtempSync(join(work, "mail-"));
    const target = sentinel("mail-target");
    writeFileSync(join(target.dir, "access-review.html"), "<p>not the report</p>");
    const real = join(dir, "reports");
    mkdirSync(real);
    writeFileSync(join(real, "access-review.html"), "<p>report</p>");
    const link = join(dir, "swapped");
    symlinkSync(target.dir, link);
    symlinkSync(join(target.dir, "access-review.html"), join(real, "linked.html"));
    const send = (path: string) =>
      sendChangeReport(
        {
          organization: "acme.example",
          snapshotId: 2,
          previousId: 1,
          orgDate: "2026-11-29",
          seal: "0".repeat(64),
          counts: { groups: 1, users: 1, memberships: 1, elevatedGrants: 0 },
          changesByKind: [],
          changes: [],
          findings: [],
          attachments: [{ path }],
        },
        {
          // Refused before any connection: nothing listens on port 9 here.
          smtp: { host: "127.0.0.1", port: 9, security: "none", timeoutMs: 500 },
          from: "audit@acme.example",
          to: ["security@acme.example"],
          policy: "always",
          minSeverity: "medium",
          retries: 0,
        },
      );
    expect(await send(join(link, "access-review.html"))).toMatchObject({
      status: "failed",
      attempts: 0,
      error: `attachment folder ${link} is a symbolic link: refusing to follow it (pass the real folder)`,
    });
    expect(await send(join(real, "linked.html"))).toMatchObject({
      status: "failed",
      attempts: 0,
      error: `attachment ${join(real, "linked.html")} is a symbolic link: refusing to follow it`,
    });
  });
});
