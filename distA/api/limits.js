/**
 * Flow-control primitives of the transport: a FIFO semaphore (concurrency limit), an
 * adaptive client-side rate limiter (AIMD over a strict token spacing), and abortable sleep;
 * and the limits on what a response may be (size, JSON nesting).
 */
/** Requests in flight at once (and groups or users read at once by a crawl). */
export const DEFAULT_CONCURRENCY = 8;
/**
 * Largest response body accepted by default (`maxResponseBytes`). The largest legitimate
 * page (1,000 role assignments with long permission lists) is a few MiB; 64 MiB leaves room
 * for any real page while keeping a hostile or broken server from exhausting memory.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/**
 * Deepest JSON nesting accepted in a response. The deepest legitimate Admin API body is about
 * six levels (page, data, item, role, permissions / created_by_user_obj); 64 is generous.
 * Deeper bodies are refused before `JSON.parse`, so nothing downstream (zod, JSON.stringify,
 * structuredClone, loggers: all recursive) ever meets a structure deep enough to overflow
 * the stack.
 */
export const MAX_JSON_DEPTH = 64;
/**
 * Whether `text` nests objects/arrays deeper than `max` (brackets inside strings do not count).
 * One linear pass, no allocation; works on malformed text too (it only counts).
 */
export function jsonDepthExceeds(text, max) {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (inString) {
            if (c === 0x5c) {
                i++; // a backslash: skip the escaped character
            }
            else if (c === 0x22) {
                inString = false;
            }
        }
        else if (c === 0x22)
            inString = true;
        else if (c === 0x5b || c === 0x7b) {
            depth++;
            if (depth > max)
                return true;
        }
        else if (c === 0x5d || c === 0x7d)
            depth--;
    }
    return false;
}
/** Resolves after `ms`, or rejects with `signal.reason` when the signal fires first. */
export function sleep(ms, signal) {
    if (signal?.aborted)
        return Promise.reject(abortReason(signal));
    if (ms <= 0)
        return Promise.resolve();
    return new Promise((resolve, reject) => {
        const onAbort = () => {
            clearTimeout(timer);
            reject(abortReason(signal));
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}
/**
 * A signal that fires when any of `signals` fires. Unlike `AbortSignal.any` it detaches its
 * listeners on `dispose()`, so a long-lived signal (the client's close signal) does not
 * accumulate one listener per request.
 */
export function linkSignals(...signals) {
    const controller = new AbortController();
    const listeners = [];
    for (const s of signals) {
        if (!s)
            continue;
        if (s.aborted) {
            controller.abort(s.reason);
            break;
        }
        const onAbort = () => controller.abort(s.reason);
        s.addEventListener("abort", onAbort, { once: true });
        listeners.push([s, onAbort]);
    }
    return {
        signal: controller.signal,
        dispose: () => {
            for (const [s, l] of listeners)
                s.removeEventListener("abort", l);
        },
    };
}
export function abortReason(signal) {
    const reason = signal?.reason;
    return reason ?? new DOMException("This operation was aborted", "AbortError");
}
/** Unicode-mode: a surrogate pair is one code point, so this matches only unpaired halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** A `\uD800`-`\uDFFF` escape, in either case. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
/**
 * Whether a JSON text decoded from valid UTF-8 may hold a surrogate once parsed. UTF-8 has no
 * surrogates, so only a `\uD800`-`\uDFFF` escape can put one there; without one, the walk of
 * every value (`findLoneSurrogate`) is skipped. An escaped backslash before `ud800` is a harmless
 * false alarm: the walk then finds nothing.
 */
export function mayHoldSurrogate(jsonText) {
    return SURROGATE_ESCAPE.test(jsonText);
}
/**
 * Where the first string (value or key) holding an unpaired UTF-16 surrogate is, as a path
 * like `data[3].name`; null when there is none. JSON allows `"\ud800"`, but such a string has
 * no UTF-8 form: storing it would silently turn it into U+FFFD. Recursive: call it only on
 * values whose depth was bounded (`jsonDepthExceeds`).
 */
export function findLoneSurrogate(value, path = "") {
    if (typeof value === "string")
        return LONE_SURROGATE.test(value) ? path || "<root>" : null;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            const found = findLoneSurrogate(value[i], `${path}[${i}]`);
            if (found !== null)
                return found;
        }
        return null;
    }
    if (value !== null && typeof value === "object") {
        for (const [key, item] of Object.entries(value)) {
            // Only plain keys are shown: a hostile key never reaches a message.
            const at = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
                ? path === ""
                    ? key
                    : `${path}.${key}`
                : `${path}[<key>]`;
            if (LONE_SURROGATE.test(key))
                return `${at} (a key)`;
            const found = findLoneSurrogate(item, at);
            if (found !== null)
                return found;
        }
    }
    return null;
}
/** A counting semaphore with FIFO hand-off; aborting a queued waiter removes it. */
export class Semaphore {
    capacity;
    inUse = 0;
    peak = 0;
    queue = [];
    constructor(capacity) {
        this.capacity = capacity;
        if (!Number.isInteger(capacity) || capacity < 1) {
            throw new RangeError(`concurrency must be a positive integer, got ${capacity}`);
        }
    }
    get inFlight() {
        return this.inUse;
    }
    get peakInFlight() {
        return this.peak;
    }
    get waiting() {
        return this.queue.length;
    }
    acquire(signal) {
        if (signal?.aborted)
            return Promise.reject(abortReason(signal));
        if (this.inUse < this.capacity && this.queue.length === 0) {
            this.take();
            return Promise.resolve(this.releaser());
        }
        return new Promise((resolve, reject) => {
            const waiter = {
                resolve,
                reject,
                signal,
                onAbort: () => {
                    const i = this.queue.indexOf(waiter);
                    if (i >= 0)
                        this.queue.splice(i, 1);
                    reject(abortReason(signal));
                },
            };
            signal?.addEventListener("abort", waiter.onAbort, { once: true });
            this.queue.push(waiter);
        });
    }
    take() {
        this.inUse += 1;
        if (this.inUse > this.peak)
            this.peak = this.inUse;
    }
    releaser() {
        let released = false;
        return () => {
            if (released)
                return;
            released = true;
            this.inUse -= 1;
            this.dispatch();
        };
    }
    dispatch() {
        while (this.inUse < this.capacity) {
            const next = this.queue.shift();
            if (!next)
                return;
            next.signal?.removeEventListener("abort", next.onAbort);
            this.take();
            next.resolve(this.releaser());
        }
    }
}
/**
 * Client-side rate limiter: strict spacing of `1000 / rate` ms between sends (a token bucket
 * of depth 1, implemented as reservations so waiters are served in order).
 *
 * Adaptive (AIMD): on a 429 the rate is halved (multiplicative decrease, at most once per
 * second so a burst of 429s from one overload counts once, never below `minRps`); it then
 * recovers linearly by `ceiling / 20` per second (additive increase), i.e. from half back
 * to the configured ceiling in about ten seconds without another 429.
 *
 * With no configured rate the limiter is a no-op; 429s are then handled by the transport's
 * shared pause (the server's wait applies to every pending request) and by backoff.
 */
export class AdaptiveRateLimiter {
    ceiling;
    minRps;
    cutRate = null;
    cutAt = 0;
    nextAt = 0;
    cuts = 0;
    constructor(ceiling, minRps = 0.5) {
        this.ceiling = ceiling;
        this.minRps = minRps;
        if (ceiling !== undefined && !(ceiling > 0 && Number.isFinite(ceiling))) {
            throw new RangeError(`rateLimitRps must be a positive number, got ${ceiling}`);
        }
    }
    get enabled() {
        return this.ceiling !== undefined;
    }
    /** Number of multiplicative decreases so far. */
    get decreases() {
        return this.cuts;
    }
    /** The rate in force at `now` (requests per second); Infinity when unlimited. */
    currentRate(now) {
        const ceiling = this.ceiling;
        if (ceiling === undefined)
            return Number.POSITIVE_INFINITY;
        if (this.cutRate === null)
            return ceiling;
        const recovered = this.cutRate + (ceiling / 20) * ((now - this.cutAt) / 1000);
        if (recovered >= ceiling) {
            this.cutRate = null;
            return ceiling;
        }
        return recovered;
    }
    /** Reserve the next send slot; returns how long to wait (ms) before sending. */
    reserve(now) {
        const rate = this.currentRate(now);
        if (!Number.isFinite(rate))
            return 0;
        const at = Math.max(now, this.nextAt);
        this.nextAt = at + 1000 / rate;
        return at - now;
    }
    /** Multiplicative decrease after a 429. */
    onRateLimited(now) {
        if (this.ceiling === undefined)
            return;
        if (this.cutRate !== null && now - this.cutAt < 1000)
            return;
        const current = this.currentRate(now);
        this.cutRate = Math.max(this.minRps, current / 2);
        this.cutAt = now;
        this.cuts += 1;
    }
}
//# sourceMappingURL=limits.js.map