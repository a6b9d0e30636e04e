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
import { cellText, EXCEL_MAX_CELL_CHARS, neutralise, xmlSafe } from "../src/render/index.js";
import { buildReportModel, type ReportModel } from "../src/report/model.js";
import { SHEET_NAMES, type WorkbookStats, writeWorkbook } from "../src/report/xlsx.js";
import { Store } from "../src/store/index.js";
import { crawlHostileOrganization, HOSTILE_NAMES, type ReportOrg } from "./support/report-org.js";

const HEADERS: Record<(typeof SHEET_NAMES)[number], string[]> = {
  Summary: ["section", "item", "value", "new", "detail"],
  Changes: [
    "kind",
    "label",
    "actor",
    "attribution",
    "made_by",
    "event_time",
    "event_ids",
    "reason",
    "elevated",
    "group_id",
    "group_name",
    "user_id",
    "user",
    "role_id",
    "role_name",
    "before",
    "after",
    "detail",
  ],
  "Changes by actor": ["made_by", "attribution", "changes", "elevated_changes"],
  Findings: [
    "severity",
    "rule",
    "title",
    "group_id",
    "group_name",
    "user_id",
    "user",
    "role_id",
    "role_name",
    "detail",
    "new",
    "rationale",
    "remediation",
    "controls",
    "project_id",
    "credential_id",
  ],
  "Effective access": [
    "user_id",
    "email",
    "role_id",
    "role_name",
    "via",
    "via_group_id",
    "via_group_name",
    "via_group_is_scim_managed",
    "elevated",
  ],
  Groups: [
    "group_id",
    "name",
    "group_type",
    "is_scim_managed",
    "created_at",
    "members",
    "roles",
    "elevated",
  ],
  Members: ["group_id", "group_name", "user_id", "email", "name"],
  "Group roles": [
    "group_id",
    "group_name",
    "role_id",
    "role_name",
    "permissions",
    "predefined_role",
    "resource_type",
    "elevated",
  ],
  Users: [
    "user_id",
    "email",
    "name",
    "role",
    "is_scim_managed",
    "is_service_account",
    "added_at",
    "api_key_last_used_at",
  ],
  Roles: [
    "role_id",
    "name",
    "description",
    "permissions",
    "predefined_role",
    "resource_type",
    "elevated",
  ],
  Projects: [
    "project_id",
    "name",
    "status",
    "archived",
    "created_at",
    "archived_at",
    "owner_count",
    "owners",
    "members",
    "groups",
    "custom_roles",
  ],
  "Project access": [
    "project_id",
    "project_name",
    "user_id",
    "email",
    "role_id",
    "role_name",
    "via",
    "via_group_id",
    "via_group_name",
    "via_group_is_scim_managed",
  ],
  Credentials: [
    "kind",
    "project_id",
    "project_name",
    "credential_id",
    "name",
    "redacted_value",
    "owner_type",
    "owner_id",
    "owner",
    "owner_email",
    "owner_role",
    "owner_project_access",
    "role",
    "status",
    "projects",
    "created_at",
    "expires_at",
    "last_used_at",
    "last_used",
    "age_days",
    "findings",
  ],
  Completeness: ["snapshot_id", "section", "item", "value", "pages", "completed", "sha256"],
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

/** Data rows as objects keyed by the header row. */
function rowsOf(worksheet: ExcelJS.Worksheet): Record<string, ExcelJS.CellValue>[] {
  const header = (worksheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
  const rows: Record<string, ExcelJS.CellValue>[] = [];
  worksheet.eachRow((row, number) => {
    if (number === 1) return;
    const record: Record<string, ExcelJS.CellValue> = {};
    header.forEach((name, i) => {
      record[name] = row.getCell(i + 1).value;
    });
    rows.push(record);
  });
  return rows;
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
    expect(access.filter((a) => a.elevated === true)).toHaveLength(model.elevated_access.length);
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
      '"critical"',
      '"high"',
      '"medium"',
      '"low"',
    ]);
    expect(rules[0]?.style?.fill).toMatchObject({ bgColor: { argb: "FFF4B6B6" } });
    // The cells themselves carry no fill: sorting keeps colour and severity together.
    findings.eachRow((row, n) => {
      if (n > 1) expect(row.getCell(1).fill).toBeUndefined();
    });
    const severities = rowsOf(findings).map((f) => f.severity);
    expect(severities.some((s) => s === "critical" || s === "high")).toBe(true);
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
    // Members also sorted in many small queries: the parts must read as one sort all the same.
    const smallStats = await writeWorkbook(store, model, small, {
      maxRowsPerSheet: limit,
      membersPerQuery: 100,
    });
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
    await writeWorkbook(store, { ...model, groups: rest }, partial, { membersPerQuery: 200 });
    const members = rowsOf(sheet(await readWorkbook(partial), "Members"));
    expect(members).toHaveLength(sheet(workbook, "Members").rowCount - 1);
    // Those come last.
    const tail = members.slice(-dropped.members);
    expect(tail.every((m) => m.group_id === dropped.group_id)).toBe(true);
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
