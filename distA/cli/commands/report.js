import { InvalidArgumentError } from "commander";
import { findingsByRule } from "../../analysis/anomalies.js";
import { DEFAULT_REPORT_DIR } from "../../config/index.js";
import { checkReportsDir, REPORT_FORMATS, REPORT_MEMORY_LIMIT, writeReports, } from "../../report/index.js";
import { Store } from "../../store/index.js";
import { createLogger } from "../../util/log.js";
import { addAnalysisOptions, addDbOption, commandConfig } from "../config.js";
import { CliError } from "../errors.js";
import { intOption } from "../options.js";
import { terminalJson, writeOut } from "../output.js";
export function formatsOption(value) {
    const formats = value
        .split(",")
        .map((f) => f.trim().toLowerCase())
        .filter((f) => f.length > 0);
    const unknown = formats.filter((f) => !REPORT_FORMATS.includes(f));
    if (formats.length === 0 || unknown.length > 0) {
        throw new InvalidArgumentError(`expected a comma-separated list of ${REPORT_FORMATS.join(", ")}${unknown.length > 0 ? `, got "${unknown.join(",")}"` : ""}`);
    }
    return [...new Set(formats)];
}
export function registerReport(program) {
    const command = program
        .command("report")
        .description("Write the HTML report and Excel workbook of a snapshot and its changes since the previous one");
    addAnalysisOptions(addDbOption(command)
        .option("--snapshot <id>", "a complete snapshot (default: the latest)", intOption(1))
        .option("--from <id>", "compare with this complete snapshot (default: the one before --snapshot)", intOption(1))
        .option("--out <dir>", `folder for the reports (default: the configuration's report.output, or ${DEFAULT_REPORT_DIR})`)
        .option("--format <list>", `formats, comma-separated (${REPORT_FORMATS.join(",")}; default: the configuration's, or all)`, formatsOption))
        .option("--no-verify", "skip re-verifying the seals of the snapshots used")
        .option("--json", "print JSON: {snapshot_id, from_snapshot_id, files}")
        .action(async (flags, command) => {
        let ruleErrors = [];
        const config = await commandConfig(command);
        const logger = createLogger({ story: true });
        // Before the database is opened (and its lock taken): a refused folder fails at once.
        checkReportsDir(config.report.outDir);
        const store = await Store.open(config.database, {
            readOnly: true,
            memoryLimit: REPORT_MEMORY_LIMIT,
            logger,
        });
        try {
            const written = await writeReports(store, {
                outDir: config.report.outDir,
                formats: config.report.formats,
                ...(flags.snapshot === undefined ? {} : { snapshotId: flags.snapshot }),
                ...(flags.from === undefined ? {} : { fromId: flags.from }),
                ruleDirs: config.analysis.ruleDirs,
                config: config.analysis,
                verify: flags.verify,
                organization: config.organization,
                logger,
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
                    findings_by_rule: findingsByRule(model.findings),
                    files,
                };
                writeOut(`${terminalJson(out)}\n`);
                return;
            }
            const compared = model.previous === null
                ? "no earlier snapshot to compare with"
                : `compared with snapshot ${model.previous.snapshot_id}`;
            const skipped = model.rules.filter((r) => r.status === "skip").map((r) => r.id);
            const lines = [
                `snapshot ${model.snapshot.snapshot_id} (${model.org_date}), ${compared}: ${model.changes.length} change(s), ${model.findings.length - model.accepted_findings} open finding(s)${model.accepted_findings > 0 ? `, ${model.accepted_findings} accepted by exception` : ""}${skipped.length > 0 ? `; ${skipped.length} rule(s) skipped (not evaluated): ${skipped.join(", ")}` : ""}`,
                ...files.map((f) => `  ${f.format.padEnd(4)}  ${f.path}  (${f.bytes} bytes)`),
            ];
            writeOut(`${lines.join("\n")}\n`);
        }
        finally {
            await store.close();
        }
        // As \`anomalies\`: a rule that failed leaves its findings out, so the run is not a success.
        if (ruleErrors.length > 0) {
            throw new CliError(`${ruleErrors.length} rule(s) failed: ${ruleErrors.map((e) => e.rule).join(", ")} (the reports list them)`);
        }
    });
}
//# sourceMappingURL=report.js.map