/**
 * Export of the public views to Parquet or CSV files with DuckDB's COPY, for tools that do not
 * read DuckDB (a data lake, a spreadsheet, an auditor's own scripts).
 *
 * Layout under the output folder: `snapshots.parquet` (the `snapshots` rows of the exported
 * snapshots, one file), and for every other view a folder partitioned Hive-style by snapshot,
 * `snapshot_groups/snapshot_id=7/data_0.parquet` (the partition column lives in the path: read
 * with `read_parquet('out/snapshot_groups/*' + '/*.parquet', hive_partitioning = true)`); a view
 * with no rows gets an empty folder. CSV is the same with `.csv` files and a header row.
 * `manifest.json` lists the views, their row counts (per snapshot), every file with its size and
 * SHA-256, the snapshots with their seals, and the tool and schema versions.
 *
 * Files are written into a temporary sibling folder that is renamed into place at the end, so an
 * interrupted or failed export leaves nothing under the final name. The parent folder is reached
 * without following links and held open (`openOutputFolder`), the staging folder is written
 * through a descriptor too, and the parent is re-checked right before the renames: a link planted
 * on the way, or a folder swapped for one during the export, never receives a file.
 */
import { createHash } from "node:crypto";
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { AuditError } from "../errors.js";
import { checkOutputDir, holdFolder, lstatOrNull, OutputPathError, openOutputFolder, orphanedEntries, outputError, removeEmptyFolders, sweepOrphans, } from "../util/files.js";
import { sqlQueries } from "../util/sql-files.js";
import { hiddenCharacterClassRe2 } from "../util/unicode.js";
import { ident, PUBLIC_VIEWS } from "./schema.js";
export const EXPORT_FORMATS = ["parquet", "csv"];
/**
 * Every public view, in manifest order (declared with the fact types); all but `snapshots` are
 * partitioned by snapshot.
 */
export const EXPORT_VIEWS = PUBLIC_VIEWS;
/** What the folder's error messages call this output. */
export const EXPORT_OUTPUT = "the export";
/** An export refused before anything was written; the message is one user-facing line. */
export class ExportError extends AuditError {
    /** A refused --out or snapshot choice is the caller's (2); an empty database fails (1). */
    constructor(code, message) {
        super(code, message, { exitClass: code === "NO_SNAPSHOT" ? "failure" : "usage" });
    }
}
const sqlString = (text) => `'${text.replaceAll("'", "''")}'`;
const textMacros = sqlQueries("macros/text.sql");
/** Creates `csv_reveal` and `csv_cell` (TEMP macros) with the hidden-character class written in. */
async function installCsvMacros(store) {
    const hidden = hiddenCharacterClassRe2().replaceAll("'", "''");
    for (const name of ["csv_reveal", "csv_cell"]) {
        await store.query(textMacros(name).replaceAll("{hidden}", hidden));
    }
}
/**
 * The view's columns for a CSV file: every text column (and every list or struct, which CSV
 * writes as text) through `csv_cell`; numbers, booleans and times as they are.
 */
async function csvColumns(store, view) {
    const columns = await store.query(`SELECT column_name, data_type FROM information_schema.columns
     WHERE table_schema = 'main' AND table_name = $view ORDER BY ordinal_position`, { view });
    return columns
        .map(({ column_name: name, data_type: type }) => {
        const column = ident(name);
        if (type === "VARCHAR")
            return `csv_cell(${column}) AS ${column}`;
        if (/\[\]$|^(STRUCT|MAP|UNION|JSON)/.test(type)) {
            return `csv_cell(CAST(${column} AS VARCHAR)) AS ${column}`;
        }
        return column;
    })
        .join(", ");
}
/** The complete snapshots to export, checked against the database. */
async function selectSnapshots(store, wanted) {
    const complete = (await store.query("SELECT snapshot_id AS id FROM snapshots WHERE status = 'complete' ORDER BY snapshot_id")).map((r) => r.id);
    if (complete.length === 0) {
        throw new ExportError("NO_SNAPSHOT", `database ${store.path} has no complete snapshot to export`);
    }
    if (wanted === "all")
        return complete;
    if (wanted === undefined || wanted === "latest")
        return [complete.at(-1)];
    if (complete.includes(wanted))
        return [wanted];
    const rows = await store.query("SELECT status FROM snapshots WHERE snapshot_id = $1", [wanted]);
    const status = rows[0]?.status;
    throw new ExportError("UNKNOWN_SNAPSHOT", status === undefined
        ? `snapshot ${wanted} does not exist (latest complete: ${complete.at(-1)})`
        : `snapshot ${wanted} is ${status}, not complete: only complete snapshots can be exported`);
}
/** A refused link on the way to --out (usage) as the export's own error; anything else as is. */
function asExportError(error) {
    if (error instanceof OutputPathError && error.usage) {
        return new ExportError("TARGET_SYMLINK", error.message);
    }
    return error;
}
/**
 * Refuses a symbolic link (in any component of `outDir`, or `outDir` itself), a target that is a
 * file, a non-empty folder without `force`, and a place the machine does not let us write (its
 * parent must be writable: the export is written beside it and renamed into place). Checked
 * with lstat through the parent held open, so what is judged is what will be replaced.
 */
function checkTarget(parent, outDir, force) {
    const entry = parent.at(basename(outDir));
    const stat = lstatOrNull(entry);
    if (stat === null)
        return "absent";
    if (stat.isSymbolicLink()) {
        throw new ExportError("TARGET_SYMLINK", `--out ${outDir} is a symbolic link: refusing to follow it (pass the real folder)`);
    }
    if (!stat.isDirectory()) {
        throw new ExportError("TARGET_NOT_EMPTY", `${outDir} exists and is not a folder`);
    }
    if (readdirSync(entry).length === 0)
        return "empty";
    if (!force) {
        throw new ExportError("TARGET_NOT_EMPTY", `${outDir} exists and is not empty; choose another --out or pass --force to replace it`);
    }
    return "replace";
}
function listFiles(dir) {
    const out = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory())
            out.push(...listFiles(path));
        else
            out.push(path);
    }
    return out.sort();
}
async function sha256File(path) {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(path))
        hash.update(chunk);
    return hash.digest("hex");
}
/** Row counts per snapshot, read back from the written files (the export checks itself). */
async function countWritten(store, format, path, partitioned, snapshotIds) {
    const counts = Object.fromEntries(snapshotIds.map((id) => [String(id), 0]));
    if (partitioned && listFiles(path).length === 0)
        return counts;
    const pattern = partitioned ? join(path, "*", `*.${format}`) : path;
    const reader = format === "parquet"
        ? `read_parquet(${sqlString(pattern)}, hive_partitioning = ${partitioned})`
        : // The writer's own dialect, not sniffed: a sniffer reading a name that holds a CR or
            // quotes across several files can reach "an invalid state" on a valid file.
            `read_csv(${sqlString(pattern)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', new_line = '\\n', hive_partitioning = ${partitioned})`;
    const rows = await store.query(`SELECT snapshot_id AS id, count(*)::BIGINT AS n FROM ${reader} GROUP BY ALL ORDER BY ALL`);
    for (const row of rows)
        counts[String(Number(row.id))] = row.n;
    return counts;
}
/**
 * Writes the public views of the chosen snapshots under `outDir` and returns the manifest
 * (also written as `manifest.json`). The store may be open read-only.
 */
export async function exportSnapshots(store, options) {
    const outDir = resolve(options.outDir);
    const name = basename(outDir);
    // Before anything is created: no link on the way, a folder we can write.
    try {
        checkOutputDir(outDir, EXPORT_OUTPUT, { parent: true });
    }
    catch (error) {
        throw asExportError(error);
    }
    let parent;
    try {
        parent = openOutputFolder(dirname(outDir), EXPORT_OUTPUT, { shown: outDir });
    }
    catch (error) {
        throw asExportError(outputError(EXPORT_OUTPUT, outDir, error) ?? error);
    }
    // Folders made for the export are removed again if it fails (nothing partial is left).
    const cleanUpParent = async () => {
        if (parent.created !== undefined)
            await removeEmptyFolders(parent.path, parent.created);
    };
    let staging;
    let stagingEntry;
    try {
        recoverFromKilledExport(parent, name);
        const target = checkTarget(parent, outDir, options.force ?? false);
        const snapshotIds = await selectSnapshots(store, options.snapshots);
        const ids = snapshotIds.join(", ");
        try {
            stagingEntry = mkdtempSync(parent.at(`${name}${STAGING_INFIX}${process.pid}-`));
            staging = holdFolder(stagingEntry);
        }
        catch (error) {
            throw outputError(EXPORT_OUTPUT, outDir, error) ?? error;
        }
        const format = options.format;
        const safeCsv = format === "csv" && options.rawCsv !== true;
        if (safeCsv)
            await installCsvMacros(store);
        const copyOptions = format === "parquet" ? "FORMAT parquet" : "FORMAT csv, HEADER true";
        const views = [];
        for (const view of EXPORT_VIEWS) {
            const partitioned = view !== "snapshots";
            const relPath = partitioned ? view : `${view}.${format}`;
            const path = join(staging.path, relPath);
            const columns = safeCsv ? await csvColumns(store, view) : "*";
            const select = `SELECT ${columns} FROM ${view} WHERE snapshot_id IN (${ids})${partitioned ? "" : " ORDER BY snapshot_id"}`;
            const copied = await store.query(`COPY (${select}) TO ${sqlString(path)} (${copyOptions}${partitioned ? ", PARTITION_BY (snapshot_id)" : ""})`);
            const rows = Number(copied[0]?.Count ?? 0);
            // DuckDB writes no folder for an empty partitioned result; readers expect one per view.
            if (partitioned)
                mkdirSync(path, { recursive: true });
            const rowsBySnapshot = await countWritten(store, format, path, partitioned, snapshotIds);
            const written = Object.values(rowsBySnapshot).reduce((a, b) => a + b, 0);
            if (written !== rows) {
                throw new Error(`export of ${view}: COPY reported ${rows} rows but the files hold ${written}`);
            }
            const files = [];
            for (const file of partitioned ? listFiles(path) : [path]) {
                files.push({
                    path: relative(staging.path, file).split(sep).join("/"),
                    bytes: statSync(file).size,
                    sha256: await sha256File(file),
                });
            }
            views.push({
                view,
                path: relPath,
                partitioned,
                rows,
                rows_by_snapshot: rowsBySnapshot,
                files,
            });
        }
        const snapshots = await store.query(`SELECT snapshot_id, finished_at, seal FROM snapshots WHERE snapshot_id IN (${ids}) ORDER BY snapshot_id`);
        const manifest = {
            format,
            tool_version: options.toolVersion,
            schema_version: store.schemaVersion,
            exported_at: new Date().toISOString(),
            database: store.path,
            out_dir: outDir,
            partitioning: "hive:snapshot_id",
            ...(format === "csv" ? { csv_cells: safeCsv ? "safe" : "raw" } : {}),
            snapshots,
            views,
        };
        writeFileSync(join(staging.path, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, {
            flag: "wx",
        });
        staging.close();
        staging = undefined;
        parent.recheck();
        publishFolder(parent, stagingEntry, name, target);
        stagingEntry = undefined;
        return manifest;
    }
    catch (error) {
        staging?.close();
        if (stagingEntry !== undefined)
            rmSync(stagingEntry, { recursive: true, force: true });
        await cleanUpParent();
        if (error instanceof AuditError)
            throw error;
        // A full disk or a read-only folder (from Node or from DuckDB's COPY): one line naming --out.
        throw outputError(EXPORT_OUTPUT, outDir, error) ?? error;
    }
    finally {
        parent.close();
    }
}
/** Staging folders are `<out>.partial-<pid>-<random>`: a killed export's is found by its pid. */
const STAGING_INFIX = ".partial-";
/**
 * Cleans up after an export that was killed: its staging folder is removed, and a previous
 * export it had moved aside (`<staging>.replaced`) goes back under `--out` if nothing took its
 * place, so a kill between the two renames of `publishFolder` loses nothing. Only real folders
 * are moved or removed (`orphanedEntries` skips links), through the parent held open.
 */
function recoverFromKilledExport(parent, name) {
    const prefix = `${name}${STAGING_INFIX}`;
    for (const aside of orphanedEntries(parent.at(), prefix, ".replaced")) {
        if (!lstatOrNull(aside)?.isDirectory())
            continue;
        if (lstatOrNull(parent.at(name)) !== null)
            rmSync(aside, { recursive: true, force: true });
        else
            renameSync(aside, parent.at(name));
    }
    sweepOrphans(parent.at(), prefix, "");
}
/**
 * Moves the finished folder into place; a replaced folder is removed only after the swap. Every
 * step is a rename or removal of a name in the parent held open: a rename never follows a link
 * (renaming a folder over a link fails), and `fs.rm` unlinks a link rather than following it.
 */
function publishFolder(parent, staging, name, target) {
    const outDir = parent.at(name);
    // An empty folder is replaced by the rename itself.
    if (target !== "replace") {
        renameSync(staging, outDir);
        return;
    }
    const old = `${staging}.replaced`;
    renameSync(outDir, old);
    try {
        renameSync(staging, outDir);
    }
    catch (error) {
        renameSync(old, outDir);
        throw error;
    }
    rmSync(old, { recursive: true, force: true });
}
//# sourceMappingURL=export.js.map