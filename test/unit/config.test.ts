/**
 * Configuration loading and checking as functions (the fast tier): one line per problem, naming
 * where it is and what was expected; precedence flags > environment > file > defaults; secrets
 * read lazily. test/config.test.ts keeps what needs the CLI process (exit 2, printed output).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  checkConfig,
  loadConfig,
  readAdminKey,
  readSmtpPassword,
  redactedConfig,
} from "../../src/config/index.js";
import { CONFIG_FILE, configDirs } from "../support/config-dirs.js";

/** A fresh folder, optionally with a default configuration file in it. */
const workdir = configDirs("config-unit-");

const FILE = CONFIG_FILE;

/** Checking a file finds exactly these problems, in this order. */
async function expectProblems(yaml: string, lines: string[]): Promise<void> {
  const result = await checkConfig({ cwd: workdir(yaml), env: {} });
  expect(result.problems).toEqual(lines);
  expect(result.config).toBeNull();
}

describe("checkConfig: each problem is one line", () => {
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

  it("an unusable value in the environment, and a key file that cannot be read", async () => {
    const bad = await checkConfig({ cwd: workdir(), env: { OPENAI_BASE_URL: "localhost:4010" } });
    expect(bad.problems).toEqual([
      'OPENAI_BASE_URL: expected an http(s) URL such as https://api.openai.com/v1, got "localhost:4010"',
    ]);
    const dir = workdir("api:\n  key_file: secrets/admin-key\n");
    const unreadable = await checkConfig({ cwd: dir, env: {} });
    expect(unreadable.problems).toEqual([
      `${FILE}: api.key_file: cannot read admin key file ${join(dir, "secrets", "admin-key")} (ENOENT)`,
    ]);
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

describe("certify settings", () => {
  it("the operator and how identities compare, with defaults", async () => {
    const defaults = await loadConfig({ cwd: workdir(), env: {} });
    expect(defaults.certify).toEqual({
      operator: null,
      identity: {
        plusAddressing: true,
        dotInsensitiveDomains: ["gmail.com", "googlemail.com"],
        domainAliases: { "googlemail.com": "gmail.com" },
      },
    });
    const set = await loadConfig({
      cwd: workdir(
        "certify:\n  operator: Jane Ops\n  identity:\n    plus_addressing: false\n    dot_insensitive_domains: [corp.example]\n",
      ),
      env: {},
    });
    expect(set.certify).toMatchObject({
      operator: "Jane Ops",
      identity: { plusAddressing: false, dotInsensitiveDomains: ["corp.example"] },
    });
    expect(set.sources["certify.identity.plus_addressing"]).toBe("file");
    expect(redactedConfig(set, {}).certify.identity.plus_addressing).toBe(false);
  });

  it("a bad identity setting is one line naming its key", async () => {
    await expectProblems(
      "certify:\n  identity:\n    plus: true\n    dot_insensitive_domains: [not a domain]\n",
      [
        `${FILE}: certify.identity.dot_insensitive_domains[0]: expected an email domain such as example.com, got "not a domain"`,
        `${FILE}: certify.identity.plus: unknown key (expected one of plus_addressing, dot_insensitive_domains, domain_aliases)`,
      ],
    );
  });
});
