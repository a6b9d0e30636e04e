import { Store } from "../../store/index.js";
import { addDbOption, commandConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { intOption } from "../options.js";
import { terminalJson, writeOut } from "../output.js";
export function registerSnapshots(program) {
    const list = program
        .command("snapshots")
        .description("List snapshots with status, counts and seal; hold or release one");
    addDbOption(list)
        .option("--json", "print JSON")
        .action(async (flags, command) => {
        const store = await Store.open((await commandConfig(command)).database, { readOnly: true });
        try {
            const snapshots = await store.listSnapshots();
            const holds = await store.listHolds();
            const held = new Set(holds.map((h) => h.snapshot_id));
            const rows = snapshots.map((r) => ({ ...r, held: held.has(r.snapshot_id) }));
            if (flags.json) {
                writeOut(`${terminalJson(rows)}\n`);
                return;
            }
            if (rows.length === 0) {
                writeOut("no snapshots yet: run `access-audit crawl`\n");
                return;
            }
            const header = [
                "id",
                "status",
                "finished_at",
                "groups",
                "memberships",
                "users",
                "roles",
                "seal",
            ];
            const table = rows.map((r) => [
                String(r.snapshot_id),
                r.held ? `${r.status} (held)` : r.status,
                r.finished_at ?? "-",
                String(r.groups ?? "-"),
                String(r.memberships ?? "-"),
                String(r.users ?? "-"),
                String(r.roles ?? "-"),
                r.seal ? r.seal.slice(0, 16) : "-",
            ]);
            const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)));
            const fmt = (row) => row
                .map((c, i) => c.padEnd(widths[i] ?? 0))
                .join("  ")
                .trimEnd();
            writeOut(`${[fmt(header), ...table.map(fmt)].join("\n")}\n`);
        }
        finally {
            await store.close();
        }
    });
    registerHolds(list);
}
/** `snapshots hold ID --reason TEXT` and `snapshots release ID`: legal holds against retention. */
function registerHolds(snapshots) {
    const hold = snapshots
        .command("hold")
        .description("Put a hold on a complete snapshot: retention never prunes it")
        .argument("<id>", "snapshot id", intOption(1));
    addDbOption(hold)
        .requiredOption("--reason <text>", "why it is held (e.g. the certification campaign)")
        .option("--json", "print JSON")
        .action(async (id, _flags, command) => {
        // `--db`/`--json` after the id are taken by `snapshots` itself (commander parses parent
        // options anywhere), so read them merged.
        const flags = command.optsWithGlobals();
        if (flags.reason.trim() === "")
            throw new UsageError("--reason must not be empty");
        const store = await Store.open((await commandConfig(command)).database);
        try {
            const created = await store.addHold(id, flags.reason);
            writeOut(flags.json ? `${terminalJson(created, 0)}\n` : `snapshot ${id} held: ${created.reason}\n`);
        }
        finally {
            await store.close();
        }
    });
    const release = snapshots
        .command("release")
        .description("Remove the holds on a snapshot (only those with --reason, when given)")
        .argument("<id>", "snapshot id", intOption(1));
    addDbOption(release)
        .option("--reason <text>", "release only the hold with this reason")
        .option("--json", "print JSON")
        .action(async (id, _flags, command) => {
        const flags = command.optsWithGlobals();
        const store = await Store.open((await commandConfig(command)).database);
        try {
            const released = await store.releaseHolds(id, flags.reason);
            if (flags.json) {
                writeOut(`${terminalJson({ snapshot_id: id, released }, 0)}\n`);
            }
            else {
                writeOut(released === 0
                    ? `snapshot ${id} had no ${flags.reason === undefined ? "hold" : "such hold"}\n`
                    : `snapshot ${id}: ${released} hold(s) released\n`);
            }
        }
        finally {
            await store.close();
        }
    });
}
//# sourceMappingURL=snapshots.js.map