/**
 * The HTML report's trend: from two snapshots it shows numbers (before, after, change), from three
 * a line per series on an axis from zero, each labelled with its change in numbers. A simulated
 * organization crawled over real HTTP into a real DuckDB file; the report opened in Chromium,
 * on screen and for print.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Handlebars from "handlebars";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { templateVersion } from "../src/render/index.js";
import { renderHtml } from "../src/report/html.js";
import { buildReportModel, type ReportModel } from "../src/report/model.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { crawlInto, NO_CREDENTIALS } from "./support/analysis-org.js";
import { hasChromium, launchChromium } from "./support/browser.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-trend-"));
const db = join(tmp, "trend.duckdb");

let sim: RunningSimulator;
let browser: Browser | undefined;
/** Organization members at each crawl, from the simulator's ground truth. */
const members: number[] = [];
let two: { model: ReportModel; html: string };
let three: { model: ReportModel; html: string };

/** The report of `snapshotId`, or of the latest snapshot. */
async function report(snapshotId?: number): Promise<{ model: ReportModel; html: string }> {
  const store = await Store.open(db, { readOnly: true });
  try {
    const model = await buildReportModel(store, {
      toolVersion: "9.9.9-test",
      templateVersion: templateVersion(),
      ...(snapshotId === undefined ? {} : { snapshotId }),
    });
    return { model, html: renderHtml(model) };
  } finally {
    await store.close();
  }
}

/** Thousands separators, written out independently of the code under test. */
const thousands = (n: number): string => n.toLocaleString("en-US");
/** A rise in percent, two decimals at most (below 10%), as the report writes it. */
const risePercent = (from: number, to: number): string =>
  String(Number(((100 * (to - from)) / from).toFixed(2)));

/** The trend's part of the summary: from its heading to the note under the charts. */
function trendSection(html: string): string {
  const start = html.indexOf('<h3 id="trend-heading">');
  const end = html.indexOf('href="#trend-numbers"', start);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  return html.slice(start, end);
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 5, groups: 6, users: 60, ...NO_CREDENTIALS });
  const s = sim.state;
  const crawl = async () => {
    members.push(s.userIds().length);
    await crawlInto(sim, db, { auditLog: false });
  };
  await crawl();
  s.createUser({ name: "Trend One", email: "trend1@example.com" });
  await crawl();
  two = await report();
  s.createUser({ name: "Trend Two", email: "trend2@example.com" });
  s.createUser({ name: "Trend Three", email: "trend3@example.com" });
  await crawl();
  three = await report();
  if (hasChromium) browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sim?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("the trend from two snapshots", () => {
  it("shows before, after and change as numbers, and no line", () => {
    const [a, b] = members as [number, number];
    expect(two.model.trend.map((p) => p.users)).toEqual([a, b]);
    const section = trendSection(two.html);
    expect(section).not.toContain("<svg");
    expect(section).not.toContain("<polyline");
    expect(section.match(/<table class="trend-numbers"/g)).toHaveLength(4);
    const [first, second] = two.model.trend as [ReportModel["trend"][0], ReportModel["trend"][0]];
    const percent = risePercent(a, b);
    expect(section).toContain(
      `<tr><th scope="row">#${first.snapshot_id} (${first.date})</th><td class="num">${thousands(a)}</td></tr>`,
    );
    expect(section).toContain(
      `<tr><th scope="row">#${second.snapshot_id} (${second.date})</th><td class="num">${thousands(b)}</td></tr>`,
    );
    expect(section).toContain(
      `<tr><th scope="row">Change</th><td class="num">+${b - a}, +${percent}%</td></tr>`,
    );
    // A series that did not move says so rather than "+0".
    expect(section).toContain('<td class="num">no change</td>');
    expect(section).toContain("Too few snapshots for a trend line");
  });
});

describe("the trend from three snapshots", () => {
  it("draws one line per series from zero, labelled with its change in numbers", () => {
    const [a, b, c] = members as [number, number, number];
    expect(three.model.trend.map((p) => p.users)).toEqual(members);
    const section = trendSection(three.html);
    expect(section).not.toContain('<table class="trend-numbers"');
    expect(section.match(/<polyline /g)).toHaveLength(4);
    const first = three.model.trend[0]?.snapshot_id;
    const percent = risePercent(a, c);
    const change = `+${c - a}, +${percent}% since snapshot ${first}`;
    expect(section).toContain(`<span class="trend-change">${change}</span>`);
    const [, second, third] = three.model.trend.map((p) => p.snapshot_id);
    expect(section).toContain(
      Handlebars.escapeExpression(
        `largest step +${c - b}, +${risePercent(b, c)}%, #${second} → #${third}`,
      ),
    );
    // The members' chart: its text alternative, its axis from 0, and a level line, since a few
    // members more in some sixty is a small change.
    const svg =
      /<svg class="trend-chart"[^>]*aria-label="(Organization members[^"]*)"[^>]*>(.*?)<\/svg>/s.exec(
        section,
      );
    expect(svg).not.toBeNull();
    expect(svg?.[1]).toContain(`to ${thousands(c)} at snapshot`);
    expect(svg?.[1]).toContain(`+${c - a}, +${percent}%`);
    expect(svg?.[2]).toMatch(/dominant-baseline="middle">0<\/text>/);
    const points = /<polyline class="line series-users" points="([^"]*)"/.exec(svg?.[2] ?? "");
    const ys = (points?.[1] ?? "").split(" ").map((xy) => Number(xy.split(",")[1]));
    expect(ys).toHaveLength(3);
    const rise = (ys[0] ?? 0) - (ys[2] ?? 0);
    // The plot is 84 units from 0 to the axis top (at most twice the largest value), so the line
    // rises at least 84 × (c − a) / (2c) and at most 84 × (c − a) / c units.
    expect(rise).toBeGreaterThanOrEqual((84 * (c - a)) / (2 * c) - 0.02);
    expect(rise).toBeLessThanOrEqual((84 * (c - a)) / c + 0.02);
    expect(section).toContain("Each chart's axis starts at 0");
  });

  it("is legible on screen and on paper in Chromium, with a text alternative", async (ctx) => {
    if (!browser) return ctx.skip();
    const file = join(tmp, "three.html");
    writeFileSync(file, three.html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(pathToFileURL(file).href);
      for (const media of ["screen", "print"] as const) {
        await page.emulateMedia({ media });
        const charts = page.locator(".trend-chart");
        expect(await charts.count()).toBe(4);
        for (let i = 0; i < 4; i++) {
          const box = await charts.nth(i).boundingBox();
          expect(box?.width, media).toBeGreaterThan(150);
          expect(box?.height, media).toBeGreaterThan(50);
        }
        const names = await page.getByRole("img", { name: /^Organization members over 3/ }).count();
        expect(names, media).toBe(1);
      }
      const pdf = join(tmp, "three.pdf");
      await page.pdf({ path: pdf, format: "A4" });
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe("%PDF-");
      expect(statSync(pdf).size).toBeGreaterThan(10_000);

      // Two snapshots: the numbers are a table reachable by its label, on paper too.
      writeFileSync(join(tmp, "two.html"), two.html);
      await page.goto(pathToFileURL(join(tmp, "two.html")).href);
      await page.emulateMedia({ media: "print" });
      expect(await page.locator(".trend-chart").count()).toBe(0);
      const table = page.getByRole("table", { name: /^Organization members over 2 snapshots/ });
      expect(await table.isVisible()).toBe(true);
    } finally {
      await page.close();
    }
  });
});

describe("the trend's elevated grants", () => {
  beforeAll(async () => {
    // A fourth snapshot where a group with members holds Owner, then three without changes: the
    // latest report analyses its own three snapshots and reads the four older points from the view.
    const s = sim.state;
    const group = s.listGroups().find((g) => s.listGroupUsers(g.id).length > 0);
    if (group === undefined) throw new Error("no group with members");
    s.assignGroupRole(group.id, s.ownerRoleId);
    for (let i = 0; i < 4; i++) await crawlInto(sim, db, { auditLog: false });
  }, 180_000);

  it("reads the older points from the view as each snapshot's own report counts them", async () => {
    const { model: latest } = await report();
    const points = latest.trend.map((p) => [p.snapshot_id, p.elevated_grants]);
    expect(points).toHaveLength(7);
    // The four older points, each against its own report (which counts it from its own table).
    const older = points.slice(0, 4);
    const own = [];
    for (const [id] of older) {
      const { model } = await report(id);
      own.push([id, model.trend.at(-1)?.elevated_grants]);
    }
    expect(older).toEqual(own);
    // Owner through the group raised the count at the fourth snapshot, a point read from the view.
    const grants = points.map(([, n]) => n ?? 0);
    expect(grants[0]).toBeGreaterThan(0);
    expect(grants[3]).toBeGreaterThan(grants[2] ?? 0);
  });
});
