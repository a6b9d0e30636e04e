/**
 * The Excel workbook, read back with exceljs: sheets, headers, row counts against the database,
 * typed cells, no formula anywhere, hostile names neutralised (and otherwise verbatim), frozen
 * header and autofilter on every sheet, severity highlighting, document properties, overflow
 * into "Name (2)", byte-identical output, and (when LibreOffice is installed) a real
 * spreadsheet program opening the file.
 */
import { execFile, execFileSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkWorkbookZip, inflateEntry } from "../src/certify/zip-limits.js";
import { cellText, EXCEL_MAX_CELL_CHARS, neutralise, xmlSafe } from "../src/render/index.js";
import { buildReportModel, type ReportModel } from "../src/report/model.js";
import { SHEET_NAMES, type WorkbookStats, writeWorkbook } from "../src/report/xlsx.js";
import { Store } from "../src/store/index.js";
import { expectedKindDescriptions } from "./support/kind-descriptions.js";
import { crawlHostileOrganization, HOSTILE_NAMES, type ReportOrg } from "./support/report-org.js";
import { sheetRecords } from "./support/workbook-rows.js";

/** The header rows, as an auditor reads them (words, never snake_case). */
const HEADERS: Record<(typeof SHEET_NAMES)[number], string[]> = {
  Summary: ["Section", "Item", "Value", "New", "Detail"],
  Changes: [
    "Kind",
    "Change",
    "Actor",
    "Attribution",
    "Made by",
    "Event time",
    "Event IDs",
    "Reason",
    "Elevated",
    "Group ID",
    "Group name",
    "User ID",
    "User name",
    "User email",
    "Role ID",
    "Role name",
    "Before",
    "After",
    "Detail",
  ],
  "Changes by actor": ["Made by", "Attribution", "Changes", "Elevated changes"],
  Findings: [
    "Severity",
    "Rule ID",
    "Rule title",
    "Group ID",
    "Group name",
    "User ID",
    "User name",
    "User email",
    "Role ID",
    "Role name",
    "Project ID",
    "Project name",
    "Credential ID",
    "Credential name",
    "Detail",
    "Tier",
    "Since last review",
    "New",
    "People affected",
    "Affected people",
    "Accepted by exception",
  ],
  Rules: [
    "Rule ID",
    "Rule title",
    "Severity",
    "Scope",
    "Status",
    "Open findings",
    "Why skipped or failed",
    "What enables it",
    "Signal used",
    "Controls",
    "Rationale",
    "Remediation",
  ],
  "Privileged access": [
    "User ID",
    "User name",
    "User email",
    "Highest organization tier",
    "Highest project tier",
    "Since last review",
    "Email domain",
    "Service account",
    "API key last used at",
    "Every elevated path",
  ],
  "Effective access": [
    "User ID",
    "User name",
    "User email",
    "Role ID",
    "Role name",
    "Via",
    "Via group ID",
    "Via group name",
    "Via group SCIM-managed",
    "Elevated",
  ],
  Groups: [
    "Group ID",
    "Group name",
    "Group type",
    "SCIM-managed",
    "Created at",
    "Members",
    "Roles",
    "Elevated",
  ],
  Members: ["Group ID", "Group name", "User ID", "User email", "User name"],
  "Group roles": [
    "Group ID",
    "Group name",
    "Role ID",
    "Role name",
    "Permissions",
    "Predefined role",
    "Resource type",
    "Elevated",
  ],
  Users: [
    "User ID",
    "User email",
    "User name",
    "Organization role",
    "SCIM-managed",
    "Service account",
    "Added at",
    "API key last used at",
  ],
  Roles: [
    "Role ID",
    "Role name",
    "Description",
    "Permissions",
    "Predefined role",
    "Resource type",
    "Elevated",
  ],
  Projects: [
    "Project ID",
    "Project name",
    "Status",
    "Archived",
    "Created at",
    "Archived at",
    "Owner count",
    "Owners",
    "Members",
    "Groups",
    "Custom roles",
  ],
  "Project access": [
    "Project ID",
    "Project name",
    "User ID",
    "User name",
    "User email",
    "Role ID",
    "Role name",
    "Via",
    "Via group ID",
    "Via group name",
    "Via group SCIM-managed",
  ],
  Credentials: [
    "Kind",
    "Project ID",
    "Project name",
    "Credential ID",
    "Credential name",
    "Redacted value",
    "Owner type",
    "Owner ID",
    "Owner name",
    "Owner email",
    "Owner role",
    "Owner project access",
    "Role",
    "Status",
    "Projects",
    "Created at",
    "Expires at",
    "Last used at",
    "Last used",
    "Age (days)",
    "Findings",
  ],
  Completeness: ["Snapshot", "Section", "Item", "Value", "Pages", "Completed", "SHA-256"],
};

/** Hostile names a spreadsheet would run as formulas: they must come back with a leading `'`. */
const FORMULA_LIKE: (keyof typeof HOSTILE_NAMES)[] = [
  "hyperlink",
  "command",
  "at",
  "minus",
  "tab",
  "carriageReturn",
];

/** XML readers turn CR and CRLF into LF (end-of-line handling); nothing else may change. */
const asRead = (text: string): string => text.replace(/\r\n?/g, "\n");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function hasSoffice(): boolean {
  try {
    execFileSync("soffice", ["--version"], { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

function sheet(workbook: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const found = workbook.getWorksheet(name);
  if (!found) throw new Error(`no sheet ${name}`);
  return found;
}

/**
 * Data rows as objects keyed by each column's row property (the public views' names, e.g.
 * `user_id` for the header "User ID"), through the workbook's own column table.
 */
function rowsOf(worksheet: ExcelJS.Worksheet): Record<string, ExcelJS.CellValue>[] {
  return sheetRecords(worksheet);
}

describe("Excel workbook", () => {
  let org: ReportOrg;
  let store: Store;
  let model: ReportModel;
  let dir: string;
  let file: string;
  let stats: WorkbookStats;
  let workbook: ExcelJS.Workbook;

  const count = async (sql: string): Promise<number> => {
    const rows = await store.query<{ n: number }>(sql, { s: model.snapshot.snapshot_id });
    return rows[0]?.n ?? -1;
  };

  beforeAll(async () => {
    org = await crawlHostileOrganization();
    dir = mkdtempSync(join(tmpdir(), "access-audit-xlsx-"));
    store = await Store.open(org.dbPath, { readOnly: true });
    model = await buildReportModel(store, { toolVersion: "9.8.7", templateVersion: "t-xlsxtest" });
    file = join(dir, "report.xlsx");
    stats = await writeWorkbook(store, model, file);
    workbook = await readWorkbook(file);
  });

  afterAll(async () => {
    await store?.close();
    await org?.sim.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (org) rmSync(org.dir, { recursive: true, force: true });
  });

  it("has the sheets in order, each with its styled header row", () => {
    expect(workbook.worksheets.map((w) => w.name)).toEqual([...SHEET_NAMES]);
    expect(stats.sheets.map((s) => s.name)).toEqual([...SHEET_NAMES]);
    for (const name of SHEET_NAMES) {
      const header = sheet(workbook, name).getRow(1);
      expect((header.values as ExcelJS.CellValue[]).slice(1), name).toEqual(HEADERS[name]);
      const cell = header.getCell(1);
      expect(cell.font?.bold, name).toBe(true);
      expect(cell.fill, name).toMatchObject({ type: "pattern", pattern: "solid" });
      expect(cell.border?.bottom?.style, name).toBe("thin");
    }
  });

  it("holds every row of the snapshot, as counted in the database", async () => {
    const expected: Record<string, number> = {
      Changes: model.changes.length,
      Findings: model.findings.length,
      Rules: model.rules.length,
      // The organization's access; access inside projects is the Project access sheet's.
      "Effective access": await count(
        "SELECT count(*)::INTEGER AS n FROM effective_access WHERE snapshot_id = $s AND scope = 'organization'",
      ),
      Groups: await count(
        "SELECT count(*)::INTEGER AS n FROM snapshot_groups WHERE snapshot_id = $s",
      ),
      Members: await count(
        "SELECT count(*)::INTEGER AS n FROM snapshot_group_members WHERE snapshot_id = $s",
      ),
      "Group roles": await count(
        "SELECT count(*)::INTEGER AS n FROM snapshot_group_roles WHERE snapshot_id = $s",
      ),
      Users: await count(
        "SELECT count(*)::INTEGER AS n FROM snapshot_users WHERE snapshot_id = $s",
      ),
      Roles: await count(
        "SELECT count(*)::INTEGER AS n FROM snapshot_roles WHERE snapshot_id = $s",
      ),
      Projects: await count(
        "SELECT count(*)::INTEGER AS n FROM snapshot_projects WHERE snapshot_id = $s",
      ),
      "Project access": await count(
        "SELECT count(*)::INTEGER AS n FROM effective_access WHERE snapshot_id = $s AND scope = 'project'",
      ),
      Completeness: model.evidence.reduce(
        (n, e) =>
          n +
          12 +
          e.endpoints.length +
          e.vanished_group_ids.length +
          e.vanished_user_ids.length +
          e.seal_parts.length,
        0,
      ),
    };
    expect(model.changes.length).toBeGreaterThan(0);
    expect(model.findings.length).toBeGreaterThan(0);
    expect(expected.Members).toBeGreaterThan(100);
    expect(expected.Projects).toBeGreaterThan(0);
    expect(expected["Project access"]).toBeGreaterThan(0);
    for (const [name, n] of Object.entries(expected)) {
      expect(sheet(workbook, name).rowCount - 1, name).toBe(n);
      expect(stats.sheets.find((s) => s.name === name)?.rows, name).toBe(n);
    }
    expect(sheet(workbook, "Summary").rowCount).toBeGreaterThan(30);
  });

  it("types its cells: dates, booleans, numbers, and empty cells for null", () => {
    const users = rowsOf(sheet(workbook, "Users"));
    expect(users.every((u) => u.added_at instanceof Date)).toBe(true);
    expect(users.some((u) => u.api_key_last_used_at instanceof Date)).toBe(true);
    expect(users.every((u) => typeof u.is_service_account === "boolean")).toBe(true);
    // A privileged person's last key use is the one the Users sheet gives (read from the same
    // snapshot by another query: the privileged people arrive as JSON with microsecond times).
    const lastUse = new Map(users.map((u) => [u.user_id, u.api_key_last_used_at]));
    const privileged = rowsOf(sheet(workbook, "Privileged access"));
    expect(privileged.some((p) => p.api_key_last_used_at instanceof Date)).toBe(true);
    for (const p of privileged) {
      const expected = lastUse.get(p.user_id);
      if (expected === undefined) continue; // a project service account: not a user
      expect(p.api_key_last_used_at, String(p.user_id)).toEqual(expected);
    }
    const groups = rowsOf(sheet(workbook, "Groups"));
    expect(groups.every((g) => typeof g.members === "number")).toBe(true);
    expect(groups.every((g) => typeof g.is_scim_managed === "boolean")).toBe(true);
    expect(groups.every((g) => g.created_at instanceof Date)).toBe(true);
    const byId = new Map(model.groups.map((g) => [g.group_id, g]));
    for (const g of groups) {
      const expected = byId.get(String(g.group_id));
      expect(g.members).toBe(expected?.members);
      expect((g.created_at as Date).getTime()).toBe(Date.parse(expected?.created_at ?? ""));
      // A group without a type (or roles) is an empty cell, not "null".
      if (expected?.group_type === null) expect(g.group_type).toBeNull();
    }
    const summary = rowsOf(sheet(workbook, "Summary"));
    const item = (name: string) => summary.find((r) => r.item === name)?.value;
    expect(item("Snapshot")).toBe(model.snapshot.snapshot_id);
    expect(item("Organization date")).toEqual(new Date(`${model.org_date}T00:00:00Z`));
    expect(item("As of")).toEqual(new Date(model.as_of));
    expect(item("Compared snapshot")).toBe(model.previous?.snapshot_id);
    expect(item("Memberships")).toBe(model.totals.memberships);
    expect(item(`Seal of snapshot ${model.snapshot.snapshot_id}`)).toBe(model.snapshot.seal);
    expect(item("Chain head")).toBe(model.chain_head.seal);
    expect(String(item(`Re-verify snapshot ${model.snapshot.snapshot_id}`))).toContain(
      `--snapshot ${model.snapshot.snapshot_id}`,
    );
    const completeness = rowsOf(sheet(workbook, "Completeness"));
    const endpoint = completeness.find((r) => r.section === "endpoint");
    expect(typeof endpoint?.pages).toBe("number");
    expect(endpoint?.completed).toBe(true);
    expect(completeness.find((r) => r.item === "finished_at")?.value).toBeInstanceOf(Date);
  });

  it("flags elevated access with the analysis' own definition", () => {
    const access = rowsOf(sheet(workbook, "Effective access"));
    expect(access.every((a) => typeof a.elevated === "boolean")).toBe(true);
    expect(access.filter((a) => a.elevated === true)).toHaveLength(model.elevated_paths);
    const owner = access.find(
      (a) => a.via_group_id === org.groups.minus && a.user_id === org.hostileUserId,
    );
    expect(owner).toMatchObject({ role_name: "Owner", via: "group", elevated: true });
    const groups = rowsOf(sheet(workbook, "Groups"));
    expect(groups.find((g) => g.group_id === org.groups.minus)?.elevated).toBe(true);
  });

  it("never holds a formula, and no text cell could be read as one", () => {
    let cells = 0;
    for (const worksheet of workbook.worksheets) {
      worksheet.eachRow((row) => {
        row.eachCell((cell) => {
          cells++;
          expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
          expect(cell.type).not.toBe(ExcelJS.ValueType.SharedString);
          const value = cell.value;
          if (value !== null && typeof value === "object" && !(value instanceof Date)) {
            expect.fail(
              `${worksheet.name}!${cell.address} holds an object: ${JSON.stringify(value)}`,
            );
          }
          if (typeof value === "string") {
            expect(value, `${worksheet.name}!${cell.address}`).not.toMatch(
              /^(?:[\t\r\n]|\s*[=+\-@])/,
            );
          }
        });
      });
    }
    expect(cells).toBeGreaterThan(1000);
  });

  it("neutralises every hostile name and leaves the others verbatim", () => {
    const groups = new Map(rowsOf(sheet(workbook, "Groups")).map((g) => [g.group_id, g.name]));
    for (const [key, name] of Object.entries(HOSTILE_NAMES) as [
      keyof typeof HOSTILE_NAMES,
      string,
    ][]) {
      const written = groups.get(org.groups[key]);
      if (key === "tab" || key === "carriageReturn") {
        // A leading TAB or CR is shown as [U+0009] / [U+000D]: no longer a formula prefix.
        expect(written, key).toBe(name.replace("\t", "[U+0009]").replace("\r", "[U+000D]"));
      } else if (FORMULA_LIKE.includes(key)) {
        expect(written, key).toBe(asRead(`'${name}`));
      } else if (key === "unicode") {
        expect(written, key).toBe(
          "Ingeniería 工程 🚀 [U+202E]gnp.exe[U+202C] zero[U+200B]width (renamed) <i>",
        );
      } else {
        expect(written, key).toBe(name);
      }
    }
    // The bidi override and zero-width space are shown, not obeyed; astral characters stay.
    expect(groups.get(org.groups.unicode)).toContain("🚀");

    const email = "=cmd|'/C calc'!A0@corp.example";
    const users = rowsOf(sheet(workbook, "Users"));
    expect(users.find((u) => u.user_id === org.hostileUserId)).toMatchObject({
      email: `'${email}`,
      name: '<b onmouseover="alert(2)">Mallory</b>',
    });
    const members = rowsOf(sheet(workbook, "Members"));
    const mallory = members.filter((m) => m.user_id === org.hostileUserId);
    expect(mallory.length).toBeGreaterThanOrEqual(3);
    expect(mallory.every((m) => m.email === `'${email}`)).toBe(true);
    expect(mallory.find((m) => m.group_id === org.groups.minus)?.group_name).toBe(
      `'${HOSTILE_NAMES.minus}`,
    );
    const access = rowsOf(sheet(workbook, "Effective access"));
    expect(
      access.find((a) => a.via_group_id === org.groups.minus && a.user_id === org.hostileUserId),
    ).toMatchObject({ email: `'${email}`, via_group_name: `'${HOSTILE_NAMES.minus}` });
    const changes = rowsOf(sheet(workbook, "Changes"));
    expect(changes.find((c) => c.kind === "group_renamed")).toMatchObject({
      before: "Ingeniería 工程 🚀 [U+202E]gnp.exe[U+202C] zero[U+200B]width",
      after: "Ingeniería 工程 🚀 [U+202E]gnp.exe[U+202C] zero[U+200B]width (renamed) <i>",
    });
    const findings = rowsOf(sheet(workbook, "Findings"));
    expect(findings.some((f) => f.group_name === `'${HOSTILE_NAMES.minus}`)).toBe(true);
  });

  it("freezes the header row and filters every sheet", () => {
    for (const worksheet of workbook.worksheets) {
      expect(worksheet.views[0], worksheet.name).toMatchObject({ state: "frozen", ySplit: 1 });
      const lastColumn = String.fromCharCode(
        64 + HEADERS[worksheet.name as keyof typeof HEADERS].length,
      );
      expect(worksheet.autoFilter, worksheet.name).toBe(`A1:${lastColumn}${worksheet.rowCount}`);
      expect(worksheet.getColumn(1).width, worksheet.name).toBeGreaterThan(5);
    }
  });

  it("highlights severities with conditional formatting on Findings", () => {
    const findings = sheet(workbook, "Findings");
    // Read back by exceljs, but missing from its types.
    const formats = (
      findings as unknown as { conditionalFormattings: ExcelJS.ConditionalFormattingOptions[] }
    ).conditionalFormattings;
    expect(formats).toHaveLength(1);
    expect(formats[0]?.ref).toBe(`A2:A${findings.rowCount}`);
    const rules = formats[0]?.rules ?? [];
    expect(rules.map((r) => (r.type === "cellIs" ? r.formulae?.[0] : r.type))).toEqual([
      '"1 critical"',
      '"2 high"',
      '"3 medium"',
      '"4 low"',
    ]);
    expect(rules[0]?.style?.fill).toMatchObject({ bgColor: { argb: "FFF4B6B6" } });
    // The cells themselves carry no fill: sorting keeps colour and severity together.
    findings.eachRow((row, n) => {
      if (n > 1) expect(row.getCell(1).fill).toBeUndefined();
    });
    const severities = rowsOf(findings).map((f) => f.severity);
    expect(severities.some((s) => s === "1 critical" || s === "2 high")).toBe(true);
  });

  it("prints every sheet fitted to the width of an A4 page, header row and page numbers on each", async () => {
    const zip = await checkWorkbookZip(readFileSync(file));
    const text = async (name: string): Promise<string> => {
      const entry = zip.get(name);
      if (!entry) throw new Error(`no ${name} in the workbook`);
      const parts: Buffer[] = [];
      for await (const part of inflateEntry(entry)) parts.push(part);
      return Buffer.concat(parts).toString("utf8");
    };
    const book = await text("xl/workbook.xml");
    const sheets = [...book.matchAll(/<sheet [^>]*name="([^"]+)"[^>]*r:id="(rId\d+)"/g)];
    expect(sheets.map((m) => m[1])).toEqual([...SHEET_NAMES]);
    const rels = await text("xl/_rels/workbook.xml.rels");
    for (const [index, [, name, rid]] of sheets.entries()) {
      const target = new RegExp(`Id="${rid}"[^>]*Target="([^"]+)"`).exec(rels)?.[1];
      const xml = await text(`xl/${target}`);
      // Without fitToPage, Excel and LibreOffice ignore fitToWidth (and print 1,646 pages).
      expect(xml, name).toContain('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>');
      const setup = /<pageSetup ([^>]*)\/>/.exec(xml)?.[1] ?? "";
      expect(setup, name).toMatch(/\bfitToWidth="1"/);
      expect(setup, name).toMatch(/\bfitToHeight="0"/);
      expect(setup, name).toMatch(/\bpaperSize="9"/); // A4
      const width = [...xml.matchAll(/<col min="(\d+)" max="(\d+)" width="([\d.]+)"/g)].reduce(
        (sum, m) => sum + (Number(m[2]) - Number(m[1]) + 1) * Number(m[3]),
        0,
      );
      expect(setup, `${name}, ${width} characters wide`).toContain(
        `orientation="${width > 95 ? "landscape" : "portrait"}"`,
      );
      expect(xml, name).toContain(
        '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.25" footer="0.25"/>',
      );
      expect(xml, name).toContain(
        "<oddHeader>&amp;LOpenAI organization access review&amp;R&amp;A</oddHeader>",
      );
      expect(xml, name).toContain(
        `<oddFooter>&amp;LSnapshot ${model.snapshot.snapshot_id} (${model.org_date}), compared with snapshot ${model.previous?.snapshot_id}&amp;RPage &amp;P of &amp;N</oddFooter>`,
      );
      // The header row repeats on every printed page.
      expect(book, name).toContain(
        `<definedName name="_xlnm.Print_Titles" localSheetId="${index}">&apos;${name}&apos;!$1:$1</definedName>`,
      );
    }
  });

  it("writes severity as rank and word, sorting most severe first, on Findings, Rules and Summary", () => {
    const order = ["1 critical", "2 high", "3 medium", "4 low"];
    const findings = rowsOf(sheet(workbook, "Findings")).map((f) => String(f.severity));
    expect(findings.length).toBeGreaterThan(0);
    for (const s of findings) expect(order).toContain(s);
    // Sorted as text (what a spreadsheet's sort does), the ranks follow the analysis' order.
    const sorted = [...findings].sort((a, b) => a.localeCompare(b));
    const rank = (s: string) => order.indexOf(s);
    expect(sorted.map(rank)).toEqual([...sorted.map(rank)].sort((a, b) => a - b));
    expect(new Set(findings)).toEqual(
      new Set(model.findings.map((f) => order.find((o) => o.endsWith(` ${f.severity}`)))),
    );
    const rules = rowsOf(sheet(workbook, "Rules"));
    expect(rules.map((r) => r.severity)).toEqual(
      [...rules.map((r) => String(r.severity))].sort((a, b) => a.localeCompare(b)),
    );
    const summary = rowsOf(sheet(workbook, "Summary")).filter((r) => r.section === "Findings");
    expect(summary.map((r) => r.item)).toEqual(order);
  });

  it("gives rationale and remediation once per rule on the Rules sheet, not on each finding", () => {
    const rules = rowsOf(sheet(workbook, "Rules"));
    expect(rules.map((r) => r.id).sort()).toEqual(model.rules.map((r) => r.id).sort());
    for (const rule of model.rules) {
      expect(
        rules.find((r) => r.id === rule.id),
        rule.id,
      ).toMatchObject({
        title: rule.title,
        scope: rule.scope,
        controls: rule.controls.join(", "),
        rationale: rule.rationale,
        remediation: rule.remediation,
        // A rule that did not run has no count: its status says skipped (or error), with why.
        findings:
          rule.status === "skip" || rule.status === "error"
            ? null
            : model.findings.filter((f) => f.rule === rule.id && f.exception === null).length,
        status: {
          alarm: "Alarm: findings",
          ok: "OK: ran, nothing found",
          skip: "Skipped: not evaluated",
          error: "Error: could not run",
        }[rule.status],
      });
      if (rule.status === "skip") {
        expect(rules.find((r) => r.id === rule.id)?.setting, rule.id).toBe(rule.setting);
      }
    }
    const findings = rowsOf(sheet(workbook, "Findings"));
    const titles = new Map(model.rules.map((r) => [r.id, r.title]));
    for (const f of findings) expect(f.title, String(f.rule)).toBe(titles.get(String(f.rule)));
  });

  it("describes every change kind on the Summary as its definition says", () => {
    const summary = rowsOf(sheet(workbook, "Summary")).filter((r) => r.section === "Changes");
    const expected = expectedKindDescriptions();
    for (const k of model.changes_by_kind) {
      expect(
        summary.find((r) => r.item === k.label),
        k.kind,
      ).toMatchObject({
        value: k.count,
        detail: expected.get(k.kind),
      });
    }
    expect(summary).toHaveLength(model.changes_by_kind.length);
  });

  it("puts the name (and a user's email) next to every id the snapshots can name", async () => {
    const { s, p } = { s: model.snapshot.snapshot_id, p: model.previous?.snapshot_id ?? -1 };
    const known = async (sql: string) =>
      new Map(
        (
          await store.query<{ id: string; name: string | null; email: string | null }>(sql, {
            s,
            p,
          })
        ).map((r) => [r.id, r]),
      );
    // As this snapshot holds them, else the compared one (things removed since).
    const users = await known(
      `SELECT DISTINCT ON (user_id) user_id AS id, name, email FROM snapshot_users
       WHERE snapshot_id IN ($s, $p) ORDER BY user_id, snapshot_id = $s DESC`,
    );
    const groups = await known(
      `SELECT DISTINCT ON (group_id) group_id AS id, name, NULL AS email FROM snapshot_groups
       WHERE snapshot_id IN ($s, $p) ORDER BY group_id, snapshot_id = $s DESC`,
    );
    const projects = await known(
      `SELECT DISTINCT ON (project_id) project_id AS id, name, NULL AS email FROM snapshot_projects
       WHERE snapshot_id IN ($s, $p) ORDER BY project_id, snapshot_id = $s DESC`,
    );
    const roles = await known(
      `SELECT DISTINCT ON (role_id) role_id AS id, name, NULL AS email FROM (
         SELECT snapshot_id, role_id, name FROM snapshot_roles
         UNION ALL SELECT snapshot_id, role_id, name FROM snapshot_project_roles)
       WHERE snapshot_id IN ($s, $p) ORDER BY role_id, snapshot_id = $s DESC`,
    );
    const named: Record<string, { of: typeof users; names: [string, "name" | "email"][] }> = {
      "User ID": {
        of: users,
        names: [
          ["User name", "name"],
          ["User email", "email"],
        ],
      },
      "Group ID": { of: groups, names: [["Group name", "name"]] },
      "Via group ID": { of: groups, names: [["Via group name", "name"]] },
      "Project ID": { of: projects, names: [["Project name", "name"]] },
      "Role ID": { of: roles, names: [["Role name", "name"]] },
      "Owner ID": {
        of: users,
        names: [
          ["Owner name", "name"],
          ["Owner email", "email"],
        ],
      },
    };
    let checked = 0;
    for (const worksheet of workbook.worksheets) {
      const header = (worksheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
      for (const [column, id] of header.entries()) {
        if (!/ ID$/.test(id)) continue;
        // Every id column has its name column beside it (a rule's title, a credential's name).
        const companion = id === "Rule ID" ? "Rule title" : id.replace(/ ID$/, " name");
        expect(header, `${worksheet.name}: ${id}`).toContain(companion);
        const rule = named[id];
        if (!rule) continue;
        worksheet.eachRow((row, n) => {
          const value = row.getCell(column + 1).value;
          if (n === 1 || typeof value !== "string") return;
          const thing = rule.of.get(value);
          if (!thing) return; // not a user (a service account), or not in either snapshot
          for (const [nameColumn, field] of rule.names) {
            if (thing[field] === null) continue;
            const cell = row.getCell(header.indexOf(nameColumn) + 1).value;
            expect(cell, `${worksheet.name}!${nameColumn}${n} for ${value}`).not.toBeNull();
            checked++;
          }
        });
      }
    }
    expect(checked).toBeGreaterThan(1000);
    // The direct assignments' rows of Effective access too (the view has no email on them).
    const direct = rowsOf(sheet(workbook, "Effective access")).filter((a) => a.via === "direct");
    expect(direct.length).toBeGreaterThan(0);
    for (const a of direct) {
      expect(a.user_name ?? a.email, String(a.user_id)).not.toBeNull();
    }
  });

  it("records the snapshot in the document properties, dated by the snapshot", () => {
    const finished = new Date(model.snapshot.finished_at);
    expect(workbook.creator).toBe("openai-access-audit 9.8.7");
    expect(workbook.lastModifiedBy).toBe("openai-access-audit 9.8.7");
    expect(workbook.title).toContain(`snapshot ${model.snapshot.snapshot_id}`);
    expect(workbook.subject).toContain(model.snapshot.base_url);
    expect(workbook.keywords).toContain(model.snapshot.seal);
    expect(workbook.keywords).toContain("t-xlsxtest");
    expect(workbook.description).toContain(`seal ${model.previous?.seal}`);
    expect(workbook.description).toContain(model.chain_head.seal);
    // core.xml keeps whole seconds.
    expect(Math.floor(workbook.created.getTime() / 1000)).toBe(
      Math.floor(finished.getTime() / 1000),
    );
    expect(workbook.modified.getTime()).toBe(workbook.created.getTime());
  });

  it("writes the same bytes again, later and in another time zone", async () => {
    await sleep(2100); // zip times have 2-second resolution
    const tz = process.env.TZ;
    process.env.TZ = "Pacific/Chatham";
    const again = join(dir, "again.xlsx");
    try {
      await writeWorkbook(store, model, again);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
    expect(readFileSync(again).equals(readFileSync(file))).toBe(true);
  });

  it("continues a sheet past the row limit in 'Name (2)', 'Name (3)' with the same header", async () => {
    const members = sheet(workbook, "Members").rowCount - 1;
    const groups = sheet(workbook, "Groups").rowCount - 1;
    const limit = groups + 1; // Groups fits exactly: no empty second part
    const small = join(dir, "small.xlsx");
    const smallStats = await writeWorkbook(store, model, small, { maxRowsPerSheet: limit });
    const read = await readWorkbook(small);
    const names = read.worksheets.map((w) => w.name);
    expect(smallStats.sheets.map((s) => s.name)).toEqual(names);
    expect(names.filter((n) => n.startsWith("Groups"))).toEqual(["Groups"]);
    const parts = Math.ceil(members / (limit - 1));
    expect(parts).toBeGreaterThan(2);
    const memberSheets = [
      "Members",
      ...Array.from({ length: parts - 1 }, (_, i) => `Members (${i + 2})`),
    ];
    // The parts follow one another, right where the sheet belongs.
    const at = names.indexOf("Members");
    expect(names.slice(at, at + parts)).toEqual(memberSheets);
    expect(names[at + parts]).toBe("Group roles");
    expect(names.filter((n) => !/ \(\d+\)$/.test(n))).toEqual([...SHEET_NAMES]);
    const original = rowsOf(sheet(workbook, "Members"));
    const continued = memberSheets.flatMap((name) => {
      const part = sheet(read, name);
      expect((part.getRow(1).values as ExcelJS.CellValue[]).slice(1)).toEqual(HEADERS.Members);
      expect(part.rowCount).toBeLessThanOrEqual(limit);
      expect(part.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
      expect(part.autoFilter).toBe(`A1:E${part.rowCount}`);
      return rowsOf(part);
    });
    expect(continued).toEqual(original);
    expect(
      smallStats.sheets.filter((s) => s.name.startsWith("Members")).map((s) => s.rows),
    ).toEqual(
      memberSheets.map((_, i) => (i < parts - 1 ? limit - 1 : members - (parts - 1) * (limit - 1))),
    );
    await expect(
      writeWorkbook(store, model, join(dir, "bad.xlsx"), { maxRowsPerSheet: 1 }),
    ).rejects.toThrow(RangeError);
  });

  it("lists members in one global order: group name, group id, email, user id", async () => {
    const expected = await store.query<{ group_id: string; user_id: string }>(
      `SELECT m.group_id, m.user_id FROM snapshot_group_members AS m
       LEFT JOIN snapshot_groups AS g USING (snapshot_id, group_id)
       WHERE m.snapshot_id = $s
       ORDER BY g.name NULLS LAST, m.group_id, m.email NULLS LAST, m.user_id`,
      { s: model.snapshot.snapshot_id },
    );
    const written = rowsOf(sheet(workbook, "Members")).map((m) => ({
      group_id: m.group_id,
      user_id: m.user_id,
    }));
    expect(written).toEqual(expected);
  });

  it("leaves out no membership, even of a group the model does not list", async () => {
    const dropped = model.groups.find((g) => g.members > 0);
    if (!dropped) throw new Error("no group with members");
    const rest = model.groups.filter((g) => g !== dropped);
    const partial = join(dir, "partial.xlsx");
    await writeWorkbook(store, { ...model, groups: rest }, partial);
    const members = rowsOf(sheet(await readWorkbook(partial), "Members"));
    // The sheet is read from the store, not the model's groups: the same rows in the same order.
    expect(members).toEqual(rowsOf(sheet(workbook, "Members")));
    expect(members.filter((m) => m.group_id === dropped.group_id)).toHaveLength(dropped.members);
  });

  it("fails cleanly when the file cannot be written", async () => {
    await expect(
      writeWorkbook(store, model, join(dir, "no such folder", "report.xlsx")),
    ).rejects.toThrow(/ENOENT/);
    // The store is still usable, and the temporary analysis tables are gone.
    expect(
      await count("SELECT count(*)::INTEGER AS n FROM snapshot_roles WHERE snapshot_id = $s"),
    ).toBeGreaterThan(0);
    const temp = await store.query<{ n: number }>(
      "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE temporary",
    );
    expect(temp[0]?.n).toBe(0);
  });

  it("stops and closes the file when a query fails halfway", async () => {
    // A store whose third streamed query fails, once rows are already in the zip.
    let queries = 0;
    const failing = Object.create(store) as Store;
    failing.iterate = async function* <T>(...args: Parameters<Store["iterate"]>) {
      if (++queries === 3) throw new Error("disk on fire");
      yield* store.iterate<T>(...args);
    };
    const broken = join(dir, "broken.xlsx");
    await expect(writeWorkbook(failing, model, broken)).rejects.toThrow("disk on fire");
    expect(queries).toBe(3);
    if (existsSync("/proc/self/fd")) {
      const open = readdirSync("/proc/self/fd").map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return "";
        }
      });
      expect(open).not.toContain(broken);
    }
    rmSync(broken); // the caller's job
  });

  it.skipIf(!hasSoffice())(
    "opens in LibreOffice (converted to PDF)",
    async () => {
      const out = join(dir, "pdf");
      const profile = mkdtempSync(join(tmpdir(), "access-audit-soffice-"));
      try {
        await promisify(execFile)(
          "soffice",
          [
            `-env:UserInstallation=file://${profile}`,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            out,
            file,
          ],
          { timeout: 120_000 },
        );
        const pdf = join(out, "report.pdf");
        expect(existsSync(pdf)).toBe(true);
        expect(statSync(pdf).size).toBeGreaterThan(1000);
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
    150_000,
  );
});

describe("neutralise", () => {
  it("prefixes text a spreadsheet would run as a formula", () => {
    for (const text of [
      "=1+1",
      "+1",
      "-1",
      "@SUM(A1)",
      "\t=1",
      "\tx",
      "\rx",
      " =1",
      "\u00A0\n+1",
    ]) {
      expect(neutralise(text), JSON.stringify(text)).toBe(`'${text}`);
    }
  });

  it("leaves other text alone", () => {
    for (const text of [
      "",
      "a=b",
      "Owner",
      "x-1",
      " plain",
      "'quoted",
      "Ingeniería 工程 🚀",
      "\u202Egnp",
    ]) {
      expect(neutralise(text), JSON.stringify(text)).toBe(text);
    }
  });

  it("replaces what XML 1.0 cannot carry with U+FFFD", () => {
    expect(xmlSafe("a\u0000b\u0007c\u001Fd\u007Fe")).toBe("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe");
    expect(xmlSafe("tab\tlf\ncr\r")).toBe("tab\tlf\ncr\r");
    expect(xmlSafe("lone \uD83D high, lone \uDE80 low, pair 🚀, end \uD83D")).toBe(
      "lone \uFFFD high, lone \uFFFD low, pair 🚀, end \uFFFD",
    );
    expect(xmlSafe("\uFFFE\uFFFF")).toBe("\uFFFD\uFFFD");
    // Checked after cleaning: a NUL in front does not hide a formula, nor make one.
    expect(neutralise("\u0000=1")).toBe("\uFFFD=1");
  });

  it("cuts text to what a cell holds, never inside a surrogate pair", () => {
    const long = "x".repeat(EXCEL_MAX_CELL_CHARS - 14) + "🚀".repeat(10);
    const cut = cellText(long);
    expect(cut.length).toBeLessThanOrEqual(EXCEL_MAX_CELL_CHARS);
    expect(cut.endsWith("… [truncated]")).toBe(true);
    expect(xmlSafe(cut)).toBe(cut); // no lone surrogate left behind
    expect(cellText("=short")).toBe("'=short");
  });
});
