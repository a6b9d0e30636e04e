/**
 * What makes a base URL safe to send the admin key to (SECURITY.md): an http(s) URL with no
 * user name or password, no query string and no fragment (the base URL is printed, stored with
 * every snapshot and shown in reports, so a secret in it would leak everywhere), nothing that
 * looks like a key, and `https:` unless the host is this machine (plain HTTP elsewhere would
 * send `Authorization: Bearer` in clear text) or plain HTTP was explicitly allowed.
 *
 * Pure functions, shared by the configuration (which refuses a bad value before anything runs
 * or is printed) and the transport (which refuses it again for library users). No message
 * repeats a secret part of the value: it shows a redacted form, or nothing at all.
 */
/** Something shaped like an OpenAI key (`sk-…`, `sk-admin-…`), anywhere in a text. */
export const KEY_LIKE = /\bsk-[A-Za-z0-9_-]{16,}/;
/**
 * OpenAI's Admin API: the default base URL, and the example every message about a bad one gives.
 * Here rather than in client.ts so that the configuration can name it without loading the
 * transport (undici: about 0.1 s of every start of a command that calls no API).
 */
export const DEFAULT_BASE_URL = "https://api.openai.com/v1";
/** Where the key goes instead of the base URL. */
const KEY_HELP = "the admin key goes in OPENAI_ADMIN_KEY or a key file, never in the base URL";
/** The raw authority (between `//` and the first `/`, `\`, `?` or `#`), or null. */
function rawAuthority(value) {
    const match = /^[A-Za-z][A-Za-z0-9+.-]*:[/\\]{2}([^/\\?#]*)/.exec(value.trim());
    return match ? (match[1] ?? "") : null;
}
function parse(value) {
    try {
        return new URL(value);
    }
    catch {
        return null;
    }
}
function hasUserinfo(value, url) {
    return url.username !== "" || url.password !== "" || (rawAuthority(value) ?? "").includes("@");
}
function hasQuery(value, url) {
    return url.search !== "" || value.includes("?");
}
function hasFragment(value, url) {
    return url.hash !== "" || value.includes("#");
}
/**
 * The value as it may be printed: for an http(s) URL its scheme, host, port and path, with any
 * user name and password, query string and fragment replaced by `[redacted]`; anything else
 * (not a URL, another scheme) only when it holds no `@`, `?` or `#`; null when it must not be
 * shown at all (that, or it looks like a key).
 */
export function redactedBaseUrl(value) {
    if (KEY_LIKE.test(value))
        return null;
    const url = parse(value);
    if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
        return /[@?#]/.test(value) ? null : value;
    }
    const userinfo = hasUserinfo(value, url) ? "[redacted]@" : "";
    return (`${url.protocol}//${userinfo}${url.host}${url.pathname}` +
        `${hasQuery(value, url) ? "?[redacted]" : ""}${hasFragment(value, url) ? "#[redacted]" : ""}`);
}
/** Why `value` cannot be a base URL at all (whatever the transport policy), or null. */
export function baseUrlProblem(value) {
    const url = parse(value);
    if (KEY_LIKE.test(value)) {
        const isUrl = url !== null && (url.protocol === "http:" || url.protocol === "https:");
        return {
            message: isUrl
                ? `expected a base URL without an API key in it, got one that holds something shaped like a key (not shown): ${KEY_HELP}`
                : `expected an http(s) URL such as ${DEFAULT_BASE_URL}, got a value that looks like an API key (not shown): ${KEY_HELP}`,
            shown: null,
        };
    }
    const shown = redactedBaseUrl(value);
    if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
        return { message: `expected an http(s) URL such as ${DEFAULT_BASE_URL}`, shown };
    }
    if (url.hostname === "") {
        return { message: `expected an http(s) URL with a host, such as ${DEFAULT_BASE_URL}`, shown };
    }
    if (hasUserinfo(value, url)) {
        return {
            message: `expected a base URL without a user name or password (${KEY_HELP})`,
            shown,
        };
    }
    if (hasQuery(value, url)) {
        return {
            message: `expected a base URL without a query string (it is stored with every snapshot and shown in reports; ${KEY_HELP})`,
            shown,
        };
    }
    if (hasFragment(value, url)) {
        return { message: "expected a base URL without a fragment (#…)", shown };
    }
    return null;
}
/** `127.0.0.0/8`, `::1` (and IPv4-mapped `::ffff:127.x.y.z`), `localhost`: this machine. */
export function isLoopbackHost(hostname) {
    const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
    if (host === "localhost")
        return true;
    const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
    if (v4)
        return v4.slice(1).every((o) => Number(o) <= 255) && v4[1] === "127";
    if (!host.includes(":"))
        return false;
    // The URL parser writes IPv6 addresses in their shortest form: `[0:0::1]` is `[::1]`.
    if (host === "::1")
        return true;
    // The URL parser writes `::ffff:127.0.0.1` as `::ffff:7f00:1`.
    const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(host);
    if (mapped)
        return Number.parseInt(mapped[1] ?? "0", 16) >> 8 === 0x7f;
    const dotted = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(host);
    return dotted ? isLoopbackHost(dotted[1] ?? "") : false;
}
/**
 * Why the admin key may not be sent to this (valid) base URL over plain HTTP, or null: `http:`
 * to a host that is not this machine, unless `allowInsecureHttp`. The message names the host
 * (never a secret part) and the settings that allow it.
 */
export function insecureHttpProblem(value, allowInsecureHttp) {
    if (allowInsecureHttp)
        return null;
    const url = parse(value);
    if (url === null || url.protocol !== "http:" || isLoopbackHost(url.hostname))
        return null;
    return (`refusing to send the admin key in clear text over plain HTTP to ${url.host}: use https://, ` +
        "or allow it for a network you trust with --allow-insecure-http (api.allow_insecure_http: true)");
}
//# sourceMappingURL=base-url.js.map