/** Option parsing shared by commands: numbers, the API base URL and the admin key. */
import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { SEVERITIES, type Severity } from "../analysis/rules.js";
import { registerSecret } from "../util/log.js";
import { commandConfig } from "./db.js";
import { CliError, UsageError } from "./errors.js";

export const DEFAULT_BASE_URL = "https://api.openai.com/v1";

/** A commander argument parser for integers within [min, max]. */
export function intOption(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`expected an integer, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

/** A commander argument parser for numbers within [min, max]. */
export function numberOption(min: number, max = Number.MAX_VALUE) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n))
      throw new InvalidArgumentError(`expected a number, got "${value}"`);
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}`);
    return n;
  };
}

/** The API base URL: --base-url, then OPENAI_BASE_URL, then OpenAI's. */
export function resolveBaseUrl(flag: string | undefined): string {
  const raw = flag ?? process.env.OPENAI_BASE_URL ?? DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid base URL "${raw}": expected e.g. ${DEFAULT_BASE_URL}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`invalid base URL "${raw}": expected an http(s) URL`);
  }
  return raw.replace(/\/+$/, "");
}

/**
 * The admin key: OPENAI_ADMIN_KEY, or the file named by --key-file / OPENAI_ADMIN_KEY_FILE.
 * It is registered as a secret at once so that no log line or error can carry it.
 */
export function resolveAdminKey(keyFile: string | undefined): string {
  const file = keyFile ?? process.env.OPENAI_ADMIN_KEY_FILE;
  let key: string | undefined;
  if (file) {
    try {
      key = readFileSync(file, "utf8").trim();
    } catch (err) {
      const code = err && typeof err === "object" && "code" in err ? String(err.code) : "error";
      throw new UsageError(`cannot read admin key file ${file} (${code})`);
    }
    if (!key) throw new UsageError(`admin key file ${file} is empty`);
  } else {
    key = process.env.OPENAI_ADMIN_KEY?.trim();
  }
  if (!key) {
    throw new UsageError("no admin key: set OPENAI_ADMIN_KEY or pass --key-file PATH");
  }
  registerSecret(key);
  return key;
}

/**
 * The base URL and admin key of a command that calls the API: flags, then the environment, then
 * the configuration file (`api.base_url`, `api.key_file`), then the defaults.
 */
export async function resolveApiAccess(flags: {
  baseUrl?: string | undefined;
  keyFile?: string | undefined;
}): Promise<{ baseUrl: string; apiKey: string }> {
  const config = await commandConfig();
  const fromFile = config.file !== null;
  const baseUrl = resolveBaseUrl(
    flags.baseUrl ?? process.env.OPENAI_BASE_URL ?? (fromFile ? config.api.baseUrl : undefined),
  );
  const envKey = process.env.OPENAI_ADMIN_KEY_FILE || process.env.OPENAI_ADMIN_KEY;
  const keyFile =
    flags.keyFile ?? (envKey || !fromFile ? undefined : (config.api.keyFile ?? undefined));
  return { baseUrl, apiKey: resolveAdminKey(keyFile) };
}

/** A repeatable option's accumulator: `--rules a --rules b` gives `["a", "b"]`. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** A commander argument parser for a severity (low, medium, high, critical). */
export function severityOption(value: string): Severity {
  const found = SEVERITIES.find((s) => s === value.toLowerCase());
  if (!found) throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(", ")}`);
  return found;
}

/**
 * An AbortSignal that SIGINT or SIGTERM aborts (a crawl then publishes nothing); call `release`
 * when the work is over.
 */
export function abortOnSignals(): { signal: AbortSignal; release: () => void } {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) =>
    abort.abort(new CliError(`interrupted by ${signal}; nothing published`));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    signal: abort.signal,
    release: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
