import { attributeDiff, } from "../../analysis/attribution.js";
import { DIFF_KINDS, defaultDiffRange, diffSnapshots, } from "../../analysis/diff.js";
import { revealInvisible } from "../../render/text.js";
import { Store } from "../../store/index.js";
import { addDbOption, commandConfig } from "../config.js";
import { intOption } from "../options.js";
import { batchesOf, terminalJson, writeJsonWithList, writeLines } from "../output.js";
export function registerDiff(program) {
    const diff = program
        .command("diff")
        .description("What changed between two complete snapshots: groups, members, roles, users and effective access");
    addDbOption(diff)
        .option("--from <id>", "older snapshot (default: the second-latest complete one)", intOption(1))
        .option("--to <id>", "newer snapshot (default: the latest complete one)", intOption(1))
        .option("--json", "print JSON")
        .action(async (flags, command) => {
        const config = await commandConfig(command);
        const store = await Store.open(config.database, { readOnly: true });
        try {
            const result = await attributeDiff(store, await diffSnapshots(store, await resolveRange(store, flags)));
            // Written piece by piece: a diff can have millions of changes (all groups re-provisioned).
            if (flags.json)
                await writeJsonWithList(result, "changes", batchesOf(result.changes));
            else
                await writeLines(diffLines(result));
        }
        finally {
            await store.close();
        }
    });
}
/** --from and --to, each defaulting from the last two complete snapshots. */
async function resolveRange(store, flags) {
    if (flags.from !== undefined && flags.to !== undefined)
        return { from: flags.from, to: flags.to };
    const latest = await defaultDiffRange(store);
    if (flags.from === undefined && flags.to === undefined)
        return latest;
    // One given: compare it with the latest complete snapshot (or the one before when it is that).
    const given = (flags.from ?? flags.to);
    const other = given === latest.to ? latest.from : latest.to;
    return flags.from !== undefined ? { from: given, to: other } : { from: other, to: given };
}
const text = (value) => {
    if (value === null || value === undefined)
        return "-";
    if (typeof value === "string")
        return revealInvisible(value);
    return terminalJson(value, 0);
};
const quoted = (value) => typeof value === "string" ? terminalJson(value, 0) : text(value);
function who(c) {
    const name = c.user_name === undefined || c.user_name === null ? null : text(c.user_name);
    const email = c.email === undefined || c.email === null ? null : text(c.email);
    const label = [name, email === null ? null : `<${email}>`].filter((s) => s !== null).join(" ");
    return `${c.user_id ?? "-"}${label ? ` ${label}` : ""}`;
}
const project = (c) => `${c.project_id ?? "-"}${c.project_name === undefined ? "" : ` ${quoted(c.project_name)}`}`;
const group = (c) => `${c.group_id ?? "-"}${c.group_name === undefined ? "" : ` ${quoted(c.group_name)}`}`;
const role = (c) => `${c.role_id ?? "-"}${c.role_name === undefined ? "" : ` ${quoted(c.role_name)}`}`;
const serviceAccount = (c) => `${c.service_account_id ?? "-"}${c.name === undefined || c.name === null ? "" : ` ${quoted(c.name)}`}`;
const key = (c) => `${c.key_id ?? "-"}${c.name === undefined || c.name === null ? "" : ` ${quoted(c.name)}`} ${text(c.redacted_value)}`;
const owner = (c) => {
    const label = c.owner_email ?? c.owner_name;
    return `${text(c.owner_type)} ${text(c.owner_id)}${label === undefined || label === null ? "" : ` ${quoted(label)}`}`;
};
const invite = (c) => `${c.invite_id ?? "-"} <${text(c.email)}>`;
const change = (c) => `${quoted(c.before)} -> ${quoted(c.after)}`;
function via(c) {
    if (!Array.isArray(c.via))
        return "";
    const paths = c.via.map((p) => {
        if (p === null || typeof p !== "object" || Array.isArray(p))
            return text(p);
        if (p.via === "group")
            return `group ${text(p.group_id)} ${quoted(p.group_name)}`;
        return p.via === "membership" ? "membership" : "direct";
    });
    return paths.length > 0 ? ` via ${paths.join(", ")}` : "";
}
function permissionsChange(c) {
    const before = Array.isArray(c.before) ? c.before.map(text) : [];
    const after = Array.isArray(c.after) ? c.after.map(text) : [];
    const added = after.filter((p) => !before.includes(p)).map((p) => `+${p}`);
    const removed = before.filter((p) => !after.includes(p)).map((p) => `-${p}`);
    return [...added, ...removed].join(" ");
}
/** One readable line per change. */
export function formatChange(c) {
    switch (c.kind) {
        case "group_added":
        case "group_removed":
            return `${group(c)} (${text(c.group_type)}${c.is_scim_managed ? ", SCIM" : ""})`;
        case "group_renamed":
            return `${text(c.group_id)} ${change(c)}`;
        case "group_scim_changed":
        case "group_type_changed":
            return `${group(c)} ${change(c)}`;
        case "member_added":
        case "member_removed":
            return `${group(c)}: ${who(c)}`;
        case "group_role_granted":
        case "group_role_revoked":
            return `${group(c)}: ${role(c)}`;
        case "user_added":
        case "user_removed":
            return `${who(c)} (${text(c.role)}${c.is_service_account ? ", service account" : ""})`;
        case "user_role_changed":
            return `${who(c)} ${change(c)}`;
        case "user_role_granted":
        case "user_role_revoked":
            return `${who(c)}: ${role(c)}`;
        case "role_added":
        case "role_removed":
            return `${role(c)} [${Array.isArray(c.permissions) ? c.permissions.length : 0} permissions]`;
        case "role_permissions_changed":
            return `${role(c)} ${permissionsChange(c)}`;
        case "access_gained":
        case "access_lost":
            return `${who(c)}: ${role(c)}${via(c)}`;
        case "project_added":
        case "project_removed":
            return `${project(c)}${c.archived ? " (archived)" : ""}`;
        case "project_archived":
        case "project_unarchived":
            return `${project(c)} ${change(c)}`;
        case "project_renamed":
            return `${text(c.project_id)} ${change(c)}`;
        case "project_member_added":
        case "project_member_removed":
            return `${project(c)}: ${who(c)} (${text(c.role)})`;
        case "project_member_role_changed":
            return `${project(c)}: ${who(c)} ${change(c)}`;
        case "project_group_attached":
        case "project_group_detached":
            return `${project(c)}: ${group(c)}${c.is_scim_managed === false ? " (manual)" : c.is_scim_managed ? " (SCIM)" : ""}`;
        case "project_role_added":
        case "project_role_removed":
            return `${project(c)}: ${role(c)} [${Array.isArray(c.permissions) ? c.permissions.length : 0} permissions]`;
        case "project_role_permissions_changed":
            return `${project(c)}: ${role(c)} ${permissionsChange(c)}`;
        case "project_group_role_granted":
        case "project_group_role_revoked":
            return `${project(c)}: ${group(c)}: ${role(c)}`;
        case "project_user_role_granted":
        case "project_user_role_revoked":
            return `${project(c)}: ${who(c)}: ${role(c)}`;
        case "project_access_gained":
        case "project_access_lost":
            return `${project(c)}: ${who(c)}: ${role(c)}${via(c)}`;
        case "service_account_created":
        case "service_account_deleted":
            return `${project(c)}: ${serviceAccount(c)} (${text(c.role)})`;
        case "service_account_role_changed":
            return `${project(c)}: ${serviceAccount(c)} ${change(c)}`;
        case "api_key_created":
        case "api_key_deleted":
            return `${project(c)}: ${key(c)} owned by ${owner(c)}`;
        case "api_key_owner_access_changed":
            return `${project(c)}: ${key(c)} owned by ${owner(c)}: owner access ${change(c)}`;
        case "admin_key_created":
        case "admin_key_deleted":
            return `${key(c)} owned by ${owner(c)}, ${c.expires_at === null || c.expires_at === undefined ? "never expires" : `expires ${text(c.expires_at)}`}`;
        case "admin_key_expiry_changed":
            return `${key(c)} owned by ${owner(c)}: expires ${change(c)}`;
        case "invite_sent":
        case "invite_revoked":
            return `${invite(c)} (${text(c.role)}, ${text(c.status)})`;
        case "invite_accepted":
        case "invite_expired":
        case "invite_status_changed":
            return `${invite(c)} (${text(c.role)}) ${change(c)}`;
    }
}
/** What the two snapshots did not both collect: said first, so no absence reads as a removal. */
function coverageLines(result) {
    const lines = [];
    for (const c of result.coverage_changed) {
        const [has, lacks] = c.from_collected ? [result.from, result.to] : [result.to, result.from];
        lines.push(`coverage changed: ${c.scope} collected in snapshot ${has} but not in ${lacks}; its changes are not compared`);
    }
    if (result.not_collected.length > 0) {
        lines.push(`not collected in either snapshot: ${result.not_collected.join(", ")}`);
    }
    if (result.not_compared.length > 0) {
        lines.push(`not compared: ${result.not_compared.map((k) => k.kind).join(", ")}`);
    }
    return lines;
}
/** What the audit log held says about the interval: covered, or where the gaps are. */
function auditLogLines(result) {
    const a = result.audit_log;
    if (a.syncs === 0) {
        return [
            "audit log: never synced; no change can be attributed (run `access-audit audit-log sync`)",
        ];
    }
    if (a.covered)
        return [`audit log: covers ${a.window.from} to ${a.window.to}`];
    return [
        `audit log: does not cover ${a.gaps.map((g) => `${g.from} to ${g.to}`).join(", ")}; changes that should have an event are unattributed`,
        ...a.failed_syncs.map((s) => `  sync ${s.sync_id} failed: ${s.reason ?? "no reason recorded"}`),
    ];
}
const attributionText = (c) => {
    const a = c.attribution;
    const extra = a.events.length > 1 ? ` (+${a.events.length - 1} earlier event(s))` : "";
    return `    ${a.label}${extra}${a.status === "attributed" || a.reason === null ? "" : `: ${a.reason}`}`;
};
/**
 * Grouped by kind: a heading with the count, then one indented line per change and, under it,
 * who made it (or why the audit log cannot say).
 */
/** The text form, line by line. */
export function* diffLines(result) {
    yield `diff of snapshot ${result.from} -> ${result.to}`;
    yield* coverageLines(result);
    yield* auditLogLines(result);
    if (result.changes.length === 0) {
        yield "no changes";
        return;
    }
    const byKind = new Map();
    for (const c of result.changes) {
        const list = byKind.get(c.kind);
        if (list === undefined)
            byKind.set(c.kind, [c]);
        else
            list.push(c);
    }
    for (const kind of DIFF_KINDS) {
        const count = result.summary[kind];
        if (count === 0)
            continue;
        yield "";
        yield `${kind} (${count})`;
        for (const c of byKind.get(kind) ?? []) {
            yield `  ${formatChange(c)}`;
            yield attributionText(c);
        }
    }
    yield "";
    yield `${result.changes.length} change(s)`;
}
//# sourceMappingURL=diff.js.map