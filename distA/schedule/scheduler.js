/**
 * The long-running scheduler: one pipeline run per cron tick (node-cron, in the configured
 * timezone). It never overlaps itself (a tick that finds a run still going is skipped and
 * logged), survives a failed run (the next tick tries again), and stops cleanly: no new ticks,
 * the current run abandoned through its AbortSignal (a crawl then publishes nothing), and
 * `stop()` resolves only when that run has settled.
 */
import { createTask, setLogger, validateDetailed } from "node-cron";
import { AuditError } from "../errors.js";
export class CronError extends AuditError {
    constructor(message) {
        super("CRON_INVALID", message, { exitClass: "usage" });
    }
}
/** Throws a one-line CronError naming what is wrong with the expression. */
export function assertValidCron(expression) {
    const result = validateDetailed(expression);
    if (!result.valid) {
        const detail = result.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
        throw new CronError(`invalid cron expression "${expression}"${detail ? ` (${detail})` : ""}: expected 5 fields (minute hour day month weekday) or 6 with seconds first`);
    }
}
export class Scheduler {
    options;
    task = null;
    current = null;
    ticks = 0;
    stopping = false;
    constructor(options) {
        this.options = options;
        assertValidCron(options.cron);
        try {
            new Intl.DateTimeFormat("en-US", { timeZone: options.timezone });
        }
        catch {
            throw new CronError(`invalid timezone "${options.timezone}": expected an IANA name such as Europe/Berlin`);
        }
    }
    start() {
        const log = this.options.logger;
        // node-cron's own warnings (missed ticks on a busy event loop) go to our log, not stdout.
        setLogger({
            info: (m) => log.debug({ source: "node-cron" }, String(m)),
            warn: (m) => log.debug({ source: "node-cron" }, String(m)),
            error: (m) => log.warn({ source: "node-cron" }, String(m)),
            debug: () => { },
        });
        this.task = createTask(this.options.cron, () => this.tick(), {
            timezone: this.options.timezone,
            name: "access-audit run",
            suppressMissedWarning: true,
        });
        void this.task.start();
        log.info({
            cron: this.options.cron,
            timezone: this.options.timezone,
            next: this.nextRun()?.toISOString(),
        }, "scheduler started");
    }
    nextRun() {
        return this.task?.getNextRun() ?? null;
    }
    get running() {
        return this.current !== null;
    }
    tick() {
        if (this.stopping)
            return;
        const tick = ++this.ticks;
        const startedAt = new Date();
        const log = this.options.logger;
        if (this.current) {
            const outcome = {
                tick,
                status: "skipped",
                started_at: startedAt.toISOString(),
                reason: "the previous run is still going",
            };
            log.warn({ tick }, "run skipped: the previous run is still going");
            this.options.onTick?.(outcome);
            return;
        }
        const abort = new AbortController();
        log.info({ tick }, "run started");
        const promise = this.options
            .run(abort.signal)
            .then((result) => ({
            tick,
            status: "ok",
            started_at: startedAt.toISOString(),
            duration_ms: Date.now() - startedAt.getTime(),
            result,
        }), (error) => ({
            tick,
            status: "failed",
            started_at: startedAt.toISOString(),
            duration_ms: Date.now() - startedAt.getTime(),
            error: (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "",
        }))
            .then((outcome) => {
            this.current = null;
            if (outcome.status === "ok") {
                log.info({ tick, duration_ms: outcome.duration_ms, ...this.options.describe?.(outcome.result) }, "run succeeded");
            }
            else if (outcome.status === "failed") {
                log.error({ tick, duration_ms: outcome.duration_ms, error: outcome.error }, "run failed");
            }
            this.options.onTick?.(outcome);
        });
        this.current = { promise, abort };
    }
    /**
     * No new ticks; the current run (if any) is abandoned through its signal, and this resolves
     * when it has settled.
     */
    async stop(reason = "scheduler stopping") {
        this.stopping = true;
        if (this.task) {
            await this.task.stop();
            await this.task.destroy();
            this.task = null;
        }
        const current = this.current;
        if (current) {
            this.options.logger.info({ reason }, "abandoning the current run");
            current.abort.abort(new Error(reason));
            await current.promise;
        }
    }
}
//# sourceMappingURL=scheduler.js.map