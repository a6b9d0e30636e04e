/**
 * The configuration file through the real CLI (`config check`, and a command that must not run
 * on an invalid configuration): one line per problem on stderr, exit 2; secrets never printed.
 * The rules themselves are tested as functions in test/unit/config.test.ts.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_ACCESS_ADMIN_PERMISSION_PATTERNS } from "../src/analysis/config.js";
import { type CliResult, cliEnv, runCli } from "./support/cli.js";
import { CONFIG_FILE, configDirs } from "./support/config-dirs.js";

/** A fresh folder, optionally with a default configuration file in it. */
const workdir = configDirs("config-");

/** The CLI in a working directory (the default configuration file is looked up there). */
function runIn(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(args, cliEnv(env), 120_000, cwd);
}

const FILE = CONFIG_FILE;

/** `config check` on a file: exit 2, nothing on stdout, exactly these lines on stderr. */
async function expectProblems(yaml: string, lines: string[]): Promise<void> {
  const result = await runIn(workdir(yaml), ["config", "check"]);
  expect(result.stdout).toBe("");
  expect(result.stderr).toBe(lines.map((l) => `access-audit: ${l}\n`).join(""));
  expect(result.status).toBe(2);
}

describe("config check: each problem is one line and exit 2", () => {
  it("every problem of a file, one line each on stderr", async () => {
    await expectProblems("api:\n  concurency: 4\nschedule:\n  fail_on: urgent\n", [
      `${FILE}: api.concurency: unknown key (did you mean concurrency?)`,
      `${FILE}: schedule.fail_on: expected one of low, medium, high, critical, got "urgent"`,
    ]);
  });

  it("a literal secret, saying where secrets go and never echoing it", async () => {
    const key = "sk-admin-LITERALSECRET0123456789abcdef";
    const result = await runIn(
      workdir(`api:\n  key: ${key}\nemail:\n  smtp:\n    password: hunter2hunter2\n`),
      ["config", "check"],
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `access-audit: ${FILE}: api.key: secrets are not read from the config file: set OPENAI_ADMIN_KEY, or name a file holding the key with api.key_file (or OPENAI_ADMIN_KEY_FILE)\n` +
        `access-audit: ${FILE}: email.smtp.password: secrets are not read from the config file: set ACCESS_AUDIT_SMTP_PASSWORD, or name a file holding the password with email.smtp.password_file\n`,
    );
    // A key pasted where a path belongs is caught too, without being printed.
    const pasted = await runIn(workdir(`api:\n  key_file: ${key}\n`), ["config", "check"]);
    expect(pasted.status).toBe(2);
    expect(pasted.stderr).toMatch(
      /^access-audit: access-audit.config.yaml: api.key_file: this value looks like an API key; secrets are not read/,
    );
    for (const r of [result, pasted]) {
      expect(r.stdout + r.stderr).not.toContain("LITERALSECRET");
      expect(r.stdout + r.stderr).not.toContain("hunter2");
    }
  });

  it("a missing --config file or ACCESS_AUDIT_CONFIG file, and invalid YAML", async () => {
    const dir = workdir();
    const missing = await runIn(dir, ["config", "check", "--config", "nope.yaml"]);
    expect(missing.stderr).toBe(
      "access-audit: nope.yaml: configuration file not found (named by --config)\n",
    );
    expect(missing.status).toBe(2);
    const fromEnv = await runIn(dir, ["config", "check"], { ACCESS_AUDIT_CONFIG: "gone.yaml" });
    expect(fromEnv.stderr).toBe(
      "access-audit: gone.yaml: configuration file not found (named by ACCESS_AUDIT_CONFIG)\n",
    );
    expect(fromEnv.status).toBe(2);
    await expectProblems("api: [1\n", [
      `${FILE}: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1`,
    ]);
    await expectProblems("database: a\ndatabase: b\n", [
      `${FILE}: not valid YAML: Map keys must be unique at line 2, column 1`,
    ]);
  });

  it("nothing runs on an invalid configuration", async () => {
    const dir = workdir('database: ./audit.duckdb\nschedule:\n  cron: "61 * * * *"\n');
    const result = await runIn(dir, ["retention", "apply", "--keep-last", "1"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `access-audit: ${FILE}: schedule.cron: expected a valid cron expression, got "61 * * * *" (61 is a invalid expression for minute)\n`,
    );
    expect(existsSync(join(dir, "audit.duckdb"))).toBe(false);
  });
});

describe("config check on a valid configuration", () => {
  it("prints defaults when there is no file", async () => {
    const dir = workdir();
    const result = await runIn(dir, ["config", "check", "--json"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({
      valid: true,
      file: null,
      config: {
        database: join(dir, "data", "access-audit.duckdb"),
        api: { base_url: "https://api.openai.com/v1", key: "not set", concurrency: 8 },
        retention: { keep: "all" },
        schedule: { cron: "0 6 * * *", timezone: "UTC", fail_on: null },
        email: { enabled: false, smtp: { password: "not set" } },
      },
      sources: {},
    });
  });

  it("resolves relative paths against the file's folder, not the working directory", async () => {
    const elsewhere = workdir();
    const configDir = join(elsewhere, "etc");
    mkdirSync(join(configDir, "rules"), { recursive: true });
    writeFileSync(
      join(configDir, "audit.yaml"),
      [
        "database: ../var/audit.duckdb",
        "analysis:",
        "  rules: [./rules]",
        "  allowed_email_domains: ['@Example.COM']",
        "  elevated_roles:",
        "    names: [Billing Admin]",
        "report:",
        "  output: out",
        "  formats: [xlsx]",
        "retention:",
        "  keep_younger_than: 90d",
        "  monthly: true",
        "schedule:",
        "  cron: '0 6 * * 1-5'",
        "  timezone: Europe/Paris",
        "  fail_on: high",
        "",
      ].join("\n"),
    );
    const cwd = workdir();
    const result = await runIn(cwd, ["config", "check", "--config", join(configDir, "audit.yaml")]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe(`${join(configDir, "audit.yaml")}: valid`);
    expect(result.stdout).toContain(`database: ${join(elsewhere, "var", "audit.duckdb")} # file\n`);
    expect(result.stdout).toContain(`output: ${join(configDir, "out")} # file\n`);
    expect(result.stdout).toContain(
      "retention: # file\n  keep_younger_than: 90d\n  monthly: true\n",
    );
    expect(result.stdout).toContain("  rules: # file\n    - ");
    const json = JSON.parse(
      (
        await runIn(cwd, ["config", "check", "--json"], {
          ACCESS_AUDIT_CONFIG: join(configDir, "audit.yaml"),
        })
      ).stdout,
    );
    expect(json.config.analysis).toEqual({
      elevated_roles: {
        names: ["Billing Admin"],
        permission_patterns: ["*.admin", "*.write"],
        access_admin_patterns: [...DEFAULT_ACCESS_ADMIN_PERMISSION_PATTERNS].sort(),
      },
      allowed_email_domains: ["example.com"],
      inactivity_days: 90,
      credentials: {
        admin_key_unused_days: 90,
        key_unused_days: 90,
        invite_pending_days: 7,
        key_rotation_days: 365,
      },
      rules: [join(configDir, "rules")],
    });
  });

  it("environment variables override the file (and say so)", async () => {
    const dir = workdir(
      "database: file.duckdb\napi:\n  base_url: https://file.example/v1/\n  concurrency: 4\n",
    );
    const result = await runIn(dir, ["config", "check", "--json"], {
      ACCESS_AUDIT_DB: "/srv/env.duckdb",
      OPENAI_BASE_URL: "http://127.0.0.1:4010/v1",
    });
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.config.database).toBe("/srv/env.duckdb");
    expect(out.config.api).toMatchObject({ base_url: "http://127.0.0.1:4010/v1", concurrency: 4 });
    expect(out.sources).toEqual({
      database: "env ACCESS_AUDIT_DB",
      "api.base_url": "env OPENAI_BASE_URL",
      "api.concurrency": "file",
    });
    const text = await runIn(dir, ["config", "check"], { ACCESS_AUDIT_DB: "/srv/env.duckdb" });
    expect(text.stdout).toContain("database: /srv/env.duckdb # env ACCESS_AUDIT_DB\n");
    expect(text.stdout).toContain("base_url: https://file.example/v1 # file\n");
  });

  it("shows where secrets come from, never what they are", async () => {
    const adminKey = "sk-admin-FROMENVIRONMENT0123456789abcd";
    const fileKey = "sk-admin-FROMKEYFILE0123456789abcdefgh";
    const smtpPassword = "correct horse battery staple";
    const dir = workdir(
      "api:\n  key_file: admin.key\nemail:\n  enabled: true\n  smtp:\n    host: smtp.example.com\n    username: audit\n    password_file: smtp.pass\n  from: audit@example.com\n  to: [sec@example.com]\n",
    );
    writeFileSync(join(dir, "admin.key"), `${fileKey}\n`);
    writeFileSync(join(dir, "smtp.pass"), `${smtpPassword}\n`);

    const fromFiles = await runIn(dir, ["config", "check"]);
    expect(fromFiles.status).toBe(0);
    expect(fromFiles.stdout).toContain(`key: set (from file ${join(dir, "admin.key")})\n`);
    expect(fromFiles.stdout).toContain(`password: set (from file ${join(dir, "smtp.pass")})\n`);

    const env = { OPENAI_ADMIN_KEY: adminKey, ACCESS_AUDIT_SMTP_PASSWORD: smtpPassword };
    const fromEnv = await runIn(dir, ["config", "check", "--json"], env);
    expect(fromEnv.status).toBe(0);
    const out = JSON.parse(fromEnv.stdout);
    expect(out.config.api.key).toBe("set (from OPENAI_ADMIN_KEY)");
    expect(out.config.email.smtp.password).toBe("set (from ACCESS_AUDIT_SMTP_PASSWORD)");
    for (const r of [fromFiles, fromEnv, await runIn(dir, ["config", "check"], env)]) {
      for (const secret of [
        adminKey,
        fileKey,
        smtpPassword,
        "FROMENVIRONMENT",
        "FROMKEYFILE",
        "horse",
      ]) {
        expect(r.stdout + r.stderr).not.toContain(secret);
      }
    }

    // An SMTP username with no password anywhere is a problem worth exit 2.
    rmSync(join(dir, "smtp.pass"));
    const noPassword = await runIn(
      workdir(
        "email:\n  enabled: true\n  smtp:\n    host: h.example.com\n    username: u\n  from: a@example.com\n  to: [b@example.com]\n",
      ),
      ["config", "check"],
    );
    expect(noPassword.status).toBe(2);
    expect(noPassword.stderr).toBe(
      `access-audit: ${FILE}: email.smtp.password_file: expected a password for email.smtp.username, got nothing: set ACCESS_AUDIT_SMTP_PASSWORD or email.smtp.password_file\n`,
    );
  });
});
