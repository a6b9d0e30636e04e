/**
 * One run, as one unit: crawl → analyse → report → deliver → retention. `access-audit run`
 * calls it once; the scheduler calls it on every tick; the demo calls it twice. A failed crawl
 * publishes nothing and ends the run; a failed delivery is recorded and the run still counts
 * (the snapshot and the report files are already safe on disk).
 */
import type { Logger } from "pino";
import { findingsByRule } from "../analysis/anomalies.js";
import type { AnalysisConfig } from "../analysis/config.js";
import { type Severity, severityRank } from "../analysis/rules.js";
import { AdminClient } from "../api/index.js";
import { type CrawlLimits, type CrawlProgress, crawl } from "../crawl/index.js";
import { type DeliveryResult, type EmailOptions, sendChangeReport } from "../deliver/email.js";
import { changeReportEmail } from "../deliver/report-email.js";
import {
  REPORT_MEMORY_LIMIT,
  type ReportFile,
  type ReportFormat,
  type ReportModel,
  writeReports,
} from "../report/index.js";
import { Store } from "../store/index.js";
import { redactKey, silentLogger } from "../util/log.js";
import { TOOL_VERSION } from "../version.js";

export interface PipelineOptions {
  dbPath: string;
  api: {
    baseUrl: string;
    apiKey: string;
    concurrency: number;
    rateLimitRps?: number;
    userRoles: boolean;
    /** Default true. */
    projects?: boolean;
    /** Default true. */
    projectRoleAssignments?: boolean;
    /** Default true. */
    credentials?: boolean;
    /** Sync the audit log after the crawl. Default true. */
    auditLog?: boolean;
    /** Default DEFAULT_AUDIT_LOG_OVERLAP_MINUTES. */
    auditLogOverlapMinutes?: number;
    /** Plain http:// to a host that is not loopback (refused by the client otherwise). */
    allowInsecureHttp?: boolean;
  };
  /** The crawl's ceilings; default DEFAULT_CRAWL_LIMITS. */
  crawlLimits?: Partial<CrawlLimits>;
  analysis: AnalysisConfig;
  ruleDirs: readonly string[];
  /** `organization`: the organization's configured name, for the evidence header. */
  report: { outDir: string; formats: readonly ReportFormat[]; organization?: string | null };
  /** Null: no email. */
  email: EmailOptions | null;
  /** Applied after a successful run; null keeps everything. */
  retention: ((store: Store) => Promise<RetentionOutcome>) | null;
  logger?: Logger;
  signal?: AbortSignal;
  onProgress?: (progress: CrawlProgress) => void;
}

export interface RetentionOutcome {
  pruned: number[];
}

export interface PipelineOutcome {
  snapshot_id: number;
  previous_id: number | null;
  seal: string;
  changes: number;
  findings: number;
  /** Findings per rule (as `anomalies --json` would count them for this snapshot). */
  findings_by_rule: Record<string, number>;
  new_findings: number;
  /** The most severe finding, or null when there is none. */
  max_severity: Severity | null;
  /** Rules that failed to load or run (their findings are missing). */
  rule_errors: string[];
  /** Findings an exception accepts (not in `findings` or `max_severity`). */
  accepted_findings: number;
  /** Rules not evaluated (skipped), so a quiet run is never read as every rule passing. */
  skipped_rules: string[];
  files: ReportFile[];
  delivery: DeliveryResult | null;
  retention: RetentionOutcome | null;
  crawl: { requests: number; retries: number; duration_ms: number };
  duration_ms: number;
}

// The change email's content (who made each change included) is built in src/deliver.
export { changeReportEmail };

export async function runPipeline(options: PipelineOptions): Promise<PipelineOutcome> {
  const started = performance.now();
  const logger = options.logger ?? silentLogger;
  // 1. Crawl into a new snapshot (nothing is published unless every listing completed).
  const client = new AdminClient({
    baseUrl: options.api.baseUrl,
    apiKey: options.api.apiKey,
    concurrency: options.api.concurrency,
    allowInsecureHttp: options.api.allowInsecureHttp ?? false,
    logger,
    ...(options.api.rateLimitRps ? { rateLimitRps: options.api.rateLimitRps } : {}),
  });
  // The crawl reads the API while the database opens (see CrawlOptions.store).
  const writeStore = Store.open(options.dbPath, {
    logger,
    stageApart: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let crawled: Awaited<ReturnType<typeof crawl>>;
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
  } finally {
    await client.close();
    // A database that could not be opened has nothing to close (the crawl threw its error).
    await writeStore.then(
      (store) => store.close(),
      () => {},
    );
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
  let model: ReportModel;
  let files: ReportFile[];
  try {
    ({ model, files } = await writeReports(readStore, {
      outDir: options.report.outDir,
      formats: options.report.formats,
      snapshotId: crawled.snapshotId,
      config: options.analysis,
      ruleDirs: options.ruleDirs,
      organization: options.report.organization ?? null,
    }));
  } finally {
    await readStore.close();
  }
  for (const file of files) logger.info({ path: file.path, bytes: file.bytes }, "report written");

  options.signal?.throwIfAborted();
  // 4. Deliver: a failed send is logged as a failed delivery, never a failed run.
  let delivery: DeliveryResult | null = null;
  if (options.email) {
    delivery = await sendChangeReport(changeReportEmail(model, files), options.email);
    if (delivery.status === "failed") {
      logger.error({ error: delivery.error, attempts: delivery.attempts }, "email delivery failed");
    } else {
      logger.info({ status: delivery.status }, "email delivery");
    }
  }

  // 5. Retention, only after everything above succeeded.
  let retention: RetentionOutcome | null = null;
  if (options.retention) {
    const store = await Store.open(options.dbPath, { logger });
    try {
      retention = await options.retention(store);
    } finally {
      await store.close();
    }
    if (retention.pruned.length > 0) logger.info({ pruned: retention.pruned }, "retention applied");
  }

  // Accepted findings leave the verdict (schedule.fail_on) until their exception expires.
  const open = model.findings.filter((f) => f.exception === null);
  const maxSeverity = open.reduce<Severity | null>(
    (max, f) => (max === null || severityRank(f.severity) > severityRank(max) ? f.severity : max),
    null,
  );
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
