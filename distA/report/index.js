/**
 * Reports: the HTML report and the Excel workbook of one snapshot and its changes since an
 * earlier one. Both render the same model (model.ts). Files are written under a temporary name
 * and renamed into place, owner-only, so a reader never sees half a report; the snapshots a
 * report relies on are re-verified against their seals first, so a tampered database cannot
 * produce a clean-looking report.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { previousSnapshotId } from "../analysis/access.js";
import { templateVersion } from "../render/templates.js";
import { checkOutputDir, OutputPathError, writeFilesAtomically } from "../util/files.js";
import { trimHeapEvery } from "../util/heap.js";
import { TOOL_VERSION } from "../version.js";
import { renderHtml } from "./html.js";
import { buildReportModel, ReportError, releaseReportTables } from "./model.js";
import { phaseTimer } from "./phases.js";
export { buildReportModel, CHANGE_LABELS, ReportError } from "./model.js";
export const REPORT_FORMATS = ["html", "xlsx"];
/**
 * DuckDB memory_limit for the read-only store a report reads: the effective-access and member
 * queries spill beyond it instead of growing the process (the workbook writer needs its own
 * ~200 MB alongside).
 */
export const REPORT_MEMORY_LIMIT = "256MB";
/**
 * How often a report collects its JS heap (util/heap.ts). At a million memberships, once a second
 * kept the workbook's peak RSS at 721-779 MB (865-958 MB without) for about 0.5 s of its 21 s.
 */
const HEAP_TRIM_INTERVAL_MS = 1000;
/**
 * `access-review-s12-2026-11-29`, or `access-review-s12-since-s9-2026-11-29` when compared with
 * a snapshot other than the one just before it (so the two never overwrite each other).
 */
export function reportBaseName(model, defaultPreviousId) {
    const since = model.previous !== null && model.previous.snapshot_id !== defaultPreviousId
        ? `-since-s${model.previous.snapshot_id}`
        : "";
    return `access-review-s${model.snapshot.snapshot_id}${since}-${model.org_date}`;
}
/** Builds the model once and writes each requested format into `outDir`. */
export async function writeReports(store, options) {
    // Before the (long) analysis: a folder that cannot be written fails at once.
    checkReportsDir(options.outDir);
    // The analysis and the workbook allocate fast and, with the workbook's zip on a thread of its
    // own, rarely leave the main thread idle for V8 to collect: the heap grew to 2-3 times its live
    // size (124 MB live, 360 MB in use while the Project access sheet streamed).
    const stopHeapTrim = trimHeapEvery(HEAP_TRIM_INTERVAL_MS);
    try {
        return await writeModelAndFiles(store, options);
    }
    finally {
        stopHeapTrim();
    }
}
async function writeModelAndFiles(store, options) {
    const model = await buildReportModel(store, {
        ...(options.snapshotId === undefined ? {} : { snapshotId: options.snapshotId }),
        ...(options.fromId === undefined ? {} : { fromId: options.fromId }),
        ...(options.config === undefined ? {} : { config: options.config }),
        ...(options.ruleDirs === undefined ? {} : { ruleDirs: options.ruleDirs }),
        toolVersion: TOOL_VERSION,
        templateVersion: templateVersion(),
        organizationName: options.organization ?? null,
        keepEffectiveAccess: true,
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...(options.verify === false ? {} : { beforeAnalysis: (ids) => verifySeals(store, ids) }),
    });
    try {
        return await writeFiles(store, model, options);
    }
    finally {
        await releaseReportTables(store);
    }
}
/**
 * Recomputes the seals of the snapshots a report relies on, in one pass (a history row both
 * show is digested once); a mismatch stops the report.
 */
async function verifySeals(store, snapshotIds) {
    const result = await store.verify(snapshotIds);
    const failed = snapshotIds.find((id) => !result.snapshots.some((s) => s.snapshot_id === id && s.ok));
    if (failed !== undefined) {
        throw new ReportError(`snapshot ${failed} does not match its seal: refusing to report on it (run \`access-audit verify\`)`);
    }
}
/**
 * A symbolic link is refused (usage, exit 2); a folder the machine does not let us write
 * (read-only, a file in the way, immutable) fails with one line naming it (exit 1).
 */
export function checkReportsDir(outDir) {
    try {
        checkOutputDir(outDir, "reports");
    }
    catch (error) {
        if (error instanceof OutputPathError && error.usage)
            throw new ReportError(error.message, true);
        throw error;
    }
}
/**
 * Every format is written under a temporary name first and renamed into place only when all
 * are written: a full disk or a failure halfway leaves no report (and no temporary file).
 */
async function writeFiles(store, model, options) {
    checkReportsDir(options.outDir);
    const base = reportBaseName(model, await previousSnapshotId(store, model.snapshot.snapshot_id));
    const formats = REPORT_FORMATS.filter((f) => options.formats.includes(f));
    const timed = phaseTimer(options.logger);
    // Written through the folder held open (no link followed, re-checked before publishing). Each
    // report is followed by its checksum file, made from the report's temporary file, so both are
    // renamed into place together or neither is.
    const digests = new Map();
    const written = await writeFilesAtomically(options.outDir, "reports", formats.flatMap((format) => {
        const name = `${base}.${format}`;
        return [
            {
                name,
                write: async (temp) => {
                    await timed(format, async () => {
                        if (format === "html")
                            await writeFile(temp, renderHtml(model), { mode: 0o600 });
                        else {
                            // Loaded only for a workbook: exceljs alone costs an HTML report about 0.3 s.
                            const { writeWorkbook } = await import("./xlsx.js");
                            await writeWorkbook(store, model, temp, { timed });
                        }
                    });
                    digests.set(format, await fileSha256(temp));
                },
            },
            {
                name: `${name}.sha256`,
                write: async (temp) => {
                    await writeFile(temp, checksumLine(digests.get(format) ?? "", name), { mode: 0o600 });
                },
            },
        ];
    }));
    const files = formats.map((format, i) => {
        const file = written[2 * i];
        return {
            format,
            path: join(options.outDir, file.name),
            bytes: file.bytes,
            sha256: file.sha256,
            sha256_path: join(options.outDir, `${file.name}.sha256`),
        };
    });
    return { model, files };
}
/**
 * One line of `sha256sum` output: `<hex>  <file name>\n` (two spaces: text mode), so that
 * `sha256sum -c access-review-….html.sha256` run in the reports folder checks the report. The
 * name is ours (`reportBaseName`: ASCII letters, digits, dashes), never an API value.
 */
export function checksumLine(sha256, fileName) {
    if (!/^[0-9a-f]{64}$/.test(sha256) || !/^[A-Za-z0-9._-]+$/.test(fileName)) {
        throw new Error(`checksumLine: unexpected digest or file name ${JSON.stringify(fileName)}`);
    }
    return `${sha256}  ${fileName}\n`;
}
async function fileSha256(path) {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(path))
        hash.update(chunk);
    return hash.digest("hex");
}
//# sourceMappingURL=index.js.map