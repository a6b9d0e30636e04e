/**
 * Logging and secret redaction shared by every stage.
 *
 * Secrets (the admin key, SMTP passwords) are registered once at start-up; every
 * log line and every error message that leaves the process goes through
 * `redactSecrets`, so a secret echoed back by a server or a library cannot leak, not even
 * base64- or hex-encoded.
 */
import { pino } from "pino";
import { revealInvisible } from "../render/text.js";
const secrets = new Set();
/** Secrets shown as `[redacted]` whole (passwords). */
const masked = new Set();
/** Encoded forms of every registered secret (base64, base64url, hex), shown as `[redacted]`. */
const encoded = new Set();
/** Shorter encoded fragments are not specific enough to mask without masking innocent text. */
const MIN_ENCODED_LENGTH = 12;
/**
 * The fragments that any base64 (standard or url-safe, padded or not) or hex encoding of a
 * text containing `secret` must contain, whatever precedes it: hex of the secret's bytes (lower
 * and upper case) and, for each of the three alignments of the secret within base64's 3-byte
 * groups, the characters that encode only the secret's bytes. So `base64(key)`,
 * `base64("user:" + key)` (HTTP basic auth), `base64("Bearer " + key)` or a base64 JSON
 * document holding the key are all caught, not just the key encoded on its own. Fragments
 * shorter than 12 characters are left out (too short to be specific).
 */
export function encodedForms(secret) {
    const bytes = Buffer.from(secret, "utf8");
    const forms = new Set();
    const hex = bytes.toString("hex");
    forms.add(hex);
    forms.add(hex.toUpperCase());
    for (let offset = 0; offset < 3; offset++) {
        const b64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
        // 3-byte groups lying wholly within the secret's bytes [offset, offset + length).
        const first = Math.ceil(offset / 3);
        const end = Math.floor((offset + bytes.length) / 3);
        if (end <= first)
            continue;
        const core = b64.slice(first * 4, end * 4);
        forms.add(core);
        forms.add(core.replaceAll("+", "-").replaceAll("/", "_"));
    }
    return [...forms].filter((f) => f.length >= MIN_ENCODED_LENGTH);
}
/**
 * Register a secret so it is masked wherever it might surface, as itself and encoded (see
 * `encodedForms`). Keys shorter than 8 characters are ignored unless `reveal: "nothing"`.
 */
export function registerSecret(secret, options = {}) {
    if (!secret)
        return;
    // A password shows nothing of itself, at any length; an API key may keep its prefix and last
    // four characters (the form `redactKey` gives), which people use to tell keys apart.
    // In a JSON log line, a secret holding `"`, `\` or a control character is written escaped.
    const forms = [secret, JSON.stringify(secret).slice(1, -1)];
    if (options.reveal === "nothing")
        for (const form of forms)
            masked.add(form);
    else if (secret.length >= 8)
        for (const form of forms)
            secrets.add(form);
    else
        return;
    for (const form of encodedForms(secret))
        encoded.add(form);
}
/** The form of a key safe to show or store: its prefix and last four characters. */
export function redactKey(key) {
    if (key.length <= 12)
        return "***";
    const prefix = key.startsWith("sk-admin-") ? "sk-admin-" : key.slice(0, 3);
    return `${prefix}...${key.slice(-4)}`;
}
export function redactSecrets(text) {
    let out = text;
    for (const s of masked) {
        if (out.includes(s))
            out = out.split(s).join("[redacted]");
    }
    for (const s of secrets) {
        if (out.includes(s))
            out = out.split(s).join(redactKey(s));
    }
    for (const s of encoded) {
        if (out.includes(s))
            out = out.split(s).join("[redacted]");
    }
    // Anything that still looks like a bearer credential is masked too.
    return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/g, "$1[redacted]");
}
/**
 * How log lines are written: `json` (one object a line, for machines: schedulers, CI, systemd's
 * journal), `pretty` (one short human line an event) or `auto`: pretty on a terminal, JSON
 * elsewhere.
 */
export const LOG_FORMATS = ["auto", "json", "pretty"];
export const LOG_FORMAT_ENV = "ACCESS_AUDIT_LOG_FORMAT";
export function isLogFormat(value) {
    return LOG_FORMATS.includes(value);
}
/** The format `auto` becomes on a terminal (`pretty`) or elsewhere (`json`). */
export function effectiveLogFormat(format, terminal) {
    if (format !== "auto")
        return format;
    return terminal ? "pretty" : "json";
}
/** The process's format, chosen once by the CLI (`useLogFormat`) before a command logs. */
let chosenFormat = "auto";
let prettyModule = null;
const isTerminal = (stream) => "isTTY" in stream && stream.isTTY === true;
/**
 * Sets the format of every logger created from now on (unless it names its own). pino-pretty is
 * loaded only when some logger will be pretty, so a piped or JSON process does not pay for it.
 */
export async function useLogFormat(format, destination = process.stderr) {
    chosenFormat = format;
    if (prettyModule === null && effectiveLogFormat(format, isTerminal(destination)) === "pretty") {
        prettyModule = (await import("pino-pretty")).default;
    }
}
/** Fields a pretty line leaves out (pino's own; the time and level lead the line anyway). */
const PRETTY_SKIPPED = new Set(["level", "time", "pid", "hostname"]);
/** A line is for a glance: a few fields, each cut short (the JSON format keeps everything). */
const PRETTY_MAX_FIELDS = 4;
const PRETTY_MAX_VALUE = 160;
function prettyValue(value) {
    if (value === null || value === undefined)
        return null;
    let text;
    if (typeof value === "string") {
        // Bare when unambiguous; quoted (JSON: control characters escaped) when it has spaces.
        text = /^[^\s"=]+$/u.test(value) ? value : JSON.stringify(value);
    }
    else if (typeof value === "object" && "message" in value && typeof value.message === "string") {
        // An error: its message, never its stack (many lines).
        text = JSON.stringify(value.message);
    }
    else {
        text = JSON.stringify(value) ?? String(value);
    }
    // Masked before it is cut, so a cut cannot leave part of a secret unrecognised.
    text = redactSecrets(text);
    return text.length > PRETTY_MAX_VALUE ? `${text.slice(0, PRETTY_MAX_VALUE - 1)}…` : text;
}
/**
 * The text of a pretty log line after its time and level: the message, then at most a few
 * `key=value` fields (`+N more` says how many were left out). One line whatever the values hold:
 * hidden characters (line breaks, escape sequences, bidi overrides) are revealed as `[U+001B]`,
 * as everywhere names from the API are shown, and secrets are masked.
 */
export function formatLogMessage(log, messageKey = "msg") {
    const message = log[messageKey];
    const parts = [];
    if (typeof message === "string" && message !== "")
        parts.push(redactSecrets(message));
    let fields = 0;
    let left = 0;
    for (const [key, value] of Object.entries(log)) {
        if (key === messageKey || PRETTY_SKIPPED.has(key))
            continue;
        const shown = prettyValue(value);
        if (shown === null)
            continue;
        if (fields >= PRETTY_MAX_FIELDS)
            left++;
        else {
            parts.push(`${key}=${shown}`);
            fields++;
        }
    }
    if (left > 0)
        parts.push(`+${left} more`);
    return revealInvisible(parts.join(" "));
}
/** JSON log line -> one pretty line (pino-pretty's formatter, called inline: synchronous). */
function prettyLines(colorize) {
    if (prettyModule === null) {
        throw new Error("pretty logs: call useLogFormat() before createLogger()");
    }
    const pretty = prettyModule.prettyFactory({
        colorize,
        singleLine: true,
        hideObject: true,
        translateTime: "SYS:HH:MM:ss",
        // pino-pretty would show `name` beside the level; it is one of the fields instead.
        ignore: "pid,hostname,name",
        messageFormat: (log, messageKey) => formatLogMessage(log, messageKey),
    });
    return (line) => {
        const out = pretty(line);
        return out.endsWith("\n") ? out : `${out}\n`;
    };
}
/**
 * A pino logger writing to stderr as JSON lines or short human lines (see LogFormat), with
 * secrets masked in every line of every format.
 */
export function createLogger(options = {}) {
    const dest = options.destination ?? process.stderr;
    const terminal = isTerminal(dest);
    const format = effectiveLogFormat(options.format ?? chosenFormat, terminal);
    // NO_COLOR (no-color.org): colours only for a terminal that has not refused them.
    const pretty = format === "pretty" ? prettyLines(terminal && !process.env.NO_COLOR) : null;
    // On a terminal a line first clears the one it lands on: a progress bar drawn there is
    // replaced (and redrawn below) instead of running into the log line.
    const lead = pretty !== null && terminal ? "\r\u001b[2K" : "";
    const redactingStream = {
        write(line) {
            const masked = redactSecrets(line);
            // The pretty line is masked again: unescaped JSON could show a secret's raw form.
            dest.write(pretty === null ? masked : lead + redactSecrets(pretty(masked)));
        },
    };
    return pino({
        // On a terminal, a command that tells its own story shows only warnings; elsewhere
        // (schedulers, CI) the info lines are the progress record.
        level: options.level ??
            process.env.ACCESS_AUDIT_LOG_LEVEL ??
            (terminal && options.story === true ? "warn" : "info"),
        base: null,
        redact: {
            paths: [
                "authorization",
                "headers.authorization",
                "*.headers.authorization",
                "apiKey",
                "*.apiKey",
            ],
            censor: "[redacted]",
        },
    }, redactingStream);
}
/** A logger that discards everything: the default for library use. */
export const silentLogger = pino({ level: "silent" });
//# sourceMappingURL=log.js.map