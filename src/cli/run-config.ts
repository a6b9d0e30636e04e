/**
 * What `run` and `schedule` share: the configuration flags (which override the file and the
 * environment), and turning the effective configuration into the pipeline's options.
 */
import { readFile } from "node:fs/promises";
import type { Command, OptionValues } from "commander";
import type { Logger } from "pino";
import type { Severity } from "../analysis/rules.js";
import {
  CONFIG_FILE_NAME,
  ConfigError,
  type ConfigFlags,
  checkConfigFiles,
  type EffectiveConfig,
  loadConfig,
  readAdminKey,
  readSmtpPassword,
} from "../config/index.js";
import type { EmailOptions } from "../deliver/email.js";
import type { PipelineOptions } from "../schedule/pipeline.js";
import { formatsOption } from "./commands/report.js";
import { UsageError } from "./errors.js";
import { collect, intOption, numberOption, severityOption } from "./options.js";

/** The flags of a configured command; none has a default, so the file's values show through. */
export function addConfigFlags(command: Command): Command {
  return command
    .option(
      "--config <path>",
      `configuration file (default: $ACCESS_AUDIT_CONFIG or ./${CONFIG_FILE_NAME} if present)`,
    )
    .option("--db <path>", "DuckDB database file (overrides the configuration)")
    .option("--base-url <url>", "Admin API base URL")
    .option("--key-file <path>", "read the admin key from this file instead of $OPENAI_ADMIN_KEY")
    .option("--concurrency <n>", "requests in flight at once", intOption(1, 64))
    .option("--rate-limit <rps>", "client-side request rate limit (requests/s)", numberOption(0.1))
    .option("--no-user-roles", "skip each user's role assignments")
    .option(
      "--allowed-domain <domain>",
      "an email domain of the organization (repeatable)",
      collect,
    )
    .option("--rules <dir>", "also run the *.sql rules in this folder (repeatable)", collect)
    .option("--format <list>", "report formats, comma-separated (html,xlsx)", formatsOption)
    .option("--out <dir>", "folder for the reports")
    .option(
      "--fail-on <severity>",
      `exit 3 when a finding is at or above this severity`,
      severityOption,
    )
    .option("--no-email", "do not send the change report, whatever the configuration says");
}

/** Only the flags the user typed: commander's defaults must not hide the file's values. */
export function configFlagsFrom(command: Command, flags: OptionValues): ConfigFlags {
  const given = (name: string) => command.getOptionValueSource(name) === "cli";
  const out: ConfigFlags = {};
  if (given("db")) out.db = flags.db as string;
  if (given("baseUrl")) out.baseUrl = flags.baseUrl as string;
  if (given("keyFile")) out.keyFile = flags.keyFile as string;
  if (given("concurrency")) out.concurrency = flags.concurrency as number;
  if (given("rateLimit")) out.rateLimit = flags.rateLimit as number;
  if (given("userRoles")) out.userRoles = flags.userRoles as boolean;
  if (given("allowedDomain")) out.allowedDomains = flags.allowedDomain as string[];
  if (given("rules")) out.rules = flags.rules as string[];
  if (given("format")) out.formats = flags.format as ConfigFlags["formats"] & string[];
  if (given("out")) out.reportDir = flags.out as string;
  if (given("failOn")) out.failOn = flags.failOn as Severity;
  if (given("email")) out.email = flags.email as boolean;
  if (given("cron")) out.cron = flags.cron as string;
  if (given("timezone")) out.timezone = flags.timezone as string;
  return out;
}

/** Loads and checks the configuration; any problem is a usage error (exit 2), nothing runs. */
export async function loadCheckedConfig(
  path: string | undefined,
  flags: ConfigFlags,
): Promise<EffectiveConfig> {
  try {
    const config = await loadConfig({
      ...(path === undefined ? {} : { path }),
      cwd: process.cwd(),
      env: process.env,
      flags,
    });
    const problems = checkConfigFiles(config, process.env);
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

async function emailOptions(config: EffectiveConfig, logger: Logger): Promise<EmailOptions | null> {
  const e = config.email;
  if (!e.enabled) return null;
  if (e.smtp.host === null || e.from === null || e.to.length === 0) {
    throw new UsageError(
      "email.enabled is true but email.smtp.host, email.from or email.to is missing",
    );
  }
  const password = readSmtpPassword(config, process.env);
  return {
    smtp: {
      host: e.smtp.host,
      port: e.smtp.port,
      security: e.smtp.security,
      ...(e.smtp.username === null ? {} : { username: e.smtp.username }),
      ...(password === null ? {} : { password }),
      ...(e.smtp.caFile === null ? {} : { caPem: await readFile(e.smtp.caFile, "utf8") }),
    },
    from: e.from,
    to: e.to,
    policy: e.send,
    minSeverity: e.minSeverity,
    logger,
  };
}

/** The pipeline's options from the effective configuration (reads the secrets). */
export async function pipelineOptions(
  config: EffectiveConfig,
  logger: Logger,
): Promise<PipelineOptions> {
  let apiKey: string;
  try {
    apiKey = readAdminKey(config, process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const policy = config.retention;
  return {
    dbPath: config.database,
    api: {
      baseUrl: config.api.baseUrl,
      apiKey,
      concurrency: config.api.concurrency,
      userRoles: config.api.userRoles,
      ...(config.api.rateLimitRps === null ? {} : { rateLimitRps: config.api.rateLimitRps }),
    },
    analysis: {
      elevatedRoleNames: config.analysis.elevatedRoleNames,
      elevatedPermissionPatterns: config.analysis.elevatedPermissionPatterns,
      allowedEmailDomains: config.analysis.allowedEmailDomains,
      inactivityDays: config.analysis.inactivityDays,
    },
    ruleDirs: config.analysis.ruleDirs,
    report: { outDir: config.report.outDir, formats: config.report.formats },
    email: await emailOptions(config, logger),
    retention:
      policy.kind !== "all"
        ? async (store) => {
            const result = await store.applyRetention(policy, {
              timeZone: config.schedule.timezone,
            });
            return { pruned: result.prune };
          }
        : null,
    logger,
  };
}
