/**
 * One output sanitiser (issue 14, SECURITY.md): a hostile organization (bidi overrides, tag
 * characters, variation selectors, line separators, terminal escape sequences, formula prefixes,
 * lookalike names) crawled twice by the real CLI into a real database, then rendered through
 * every output a person reads: the terminal (text and JSON of `access`, `anomalies`, `diff`,
 * `snapshots`), the HTML and XLSX reports, the certification and sign-off workbooks, the change
 * email, and the CSV export. No output shows a hidden character unrevealed, no terminal output
 * holds a raw escape, no CSV or workbook cell starts a formula, ids travel beside names in the
 * email, and lookalike group names are a finding.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderChangeReportEmail } from "../src/deliver/email.js";
import { cellText } from "../src/render/index.js";
import { buildReportModel } from "../src/report/index.js";
import { changeReportEmail } from "../src/schedule/pipeline.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { sqlQueries } from "../src/util/sql-files.js";
import { hiddenCharacterClassRe2 } from "../src/util/unicode.js";
import { cliEnv, runCli } from "./support/cli.js";
import { addHostileOrganization, HOSTILE_CORPUS, type HostileOrg } from "./support/hostile.js";
import { FORMULA_START, hiddenIn, workbookTexts } from "./support/output-checks.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-outputs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Cells of a workbook (or CSV file) that show a hidden character or could start a formula. */
function unsafeCells(texts: readonly string[]): string[] {
  return texts
    .filter((t) => hiddenIn(t, []).length > 0 || FORMULA_START.test(t))
    .map((t) => JSON.stringify(t.slice(0, 60)));
}

describe("a hostile organization through every output", () => {
  let sim: RunningSimulator;
  let org: HostileOrg;
  const db = join(tmp, "outputs.duckdb");
  let escapedUser = "";
  const cli = (args: string[]) =>
    runCli(args, cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey }), 90_000, tmp);

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 41, groups: 3, users: 12 });
    org = addHostileOrganization(sim);
    const first = await cli(["crawl", "--db", db, "--base-url", sim.baseUrl]);
    expect(first.status, first.stderr).toBe(0);
    // Changes whose diff lines carry hostile names: a user named with escape sequences and a
    // line break joins a group named with them, and the three lookalike groups.
    const s = sim.state;
    escapedUser = s.createUser({
      name: "Mallory\u001b[2K\u001b[1A\rroot granted Owner\nforged line",
      email: "mallory\u001b[8m@corp.example",
    }).id;
    s.addMember(org.groups.escape, escapedUser);
    s.assignUserRole(escapedUser, org.roleId);
    for (const key of ["latin", "cyrillic", "noBreakSpace"] as const) {
      s.addMember(org.groups[key], escapedUser);
    }
    const second = await cli(["crawl", "--db", db, "--base-url", sim.baseUrl]);
    expect(second.status, second.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await sim?.stop();
  });

  describe("terminal", () => {
    it.each([
      ["access", ["access"]],
      ["anomalies", ["anomalies"]],
      ["diff", ["diff"]],
      ["snapshots", ["snapshots"]],
    ])("%s prints no raw escape or hidden character, in text and in JSON", async (_, args) => {
      const text = await cli([...args, "--db", db]);
      expect(text.status, text.stderr).toBe(0);
      expect(hiddenIn(text.stdout)).toEqual([]);
      expect(hiddenIn(text.stderr)).toEqual([]);
      const json = await cli([...args, "--db", db, "--json"]);
      expect(json.status, json.stderr).toBe(0);
      expect(hiddenIn(json.stdout)).toEqual([]);
      expect(() => JSON.parse(json.stdout)).not.toThrow();
    });

    it("names are revealed field by field: a line break in a name forges no line", async () => {
      const diff = await cli(["diff", "--db", db]);
      expect(diff.stdout).toContain("Mallory[U+001B][2K[U+001B][1A[U+000D]root granted Owner");
      expect(diff.stdout).not.toMatch(/^forged line/m);
      const access = await cli(["access", "--db", db, "--user", escapedUser]);
      expect(access.stdout).toContain("mallory[U+001B][8m@corp.example");
      const anomalies = await cli(["anomalies", "--db", db]);
      expect(anomalies.stdout).toContain("[U+E0041]");
    });

    it("JSON keeps every value exact: the escapes are JSON escapes", async () => {
      const json = await cli(["access", "--db", db, "--user", escapedUser, "--json"]);
      const parsed = JSON.parse(json.stdout) as { access: { email: string }[] };
      expect(parsed.access[0]?.email).toBe("mallory\u001b[8m@corp.example");
      expect(json.stdout).toContain("\\u001b[8m");
    });
  });

  it("lookalike group names are a finding: Cyrillic, no-break space, decomposed accents, tags", async () => {
    const result = await cli(["anomalies", "--db", db, "--json"]);
    const findings = (
      JSON.parse(result.stdout) as {
        findings: { rule: string; group_id: string | null; detail: string | null }[];
      }
    ).findings.filter((f) => f.rule === "duplicate-group-names");
    const flagged = new Set(findings.map((f) => f.group_id));
    for (const key of [
      "latin",
      "cyrillic",
      "noBreakSpace",
      "precomposed",
      "decomposed",
      "tags",
      "variation",
    ] as const) {
      expect(flagged.has(org.groups[key]), key).toBe(true);
    }
    // Each finding names the ids of the groups it cannot be told apart from.
    const cyrillic = findings.find((f) => f.group_id === org.groups.cyrillic);
    expect(cyrillic?.detail).toContain(org.groups.latin);
    expect(cyrillic?.detail).toContain(org.groups.noBreakSpace);
    // Names that differ for a reader are not flagged.
    expect(flagged.has(org.groups.unicode)).toBe(false);
  });

  describe("files", () => {
    let reports: { format: string; path: string }[] = [];

    beforeAll(async () => {
      const report = await cli(["report", "--db", db, "--out", join(tmp, "reports"), "--json"]);
      expect(report.status, report.stderr).toBe(0);
      reports = (JSON.parse(report.stdout) as { files: { format: string; path: string }[] }).files;
    });

    it("HTML report: every hidden character revealed, in the markup and in its data", () => {
      const html = readFileSync(reports.find((f) => f.format === "html")?.path ?? "", "utf8");
      expect(hiddenIn(html, ["\n"])).toEqual([]);
      expect(html).toContain("Payroll[U+E0041][U+E0042][U+E007F]");
      expect(html).toContain("Payroll[U+FE0F][U+E0100]");
      expect(html).toContain("Finance \u0410dmins"); // a lookalike is not hidden: the rule flags it
      expect(html).toContain("one[U+2028]two[U+2029]three[U+000A]four");
    });

    it("XLSX report: no cell shows a hidden character or starts a formula", async () => {
      const texts = await workbookTexts(reports.find((f) => f.format === "xlsx")?.path ?? "");
      expect(unsafeCells(texts)).toEqual([]);
      expect(texts).toContain("invoice[U+202E]fdp.exe[U+202C]");
      expect(texts).toContain("ok[U+001B][2J[U+001B][H[U+001B]]0;pwned[U+0007] csi[U+009B]31m");
      expect(texts).toContain(`'${HOSTILE_CORPUS.equals}`);
    });

    it("certification and sign-off workbooks: the same", async () => {
      const start = await cli([
        "certify",
        "start",
        "--name",
        "Q",
        "--reviewer",
        "rev@corp.example",
        "--db",
        db,
      ]);
      expect(start.status, start.stderr).toBe(0);
      const exported = await cli([
        "certify",
        "export",
        "--campaign",
        "Q",
        "--out",
        join(tmp, "certify"),
        "--db",
        db,
        "--json",
      ]);
      expect(exported.status, exported.stderr).toBe(0);
      const book = (JSON.parse(exported.stdout) as { files: { path: string }[] }).files[0];
      const texts = await workbookTexts(book?.path ?? "");
      expect(unsafeCells(texts)).toEqual([]);
      expect(texts).toContain("Payroll[U+E0041][U+E0042][U+E007F]");
      const signoff = await cli([
        "certify",
        "report",
        "--campaign",
        "Q",
        "--out",
        join(tmp, "signoff"),
        "--db",
        db,
        "--json",
      ]);
      expect(signoff.status, signoff.stderr).toBe(0);
      const files = (JSON.parse(signoff.stdout) as { files: { format: string; path: string }[] })
        .files;
      const signoffTexts = await workbookTexts(files.find((f) => f.format === "xlsx")?.path ?? "");
      expect(unsafeCells(signoffTexts)).toEqual([]);
      const html = readFileSync(files.find((f) => f.format === "html")?.path ?? "", "utf8");
      expect(hiddenIn(html, ["\n"])).toEqual([]);
    });

    it("change email: revealed in both bodies and the subject, ids beside every name", async () => {
      const store = await Store.open(db, { readOnly: true });
      let rendered: Awaited<ReturnType<typeof renderChangeReportEmail>>;
      try {
        const model = await buildReportModel(store, { toolVersion: "t", templateVersion: "t" });
        rendered = await renderChangeReportEmail(changeReportEmail(model, []), {
          minSeverity: "low",
          maxChangesInBody: 1000,
        });
      } finally {
        await store.close();
      }
      expect(hiddenIn(rendered.text, ["\n"])).toEqual([]);
      expect(hiddenIn(rendered.html, ["\n"])).toEqual([]);
      expect(hiddenIn(rendered.subject, [])).toEqual([]);
      expect(rendered.text).toContain(`mallory[U+001B][8m@corp.example (${escapedUser})`);
      // The lookalike groups are told apart by their ids.
      for (const key of ["latin", "cyrillic", "noBreakSpace"] as const) {
        expect(rendered.text).toContain(`(${org.groups[key]})`);
      }
      expect(rendered.text).toContain(`Finance[U+00A0]Admins (${org.groups.noBreakSpace})`);
    });

    it("CSV export: no cell starts a formula or shows a hidden character; --raw-csv is exact", async () => {
      const out = join(tmp, "csv");
      const exported = await cli(["export", "--db", db, "--format", "csv", "--out", out, "--all"]);
      expect(exported.status, exported.stderr).toBe(0);
      const raw = join(tmp, "csv-raw");
      const rawExport = await cli([
        "export",
        "--db",
        db,
        "--format",
        "csv",
        "--raw-csv",
        "--out",
        raw,
        "--all",
      ]);
      expect(rawExport.status, rawExport.stderr).toBe(0);
      const cells = async (folder: string): Promise<string[]> => {
        const duck = await DuckDBInstance.create(":memory:", {
          autoinstall_known_extensions: "false",
        });
        const connection = await duck.connect();
        const values: string[] = [];
        const files = readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((f) =>
          f.endsWith(".csv"),
        );
        expect(files.length).toBeGreaterThan(3);
        for (const file of files) {
          const path = join(folder, file).replaceAll("'", "''");
          const reader = await connection.runAndReadAll(
            `SELECT * FROM read_csv('${path}', header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', new_line = '\\n')`,
          );
          for (const row of reader.getRows()) {
            for (const v of row) if (typeof v === "string") values.push(v);
          }
        }
        connection.closeSync();
        duck.closeSync();
        return values;
      };
      const safe = await cells(out);
      expect(unsafeCells(safe)).toEqual([]);
      expect(safe).toContain(`'${HOSTILE_CORPUS.equals}`);
      expect(safe).toContain("Payroll[U+E0041][U+E0042][U+E007F]");
      const exact = await cells(raw);
      expect(exact).toContain(HOSTILE_CORPUS.equals);
      expect(exact).toContain(HOSTILE_CORPUS.tags);
      const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as {
        csv_cells: string;
      };
      expect(manifest.csv_cells).toBe("safe");
    });
  });
});

describe("the CSV macros are the workbook cell's SQL twin", () => {
  it("csv_cell(s) equals cellText(s) for every hostile name and then some", async () => {
    const duck = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" });
    const connection = await duck.connect();
    const macros = sqlQueries("macros/text.sql");
    const hidden = hiddenCharacterClassRe2().replaceAll("'", "''");
    for (const name of ["csv_reveal", "csv_cell"]) {
      await connection.run(macros(name).replaceAll("{hidden}", hidden));
    }
    const samples = [
      ...Object.values(HOSTILE_CORPUS),
      "  =1+1",
      " -x",
      "\u00A0=1",
      "plain",
      "",
      "e\u0301\u034F\u180E\u3164\u{E0001}\u{1F469}\u200D\u{1F4BB}",
    ];
    for (const sample of samples) {
      const reader = await connection.runAndReadAll("SELECT csv_cell($1) AS v", [sample]);
      const value = reader.getRowObjects()[0]?.v;
      expect(value, JSON.stringify(sample)).toBe(cellText(sample));
    }
    connection.closeSync();
    duck.closeSync();
  });
});
