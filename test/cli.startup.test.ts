/**
 * What a command loads before it starts working: each command's module is imported only when it
 * runs, and the crawl's path never loads the packages of stages it does not use. Measured with
 * the real CLI and Node's module hooks: every module URL the process loads is recorded.
 * (The fixed cost these choices buy is measured by `npm run bench`, scenario `fixed-cost`.)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../src/simulator/index.js";
import { duckdb } from "../src/util/duckdb.js";
import { CLI, cliEnv, runCliChild } from "./support/cli.js";

/**
 * A module hook that writes each loaded URL to stderr, registered before the CLI starts, and
 * each package a CommonJS `require` asks for (as `require:NAME`: DuckDB's client is loaded so).
 */
const RECORD_LOADS = `data:text/javascript,${encodeURIComponent(
  `import { Module, register } from "node:module";
   register("data:text/javascript," + encodeURIComponent(
     "export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\\\n'); return next(url, context); }"));
   const load = Module._load;
   Module._load = function (request, ...rest) {
     if (!request.startsWith(".") && !request.startsWith("/")) process.stderr.write("LOADED require:" + request + "\\n");
     return load.call(this, request, ...rest);
   };`,
)}`;

/** The module URLs (and `require`d packages) `access-audit args` loads; it must exit `status`. */
function loadedBy(args: readonly string[], status = 0): string[] {
  const run = spawnSync(process.execPath, ["--import", RECORD_LOADS, CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  expect(run.status, run.stderr).toBe(status);
  return recordedLoads(run.stderr);
}

/** The module URLs and packages the hook wrote to a run's stderr. */
function recordedLoads(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("LOADED "))
    .map((line) => line.slice("LOADED ".length));
}

/** The same as `loadedBy`, for a run that needs this process to keep serving (a simulator). */
async function loadedByChild(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const run = await runCliChild(args, {
    env: { ...env, NODE_OPTIONS: `--import ${RECORD_LOADS}` },
  });
  expect(run.status, run.stderr).toBe(0);
  return recordedLoads(run.stderr);
}

const loads = (urls: readonly string[], part: string) => urls.some((u) => u.includes(part));

/** Any of undici: its files are required by name (`require:undici/lib/...`), never imported. */
const loadsUndici = (urls: readonly string[]) =>
  loads(urls, "/node_modules/undici/") || loads(urls, "require:undici");

describe("startup", () => {
  it("--version loads no command", () => {
    const urls = loadedBy(["--version"]);
    expect(loads(urls, "/dist/cli/main.js")).toBe(true);
    expect(urls.filter((u) => u.includes("/dist/cli/commands/"))).toEqual([]);
    // DuckDB is loaded with require, which these hooks do not see: its ESM wrapper stands for it.
    for (const absent of [
      "/dist/util/duckdb.js",
      "/dist/store/",
      "/dist/config/load.js",
      "/node_modules/zod/",
      "/node_modules/yaml/",
      "/node_modules/undici/",
      "require:undici",
      "require:yaml",
    ]) {
      expect(loads(urls, absent), absent).toBe(false);
    }
  });

  it("crawl loads its own command and none of the reporting, certification or simulator stack", () => {
    const urls = loadedBy(["crawl", "--help"]);
    expect(
      urls.filter((u) => u.includes("/dist/cli/commands/")).map((u) => u.split("/").pop()),
    ).toEqual(expect.arrayContaining(["crawl.js"]));
    for (const absent of [
      "/node_modules/exceljs/",
      "require:exceljs",
      "/node_modules/handlebars/",
      "/node_modules/nodemailer/",
      "require:nodemailer",
      "/dist/simulator/",
      "/dist/report/",
      "/dist/certify/index.js",
      "/dist/cli/commands/report.js",
      "/dist/cli/commands/demo.js",
    ]) {
      expect(loads(urls, absent), absent).toBe(false);
    }
  });

  it("report loads exceljs only to write a workbook", () => {
    const urls = loadedBy(["report", "--help"]);
    expect(loads(urls, "/dist/cli/commands/report.js")).toBe(true);
    expect(loads(urls, "/node_modules/exceljs/")).toBe(false);
    expect(loads(urls, "require:exceljs")).toBe(false);
    expect(loads(urls, "/dist/report/xlsx.js")).toBe(false);
  });

  it("certify loads exceljs only to write a workbook, and run loads nodemailer only to send", () => {
    // exceljs is about 0.35 s of a start, undici 0.1 s, nodemailer 0.08 s.
    const certify = loadedBy(["certify", "status", "--help"]);
    expect(loads(certify, "/dist/cli/commands/certify.js")).toBe(true);
    for (const absent of ["require:exceljs", "/node_modules/exceljs/"]) {
      expect(loads(certify, absent), absent).toBe(false);
    }
    expect(loadsUndici(certify)).toBe(false);
    const run = loadedBy(["run", "--help"]);
    expect(loads(run, "/dist/deliver/email.js")).toBe(true);
    expect(loads(run, "require:nodemailer")).toBe(false);
    expect(loads(run, "/node_modules/nodemailer/")).toBe(false);
  });

  it("help lists every command", () => {
    const run = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    for (const name of ["simulate", "crawl", "snapshots", "report", "certify", "demo"]) {
      expect(run.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    }
  });

  it("every command --help lists loads its own command module and no other", () => {
    // A command registered by another command's module (as `verify` once was, by `snapshots`)
    // is not found by name, and the CLI then loads every command: exceljs, nodemailer and all.
    const help = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
    const commands = help.stdout
      .slice(help.stdout.indexOf("Commands:"))
      .split("\n")
      .map((line) => /^ {2}([a-z][a-z-]*)\b/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined && name !== "help");
    expect(commands).toEqual(expect.arrayContaining(["crawl", "snapshots", "verify", "demo"]));
    for (const name of commands) {
      const modules = loadedBy([name, "--help"])
        .filter((u) => u.includes("/dist/cli/commands/"))
        .map((u) => u.split("/").pop());
      expect(modules, name).toContain(`${name}.js`);
      // Its own, plus the few it shares code with (demo: run and report), never all of them.
      expect(modules.length, `${name}: ${modules.join(", ")}`).toBeLessThanOrEqual(3);
    }
  });

  it("DuckDB's values, loaded with require, are the package's own", () => {
    const require = createRequire(import.meta.url);
    const client = require("@duckdb/node-api") as { DuckDBInstance: unknown; VARCHAR: unknown };
    expect(duckdb().DuckDBInstance).toBe(client.DuckDBInstance);
    expect(duckdb().VARCHAR).toBe(client.VARCHAR);
    expect(duckdb()).toBe(duckdb());
  });

  it("a command that stops before opening a database loads neither DuckDB nor the transport", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aa-startup-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    // A DuckDB file without our schema: opening it is an error (exit 1), and takes DuckDB.
    const db = join(dir, "audit.duckdb");
    (await duckdb().DuckDBInstance.create(db)).closeSync();
    symlinkSync(tmpdir(), join(dir, "link"));
    // A refused --out (exit 2), checked before the database is opened.
    const refused = loadedBy(["report", "--db", db, "--out", `${join(dir, "link")}/`], 2);
    expect(loads(refused, "/dist/cli/commands/report.js")).toBe(true);
    expect(loads(refused, "require:@duckdb/node-api")).toBe(false);
    expect(loadsUndici(refused)).toBe(false);
    // Plain HTTP to another machine (exit 2): refused before any connection or database.
    const insecure = loadedBy(["crawl", "--db", db, "--base-url", "http://audit.example/v1"], 2);
    expect(loads(insecure, "/dist/cli/commands/crawl.js")).toBe(true);
    expect(loads(insecure, "require:@duckdb/node-api")).toBe(false);
    // A command that reads no API but opens the database: DuckDB, and still no transport.
    const listed = loadedBy(["snapshots", "--db", db, "--json"], 1);
    expect(loads(listed, "require:@duckdb/node-api")).toBe(true);
    expect(loadsUndici(listed)).toBe(false);
  });

  it("a crawl loads undici's pool but not the rest of undici, and no YAML, cron or progress bar", async () => {
    // undici's main entry (fetch, WebSocket, cookies, mocks) was 70-90 ms of every crawl's start;
    // yaml, node-cron and cli-progress serve a configuration file, a schedule and a terminal,
    // none of which this crawl has.
    const sim = await startSimulator({ port: 0, seed: 9, groups: 1, users: 5 });
    const dir = mkdtempSync(join(tmpdir(), "aa-startup-crawl-"));
    try {
      const db = join(dir, "audit.duckdb");
      const env = cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey });
      const urls = await loadedByChild(
        ["crawl", "--db", db, "--base-url", sim.baseUrl, "--no-audit-log", "--json"],
        env,
      );
      expect(loads(urls, "require:undici/lib/dispatcher/pool.js")).toBe(true);
      for (const absent of [
        "/node_modules/undici/",
        "/node_modules/yaml/",
        "/node_modules/node-cron/",
        "/node_modules/cli-progress/",
        "require:yaml",
        "require:node-cron",
        "require:cli-progress",
      ]) {
        expect(loads(urls, absent), absent).toBe(false);
      }
      expect(urls).not.toContain("require:undici");
      // The crawl those modules made: every user is in the snapshot.
      const listed = await runCliChild(["snapshots", "--db", db, "--json"], { env });
      expect(listed.status, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual([
        expect.objectContaining({ snapshot_id: 1, status: "complete", users: 5 }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await sim.stop();
    }
  });

  it("a configuration file and a schedule load yaml and node-cron, and are read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aa-startup-config-"));
    try {
      const config = join(dir, "access-audit.config.yaml");
      writeFileSync(config, 'schedule:\n  cron: "0 6 * * 1"\n');
      const urls = await loadedByChild(
        ["config", "check", "--config", config, "--json"],
        cliEnv({}),
      );
      expect(loads(urls, "require:yaml")).toBe(true);
      expect(loads(urls, "require:node-cron")).toBe(true);
      writeFileSync(config, 'schedule:\n  cron: "0 6 * *"\n');
      const bad = await runCliChild(["config", "check", "--config", config], { env: cliEnv({}) });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/cron/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
