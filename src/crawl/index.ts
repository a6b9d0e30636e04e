export {
  type CrawlOptions,
  type CrawlProgress,
  type CrawlResult,
  crawl,
  IncompleteCrawlError,
} from "./crawl.js";
export {
  type CrawlCeiling,
  CrawlLimitError,
  type CrawlLimits,
  DEFAULT_CRAWL_LIMITS,
  DEFAULT_MAX_DURATION,
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_PAGES_PER_LISTING,
  formatDuration,
  parseCrawlDuration,
} from "./limits.js";
export { runPool } from "./pool.js";
