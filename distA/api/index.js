/**
 * Admin API client: typed, paginated, retrying reads (and the writes remediation needs) of the
 * OpenAI Admin API. See client.ts (surface), http.ts (transport and retry policy), paginate.ts
 * (pagination contract checks) and errors.ts (typed errors; the key never appears in any).
 */
export { AdminClient, DEFAULT_BASE_URL, DEFAULT_CONCURRENCY, encodeSegment, MAX_PAGE_SIZE, } from "./client.js";
export { AdminApiError, AuthenticationError, BadRequestError, isAdminApiError, NetworkError, NotFoundError, PermissionDeniedError, ProtocolError, RateLimitError, ServerError, TimeoutError, } from "./errors.js";
export { parseRetryAfter } from "./http.js";
export { MAX_JSON_DEPTH, MAX_RESPONSE_BYTES } from "./limits.js";
export * from "./types.js";
//# sourceMappingURL=index.js.map