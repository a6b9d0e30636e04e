/**
 * The report model: everything the HTML and Excel renderers show about one snapshot and its
 * changes since an earlier one, read from the store and the analysis. Renderers only format
 * this model (plus the large per-row sheets the workbook streams straight from the store), so
 * both formats say the same thing. Nothing here reads the clock: every date comes from a
 * snapshot, which keeps reports of the same snapshot pair byte-identical.
 */
import { AnalysisError, previousSnapshotId, resolveSnapshotId } from "../analysis/access.js";
import { compareFindings, defineProjectAccess, fillAnalysisChanges, materialiseEffectiveAccess, materialiseHelpers, releaseEffectiveAccess, releaseHelpers, releaseProjectAccess, runLoadedRules, withSnapshotIds, } from "../analysis/anomalies.js";
import { attributeDiff, } from "../analysis/attribution.js";
import { resolveAnalysisConfig, } from "../analysis/config.js";
import { diffSnapshots, loadDiffQueries, } from "../analysis/diff.js";
import { applyExceptions } from "../analysis/exceptions.js";
import { BUILTIN_RULES_DIR, loadRules, SEVERITIES, } from "../analysis/rules.js";
import { AuditError } from "../errors.js";
import { USAGE_RESOLUTION_DAYS } from "../facts/credentials.js";
import { isoFromMicros, SCHEMA_VERSION, } from "../store/index.js";
import { sqlQueries } from "../util/sql-files.js";
import { phaseTimer } from "./phases.js";
const query = sqlQueries("report/model.sql");
/**
 * The analysis' own statements that say which changes are elevated (`mark_elevated_changes`, the
 * definition the `elevated-change-*` rules use), so the report and the findings never disagree.
 */
const analysisQuery = sqlQueries("analysis/anomalies.sql");
/**
 * A row of privileged_people from its JSON: its two timestamps come as microseconds since the
 * epoch (text), written here as the store writes every timestamp.
 */
function privilegedPathRow(json) {
    const row = JSON.parse(json);
    const iso = (micros) => (micros === null ? null : isoFromMicros(BigInt(micros)));
    return {
        ...row,
        api_key_last_used_at: iso(row.api_key_last_used_at),
        added_at: iso(row.added_at),
    };
}
/** Rows of privileged_people converted and grouped at a time. */
export const PRIVILEGED_BATCH_ROWS = 2048;
/**
 * Adds a row of privileged_people (ordered by person, then path) to `people`: to the last person
 * when it is theirs, else as the next person.
 */
function addPrivilegedPath(people, row) {
    const { path_scope, path_project_id, path_project_name, path_role_id, path_role_name, path_via, path_group_id, path_group_name, path_tier, path_is_new, ...columns } = row;
    let person = people[people.length - 1];
    if (person === undefined || person.user_id !== columns.user_id) {
        person = { ...columns, paths: [] };
        people.push(person);
    }
    person.paths.push({
        scope: path_scope,
        project_id: path_project_id,
        project_name: path_project_name,
        role_id: path_role_id,
        role_name: path_role_name,
        via: path_via,
        group_id: path_group_id,
        group_name: path_group_name,
        tier: path_tier,
        is_new: path_is_new,
    });
}
/** The first schema version that records the crawl's user, host and organization id (0011). */
const IDENTITY_SCHEMA_VERSION = 11;
const NOT_RECORDED = "not recorded (the snapshot predates this record)";
/**
 * The organization id the API sent (`openai-organization`), "not given by the API", or "not
 * recorded" for an older snapshot. Raw text: each format makes it safe.
 */
export function organizationIdText(s) {
    if (s.organization_id !== null)
        return s.organization_id;
    return s.schema_version < IDENTITY_SCHEMA_VERSION ? NOT_RECORDED : "not given by the API";
}
/** `user on host` as the crawl recorded them, or "not recorded". Raw text. */
export function crawledByText(s) {
    if (s.crawl_user === null && s.crawl_host === null)
        return NOT_RECORDED;
    return `${s.crawl_user ?? "unknown user"} on ${s.crawl_host ?? "unknown host"}`;
}
/**
 * The evidence header as label/value pairs (raw text), for the email and the workbook: who and
 * what the report is about, and how to tell the snapshots behind it apart.
 */
export function evidenceHeader(model) {
    const s = model.snapshot;
    const p = model.previous;
    return [
        { label: "Organization id (from the API)", value: organizationIdText(s) },
        {
            label: "Organization name (configured name)",
            value: model.organization_name ?? "none configured",
        },
        { label: "Reviewed snapshot", value: `${s.snapshot_id} (finished ${s.finished_at})` },
        { label: "Seal of the reviewed snapshot", value: s.seal },
        {
            label: "Compared snapshot",
            value: p === null ? "none" : `${p.snapshot_id} (finished ${p.finished_at})`,
        },
        ...(p === null ? [] : [{ label: "Seal of the compared snapshot", value: p.seal }]),
        { label: "Crawl credential (redacted)", value: s.key_redacted },
        { label: "Crawl run by (OS user on host)", value: crawledByText(s) },
        { label: "API base URL", value: s.base_url },
        { label: "Tool version", value: model.tool_version },
        {
            label: "Schema version",
            value: `${model.schema_version} (the snapshot's: ${s.schema_version})`,
        },
        { label: "Template version", value: model.template_version },
    ];
}
const SCOPE_WORDS = {
    user_roles: "users' role assignments",
    projects: "projects",
    project_role_assignments: "project role assignments",
};
/** The coverage difference between a diff's snapshots, said once, or null. */
export function coverageNote(diff) {
    if (diff === null || diff.not_compared.length === 0)
        return null;
    const parts = diff.coverage_changed.map((c) => {
        const [has, lacks] = c.from_collected ? [diff.from, diff.to] : [diff.to, diff.from];
        return `${SCOPE_WORDS[c.scope] ?? c.scope} were collected in snapshot ${has} but not in snapshot ${lacks}`;
    });
    if (diff.not_collected.length > 0) {
        parts.push(`${diff.not_collected.map((s) => SCOPE_WORDS[s] ?? s).join(" and ")} were collected in neither`);
    }
    return `Coverage differs: ${parts.join("; ")}. Their changes are not compared (${diff.not_compared.length} kinds of change), so none is listed for them.`;
}
/** The audit log's coverage of the interval of the changes, in words: one sentence, then each failed sync. */
export function auditLogStatement(window) {
    const interval = `from ${window.window.from} to ${window.window.to}`;
    const failed = window.failed_syncs.map((s) => `sync ${s.sync_id} (started ${s.started_at}) failed: ${s.reason ?? "no reason recorded"}`);
    if (window.syncs === 0) {
        return {
            summary: `The audit log has never been synced into this database, so no change ${interval} can be attributed (run \`access-audit audit-log sync\`).`,
            failed,
        };
    }
    if (window.covered) {
        return {
            summary: `The audit log held covers the whole interval of the changes, ${interval}: a change that should have an event and has none was made out of band or while audit logging was off.`,
            failed,
        };
    }
    const whole = window.gaps.length === 1 &&
        window.gaps[0]?.from === window.window.from &&
        window.gaps[0]?.to === window.window.to;
    if (whole) {
        return {
            summary: `The audit log held covers none of the interval of the changes, ${interval}: a change that should have an event is unattributed, and a missing event proves nothing.`,
            failed,
        };
    }
    const gaps = window.gaps.map((g) => `${g.from} to ${g.to}`).join(", ");
    return {
        summary: `The audit log held does not cover ${gaps} of the interval of the changes (${interval}): a change that should have an event is unattributed there, and a missing event proves nothing.`,
        failed,
    };
}
/** `auditLogStatement` as one paragraph; null without a compared snapshot. */
export function auditLogNote(window) {
    if (window === null)
        return null;
    const { summary, failed } = auditLogStatement(window);
    return failed.length === 0
        ? summary
        : `${summary} ${failed.map((f) => `${f[0]?.toUpperCase() ?? ""}${f.slice(1)}.`).join(" ")}`;
}
/** The order actors are listed in: what nobody accounts for first, what the log cannot say last. */
export const ATTRIBUTION_ORDER = [
    "unattributed",
    "attributed",
    "scim",
    "not_logged",
];
const personOf = (email, id) => email !== null && id !== null ? `${email} (${id})` : (email ?? id ?? "an unnamed user");
/** Who made an attributed change, without when (the label says both): what changes are grouped by. */
export function madeBy(status, actor) {
    if (status === "scim")
        return "SCIM";
    if (status === "not_logged")
        return "not in the audit log";
    if (status === "unattributed" || actor === null)
        return "unattributed";
    switch (actor.type) {
        case "session":
            return personOf(actor.email, actor.user_id);
        case "api_key": {
            const owner = actor.key_type === "service_account" || actor.service_account_id !== null
                ? `service account ${actor.service_account_id ?? "(unnamed)"}`
                : personOf(actor.email, actor.user_id);
            return `API key ${actor.key_id ?? "(no tracking id)"} of ${owner}`;
        }
        case "scim":
            return "SCIM";
        default:
            return "an actor the audit log does not name";
    }
}
/** A change of the attributed diff as the report shows it. */
export function reportChange(change, elevated) {
    const { attribution, ...plain } = change;
    const latest = attribution.events[attribution.events.length - 1];
    return {
        ...flattenChange(plain),
        attribution: {
            status: attribution.status,
            label: attribution.label,
            reason: attribution.reason,
            made_by: madeBy(attribution.status, attribution.actor),
            event_time: latest?.effective_at ?? null,
            event_ids: attribution.events.map((e) => e.event_id),
        },
        elevated,
    };
}
const byCodeUnit = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
/** The changes counted per actor, in ATTRIBUTION_ORDER, then by name. */
export function changesByActor(changes) {
    const groups = new Map();
    for (const c of changes) {
        const key = `${c.attribution.status}\u0000${c.attribution.made_by}`;
        let group = groups.get(key);
        if (group === undefined) {
            group = {
                made_by: c.attribution.made_by,
                status: c.attribution.status,
                changes: 0,
                elevated: 0,
            };
            groups.set(key, group);
        }
        group.changes++;
        if (c.elevated)
            group.elevated++;
    }
    return [...groups.values()].sort((a, b) => ATTRIBUTION_ORDER.indexOf(a.status) - ATTRIBUTION_ORDER.indexOf(b.status) ||
        byCodeUnit(a.made_by, b.made_by));
}
/** How many changes have each status, how many are elevated, and how many of those are unattributed. */
export function attributionTotals(changes) {
    const totals = {
        attributed: 0,
        scim: 0,
        not_logged: 0,
        unattributed: 0,
        elevated: 0,
        unattributed_elevated: 0,
    };
    for (const c of changes) {
        totals[c.attribution.status]++;
        if (c.elevated)
            totals.elevated++;
        if (isUnaccounted(c))
            totals.unattributed_elevated++;
    }
    return totals;
}
/** An elevated change nobody can account for: it grants elevated access and is unattributed. */
export const isUnaccounted = (c) => c.elevated && c.attribution.status === "unattributed";
/**
 * Which changes of the attributed diff grant elevated access, by the analysis' own definition
 * (`create_analysis_changes` and `mark_elevated_changes`, sql/analysis/anomalies.sql). Needs the
 * `elevated_roles` and `elevated_project_roles` of `snapshotId` (materialiseHelpers).
 */
async function elevatedChanges(store, changes, snapshotId) {
    if (changes.length === 0)
        return new Set();
    await fillAnalysisChanges(store, changes);
    try {
        await store.query(analysisQuery("mark_elevated_changes"), { snapshot: snapshotId });
        const rows = await store.query(query("elevated_change_numbers"));
        return new Set(rows.map((r) => r.change_no));
    }
    finally {
        await store.query(analysisQuery("release_analysis_changes"));
    }
}
/** Headings for change kinds, in people's words. */
export const CHANGE_LABELS = {
    group_added: "Groups added",
    group_removed: "Groups removed",
    group_renamed: "Groups renamed",
    group_scim_changed: "Group SCIM state changed",
    group_type_changed: "Group type changed",
    member_added: "Members added",
    member_removed: "Members removed",
    group_role_granted: "Roles granted to groups",
    group_role_revoked: "Roles revoked from groups",
    user_added: "Users added",
    user_removed: "Users removed",
    user_role_changed: "Organization role changed",
    user_role_granted: "Roles granted to users directly",
    user_role_revoked: "Roles revoked from users directly",
    role_added: "Roles added to the catalog",
    role_removed: "Roles removed from the catalog",
    role_permissions_changed: "Role permissions changed",
    access_gained: "Access gained (any path)",
    access_lost: "Access lost (every path)",
    project_added: "Projects added",
    project_removed: "Projects removed",
    project_archived: "Projects archived",
    project_unarchived: "Projects unarchived",
    project_renamed: "Projects renamed",
    project_member_added: "Project members added",
    project_member_removed: "Project members removed",
    project_member_role_changed: "Project membership role changed",
    project_group_attached: "Groups attached to projects",
    project_group_detached: "Groups detached from projects",
    project_role_added: "Project roles added",
    project_role_removed: "Project roles removed",
    project_role_permissions_changed: "Project role permissions changed",
    project_group_role_granted: "Project roles granted to groups",
    project_group_role_revoked: "Project roles revoked from groups",
    project_user_role_granted: "Project roles granted to members directly",
    project_user_role_revoked: "Project roles revoked from members directly",
    project_access_gained: "Project access gained (any path)",
    project_access_lost: "Project access lost (every path)",
    service_account_created: "Service accounts created",
    service_account_deleted: "Service accounts deleted",
    service_account_role_changed: "Service account roles changed",
    api_key_created: "Project API keys created",
    api_key_deleted: "Project API keys deleted",
    api_key_owner_access_changed: "Key owners' project access changed",
    admin_key_created: "Admin API keys created",
    admin_key_deleted: "Admin API keys deleted",
    admin_key_expiry_changed: "Admin API key expiry changed",
    invite_sent: "Invites sent",
    invite_revoked: "Pending invites revoked",
    invite_accepted: "Invites accepted",
    invite_expired: "Invites expired",
    invite_status_changed: "Invite status changed otherwise",
};
/** How a rule's status reads in the reports. */
export const RULE_STATUS_LABELS = {
    alarm: "Alarm: findings",
    ok: "OK: ran, nothing found",
    skip: "Skipped: not evaluated",
    error: "Error: could not run",
};
/** How an elevation tier reads in the reports. */
export const TIER_LABELS = {
    owner: "Owner",
    "access-admin": "Administers access",
    write: "Other write",
};
/** What changed for a privileged person since the compared snapshot; null: nothing to compare. */
export function privilegedSince(p) {
    if (p.newly_privileged === null)
        return null;
    if (p.newly_privileged)
        return "New to privileged access";
    return p.new_paths === 0 ? "Unchanged" : `${p.new_paths} new path${p.new_paths === 1 ? "" : "s"}`;
}
/** A privileged person's email domain: External, No, or why it was not judged. */
export function privilegedDomain(p, domainsConfigured) {
    if (p.external_domain === null)
        return domainsConfigured ? "No email" : "Not judged";
    return p.external_domain ? "External" : "No";
}
/**
 * One elevated path in words: role, project, how it is held and its tier. `name` shows an
 * untrusted name (each format reveals and escapes its own way); `quote` wraps it.
 */
export function privilegedPathText(p, name, quote) {
    const role = name(p.role_name ?? p.role_id);
    const where = p.scope === "project" ? ` in project ${quote(name(p.project_name ?? p.project_id ?? ""))}` : "";
    const how = p.via === "group"
        ? ` via group ${quote(name(p.group_name ?? p.group_id ?? ""))}`
        : p.via === "membership"
            ? " (project membership)"
            : " (direct)";
    return `${role}${where}${how} · ${p.scope === "project" ? "project tier: " : ""}${TIER_LABELS[p.tier]}`;
}
/** Drops what `buildReportModel` left for the renderers. */
export async function releaseReportTables(store) {
    await releaseEffectiveAccess(store);
    await releaseProjectAccess(store);
}
export class ReportError extends AuditError {
    /** `usage`: the caller chose badly (a snapshot id), rather than the database failing. */
    constructor(message, usage = false) {
        super(usage ? "REPORT_REFUSED" : "REPORT_FAILED", message, {
            exitClass: usage ? "usage" : "failure",
        });
    }
}
const num = (value) => (typeof value === "number" ? value : 0);
function toReportSnapshot(row) {
    if (row.status !== "complete" || row.seal === null || row.finished_at === null) {
        throw new ReportError(`snapshot ${row.snapshot_id} is ${row.status}, not complete`);
    }
    return {
        snapshot_id: row.snapshot_id,
        started_at: row.started_at,
        finished_at: row.finished_at,
        base_url: row.base_url,
        tool_version: row.tool_version,
        schema_version: row.schema_version,
        key_redacted: row.key_redacted,
        crawl_user: row.crawl_user ?? null,
        crawl_host: row.crawl_host ?? null,
        organization_id: row.organization_id ?? null,
        seal: row.seal,
        groups: row.groups ?? 0,
        memberships: row.memberships ?? 0,
        group_role_assignments: row.group_role_assignments ?? 0,
        users: row.users ?? 0,
        user_role_assignments: row.user_role_assignments ?? 0,
        roles: row.roles ?? 0,
        requests: row.requests ?? 0,
        retries: row.retries ?? 0,
        rate_limited: row.rate_limited ?? 0,
        vanished_groups: row.vanished_groups ?? 0,
        vanished_users: row.vanished_users ?? 0,
        duplicate_rows: row.duplicate_rows ?? 0,
    };
}
/** JSON values as short text for a table cell: lists joined, objects as compact JSON. */
export function jsonText(value) {
    if (value === undefined || value === null)
        return null;
    if (typeof value === "string")
        return value;
    if (typeof value === "number" || typeof value === "boolean")
        return String(value);
    if (Array.isArray(value) && value.every((v) => typeof v === "string"))
        return value.join(", ");
    return JSON.stringify(value);
}
const CHANGE_FIELDS = new Set([
    "kind",
    "group_id",
    "group_name",
    "user_id",
    "email",
    "user_name",
    "role_id",
    "role_name",
    "before",
    "after",
]);
/** Access-path lists (`via` of access_gained/lost) read as "group X (id)" or "direct". */
function viaText(value) {
    if (!Array.isArray(value))
        return jsonText(value);
    return value
        .map((path) => {
        if (path === null || typeof path !== "object" || Array.isArray(path))
            return String(path);
        const p = path;
        if (p.via === "direct")
            return "direct";
        return `group ${jsonText(p.group_name) ?? "(unnamed)"} (${jsonText(p.group_id) ?? "?"})`;
    })
        .join("; ");
}
/** A change flattened for tables, before its attribution is added (reportChange). */
export function flattenChange(change) {
    const details = [];
    for (const [key, value] of Object.entries(change)) {
        if (CHANGE_FIELDS.has(key) || value === undefined)
            continue;
        const text = key === "via" ? viaText(value) : jsonText(value);
        details.push(`${key}: ${text ?? "null"}`);
    }
    const str = (v) => (typeof v === "string" ? v : null);
    return {
        kind: change.kind,
        group_id: str(change.group_id),
        // A rename's name is its `after`.
        group_name: str(change.group_name) ?? (change.kind === "group_renamed" ? str(change.after) : null),
        user_id: str(change.user_id),
        user: str(change.email) ?? str(change.user_name),
        role_id: str(change.role_id),
        role_name: str(change.role_name),
        before: jsonText(change.before),
        after: jsonText(change.after),
        detail: details.length > 0 ? details.join("; ") : null,
    };
}
/** A finding's `project_id`, when its rule returns one (not part of every Finding). */
export function findingProjectId(f) {
    const id = f.project_id;
    return typeof id === "string" ? id : null;
}
/**
 * A finding's `credential_id`, when its rule returns one (read as an optional field: not every
 * Finding has it).
 */
export function findingCredentialId(f) {
    const id = f.credential_id;
    return typeof id === "string" ? id : null;
}
/** Findings in the report's order: compareFindings, then the credential they are about. */
function compareReportFindings(a, b) {
    const ca = findingCredentialId(a) ?? "";
    const cb = findingCredentialId(b) ?? "";
    return compareFindings(a, b) || (ca < cb ? -1 : ca > cb ? 1 : 0);
}
/**
 * The findings about each credential, as indexes into `findings` (in their order), by credential
 * id: a finding is about a credential when its `credential_id` is the credential's id and its
 * `project_id`, when it has one, is the credential's project. Renderers link each credential's
 * row to these findings.
 */
export class CredentialFindings {
    findings;
    byId = new Map();
    constructor(findings) {
        this.findings = findings;
        findings.forEach((f, i) => {
            const id = f.credential_id ?? findingCredentialId(f);
            if (id === null)
                return;
            const list = this.byId.get(id) ?? [];
            list.push(i);
            this.byId.set(id, list);
        });
    }
    /** Indexes into the findings; `projectId` null for admin keys and invites. */
    of(id, projectId) {
        const list = this.byId.get(id) ?? [];
        if (projectId === null)
            return list;
        return list.filter((i) => {
            const p = this.findings[i]?.project_id ?? null;
            return p === null || p === projectId;
        });
    }
}
async function snapshotRows(store, ids) {
    const rows = await store.query(query("snapshot_rows"), {
        ids: ids.length > 0 ? `[${ids.join(",")}]` : "[]",
    });
    return new Map(rows.map((r) => [r.snapshot_id, r]));
}
/** Names of the groups, users and roles the findings point at, from the snapshot's views. */
async function nameLookups(store, snapshotId) {
    const groups = new Map();
    const users = new Map();
    const roles = new Map();
    for (const r of await store.query(query("group_names"), {
        s: snapshotId,
    })) {
        groups.set(r.id, r.name);
    }
    for await (const batch of store.iterate(query("user_names"), { s: snapshotId })) {
        for (const r of batch)
            users.set(r.id, r.name);
    }
    for (const r of await store.query(query("role_names"), {
        s: snapshotId,
    })) {
        roles.set(r.id, r.name);
    }
    return { groups, users, roles };
}
async function evidenceOf(store, snapshot) {
    const s = { s: snapshot.snapshot_id };
    const previous = await store.query(query("previous_seal"), s);
    return {
        snapshot,
        previous_seal: previous[0]?.seal ?? "0".repeat(64),
        endpoints: await store.query(query("endpoints"), s),
        vanished_group_ids: (await store.query(query("vanished_group_ids"), s)).map((r) => r.id),
        vanished_user_ids: (await store.query(query("vanished_user_ids"), s)).map((r) => r.id),
        seal_parts: await store.query(query("seal_parts"), s),
    };
}
/** Owners listed per project; the rest are counted (and all are in the workbook). */
export const PROJECT_OWNERS_CAP = 50;
/** The schema version that started collecting projects (migration 0006). */
const PROJECTS_SCHEMA_VERSION = 6;
/** Groups rows sorted by project id into a map of lists (order kept). */
function byProject(rows) {
    const map = new Map();
    for (const { project_id, ...rest } of rows) {
        let list = map.get(project_id);
        if (list === undefined) {
            list = [];
            map.set(project_id, list);
        }
        list.push(rest);
    }
    return map;
}
/** The snapshot's projects with their owners, attached groups and custom roles. */
async function projectsOf(store, snapshotId) {
    const s = { s: snapshotId };
    const coverage = await store.query(query("uncollected"), s);
    const uncollected = new Set(coverage[0]?.uncollected ?? []);
    const empty = {
        projects: 0,
        active: 0,
        archived: 0,
        memberships: 0,
        members: 0,
        attached_groups: 0,
        custom_roles: 0,
    };
    if (uncollected.has("projects")) {
        const older = (coverage[0]?.schema_version ?? 0) < PROJECTS_SCHEMA_VERSION;
        return {
            collected: false,
            not_collected_reason: older ? "older" : "option",
            role_assignments_collected: false,
            projects: [],
            totals: empty,
        };
    }
    const rows = await store.query(query("projects"), s);
    const owners = await store.query(query("project_owners"), {
        ...s,
        cap: PROJECT_OWNERS_CAP,
    });
    const groups = await store.query(query("project_groups"), s);
    const roles = await store.query(query("project_custom_roles"), s);
    const members = await store.query(query("project_member_totals"), s);
    const ownersBy = byProject(owners);
    const groupsBy = byProject(groups);
    const rolesBy = byProject(roles);
    const projects = rows.map((p) => {
        const listed = ownersBy.get(p.project_id) ?? [];
        return {
            ...p,
            owner_count: listed[0]?.total ?? 0,
            owners: listed.map(({ total: _, ...owner }) => owner),
            groups: groupsBy.get(p.project_id) ?? [],
            custom_roles: rolesBy.get(p.project_id) ?? [],
        };
    });
    const archived = projects.filter((p) => p.archived).length;
    return {
        collected: true,
        not_collected_reason: null,
        role_assignments_collected: !uncollected.has("project_role_assignments"),
        projects,
        totals: {
            projects: projects.length,
            active: projects.length - archived,
            archived,
            memberships: members[0]?.memberships ?? 0,
            members: members[0]?.people ?? 0,
            attached_groups: groups.length,
            custom_roles: roles.length,
        },
    };
}
/**
 * How a recorded last use reads: "never", the exact date, or, when it is more recent than the
 * usage resolution, "within N days" with the recorded date as a lower bound.
 */
export function lastUsedText(lastUsedAt, recent, resolutionDays) {
    if (lastUsedAt === null)
        return "Never";
    if (recent)
        return `Within ${resolutionDays} days (on or after ${lastUsedAt.slice(0, 10)})`;
    return lastUsedAt.slice(0, 10);
}
/** The schema version that started collecting credentials (migration 0008). */
const CREDENTIALS_SCHEMA_VERSION = 8;
/** The snapshot's admin keys, project keys, service accounts and pending invites. */
async function credentialsOf(store, snapshotId) {
    const s = { s: snapshotId };
    const coverage = await store.query(query("uncollected"), s);
    const base = {
        usage_resolution_days: USAGE_RESOLUTION_DAYS,
        admin_keys: [],
        projects: [],
        invites: [],
        totals: { admin_keys: 0, api_keys: 0, service_accounts: 0, projects: 0, pending_invites: 0 },
    };
    if (new Set(coverage[0]?.uncollected ?? []).has("credentials")) {
        const older = (coverage[0]?.schema_version ?? 0) < CREDENTIALS_SCHEMA_VERSION;
        return { ...base, collected: false, not_collected_reason: older ? "older" : "option" };
    }
    const used = { ...s, days: USAGE_RESOLUTION_DAYS };
    const adminKeys = await store.query(query("credentials_admin_keys"), used);
    const apiKeys = await store.query(query("credentials_api_keys"), used);
    const accounts = await store.query(query("credentials_service_accounts"), s);
    const held = await store.query(query("credentials_projects"), s);
    const invites = await store.query(query("credentials_invites"), s);
    const names = new Map((await store.query(query("project_names"), s)).map((r) => [
        r.id,
        r.name,
    ]));
    const keysBy = byProject(apiKeys);
    const accountsBy = byProject(accounts);
    return {
        ...base,
        collected: true,
        not_collected_reason: null,
        admin_keys: adminKeys,
        projects: held.map((p) => ({
            ...p,
            api_keys: keysBy.get(p.project_id) ?? [],
            service_accounts: accountsBy.get(p.project_id) ?? [],
        })),
        invites: invites.map((i) => ({
            ...i,
            projects: i.projects?.map((g) => ({
                project_id: g.project_id,
                name: names.get(g.project_id) ?? null,
                role: g.role,
            })) ?? null,
        })),
        totals: {
            admin_keys: adminKeys.length,
            api_keys: apiKeys.length,
            service_accounts: accounts.length,
            projects: held.length,
            pending_invites: invites.length,
        },
    };
}
/**
 * Reads everything a report shows. Requires the `elevated_roles` TEMP table to be filled for
 * the trend's snapshots, so it fills it itself (and drops it at the end).
 */
export async function buildReportModel(store, options) {
    let snapshotId;
    try {
        snapshotId = await resolveSnapshotId(store, options.snapshotId);
    }
    catch (error) {
        if (error instanceof AnalysisError) {
            throw new ReportError(error.message, error.code === "UNKNOWN_SNAPSHOT");
        }
        throw error;
    }
    const fromId = options.fromId === undefined ? await previousSnapshotId(store, snapshotId) : options.fromId;
    if (fromId !== null && fromId === snapshotId) {
        throw new ReportError(`--from and --snapshot are both ${snapshotId}: nothing to compare`, true);
    }
    const config = resolveAnalysisConfig(options.config);
    const timed = phaseTimer(options.logger);
    const trendLength = options.trendLength ?? 24;
    const trendIds = (await store.query(query("trend_ids"), { s: snapshotId, n: trendLength }))
        .map((r) => r.id)
        .reverse();
    const rowIds = [...new Set([...trendIds, ...(fromId === null ? [] : [fromId])])];
    const rows = await snapshotRows(store, rowIds);
    const snapshotRow = rows.get(snapshotId);
    if (!snapshotRow)
        throw new ReportError(`snapshot ${snapshotId} does not exist`);
    const snapshot = toReportSnapshot(snapshotRow);
    let previous = null;
    if (fromId !== null) {
        const row = rows.get(fromId);
        if (!row)
            throw new ReportError(`snapshot ${fromId} does not exist`, true);
        previous = toReportSnapshot(row);
    }
    await timed("verify", async () => options.beforeAnalysis?.(previous === null ? [snapshotId] : [snapshotId, previous.snapshot_id]));
    const head = await store.query(query("chain_head"));
    const auditHead = await store.query(query("audit_log_head"));
    const registerEntries = await store.listExceptionEvents();
    const lastEntry = registerEntries[registerEntries.length - 1];
    const exceptionsHead = lastEntry === undefined ? null : { entries: registerEntries.length, seal: lastEntry.seal };
    // Changes
    const kindDescriptions = new Map(loadDiffQueries().map((q) => [q.kind, q.description]));
    const diff = previous === null
        ? null
        : await timed("diff", () => diffSnapshots(store, { from: previous.snapshot_id, to: snapshotId }));
    // Who made each change, from the audit log held (the diff's order is kept).
    const attributed = diff === null ? null : await timed("attribution", () => attributeDiff(store, diff));
    const changesByKind = loadDiffQueries().map((q) => ({
        kind: q.kind,
        label: CHANGE_LABELS[q.kind],
        description: kindDescriptions.get(q.kind) ?? "",
        count: diff?.summary[q.kind] ?? 0,
    }));
    // Organization effective access is evaluated once for every snapshot the rules and tables below
    // read (a join over all memberships), then shared as the analysis' TEMP table
    // analysis_effective_access; its project rows, cheap to evaluate where they are read, as the
    // TEMP view analysis_project_access.
    const loaded = await loadRules([BUILTIN_RULES_DIR, ...(options.ruleDirs ?? [])]);
    const beforeFrom = fromId === null ? null : await previousSnapshotId(store, fromId);
    const accessIds = [...new Set([snapshotId, fromId, beforeFrom])].filter((id) => id !== null);
    try {
        await timed("effective access", () => materialiseEffectiveAccess(store, accessIds));
        await timed("project access", () => defineProjectAccess(store, accessIds));
        return await buildWithAccess();
    }
    finally {
        if (options.keepEffectiveAccess !== true)
            await releaseReportTables(store);
    }
    async function buildWithAccess() {
        // Findings, each marked new, changed or unchanged against the compared snapshot's (the
        // runner judges that one too: effective access above covers the snapshot before it).
        const current = await timed("rules", () => runLoadedRules(store, loaded.rules, {
            snapshotId,
            previousId: fromId,
            config,
            effectiveAccessMaterialised: true,
            projectAccessDefined: true,
            // The changes rules judge the diff attributed above rather than a second one.
            ...(attributed === null ? {} : { attributedDiff: attributed }),
        }));
        const ruleById = new Map(loaded.rules.map((r) => [r.id, r]));
        const names = await nameLookups(store, snapshotId);
        // Accepted risks, judged at the snapshot's finish so the report is the same on every run.
        const judged = applyExceptions(current.findings, await store.readExceptions(), Date.parse(snapshot.finished_at));
        const findings = judged.sort(compareReportFindings).map((f) => {
            const rule = ruleById.get(f.rule);
            return {
                ...f,
                project_id: findingProjectId(f),
                credential_id: findingCredentialId(f),
                group_name: f.group_id === null ? null : (names.groups.get(f.group_id) ?? null),
                user: f.user_id === null ? null : (names.users.get(f.user_id) ?? null),
                role_name: f.role_id === null ? null : (names.roles.get(f.role_id) ?? null),
                rationale: rule?.rationale ?? "",
                remediation: rule?.remediation ?? "",
                controls: rule?.controls ?? [],
                is_new: f.state !== "unchanged",
            };
        });
        // Counts are of open findings: an accepted one is counted apart (accepted_findings).
        const open = findings.filter((f) => f.exception === null);
        const findingsBySeverity = [...SEVERITIES].reverse().map((severity) => ({
            severity,
            count: open.filter((f) => f.severity === severity).length,
            new: open.filter((f) => f.severity === severity && f.is_new).length,
        }));
        // Elevated access, groups and trend all need the elevated roles of their snapshots.
        await timed("helpers", () => materialiseHelpers(store, rowIds, config));
        try {
            const elevatedPaths = await timed("elevated paths", () => store.query(query("elevated_paths"), { s: snapshotId }));
            // Read in batches and grouped as they come: read whole, the result, its rows' JSON and
            // their objects were all held at once (140 MB of heap at a million memberships).
            const privileged = await timed("privileged people", async () => {
                const people = [];
                for await (const batch of store.iterateOnQueryConnection(query("privileged_people"), {
                    s: snapshotId,
                    p: fromId,
                    domains: config.allowedEmailDomains.length === 0
                        ? null
                        : JSON.stringify(config.allowedEmailDomains),
                }, PRIVILEGED_BATCH_ROWS)) {
                    for (const row of batch)
                        addPrivilegedPath(people, privilegedPathRow(row.path));
                }
                return people;
            });
            const groups = await timed("groups", () => store.query(query("groups"), { s: snapshotId }));
            const projects = await timed("projects", () => projectsOf(store, snapshotId));
            const credentials = await timed("credentials", () => credentialsOf(store, snapshotId));
            const elevatedCounts = [];
            for (const id of trendIds.filter((id) => accessIds.includes(id))) {
                const [counted] = await store.query(query("elevated_counts_analysed"), { s: id });
                elevatedCounts.push({
                    snapshot_id: id,
                    grants: counted?.grants ?? 0,
                    users: counted?.users ?? 0,
                });
            }
            const older = trendIds.filter((id) => !accessIds.includes(id));
            if (older.length > 0) {
                elevatedCounts.push(...(await timed("trend", () => store.query(withSnapshotIds(query("elevated_counts_view"), older)))));
            }
            const elevatedBySnapshot = new Map(elevatedCounts.map((r) => [r.snapshot_id, r]));
            const trend = trendIds.map((id) => {
                const row = rows.get(id);
                return {
                    snapshot_id: id,
                    date: (row?.finished_at ?? "").slice(0, 10),
                    groups: row?.groups ?? 0,
                    memberships: row?.memberships ?? 0,
                    users: row?.users ?? 0,
                    elevated_grants: elevatedBySnapshot.get(id)?.grants ?? 0,
                };
            });
            // Which changes are elevated needs the elevated roles of the snapshot, filled just above.
            const elevated = attributed === null
                ? new Set()
                : await timed("elevated changes", () => elevatedChanges(store, attributed.changes, snapshotId));
            const changes = (attributed?.changes ?? []).map((c, i) => reportChange(c, elevated.has(i)));
            const scim = groups.filter((g) => g.is_scim_managed === true).length;
            const evidence = [await evidenceOf(store, snapshot)];
            if (previous)
                evidence.push(await evidenceOf(store, previous));
            return {
                tool_version: options.toolVersion,
                template_version: options.templateVersion,
                schema_version: options.schemaVersion ?? SCHEMA_VERSION,
                organization_name: options.organizationName ?? null,
                org_date: snapshot.finished_at.slice(0, 10),
                as_of: snapshot.finished_at,
                snapshot,
                previous,
                chain_head: {
                    snapshot_id: head[0]?.id ?? snapshotId,
                    seal: head[0]?.seal ?? snapshot.seal,
                },
                config,
                totals: {
                    groups: snapshot.groups,
                    users: snapshot.users,
                    memberships: snapshot.memberships,
                    group_role_assignments: snapshot.group_role_assignments,
                    user_role_assignments: snapshot.user_role_assignments,
                    roles: snapshot.roles,
                    elevated_grants: num(elevatedBySnapshot.get(snapshotId)?.grants),
                    elevated_users: num(elevatedBySnapshot.get(snapshotId)?.users),
                    scim_groups: scim,
                    manual_groups: groups.length - scim,
                },
                changes_by_kind: changesByKind,
                changes,
                audit_log: attributed?.audit_log ?? null,
                audit_log_note: auditLogNote(attributed?.audit_log ?? null),
                audit_log_head: auditHead[0] ?? null,
                exceptions_head: exceptionsHead,
                changes_by_actor: changesByActor(changes),
                attribution_totals: attributionTotals(changes),
                changes_coverage_note: coverageNote(diff),
                findings_by_severity: findingsBySeverity,
                accepted_findings: findings.length - open.length,
                findings,
                rule_errors: [...loaded.errors, ...current.errors],
                rules: loaded.rules.map((r) => {
                    const outcome = current.rules.find((o) => o.rule === r.id);
                    return {
                        id: r.id,
                        title: r.title,
                        severity: r.severity,
                        rationale: r.rationale,
                        remediation: r.remediation,
                        controls: r.controls,
                        scope: r.scope,
                        status: outcome?.status ?? "error",
                        findings: outcome?.findings ?? 0,
                        reason: outcome?.reason ?? null,
                        setting: outcome?.setting ?? null,
                        signal: r.signal ?? null,
                    };
                }),
                elevated_paths: elevatedPaths[0]?.n ?? 0,
                privileged,
                groups,
                projects,
                credentials,
                trend,
                evidence,
            };
        }
        finally {
            await releaseHelpers(store);
        }
    }
}
//# sourceMappingURL=model.js.map