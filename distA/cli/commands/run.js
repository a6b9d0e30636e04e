import { severityRank } from "../../analysis/rules.js";
import { runPipeline } from "../../schedule/pipeline.js";
import { createLogger } from "../../util/log.js";
import { commandConfig } from "../config.js";
import { CliError, EXIT } from "../errors.js";
import { abortOnSignals } from "../options.js";
import { terminalJson, writeOut } from "../output.js";
import { createProgressSink } from "../progress.js";
import { addConfigFlags, pipelineOptions } from "../run-config.js";
/** ", N rule(s) skipped (not evaluated)" when any were: a quiet run is not every rule passing. */
export const skippedText = (o) => o.skipped_rules.length === 0
    ? ""
    : `, ${o.skipped_rules.length} rule(s) skipped (not evaluated): ${o.skipped_rules.join(", ")}`;
export function outcomeSummary(o) {
    const lines = [
        `snapshot ${o.snapshot_id} complete${o.previous_id === null ? "" : `, compared with ${o.previous_id}`}: ${o.changes} change(s), ${o.findings} open finding(s) (${o.new_findings} new or changed)${o.max_severity ? `, most severe: ${o.max_severity}` : ""}${skippedText(o)}`,
        `seal ${o.seal}`,
        ...o.files.map((f) => `  ${f.format.padEnd(4)}  ${f.path}`),
    ];
    if (o.delivery) {
        lines.push(o.delivery.status === "sent"
            ? `email sent to ${o.delivery.accepted.join(", ")}`
            : o.delivery.status === "skipped"
                ? `email skipped: ${o.delivery.reason}`
                : `email FAILED after ${o.delivery.attempts} attempt(s): ${o.delivery.error}`);
    }
    if (o.retention && o.retention.pruned.length > 0) {
        lines.push(`retention pruned snapshot(s) ${o.retention.pruned.join(", ")}`);
    }
    return lines.join("\n");
}
export function registerRun(program) {
    const command = program
        .command("run")
        .description("One unit of work: crawl, analyse, report, deliver, apply retention (from the configuration)");
    addConfigFlags(command)
        .option("--json", "print the run's outcome as JSON")
        .action(async (flags, cmd) => {
        const config = await commandConfig(cmd, { checkFiles: true });
        // A progress bar, then the outcome on stdout: on a terminal only warnings interrupt it.
        const logger = createLogger({ story: true });
        const options = await pipelineOptions(config, logger);
        const interrupt = abortOnSignals();
        const progress = createProgressSink(logger);
        let outcome;
        try {
            outcome = await runPipeline({
                ...options,
                signal: interrupt.signal,
                onProgress: (p) => progress.update(p),
            });
        }
        finally {
            progress.stop();
            interrupt.release();
        }
        writeOut(flags.json ? `${terminalJson(outcome)}\n` : `${outcomeSummary(outcome)}\n`);
        const failOn = config.schedule.failOn;
        if (failOn !== null && outcome.max_severity !== null) {
            if (severityRank(outcome.max_severity) >= severityRank(failOn)) {
                throw new CliError(`findings at or above ${failOn} (most severe: ${outcome.max_severity})`, EXIT.findings);
            }
        }
        // As `anomalies`: findings at or above --fail-on take precedence (exit 3), then rule errors.
        if (outcome.rule_errors.length > 0) {
            throw new CliError(`${outcome.rule_errors.length} rule(s) failed: ${outcome.rule_errors.join(", ")} (the reports list them)`);
        }
    });
}
//# sourceMappingURL=run.js.map