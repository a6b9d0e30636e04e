import { describe, expect, it } from "vitest";
import { heapUsedBytes, trimHeapEvery } from "../../src/util/heap.js";

const MB = 1024 * 1024;
const HOUR_MS = 3_600_000;

describe("trimHeapEvery", () => {
  it("collects at once only when more than nowAboveBytes of the heap is in use", () => {
    const before = heapUsedBytes();
    // 8 MB arrays live in V8's large-object space: only a full collection frees them, so no
    // young-generation collection in between can make the garbage vanish on its own.
    let garbage: number[][] | null = Array.from({ length: 8 }, () =>
      new Array<number>(1_000_000).fill(1),
    );
    expect(garbage).toHaveLength(8);
    garbage = null;
    const withGarbage = heapUsedBytes();
    expect(withGarbage - before).toBeGreaterThan(48 * MB);

    // Below the threshold: nothing collected (the first collection would come in an hour).
    let stop = trimHeapEvery(HOUR_MS, { nowAboveBytes: withGarbage + 1024 * MB });
    stop();
    expect(heapUsedBytes()).toBeGreaterThan(withGarbage - 8 * MB);

    // Above it: collected before trimHeapEvery returns.
    stop = trimHeapEvery(HOUR_MS, { nowAboveBytes: before });
    stop();
    expect(heapUsedBytes()).toBeLessThan(withGarbage - 48 * MB);
  });
});
