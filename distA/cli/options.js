/** Option parsing shared by commands: numbers, lists, severities; interrupt handling. */
import { InvalidArgumentError } from "commander";
import { SEVERITIES } from "../analysis/severity.js";
import { isLogFormat, LOG_FORMAT_ENV, LOG_FORMATS } from "../util/log.js";
import { CliError, UsageError } from "./errors.js";
/** A commander argument parser for integers within [min, max]. */
export function intOption(min, max = Number.MAX_SAFE_INTEGER) {
    return (value) => {
        if (!/^-?\d+$/.test(value.trim()))
            throw new InvalidArgumentError(`expected an integer, got "${value}"`);
        const n = Number(value);
        if (n < min || n > max)
            throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
        return n;
    };
}
/** A commander argument parser for numbers within [min, max]. */
export function numberOption(min, max = Number.MAX_VALUE) {
    return (value) => {
        const n = Number(value);
        if (value.trim() === "" || !Number.isFinite(n))
            throw new InvalidArgumentError(`expected a number, got "${value}"`);
        if (n < min || n > max)
            throw new InvalidArgumentError(`expected a number from ${min} to ${max}`);
        return n;
    };
}
/** A repeatable option's accumulator: `--rules a --rules b` gives `["a", "b"]`. */
export const collect = (value, previous = []) => [...previous, value];
/** A commander argument parser for a severity (low, medium, high, critical). */
export function severityOption(value) {
    const found = SEVERITIES.find((s) => s === value.toLowerCase());
    if (!found)
        throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(", ")}`);
    return found;
}
/**
 * An AbortSignal that SIGINT or SIGTERM aborts (a crawl then publishes nothing); call `release`
 * when the work is over.
 */
export function abortOnSignals() {
    const abort = new AbortController();
    const onSignal = (signal) => abort.abort(new CliError(`interrupted by ${signal}; nothing published`));
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
/**
 * The log format before any configuration file is read: `--log-format`, else
 * ACCESS_AUDIT_LOG_FORMAT, else `auto`. Commands that read the configuration then apply its full
 * resolution (`logging.format` in the file too: src/cli/config.ts); those that read none
 * (`demo`, `simulate`) keep this one. A bad value is usage (exit 2), worded as loadConfig's.
 */
export function logFormatBeforeConfig(flag, env) {
    if (flag !== undefined)
        return flag;
    const value = env[LOG_FORMAT_ENV]?.trim();
    if (!value)
        return "auto";
    if (isLogFormat(value))
        return value;
    const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    throw new UsageError(`${LOG_FORMAT_ENV}: expected one of ${LOG_FORMATS.join(", ")}, got ${JSON.stringify(shown)}`);
}
//# sourceMappingURL=options.js.map