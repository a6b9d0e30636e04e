/**
 * Operations through the real CLI as child processes: the demo end to end, `run` (crawl,
 * analyse, report, email to a real SMTP server, exit 3 on findings), a refused email that must
 * not fail the run, an invalid configuration that runs nothing, and the scheduler on a
 * seconds-level cron (two runs, skipped overlapping ticks, a clean stop on SIGTERM mid-run).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { CLI, cliEnv, runCli } from "./support/cli.js";

const root = mkdtempSync(join(tmpdir(), "aa-ops-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
function workdir(): string {
  const dir = join(root, `wd-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The organization's date of a snapshot taken now (UTC). */
const today = (): string => new Date().toISOString().slice(0, 10);

interface SmtpPeer {
  port: number;
  received: ParsedMail[];
  close: () => Promise<void>;
}

/** A plain SMTP server on loopback (TLS and AUTH are covered by deliver.email.test.ts). */
async function smtpPeer(refuse = false): Promise<SmtpPeer> {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (refuse) {
          const error = Object.assign(new Error("message refused by policy"), {
            responseCode: 554,
          });
          callback(error);
          return;
        }
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          received.push(mail);
          callback();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { port, received, close: () => new Promise((r) => server.close(() => r())) };
}

function configYaml(sim: RunningSimulator, smtpPort: number | null, concurrency = 4): string {
  return [
    "database: ./audit.duckdb",
    "api:",
    `  base_url: ${sim.baseUrl}`,
    `  concurrency: ${concurrency}`,
    "report:",
    "  output: ./out",
    ...(smtpPort === null
      ? []
      : [
          "email:",
          "  enabled: true",
          "  smtp:",
          "    host: 127.0.0.1",
          `    port: ${smtpPort}`,
          "    security: none",
          '  from: "Access audit <audit@corp.example>"',
          "  to: [security@corp.example, it-audit@corp.example]",
          "  send: always",
        ]),
  ].join("\n");
}

describe("demo", () => {
  it("runs end to end with nothing configured: two crawls, changes through the API, reports", async () => {
    const cwd = workdir();
    const r = await runCli(["demo", "--json"], cliEnv({}), 120_000, cwd);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      first: { snapshot_id: number };
      second: { snapshot_id: number; changes: number; files: { path: string; format: string }[] };
      changes: string[];
      seconds: number;
    };
    expect(out.first.snapshot_id).toBe(1);
    expect(out.second.snapshot_id).toBe(2);
    expect(out.changes.length).toBe(11);
    expect(out.changes).toContainEqual(
      expect.stringMatching(/^admin key ".*" created in the console, with no expiry$/),
    );
    expect(out.changes).toContainEqual(
      expect.stringMatching(/^the manual group ".*" attached to project ".*" as Project Owner$/),
    );
    expect(out.second.files.map((f) => f.format)).toEqual(["html", "xlsx"]);
    for (const f of out.second.files) {
      expect(f.path).toMatch(/reports[/\\]access-review-s2-\d{4}-\d{2}-\d{2}\.(html|xlsx)$/);
      expect(existsSync(join(cwd, f.path))).toBe(true);
    }
    const html = readFileSync(join(cwd, out.second.files[0]?.path ?? ""), "utf8");
    expect(html).toContain("Break-glass admins");

    // The database it left verifies, and the diff holds exactly the demo's kinds of change.
    const verify = await runCli(["verify", "--db", "data/demo.duckdb"], cliEnv({}), 60_000, cwd);
    expect(verify.status, verify.stderr).toBe(0);
    const diff = await runCli(
      ["diff", "--db", "data/demo.duckdb", "--json"],
      cliEnv({}),
      60_000,
      cwd,
    );
    expect(diff.status, diff.stderr).toBe(0);
    const summary = (JSON.parse(diff.stdout) as { summary: Record<string, number> }).summary;
    expect(summary.group_added).toBe(1);
    expect(summary.group_renamed).toBe(1);
    expect(summary.group_role_granted).toBe(2);
    expect(summary.member_removed).toBe(4);
    expect(summary.member_added).toBe(7); // 6 joined + the break-glass member
    expect(summary.access_gained).toBeGreaterThanOrEqual(4);
    // Inside a project: a manual group attached as owner, and a new member.
    expect(summary.project_group_attached).toBe(1);
    expect(summary.project_group_role_granted).toBe(1);
    expect(summary.project_member_added).toBe(1);
    expect(summary.project_access_gained).toBeGreaterThanOrEqual(2);
    expect(out.second.changes).toBe(Object.values(summary).reduce((a, b) => a + b, 0));
  });
});

describe("run", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 5, groups: 12, users: 80 });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("crawls, reports and emails; exits 3 on findings at or above --fail-on", async () => {
    const smtp = await smtpPeer();
    try {
      const cwd = workdir();
      writeFileSync(join(cwd, "access-audit.config.yaml"), configYaml(sim, smtp.port));
      const env = cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey });
      const first = await runCli(["run", "--json"], env, 120_000, cwd);
      expect(first.status, first.stderr).toBe(0);
      const one = JSON.parse(first.stdout) as { snapshot_id: number; delivery: { status: string } };
      expect(one.snapshot_id).toBe(1);
      expect(one.delivery.status).toBe("sent");

      // An Owner through a manual group: critical.
      const group = sim.state.createGroup("Shadow owners", { isScimManaged: false }).id;
      sim.state.assignGroupRole(group, sim.state.ownerRoleId);
      sim.state.addMember(group, sim.state.userIds()[3] as string);
      const second = await runCli(["run", "--json", "--fail-on", "critical"], env, 120_000, cwd);
      expect(second.status, second.stderr).toBe(3);
      expect(second.stderr).toMatch(/^access-audit: findings at or above critical/m);
      const two = JSON.parse(second.stdout) as {
        snapshot_id: number;
        previous_id: number;
        max_severity: string;
        files: { path: string }[];
      };
      expect(two).toMatchObject({ snapshot_id: 2, previous_id: 1, max_severity: "critical" });
      // Paths in the configuration are relative to its file.
      expect(two.files.map((f) => f.path)).toEqual([
        join(cwd, "out", `access-review-s2-${today()}.html`),
        join(cwd, "out", `access-review-s2-${today()}.xlsx`),
      ]);

      expect(smtp.received.length).toBe(2);
      const mail = smtp.received[1] as ParsedMail;
      expect(mail.subject).toMatch(/snapshot 2/);
      const to = Array.isArray(mail.to) ? mail.to : [mail.to];
      expect(to.flatMap((a) => a?.value.map((v) => v.address))).toEqual([
        "security@corp.example",
        "it-audit@corp.example",
      ]);
      expect(mail.html || "").toContain("Shadow owners");
      expect(mail.attachments.map((a) => a.filename)).toEqual([
        expect.stringMatching(/\.html$/),
        expect.stringMatching(/\.xlsx$/),
      ]);
      const onDisk = readFileSync(two.files[1]?.path ?? "");
      expect(Buffer.compare(mail.attachments[1]?.content ?? Buffer.alloc(0), onDisk)).toBe(0);
      // The key reached nothing the run wrote or printed.
      for (const text of [
        first.stdout,
        first.stderr,
        second.stdout,
        second.stderr,
        mail.html || "",
      ]) {
        expect(text).not.toContain(sim.adminKey);
      }
    } finally {
      await smtp.close();
    }
  });

  it("a refused email is a failed delivery, not a failed run; the reports stay on disk", async () => {
    const smtp = await smtpPeer(true);
    try {
      const cwd = workdir();
      writeFileSync(join(cwd, "access-audit.config.yaml"), configYaml(sim, smtp.port));
      const r = await runCli(
        ["run", "--json"],
        cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey }),
        120_000,
        cwd,
      );
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as {
        delivery: { status: string; attempts: number; error: string };
        files: { path: string }[];
      };
      expect(out.delivery.status).toBe("failed");
      expect(out.delivery.attempts).toBe(1); // 554 is permanent
      expect(out.delivery.error).toMatch(/554|refused/);
      for (const f of out.files) expect(existsSync(f.path)).toBe(true);
      expect(r.stderr).toContain("email delivery failed");
    } finally {
      await smtp.close();
    }
  });

  it("other commands take the database, base URL and key file from the configuration file", async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, "key.txt"), `${sim.adminKey}\n`);
    writeFileSync(
      join(cwd, "access-audit.config.yaml"),
      `database: ./cfg/audit.duckdb\napi:\n  base_url: ${sim.baseUrl}\n  key_file: ./key.txt\n`,
    );
    const crawl = await runCli(["crawl", "--json"], cliEnv({}), 120_000, cwd);
    expect(crawl.status, crawl.stderr).toBe(0);
    expect(existsSync(join(cwd, "cfg", "audit.duckdb"))).toBe(true);
    const list = await runCli(["snapshots", "--json"], cliEnv({}), 60_000, cwd);
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveLength(1);
    // The environment still wins over the file.
    const missing = join(cwd, "none.duckdb");
    const other = await runCli(
      ["snapshots", "--json"],
      cliEnv({ ACCESS_AUDIT_DB: missing }),
      60_000,
      cwd,
    );
    expect(other.status).toBe(1);
    expect(other.stderr).toContain(missing);
    // An invalid file stops every command before it does anything.
    writeFileSync(join(cwd, "access-audit.config.yaml"), "databse: ./x.duckdb\n");
    const bad = await runCli(["snapshots"], cliEnv({}), 60_000, cwd);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/databse/);
  });

  it("an invalid configuration runs nothing: one line, exit 2", async () => {
    const cwd = workdir();
    writeFileSync(
      join(cwd, "access-audit.config.yaml"),
      `${configYaml(sim, null)}\nschedule:\n  cron: "* * *"\n`,
    );
    const r = await runCli(["run"], cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey }), 60_000, cwd);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/schedule\.cron/);
    expect(existsSync(join(cwd, "audit.duckdb"))).toBe(false);

    const noKey = await runCli(["run"], cliEnv({}), 60_000, workdir());
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toMatch(/^access-audit: no admin key/);
  });
});

describe("schedule", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    // Slow enough that a run outlasts a one-second tick.
    sim = await startSimulator({ port: 0, seed: 9, groups: 25, users: 150, latencyMs: 15 });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("refuses an invalid cron expression at start-up", async () => {
    const r = await runCli(
      ["schedule", "--cron", "61 * * * *"],
      cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey }),
      30_000,
      workdir(),
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/cron/);
  });

  it("runs on every tick without overlapping, and stops cleanly on SIGTERM mid-run", async () => {
    const cwd = workdir();
    writeFileSync(
      join(cwd, "access-audit.config.yaml"),
      `${configYaml(sim, null, 2)}\nschedule:\n  cron: "* * * * * *"\n  timezone: Europe/Berlin\n`,
    );
    const child: ChildProcess = spawn(process.execPath, [CLI, "schedule"], {
      cwd,
      env: cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey, ACCESS_AUDIT_LOG_LEVEL: "info" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const events: { msg: string; tick?: number }[] = [];
    let stderr = "";
    let waiters: (() => void)[] = [];
    child.stderr?.setEncoding("utf8"); // a character can straddle two chunks
    child.stderr?.on("data", (d: string) => {
      stderr += d;
      const lines = stderr.split("\n");
      stderr = lines.pop() ?? "";
      for (const line of lines) {
        try {
          events.push(JSON.parse(line) as { msg: string });
        } catch {
          events.push({ msg: line });
        }
      }
      for (const w of waiters) w();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const until = async (test: () => boolean, ms: number, what: string) => {
      const deadline = Date.now() + ms;
      while (!test()) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}: ${JSON.stringify(events.slice(-5))}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
        waiters = [];
      }
    };
    const count = (msg: string) => events.filter((e) => e.msg === msg).length;
    try {
      await until(() => count("run succeeded") >= 2, 90_000, "two successful runs");
      expect(count("run skipped: the previous run is still going")).toBeGreaterThan(0);
      // Never two runs at once: starts and ends alternate.
      const sequence = events
        .filter((e) => ["run started", "run succeeded", "run failed"].includes(e.msg))
        .map((e) => (e.msg === "run started" ? "start" : "end"));
      for (let i = 0; i < sequence.length; i++) {
        expect(sequence[i]).toBe(i % 2 === 0 ? "start" : "end");
      }
      // Stop in the middle of the next run's crawl.
      const started = count("run started");
      await until(() => count("run started") > started, 30_000, "the next run");
      await new Promise((r) => setTimeout(r, 300));
      child.kill("SIGTERM");
      const code = await Promise.race([
        exited,
        new Promise<string>((r) => setTimeout(() => r("timeout"), 30_000)),
      ]);
      expect(code).toBe(0);
      expect(count("abandoning the current run")).toBe(1);
      expect(count("scheduler stopped")).toBe(1);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    // Nothing half-written: no snapshot left running, every complete one verifies.
    const env = cliEnv({});
    const list = await runCli(["snapshots", "--db", "audit.duckdb", "--json"], env, 30_000, cwd);
    expect(list.status, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as { status: string }[];
    expect(rows.filter((r) => r.status === "complete").length).toBeGreaterThanOrEqual(2);
    expect(rows.filter((r) => r.status === "running")).toEqual([]);
    const verify = await runCli(["verify", "--db", "audit.duckdb"], env, 60_000, cwd);
    expect(verify.status, verify.stderr).toBe(0);
  });
});
