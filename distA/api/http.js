/**
 * Transport of the Admin API client: one undici `Pool` (keep-alive) per client, a shared
 * concurrency limit, an optional adaptive client-side rate limiter, retries with
 * backoff/Retry-After, per-attempt timeouts and an overall deadline, cumulative counters,
 * JSON parsing and zod validation of every response.
 *
 * Retry policy:
 * - Retried: connection errors (refused, reset, socket closed, DNS), per-attempt timeouts,
 *   HTTP 408, 409, 429 and 5xx. `x-should-retry: true|false` overrides the status decision.
 *   Network errors on a non-idempotent request (only `createGroup`) are retried only when the
 *   request certainly never reached the server (connection refused / connect timeout / DNS).
 * - Malformed JSON in a 2xx response is a `ProtocolError`, retried at most
 *   `maxMalformedRetries` times (default 2): a body cut short by a flaky proxy heals on retry,
 *   a server that always sends garbage fails quickly. Not retried for a non-idempotent request
 *   (the server did process it). A well-formed body that does not match
 *   the wire schema is deterministic and is not retried.
 * - Hostile or broken bodies (SECURITY.md): a 2xx whose content-type is not JSON (an HTML
 *   login page of a proxy) or whose bytes are not valid UTF-8 counts as malformed (retried as
 *   above, then refused; invalid UTF-8 is never repaired, since replacing bytes would silently
 *   alter names in the evidence). A body over `maxResponseBytes` (declared by content-length
 *   or counted while streaming) is cut off at once and refused without retry; so is JSON nested
 *   deeper than `MAX_JSON_DEPTH`, checked before `JSON.parse`, and a string with an unpaired
 *   UTF-16 surrogate (`"\ud800"`: valid JSON, but no UTF-8 form, so storing it would alter it).
 * - Wait: `retry-after-ms` (ms), else `Retry-After` (seconds, float, or HTTP-date), else
 *   `initialBackoffMs * 2^n` capped at 8 s minus up to 25% jitter. Any wait is capped at
 *   `maxRetryDelayMs`; a server-requested wait above that cap fails the call at once
 *   (`RateLimitError` for a 429, else the status's error) instead of sleeping for hours.
 * - A 429 (or a 503 with a server wait) pauses every request of the client that has not been
 *   sent yet until the server's wait has passed, and lowers the client-side rate (AIMD).
 * - Deadline: `deadlineMs` counts from the first time the request is dispatched (time queued
 *   behind the concurrency limit before the first attempt does not count). When the next wait
 *   or attempt cannot finish before it, the call fails with `TimeoutError`.
 */
import { setMaxListeners } from "node:events";
import { createRequire } from "node:module";
import { redactSecrets, registerSecret } from "../util/log.js";
import { baseUrlProblem, insecureHttpProblem } from "./base-url.js";
import { errorForStatus, NetworkError, ProtocolError, RateLimitError, safeText, TimeoutError, } from "./errors.js";
import { AdaptiveRateLimiter, abortReason, findLoneSurrogate, jsonDepthExceeds, linkSignals, MAX_JSON_DEPTH, mayHoldSurrogate, Semaphore, sleep, } from "./limits.js";
import { Pool } from "./undici-pool.js";
/** Cap of one computed backoff wait (the SDKs' 8 s). */
export const MAX_BACKOFF_MS = 8_000;
/** Distinct `openai-organization` values kept, and the length kept of each. */
const MAX_ORGANIZATION_IDS = 8;
const MAX_ORGANIZATION_ID_LENGTH = 200;
/** Network error codes that prove the request never reached the server. */
const NOT_SENT_CODES = new Set([
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "UND_ERR_CONNECT_TIMEOUT",
]);
/** undici codes that are programming/lifecycle errors, not transient failures. */
const NON_RETRYABLE_CODES = new Set([
    "UND_ERR_INVALID_ARG",
    "UND_ERR_INVALID_RETURN_VALUE",
    "UND_ERR_NOT_SUPPORTED",
    "UND_ERR_CLOSED",
    "UND_ERR_DESTROYED",
    "UND_ERR_RES_EXCEEDED_MAX_SIZE",
    "ERR_INVALID_URL",
]);
export function packageVersion() {
    try {
        const require = createRequire(import.meta.url);
        const pkg = require("../../package.json");
        if (pkg && typeof pkg === "object" && "version" in pkg && typeof pkg.version === "string") {
            return pkg.version;
        }
    }
    catch {
        // fall through
    }
    return "0.0.0";
}
function header(headers, name) {
    const v = headers[name];
    if (Array.isArray(v))
        return v[0] ?? null;
    return v ?? null;
}
/**
 * The server-requested wait in ms: `retry-after-ms`, else `Retry-After` as seconds (float)
 * or an HTTP-date. Null when absent, unparsable or not positive (then backoff applies).
 */
export function parseRetryAfter(headers, now = Date.now()) {
    const ms = header(headers, "retry-after-ms");
    if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) {
        const v = Number.parseFloat(ms);
        if (Number.isFinite(v) && v > 0)
            return v;
    }
    const ra = header(headers, "retry-after");
    if (ra !== null) {
        if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) {
            const v = Number.parseFloat(ra) * 1000;
            if (Number.isFinite(v) && v > 0)
                return v;
            return null;
        }
        const date = Date.parse(ra);
        if (Number.isFinite(date)) {
            const v = date - now;
            return v > 0 ? v : null;
        }
    }
    return null;
}
/** The error envelope's fields, tolerant of non-conforming bodies. */
function parseErrorBody(text) {
    const empty = { message: null, type: null, code: null, param: null };
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH))
        return empty;
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        return empty;
    }
    if (!parsed || typeof parsed !== "object" || !("error" in parsed))
        return empty;
    const e = parsed.error;
    if (typeof e === "string")
        return { ...empty, message: e };
    if (!e || typeof e !== "object")
        return empty;
    const pick = (k) => {
        const v = e[k];
        return typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
    };
    return { message: pick("message"), type: pick("type"), code: pick("code"), param: pick("param") };
}
function statusText(status) {
    const names = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        408: "Request Timeout",
        409: "Conflict",
        422: "Unprocessable Entity",
        429: "Too Many Requests",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    };
    return names[status] ?? `HTTP ${status}`;
}
function errorCode(err) {
    if (err && typeof err === "object" && "code" in err && typeof err.code === "string") {
        return err.code;
    }
    return null;
}
function errorName(err) {
    if (err instanceof Error)
        return err.name;
    return typeof err;
}
function errorMessage(err) {
    if (err instanceof Error)
        return err.message;
    return String(err);
}
/** First zod issue as `path: message`, never the offending value. */
export function describeZodError(error) {
    const issue = error.issues[0];
    if (!issue)
        return "invalid response";
    const path = issue.path
        .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join("");
    const more = error.issues.length > 1 ? ` (+${error.issues.length - 1} more issues)` : "";
    return `${path || "<root>"}: ${issue.message}${more}`;
}
class TooLargeError extends Error {
}
/** Strict UTF-8: invalid bytes throw instead of becoming U+FFFD. A leading BOM is dropped. */
const utf8 = new TextDecoder("utf-8", { fatal: true });
/** `application/json`, `application/problem+json`...; a missing content-type is tolerated. */
function isJsonContentType(value) {
    if (value === null || value.trim() === "")
        return true;
    const type = (value.split(";")[0] ?? "").trim().toLowerCase();
    return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}
export class Transport {
    pool;
    origin;
    basePath;
    semaphore;
    limiter;
    closeController = new AbortController();
    counters = {
        requests: 0,
        retries: 0,
        rateLimited: 0,
        serverErrors: 0,
        networkErrors: 0,
        timeouts: 0,
        malformedResponses: 0,
        bytesSent: 0,
        bytesReceived: 0,
        pages: 0,
    };
    /**
     * The `openai-organization` values of successful responses (the API's own headers name the
     * organization; the admin bodies do not): evidence of which organization was read. Bounded:
     * an API that sent a different value every time would not grow memory.
     */
    organizations = new Set();
    /** No request of this client is sent before this time (the server's 429 wait). */
    pauseUntil = 0;
    closed = false;
    /** Never exposed; only written into the Authorization header. */
    #authorization;
    /** The options minus the key, which lives only in the private `#authorization`. */
    opts;
    constructor(options) {
        const { apiKey, ...opts } = options;
        this.opts = opts;
        registerSecret(apiKey);
        // One listener per pending request: many are legitimate, not a leak.
        setMaxListeners(0, this.closeController.signal);
        this.#authorization = `Bearer ${apiKey}`;
        // The same checks as the configuration's; the message never repeats a secret part.
        const problem = baseUrlProblem(opts.baseUrl);
        if (problem !== null) {
            const got = problem.shown === null ? "" : `, got ${safeText(problem.shown, 200)}`;
            throw new TypeError(`baseUrl: ${problem.message}${got}`);
        }
        const insecure = insecureHttpProblem(opts.baseUrl, opts.allowInsecureHttp);
        if (insecure !== null)
            throw new TypeError(`baseUrl: ${insecure}`);
        const url = new URL(opts.baseUrl);
        this.origin = url.origin;
        this.basePath = url.pathname.replace(/\/+$/, "");
        this.semaphore = new Semaphore(opts.concurrency);
        this.limiter = new AdaptiveRateLimiter(opts.rateLimitRps);
        this.pool = new Pool(this.origin, {
            connections: opts.concurrency,
            pipelining: 1,
            keepAliveTimeout: 10_000,
            keepAliveMaxTimeout: 60_000,
            connect: { timeout: Math.min(opts.requestTimeoutMs, 30_000) },
        });
    }
    stats() {
        return {
            ...this.counters,
            peakInFlight: this.semaphore.peakInFlight,
            rateDecreases: this.limiter.decreases,
        };
    }
    /** The organization ids the API named in its successful responses, sorted; empty: none. */
    organizationIds() {
        return [...this.organizations].sort();
    }
    /** For paginators: one list page fetched. */
    countPage() {
        this.counters.pages += 1;
    }
    async close() {
        if (this.closed)
            return;
        this.closed = true;
        this.closeController.abort(new Error("client closed"));
        await this.pool.close();
    }
    async request(req) {
        const details = (attempts) => ({
            method: req.method,
            path: req.path,
            endpoint: req.endpoint,
            attempts,
        });
        if (this.closed)
            throw new NetworkError("client is closed", details(0));
        if (req.signal?.aborted)
            throw abortReason(req.signal);
        const bodyText = req.body === undefined ? undefined : JSON.stringify(req.body);
        const headers = {
            accept: "application/json",
            "user-agent": this.opts.userAgent,
            authorization: this.#authorization,
        };
        if (bodyText !== undefined) {
            headers["content-type"] = "application/json";
            headers["content-length"] = String(Buffer.byteLength(bodyText));
        }
        let attempt = 0;
        let malformedRetries = 0;
        let deadlineAt = null;
        for (;;) {
            attempt += 1;
            const release = await this.admit(req, attempt, deadlineAt, details);
            if (deadlineAt === null)
                deadlineAt = Date.now() + this.opts.deadlineMs;
            let outcome;
            try {
                outcome = await this.attemptOnce(req, headers, bodyText, attempt, deadlineAt);
            }
            finally {
                release();
            }
            if (outcome.ok) {
                return {
                    data: outcome.data,
                    status: outcome.status,
                    requestId: outcome.requestId,
                    attempts: attempt,
                };
            }
            const { error } = outcome;
            const serverPause = error.status === 429 || (error.status === 503 && outcome.serverWaitMs !== null);
            if (serverPause) {
                // Whether or not this call retries, every other request of the client honours the
                // server's wait (when it is one we would wait for at all), and the rate comes down.
                const at = Date.now();
                if (outcome.serverWaitMs !== null && outcome.serverWaitMs <= this.opts.maxRetryDelayMs) {
                    this.pauseUntil = Math.max(this.pauseUntil, at + outcome.serverWaitMs);
                }
                if (error.status === 429)
                    this.limiter.onRateLimited(at);
            }
            if (outcome.deadlineHit)
                throw error;
            const retriesLeft = attempt <= this.opts.maxRetries;
            const malformedOk = !outcome.malformed || malformedRetries < this.opts.maxMalformedRetries;
            if (!outcome.retryable || !retriesLeft || !malformedOk)
                throw error;
            if (outcome.malformed)
                malformedRetries += 1;
            let waitMs;
            if (outcome.serverWaitMs !== null) {
                if (outcome.serverWaitMs > this.opts.maxRetryDelayMs) {
                    const summary = `server asked to wait ${Math.ceil(outcome.serverWaitMs)} ms, more than maxRetryDelayMs=${this.opts.maxRetryDelayMs}; last: ${error.message}`;
                    const d = {
                        ...details(attempt),
                        status: error.status,
                        requestId: error.requestId,
                        type: error.type,
                        code: error.apiCode,
                        param: error.param,
                        retryAfterMs: Math.ceil(outcome.serverWaitMs),
                    };
                    throw error.status === 429
                        ? new RateLimitError(summary, d)
                        : errorForStatus(error.status ?? 503, summary, d);
                }
                waitMs = outcome.serverWaitMs;
            }
            else {
                const exp = Math.min(this.opts.initialBackoffMs * 2 ** (attempt - 1), this.opts.maxBackoffMs);
                waitMs = Math.min(exp * (1 - Math.random() * 0.25), this.opts.maxRetryDelayMs);
            }
            const now = Date.now();
            if (now + waitMs >= deadlineAt) {
                throw new TimeoutError(`deadline of ${this.opts.deadlineMs} ms would pass during the next retry wait (${Math.ceil(waitMs)} ms); last: ${error.message}`, {
                    ...details(attempt),
                    status: error.status,
                    requestId: error.requestId,
                    type: error.type,
                    code: error.apiCode,
                    param: error.param,
                });
            }
            if (error.status === 429 && outcome.serverWaitMs === null) {
                // No server wait given: the others hold back for our backoff too.
                this.pauseUntil = Math.max(this.pauseUntil, now + waitMs);
            }
            this.counters.retries += 1;
            this.opts.logger.debug({
                method: req.method,
                path: safeText(req.path, 300),
                status: error.status,
                kind: error.kind,
                attempt,
                waitMs: Math.ceil(waitMs),
                serverWait: outcome.serverWaitMs !== null,
                requestId: error.requestId,
            }, "admin api: retrying");
            await this.sleepOrClosed(waitMs, req.signal, details(attempt));
        }
    }
    /** Concurrency slot, then the shared 429 pause, then the rate limiter. Returns the slot's release. */
    async admit(req, attempt, deadlineAt, details) {
        const { signal, dispose } = linkSignals(req.signal, this.closeController.signal);
        let release;
        try {
            release = await this.semaphore.acquire(signal);
        }
        catch (err) {
            dispose();
            throw this.abortOrClosed(err, req.signal, details(attempt - 1));
        }
        try {
            const pause = this.pauseUntil - Date.now();
            if (pause > 0) {
                this.checkDeadline(pause, deadlineAt, "the server's rate-limit pause", details(attempt - 1));
                await sleep(pause, signal);
            }
            const wait = this.limiter.reserve(Date.now());
            if (wait > 0) {
                this.checkDeadline(wait, deadlineAt, "the client-side rate limit", details(attempt - 1));
                await sleep(wait, signal);
            }
        }
        catch (err) {
            release();
            if (err instanceof TimeoutError)
                throw err;
            throw this.abortOrClosed(err, req.signal, details(attempt - 1));
        }
        finally {
            dispose();
        }
        return release;
    }
    checkDeadline(waitMs, deadlineAt, what, d) {
        if (deadlineAt !== null && Date.now() + waitMs >= deadlineAt) {
            throw new TimeoutError(`deadline of ${this.opts.deadlineMs} ms would pass while waiting ${Math.ceil(waitMs)} ms for ${what}`, d);
        }
    }
    async sleepOrClosed(ms, userSignal, d) {
        const { signal, dispose } = linkSignals(userSignal, this.closeController.signal);
        try {
            await sleep(ms, signal);
        }
        catch (err) {
            throw this.abortOrClosed(err, userSignal, d);
        }
        finally {
            dispose();
        }
    }
    abortOrClosed(err, userSignal, d) {
        if (userSignal?.aborted)
            return abortReason(userSignal);
        if (this.closed)
            return new NetworkError("client was closed while the request was pending", d);
        return err;
    }
    async attemptOnce(req, headers, bodyText, attempt, deadlineAt) {
        const base = {
            method: req.method,
            path: req.path,
            endpoint: req.endpoint,
            attempts: attempt,
        };
        const remaining = deadlineAt - Date.now();
        const timeoutMs = Math.max(1, Math.min(this.opts.requestTimeoutMs, remaining));
        const cutByDeadline = remaining <= this.opts.requestTimeoutMs;
        const controller = new AbortController();
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            controller.abort(new Error("attempt timed out"));
        }, timeoutMs);
        const onAbort = () => controller.abort(new Error("aborted"));
        req.signal?.addEventListener("abort", onAbort, { once: true });
        this.closeController.signal.addEventListener("abort", onAbort, { once: true });
        const sentHeaders = { ...headers };
        if (attempt > 1)
            sentHeaders["x-retry-count"] = String(attempt - 1);
        this.counters.requests += 1;
        if (bodyText !== undefined)
            this.counters.bytesSent += Buffer.byteLength(bodyText);
        let status;
        let resHeaders;
        let raw;
        try {
            const res = await this.pool.request({
                path: this.basePath + req.path,
                method: req.method,
                headers: sentHeaders,
                body: bodyText ?? null,
                signal: controller.signal,
                headersTimeout: timeoutMs + 1000,
                bodyTimeout: timeoutMs + 1000,
            });
            status = res.statusCode;
            resHeaders = res.headers;
            const chunks = [];
            let size = 0;
            try {
                const declared = Number(header(resHeaders, "content-length") ?? "");
                if (Number.isFinite(declared) && declared > this.opts.maxResponseBytes) {
                    throw new TooLargeError();
                }
                for await (const chunk of res.body) {
                    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
                    size += buf.length;
                    this.counters.bytesReceived += buf.length;
                    if (size > this.opts.maxResponseBytes)
                        throw new TooLargeError();
                    chunks.push(buf);
                }
            }
            catch (err) {
                // Unread (refused on its content-length), the body would report the abort as an
                // unhandled 'error' event: listen, then destroy (which also closes the connection).
                res.body.on("error", () => { });
                res.body.destroy();
                throw err;
            }
            raw = Buffer.concat(chunks);
        }
        catch (err) {
            if (req.signal?.aborted)
                throw abortReason(req.signal);
            if (this.closed)
                throw new NetworkError("client was closed while the request was in flight", base);
            if (err instanceof TooLargeError) {
                return {
                    ok: false,
                    error: new ProtocolError(`response of ${req.endpoint} is larger than maxResponseBytes=${this.opts.maxResponseBytes}; read aborted`, base),
                    retryable: false,
                    serverWaitMs: null,
                    malformed: false,
                    deadlineHit: false,
                };
            }
            const code = errorCode(err);
            const isTimeout = timedOut || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
            this.counters.networkErrors += 1;
            if (isTimeout) {
                this.counters.timeouts += 1;
                const deadlineHit = timedOut && cutByDeadline;
                return {
                    ok: false,
                    error: new TimeoutError(deadlineHit
                        ? `deadline of ${this.opts.deadlineMs} ms exceeded during attempt ${attempt}`
                        : `no complete response within ${timeoutMs} ms`, { ...base, causeCode: code ?? "ETIMEDOUT" }),
                    retryable: !deadlineHit,
                    serverWaitMs: null,
                    malformed: false,
                    deadlineHit,
                };
            }
            const idempotent = req.idempotent ?? true;
            const retryable = !(code !== null && NON_RETRYABLE_CODES.has(code)) &&
                (idempotent || (code !== null && NOT_SENT_CODES.has(code)));
            return {
                ok: false,
                // Only the error's name, code and (redacted, one-line) message; never the object.
                error: new NetworkError(`${errorName(err)}${code ? ` ${code}` : ""}: ${safeText(errorMessage(err), 200)}`, { ...base, causeCode: code }),
                retryable,
                serverWaitMs: null,
                malformed: false,
                deadlineHit: false,
            };
        }
        finally {
            clearTimeout(timer);
            req.signal?.removeEventListener("abort", onAbort);
            this.closeController.signal.removeEventListener("abort", onAbort);
        }
        const requestId = header(resHeaders, "x-request-id");
        const withStatus = { ...base, status, requestId };
        if (status === 429)
            this.counters.rateLimited += 1;
        if (status >= 500)
            this.counters.serverErrors += 1;
        if (status >= 200 && status < 300) {
            const organization = header(resHeaders, "openai-organization");
            if (organization !== null && this.organizations.size < MAX_ORGANIZATION_IDS) {
                // Untrusted text: kept short; every output reveals its hidden characters.
                this.organizations.add(organization.slice(0, MAX_ORGANIZATION_ID_LENGTH));
            }
            const malformed = (summary) => {
                this.counters.malformedResponses += 1;
                return {
                    ok: false,
                    error: new ProtocolError(summary, withStatus),
                    // The server processed the request; only re-send it if doing so is harmless.
                    retryable: req.idempotent ?? true,
                    serverWaitMs: null,
                    malformed: true,
                    deadlineHit: false,
                };
            };
            const contentType = header(resHeaders, "content-type");
            if (!isJsonContentType(contentType)) {
                return malformed(`response of ${req.endpoint} is ${safeText(contentType ?? "", 80)}, not JSON (${raw.length} bytes)`);
            }
            let text;
            try {
                text = utf8.decode(raw);
            }
            catch {
                return malformed(`response of ${req.endpoint} is not valid UTF-8 (${raw.length} bytes); refused rather than altered`);
            }
            if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
                return {
                    ok: false,
                    error: new ProtocolError(`response of ${req.endpoint} nests JSON deeper than ${MAX_JSON_DEPTH} levels; refused`, withStatus),
                    retryable: false,
                    serverWaitMs: null,
                    malformed: false,
                    deadlineHit: false,
                };
            }
            let json;
            try {
                json = JSON.parse(text);
            }
            catch {
                return malformed(`malformed JSON in a ${status} response (${raw.length} bytes)`);
            }
            const lone = mayHoldSurrogate(text) ? findLoneSurrogate(json) : null;
            if (lone !== null) {
                return {
                    ok: false,
                    error: new ProtocolError(`response of ${req.endpoint} has an unpaired UTF-16 surrogate (a \\uD800-\\uDFFF escape) in ${safeText(lone, 80)}: it has no UTF-8 form and would be altered in the evidence; refused`, withStatus),
                    retryable: false,
                    serverWaitMs: null,
                    malformed: false,
                    deadlineHit: false,
                };
            }
            const parsed = req.schema.safeParse(json);
            if (!parsed.success) {
                return {
                    ok: false,
                    error: new ProtocolError(`response of ${req.endpoint} does not match the wire schema: ${describeZodError(parsed.error)}`, withStatus),
                    retryable: false,
                    serverWaitMs: null,
                    malformed: false,
                    deadlineHit: false,
                };
            }
            return { ok: true, data: parsed.data, status, requestId };
        }
        const text = raw.toString("utf8");
        const body = parseErrorBody(text);
        const serverMessage = body.message ?? (text.trim() ? text.slice(0, 200) : statusText(status));
        const error = errorForStatus(status, `${statusText(status)}: ${redactSecrets(serverMessage)}`, {
            ...withStatus,
            type: body.type,
            code: body.code,
            param: body.param,
        });
        const should = header(resHeaders, "x-should-retry");
        let retryable;
        if (should === "true")
            retryable = true;
        else if (should === "false")
            retryable = false;
        else
            retryable = status === 408 || status === 409 || status === 429 || status >= 500;
        return {
            ok: false,
            error,
            retryable,
            serverWaitMs: parseRetryAfter(resHeaders),
            malformed: false,
            deadlineHit: false,
        };
    }
}
//# sourceMappingURL=http.js.map