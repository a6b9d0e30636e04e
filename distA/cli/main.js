#!/usr/bin/env node
/**
 * access-audit: the command line. A thin layer: each command parses its flags,
 * calls one stage's API and prints the result; errors become one line on stderr.
 */
import { Command, CommanderError, Option } from "commander";
import { registerEnvironmentSecrets } from "../config/secret-env.js";
import { exitCodeOf } from "../errors.js";
import { LOG_FORMATS, redactSecrets, useLogFormat } from "../util/log.js";
import { TOOL_VERSION } from "../version.js";
import { EXIT } from "./errors.js";
import { logFormatBeforeConfig } from "./options.js";
import { writeErr } from "./output.js";
/**
 * Every command, in the order `--help` lists them, loaded on demand: a command's module pulls in
 * its stage's dependencies (DuckDB, undici, exceljs, nodemailer…), and loading all of them cost
 * every run, a five-user crawl included, more than the work itself.
 */
const COMMANDS = {
    simulate: async () => (await import("./commands/simulate.js")).registerSimulate,
    crawl: async () => (await import("./commands/crawl.js")).registerCrawl,
    "audit-log": async () => (await import("./commands/audit-log.js")).registerAuditLog,
    snapshots: async () => (await import("./commands/snapshots.js")).registerSnapshots,
    verify: async () => (await import("./commands/verify.js")).registerVerify,
    diff: async () => (await import("./commands/diff.js")).registerDiff,
    access: async () => (await import("./commands/access.js")).registerAccess,
    anomalies: async () => (await import("./commands/anomalies.js")).registerAnomalies,
    exceptions: async () => (await import("./commands/exceptions.js")).registerExceptions,
    report: async () => (await import("./commands/report.js")).registerReport,
    run: async () => (await import("./commands/run.js")).registerRun,
    schedule: async () => (await import("./commands/schedule.js")).registerSchedule,
    export: async () => (await import("./commands/export.js")).registerExport,
    retention: async () => (await import("./commands/retention.js")).registerRetention,
    certify: async () => (await import("./commands/certify.js")).registerCertify,
    remediate: async () => (await import("./commands/remediate.js")).registerRemediate,
    config: async () => (await import("./commands/config.js")).registerConfig,
    demo: async () => (await import("./commands/demo.js")).registerDemo,
};
/**
 * The commands a run needs registered: none to print the version, the one it invokes when the
 * first argument that is not a global option (or its value) names one of ours, and every
 * command otherwise (`--help`, `help crawl`, a typo that needs suggestions).
 */
export function commandsFor(args) {
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === "--log-format") {
            i++;
            continue;
        }
        if (arg === "-V" || arg === "--version")
            return [];
        if (arg.startsWith("-"))
            continue;
        return Object.hasOwn(COMMANDS, arg) ? [arg] : Object.keys(COMMANDS);
    }
    return Object.keys(COMMANDS);
}
/** The program with the given commands (all of them by default). */
export async function buildProgram(commands = Object.keys(COMMANDS)) {
    const program = new Command("access-audit")
        .description("Snapshot, diff and audit who can do what in an OpenAI organization (groups, members, roles).")
        .version(TOOL_VERSION, "-V, --version", "print the version")
        .helpOption("-h, --help", "show help")
        .showSuggestionAfterError(true)
        .exitOverride()
        .configureOutput({
        // Commander's own usage errors: one line, prefixed like ours, secrets masked (a key
        // pasted as an option's value is named in the error).
        outputError: (text, write) => write(`access-audit: ${redactSecrets(text.replace(/^error: /, "").trim())}\n`),
    })
        .addOption(new Option("--log-format <format>", "log lines on stderr: auto (human lines on a terminal, JSON lines elsewhere), json or pretty (default: $ACCESS_AUDIT_LOG_FORMAT, the configuration's logging.format, or auto)").choices(LOG_FORMATS))
        // Before any command logs: the flag or the environment (the file, for commands that read
        // it, is applied when they load their configuration).
        .hook("preAction", async () => {
        const flag = program.opts().logFormat;
        await useLogFormat(logFormatBeforeConfig(flag, process.env));
    });
    for (const name of commands) {
        const load = COMMANDS[name];
        if (load !== undefined)
            (await load())(program);
    }
    return program;
}
/** Turns any error into its exit code, printing one line for those not printed yet. */
export function reportError(err) {
    if (err instanceof CommanderError) {
        if (err.code === "commander.helpDisplayed" || err.code === "commander.version")
            return EXIT.ok;
        if (err.code === "commander.help")
            return EXIT.ok;
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
async function main() {
    // Before anything is parsed: a key given where another value belongs is masked in the error.
    registerEnvironmentSecrets(process.env);
    // Everything the tool creates (database, spill files, reports, exports, workbooks) is the
    // owner's alone: access evidence and the organization's people are not for other local users.
    process.umask(0o077);
    // A reader that stops early (`access-audit diff | head`) is not a failure of ours.
    process.stdout.on("error", (err) => {
        if (err.code === "EPIPE")
            process.exit(process.exitCode ?? 0);
        throw err;
    });
    try {
        const program = await buildProgram(commandsFor(process.argv.slice(2)));
        await program.parseAsync(process.argv);
    }
    catch (err) {
        process.exitCode = reportError(err);
    }
}
await main();
//# sourceMappingURL=main.js.map