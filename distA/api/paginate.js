import { ProtocolError } from "./errors.js";
const DEFAULT_MAX_PAGES = 1_000_000;
function shortId(id) {
    return id.length > 80 ? `${id.slice(0, 77)}...` : id;
}
export class PaginatedList {
    init;
    state;
    constructor(init) {
        this.init = init;
        this.state = this.fresh("not_started");
    }
    fresh(endReason) {
        return {
            endpoint: this.init.endpoint,
            pages: 0,
            items: 0,
            completed: false,
            lastCursor: this.init.startAfter ?? null,
            endReason,
        };
    }
    summary() {
        return { ...this.state };
    }
    pages() {
        return { [Symbol.asyncIterator]: () => this.run() };
    }
    async *[Symbol.asyncIterator]() {
        for await (const page of this.pages()) {
            yield* page.items;
        }
    }
    pathFor(after) {
        const params = new URLSearchParams(this.init.query);
        if (after !== undefined)
            params.set("after", after);
        const qs = params.toString();
        return qs ? `${this.init.path}?${qs}` : this.init.path;
    }
    async *run() {
        const { transport, endpoint, style } = this.init;
        const maxPages = this.init.maxPages ?? DEFAULT_MAX_PAGES;
        const state = this.fresh("in_progress");
        this.state = state;
        const seenIds = new Set();
        const idOf = this.init.idOf ?? ((item) => item.id);
        const seenCursors = new Set();
        let after = this.init.startAfter;
        if (after !== undefined)
            seenCursors.add(after);
        const limitParam = this.init.query.find(([k]) => k === "limit")?.[1];
        const limit = limitParam === undefined ? null : Number(limitParam);
        let finished = false;
        try {
            for (let index = 0;; index += 1) {
                const path = this.pathFor(after);
                const res = await transport.request({
                    method: "GET",
                    path,
                    endpoint,
                    schema: this.init.schema,
                    signal: this.init.signal,
                });
                const fail = (summary) => {
                    const d = {
                        method: "GET",
                        path,
                        endpoint,
                        status: res.status,
                        requestId: res.requestId,
                        attempts: res.attempts,
                    };
                    return new ProtocolError(`pagination of ${endpoint}: ${summary}`, d);
                };
                const page = res.data;
                const items = page.data;
                if (limit !== null && limit > 0 && items.length > limit) {
                    throw fail(`page ${index} has ${items.length} items, more than the limit=${limit} asked for`);
                }
                for (const item of items) {
                    const id = idOf(item);
                    if (seenIds.has(id)) {
                        throw fail(`item ${shortId(id)} listed twice (page ${index}); the listing is not consistent`);
                    }
                    seenIds.add(id);
                }
                const lastItem = items[items.length - 1];
                const rawCursor = style === "next"
                    ? page.next
                    : style === "last_id"
                        ? page.last_id
                        : lastItem === undefined
                            ? null
                            : idOf(lastItem);
                const cursor = rawCursor === undefined || rawCursor === "" ? null : rawCursor;
                const cursorName = style === "next" ? "next" : style === "last_id" ? "last_id" : "last item id";
                let hasMore;
                let endReason = null;
                if (page.has_more === true) {
                    if (items.length === 0)
                        throw fail(`has_more=true with an empty page (page ${index})`);
                    if (cursor === null)
                        throw fail(`has_more=true but ${cursorName} is null or missing`);
                    hasMore = true;
                }
                else if (page.has_more === false) {
                    hasMore = false;
                    endReason = "has_more_false";
                }
                else if (items.length > 0 && cursor !== null) {
                    // Missing has_more: follow the cursor like the Go and Python SDKs.
                    hasMore = true;
                }
                else {
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
                    if (index + 1 >= maxPages)
                        throw fail(`more than ${maxPages} pages`);
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
                if (!hasMore)
                    return;
                after = cursor ?? undefined;
            }
        }
        catch (err) {
            state.endReason = "failed";
            state.completed = false;
            finished = true;
            throw err;
        }
        finally {
            if (!finished)
                state.endReason = "stopped";
        }
    }
}
//# sourceMappingURL=paginate.js.map