/**
 * Replays cannot undo newer decisions, through the real CLI on a real DuckDB file: every export
 * is a new generation under the campaign's HMAC; a workbook of an older generation than one
 * imported is refused, and so is one that would replace decisions recorded after it was
 * exported, unless --supersede (recorded with who and when, in the database and the sign-off);
 * a file whose decisions are all recorded changes nothing and says so. Workbooks exported
 * before generations (generation 0) still import, under the same rules. Self-review compares
 * normalised addresses (case, plus-addressing, dots where the domain ignores them), as
 * configured.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import ExcelJS from "exceljs";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportMac, rowHash } from "../src/certify/rowhash.js";
import { POPULATION_HEADERS } from "../src/certify/workbook.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { MIGRATIONS, migrate } from "../src/store/migrations.js";
import { crawlInto, roleId } from "./support/analysis-org.js";
import { fillWorkbook, readRows, workbookColumn } from "./support/certify-workbooks.js";
import { cliEnv, runCli } from "./support/cli.js";
import { unzipEntries } from "./support/heavy-workbook.js";
import { buildZip } from "./support/hostile.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-certify-replay-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const db = join(tmp, "audit.duckdb");
const REV = "rev@corp.example";
const config = join(tmp, "operator.yaml");
writeFileSync(config, "certify:\n  operator: Jane Ops\n");

const cli = (args: string[]) => runCli([...args, "--db", db], cliEnv({}), 120_000, tmp);

interface ExportJson {
  files: { reviewer: string; generation: number; path: string; items: number }[];
}
interface Outcome {
  status: string;
  generation: number | null;
  recorded: number;
  unchanged: number;
  superseded: number;
  superseded_by: string | null;
}
interface StatusJson {
  items: number;
  approved: number;
  revoked: number;
}

async function exportFor(campaign: string, dir: string): Promise<ExportJson["files"][number]> {
  const out = await cli(["certify", "export", "--campaign", campaign, "--out", dir, "--json"]);
  expect(out.status, out.stderr).toBe(0);
  const file = (JSON.parse(out.stdout) as ExportJson).files[0];
  if (file === undefined) throw new Error("no workbook exported");
  return file;
}

async function status(campaign: string): Promise<StatusJson> {
  const out = await cli(["certify", "status", "--campaign", campaign, "--json"]);
  expect(out.status, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as StatusJson;
}

async function importFiles(files: string[], ...flags: string[]) {
  const result = await cli(["certify", "import", ...files, ...flags, "--json"]);
  const outcomes =
    result.stdout.trim() === "" ? [] : (JSON.parse(result.stdout) as { files: Outcome[] }).files;
  return { ...result, outcomes };
}

const approveAll = () => ({ decision: "Approve", justification: "still needed" });
const revokeAll = () => ({ decision: "Revoke", justification: "left the team" });

/** The same workbook in other bytes: every part stored instead of deflated. */
function rezip(from: string, to: string): void {
  const entries = unzipEntries(readFileSync(from)).map(({ name, content }) => ({
    name,
    data: content,
    method: 0 as const,
    crc: crc32(content),
    size: content.length,
  }));
  writeFileSync(to, buildZip(entries));
}

async function query<T>(sql: string): Promise<T[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    return await store.query<T>(sql);
  } finally {
    await store.close();
  }
}

/**
 * The Review sheet as the version before generations wrote it: every row's MAC over its cells as
 * they are now (row-v1: no generation, no reviewer), and no generation lines.
 */
function asLegacy(
  sheet: ExcelJS.Worksheet,
  campaign: { campaign_id: number; snapshot_id: number; secret: string },
): void {
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const cells = POPULATION_HEADERS.map((h) => String(row.getCell(workbookColumn(h)).value ?? ""));
    const item = String(row.getCell(workbookColumn("Item ID")).value);
    row.getCell(workbookColumn("Row hash")).value = rowHash(
      campaign.secret,
      String(campaign.campaign_id),
      String(campaign.snapshot_id),
      item,
      cells,
    );
  });
  sheet.workbook.getWorksheet("Instructions")?.eachRow((row) => {
    if (/^(Export generation|Exported at|Export MAC)$/.test(String(row.getCell(1).value))) {
      row.getCell(1).value = null;
      row.getCell(2).value = null;
    }
  });
}

describe("certification: replays and generations", () => {
  let sim: RunningSimulator;
  let items = 0;
  /** Campaign C's first workbook. */
  let firstOfC = "";

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 41, groups: 0, users: 0 });
    const s = sim.state;
    const eng = s.createGroup("Engineering", { isScimManaged: false }).id;
    const ops = s.createGroup("Ops", { isScimManaged: false }).id;
    s.assignGroupRole(eng, s.readerRoleId);
    s.assignGroupRole(ops, roleId(sim, "Project Administrator"));
    for (const [name, email] of [
      ["Ann", "ann@corp.example"],
      ["Ben", "ben@corp.example"],
      ["Cleo", "cleo@corp.example"],
    ] as const) {
      s.addMember(eng, s.createUser({ name, email }).id);
    }
    // The CISO, under a plus-address, and a Gmail user whose address carries dots.
    s.addMember(ops, s.createUser({ name: "Ciso", email: "Ciso+ops@corp.example" }).id);
    s.addMember(ops, s.createUser({ name: "Dana", email: "Dana.Lee@GMAIL.com" }).id);
    await crawlInto(sim, db);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("approve-all, re-export, revoke-all, then the first re-zipped: refused as older, the revocations stay", async () => {
    const start = await cli(["certify", "start", "--name", "A", "--reviewer", REV, "--json"]);
    expect(start.status, start.stderr).toBe(0);
    items = (JSON.parse(start.stdout) as { items: number }).items;
    expect(items).toBe(7); // 5 memberships, 2 group roles

    const first = await exportFor("A", join(tmp, "a1"));
    expect(first.generation).toBe(1);
    const approve = join(tmp, "a-approve.xlsx");
    await fillWorkbook(first.path, approve, approveAll);
    const approved = await importFiles([approve]);
    expect(approved.status, approved.stderr).toBe(0);
    expect(approved.outcomes[0]).toMatchObject({
      status: "recorded",
      generation: 1,
      recorded: items,
    });

    // The reviewer changes their mind on a newer export, which shows the approvals.
    const second = await exportFor("A", join(tmp, "a2"));
    expect(second.generation).toBe(2);
    expect((await readRows(second.path)).map((r) => r.Decision)).toEqual(
      Array(items).fill("Approve"),
    );
    const revoke = join(tmp, "a-revoke.xlsx");
    await fillWorkbook(second.path, revoke, revokeAll);
    const revoked = await importFiles([revoke]);
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(revoked.outcomes[0]).toMatchObject({
      status: "recorded",
      generation: 2,
      recorded: items,
    });
    expect(await status("A")).toMatchObject({ revoked: items, approved: 0 });

    // The approve-all file again, in other bytes: a replay of an older generation.
    const replay = join(tmp, "a-approve-rezipped.xlsx");
    rezip(approve, replay);
    expect(readFileSync(replay).equals(readFileSync(approve))).toBe(false);
    for (const flags of [[], ["--supersede"]]) {
      const refused = await importFiles([replay], ...flags);
      expect(refused.status).toBe(1);
      const lines = refused.stderr.trim().split("\n");
      expect(lines[0]).toBe(
        "access-audit: import rejected: 1 problem(s) in 1 file(s); nothing recorded from it",
      );
      expect(lines[1]).toBe(
        `${replay}: file: this is generation 1 of ${REV}'s workbook, older than generation 2 already imported: an older file cannot replace newer decisions (export again for a new generation if it should)`,
      );
    }
    expect(await status("A")).toMatchObject({ revoked: items, approved: 0 });
    const decisions = await query<{ n: number }>(
      "SELECT count(*)::INTEGER AS n FROM certify_decisions d JOIN certify_campaigns c USING (campaign_id) WHERE c.name = 'A'",
    );
    expect(decisions[0]?.n).toBe(2 * items);
  });

  it("same generation: a different file is refused without --supersede, recorded with who and when with it; an identical one changes nothing", async () => {
    const start = await cli(["certify", "start", "--name", "B", "--reviewer", REV]);
    expect(start.status, start.stderr).toBe(0);
    const exported = await exportFor("B", join(tmp, "b1"));
    const approve = join(tmp, "b-approve.xlsx");
    const revoke = join(tmp, "b-revoke.xlsx");
    await fillWorkbook(exported.path, approve, approveAll);
    await fillWorkbook(exported.path, revoke, revokeAll);
    expect((await importFiles([approve])).outcomes[0]).toMatchObject({ status: "recorded" });

    const refused = await importFiles([revoke]);
    expect(refused.status).toBe(1);
    const lines = refused.stderr.trim().split("\n");
    expect(lines[0]).toBe(
      `access-audit: import rejected: ${items + 1} problem(s) in 1 file(s); nothing recorded from it`,
    );
    expect(lines[1]).toBe(
      `${revoke}: file: ${items} decision(s) differ from ones recorded after this workbook (generation 1) was exported; nothing recorded: re-export for a newer generation, or pass --supersede to replace them (recorded with who and when)`,
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `^${revoke.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: row 2: would replace Approve \\("still needed"\\) on item \\S+, recorded \\S+, with Revoke \\("left the team"\\)$`,
      ),
    );
    expect(await status("B")).toMatchObject({ approved: items, revoked: 0 });

    // With --supersede (and a configured operator): recorded, and who and when with it.
    const superseded = await importFiles([revoke], "--supersede", "--config", config);
    expect(superseded.status, superseded.stderr).toBe(0);
    expect(superseded.outcomes[0]).toMatchObject({
      status: "recorded",
      generation: 1,
      recorded: items,
      superseded: items,
      superseded_by: "Jane Ops",
    });
    expect(superseded.stdout).not.toMatch(/"unchanged": [1-9]/);
    expect(await status("B")).toMatchObject({ approved: 0, revoked: items });
    const record = await query<{
      generation: number;
      superseded: number;
      superseded_by: string;
      os_user: string;
      imported_at: string;
    }>(
      "SELECT generation, superseded, superseded_by, os_user, imported_at FROM certify_imports i JOIN certify_campaigns c USING (campaign_id) WHERE c.name = 'B' ORDER BY imported_at",
    );
    expect(record).toHaveLength(2);
    expect(record[0]).toMatchObject({ generation: 1, superseded: 0, superseded_by: null });
    expect(record[1]).toMatchObject({
      generation: 1,
      superseded: items,
      superseded_by: "Jane Ops",
      os_user: userInfo().username,
    });
    expect(record[1]?.imported_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    // The first file again, re-zipped: it would undo the superseding revocations.
    const replay = join(tmp, "b-approve-rezipped.xlsx");
    rezip(approve, replay);
    const again = await importFiles([replay]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(
      /: file: 7 decision\(s\) differ from ones recorded after this workbook \(generation 1\) was exported/,
    );
    expect(await status("B")).toMatchObject({ approved: 0, revoked: items });

    // The accepted file re-saved (other bytes, same decisions): a no-op that says so.
    const resaved = join(tmp, "b-revoke-resaved.xlsx");
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(revoke);
    await book.xlsx.writeFile(resaved);
    expect(readFileSync(resaved).equals(readFileSync(revoke))).toBe(false);
    const before = await query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM certify_imports");
    const noop = await cli(["certify", "import", resaved]);
    expect(noop.status, noop.stderr).toBe(0);
    expect(noop.stdout.trim()).toBe(
      `${resaved}: no change: its ${items} decision(s) are already recorded (${REV}, generation 1); nothing recorded`,
    );
    const after = await query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM certify_imports");
    expect(after).toEqual(before);

    // The sign-off states the supersession: how many, by whom, when.
    const report = await cli([
      "certify",
      "report",
      "--campaign",
      "B",
      "--out",
      join(tmp, "signoff"),
      "--json",
    ]);
    expect(report.status, report.stderr).toBe(0);
    const html = readFileSync(join(tmp, "signoff", "certification-B-signoff.html"), "utf8");
    expect(html).toContain(
      `${items} decision(s) replaced with --supersede by Jane Ops (OS user ${userInfo().username}) at ${record[1]?.imported_at}`,
    );
    const signoff = new ExcelJS.Workbook();
    await signoff.xlsx.readFile(join(tmp, "signoff", "certification-B-signoff.xlsx"));
    const imports = signoff.getWorksheet("Imports");
    expect(imports?.getRow(3).getCell(9).value).toBe("Jane Ops");
    expect(signoff.getWorksheet("Exports")?.getRow(2).getCell(2).value).toBe(1);
  });

  it("a file that would replace decisions recorded after it was exported is refused, whatever its generation", async () => {
    const start = await cli(["certify", "start", "--name", "C", "--reviewer", REV]);
    expect(start.status, start.stderr).toBe(0);
    // Two exports before any import: generation 2 never showed what generation 1 brings.
    const one = await exportFor("C", join(tmp, "c1"));
    const two = await exportFor("C", join(tmp, "c2"));
    firstOfC = one.path;
    const revoke = join(tmp, "c-revoke.xlsx");
    const approve = join(tmp, "c-approve.xlsx");
    await fillWorkbook(one.path, revoke, revokeAll);
    await fillWorkbook(two.path, approve, approveAll);
    expect((await importFiles([revoke])).outcomes[0]).toMatchObject({
      status: "recorded",
      generation: 1,
    });
    const refused = await importFiles([approve]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /file: 7 decision\(s\) differ from ones recorded after this workbook \(generation 2\) was exported/,
    );
    expect(await status("C")).toMatchObject({ revoked: items, approved: 0 });
  });

  it("the generation cannot be edited, and a generation never exported is refused", async () => {
    const exported = await exportFor("C", join(tmp, "c3"));
    expect(exported.generation).toBe(3);
    const edit = async (name: string, label: string, value: string) => {
      const path = join(tmp, name);
      await fillWorkbook(exported.path, path, approveAll);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(path);
      book.getWorksheet("Instructions")?.eachRow((row) => {
        if (row.getCell(1).value === label) row.getCell(2).value = value;
      });
      await book.xlsx.writeFile(path);
      return path;
    };
    const newer = await edit("c-gen-99.xlsx", "Export generation", "99");
    const result = await importFiles([newer]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `${newer}: file: the Instructions sheet's Export generation, Exported at and Export MAC do not match: edited, or taken from another workbook`,
    );
    const later = await edit("c-later.xlsx", "Exported at", "2999-01-01T00:00:00.000Z");
    expect((await importFiles([later])).stderr).toMatch(/do not match: edited/);
    // A generation this database never exported (a backup restored since, or lines forged with
    // the campaign's secret): refused.
    const [c] = await query<{ campaign_id: number; snapshot_id: number; secret: string }>(
      "SELECT campaign_id, snapshot_id, secret FROM certify_campaigns WHERE name = 'C'",
    );
    const at = "2026-01-01T00:00:00.000Z";
    const mac = exportMac(
      c?.secret ?? "",
      String(c?.campaign_id),
      String(c?.snapshot_id),
      REV,
      9,
      at,
    );
    const unknown = await edit("c-gen-9.xlsx", "Export generation", "9");
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(unknown);
    book.getWorksheet("Instructions")?.eachRow((row) => {
      if (row.getCell(1).value === "Exported at") row.getCell(2).value = at;
      if (row.getCell(1).value === "Export MAC") row.getCell(2).value = mac;
    });
    await book.xlsx.writeFile(unknown);
    expect((await importFiles([unknown])).stderr).toContain(
      `${unknown}: file: generation 9 of ${REV}'s workbook (exported ${at}) is not recorded as exported from this database`,
    );
    // Hidden cells cannot carry a row into another generation either.
    const moved = join(tmp, "c-moved.xlsx");
    const oldRows = await readRows(firstOfC);
    await fillWorkbook(exported.path, moved, approveAll, (sheet) => {
      sheet.getRow(2).getCell(workbookColumn("Row hash")).value = oldRows[0]?.["Row hash"] ?? "";
    });
    expect((await importFiles([moved])).stderr).toMatch(
      /row 2: row hash does not match generation 3 of this reviewer's workbook/,
    );
    expect(await status("C")).toMatchObject({ revoked: items, approved: 0 });
  });

  it("a workbook exported before generations is generation 0, under the same rules", async () => {
    const start = await cli(["certify", "start", "--name", "D", "--reviewer", REV]);
    expect(start.status, start.stderr).toBe(0);
    const exported = await exportFor("D", join(tmp, "d1"));
    // What the previous version wrote: no generation lines, row-v1 MACs.
    const [campaign] = await query<{ campaign_id: number; snapshot_id: number; secret: string }>(
      "SELECT campaign_id, snapshot_id, secret FROM certify_campaigns WHERE name = 'D'",
    );
    if (campaign === undefined) throw new Error("no campaign D");
    const legacy = join(tmp, "d-legacy.xlsx");
    await fillWorkbook(exported.path, legacy, approveAll, (sheet) => asLegacy(sheet, campaign));
    const imported = await importFiles([legacy]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.outcomes[0]).toMatchObject({
      status: "recorded",
      generation: 0,
      recorded: items,
    });
    // A newer generation after it, then the legacy file again: older, refused.
    const revoke = join(tmp, "d-revoke.xlsx");
    await fillWorkbook((await exportFor("D", join(tmp, "d2"))).path, revoke, revokeAll);
    expect((await importFiles([revoke])).outcomes[0]).toMatchObject({ generation: 2 });
    const replay = join(tmp, "d-legacy-rezipped.xlsx");
    rezip(legacy, replay);
    expect((await importFiles([replay])).stderr).toContain(
      "this is generation 0 of rev@corp.example's workbook, older than generation 2 already imported",
    );
    expect(await status("D")).toMatchObject({ revoked: items, approved: 0 });
  });

  it("rows of another reviewer's items or of no item are refused with what is wrong with each, in any generation", async () => {
    const OTHER = "other@corp.example";
    const rules = join(tmp, "cfg-e.yaml");
    writeFileSync(rules, `by_group:\n  Engineering: ${REV}\n  Ops: ${OTHER}\n`);
    const start = await cli(["certify", "start", "--name", "E", "--reviewers", rules]);
    expect(start.status, start.stderr).toBe(0);
    const out = await cli([
      "certify",
      "export",
      "--campaign",
      "E",
      "--out",
      join(tmp, "e1"),
      "--json",
    ]);
    expect(out.status, out.stderr).toBe(0);
    const files = new Map(
      (JSON.parse(out.stdout) as ExportJson).files.map((f) => [f.reviewer, f.path]),
    );
    const mine = files.get(REV) ?? "";
    const theirs = await readRows(files.get(OTHER) ?? "");
    const own = (await readRows(mine)).length;
    expect([own, theirs.length]).toEqual([4, 3]); // Engineering: 3 members, 1 role; Ops: 2, 1
    const [campaign] = await query<{ campaign_id: number; snapshot_id: number; secret: string }>(
      "SELECT campaign_id, snapshot_id, secret FROM certify_campaigns WHERE name = 'E'",
    );
    if (campaign === undefined) throw new Error("no campaign E");
    const foreign = theirs[0] as Record<string, string>;
    const edited = theirs[1] as Record<string, string>;
    const paste = (sheet: ExcelJS.Worksheet, n: number, values: Record<string, string>) => {
      const row = sheet.getRow(n);
      for (const [header, value] of Object.entries(values)) {
        row.getCell(workbookColumn(header as never)).value = value;
      }
      row.getCell(workbookColumn("Decision")).value = "Approve";
      row.getCell(workbookColumn("Justification")).value = "fine";
    };
    const pasteAll = (sheet: ExcelJS.Worksheet) => {
      paste(sheet, own + 2, foreign);
      paste(sheet, own + 3, foreign);
      paste(sheet, own + 4, edited);
      sheet.getRow(own + 4).getCell(workbookColumn("Group")).value = "Ops (renamed)";
      paste(sheet, own + 5, { ...foreign, "Item ID": "no-such-item" });
      paste(sheet, own + 6, theirs[2] as Record<string, string>);
    };
    const forgeHash = (sheet: ExcelJS.Worksheet) => {
      sheet.getRow(own + 6).getCell(workbookColumn("Row hash")).value = "0".repeat(64);
    };
    const problemsOf = async (file: string) => {
      const result = await importFiles([file]);
      expect(result.status).toBe(1);
      return (result.outcomes[0] as unknown as { problems: { row: number; reason: string }[] })
        .problems;
    };

    // Generation 0 (no generation lines, row MACs without the reviewer, here recomputed over
    // the pasted rows): what is wrong with each row is told from its item.
    const legacy = join(tmp, "e-legacy.xlsx");
    await fillWorkbook(mine, legacy, approveAll, (sheet) => {
      pasteAll(sheet);
      asLegacy(sheet, campaign);
      forgeHash(sheet);
    });
    // Each problem as the rows are read, whoever the item belongs to.
    const expected = (file: string, forged: string) => [
      {
        file,
        row: own + 2,
        reason: `item ${foreign["Item ID"]} is assigned to ${OTHER}, not to this workbook's reviewer ${REV}`,
      },
      {
        file,
        row: own + 3,
        reason: `duplicate decision row for item ${foreign["Item ID"]} (first at row ${own + 2})`,
      },
      { file, row: own + 4, reason: 'population cell(s) edited: Group "Ops" -> "Ops (renamed)"' },
      { file, row: own + 5, reason: 'unknown item "no-such-item": not in campaign "E"' },
      { file, row: own + 6, reason: forged },
    ];
    expect(await problemsOf(legacy)).toEqual(
      expected(legacy, "row hash does not match: the row was forged or its hidden cells edited"),
    );

    // In a generation, the same: a row MAC covers the campaign, the item and the generation
    // (each reviewer's first export is generation 1), so the reviewer is what tells it apart.
    const current = join(tmp, "e-current.xlsx");
    await fillWorkbook(mine, current, approveAll, (sheet) => {
      pasteAll(sheet);
      forgeHash(sheet);
    });
    expect(await problemsOf(current)).toEqual(
      expected(
        current,
        "row hash does not match generation 1 of this reviewer's workbook: the row was forged, its hidden cells edited, or it was copied from another workbook",
      ),
    );
    expect(await status("E")).toMatchObject({ items: 7, approved: 0 });
  });

  it("a database from before generations: its imports become generation 0", async () => {
    const path = join(tmp, "v4.duckdb");
    const instance = await DuckDBInstance.create(path);
    const con = await instance.connect();
    const logger = pino({ level: "silent" });
    await migrate(con, logger, MIGRATIONS.slice(0, 4));
    await con.run(
      "INSERT INTO certify_imports VALUES (1, 'abc', 'old.xlsx', 'rev@corp.example', 3, 3, now())",
    );
    await migrate(con, logger);
    const rows = (
      await con.runAndReadAll("SELECT generation, superseded, superseded_by FROM certify_imports")
    ).getRowsJS();
    expect(rows).toEqual([[0, 0, null]]);
    con.closeSync();
    instance.closeSync();
  });

  it("self-review compares normalised addresses: case, plus-addressing, dots at Gmail; configurable", async () => {
    mkdirSync(join(tmp, "cfg"), { recursive: true });
    const refusedFor = async (reviewer: string, ...flags: string[]) => {
      const r = await cli([
        "certify",
        "start",
        "--name",
        `self-${reviewer}`,
        "--reviewer",
        reviewer,
        ...flags,
      ]);
      return r;
    };
    const plus = await refusedFor("CISO@corp.example");
    expect(plus.status).toBe(2);
    expect(plus.stderr).toMatch(
      /^access-audit: self-review is forbidden: 1 item\(s\) would be reviewed by their own user .*Ciso\+ops@corp\.example in group "Ops" -> ciso@corp\.example/,
    );
    const dots = await refusedFor("danalee@googlemail.com");
    expect(dots.status).toBe(2);
    expect(dots.stderr).toMatch(/Dana\.Lee@GMAIL\.com in group "Ops" -> danalee@googlemail\.com/);
    // Configured off: the plus-address is another person, and the campaign starts.
    const off = join(tmp, "cfg", "no-plus.yaml");
    writeFileSync(off, "certify:\n  identity:\n    plus_addressing: false\n");
    const allowed = await refusedFor("ciso@corp.example", "--config", off);
    expect(allowed.status, allowed.stderr).toBe(0);
  });
});
