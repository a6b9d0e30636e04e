import { resolveSnapshotId } from "../../analysis/access.js";
import { MEMBERS_LISTED, runLoadedRules, sortErrors, } from "../../analysis/anomalies.js";
import { applyExceptions } from "../../analysis/exceptions.js";
import { BUILTIN_RULES_DIR, loadRules, RulesDirError, SEVERITIES, severityRank, } from "../../analysis/rules.js";
import { revealInvisible } from "../../render/text.js";
import { Store } from "../../store/index.js";
import { addAnalysisOptions, addDbOption, commandConfig } from "../config.js";
import { CliError, EXIT, UsageError } from "../errors.js";
import { intOption, severityOption } from "../options.js";
import { terminalJson, writeOut } from "../output.js";
import { asOfOption } from "./exceptions.js";
function findingLine(f) {
    const ids = [
        f.project_id === null ? null : `project ${f.project_id}`,
        f.group_id === null ? null : `group ${f.group_id}`,
        f.user_id === null ? null : `user ${f.user_id}`,
        f.role_id === null ? null : `role ${f.role_id}`,
    ].filter((x) => x !== null);
    const marks = [f.state === "new" || f.state === "changed" ? f.state.toUpperCase() : null, f.tier]
        .filter((x) => x !== null)
        .join(", ");
    const lines = [
        `    - ${marks === "" ? "" : `[${marks}] `}${f.detail === null ? "(no detail)" : revealInvisible(f.detail)}${ids.length > 0 ? `  [${ids.join(", ")}]` : ""}`,
    ];
    if (f.members.length > 0) {
        const shown = f.members
            .slice(0, MEMBERS_SHOWN)
            .map((m) => revealInvisible(m.email ?? m.user_id));
        const more = f.member_count - shown.length;
        lines.push(`      affects ${f.member_count}: ${shown.join(", ")}${more > 0 ? `, and ${more} more (--json lists up to ${MEMBERS_LISTED})` : ""}`);
    }
    return lines.join("\n");
}
/** Members listed under a finding in the terminal; --json has them all. */
const MEMBERS_SHOWN = 10;
/** `report.findings`: the open ones; `accepted`: those an exception accepts (shown apart). */
function renderText(report, rules, accepted = []) {
    const byId = new Map(rules.map((r) => [r.id, r]));
    const out = [];
    const counts = SEVERITIES.map((s) => [s, report.findings.filter((f) => f.severity === s).length])
        .filter(([, n]) => n > 0)
        .reverse()
        .map(([s, n]) => `${s} ${n}`);
    const status = (s) => report.rules.filter((r) => r.status === s).length;
    const fresh = report.findings.filter((f) => f.state === "new" || f.state === "changed").length;
    out.push(`snapshot ${report.snapshot_id}: ${report.findings.length} finding(s)${counts.length > 0 ? ` (${counts.join(", ")})` : ""}${report.previous_snapshot_id === null
        ? ""
        : `, ${fresh} new or changed since snapshot ${report.previous_snapshot_id}`}${accepted.length > 0 ? `; ${accepted.length} accepted by exception` : ""}`, `rules: ${report.rules.length}: ${status("alarm")} alarm, ${status("ok")} ok, ${status("skip")} skipped (not evaluated), ${status("error")} error`);
    for (const severity of [...SEVERITIES].reverse()) {
        const findings = report.findings.filter((f) => f.severity === severity);
        if (findings.length === 0)
            continue;
        out.push("", `${severity.toUpperCase()} (${findings.length})`);
        // One block per rule (in the order its first finding sorts), its findings under it.
        const byRule = new Map();
        for (const f of findings)
            byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
        for (const [id, ruleFindings] of byRule) {
            const rule = byId.get(id);
            out.push(`  ${id}: ${ruleFindings[0]?.title ?? id} (${ruleFindings.length})`);
            if (rule) {
                if (rule.controls.length > 0)
                    out.push(`    controls: ${rule.controls.join(", ")}`);
                if (rule.signal !== undefined)
                    out.push(`    signal: ${rule.signal}`);
                out.push(`    why: ${rule.rationale}`, `    fix: ${rule.remediation}`);
            }
            for (const f of ruleFindings)
                out.push(findingLine(f));
        }
    }
    if (accepted.length > 0) {
        out.push("", `ACCEPTED BY EXCEPTION (${accepted.length})`);
        for (const f of accepted) {
            const e = f.exception;
            out.push(`  ${f.rule}: ${f.title} [${f.severity}]`, findingLine(f));
            if (e !== null) {
                out.push(`      accepted until ${e.expires_on} by ${revealInvisible(e.approver)}: ${revealInvisible(e.reason)} (exception ${e.id})`);
            }
        }
    }
    const skipped = report.rules.filter((r) => r.status === "skip");
    if (skipped.length > 0) {
        out.push("", `SKIPPED, NOT EVALUATED (${skipped.length})`);
        for (const r of skipped)
            out.push(`  ${r.rule}: ${r.reason}; enable: ${r.setting}`);
    }
    if (report.errors.length > 0) {
        out.push("", `RULE ERRORS (${report.errors.length})`);
        for (const e of report.errors)
            out.push(`  ${e.rule}: ${e.message}`);
    }
    return out.join("\n");
}
export function registerAnomalies(program) {
    const command = program
        .command("anomalies")
        .description("Run the anomaly rules (shipped in sql/rules, plus --rules folders) against a snapshot");
    addAnalysisOptions(addDbOption(command).option("--snapshot <id>", "a complete snapshot (default: the latest)", intOption(1)))
        .option("--json", "print JSON: {snapshot_id, previous_snapshot_id, findings, errors, rules, skipped, as_of, accepted}")
        .option("--fail-on <severity>", `exit ${EXIT.findings} when an open finding (not accepted by an exception) is at or above this severity (${SEVERITIES.join("|")})`, severityOption)
        .option("--as-of <date>", "judge exceptions at this day (00:00 UTC) or ISO date-time (default: the snapshot's finished_at)", asOfOption)
        .action(async (flags, command) => {
        const config = await commandConfig(command);
        const store = await Store.open(config.database, { readOnly: true });
        let report;
        try {
            const snapshotId = await resolveSnapshotId(store, flags.snapshot);
            const loaded = await loadRules([BUILTIN_RULES_DIR, ...config.analysis.ruleDirs]).catch((error) => {
                throw error instanceof RulesDirError ? new UsageError(error.message) : error;
            });
            const ran = await runLoadedRules(store, loaded.rules, {
                snapshotId,
                config: config.analysis,
            });
            // Exceptions are judged at the snapshot's time unless asked: the same output every run.
            const [snapshot] = await store.query("SELECT finished_at FROM snapshots WHERE snapshot_id = $1", [snapshotId]);
            const asOf = flags.asOf ?? Date.parse(snapshot?.finished_at ?? "");
            const judged = applyExceptions(ran.findings, await store.readExceptions(), asOf);
            const accepted = judged.filter((f) => f.exception !== null);
            report = {
                ...ran,
                findings: judged,
                errors: sortErrors([...loaded.errors, ...ran.errors]),
            };
            const open = { ...report, findings: judged.filter((f) => f.exception === null) };
            writeOut(flags.json
                ? `${terminalJson({ ...report, as_of: new Date(asOf).toISOString(), accepted: accepted.length })}\n`
                : `${renderText(open, loaded.rules, accepted)}\n`);
        }
        finally {
            await store.close();
        }
        // Findings at or above --fail-on take precedence over rule errors (exit 3, then 1).
        const failOn = flags.failOn;
        if (failOn !== undefined) {
            const hits = report.findings.filter((f) => f.exception === null && severityRank(f.severity) >= severityRank(failOn)).length;
            // A skipped rule is not a passed one: the verdict says how many were not evaluated.
            const skipped = report.rules.filter((r) => r.status === "skip").length;
            const notEvaluated = skipped > 0 ? ` (${skipped} rule(s) skipped, not evaluated)` : "";
            if (hits > 0) {
                throw new CliError(`${hits} finding(s) at or above ${failOn}${notEvaluated}`, EXIT.findings);
            }
            if (skipped > 0)
                process.stderr.write(`no finding at or above ${failOn}${notEvaluated}\n`);
        }
        if (report.errors.length > 0) {
            throw new CliError(`${report.errors.length} rule(s) failed: ${report.errors.map((e) => e.rule).join(", ")}`);
        }
    });
}
//# sourceMappingURL=anomalies.js.map