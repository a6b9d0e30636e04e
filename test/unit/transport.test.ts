/**
 * The pure logic of issue 14 (items 7, 8, 9a): which base URLs the admin key may be sent to and
 * how a refused one is shown (src/api/base-url.ts), the redactor's encoded forms of a secret
 * (src/util/log.ts), the crawl's ceilings as settings (src/crawl/limits.ts, src/config). The
 * CLI, the simulator and a crawl against them are in test/security.transport.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  baseUrlProblem,
  insecureHttpProblem,
  isLoopbackHost,
  redactedBaseUrl,
} from "../../src/api/base-url.js";
import { type ConfigError, checkConfig, loadConfig, readAdminKey } from "../../src/config/index.js";
import {
  CrawlLimitError,
  DEFAULT_CRAWL_LIMITS,
  formatDuration,
  parseCrawlDuration,
} from "../../src/crawl/limits.js";
import { encodedForms, redactSecrets, registerSecret } from "../../src/util/log.js";
import { CONFIG_FILE, configDirs } from "../support/config-dirs.js";

const workdir = configDirs("transport-unit-");
const SECRET = "hunter2-not-key-shaped-Secret";
const KEY = "sk-admin-unit0123456789abcdefghijklmnopqrstuvwxyzABCDEF";

describe("base URL: nothing secret in it, and never repeated", () => {
  it("accepts plain http(s) URLs with a host and a path", () => {
    for (const ok of [
      "https://api.openai.com/v1",
      "https://proxy.corp.example:8443/openai/v1/",
      "http://127.0.0.1:4010/v1",
      "http://[::1]:4010/v1",
    ]) {
      expect(baseUrlProblem(ok), ok).toBeNull();
    }
  });

  it.each([
    [
      "user name and password",
      `https://audit:${SECRET}@api.example.com/v1`,
      "https://[redacted]@api.example.com/v1",
      /without a user name or password/,
    ],
    [
      "user name only",
      `https://${SECRET}@api.example.com/v1`,
      "https://[redacted]@api.example.com/v1",
      /without a user name or password/,
    ],
    [
      "an empty user name",
      "https://@api.example.com/v1",
      "https://[redacted]@api.example.com/v1",
      /without a user name or password/,
    ],
    [
      "a query string",
      `https://api.example.com/v1?api_key=${SECRET}`,
      "https://api.example.com/v1?[redacted]",
      /without a query string/,
    ],
    [
      "an empty query",
      "https://api.example.com/v1?",
      "https://api.example.com/v1?[redacted]",
      /without a query string/,
    ],
    [
      "a fragment",
      `https://api.example.com/v1#${SECRET}`,
      "https://api.example.com/v1#[redacted]",
      /without a fragment/,
    ],
    [
      "another scheme, with credentials",
      `ftp://u:${SECRET}@files.example/x`,
      null,
      /expected an http\(s\) URL/,
    ],
  ])("refuses %s, showing only a redacted form", (_name, value, shown, message) => {
    const problem = baseUrlProblem(value);
    expect(problem?.message).toMatch(message);
    expect(problem?.shown).toBe(shown);
    expect(`${problem?.message} ${problem?.shown}`).not.toContain(SECRET);
    expect(`${problem?.message} ${problem?.shown}`).not.toContain("hunter2");
  });

  it.each([
    ["the key itself", KEY, /got a value that looks like an API key \(not shown\)/],
    [
      "the key as the user name",
      `https://${KEY}@api.example.com/v1`,
      /holds something shaped like a key \(not shown\)/,
    ],
    [
      "the key as the password",
      `https://audit:${KEY}@api.example.com/v1`,
      /holds something shaped like a key/,
    ],
    [
      "the key in the query",
      `https://api.example.com/v1?key=${KEY}`,
      /holds something shaped like a key/,
    ],
    [
      "the key in the path",
      `https://api.example.com/${KEY}/v1`,
      /holds something shaped like a key/,
    ],
  ])("refuses %s without showing anything of it", (_name, value, message) => {
    const problem = baseUrlProblem(value);
    expect(problem?.message).toMatch(message);
    expect(problem?.message).toMatch(/OPENAI_ADMIN_KEY or a key file/);
    expect(problem?.shown).toBeNull();
    expect(problem?.message).not.toContain("sk-admin-unit");
  });

  it("shows a value that is not a URL only when it cannot hide a secret", () => {
    expect(baseUrlProblem("localhost:4010")).toEqual({
      message: "expected an http(s) URL such as https://api.openai.com/v1",
      shown: "localhost:4010",
    });
    expect(redactedBaseUrl("not a url")).toBe("not a url");
    expect(redactedBaseUrl(`user:${SECRET}@host`)).toBeNull();
    expect(redactedBaseUrl("ftp://files.example/x")).toBe("ftp://files.example/x");
    expect(redactedBaseUrl(`host/v1?${SECRET}`)).toBeNull();
  });

  it("knows this machine: 127.0.0.0/8, ::1 and localhost, however written", () => {
    for (const host of ["127.0.0.1", "127.255.0.9", "localhost", "LOCALHOST", "[::1]", "::1"]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    // What the URL parser makes of other spellings.
    for (const url of [
      "http://127.1/",
      "http://0x7f000001/",
      "http://2130706433/",
      "http://[0:0:0:0:0:0:0:1]/",
      "http://[::ffff:127.0.0.1]/",
    ]) {
      expect(isLoopbackHost(new URL(url).hostname), url).toBe(true);
    }
    for (const host of [
      "10.255.255.1",
      "128.0.0.1",
      "0.0.0.0",
      "192.0.2.2",
      "example.invalid",
      "localhost.example",
      "127.0.0.1.nip.io",
      "[::2]",
      "[::ffff:a00:1]",
      "[fd00::1]",
    ]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it("refuses plain HTTP to another machine unless allowed, naming the host only", () => {
    const refused = insecureHttpProblem("http://10.255.255.1:8080/v1", false);
    expect(refused).toBe(
      "refusing to send the admin key in clear text over plain HTTP to 10.255.255.1:8080: use https://, or allow it for a network you trust with --allow-insecure-http (api.allow_insecure_http: true)",
    );
    expect(insecureHttpProblem("http://example.invalid/v1", false)).toMatch(/example\.invalid/);
    expect(insecureHttpProblem("http://10.255.255.1:8080/v1", true)).toBeNull();
    expect(insecureHttpProblem("https://10.255.255.1/v1", false)).toBeNull();
    expect(insecureHttpProblem("http://127.0.0.1:4010/v1", false)).toBeNull();
    expect(insecureHttpProblem("http://localhost:4010/v1", false)).toBeNull();
    expect(insecureHttpProblem("http://[::1]:4010/v1", false)).toBeNull();
  });
});

describe("the redactor knows a secret's encodings", () => {
  const key = "sk-admin-redact0123456789-abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJ";
  registerSecret(key);
  const password = "pw:smtp-Passw0rd-of-the-unit-test";
  registerSecret(password, { reveal: "nothing" });
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const b64url = (text: string) => Buffer.from(text).toString("base64url");
  const hex = (text: string) => Buffer.from(text).toString("hex");

  it.each([
    ["plain", key],
    ["base64", b64(key)],
    ["base64 without padding", b64(key).replace(/=+$/, "")],
    ["base64url", b64url(key)],
    ["base64url, padded", b64(key).replaceAll("+", "-").replaceAll("/", "_")],
    ["hex", hex(key)],
    ["HEX", hex(key).toUpperCase()],
    ["basic auth (user:key)", `Basic ${b64(`audit:${key}`)}`],
    ["basic auth, empty user", b64(`:${key}`)],
    ["basic auth, two-byte user", b64(`ab:${key}`)],
    ["Bearer <key>, base64", b64(`Bearer ${key}`)],
    ["inside base64 JSON", b64url(JSON.stringify({ authorization: `Bearer ${key}`, x: 1 }))],
    ["hex of a sentence holding it", hex(`the key was ${key}.`)],
    ["the password, base64", b64(password)],
    ["the password, hex", hex(password)],
    ["the password as basic auth", b64(`mailer:${password}`)],
  ])("%s", (_name, form) => {
    const text = `server said: ${form} (end)`;
    const out = redactSecrets(text);
    expect(out).toMatch(/^server said: .*\(end\)$/);
    expect(out).toMatch(/\[redacted\]|sk-admin-\.\.\.GHIJ/);
    expect(out).not.toContain(form);
    for (const f of [...encodedForms(key), ...encodedForms(password), key, password]) {
      expect(out).not.toContain(f);
    }
  });

  it("every form is specific: at least 12 characters, and text without the secret is untouched", () => {
    for (const form of encodedForms(key)) expect(form.length).toBeGreaterThanOrEqual(12);
    expect(encodedForms("short")).toEqual([]);
    const innocent = `${b64("another value entirely, 0123456789")} ${hex("sk-admin-another")} ok`;
    expect(redactSecrets(innocent)).toBe(innocent);
  });
});

describe("the crawl's ceilings as settings", () => {
  it("parses durations in s, m, h and d, up to 7 days", () => {
    expect(parseCrawlDuration("30s")).toBe(30_000);
    expect(parseCrawlDuration(" 90m ")).toBe(5_400_000);
    expect(parseCrawlDuration("6H")).toBe(21_600_000);
    expect(parseCrawlDuration("7d")).toBe(604_800_000);
    for (const bad of ["8d", "0s", "6", "1.5h", "-1h", "6 hours", ""]) {
      expect(parseCrawlDuration(bad), bad).toBeNull();
    }
    expect(formatDuration(21_600_000)).toBe("6h");
    expect(formatDuration(5_400_000)).toBe("90m");
    expect(formatDuration(2_000)).toBe("2s");
  });

  it("defaults far above a real organization", async () => {
    expect(DEFAULT_CRAWL_LIMITS).toEqual({
      maxPagesPerListing: 10_000,
      maxItems: 5_000_000,
      maxDurationMs: 6 * 3_600_000,
    });
    const config = await loadConfig({ cwd: workdir(), env: {} });
    expect(config.crawl).toEqual({
      maxPagesPerListing: 10_000,
      maxItems: 5_000_000,
      maxDuration: "6h",
      maxDurationMs: 21_600_000,
    });
    expect(config.api.allowInsecureHttp).toBe(false);
  });

  it("file < flags, each value checked and named", async () => {
    const dir = workdir(
      "api:\n  allow_insecure_http: true\ncrawl:\n  max_pages_per_listing: 50\n  max_items: 1000\n  max_duration: 90m\n",
    );
    const file = await loadConfig({ cwd: dir, env: {} });
    expect(file.crawl).toMatchObject({
      maxPagesPerListing: 50,
      maxItems: 1000,
      maxDurationMs: 5_400_000,
    });
    expect(file.api.allowInsecureHttp).toBe(true);
    const flags = await loadConfig({
      cwd: dir,
      env: {},
      flags: { maxPagesPerListing: 7, maxItems: 9, maxDuration: "2s", allowInsecureHttp: false },
    });
    expect(flags.crawl).toMatchObject({ maxPagesPerListing: 7, maxItems: 9, maxDurationMs: 2_000 });
    expect(flags.sources).toMatchObject({
      "crawl.max_pages_per_listing": "flag --max-pages-per-listing",
      "crawl.max_items": "flag --max-items",
      "crawl.max_duration": "flag --max-duration",
    });
    const bad = await checkConfig({
      cwd: workdir(
        "crawl:\n  max_pages_per_listing: 0\n  max_items: lots\n  max_duration: 2 weeks\n",
      ),
      env: {},
    });
    expect(bad.problems).toEqual([
      `${CONFIG_FILE}: crawl.max_pages_per_listing: expected a whole number from 1 to 1000000, got 0`,
      `${CONFIG_FILE}: crawl.max_items: expected a whole number from 1 to 1000000000, got "lots"`,
      `${CONFIG_FILE}: crawl.max_duration: expected a duration such as 6h, 90m or 30s, of at most 7d, got "2 weeks"`,
    ]);
    const flagged = await loadConfig({
      cwd: dir,
      env: {},
      flags: { maxDuration: "forever" },
    }).catch((e: unknown) => e);
    expect((flagged as ConfigError).problems).toEqual([
      '--max-duration: expected a duration such as 6h, 90m or 30s, of at most 7d, got "forever"',
    ]);
  });

  it("a ceiling's error names it and the setting that raises it", () => {
    const error = new CrawlLimitError("max_items", "10 items");
    expect(error.message).toBe(
      "crawl stopped at its max_items ceiling: 10 items; snapshot not published (if the organization really is that large, raise crawl.max_items or --max-items)",
    );
    expect(error.usage).toBe(false);
  });
});

describe("the configuration refuses a base URL that would leak the key", () => {
  it("a URL with secret parts, from the file, the environment or a flag, never repeated", async () => {
    const fromEnv = await checkConfig({
      cwd: workdir(),
      env: { OPENAI_BASE_URL: `https://api.example.com/v1?token=${SECRET}` },
    });
    expect(fromEnv.problems).toEqual([
      `OPENAI_BASE_URL: expected a base URL without a query string (it is stored with every snapshot and shown in reports; the admin key goes in OPENAI_ADMIN_KEY or a key file, never in the base URL), got "https://api.example.com/v1?[redacted]"`,
    ]);
    const fileOnly = await checkConfig({
      cwd: workdir(`api:\n  base_url: "https://audit:${SECRET}@api.example.com/v1"\n`),
      env: {},
    });
    expect(fileOnly.problems).toEqual([
      `${CONFIG_FILE}: api.base_url: expected a base URL without a user name or password (the admin key goes in OPENAI_ADMIN_KEY or a key file, never in the base URL), got "https://[redacted]@api.example.com/v1"`,
    ]);
    const flag = await loadConfig({
      cwd: workdir(),
      env: {},
      flags: { baseUrl: `https://api.example.com/v1#${SECRET}` },
    }).catch((e: unknown) => e);
    expect((flag as ConfigError).problems).toEqual([
      '--base-url: expected a base URL without a fragment (#…), got "https://api.example.com/v1#[redacted]"',
    ]);
  });

  it("plain HTTP to another machine: a problem for config check, and no key is handed out", async () => {
    const insecure = "http://10.255.255.1/v1";
    const env = { OPENAI_ADMIN_KEY: KEY };
    const fromFile = await checkConfig({
      cwd: workdir(`api:\n  base_url: ${insecure}\n`),
      env,
    });
    expect(fromFile.problems).toEqual([
      `${CONFIG_FILE}: api.base_url: refusing to send the admin key in clear text over plain HTTP to 10.255.255.1: use https://, or allow it for a network you trust with --allow-insecure-http (api.allow_insecure_http: true)`,
    ]);
    const config = await loadConfig({ cwd: workdir(), env, flags: { baseUrl: insecure } });
    expect(() => readAdminKey(config, env)).toThrow(
      /^--base-url: refusing to send the admin key in clear text over plain HTTP to 10\.255\.255\.1/,
    );
    const allowed = await loadConfig({
      cwd: workdir("api:\n  allow_insecure_http: true\n"),
      env,
      flags: { baseUrl: insecure },
    });
    expect(readAdminKey(allowed, env)).toBe(KEY);
    expect(
      (
        await checkConfig({
          cwd: workdir(`api:\n  base_url: ${insecure}\n  allow_insecure_http: true\n`),
          env,
        })
      ).problems,
    ).toEqual([]);
  });
});
