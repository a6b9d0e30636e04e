/**
 * What `run` and `schedule` share: the configuration flags (which override the file and the
 * environment), and turning the effective configuration into the pipeline's options.
 */
import { readFile } from "node:fs/promises";
import { readSmtpPassword } from "../config/index.js";
import { formatsOption } from "./commands/report.js";
import { addAnalysisOptions, addApiOptions, addCoverageOptions, addCrawlLimitOptions, addDbOption, commandAdminKey, crawlLimits, } from "./config.js";
import { UsageError } from "./errors.js";
import { severityOption } from "./options.js";
/** The flags of a configured command; none has a default, so the file's values show through. */
export function addConfigFlags(command) {
    return addAnalysisOptions(addCoverageOptions(addCrawlLimitOptions(addApiOptions(addDbOption(command)))))
        .option("--format <list>", "report formats, comma-separated (html,xlsx)", formatsOption)
        .option("--out <dir>", "folder for the reports")
        .option("--fail-on <severity>", `exit 3 when a finding is at or above this severity`, severityOption)
        .option("--no-email", "do not send the change report, whatever the configuration says");
}
async function emailOptions(config, logger) {
    const e = config.email;
    if (!e.enabled)
        return null;
    if (e.smtp.host === null || e.from === null || e.to.length === 0) {
        throw new UsageError("email.enabled is true but email.smtp.host, email.from or email.to is missing");
    }
    const password = readSmtpPassword(config, process.env);
    return {
        smtp: {
            host: e.smtp.host,
            port: e.smtp.port,
            security: e.smtp.security,
            ...(e.smtp.username === null ? {} : { username: e.smtp.username }),
            ...(password === null ? {} : { password }),
            ...(e.smtp.caFile === null ? {} : { caPem: await readFile(e.smtp.caFile, "utf8") }),
        },
        from: e.from,
        to: e.to,
        policy: e.send,
        minSeverity: e.minSeverity,
        logger,
    };
}
/** The pipeline's options from the effective configuration (reads the secrets). */
export async function pipelineOptions(config, logger) {
    const apiKey = commandAdminKey(config);
    const policy = config.retention;
    return {
        dbPath: config.database,
        api: {
            baseUrl: config.api.baseUrl,
            apiKey,
            concurrency: config.api.concurrency,
            userRoles: config.api.userRoles,
            projects: config.api.projects,
            projectRoleAssignments: config.api.projectRoleAssignments,
            credentials: config.api.credentials,
            auditLog: config.api.auditLog,
            auditLogOverlapMinutes: config.api.auditLogOverlapMinutes,
            allowInsecureHttp: config.api.allowInsecureHttp,
            ...(config.api.rateLimitRps === null ? {} : { rateLimitRps: config.api.rateLimitRps }),
        },
        crawlLimits: crawlLimits(config),
        analysis: config.analysis,
        ruleDirs: config.analysis.ruleDirs,
        report: {
            outDir: config.report.outDir,
            formats: config.report.formats,
            organization: config.organization,
        },
        email: await emailOptions(config, logger),
        retention: policy.kind !== "all"
            ? async (store) => {
                const result = await store.applyRetention(policy, {
                    timeZone: config.schedule.timezone,
                });
                return { pruned: result.prune };
            }
            : null,
        logger,
    };
}
//# sourceMappingURL=run-config.js.map