/**
 * Runs `work` over `items` with at most `concurrency` in flight. On the first failure no
 * new item starts; the ones in flight are awaited, then that first error is thrown, so no
 * writer is used after the crawl has decided to abort.
 */
export async function runPool(items, concurrency, signal, work) {
    let next = 0;
    let failure;
    const worker = async () => {
        while (!failure && next < items.length) {
            if (signal?.aborted) {
                failure ??= { error: signal.reason };
                return;
            }
            const item = items[next++];
            try {
                await work(item);
            }
            catch (error) {
                failure ??= { error };
            }
        }
    };
    const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker);
    await Promise.all(workers);
    if (failure)
        throw failure.error;
}
/**
 * Like runPool, but `work` may enqueue more items while the queue runs (a project's members
 * found by one request become role listings to read): every worker stays busy as long as any
 * item is waiting, so one pool of `concurrency` serves the whole tree of listings.
 */
export async function runQueue(initial, concurrency, signal, work) {
    const queue = [...initial];
    let head = 0;
    let inFlight = 0;
    let failure;
    let wake;
    const enqueue = (item) => {
        queue.push(item);
        wake?.();
    };
    const worker = async () => {
        for (;;) {
            if (failure)
                return;
            if (signal?.aborted) {
                failure ??= { error: signal.reason };
                wake?.();
                return;
            }
            if (head >= queue.length) {
                if (inFlight === 0) {
                    wake?.();
                    return;
                }
                // Wait for an item in flight to enqueue more or finish.
                await new Promise((resolve) => {
                    const previous = wake;
                    wake = () => {
                        wake = undefined;
                        previous?.();
                        resolve();
                    };
                });
                continue;
            }
            const item = queue[head];
            queue[head++] = undefined; // let finished items be collected
            inFlight++;
            try {
                await work(item, enqueue);
            }
            catch (error) {
                failure ??= { error };
            }
            finally {
                inFlight--;
                wake?.();
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    if (failure)
        throw failure.error;
}
//# sourceMappingURL=pool.js.map