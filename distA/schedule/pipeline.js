import { findingsByRule } from "../analysis/anomalies.js";
import { severityRank } from "../analysis/rules.js";
import { AdminClient } from "../api/index.js";
import { crawl } from "../crawl/index.js";
import { sendChangeReport } from "../deliver/email.js";
import { changeReportEmail } from "../deliver/report-email.js";
import { REPORT_MEMORY_LIMIT, writeReports, } from "../report/index.js";
import { Store } from "../store/index.js";
import { redactKey, silentLogger } from "../util/log.js";
import { TOOL_VERSION } from "../version.js";
// The change email's content (who made each change included) is built in src/deliver.
export { changeReportEmail };
export async function runPipeline(options) {
    const started = performance.now();
    const logger = options.logger ?? silentLogger;
    // 1. Crawl into a new snapshot (nothing is published unless every listing completed).
    const writeStore = await Store.open(options.dbPath, { logger, stageApart: true });
    const client = new AdminClient({
        baseUrl: options.api.baseUrl,
        apiKey: options.api.apiKey,
        concurrency: options.api.concurrency,
        allowInsecureHttp: options.api.allowInsecureHttp ?? false,
        logger,
        ...(options.api.rateLimitRps ? { rateLimitRps: options.api.rateLimitRps } : {}),
    });
    let crawled;
    try {
        crawled = await crawl({
            client,
            store: writeStore,
            baseUrl: options.api.baseUrl,
            keyRedacted: redactKey(options.api.apiKey),
            toolVersion: TOOL_VERSION,
            concurrency: options.api.concurrency,
            userRoles: options.api.userRoles,
            projects: options.api.projects ?? true,
            projectRoleAssignments: options.api.projectRoleAssignments ?? true,
            credentials: options.api.credentials ?? true,
            auditLog: options.api.auditLog ?? true,
            ...(options.api.auditLogOverlapMinutes === undefined
                ? {}
                : { auditLogOverlapSeconds: options.api.auditLogOverlapMinutes * 60 }),
            ...(options.crawlLimits ? { limits: options.crawlLimits } : {}),
            logger,
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
        });
    }
    finally {
        await client.close();
        await writeStore.close();
    }
    logger.info({ snapshot_id: crawled.snapshotId, seal: crawled.seal }, "snapshot published");
    // Stopping between stages leaves a complete snapshot; `access-audit report` can finish the job.
    options.signal?.throwIfAborted();
    // 2–3. Analyse and report, read-only (readers get DuckDB's larger memory budget).
    const readStore = await Store.open(options.dbPath, {
        readOnly: true,
        memoryLimit: REPORT_MEMORY_LIMIT,
        logger,
    });
    let model;
    let files;
    try {
        ({ model, files } = await writeReports(readStore, {
            outDir: options.report.outDir,
            formats: options.report.formats,
            snapshotId: crawled.snapshotId,
            config: options.analysis,
            ruleDirs: options.ruleDirs,
            organization: options.report.organization ?? null,
        }));
    }
    finally {
        await readStore.close();
    }
    for (const file of files)
        logger.info({ path: file.path, bytes: file.bytes }, "report written");
    options.signal?.throwIfAborted();
    // 4. Deliver: a failed send is logged as a failed delivery, never a failed run.
    let delivery = null;
    if (options.email) {
        delivery = await sendChangeReport(changeReportEmail(model, files), options.email);
        if (delivery.status === "failed") {
            logger.error({ error: delivery.error, attempts: delivery.attempts }, "email delivery failed");
        }
        else {
            logger.info({ status: delivery.status }, "email delivery");
        }
    }
    // 5. Retention, only after everything above succeeded.
    let retention = null;
    if (options.retention) {
        const store = await Store.open(options.dbPath, { logger });
        try {
            retention = await options.retention(store);
        }
        finally {
            await store.close();
        }
        if (retention.pruned.length > 0)
            logger.info({ pruned: retention.pruned }, "retention applied");
    }
    // Accepted findings leave the verdict (schedule.fail_on) until their exception expires.
    const open = model.findings.filter((f) => f.exception === null);
    const maxSeverity = open.reduce((max, f) => (max === null || severityRank(f.severity) > severityRank(max) ? f.severity : max), null);
    return {
        snapshot_id: crawled.snapshotId,
        previous_id: model.previous?.snapshot_id ?? null,
        seal: crawled.seal,
        changes: model.changes.length,
        findings: open.length,
        findings_by_rule: findingsByRule(open),
        new_findings: open.filter((f) => f.is_new).length,
        accepted_findings: model.accepted_findings,
        skipped_rules: model.rules.filter((r) => r.status === "skip").map((r) => r.id),
        max_severity: maxSeverity,
        rule_errors: model.rule_errors.map((e) => e.rule),
        files,
        delivery,
        retention,
        crawl: {
            requests: crawled.requests,
            retries: crawled.retries,
            duration_ms: Math.round(crawled.durationMs),
        },
        duration_ms: Math.round(performance.now() - started),
    };
}
//# sourceMappingURL=pipeline.js.map