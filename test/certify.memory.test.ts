/**
 * The memory bound of `certify import`: returned workbooks inside every zip limit (20 MB on disk,
 * 256 MiB uncompressed, 100:1 per large entry) but built to be as heavy as possible to read (a
 * Review sheet of hundreds of thousands of rows, a shared-string table of millions of strings)
 * are imported, or refused with one line, by a CLI child whose peak RSS stays under the bound.
 * The peak is the child's own `process.resourceUsage().maxRSS`, written at exit by a module
 * preloaded through NODE_OPTIONS.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { crawlInto } from "./support/analysis-org.js";
import { fillWorkbook } from "./support/certify-workbooks.js";
import { cliEnv, runCli } from "./support/cli.js";
import {
  emptyRow,
  heavyWorkbook,
  longString,
  numberRow,
  uniqueString,
} from "./support/heavy-workbook.js";

/**
 * Peak RSS allowed for importing any workbook inside the zip limits. A 15 KB workbook takes
 * about 170 MB (Node, DuckDB, the modules); before the streaming reader these files took 1.1 to
 * 3.1 GB.
 */
const BOUND_MB = 320;

const tmp = mkdtempSync(join(tmpdir(), "aa-certify-memory-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const db = join(tmp, "audit.duckdb");
const REVIEWER = "rev@corp.example";
const preload = join(tmp, "rss.mjs");
writeFileSync(
  preload,
  `import { writeFileSync } from "node:fs";
process.on("exit", () => {
  if (process.env.RSS_REPORT) writeFileSync(process.env.RSS_REPORT, String(process.resourceUsage().maxRSS));
});
`,
);

let runs = 0;
/** `certify import FILE` in a child; its peak RSS in MB. */
async function importMeasured(file: string) {
  const report = join(tmp, `rss-${++runs}.txt`);
  const env = cliEnv({
    NODE_OPTIONS: `--import=${pathToFileURL(preload).href}`,
    RSS_REPORT: report,
  });
  const result = await runCli(["certify", "import", file, "--db", db, "--json"], env, 300_000, tmp);
  const kb = Number(readFileSync(report, "utf8"));
  return { ...result, rssMb: Math.round(kb / 1024) };
}

describe("certify import: memory bound", () => {
  let sim: RunningSimulator;
  let filled = "";

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 5, groups: 6, users: 40 });
    await crawlInto(sim, db);
    const env = cliEnv({});
    const start = await runCli(
      ["certify", "start", "--name", "M1", "--reviewer", REVIEWER, "--db", db],
      env,
    );
    expect(start.status, start.stderr).toBe(0);
    const exported = await runCli(
      ["certify", "export", "--campaign", "M1", "--out", join(tmp, "out"), "--db", db, "--json"],
      env,
    );
    expect(exported.status, exported.stderr).toBe(0);
    const path = (JSON.parse(exported.stdout) as { files: { path: string }[] }).files[0]?.path;
    filled = join(tmp, "filled.xlsx");
    await fillWorkbook(path ?? "", filled, () => ({ decision: "Approve", justification: "ok" }));
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("a Review sheet of ~220 MiB of empty rows: imported, within the bound", async () => {
    const file = join(tmp, "rows.xlsx");
    writeFileSync(file, heavyWorkbook(readFileSync(filled), { rows: emptyRow }));
    const result = await importMeasured(file);
    console.log(`empty rows: ${readFileSync(file).length} bytes, peak RSS ${result.rssMb} MB`);
    expect(result.status, result.stderr).toBe(0);
    const outcome = (JSON.parse(result.stdout) as { files: { status: string; recorded: number }[] })
      .files[0];
    expect(outcome).toMatchObject({ status: "recorded" });
    expect(outcome?.recorded).toBeGreaterThan(10);
    expect(result.rssMb).toBeLessThan(BOUND_MB);
  }, 600_000);

  it("a Review sheet of ~170 MiB of forged rows: refused, reading stops after 100 problems, within the bound", async () => {
    const file = join(tmp, "numbers.xlsx");
    writeFileSync(file, heavyWorkbook(readFileSync(filled), { rows: numberRow }));
    const result = await importMeasured(file);
    console.log(`number rows: ${readFileSync(file).length} bytes, peak RSS ${result.rssMb} MB`);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toBe(
      "access-audit: import rejected: 100+ problem(s) in 1 file(s); nothing recorded from it",
    );
    expect(lines).toHaveLength(102);
    expect(lines.at(-1)).toMatch(
      /more problems not listed \(reading stopped after the first 100\)/,
    );
    expect(result.rssMb).toBeLessThan(BOUND_MB);
  }, 600_000);

  it("a shared-string table of millions of strings: refused with one line, within the bound", async () => {
    const file = join(tmp, "strings.xlsx");
    writeFileSync(file, heavyWorkbook(readFileSync(filled), { strings: uniqueString }));
    const result = await importMeasured(file);
    console.log(`strings: ${readFileSync(file).length} bytes, peak RSS ${result.rssMb} MB`);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /file: the shared-string table holds more than 2,000,000 strings, more than a certification workbook may; refused$/,
    );
    expect(result.rssMb).toBeLessThan(BOUND_MB);
  }, 600_000);

  it("a shared-string table just under both of its limits: read whole, within the bound", async () => {
    const file = join(tmp, "long-strings.xlsx");
    const bytes = 88 * 1024 * 1024; // about 62 MiB of text in 1.7 million strings
    writeFileSync(file, heavyWorkbook(readFileSync(filled), { strings: longString, bytes }));
    const result = await importMeasured(file);
    console.log(`long strings: ${readFileSync(file).length} bytes, peak RSS ${result.rssMb} MB`);
    // The same decisions as the first file: read to the end, nothing new to record.
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/"status": "unchanged"/);
    expect(result.rssMb).toBeLessThan(BOUND_MB);
  }, 600_000);
});
