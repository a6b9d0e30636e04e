import { type Command, InvalidArgumentError } from "commander";
import { AnalysisError } from "../../analysis/access.js";
import { DEFAULT_INACTIVITY_DAYS } from "../../analysis/config.js";
import { DiffError } from "../../analysis/diff.js";
import { type RuleError, RulesDirError } from "../../analysis/rules.js";
import {
  REPORT_FORMATS,
  REPORT_MEMORY_LIMIT,
  ReportError,
  type ReportFormat,
  writeReports,
} from "../../report/index.js";
import { Store } from "../../store/index.js";
import { OutputPathError } from "../../util/files.js";
import { addDbOption, resolveDbPath } from "../db.js";
import { CliError, UsageError } from "../errors.js";
import { collect, intOption } from "../options.js";

export const DEFAULT_REPORTS_DIR = "./reports";

interface ReportFlags {
  db?: string;
  snapshot?: number;
  from?: number;
  out: string;
  format: ReportFormat[];
  rules: string[];
  allowedDomain: string[];
  inactiveDays: number;
  verify: boolean;
  json?: boolean;
}

export function formatsOption(value: string): ReportFormat[] {
  const formats = value
    .split(",")
    .map((f) => f.trim().toLowerCase())
    .filter((f) => f.length > 0);
  const unknown = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (formats.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `expected a comma-separated list of ${REPORT_FORMATS.join(", ")}${unknown.length > 0 ? `, got "${unknown.join(",")}"` : ""}`,
    );
  }
  return [...new Set(formats)] as ReportFormat[];
}

/** Errors of the snapshot choice are usage errors (exit 2); an empty database is a failure. */
function reportCliError(error: unknown): unknown {
  if (error instanceof RulesDirError) return new UsageError(error.message);
  if (error instanceof AnalysisError) {
    return error.code === "UNKNOWN_SNAPSHOT"
      ? new UsageError(error.message)
      : new CliError(error.message);
  }
  if (error instanceof DiffError) {
    return error.code === "TOO_FEW_SNAPSHOTS"
      ? new CliError(error.message)
      : new UsageError(error.message);
  }
  if (error instanceof ReportError || error instanceof OutputPathError) {
    return error.usage ? new UsageError(error.message) : new CliError(error.message);
  }
  return error;
}

export function registerReport(program: Command): void {
  const command = program
    .command("report")
    .description(
      "Write the HTML report and Excel workbook of a snapshot and its changes since the previous one",
    );
  addDbOption(command)
    .option("--snapshot <id>", "a complete snapshot (default: the latest)", intOption(1))
    .option(
      "--from <id>",
      "compare with this complete snapshot (default: the one before --snapshot)",
      intOption(1),
    )
    .option("--out <dir>", "folder for the reports", DEFAULT_REPORTS_DIR)
    .option(
      "--format <list>",
      `formats, comma-separated (${REPORT_FORMATS.join(",")})`,
      formatsOption,
      [...REPORT_FORMATS] as ReportFormat[],
    )
    .option("--rules <dir>", "also run the *.sql rules in this folder (repeatable)", collect, [])
    .option(
      "--allowed-domain <domain>",
      "an email domain of the organization (repeatable; enables the domain rule)",
      collect,
      [],
    )
    .option(
      "--inactive-days <n>",
      "days without API key use before an elevated user counts as inactive",
      intOption(0, 36_500),
      DEFAULT_INACTIVITY_DAYS,
    )
    .option("--no-verify", "skip re-verifying the seals of the snapshots used")
    .option("--json", "print JSON: {snapshot_id, from_snapshot_id, files}")
    .action(async (flags: ReportFlags) => {
      let ruleErrors: RuleError[] = [];
      const store = await Store.open(await resolveDbPath(flags.db), {
        readOnly: true,
        memoryLimit: REPORT_MEMORY_LIMIT,
      });
      try {
        const written = await writeReports(store, {
          outDir: flags.out,
          formats: flags.format,
          ...(flags.snapshot === undefined ? {} : { snapshotId: flags.snapshot }),
          ...(flags.from === undefined ? {} : { fromId: flags.from }),
          ruleDirs: flags.rules,
          config: { allowedEmailDomains: flags.allowedDomain, inactivityDays: flags.inactiveDays },
          verify: flags.verify,
        }).catch((error: unknown) => {
          throw reportCliError(error);
        });
        const { model, files } = written;
        ruleErrors = model.rule_errors;
        if (flags.json) {
          const out = {
            snapshot_id: model.snapshot.snapshot_id,
            from_snapshot_id: model.previous?.snapshot_id ?? null,
            org_date: model.org_date,
            seal: model.snapshot.seal,
            tool_version: model.tool_version,
            template_version: model.template_version,
            changes: model.changes.length,
            findings: model.findings.length,
            files,
          };
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
          return;
        }
        const compared =
          model.previous === null
            ? "no earlier snapshot to compare with"
            : `compared with snapshot ${model.previous.snapshot_id}`;
        const lines = [
          `snapshot ${model.snapshot.snapshot_id} (${model.org_date}), ${compared}: ${model.changes.length} change(s), ${model.findings.length} finding(s)`,
          ...files.map((f) => `  ${f.format.padEnd(4)}  ${f.path}  (${f.bytes} bytes)`),
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
      } finally {
        await store.close();
      }
      // As \`anomalies\`: a rule that failed leaves its findings out, so the run is not a success.
      if (ruleErrors.length > 0) {
        throw new CliError(
          `${ruleErrors.length} rule(s) failed: ${ruleErrors.map((e) => e.rule).join(", ")} (the reports list them)`,
        );
      }
    });
}
