/**
 * Typed errors of the Admin API client.
 *
 * Every error carries what an auditor needs to explain a failure (status, request id,
 * method, path + query, attempts, the server's `error.type/code/param`) and nothing that
 * could leak the admin key: messages are one line and pass through `redactSecrets`, no
 * undici error, socket or header object is attached (`cause` is never set), and
 * `toJSON()` serialises only the fields below.
 */
import { AuditError } from "../errors.js";
import { redactSecrets } from "../util/log.js";
const MAX_MESSAGE = 500;
/** One line, secrets masked, bounded length. */
export function safeText(text, max = MAX_MESSAGE) {
    const oneLine = redactSecrets(text)
        .replace(/[\r\n\t\u2028\u2029]+/g, " ")
        .replace(/\s{2,}/g, " ")
        .trim();
    return oneLine.length > max ? `${oneLine.slice(0, max - 3)}...` : oneLine;
}
/**
 * An Admin API call that failed for good (after retries). Its root `code` is `API_<KIND>`; the
 * API's own error code, when it sent one, is `apiCode`.
 */
export class AdminApiError extends AuditError {
    kind;
    status;
    requestId;
    method;
    path;
    attempts;
    type;
    apiCode;
    param;
    endpoint;
    causeCode;
    retryAfterMs;
    constructor(kind, summary, details) {
        const method = details.method.toUpperCase();
        const path = safeText(details.path, 300);
        const status = details.status ?? null;
        const requestId = details.requestId ? safeText(details.requestId, 120) : null;
        const extras = [`attempts=${details.attempts}`];
        if (requestId)
            extras.push(`request_id=${requestId}`);
        if (details.code)
            extras.push(`code=${safeText(details.code, 80)}`);
        const message = `${status ?? "-"} ${kind}: ${method} ${path}: ${safeText(summary)} (${extras.join(", ")})`;
        super(`API_${kind.toUpperCase()}`, safeText(message, 1000));
        this.kind = kind;
        this.status = status;
        this.requestId = requestId;
        this.method = method;
        this.path = path;
        this.attempts = details.attempts;
        this.type = details.type ? safeText(details.type, 120) : null;
        this.apiCode = details.code ? safeText(details.code, 120) : null;
        this.param = details.param ? safeText(details.param, 120) : null;
        this.endpoint = details.endpoint ?? null;
        this.causeCode = details.causeCode ?? null;
        this.retryAfterMs = details.retryAfterMs ?? null;
    }
    /** Only the documented, redacted fields: safe to log or store. */
    toJSON() {
        return {
            name: this.name,
            kind: this.kind,
            message: this.message,
            status: this.status,
            requestId: this.requestId,
            method: this.method,
            path: this.path,
            attempts: this.attempts,
            type: this.type,
            code: this.apiCode,
            param: this.param,
            endpoint: this.endpoint,
            causeCode: this.causeCode,
            retryAfterMs: this.retryAfterMs,
        };
    }
}
/** 401: missing, wrong or revoked key. */
export class AuthenticationError extends AdminApiError {
    constructor(summary, details) {
        super("auth", summary, details);
    }
}
/** 403: the key lacks the permission. */
export class PermissionDeniedError extends AdminApiError {
    constructor(summary, details) {
        super("permission", summary, details);
    }
}
/** 404: unknown id, e.g. a group deleted while the crawl was running. */
export class NotFoundError extends AdminApiError {
    constructor(summary, details) {
        super("not_found", summary, details);
    }
}
/** 400/422 and any other non-retryable 4xx (409 once retries are exhausted). */
export class BadRequestError extends AdminApiError {
    constructor(summary, details) {
        super("bad_request", summary, details);
    }
}
/** 429 after retries, or a server wait longer than `maxRetryDelayMs`. */
export class RateLimitError extends AdminApiError {
    constructor(summary, details) {
        super("rate_limited", summary, details);
    }
}
/** 5xx after retries (or with `x-should-retry: false`). */
export class ServerError extends AdminApiError {
    constructor(summary, details) {
        super("server", summary, details);
    }
}
/** Connection refused/reset/closed, DNS failure... after retries. */
export class NetworkError extends AdminApiError {
    constructor(summary, details) {
        super("network", summary, details);
    }
}
/**
 * The server answered something the client cannot trust: malformed JSON, a body that does
 * not match the wire schema, or a pagination contract violation (cursor not advancing,
 * `has_more` without a cursor, empty page with `has_more`, an item listed twice).
 */
export class ProtocolError extends AdminApiError {
    constructor(summary, details) {
        super("protocol", summary, details);
    }
}
/** A per-attempt timeout with no retry left, the overall deadline, or HTTP 408 after retries. */
export class TimeoutError extends AdminApiError {
    constructor(summary, details) {
        super("timeout", summary, details);
    }
}
export function isAdminApiError(err) {
    return err instanceof AdminApiError;
}
/** The error class for a final HTTP status (retries, if any, already done). */
export function errorForStatus(status, summary, details) {
    const d = { ...details, status };
    if (status === 401)
        return new AuthenticationError(summary, d);
    if (status === 403)
        return new PermissionDeniedError(summary, d);
    if (status === 404)
        return new NotFoundError(summary, d);
    if (status === 408)
        return new TimeoutError(summary, d);
    if (status === 429)
        return new RateLimitError(summary, d);
    if (status >= 500)
        return new ServerError(summary, d);
    if (status >= 400)
        return new BadRequestError(summary, d);
    // 1xx/3xx: the client follows no redirects; an unexpected status is a protocol problem.
    return new ProtocolError(summary, d);
}
//# sourceMappingURL=errors.js.map