/**
 * Loading the configuration: the YAML file (see schema.ts), then environment variables, then
 * flags, into one validated EffectiveConfig. Every problem is one line naming where it is (file
 * and key path, environment variable or flag) and what was expected; nothing runs on an invalid
 * configuration. Secrets are not read here (see secrets.ts).
 */
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_ACCESS_ADMIN_PERMISSION_PATTERNS, DEFAULT_CREDENTIAL_THRESHOLDS, DEFAULT_ELEVATED_PERMISSION_PATTERNS, DEFAULT_INACTIVITY_DAYS, resolveAnalysisConfig, } from "../analysis/config.js";
import { DEFAULT_BASE_URL } from "../api/base-url.js";
import { DEFAULT_CONCURRENCY } from "../api/limits.js";
import { DEFAULT_IDENTITY_RULES } from "../certify/identity.js";
import { DEFAULT_MAX_DURATION, DEFAULT_MAX_ITEMS, DEFAULT_MAX_PAGES_PER_LISTING, parseCrawlDuration, } from "../crawl/limits.js";
import { AuditError } from "../errors.js";
import { KEEP_ALL } from "../store/index.js";
import { LOG_FORMAT_ENV } from "../util/log.js";
import { yaml } from "../util/yaml.js";
import { CONFIG_FILE_NAME, configFileSchema, fieldSchemas, findLiteralSecrets, parseLockWait, } from "./schema.js";
/** Minutes each audit-log sync re-reads before the newest event it holds (late events). */
export const DEFAULT_AUDIT_LOG_OVERLAP_MINUTES = 60;
export const DEFAULT_DATABASE_PATH = "./data/access-audit.duckdb";
/** A reader started while a crawl publishes waits this long for it (publishes take seconds). */
export const DEFAULT_LOCK_WAIT = "60s";
export const DEFAULT_REPORT_DIR = "./reports";
export const DEFAULT_REPORT_FORMATS = ["html", "xlsx"];
export const DEFAULT_CRON = "0 6 * * *";
export const DEFAULT_TIMEZONE = "UTC";
const DEFAULT_SMTP_PORT = { starttls: 587, tls: 465, none: 25 };
/** The environment variables read here (secrets are read later, by secrets.ts). */
export const CONFIG_ENV = {
    config: "ACCESS_AUDIT_CONFIG",
    database: "ACCESS_AUDIT_DB",
    lockWait: "ACCESS_AUDIT_LOCK_WAIT",
    baseUrl: "OPENAI_BASE_URL",
    keyFile: "OPENAI_ADMIN_KEY_FILE",
    logFormat: LOG_FORMAT_ENV,
};
/** An invalid configuration. Each problem is one complete line; the message is the first. */
export class ConfigError extends AuditError {
    problems;
    constructor(problems) {
        const [first = "invalid configuration"] = problems;
        super("CONFIG_INVALID", problems.length > 1
            ? `${first} (and ${problems.length - 1} more problem(s): run access-audit config check)`
            : first, { exitClass: "usage" });
        this.problems = problems;
    }
}
/** How each flag is spelled on the command line, for messages. */
const FLAG_NAMES = {
    db: "--db",
    baseUrl: "--base-url",
    keyFile: "--key-file",
    concurrency: "--concurrency",
    rateLimit: "--rate-limit",
    userRoles: "--no-user-roles",
    projects: "--no-projects",
    projectRoleAssignments: "--no-project-role-assignments",
    credentials: "--no-credentials",
    auditLog: "--no-audit-log",
    allowInsecureHttp: "--allow-insecure-http",
    maxPagesPerListing: "--max-pages-per-listing",
    maxItems: "--max-items",
    maxDuration: "--max-duration",
    elevatedRoleNames: "--elevated-role",
    elevatedPermissionPatterns: "--elevated-permission",
    allowedDomains: "--allowed-domain",
    inactiveDays: "--inactive-days",
    rules: "--rules",
    formats: "--format",
    reportDir: "--out",
    cron: "--cron",
    timezone: "--timezone",
    failOn: "--fail-on",
    retention: "--keep-last/--keep-younger-than",
    email: "--email",
    logFormat: "--log-format",
};
export function formatKeyPath(path) {
    let out = "";
    for (const segment of path) {
        if (typeof segment === "number")
            out += `[${segment}]`;
        else
            out += out === "" ? String(segment) : `.${String(segment)}`;
    }
    return out;
}
/** A value as shown after "got": strings quoted (and cut short), structures by kind. */
export function renderValue(value) {
    if (typeof value === "string") {
        const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
        return JSON.stringify(shown);
    }
    if (value === null)
        return "null";
    if (value === undefined)
        return "nothing";
    if (Array.isArray(value))
        return "a list";
    if (typeof value === "object")
        return "a mapping";
    return String(value);
}
const TYPE_NAMES = {
    int: "a whole number",
    number: "a number",
    string: "text",
    boolean: "true or false",
    array: "a list",
    object: "a mapping",
};
/** The schema found at a key path (through optional wrappers), for listing allowed keys. */
function schemaAt(schema, path) {
    const unwrap = (s) => {
        let current = s;
        while (current instanceof z.ZodOptional)
            current = current.unwrap();
        return current;
    };
    let current = unwrap(schema);
    for (const segment of path) {
        if (current instanceof z.ZodObject && typeof segment === "string") {
            current = unwrap(current.shape[segment]);
        }
        else if (current instanceof z.ZodArray) {
            current = unwrap(current.element);
        }
        else {
            return undefined;
        }
    }
    return current;
}
function editDistance(a, b) {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0] ?? 0;
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j] ?? 0;
            row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length] ?? 0;
}
/** "a whole number from 1 to 64": a number field's type and bounds, from its schema. */
function numberExpectation(root, path) {
    const schema = schemaAt(root, path);
    if (!(schema instanceof z.ZodNumber))
        return null;
    const what = schema.isInt ? "a whole number" : "a number";
    const bounded = (n) => n !== null && Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER;
    const min = bounded(schema.minValue) ? schema.minValue : null;
    const max = bounded(schema.maxValue) ? schema.maxValue : null;
    if (min !== null && max !== null)
        return `${what} from ${min} to ${max}`;
    if (min !== null)
        return `${what} of at least ${min}`;
    if (max !== null)
        return `${what} of at most ${max}`;
    return what;
}
function unknownKeyMessage(key, allowed) {
    const close = allowed
        .map((k) => [k, editDistance(key.toLowerCase(), k)])
        .filter(([, d]) => d <= 2)
        .sort((a, b) => a[1] - b[1])[0];
    if (close)
        return `unknown key (did you mean ${close[0]}?)`;
    return allowed.length > 0 ? `unknown key (expected one of ${allowed.join(", ")})` : "unknown key";
}
/** One zod issue as lines `<label>: <key path>: expected …, got …`. */
function issueLines(label, issue, root) {
    const where = (path) => {
        const text = formatKeyPath(path);
        return text === "" ? `${label}: ` : `${label}: ${text}: `;
    };
    const input = issue.input;
    const got = `got ${renderValue(input)}`;
    const custom = issue.message.startsWith("expected") ? issue.message : null;
    switch (issue.code) {
        case "unrecognized_keys": {
            const schema = schemaAt(root, issue.path);
            const allowed = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
            return issue.keys.map((key) => `${where([...issue.path, key])}${unknownKeyMessage(key, allowed)}`);
        }
        case "invalid_type": {
            if (issue.path.length === 0 && root instanceof z.ZodObject) {
                return [`${label}: expected a mapping of settings at the top level, ${got}`];
            }
            const expected = numberExpectation(root, issue.path) ?? TYPE_NAMES[issue.expected] ?? issue.expected;
            return [`${where(issue.path)}expected ${expected}, ${got}`];
        }
        case "invalid_value": {
            const values = issue.values.map(String);
            const expected = values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.join(", ")}`;
            return [`${where(issue.path)}expected ${expected}, ${got}`];
        }
        case "too_small": {
            if (custom)
                return [`${where(issue.path)}${custom}, ${got}`];
            const range = issue.origin === "array" ? null : numberExpectation(root, issue.path);
            if (range)
                return [`${where(issue.path)}expected ${range}, ${got}`];
            const min = String(issue.minimum);
            const what = issue.origin === "array" ? `at least ${min} item(s)` : `at least ${min}`;
            return [`${where(issue.path)}expected ${what}, ${got}`];
        }
        case "too_big": {
            if (custom)
                return [`${where(issue.path)}${custom}, ${got}`];
            const range = issue.origin === "array" ? null : numberExpectation(root, issue.path);
            if (range)
                return [`${where(issue.path)}expected ${range}, ${got}`];
            const max = String(issue.maximum);
            const what = issue.origin === "array" ? `at most ${max} item(s)` : `at most ${max}`;
            return [`${where(issue.path)}expected ${what}, ${got}`];
        }
        default: {
            const message = custom ?? `expected ${issue.message.toLowerCase()}`;
            const params = issue.params;
            const detail = params?.detail;
            // A check may name the value itself (`got`: a redacted form), or forbid showing it (null).
            const shown = params !== undefined && "got" in params
                ? params.got === null || params.got === undefined
                    ? ""
                    : `, got ${params.got}`
                : typeof input === "string" || typeof input === "number"
                    ? `, ${got}`
                    : "";
            return [`${where(issue.path)}${message}${shown}${detail ? ` (${detail})` : ""}`];
        }
    }
}
/** Validates with a schema; problems are labelled lines. */
function check(schema, value, label) {
    const parsed = schema.safeParse(value, { reportInput: true });
    if (parsed.success)
        return { ok: true, value: parsed.data };
    return { ok: false, problems: parsed.error.issues.flatMap((i) => issueLines(label, i, schema)) };
}
/** `key:` with no value means "the default": drop nulls from mappings (not from lists). */
function withoutNulls(value) {
    if (Array.isArray(value))
        return value.map(withoutNulls);
    if (value !== null && typeof value === "object") {
        const out = {};
        for (const [k, v] of Object.entries(value))
            if (v !== null)
                out[k] = withoutNulls(v);
        return out;
    }
    return value;
}
function errorCode(error) {
    return error && typeof error === "object" && "code" in error ? String(error.code) : "error";
}
async function readConfigFile(options) {
    const explicit = options.path ?? (options.env[CONFIG_ENV.config] || undefined);
    const label = explicit ?? CONFIG_FILE_NAME;
    const absolute = resolve(options.cwd, label);
    let text;
    try {
        text = await readFile(absolute, "utf8");
    }
    catch (error) {
        const code = errorCode(error);
        if (explicit === undefined && code === "ENOENT")
            return { label, absolute: null, raw: {} };
        const from = options.path !== undefined ? "--config" : CONFIG_ENV.config;
        throw new ConfigError([
            code === "ENOENT"
                ? `${label}: configuration file not found (named by ${from})`
                : `${label}: cannot read the configuration file (${code})`,
        ]);
    }
    const doc = yaml().parseDocument(text.replace(/^\uFEFF/, ""));
    const yamlError = doc.errors[0];
    if (yamlError) {
        const first = (yamlError.message.split("\n")[0] ?? "").replace(/:\s*$/, "");
        throw new ConfigError([`${label}: not valid YAML: ${first}`]);
    }
    let raw;
    try {
        raw = doc.toJS();
    }
    catch (error) {
        throw new ConfigError([`${label}: not valid YAML: ${error.message.split("\n")[0]}`]);
    }
    // An empty file (or only comments) is a valid file with no settings.
    return { label, absolute, raw: raw ?? {} };
}
const resolveIn = (base, path) => isAbsolute(path) ? path : resolve(base, path);
/** Reads, validates and merges the configuration. Throws ConfigError (one line per problem). */
export async function loadConfig(options) {
    const source = await readConfigFile(options);
    const { label } = source;
    const secrets = findLiteralSecrets(source.raw);
    if (secrets.length > 0) {
        throw new ConfigError(secrets.map(([path, message]) => `${label}: ${formatKeyPath(path)}: ${message}`));
    }
    const parsed = check(configFileSchema, withoutNulls(source.raw), label);
    if (!parsed.ok)
        throw new ConfigError(parsed.problems);
    const file = parsed.value;
    const base = source.absolute === null ? options.cwd : dirname(source.absolute);
    const sources = {};
    const problems = [];
    /** Picks flag > env > file > default for one setting and records where it came from. */
    function pick(key, candidates, fallback) {
        if (candidates.flag && candidates.flag[1] !== undefined) {
            sources[key] = `flag ${FLAG_NAMES[candidates.flag[0]]}`;
            return candidates.flag[1];
        }
        if (candidates.env && candidates.env[1] !== undefined) {
            sources[key] = `env ${candidates.env[0]}`;
            return candidates.env[1];
        }
        if (candidates.file !== undefined) {
            sources[key] = "file";
            return candidates.file;
        }
        return fallback;
    }
    /** A flag or environment value validated with the same field schema as the file's. */
    function validated(schema, value, label) {
        if (value === undefined)
            return undefined;
        const result = check(schema, value, label);
        if (result.ok)
            return result.value;
        problems.push(...result.problems);
        return undefined;
    }
    const env = (name) => {
        const value = options.env[name]?.trim();
        return value ? value : undefined;
    };
    const flags = options.flags ?? {};
    const flag = (key, schema) => {
        const value = flags[key];
        if (schema === undefined || value === undefined)
            return [key, value];
        return [key, validated(schema, value, FLAG_NAMES[key])];
    };
    const mapDefined = (value, map) => value === undefined ? undefined : map(value);
    const inBase = (p) => resolveIn(base, p);
    const inCwd = (p) => resolveIn(options.cwd, p);
    const database = pick("database", {
        flag: ["db", mapDefined(flag("db", fieldSchemas.path)[1], inCwd)],
        env: [CONFIG_ENV.database, mapDefined(env(CONFIG_ENV.database), inCwd)],
        file: mapDefined(file.database, inBase),
    }, inCwd(DEFAULT_DATABASE_PATH));
    const lockWait = pick("lock_wait", {
        env: [
            CONFIG_ENV.lockWait,
            validated(fieldSchemas.lockWait, env(CONFIG_ENV.lockWait), CONFIG_ENV.lockWait),
        ],
        file: file.lock_wait,
    }, DEFAULT_LOCK_WAIT);
    const baseUrl = pick("api.base_url", {
        flag: flag("baseUrl", fieldSchemas.httpUrl),
        env: [
            CONFIG_ENV.baseUrl,
            validated(fieldSchemas.httpUrl, env(CONFIG_ENV.baseUrl), CONFIG_ENV.baseUrl),
        ],
        file: file.api?.base_url,
    }, DEFAULT_BASE_URL).replace(/\/+$/, "");
    const keyFile = pick("api.key_file", {
        flag: ["keyFile", mapDefined(flag("keyFile", fieldSchemas.path)[1], inCwd)],
        env: [CONFIG_ENV.keyFile, mapDefined(env(CONFIG_ENV.keyFile), inCwd)],
        file: mapDefined(file.api?.key_file, inBase),
    }, null);
    const concurrency = pick("api.concurrency", { flag: flag("concurrency", fieldSchemas.concurrency), file: file.api?.concurrency }, DEFAULT_CONCURRENCY);
    const rateLimitRps = pick("api.rate_limit", { flag: flag("rateLimit", fieldSchemas.rateLimit), file: file.api?.rate_limit }, null);
    const userRoles = pick("api.user_roles", { flag: flag("userRoles"), file: file.api?.user_roles }, true);
    const projects = pick("api.projects", { flag: flag("projects"), file: file.api?.projects }, true);
    const projectRoleAssignments = pick("api.project_role_assignments", { flag: flag("projectRoleAssignments"), file: file.api?.project_role_assignments }, true);
    const credentials = pick("api.credentials", { flag: flag("credentials"), file: file.api?.credentials }, true);
    const auditLog = pick("api.audit_log", { flag: flag("auditLog"), file: file.api?.audit_log }, true);
    const auditLogOverlapMinutes = pick("api.audit_log_overlap_minutes", { file: file.api?.audit_log_overlap_minutes }, DEFAULT_AUDIT_LOG_OVERLAP_MINUTES);
    const allowInsecureHttp = pick("api.allow_insecure_http", { flag: flag("allowInsecureHttp"), file: file.api?.allow_insecure_http }, false);
    const maxPagesPerListing = pick("crawl.max_pages_per_listing", {
        flag: flag("maxPagesPerListing", fieldSchemas.maxPagesPerListing),
        file: file.crawl?.max_pages_per_listing,
    }, DEFAULT_MAX_PAGES_PER_LISTING);
    const maxItems = pick("crawl.max_items", { flag: flag("maxItems", fieldSchemas.maxItems), file: file.crawl?.max_items }, DEFAULT_MAX_ITEMS);
    const maxDuration = pick("crawl.max_duration", {
        flag: flag("maxDuration", fieldSchemas.crawlDuration),
        file: file.crawl?.max_duration,
    }, DEFAULT_MAX_DURATION).trim();
    const elevatedRoleNames = pick("analysis.elevated_roles.names", { flag: flag("elevatedRoleNames"), file: file.analysis?.elevated_roles?.names }, []);
    const elevatedPermissionPatterns = pick("analysis.elevated_roles.permission_patterns", {
        flag: flag("elevatedPermissionPatterns"),
        file: file.analysis?.elevated_roles?.permission_patterns,
    }, [...DEFAULT_ELEVATED_PERMISSION_PATTERNS]);
    const accessAdminPermissionPatterns = pick("analysis.elevated_roles.access_admin_patterns", { file: file.analysis?.elevated_roles?.access_admin_patterns }, [...DEFAULT_ACCESS_ADMIN_PERMISSION_PATTERNS]);
    const allowedEmailDomains = pick("analysis.allowed_email_domains", {
        flag: flag("allowedDomains", z.array(fieldSchemas.domain)),
        file: file.analysis?.allowed_email_domains,
    }, []);
    const inactivityDays = pick("analysis.inactivity_days", {
        flag: flag("inactiveDays", fieldSchemas.inactivityDays),
        file: file.analysis?.inactivity_days,
    }, DEFAULT_INACTIVITY_DAYS);
    const credentialFile = file.analysis?.credentials;
    const credentialThresholds = {
        adminKeyUnusedDays: pick("analysis.credentials.admin_key_unused_days", { file: credentialFile?.admin_key_unused_days }, DEFAULT_CREDENTIAL_THRESHOLDS.adminKeyUnusedDays),
        keyUnusedDays: pick("analysis.credentials.key_unused_days", { file: credentialFile?.key_unused_days }, DEFAULT_CREDENTIAL_THRESHOLDS.keyUnusedDays),
        invitePendingDays: pick("analysis.credentials.invite_pending_days", { file: credentialFile?.invite_pending_days }, DEFAULT_CREDENTIAL_THRESHOLDS.invitePendingDays),
        keyRotationDays: pick("analysis.credentials.key_rotation_days", { file: credentialFile?.key_rotation_days }, DEFAULT_CREDENTIAL_THRESHOLDS.keyRotationDays),
    };
    const ruleDirs = pick("analysis.rules", {
        flag: ["rules", flags.rules?.map(inCwd)],
        file: file.analysis?.rules?.map(inBase),
    }, []);
    const formats = pick("report.formats", { flag: flag("formats"), file: file.report?.formats }, [
        ...DEFAULT_REPORT_FORMATS,
    ]);
    const outDir = pick("report.output", {
        flag: ["reportDir", mapDefined(flag("reportDir", fieldSchemas.path)[1], inCwd)],
        file: mapDefined(file.report?.output, inBase),
    }, inCwd(DEFAULT_REPORT_DIR));
    const cron = pick("schedule.cron", { flag: flag("cron", fieldSchemas.cron), file: file.schedule?.cron }, DEFAULT_CRON);
    const timezone = pick("schedule.timezone", { flag: flag("timezone", fieldSchemas.timezone), file: file.schedule?.timezone }, DEFAULT_TIMEZONE);
    const failOn = pick("schedule.fail_on", { flag: flag("failOn"), file: file.schedule?.fail_on }, null);
    const retention = pick("retention", { flag: flag("retention"), file: retentionFromFile(file.retention) }, KEEP_ALL);
    const email = file.email ?? {};
    const smtp = email.smtp ?? {};
    const enabled = pick("email.enabled", { flag: flag("email"), file: email.enabled }, false);
    const security = pick("email.smtp.security", { file: smtp.security }, "starttls");
    const emailConfig = {
        enabled,
        smtp: {
            host: pick("email.smtp.host", { file: smtp.host }, null),
            port: pick("email.smtp.port", { file: smtp.port }, DEFAULT_SMTP_PORT[security]),
            security,
            username: pick("email.smtp.username", { file: smtp.username }, null),
            passwordFile: pick("email.smtp.password_file", { file: mapDefined(smtp.password_file, inBase) }, null),
            caFile: pick("email.smtp.ca_file", { file: mapDefined(smtp.ca_file, inBase) }, null),
        },
        from: pick("email.from", { file: email.from }, null),
        to: pick("email.to", { file: email.to }, []),
        send: pick("email.send", { file: email.send }, "changes"),
        minSeverity: pick("email.min_severity", { file: email.min_severity }, "low"),
    };
    if (enabled) {
        const needs = (key, what) => problems.push(`${label}: ${key}: expected ${what} when email.enabled is true, got nothing`);
        if (emailConfig.smtp.host === null)
            needs("email.smtp.host", "an SMTP host name");
        if (emailConfig.from === null)
            needs("email.from", "a sender address");
        if (emailConfig.to.length === 0)
            needs("email.to", "at least one recipient");
    }
    const logFormat = pick("logging.format", {
        flag: flag("logFormat", fieldSchemas.logFormat),
        env: [
            CONFIG_ENV.logFormat,
            validated(fieldSchemas.logFormat, env(CONFIG_ENV.logFormat), CONFIG_ENV.logFormat),
        ],
        file: file.logging?.format,
    }, "auto");
    if (problems.length > 0)
        throw new ConfigError(problems);
    const organization = pick("organization", { file: mapDefined(file.organization, (name) => name.trim()) }, null);
    const identity = file.certify?.identity ?? {};
    const certify = {
        operator: pick("certify.operator", { file: file.certify?.operator }, null),
        identity: {
            plusAddressing: pick("certify.identity.plus_addressing", { file: identity.plus_addressing }, DEFAULT_IDENTITY_RULES.plusAddressing),
            dotInsensitiveDomains: pick("certify.identity.dot_insensitive_domains", { file: identity.dot_insensitive_domains }, DEFAULT_IDENTITY_RULES.dotInsensitiveDomains),
            domainAliases: pick("certify.identity.domain_aliases", { file: identity.domain_aliases }, DEFAULT_IDENTITY_RULES.domainAliases),
        },
    };
    return {
        file: source.absolute,
        database,
        lockWait,
        lockWaitMs: parseLockWait(lockWait) ?? 0,
        organization,
        api: {
            baseUrl,
            keyFile,
            concurrency,
            rateLimitRps,
            userRoles,
            projects,
            projectRoleAssignments,
            credentials,
            auditLog,
            auditLogOverlapMinutes,
            allowInsecureHttp,
        },
        crawl: {
            maxPagesPerListing,
            maxItems,
            maxDuration,
            maxDurationMs: parseCrawlDuration(maxDuration) ?? 0,
        },
        analysis: {
            ...resolveAnalysisConfig({
                elevatedRoleNames,
                elevatedPermissionPatterns,
                accessAdminPermissionPatterns,
                allowedEmailDomains,
                inactivityDays,
                credentials: credentialThresholds,
            }),
            ruleDirs,
        },
        report: { formats: [...new Set(formats)], outDir },
        schedule: { cron, timezone, failOn },
        retention,
        email: emailConfig,
        certify,
        logging: { format: logFormat },
        sources,
    };
}
function retentionFromFile(value) {
    if (value === undefined)
        return undefined;
    if (value.keep_last !== undefined)
        return { kind: "last", count: value.keep_last };
    if (value.keep_younger_than !== undefined) {
        return {
            kind: "younger_than",
            duration: value.keep_younger_than.trim(),
            monthly: value.monthly ?? false,
        };
    }
    return KEEP_ALL;
}
//# sourceMappingURL=load.js.map