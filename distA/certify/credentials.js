/**
 * Credentials as reviewable items (`certify start --scope credentials`): each admin API key
 * (reviewed by an organization Owner), each project API key owned by a user and each project
 * service account with its keys (reviewed like the project's grants: `by_project`,
 * `project_owners`), and each pending invite (an Owner). A key owned by a service account is
 * not an item of its own: the API deletes no such key (400), the service account is revoked
 * with its keys.
 *
 * What reviewers see is frozen as text: dates in UTC (YYYY-MM-DD), and the last use as the
 * store knows it: exact when at least USAGE_RESOLUTION_DAYS before the snapshot, otherwise
 * "used within N days" of it (the recorded use is that coarse: see src/facts/credentials.ts).
 *
 * The admin key the tool itself crawled with may be among the admin keys: the snapshot records
 * it redacted (`snapshots.key_redacted`, prefix and last four characters); an admin key whose
 * redacted value fits it is marked `match`, or `ambiguous` when several do (a warning, never a
 * guess). Remediation refuses, without a call, to delete a key marked `match` or one that fits
 * the key it runs with (remediate.ts).
 */
import { createHash } from "node:crypto";
import { USAGE_RESOLUTION_DAYS } from "../facts/credentials.js";
import { credentialItemId, populationQuery } from "./population.js";
const DAY = 86_400;
/** A unix time as a UTC date, YYYY-MM-DD. */
export const day = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10);
const num = (value) => value === null || value === undefined ? null : Number(value);
/** A key's last use as reviewers see it, relative to the snapshot taken at `snapshotAt`. */
export function lastUsedText(lastUsed, snapshotAt) {
    if (lastUsed === null)
        return "never";
    if (snapshotAt - lastUsed >= USAGE_RESOLUTION_DAYS * DAY)
        return day(lastUsed);
    return `used within ${USAGE_RESOLUTION_DAYS} days of the snapshot (${day(snapshotAt)})`;
}
/** A redacted key (`sk-admin...def`, `sk-admin-...abcd`) as its visible prefix and tail. */
function redactedParts(redacted) {
    const at = redacted.lastIndexOf("...");
    const ellipsis = redacted.lastIndexOf("…");
    const [index, width] = at >= 0 ? [at, 3] : ellipsis >= 0 ? [ellipsis, 1] : [-1, 0];
    if (index < 0)
        return null;
    const prefix = redacted.slice(0, index).replace(/-+$/, "");
    const tail = redacted.slice(index + width);
    if (tail.length < 3)
        return null;
    return { prefix, tail };
}
/**
 * Whether two redacted forms of keys can be the same key: their tails agree (the shorter ends
 * the longer) and so do their prefixes. Null when either form shows too little to tell.
 */
export function redactedFit(a, b) {
    const x = redactedParts(a);
    const y = redactedParts(b);
    if (x === null || y === null)
        return null;
    const tails = x.tail.endsWith(y.tail) || y.tail.endsWith(x.tail);
    const prefixes = x.prefix.startsWith(y.prefix) || y.prefix.startsWith(x.prefix);
    return tails && prefixes;
}
/** Whether the full key `key` has the redacted form `redacted` (its prefix and its tail). */
export function keyFits(key, redacted) {
    const parts = redactedParts(redacted);
    if (parts === null)
        return false;
    return key.startsWith(parts.prefix) && key.endsWith(parts.tail);
}
const sha = (value) => createHash("sha256").update(JSON.stringify(value)).digest("hex");
const projectText = (name, id, archived) => `${archived ? "archived " : ""}project "${name ?? id}"`;
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
/** The credentials of snapshot `snapshotId` as items, in a stable order. */
export async function loadCredentialPopulation(store, snapshotId) {
    const q = (name) => store.query(populationQuery(name), { s: snapshotId });
    const run = (await q("snapshot_run"))[0];
    const snapshotAt = num(run?.started) ?? 0;
    const toolKey = run?.key_redacted ?? null;
    const adminKeys = await q("admin_keys");
    const projectKeys = await q("project_api_keys");
    const serviceAccounts = await q("service_accounts");
    const invites = await q("invites");
    const orgOwners = (await q("organization_owners")).map((o) => o.email);
    const projectOwners = new Map();
    for (const o of await q("project_owners")) {
        projectOwners.set(o.project_id, [...(projectOwners.get(o.project_id) ?? []), o.email]);
    }
    const projectNames = new Map((await q("projects")).map((p) => [
        p.project_id,
        p.name,
    ]));
    const date = (value) => {
        const n = num(value);
        return n === null ? null : day(n);
    };
    const used = (value) => lastUsedText(num(value), snapshotAt);
    const base = {
        group_id: null,
        group_name: null,
        group_is_scim_managed: null,
        role_id: null,
        roles: [],
        project_owners: [],
        organization_owners: [],
        tool_key: null,
    };
    const items = [];
    const warnings = [];
    // The tool's own admin key: the admin keys whose redacted value fits the snapshot's.
    const fits = toolKey === null
        ? []
        : adminKeys.filter((k) => k.redacted_value !== null && redactedFit(toolKey, k.redacted_value));
    const toolMark = fits.length === 1 ? "match" : fits.length > 1 ? "ambiguous" : null;
    if (fits.length > 1) {
        warnings.push(`${fits.length} admin keys (${fits.map((k) => k.key_id).join(", ")}) fit the key snapshot ${snapshotId} was crawled with (${toolKey}): any of them may be the tool's own; revoking one refuses only when the key in use fits it`);
    }
    for (const k of adminKeys) {
        const owner = k.owner_email ?? k.owner_name ?? k.owner_id ?? "unknown owner";
        const ownerKind = k.owner_type === "service_account" ? "service account" : "user";
        const expires = num(k.expires);
        const mark = fits.includes(k) ? toolMark : null;
        const note = mark === "match"
            ? " (the admin key this tool crawled with)"
            : mark === "ambiguous"
                ? " (may be the admin key this tool crawled with)"
                : "";
        items.push({
            ...base,
            item_id: credentialItemId("admin_key", k.key_id),
            kind: "admin_key",
            user_id: k.owner_id,
            user_email: k.owner_email,
            user_name: k.owner_name,
            role_name: null,
            project_id: null,
            project_name: null,
            organization_owners: orgOwners,
            elevated: true,
            path: `admin API key "${k.name ?? k.key_id}" of ${ownerKind} ${owner}, ${expires === null ? "no expiry" : `expires ${day(expires)}`}${note}`,
            fingerprint: sha([k.owner_type, k.owner_id, expires]),
            credential_id: k.key_id,
            credential_name: k.name,
            redacted_value: k.redacted_value,
            owner_type: k.owner_type ?? "user",
            credential_created: date(k.created),
            credential_last_used: used(k.last_used),
            credential_expires: expires === null ? "never" : day(expires),
            tool_key: mark,
        });
    }
    for (const k of projectKeys) {
        const owner = k.owner_email ?? k.owner_name ?? k.owner_id ?? "unknown owner";
        const where = projectText(k.project_name, k.project_id, k.archived);
        items.push({
            ...base,
            item_id: credentialItemId("project_api_key", k.key_id, k.project_id),
            kind: "project_api_key",
            user_id: k.owner_id,
            user_email: k.owner_email,
            user_name: k.owner_name,
            role_name: null,
            project_id: k.project_id,
            project_name: k.project_name,
            project_owners: projectOwners.get(k.project_id) ?? [],
            elevated: (k.owner_role ?? "").toLowerCase() === "owner",
            path: `API key "${k.name ?? k.key_id}" of ${owner} (${k.owner_role ?? "no role"} of the project, access ${k.owner_project_access ?? "unknown"}) in ${where}`,
            fingerprint: sha([k.owner_id, k.owner_role, k.owner_project_access]),
            credential_id: k.key_id,
            credential_name: k.name,
            redacted_value: k.redacted_value,
            owner_type: "user",
            credential_created: date(k.created),
            credential_last_used: used(k.last_used),
            credential_expires: null,
        });
    }
    for (const sa of serviceAccounts) {
        const keys = sa.keys ?? [];
        const where = projectText(sa.project_name, sa.project_id, sa.archived);
        const uses = keys.map((k) => num(k.last_used)).filter((n) => n !== null);
        const keyText = keys.map((k) => `"${k.name ?? k.key_id}" (${k.redacted_value ?? k.key_id})`);
        items.push({
            ...base,
            item_id: credentialItemId("service_account", sa.service_account_id, sa.project_id),
            kind: "service_account",
            user_id: null,
            user_email: null,
            user_name: null,
            role_name: sa.role,
            project_id: sa.project_id,
            project_name: sa.project_name,
            project_owners: projectOwners.get(sa.project_id) ?? [],
            elevated: (sa.role ?? "").toLowerCase() === "owner",
            path: `service account "${sa.name ?? sa.service_account_id}" (role ${sa.role ?? "unknown"}) in ${where} with ${plural(keys.length, "key")}${keys.length === 0 ? "" : `: ${keyText.join(", ")}`}; revoking it deletes its keys`,
            fingerprint: sha([sa.role, keys.map((k) => k.key_id)]),
            credential_id: sa.service_account_id,
            credential_name: sa.name,
            redacted_value: keys.map((k) => k.redacted_value ?? k.key_id).join(", "),
            owner_type: "service_account",
            credential_created: date(sa.created),
            credential_last_used: keys.length === 0
                ? "no key"
                : uses.length === 0
                    ? "never"
                    : lastUsedText(Math.max(...uses), snapshotAt),
            credential_expires: null,
        });
    }
    for (const i of invites) {
        const projects = i.projects ?? [];
        const to = projects.map((p) => `"${projectNames.get(p.project_id) ?? p.project_id}" (${p.role ?? "member"})`);
        items.push({
            ...base,
            item_id: credentialItemId("invite", i.invite_id),
            kind: "invite",
            user_id: null,
            user_email: i.email,
            user_name: null,
            role_name: i.role,
            project_id: null,
            project_name: null,
            organization_owners: orgOwners,
            elevated: (i.role ?? "").toLowerCase() === "owner" ||
                projects.some((p) => (p.role ?? "").toLowerCase() === "owner"),
            path: `pending invite of ${i.email ?? i.invite_id} as ${i.role ?? "unknown role"}, ${projects.length === 0 ? "to no project" : `to project(s) ${to.join(", ")}`}`,
            fingerprint: sha([i.role, projects.map((p) => [p.project_id, p.role])]),
            credential_id: i.invite_id,
            credential_name: null,
            redacted_value: null,
            owner_type: null,
            credential_created: date(i.created),
            credential_last_used: null,
            credential_expires: date(i.expires),
        });
    }
    return { items, warnings };
}
//# sourceMappingURL=credentials.js.map