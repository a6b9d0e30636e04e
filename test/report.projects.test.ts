/**
 * The report's Projects section (HTML) and its Projects and Project access sheets (workbook),
 * from a crafted organization crawled over HTTP from the simulator into a real DuckDB file:
 * owners, attached groups and custom roles exactly as made; archived projects marked; a project
 * with more owners than listed; hostile project names shown as text in Chromium and neutralised
 * in the workbook; the organization sections still organization-only; the message for a
 * snapshot crawled without projects; byte-identical output for the same snapshot.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ExcelJS from "exceljs";
import Handlebars from "handlebars";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineProjectAccess, releaseProjectAccess, runRules } from "../src/analysis/anomalies.js";
import { cellText, revealInvisible, templateVersion } from "../src/render/index.js";
import { PROJECT_OWNERS_SHOWN, PROJECTS_NOT_COLLECTED, renderHtml } from "../src/report/html.js";
import {
  buildReportModel,
  PROJECT_OWNERS_CAP,
  type ReportFinding,
  type ReportModel,
  type ReportProject,
  releaseReportTables,
} from "../src/report/model.js";
import { writeWorkbook } from "../src/report/xlsx.js";
import { Store } from "../src/store/index.js";
import { crawlInto } from "./support/analysis-org.js";
import { hasChromium, launchChromium } from "./support/browser.js";
import { HOSTILE_CORPUS, type HostileKey } from "./support/hostile.js";
import {
  crawlProjectOrganization,
  HOSTILE_GROUP,
  HOSTILE_ROLE,
  type ProjectOrg,
} from "./support/project-org.js";
import { sheetRecords } from "./support/workbook-rows.js";

/** What a value looks like in the HTML: invisible characters revealed, then HTML-escaped. */
const rendered = (value: string): string => Handlebars.escapeExpression(revealInvisible(value));
/** XML readers turn CR and CRLF into LF (end-of-line handling); nothing else may change. */
const asRead = (text: string): string => text.replace(/\r\n?/g, "\n");
const FORMULA_START = /^(?:[\t\r\n]|\s*[=+\-@])/;
/** Hidden characters of the corpus that must never come out raw. */
const RAW_HIDDEN = ["\u202E", "\u200B", "\uFEFF", "\u2066", "\u0000", "\u001b"];
const rawHidden = (text: string): string[] => RAW_HIDDEN.filter((c) => text.includes(c));

async function modelOf(path: string): Promise<ReportModel> {
  const store = await Store.open(path, { readOnly: true });
  try {
    return await buildReportModel(store, {
      toolVersion: "9.9.9-test",
      templateVersion: templateVersion(),
    });
  } finally {
    await store.close();
  }
}

async function workbookOf(path: string, dir: string, name: string): Promise<ExcelJS.Workbook> {
  const store = await Store.open(path, { readOnly: true });
  const file = join(dir, name);
  try {
    const model = await buildReportModel(store, {
      toolVersion: "9.9.9-test",
      templateVersion: "t",
    });
    await writeWorkbook(store, model, file);
  } finally {
    await store.close();
  }
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  return workbook;
}

/** Data rows as objects keyed by each column's row property (support/workbook-rows.ts). */
function rowsOf(workbook: ExcelJS.Workbook, name: string): Record<string, ExcelJS.CellValue>[] {
  const sheet = workbook.getWorksheet(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  return sheetRecords(sheet);
}

/** The HTML of one element by id, up to its closing tag (no nesting of the same tag inside). */
function elementHtml(html: string, tag: string, id: string): string {
  const open = html.indexOf(` id="${id}"`);
  if (open < 0) throw new Error(`no element #${id}`);
  const from = html.lastIndexOf(`<${tag}`, open);
  const end = html.indexOf(`</${tag}>`, open);
  return html.slice(from, end + tag.length + 3);
}

describe("the Projects section and sheets", () => {
  let org: ProjectOrg;
  let model: ReportModel;
  let html: string;
  let dir: string;
  let workbook: ExcelJS.Workbook;
  let browser: Browser | undefined;

  const project = (id: string): ReportProject => {
    const found = model.projects.projects.find((p) => p.project_id === id);
    if (!found) throw new Error(`no project ${id}`);
    return found;
  };
  /** The article of a project in the HTML. */
  const article = (id: string): string => {
    const index = model.projects.projects.findIndex((p) => p.project_id === id);
    return elementHtml(html, "article", `project-${index + 1}`);
  };

  beforeAll(async () => {
    org = await crawlProjectOrganization();
    dir = mkdtempSync(join(tmpdir(), "access-audit-projects-report-"));
    model = await modelOf(org.dbPath);
    html = renderHtml(model);
    workbook = await workbookOf(org.dbPath, dir, "projects.xlsx");
    if (hasChromium) browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await org?.sim.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (org) rmSync(org.dir, { recursive: true, force: true });
  });

  it("reads owners, attached groups and custom roles exactly as made", () => {
    expect(model.projects.collected).toBe(true);
    expect(model.projects.role_assignments_collected).toBe(true);
    const alpha = project(org.alpha);
    expect(alpha).toMatchObject({ name: "Alpha", archived: false, members: 2, owner_count: 3 });
    expect(alpha.owners.map((o) => [o.email, o.membership, o.direct, o.group_ids])).toEqual([
      ["alice@corp.example", true, false, []],
      ["carol@corp.example", false, false, [org.groups.owners]],
      ["dave@corp.example", false, false, [org.groups.owners]],
    ]);
    expect(alpha.groups).toEqual([
      expect.objectContaining({
        group_id: org.groups.owners,
        name: "Platform Owners",
        is_scim_managed: true,
        members: 2,
        roles: ["Project Owner"],
      }),
      expect.objectContaining({
        group_id: org.groups.viewers,
        name: "Viewers",
        is_scim_managed: false,
        members: 1,
        roles: ["Deployer", "Project Viewer"],
      }),
    ]);
    expect(alpha.custom_roles).toEqual([
      {
        role_id: org.deployerRoleId,
        name: "Deployer",
        description: "Ships models",
        permissions: ["api.project.models.request", "api.project.write"],
      },
    ]);
    // Archived: members not listed, owners through the group still known.
    const archived = project(org.archived);
    expect(archived).toMatchObject({ name: "Zeta Archive", archived: true, members: 0 });
    expect(archived.archived_at).not.toBeNull();
    expect(archived.owners.map((o) => o.email)).toEqual([
      "carol@corp.example",
      "dave@corp.example",
    ]);
    // Sorted by name (as DuckDB orders text: by UTF-8 bytes), then id.
    const key = (p: ReportProject) =>
      Buffer.concat([
        Buffer.from(p.name ?? "\uFFFF", "utf8"),
        Buffer.from([0]),
        Buffer.from(p.project_id),
      ]);
    const sorted = [...model.projects.projects].sort((a, b) => Buffer.compare(key(a), key(b)));
    expect(model.projects.projects.map((p) => p.project_id)).toEqual(
      sorted.map((p) => p.project_id),
    );
    // Totals: the Default project, Alpha, the archive, Crowded and one per hostile name.
    const hostile = Object.keys(HOSTILE_CORPUS).length;
    expect(model.projects.totals).toMatchObject({
      projects: 4 + hostile,
      archived: 1,
      active: 3 + hostile,
      custom_roles: 1 + hostile,
    });
  });

  it("holds at most PROJECT_OWNERS_CAP owners of a project, lists PROJECT_OWNERS_SHOWN, and counts them all", () => {
    const crowded = project(org.crowded);
    expect(crowded.owner_count).toBe(org.crowdedOwners);
    expect(crowded.owners).toHaveLength(PROJECT_OWNERS_CAP);
    expect(crowded.owners[0]?.email).toBe("crowd00@corp.example");
    const text = article(org.crowded);
    expect(text).toContain(
      `The first ${PROJECT_OWNERS_SHOWN} of ${org.crowdedOwners} owners; all are in the workbook&#x27;s Project access sheet.`,
    );
    expect(text).toContain(`crowd0${PROJECT_OWNERS_SHOWN - 1}@corp.example`);
    expect(text).not.toContain(`crowd${PROJECT_OWNERS_SHOWN}@corp.example`);
    expect(text).not.toContain("crowd59@corp.example");
  });

  it("renders the section: summary, per-project owners, groups, roles, archived marked", () => {
    const section = elementHtml(html, "section", "projects");
    const t = model.projects.totals;
    expect(section).toContain(
      `${t.projects} projects: ${t.active} active, 1 archived; ${t.memberships} memberships held by ${t.members} people; ${t.attached_groups} attached groups; ${t.custom_roles} custom roles.`,
    );
    expect(section).toContain("Project access sheet");
    expect(html).toContain('<li><a href="#projects">Projects</a></li>');

    const alpha = article(org.alpha);
    expect(alpha).toContain("<h4>Owners (3)</h4>");
    expect(alpha).toContain(
      `<code class="id">${org.users.alice}</code> <span class="owner-paths">owner membership</span>`,
    );
    expect(alpha).toContain(
      `<span class="owner-paths">via group “Platform Owners” (${org.groups.owners})</span>`,
    );
    expect(alpha).not.toContain("bob@corp.example"); // a member, not an owner: only counted
    expect(alpha).toContain("<dt>Members</dt><dd>2 (every member is in the workbook");
    expect(alpha).toMatch(
      new RegExp(
        `Platform Owners</span> <code class="id">${org.groups.owners}</code></td><td>SCIM</td><td class="num">2</td><td>Project Owner</td>`,
      ),
    );
    expect(alpha).toContain(
      `Viewers</span> <code class="id">${org.groups.viewers}</code></td><td>Manual</td><td class="num">1</td><td>Deployer, Project Viewer</td>`,
    );
    expect(alpha).toContain(
      `<span class="name">Deployer</span> <code class="id">${org.deployerRoleId}</code></td><td>Ships models</td><td class="detail">api.project.models.request, api.project.write</td>`,
    );
    // The project rules' findings about Alpha (a manual group holds a writing custom role).
    const alphaFindings = model.findings.filter((f) => f.project_id === org.alpha);
    expect(alphaFindings.map((f) => f.rule)).toContain("project-admin-via-manual-group");
    expect(alpha).toContain(`<h4>Findings (${alphaFindings.length})</h4>`);
    expect(alpha).not.toContain("Archived");

    const archived = article(org.archived);
    expect(archived).toContain('class="project is-archived"');
    expect(archived).toContain('<span class="badge archived">Archived</span>');
    expect(archived).toContain(
      "Not listed: the API does not list the members of an archived project",
    );
    // In the overview table too.
    const table = elementHtml(html, "table", "projects-table");
    expect(table).toContain('<span class="badge archived">Archived</span>');
    expect(table.match(/badge archived/g)).toHaveLength(1);
  });

  it("shows a project's findings, by the finding's project_id, in that project only", () => {
    const finding: ReportFinding = {
      rule: "project-owner-outside",
      severity: "high",
      title: "Project owned from outside",
      group_id: null,
      user_id: org.users.alice,
      role_id: null,
      detail: "alice owns <Alpha>",
      project_id: org.alpha,
      credential_id: null,
      group_name: null,
      user: "alice@corp.example",
      role_name: null,
      rationale: "",
      remediation: "",
      controls: [],
      is_new: true,
      tier: null,
      members: [],
      member_count: 0,
      state: "new",
      exception: null,
    };
    const withFinding = renderHtml({ ...model, findings: [...model.findings, finding] });
    const index = model.projects.projects.findIndex((p) => p.project_id === org.alpha);
    const alpha = elementHtml(withFinding, "article", `project-${index + 1}`);
    const own = model.findings.filter((f) => f.project_id === org.alpha).length;
    expect(alpha).toContain(`<h4>Findings (${own + 1})</h4>`);
    expect(alpha).toContain(
      '<span class="badge sev-high">High</span> <span class="badge new">New</span> <a href="#rule-project-owner-outside">Project owned from outside</a>: <span class="detail">alice owns &lt;Alpha&gt;</span>',
    );
    // In that project's article (and the Findings section's table), in no other project.
    const projects = elementHtml(withFinding, "section", "projects");
    expect(projects.match(/Project owned from outside<\/a>/g)).toHaveLength(1);
    // Findings of the shipped rules carry a project only when they are about one.
    const ids = new Set(model.projects.projects.map((p) => p.project_id));
    for (const f of model.findings) {
      expect(f.project_id === null || ids.has(f.project_id), f.rule).toBe(true);
    }
  });

  it("keeps the organization sections organization-only", async () => {
    // The elevated paths counted are the privileged people's organization paths, none of a project.
    expect(model.elevated_paths).toBe(
      model.privileged.reduce((n, p) => n + p.organization_paths, 0),
    );
    const store = await Store.open(org.dbPath, { readOnly: true });
    try {
      const counts = await store.query<{ scope: string; n: number }>(
        `SELECT scope, count(*)::INTEGER AS n FROM effective_access WHERE snapshot_id = $s
         GROUP BY scope ORDER BY scope`,
        { s: org.snapshot },
      );
      const n = (scope: string) => counts.find((c) => c.scope === scope)?.n ?? 0;
      expect(n("project")).toBeGreaterThan(0);
      expect(rowsOf(workbook, "Effective access")).toHaveLength(n("organization"));
      const projectAccess = rowsOf(workbook, "Project access");
      expect(projectAccess).toHaveLength(n("project"));
      expect(projectAccess.every((r) => r.project_id !== null)).toBe(true);
      expect(projectAccess.some((r) => r.via === "membership")).toBe(true);
      expect(rowsOf(workbook, "Effective access").some((r) => r.via === "membership")).toBe(false);
    } finally {
      await store.close();
    }
  });

  it("writes the Projects sheet: one row per project, owners, groups and roles as text", () => {
    const rows = rowsOf(workbook, "Projects");
    expect(rows.map((r) => r.project_id)).toEqual(model.projects.projects.map((p) => p.project_id));
    const alpha = rows.find((r) => r.project_id === org.alpha);
    expect(alpha).toMatchObject({
      name: "Alpha",
      status: "active",
      archived: false,
      owner_count: 3,
      members: 2,
      owners:
        `alice@corp.example (${org.users.alice}) [owner membership]; ` +
        `carol@corp.example (${org.users.carol}) [via group Platform Owners (${org.groups.owners})]; ` +
        `dave@corp.example (${org.users.dave}) [via group Platform Owners (${org.groups.owners})]`,
      groups:
        `Platform Owners (${org.groups.owners}), SCIM: Project Owner; ` +
        `Viewers (${org.groups.viewers}), manual: Deployer, Project Viewer`,
      custom_roles: `Deployer (${org.deployerRoleId}): api.project.models.request, api.project.write`,
    });
    expect(alpha?.created_at).toBeInstanceOf(Date);
    expect(alpha?.archived_at).toBeNull();
    const archived = rows.find((r) => r.project_id === org.archived);
    expect(archived?.archived).toBe(true);
    expect(archived?.archived_at).toBeInstanceOf(Date);
    expect(archived?.members).toBeNull(); // not listable, not zero
    const crowded = rows.find((r) => r.project_id === org.crowded);
    expect(String(crowded?.owners)).toMatch(/; … and 10 more: see the Project access sheet$/);
    const summary = rowsOf(workbook, "Summary");
    expect(summary.find((r) => r.item === "Projects")?.value).toBe(model.projects.totals.projects);
    expect(summary.find((r) => r.item === "Archived projects")?.value).toBe(1);
  });

  it("neutralises hostile project, group and role names in the workbook", () => {
    const projects = new Map(rowsOf(workbook, "Projects").map((r) => [r.project_id, r]));
    const access = rowsOf(workbook, "Project access");
    for (const [key, name] of Object.entries(HOSTILE_CORPUS) as [HostileKey, string][]) {
      const id = org.hostile[key];
      const row = projects.get(id);
      expect(row?.name, key).toBe(asRead(cellText(name)));
      expect(String(row?.custom_roles), key).toContain(revealInvisible(HOSTILE_ROLE));
      expect(String(row?.groups), key).toContain(`${HOSTILE_GROUP} (${org.groups.hostile})`);
      const paths = access.filter((r) => r.project_id === id);
      expect(paths.length, key).toBeGreaterThan(0);
      for (const p of paths) expect(p.project_name, key).toBe(asRead(cellText(name)));
    }
    expect(projects.get(org.hostile.equals)?.name).toBe(`'${HOSTILE_CORPUS.equals}`);
    expect(projects.get(org.hostile.tab)?.name).toBe("[U+0009]=1+1");
    expect(projects.get(org.hostile.bidi)?.name).toBe("invoice[U+202E]fdp.exe[U+202C]");
    for (const name of ["Projects", "Project access"]) {
      for (const row of rowsOf(workbook, name)) {
        for (const [column, value] of Object.entries(row)) {
          if (typeof value === "string") {
            expect(value, `${name}.${column}`).not.toMatch(FORMULA_START);
            expect(rawHidden(value), `${name}.${column}`).toEqual([]);
          }
        }
      }
    }
  });

  it("escapes hostile names in the HTML and never emits the raw payloads", () => {
    const section = elementHtml(html, "section", "projects");
    for (const name of Object.values(HOSTILE_CORPUS)) expect(section).toContain(rendered(name));
    expect(section).toContain(rendered(HOSTILE_GROUP));
    expect(section).toContain(rendered(HOSTILE_ROLE));
    for (const raw of ["<script", "<img", "<svg", "onerror=", "\u202E", "\u200B", "\u0000"]) {
      expect(section).not.toContain(raw);
    }
    expect(html.match(/<script\b/g)).toHaveLength(2);
  });

  it("is deterministic: the same snapshot gives byte-identical HTML", async () => {
    expect(renderHtml(model)).toBe(html);
    expect(renderHtml(await modelOf(org.dbPath))).toBe(html);
  });

  it("shares one analysis_project_access: the rules read the caller's view, the report drops it", async () => {
    const temp = async (store: Store): Promise<string[]> =>
      (
        await store.query<{ name: string }>(
          "SELECT view_name AS name FROM duckdb_views() WHERE temporary UNION ALL SELECT table_name FROM duckdb_tables() WHERE temporary ORDER BY 1",
        )
      ).map((r) => r.name);
    const store = await Store.open(org.dbPath, { readOnly: true });
    try {
      const s = model.snapshot.snapshot_id;
      const projectRows = async (): Promise<number> =>
        (
          await store.query<{ n: number }>(
            "SELECT count(*)::INTEGER AS n FROM temp.analysis_project_access WHERE snapshot_id = $s",
            { s },
          )
        )[0]?.n ?? 0;
      const viewRows = (
        await store.query<{ n: number }>(
          "SELECT count(*)::INTEGER AS n FROM main.effective_access WHERE snapshot_id = $s AND scope = 'project'",
          { s },
        )
      )[0]?.n;
      // The rules read a view the caller defined, and leave it; on their own they drop theirs.
      const ownerless = (findings: { rule: string; project_id?: unknown }[]): boolean =>
        findings.some(
          (f) => f.rule === "project-without-human-owner" && f.project_id === org.alpha,
        );
      const rules = { snapshotId: s, previousId: null, projectAccessDefined: true };
      await defineProjectAccess(store, [s]);
      const defined = await projectRows();
      expect(defined).toBeGreaterThan(0);
      expect(defined).toBe(viewRows);
      const kept = await runRules(store, rules);
      expect(await projectRows()).toBe(defined);
      const own = await runRules(store, { snapshotId: s, previousId: null });
      expect(kept.findings).toEqual(own.findings);
      expect(ownerless(own.findings)).toBe(false);
      expect(await temp(store)).not.toContain("analysis_project_access");
      // Alpha's owners left out of the caller's view: the rules see an ownerless Alpha.
      // (A view takes no parameters: the ids are written in, from this test's own organization.)
      await store.query(
        `CREATE TEMP VIEW analysis_project_access AS SELECT * FROM main.effective_access
         WHERE snapshot_id = ${s} AND scope = 'project'
           AND NOT (project_id = '${org.alpha}' AND role_name = 'Project Owner')`,
      );
      expect(ownerless((await runRules(store, rules)).findings)).toBe(true);
      await releaseProjectAccess(store);
      expect(await temp(store)).not.toContain("analysis_project_access");

      // The report's own view: the same model, and the same workbook bytes.
      const options = { toolVersion: "9.9.9-test", templateVersion: "t" };
      const dropped = await buildReportModel(store, options);
      expect(await temp(store)).not.toContain("analysis_project_access");
      const shared = await buildReportModel(store, { ...options, keepEffectiveAccess: true });
      expect(JSON.stringify(shared)).toBe(JSON.stringify(dropped));
      expect(await projectRows()).toBe(defined);
      const file = join(dir, "shared.xlsx");
      await writeWorkbook(store, shared, file);
      expect(readFileSync(file)).toEqual(readFileSync(join(dir, "projects.xlsx")));
      expect(rowsOf(workbook, "Project access").length).toBe(defined);
      await releaseReportTables(store);
      expect(await temp(store)).toEqual(
        expect.not.arrayContaining(["analysis_project_access", "analysis_effective_access"]),
      );
    } finally {
      await store.close();
    }
  });

  it("says only that projects were not collected, for a snapshot crawled without them", async () => {
    const without = await modelOf(org.uncollectedDbPath);
    expect(without.projects).toMatchObject({
      collected: false,
      not_collected_reason: "option",
      projects: [],
    });
    const text = renderHtml(without);
    expect(elementHtml(text, "section", "projects")).toBe(
      '<section id="projects" class="report-section" aria-labelledby="projects-heading">\n' +
        '<h2 id="projects-heading">Projects</h2>\n' +
        `<p>${PROJECTS_NOT_COLLECTED}</p>\n` +
        "</section>",
    );
    expect(PROJECTS_NOT_COLLECTED).toBe(
      "Projects were not collected in this snapshot (crawl run with --no-projects)",
    );
    // The organization sections are unchanged by it.
    expect(without.groups.map((g) => g.group_id)).toEqual(model.groups.map((g) => g.group_id));
    const book = await workbookOf(org.uncollectedDbPath, dir, "no-projects.xlsx");
    expect(rowsOf(book, "Projects")).toEqual([]);
    expect(rowsOf(book, "Project access")).toEqual([]);
    const summary = rowsOf(book, "Summary").find(
      (r) => r.section === "Projects" && r.item === "Collected",
    );
    expect(summary).toMatchObject({ value: "no" });
    expect(String(summary?.detail)).toContain("--no-projects");
  });

  it("says that coverage changed when the previous snapshot had projects and this one not", async () => {
    const path = join(dir, "coverage-changed.duckdb");
    copyFileSync(org.dbPath, path);
    await crawlInto(org.sim, path, { projects: false });
    const later = await modelOf(path);
    expect(later.changes.filter((c) => c.kind.startsWith("project_"))).toEqual([]);
    expect(later.changes_coverage_note).toMatch(
      /^Coverage differs: projects were collected in snapshot 1 but not in snapshot 2; project role assignments were collected in snapshot 1 but not in snapshot 2; credentials were collected in snapshot 1 but not in snapshot 2\. Their changes are not compared \(33 kinds of change\), so none is listed for them\.$/,
    );
    expect(renderHtml(later)).toContain(later.changes_coverage_note as string);
    expect(model.changes_coverage_note).toBeNull();
  });

  it("says what is missing when project role assignments were not collected", async () => {
    const without = await modelOf(org.noAssignmentsDbPath);
    expect(without.projects).toMatchObject({ collected: true, role_assignments_collected: false });
    const alpha = without.projects.projects.find((p) => p.project_id === org.alpha);
    // Owners by membership only; the groups are listed, their roles unknown.
    expect(alpha?.owners.map((o) => o.email)).toEqual(["alice@corp.example"]);
    expect(alpha?.groups.map((g) => [g.name, g.roles])).toEqual([
      ["Platform Owners", []],
      ["Viewers", []],
    ]);
    const text = renderHtml(without);
    const section = elementHtml(text, "section", "projects");
    expect(section).toContain(
      "Project role assignments were not collected in this snapshot (crawl run with --no-project-role-assignments)",
    );
    expect(section).toContain("<td>Not collected</td>");
    expect(section).toContain(
      "Owners through attached groups are not known: project role assignments were not collected in this snapshot.",
    );
  });

  // Skipped only where Chromium is not installed (CI installs it with apt).
  it.skipIf(!hasChromium)(
    "shows hostile project names as text in Chromium, invisible characters revealed",
    async () => {
      if (!browser) throw new Error("no browser");
      const path = join(dir, "projects.html");
      writeFileSync(path, html);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on("dialog", (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
      });
      await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
      // A string, not a function: the tests compile without the DOM library.
      const injected = await page.evaluate(`({
        handlers: Array.from(document.querySelectorAll("*")).filter((el) =>
          Array.from(el.attributes).some((a) => a.name.toLowerCase().startsWith("on")),
        ).length,
        images: document.querySelectorAll("img, #projects svg").length,
        scripts: document.scripts.length,
        bold: document.querySelectorAll("main b, main i").length,
        pwned: window.__pwned ?? null,
      })`);
      expect(injected).toEqual({ handlers: 0, images: 0, scripts: 2, bold: 0, pwned: null });
      for (const [key, name] of Object.entries(HOSTILE_CORPUS) as [HostileKey, string][]) {
        const index = model.projects.projects.findIndex((p) => p.project_id === org.hostile[key]);
        const heading = page.locator(`#project-${index + 1}-heading .name`);
        // Exactly the revealed name: no markup parsed, no character hidden.
        await expect(heading.textContent(), key).resolves.toBe(revealInvisible(name));
        const row = page.locator("#projects-table tbody tr", {
          has: page.locator(`a[href="#project-${index + 1}"]`),
        });
        await expect(row.locator("a.name").textContent(), key).resolves.toBe(revealInvisible(name));
      }
      const text = (await page.locator("#projects").textContent()) ?? "";
      expect(text).toContain("invoice[U+202E]fdp.exe[U+202C]");
      expect(text).toContain("Own[U+200B]ers[U+FEFF]");
      expect(text).toContain(HOSTILE_CORPUS.script);
      expect(rawHidden(text)).toEqual([]);
      // The overview table is the report's own: filterable by a project's name.
      await page.locator("#projects-filter").fill("invoice");
      expect(await page.locator("#projects-table tbody tr:visible").count()).toBe(1);
      expect(problems).toEqual([]);
      // Nothing sideways on a phone, however long a name.
      await page.setViewportSize({ width: 390, height: 800 });
      const overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      expect(overflow).toBe(0);
      await page.close();
    },
  );
});
