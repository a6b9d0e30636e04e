import { Store } from "../../store/index.js";
import { addDbOption, commandConfig } from "../config.js";
import { CliError } from "../errors.js";
import { intOption } from "../options.js";
import { terminalJson, writeOut } from "../output.js";
export function registerVerify(program) {
    const verify = program
        .command("verify")
        .description("Recompute the seal of every complete snapshot (or one) and report any mismatch");
    addDbOption(verify)
        .option("--snapshot <id>", "verify only this snapshot", intOption(1))
        .option("--json", "print JSON")
        .action(async (flags, command) => {
        const store = await Store.open((await commandConfig(command)).database, { readOnly: true });
        try {
            const result = await store.verify(flags.snapshot);
            if (flags.json) {
                writeOut(`${terminalJson(result)}\n`);
            }
            else {
                for (const s of result.snapshots) {
                    writeOut(s.ok
                        ? `snapshot ${s.snapshot_id}: ok ${s.stored}\n`
                        : `snapshot ${s.snapshot_id}: MISMATCH stored ${s.stored ?? "-"} computed ${s.computed}\n`);
                }
                for (const p of result.pruned) {
                    writeOut(`snapshot ${p.snapshot_id}: pruned, seal ${p.seal ?? "-"} kept in the chain\n`);
                }
                for (const issue of result.issues)
                    writeOut(`issue: ${issue}\n`);
                const audit = result.audit_log;
                if (audit !== undefined) {
                    for (const sync of audit.syncs) {
                        if (sync.ok)
                            continue;
                        writeOut(`audit-log sync ${sync.sync_id}: MISMATCH ${sync.problems.join("; ")}${sync.changed_events.length > 0
                            ? ` (events ${sync.changed_events.join(", ")})`
                            : ""}\n`);
                    }
                    for (const issue of audit.issues)
                        writeOut(`issue: ${issue}\n`);
                    if (audit.ok)
                        writeOut(`audit log: ${audit.syncs.length} sync(s) verified\n`);
                }
                const register = result.exceptions;
                if (register !== undefined) {
                    for (const p of register.problems) {
                        writeOut(`exceptions register entry ${p.seq}: MISMATCH ${exceptionEntryText(p)}\n`);
                    }
                    if (register.ok) {
                        writeOut(`exceptions register: ${register.entries} entr${register.entries === 1 ? "y" : "ies"} verified${register.head === null ? "" : `, head seal ${register.head}`}\n`);
                    }
                }
                writeOut(result.ok
                    ? `${result.snapshots.length} snapshot(s) verified\n`
                    : "verification FAILED\n");
            }
            if (!result.ok) {
                const bad = result.snapshots.filter((s) => !s.ok).map((s) => s.snapshot_id);
                const badSyncs = (result.audit_log?.syncs ?? [])
                    .filter((s) => !s.ok)
                    .map((s) => s.sync_id);
                const firstIssue = result.issues[0] ?? result.audit_log?.issues[0];
                const badEntry = result.exceptions?.problems[0];
                throw new CliError(bad.length > 0
                    ? `seal mismatch in snapshot(s) ${bad.join(", ")}: the stored history was altered`
                    : badSyncs.length > 0
                        ? `audit-log chain mismatch in sync(s) ${badSyncs.join(", ")}: the stored audit log was altered`
                        : badEntry !== undefined
                            ? `exceptions register altered: entry ${badEntry.seq} ${exceptionEntryText(badEntry)}`
                            : `stored history is inconsistent: ${firstIssue ?? "unknown problem"}`);
            }
        }
        finally {
            await store.close();
        }
    });
}
/** One register problem: the entry's exception (when known) and what is wrong with it. */
function exceptionEntryText(p) {
    return `${p.exception_id === null ? "" : `(exception ${p.exception_id}) `}${p.problem}`;
}
//# sourceMappingURL=verify.js.map