import type { Command } from "commander";
import { AdminClient, DEFAULT_BASE_URL, DEFAULT_CONCURRENCY } from "../../api/index.js";
import { crawl } from "../../crawl/index.js";
import { Store } from "../../store/index.js";
import { createLogger, redactKey } from "../../util/log.js";
import { TOOL_VERSION } from "../../version.js";
import { addDbOption, commandAdminKey, commandConfig } from "../config.js";
import { abortOnSignals, intOption, numberOption } from "../options.js";
import { terminalJson, writeOut } from "../output.js";
import { createProgressSink } from "../progress.js";

interface CrawlFlags {
  json?: boolean;
}

export function registerCrawl(program: Command): void {
  const command = program
    .command("crawl")
    .description(
      "Read every group, membership, role assignment, role and user into a new sealed snapshot",
    );
  addDbOption(command)
    .option(
      "--base-url <url>",
      `Admin API base URL (default: $OPENAI_BASE_URL, the configuration's api.base_url, or ${DEFAULT_BASE_URL})`,
    )
    .option("--key-file <path>", "read the admin key from this file instead of $OPENAI_ADMIN_KEY")
    .option(
      "--concurrency <n>",
      `requests in flight at once (default: the configuration's api.concurrency, or ${DEFAULT_CONCURRENCY})`,
      intOption(1, 64),
    )
    .option("--rate-limit <rps>", "client-side request rate limit (requests/s)", numberOption(0.1))
    .option("--no-user-roles", "skip each user's role assignments (one request per user)")
    .option("--json", "print one JSON object")
    .action(async (flags: CrawlFlags, command: Command) => {
      const config = await commandConfig(command);
      const { baseUrl, concurrency, userRoles, rateLimitRps } = config.api;
      const apiKey = commandAdminKey(config);
      const logger = createLogger();
      const store = await Store.open(config.database, { logger });
      const client = new AdminClient({
        baseUrl,
        apiKey,
        concurrency,
        logger,
        ...(rateLimitRps === null ? {} : { rateLimitRps }),
      });
      const interrupt = abortOnSignals();
      const progress = createProgressSink(logger);
      try {
        const result = await crawl({
          client,
          store,
          baseUrl,
          keyRedacted: redactKey(apiKey),
          toolVersion: TOOL_VERSION,
          concurrency,
          userRoles,
          logger,
          onProgress: (p) => progress.update(p),
          signal: interrupt.signal,
        });
        progress.stop();
        if (flags.json) {
          writeOut(
            `${terminalJson(
              {
                snapshot_id: result.snapshotId,
                status: "complete",
                ...result.counts,
                requests: result.requests,
                retries: result.retries,
                rate_limited: result.rateLimited,
                vanished_groups: result.vanishedGroups,
                vanished_users: result.vanishedUsers,
                duration_ms: result.durationMs,
                seal: result.seal,
              },
              0,
            )}\n`,
          );
        } else {
          const c = result.counts;
          writeOut(
            `snapshot ${result.snapshotId} complete: ${c.groups} groups, ${c.memberships} memberships, ` +
              `${c.group_role_assignments} group role assignments, ${c.users} users, ` +
              `${c.user_role_assignments} user role assignments, ${c.roles} roles ` +
              `(${result.requests} requests, ${result.retries} retries, ${(result.durationMs / 1000).toFixed(1)} s)\n` +
              `seal ${result.seal}\n`,
          );
          if (result.vanishedGroups.length > 0) {
            writeOut(
              `groups deleted during the crawl (left out): ${result.vanishedGroups.join(", ")}\n`,
            );
          }
        }
      } finally {
        progress.stop();
        interrupt.release();
        await client.close();
        await store.close();
      }
    });
}
