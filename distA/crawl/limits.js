/**
 * A crawl's ceilings: pages per listing, items per crawl, wall-clock time. A server that keeps
 * answering `has_more: true` with fresh ids (broken, or hostile) would otherwise fill the disk
 * and the memory; each ceiling ends the crawl as a clean failure (nothing published) with one
 * line naming the ceiling and the setting that raises it.
 *
 * The defaults are far above a real organization and far below exhaustion:
 * - 10,000 pages per listing: the users listing pages by 100, so 1,000,000 users; the others
 *   page by 1,000, so 10,000,000 groups, or members or role assignments of one group. The
 *   largest OpenAI organizations have a few hundred thousand users at most.
 * - 5,000,000 items per crawl (roles, groups, memberships, role assignments and users
 *   together): about 4.5 times the benchmark's organization (2,000 groups, 50,000 users,
 *   1,000,000 memberships: about 1.1 million items), itself larger than any real one.
 * - 6 hours: that benchmark organization is 55,082 requests; at a real API's 200-300 ms per
 *   request and the default concurrency of 8 it takes about 35 minutes, so an organization
 *   four times as large still finishes well within 6 hours, and a daily schedule keeps room
 *   (a run that never ends would make every later tick of `schedule` skip).
 * Measured against the simulator paging forever with fresh ids (`endlessPagesRate`), the
 * worst case of each: the groups listing (1,000 a page) stops at 5,000,000 items after 40 s
 * with a peak RSS of 0.93 GB (every id is kept: for the duplicate check and to read each
 * group next); the users listing (100 a page) stops at 10,000 pages after 14 s, 0.35 GB.
 * Nothing is published, so the database keeps only the failed run's record. Without them
 * (issue 14) such a server ran on towards the paginator's 1,000,000-page safety net, past
 * 1 GB of memory within a minute and hundreds of MB of staging on disk.
 */
import { AuditError } from "../errors.js";
export const DEFAULT_MAX_PAGES_PER_LISTING = 10_000;
export const DEFAULT_MAX_ITEMS = 5_000_000;
export const DEFAULT_MAX_DURATION = "6h";
const DURATION_UNITS_MS = {
    s: 1_000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
};
/** Longest duration accepted: 7 days (also below setTimeout's 24.8-day ceiling). */
export const MAX_DURATION_MS = 7 * 86_400_000;
/** `30s`, `90m`, `6h`, `1d` -> milliseconds; null when not such a duration (or 0, or > 7d). */
export function parseCrawlDuration(text) {
    const match = /^\s*(\d{1,9})\s*([smhd])\s*$/i.exec(text);
    if (!match)
        return null;
    const ms = Number(match[1]) * (DURATION_UNITS_MS[(match[2] ?? "").toLowerCase()] ?? 0);
    return ms > 0 && ms <= MAX_DURATION_MS ? ms : null;
}
export const DEFAULT_CRAWL_LIMITS = {
    maxPagesPerListing: DEFAULT_MAX_PAGES_PER_LISTING,
    maxItems: DEFAULT_MAX_ITEMS,
    maxDurationMs: parseCrawlDuration(DEFAULT_MAX_DURATION),
};
/** How each ceiling is raised: the configuration key and the flag. */
const SETTING = {
    max_pages_per_listing: {
        key: "crawl.max_pages_per_listing",
        flag: "--max-pages-per-listing",
        when: "the organization really is that large",
    },
    max_items: {
        key: "crawl.max_items",
        flag: "--max-items",
        when: "the organization really is that large",
    },
    max_duration: {
        key: "crawl.max_duration",
        flag: "--max-duration",
        when: "a crawl of this organization really takes that long",
    },
};
/** A crawl stopped at one of its ceilings: a failure (exit 1), nothing published. */
export class CrawlLimitError extends AuditError {
    ceiling;
    constructor(ceiling, what) {
        const { key, flag, when } = SETTING[ceiling];
        super("CRAWL_LIMIT", `crawl stopped at its ${ceiling} ceiling: ${what}; snapshot not published (if ${when}, raise ${key} or ${flag})`);
        this.ceiling = ceiling;
    }
}
/** "6h", "90m" or "45s" for a number of milliseconds (whole units only). */
export function formatDuration(ms) {
    for (const [unit, size] of [
        ["d", 86_400_000],
        ["h", 3_600_000],
        ["m", 60_000],
    ]) {
        if (ms % size === 0)
            return `${ms / size}${unit}`;
    }
    return `${Math.round(ms / 1000)}s`;
}
//# sourceMappingURL=limits.js.map