/**
 * Who reviews what: a YAML rules file, validated with zod:
 *
 *   default: sec-lead@example.com          # anything no other rule takes
 *   by_group: {<group id or name>: email}  # memberships, group roles, project attachments
 *   by_role: {<role id or name>: email}    # the item's role (a membership: its group's roles;
 *                                          # a project attachment: its project roles)
 *   by_project: {<project id or name>: email}  # every grant inside that project
 *   project_owners: true                   # a project's grants go to an owner of the project
 *   organization_owners: true              # admin keys and invites go to an Owner
 *   fallback: ciso@example.com             # who takes a self-review
 *
 * The first rule that matches wins, in this order: by_group, by_role, by_project,
 * project_owners, organization_owners, default. A project's credentials (user-owned keys,
 * service accounts) follow the project's rules like its grants; admin keys and pending invites
 * belong to no project: `organization_owners` picks, among the organization's Owners (not
 * service accounts, with an address), the smallest address that is not the item's own user
 * (the key's owner), and does not match when there is none. `project_owners` picks, among the project's owners (membership role
 * owner, not a service account, with an address), the smallest address that is not the item's
 * own user; when there is none it does not match and the next rule is tried. Self-review (the
 * reviewer of any other rule is the item's user, compared as normalised addresses) goes to
 * `fallback` when there is one.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { CertifyError } from "./errors.js";
import { DEFAULT_IDENTITY_RULES, sameIdentity } from "./identity.js";
const ADDRESS = /^[^\s@]+@[^\s@]+$/;
const email = z.string().trim().min(3).regex(ADDRESS, "expected an email address");
const ReviewersSchema = z
    .object({
    default: email.optional(),
    by_group: z.record(z.string(), email).optional(),
    by_role: z.record(z.string(), email).optional(),
    by_project: z.record(z.string(), email).optional(),
    project_owners: z.boolean().optional(),
    organization_owners: z.boolean().optional(),
    fallback: email.optional(),
})
    .strict();
const lower = (s) => s.trim().toLowerCase();
function fromParsed(parsed, sha256, source) {
    return {
        ...(parsed.default === undefined ? {} : { default: lower(parsed.default) }),
        byGroup: new Map(Object.entries(parsed.by_group ?? {}).map(([k, v]) => [k, lower(v)])),
        byRole: new Map(Object.entries(parsed.by_role ?? {}).map(([k, v]) => [k, lower(v)])),
        byProject: new Map(Object.entries(parsed.by_project ?? {}).map(([k, v]) => [k, lower(v)])),
        projectOwners: parsed.project_owners === true,
        organizationOwners: parsed.organization_owners === true,
        ...(parsed.fallback === undefined ? {} : { fallback: lower(parsed.fallback) }),
        sha256,
        source,
    };
}
/** Reads and validates a reviewers file; every problem is one line naming its key. */
export function loadReviewersFile(path) {
    let bytes;
    try {
        bytes = readFileSync(path);
    }
    catch (error) {
        const code = error && typeof error === "object" && "code" in error ? String(error.code) : "";
        throw new CertifyError("REVIEWERS_INVALID", `cannot read reviewers file ${path} (${code})`);
    }
    let data;
    try {
        data = parseYaml(bytes.toString("utf8"));
    }
    catch (error) {
        const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
        throw new CertifyError("REVIEWERS_INVALID", `reviewers file ${path}: invalid YAML: ${message}`);
    }
    const result = ReviewersSchema.safeParse(data ?? {});
    if (!result.success) {
        const problems = result.error.issues.map((issue) => {
            const key = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
            return `${key}: ${issue.message}`;
        });
        throw new CertifyError("REVIEWERS_INVALID", `reviewers file ${path}: ${problems.join("; ")}`);
    }
    const parsed = result.data;
    if (parsed.default === undefined &&
        Object.keys(parsed.by_group ?? {}).length === 0 &&
        Object.keys(parsed.by_role ?? {}).length === 0 &&
        Object.keys(parsed.by_project ?? {}).length === 0 &&
        parsed.project_owners !== true &&
        parsed.organization_owners !== true) {
        throw new CertifyError("REVIEWERS_INVALID", `reviewers file ${path}: default: needed when there is no by_group, by_role, by_project, project_owners or organization_owners rule`);
    }
    return fromParsed(parsed, createHash("sha256").update(bytes).digest("hex"), `file:${path}`);
}
/** One reviewer for everything (`--reviewer EMAIL`). */
export function singleReviewer(address) {
    const result = email.safeParse(address);
    if (!result.success) {
        throw new CertifyError("REVIEWERS_INVALID", `--reviewer: expected an email address`);
    }
    return fromParsed({ default: result.data }, null, `reviewer:${lower(result.data)}`);
}
/** A map's value under an id, else under a name: the rule text names the key that matched. */
function lookup(map, id, name) {
    const byId = id === null || id === undefined ? undefined : map.get(id);
    if (byId !== undefined)
        return { reviewer: byId, key: id };
    const byName = name === null || name === undefined ? undefined : map.get(name);
    return byName === undefined ? null : { reviewer: byName, key: name };
}
const codeUnitOrder = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
/**
 * The reviewer of one item, or null when no rule matches. Rules in order: by_group, by_role,
 * by_project, project_owners, organization_owners, default. Self-review (the reviewer is the item's user) compares
 * normalised addresses (`identity`, see identity.ts): `CISO+ops@x` and `ciso@x` are the same
 * person. `project_owners` never chooses the item's own user (it takes the next owner, or does
 * not match); any other rule's self-review goes to `fallback` unless the fallback is that person
 * too; whether a remaining self-review is allowed is decided by the caller.
 */
export function assignReviewer(rules, item, identity = DEFAULT_IDENTITY_RULES) {
    let found = null;
    if (item.group_id !== null) {
        const hit = lookup(rules.byGroup, item.group_id, item.group_name);
        if (hit !== null)
            found = { reviewer: hit.reviewer, rule: `by_group:${hit.key}` };
    }
    if (found === null) {
        for (const role of item.roles) {
            const hit = lookup(rules.byRole, role.role_id, role.role_name);
            if (hit !== null) {
                found = { reviewer: hit.reviewer, rule: `by_role:${hit.key}` };
                break;
            }
        }
    }
    const inProject = item.project_id !== null && item.project_id !== undefined;
    if (found === null && inProject && rules.byProject !== undefined) {
        const hit = lookup(rules.byProject, item.project_id, item.project_name);
        if (hit !== null)
            found = { reviewer: hit.reviewer, rule: `by_project:${hit.key}` };
    }
    if (found === null && inProject && rules.projectOwners === true) {
        const owners = (item.project_owners ?? [])
            .map(lower)
            .filter((owner) => ADDRESS.test(owner) && !sameIdentity(item.user_email, owner, identity))
            .sort(codeUnitOrder);
        if (owners[0] !== undefined)
            found = { reviewer: owners[0], rule: "project_owners" };
    }
    const orgOwners = item.organization_owners ?? [];
    if (found === null && orgOwners.length > 0 && rules.organizationOwners === true) {
        const owners = orgOwners
            .map(lower)
            .filter((owner) => ADDRESS.test(owner) && !sameIdentity(item.user_email, owner, identity))
            .sort(codeUnitOrder);
        if (owners[0] !== undefined)
            found = { reviewer: owners[0], rule: "organization_owners" };
    }
    if (found === null && rules.default !== undefined) {
        found = { reviewer: rules.default, rule: "default" };
    }
    if (found === null)
        return null;
    const self = sameIdentity(item.user_email, found.reviewer, identity);
    if (self &&
        rules.fallback !== undefined &&
        !sameIdentity(item.user_email, rules.fallback, identity)) {
        return {
            reviewer: rules.fallback,
            rule: `fallback (self-review under ${found.rule})`,
            self_review: false,
        };
    }
    return { ...found, self_review: self };
}
//# sourceMappingURL=reviewers.js.map