/**
 * The HTML report: one self-contained file (styles and script inline, nothing fetched at view
 * time) rendered from `templates/report.html.hbs` with an isolated Handlebars environment.
 *
 * Everything from the API is untrusted. Data reaches the templates only through `{{ }}` (HTML
 * escaped; the templates contain no triple-stash); the only raw output is the stylesheet and
 * script read from the package (`inline`), the print footer's style (`pageCss`, built from a
 * snapshot id and a seal's hex only) and JSON escaped for a script element (`json`). A
 * Content-Security-Policy with the hashes of exactly those styles and script backs this up:
 * even an escaping slip could neither run script nor fetch anything.
 *
 * The HTML is for reading: summaries, findings, privileged people, changes. Full listings (every
 * membership, user and access path) are not in it: the "Full lists" section names, with counts,
 * the workbook sheet and the export that hold each. A table holds at most HTML_ROW_CAP rows and
 * says how many more there are and where all of them are, so the file stays a few MB at a million
 * memberships. Rows are rendered whole so the file reads, searches and prints without script; the
 * script only sorts, filters and pages rows that are already there. Rows after the first page
 * carry `is-paged`, which hides them on screen only once the script has marked the document.
 */
import { createHash } from "node:crypto";
import { MEMBERS_LISTED } from "../analysis/anomalies.js";
import { tierRank } from "../analysis/config.js";
import { DIFF_KINDS } from "../analysis/diff.js";
import { SEVERITIES, severityRank } from "../analysis/rules.js";
import { createTemplateEnvironment } from "../render/handlebars.js";
import { readTemplate } from "../render/templates.js";
import { nameWithId, revealInvisible, scriptJson } from "../render/text.js";
import { barRows, formatCount, trendPanels } from "./html-charts.js";
import { auditLogStatement, CHANGE_LABELS, CredentialFindings, crawledByText, isUnaccounted, lastUsedText, organizationIdText, privilegedDomain, privilegedPathText, privilegedSince, RULE_STATUS_LABELS, TIER_LABELS, } from "./model.js";
/** Rows per page in the browser; all rows of the current filter still print. */
export const HTML_PAGE_SIZE = 100;
/**
 * Rows per table in the file; beyond it the report says how many are not shown and where they all
 * are (a workbook sheet and a command). Ten pages of HTML_PAGE_SIZE: enough to read, small enough
 * that the file stays a few MB however large the organization.
 */
export const HTML_ROW_CAP = 1_000;
/** Elevated paths listed per privileged person; the rest are counted (all are in the workbook). */
export const PRIVILEGED_PATHS_SHOWN = 10;
/**
 * Owners listed per project (of the model's PROJECT_OWNERS_CAP); the rest are counted (all are in
 * the workbook's Project access sheet).
 */
export const PROJECT_OWNERS_SHOWN = 10;
/** Vanished ids listed per snapshot in the appendix. */
const VANISHED_CAP = 1_000;
/** Attached groups listed per project; the rest are counted (all are in the workbook). */
export const PROJECT_GROUPS_CAP = 100;
/** Unaccounted elevated changes listed in the summary; the rest are counted (all are in the changes table). */
export const UNACCOUNTED_CAP = 100;
const MAIN_TEMPLATE = "report.html.hbs";
const PARTIALS = [
    "report-table",
    "report-bars",
    "report-trend",
    "report-evidence",
    "report-finding-links",
];
/** The only files the `inline` helper emits unescaped: the package's own code, never data. */
const ASSETS = ["report.css", "report.js"];
const NONE = "—";
const show = (value) => value === null || value === undefined || value === "" ? NONE : revealInvisible(value);
const showOrNull = (value) => value === null ? null : revealInvisible(value);
const yesNo = (value) => value === null ? "Unknown" : value ? "Yes" : "No";
const managedBy = (scim) => scim === null ? "Unknown" : scim ? "SCIM" : "Manual";
const plural = (n, one, many) => `${formatCount(n)} ${n === 1 ? one : many}`;
const dateOnly = (iso) => (iso === null ? NONE : iso.slice(0, 10));
/** The export that writes every public view of snapshot `s` (`DIR/<view>/snapshot_id=<s>/`). */
const exportCommand = (s) => `“access-audit export --snapshot ${s} --format csv --out DIR”`;
/**
 * Where every row of what the HTML shows only in part is: the workbook's sheet (its name as
 * xlsx.ts writes it) and a command. Said here once for every table's note and the Full lists.
 */
function everyRowIn(model) {
    const s = model.snapshot.snapshot_id;
    const p = model.previous?.snapshot_id ?? null;
    return {
        changes: `the Excel workbook's Changes sheet and in the output of “access-audit diff --from ${p ?? ""} --to ${s} --json”`,
        findings: `the Excel workbook's Findings sheet and in the output of “access-audit anomalies --snapshot ${s} --json”`,
        privileged: `the Excel workbook's Privileged access sheet (every access path of everyone: “access-audit access --snapshot ${s}”)`,
        groups: `the Excel workbook's Groups sheet and in the export's snapshot_groups (${exportCommand(s)})`,
        projects: "the Excel workbook's Projects sheet",
        credentials: "the Excel workbook's Credentials sheet",
        members: `the Excel workbook's Members sheet and in the export's snapshot_group_members (${exportCommand(s)})`,
        users: `the Excel workbook's Users sheet and in the export's snapshot_users (${exportCommand(s)})`,
        access: `the Excel workbook's Effective access sheet (its Elevated column marks the elevated paths), the export's effective_access (${exportCommand(s)}) and “access-audit access --snapshot ${s}”`,
        project_access: `the Excel workbook's Project access sheet and in the export's snapshot_project_users and effective_access (${exportCommand(s)})`,
    };
}
const SEVERITY_LABELS = {
    critical: "Critical",
    high: "High",
    medium: "Medium",
    low: "Low",
};
/**
 * A table of at most `options.rowCap` rows of `total`. `everyRow` says where all of them are (a
 * workbook sheet and a command), for the note shown when rows were left out. Large tables pass
 * only the rows shown (`shownRows`) and their total, so no display row is built for the rest.
 */
function table(id, noun, caption, all, options, everyRow, total = all.length) {
    if (total === 0)
        return null;
    const rows = all
        .slice(0, options.rowCap)
        .map((row, i) => ({ ...row, paged: i >= options.pageSize }));
    return {
        id,
        noun,
        caption: `${caption} (${formatCount(total)})`,
        page_size: options.pageSize,
        rows,
        cap_note: rows.length < total
            ? `This report shows the first ${formatCount(rows.length)} of ${formatCount(total)} ${noun}; the other ${formatCount(total - rows.length)} are in ${everyRow}.`
            : null,
    };
}
/** The first `options.rowCap` items: the only ones a table builds display rows for. */
const shownRows = (items, options) => items.slice(0, options.rowCap);
const snapshotLabel = (s) => `snapshot ${s.snapshot_id} (finished ${s.finished_at})`;
/** How each attribution status reads as a column value. */
const STATUS_LABELS = {
    attributed: "Attributed",
    scim: "SCIM",
    not_logged: "Not in the audit log",
    unattributed: "Unattributed",
};
/** Who a by-actor row is about, in words. */
function actorName(status, madeBy) {
    switch (status) {
        case "unattributed":
            return "Unattributed: nobody can be named";
        case "not_logged":
            return "Not in the audit log";
        case "scim":
            return "SCIM";
        default:
            return show(madeBy);
    }
}
/** What a change is about: its group, user and role, each named with its id. */
function changeSubject(c) {
    const parts = [
        c.group_name !== null || c.group_id !== null
            ? `group ${nameWithId(c.group_name, c.group_id)}`
            : null,
        c.user !== null || c.user_id !== null ? `user ${nameWithId(c.user, c.user_id)}` : null,
        c.role_name !== null || c.role_id !== null
            ? `role ${nameWithId(c.role_name, c.role_id)}`
            : null,
    ].filter((p) => p !== null);
    if (parts.length === 0)
        return show(c.detail);
    return parts.join(", ");
}
const changeAnchor = (index) => `change-${index + 1}`;
/** Which audit log the attributions were read from, in words. */
const auditLogHead = (model) => model.audit_log_head === null
    ? "No audit-log sync is held in the database."
    : `Read from the audit log held up to sync ${model.audit_log_head.sync_id}, seal ${model.audit_log_head.seal}; a later sync can attribute more.`;
/**
 * The changes in the table's order: grouped by actor, in the by-actor table's order; within a
 * group elevated changes first, then the diff's order. `i` is the change's place in the diff,
 * `group` its actor's row.
 */
function changesByActorOrder(model) {
    const groups = new Map(model.changes_by_actor.map((a, i) => [`${a.status}\u0000${a.made_by}`, i]));
    return model.changes
        .map((c, i) => ({
        c,
        i,
        group: groups.get(`${c.attribution.status}\u0000${c.attribution.made_by}`) ?? 0,
    }))
        .sort((a, b) => a.group - b.group || Number(b.c.elevated) - Number(a.c.elevated) || a.i - b.i);
}
function changesView(model, options) {
    const previous = model.previous;
    if (previous === null) {
        return {
            intro: `There is no previous snapshot: snapshot ${model.snapshot.snapshot_id} is compared with nothing, so this report lists no changes. The next report will list the changes since this one.`,
            empty: null,
            audit_log: null,
            by_actor: null,
            table: null,
        };
    }
    const order = new Map(DIFF_KINDS.map((k, i) => [k, i]));
    const total = model.changes.length;
    const rows = shownRows(changesByActorOrder(model), options).map(({ c, i, group }) => ({
        anchor: changeAnchor(i),
        kind: CHANGE_LABELS[c.kind],
        kind_order: order.get(c.kind) ?? 0,
        actor: show(c.attribution.label),
        actor_status: c.attribution.status,
        actor_reason: showOrNull(c.attribution.reason),
        actor_events: c.attribution.event_ids.length === 0
            ? null
            : `${c.attribution.event_ids.length === 1 ? "Event" : "Events"} ${c.attribution.event_ids.map(show).join(", ")}`,
        actor_order: group,
        elevated: c.elevated,
        // A rename names the group both ways; every other row by its newest name (the diff's).
        group: c.kind === "group_renamed" ? `${show(c.before)} → ${show(c.after)}` : show(c.group_name),
        group_id: showOrNull(c.group_id),
        user: show(c.user),
        user_id: showOrNull(c.user_id),
        role: show(c.role_name),
        role_id: showOrNull(c.role_id),
        before: show(c.before),
        after: show(c.after),
        detail: show(c.detail),
    }));
    // The first row of each actor in the table, for the by-actor table's links.
    const firstRow = new Map();
    rows.forEach((r) => {
        if (!firstRow.has(r.actor_order))
            firstRow.set(r.actor_order, r.anchor);
    });
    const statement = model.audit_log === null ? null : auditLogStatement(model.audit_log);
    const t = model.attribution_totals;
    const attributionIntro = total === 0
        ? ""
        : ` ${formatCount(t.attributed)} attributed to a person or key, ${formatCount(t.scim)} made by SCIM, ${formatCount(t.not_logged)} of kinds the audit log does not record, ${formatCount(t.unattributed)} unattributed (${formatCount(t.unattributed_elevated)} of them elevated). The changes are grouped by who made them, in the order of the table below.`;
    return {
        intro: `Changes from ${snapshotLabel(previous)} to ${snapshotLabel(model.snapshot)}: ${plural(total, "change", "changes")}. Names are as in the newer snapshot where the thing still exists.${model.changes_coverage_note === null ? "" : ` ${model.changes_coverage_note}`}${attributionIntro}`,
        empty: total === 0 ? "Nothing changed between the two snapshots." : null,
        audit_log: statement === null || model.audit_log === null
            ? null
            : {
                summary: show(statement.summary),
                failed: statement.failed.map(show),
                covered: model.audit_log.covered,
                head: auditLogHead(model),
            },
        by_actor: total === 0
            ? null
            : {
                caption: `Changes by actor (${formatCount(model.changes_by_actor.length)})`,
                rows: model.changes_by_actor.map((a, i) => ({
                    made_by: actorName(a.status, a.made_by),
                    status: a.status,
                    status_label: STATUS_LABELS[a.status],
                    changes: formatCount(a.changes),
                    elevated: formatCount(a.elevated),
                    has_elevated: a.elevated > 0,
                    href: firstRow.has(i) ? `#${firstRow.get(i)}` : null,
                })),
            },
        table: table("changes", "changes", "Changes since the previous snapshot, by actor", rows, options, everyRowIn(model).changes, total),
    };
}
/** The elevated changes nobody can account for, for the top of the summary. */
function unaccountedView(model, options) {
    if (model.previous === null)
        return null;
    const found = model.changes.map((c, i) => ({ c, i })).filter(({ c }) => isUnaccounted(c));
    // A change past the table's cap has no row to link to.
    const placed = new Map(changesByActorOrder(model).map(({ i }, position) => [i, position]));
    const shown = found.slice(0, UNACCOUNTED_CAP);
    const count = found.length;
    return {
        heading: `Elevated changes nobody can account for (${formatCount(count)})`,
        intro: count === 0
            ? `No elevated change since snapshot ${model.previous.snapshot_id} is unattributed.`
            : `${plural(count, "change", "changes")} since snapshot ${model.previous.snapshot_id} ${count === 1 ? "grants" : "grant"} elevated access and no audit-log event names who made ${count === 1 ? "it" : "them"}: find who did and the approval, or revoke. Elevated: as defined in the appendix's analysis settings.`,
        count,
        rows: shown.map(({ c, i }) => ({
            href: (placed.get(i) ?? Number.POSITIVE_INFINITY) < options.rowCap ? `#${changeAnchor(i)}` : null,
            kind: CHANGE_LABELS[c.kind],
            subject: changeSubject(c),
            reason: show(c.attribution.reason),
        })),
        note: shown.length < count
            ? `The first ${formatCount(shown.length)} of ${formatCount(count)}; all are at the top of the changes table (Unattributed, Elevated) as far as its cap allows, and in ${everyRowIn(model).changes}.`
            : null,
    };
}
function ruleView(rule, count, fresh, hasPrevious) {
    return {
        id: rule.id,
        title: show(rule.title),
        severity: rule.severity,
        severity_label: SEVERITY_LABELS[rule.severity],
        rationale: show(rule.rationale),
        remediation: show(rule.remediation),
        controls: rule.controls.map(show),
        count_text: rule.status === "skip"
            ? "Skipped: not evaluated"
            : rule.status === "error"
                ? "Error: could not run"
                : count === 0
                    ? "Ran: no findings"
                    : `${plural(count, "finding", "findings")}${hasPrevious ? `, ${formatCount(fresh)} new or changed` : ""}`,
        status: rule.status,
        status_label: RULE_STATUS_LABELS[rule.status],
        reason: rule.reason === null ? null : show(rule.reason),
        setting: rule.setting === null ? null : show(rule.setting),
        signal: rule.signal === null ? null : show(rule.signal),
    };
}
/** Members listed under a finding in the HTML; the workbook lists them all. */
export const FINDING_MEMBERS_SHOWN = 5;
function affectsText(f) {
    if (f.member_count === 0)
        return null;
    const shown = f.members
        .slice(0, FINDING_MEMBERS_SHOWN)
        .map((m) => show(m.email ?? m.name ?? m.user_id));
    const more = f.member_count - shown.length;
    return `Affects ${plural(f.member_count, "person", "people")}: ${shown.join(", ")}${more > 0
        ? `, and ${formatCount(more)} more (the workbook's Findings sheet lists up to ${formatCount(MEMBERS_LISTED)})`
        : ""}`;
}
/** How an accepted finding reads: until when, by whom, why. */
function acceptedText(f) {
    const e = f.exception;
    if (e === null)
        return null;
    return `Accepted until ${e.expires_on} by ${show(e.approver)}: ${show(e.reason)} (exception ${e.id})`;
}
const stateLabel = (f) => f.state === "new" ? "New" : f.state === "changed" ? "Changed" : "";
/** How many findings the summary's "Needs action" list shows before pointing to the rest. */
export const ACTION_CAP = 12;
/**
 * What needs action this review, first: every critical finding, and the new or changed high ones
 * (what appeared since the last review); then how many rules were not evaluated.
 */
function actionView(model, options) {
    const hasPrevious = model.previous !== null;
    const picked = model.findings
        .map((f, i) => ({ f, i }))
        .filter(({ f }) => f.exception === null)
        .filter(({ f }) => f.severity === "critical" || (f.severity === "high" && (!hasPrevious || f.is_new)))
        .sort((a, b) => severityRank(b.f.severity) - severityRank(a.f.severity) ||
        Number(b.f.is_new) - Number(a.f.is_new) ||
        a.i - b.i);
    const shown = picked.slice(0, ACTION_CAP);
    const skipped = model.rules.filter((r) => r.status === "skip");
    return {
        intro: picked.length === 0
            ? "Nothing critical, and no new or changed high finding."
            : `${plural(picked.length, "finding", "findings")}: every critical one${hasPrevious
                ? `, and the high ones new or changed since snapshot ${model.previous?.snapshot_id}`
                : " and every high one"}.`,
        rows: shown.map(({ f, i }) => ({
            // A finding past the table's cap has no row: its rule's card says what it is.
            href: i < options.rowCap ? `#${findingAnchor(i)}` : `#rule-${f.rule}`,
            severity: f.severity,
            severity_label: SEVERITY_LABELS[f.severity],
            state_label: hasPrevious ? stateLabel(f) : "",
            tier_label: f.tier === null ? "" : TIER_LABELS[f.tier],
            title: show(f.title),
            detail: show(f.detail),
            affects: f.members.length === 0 ? null : `${plural(f.members.length, "person", "people")} affected`,
        })),
        more: picked.length > shown.length
            ? `and ${formatCount(picked.length - shown.length)} more in the findings below`
            : null,
        skipped: skipped.length === 0
            ? "Every rule was evaluated."
            : `${plural(skipped.length, "rule was", "rules were")} not evaluated (skipped, not passed): ${skipped.map((r) => r.id).join(", ")}.`,
        skipped_count: skipped.length,
    };
}
function findingsView(model, options) {
    const hasPrevious = model.previous !== null;
    const counts = new Map();
    for (const f of model.findings) {
        if (f.exception !== null)
            continue;
        const c = counts.get(f.rule) ?? { count: 0, fresh: 0 };
        c.count++;
        if (f.is_new)
            c.fresh++;
        counts.set(f.rule, c);
    }
    const bySeverity = [...model.rules].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.id < b.id ? -1 : 1));
    const view = (r) => {
        const c = counts.get(r.id);
        return ruleView(r, c?.count ?? 0, c?.fresh ?? 0, hasPrevious);
    };
    const rules = bySeverity.filter((r) => counts.has(r.id)).map(view);
    const okRules = bySeverity.filter((r) => !counts.has(r.id) && r.status === "ok").map(view);
    const skippedRules = bySeverity.filter((r) => r.status === "skip").map(view);
    const rows = shownRows(model.findings, options).map((f, i) => ({
        anchor: findingAnchor(i),
        severity: f.severity,
        severity_label: SEVERITY_LABELS[f.severity],
        severity_rank: severityRank(f.severity),
        is_new: f.is_new,
        state_label: hasPrevious ? stateLabel(f) : "",
        tier_label: f.tier === null ? "" : TIER_LABELS[f.tier],
        tier_rank: tierRank(f.tier),
        affects: affectsText(f),
        accepted: acceptedText(f),
        rule: f.rule,
        title: show(f.title),
        group: show(f.group_name),
        group_id: showOrNull(f.group_id),
        user: show(f.user),
        user_id: showOrNull(f.user_id),
        role: show(f.role_name),
        role_id: showOrNull(f.role_id),
        detail: show(f.detail),
    }));
    const open = model.findings.filter((f) => f.exception === null);
    const fresh = open.filter((f) => f.is_new).length;
    const acceptedNote = model.accepted_findings === 0
        ? ""
        : ` ${plural(model.accepted_findings, "finding is", "findings are")} accepted by an exception (shown with its approver, reason and expiry; not counted as open).`;
    const intro = rows.length === 0
        ? `No rule raised a finding on snapshot ${model.snapshot.snapshot_id}.`
        : `${plural(open.length, "open finding", "open findings")} from ${plural(rules.length, "rule", "rules")} on snapshot ${model.snapshot.snapshot_id}; ${hasPrevious
            ? `${formatCount(fresh)} ${fresh === 1 ? "is" : "are"} new or changed (not raised, or raised for other people, on snapshot ${model.previous?.snapshot_id}).`
            : "every finding counts as new, as there is no previous snapshot."}${acceptedNote}`;
    return {
        intro,
        rule_errors: model.rule_errors.map((e) => ({ rule: show(e.rule), message: show(e.message) })),
        rules,
        ok_rules: okRules,
        skipped_rules: skippedRules,
        table: table("findings", "findings", "All findings", rows, options, everyRowIn(model).findings, model.findings.length),
    };
}
/**
 * Where the full listings are: every membership, user and access path is in the workbook and the
 * export, not in the HTML; each named with its count so a reader knows what to expect there.
 */
function fullListsView(model) {
    const t = model.totals;
    const where = everyRowIn(model);
    const c = model.config;
    const parts = ["the predefined Owner role"];
    if (c.elevatedRoleNames.length > 0) {
        parts.push(`roles named ${c.elevatedRoleNames.map((n) => `“${show(n)}”`).join(", ")}`);
    }
    if (c.elevatedPermissionPatterns.length > 0) {
        parts.push(`any role with a permission matching ${c.elevatedPermissionPatterns.map(show).join(", ")}`);
    }
    const items = [
        {
            id: "full-list-members",
            label: "Group memberships",
            count: formatCount(t.memberships),
            where: where.members,
        },
        { id: "full-list-users", label: "Users", count: formatCount(t.users), where: where.users },
        {
            id: "full-list-elevated",
            label: "Elevated access paths in the organization",
            count: `${formatCount(model.elevated_paths)} (${plural(t.elevated_grants, "grant", "grants")} held by ${plural(t.elevated_users, "user", "users")})`,
            where: where.access,
        },
    ];
    if (model.projects.collected) {
        items.push({
            id: "full-list-project-members",
            label: "Project memberships",
            count: formatCount(model.projects.totals.memberships),
            where: where.project_access,
        });
    }
    return {
        intro: `This report lists no member, user or access path one by one: it is for reading. Every one of them is in the Excel workbook written beside it and in the export of snapshot ${model.snapshot.snapshot_id}; Privileged access above gives each elevated person with their paths.`,
        definition: `Elevated means ${parts.join("; ")}.`,
        items,
    };
}
/**
 * Privileged access: one row per person or service account with an elevated role, highest tier
 * first, each with every path, what is new since the compared snapshot, an external email domain
 * and the last activity the API reports. The answer to "who are the Owners?" with no filter typed.
 */
function privilegedView(model, options) {
    const hasPrevious = model.previous !== null;
    const domains = model.config.allowedEmailDomains.length > 0;
    const rows = shownRows(model.privileged, options).map((p) => ({
        user: show(p.email ?? p.name ?? p.user_id),
        user_name: p.email !== null && p.name ? revealInvisible(p.name) : null,
        user_id: show(p.user_id),
        tier_label: p.tier !== null
            ? TIER_LABELS[p.tier]
            : p.project_tier !== null
                ? `Project only: ${TIER_LABELS[p.project_tier]}`
                : NONE,
        // Organization tiers above project ones: a Project Owner is not an Owner.
        tier_rank: p.tier !== null ? 10 + tierRank(p.tier) : tierRank(p.project_tier),
        since: hasPrevious && privilegedSince(p) !== "Unchanged" ? (privilegedSince(p) ?? "") : "",
        since_rank: p.newly_privileged === true ? 2 : p.new_paths > 0 ? 1 : 0,
        external: privilegedDomain(p, domains),
        service_account: yesNo(p.is_service_account),
        last_activity: p.api_key_last_used_at === null
            ? "No API key use on record"
            : `API key used ${p.api_key_last_used_at.slice(0, 10)}`,
        last_activity_sort: p.api_key_last_used_at ?? "",
        paths: p.paths.slice(0, PRIVILEGED_PATHS_SHOWN).map((path) => ({
            text: privilegedPathText(path, show, (v) => `“${v}”`),
            is_new: hasPrevious && path.is_new,
        })),
        paths_more: p.paths.length > PRIVILEGED_PATHS_SHOWN
            ? `and ${plural(p.paths.length - PRIVILEGED_PATHS_SHOWN, "more path", "more paths")} (every one is in the Excel workbook's Privileged access sheet)`
            : null,
    }));
    const count = (tier) => model.privileged.filter((p) => p.tier === tier).length;
    const projectOnly = model.privileged.filter((p) => p.tier === null).length;
    const people = model.privileged.filter((p) => !p.is_service_account).length;
    const accounts = model.privileged.length - people;
    const fresh = model.privileged.filter((p) => p.newly_privileged === true).length;
    const external = model.privileged.filter((p) => p.external_domain === true).length;
    const parts = [
        `${plural(people, "person", "people")} and ${plural(accounts, "service account", "service accounts")} hold elevated access: ${formatCount(count("owner"))} at Owner, ${formatCount(count("access-admin"))} who administer access, ${formatCount(count("write"))} with other write access in the organization, ${formatCount(projectOnly)} with project privileges only (each counted at their highest tier)`,
        hasPrevious
            ? `${formatCount(fresh)} ${fresh === 1 ? "is" : "are"} new to privileged access since snapshot ${model.previous?.snapshot_id}`
            : "there is no previous snapshot to say who is new",
        domains
            ? `${formatCount(external)} ${external === 1 ? "has" : "have"} an email outside the allowed domains`
            : "email domains are not judged: no allowed domains are configured (analysis.allowed_email_domains)",
    ];
    return {
        intro: `${parts.join("; ")}.`,
        tiers: "Tiers: Owner (the predefined Owner; in a project, Project Owner); Administers access (a role that can change users, groups, roles, keys, service accounts or invites: analysis.elevated_roles.access_admin_patterns); Other write (any other elevated role). Last activity is the last API key use, the only activity the Admin API reports: console sign-ins are not visible to it.",
        table: table("privileged", "privileged people", "Privileged access, one row per person", rows, options, everyRowIn(model).privileged, model.privileged.length),
    };
}
function groupsView(model, options) {
    const rows = shownRows(model.groups, options).map((g) => ({
        name: show(g.name),
        group_id: show(g.group_id),
        type: show(g.group_type),
        managed: managedBy(g.is_scim_managed),
        members: g.members,
        members_text: formatCount(g.members),
        roles: g.roles.length === 0 ? NONE : g.roles.map(show).join(", "),
        elevated: g.elevated ? "Yes" : "No",
        is_elevated: g.elevated,
        created: dateOnly(g.created_at),
        created_sort: g.created_at ?? "",
    }));
    const t = model.totals;
    return {
        intro: `${plural(model.groups.length, "group", "groups")}: ${formatCount(t.scim_groups)} managed by SCIM, ${formatCount(t.manual_groups)} managed by hand; ${formatCount(model.groups.filter((g) => g.elevated).length)} hold an elevated role.`,
        table: table("groups", "groups", "Groups", rows, options, everyRowIn(model).groups, model.groups.length),
    };
}
/** What the Projects section says when the snapshot holds no projects to show. */
export const PROJECTS_NOT_COLLECTED = "Projects were not collected in this snapshot (crawl run with --no-projects)";
const PROJECTS_NOT_COLLECTED_OLDER = "Projects were not collected in this snapshot (taken before this tool collected projects)";
function ownerPaths(owner, groupNames) {
    const paths = [];
    if (owner.membership)
        paths.push("owner membership");
    if (owner.direct)
        paths.push("assigned directly");
    for (const id of owner.group_ids) {
        const name = groupNames.get(id);
        paths.push(`via group “${show(name)}” (${show(id)})`);
    }
    return paths.join("; ");
}
function projectView(p, index, findings, roleAssignmentsCollected) {
    const anchor = `project-${index + 1}`;
    const name = show(p.name);
    const groupNames = new Map(p.groups.map((g) => [g.group_id, g.name]));
    const owners = p.owners.slice(0, PROJECT_OWNERS_SHOWN);
    const unlisted = p.owner_count - owners.length;
    const facts = [
        { label: "Status", value: show(p.status) },
        { label: "Created", value: dateOnly(p.created_at) },
    ];
    if (p.archived)
        facts.push({ label: "Archived", value: dateOnly(p.archived_at) });
    facts.push({
        label: "Members",
        value: p.archived
            ? "Not listed: the API does not list the members of an archived project"
            : `${formatCount(p.members)} (every member is in the workbook's Project access sheet)`,
    });
    let ownersEmpty = null;
    if (owners.length === 0) {
        ownersEmpty = p.archived
            ? "No owner through an attached group; an archived project's owners by membership cannot be listed."
            : "No one holds the Project Owner role.";
    }
    const ownersNotes = [];
    if (unlisted > 0) {
        ownersNotes.push(`The first ${formatCount(owners.length)} of ${formatCount(p.owner_count)} owners; all are in the workbook's Project access sheet.`);
    }
    if (!roleAssignmentsCollected) {
        ownersNotes.push("Owners through attached groups are not known: project role assignments were not collected in this snapshot.");
    }
    const groups = p.groups.slice(0, PROJECT_GROUPS_CAP);
    return {
        anchor,
        name,
        project_id: show(p.project_id),
        archived: p.archived,
        facts,
        owners_heading: `Owners (${formatCount(p.owner_count)})`,
        owners: owners.map((o) => ({
            user: show(o.email ?? o.user_name),
            user_name: o.email !== null && o.user_name ? revealInvisible(o.user_name) : null,
            user_id: show(o.user_id),
            paths: ownerPaths(o, groupNames),
        })),
        owners_empty: ownersEmpty,
        owners_note: ownersNotes.length > 0 ? ownersNotes.join(" ") : null,
        groups_heading: `Attached groups (${formatCount(p.groups.length)})`,
        groups_caption: `Groups attached to project ${name}`,
        groups: groups.map((g) => ({
            name: show(g.name),
            group_id: show(g.group_id),
            managed: managedBy(g.is_scim_managed),
            members: formatCount(g.members),
            roles: !roleAssignmentsCollected
                ? "Not collected"
                : g.roles.length === 0
                    ? NONE
                    : g.roles.map(show).join(", "),
        })),
        groups_note: groups.length < p.groups.length
            ? `The first ${formatCount(groups.length)} of ${formatCount(p.groups.length)} attached groups; all are in the workbook's Projects sheet.`
            : null,
        roles_heading: `Custom roles (${formatCount(p.custom_roles.length)})`,
        roles_caption: `Custom roles of project ${name}`,
        custom_roles: p.custom_roles.map((r) => ({
            name: show(r.name),
            role_id: show(r.role_id),
            description: show(r.description),
            permissions: r.permissions.length === 0 ? NONE : r.permissions.map(show).join(", "),
        })),
        findings_heading: `Findings (${formatCount(findings.length)})`,
        findings: findings.map((f) => ({
            severity: f.severity,
            severity_label: SEVERITY_LABELS[f.severity],
            is_new: f.is_new,
            rule: f.rule,
            title: show(f.title),
            detail: show(f.detail),
        })),
    };
}
function projectsView(model, options) {
    const m = model.projects;
    if (!m.collected) {
        return {
            not_collected: m.not_collected_reason === "older" ? PROJECTS_NOT_COLLECTED_OLDER : PROJECTS_NOT_COLLECTED,
            intro: "",
            notes: [],
            table: null,
            details: [],
            details_note: null,
        };
    }
    const findingsBy = new Map();
    for (const f of model.findings) {
        if (f.project_id === null)
            continue;
        const list = findingsBy.get(f.project_id) ?? [];
        list.push(f);
        findingsBy.set(f.project_id, list);
    }
    const t = m.totals;
    const shown = m.projects.slice(0, options.rowCap);
    const details = shown.map((p, i) => projectView(p, i, findingsBy.get(p.project_id) ?? [], m.role_assignments_collected));
    const rows = shownRows(m.projects, options).map((p, i) => {
        const findings = findingsBy.get(p.project_id)?.length ?? 0;
        return {
            anchor: `project-${i + 1}`,
            name: show(p.name),
            project_id: show(p.project_id),
            archived: p.archived,
            status: show(p.status),
            owners: p.owner_count,
            owners_text: formatCount(p.owner_count),
            members_sort: p.archived ? "" : String(p.members),
            members_text: p.archived ? "Not listed" : formatCount(p.members),
            groups: p.groups.length,
            groups_text: formatCount(p.groups.length),
            custom_roles: p.custom_roles.length,
            custom_roles_text: formatCount(p.custom_roles.length),
            findings,
            findings_text: formatCount(findings),
        };
    });
    const notes = [
        "Each project below lists its owners (everyone holding its Project Owner role, by membership, through an attached group or assigned directly) and its attached groups, not every member: every member and every access path of every project is in the workbook's Project access sheet, and each project's row in its Projects sheet.",
    ];
    if (t.archived > 0) {
        notes.push("The API does not list the members of an archived project: their members, and owners by membership, are not shown.");
    }
    if (!m.role_assignments_collected) {
        notes.push("Project role assignments were not collected in this snapshot (crawl run with --no-project-role-assignments): the roles attached groups hold, and owners through them, are not shown.");
    }
    return {
        not_collected: null,
        intro: `${plural(t.projects, "project", "projects")}: ${formatCount(t.active)} active, ${formatCount(t.archived)} archived; ${plural(t.memberships, "membership", "memberships")} held by ${plural(t.members, "person", "people")}; ${plural(t.attached_groups, "attached group", "attached groups")}; ${plural(t.custom_roles, "custom role", "custom roles")}.`,
        notes,
        table: table("projects", "projects", "Projects", rows, options, everyRowIn(model).projects, m.projects.length),
        details,
        details_note: shown.length < m.projects.length
            ? `This report details the first ${formatCount(shown.length)} of ${formatCount(m.projects.length)} projects; all are in the Excel workbook.`
            : null,
    };
}
/** The id of a finding's row in the Findings table (its place in the model's order). */
const findingAnchor = (index) => `finding-${index + 1}`;
/** What the Credentials section says when the snapshot holds no credentials to show. */
export const CREDENTIALS_NOT_COLLECTED = "Credentials were not collected in this snapshot (crawl run with --no-credentials or --no-projects)";
const CREDENTIALS_NOT_COLLECTED_OLDER = "Credentials were not collected in this snapshot (taken before this tool collected them)";
const ageText = (days) => days === null ? NONE : plural(days, "day", "days");
const ROLE_WORDS = {
    owner: "Owner",
    reader: "Reader",
    member: "Member",
    none: "None",
};
const roleText = (role) => role === null ? NONE : (ROLE_WORDS[role] ?? show(role));
function credentialsView(model, options) {
    const c = model.credentials;
    const empty = {
        not_collected: null,
        intro: "",
        notes: [],
        admin_heading: "",
        admin_keys: null,
        projects_heading: "",
        projects: [],
        projects_note: null,
        invites_heading: "",
        invites: null,
    };
    if (!c.collected) {
        return {
            ...empty,
            not_collected: c.not_collected_reason === "older"
                ? CREDENTIALS_NOT_COLLECTED_OLDER
                : CREDENTIALS_NOT_COLLECTED,
        };
    }
    const links = new CredentialFindings(model.findings);
    const linked = new Set();
    const findingLinks = (id, projectId) => links.of(id, projectId).map((i) => {
        linked.add(i);
        const f = model.findings[i];
        return {
            href: i < options.rowCap ? `#${findingAnchor(i)}` : `#rule-${f.rule}`,
            severity: f.severity,
            severity_label: SEVERITY_LABELS[f.severity],
            title: show(f.title),
        };
    });
    const days = c.usage_resolution_days;
    const use = (k) => ({
        last_used: lastUsedText(k.last_used_at, k.last_used_recent, days),
        last_used_sort: k.last_used_at ?? "",
    });
    const adminRows = c.admin_keys.map((k) => ({
        name: show(k.name),
        key_id: show(k.key_id),
        redacted: showOrNull(k.redacted_value),
        owner: show(k.owner_name),
        owner_id: showOrNull(k.owner_id),
        owner_role: roleText(k.owner_role),
        created: dateOnly(k.created_at),
        created_sort: k.created_at ?? "",
        expires: k.expires_at === null ? "Never" : dateOnly(k.expires_at),
        expires_sort: k.expires_at ?? "",
        never_expires: k.expires_at === null,
        age: ageText(k.age_days),
        age_sort: k.age_days === null ? "" : String(k.age_days),
        ...use(k),
        findings: findingLinks(k.key_id, null),
    }));
    const shownProjects = c.projects.slice(0, options.rowCap);
    const projects = shownProjects.map((p, i) => {
        const name = show(p.name);
        return {
            anchor: `credentials-project-${i + 1}`,
            name,
            project_id: show(p.project_id),
            archived: p.archived,
            heading: `${plural(p.api_keys.length, "key", "keys")}, ${plural(p.service_accounts.length, "service account", "service accounts")}`,
            keys_caption: `API keys of project ${name} (${formatCount(p.api_keys.length)})`,
            keys: p.api_keys.map((k) => {
                const email = k.owner_email;
                return {
                    name: show(k.name),
                    key_id: show(k.key_id),
                    redacted: showOrNull(k.redacted_value),
                    owner_type: k.owner_type === "service_account"
                        ? "Service account"
                        : k.owner_type === "user"
                            ? "User"
                            : show(k.owner_type),
                    owner: show(email ?? k.owner_name),
                    owner_detail: email !== null && k.owner_name ? revealInvisible(k.owner_name) : null,
                    owner_id: showOrNull(k.owner_id),
                    owner_access: k.owner_project_access === "active"
                        ? "Active"
                        : k.owner_project_access === "inactive"
                            ? "Inactive: no longer in the project"
                            : show(k.owner_project_access),
                    owner_inactive: k.owner_project_access === "inactive",
                    created: dateOnly(k.created_at),
                    age: ageText(k.age_days),
                    ...use(k),
                    findings: findingLinks(k.key_id, p.project_id),
                };
            }),
            accounts_caption: `Service accounts of project ${name} (${formatCount(p.service_accounts.length)})`,
            accounts: p.service_accounts.map((a) => ({
                name: show(a.name),
                service_account_id: show(a.service_account_id),
                role: roleText(a.role),
                is_owner: a.role === "owner",
                created: dateOnly(a.created_at),
                findings: findingLinks(a.service_account_id, p.project_id),
            })),
        };
    });
    const inviteRows = c.invites.map((v) => ({
        email: show(v.email),
        invite_id: show(v.invite_id),
        role: roleText(v.role),
        projects: v.projects === null
            ? "Not listed by the API"
            : v.projects.length === 0
                ? NONE
                : v.projects
                    .map((g) => `${show(g.name)} (${show(g.project_id)}): ${roleText(g.role)}`)
                    .join("; "),
        sent: dateOnly(v.created_at),
        sent_sort: v.created_at ?? "",
        expires: v.expires_at === null ? "Never" : dateOnly(v.expires_at),
        expires_sort: v.expires_at ?? "",
        findings: findingLinks(v.invite_id, null),
    }));
    const t = c.totals;
    return {
        not_collected: null,
        intro: `${plural(t.admin_keys, "admin key", "admin keys")}; ${plural(t.api_keys, "project API key", "project API keys")} and ${plural(t.service_accounts, "service account", "service accounts")} in ${plural(t.projects, "project", "projects")}; ${plural(t.pending_invites, "pending invite", "pending invites")}. ${formatCount(linked.size)} ${linked.size === 1 ? "finding is" : "findings are"} about one of them.`,
        notes: [
            `Last used: a use recorded at least ${days} days before the snapshot is exact; a more recent one means the key was used within the last ${days} days (on or after the date shown, and maybe since). Age is counted to the end of the snapshot. Keys are shown only by their redacted form.`,
        ],
        admin_heading: `Admin API keys (${formatCount(t.admin_keys)})`,
        admin_keys: table("admin-keys", "admin keys", "Admin API keys", adminRows, options, everyRowIn(model).credentials),
        projects_heading: `Project API keys and service accounts (${formatCount(t.projects)} projects)`,
        projects,
        projects_note: shownProjects.length < c.projects.length
            ? `This report lists the credentials of the first ${formatCount(shownProjects.length)} of ${formatCount(c.projects.length)} projects; all are in the Excel workbook's Credentials sheet.`
            : null,
        invites_heading: `Pending invites (${formatCount(t.pending_invites)})`,
        invites: table("invites", "pending invites", "Pending invites", inviteRows, options, everyRowIn(model).credentials),
    };
}
function idList(ids) {
    if (ids.length === 0)
        return null;
    const shown = ids.slice(0, VANISHED_CAP).map(show).join(", ");
    return ids.length > VANISHED_CAP
        ? `${shown} … (first ${formatCount(VANISHED_CAP)} of ${formatCount(ids.length)})`
        : shown;
}
/**
 * The print style that names the report on every page: `@page` margin boxes take only literal
 * strings and counters, so the running footer's text is written into a second inline style
 * (allowed by its own hash in the CSP). Built only from a snapshot id and a seal's hex, both
 * checked, so nothing from the API can reach CSS.
 */
export function pageCss(snapshotId, seal) {
    if (typeof snapshotId !== "number" || !Number.isSafeInteger(snapshotId)) {
        throw new Error("pageCss: the snapshot id must be an integer");
    }
    if (typeof seal !== "string" || !/^[0-9a-f]{12,}$/.test(seal)) {
        throw new Error("pageCss: the seal must be lowercase hex");
    }
    const footer = `Access review: snapshot ${snapshotId}, seal ${seal.slice(0, 12)}`;
    return `@media print { @page { @bottom-left { content: "${footer}"; } } }`;
}
function evidenceView(e, reviewed) {
    const s = e.snapshot;
    return {
        anchor: `evidence-s${s.snapshot_id}`,
        heading: `Snapshot ${s.snapshot_id} (${reviewed ? "reviewed" : "compared with"})`,
        snapshot_id: s.snapshot_id,
        started_at: s.started_at,
        finished_at: s.finished_at,
        base_url: show(s.base_url),
        tool_version: show(s.tool_version),
        identity: [
            { label: "Organization id (from the API)", value: show(organizationIdText(s)), code: true },
            { label: "Crawl credential (redacted)", value: show(s.key_redacted), code: true },
            { label: "Crawl run by (OS user on host)", value: show(crawledByText(s)), code: false },
            { label: "Schema version of the snapshot", value: String(s.schema_version), code: false },
        ],
        run_facts: [
            { label: "Requests", value: formatCount(s.requests) },
            { label: "Retries", value: formatCount(s.retries) },
            { label: "Rate-limited responses (429)", value: formatCount(s.rate_limited) },
            { label: "Duplicate rows dropped", value: formatCount(s.duplicate_rows) },
        ],
        endpoints: e.endpoints.map((p) => ({
            endpoint: show(p.endpoint),
            pages: formatCount(p.pages),
            items: formatCount(p.items),
            completed: p.completed ? "Yes" : "No",
            ok: p.completed,
        })),
        all_completed: e.endpoints.every((p) => p.completed),
        vanished_groups: idList(e.vanished_group_ids),
        vanished_groups_count: formatCount(e.vanished_group_ids.length),
        vanished_users: idList(e.vanished_user_ids),
        vanished_users_count: formatCount(e.vanished_user_ids.length),
        seal: s.seal,
        previous_seal: e.previous_seal,
        parts: e.seal_parts.map((p) => ({
            part: show(p.part),
            rows: formatCount(p.row_count),
            sha256: p.sha256,
        })),
        verify_command: `access-audit verify --snapshot ${s.snapshot_id}`,
    };
}
function buildView(model, csp, options) {
    const s = model.snapshot;
    const p = model.previous;
    const t = model.totals;
    const comparison = p === null
        ? `Snapshot ${s.snapshot_id}; no previous snapshot to compare with`
        : `Snapshot ${s.snapshot_id} compared with snapshot ${p.snapshot_id}`;
    const bySeverity = new Map(model.findings_by_severity.map((c) => [c.severity, c]));
    const severityBars = barRows([...SEVERITIES].reverse().map((severity) => {
        const c = bySeverity.get(severity);
        const count = c?.count ?? 0;
        const fresh = c?.new ?? 0;
        return {
            label: SEVERITY_LABELS[severity],
            tone: severity,
            value: count,
            highlight: p === null ? 0 : fresh,
            value_text: p === null || count === 0
                ? formatCount(count)
                : `${formatCount(count)} (${formatCount(fresh)} new)`,
        };
    }));
    const nonZeroKinds = model.changes_by_kind.filter((k) => k.count > 0);
    const zeroKinds = model.changes_by_kind.filter((k) => k.count === 0);
    const kindBars = barRows(nonZeroKinds.map((k) => ({
        label: k.label,
        tone: "change",
        value: k.count,
        highlight: 0,
        value_text: formatCount(k.count),
    })));
    const openFindings = model.findings.filter((f) => f.exception === null);
    const findingsTotal = openFindings.length;
    const freshTotal = openFindings.filter((f) => f.is_new).length;
    const lede = [
        findingsTotal === 0
            ? "No open findings."
            : `${plural(findingsTotal, "open finding", "open findings")}${p === null ? "" : `, ${formatCount(freshTotal)} new or changed since snapshot ${p.snapshot_id}`}${model.accepted_findings > 0 ? `; ${plural(model.accepted_findings, "more is", "more are")} accepted by exception` : ""}.`,
        p === null
            ? "No previous snapshot, so no changes."
            : `${plural(model.changes.length, "change", "changes")} since snapshot ${p.snapshot_id}; ${formatCount(model.attribution_totals.unattributed)} unattributed, ${formatCount(model.attribution_totals.unattributed_elevated)} of them elevated.`,
        `${plural(t.elevated_grants, "elevated grant", "elevated grants")} held by ${plural(t.elevated_users, "user", "users")}.`,
    ];
    if (model.rule_errors.length > 0) {
        lede.push(`${plural(model.rule_errors.length, "rule", "rules")} could not run: the findings are incomplete.`);
    }
    const trend = trendPanels(model.trend);
    const evidence = model.evidence.map((e, i) => evidenceView(e, i === 0));
    const head = model.chain_head;
    const c = model.config;
    return {
        csp,
        print: { snapshot_id: s.snapshot_id, seal: s.seal },
        generator: `openai-access-audit ${model.tool_version}; templates ${model.template_version}`,
        title: `Access review ${model.org_date}: snapshot ${s.snapshot_id}`,
        meta: {
            report: "openai-access-audit access review",
            tool_version: model.tool_version,
            template_version: model.template_version,
            org_date: model.org_date,
            as_of: model.as_of,
            snapshot_id: s.snapshot_id,
            snapshot_seal: s.seal,
            previous_snapshot_id: p?.snapshot_id ?? null,
            previous_seal: p?.seal ?? null,
            chain_head_snapshot_id: head.snapshot_id,
            chain_head_seal: head.seal,
            base_url: s.base_url,
            schema_version: model.schema_version,
            organization_id: s.organization_id,
            organization_name: model.organization_name,
            key_redacted: s.key_redacted,
            crawl_user: s.crawl_user,
            crawl_host: s.crawl_host,
        },
        header: {
            heading: `Access review of ${model.org_date}`,
            comparison,
            facts: [
                { label: "Organization id (from the API)", value: show(organizationIdText(s)), code: true },
                {
                    label: "Organization name (configured name)",
                    value: model.organization_name === null
                        ? "none configured"
                        : `${show(model.organization_name)} (configured name)`,
                    code: false,
                },
                { label: "Organization date", value: model.org_date, code: false },
                { label: "As of (snapshot finished)", value: model.as_of, code: false },
                { label: "Reviewed snapshot", value: `#${s.snapshot_id}`, code: false },
                { label: "Seal of the reviewed snapshot", value: s.seal, code: true },
                {
                    label: "Compared with",
                    value: p === null
                        ? "none (no previous snapshot)"
                        : `#${p.snapshot_id} (finished ${p.finished_at})`,
                    code: false,
                },
                ...(p === null
                    ? []
                    : [{ label: "Seal of the compared snapshot", value: p.seal, code: true }]),
                { label: "Crawl credential (redacted)", value: show(s.key_redacted), code: true },
                { label: "Crawl run by (OS user on host)", value: show(crawledByText(s)), code: false },
                {
                    label: "Exceptions register",
                    value: model.exceptions_head === null
                        ? "empty"
                        : `${plural(model.exceptions_head.entries, "entry", "entries")}, head seal ${model.exceptions_head.seal}`,
                    code: false,
                },
                { label: "API base URL", value: show(s.base_url), code: true },
                { label: "Tool version", value: show(model.tool_version), code: true },
                {
                    label: "Schema version",
                    value: `${model.schema_version} (the snapshot's: ${s.schema_version})`,
                    code: false,
                },
                { label: "Template version", value: show(model.template_version), code: true },
            ],
        },
        summary: {
            action: actionView(model, options),
            unaccounted: unaccountedView(model, options),
            lede,
            totals: [
                {
                    label: "Groups",
                    value: formatCount(t.groups),
                    note: `${formatCount(t.scim_groups)} SCIM, ${formatCount(t.manual_groups)} manual`,
                },
                { label: "Users", value: formatCount(t.users), note: null },
                { label: "Group memberships", value: formatCount(t.memberships), note: null },
                {
                    label: "Role assignments",
                    value: formatCount(t.group_role_assignments + t.user_role_assignments),
                    note: `${formatCount(t.group_role_assignments)} to groups, ${formatCount(t.user_role_assignments)} to users`,
                },
                { label: "Roles in the catalog", value: formatCount(t.roles), note: null },
                model.projects.collected
                    ? {
                        label: "Projects",
                        value: formatCount(model.projects.totals.projects),
                        note: `${formatCount(model.projects.totals.active)} active, ${formatCount(model.projects.totals.archived)} archived`,
                    }
                    : { label: "Projects", value: NONE, note: "not collected" },
                {
                    label: "Elevated grants",
                    value: formatCount(t.elevated_grants),
                    note: `held by ${plural(t.elevated_users, "user", "users")}`,
                },
                {
                    label: "Findings",
                    value: formatCount(findingsTotal),
                    note: p === null ? null : `${formatCount(freshTotal)} new`,
                },
                {
                    label: "Changes",
                    value: p === null ? NONE : formatCount(model.changes.length),
                    note: p === null ? "no previous snapshot" : `since snapshot ${p.snapshot_id}`,
                },
            ],
            severity_bars: severityBars,
            findings_caption: p === null
                ? "Findings by severity"
                : "Findings by severity (darker: new since the previous snapshot)",
            has_previous: p !== null,
            kind_bars: kindBars,
            changes_caption: p === null ? "Changes by kind" : `Changes by kind since snapshot ${p.snapshot_id}`,
            changes_note: p === null
                ? "There is no previous snapshot, so there are no changes to count."
                : zeroKinds.length === 0
                    ? null
                    : `No changes of the other kinds: ${zeroKinds.map((k) => k.label.toLowerCase()).join("; ")}.`,
            trend,
            trend_caption: `Trend over ${plural(model.trend.length, "snapshot", "snapshots")}`,
            trend_rows: model.trend.map((point) => ({
                snapshot: `#${point.snapshot_id}`,
                date: point.date,
                cells: trend.map((panel) => formatCount(point[panel.key])),
            })),
        },
        changes: changesView(model, options),
        findings: findingsView(model, options),
        full_lists: fullListsView(model),
        privileged: privilegedView(model, options),
        groups: groupsView(model, options),
        projects: projectsView(model, options),
        credentials: credentialsView(model, options),
        appendix: {
            evidence,
            chain_head: `Snapshot ${head.snapshot_id}, seal ${head.seal}`,
            audit_log_head: model.audit_log_head === null
                ? "none: the audit log was never synced into this database"
                : `Sync ${model.audit_log_head.sync_id}, seal ${model.audit_log_head.seal}`,
            chain_note: head.snapshot_id === s.snapshot_id
                ? null
                : `The database held newer complete snapshots than the reviewed one when this report was made; its newest is snapshot ${head.snapshot_id}.`,
            recipe: "Each seal is the SHA-256 of a text that starts with the format line and the previous complete snapshot's seal and then lists, per part, its name, row count and a SHA-256 over the sorted SHA-256 digests of its rows, each row serialised as a compact JSON array in a fixed column order (format “openai-access-audit seal v1”, src/store/seal.ts).",
            config: [
                {
                    label: "Elevated role names",
                    value: c.elevatedRoleNames.length === 0
                        ? "none besides Owner"
                        : c.elevatedRoleNames.map(show).join(", "),
                },
                {
                    label: "Elevated permission patterns",
                    value: c.elevatedPermissionPatterns.length === 0
                        ? NONE
                        : c.elevatedPermissionPatterns.map(show).join(", "),
                },
                {
                    label: "Allowed email domains",
                    value: c.allowedEmailDomains.length === 0
                        ? "not configured (the email-domain rule stays silent)"
                        : c.allowedEmailDomains.map(show).join(", "),
                },
                { label: "Inactivity threshold", value: plural(c.inactivityDays, "day", "days") },
                { label: "Rules evaluated", value: formatCount(model.rules.length) },
            ],
        },
    };
}
let compiled = null;
const sha256Base64 = (text) => createHash("sha256").update(text, "utf8").digest("base64");
/**
 * An asset as the browser will hash it: the HTML parser turns CRLF into LF before a CSP hash is
 * checked, so a checkout with Windows line endings must not change what we hash.
 */
function readAsset(name) {
    const text = readTemplate(name).replace(/\r\n?/g, "\n");
    // The asset is raw text inside <style>/<script>: these would end the element early.
    if (/<\/(style|script)|<!--/i.test(text)) {
        throw new Error(`templates/${name} must not contain "</style", "</script" or "<!--"`);
    }
    return text;
}
function compile() {
    if (compiled)
        return compiled;
    const assets = new Map(ASSETS.map((name) => [name, readAsset(name)]));
    const env = createTemplateEnvironment({
        rawHelpers: {
            // The package's own stylesheet and script, checked by readAsset; never data.
            inline: (name) => {
                const text = typeof name === "string" ? assets.get(name) : undefined;
                if (text === undefined)
                    throw new Error(`inline: unknown asset ${String(name)}`);
                return text;
            },
            // JSON escaped for a script element by scriptJson.
            json: (value) => scriptJson(value),
            // Built from a checked integer and hex only (see pageCss).
            pageCss: (snapshotId, seal) => pageCss(snapshotId, seal),
        },
        partials: Object.fromEntries(PARTIALS.map((name) => [name, readTemplate(`${name}.hbs`)])),
    });
    const template = env.compile(readTemplate(MAIN_TEMPLATE), MAIN_TEMPLATE);
    const styleHash = sha256Base64(assets.get("report.css") ?? "");
    const csp = (pageStyleHash) => [
        "default-src 'none'",
        `style-src 'sha256-${styleHash}' 'sha256-${pageStyleHash}'`,
        `script-src 'sha256-${sha256Base64(assets.get("report.js") ?? "")}'`,
        "img-src data:",
        "connect-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
    ].join("; ");
    compiled = { template, csp };
    return compiled;
}
/** The report as one HTML document. Deterministic: the same model gives the same string. */
export function renderHtml(model, options = {}) {
    const { template, csp } = compile();
    const resolved = {
        pageSize: Math.max(1, Math.trunc(options.pageSize ?? HTML_PAGE_SIZE)),
        rowCap: Math.max(1, Math.trunc(options.rowCap ?? HTML_ROW_CAP)),
    };
    const pageStyle = sha256Base64(pageCss(model.snapshot.snapshot_id, model.snapshot.seal));
    return template(buildView(model, csp(pageStyle), resolved));
}
//# sourceMappingURL=html.js.map