/**
 * Log formats as functions (the fast tier): the short human line of the pretty format, which
 * format `auto` becomes, which level a command's logger shows on a terminal, and how the format
 * is resolved (flag > environment > file > auto). test/cli.logs.test.ts runs the real CLI.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/errors.js";
import { logFormatBeforeConfig } from "../../src/cli/options.js";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import {
  createLogger,
  effectiveLogFormat,
  formatLogMessage,
  registerSecret,
  useLogFormat,
} from "../../src/util/log.js";
import { configDirs } from "../support/config-dirs.js";

const workdir = configDirs("log-unit-");

/** A destination that keeps what is written, a terminal or not. */
function capture(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; lines: string[] } {
  const lines: string[] = [];
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  if (isTTY) stream.isTTY = true;
  return { stream, lines };
}

describe("formatLogMessage: one short line an event", () => {
  it("the message, then at most four fields, and how many were left out", () => {
    expect(
      formatLogMessage({ level: 30, time: 1, msg: "crawl started", snapshot_id: 4, pid: 9 }),
    ).toBe("crawl started snapshot_id=4");
    expect(formatLogMessage({ msg: "m", a: 1, b: "two words", c: true, d: null, e: 5, f: 6 })).toBe(
      'm a=1 b="two words" c=true e=5 +1 more',
    );
    // Another message key (pino's messageKey option), and no message at all.
    expect(formatLogMessage({ message: "hello", n: 1 }, "message")).toBe("hello n=1");
    expect(formatLogMessage({ n: 1 })).toBe("n=1");
  });

  it("an error shows its message, never its stack; a structure is cut short", () => {
    const err = { type: "Error", message: "boom", stack: "Error: boom\n    at x (y.js:1:1)" };
    expect(formatLogMessage({ msg: "failed", err })).toBe('failed err="boom"');
    const counts = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`count_${i}`, i]));
    const line = formatLogMessage({ msg: "published", counts });
    expect(line.startsWith('published counts={"count_0":0,')).toBe(true);
    expect(line.endsWith("…")).toBe(true);
    expect(line.length).toBeLessThan(200);
  });

  it("stays one line and shows what a name hides (escape sequences, bidi overrides)", () => {
    const line = formatLogMessage({
      msg: "group\nrenamed",
      name: "Admins\u202Etxt.exe",
      reason: "red \u001b[31mtext\r\nsecond line",
    });
    for (const hidden of ["\n", "\r", "\u001b", "\u202E"]) expect(line).not.toContain(hidden);
    expect(line).toBe(
      'group[U+000A]renamed name=Admins[U+202E]txt.exe reason="red \\u001b[31mtext\\r\\nsecond line"',
    );
  });

  it("masks a secret before cutting, so a cut cannot leave part of it", () => {
    const key = "sk-admin-unit-log-test-0123456789abcdefghij";
    registerSecret(key);
    // The key straddles the cut: without masking first, its first part would show.
    const reason = `${"x ".repeat(70)}${key} and more`;
    const line = formatLogMessage({ msg: "refused", reason });
    expect(line).not.toContain("sk-admin-unit");
    expect(line).toContain("sk-admin-...ghij");
    expect(formatLogMessage({ msg: `echoed ${key}` })).toBe("echoed sk-admin-...ghij");
  });
});

describe("redaction in both formats", () => {
  it("a password holding a quote or a backslash is masked in JSON lines too (written escaped)", async () => {
    const password = 'pa"ss\\word-unit-1234';
    registerSecret(password, { reveal: "nothing" });
    await useLogFormat("pretty");
    for (const format of ["json", "pretty"] as const) {
      const out = capture(false);
      createLogger({ destination: out.stream, format }).warn(
        { reason: `auth failed: ${password}` },
        `refused ${password}`,
      );
      const line = out.lines.join("");
      expect(line).toContain("[redacted]");
      expect(line).not.toContain("word-unit");
    }
  });
});

describe("which format, which level", () => {
  it("auto is pretty on a terminal and JSON elsewhere; json and pretty are what they say", () => {
    expect(effectiveLogFormat("auto", true)).toBe("pretty");
    expect(effectiveLogFormat("auto", false)).toBe("json");
    expect(effectiveLogFormat("json", true)).toBe("json");
    expect(effectiveLogFormat("pretty", false)).toBe("pretty");
  });

  it("on a terminal, a command telling its own story shows warnings only, in human lines", async () => {
    await useLogFormat("pretty");
    const tty = capture(true);
    const story = createLogger({ destination: tty.stream, story: true, format: "auto" });
    story.info({ snapshot_id: 1 }, "crawl started");
    story.warn({ sync_id: 1 }, "audit log not synced");
    expect(tty.lines).toHaveLength(1);
    // Colours on a terminal: compare the text without them.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping colour codes
    const text = (tty.lines[0] ?? "").replace(/\u001b\[[0-9;]*m/g, "");
    // The line first clears the terminal line it lands on (a progress bar's).
    expect(text.startsWith("\r\u001b[2K")).toBe(true);
    expect(text.slice(5)).toMatch(/^\[\d\d:\d\d:\d\d\] WARN: audit log not synced sync_id=1\n$/);

    const logs = capture(true);
    const noStory = createLogger({ destination: logs.stream, story: false, format: "auto" });
    noStory.info("tick");
    expect(logs.lines).toHaveLength(1);

    // Not a terminal: JSON lines, info included, whatever the story.
    const pipe = capture(false);
    const piped = createLogger({ destination: pipe.stream, story: true, format: "auto" });
    piped.info({ snapshot_id: 1 }, "crawl started");
    expect(JSON.parse(pipe.lines[0] ?? "")).toMatchObject({ level: 30, msg: "crawl started" });
  });
});

describe("resolving the format", () => {
  it("before the configuration: the flag, else ACCESS_AUDIT_LOG_FORMAT, else auto", () => {
    expect(logFormatBeforeConfig(undefined, {})).toBe("auto");
    expect(logFormatBeforeConfig(undefined, { ACCESS_AUDIT_LOG_FORMAT: " json " })).toBe("json");
    expect(logFormatBeforeConfig("pretty", { ACCESS_AUDIT_LOG_FORMAT: "json" })).toBe("pretty");
    expect(() => logFormatBeforeConfig(undefined, { ACCESS_AUDIT_LOG_FORMAT: "xml" })).toThrow(
      new UsageError('ACCESS_AUDIT_LOG_FORMAT: expected one of auto, json, pretty, got "xml"'),
    );
  });

  it("with the configuration: flag > environment > logging.format > auto", async () => {
    const dir = workdir("logging:\n  format: pretty\n");
    expect((await loadConfig({ cwd: workdir(""), env: {} })).logging.format).toBe("auto");
    const file = await loadConfig({ cwd: dir, env: {} });
    expect(file.logging.format).toBe("pretty");
    expect(file.sources["logging.format"]).toBe("file");
    const env = await loadConfig({ cwd: dir, env: { ACCESS_AUDIT_LOG_FORMAT: "json" } });
    expect(env.logging.format).toBe("json");
    expect(env.sources["logging.format"]).toBe("env ACCESS_AUDIT_LOG_FORMAT");
    const flag = await loadConfig({
      cwd: dir,
      env: { ACCESS_AUDIT_LOG_FORMAT: "json" },
      flags: { logFormat: "auto" },
    });
    expect(flag.logging.format).toBe("auto");
    expect(flag.sources["logging.format"]).toBe("flag --log-format");

    const bad = await loadConfig({ cwd: workdir("logging:\n  format: xml\n"), env: {} }).catch(
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(ConfigError);
    expect((bad as ConfigError).problems).toEqual([
      `${"access-audit.config.yaml"}: logging.format: expected one of auto, json, pretty, got "xml"`,
    ]);
  });
});
