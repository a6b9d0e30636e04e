/**
 * The demo's report as a reviewer first sees it: Chromium at 1280×800 shows, without scrolling,
 * the critical findings, the new ones and how many rules were not evaluated; a rule that was
 * skipped is never shown as passed, in the HTML, the email or `anomalies --json`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnomalyReport } from "../src/analysis/anomalies.js";
import { renderChangeReportEmail } from "../src/deliver/email.js";
import { changeReportEmail } from "../src/deliver/report-email.js";
import { buildReportModel, type ReportModel } from "../src/report/model.js";
import { Store } from "../src/store/index.js";
import { hasChromium, launchChromium } from "./support/browser.js";
import { cliEnv, runCli } from "./support/cli.js";
import { sheetRecords } from "./support/workbook-rows.js";

const SKIPPED_RULE = "email-domain-not-allowed";

describe.skipIf(!hasChromium)("the demo's first screen", () => {
  const root = mkdtempSync(join(tmpdir(), "aa-first-screen-"));
  const db = join(root, "demo.duckdb");
  const out = join(root, "reports");
  let html = "";
  let model: ReportModel;
  let browser: Browser;

  beforeAll(async () => {
    const demo = await runCli(["demo", "--db", db, "--out", out], cliEnv({}), 240_000);
    expect(demo.status, demo.stderr).toBe(0);
    const file = readdirSync(out).find((f) => /^access-review-s2-.*\.html$/.test(f));
    expect(file).toBeDefined();
    html = join(out, file ?? "");
    const store = await Store.open(db, { readOnly: true });
    try {
      model = await buildReportModel(store, { toolVersion: "test", templateVersion: "t-test" });
    } finally {
      await store.close();
    }
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("shows the critical and the new findings and the count of skipped rules, unscrolled", async () => {
    const open = model.findings.filter((f) => f.exception === null);
    const critical = open.filter((f) => f.severity === "critical");
    const newHigh = open.filter((f) => f.severity === "high" && f.state === "new");
    // The demo's story: the new break-glass Owner group is critical and new; others are new high.
    expect(critical.length).toBeGreaterThan(0);
    expect(newHigh.length).toBeGreaterThan(0);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`file://${html}`);
      const visible = async (selector: string): Promise<string[]> =>
        page.$$eval(
          selector,
          (elements, height) =>
            elements
              .filter((e) => {
                const box = e.getBoundingClientRect();
                return box.height > 0 && box.top >= 0 && box.bottom <= height;
              })
              .map((e) => e.textContent ?? ""),
          800,
        );
      const rows = await visible("#needs-action .action-list > li");
      // Every critical finding is on the first screen, then the first new high ones.
      expect(rows.length).toBeGreaterThanOrEqual(critical.length + 1);
      for (const [i, f] of critical.entries()) {
        expect(rows[i]).toContain("Critical");
        expect(rows[i]).toContain(f.detail ?? "");
      }
      const rest = rows.slice(critical.length);
      expect(rest.every((r) => r.startsWith("High") && r.includes("New"))).toBe(true);
      expect(rest[0]).toContain(newHigh[0]?.title ?? "");
      // The count of rules not evaluated, and which.
      const skipped = model.rules.filter((r) => r.status === "skip");
      expect(skipped.map((r) => r.id)).toContain(SKIPPED_RULE);
      const line = await visible("#skipped-count");
      expect(line).toEqual([
        `${skipped.length} rule${skipped.length === 1 ? " was" : "s were"} not evaluated (skipped, not passed): ${skipped.map((r) => r.id).join(", ")}.`,
      ]);
    } finally {
      await page.close();
    }
  });

  it("never shows a skipped rule as passed: HTML, workbook, email and --json", async () => {
    const text = readFileSync(html, "utf8");
    const section = (id: string): string => {
      const start = text.indexOf(`id="${id}"`);
      if (start < 0) return "";
      return text.slice(start, text.indexOf("</ul>", start));
    };
    expect(section("rules-skipped")).toContain(`<code>${SKIPPED_RULE}</code>`);
    expect(section("rules-skipped")).toContain(
      "To evaluate it: analysis.allowed_email_domains in the configuration, or --allowed-domain.",
    );
    expect(section("rules-ok")).not.toBe("");
    expect(section("rules-ok")).not.toContain(SKIPPED_RULE);
    // Its rule card, if any, does not call it a rule that ran.
    expect(text).not.toMatch(new RegExp(`<code>${SKIPPED_RULE}</code> · Ran`));

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(html.replace(/\.html$/, ".xlsx"));
    const rules = workbook.getWorksheet("Rules");
    expect(rules).toBeDefined();
    const rows = rules === undefined ? [] : sheetRecords(rules);
    expect(rows.find((r) => r.id === SKIPPED_RULE)).toMatchObject({
      status: "Skipped: not evaluated",
      findings: null,
      setting: "analysis.allowed_email_domains in the configuration, or --allowed-domain",
    });
    for (const r of rows.filter((x) => x.status === "OK: ran, nothing found")) {
      expect(model.rules.find((m) => m.id === r.id)?.status, String(r.id)).toBe("ok");
    }

    const email = await renderChangeReportEmail(changeReportEmail(model, []), {
      minSeverity: "high",
    });
    for (const body of [email.text, email.html]) {
      expect(body).toMatch(
        new RegExp(
          `rules? (was|were) not evaluated \\(skipped, not passed\\): [^\\n]*${SKIPPED_RULE}`,
        ),
      );
    }

    const run = await runCli(["anomalies", "--db", db, "--json"], cliEnv({}));
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as AnomalyReport;
    expect(json.rules.find((r) => r.rule === SKIPPED_RULE)).toMatchObject({
      status: "skip",
      findings: 0,
    });
    expect(json.skipped.map((s) => s.rule)).toContain(SKIPPED_RULE);
    expect(json.rules.filter((r) => r.status === "ok").map((r) => r.rule)).not.toContain(
      SKIPPED_RULE,
    );
  });
});
