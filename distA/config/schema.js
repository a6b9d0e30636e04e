import { z } from "zod";
import { SEVERITIES } from "../analysis/severity.js";
import { baseUrlProblem, KEY_LIKE } from "../api/base-url.js";
import { parseCrawlDuration } from "../crawl/limits.js";
import { parseDuration } from "../store/index.js";
import { lazyRequire } from "../util/lazy-require.js";
import { LOG_FORMATS } from "../util/log.js";
/** node-cron, loaded when a cron expression is checked: a run whose configuration has none skips it. */
const nodeCron = lazyRequire("node-cron");
export const CONFIG_FILE_NAME = "access-audit.config.yaml";
export const REPORT_FORMATS = ["html", "xlsx"];
export const SMTP_SECURITY = ["starttls", "tls", "none"];
export const SEND_POLICIES = ["always", "changes", "findings"];
/** Whether Intl knows the IANA time zone (Node ships full ICU). */
export function isValidTimeZone(name) {
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: name });
        return true;
    }
    catch {
        return false;
    }
}
/** Field schemas, shared by the file, environment variables and flags. */
export const fieldSchemas = {
    path: z.string().trim().min(1, "expected a path"),
    /**
     * A base URL the admin key may be sent to (src/api/base-url.ts). The problem never carries
     * the value itself (`input` is dropped): only its redacted form, as `params.got`, or nothing.
     */
    httpUrl: z.string().superRefine((value, ctx) => {
        const problem = baseUrlProblem(value);
        if (problem === null)
            return;
        ctx.addIssue({
            code: "custom",
            message: problem.message,
            input: undefined,
            params: { got: problem.shown === null ? null : JSON.stringify(problem.shown) },
        });
    }),
    concurrency: z.int().min(1).max(64),
    maxPagesPerListing: z.int().min(1).max(1_000_000),
    maxItems: z.int().min(1).max(1_000_000_000),
    crawlDuration: z
        .string()
        .refine((value) => parseCrawlDuration(value) !== null, "expected a duration such as 6h, 90m or 30s, of at most 7d"),
    lockWait: z
        .string()
        .refine((value) => parseLockWait(value) !== null, "expected a duration such as 60s or 5m (0s: do not wait), of at most 1h"),
    rateLimit: z.number().min(0.1),
    inactivityDays: z.int().min(0).max(36_500),
    /** Unused for N days is exact only from USAGE_RESOLUTION_DAYS (30) on. */
    unusedDays: z
        .int()
        .min(30, "expected at least 30 days (key usage is recorded to within 30 days)")
        .max(36_500),
    credentialDays: z.int().min(1).max(36_500),
    overlapMinutes: z.int().min(1).max(10_080),
    cron: z.string().superRefine((value, ctx) => {
        if (nodeCron().validate(value))
            return;
        // node-cron's own reason (e.g. "expected 5 or 6 fields but got 3") rides along in params.
        const detail = nodeCron().validateDetailed(value).errors[0]?.message;
        ctx.addIssue({
            code: "custom",
            message: "expected a valid cron expression",
            input: value,
            ...(detail ? { params: { detail } } : {}),
        });
    }),
    timezone: z
        .string()
        .refine(isValidTimeZone, "expected an IANA time zone such as UTC or Europe/Paris"),
    severity: z.enum(SEVERITIES),
    duration: z
        .string()
        .refine((value) => parseDuration(value) !== null, "expected a duration such as 90d, 12h or 8w"),
    domain: z
        .string()
        .regex(/^@?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, "expected an email domain such as example.com"),
    email: z
        .string()
        .regex(/^(?:[^<>]*<\s*)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+(?:\s*>)?$/, 'expected an email address such as audit@example.com or "Name <audit@example.com>"'),
    nonEmpty: z.string().trim().min(1, "expected a non-empty string"),
    logFormat: z.enum(LOG_FORMATS),
};
const f = fieldSchemas;
const retentionSchema = z
    .strictObject({
    keep: z.literal("all"),
    keep_last: z.int().min(1),
    keep_younger_than: f.duration,
    monthly: z.boolean(),
})
    .partial()
    .superRefine((value, ctx) => {
    const chosen = ["keep", "keep_last", "keep_younger_than"].filter((k) => value[k] !== undefined);
    if (chosen.length !== 1) {
        ctx.addIssue({
            code: "custom",
            message: chosen.length === 0
                ? "expected one of keep: all, keep_last: N or keep_younger_than: DURATION"
                : `expected only one of keep, keep_last, keep_younger_than, got ${chosen.join(" and ")}`,
        });
    }
    if (value.monthly !== undefined && value.keep_younger_than === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["monthly"],
            message: "expected only together with keep_younger_than",
        });
    }
});
/** The file's shape. Everything is optional; nulls are removed before validation. */
export const configFileSchema = z
    .strictObject({
    database: f.path,
    lock_wait: f.lockWait,
    organization: f.nonEmpty,
    api: z
        .strictObject({
        base_url: f.httpUrl,
        key_file: f.path,
        concurrency: f.concurrency,
        rate_limit: f.rateLimit,
        user_roles: z.boolean(),
        projects: z.boolean(),
        project_role_assignments: z.boolean(),
        credentials: z.boolean(),
        audit_log: z.boolean(),
        audit_log_overlap_minutes: f.overlapMinutes,
        allow_insecure_http: z.boolean(),
    })
        .partial(),
    crawl: z
        .strictObject({
        max_pages_per_listing: f.maxPagesPerListing,
        max_items: f.maxItems,
        max_duration: f.crawlDuration,
    })
        .partial(),
    analysis: z
        .strictObject({
        elevated_roles: z
            .strictObject({
            names: z.array(f.nonEmpty),
            permission_patterns: z.array(f.nonEmpty),
            access_admin_patterns: z.array(f.nonEmpty),
        })
            .partial(),
        allowed_email_domains: z.array(f.domain),
        inactivity_days: f.inactivityDays,
        credentials: z
            .strictObject({
            admin_key_unused_days: f.unusedDays,
            key_unused_days: f.unusedDays,
            invite_pending_days: f.credentialDays,
            key_rotation_days: f.credentialDays,
        })
            .partial(),
        rules: z.array(f.path),
    })
        .partial(),
    report: z
        .strictObject({
        formats: z.array(z.enum(REPORT_FORMATS)).min(1),
        output: f.path,
    })
        .partial(),
    schedule: z
        .strictObject({
        cron: f.cron,
        timezone: f.timezone,
        fail_on: f.severity,
    })
        .partial(),
    retention: retentionSchema,
    email: z
        .strictObject({
        enabled: z.boolean(),
        smtp: z
            .strictObject({
            host: f.nonEmpty,
            port: z.int().min(1).max(65_535),
            security: z.enum(SMTP_SECURITY),
            username: f.nonEmpty,
            password_file: f.path,
            ca_file: f.path,
        })
            .partial(),
        from: f.email,
        to: z.array(f.email),
        send: z.enum(SEND_POLICIES),
        min_severity: f.severity,
    })
        .partial(),
    certify: z
        .strictObject({
        operator: f.nonEmpty,
        identity: z
            .strictObject({
            plus_addressing: z.boolean(),
            dot_insensitive_domains: z.array(f.domain),
            domain_aliases: z.record(f.domain, f.domain),
        })
            .partial(),
    })
        .partial(),
    logging: z.strictObject({ format: f.logFormat }).partial(),
})
    .partial();
/** Keys that would hold a secret; secrets come from the environment or from files. */
const SECRET_KEYS = new Set([
    "key",
    "api_key",
    "apikey",
    "admin_key",
    "openai_admin_key",
    "openai_api_key",
    "password",
    "passwd",
    "pass",
    "smtp_password",
    "secret",
    "token",
    "bearer",
]);
export const ADMIN_KEY_HELP = "secrets are not read from the config file: set OPENAI_ADMIN_KEY, or name a file holding the key with api.key_file (or OPENAI_ADMIN_KEY_FILE)";
export const SMTP_PASSWORD_HELP = "secrets are not read from the config file: set ACCESS_AUDIT_SMTP_PASSWORD, or name a file holding the password with email.smtp.password_file";
function isAdminKeyName(key, path) {
    if (/pass/.test(key))
        return false;
    return path[0] === "api" || /key|token|bearer/.test(key);
}
/** Literal secrets anywhere in the parsed file, as [key path, message] pairs. */
export function findLiteralSecrets(value, path = []) {
    const found = [];
    if (typeof value === "string") {
        if (KEY_LIKE.test(value)) {
            found.push([[...path], `this value looks like an API key; ${ADMIN_KEY_HELP}`]);
        }
        return found;
    }
    if (Array.isArray(value)) {
        value.forEach((item, index) => {
            found.push(...findLiteralSecrets(item, [...path, index]));
        });
        return found;
    }
    if (value !== null && typeof value === "object") {
        for (const [key, child] of Object.entries(value)) {
            const here = [...path, key];
            if (SECRET_KEYS.has(key.toLowerCase())) {
                found.push([
                    here,
                    isAdminKeyName(key.toLowerCase(), path) ? ADMIN_KEY_HELP : SMTP_PASSWORD_HELP,
                ]);
            }
            else {
                found.push(...findLiteralSecrets(child, here));
            }
        }
    }
    return found;
}
/** `60s`, `5m`, `0s` -> milliseconds; null when not such a duration or above one hour. */
export function parseLockWait(text) {
    const match = /^\s*(\d{1,4})\s*([sm])\s*$/i.exec(text);
    if (!match)
        return null;
    const ms = Number(match[1]) * ((match[2] ?? "").toLowerCase() === "m" ? 60_000 : 1_000);
    return ms <= 3_600_000 ? ms : null;
}
//# sourceMappingURL=schema.js.map