/**
 * The terminal is part of the output: the real CLI, as a child process, against the simulator
 * (audit logging turned off, so every crawl logs a warning). Piped, logs are JSON lines (one
 * object a line, for schedulers and systemd's journal); with `--log-format pretty`, the
 * environment or the configuration file, short human lines; under a real pseudo-terminal
 * (util-linux `script`), `auto` gives human lines and a command telling its own story (the demo,
 * a crawl) shows only warnings. The admin key never shows, in either format.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { redactKey } from "../src/util/log.js";
import { CLI, type CliResult, cliEnv, runCli } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "cli-logs-"));
let sim: RunningSimulator;
let env: NodeJS.ProcessEnv;
let databases = 0;

/** A crawl into a fresh database (each test's crawl is its own first snapshot). */
const crawl = (...extra: string[]): string[] => {
  databases += 1;
  return [
    "crawl",
    "--base-url",
    sim.baseUrl,
    "--db",
    join(work, `db-${databases}.duckdb`),
    ...extra,
  ];
};

/** A JSON log line, wherever it starts (on a terminal a progress bar may precede it). */
const JSON_LOG = /\{"level":\d+/;
/** A pretty line: time, level, message. */
const PRETTY = /^\[\d\d:\d\d:\d\d\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): \S/;
const AUDIT_WARNING = "audit log not synced; recorded as a gap";

const lines = (text: string): string[] => text.split(/\r?\n/).filter((l) => l !== "");

const ESC = String.fromCharCode(27);
/** Colours, cursor moves and line clearing, as a terminal would consume them. */
const CONTROL_SEQUENCE = new RegExp(`${ESC}(\\[[0-9;?]*[A-Za-z]|[78])`, "g");
const visible = (text: string): string =>
  text.replace(CONTROL_SEQUENCE, "").replaceAll("\r\n", "\n");

const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * The CLI under a pseudo-terminal (`script -qfec`), as a person at a terminal runs it: stdout and
 * stderr are a TTY. Returns its exit code and everything the terminal received.
 */
function underTerminal(
  args: string[],
  childEnv: NodeJS.ProcessEnv,
): Promise<{ status: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map(quote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qfec", command, "/dev/null"], {
      env: childEnv,
      cwd: work,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8"); // a character can straddle two chunks
    child.stdout.on("data", (d: string) => {
      output += d;
    });
    child.stderr.setEncoding("utf8"); // a character can straddle two chunks
    child.stderr.on("data", (d: string) => {
      output += d;
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.once("error", reject);
    child.once("close", (status) => {
      clearTimeout(guard);
      resolve({ status, output });
    });
  });
}

/** The command's own line about the audit log (stderr, not a log line). */
const OWN_WARNING = /^warning: audit log not synced: /;

/** Every log line on stderr is a short human line; returns them. */
function expectPretty(r: CliResult): string[] {
  const logged = lines(r.stderr).filter((l) => !OWN_WARNING.test(l));
  expect(r.stderr).not.toMatch(JSON_LOG);
  for (const line of logged) expect(line).toMatch(PRETTY);
  return logged;
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 21, groups: 8, users: 60, auditLog: "disabled" });
  env = cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey });
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("piped (not a terminal)", () => {
  it("by default, JSON lines: one object a line, the warnings included", async () => {
    const r = await runCli(crawl(), env);
    expect(r.status, r.stderr).toBe(0);
    const parsed = lines(r.stderr)
      .filter((l) => !OWN_WARNING.test(l))
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(parsed.length).toBeGreaterThan(3);
    expect(parsed.find((p) => p.msg === AUDIT_WARNING)?.level).toBe(40);
    // Info lines are the record of a run nobody watches.
    expect(parsed.some((p) => p.level === 30 && p.msg === "snapshot published")).toBe(true);
  });

  it("--log-format pretty: one human line an event, warnings included, no JSON", async () => {
    const r = await runCli(crawl("--log-format", "pretty"), env);
    expect(r.status, r.stderr).toBe(0);
    const logged = expectPretty(r);
    expect(logged.find((l) => l.includes(AUDIT_WARNING))).toMatch(
      /^\[\d\d:\d\d:\d\d\] WARN: audit log not synced; recorded as a gap sync_id=\d+ reason="the API refused/,
    );
    expect(logged.some((l) => /INFO: snapshot published snapshot(_id|Id)=\d+/.test(l))).toBe(true);
  });

  it("the same from ACCESS_AUDIT_LOG_FORMAT and from logging.format; the flag wins", async () => {
    const fromEnv = await runCli(crawl(), { ...env, ACCESS_AUDIT_LOG_FORMAT: "pretty" });
    expect(fromEnv.status, fromEnv.stderr).toBe(0);
    expect(expectPretty(fromEnv).some((l) => l.includes(`WARN: ${AUDIT_WARNING}`))).toBe(true);

    const configured = join(work, "configured");
    mkdirSync(configured, { recursive: true });
    writeFileSync(join(configured, "access-audit.config.yaml"), "logging:\n  format: pretty\n");
    const fromFile = await runCli(crawl(), env, 120_000, configured);
    expect(fromFile.status, fromFile.stderr).toBe(0);
    expect(expectPretty(fromFile).some((l) => l.includes(`WARN: ${AUDIT_WARNING}`))).toBe(true);

    // `--log-format json` forces JSON over the file (and the flag goes before the command too).
    const forced = await runCli(["--log-format", "json", ...crawl()], env, 120_000, configured);
    expect(forced.status, forced.stderr).toBe(0);
    for (const line of lines(forced.stderr).filter((l) => !OWN_WARNING.test(l))) {
      expect(JSON.parse(line)).toHaveProperty("level");
    }
    expect(forced.stderr).toContain(`"msg":"${AUDIT_WARNING}"`);
  });

  it("the admin key never appears in pretty lines", async () => {
    // A folder named by the key: the run logs each report's path, so the raw key reaches the
    // logger, and only the redactor stands between it and the line.
    const out = join(work, "named", sim.adminKey);
    const run = await runCli(
      [
        "run",
        "--base-url",
        sim.baseUrl,
        "--db",
        join(work, "run.duckdb"),
        "--out",
        out,
        "--format",
        "html",
        "--log-format",
        "pretty",
      ],
      env,
    );
    expect(run.status, run.stderr).toBe(0);
    const written = expectPretty(run).find((l) => l.includes("INFO: report written path="));
    expect(written).toContain(`/named/${redactKey(sim.adminKey)}/access-review-s1-`);
    expect(run.stderr + run.stdout).not.toContain(sim.adminKey);

    // A wrong key, echoed by the server's 401 and quoted by the warning: its safe form only.
    const key = "sk-admin-logs-test-WRONG-0123456789abcdefXYZW";
    const r = await runCli(crawl("--log-format", "pretty"), { ...env, OPENAI_ADMIN_KEY: key });
    expect(r.status).toBe(1);
    const logged = lines(r.stderr);
    // The last line is the command's own error; every log line before it is pretty.
    for (const line of logged.slice(0, -1)) expect(line).toMatch(PRETTY);
    const aborted = logged.find((l) => l.includes("WARN: snapshot aborted"));
    expect(aborted).toContain("Incorrect API key provided: sk-admin-...XYZW");
    expect(r.stderr + r.stdout).not.toContain(key);
    expect(r.stderr + r.stdout).not.toContain("WRONG-0123456789");
  });

  it("a bad format is usage: exit 2, one line", async () => {
    const flag = await runCli(["crawl", "--log-format", "xml"], env);
    expect(flag.status).toBe(2);
    expect(lines(flag.stderr)).toEqual([
      "access-audit: option '--log-format <format>' argument 'xml' is invalid. Allowed choices are auto, json, pretty.",
    ]);
    const fromEnv = await runCli(["demo"], { ...env, ACCESS_AUDIT_LOG_FORMAT: "xml" });
    expect(fromEnv.status).toBe(2);
    expect(lines(fromEnv.stderr)).toEqual([
      'access-audit: ACCESS_AUDIT_LOG_FORMAT: expected one of auto, json, pretty, got "xml"',
    ]);
    const badFile = join(work, "bad-config");
    mkdirSync(badFile, { recursive: true });
    writeFileSync(join(badFile, "access-audit.config.yaml"), "logging: { format: xml }\n");
    const fromFile = await runCli(crawl(), env, 120_000, badFile);
    expect(fromFile.status).toBe(2);
    expect(lines(fromFile.stderr)).toEqual([
      'access-audit: access-audit.config.yaml: logging.format: expected one of auto, json, pretty, got "xml"',
    ]);
  });
});

describe("on a terminal (a pseudo-terminal: auto)", () => {
  it("the demo tells its story with no JSON log line", async () => {
    const r = await underTerminal(
      ["demo", "--db", join(work, "demo.duckdb"), "--out", join(work, "demo-reports")],
      env,
    );
    const shown = visible(r.output);
    expect(r.status, shown).toBe(0);
    expect(shown).toMatch(/^first crawl: snapshot 1 \(/m);
    expect(shown).toMatch(/^second crawl: snapshot 2 \(/m);
    expect(shown).not.toMatch(JSON_LOG);
    // The story is the demo's: no info log line interleaves with it.
    expect(shown).not.toMatch(/ INFO: /);
  }, 180_000);

  it("a crawl shows its warnings as human lines, its info lines not; never the key", async () => {
    const r = await underTerminal(crawl(), env);
    const shown = visible(r.output);
    expect(r.status, shown).toBe(0);
    expect(shown).not.toMatch(JSON_LOG);
    expect(shown).toMatch(
      /^\[\d\d:\d\d:\d\d\] WARN: audit log not synced; recorded as a gap sync_id=\d+ /m,
    );
    expect(shown).not.toMatch(/ INFO: /);

    // With info lines shown (the level's own setting wins), a report path holding the key.
    const out = join(work, "named-tty", sim.adminKey);
    const run = await underTerminal(
      [
        "run",
        "--base-url",
        sim.baseUrl,
        "--db",
        join(work, "run-tty.duckdb"),
        "--out",
        out,
        "--format",
        "html",
      ],
      { ...env, ACCESS_AUDIT_LOG_LEVEL: "info" },
    );
    expect(run.status, visible(run.output)).toBe(0);
    expect(visible(run.output)).toMatch(
      /^\[\d\d:\d\d:\d\d\] INFO: report written path=\S*\/named-tty\/sk-admin-\.\.\./m,
    );
    expect(run.output).not.toContain(sim.adminKey);
  });

  it("--log-format json forces JSON lines there too", async () => {
    const r = await underTerminal(crawl("--log-format", "json"), env);
    const shown = visible(r.output);
    expect(r.status, shown).toBe(0);
    const warning = /\{"level":40,[^\n]*"msg":"audit log not synced; recorded as a gap"\}/.exec(
      shown,
    );
    expect(warning).not.toBeNull();
    expect(JSON.parse(warning?.[0] ?? "")).toMatchObject({ level: 40, msg: AUDIT_WARNING });
    expect(shown).not.toMatch(/ WARN: /);
  });
});
