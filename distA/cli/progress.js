import { lazyRequire } from "../util/lazy-require.js";
/** cli-progress, loaded when there is a terminal to draw the bar on. */
const loadCliProgress = lazyRequire("cli-progress");
const LOG_INTERVAL_MS = 5_000;
export function createProgressSink(logger, stream = process.stderr) {
    const started = Date.now();
    const rate = (p) => {
        const seconds = Math.max(0.001, (Date.now() - started) / 1000);
        return Math.round(p.requests / seconds);
    };
    if (stream.isTTY) {
        const cliProgress = loadCliProgress();
        const bar = new cliProgress.SingleBar({
            stream,
            format: "{phase} [{bar}] {value}/{total} | requests {requests} | retries {retries} | 429s {rateLimited} | {rate} req/s",
            hideCursor: true,
            clearOnComplete: true,
            fps: 5,
        }, cliProgress.Presets.shades_classic);
        let started_ = false;
        return {
            update(p) {
                const onUsers = p.phase === "user-roles";
                const onProjects = p.phase === "projects";
                // Project listings grow as members and groups are found: the total is what is queued.
                const total = onProjects ? p.projectListingsQueued : onUsers ? p.usersTotal : p.groupsTotal;
                const value = onProjects ? p.projectListingsDone : onUsers ? p.usersDone : p.groupsDone;
                const payload = { ...p, rate: rate(p) };
                if (!started_) {
                    bar.start(Math.max(total, 1), value, payload);
                    started_ = true;
                }
                else {
                    bar.setTotal(Math.max(total, 1));
                    bar.update(value, payload);
                }
            },
            stop() {
                if (started_)
                    bar.stop();
            },
        };
    }
    let lastLog = 0;
    let lastPhase = "";
    return {
        update(p) {
            const now = Date.now();
            if (p.phase === lastPhase && now - lastLog < LOG_INTERVAL_MS)
                return;
            lastLog = now;
            lastPhase = p.phase;
            logger.info({ ...p, rate: rate(p) }, "crawl progress");
        },
        stop() { },
    };
}
//# sourceMappingURL=progress.js.map