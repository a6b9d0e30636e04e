/**
 * The organization audit log (`GET /organization/audit_logs`, ../shared/docs/openai-admin-api-projects.md
 * §12): the legacy envelope (`first_id`, `last_id`, `has_more`; `after` = the last id, `before`
 * too), newest first, every filter of the spec. What is recorded, and when, is the state's
 * (audit-log.ts); this module parses the query and shapes the page.
 *
 * Query strings: keys arrive percent-encoded (`event_types%5B%5D=…`) and are decoded; arrays are
 * accepted as `x[]`, `x[0]` or a bare repeated `x` (also comma-separated); `effective_at` as
 * `effective_at[gte]=…` (what the SDKs send) or bare `gte=…` (the OpenAPI default for a
 * non-deepObject object parameter: lenient, *inference*). Unknown parameters are ignored.
 *
 * Inferences (the docs' open question 1 and §12.1):
 * - logging disabled in the organization: 400 `audit_logging_disabled`;
 * - a key without the permission: 403 "Missing scopes: api.audit_logs.read";
 * - `tenant_only=true` lists tenant-scoped events only, and with a non-tenant `event_types[]`
 *   answers 400; without it, tenant-scoped events are never listed;
 * - an unknown `event_types[]` value is a 400, like any enum.
 */
import { isAuditLogEventType, isTenantScoped, } from "../audit-events.js";
import { hashString } from "../prng.js";
import { errorReply, isReply, PROJECTS_LIST, } from "./kit.js";
export const AUDIT_LOGGING_DISABLED_MESSAGE = "Audit logging is not enabled for this organization. An Owner can turn it on under Organization settings → Data controls → Data retention → Audit logging.";
export const AUDIT_LOGS_FORBIDDEN_MESSAGE = "You have insufficient permissions for this operation. Missing scopes: api.audit_logs.read.";
const BOUNDS = ["gt", "gte", "lt", "lte"];
/** Every value of an array parameter: `name[]`, `name[N]` or bare `name`, comma-separated too. */
function arrayParam(query, name) {
    const out = [];
    for (const [key, value] of query) {
        if (key !== name &&
            key !== `${name}[]` &&
            !(key.startsWith(`${name}[`) && /^\[\d+\]$/.test(key.slice(name.length)))) {
            continue;
        }
        for (const part of value.split(",")) {
            const v = part.trim();
            if (v !== "")
                out.push(v);
        }
    }
    return out;
}
function effectiveAtOf(query) {
    const out = {};
    for (const bound of BOUNDS) {
        const name = `effective_at[${bound}]`;
        const raw = query.get(name) ?? query.get(bound);
        if (raw === null || raw.trim() === "")
            continue;
        if (!/^-?\d+$/.test(raw.trim())) {
            return errorReply(400, `Invalid type for '${name}': expected an integer, but got '${raw}' instead.`, name, "invalid_type");
        }
        out[bound] = Number(raw.trim());
    }
    return out;
}
const SESSION_PLACES = [
    {
        country: "US",
        city: "San Francisco",
        region: "California",
        region_code: "CA",
        asn: "13335",
        latitude: "37.7749",
        longitude: "-122.4194",
    },
    {
        country: "DE",
        city: "Berlin",
        region: "Berlin",
        region_code: "BE",
        asn: "3320",
        latitude: "52.5200",
        longitude: "13.4050",
    },
    {
        country: "GB",
        city: "London",
        region: "England",
        region_code: "ENG",
        asn: "2856",
        latitude: "51.5074",
        longitude: "-0.1278",
    },
    {
        country: "JP",
        city: "Tokyo",
        region: "Tokyo",
        region_code: "13",
        asn: "2516",
        latitude: "35.6762",
        longitude: "139.6503",
    },
];
const USER_AGENTS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
];
function hexOf(seed, length) {
    let out = "";
    for (let i = 0; out.length < length; i++)
        out += hashString(`${seed}:${i}`).toString(16).padStart(8, "0");
    return out.slice(0, length);
}
/** The session fields of the spec's examples (§12.5), derived from the session itself. */
function withSessionDetails(actor) {
    if (actor.type !== "session")
        return actor;
    const key = `${actor.session.user.id}|${actor.session.ip_address}`;
    const h = hashString(key);
    return {
        type: "session",
        session: {
            ...actor.session,
            user_agent: USER_AGENTS[h % USER_AGENTS.length],
            ja3: hexOf(`ja3:${key}`, 32),
            ja4: `t13d1516h2_${hexOf(`ja4a:${key}`, 12)}_${hexOf(`ja4b:${key}`, 12)}`,
            ip_address_details: {
                ...SESSION_PLACES[(h >>> 8) % SESSION_PLACES.length],
            },
        },
    };
}
export function registerAuditLogRoutes(kit) {
    const s = kit.state;
    kit.add("GET", "/organization/audit_logs", (ctx) => {
        if (s.auditLogMode === "disabled") {
            return errorReply(400, AUDIT_LOGGING_DISABLED_MESSAGE, null, "audit_logging_disabled");
        }
        if (s.auditLogMode === "forbidden")
            return errorReply(403, AUDIT_LOGS_FORBIDDEN_MESSAGE);
        const q = ctx.query;
        const request = kit.parseList(q, PROJECTS_LIST);
        if (isReply(request))
            return request;
        const effectiveAt = effectiveAtOf(q);
        if (isReply(effectiveAt))
            return effectiveAt;
        let tenantOnly = false;
        const rawTenant = q.get("tenant_only");
        if (rawTenant !== null && rawTenant !== "") {
            const value = rawTenant.trim().toLowerCase();
            if (value !== "true" && value !== "false") {
                return errorReply(400, `Invalid type for 'tenant_only': expected a boolean, but got '${rawTenant}' instead.`, "tenant_only", "invalid_type");
            }
            tenantOnly = value === "true";
        }
        const eventTypes = [];
        for (const type of arrayParam(q, "event_types")) {
            if (!isAuditLogEventType(type)) {
                return errorReply(400, `Invalid value: '${type}'. Supported values are the audit log event types (for example 'project.created').`, "event_types", "invalid_value");
            }
            if (tenantOnly && !isTenantScoped(type)) {
                return errorReply(400, `When 'tenant_only' is true, every event type must be tenant-scoped, and '${type}' is not.`, "event_types", "invalid_value");
            }
            eventTypes.push(type);
        }
        const rawBefore = q.get("before");
        const query = {
            effectiveAt,
            projectIds: arrayParam(q, "project_ids"),
            eventTypes,
            actorIds: arrayParam(q, "actor_ids"),
            actorEmails: arrayParam(q, "actor_emails"),
            resourceIds: arrayParam(q, "resource_ids"),
            tenantOnly,
            limit: request.limit,
            ...(request.after === undefined ? {} : { after: request.after }),
            ...(rawBefore === null || rawBefore === "" ? {} : { before: rawBefore }),
        };
        const quirks = kit.quirks();
        const shape = (event) => {
            const out = { ...event };
            if (quirks.auditLogSessionDetails && event.actor !== null) {
                out.actor = withSessionDetails(event.actor);
            }
            if (quirks.auditLogSource && out.source === undefined) {
                // Insert before the detail so the key order stays readable.
                const detail = out[event.type];
                delete out[event.type];
                out.source =
                    event.actor === null
                        ? "scim"
                        : event.actor.type === "session"
                            ? "cloud_console"
                            : "adminapi";
                out[event.type] = detail;
            }
            return out;
        };
        return kit.legacyList(s.pageAuditEvents(query), request, q.get("after"), shape);
    });
}
//# sourceMappingURL=audit-logs.js.map