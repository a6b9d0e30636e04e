/**
 * The workbook's large sheets (Members, Effective access, Project access) are read from DuckDB as
 * one JSON array per row and rendered to XML without exceljs's row objects: on an organization
 * with more memberships than two DuckDB chunks (2,048 rows each), every row is there, in order,
 * each cell as the database holds it (through the same cell sanitiser), read back with exceljs.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { materialiseHelpers, releaseHelpers } from "../src/analysis/anomalies.js";
import { cellText } from "../src/render/index.js";
import { buildReportModel, type ReportModel } from "../src/report/model.js";
import { SHEET_COLUMNS, writeWorkbook } from "../src/report/xlsx.js";
import { Store } from "../src/store/index.js";
import { crawlHostileOrganization, type ReportOrg } from "./support/report-org.js";
import { sheetRecords } from "./support/workbook-rows.js";

/** DuckDB's vector size: a result streams in chunks of this many rows. */
const DUCKDB_CHUNK_ROWS = 2_048;

/** The sheets' rows as the database holds them, in the sheets' order (queries of their own). */
const EXPECTED: Record<"Members" | "Effective access" | "Project access", string> = {
  Members: `
    SELECT m.group_id, g.name AS group_name, m.user_id, m.email, m.name
    FROM snapshot_group_members AS m
    LEFT JOIN snapshot_groups AS g ON g.snapshot_id = m.snapshot_id AND g.group_id = m.group_id
    WHERE m.snapshot_id = $s
    ORDER BY g.name NULLS LAST, m.group_id, m.email NULLS LAST, m.user_id`,
  "Effective access": `
    SELECT e.user_id, u.name AS user_name, coalesce(e.email, u.email) AS email, e.role_id,
      e.role_name, e.via, e.via_group_id, e.via_group_name, e.via_group_is_scim_managed,
      e.role_id IN (SELECT role_id FROM elevated_roles WHERE snapshot_id = $s) AS elevated
    FROM effective_access AS e
    LEFT JOIN snapshot_users AS u ON u.snapshot_id = e.snapshot_id AND u.user_id = e.user_id
    WHERE e.snapshot_id = $s AND e.scope = 'organization'
    ORDER BY coalesce(e.email, u.email) NULLS LAST, e.user_id, e.role_name NULLS LAST, e.role_id,
      e.via, e.via_group_name NULLS FIRST, e.via_group_id NULLS FIRST`,
  "Project access": `
    SELECT e.project_id, e.project_name, e.user_id,
      CASE e.principal_type WHEN 'service_account' THEN a.name ELSE u.name END AS user_name,
      coalesce(e.email, u.email) AS email, e.role_id, e.role_name, e.via, e.via_group_id,
      e.via_group_name, e.via_group_is_scim_managed
    FROM effective_access AS e
    LEFT JOIN snapshot_users AS u ON u.snapshot_id = e.snapshot_id AND u.user_id = e.user_id
    LEFT JOIN snapshot_service_accounts AS a ON a.snapshot_id = e.snapshot_id
      AND a.project_id = e.project_id AND a.service_account_id = e.user_id
    WHERE e.snapshot_id = $s AND e.scope = 'project'
    ORDER BY e.project_name NULLS LAST, e.project_id, e.email NULLS LAST, e.user_id,
      e.role_name NULLS LAST, e.role_id, e.via, e.via_group_name NULLS FIRST,
      e.via_group_id NULLS FIRST`,
};

/** A database value as the workbook's cell reads back: text sanitised, null an empty cell. */
function asCell(value: unknown): unknown {
  if (value === null) return null;
  return typeof value === "string" ? cellText(value) : value;
}

describe("the workbook's large sheets", () => {
  let org: ReportOrg;
  let store: Store;
  let model: ReportModel;
  let dir: string;
  let workbook: ExcelJS.Workbook;

  beforeAll(async () => {
    // 800 users in 60 groups: about 4,800 memberships, more than two DuckDB chunks.
    org = await crawlHostileOrganization({ groups: 60, users: 800 });
    dir = mkdtempSync(join(tmpdir(), "access-audit-xlsx-cells-"));
    store = await Store.open(org.dbPath, { readOnly: true });
    model = await buildReportModel(store, { toolVersion: "9.8.7", templateVersion: "t-cells" });
    await writeWorkbook(store, model, join(dir, "a.xlsx"));
    workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(dir, "a.xlsx"));
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await org?.sim.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (org) rmSync(org.dir, { recursive: true, force: true });
  });

  for (const name of Object.keys(EXPECTED) as (keyof typeof EXPECTED)[]) {
    it(`${name}: every row, in order, each cell as the database holds it`, async () => {
      const s = model.snapshot.snapshot_id;
      // elevated_roles is the analysis' TEMP table: made here on the query connection.
      await materialiseHelpers(store, [s], model.config);
      let expected: Record<string, unknown>[];
      try {
        expected = await store.query<Record<string, unknown>>(EXPECTED[name], { s });
      } finally {
        await releaseHelpers(store);
      }
      const worksheet = workbook.getWorksheet(name);
      if (!worksheet) throw new Error(`no sheet ${name}`);
      const written = sheetRecords(worksheet);
      const keys = SHEET_COLUMNS[name].map(([key]) => key);
      const want = expected.map((row) =>
        Object.fromEntries(keys.map((key) => [key, asCell(row[key] ?? null)])),
      );
      if (name === "Members") expect(want.length).toBeGreaterThan(2 * DUCKDB_CHUNK_ROWS);
      expect(want.length).toBeGreaterThan(0);
      expect(written).toHaveLength(want.length);
      for (let i = 0; i < want.length; i++)
        expect(written[i], `${name} row ${i + 2}`).toEqual(want[i]);
    });
  }

  it("writes the same bytes on a second run", async () => {
    await writeWorkbook(store, model, join(dir, "b.xlsx"));
    expect(readFileSync(join(dir, "b.xlsx")).equals(readFileSync(join(dir, "a.xlsx")))).toBe(true);
  });
});
