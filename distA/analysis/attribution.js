import { sqlQueries } from "../util/sql-files.js";
import { MIRRORED_KINDS } from "./diff.js";
const query = sqlQueries("analysis/attribution.sql");
export const ATTRIBUTION_STATUSES = ["attributed", "scim", "not_logged", "unattributed"];
const text = (value) => typeof value === "string" && value !== "" ? value : null;
function object(type, id, extra = {}) {
    const value = text(id);
    return value === null ? [] : [{ type, on: "object", id: value, ...extra }];
}
function assignment(type, principal, scope) {
    const id = text(principal);
    if (id === null)
        return [];
    if (scope === "organization")
        return [{ type, on: "principal", id, org: true }];
    const project = text(scope.project);
    return project === null ? [] : [{ type, on: "principal", id, resource: project }];
}
/** The groups of an access change's `via` list (`[{via, group_id, group_name}]`). */
function viaGroups(c) {
    const via = Array.isArray(c.via) ? c.via : [];
    const groups = [];
    for (const path of via) {
        if (path !== null && typeof path === "object" && !Array.isArray(path)) {
            const id = text(path.group_id);
            if (id !== null)
                groups.push(id);
        }
    }
    return groups;
}
function viaKinds(c) {
    const via = Array.isArray(c.via) ? c.via : [];
    const kinds = new Set();
    for (const path of via) {
        if (path !== null && typeof path === "object" && !Array.isArray(path)) {
            const v = text(path.via);
            if (v !== null)
                kinds.add(v);
        }
    }
    return kinds;
}
const NO_MEMBERSHIP_EVENT = "the API logs no organization-level event when a member is added to or removed from a group";
/** Access through a group changes with its membership, which the API does not log. */
const membershipPath = (c) => viaGroups(c).length > 0 ? `${NO_MEMBERSHIP_EVENT} (this access is held through a group)` : null;
const viaScimGroup = (c, ctx) => viaGroups(c).some((g) => ctx.scimGroups.has(g));
/** How each kind is recorded in the audit log (see the file comment). */
export const ATTRIBUTION = {
    group_added: { keys: (c) => object("group.created", c.group_id) },
    group_removed: { keys: (c) => object("group.deleted", c.group_id) },
    group_renamed: { keys: (c) => object("group.updated", c.group_id) },
    group_scim_changed: {
        keys: () => [],
        notLogged: () => "the API logs no event when a group comes under or leaves SCIM management",
    },
    group_type_changed: {
        keys: () => [],
        notLogged: () => "the API logs no event for a group's type",
    },
    member_added: {
        keys: () => [],
        scim: (c, ctx) => ctx.scimGroups.has(String(c.group_id)),
        notLogged: () => NO_MEMBERSHIP_EVENT,
    },
    member_removed: {
        keys: () => [],
        scim: (c, ctx) => ctx.scimGroups.has(String(c.group_id)),
        notLogged: () => NO_MEMBERSHIP_EVENT,
    },
    group_role_granted: {
        keys: (c) => assignment("role.assignment.created", c.group_id, "organization"),
    },
    group_role_revoked: {
        keys: (c) => [
            ...assignment("role.assignment.deleted", c.group_id, "organization"),
            ...object("group.deleted", c.group_id),
            ...object("role.deleted", c.role_id),
        ],
    },
    user_added: {
        keys: (c) => object("user.added", c.user_id),
        scim: (c, ctx) => ctx.scimUsers.has(String(c.user_id)),
    },
    user_removed: {
        keys: (c) => object("user.deleted", c.user_id),
        scim: (c, ctx) => ctx.scimUsers.has(String(c.user_id)),
    },
    user_role_changed: {
        keys: (c) => [
            ...object("user.updated", c.user_id),
            ...assignment("role.assignment.created", c.user_id, "organization"),
            ...assignment("role.assignment.deleted", c.user_id, "organization"),
        ],
    },
    user_role_granted: {
        keys: (c) => assignment("role.assignment.created", c.user_id, "organization"),
    },
    user_role_revoked: {
        keys: (c) => [
            ...assignment("role.assignment.deleted", c.user_id, "organization"),
            ...object("user.deleted", c.user_id),
            ...object("role.deleted", c.role_id),
        ],
    },
    role_added: { keys: (c) => object("role.created", c.role_id) },
    role_removed: { keys: (c) => object("role.deleted", c.role_id) },
    role_permissions_changed: { keys: (c) => object("role.updated", c.role_id) },
    access_gained: {
        keys: (c, ctx) => [
            ...assignment("role.assignment.created", c.user_id, "organization"),
            ...viaGroups(c).flatMap((g) => assignment("role.assignment.created", g, "organization")),
            ...(ctx.newUsers.has(String(c.user_id)) ? object("user.added", c.user_id) : []),
        ],
        scim: viaScimGroup,
        notLogged: membershipPath,
    },
    access_lost: {
        keys: (c) => [
            ...assignment("role.assignment.deleted", c.user_id, "organization"),
            ...viaGroups(c).flatMap((g) => [
                ...assignment("role.assignment.deleted", g, "organization"),
                ...object("group.deleted", g),
            ]),
            ...object("user.deleted", c.user_id),
            ...object("role.deleted", c.role_id),
        ],
        scim: viaScimGroup,
        notLogged: membershipPath,
    },
    project_added: { keys: (c) => object("project.created", c.project_id) },
    project_removed: { keys: (c) => object("project.deleted", c.project_id) },
    project_archived: { keys: (c) => object("project.archived", c.project_id) },
    project_unarchived: {
        keys: () => [],
        notLogged: () => "the API has no way to unarchive a project, and logs no such event",
    },
    project_renamed: { keys: (c) => object("project.updated", c.project_id) },
    project_member_added: {
        keys: (c) => object("user.added", c.user_id, { project: String(c.project_id) }),
    },
    project_member_removed: {
        keys: (c) => [
            ...object("user.deleted", c.user_id, { project: String(c.project_id) }),
            ...object("user.deleted", c.user_id),
            ...object("project.archived", c.project_id),
        ],
    },
    project_member_role_changed: {
        keys: (c) => object("user.updated", c.user_id, { project: String(c.project_id) }),
    },
    project_group_attached: {
        keys: (c) => assignment("role.assignment.created", c.group_id, { project: c.project_id }),
    },
    project_group_detached: {
        keys: (c) => [
            ...assignment("role.assignment.deleted", c.group_id, { project: c.project_id }),
            ...object("group.deleted", c.group_id),
        ],
    },
    project_role_added: {
        // A new project comes with its predefined roles.
        keys: (c) => [...object("role.created", c.role_id), ...object("project.created", c.project_id)],
    },
    project_role_removed: { keys: (c) => object("role.deleted", c.role_id) },
    project_role_permissions_changed: { keys: (c) => object("role.updated", c.role_id) },
    project_group_role_granted: {
        keys: (c) => assignment("role.assignment.created", c.group_id, { project: c.project_id }),
    },
    project_group_role_revoked: {
        keys: (c) => [
            ...assignment("role.assignment.deleted", c.group_id, { project: c.project_id }),
            ...object("group.deleted", c.group_id),
            ...object("role.deleted", c.role_id),
        ],
    },
    project_user_role_granted: {
        keys: (c) => assignment("role.assignment.created", c.user_id, { project: c.project_id }),
    },
    project_user_role_revoked: {
        keys: (c) => [
            ...assignment("role.assignment.deleted", c.user_id, { project: c.project_id }),
            ...object("user.deleted", c.user_id, { project: String(c.project_id) }),
            ...object("user.deleted", c.user_id),
            ...object("role.deleted", c.role_id),
            ...object("project.archived", c.project_id),
        ],
    },
    project_access_gained: {
        keys: (c) => {
            const project = { project: c.project_id };
            const inProject = { project: String(c.project_id) };
            const via = viaKinds(c);
            return [
                ...assignment("role.assignment.created", c.user_id, project),
                ...viaGroups(c).flatMap((g) => assignment("role.assignment.created", g, project)),
                ...(via.has("membership")
                    ? [
                        ...object("user.added", c.user_id, inProject),
                        ...object("user.updated", c.user_id, inProject),
                    ]
                    : []),
            ];
        },
        scim: viaScimGroup,
        notLogged: membershipPath,
    },
    project_access_lost: {
        keys: (c) => {
            const project = { project: c.project_id };
            const inProject = { project: String(c.project_id) };
            return [
                ...assignment("role.assignment.deleted", c.user_id, project),
                ...viaGroups(c).flatMap((g) => [
                    ...assignment("role.assignment.deleted", g, project),
                    ...object("group.deleted", g),
                ]),
                ...object("user.deleted", c.user_id, inProject),
                ...object("user.updated", c.user_id, inProject),
                ...object("user.deleted", c.user_id),
                ...object("project.archived", c.project_id),
                ...object("role.deleted", c.role_id),
            ];
        },
        scim: viaScimGroup,
        notLogged: membershipPath,
    },
    service_account_created: {
        keys: (c) => object("service_account.created", c.service_account_id),
    },
    service_account_deleted: {
        keys: (c) => [
            ...object("service_account.deleted", c.service_account_id),
            ...object("project.archived", c.project_id),
        ],
    },
    service_account_role_changed: {
        keys: (c) => object("service_account.updated", c.service_account_id),
    },
    api_key_created: { keys: (c) => object("api_key.created", c.key_id) },
    api_key_deleted: {
        // Deleting a service account or archiving a project takes its keys with it.
        keys: (c) => [
            ...object("api_key.deleted", c.key_id),
            ...(c.owner_type === "service_account" ? object("service_account.deleted", c.owner_id) : []),
            ...object("project.archived", c.project_id),
        ],
    },
    api_key_owner_access_changed: {
        // The key's access follows its owner's project membership: the owner's event explains it.
        keys: (c) => [
            ...object("user.deleted", c.owner_id, { project: String(c.project_id) }),
            ...object("user.added", c.owner_id, { project: String(c.project_id) }),
            ...object("user.deleted", c.owner_id),
        ],
        notLogged: () => "a key's owner access follows its owner's project membership; no event names the key",
    },
    admin_key_created: {
        keys: (c) => [
            ...object("api_key.created", c.key_id),
            ...object("tenant.admin_api_key.created", c.key_id),
        ],
    },
    admin_key_deleted: {
        keys: (c) => [
            ...object("api_key.deleted", c.key_id),
            ...object("tenant.admin_api_key.deleted", c.key_id),
        ],
    },
    admin_key_expiry_changed: {
        keys: (c) => [
            ...object("api_key.updated", c.key_id),
            ...object("tenant.admin_api_key.updated", c.key_id),
        ],
    },
    invite_sent: { keys: (c) => object("invite.sent", c.invite_id) },
    invite_revoked: { keys: (c) => object("invite.deleted", c.invite_id) },
    invite_accepted: { keys: (c) => object("invite.accepted", c.invite_id) },
    invite_expired: {
        keys: () => [],
        notLogged: () => "an invite expires with time: no one acts, and nothing is logged",
    },
    invite_status_changed: {
        keys: (c) => [
            ...object("invite.accepted", c.invite_id),
            ...object("invite.deleted", c.invite_id),
        ],
        // To or from `expired` (a reverse diff of an invite_expired): no one acts.
        notLogged: (c) => c.before === "expired" || c.after === "expired"
            ? "an invite expires with time: no one acts, and nothing is logged"
            : null,
    },
};
/** The kind whose events record a change seen in a diff from a newer to an older snapshot. */
const REVERSED = Object.fromEntries(Object.entries(MIRRORED_KINDS).flatMap(([a, b]) => [
    [a, b],
    [b, a],
]));
const isoOf = (seconds) => new Date(seconds * 1000).toISOString();
function mergedWindows(syncs) {
    const windows = syncs
        .filter((s) => s.status === "complete" && s.coverage_from !== null && s.covered_to !== null)
        .map((s) => [s.coverage_from, s.covered_to])
        .sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const [from, to] of windows) {
        const last = merged[merged.length - 1];
        if (last !== undefined && from <= last[1])
            last[1] = Math.max(last[1], to);
        else
            merged.push([from, to]);
    }
    return merged;
}
/** The parts of [from, to] no window covers. */
function gapsIn(windows, from, to) {
    const gaps = [];
    let cursor = from;
    for (const [a, b] of windows) {
        if (b < cursor)
            continue;
        if (a > to)
            break;
        if (a > cursor)
            gaps.push([cursor, Math.min(a, to)]);
        cursor = Math.max(cursor, b);
        if (cursor >= to)
            break;
    }
    if (cursor < to)
        gaps.push([cursor, to]);
    return gaps;
}
async function syncRows(store) {
    return store.query(query("syncs"));
}
export async function auditCoverage(store) {
    const merged = mergedWindows(await syncRows(store));
    const gapsBetween = [];
    for (let i = 1; i < merged.length; i++) {
        gapsBetween.push({
            from: isoOf(merged[i - 1][1]),
            to: isoOf(merged[i][0]),
        });
    }
    return { covered: merged.map(([a, b]) => ({ from: isoOf(a), to: isoOf(b) })), gapsBetween };
}
/** What the audit log held says about the interval between two snapshots. */
export async function auditLogWindow(store, range) {
    const rows = await store.query(query("window"), {
        from: range.from,
        to: range.to,
    });
    // Events carry whole seconds: the window starts at the second the earlier crawl started in,
    // and ends exactly when the later one finished (a sync that started after that covers it).
    const from = Math.floor(Number(rows[0]?.window_from ?? 0));
    const to = Number(rows[0]?.window_to ?? 0);
    const syncs = await syncRows(store);
    const gaps = gapsIn(mergedWindows(syncs), from, to);
    return {
        window: { from: isoOf(from), to: isoOf(to) },
        covered: gaps.length === 0,
        gaps: gaps.map(([a, b]) => ({ from: isoOf(a), to: isoOf(b) })),
        failed_syncs: syncs
            .filter((s) => s.status === "failed" &&
            ((s.started_at >= from && s.started_at <= to) ||
                s.snapshot_id === range.from ||
                s.snapshot_id === range.to))
            .map((s) => ({ sync_id: s.sync_id, started_at: isoOf(s.started_at), reason: s.reason })),
        syncs: syncs.length,
    };
}
function actorOf(row) {
    const type = row.source === "scim"
        ? "scim"
        : row.actor_type === "session" || row.actor_type === "api_key"
            ? row.actor_type
            : "unknown";
    return {
        type,
        user_id: row.actor_user_id,
        email: row.actor_email,
        ip_address: row.actor_ip,
        key_id: row.actor_key_id,
        key_type: row.actor_key_type,
        service_account_id: row.actor_service_account_id,
    };
}
/** `by …` for an event's actor: who, how (session and IP, or which key), and when. */
export function actorLabel(actor, at) {
    const person = (email, id) => email !== null && id !== null ? `${email} (${id})` : (email ?? id ?? "an unnamed user");
    switch (actor.type) {
        case "scim":
            return "by SCIM";
        case "session":
            return `by ${person(actor.email, actor.user_id)}${actor.ip_address === null ? "" : ` from ${actor.ip_address}`} at ${at}`;
        case "api_key": {
            const owner = actor.key_type === "service_account" || actor.service_account_id !== null
                ? `service account ${actor.service_account_id ?? "(unnamed)"}`
                : person(actor.email, actor.user_id);
            return `by API key ${actor.key_id ?? "(no tracking id)"} of ${owner} at ${at}`;
        }
        default:
            return `by an actor the audit log does not name, at ${at}`;
    }
}
/** The diff's changes, each with its attribution (see the file comment). */
export async function attributeDiff(store, diff) {
    const window = await auditLogWindow(store, diff);
    const reversed = diff.from > diff.to;
    const [scimGroups, scimUsers] = await Promise.all([
        store.query(query("scim_groups"), { from: diff.from, to: diff.to }),
        store.query(query("scim_users"), { from: diff.from, to: diff.to }),
    ]);
    const ctx = {
        scimGroups: new Set(scimGroups.map((r) => r.group_id)),
        scimUsers: new Set(scimUsers.map((r) => r.user_id)),
        newUsers: new Set(diff.changes
            .filter((c) => c.kind === "user_added" || c.kind === "user_removed")
            .map((c) => String(c.user_id))),
    };
    const specs = diff.changes.map((c) => ATTRIBUTION[reversed ? (REVERSED[c.kind] ?? c.kind) : c.kind]);
    const keys = [];
    diff.changes.forEach((change, i) => {
        for (const k of specs[i]?.keys(change, ctx) ?? []) {
            keys.push({
                i,
                t: k.type,
                on: k.on,
                id: k.id,
                res: k.resource ?? null,
                prj: k.project ?? null,
                org: k.org === true,
            });
        }
    });
    const keyed = new Set(keys.map((k) => k.i));
    const matches = new Map();
    if (keys.length > 0 && window.syncs > 0) {
        const rows = await store.query(query("matches"), {
            keys: JSON.stringify(keys),
            window_from: Date.parse(window.window.from) / 1000,
            window_to: Date.parse(window.window.to) / 1000,
        });
        for (const row of rows) {
            const events = JSON.parse(row.events);
            matches.set(row.change, events.map((e) => ({
                event_id: e.event_id,
                type: e.type,
                effective_at: isoOf(Number(e.effective_at)),
                project_id: e.project_id,
                actor: actorOf(e),
            })));
        }
    }
    const gapReason = window.syncs === 0
        ? "the audit log has never been synced into this database (run `access-audit audit-log sync`)"
        : `the audit log held does not cover ${window.gaps.map((g) => `${g.from} to ${g.to}`).join(", ")}${window.failed_syncs.length > 0
            ? ` (failed sync: ${window.failed_syncs[window.failed_syncs.length - 1]?.reason ?? "no reason recorded"})`
            : ""}`;
    const changes = diff.changes.map((change, i) => {
        const spec = specs[i];
        const events = matches.get(i) ?? [];
        const latest = events[events.length - 1];
        let attribution;
        if (latest !== undefined) {
            const scim = latest.actor.type === "scim";
            attribution = {
                status: scim ? "scim" : "attributed",
                label: actorLabel(latest.actor, latest.effective_at),
                reason: scim ? "the event was made by the SCIM integration" : null,
                actor: latest.actor,
                events,
            };
        }
        else if (spec.scim?.(change, ctx) && (window.covered || !keyed.has(i))) {
            attribution = {
                status: "scim",
                label: "by SCIM",
                reason: "the directory manages this through SCIM; the API logs no event for it",
                actor: null,
                events: [],
            };
        }
        else {
            // Under a gap, an expected event may be in it: no conclusion from its absence.
            const notLogged = window.covered || !keyed.has(i) ? (spec.notLogged?.(change) ?? null) : null;
            attribution =
                notLogged !== null
                    ? {
                        status: "not_logged",
                        label: "not in the audit log",
                        reason: notLogged,
                        actor: null,
                        events: [],
                    }
                    : {
                        status: "unattributed",
                        label: "unattributed",
                        reason: window.covered
                            ? "no matching event in the audit log, which covers this interval: the change was made out of band, or audit logging was off"
                            : gapReason,
                        actor: null,
                        events: [],
                    };
        }
        return { ...change, attribution };
    });
    followCauses(changes);
    return { ...diff, changes, audit_log: window };
}
/** Kinds derived from others (effective access): their causes are already changes of their own. */
export const DERIVED_KINDS = [
    "access_gained",
    "access_lost",
    "project_access_gained",
    "project_access_lost",
];
const PROJECT_SCOPE = /^(project_|service_account_|api_key_)/;
/** A short, readable description of a change: its kind and what it names. */
export function changeSubject(c) {
    const named = (label, name, id) => {
        const n = text(name);
        const i = text(id);
        if (n === null && i === null)
            return null;
        return `${label} ${n === null ? i : i === null ? JSON.stringify(n) : `${JSON.stringify(n)} (${i})`}`;
    };
    const parts = [
        named("project", c.project_name, c.project_id),
        named("group", c.group_name, c.group_id),
        named("user", c.email ?? c.user_name, c.user_id),
        named("role", c.role_name, c.role_id),
        named("service account", c.kind.startsWith("service_account") ? c.name : undefined, c.service_account_id),
        named("key", c.kind.includes("key") ? c.name : undefined, c.key_id),
        named("invite", c.invite_id === undefined ? undefined : c.email, c.invite_id),
    ].filter((p) => p !== null);
    const after = typeof c.after === "string" ? ` -> ${c.after}` : "";
    return `${c.kind.replaceAll("_", " ")}: ${parts.join(", ")}${after}`;
}
/**
 * The row of `analysis_changes` (sql/analysis/anomalies.sql) for each attributed change, by column
 * name; `elevated` is false until mark_elevated_changes.
 */
export function analysisChangeRows(changes) {
    return changes.map((c, i) => {
        const latest = c.attribution.events[c.attribution.events.length - 1];
        const actor = c.attribution.actor;
        const newRole = c.kind.endsWith("_role_changed") ? text(c.after) : text(c.role);
        return {
            change_no: i,
            kind: c.kind,
            scope: PROJECT_SCOPE.test(c.kind) ? "project" : "organization",
            project_id: text(c.project_id),
            group_id: text(c.group_id),
            user_id: text(c.user_id),
            role_id: text(c.role_id),
            credential_id: text(c.key_id) ?? text(c.service_account_id) ?? text(c.invite_id),
            new_role: newRole,
            subject: changeSubject(c),
            status: c.attribution.status,
            label: c.attribution.label,
            reason: c.attribution.reason,
            actor_type: actor?.type ?? null,
            actor_user_id: actor?.user_id ?? null,
            actor_email: actor?.email ?? null,
            actor_key_id: actor?.key_id ?? null,
            actor_key_type: actor?.key_type ?? null,
            actor_service_account_id: actor?.service_account_id ?? null,
            event_id: latest?.event_id ?? null,
            effective_at: latest?.effective_at ?? null,
            elevated: false,
        };
    });
}
/**
 * The changes of the same diff that can cause a derived access change: a role granted to one of
 * its groups or to the user, a group attached, a membership. Keys are kind and ids.
 */
function causeKeys(c) {
    const u = String(c.user_id);
    const r = String(c.role_id);
    const p = String(c.project_id);
    const groups = viaGroups(c);
    switch (c.kind) {
        case "access_gained":
            return [...groups.map((g) => `group_role_granted|${g}|${r}`), `user_role_granted|${u}|${r}`];
        case "access_lost":
            return [
                ...groups.flatMap((g) => [`group_role_revoked|${g}|${r}`, `group_removed|${g}`]),
                `user_role_revoked|${u}|${r}`,
                `user_removed|${u}`,
            ];
        case "project_access_gained":
            return [
                ...groups.flatMap((g) => [
                    `project_group_role_granted|${p}|${g}|${r}`,
                    `project_group_attached|${p}|${g}`,
                ]),
                `project_user_role_granted|${p}|${u}|${r}`,
                `project_member_added|${p}|${u}`,
                `project_member_role_changed|${p}|${u}`,
            ];
        case "project_access_lost":
            return [
                ...groups.flatMap((g) => [
                    `project_group_role_revoked|${p}|${g}|${r}`,
                    `project_group_detached|${p}|${g}`,
                ]),
                `project_user_role_revoked|${p}|${u}|${r}`,
                `project_member_removed|${p}|${u}`,
                `project_member_role_changed|${p}|${u}`,
                `project_archived|${p}`,
            ];
        default:
            return [];
    }
}
/** The key a change is found under as a cause (see causeKeys). */
function asCauseKey(c) {
    const ids = [c.project_id, c.group_id, c.user_id, c.role_id].filter((v) => typeof v === "string");
    if (c.kind === "project_group_attached" || c.kind === "project_group_detached") {
        return `${c.kind}|${c.project_id}|${c.group_id}`;
    }
    if (c.kind === "group_removed")
        return `${c.kind}|${c.group_id}`;
    return [c.kind, ...ids].join("|");
}
/**
 * A derived access change no event names follows its cause in the same diff: access gained
 * through a group whose Owner grant nobody can account for is unaccounted for too, not "not in
 * the audit log" as a membership would be.
 */
function followCauses(changes) {
    const byKey = new Map();
    for (const c of changes) {
        if (!DERIVED_KINDS.includes(c.kind))
            byKey.set(asCauseKey(c), c);
    }
    for (const c of changes) {
        if (!DERIVED_KINDS.includes(c.kind) || c.attribution.events.length > 0)
            continue;
        const cause = causeKeys(c)
            .map((k) => byKey.get(k))
            .find((x) => x !== undefined);
        if (cause === undefined)
            continue;
        const a = cause.attribution;
        c.attribution = {
            ...a,
            reason: `follows ${changeSubject(cause)}${a.reason === null ? "" : `: ${a.reason}`}`,
        };
    }
}
//# sourceMappingURL=attribution.js.map