/**
 * undici's `Pool` without the rest of undici. Its main entry loads every module it has (fetch,
 * WebSocket, cookies, caches, mocks, proxies): 70-90 ms of every crawl's start on the 2-core
 * bench machine, against 20-25 ms for the pool and the request API it needs. This is what the
 * main entry does for these two, and nothing else: the same classes, with the request API on
 * `Dispatcher.prototype`. The paths are undici's own files in the locked version (7.x, no
 * `exports` map to forbid them); a release that moves them fails every test that makes a request.
 */
import { createRequire } from "node:module";
const load = createRequire(import.meta.url);
const Dispatcher = load("undici/lib/dispatcher/dispatcher.js");
Object.assign(Dispatcher.prototype, load("undici/lib/api/index.js"));
export const Pool = load("undici/lib/dispatcher/pool.js");
//# sourceMappingURL=undici-pool.js.map