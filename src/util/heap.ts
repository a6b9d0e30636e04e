/**
 * Keeps a long streaming job's JS heap near its live size. V8 lets the heap grow to several times
 * the live size before a full collection: at 1,000,000 memberships a crawl's live heap stayed
 * about 40 MB while its heap grew to 120-190 MB of short-lived page objects (requests, parsed
 * pages, encoded rows), most of its RSS above DuckDB's (measured with process.memoryUsage during
 * bench crawl-memory); a workbook's heap grew from 124 MB live to 360 MB while its rows streamed.
 * A full collection every few seconds costs a few tens of ms each.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | null | undefined;

/** V8's `gc`, made reachable at run time (a new context sees it once the flag is set); null if not. */
function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    collect = typeof gc === "function" ? (gc as () => void) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Collects the heap every `intervalMs` until the returned function is called. */
export function trimHeapEvery(intervalMs: number): () => void {
  const gc = collector();
  if (gc === null) return () => {};
  const timer = setInterval(gc, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
