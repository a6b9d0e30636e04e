import { CONFIG_FILE_NAME, ConfigError, checkConfigFiles, DEFAULT_BASE_URL, DEFAULT_CONCURRENCY, DEFAULT_DATABASE_PATH, loadConfig, readAdminKey, } from "../config/index.js";
import { DEFAULT_MAX_DURATION, DEFAULT_MAX_ITEMS, DEFAULT_MAX_PAGES_PER_LISTING, } from "../crawl/limits.js";
import { useDatabaseLockWait } from "../store/index.js";
import { useLogFormat } from "../util/log.js";
import { collect, intOption, numberOption } from "./options.js";
/** `--config`, offered by every command that reads settings. */
export function addConfigOption(command) {
    return command.option("--config <path>", `configuration file (default: $ACCESS_AUDIT_CONFIG or ./${CONFIG_FILE_NAME} if present)`);
}
/** `--db` and `--config`: every command that touches the database. */
export function addDbOption(command) {
    return addConfigOption(command).option("--db <path>", `DuckDB database file (default: $ACCESS_AUDIT_DB, the configuration's database, or ${DEFAULT_DATABASE_PATH})`);
}
/**
 * The API settings as flags, for every command that calls the API (`crawl`, `run`, `schedule`,
 * `remediate apply`): where, with which key, how hard, and whether plain HTTP may carry the key.
 */
export function addApiOptions(command) {
    return command
        .option("--base-url <url>", `Admin API base URL (default: $OPENAI_BASE_URL, the configuration's api.base_url, or ${DEFAULT_BASE_URL})`)
        .option("--key-file <path>", "read the admin key from this file instead of $OPENAI_ADMIN_KEY")
        .option("--allow-insecure-http", "allow an http:// base URL on a host that is not loopback: the key then crosses the network in clear text (configuration: api.allow_insecure_http)")
        .option("--concurrency <n>", `requests in flight at once (default: the configuration's api.concurrency, or ${DEFAULT_CONCURRENCY})`, intOption(1, 64))
        .option("--rate-limit <rps>", "client-side request rate limit (requests/s)", numberOption(0.1));
}
/** The crawl's ceilings as flags (`crawl`, `run`, `schedule`); reaching one fails the crawl. */
/** What a crawl may leave out on very large organizations (recorded as not collected). */
export function addCoverageOptions(command) {
    return command
        .option("--no-user-roles", "skip each user's role assignments (one request per user)")
        .option("--no-projects", "skip projects entirely (members, attached groups, roles catalogs, role assignments)")
        .option("--no-project-role-assignments", "skip the project role assignments of each project member and attached group (one request each)")
        .option("--no-credentials", "skip admin API keys, invites, and each project's service accounts and API keys")
        .option("--no-audit-log", "do not sync the organization audit log after the crawl (changes cannot be attributed)");
}
export function addCrawlLimitOptions(command) {
    return command
        .option("--max-pages-per-listing <n>", `pages of any one listing before the crawl gives up (default: crawl.max_pages_per_listing, or ${DEFAULT_MAX_PAGES_PER_LISTING})`, intOption(1, 1_000_000))
        .option("--max-items <n>", `items of all listings together before the crawl gives up (default: crawl.max_items, or ${DEFAULT_MAX_ITEMS})`, intOption(1, 1_000_000_000))
        .option("--max-duration <duration>", `wall-clock time before the crawl gives up, e.g. 6h, 90m, 30s (default: crawl.max_duration, or ${DEFAULT_MAX_DURATION})`);
}
/**
 * The analysis settings as flags (no commander defaults: they would hide the configuration's
 * values; the help text names the defaults instead).
 */
export function addAnalysisOptions(command) {
    return command
        .option("--rules <dir>", "also run the *.sql rules in this folder (repeatable)", collect)
        .option("--allowed-domain <domain>", "an email domain of the organization (repeatable; enables the domain rule)", collect)
        .option("--inactive-days <n>", "days without API key use before an elevated user counts as inactive (default: the configuration's, else 90)", intOption(0, 36_500));
}
/** Flag (commander attribute) -> configuration flag, for every flag that is a setting. */
const SETTING_FLAGS = {
    db: "db",
    baseUrl: "baseUrl",
    keyFile: "keyFile",
    concurrency: "concurrency",
    rateLimit: "rateLimit",
    userRoles: "userRoles",
    projects: "projects",
    projectRoleAssignments: "projectRoleAssignments",
    credentials: "credentials",
    auditLog: "auditLog",
    allowInsecureHttp: "allowInsecureHttp",
    maxPagesPerListing: "maxPagesPerListing",
    maxItems: "maxItems",
    maxDuration: "maxDuration",
    elevatedRoleNames: "elevatedRole",
    elevatedPermissionPatterns: "elevatedPermission",
    allowedDomains: "allowedDomain",
    inactiveDays: "inactiveDays",
    rules: "rules",
    formats: "format",
    reportDir: "out",
    cron: "cron",
    timezone: "timezone",
    failOn: "failOn",
    retention: "retention",
    email: "email",
    logFormat: "logFormat",
};
/**
 * Only the settings the user typed: commander's defaults must not hide the file's values.
 * `notSettings` names flags that mean something else on this command (export's `--format`).
 */
export function configFlagsFrom(command, notSettings = []) {
    // With globals: a subcommand's `--db` may be parsed by its parent (`snapshots hold 3 --db x`).
    const values = command.optsWithGlobals();
    const out = {};
    for (const [setting, attribute] of Object.entries(SETTING_FLAGS)) {
        if (notSettings.includes(setting))
            continue;
        if (command.getOptionValueSourceWithGlobals(attribute) === "cli")
            out[setting] = values[attribute];
    }
    return out;
}
/**
 * Loads (and with `checkFiles`, checks) the configuration; any problem is a usage error (exit 2),
 * nothing runs.
 */
export async function resolveConfig(path, flags, checkFiles = false) {
    const config = await loadConfig({
        ...(path === undefined ? {} : { path }),
        cwd: process.cwd(),
        env: process.env,
        flags,
    });
    const problems = checkFiles ? checkConfigFiles(config, process.env) : [];
    if (problems.length > 0)
        throw new ConfigError(problems);
    // The file may name the log format: it applies to every logger the command creates next.
    await useLogFormat(config.logging.format);
    // Likewise the lock wait: every database the command opens next waits that long for a holder.
    useDatabaseLockWait(config.lockWaitMs, (line) => process.stderr.write(`access-audit: ${line}\n`));
    return config;
}
/** The effective configuration of the running command: its typed flags over everything else. */
export function commandConfig(command, options = {}) {
    const path = command.optsWithGlobals().config;
    const flags = { ...configFlagsFrom(command, options.notSettings), ...options.extra };
    return resolveConfig(path, flags, options.checkFiles ?? false);
}
/**
 * The admin key the configuration names (registered as a secret at once); missing is usage, and
 * so is a base URL that would carry it in clear text (plain HTTP to another machine, unallowed).
 */
export function commandAdminKey(config) {
    return readAdminKey(config, process.env);
}
/** The crawl's ceilings from the effective configuration. */
export function crawlLimits(config) {
    const { maxPagesPerListing, maxItems, maxDurationMs } = config.crawl;
    return { maxPagesPerListing, maxItems, maxDurationMs };
}
//# sourceMappingURL=config.js.map