export {
  type CrawlOptions,
  type CrawlProgress,
  type CrawlResult,
  crawl,
  IncompleteCrawlError,
} from "./crawl.js";
export { runPool } from "./pool.js";
