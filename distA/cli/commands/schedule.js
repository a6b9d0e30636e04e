import { runPipeline } from "../../schedule/pipeline.js";
import { Scheduler } from "../../schedule/scheduler.js";
import { createLogger } from "../../util/log.js";
import { commandConfig } from "../config.js";
import { addConfigFlags, pipelineOptions } from "../run-config.js";
/**
 * A long-running process: `run` on every tick of the configured cron expression. Stops on
 * SIGTERM/SIGINT once the current run has finished or been abandoned (a crawl in progress
 * publishes nothing). Each tick's outcome is one JSON log line on stderr.
 */
export function registerSchedule(program) {
    const command = program
        .command("schedule")
        .description("Run `run` on the configured cron expression and timezone until stopped (SIGTERM/SIGINT)");
    addConfigFlags(command)
        .option("--cron <expression>", "cron expression (5 fields, or 6 with seconds first)")
        .option("--timezone <name>", "IANA timezone of the cron expression, e.g. Europe/Berlin")
        .action(async (_flags, cmd) => {
        const config = await commandConfig(cmd, { checkFiles: true });
        // Prints nothing itself: its info lines (each tick's outcome) are its story, everywhere.
        const logger = createLogger({ story: false });
        const options = await pipelineOptions(config, logger);
        const scheduler = new Scheduler({
            cron: config.schedule.cron,
            timezone: config.schedule.timezone,
            logger,
            run: (signal) => runPipeline({ ...options, signal }),
            describe: (o) => ({
                snapshot_id: o.snapshot_id,
                changes: o.changes,
                findings: o.findings,
                max_severity: o.max_severity,
                delivery: o.delivery?.status ?? "none",
            }),
        });
        scheduler.start();
        await new Promise((resolve) => {
            const stop = (signal) => {
                process.off("SIGINT", stop);
                process.off("SIGTERM", stop);
                logger.info({ signal }, "stopping");
                void scheduler.stop(`stopped by ${signal}`).then(resolve);
            };
            process.on("SIGINT", stop);
            process.on("SIGTERM", stop);
        });
        logger.info("scheduler stopped");
    });
}
//# sourceMappingURL=schedule.js.map