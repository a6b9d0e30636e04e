import { AdminClient } from "../../api/index.js";
import { crawl } from "../../crawl/index.js";
import { Store } from "../../store/index.js";
import { createLogger, redactKey } from "../../util/log.js";
import { TOOL_VERSION } from "../../version.js";
import { addApiOptions, addCoverageOptions, addCrawlLimitOptions, addDbOption, commandAdminKey, commandConfig, crawlLimits, } from "../config.js";
import { abortOnSignals } from "../options.js";
import { terminalJson, writeOut } from "../output.js";
import { createProgressSink } from "../progress.js";
import { formatTable } from "./analysis-shared.js";
import { auditLogJson, auditLogLine } from "./audit-log.js";
export function registerCrawl(program) {
    const command = program
        .command("crawl")
        .description("Read every group, membership, role assignment, role and user, and every project's members, groups, roles and role assignments, into a new sealed snapshot");
    addCoverageOptions(addCrawlLimitOptions(addApiOptions(addDbOption(command))))
        .option("--json", "print one JSON object")
        .action(async (flags, command) => {
        const config = await commandConfig(command);
        const { baseUrl, concurrency, userRoles, projects, projectRoleAssignments, credentials, auditLog, auditLogOverlapMinutes, rateLimitRps, } = config.api;
        const apiKey = commandAdminKey(config);
        // Its story on a terminal is the progress bar and the summary: only warnings interrupt it.
        const logger = createLogger({ story: true });
        const store = await Store.open(config.database, { logger, stageApart: true });
        const client = new AdminClient({
            baseUrl,
            apiKey,
            concurrency,
            allowInsecureHttp: config.api.allowInsecureHttp,
            logger,
            ...(rateLimitRps === null ? {} : { rateLimitRps }),
        });
        const interrupt = abortOnSignals();
        const progress = createProgressSink(logger);
        try {
            const result = await crawl({
                client,
                store,
                baseUrl,
                keyRedacted: redactKey(apiKey),
                toolVersion: TOOL_VERSION,
                concurrency,
                userRoles,
                projects,
                projectRoleAssignments,
                credentials,
                auditLog,
                auditLogOverlapSeconds: auditLogOverlapMinutes * 60,
                limits: crawlLimits(config),
                logger,
                onProgress: (p) => progress.update(p),
                signal: interrupt.signal,
            });
            progress.stop();
            if (flags.json) {
                writeOut(`${terminalJson({
                    snapshot_id: result.snapshotId,
                    status: "complete",
                    ...result.counts,
                    requests: result.requests,
                    retries: result.retries,
                    rate_limited: result.rateLimited,
                    vanished_groups: result.vanishedGroups,
                    vanished_users: result.vanishedUsers,
                    vanished_project_access: result.vanishedProjectAccess.map((v) => ({
                        project_id: v.projectId,
                        principal_type: v.principalType,
                        principal_id: v.principalId,
                    })),
                    not_collected: result.uncollected,
                    endpoints: result.endpoints,
                    duration_ms: result.durationMs,
                    seal: result.seal,
                    audit_log: auditLogJson(result.auditLog),
                }, 0)}\n`);
            }
            else {
                const c = result.counts;
                const projectsLine = result.uncollected.includes("projects")
                    ? "projects: not collected (--no-projects)\n"
                    : `projects: ${c.projects} projects, ${c.project_memberships} memberships, ` +
                        `${c.project_groups} attached groups, ${c.project_roles} project roles, ` +
                        (result.uncollected.includes("project_role_assignments")
                            ? "project role assignments not collected (--no-project-role-assignments)\n"
                            : `${c.project_group_role_assignments} group and ${c.project_user_role_assignments} member project role assignments\n`);
                writeOut(`snapshot ${result.snapshotId} complete: ${c.groups} groups, ${c.memberships} memberships, ` +
                    `${c.group_role_assignments} group role assignments, ${c.users} users, ` +
                    (result.uncollected.includes("user_roles")
                        ? "user role assignments not collected (--no-user-roles), "
                        : `${c.user_role_assignments} user role assignments, `) +
                    `${c.roles} roles ` +
                    `(${result.requests} requests, ${result.retries} retries, ${(result.durationMs / 1000).toFixed(1)} s)\n` +
                    projectsLine +
                    (result.uncollected.includes("credentials")
                        ? "credentials: not collected (--no-credentials or --no-projects)\n"
                        : `credentials: ${c.admin_keys} admin API keys, ${c.api_keys} project API keys, ` +
                            `${c.service_accounts} service accounts, ${c.invites} invites\n`) +
                    formatTable(["endpoint", "pages", "items"], result.endpoints.map((e) => [e.endpoint, String(e.pages), String(e.items)])) +
                    "\n" +
                    `seal ${result.seal}\n` +
                    auditLogLine(result.auditLog));
                if (result.vanishedGroups.length > 0) {
                    writeOut(`groups deleted during the crawl (left out): ${result.vanishedGroups.join(", ")}\n`);
                }
            }
        }
        finally {
            progress.stop();
            interrupt.release();
            await client.close();
            await store.close();
        }
    });
}
//# sourceMappingURL=crawl.js.map