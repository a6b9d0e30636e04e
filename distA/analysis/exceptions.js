/**
 * Exceptions (accepted risks) applied to findings: pure functions over the register's records
 * (src/store/exceptions.ts) and a rule run's findings.
 *
 * An exception matches a finding of its rule when every subject field it names (group, user,
 * role, project, credential) equals the finding's. It covers the finding when judged at `asOf`
 * if `asOf` is before 00:00 UTC of its `expires_on` (the finding comes back the day its
 * exception expires) and it was not ended early before `asOf`. When it was recorded does not
 * matter: an exception accepts a finding of an earlier snapshot too, until it ends.
 */
import { EXCEPTION_SUBJECT_FIELDS, } from "../store/index.js";
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Milliseconds of 00:00 UTC of a YYYY-MM-DD day, or null when it is not a real calendar day. */
export function dayStartMs(day) {
    const match = DAY.exec(day);
    if (match === null)
        return null;
    const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    // Date.UTC rolls 2027-02-30 over into March: a day that does not round-trip does not exist.
    return new Date(ms).toISOString().slice(0, 10) === day ? ms : null;
}
/** The UTC day (YYYY-MM-DD) of a time in ms. */
export function utcDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
}
/**
 * A time to judge at: a day (YYYY-MM-DD, meaning its 00:00 UTC) or an ISO date-time with a
 * zone (`2027-01-05T09:30:00Z`, `…+01:00`); null when it is neither.
 */
export function parseAsOf(text) {
    const value = text.trim();
    if (DAY.test(value))
        return dayStartMs(value);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
        return null;
    }
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
}
function toMs(asOf) {
    let ms;
    if (asOf instanceof Date)
        ms = asOf.getTime();
    else if (typeof asOf === "number")
        ms = asOf;
    else
        ms = parseAsOf(asOf) ?? Date.parse(asOf);
    if (Number.isNaN(ms))
        throw new Error(`not a time to judge at: ${String(asOf)}`);
    return ms;
}
/** Where an exception stands at `asOf`. */
export function exceptionState(exception, asOf) {
    const at = toMs(asOf);
    if (exception.ended !== null && Date.parse(exception.ended.at) < at)
        return "ended early";
    const expires = dayStartMs(exception.expires_on);
    if (expires === null || at >= expires)
        return "expired";
    return "active";
}
/** Whether the exception names this finding: its rule, and every subject field it names. */
export function exceptionMatches(exception, finding) {
    if (exception.rule !== finding.rule)
        return false;
    let named = 0;
    for (const field of EXCEPTION_SUBJECT_FIELDS) {
        const value = exception.subject[field];
        if (value === undefined)
            continue;
        named += 1;
        if (finding[field] !== value)
            return false;
    }
    // An exception naming no subject would accept every finding of the rule: never.
    return named > 0;
}
/**
 * Each finding with the exception that accepts it at `asOf`, or null. When several do, the one
 * that lasts longest (then the lowest id) is named, so the result does not depend on order.
 */
export function applyExceptions(findings, exceptions, asOf) {
    const at = toMs(asOf);
    const covering = exceptions
        .filter((e) => exceptionState(e, at) === "active")
        .sort((a, b) => a.expires_on === b.expires_on ? a.id - b.id : a.expires_on < b.expires_on ? 1 : -1);
    return findings.map((finding) => {
        const match = covering.find((e) => exceptionMatches(e, finding));
        return {
            ...finding,
            exception: match === undefined
                ? null
                : {
                    id: match.id,
                    approver: match.approver,
                    reason: match.reason,
                    expires_on: match.expires_on,
                    recorded_by: match.recorded_by,
                    recorded_at: match.recorded_at,
                },
        };
    });
}
//# sourceMappingURL=exceptions.js.map