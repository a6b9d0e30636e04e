import { InvalidArgumentError } from "commander";
import { parseDuration, Store, } from "../../store/index.js";
import { addDbOption, commandConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { intOption } from "../options.js";
import { terminalJson, writeOut } from "../output.js";
function durationOption(value) {
    if (parseDuration(value) === null) {
        throw new InvalidArgumentError(`expected a duration such as 90d, 12h or 8w, got "${value}"`);
    }
    return value.trim();
}
/** The policy the flags ask for, or undefined to use the configuration's. */
function policyFromFlags(flags) {
    if (flags.keepLast !== undefined && flags.keepYoungerThan !== undefined) {
        throw new UsageError("--keep-last and --keep-younger-than cannot be combined; choose one");
    }
    if (flags.monthly && flags.keepYoungerThan === undefined) {
        throw new UsageError("--monthly goes with --keep-younger-than");
    }
    if (flags.keepLast !== undefined)
        return { kind: "last", count: flags.keepLast };
    if (flags.keepYoungerThan !== undefined) {
        return {
            kind: "younger_than",
            duration: flags.keepYoungerThan,
            monthly: flags.monthly ?? false,
        };
    }
    return undefined;
}
function sum(values) {
    return Object.values(values).reduce((a, b) => a + b, 0);
}
function formatResult(result) {
    const lines = [`policy ${result.policy}${result.dry_run ? " (dry run: nothing changed)" : ""}`];
    const verb = result.dry_run ? "would prune" : "pruned";
    lines.push(result.prune.length === 0
        ? "nothing to prune"
        : `${verb} ${result.prune.length} snapshot(s): ${result.prune.join(", ")}`);
    const kept = result.decisions
        .filter((d) => d.action === "keep")
        .map((d) => `${d.snapshot_id} (${d.reasons.join(", ")})`);
    if (kept.length > 0)
        lines.push(`kept ${kept.length}: ${kept.join(", ")}`);
    if (result.prune.length > 0) {
        lines.push(`history rows deleted ${sum(result.history_rows_deleted)}, narrowed ${sum(result.history_rows_narrowed)}; ` +
            `evidence rows deleted ${result.evidence_rows_deleted}; seals kept (verify still chains through pruned snapshots)`);
    }
    return `${lines.join("\n")}\n`;
}
export function registerRetention(program) {
    const retention = program
        .command("retention")
        .description("Prune old snapshots by a retention policy (held snapshots and the latest stay)");
    const apply = retention
        .command("apply")
        .description("Apply the retention policy (flags, else the configuration's retention) in one transaction");
    addDbOption(apply)
        .option("--keep-last <n>", "keep the last N complete snapshots", intOption(1))
        .option("--keep-younger-than <duration>", "keep complete snapshots younger than this (e.g. 90d, 12h, 8w)", durationOption)
        .option("--monthly", "with --keep-younger-than: also keep the last snapshot of each month")
        .option("--dry-run", "show what would be pruned without changing anything")
        .option("--json", "print JSON")
        .action(async (flags, command) => {
        const policy = policyFromFlags(flags);
        const config = await commandConfig(command, {
            extra: policy === undefined ? {} : { retention: policy },
        });
        const store = await Store.open(config.database);
        try {
            const result = await store.applyRetention(config.retention, {
                dryRun: flags.dryRun ?? false,
                timeZone: config.schedule.timezone,
            });
            writeOut(flags.json ? `${terminalJson(result)}\n` : formatResult(result));
        }
        finally {
            await store.close();
        }
    });
}
//# sourceMappingURL=retention.js.map