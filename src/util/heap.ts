/**
 * Keeps a long streaming job's JS heap near its live size. V8 lets the heap grow to several times
 * the live size before a full collection: a workbook's heap grew from 124 MB live to 360 MB while
 * its rows streamed. But a forced full collection stops the main thread (18-25 ms in a crawl, by
 * --trace-gc) and costs more CPU in all than its pauses (a crawl collecting every 2 s used 8-10 s
 * more CPU in 60 s): use it only where memory peaks.
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";
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

/** Bytes of JS heap in use now (live and garbage not yet collected). */
export function heapUsedBytes(): number {
  return getHeapStatistics().used_heap_size;
}

/**
 * Collects the heap every `intervalMs` until the returned function is called (only when more than
 * `aboveBytes` of it is in use, if given); also at once if more than `nowAboveBytes` is.
 */
export function trimHeapEvery(
  intervalMs: number,
  { nowAboveBytes = Number.POSITIVE_INFINITY, aboveBytes = 0 } = {},
): () => void {
  const gc = collector();
  if (gc === null) return () => {};
  if (heapUsedBytes() > nowAboveBytes) gc();
  const timer = setInterval(() => {
    if (heapUsedBytes() > aboveBytes) gc();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
