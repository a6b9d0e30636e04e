import { InvalidArgumentError } from "commander";
import { EXPORT_FORMATS, exportSnapshots, Store } from "../../store/index.js";
import { TOOL_VERSION } from "../../version.js";
import { addDbOption, commandConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { intOption } from "../options.js";
import { terminalJson, writeOut } from "../output.js";
function formatOption(value) {
    const found = EXPORT_FORMATS.find((f) => f === value.toLowerCase());
    if (!found)
        throw new InvalidArgumentError(`expected one of ${EXPORT_FORMATS.join(", ")}`);
    return found;
}
export function registerExport(program) {
    const command = program
        .command("export")
        .description("Write the public views of complete snapshots to Parquet or CSV files (partitioned by snapshot), with a manifest");
    addDbOption(command)
        .requiredOption("--format <format>", `file format (${EXPORT_FORMATS.join("|")})`, formatOption)
        .requiredOption("--out <dir>", "folder to create (refused if it exists and is not empty)")
        .option("--snapshot <id>", "a complete snapshot (default: the latest)", intOption(1))
        .option("--all", "every complete snapshot")
        .option("--force", "replace --out if it exists and is not empty")
        .option("--raw-csv", "CSV: write names exactly as stored, for programs (default: hidden characters shown as [U+XXXX] and formulas neutralised, safe to open in a spreadsheet)")
        .option("--json", "print the manifest as JSON")
        .action(async (flags, command) => {
        if (flags.rawCsv && flags.format !== "csv") {
            throw new UsageError("--raw-csv applies to --format csv only");
        }
        if (flags.all && flags.snapshot !== undefined) {
            throw new UsageError("--snapshot and --all cannot be combined; choose one");
        }
        const store = await Store.open((await commandConfig(command, { notSettings: ["formats", "reportDir"] })).database, { readOnly: true });
        try {
            const manifest = await exportSnapshots(store, {
                format: flags.format,
                outDir: flags.out,
                snapshots: flags.all ? "all" : (flags.snapshot ?? "latest"),
                force: flags.force ?? false,
                rawCsv: flags.rawCsv ?? false,
                toolVersion: TOOL_VERSION,
            });
            if (flags.json) {
                writeOut(`${terminalJson(manifest)}\n`);
                return;
            }
            const ids = manifest.snapshots.map((s) => s.snapshot_id);
            const total = manifest.views.reduce((n, v) => n + v.rows, 0);
            const width = Math.max(...manifest.views.map((v) => v.view.length));
            writeOut(`exported snapshot(s) ${ids.join(", ")} to ${manifest.out_dir} (${manifest.format}): ` +
                `${manifest.views.length} views, ${total} rows\n` +
                manifest.views.map((v) => `  ${v.view.padEnd(width)}  ${v.rows}\n`).join("") +
                `manifest ${manifest.out_dir}/manifest.json\n`);
        }
        finally {
            await store.close();
        }
    });
}
//# sourceMappingURL=export.js.map