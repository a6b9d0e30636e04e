import { auditCoverage } from "../../analysis/attribution.js";
import { AdminClient } from "../../api/index.js";
import { syncAuditLog } from "../../crawl/index.js";
import { Store } from "../../store/index.js";
import { createLogger, redactKey } from "../../util/log.js";
import { TOOL_VERSION } from "../../version.js";
import { addApiOptions, addDbOption, commandAdminKey, commandConfig } from "../config.js";
import { abortOnSignals } from "../options.js";
import { terminalJson, writeErr, writeOut } from "../output.js";
import { formatTable } from "./analysis-shared.js";
/** The audit-log part of a crawl's or a sync's JSON. */
export function auditLogJson(result) {
    if (result === null)
        return null;
    if (!("sync" in result))
        return { status: result.status, reason: result.reason };
    const s = result.sync;
    return {
        status: result.status,
        sync_id: s.sync_id,
        reason: s.reason,
        read_from: s.read_from,
        coverage_from: s.coverage_from,
        covered_to: s.covered_to,
        events_read: s.events_read,
        events_added: s.events_added,
        requests: s.requests,
        seal: s.seal,
    };
}
/** One line for the terminal; a failed sync also warns on stderr. */
export function auditLogLine(result) {
    if (result === null)
        return "audit log: not synced (--no-audit-log)\n";
    if (!("sync" in result)) {
        return `audit log: not synced (${result.status}): ${result.reason}\n`;
    }
    const s = result.sync;
    if (result.status === "failed") {
        writeErr(`warning: audit log not synced: ${s.reason ?? ""}\n`);
        return `audit log: sync ${s.sync_id} failed, recorded as a gap: ${s.reason ?? ""}\n`;
    }
    return (`audit log: sync ${s.sync_id}: ${s.events_read} events read, ${s.events_added} new; ` +
        `covers ${s.coverage_from} to ${s.covered_to}\n`);
}
export function registerAuditLog(program) {
    const group = program
        .command("audit-log")
        .description("The organization audit log (who made each change): sync it, or show what is held and where the gaps are");
    const sync = group
        .command("sync")
        .description("Read the audit log since the newest event held (minus the overlap window) and append the new events; a crawl does this too");
    addApiOptions(addDbOption(sync))
        .option("--json", "print one JSON object")
        .action(async (flags, command) => {
        const config = await commandConfig(command);
        const apiKey = commandAdminKey(config);
        // Prints what it synced: on a terminal only warnings interrupt it.
        const logger = createLogger({ story: true });
        const store = await Store.open(config.database, { logger });
        const client = new AdminClient({
            baseUrl: config.api.baseUrl,
            apiKey,
            concurrency: config.api.concurrency,
            allowInsecureHttp: config.api.allowInsecureHttp,
            logger,
            ...(config.api.rateLimitRps === null ? {} : { rateLimitRps: config.api.rateLimitRps }),
        });
        const interrupt = abortOnSignals();
        try {
            const result = await syncAuditLog({
                client,
                store,
                baseUrl: config.api.baseUrl,
                keyRedacted: redactKey(apiKey),
                toolVersion: TOOL_VERSION,
                overlapSeconds: config.api.auditLogOverlapMinutes * 60,
                logger,
                signal: interrupt.signal,
            });
            if (flags.json)
                writeOut(`${terminalJson(auditLogJson(result), 0)}\n`);
            else
                writeOut(auditLogLine(result));
            // A refused sync is recorded (a gap), but the command did not do its job.
            if (result.status === "failed")
                process.exitCode = 1;
        }
        finally {
            interrupt.release();
            await client.close();
            await store.close();
        }
    });
    const status = group
        .command("status")
        .description("List the syncs, the window the audit log covers and its gaps")
        .option("--json", "print one JSON object");
    addDbOption(status).action(async (flags, command) => {
        const config = await commandConfig(command);
        const store = await Store.open(config.database, {
            readOnly: true,
            logger: createLogger({ story: true }),
        });
        try {
            const syncs = await store.listAuditSyncs();
            const coverage = await auditCoverage(store);
            const events = await store.query("SELECT count(*)::INTEGER AS n FROM audit_events");
            const body = {
                events: events[0]?.n ?? 0,
                covered: coverage.covered,
                gaps_between: coverage.gapsBetween,
                syncs,
            };
            if (flags.json) {
                writeOut(`${terminalJson(body, 0)}\n`);
                return;
            }
            writeOut(`${body.events} events held; covered: ${coverage.covered.length === 0
                ? "nothing yet"
                : coverage.covered.map((c) => `${c.from} to ${c.to}`).join(", ")}\n`);
            for (const gap of coverage.gapsBetween) {
                writeOut(`gap: ${gap.from} to ${gap.to}\n`);
            }
            writeOut(formatTable(["sync", "started", "status", "events read", "new", "covers", "reason"], syncs.map((s) => [
                String(s.sync_id),
                s.started_at,
                s.status,
                String(s.events_read),
                String(s.events_added),
                s.coverage_from === null ? "-" : `${s.coverage_from} to ${s.covered_to}`,
                s.reason ?? "",
            ])));
            writeOut("\n");
        }
        finally {
            await store.close();
        }
    });
}
//# sourceMappingURL=audit-log.js.map