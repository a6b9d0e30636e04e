import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Handlebars from "handlebars";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  revealInvisible,
  scriptJson,
  templatesDirectory,
  templateVersion,
} from "../src/render/index.js";
import { HTML_ROW_CAP, PRIVILEGED_PATHS_SHOWN, renderHtml } from "../src/report/html.js";
import { buildReportModel, type ReportModel } from "../src/report/model.js";
import { Store } from "../src/store/index.js";
import { hasChromium, launchChromium } from "./support/browser.js";
import { crawlHostileOrganization, HOSTILE_NAMES, type ReportOrg } from "./support/report-org.js";

/** What a value looks like in the HTML: invisible characters revealed, then HTML-escaped. */
const rendered = (value: string): string => Handlebars.escapeExpression(revealInvisible(value));

async function model(org: ReportOrg, fromId?: number | null): Promise<ReportModel> {
  const store = await Store.open(org.dbPath, { readOnly: true });
  try {
    return await buildReportModel(store, {
      toolVersion: "9.9.9-test",
      templateVersion: templateVersion(),
      ...(fromId === undefined ? {} : { fromId }),
    });
  } finally {
    await store.close();
  }
}

describe("HTML report", () => {
  let org: ReportOrg;
  let reportModel: ReportModel;
  let html: string;
  let outDir: string;
  let reportPath: string;
  let pagedPath: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    org = await crawlHostileOrganization();
    reportModel = await model(org);
    html = renderHtml(reportModel);
    // REPORT_HTML_OUT keeps the files somewhere to look at; by default they go to a temp dir.
    outDir = process.env.REPORT_HTML_OUT ?? mkdtempSync(join(tmpdir(), "access-audit-html-"));
    reportPath = join(outDir, "report.html");
    writeFileSync(reportPath, html);
    pagedPath = join(outDir, "report-paged.html");
    writeFileSync(pagedPath, renderHtml(reportModel, { pageSize: 10 }));
    if (hasChromium) {
      browser = await launchChromium();
    }
  });
  afterAll(async () => {
    await browser?.close();
    await org?.sim.stop();
  });

  it("is one document with the versions in the generator meta and the header", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain(
      `<meta name="generator" content="openai-access-audit 9.9.9-test; templates ${templateVersion()}">`,
    );
    expect(html).toContain(`<code>${templateVersion()}</code>`);
    expect(html).toContain("<code>9.9.9-test</code>");
    expect(html).toContain(`Snapshot ${org.second} compared with snapshot ${org.first}`);
    expect(html).toContain(reportModel.chain_head.seal);
    expect(html).toContain(`access-audit verify --snapshot ${org.second}`);
    expect(html).toContain(`access-audit verify --snapshot ${org.first}`);
  });

  it("escapes every hostile name and never emits the raw payloads", () => {
    for (const name of Object.values(HOSTILE_NAMES)) {
      expect(html).toContain(rendered(name));
    }
    expect(html).toContain("&lt;script&gt;alert(&#x27;xss-group&#x27;)&lt;/script&gt;");
    expect(html).toContain("&lt;b onmouseover&#x3D;&quot;alert(2)&quot;&gt;Mallory&lt;/b&gt;");
    expect(html).toContain("(renamed) &lt;i&gt;");
    // The bidi override is shown, not obeyed.
    expect(html).toContain("[U+202E]gnp.exe[U+202C] zero[U+200B]width");
    for (const raw of [
      HOSTILE_NAMES.script,
      HOSTILE_NAMES.attribute,
      "<img",
      "onerror=",
      '<b onmouseover="alert(2)">',
      "(renamed) <i>",
      "\u202E",
    ]) {
      expect(html).not.toContain(raw);
    }
    // Exactly two script elements: the JSON metadata and the report's own script.
    expect(html.match(/<script\b/g)).toHaveLength(2);
  });

  it("uses no triple-stash and no unquoted attribute in its templates", () => {
    const dir = templatesDirectory();
    const templates = readdirSync(dir).filter((f) => f.startsWith("report") && f.endsWith(".hbs"));
    expect(templates.length).toBeGreaterThan(1);
    for (const file of templates) {
      const text = readFileSync(join(dir, file), "utf8");
      expect(text, file).not.toContain("{{{");
      // Every attribute that carries a value is quoted.
      expect(text, file).not.toMatch(/=\{\{/);
    }
  });

  it("is deterministic", async () => {
    expect(renderHtml(reportModel)).toBe(html);
    expect(renderHtml(await model(org))).toBe(html);
  });

  it("allows exactly its own inline style and script by hash, and nothing else", () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    expect(csp).toBeDefined();
    const policy = (csp ?? "").replace(/&#x([0-9a-f]+);/gi, (_, hex: string) =>
      String.fromCodePoint(Number.parseInt(hex, 16)),
    );
    // The stylesheet, then the print footer's style (which names the snapshot).
    const [style = "", pageStyle = ""] = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
      (m) => m[1] ?? "",
    );
    expect(html.match(/<style\b/g)).toHaveLength(2);
    expect(pageStyle).toContain(
      `snapshot ${org.second}, seal ${reportModel.snapshot.seal.slice(0, 12)}`,
    );
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    const hash = (text: string) => createHash("sha256").update(text).digest("base64");
    expect(policy).toBe(
      [
        "default-src 'none'",
        `style-src 'sha256-${hash(style)}' 'sha256-${hash(pageStyle)}'`,
        `script-src 'sha256-${hash(script)}'`,
        "img-src data:",
        "connect-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
      ].join("; "),
    );
    expect(style.length).toBeGreaterThan(1000);
    expect(script).toContain("textContent");
    expect(script).not.toContain("innerHTML");
  });

  it("escapes JSON for a script element", () => {
    const text = scriptJson({ a: "</script><!-- & \u2028\u2029 >" });
    expect(text).toBe('{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 \\u003e"}');
    expect(JSON.parse(text)).toEqual({ a: "</script><!-- & \u2028\u2029 >" });
    const meta = /<script type="application\/json" id="report-meta">([^<]*)<\/script>/.exec(html);
    expect(JSON.parse(meta?.[1] ?? "")).toMatchObject({
      snapshot_id: org.second,
      previous_snapshot_id: org.first,
      template_version: templateVersion(),
    });
  });

  it("caps the rows of a table and says how many are left out and where they all are", () => {
    const capped = renderHtml(reportModel, { rowCap: 10 });
    const groups = reportModel.groups.length;
    const exported = `“access-audit export --snapshot ${org.second} --format csv --out DIR”`;
    expect(capped).toContain(
      rendered(
        `This report shows the first 10 of ${groups} groups; the other ${groups - 10} are in the Excel workbook's Groups sheet and in the export's snapshot_groups (${exported}).`,
      ),
    );
    const changes = reportModel.changes.length;
    expect(changes).toBeGreaterThan(10);
    expect(capped).toContain(
      rendered(
        `This report shows the first 10 of ${changes} changes; the other ${changes - 10} are in the Excel workbook's Changes sheet and in the output of “access-audit diff --from ${org.first} --to ${org.second} --json”.`,
      ),
    );
    expect(capped.match(/<tr id="change-\d+"/g)).toHaveLength(10);
    expect(html).not.toContain("This report shows the first");
  });

  it("lists PRIVILEGED_PATHS_SHOWN paths of a privileged person and counts the rest", () => {
    const person = reportModel.privileged[0];
    const path = person?.paths[0];
    if (person === undefined || path === undefined) throw new Error("no privileged person");
    const paths = Array.from({ length: PRIVILEGED_PATHS_SHOWN + 2 }, (_, i) => ({
      ...path,
      role_name: `Listed role ${String(i).padStart(2, "0")}`,
    }));
    const text = renderHtml({ ...reportModel, privileged: [{ ...person, paths }] });
    const row = text.slice(text.indexOf('<table id="privileged-table"'));
    expect(row).toContain(`Listed role ${String(PRIVILEGED_PATHS_SHOWN - 1).padStart(2, "0")}`);
    expect(row).not.toContain(`Listed role ${PRIVILEGED_PATHS_SHOWN}`);
    expect(row).toContain(
      rendered("and 2 more paths (every one is in the Excel workbook's Privileged access sheet)"),
    );
  });

  it("lists no membership one by one, and says how many there are and where every one is", async () => {
    const store = await Store.open(org.dbPath, { readOnly: true });
    let memberships: number;
    let users: number;
    let memberIds: string[];
    try {
      const s = { s: org.second };
      memberships = Number(
        (
          await store.query<{ n: bigint | number }>(
            "SELECT count(*) AS n FROM snapshot_group_members WHERE snapshot_id = $s",
            s,
          )
        )[0]?.n,
      );
      users = Number(
        (
          await store.query<{ n: bigint | number }>(
            "SELECT count(*) AS n FROM snapshot_users WHERE snapshot_id = $s",
            s,
          )
        )[0]?.n,
      );
      memberIds = (
        await store.query<{ id: string }>(
          "SELECT DISTINCT user_id AS id FROM snapshot_group_members WHERE snapshot_id = $s ORDER BY 1",
          s,
        )
      ).map((r) => r.id);
    } finally {
      await store.close();
    }
    expect(memberships).toBeGreaterThan(100);
    const exported = `“access-audit export --snapshot ${org.second} --format csv --out DIR”`;
    // The count named is the database's, with the sheet and the export that hold every one.
    expect(html).toContain(
      `<div id="full-list-members"><dt>Group memberships: ${memberships.toLocaleString("en-US")}</dt><dd>${rendered(
        `In the Excel workbook's Members sheet and in the export's snapshot_group_members (${exported}).`,
      )}</dd></div>`,
    );
    expect(html).toContain(
      `<div id="full-list-users"><dt>Users: ${users.toLocaleString("en-US")}</dt>`,
    );
    expect(html).toContain('<li><a href="#full-lists">Full lists: where they are</a></li>');
    // No member listing: most members are named nowhere (only where a change, finding or
    // privilege is about them), and no table lists members or access paths.
    const named = memberIds.filter((id) => html.includes(id));
    expect(named.length).toBeLessThan(memberIds.length / 2);
    expect(html).not.toMatch(/id="(members|elevated|access)-table"/);
  });

  it("says plainly when there is no previous snapshot", async () => {
    const first = renderHtml(await model(org, null));
    expect(first).toContain("There is no previous snapshot");
    expect(first).toContain(`Snapshot ${org.second}; no previous snapshot to compare with`);
    expect(first).not.toContain('id="changes-table"');
    writeFileSync(join(outDir, "report-first.html"), first);
  });

  // Browser tests: skipped only where Chromium is not installed (CI installs it with apt).
  const inBrowser = it.skipIf(!hasChromium);

  interface Opened {
    page: Page;
    /** Dialogs, console errors and warnings, page errors and requests for anything but the file. */
    problems: string[];
    /** Requests the browser refused to send because of the Content-Security-Policy. */
    blockedByCsp: string[];
    /** Asserts that there were no problems and that the file itself was requested. */
    done: () => void;
  }

  async function open(path: string, width = 1280): Promise<Opened> {
    if (!browser) throw new Error("no browser");
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const url = pathToFileURL(path).href;
    const problems: string[] = [];
    let requestedSelf = false;
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") {
        problems.push(`console ${message.type()}: ${message.text()}`);
      }
    });
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("request", (request) => {
      if (request.url() === url) requestedSelf = true;
      else problems.push(`request: ${request.url()}`);
    });
    const blockedByCsp: string[] = [];
    page.on("requestfailed", (request) => {
      if (request.failure()?.errorText === "csp") blockedByCsp.push(request.url());
    });
    page.on("response", (response) => {
      if (response.url() !== url) problems.push(`response: ${response.url()}`);
    });
    await page.goto(url, { waitUntil: "load" });
    return {
      page,
      problems,
      blockedByCsp,
      done: () => {
        expect(problems).toEqual([]);
        // The request listener saw the page itself, so it would have seen anything else too.
        expect(requestedSelf).toBe(true);
      },
    };
  }

  const visibleRows = (page: Page, table: string) =>
    page.locator(`#${table}-table tbody tr:visible`).count();
  const columnTexts = (page: Page, table: string, column: number) =>
    page
      .locator(`#${table}-table tbody tr:visible > td:nth-child(${column + 1})`)
      .allTextContents()
      .then((texts) => texts.map((t) => t.trim()));

  inBrowser("loads with no dialog, error or request, and shows hostile names as text", async () => {
    const { page, done } = await open(reportPath);
    const text = await page.locator("body").textContent();
    expect(text).toContain(HOSTILE_NAMES.script);
    expect(text).toContain(HOSTILE_NAMES.attribute);
    // No element carries an event handler and no injected element exists.
    // A string, not a function: the tests compile without the DOM library.
    const injected = await page.evaluate(`({
      handlers: Array.from(document.querySelectorAll("*")).filter((el) =>
        Array.from(el.attributes).some((a) => a.name.toLowerCase().startsWith("on")),
      ).length,
      images: document.querySelectorAll("img").length,
      scripts: document.scripts.length,
      bold: document.querySelectorAll("main b").length,
    })`);
    expect(injected).toEqual({ handlers: 0, images: 0, scripts: 2, bold: 0 });
    // The script ran: the tools are shown and the headers became buttons.
    await expect(page.locator("#groups-filter").isVisible()).resolves.toBe(true);
    expect(await page.locator("#groups-table thead button").count()).toBe(7);
    done();
    await page.close();
  });

  inBrowser(
    "blocks script, inline styles and requests that an escaping slip would let in",
    async () => {
      // What a template bug could emit: none of it may run, fetch or restyle.
      const tampered = join(outDir, "report-tampered.html");
      writeFileSync(
        tampered,
        html.replace(
          "</main>",
          `<script>alert("injected")</script><img src="http://attacker.example/pixel.png">` +
            `<p id="styled" style="color: rgb(255, 0, 0)">x</p>` +
            `<script>fetch("http://attacker.example/x")</script></main>`,
        ),
      );
      const { page, problems, blockedByCsp } = await open(tampered);
      const color = await page.evaluate(
        `getComputedStyle(document.getElementById("styled")).color`,
      );
      expect(color).not.toBe("rgb(255, 0, 0)");
      // Chromium announces the image request, then refuses to send it; nothing is answered.
      await expect.poll(() => blockedByCsp).toEqual(["http://attacker.example/pixel.png"]);
      const requests = problems.filter((p) => p.startsWith("request: "));
      expect(requests).toEqual(["request: http://attacker.example/pixel.png"]);
      const others = problems.filter((p) => !p.startsWith("request: "));
      expect(others.length).toBeGreaterThanOrEqual(3);
      for (const problem of others) {
        expect(problem).toMatch(/^console error: .*Content Security Policy/);
      }
      // The report's own script still ran.
      expect(await page.locator("#groups-table thead button").count()).toBe(7);
      await page.close();
    },
  );

  inBrowser("sorts a column on click and says so with aria-sort", async () => {
    const { page, done } = await open(reportPath);
    const header = page.locator("#groups-table thead th", { hasText: "Members" });
    const before = (await columnTexts(page, "groups", 3)).map((t) => Number(t.replace(/,/g, "")));
    expect(before).toHaveLength(reportModel.groups.length);
    await header.getByRole("button").click();
    expect(await header.getAttribute("aria-sort")).toBe("ascending");
    const ascending = (await columnTexts(page, "groups", 3)).map((t) =>
      Number(t.replace(/,/g, "")),
    );
    expect(ascending).toEqual([...before].sort((a, b) => a - b));
    expect(ascending).not.toEqual(before);
    await header.getByRole("button").press("Enter");
    expect(await header.getAttribute("aria-sort")).toBe("descending");
    const descending = (await columnTexts(page, "groups", 3)).map((t) =>
      Number(t.replace(/,/g, "")),
    );
    expect(descending).toEqual([...before].sort((a, b) => b - a));
    // Sorting by another column moves aria-sort there.
    const nameHeader = page.locator("#groups-table thead th", { hasText: "Group" }).first();
    await nameHeader.getByRole("button").click();
    expect(await nameHeader.getAttribute("aria-sort")).toBe("ascending");
    expect(await header.getAttribute("aria-sort")).toBeNull();
    done();
    await page.close();
  });

  inBrowser("filters rows as one types", async () => {
    const { page, done } = await open(reportPath);
    const total = reportModel.groups.length;
    expect(await visibleRows(page, "groups")).toBe(total);
    await page.locator("#groups-filter").fill("xss-group");
    expect(await visibleRows(page, "groups")).toBe(1);
    await expect(page.locator("#groups-status").textContent()).resolves.toBe(
      `Rows 1–1 of 1 (filtered from ${total})`,
    );
    const calc = reportModel.groups.filter((g) => g.name?.includes("calc")).length;
    expect(calc).toBeGreaterThan(1);
    await page.locator("#groups-filter").fill("CALC");
    expect(await visibleRows(page, "groups")).toBe(calc);
    await page.locator("#groups-filter").fill("no such text anywhere");
    expect(await visibleRows(page, "groups")).toBe(0);
    await expect(page.locator("#groups-status").textContent()).resolves.toBe(
      `No rows match the filter (of ${total}).`,
    );
    await page.locator("#groups-filter").fill("");
    expect(await visibleRows(page, "groups")).toBe(total);
    done();
    await page.close();
  });

  inBrowser("pages a table larger than a page, and prints every row of the filter", async () => {
    const { page, done } = await open(pagedPath);
    const total = reportModel.groups.length;
    const pages = Math.ceil(total / 10);
    expect(total).toBeGreaterThan(20);
    const status = page.locator("#groups-status");
    const pager = page.locator("#groups-block [data-pager]");
    expect(await visibleRows(page, "groups")).toBe(10);
    await expect(status.textContent()).resolves.toBe(`Rows 1–10 of ${total}`);
    await expect(pager.getByRole("button", { name: "Previous" }).isDisabled()).resolves.toBe(true);
    const first = await columnTexts(page, "groups", 0);
    await pager.getByRole("button", { name: "Next" }).click();
    await expect(status.textContent()).resolves.toBe(`Rows 11–20 of ${total}`);
    const second = await columnTexts(page, "groups", 0);
    expect(second).toHaveLength(10);
    expect(second.some((t) => first.includes(t))).toBe(false);
    await expect(pager.locator("[data-page-label]").textContent()).resolves.toBe(
      `Page 2 of ${pages}`,
    );
    await pager.getByRole("button", { name: "Last" }).click();
    const lastCount = total - (pages - 1) * 10;
    expect(await visibleRows(page, "groups")).toBe(lastCount);
    await expect(pager.getByRole("button", { name: "Next" }).isDisabled()).resolves.toBe(true);
    // Filtering returns to the first page and counts from the filtered rows.
    const manual = reportModel.groups.filter((g) => g.is_scim_managed === false).length;
    await page.locator("#groups-filter").fill("manual");
    await expect(status.textContent()).resolves.toBe(
      `Rows 1–${Math.min(10, manual)} of ${manual} (filtered from ${total})`,
    );
    // Print shows all rows of the current filter, without the controls.
    await page.emulateMedia({ media: "print" });
    expect(await visibleRows(page, "groups")).toBe(manual);
    expect(await page.locator("#groups-filter").isVisible()).toBe(false);
    await expect(page.locator("#groups-block [data-print-note]").textContent()).resolves.toBe(
      `Filtered by “manual”: ${manual} of ${total} rows.`,
    );
    await page.emulateMedia({ media: "screen" });
    expect(await visibleRows(page, "groups")).toBe(Math.min(10, manual));
    done();
    await page.close();
  });

  inBrowser("renders a full-page screenshot, a narrow one and a PDF", async () => {
    const wide = await open(reportPath);
    const full = join(outDir, "report-1280.png");
    await wide.page.screenshot({ path: full, fullPage: true });
    const pdf = join(outDir, "report.pdf");
    await wide.page.pdf({ path: pdf, format: "A4", printBackground: true });
    wide.done();
    await wide.page.close();
    const narrow = await open(reportPath, 390);
    const small = join(outDir, "report-390.png");
    await narrow.page.screenshot({ path: small, fullPage: true });
    // Nothing but the table regions scrolls sideways on a phone.
    const overflow = await narrow.page.evaluate(
      "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    expect(overflow).toBe(0);
    narrow.done();
    await narrow.page.close();
    expect(statSync(full).size).toBeGreaterThan(10_000);
    expect(statSync(small).size).toBeGreaterThan(10_000);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe("%PDF-");
    expect(statSync(pdf).size).toBeGreaterThan(10_000);
    console.log(`report files in ${outDir}`);
  });

  inBrowser("opens a report with no previous snapshot cleanly", async () => {
    const path = join(outDir, "report-no-previous.html");
    writeFileSync(path, renderHtml(await model(org, null)));
    const { page, done } = await open(path);
    await expect(page.locator("#changes").textContent()).resolves.toContain(
      "There is no previous snapshot",
    );
    done();
    await page.close();
  });

  inBrowser("shows every row without script", async () => {
    if (!browser) throw new Error("no browser");
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(pathToFileURL(pagedPath).href);
    expect(await visibleRows(page, "groups")).toBe(reportModel.groups.length);
    expect(await page.locator("#groups-filter").isVisible()).toBe(false);
    await context.close();
  });

  // Opt-in (REPORT_HTML_LARGE=1): a table at the row cap, with timings, to judge by hand.
  it.skipIf(!hasChromium || process.env.REPORT_HTML_LARGE !== "1")(
    "keeps a table at the row cap usable",
    async () => {
      const groups = Array.from({ length: HTML_ROW_CAP + 10_000 }, (_, i) => ({
        ...(reportModel.groups[i % reportModel.groups.length] as ReportModel["groups"][number]),
        group_id: `group_${String(i).padStart(8, "0")}`,
        members: (i * 7919) % 1000,
      }));
      let t = performance.now();
      const text = renderHtml({ ...reportModel, groups });
      const timings: Record<string, number> = { render: performance.now() - t };
      expect(text).toContain(
        `first ${HTML_ROW_CAP.toLocaleString("en-US")} of ${groups.length.toLocaleString("en-US")} rows`,
      );
      const path = join(outDir, "report-large.html");
      writeFileSync(path, text);
      t = performance.now();
      const { page, done } = await open(path);
      timings.open = performance.now() - t;
      const status = page.locator("#groups-status");
      await expect(status.textContent()).resolves.toBe(
        `Rows 1–100 of ${HTML_ROW_CAP.toLocaleString("en-US")}`,
      );
      const header = page.locator("#groups-table thead th", { hasText: "Members" });
      t = performance.now();
      await header.getByRole("button").click();
      expect(await header.getAttribute("aria-sort")).toBe("ascending");
      timings.sort = performance.now() - t;
      t = performance.now();
      await page.locator("#groups-filter").fill("group_0000012");
      await expect
        .poll(() => status.textContent())
        .toBe(`Rows 1–10 of 10 (filtered from ${HTML_ROW_CAP.toLocaleString("en-US")})`);
      timings.filter = performance.now() - t;
      await page.locator("#groups-filter").fill("");
      await expect
        .poll(() => status.textContent())
        .toBe(`Rows 1–100 of ${HTML_ROW_CAP.toLocaleString("en-US")}`);
      t = performance.now();
      await page
        .locator("#groups-block [data-pager]")
        .getByRole("button", { name: "Next" })
        .click();
      await expect(status.textContent()).resolves.toBe(
        `Rows 101–200 of ${HTML_ROW_CAP.toLocaleString("en-US")}`,
      );
      timings.page = performance.now() - t;
      console.log(
        `${(text.length / 1e6).toFixed(1)} MB;`,
        Object.entries(timings)
          .map(([k, v]) => `${k} ${Math.round(v)} ms`)
          .join(", "),
      );
      done();
      await page.close();
    },
    300_000,
  );
});
