import { yaml } from "../util/yaml.js";
import { adminKeySource, describeSecret, smtpPasswordSource } from "./secrets.js";
/** The policy as the file writes it. */
function policyAsKeys(policy) {
    switch (policy.kind) {
        case "all":
            return { keep: "all" };
        case "last":
            return { keep_last: policy.count };
        case "younger_than":
            return { keep_younger_than: policy.duration, monthly: policy.monthly };
    }
}
export function redactedConfig(config, env = process.env) {
    const { api, crawl, analysis, report, schedule, email } = config;
    return {
        file: config.file,
        database: config.database,
        lock_wait: config.lockWait,
        organization: config.organization,
        api: {
            base_url: api.baseUrl,
            key: describeSecret(adminKeySource(config, env)),
            concurrency: api.concurrency,
            rate_limit: api.rateLimitRps,
            user_roles: api.userRoles,
            projects: api.projects,
            project_role_assignments: api.projectRoleAssignments,
            credentials: api.credentials,
            audit_log: api.auditLog,
            audit_log_overlap_minutes: api.auditLogOverlapMinutes,
            allow_insecure_http: api.allowInsecureHttp,
        },
        crawl: {
            max_pages_per_listing: crawl.maxPagesPerListing,
            max_items: crawl.maxItems,
            max_duration: crawl.maxDuration,
        },
        analysis: {
            elevated_roles: {
                names: analysis.elevatedRoleNames,
                permission_patterns: analysis.elevatedPermissionPatterns,
                access_admin_patterns: analysis.accessAdminPermissionPatterns,
            },
            allowed_email_domains: analysis.allowedEmailDomains,
            inactivity_days: analysis.inactivityDays,
            credentials: {
                admin_key_unused_days: analysis.credentials.adminKeyUnusedDays,
                key_unused_days: analysis.credentials.keyUnusedDays,
                invite_pending_days: analysis.credentials.invitePendingDays,
                key_rotation_days: analysis.credentials.keyRotationDays,
            },
            rules: analysis.ruleDirs,
        },
        report: { formats: report.formats, output: report.outDir },
        schedule: { cron: schedule.cron, timezone: schedule.timezone, fail_on: schedule.failOn },
        retention: policyAsKeys(config.retention),
        email: {
            enabled: email.enabled,
            smtp: {
                host: email.smtp.host,
                port: email.smtp.port,
                security: email.smtp.security,
                username: email.smtp.username,
                password: describeSecret(smtpPasswordSource(config, env)),
                ca_file: email.smtp.caFile,
            },
            from: email.from,
            to: email.to,
            send: email.send,
            min_severity: email.minSeverity,
        },
        certify: {
            operator: config.certify.operator,
            identity: {
                plus_addressing: config.certify.identity.plusAddressing,
                dot_insensitive_domains: [...config.certify.identity.dotInsensitiveDomains],
                domain_aliases: { ...config.certify.identity.domainAliases },
            },
        },
        logging: { format: config.logging.format },
    };
}
/** Secret file keys are shown as `key` / `password`, whose text already names the source. */
const SECRET_FILE_KEYS = new Set(["api.key_file", "email.smtp.password_file"]);
/** The redacted configuration as YAML, each value not a default annotated with its origin. */
export function redactedConfigYaml(config, env = process.env) {
    const { Document, isMap, isScalar } = yaml();
    const doc = new Document(redactedConfig(config, env));
    for (const [key, origin] of Object.entries(config.sources)) {
        if (SECRET_FILE_KEYS.has(key))
            continue;
        const path = key.split(".");
        const map = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
        if (!isMap(map))
            continue;
        const pair = map.items.find((p) => isScalar(p.key) && p.key.value === path.at(-1));
        if (!pair)
            continue;
        // A scalar takes the comment after its value; a list or mapping after its key.
        if (isScalar(pair.value))
            pair.value.comment = ` ${origin}`;
        else if (isScalar(pair.key))
            pair.key.comment = ` ${origin}`;
    }
    return doc.toString({ lineWidth: 0 });
}
//# sourceMappingURL=redact.js.map