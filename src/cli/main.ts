#!/usr/bin/env node
/**
 * access-audit: the command line. A thin layer: each command parses its flags,
 * calls one stage's API and prints the result; errors become one line on stderr.
 */
import { Command, CommanderError, Option } from "commander";
import { registerEnvironmentSecrets } from "../config/index.js";
import { exitCodeOf } from "../errors.js";
import { LOG_FORMATS, type LogFormat, redactSecrets, useLogFormat } from "../util/log.js";
import { TOOL_VERSION } from "../version.js";
import { registerAccess } from "./commands/access.js";
import { registerAnomalies } from "./commands/anomalies.js";
import { registerAuditLog } from "./commands/audit-log.js";
import { registerCertify } from "./commands/certify.js";
import { registerConfig } from "./commands/config.js";
import { registerCrawl } from "./commands/crawl.js";
import { registerDemo } from "./commands/demo.js";
import { registerDiff } from "./commands/diff.js";
import { registerExceptions } from "./commands/exceptions.js";
import { registerExport } from "./commands/export.js";
import { registerRemediate } from "./commands/remediate.js";
import { registerReport } from "./commands/report.js";
import { registerRetention } from "./commands/retention.js";
import { registerRun } from "./commands/run.js";
import { registerSchedule } from "./commands/schedule.js";
import { registerSimulate } from "./commands/simulate.js";
import { registerSnapshots } from "./commands/snapshots.js";
import { EXIT } from "./errors.js";
import { logFormatBeforeConfig } from "./options.js";
import { writeErr } from "./output.js";

export function buildProgram(): Command {
  const program = new Command("access-audit")
    .description(
      "Snapshot, diff and audit who can do what in an OpenAI organization (groups, members, roles).",
    )
    .version(TOOL_VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Commander's own usage errors: one line, prefixed like ours, secrets masked (a key
      // pasted as an option's value is named in the error).
      outputError: (text, write) =>
        write(`access-audit: ${redactSecrets(text.replace(/^error: /, "").trim())}\n`),
    })
    .addOption(
      new Option(
        "--log-format <format>",
        "log lines on stderr: auto (human lines on a terminal, JSON lines elsewhere), json or pretty (default: $ACCESS_AUDIT_LOG_FORMAT, the configuration's logging.format, or auto)",
      ).choices(LOG_FORMATS),
    )
    // Before any command logs: the flag or the environment (the file, for commands that read
    // it, is applied when they load their configuration).
    .hook("preAction", async () => {
      const flag = program.opts<{ logFormat?: LogFormat }>().logFormat;
      await useLogFormat(logFormatBeforeConfig(flag, process.env));
    });
  registerSimulate(program);
  registerCrawl(program);
  registerAuditLog(program);
  registerSnapshots(program);
  registerDiff(program);
  registerAccess(program);
  registerAnomalies(program);
  registerExceptions(program);
  registerReport(program);
  registerRun(program);
  registerSchedule(program);
  registerExport(program);
  registerRetention(program);
  registerCertify(program);
  registerRemediate(program);
  registerConfig(program);
  registerDemo(program);
  return program;
}

/** Turns any error into its exit code, printing one line for those not printed yet. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT.ok;
    if (err.code === "commander.help") return EXIT.ok;
    return EXIT.usage; // commander already printed the message
  }
  // The one mapping of errors to exit codes: the root error's class (src/errors.ts).
  const exitCode = exitCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const firstLine = redactSecrets(message).split("\n")[0] ?? "unknown error";
  writeErr(`access-audit: ${firstLine}\n`);
  if (process.env.ACCESS_AUDIT_DEBUG && err instanceof Error && err.stack) {
    writeErr(`${redactSecrets(err.stack)}\n`);
  }
  return exitCode;
}

async function main(): Promise<void> {
  // Before anything is parsed: a key given where another value belongs is masked in the error.
  registerEnvironmentSecrets(process.env);
  // Everything the tool creates (database, spill files, reports, exports, workbooks) is the
  // owner's alone: access evidence and the organization's people are not for other local users.
  process.umask(0o077);
  // A reader that stops early (`access-audit diff | head`) is not a failure of ours.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

await main();
