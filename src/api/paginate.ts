/**
 * Pagination of the Admin API lists as async iterators, for both envelope styles:
 * - `next`: NextCursorPage `{data, has_more, next}`; the next request is the same query with
 *   `after=<next>`.
 * - `last_id`: the legacy ConversationCursorPage `{data, first_id, last_id, has_more}`; the next
 *   request is the same query with `after=<last_id>`.
 *
 * Contract checks (each a `ProtocolError`, thrown before the offending page is yielded, so a
 * consumer never sees a duplicate and a listing never loops or ends silently short):
 * - `has_more: true` with an empty page;
 * - `has_more: true` with the cursor null, missing or empty;
 * - a cursor that does not advance (equal to the `after` just sent, or any cursor seen before);
 * - an item id seen twice within one listing;
 * - a page with more items than the `limit` asked for. The API documents `limit` as the page's
 *   maximum; a server (or something in the way) that ignores it is not the API this client
 *   knows, its extra items cannot be told from fabricated ones, and bounded pages are what
 *   keeps a crawl's memory flat. Refused, never truncated or accepted.
 *
 * A missing `has_more`: with a non-empty page and a non-null cursor the cursor is followed (Go and
 * Python SDK behaviour); otherwise the listing ends, but `completed` stays **false** because the
 * server never affirmed the end (`endReason: "has_more_missing"`). `completed` is true only when
 * the last page said `has_more: false` explicitly.
 *
 * Retries happen below, in the transport, on the same URL: a retried page is the same `after`,
 * so a retry can neither skip nor repeat a page.
 */
import type { z } from "zod";
import { type AdminApiErrorDetails, ProtocolError } from "./errors.js";
import type { Transport } from "./http.js";

export interface ListOptions {
  /** Page size; default (and maximum) is the endpoint's largest allowed size. */
  limit?: number;
  order?: "asc" | "desc";
  /** Start after this cursor instead of at the beginning. */
  after?: string;
  signal?: AbortSignal;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
  /** The cursor for the next page (`next` or `last_id`), or null on the last page. */
  cursor: string | null;
  /** 0-based index of the page within the listing. */
  index: number;
}

export type PaginationEndReason =
  | "not_started"
  | "in_progress"
  /** The last page said `has_more: false`. */
  | "has_more_false"
  /** The last page had no `has_more` and nothing to follow (or was empty). */
  | "has_more_missing"
  /** The consumer stopped iterating early. */
  | "stopped"
  /** A request or a contract check threw. */
  | "failed";

export interface PaginationSummary {
  /** Route template, e.g. `/organization/groups/{group_id}/users`. */
  endpoint: string;
  pages: number;
  items: number;
  /** True only if the last page explicitly said `has_more: false`. */
  completed: boolean;
  /**
   * The cursor to resume from: the cursor returned by the last page fetched (null when the
   * listing ended, or before the first page when no `after` was given).
   */
  lastCursor: string | null;
  endReason: PaginationEndReason;
}

export interface Paginated<T> extends AsyncIterable<T> {
  /** Page-level iteration; each call starts a new listing (and resets `summary()`). */
  pages(): AsyncIterable<Page<T>>;
  /** State of the most recent listing (final once iteration ends). */
  summary(): PaginationSummary;
}

/**
 * `next`: NextCursorPage; `last_id`: the legacy envelope's `last_id`; `last_item`: CursorPage
 * (admin API keys), whose next request starts after the id of the page's last item.
 */
export type CursorStyle = "next" | "last_id" | "last_item";

/** The common shape of both envelopes as parsed by the zod page schemas. */
export interface RawPage<T> {
  data: T[];
  has_more?: boolean | undefined;
  next?: string | null | undefined;
  last_id?: string | null | undefined;
}

export interface PaginatorInit<T, S extends z.ZodType<RawPage<T>>> {
  transport: Transport;
  /** Path without query, ids already encoded. */
  path: string;
  endpoint: string;
  style: CursorStyle;
  schema: S;
  /** Query parameters other than `after`, in order (arrays for `emails[]`). */
  query: [string, string][];
  startAfter?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Safety net against a server inventing fresh cursors forever. */
  maxPages?: number;
  /** An item's identity within the listing (default its `id`; project groups have `group_id`). */
  idOf?: ((item: T) => string) | undefined;
}

const DEFAULT_MAX_PAGES = 1_000_000;

function shortId(id: string): string {
  return id.length > 80 ? `${id.slice(0, 77)}...` : id;
}

export class PaginatedList<T, S extends z.ZodType<RawPage<T>>> implements Paginated<T> {
  private state: PaginationSummary;

  constructor(private readonly init: PaginatorInit<T, S>) {
    this.state = this.fresh("not_started");
  }

  private fresh(endReason: PaginationEndReason): PaginationSummary {
    return {
      endpoint: this.init.endpoint,
      pages: 0,
      items: 0,
      completed: false,
      lastCursor: this.init.startAfter ?? null,
      endReason,
    };
  }

  summary(): PaginationSummary {
    return { ...this.state };
  }

  pages(): AsyncIterable<Page<T>> {
    return { [Symbol.asyncIterator]: () => this.run() };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of this.pages()) {
      yield* page.items;
    }
  }

  private pathFor(after: string | undefined): string {
    const params = new URLSearchParams(this.init.query);
    if (after !== undefined) params.set("after", after);
    const qs = params.toString();
    return qs ? `${this.init.path}?${qs}` : this.init.path;
  }

  private async *run(): AsyncGenerator<Page<T>, void, undefined> {
    const { transport, endpoint, style } = this.init;
    const maxPages = this.init.maxPages ?? DEFAULT_MAX_PAGES;
    const state = this.fresh("in_progress");
    this.state = state;
    const seenIds = new Set<string>();
    const idOf = this.init.idOf ?? ((item: T) => (item as { id: string }).id);
    const seenCursors = new Set<string>();
    let after = this.init.startAfter;
    if (after !== undefined) seenCursors.add(after);
    const limitParam = this.init.query.find(([k]) => k === "limit")?.[1];
    const limit = limitParam === undefined ? null : Number(limitParam);
    let finished = false;
    try {
      for (let index = 0; ; index += 1) {
        const path = this.pathFor(after);
        const res = await transport.request({
          method: "GET",
          path,
          endpoint,
          schema: this.init.schema,
          signal: this.init.signal,
        });
        const fail = (summary: string): ProtocolError => {
          const d: AdminApiErrorDetails = {
            method: "GET",
            path,
            endpoint,
            status: res.status,
            requestId: res.requestId,
            attempts: res.attempts,
          };
          return new ProtocolError(`pagination of ${endpoint}: ${summary}`, d);
        };
        const page: RawPage<T> = res.data;
        const items = page.data;
        if (limit !== null && limit > 0 && items.length > limit) {
          throw fail(
            `page ${index} has ${items.length} items, more than the limit=${limit} asked for`,
          );
        }
        for (const item of items) {
          const id = idOf(item);
          if (seenIds.has(id)) {
            throw fail(
              `item ${shortId(id)} listed twice (page ${index}); the listing is not consistent`,
            );
          }
          seenIds.add(id);
        }
        const lastItem = items[items.length - 1];
        const rawCursor =
          style === "next"
            ? page.next
            : style === "last_id"
              ? page.last_id
              : lastItem === undefined
                ? null
                : idOf(lastItem);
        const cursor = rawCursor === undefined || rawCursor === "" ? null : rawCursor;
        const cursorName =
          style === "next" ? "next" : style === "last_id" ? "last_id" : "last item id";
        let hasMore: boolean;
        let endReason: PaginationEndReason | null = null;
        if (page.has_more === true) {
          if (items.length === 0) throw fail(`has_more=true with an empty page (page ${index})`);
          if (cursor === null) throw fail(`has_more=true but ${cursorName} is null or missing`);
          hasMore = true;
        } else if (page.has_more === false) {
          hasMore = false;
          endReason = "has_more_false";
        } else if (items.length > 0 && cursor !== null) {
          // Missing has_more: follow the cursor like the Go and Python SDKs.
          hasMore = true;
        } else {
          hasMore = false;
          endReason = "has_more_missing";
        }
        if (hasMore && cursor !== null) {
          if (cursor === after) {
            throw fail(`${cursorName} cursor did not advance (same as the after just sent)`);
          }
          if (seenCursors.has(cursor)) {
            throw fail(`${cursorName} cursor repeats an earlier cursor of this listing`);
          }
          seenCursors.add(cursor);
          if (index + 1 >= maxPages) throw fail(`more than ${maxPages} pages`);
        }
        transport.countPage();
        state.pages += 1;
        state.items += items.length;
        state.lastCursor = hasMore ? cursor : null;
        if (!hasMore) {
          state.endReason = endReason ?? "has_more_missing";
          state.completed = endReason === "has_more_false";
          finished = true;
        }
        yield { items, hasMore, cursor: hasMore ? cursor : null, index };
        if (!hasMore) return;
        after = cursor ?? undefined;
      }
    } catch (err) {
      state.endReason = "failed";
      state.completed = false;
      finished = true;
      throw err;
    } finally {
      if (!finished) state.endReason = "stopped";
    }
  }
}
