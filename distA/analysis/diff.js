/**
 * What changed between two complete snapshots: one SQL file per change kind in
 * `sql/diff/` (top level, shipped with the package), each run with `$from` and
 * `$to`. Either order works: diffing (b, a) gives the mirror image of (a, b).
 * The removal kinds (MIRRORED_KINDS) have no file of their own: they are their
 * counterpart's query run with `$from` and `$to` exchanged.
 *
 * Each file starts with a YAML comment header, the format rule files use too (sql-header.ts):
 *   -- kind: member_added
 *   -- description: a user became a member of a group
 *   -- why: …
 * and selects the change's fields (ids, names, before/after values); `kind`
 * is added here. Changes come back sorted by kind (the order of DIFF_KINDS),
 * then project_id, group_id, user_id, role_id, service_account_id, key_id, invite_id.
 *
 * Credentials (service accounts, project and admin API keys, invites) need the `credentials`
 * coverage scope. A key's last_used_at, a credential's name and an owner's display copies never
 * make a kind by themselves: a use is not an access change.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { AuditError } from "../errors.js";
import { COVERAGE_SCOPES } from "../facts/index.js";
import { sqlPath, sqlQueries } from "../util/sql-files.js";
import { installAnalysisMacros } from "./macros.js";
import { checkSqlMeta, parseSqlHeader } from "./sql-header.js";
export const DIFF_KINDS = [
    "group_added",
    "group_removed",
    "group_renamed",
    "group_scim_changed",
    "group_type_changed",
    "member_added",
    "member_removed",
    "group_role_granted",
    "group_role_revoked",
    "user_added",
    "user_removed",
    "user_role_changed",
    "user_role_granted",
    "user_role_revoked",
    "role_added",
    "role_removed",
    "role_permissions_changed",
    "access_gained",
    "access_lost",
    "project_added",
    "project_removed",
    "project_archived",
    "project_unarchived",
    "project_renamed",
    "project_member_added",
    "project_member_removed",
    "project_member_role_changed",
    "project_group_attached",
    "project_group_detached",
    "project_role_added",
    "project_role_removed",
    "project_role_permissions_changed",
    "project_group_role_granted",
    "project_group_role_revoked",
    "project_user_role_granted",
    "project_user_role_revoked",
    "project_access_gained",
    "project_access_lost",
    "service_account_created",
    "service_account_deleted",
    "service_account_role_changed",
    "api_key_created",
    "api_key_deleted",
    "api_key_owner_access_changed",
    "admin_key_created",
    "admin_key_deleted",
    "admin_key_expiry_changed",
    "invite_sent",
    "invite_revoked",
    "invite_accepted",
    "invite_expired",
    "invite_status_changed",
];
/**
 * Kinds that are the mirror image of another: `removed(from, to)` is `added(to, from)` (group and
 * project names are then set by nameByNewest). One SQL file serves both, so the two directions
 * cannot drift apart.
 */
export const MIRRORED_KINDS = {
    group_removed: "group_added",
    member_removed: "member_added",
    group_role_revoked: "group_role_granted",
    user_removed: "user_added",
    user_role_revoked: "user_role_granted",
    role_removed: "role_added",
    access_lost: "access_gained",
    project_removed: "project_added",
    // Archiving is one-way in the API; the mirror exists so that diff(b, a) is exact too.
    project_unarchived: "project_archived",
    project_member_removed: "project_member_added",
    project_group_detached: "project_group_attached",
    project_role_removed: "project_role_added",
    project_group_role_revoked: "project_group_role_granted",
    project_user_role_revoked: "project_user_role_granted",
    project_access_lost: "project_access_gained",
    service_account_deleted: "service_account_created",
    api_key_deleted: "api_key_created",
    admin_key_deleted: "admin_key_created",
    // A pending invite that disappeared: deleted (revoked) before anyone accepted it.
    invite_revoked: "invite_sent",
};
/** Every diff error is about the snapshots asked for (or not yet crawled): exit 2. */
export class DiffError extends AuditError {
    constructor(code, message) {
        super(code, message, { exitClass: "usage" });
    }
}
const snapshotQuery = sqlQueries("analysis/snapshots.sql");
const namesQuery = sqlQueries("analysis/diff-names.sql");
/** The `sql/diff` folder (dist/, dist-bench/src/ and src/ all work). */
export function diffSqlDirectory() {
    return sqlPath("diff");
}
const diffMetaSchema = z
    .object({
    kind: z.enum(DIFF_KINDS),
    description: z.string().min(1),
    /** Besides `organization`, which every kind needs. */
    requires: z.array(z.enum(COVERAGE_SCOPES)).optional(),
    why: z.string().min(1),
})
    .strict();
/** Parses one diff file (YAML header, then the query); throws on a missing or unknown kind. */
export function parseDiffQuery(file, text) {
    let header;
    let meta;
    try {
        header = parseSqlHeader(text, "kind");
        meta = checkSqlMeta(diffMetaSchema, header.meta);
    }
    catch (error) {
        throw new Error(`${file}: ${error.message}`);
    }
    const mirrorOf = MIRRORED_KINDS[meta.kind];
    if (mirrorOf)
        throw new Error(`${file}: ${meta.kind} is computed as the mirror of ${mirrorOf}`);
    if (header.sql === "")
        throw new Error(`${file}: no query after the header`);
    return {
        kind: meta.kind,
        description: meta.description,
        requires: ["organization", ...(meta.requires ?? [])],
        sql: header.sql,
        file,
        swapped: false,
    };
}
let cached = null;
/** Every diff query, one per kind, in DIFF_KINDS order. */
export function loadDiffQueries(directory = diffSqlDirectory()) {
    if (cached && directory === diffSqlDirectory())
        return cached;
    const byKind = new Map();
    for (const name of readdirSync(directory).filter((n) => n.endsWith(".sql"))) {
        const file = join(directory, name);
        const query = parseDiffQuery(file, readFileSync(file, "utf8"));
        const seen = byKind.get(query.kind);
        if (seen)
            throw new Error(`kind ${query.kind} is defined twice: ${seen.file} and ${file}`);
        byKind.set(query.kind, query);
    }
    const missing = DIFF_KINDS.filter((k) => !byKind.has(k) && !MIRRORED_KINDS[k]);
    if (missing.length > 0)
        throw new Error(`${directory}: no query for ${missing.join(", ")}`);
    const queries = DIFF_KINDS.map((k) => {
        const source = MIRRORED_KINDS[k];
        if (!source)
            return byKind.get(k);
        const q = byKind.get(source);
        return {
            ...q,
            kind: k,
            description: `the mirror image of ${source}: ${q.description}`,
            swapped: true,
        };
    });
    if (directory === diffSqlDirectory())
        cached = queries;
    return queries;
}
/** Complete snapshot ids, ascending. */
async function completeSnapshotIds(store) {
    const rows = await store.query(snapshotQuery("complete_ids"));
    return rows.map((r) => r.id);
}
/** The coverage scopes a snapshot collected (snapshot_coverage view). */
async function collectedScopes(store, id) {
    const rows = await store.query(snapshotQuery("collected_scopes"), {
        id,
    });
    return new Set(rows.map((r) => r.scope));
}
/** The last two complete snapshots, older first. */
export async function defaultDiffRange(store) {
    const ids = await completeSnapshotIds(store);
    const to = ids[ids.length - 1];
    const from = ids[ids.length - 2];
    if (from === undefined || to === undefined) {
        throw new DiffError("TOO_FEW_SNAPSHOTS", `a diff needs two complete snapshots; the database has ${ids.length}: run \`access-audit crawl\`${ids.length === 0 ? " twice" : " again"}`);
    }
    return { from, to };
}
async function requireComplete(store, id) {
    const rows = await store.query(snapshotQuery("snapshot_status"), { id });
    const status = rows[0]?.status;
    if (status === undefined) {
        throw new DiffError("UNKNOWN_SNAPSHOT", `no snapshot ${id} in the database`);
    }
    if (status !== "complete") {
        throw new DiffError("SNAPSHOT_NOT_COMPLETE", `snapshot ${id} is ${status}, not complete: only complete snapshots can be compared`);
    }
}
const ID_FIELDS = [
    "project_id",
    "group_id",
    "user_id",
    "role_id",
    "service_account_id",
    "key_id",
    "invite_id",
];
function compareChanges(a, b) {
    const kinds = DIFF_KINDS.indexOf(a.kind) - DIFF_KINDS.indexOf(b.kind);
    if (kinds !== 0)
        return kinds;
    for (const field of ID_FIELDS) {
        const x = a[field] ?? "";
        const y = b[field] ?? "";
        if (x !== y)
            return x < y ? -1 : 1;
    }
    return 0;
}
const text = (v) => (typeof v === "string" ? v : null);
/** The `{group_id, group_name}` entries of an access change's `via` list. */
function viaEntries(change) {
    const via = change.via;
    if (!Array.isArray(via))
        return [];
    return via.filter((v) => v !== null && typeof v === "object" && !Array.isArray(v));
}
/**
 * Gives every `group_name` and `project_name` of `changes` (and the groups of their `via` paths)
 * the thing's name in `to`, or in `from` when `to` no longer has it. Done once here rather than in
 * each query: a removal kind runs its counterpart's file with the snapshots exchanged, so its
 * names would otherwise be the older snapshot's, and a group renamed in the interval would be
 * named two ways in one diff. Renames keep their own `before` and `after`.
 */
async function nameByNewest(store, changes, range) {
    const groupIds = new Set();
    const projectIds = new Set();
    for (const c of changes) {
        const group = text(c.group_id);
        if (group !== null && "group_name" in c)
            groupIds.add(group);
        for (const v of viaEntries(c)) {
            const id = text(v.group_id);
            if (id !== null)
                groupIds.add(id);
        }
        const project = text(c.project_id);
        if (project !== null && "project_name" in c)
            projectIds.add(project);
    }
    const lookup = async (name, ids) => {
        if (ids.size === 0)
            return new Map();
        const rows = await store.query(namesQuery(name), {
            ...range,
            ids: JSON.stringify([...ids].sort()),
        });
        return new Map(rows.map((r) => [r.id, r.name]));
    };
    const groups = await lookup("group_names", groupIds);
    const projects = await lookup("project_names", projectIds);
    for (const c of changes) {
        const group = text(c.group_id);
        // A group the organization never listed (e.g. attached to a project only) keeps its row's name.
        if (group !== null && "group_name" in c && groups.has(group))
            c.group_name = groups.get(group);
        for (const v of viaEntries(c)) {
            const id = text(v.group_id);
            if (id !== null && groups.has(id))
                v.group_name = groups.get(id) ?? null;
        }
        const project = text(c.project_id);
        if (project !== null && "project_name" in c && projects.has(project)) {
            c.project_name = projects.get(project);
        }
    }
}
/** Every change between two complete snapshots, `from` → `to` (either may be the newer). */
export async function diffSnapshots(store, range, options = {}) {
    const { from, to } = range;
    for (const id of [from, to]) {
        if (!Number.isSafeInteger(id))
            throw new DiffError("UNKNOWN_SNAPSHOT", `bad snapshot id ${id}`);
    }
    await requireComplete(store, from);
    await requireComplete(store, to);
    const summary = Object.fromEntries(DIFF_KINDS.map((k) => [k, 0]));
    const changes = [];
    const collectedFrom = await collectedScopes(store, from);
    const collectedTo = await collectedScopes(store, to);
    const coverageChanged = COVERAGE_SCOPES.filter((scope) => collectedFrom.has(scope) !== collectedTo.has(scope)).map((scope) => ({
        scope,
        from_collected: collectedFrom.has(scope),
        to_collected: collectedTo.has(scope),
    }));
    const notCollected = COVERAGE_SCOPES.filter((scope) => !collectedFrom.has(scope) && !collectedTo.has(scope));
    const notCompared = [];
    if (from !== to) {
        await installAnalysisMacros(store);
        for (const query of loadDiffQueries()) {
            if (options.kinds !== undefined && !options.kinds.includes(query.kind))
                continue;
            const missing = query.requires.filter((s) => !collectedFrom.has(s) || !collectedTo.has(s));
            if (missing.length > 0) {
                notCompared.push({ kind: query.kind, missing });
                continue;
            }
            const params = query.swapped ? { from: to, to: from } : { from, to };
            const rows = await store.query(query.sql, params);
            for (const row of rows)
                changes.push({ kind: query.kind, ...row });
            summary[query.kind] = rows.length;
        }
        await nameByNewest(store, changes, { from, to });
    }
    changes.sort(compareChanges);
    return {
        from,
        to,
        changes,
        summary,
        coverage_changed: coverageChanged,
        not_collected: notCollected,
        not_compared: notCompared,
    };
}
//# sourceMappingURL=diff.js.map