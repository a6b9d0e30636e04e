/**
 * Change reports by email: one message per snapshot over SMTP (nodemailer), with a short HTML
 * body and a plain-text alternative rendered from `templates/email.{html,txt}.hbs`, and the
 * HTML report and XLSX workbook attached (streamed from disk).
 *
 * Delivery is best effort by design: `sendChangeReport` never throws. A transient failure
 * (4xx reply, 503, dropped or refused connection, timeout) is retried with backoff; a
 * permanent one (any other 5xx, wrong credentials, an untrusted certificate, a server that
 * cannot do the TLS asked for) ends at once. Either way the caller gets
 * `{ status: "failed" }` and decides what to log; the snapshot is never failed by email.
 *
 * Everything in the report is untrusted (names and emails come from the organization): the
 * templates only use escaped `{{ }}` (a template with `{{{` or `{{&` is refused), header
 * values lose their control characters, and the SMTP password is masked in every message
 * this module produces.
 */
import { lstat, readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { SEVERITIES, severityRank } from "../analysis/rules.js";
import { createTemplateEnvironment, revealInvisible, templatesDirectory } from "../render/index.js";
import { OutputPathError, walkFolder } from "../util/files.js";
import { lazyRequire } from "../util/lazy-require.js";
import { registerSecret, silentLogger } from "../util/log.js";
const DEFAULT_RETRIES = 2;
const DEFAULT_RETRY_DELAY_MS = 2000;
const MAX_RETRY_DELAY_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_CHANGES = 50;
const MAX_ORGANIZATION_LENGTH = 120;
// Control characters, and the Unicode line and paragraph separators some clients break on.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/**
 * One line of text: hidden characters (CR/LF, bidi overrides, tag characters, …) are revealed
 * as `[U+202E]` (src/render), never obeyed, so a name reads in the mail client as it is; then
 * runs of spaces collapse.
 */
function oneLine(value) {
    return revealInvisible(value).replace(/ +/g, " ").trim();
}
function truncate(value, max) {
    return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
const numberFormat = new Intl.NumberFormat("en-US");
const fmt = (n) => numberFormat.format(n);
const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;
function isSeverity(value) {
    return typeof value === "string" && SEVERITIES.includes(value);
}
/** At or above `min`; an unknown severity (untrusted input) never is. */
function atLeast(severity, min) {
    return isSeverity(severity) && severityRank(severity) >= severityRank(min);
}
/** The total number of changes: the summary's, or the lines' if the caller passed more lines. */
function totalChanges(report) {
    const byKind = report.changesByKind.reduce((sum, k) => sum + Math.max(0, k.count), 0);
    return Math.max(byKind, report.changes.length);
}
function reportedFindings(report, min) {
    const listed = report.findings.filter((f) => f.isNew && atLeast(f.severity, min));
    // Most severe first; sort is stable, so the caller's order holds within a severity.
    return listed.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}
/** Whether the policy calls for a message: `null` to send, or why not. */
export function skipReason(report, policy, minSeverity) {
    switch (policy) {
        case "always":
            return null;
        case "changes":
            return totalChanges(report) > 0
                ? null
                : "policy 'changes': no changes since the last snapshot";
        case "findings":
            return reportedFindings(report, minSeverity).length > 0
                ? null
                : `policy 'findings': no new finding at or above ${minSeverity}`;
    }
}
const SEVERITY_COLOURS = {
    critical: "#a50e0e",
    high: "#c2410c",
    medium: "#8a6d00",
    low: "#4b5563",
};
/** The subject line: single-line by construction, whatever the organization's name holds. */
function emailSubject(report, minSeverity) {
    const organization = truncate(oneLine(report.organization), MAX_ORGANIZATION_LENGTH);
    const changes = plural(totalChanges(report), "change", "changes");
    const findings = plural(reportedFindings(report, minSeverity).length, "new finding", "new findings");
    const date = truncate(oneLine(report.orgDate), 32);
    return `[access-audit] ${organization}: ${changes}, ${findings} (snapshot ${report.snapshotId}, ${date})`;
}
/** What the templates see: strings and numbers only, every text field flattened to one line. */
function emailView(report, minSeverity, maxChanges) {
    const total = totalChanges(report);
    const shown = report.changes.slice(0, Math.max(0, maxChanges));
    const more = total - shown.length;
    const listed = reportedFindings(report, minSeverity);
    const newFindings = report.findings.filter((f) => f.isNew);
    const below = newFindings.length - listed.length;
    const continuing = report.findings.filter((f) => !f.isNew && atLeast(f.severity, minSeverity));
    const attachments = report.attachments.map((a) => oneLine(a.filename ?? basename(a.path)));
    const reportName = attachments.length > 0 ? "the attached report" : "the full report";
    return {
        subject: emailSubject(report, minSeverity),
        organization: oneLine(report.organization),
        snapshotId: report.snapshotId,
        previous: report.previousId === null
            ? "the first snapshot: there is nothing to compare it with"
            : `compared with snapshot ${report.previousId}`,
        orgDate: oneLine(report.orgDate),
        headline: `${plural(total, "change", "changes")}, ${plural(listed.length, "new finding", "new findings")} at or above ${minSeverity}`,
        counts: [
            { label: "Groups", value: fmt(report.counts.groups) },
            { label: "Users", value: fmt(report.counts.users) },
            { label: "Memberships", value: fmt(report.counts.memberships) },
            { label: "Elevated grants", value: fmt(report.counts.elevatedGrants) },
        ],
        changesByKind: report.changesByKind
            .filter((k) => k.count > 0)
            .map((k) => ({ kind: oneLine(k.kind), count: fmt(k.count) })),
        hasChanges: total > 0,
        coverageNote: report.coverageNote === undefined || report.coverageNote === null
            ? null
            : oneLine(report.coverageNote),
        changes: shown.map((c) => ({
            kind: oneLine(c.kind),
            summary: oneLine(c.summary),
            actor: c.actor === undefined || c.actor === null ? null : oneLine(c.actor),
            reason: c.reason === undefined || c.reason === null ? null : oneLine(c.reason),
            elevated: c.elevated === true,
        })),
        attribution: report.attribution === undefined || report.attribution === null
            ? null
            : {
                unattributed: `${plural(report.attribution.unattributed, "change is", "changes are")} unattributed, ${fmt(report.attribution.unattributedElevated)} of them elevated`,
                hasUnaccounted: report.attribution.unattributedElevated > 0,
                unaccounted: `${plural(report.attribution.unattributedElevated, "elevated change", "elevated changes")} nobody can account for: no audit-log event names who made ${report.attribution.unattributedElevated === 1 ? "it" : "them"}`,
                coverage: oneLine(report.attribution.coverage),
            },
        moreChanges: more > 0 ? `and ${fmt(more)} more in ${reportName}` : null,
        minSeverity,
        findings: listed.map((f) => ({
            severity: f.severity,
            colour: SEVERITY_COLOURS[f.severity],
            rule: oneLine(f.rule),
            title: oneLine(f.title),
            subject: oneLine(f.subject),
        })),
        belowMinimum: below > 0
            ? `Not listed here: ${plural(below, "new finding", "new findings")} below ${minSeverity}; see ${reportName}`
            : null,
        continuing: continuing.length > 0
            ? `${plural(continuing.length, "finding", "findings")} at or above ${minSeverity} carried over from earlier snapshots`
            : null,
        accepted: report.acceptedFindings === undefined || report.acceptedFindings === 0
            ? null
            : `${plural(report.acceptedFindings, "finding is", "findings are")} accepted by an exception until its expiry (listed in ${reportName} with approver and reason)`,
        skippedRules: report.skippedRules === undefined
            ? null
            : report.skippedRules.length === 0
                ? "Every rule was evaluated."
                : `${plural(report.skippedRules.length, "rule was", "rules were")} not evaluated (skipped, not passed): ${report.skippedRules.map((r) => `${oneLine(r.rule)} (${oneLine(r.reason)}; to evaluate it: ${oneLine(r.setting)})`).join("; ")}`,
        seal: oneLine(report.seal),
        verifyCommand: `access-audit verify --snapshot ${report.snapshotId}`,
        attachments,
        evidence: (report.evidence ?? []).map((e) => ({
            label: oneLine(e.label),
            value: oneLine(e.value),
        })),
        reportDigests: (report.reportDigests ?? []).map((d) => ({
            name: oneLine(d.name),
            sha256: oneLine(d.sha256),
        })),
    };
}
const compiled = new Map();
/**
 * Compiles a template in its own environment (src/render), which refuses unescaped output: the
 * data is untrusted, so `{{{ }}}` and `{{& }}` have no legitimate use here. `strict` makes a
 * misspelt field an error, not a blank.
 */
function compileTemplate(file, source, escapeHtml) {
    return createTemplateEnvironment({ escapeHtml, knownHelpersOnly: false }).compile(source, file);
}
async function loadTemplates(directory) {
    const cached = compiled.get(directory);
    if (cached)
        return cached;
    const htmlFile = join(directory, "email.html.hbs");
    const textFile = join(directory, "email.txt.hbs");
    const templates = {
        html: compileTemplate(htmlFile, await readFile(htmlFile, "utf8"), true),
        // text/plain is never interpreted as markup: HTML entities would only garble it.
        text: compileTemplate(textFile, await readFile(textFile, "utf8"), false),
    };
    compiled.set(directory, templates);
    return templates;
}
/** Subject and bodies for a report; the same input always gives the same output (no clock). */
export async function renderChangeReportEmail(report, options) {
    const templates = await loadTemplates(options.templatesDir ?? templatesDirectory());
    const view = emailView(report, options.minSeverity, options.maxChangesInBody ?? DEFAULT_MAX_CHANGES);
    return { subject: view.subject, html: templates.html(view), text: templates.text(view) };
}
/** The password and the encodings AUTH PLAIN / LOGIN put on the wire, which a server may echo. */
function secretForms(smtp) {
    const { username, password } = smtp;
    if (!password)
        return [];
    const forms = [password, Buffer.from(password).toString("base64")];
    if (username !== undefined) {
        forms.push(Buffer.from(`\u0000${username}\u0000${password}`).toString("base64"));
    }
    return forms;
}
function redactWith(forms) {
    // Whole masking, whatever the length: registerSecret ignores short values.
    return (text) => forms.reduce((out, s) => out.split(s).join("[redacted]"), text);
}
const PERMANENT_CODES = new Set([
    "EAUTH",
    "ENOAUTH",
    "ECONFIG",
    "EENVELOPE",
    "ETLS",
    "EREQUIRETLS",
    "EFILEACCESS",
    "EURLACCESS",
    "ENOENT",
    "EACCES",
    "EISDIR",
]);
// Certificate verification failures: a retry would present the same certificate.
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME/;
function field(err, name) {
    return err[name];
}
/** Reads nodemailer's error fields and decides whether a retry could succeed. */
function classifySmtpError(err, redact) {
    if (!(err instanceof Error))
        return { message: redact(String(err)), permanent: false };
    const code = typeof field(err, "code") === "string" ? field(err, "code") : undefined;
    const originalCode = field(err, "originalCode");
    const responseCode = field(err, "responseCode");
    const flagged = field(err, "permanent");
    let permanent;
    if (typeof responseCode === "number") {
        // RFC 5321: 5yz is a permanent refusal, 4yz transient; 503 is a bad command sequence,
        // which a fresh connection can get past (nodemailer's own `permanent` says the same).
        permanent =
            typeof flagged === "boolean"
                ? flagged
                : responseCode >= 500 && responseCode < 600 && responseCode !== 503;
    }
    else {
        permanent =
            (code !== undefined && PERMANENT_CODES.has(code)) ||
                [code, originalCode].some((c) => typeof c === "string" && CERTIFICATE_ERROR.test(c));
    }
    // nodemailer's messages already quote the SMTP reply; its code tells which step failed.
    const message = redact(oneLine(code ? `${code}: ${err.message}` : err.message));
    return typeof responseCode === "number"
        ? { message, permanent, responseCode }
        : { message, permanent };
}
const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);
/** Settings that cannot work, or would put the password on the wire in clear; `null` if fine. */
function settingsProblem(options) {
    const { smtp } = options;
    if (options.to.length === 0)
        return "no recipients";
    for (const address of [options.from, ...options.to]) {
        // Addresses end up in headers: one with a line break is an injection attempt, not a typo.
        if (address.search(CONTROL) !== -1)
            return "an address contains control characters";
    }
    if (smtp.password !== undefined && smtp.username === undefined) {
        return "an SMTP password without a username";
    }
    if (smtp.security === "none" && smtp.password !== undefined && !LOOPBACK.has(smtp.host)) {
        return `refusing to send SMTP credentials to ${smtp.host} without TLS (security: none)`;
    }
    return null;
}
/**
 * An attachment must be a plain file reached without a symbolic link (the reports folder could
 * have been swapped for one since the reports were written: a link would mail whatever it
 * points to); checked with lstat along the whole path (`walkFolder`), as the writers check it.
 */
async function attachmentProblem(report) {
    for (const a of report.attachments) {
        try {
            walkFolder(dirname(resolve(a.path)), { what: "attachments", flag: "attachment folder" });
            const file = await lstat(a.path);
            if (file.isSymbolicLink()) {
                return `attachment ${a.path} is a symbolic link: refusing to follow it`;
            }
            if (!file.isFile())
                return `attachment ${a.path} is not a file`;
        }
        catch (error) {
            if (error instanceof OutputPathError)
                return error.message;
            return `attachment ${a.path} cannot be read`;
        }
    }
    return null;
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * nodemailer, loaded when a message is sent: a run with no email configured (and a `run` or
 * `schedule` that stops at a usage error) does not pay its start-up cost (about 0.08 s).
 */
const nodemailer = lazyRequire("nodemailer");
function createTransport(smtp) {
    const timeout = smtp.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return nodemailer().createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.security === "tls",
        // STARTTLS is required, never opportunistic: without it the password would go in clear.
        requireTLS: smtp.security === "starttls",
        ignoreTLS: smtp.security === "none",
        auth: smtp.username !== undefined ? { user: smtp.username, pass: smtp.password ?? "" } : undefined,
        tls: {
            minVersion: "TLSv1.2",
            rejectUnauthorized: true,
            ...(smtp.caPem !== undefined ? { ca: smtp.caPem } : {}),
        },
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        dnsTimeout: timeout,
        // nodemailer's transcript logging would include the AUTH exchange: it stays off.
        logger: false,
        debug: false,
    });
}
/**
 * Sends the change report if the policy calls for it. Never throws: every failure, SMTP or
 * otherwise, comes back as `{ status: "failed" }` with the password masked.
 */
export async function sendChangeReport(report, options) {
    const log = options.logger ?? silentLogger;
    const { smtp } = options;
    registerSecret(smtp.password, { reveal: "nothing" });
    const redact = redactWith(secretForms(smtp));
    const failed = (error, attempts, permanent) => {
        log.warn({ attempts, error }, "email delivery failed");
        return { status: "failed", attempts, error, permanent };
    };
    const reason = skipReason(report, options.policy, options.minSeverity);
    if (reason !== null) {
        log.info({ reason }, "email not sent");
        return { status: "skipped", reason };
    }
    const problem = settingsProblem(options) ?? (await attachmentProblem(report));
    if (problem !== null)
        return failed(redact(problem), 0, true);
    let rendered;
    try {
        rendered = await renderChangeReportEmail(report, options);
    }
    catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return failed(redact(`could not render the email: ${message}`), 0, true);
    }
    const maxAttempts = 1 + Math.max(0, Math.floor(options.retries ?? DEFAULT_RETRIES));
    const baseDelay = Math.max(0, options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS);
    const transport = createTransport(smtp);
    try {
        for (let attempt = 1;; attempt++) {
            try {
                const info = await transport.sendMail({
                    from: options.from,
                    to: options.to,
                    subject: rendered.subject,
                    text: rendered.text,
                    html: rendered.html,
                    attachments: report.attachments.map((a) => ({
                        // A path is streamed from disk by nodemailer, never read whole.
                        path: a.path,
                        filename: oneLine(a.filename ?? basename(a.path)),
                        ...(a.contentType !== undefined ? { contentType: oneLine(a.contentType) } : {}),
                    })),
                    headers: {
                        // RFC 3834: an automated message; autoresponders should stay quiet.
                        "Auto-Submitted": "auto-generated",
                        "X-Auto-Response-Suppress": "All",
                    },
                    // Attachments are local files; a path that looks like a URL must not be fetched.
                    disableUrlAccess: true,
                });
                const { accepted, rejected } = info;
                if (rejected.length > 0)
                    log.warn({ rejected }, "some recipients were rejected");
                log.info({ messageId: info.messageId, attempts: attempt, accepted }, "email sent");
                return { status: "sent", attempts: attempt, messageId: info.messageId, accepted, rejected };
            }
            catch (err) {
                const failure = classifySmtpError(err, redact);
                if (failure.permanent || attempt >= maxAttempts) {
                    log.warn({ attempts: attempt, error: failure.message, permanent: failure.permanent }, "email delivery failed");
                    return {
                        status: "failed",
                        attempts: attempt,
                        error: failure.message,
                        permanent: failure.permanent,
                        ...(failure.responseCode !== undefined ? { responseCode: failure.responseCode } : {}),
                    };
                }
                const delay = Math.min(baseDelay * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
                log.warn({ attempt, error: failure.message, retryInMs: delay }, "email delivery failed; retrying");
                await sleep(delay);
            }
        }
    }
    finally {
        transport.close();
    }
}
//# sourceMappingURL=email.js.map