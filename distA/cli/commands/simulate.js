import { InvalidArgumentError } from "commander";
import { AUDIT_LOG_MODES, startSimulator } from "../../simulator/index.js";
import { intOption, numberOption } from "../options.js";
import { writeOut } from "../output.js";
function auditLogModeOption(value) {
    const found = AUDIT_LOG_MODES.find((m) => m === value.trim().toLowerCase());
    if (!found)
        throw new InvalidArgumentError(`expected one of ${AUDIT_LOG_MODES.join(", ")}`);
    return found;
}
export function registerSimulate(program) {
    program
        .command("simulate")
        .description("Serve a simulated OpenAI Admin API on loopback with a seeded organization; prints its base URL and admin key.")
        .option("--port <n>", "port to listen on (0 picks a free one)", intOption(0, 65535), 4010)
        .option("--host <addr>", "address to bind (loopback only by default)", "127.0.0.1")
        .option("--seed <n>", "seed of the generated organization", intOption(0), 42)
        .option("--groups <n>", "number of groups", intOption(0, 1_000_000), 50)
        .option("--users <n>", "number of users", intOption(1, 10_000_000), 500)
        .option("--memberships <n>", "exact total of group memberships (default: drawn from the seed)", intOption(0))
        .option("--projects <n>", "number of projects, the Default one included (default: 8-20 by organization size)", intOption(0, 100_000))
        .option("--project-members <n>", "average members per project", numberOption(0))
        .option("--project-groups <n>", "average groups attached per project", numberOption(0))
        .option("--project-custom-roles <n>", "custom project roles in total", intOption(0))
        .option("--archived-projects <fraction>", "share of the projects that are archived (default 0.1)", numberOption(0, 1))
        .option("--service-accounts <n>", "average service accounts per active project (default 1.5; 0 disables)", numberOption(0))
        .option("--api-keys <n>", "average project API keys per active project (default 4; 0 disables user keys)", numberOption(0))
        .option("--admin-keys <n>", "admin API keys besides the simulator's own (default 5)", intOption(0))
        .option("--invites <n>", "invites (default: 8-15 by organization size)", intOption(0))
        .option("--credentials-now <unix>", "'now' of key and invite timestamps, unix seconds (default: the wall clock)", intOption(0))
        .option("--admin-key <key>", "admin key clients must send (default: derived from the seed)")
        .option("--latency-ms <n>", "added latency per request", intOption(0, 60_000), 0)
        .option("--fault-rate <f>", "probability of an injected fault per request (429, 5xx, dropped connection, malformed body)", numberOption(0, 1), 0)
        .option("--rate-limit <rps>", "server-side rate limit in requests/s (429 beyond)", numberOption(0.1))
        .option("--audit-events <n>", "historical audit-log events to seed over the past 180 days (default 0)", intOption(0, 100_000_000))
        .option("--audit-log <mode>", "audit logging: enabled (default), disabled (400 audit_logging_disabled) or forbidden (403)", auditLogModeOption)
        .action(async (flags) => {
        const rate = flags.faultRate;
        const sim = await startSimulator({
            host: flags.host,
            port: flags.port,
            seed: flags.seed,
            groups: flags.groups,
            users: flags.users,
            latencyMs: flags.latencyMs,
            ...(flags.memberships !== undefined ? { memberships: flags.memberships } : {}),
            ...(flags.projects !== undefined ? { projects: flags.projects } : {}),
            ...(flags.projectMembers !== undefined
                ? { projectMembersAverage: flags.projectMembers }
                : {}),
            ...(flags.projectGroups !== undefined ? { projectGroupsAverage: flags.projectGroups } : {}),
            ...(flags.projectCustomRoles !== undefined
                ? { projectCustomRoles: flags.projectCustomRoles }
                : {}),
            ...(flags.archivedProjects !== undefined
                ? { archivedProjectFraction: flags.archivedProjects }
                : {}),
            ...(flags.serviceAccounts !== undefined
                ? { serviceAccountsAverage: flags.serviceAccounts }
                : {}),
            ...(flags.apiKeys !== undefined ? { apiKeysAverage: flags.apiKeys } : {}),
            ...(flags.adminKeys !== undefined ? { adminKeys: flags.adminKeys } : {}),
            ...(flags.invites !== undefined ? { invites: flags.invites } : {}),
            ...(flags.credentialsNow !== undefined ? { credentialsNow: flags.credentialsNow } : {}),
            ...(flags.adminKey ? { adminKey: flags.adminKey } : {}),
            ...(flags.rateLimit ? { rateLimitRps: flags.rateLimit } : {}),
            ...(flags.auditEvents !== undefined ? { auditEvents: flags.auditEvents } : {}),
            ...(flags.auditLog !== undefined ? { auditLog: flags.auditLog } : {}),
            ...(rate > 0
                ? {
                    faults: {
                        seed: flags.seed,
                        rate429: rate / 4,
                        rate5xx: rate / 4,
                        rateDrop: rate / 4,
                        rateMalformed: rate / 4,
                        retryAfterSeconds: 1,
                    },
                }
                : {}),
        });
        writeOut(`${sim.baseUrl} ${sim.adminKey}\n`);
        await new Promise((resolve) => {
            const stop = () => resolve();
            process.once("SIGINT", stop);
            process.once("SIGTERM", stop);
        });
        await sim.stop();
    });
}
//# sourceMappingURL=simulate.js.map