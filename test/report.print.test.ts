/**
 * The report as evidence and on paper: `run` (the real CLI, as a child process) crawls a
 * simulated organization twice, writes the reports with their `.sha256` files and emails them to
 * a real SMTP peer; the HTML is printed to PDF by Chromium (its own CSS: no Playwright header or
 * footer) and read back with poppler's pdfinfo and pdftotext.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir, userInfo } from "node:os";
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import ExcelJS from "exceljs";
import Handlebars from "handlebars";
import { type ParsedMail, simpleParser } from "mailparser";
import type { Browser } from "playwright-core";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderChangeReportEmail } from "../src/deliver/email.js";
import { changeReportEmail } from "../src/deliver/report-email.js";
import { revealInvisible, templateVersion } from "../src/render/index.js";
import { renderHtml } from "../src/report/html.js";
import { buildReportModel, type ReportModel } from "../src/report/model.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { SCHEMA_VERSION, Store } from "../src/store/index.js";
import { redactKey } from "../src/util/log.js";
import { TOOL_VERSION } from "../src/version.js";
import { crawlInto } from "./support/analysis-org.js";
import { hasChromium, launchChromium } from "./support/browser.js";
import { cliEnv, runCli } from "./support/cli.js";

const ORGANIZATION_ID = "org-PrintTest0123456789";
/** A configured name with markup in it: shown as text everywhere. */
const ORGANIZATION_NAME = "Print & Co <Audit>";
// Skipped only where Chromium or poppler-utils is missing (.ci/run installs both with apt).
const canPrint =
  hasChromium &&
  spawnSync("pdfinfo", ["-v"]).error === undefined &&
  spawnSync("pdftotext", ["-v"]).error === undefined;

/** What a value looks like in the HTML: invisible characters revealed, then HTML-escaped. */
const inHtml = (value: string): string => Handlebars.escapeExpression(revealInvisible(value));
const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

interface SmtpPeer {
  port: number;
  received: ParsedMail[];
  close: () => Promise<void>;
}

async function smtpPeer(): Promise<SmtpPeer> {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
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

interface RunOutput {
  snapshot_id: number;
  seal: string;
  files: { format: string; path: string; sha256: string; sha256_path: string }[];
}

/** One page of the PDF as text, laid out as printed. */
const pageText = (pdf: string, page: number): string =>
  execFileSync("pdftotext", ["-layout", "-f", String(page), "-l", String(page), pdf, "-"], {
    encoding: "utf8",
  });

/** Every page's text, in order (pdftotext ends each page with a form feed). */
const allPages = (pdf: string): string[] =>
  execFileSync("pdftotext", ["-layout", pdf, "-"], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  })
    .split("\f")
    .slice(0, -1);

function pageCount(pdf: string): number {
  const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
  return Number(/^Pages:\s+(\d+)$/m.exec(info)?.[1] ?? Number.NaN);
}

describe("report evidence, checksums and print", () => {
  let sim: RunningSimulator;
  let smtp: SmtpPeer;
  let cwd: string;
  let first: RunOutput;
  let second: RunOutput;
  let html: string;
  let mail: ParsedMail;
  let browser: Browser | undefined;
  let pdf: string;
  let pages: number;
  /** Every user id the organization ever had: an id in the PDF must be one of them, whole. */
  const knownIds = new Set<string>();

  beforeAll(async () => {
    smtp = await smtpPeer();
    // Big enough for many printed pages: the groups table alone spans several.
    sim = await startSimulator({
      port: 0,
      seed: 3,
      groups: 120,
      users: 400,
      quirks: { organizationHeader: ORGANIZATION_ID },
    });
    cwd = mkdtempSync(join(tmpdir(), "access-audit-print-"));
    writeFileSync(
      join(cwd, "access-audit.config.yaml"),
      [
        "database: ./audit.duckdb",
        `organization: "${ORGANIZATION_NAME}"`,
        "api:",
        `  base_url: ${sim.baseUrl}`,
        "  concurrency: 4",
        "report:",
        "  output: ./out",
        "email:",
        "  enabled: true",
        "  smtp:",
        "    host: 127.0.0.1",
        `    port: ${smtp.port}`,
        "    security: none",
        '  from: "Access audit <audit@corp.example>"',
        "  to: [security@corp.example]",
        "  send: always",
      ].join("\n"),
    );
    const env = cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey });
    for (const id of sim.state.userIds()) knownIds.add(id);
    const one = await runCli(["run", "--json"], env, 300_000, cwd);
    expect(one.status, one.stderr).toBe(0);
    first = JSON.parse(one.stdout) as RunOutput;
    // Some changes, so the second report is a diff with both snapshots' evidence.
    const group = sim.state.createGroup("Print shadow owners", { isScimManaged: false }).id;
    sim.state.assignGroupRole(group, sim.state.ownerRoleId);
    for (const user of sim.state.userIds().slice(0, 5)) sim.state.addMember(group, user);
    const two = await runCli(["run", "--json"], env, 300_000, cwd);
    expect(two.status, two.stderr).toBe(0);
    second = JSON.parse(two.stdout) as RunOutput;
    for (const id of sim.state.userIds()) knownIds.add(id);
    const htmlPath = second.files.find((f) => f.format === "html")?.path ?? "";
    html = readFileSync(htmlPath, "utf8");
    expect(smtp.received).toHaveLength(2);
    mail = smtp.received[1] as ParsedMail;
    if (canPrint) {
      browser = await launchChromium();
      const page = await browser.newPage();
      // With its script, as a reader opens it: the sort buttons are in the header cells.
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: "load" });
      await page.waitForSelector(".sort-button");
      pdf = join(cwd, "report.pdf");
      // The report's own page footer: no Playwright header or footer template.
      await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
      await page.close();
      pages = pageCount(pdf);
    }
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
    await smtp?.close();
  });

  it("writes a sha256sum -c file beside each report, and the email carries each digest", () => {
    expect(second.files.map((f) => f.format)).toEqual(["html", "xlsx"]);
    for (const file of second.files) {
      const bytes = readFileSync(file.path);
      const name = basename(file.path);
      expect(file.sha256).toBe(sha256(bytes));
      expect(file.sha256_path).toBe(`${file.path}.sha256`);
      expect(readFileSync(file.sha256_path, "utf8")).toBe(`${sha256(bytes)}  ${name}\n`);
      // The auditor's own tool agrees, and notices a changed report.
      const check = spawnSync("sha256sum", ["-c", `${name}.sha256`], {
        cwd: dirname(file.path),
        encoding: "utf8",
      });
      expect(check.status, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toBe(`${name}: OK\n`);
      const copy = mkdtempSync(join(tmpdir(), "access-audit-sha-"));
      copyFileSync(file.sha256_path, join(copy, `${name}.sha256`));
      writeFileSync(join(copy, name), Buffer.concat([bytes, Buffer.from(" ")]));
      expect(spawnSync("sha256sum", ["-c", `${name}.sha256`], { cwd: copy }).status).toBe(1);
      // The email names the file and its digest, in both parts.
      expect(mail.text ?? "").toContain(`${file.sha256}  ${name}`);
      expect(mail.html || "").toContain(file.sha256);
    }
    expect(mail.text ?? "").toContain("sha256sum -c");
  });

  it("names the organization, the crawl credential, who ran it, versions and seals in the HTML", () => {
    const user = userInfo().username;
    const host = hostname();
    expect(html).toContain(inHtml(`${user} on ${host}`));
    expect(html).toContain(`<code>${inHtml(redactKey(sim.adminKey))}</code>`);
    expect(html).not.toContain(sim.adminKey);
    expect(html).toContain(`<code>${ORGANIZATION_ID}</code>`);
    expect(html).toContain(`${inHtml(ORGANIZATION_NAME)} (configured name)`);
    expect(html).not.toContain(ORGANIZATION_NAME);
    expect(html).toContain(`<code>${TOOL_VERSION}</code>`);
    expect(html).toContain(`${SCHEMA_VERSION} (the snapshot&#x27;s: ${SCHEMA_VERSION})`);
    expect(html).toContain(`<code>${second.seal}</code>`);
    expect(html).toContain(`<code>${first.seal}</code>`);
    expect(html).toContain(`#${first.snapshot_id} (finished`);
    // The header carries it, before the summary.
    const header = html.slice(0, html.indexOf('id="summary"'));
    for (const text of [inHtml(`${user} on ${host}`), ORGANIZATION_ID, second.seal, first.seal]) {
      expect(header).toContain(text);
    }
    // Both snapshots' evidence in the appendix says who crawled them.
    const appendix = html.slice(html.indexOf('id="appendix"'));
    expect(appendix.split(inHtml(`${user} on ${host}`)).length - 1).toBe(2);
  });

  it("says the same in the workbook's properties and Summary, and in the email", async () => {
    const user = userInfo().username;
    const host = hostname();
    const key = redactKey(sim.adminKey);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(second.files.find((f) => f.format === "xlsx")?.path ?? "");
    const description = workbook.description ?? "";
    for (const text of [
      `crawl credential ${key}`,
      `crawl run by ${user} on ${host}`,
      `id ${ORGANIZATION_ID}`,
      `${ORGANIZATION_NAME} (configured name)`,
      `tool ${TOOL_VERSION}, schema ${SCHEMA_VERSION}`,
      second.seal,
      first.seal,
    ]) {
      expect(description).toContain(text);
    }
    const summary: Record<string, unknown> = {};
    workbook.getWorksheet("Summary")?.eachRow((row) => {
      summary[String(row.getCell(2).value)] = row.getCell(3).value;
    });
    for (const id of [second.snapshot_id, first.snapshot_id]) {
      expect(summary[`Crawl credential, snapshot ${id}`]).toBe(key);
      expect(summary[`Crawl run by, snapshot ${id}`]).toBe(`${user} on ${host}`);
      expect(summary[`Organization id, snapshot ${id}`]).toBe(ORGANIZATION_ID);
      expect(summary[`Schema version, snapshot ${id}`]).toBe(SCHEMA_VERSION);
    }
    expect(summary["Organization name"]).toBe(ORGANIZATION_NAME);
    expect(summary["Schema version"]).toBe(SCHEMA_VERSION);

    const text = mail.text ?? "";
    const mailHtml = mail.html || "";
    expect(mail.subject).toContain(ORGANIZATION_NAME);
    for (const value of [
      key,
      `${user} on ${host}`,
      ORGANIZATION_ID,
      TOOL_VERSION,
      second.seal,
      first.seal,
    ]) {
      expect(text).toContain(value);
      expect(mailHtml).toContain(inHtml(value));
    }
    expect(text).toContain(`Organization name (configured name): ${ORGANIZATION_NAME}`);
    expect(mailHtml).toContain(inHtml(ORGANIZATION_NAME));
    expect(mailHtml).not.toContain(ORGANIZATION_NAME);
    for (const out of [text, mailHtml, description]) expect(out).not.toContain(sim.adminKey);
  });

  describe.skipIf(!canPrint)("printed to PDF by Chromium", () => {
    it("has a plausible number of pages", () => {
      // 120 groups, 400 users with their elevated paths and findings: dozens of pages (78 as
      // this was written), not hundreds (a layout that left a row per page would exceed this).
      expect(pages).toBeGreaterThanOrEqual(30);
      expect(pages).toBeLessThanOrEqual(140);
    });

    it("starts with the title and the evidence header on page 1, followed by the summary", () => {
      const one = pageText(pdf, 1);
      expect(one).toContain("Access review of");
      expect(one).toContain(ORGANIZATION_ID);
      expect(one).toContain(redactKey(sim.adminKey));
      expect(one).toContain(`${userInfo().username} on ${hostname()}`);
      // Not a page holding only the header: the summary begins on it.
      expect(one).toMatch(/^\s*Summary$/m);
      expect(one).toContain("Elevated changes nobody can account for");
      expect(one.split("\n").filter((line) => line.trim() !== "").length).toBeGreaterThan(25);
    });

    it("names the snapshot, its seal and the page on every page", () => {
      const footer = `Access review: snapshot ${second.snapshot_id}, seal ${second.seal.slice(0, 12)}`;
      for (const n of [1, 2, Math.ceil(pages / 2), pages]) {
        const text = pageText(pdf, n);
        expect(text, `page ${n}`).toContain(footer);
        expect(text, `page ${n}`).toContain(`page ${n} of ${pages}`);
      }
    });

    it("repeats a table's header, with its text, on its continuation pages", () => {
      const header = /Group\s+Type\s+Managed by\s+Members\s+Roles\s+Elevated\s+Created/;
      const caption = /Groups \(\d[\d,]*\)/;
      const texts = allPages(pdf);
      expect(texts).toHaveLength(pages);
      // The groups table: the pages from its caption to the next section's heading.
      const start = texts.findIndex((t) => caption.test(t));
      const end = texts.findIndex((t, i) => i > start && /^\s*Projects$/m.test(t));
      expect(start).toBeGreaterThan(0);
      const continuation = texts.slice(start + 1, end === -1 ? undefined : end);
      // Several pages of groups rows, each under the header's text (not a blank band).
      expect(continuation.length).toBeGreaterThanOrEqual(2);
      for (const [i, text] of continuation.entries()) {
        expect(text, `page ${start + 2 + i}`).toMatch(/group_[0-9A-Z]{26}/);
        expect(text, `page ${start + 2 + i}`).toMatch(header);
      }
    });

    it("never splits an id across lines", () => {
      const text = allPages(pdf).join("\n");
      // Every id is its prefix and 26 characters (the simulator's ULID-like ids); a piece of
      // one left at the end of a line is shorter. `user_id` and the like are words, not ids.
      const ids = [...text.matchAll(/\b(?:user|group|role|proj)_(?![a-z])[0-9A-Za-z]*/g)].map(
        (m) => m[0],
      );
      expect(ids.filter((id) => id.startsWith("user_")).length).toBeGreaterThan(200);
      const broken = ids.filter((id) => !/^(?:user|group|role|proj)_[0-9A-Z]{26}$/.test(id));
      expect(broken).toEqual([]);
      // And they are the organization's ids, not lookalikes.
      for (const id of sim.state.userIds()) knownIds.add(id);
      expect(ids.filter((id) => id.startsWith("user_") && knownIds.has(id)).length).toBeGreaterThan(
        200,
      );
    });
  });
});

describe("an evidence header for what was not recorded or not given", () => {
  const tmp = mkdtempSync(join(tmpdir(), "access-audit-evidence-"));

  async function reportOn(db: string): Promise<{ model: ReportModel; html: string; text: string }> {
    const store = await Store.open(db, { readOnly: true });
    try {
      const model = await buildReportModel(store, {
        toolVersion: TOOL_VERSION,
        templateVersion: templateVersion(),
      });
      const email = await renderChangeReportEmail(changeReportEmail(model, []), {
        minSeverity: "low",
      });
      return { model, html: renderHtml(model), text: email.text };
    } finally {
      await store.close();
    }
  }

  it("says 'not recorded' for snapshots taken before the crawl recorded who ran it", async () => {
    const db = join(tmp, "v5.duckdb");
    writeFileSync(
      db,
      gunzipSync(readFileSync(new URL("./fixtures/schema-v5.duckdb.gz", import.meta.url))),
    );
    await (await Store.open(db)).close(); // migrates it to this version
    const { model, html, text } = await reportOn(db);
    expect(model.snapshot.schema_version).toBe(5);
    const notRecorded = "not recorded (the snapshot predates this record)";
    const header = html.slice(0, html.indexOf('id="summary"'));
    // Organization id and who ran the crawl, in the header; both snapshots in the appendix.
    expect(header.split(notRecorded).length - 1).toBe(2);
    expect(html.split(notRecorded).length - 1).toBe(6);
    expect(text).toContain(`Organization id (from the API): ${notRecorded}`);
    expect(text).toContain(`Crawl run by (OS user on host): ${notRecorded}`);
    expect(text).toContain("Organization name (configured name): none configured");
  });

  it("says 'not given by the API' when the API sent no organization header", async () => {
    const sim = await startSimulator({ port: 0, seed: 4, groups: 5, users: 20 });
    try {
      const db = join(tmp, "plain.duckdb");
      await crawlInto(sim, db, { auditLog: false });
      const { model, html, text } = await reportOn(db);
      expect(model.snapshot.organization_id).toBeNull();
      expect(html).toContain("<code>not given by the API</code>");
      expect(html).toContain(inHtml(`${userInfo().username} on ${hostname()}`));
      expect(text).toContain("Organization id (from the API): not given by the API");
      expect(text).toContain(
        `Crawl run by (OS user on host): ${userInfo().username} on ${hostname()}`,
      );
    } finally {
      await sim.stop();
    }
  });
});
