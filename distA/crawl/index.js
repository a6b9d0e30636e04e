export { auditLogFailureReason, DEFAULT_AUDIT_LOG_OVERLAP_SECONDS, syncAuditLog, } from "./audit-log.js";
export { crawl, IncompleteCrawlError, } from "./crawl.js";
export { CrawlLimitError, DEFAULT_CRAWL_LIMITS, DEFAULT_MAX_DURATION, DEFAULT_MAX_ITEMS, DEFAULT_MAX_PAGES_PER_LISTING, formatDuration, parseCrawlDuration, } from "./limits.js";
export { runPool } from "./pool.js";
//# sourceMappingURL=index.js.map