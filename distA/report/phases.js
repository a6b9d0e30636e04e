/**
 * Runs `work` and logs `report phase` with its name, milliseconds, the process's RSS and the JS
 * heap in use (RSS minus the heap is mostly DuckDB).
 */
export function phaseTimer(logger) {
    return async (phase, work) => {
        if (logger === undefined || !logger.isLevelEnabled("debug"))
            return work();
        const started = performance.now();
        try {
            return await work();
        }
        finally {
            const memory = process.memoryUsage();
            logger.debug({
                phase,
                ms: Math.round(performance.now() - started),
                rss_mb: Math.round(memory.rss / 1048576),
                heap_mb: Math.round(memory.heapUsed / 1048576),
            }, "report phase");
        }
    };
}
//# sourceMappingURL=phases.js.map