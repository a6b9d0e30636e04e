/**
 * `exceptions add|list|expire`: the register of accepted risks (src/store/exceptions.ts). An
 * exception accepts the findings of one rule about one subject until a date; `anomalies` shows
 * them as accepted and leaves them out of --fail-on (src/analysis/exceptions.ts).
 */
import { hostname, userInfo } from "node:os";
import { InvalidArgumentError } from "commander";
import { dayStartMs, exceptionState, parseAsOf, utcDay } from "../../analysis/exceptions.js";
import { BUILTIN_RULES_DIR, loadRules, RulesDirError } from "../../analysis/rules.js";
import { revealInvisible } from "../../render/text.js";
import { EXCEPTION_SUBJECT_FIELDS, Store, } from "../../store/index.js";
import { TOOL_VERSION } from "../../version.js";
import { addDbOption, commandConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { collect, intOption } from "../options.js";
import { terminalJson, writeOut } from "../output.js";
import { formatTable } from "./analysis-shared.js";
/** The furthest an exception may run: a year (and a leap day), so each is reviewed yearly. */
export const MAX_EXCEPTION_DAYS = 366;
const DAY_MS = 86_400_000;
/** The subject flags, by the finding field each names. */
const SUBJECT_FLAGS = {
    group_id: "group",
    user_id: "user",
    role_id: "role",
    project_id: "project",
    credential_id: "credential",
};
function osUser() {
    try {
        return userInfo().username;
    }
    catch {
        return process.env.USER ?? process.env.LOGNAME ?? "unknown";
    }
}
/** Who types the command, for the register: OS user@host. */
function recordedBy() {
    return `${osUser()}@${hostname()}`;
}
/** A commander parser for `--as-of`: a day (00:00 UTC) or an ISO date-time with a zone. */
export function asOfOption(value) {
    const ms = parseAsOf(value);
    if (ms === null) {
        throw new InvalidArgumentError(`expected YYYY-MM-DD or an ISO date-time with a zone, got "${value}"`);
    }
    return ms;
}
/** Non-empty after trimming, or a usage error naming the flag. */
function required(value, flag) {
    const text = value?.trim() ?? "";
    if (text === "")
        throw new UsageError(`${flag} must not be empty`);
    return text;
}
/** `--expires`: a real day after today (UTC) and at most MAX_EXCEPTION_DAYS ahead. */
function expiryDay(value, nowMs) {
    const start = dayStartMs(value.trim());
    if (start === null)
        throw new UsageError(`--expires: expected a date YYYY-MM-DD, got "${value}"`);
    const today = dayStartMs(utcDay(nowMs)) ?? nowMs;
    if (start <= today)
        throw new UsageError(`--expires must be after today (${utcDay(nowMs)})`);
    if (start > today + MAX_EXCEPTION_DAYS * DAY_MS) {
        throw new UsageError(`--expires must be at most ${MAX_EXCEPTION_DAYS} days ahead (${utcDay(today + MAX_EXCEPTION_DAYS * DAY_MS)})`);
    }
    return value.trim();
}
function subjectText(subject) {
    return EXCEPTION_SUBJECT_FIELDS.filter((f) => subject[f] !== undefined)
        .map((f) => `${SUBJECT_FLAGS[f]} ${revealInvisible(subject[f] ?? "")}`)
        .join(", ");
}
export function registerExceptions(program) {
    const exceptions = program
        .command("exceptions")
        .description("The register of accepted risks: add, list or end exceptions to findings");
    const add = exceptions
        .command("add")
        .description("Accept the findings of a rule about a subject until a date (a sealed entry)");
    addDbOption(add)
        .requiredOption("--rule <id>", "the rule whose findings are accepted")
        .option("--group <id>", "the finding's group_id")
        .option("--user <id>", "the finding's user_id")
        .option("--role <id>", "the finding's role_id")
        .option("--project <id>", "the finding's project_id")
        .option("--credential <id>", "the finding's credential_id")
        .requiredOption("--reason <text>", "why the risk is accepted")
        .requiredOption("--approver <name>", "who approved it")
        .requiredOption("--expires <date>", `YYYY-MM-DD: the findings come back that day (after today, at most ${MAX_EXCEPTION_DAYS} days ahead)`)
        .option("--rules <dir>", "rule folder besides the shipped rules (repeatable)", collect)
        .option("--json", "print JSON: the new entry")
        .action(async (flags, command) => {
        const config = await commandConfig(command);
        const reason = required(flags.reason, "--reason");
        const approver = required(flags.approver, "--approver");
        const expiresOn = expiryDay(flags.expires, Date.now());
        const subject = {};
        for (const field of EXCEPTION_SUBJECT_FIELDS) {
            const flag = SUBJECT_FLAGS[field];
            const value = flags[flag];
            if (typeof value === "string")
                subject[field] = required(value, `--${flag}`);
        }
        if (Object.keys(subject).length === 0) {
            throw new UsageError("name the finding's subject: at least one of --group, --user, --role, --project, --credential");
        }
        const loaded = await loadRules([BUILTIN_RULES_DIR, ...config.analysis.ruleDirs]).catch((error) => {
            throw error instanceof RulesDirError ? new UsageError(error.message) : error;
        });
        if (!loaded.rules.some((r) => r.id === flags.rule)) {
            throw new UsageError(`unknown rule "${flags.rule}": see sql/rules, or pass its folder with --rules`);
        }
        const store = await Store.open(config.database);
        try {
            const entry = await store.addException({
                rule: flags.rule,
                subject,
                reason,
                approver,
                expiresOn,
                recordedBy: recordedBy(),
                toolVersion: TOOL_VERSION,
            });
            writeOut(flags.json
                ? `${terminalJson(entry)}\n`
                : `exception ${entry.exception_id}: ${flags.rule} (${subjectText(subject)}) accepted until ${expiresOn} by ${revealInvisible(approver)}\n`);
        }
        finally {
            await store.close();
        }
    });
    const list = exceptions
        .command("list")
        .description("The exceptions active today (or at --as-of); --all for the whole register");
    addDbOption(list)
        .option("--all", "every exception, expired and ended early ones too")
        .option("--as-of <date>", "judge at this day (00:00 UTC) or ISO date-time (default: now)", asOfOption)
        .option("--json", "print JSON: {as_of, entries, head_seal, exceptions}")
        .action(async (flags, command) => {
        const store = await Store.open((await commandConfig(command)).database, { readOnly: true });
        try {
            const asOf = flags.asOf ?? Date.now();
            const records = await store.readExceptions();
            const events = await store.listExceptionEvents();
            const rows = records
                .map((r) => ({ ...r, state: exceptionState(r, asOf) }))
                .filter((r) => flags.all || r.state === "active");
            const head = events[events.length - 1]?.seal ?? null;
            const asOfText = new Date(asOf).toISOString();
            if (flags.json) {
                writeOut(`${terminalJson({ as_of: asOfText, entries: events.length, head_seal: head, exceptions: rows })}\n`);
                return;
            }
            writeOut(`${listText(rows, flags.all === true, asOfText, events.length, head)}\n`);
        }
        finally {
            await store.close();
        }
    });
    const expire = exceptions
        .command("expire")
        .description("End an exception early (a new sealed entry; the register is append-only)")
        .argument("<id>", "exception id", intOption(1));
    addDbOption(expire)
        .requiredOption("--reason <text>", "why it ends early")
        .option("--by <name>", "who decided to end it (default: the OS user)")
        .option("--json", "print JSON: the new entry")
        .action(async (id, flags, command) => {
        const reason = required(flags.reason, "--reason");
        const by = flags.by === undefined ? osUser() : required(flags.by, "--by");
        const store = await Store.open((await commandConfig(command)).database);
        try {
            const entry = await store.expireException({
                id,
                reason,
                by,
                recordedBy: recordedBy(),
                toolVersion: TOOL_VERSION,
            });
            writeOut(flags.json
                ? `${terminalJson(entry)}\n`
                : `exception ${id} ended early at ${entry.recorded_at} by ${revealInvisible(by)}\n`);
        }
        finally {
            await store.close();
        }
    });
}
function listText(rows, all, asOf, entries, head) {
    const out = [
        `${rows.length} ${all ? "" : "active "}exception(s) as of ${asOf}; register: ${entries} entr${entries === 1 ? "y" : "ies"}, head seal ${head ?? "-"}`,
    ];
    if (rows.length === 0)
        return out.join("\n");
    const table = rows.map((r) => [
        String(r.id),
        r.state,
        r.rule,
        subjectText(r.subject),
        r.expires_on,
        r.approver,
        r.reason,
        `${r.recorded_by} ${r.recorded_at}`,
        r.ended === null ? "" : `${r.ended.at} by ${r.ended.by}: ${r.ended.reason}`,
    ]);
    out.push("", formatTable(["id", "state", "rule", "subject", "expires_on", "approver", "reason", "recorded", "ended"], table));
    return out.join("\n");
}
//# sourceMappingURL=exceptions.js.map