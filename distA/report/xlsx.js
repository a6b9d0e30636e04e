/**
 * The Excel workbook of a report: the model (model.ts) as sheets an auditor can filter and sort,
 * plus every row of the snapshot (effective access, members, users…) streamed straight from the
 * store, so a million memberships never sit in memory. Cells are typed (dates, booleans,
 * numbers; null is an empty cell), every text cell is neutralised against formula injection
 * (render/workbook.ts), and the same model and database always give the same bytes. Headers are
 * words an auditor reads; the rows' properties behind them are the public views' column names,
 * so a sheet can be matched with a query of the database. Every sheet prints fitted to the width
 * of an A4 page with its header row on each page.
 */
import { materialiseHelpers, releaseHelpers } from "../analysis/anomalies.js";
import { loadDiffQueries, MIRRORED_KINDS, } from "../analysis/diff.js";
import { SEVERITIES, severityRank } from "../analysis/rules.js";
import { Day, nameWithId, StreamingBook, timestamp, } from "../render/index.js";
import { duckdb } from "../util/duckdb.js";
import { sqlQueries } from "../util/sql-files.js";
import { auditLogStatement, CHANGE_LABELS, CredentialFindings, crawledByText, lastUsedText, organizationIdText, privilegedDomain, privilegedPathText, privilegedSince, RULE_STATUS_LABELS, TIER_LABELS, } from "./model.js";
/** The sheets, in workbook order; an overflowing sheet continues in "Name (2)" right after it. */
export const SHEET_NAMES = [
    "Summary",
    "Changes",
    "Changes by actor",
    "Findings",
    "Rules",
    "Privileged access",
    "Effective access",
    "Groups",
    "Members",
    "Group roles",
    "Users",
    "Roles",
    "Projects",
    "Project access",
    "Credentials",
    "Completeness",
];
export const WORKBOOK_TITLE = "OpenAI organization access review";
const ID = 30; // ids such as user_01HGSB0QDHDZTKBSWEFT53AVP1
const NAME = 30;
const EMAIL = 32;
const TEXT = 60;
/**
 * Every sheet's columns, in order. Row properties keep the public views' column names (so a row
 * can be matched with a query of the database); headers are words. Every id column has the
 * thing's name (and a user's email) next to it.
 */
export const SHEET_COLUMNS = {
    Summary: [
        ["section", "Section", 16],
        ["item", "Item", 36],
        ["value", "Value", 40],
        ["new", "New", 8],
        ["detail", "Detail", 70],
    ],
    Changes: [
        ["kind", "Kind", 26],
        ["label", "Change", 30],
        ["actor", "Actor", 40],
        ["attribution", "Attribution", 14],
        ["made_by", "Made by", 36],
        ["event_time", "Event time", 19],
        ["event_ids", "Event IDs", ID],
        ["reason", "Reason", 40],
        ["elevated", "Elevated", 9],
        ["group_id", "Group ID", ID],
        ["group_name", "Group name", NAME],
        ["user_id", "User ID", ID],
        ["user_name", "User name", NAME],
        ["user_email", "User email", EMAIL],
        ["role_id", "Role ID", ID],
        ["role_name", "Role name", 24],
        ["before", "Before", 30],
        ["after", "After", 30],
        ["detail", "Detail", TEXT],
    ],
    "Changes by actor": [
        ["made_by", "Made by", 60],
        ["attribution", "Attribution", 14],
        ["changes", "Changes", 10],
        ["elevated_changes", "Elevated changes", 16],
    ],
    Findings: [
        ["severity", "Severity", 11],
        ["rule", "Rule ID", 30],
        ["title", "Rule title", 44],
        ["group_id", "Group ID", ID],
        ["group_name", "Group name", NAME],
        ["user_id", "User ID", ID],
        ["user_name", "User name", NAME],
        ["user_email", "User email", EMAIL],
        ["role_id", "Role ID", ID],
        ["role_name", "Role name", 24],
        ["project_id", "Project ID", ID],
        ["project_name", "Project name", NAME],
        ["credential_id", "Credential ID", ID],
        ["credential_name", "Credential name", NAME],
        ["detail", "Detail", TEXT],
        ["tier", "Tier", 18],
        ["state", "Since last review", 12],
        ["new", "New", 7],
        ["affected", "People affected", 10],
        ["members", "Affected people", TEXT],
        ["accepted", "Accepted by exception", TEXT],
    ],
    Rules: [
        ["id", "Rule ID", 30],
        ["title", "Rule title", 44],
        ["severity", "Severity", 11],
        ["scope", "Scope", 13],
        ["status", "Status", 24],
        ["findings", "Open findings", 10],
        ["reason", "Why skipped or failed", 40],
        ["setting", "What enables it", 40],
        ["signal", "Signal used", 40],
        ["controls", "Controls", 30],
        ["rationale", "Rationale", TEXT],
        ["remediation", "Remediation", TEXT],
    ],
    "Privileged access": [
        ["user_id", "User ID", ID],
        ["user_name", "User name", NAME],
        ["user_email", "User email", EMAIL],
        ["tier", "Highest organization tier", 20],
        ["project_tier", "Highest project tier", 20],
        ["since", "Since last review", 22],
        ["external", "Email domain", 12],
        ["service_account", "Service account", 10],
        ["api_key_last_used_at", "API key last used at", 19],
        ["paths", "Every elevated path", TEXT],
    ],
    "Effective access": [
        ["user_id", "User ID", ID],
        ["user_name", "User name", NAME],
        ["email", "User email", EMAIL],
        ["role_id", "Role ID", ID],
        ["role_name", "Role name", 24],
        ["via", "Via", 9],
        ["via_group_id", "Via group ID", ID],
        ["via_group_name", "Via group name", NAME],
        ["via_group_is_scim_managed", "Via group SCIM-managed", 12],
        ["elevated", "Elevated", 9],
    ],
    Groups: [
        ["group_id", "Group ID", ID],
        ["name", "Group name", NAME],
        ["group_type", "Group type", 14],
        ["is_scim_managed", "SCIM-managed", 10],
        ["created_at", "Created at", 19],
        ["members", "Members", 9],
        ["roles", "Roles", 50],
        ["elevated", "Elevated", 9],
    ],
    Members: [
        ["group_id", "Group ID", ID],
        ["group_name", "Group name", NAME],
        ["user_id", "User ID", ID],
        ["email", "User email", EMAIL],
        ["name", "User name", NAME],
    ],
    "Group roles": [
        ["group_id", "Group ID", ID],
        ["group_name", "Group name", NAME],
        ["role_id", "Role ID", ID],
        ["role_name", "Role name", 24],
        ["permissions", "Permissions", TEXT],
        ["predefined_role", "Predefined role", 10],
        ["resource_type", "Resource type", 14],
        ["elevated", "Elevated", 9],
    ],
    Users: [
        ["user_id", "User ID", ID],
        ["email", "User email", EMAIL],
        ["name", "User name", NAME],
        ["role", "Organization role", 12],
        ["is_scim_managed", "SCIM-managed", 10],
        ["is_service_account", "Service account", 10],
        ["added_at", "Added at", 19],
        ["api_key_last_used_at", "API key last used at", 19],
    ],
    Roles: [
        ["role_id", "Role ID", ID],
        ["name", "Role name", 24],
        ["description", "Description", 40],
        ["permissions", "Permissions", TEXT],
        ["predefined_role", "Predefined role", 10],
        ["resource_type", "Resource type", 14],
        ["elevated", "Elevated", 9],
    ],
    Projects: [
        ["project_id", "Project ID", ID],
        ["name", "Project name", NAME],
        ["status", "Status", 10],
        ["archived", "Archived", 9],
        ["created_at", "Created at", 19],
        ["archived_at", "Archived at", 19],
        ["owner_count", "Owner count", 9],
        ["owners", "Owners", TEXT],
        ["members", "Members", 9],
        ["groups", "Groups", TEXT],
        ["custom_roles", "Custom roles", TEXT],
    ],
    "Project access": [
        ["project_id", "Project ID", ID],
        ["project_name", "Project name", NAME],
        ["user_id", "User ID", ID],
        ["user_name", "User name", NAME],
        ["email", "User email", EMAIL],
        ["role_id", "Role ID", ID],
        ["role_name", "Role name", 24],
        ["via", "Via", 11],
        ["via_group_id", "Via group ID", ID],
        ["via_group_name", "Via group name", NAME],
        ["via_group_is_scim_managed", "Via group SCIM-managed", 12],
    ],
    Credentials: [
        ["kind", "Kind", 15],
        ["project_id", "Project ID", ID],
        ["project_name", "Project name", NAME],
        ["credential_id", "Credential ID", ID],
        ["name", "Credential name", NAME],
        ["redacted_value", "Redacted value", 18],
        ["owner_type", "Owner type", 15],
        ["owner_id", "Owner ID", ID],
        ["owner", "Owner name", NAME],
        ["owner_email", "Owner email", EMAIL],
        ["owner_role", "Owner role", 11],
        ["owner_project_access", "Owner project access", 11],
        ["role", "Role", 10],
        ["status", "Status", 10],
        ["projects", "Projects", 40],
        ["created_at", "Created at", 19],
        ["expires_at", "Expires at", 19],
        ["last_used_at", "Last used at", 19],
        ["last_used", "Last used", 30],
        ["age_days", "Age (days)", 9],
        ["findings", "Findings", TEXT],
    ],
    Completeness: [
        ["snapshot_id", "Snapshot", 10],
        ["section", "Section", 14],
        ["item", "Item", 40],
        ["value", "Value", 24],
        ["pages", "Pages", 8],
        ["completed", "Completed", 10],
        ["sha256", "SHA-256", 66],
    ],
};
/** Columns holding ISO timestamps from the store, written as dates. */
const TIME_COLUMNS = new Set([
    "created_at",
    "added_at",
    "api_key_last_used_at",
    "archived_at",
    "expires_at",
    "last_used_at",
    "event_time",
]);
/** A sheet's column specs. */
function columns(sheet) {
    return SHEET_COLUMNS[sheet].map(([key, header, width]) => ({
        key,
        header,
        width,
        ...(TIME_COLUMNS.has(key) ? { time: true } : {}),
    }));
}
/**
 * A severity as the workbook writes it: its rank, then the word ("1 critical" … "4 low"), so
 * that sorting the column as text (Excel, LibreOffice) puts the most severe first.
 */
export function severityText(severity) {
    return `${SEVERITIES.length - severityRank(severity)} ${severity}`;
}
/** The Summary's words for the two snapshots of a diff definition. */
const SNAPSHOT_WORDS = { from: "the compared snapshot", to: "this snapshot" };
/**
 * A diff definition (its file's `description`) in the Summary's words: `from` and `to` as the
 * snapshots they are (exchanged when `reversed`), other `code` marks dropped.
 */
function definitionText(description, reversed) {
    const words = reversed
        ? { from: SNAPSHOT_WORDS.to, to: SNAPSHOT_WORDS.from }
        : { from: SNAPSHOT_WORDS.from, to: SNAPSHOT_WORDS.to };
    return description
        .replace(/`(from|to)`/g, (_, side) => words[side])
        .replace(/`([^`]*)`/g, "$1");
}
/**
 * What each change kind means, for the Summary, derived from the diff definitions so that it
 * cannot drift from them: a kind with a file of its own says its file's description; a removal
 * kind (MIRRORED_KINDS) is its counterpart's query run with `from` and `to` exchanged, so it says
 * the counterpart's description with the snapshots exchanged, read from this snapshot back to the
 * compared one. A counterpart's remark about its mirror ("its mirror … is …") is left out there.
 */
export function changeKindDescriptions(queries = loadDiffQueries()) {
    const own = new Map(queries.filter((q) => !q.swapped).map((q) => [q.kind, q.description]));
    const descriptions = new Map();
    for (const q of queries) {
        const counterpart = MIRRORED_KINDS[q.kind];
        const definition = own.get(counterpart ?? q.kind);
        if (definition === undefined)
            throw new Error(`no definition of change kind ${q.kind}`);
        descriptions.set(q.kind, counterpart === undefined
            ? definitionText(definition, false)
            : `“${CHANGE_LABELS[counterpart]}” read backwards, from this snapshot to the compared ` +
                `one: ${definitionText(definition.replace(/;\s*its mirror\b[^;]*$/, ""), true)}`);
    }
    return descriptions;
}
/** Rows from the store arrive batched; this many at a time keeps memory flat and the zip busy. */
const BATCH_ROWS = 2_048;
function dateOf(iso) {
    const date = timestamp(iso);
    if (!(date instanceof Date))
        throw new Error(`not a timestamp: ${iso}`);
    return date;
}
/**
 * The roles the analysis counts as elevated in this snapshot (`materialiseHelpers`, the same
 * definition the rules and the model use). Its TEMP table lives on the store's query connection,
 * which `store.iterate` does not share, so the ids are read once and matched here.
 */
async function elevatedRoleIds(store, model) {
    const snapshotId = model.snapshot.snapshot_id;
    await materialiseHelpers(store, [snapshotId], model.config);
    try {
        const rows = await store.query(query("elevated_role_ids"), {
            s: snapshotId,
        });
        return new Set(rows.map((r) => r.role_id));
    }
    finally {
        await releaseHelpers(store);
    }
}
function documentProperties(model) {
    const s = model.snapshot;
    const p = model.previous;
    const compared = p === null
        ? "not compared with an earlier snapshot"
        : `compared with snapshot ${p.snapshot_id} (seal ${p.seal})`;
    const organization = model.organization_name === null
        ? `organization id ${organizationIdText(s)}`
        : `organization ${model.organization_name} (configured name), id ${organizationIdText(s)}`;
    return {
        title: `${WORKBOOK_TITLE}: snapshot ${s.snapshot_id}, ${model.org_date}`,
        subject: `Groups, members and roles of the OpenAI organization at ${s.base_url} as of ${model.as_of}`,
        creator: `openai-access-audit ${model.tool_version}`,
        description: `Snapshot ${s.snapshot_id} (seal ${s.seal}), ${compared}; chain head: snapshot ` +
            `${model.chain_head.snapshot_id} (seal ${model.chain_head.seal}); ${organization}; ` +
            `crawl credential ${s.key_redacted}; crawl run by ${crawledByText(s)}; ` +
            `tool ${model.tool_version}, schema ${model.schema_version} (snapshot's ${s.schema_version}), ` +
            `template ${model.template_version}.`,
        keywords: [
            "access review",
            `snapshot ${s.snapshot_id}`,
            p === null ? "no compared snapshot" : `compared snapshot ${p.snapshot_id}`,
            `seal ${s.seal}`,
            `template ${model.template_version}`,
            `schema ${model.schema_version}`,
        ].join("; "),
        category: "Access review",
        date: dateOf(s.finished_at),
    };
}
/** Every printed page names the report, the sheet, the snapshot and the page. */
function printSetup(model) {
    const compared = model.previous === null ? "" : `, compared with snapshot ${model.previous.snapshot_id}`;
    return {
        header: WORKBOOK_TITLE,
        footer: `Snapshot ${model.snapshot.snapshot_id} (${model.org_date})${compared}`,
    };
}
/** The Summary sheet: no local path goes in, so the file is the same wherever the database lives. */
function summaryRows(model) {
    const rows = [];
    const add = (section, item, value, detail, added) => rows.push({ section, item, value, new: added, detail });
    const s = model.snapshot;
    add("Report", "Title", WORKBOOK_TITLE);
    add("Report", "Snapshot", s.snapshot_id);
    add("Report", "Organization date", new Day(dateOf(`${model.org_date}T00:00:00Z`)), "UTC");
    add("Report", "As of", dateOf(model.as_of), "UTC: when the snapshot's crawl finished");
    add("Report", "Crawl started", dateOf(s.started_at), "UTC");
    if (model.previous === null) {
        add("Report", "Compared snapshot", null, "none: there is no earlier complete snapshot");
    }
    else {
        add("Report", "Compared snapshot", model.previous.snapshot_id, `as of ${model.previous.finished_at}`);
    }
    add("Report", "Base URL", s.base_url);
    add("Report", "Organization name", model.organization_name ?? "none configured", "configured name (configuration `organization`)");
    add("Report", "Tool version", model.tool_version);
    add("Report", "Schema version", model.schema_version, "of the tool that wrote this workbook");
    add("Report", "Template version", model.template_version);
    add("Report", "Times", "UTC", "every date and time in this workbook is UTC");
    // Who ran each crawl, with which credential, for which organization (evidence header).
    for (const e of model.evidence) {
        const run = e.snapshot;
        const id = run.snapshot_id;
        add("Evidence", `Organization id, snapshot ${id}`, organizationIdText(run), "the API's openai-organization response header");
        add("Evidence", `Crawl credential, snapshot ${id}`, run.key_redacted, "redacted: never the key");
        add("Evidence", `Crawl run by, snapshot ${id}`, crawledByText(run), "OS user on host");
        add("Evidence", `Tool version, snapshot ${id}`, run.tool_version, "that crawled it");
        add("Evidence", `Schema version, snapshot ${id}`, run.schema_version, "written with");
    }
    for (const e of model.evidence) {
        const id = e.snapshot.snapshot_id;
        add("Seals", `Seal of snapshot ${id}`, e.snapshot.seal);
        add("Seals", `Previous seal of snapshot ${id}`, e.previous_seal, "the seal it is chained to");
    }
    add("Seals", "Chain head", model.chain_head.seal, `snapshot ${model.chain_head.snapshot_id}, the newest complete one; keep this seal elsewhere too`);
    add("Seals", "Audit log head", model.audit_log_head?.seal ?? null, model.audit_log_head === null
        ? "the audit log was never synced into this database"
        : `sync ${model.audit_log_head.sync_id}, the newest: the attributions were read from the audit log held up to it`);
    add("Seals", "Exceptions register head", model.exceptions_head?.seal ?? null, model.exceptions_head === null
        ? "the exceptions register is empty"
        : `${model.exceptions_head.entries} entries: the accepted findings were judged against the register up to it`);
    const t = model.totals;
    add("Totals", "Groups", t.groups);
    add("Totals", "SCIM-managed groups", t.scim_groups);
    add("Totals", "Manual groups", t.manual_groups);
    add("Totals", "Users", t.users);
    add("Totals", "Memberships", t.memberships);
    add("Totals", "Group role assignments", t.group_role_assignments);
    add("Totals", "User role assignments", t.user_role_assignments);
    add("Totals", "Roles", t.roles);
    add("Totals", "Elevated grants", t.elevated_grants, "distinct (user, elevated role) pairs");
    add("Totals", "Users with elevated access", t.elevated_users);
    if (model.previous === null)
        add("Changes", "All kinds", null, "no compared snapshot");
    for (const r of changeKindRows(model.changes_by_kind))
        add("Changes", r.item, r.value, r.detail);
    attributionRows(model, add);
    for (const f of model.findings_by_severity) {
        add("Findings", severityText(f.severity), f.count, "new: not raised on the compared snapshot", f.new);
    }
    for (const e of model.rule_errors)
        add("Rule errors", e.rule, "failed", e.message);
    const c = model.config;
    const list = (values, none) => values.length > 0 ? values.join(", ") : none;
    add("Elevated roles", "Predefined Owner role", "always elevated");
    add("Elevated roles", "Role names", list(c.elevatedRoleNames, "(none)"));
    add("Elevated roles", "Permission patterns", list(c.elevatedPermissionPatterns, "(none)"), "a role holding a permission that matches one of these globs is elevated");
    const projects = model.projects;
    if (!projects.collected) {
        add("Projects", "Collected", "no", projects.not_collected_reason === "older"
            ? "not collected in this snapshot: taken before this tool collected projects"
            : "not collected in this snapshot: crawl run with --no-projects");
    }
    else {
        const p = projects.totals;
        add("Projects", "Projects", p.projects, "one row each in the Projects sheet");
        add("Projects", "Active projects", p.active);
        add("Projects", "Archived projects", p.archived, "the API does not list their members");
        add("Projects", "Project memberships", p.memberships);
        add("Projects", "People in projects", p.members, "distinct users among the memberships");
        add("Projects", "Attached groups", p.attached_groups, "(project, group) attachments");
        add("Projects", "Custom project roles", p.custom_roles);
        if (!projects.role_assignments_collected) {
            add("Projects", "Project role assignments", "not collected", "crawl run with --no-project-role-assignments: no roles of attached groups, no access through them");
        }
    }
    const credentials = model.credentials;
    if (!credentials.collected) {
        add("Credentials", "Collected", "no", credentials.not_collected_reason === "older"
            ? "not collected in this snapshot: taken before this tool collected credentials"
            : "not collected in this snapshot: crawl run with --no-credentials or --no-projects");
    }
    else {
        const k = credentials.totals;
        add("Credentials", "Admin keys", k.admin_keys, "one row each in the Credentials sheet");
        add("Credentials", "Project API keys", k.api_keys);
        add("Credentials", "Service accounts", k.service_accounts);
        add("Credentials", "Projects with credentials", k.projects);
        add("Credentials", "Pending invites", k.pending_invites);
    }
    add("Analysis", "Allowed email domains", list(c.allowedEmailDomains, "(not configured)"));
    add("Analysis", "Inactivity days", c.inactivityDays);
    for (const e of model.evidence) {
        const id = e.snapshot.snapshot_id;
        add("Verification", `Re-verify snapshot ${id}`, `access-audit verify --snapshot ${id}`, "recomputes the seal from the stored rows (with --db pointing at this database); exit code 1 on any mismatch");
    }
    return rows;
}
/** The Summary's Changes section: each kind's count, described from its definition. */
export function changeKindRows(kinds) {
    const descriptions = changeKindDescriptions();
    return kinds.map((k) => ({
        item: k.label,
        value: k.count,
        detail: descriptions.get(k.kind) ?? "",
    }));
}
/**
 * The Summary's Attribution section: the audit log's coverage of the interval of the changes (its
 * gaps and failed syncs, each with why) and how many changes each status has.
 */
function attributionRows(model, add) {
    const a = model.audit_log;
    if (model.previous === null || a === null) {
        add("Attribution", "All changes", null, "no compared snapshot");
        return;
    }
    const statement = auditLogStatement(a);
    add("Attribution", "Audit log", a.syncs === 0
        ? "never synced"
        : a.covered
            ? "covers the interval"
            : "does not cover the interval", statement.summary);
    add("Attribution", "Interval from", dateOf(a.window.from), "UTC: the earlier crawl's start");
    add("Attribution", "Interval to", dateOf(a.window.to), "UTC: the later crawl's end");
    for (const g of a.gaps)
        add("Attribution", "Not covered", `${g.from} to ${g.to}`, "UTC");
    for (const f of a.failed_syncs) {
        add("Attribution", `Failed sync ${f.sync_id}`, dateOf(f.started_at), f.reason ?? "no reason recorded");
    }
    const t = model.attribution_totals;
    add("Attribution", "Attributed changes", t.attributed, "to a person's session or an API key");
    add("Attribution", "Changes by SCIM", t.scim);
    add("Attribution", "Changes not in the audit log", t.not_logged, "kinds of change the API records no event for");
    add("Attribution", "Unattributed changes", t.unattributed, "an event was expected and none was found: see each change's reason");
    add("Attribution", "Elevated changes", t.elevated, "grants of elevated access");
    add("Attribution", "Unattributed elevated changes", t.unattributed_elevated, "nobody can account for them: in the Changes sheet, attribution unattributed and elevated TRUE");
}
/**
 * The Changes sheet: the model's changes in the diff's order, each with its attribution (the
 * actor's label, the status, who without when, the latest event's time, every event id, why).
 */
function* changeRows(model, names) {
    for (const c of model.changes) {
        yield {
            ...c,
            ...names.user(c.user_id, c.user),
            role_name: names.role(c.role_id, c.role_name),
            label: CHANGE_LABELS[c.kind],
            actor: c.attribution.label,
            attribution: c.attribution.status,
            made_by: c.attribution.made_by,
            event_time: c.attribution.event_time,
            event_ids: c.attribution.event_ids.length > 0 ? c.attribution.event_ids.join(", ") : null,
            reason: c.attribution.reason,
            elevated: c.elevated,
        };
    }
}
/**
 * Names of the ids the sheets written from the model show (changes, findings, credentials),
 * read from the store: users as this snapshot holds them, else as the compared one (a user or
 * project removed since), and credentials as the model lists them.
 */
class Names {
    people;
    projects;
    roles;
    credentials;
    constructor(people, projects, roles, credentials) {
        this.people = people;
        this.projects = projects;
        this.roles = roles;
        this.credentials = credentials;
    }
    static async read(store, model) {
        const s = model.snapshot.snapshot_id;
        const p = model.previous?.snapshot_id ?? s;
        const userIds = new Set();
        const projectIds = new Set();
        const roleIds = new Set();
        for (const c of model.changes) {
            if (c.user_id !== null)
                userIds.add(c.user_id);
            if (c.role_id !== null && c.role_name === null)
                roleIds.add(c.role_id);
        }
        for (const f of model.findings) {
            if (f.user_id !== null)
                userIds.add(f.user_id);
            // The model names organization roles only: a project role's name is looked up here.
            if (f.role_id !== null && f.role_name === null)
                roleIds.add(f.role_id);
            if (f.project_id !== null)
                projectIds.add(f.project_id);
        }
        for (const k of model.credentials.admin_keys) {
            if (k.owner_type === "user" && k.owner_id !== null)
                userIds.add(k.owner_id);
        }
        // An empty list cannot be bound (its type is unknown): nothing to look up then.
        const lookup = async (name, ids) => ids.size === 0
            ? []
            : store.query(query(name), { s, p, ids: duckdb().listValue([...ids].sort()) });
        const people = await lookup("user_names", userIds);
        const projects = await lookup("project_names", projectIds);
        const roles = await lookup("role_names", roleIds);
        const credentials = new Map();
        const c = model.credentials;
        for (const k of c.admin_keys)
            credentials.set(k.key_id, k.name);
        for (const project of c.projects) {
            for (const k of project.api_keys)
                credentials.set(k.key_id, k.name);
            for (const a of project.service_accounts)
                credentials.set(a.service_account_id, a.name);
        }
        for (const v of c.invites)
            credentials.set(v.invite_id, v.email);
        return new Names(new Map(people.map((r) => [r.user_id, { name: r.name, email: r.email }])), new Map(projects.map((r) => [r.project_id, r.name])), new Map(roles.map((r) => [r.role_id, r.name])), credentials);
    }
    /** A user's name and email; `shown` (the model's email or name) when the store has neither. */
    user(id, shown = null) {
        const person = id === null ? undefined : this.people.get(id);
        if (person === undefined)
            return { user_name: null, user_email: shown };
        return { user_name: person.name, user_email: person.email };
    }
    email(id) {
        return id === null ? null : (this.people.get(id)?.email ?? null);
    }
    project(id) {
        return id === null ? null : (this.projects.get(id) ?? null);
    }
    /** `shown` (the model's name) when it has one, else the store's. */
    role(id, shown) {
        return shown ?? (id === null ? null : (this.roles.get(id) ?? null));
    }
    credential(id) {
        return id === null ? null : (this.credentials.get(id) ?? null);
    }
}
/**
 * The Findings sheet: one row per finding with its rule's id and title (the rule's rationale,
 * remediation and controls are on the Rules sheet, once), and a name beside every id.
 */
function* findingRows(model, names) {
    for (const f of model.findings) {
        yield {
            severity: severityText(f.severity),
            rule: f.rule,
            title: f.title,
            group_id: f.group_id,
            group_name: f.group_name,
            user_id: f.user_id,
            ...names.user(f.user_id, f.user),
            role_id: f.role_id,
            role_name: names.role(f.role_id, f.role_name),
            project_id: f.project_id,
            project_name: names.project(f.project_id),
            credential_id: f.credential_id,
            credential_name: names.credential(f.credential_id),
            detail: f.detail,
            tier: f.tier === null ? null : TIER_LABELS[f.tier],
            state: f.state,
            new: f.is_new,
            affected: f.member_count,
            // Every affected person, by email (else name, else id); a long list is cut by the cell writer.
            members: f.members.map((m) => m.email ?? m.name ?? m.user_id).join(", ") || null,
            accepted: f.exception === null
                ? null
                : `until ${f.exception.expires_on} by ${f.exception.approver}: ${f.exception.reason} (exception ${f.exception.id})`,
        };
    }
}
/** The Privileged access sheet: one row per person or service account, as the HTML section. */
function* privilegedRows(model) {
    const domains = model.config.allowedEmailDomains.length > 0;
    for (const p of model.privileged) {
        yield {
            user_id: p.user_id,
            user_name: p.name,
            user_email: p.email,
            tier: p.tier === null ? null : TIER_LABELS[p.tier],
            project_tier: p.project_tier === null ? null : TIER_LABELS[p.project_tier],
            since: privilegedSince(p),
            external: privilegedDomain(p, domains),
            service_account: p.is_service_account,
            api_key_last_used_at: p.api_key_last_used_at === null ? null : dateOf(p.api_key_last_used_at),
            paths: p.paths
                .map((x) => `${x.is_new && p.newly_privileged !== null ? "[new] " : ""}${privilegedPathText(x, (v) => v, (v) => `"${v}"`)}`)
                .join("; "),
        };
    }
}
/** The Rules sheet: every rule that ran, most severe first, with how many findings it raised. */
function ruleRows(model) {
    const counts = new Map();
    for (const f of model.findings) {
        if (f.exception === null)
            counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
    }
    return [...model.rules]
        .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((r) => ({
        id: r.id,
        title: r.title,
        severity: severityText(r.severity),
        scope: r.scope,
        // Never "passed" for a rule that did not run: its status says so, with why.
        status: RULE_STATUS_LABELS[r.status],
        findings: r.status === "skip" || r.status === "error" ? null : (counts.get(r.id) ?? 0),
        reason: r.reason,
        setting: r.setting,
        signal: r.signal,
        controls: r.controls.join(", "),
        rationale: r.rationale,
        remediation: r.remediation,
    }));
}
/**
 * The Projects sheet: one row per project, its owners, attached groups and custom roles as text
 * (names revealed beside their ids; the cell writer neutralises and cuts them).
 */
function projectRows(model) {
    const collected = model.projects.role_assignments_collected;
    return model.projects.projects.map((p) => {
        const groupNames = new Map(p.groups.map((g) => [g.group_id, g.name]));
        const owners = p.owners.map((o) => {
            const paths = [];
            if (o.membership)
                paths.push("owner membership");
            if (o.direct)
                paths.push("assigned directly");
            for (const id of o.group_ids)
                paths.push(`via group ${nameWithId(groupNames.get(id), id)}`);
            return `${nameWithId(o.email ?? o.user_name, o.user_id)} [${paths.join("; ")}]`;
        });
        const more = p.owner_count - p.owners.length;
        if (more > 0)
            owners.push(`… and ${more} more: see the Project access sheet`);
        const groups = p.groups.map((g) => {
            const managed = g.is_scim_managed === null ? "unknown" : g.is_scim_managed ? "SCIM" : "manual";
            const roles = collected ? g.roles.join(", ") || "no role" : "roles not collected";
            return `${nameWithId(g.name, g.group_id)}, ${managed}: ${roles}`;
        });
        const roles = p.custom_roles.map((r) => `${nameWithId(r.name, r.role_id)}: ${r.permissions.join(", ") || "no permission"}`);
        return {
            project_id: p.project_id,
            name: p.name,
            status: p.status,
            archived: p.archived,
            created_at: p.created_at,
            archived_at: p.archived_at,
            owner_count: p.owner_count,
            owners: owners.length > 0 ? owners.join("; ") : null,
            // An archived project's members cannot be listed: empty, not 0.
            members: p.archived ? null : p.members,
            groups: groups.length > 0 ? groups.join("; ") : null,
            custom_roles: roles.length > 0 ? roles.join("; ") : null,
        };
    });
}
/**
 * The Credentials sheet: one row per credential, in the HTML section's order (admin keys, then
 * per project its keys and service accounts, then pending invites), each with the findings about
 * it. `last_used_at` is the recorded use; `last_used` says what it means (exact, or "within N
 * days"). Keys appear only by the API's redacted value.
 */
function credentialRows(model, names) {
    const c = model.credentials;
    if (!c.collected)
        return [];
    const links = new CredentialFindings(model.findings);
    const findings = (id, projectId) => {
        const found = links.of(id, projectId).map((i) => {
            const f = model.findings[i];
            return f === undefined ? "" : `${severityText(f.severity)} ${f.rule}: ${f.title}`;
        });
        return found.length > 0 ? found.join("; ") : null;
    };
    const days = c.usage_resolution_days;
    const rows = [];
    for (const k of c.admin_keys) {
        rows.push({
            kind: "admin key",
            credential_id: k.key_id,
            name: k.name,
            redacted_value: k.redacted_value,
            owner_type: k.owner_type,
            owner_id: k.owner_id,
            owner: k.owner_name,
            owner_email: k.owner_type === "user" ? names.email(k.owner_id) : null,
            owner_role: k.owner_role,
            created_at: k.created_at,
            expires_at: k.expires_at,
            last_used_at: k.last_used_at,
            last_used: lastUsedText(k.last_used_at, k.last_used_recent, days),
            age_days: k.age_days,
            findings: findings(k.key_id, null),
        });
    }
    for (const p of c.projects) {
        for (const k of p.api_keys) {
            rows.push({
                kind: "project key",
                project_id: p.project_id,
                project_name: p.name,
                credential_id: k.key_id,
                name: k.name,
                redacted_value: k.redacted_value,
                owner_type: k.owner_type,
                owner_id: k.owner_id,
                owner: k.owner_name,
                owner_email: k.owner_email,
                owner_role: k.owner_role,
                owner_project_access: k.owner_project_access,
                created_at: k.created_at,
                last_used_at: k.last_used_at,
                last_used: lastUsedText(k.last_used_at, k.last_used_recent, days),
                age_days: k.age_days,
                findings: findings(k.key_id, p.project_id),
            });
        }
        for (const a of p.service_accounts) {
            rows.push({
                kind: "service account",
                project_id: p.project_id,
                project_name: p.name,
                credential_id: a.service_account_id,
                name: a.name,
                role: a.role,
                created_at: a.created_at,
                age_days: a.age_days,
                findings: findings(a.service_account_id, p.project_id),
            });
        }
    }
    for (const v of c.invites) {
        rows.push({
            kind: "invite",
            credential_id: v.invite_id,
            name: v.email,
            role: v.role,
            status: v.status,
            projects: v.projects === null
                ? null
                : v.projects.map((g) => `${nameWithId(g.name, g.project_id)}: ${g.role}`).join("; "),
            created_at: v.created_at,
            expires_at: v.expires_at,
            age_days: v.age_days,
            findings: findings(v.invite_id, null),
        });
    }
    return rows;
}
function completenessRows(model) {
    const rows = [];
    for (const e of model.evidence) {
        const s = e.snapshot;
        const snapshot_id = s.snapshot_id;
        const crawl = [
            ["started_at", dateOf(s.started_at)],
            ["finished_at", dateOf(s.finished_at)],
            ["base_url", s.base_url],
            ["tool_version", s.tool_version],
            ["requests", s.requests],
            ["retries", s.retries],
            ["rate_limited", s.rate_limited],
            ["duplicate_rows", s.duplicate_rows],
            ["vanished_groups", s.vanished_groups],
            ["vanished_users", s.vanished_users],
        ];
        for (const [item, value] of crawl)
            rows.push({ snapshot_id, section: "crawl", item, value });
        rows.push({ snapshot_id, section: "seal", item: "seal", sha256: s.seal });
        rows.push({ snapshot_id, section: "seal", item: "previous_seal", sha256: e.previous_seal });
        for (const p of e.endpoints) {
            rows.push({
                snapshot_id,
                section: "endpoint",
                item: p.endpoint,
                value: p.items,
                pages: p.pages,
                completed: p.completed,
            });
        }
        for (const id of e.vanished_group_ids) {
            rows.push({ snapshot_id, section: "vanished group", item: id });
        }
        for (const id of e.vanished_user_ids) {
            rows.push({ snapshot_id, section: "vanished user", item: id });
        }
        for (const p of e.seal_parts) {
            rows.push({
                snapshot_id,
                section: "seal part",
                item: p.part,
                value: p.row_count,
                sha256: p.sha256,
            });
        }
    }
    return rows;
}
// The sheets' queries: sql/report/workbook.sql.
const query = sqlQueries("report/workbook.sql");
/** Batches of rows, streamed from the store on a connection of their own. */
async function* iterateQueries(store, queries) {
    for (const { sql, params } of queries) {
        yield* store.iterate(sql, params, BATCH_ROWS);
    }
}
/** Each row of a large sheet's query is one JSON array, `cells` (sql/report/workbook.sql). */
function parseCells(rows) {
    return rows.map((r) => JSON.parse(r.cells));
}
/** Batches of rows as cells, streamed from the store on a connection of their own. */
async function* iterateCells(store, queries) {
    for (const { sql, params } of queries) {
        for await (const batch of store.iterate(sql, params, BATCH_ROWS)) {
            yield parseCells(batch);
        }
    }
}
/**
 * The snapshot's effective access in the sheet's order. When the report's analysis left
 * `analysis_effective_access` on the store's query connection (buildReportModel), it is streamed
 * from there in one sorted pass, sparing a second evaluation of the view (a join over every
 * membership, the report's largest transient memory); otherwise the view is streamed.
 */
async function* effectiveAccessRows(store, snapshotId) {
    const shared = await store.query(query("analysed_access_exists"));
    // Rows of this snapshot present: it was materialised (no rows: the view, to be sure).
    const present = (shared[0]?.n ?? 0) > 0 &&
        ((await store.query(query("analysed_access_count"), { s: snapshotId }))[0]?.n ??
            0) > 0;
    yield* present
        ? analysedCells(store, query("analysed_access_rows"), snapshotId)
        : iterateCells(store, [{ sql: query("access_rows"), params: { s: snapshotId } }]);
}
/**
 * One sorted query over a table the analysis left on the store's query connection, streamed
 * there chunk by chunk (DuckDB's sort spills under the report's memory limit): no store call may
 * run until it ends, and the sheet writer makes none.
 */
async function* analysedCells(store, sql, snapshotId) {
    for await (const batch of store.iterateOnQueryConnection(sql, { s: snapshotId }, BATCH_ROWS)) {
        yield parseCells(batch);
    }
}
/** Streams rows, batch by batch, into one sheet (continued past the limit). */
async function streamSheet(book, store, name, source, extend = (row) => row) {
    const sheet = book.sheet(name, columns(name));
    for await (const batch of iterateQueries(store, source)) {
        // Synchronous per row; a promise per row would cost more than the row.
        for (const row of batch)
            if (!sheet.write(extend(row)))
                await sheet.drained();
    }
    await sheet.close();
}
/**
 * `streamSheet` for the large sheets, whose rows arrive as cells in column order; `extend` may
 * append the last cells (computed here, not in SQL).
 */
async function streamCells(book, name, batches, extend) {
    const specs = columns(name);
    const sheet = book.sheet(name, specs);
    for await (const batch of batches) {
        for (const cells of batch) {
            extend?.(cells);
            // A query whose columns drifted from the sheet's would shift every cell: refuse it.
            if (cells.length !== specs.length) {
                throw new Error(`${name}: a row of ${cells.length} cells for ${specs.length} columns`);
            }
            if (!sheet.writeList(cells))
                await sheet.drained();
        }
    }
    await sheet.close();
}
const SEVERITY_FILLS = [
    ["critical", "FFF4B6B6"],
    ["high", "FFFAD3A5"],
    ["medium", "FFFFF2A8"],
    ["low", "FFE7E7E7"],
];
/**
 * Severity fills on a column, as rules rather than per-cell styles: they hold when an auditor
 * sorts or filters.
 */
function severityFills(column) {
    return {
        finish: (sheet, rows) => {
            sheet.addConditionalFormatting({
                ref: `${column}2:${column}${Math.max(rows + 1, 2)}`,
                rules: SEVERITY_FILLS.map(([severity, argb], i) => ({
                    type: "cellIs",
                    operator: "equal",
                    priority: i + 1,
                    formulae: [`"${severityText(severity)}"`],
                    style: { fill: { type: "pattern", pattern: "solid", bgColor: { argb } } },
                })),
            });
        },
    };
}
/**
 * Writes the workbook of `model` to `path`, streaming the snapshot's large sheets from `store`
 * (the database the model was built from). Memory stays bounded whatever the organization's size.
 */
export async function writeWorkbook(store, model, path, options = {}) {
    const params = { s: model.snapshot.snapshot_id };
    const timed = options.timed ?? ((_, work) => work());
    const elevated = await elevatedRoleIds(store, model);
    const withElevated = (row) => ({
        ...row,
        elevated: typeof row.role_id === "string" && elevated.has(row.role_id),
    });
    const names = await Names.read(store, model);
    const book = await StreamingBook.create(path, documentProperties(model), options.maxRowsPerSheet, printSetup(model));
    try {
        await book.sheetFrom("Summary", columns("Summary"), summaryRows(model));
        await book.sheetFrom("Changes", columns("Changes"), changeRows(model, names));
        await book.sheetFrom("Changes by actor", columns("Changes by actor"), model.changes_by_actor.map((a) => ({
            made_by: a.made_by,
            attribution: a.status,
            changes: a.changes,
            elevated_changes: a.elevated,
        })));
        await book.sheetFrom("Findings", columns("Findings"), findingRows(model, names), severityFills("A"));
        await book.sheetFrom("Rules", columns("Rules"), ruleRows(model), severityFills("C"));
        await timed("xlsx privileged access", () => book.sheetFrom("Privileged access", columns("Privileged access"), privilegedRows(model)));
        const roleIdCell = SHEET_COLUMNS["Effective access"].findIndex(([key]) => key === "role_id");
        await timed("xlsx effective access", () => streamCells(book, "Effective access", effectiveAccessRows(store, model.snapshot.snapshot_id), (cells) => {
            const roleId = cells[roleIdCell];
            cells.push(typeof roleId === "string" && elevated.has(roleId));
        }));
        await book.sheetFrom("Groups", columns("Groups"), model.groups);
        await timed("xlsx members", () => streamCells(book, "Members", 
        // One sorted query (DuckDB's sort spills under the report's memory limit): a run of queries
        // over slices of the groups scanned every membership once per slice.
        iterateCells(store, [{ sql: query("members"), params }])));
        await streamSheet(book, store, "Group roles", [{ sql: query("group_roles"), params }], withElevated);
        await timed("xlsx users", () => streamSheet(book, store, "Users", [{ sql: query("users"), params }]));
        await streamSheet(book, store, "Roles", [{ sql: query("roles"), params }], withElevated);
        await book.sheetFrom("Projects", columns("Projects"), projectRows(model));
        await timed("xlsx project access", () => streamCells(book, "Project access", 
        // From the view (fast since migration 0014), on a connection of its own.
        iterateCells(store, [
            { sql: query("project_access"), params: { s: model.snapshot.snapshot_id } },
        ])));
        await book.sheetFrom("Credentials", columns("Credentials"), credentialRows(model, names));
        await book.sheetFrom("Completeness", columns("Completeness"), completenessRows(model));
        await timed("xlsx commit", () => book.commit());
    }
    catch (error) {
        await book.abort();
        throw error;
    }
    return { sheets: book.parts };
}
//# sourceMappingURL=xlsx.js.map