/**
 * Report benchmark (issue 5): `access-audit report` as a user runs it, on the newer of two
 * snapshots of 2,000 groups, 50,000 users and 1,000,000 memberships (the diff benchmark's
 * database), once per format, each in its own process: wall time and peak RSS. The times
 * include everything the command does: re-verifying both seals, the diff, the rules on both
 * snapshots and rendering. Targets (issue 19): the workbook under 20 s and under 300 MB; the
 * HTML (summaries, findings, privileged people and changes, no full listings) under 5 MB and
 * under 3 s, its peak RSS reported beside them.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDiffDatabase } from "./analysis.js";
import { watchPeakRss } from "./process.js";

const XLSX_TARGET_MS = 20_000;
const XLSX_TARGET_RSS_MB = 300;
const HTML_TARGET_BYTES = 5_000_000;
const HTML_TARGET_MS = 3000;

interface ReportRun {
  wall_ms: number;
  peak_rss_mb: number;
  bytes: number;
  sha256: string;
}

async function runReport(cli: string, db: string, out: string, format: string): Promise<ReportRun> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [cli, "report", "--db", db, "--out", out, "--format", format, "--json"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const peak = watchPeakRss(child.pid as number);
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const wallMs = performance.now() - started;
  const peakRssMb = peak();
  if (code !== 0) throw new Error(`report --format ${format} exited ${code}`);
  const parsed = JSON.parse(stdout) as { files: { bytes: number; sha256: string }[] };
  const file = parsed.files[0];
  if (!file) throw new Error(`report --format ${format} wrote no file`);
  return {
    wall_ms: Math.round(wallMs),
    peak_rss_mb: peakRssMb,
    bytes: file.bytes,
    sha256: file.sha256,
  };
}

export async function benchReports(
  log: (s: string) => void,
  cli: string,
): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), "aa-bench-report-"));
  try {
    const db = join(work, "report.duckdb");
    const { memberships } = await buildDiffDatabase(db, log);
    const html = await runReport(cli, db, join(work, "out"), "html");
    log(`report html: ${html.wall_ms} ms, peak RSS ${html.peak_rss_mb} MB, ${html.bytes} bytes`);
    const xlsx = await runReport(cli, db, join(work, "out"), "xlsx");
    log(`report xlsx: ${xlsx.wall_ms} ms, peak RSS ${xlsx.peak_rss_mb} MB, ${xlsx.bytes} bytes`);
    // The same snapshot pair twice must give the same bytes.
    const again = await runReport(cli, db, join(work, "again"), "xlsx");
    const deterministic = again.sha256 === xlsx.sha256;
    log(`report xlsx rerun: ${deterministic ? "byte-identical" : "DIFFERENT BYTES"}`);
    return {
      memberships,
      html,
      xlsx,
      xlsx_rerun_identical: deterministic,
      targets: {
        xlsx_wall_ms_max: XLSX_TARGET_MS,
        xlsx_peak_rss_mb_max: XLSX_TARGET_RSS_MB,
        html_bytes_max: HTML_TARGET_BYTES,
        html_wall_ms_max: HTML_TARGET_MS,
      },
      pass:
        xlsx.wall_ms < XLSX_TARGET_MS &&
        xlsx.peak_rss_mb < XLSX_TARGET_RSS_MB &&
        deterministic &&
        html.bytes < HTML_TARGET_BYTES &&
        html.wall_ms < HTML_TARGET_MS,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
