/**
 * Certification at scale, informational (no target): `certify start`, `export`, `import`,
 * `status` and `close` as a user runs them, each in its own process, on the report benchmark's
 * database (the newer of two snapshots of 1,000,000 memberships). Two campaigns: the elevated
 * grants with one reviewer (the campaign a large organization runs each quarter), and every
 * grant (each membership an item) shared by group among 40 reviewers; one workbook of each is
 * imported back as returned. Wall time, peak RSS and exit code of each step. Before these were
 * measured, starting either campaign read every membership with its group's roles (2.1 GB for
 * the elevated one) and a campaign of every grant ran out of DuckDB's memory limit.
 */
import { spawn } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Store } from "../src/store/index.js";
import { watchPeakRss } from "./process.js";

interface CertifyStep {
  wall_ms: number;
  peak_rss_mb: number;
  exit_code: number | null;
  /**
   * From the command's --json output: items started or counted, rows exported or imported in
   * all, or decisions made by the policy at close.
   */
  items: number | null;
  /** The last line of stderr when the command failed. */
  error?: string;
}

async function runCertify(cli: string, args: string[]): Promise<CertifyStep> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, "certify", ...args, "--json"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ACCESS_AUDIT_LOG_LEVEL: "warn" },
  });
  const peak = watchPeakRss(child.pid as number);
  let stdout = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    stdout += chunk;
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const step: CertifyStep = {
    wall_ms: Math.round(performance.now() - started),
    peak_rss_mb: peak(),
    exit_code: code,
    items: null,
  };
  if (code !== 0) {
    step.error = stderr.trim().split("\n").at(-1) ?? "";
    return step;
  }
  const parsed = JSON.parse(stdout) as {
    items?: number;
    by_policy?: number;
    files?: { items?: number; rows?: number }[];
  };
  step.items =
    parsed.items ??
    parsed.by_policy ??
    parsed.files?.reduce((sum, file) => sum + (file.items ?? file.rows ?? 0), 0) ??
    null;
  return step;
}

/** Reviewers the campaign of every grant is shared among, by group. */
const ALL_GRANTS_REVIEWERS = 40;

/**
 * A reviewers file that gives each group of the newest snapshot to one of ALL_GRANTS_REVIEWERS
 * reviewers, in turn: about 25,000 items each at a million memberships (groups differ in size:
 * with 20 reviewers one had 102,477 items, a 20.7 MB workbook), workbooks that import takes back
 * (one reviewer's million rows would be 208 MB, over its 20 MB limit).
 */
async function reviewersByGroup(db: string, path: string): Promise<void> {
  const store = await Store.open(db, { readOnly: true });
  try {
    const groups = await store.query<{ group_id: string }>(
      `SELECT group_id FROM snapshot_groups
       WHERE snapshot_id = (SELECT max(snapshot_id) FROM snapshot_runs WHERE status = 'complete')
       ORDER BY group_id`,
    );
    const lines = groups.map(
      (g, i) =>
        `  ${JSON.stringify(g.group_id)}: reviewer-${String(i % ALL_GRANTS_REVIEWERS).padStart(2, "0")}@example.com`,
    );
    writeFileSync(path, `default: reviewer@example.com\nby_group:\n${lines.join("\n")}\n`);
  } finally {
    await store.close();
  }
}

export async function benchCertify(
  log: (s: string) => void,
  cli: string,
  db: string,
  work: string,
): Promise<Record<string, CertifyStep>> {
  const steps: Record<string, CertifyStep> = {};
  const byGroup = join(work, "reviewers-by-group.yaml");
  await reviewersByGroup(db, byGroup);
  for (const scope of ["elevated", "all"] as const) {
    const name = `bench-${scope}`;
    const start = await runCertify(cli, [
      "start",
      "--db",
      db,
      "--name",
      name,
      "--scope",
      scope,
      ...(scope === "all" ? ["--reviewers", byGroup] : ["--reviewer", "reviewer@example.com"]),
    ]);
    steps[`start_${scope}`] = start;
    log(
      `certify start --scope ${scope}: ${start.wall_ms} ms, peak RSS ${start.peak_rss_mb} MB, ${start.items ?? start.error} items`,
    );
    if (start.exit_code !== 0) continue;
    const exported = await runCertify(cli, [
      "export",
      "--db",
      db,
      "--campaign",
      name,
      "--out",
      join(work, `certify-${scope}`),
    ]);
    steps[`export_${scope}`] = exported;
    log(
      `certify export (${scope}): ${exported.wall_ms} ms, peak RSS ${exported.peak_rss_mb} MB, ${exported.items ?? exported.error} rows`,
    );
    if (exported.exit_code !== 0) continue;
    // One reviewer's workbook back, as returned (no decisions filled in).
    const [first] = readdirSync(join(work, `certify-${scope}`))
      .filter((f) => f.endsWith(".xlsx"))
      .sort();
    if (first !== undefined) {
      const imported = await runCertify(cli, [
        "import",
        "--db",
        db,
        join(work, `certify-${scope}`, first),
      ]);
      steps[`import_one_${scope}`] = imported;
      log(
        `certify import (${scope}, one workbook): ${imported.wall_ms} ms, peak RSS ${imported.peak_rss_mb} MB, ${imported.items ?? imported.error} rows`,
      );
    }
    const status = await runCertify(cli, ["status", "--db", db, "--campaign", name]);
    steps[`status_${scope}`] = status;
    log(
      `certify status (${scope}): ${status.wall_ms} ms, peak RSS ${status.peak_rss_mb} MB, ${status.items ?? status.error} items`,
    );
    // Every item undecided: the policy decides them all, and the sign-off is written.
    const closed = await runCertify(cli, [
      "close",
      "--db",
      db,
      "--campaign",
      name,
      "--out",
      join(work, `signoff-${scope}`),
    ]);
    steps[`close_${scope}`] = closed;
    log(
      `certify close (${scope}): ${closed.wall_ms} ms, peak RSS ${closed.peak_rss_mb} MB, ${closed.items ?? closed.error} policy decisions`,
    );
  }
  return steps;
}
