/**
 * The configuration file through the real CLI (`config check`, and a command that must not run
 * on an invalid configuration): one line per problem, exit 2; precedence file < environment <
 * flags; secrets never printed.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  ConfigError,
  loadConfig,
  readAdminKey,
  readSmtpPassword,
  redactedConfig,
} from "../src/config/index.js";
import { type CliResult, cliEnv, runCli } from "./support/cli.js";

const root = mkdtempSync(join(tmpdir(), "config-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A fresh working directory, optionally with a default configuration file in it. */
function workdir(yaml?: string): string {
  counter += 1;
  const dir = join(root, `wd-${counter}`);
  mkdirSync(dir, { recursive: true });
  if (yaml !== undefined) writeFileSync(join(dir, "access-audit.config.yaml"), yaml);
  return dir;
}

/** The CLI in a working directory (the default configuration file is looked up there). */
function runIn(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(args, cliEnv(env), 120_000, cwd);
}

const FILE = "access-audit.config.yaml";

/** `config check` on a file: exit 2, nothing on stdout, exactly these lines on stderr. */
async function expectProblems(yaml: string, lines: string[]): Promise<void> {
  const result = await runIn(workdir(yaml), ["config", "check"]);
  expect(result.stdout).toBe("");
  expect(result.stderr).toBe(lines.map((l) => `access-audit: ${l}\n`).join(""));
  expect(result.status).toBe(2);
}

describe("config check: each problem is one line and exit 2", () => {
  it("an unknown key, with a suggestion or the keys allowed there", async () => {
    await expectProblems("api:\n  concurency: 4\n", [
      `${FILE}: api.concurency: unknown key (did you mean concurrency?)`,
    ]);
    await expectProblems("report:\n  pdf: true\n", [
      `${FILE}: report.pdf: unknown key (expected one of formats, output)`,
    ]);
  });

  it("a value of the wrong type or out of range", async () => {
    await expectProblems(
      'api:\n  concurrency: "eight"\n  user_roles: yes\nemail:\n  to: a@example.com\n  smtp:\n    port: 0\n',
      [
        `${FILE}: api.concurrency: expected a whole number from 1 to 64, got "eight"`,
        `${FILE}: api.user_roles: expected true or false, got "yes"`,
        `${FILE}: email.smtp.port: expected a whole number from 1 to 65535, got 0`,
        `${FILE}: email.to: expected a list, got "a@example.com"`,
      ],
    );
    await expectProblems("report:\n  formats: [html, pdf]\nschedule:\n  fail_on: urgent\n", [
      `${FILE}: report.formats[1]: expected one of html, xlsx, got "pdf"`,
      `${FILE}: schedule.fail_on: expected one of low, medium, high, critical, got "urgent"`,
    ]);
    await expectProblems("- database\n", [
      `${FILE}: expected a mapping of settings at the top level, got a list`,
    ]);
  });

  it("a bad cron expression and a bad time zone", async () => {
    await expectProblems('schedule:\n  cron: "* * *"\n', [
      `${FILE}: schedule.cron: expected a valid cron expression, got "* * *" (expected 5 or 6 fields but got 3)`,
    ]);
    await expectProblems("schedule:\n  timezone: Mars/Olympus_Mons\n", [
      `${FILE}: schedule.timezone: expected an IANA time zone such as UTC or Europe/Paris, got "Mars/Olympus_Mons"`,
    ]);
  });

  it("a retention policy that is not exactly one of the three", async () => {
    await expectProblems("retention:\n  keep: all\n  keep_last: 3\n", [
      `${FILE}: retention: expected only one of keep, keep_last, keep_younger_than, got keep and keep_last`,
    ]);
    await expectProblems("retention:\n  keep_younger_than: 3 months\n  monthly: true\n", [
      `${FILE}: retention.keep_younger_than: expected a duration such as 90d, 12h or 8w, got "3 months"`,
    ]);
    await expectProblems("retention:\n  keep_last: 10\n  monthly: true\n", [
      `${FILE}: retention.monthly: expected only together with keep_younger_than`,
    ]);
  });

  it("email turned on without where to send it", async () => {
    await expectProblems("email:\n  enabled: true\n  to: [sec@example.com]\n", [
      `${FILE}: email.smtp.host: expected an SMTP host name when email.enabled is true, got nothing`,
      `${FILE}: email.from: expected a sender address when email.enabled is true, got nothing`,
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

  it("an unusable value in the environment, and a key file that cannot be read", async () => {
    const bad = await runIn(workdir(), ["config", "check"], { OPENAI_BASE_URL: "localhost:4010" });
    expect(bad.stderr).toBe(
      'access-audit: OPENAI_BASE_URL: expected an http(s) URL such as https://api.openai.com/v1, got "localhost:4010"\n',
    );
    expect(bad.status).toBe(2);
    const dir = workdir("api:\n  key_file: secrets/admin-key\n");
    const unreadable = await runIn(dir, ["config", "check"]);
    expect(unreadable.stderr).toBe(
      `access-audit: ${FILE}: api.key_file: cannot read admin key file ${join(dir, "secrets", "admin-key")} (ENOENT)\n`,
    );
    expect(unreadable.status).toBe(2);
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
      elevated_roles: { names: ["Billing Admin"], permission_patterns: ["*.admin", "*.write"] },
      allowed_email_domains: ["example.com"],
      inactivity_days: 90,
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

describe("loadConfig", () => {
  it("applies flags over the environment over the file", async () => {
    const dir = workdir(
      'database: file.duckdb\napi:\n  base_url: https://file.example/v1\n  concurrency: 4\n  user_roles: false\nschedule:\n  cron: "0 6 * * *"\nretention:\n  keep_last: 5\n',
    );
    const env = { ACCESS_AUDIT_DB: "env.duckdb", OPENAI_BASE_URL: "https://env.example/v1" };
    const fileOnly = await loadConfig({ cwd: dir, env: {} });
    expect(fileOnly.database).toBe(join(dir, "file.duckdb"));
    expect(fileOnly.retention).toEqual({ kind: "last", count: 5 });
    expect(fileOnly.api.userRoles).toBe(false);

    const withEnv = await loadConfig({ cwd: dir, env });
    expect(withEnv.database).toBe(join(dir, "env.duckdb"));
    expect(withEnv.api.baseUrl).toBe("https://env.example/v1");

    const withFlags = await loadConfig({
      cwd: dir,
      env,
      flags: {
        db: "flag.duckdb",
        baseUrl: "http://127.0.0.1:1/v1",
        concurrency: 2,
        userRoles: true,
        cron: "*/5 * * * *",
        retention: { kind: "younger_than", duration: "30d", monthly: true },
      },
    });
    expect(withFlags.database).toBe(join(dir, "flag.duckdb"));
    expect(withFlags.api).toMatchObject({
      baseUrl: "http://127.0.0.1:1/v1",
      concurrency: 2,
      userRoles: true,
    });
    expect(withFlags.schedule.cron).toBe("*/5 * * * *");
    expect(withFlags.retention).toEqual({ kind: "younger_than", duration: "30d", monthly: true });
    expect(withFlags.sources).toMatchObject({
      database: "flag --db",
      "api.base_url": "flag --base-url",
      "api.concurrency": "flag --concurrency",
      retention: "flag --keep-last/--keep-younger-than",
    });

    // Flag values are checked like the file's, and named by their flag.
    const error = await loadConfig({
      cwd: dir,
      env,
      flags: { cron: "every day", timezone: "Nowhere" },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      '--cron: expected a valid cron expression, got "every day" (expected 5 or 6 fields but got 2)',
      '--timezone: expected an IANA time zone such as UTC or Europe/Paris, got "Nowhere"',
    ]);
    expect((error as ConfigError).message).toBe(
      '--cron: expected a valid cron expression, got "every day" (expected 5 or 6 fields but got 2) (and 1 more problem(s): run access-audit config check)',
    );
  });

  it("reads secrets lazily: key file flag/env > OPENAI_ADMIN_KEY > api.key_file", async () => {
    const dir = workdir(
      "api:\n  key_file: from-config.key\nemail:\n  smtp:\n    password_file: smtp.pass\n",
    );
    writeFileSync(join(dir, "from-config.key"), "sk-admin-config-key-0123456789\n");
    writeFileSync(join(dir, "from-env.key"), "sk-admin-envfile-key-0123456789\n");
    writeFileSync(join(dir, "smtp.pass"), " spaces kept \n");
    const plain = await loadConfig({ cwd: dir, env: {} });
    expect(readAdminKey(plain, {})).toBe("sk-admin-config-key-0123456789");
    expect(readAdminKey(plain, { OPENAI_ADMIN_KEY: "sk-admin-env-0123456789" })).toBe(
      "sk-admin-env-0123456789",
    );
    const envFile = await loadConfig({ cwd: dir, env: { OPENAI_ADMIN_KEY_FILE: "from-env.key" } });
    expect(readAdminKey(envFile, { OPENAI_ADMIN_KEY: "sk-admin-env-0123456789" })).toBe(
      "sk-admin-envfile-key-0123456789",
    );
    expect(readSmtpPassword(plain, {})).toBe(" spaces kept ");
    expect(readSmtpPassword(plain, { ACCESS_AUDIT_SMTP_PASSWORD: "pw-from-env" })).toBe(
      "pw-from-env",
    );
    expect(redactedConfig(plain, {}).api.key).toBe(
      `set (from file ${join(dir, "from-config.key")})`,
    );

    const none = await loadConfig({ cwd: workdir(), env: {} });
    expect(() => readAdminKey(none, {})).toThrow(ConfigError);
    expect(() => readAdminKey(none, {})).toThrow(/^no admin key: set OPENAI_ADMIN_KEY/);
    expect(readSmtpPassword(none, {})).toBeNull();
  });
});
