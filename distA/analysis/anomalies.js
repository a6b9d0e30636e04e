import { sqlQueries } from "../util/sql-files.js";
import { lookalikeKey } from "../util/unicode.js";
import { previousSnapshotId } from "./access.js";
import { analysisChangeRows, attributeDiff, DERIVED_KINDS, } from "./attribution.js";
import { ELEVATION_TIERS, resolveAnalysisConfig, tierRank, } from "./config.js";
import { DIFF_KINDS, diffSnapshots } from "./diff.js";
import { BUILTIN_RULES_DIR, loadRules, severityRank, } from "./rules.js";
export const RULE_STATUSES = ["alarm", "error", "skip", "ok"];
/** Loads the shipped rules and those in `ruleDirs`, then runs them all. */
export async function runRules(store, options) {
    const dirs = [
        ...(options.builtin === false ? [] : [BUILTIN_RULES_DIR]),
        ...(options.ruleDirs ?? []),
    ];
    const loaded = await loadRules(dirs);
    const report = await runLoadedRules(store, loaded.rules, options);
    return { ...report, errors: sortErrors([...loaded.errors, ...report.errors]) };
}
/**
 * Creates the TEMP table `analysis_changes` (sql/analysis/anomalies.sql) and appends one row per
 * attributed change. Drop it with the `release_analysis_changes` query.
 */
export async function fillAnalysisChanges(store, changes) {
    await store.query(query("create_analysis_changes"));
    await store.appendToTempTable("analysis_changes", analysisChangeRows(changes));
}
/**
 * Defines the TEMP view `analysis_project_access`: the `effective_access` view's project rows of
 * these snapshots, read by the project rules, the report's model and its workbook. Drop it with
 * `releaseProjectAccess`.
 */
export async function defineProjectAccess(store, snapshotIds) {
    await store.query(withSnapshotIds(query("define_project_access"), snapshotIds));
}
/**
 * Snapshot ids as a SQL list literal (`[1, 2]::INTEGER[]`), for the queries that must narrow the
 * `effective_access` view to them: DuckDB pushes a literal list into the view's branches, not a
 * parameter. Each id is checked to be an integer.
 */
export function integerListLiteral(ids) {
    for (const id of ids) {
        if (!Number.isSafeInteger(id))
            throw new Error(`snapshot id ${id} is not an integer`);
    }
    return `[${ids.join(", ")}]::INTEGER[]`;
}
/** `sql` with its SNAPSHOT_IDS written in as a list literal (integerListLiteral). */
export function withSnapshotIds(sql, snapshotIds) {
    return sql.replaceAll("SNAPSHOT_IDS", integerListLiteral(snapshotIds));
}
/** Drops what `defineProjectAccess` defined. */
export async function releaseProjectAccess(store) {
    await store.query(query("release_project_access"));
}
const query = sqlQueries("analysis/anomalies.sql");
/**
 * `template` with each `{name}` replaced: a list in `lists` as SQL text over bound parameters
 * (`[$name_0, $name_1]::TYPE[]`, or an empty typed list: the node bindings cannot bind an empty
 * list, whose item type they cannot infer), added to `params`. One pass: inserted text is not
 * read again.
 */
function withBoundLists(template, lists, params) {
    return template.replace(/\{([a-z_]+)\}/g, (_, name) => {
        const list = lists[name];
        if (list === undefined)
            throw new Error(`no list for {${name}} in an analysis query`);
        const refs = list.values.map((value, i) => {
            params[`${name}_${i}`] = value;
            return `$${name}_${i}`;
        });
        return `[${refs.join(", ")}]::${list.type}[]`;
    });
}
/**
 * Fills the TEMP table `analysis_effective_access` (the public view `effective_access`'s columns)
 * with the view's rows of these snapshots: one evaluation of the view (a join over every
 * membership) shared by the rules, the report's model and its workbook, which read it under this
 * name; the view itself is never shadowed. Drop it with `releaseEffectiveAccess`.
 */
export async function materialiseEffectiveAccess(store, snapshotIds) {
    await store.query(withSnapshotIds(query("materialise_effective_access"), snapshotIds));
}
/** Drops what `materialiseEffectiveAccess` filled. */
export async function releaseEffectiveAccess(store) {
    await store.query(query("release_effective_access"));
}
/**
 * Fills the TEMP tables `elevated_roles(snapshot_id, role_id)` for the given snapshots and
 * `allowed_domains(domain)` (sql/analysis/anomalies.sql). With `effectiveAccess`, also
 * `analysis_effective_access` for those snapshots (materialiseEffectiveAccess), so the rules
 * that read it share one evaluation of the view. Drop them with `releaseHelpers`.
 */
export async function materialiseHelpers(store, snapshotIds, config, options = {}) {
    const params = {};
    const elevated = withBoundLists(withSnapshotIds(query("elevated_roles"), snapshotIds), {
        elevated_role_names: { values: config.elevatedRoleNames, type: "VARCHAR" },
        elevated_permission_patterns: { values: config.elevatedPermissionPatterns, type: "VARCHAR" },
        access_admin_patterns: { values: config.accessAdminPermissionPatterns, type: "VARCHAR" },
    }, params);
    await store.query(elevated, params);
    const projectParams = {};
    const elevatedProject = withBoundLists(withSnapshotIds(query("elevated_project_roles"), snapshotIds), {
        elevated_role_names: { values: config.elevatedRoleNames, type: "VARCHAR" },
        elevated_permission_patterns: { values: config.elevatedPermissionPatterns, type: "VARCHAR" },
        access_admin_patterns: { values: config.accessAdminPermissionPatterns, type: "VARCHAR" },
    }, projectParams);
    await store.query(elevatedProject, projectParams);
    if (options.effectiveAccess)
        await materialiseEffectiveAccess(store, snapshotIds);
    const domainParams = {};
    const domains = withBoundLists(query("allowed_domains"), { allowed_email_domains: { values: config.allowedEmailDomains, type: "VARCHAR" } }, domainParams);
    await store.query(domains, domainParams);
}
/**
 * Fills `group_lookalikes` for the snapshots the rules run on (released with the other helpers):
 * the lookalike key of every group's name, computed here because the UTS #39 skeleton needs
 * Unicode's confusables table, which SQL does not have.
 */
async function materialiseGroupLookalikes(store, snapshotIds) {
    await store.query(query("create_group_lookalikes"));
    const names = await store.query(withSnapshotIds(query("group_names"), snapshotIds));
    if (names.length === 0)
        return;
    const rows = names.map((g) => ({
        snapshot_id: g.snapshot_id,
        group_id: g.group_id,
        lookalike_key: lookalikeKey(g.name),
    }));
    await store.query(query("insert_group_lookalikes"), { rows: JSON.stringify(rows) });
}
/** Drops `elevated_roles`, `allowed_domains` (materialiseHelpers) and `group_lookalikes` (the rules' runner). */
export async function releaseHelpers(store) {
    await store.query(query("release_group_lookalikes"));
    await store.query(query("release_elevated_roles"));
    await store.query(query("release_elevated_project_roles"));
    await store.query(query("release_allowed_domains"));
}
const compareText = (a, b) => {
    const x = a ?? "";
    const y = b ?? "";
    return x < y ? -1 : x > y ? 1 : 0;
};
const STATE_ORDER = { new: 0, changed: 1, unchanged: 2 };
const stateOrder = (f) => (f.state === null ? 0 : STATE_ORDER[f.state]);
/**
 * Severity descending; within it new and changed findings first, then the higher tier; then
 * rule, project, credential, group, user, role, detail.
 */
export function compareFindings(a, b) {
    return (severityRank(b.severity) - severityRank(a.severity) ||
        stateOrder(a) - stateOrder(b) ||
        tierRank(b.tier) - tierRank(a.tier) ||
        compareText(a.rule, b.rule) ||
        compareText(a.project_id, b.project_id) ||
        compareText(a.credential_id, b.credential_id) ||
        compareText(a.group_id, b.group_id) ||
        compareText(a.user_id, b.user_id) ||
        compareText(a.role_id, b.role_id) ||
        compareText(a.detail, b.detail));
}
/** Rule errors in a stable order: by rule, then message. */
export const sortErrors = (errors) => [...errors].sort((a, b) => compareText(a.rule, b.rule) || compareText(a.message, b.message));
/** The query (sql/analysis/anomalies.sql) that reads a rule's rows, by the rule's scope. */
const RULE_WRAPPERS = {
    organization: "rule_rows",
    project: "project_rule_rows",
    credentials: "credential_rule_rows",
    changes: "credential_rule_rows",
};
/**
 * Fills `analysis_changes` and `analysis_audit_gaps` for rules with `scope: changes`: the diff
 * from `previous` to `snapshot` (derived access kinds left out: their causes are listed), each
 * change attributed to its audit-log events, and the interval's coverage gaps.
 */
async function materialiseChanges(store, previous, snapshot, given) {
    const kinds = DIFF_KINDS.filter((k) => !DERIVED_KINDS.includes(k));
    // A change's attribution depends on the changes of its own kinds only (a derived change takes
    // its cause's, never the other way), and the diff is sorted: the given diff's changes of these
    // kinds are those of diffing these kinds alone, in the same order.
    const attributed = given !== undefined && given.from === previous && given.to === snapshot
        ? { ...given, changes: given.changes.filter((c) => kinds.includes(c.kind)) }
        : await attributeDiff(store, await diffSnapshots(store, { from: previous, to: snapshot }, { kinds }));
    await fillAnalysisChanges(store, attributed.changes);
    await store.query(query("mark_elevated_changes"), { snapshot });
    const a = attributed.audit_log;
    const failed = a.failed_syncs[a.failed_syncs.length - 1]?.reason ?? null;
    const gaps = a.syncs === 0
        ? [{ gap_from: a.window.from, gap_to: a.window.to, reason: "the audit log was never synced" }]
        : a.gaps.map((g) => ({ gap_from: g.from, gap_to: g.to, reason: failed }));
    await store.query(query("create_analysis_audit_gaps"), { rows: JSON.stringify(gaps) });
}
function unmetNeed(rule, facts, config) {
    const s = facts.snapshot;
    if ((rule.scope === "project" || rule.scope === "credentials") && !facts.projectsCollected) {
        return {
            reason: `snapshot ${s} did not collect projects (crawled with --no-projects, or before projects were read)`,
            setting: "crawl with projects (api.projects: true, no --no-projects)",
        };
    }
    if (rule.scope === "credentials" && !facts.credentialsCollected) {
        return {
            reason: `snapshot ${s} did not collect credentials (crawled with --no-credentials or --no-projects, or before credentials were read)`,
            setting: "crawl with credentials (api.credentials: true, no --no-credentials)",
        };
    }
    if ((rule.scope === "changes" || rule.requires.includes("previous_snapshot")) &&
        facts.previous === null) {
        return {
            reason: `snapshot ${s} has no complete snapshot before it: there are no changes to judge`,
            setting: "runs from the second snapshot on",
        };
    }
    if (rule.scope === "changes" && !facts.changesMaterialised) {
        return {
            reason: `the changes up to snapshot ${s} were not attributed in this run`,
            setting: "runs on the snapshot under review",
        };
    }
    if (rule.requires.includes("allowed_email_domains") && config.allowedEmailDomains.length === 0) {
        return {
            reason: "no allowed email domains are configured, so no address can be judged external",
            setting: "analysis.allowed_email_domains in the configuration, or --allowed-domain",
        };
    }
    return null;
}
/**
 * The most people a finding lists (the shipped rules slice their lists to it): enough to review,
 * bounded in memory however large a group is; `member_count` keeps the total.
 */
export const MEMBERS_LISTED = 1_000;
/**
 * A rule's `members` column, checked: a list of {user_id, email, name}, or the same list as JSON
 * text (`group_members_json`), sorted by user id.
 */
function membersOf(value, rule) {
    if (value === undefined || value === null)
        return [];
    const list = typeof value === "string" ? parsedMembers(value, rule) : value;
    if (!Array.isArray(list))
        throw new Error(`rule ${rule}: members must be a list`);
    const members = list.map((m) => {
        const o = (m ?? {});
        if (typeof o.user_id !== "string") {
            throw new Error(`rule ${rule}: each member needs a user_id`);
        }
        const text = (v) => (typeof v === "string" ? v : null);
        return { user_id: o.user_id, email: text(o.email), name: text(o.name) };
    });
    return members.sort((a, b) => compareText(a.user_id, b.user_id));
}
function parsedMembers(text, rule) {
    try {
        return JSON.parse(text);
    }
    catch {
        throw new Error(`rule ${rule}: members must be a list or its JSON text`);
    }
}
function tierOf(value, rule) {
    if (value === undefined || value === null)
        return undefined;
    if (typeof value === "string" && ELEVATION_TIERS.includes(value)) {
        return value;
    }
    throw new Error(`rule ${rule}: tier must be one of ${ELEVATION_TIERS.join(", ")}`);
}
/** Runs each rule on one snapshot (helpers already materialised); outcomes in rule order. */
async function evaluate(store, rules, facts, config) {
    const values = {
        snapshot: facts.snapshot,
        previous: facts.previous,
        inactivity_days: config.inactivityDays,
        admin_key_unused_days: config.credentials.adminKeyUnusedDays,
        key_unused_days: config.credentials.keyUnusedDays,
        invite_pending_days: config.credentials.invitePendingDays,
        key_rotation_days: config.credentials.keyRotationDays,
    };
    const tiers = new Map();
    for (const t of await store.query(query("elevation_tiers"), { snapshot: facts.snapshot })) {
        tiers.set(`${t.project_id ?? ""}\u0000${t.role_id}`, t.tier);
    }
    const roleTier = (projectId, roleId) => roleId === null
        ? null
        : ((projectId === null ? undefined : tiers.get(`${projectId}\u0000${roleId}`)) ??
            tiers.get(`\u0000${roleId}`) ??
            null);
    const findings = [];
    const outcomes = [];
    const errors = [];
    for (const rule of rules) {
        const outcome = {
            rule: rule.id,
            title: rule.title,
            severity: rule.severity,
            scope: rule.scope,
            signal: rule.signal ?? null,
        };
        const unmet = unmetNeed(rule, facts, config);
        if (unmet !== null) {
            outcomes.push({ ...outcome, status: "skip", findings: 0, ...unmet });
            continue;
        }
        const params = {};
        for (const name of rule.parameters)
            params[name] = values[name];
        try {
            // One pass over the template: the rule's own text is inserted, not read again.
            const sql = query(RULE_WRAPPERS[rule.scope]).replace("{rule}", () => rule.sql);
            const rows = await store.query(sql, params);
            const ruleFindings = rows.map((row) => {
                const projectId = row.project_id ?? null;
                const members = membersOf(row.members, rule.id);
                return {
                    rule: rule.id,
                    severity: rule.severity,
                    title: rule.title,
                    project_id: projectId,
                    credential_id: row.credential_id ?? null,
                    group_id: row.group_id,
                    user_id: row.user_id,
                    role_id: row.role_id,
                    detail: row.detail,
                    tier: tierOf(row.tier, rule.id) ?? roleTier(projectId, row.role_id),
                    members: members.slice(0, MEMBERS_LISTED),
                    member_count: typeof row.member_count === "number" ? row.member_count : members.length,
                    state: null,
                };
            });
            findings.push(...ruleFindings);
            outcomes.push({
                ...outcome,
                status: ruleFindings.length > 0 ? "alarm" : "ok",
                findings: ruleFindings.length,
                reason: null,
                setting: null,
            });
        }
        catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            const oneLine = `${rule.file}: ${message.replace(/\s+/g, " ").trim()}`;
            errors.push({ rule: rule.id, message: oneLine });
            outcomes.push({ ...outcome, status: "error", findings: 0, reason: oneLine, setting: null });
        }
    }
    return { findings, outcomes, errors };
}
/** What identifies a finding across snapshots: its rule and the ids it is about. */
export function findingKey(f) {
    return JSON.stringify([f.rule, f.project_id, f.credential_id, f.group_id, f.user_id, f.role_id]);
}
const memberIds = (f) => `${f.member_count}\u0000${f.members.map((m) => m.user_id).join("\u0000")}`;
/**
 * Marks each finding against the previous snapshot's: new, changed (other people affected) or
 * unchanged. A rule about the interval (changes, or one that needs a previous snapshot) is new by
 * definition.
 */
export function markStates(findings, earlier, rules) {
    if (earlier === null)
        return findings.map((f) => ({ ...f, state: null }));
    const before = new Map(earlier.map((f) => [findingKey(f), f]));
    const intervalRules = new Set(rules
        .filter((r) => r.scope === "changes" || r.requires.includes("previous_snapshot"))
        .map((r) => r.id));
    return findings.map((f) => {
        const was = intervalRules.has(f.rule) ? undefined : before.get(findingKey(f));
        const state = was === undefined ? "new" : memberIds(was) === memberIds(f) ? "unchanged" : "changed";
        return { ...f, state };
    });
}
async function collected(store, name, snapshot) {
    const rows = await store.query(query(name), { snapshot });
    return rows[0]?.collected === true;
}
/** Runs already loaded rules; each failure becomes an error naming the rule. */
export async function runLoadedRules(store, rules, options) {
    const config = resolveAnalysisConfig(options.config);
    const previous = options.previousId === undefined
        ? await previousSnapshotId(store, options.snapshotId)
        : options.previousId;
    const compare = previous !== null && options.compare !== false;
    const beforePrevious = compare ? await previousSnapshotId(store, previous) : null;
    const snapshotIds = [options.snapshotId, previous, beforePrevious].filter((id) => id !== null);
    await materialiseHelpers(store, snapshotIds, config, {
        effectiveAccess: options.effectiveAccessMaterialised !== true,
    });
    try {
        // Only the rules compare names: reports and certification never pay for the skeletons.
        await materialiseGroupLookalikes(store, snapshotIds);
        await store.query(query("group_members_macro"));
        await store.query(query("group_members_json_macro"));
        await store.query(query("group_member_count_macro"));
        const factsOf = async (snapshot, before, changes) => ({
            snapshot,
            previous: before,
            projectsCollected: await collected(store, "projects_collected", snapshot),
            credentialsCollected: await collected(store, "credentials_collected", snapshot),
            changesMaterialised: changes,
        });
        const changes = previous !== null && rules.some((r) => r.scope === "changes");
        const facts = await factsOf(options.snapshotId, previous, changes);
        if (options.projectAccessDefined !== true &&
            rules.some((r) => r.scope === "project" || r.scope === "credentials")) {
            await defineProjectAccess(store, snapshotIds);
        }
        if (changes && previous !== null) {
            await materialiseChanges(store, previous, options.snapshotId, options.attributedDiff);
        }
        const current = await evaluate(store, rules, facts, config);
        let earlier = null;
        if (compare && previous !== null) {
            // The previous snapshot judged as it would have been then; rules about the interval are
            // skipped there (their findings are new by definition).
            const interval = rules.filter((r) => r.scope !== "changes" && !r.requires.includes("previous_snapshot"));
            const then = await evaluate(store, interval, await factsOf(previous, beforePrevious, false), config);
            earlier = then.findings;
        }
        const outcomes = [...current.outcomes].sort((a, b) => compareText(a.rule, b.rule));
        return {
            snapshot_id: options.snapshotId,
            previous_snapshot_id: compare ? previous : null,
            findings: markStates(current.findings, earlier, rules).sort(compareFindings),
            errors: sortErrors(current.errors),
            rules: outcomes,
            skipped: outcomes
                .filter((o) => o.status === "skip")
                .map((o) => ({ rule: o.rule, reason: o.reason ?? "" })),
        };
    }
    finally {
        if (options.projectAccessDefined !== true)
            await releaseProjectAccess(store);
        await store.query(query("release_analysis_changes"));
        await store.query(query("release_analysis_audit_gaps"));
        await releaseHelpers(store);
        if (options.effectiveAccessMaterialised !== true)
            await releaseEffectiveAccess(store);
    }
}
/** Findings counted per rule, rules in name order: a compact, comparable summary. */
export function findingsByRule(findings) {
    const counts = new Map();
    for (const f of findings)
        counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
    return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
//# sourceMappingURL=anomalies.js.map