/** Project of a historical event: an index into `projects`, NO_PROJECT or DEFAULT_PROJECT. */
export const NO_PROJECT = -1;
export const DEFAULT_PROJECT = -2;
/** A small fast generator (mulberry32) seeded by (key, seq): one per event. */
export class EventRng {
    s;
    constructor(key, seq) {
        let h = (key ^ Math.imul(seq + 1, 0x9e3779b1)) | 0;
        h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
        h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
        this.s = (h ^ (h >>> 16)) | 0;
    }
    nextUint32() {
        this.s = (this.s + 0x6d2b79f5) | 0;
        let t = this.s;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return (t ^ (t >>> 14)) >>> 0;
    }
    next() {
        return this.nextUint32() / 4294967296;
    }
    int(n) {
        return Math.floor(this.next() * n);
    }
    chance(p) {
        return this.next() < p;
    }
    pick(items) {
        return items[this.int(items.length)];
    }
}
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** A time-ordered id shaped like the simulator's others (`key_01J…`), at `at` (unix seconds). */
export function ghostId(prefix, at, rng) {
    let time = "";
    let t = Math.max(0, Math.floor(at * 1000 + rng.int(1000)));
    for (let i = 0; i < 10; i++) {
        time = CROCKFORD.charAt(t % 32) + time;
        t = Math.floor(t / 32);
    }
    let random = "";
    for (let i = 0; i < 16; i++)
        random += CROCKFORD.charAt(rng.nextUint32() & 31);
    return `${prefix}${time}${random}`;
}
/** The mix of a real organization's log: logins and project membership dominate. */
const MIX = [
    ["login.succeeded", 14, "login"],
    ["login.failed", 2, "login"],
    ["logout.succeeded", 4, "login"],
    ["user.added", 12, "either"],
    ["user.updated", 5, "either"],
    ["user.deleted", 5, "either"],
    ["role.assignment.created", 10, "either"],
    ["role.assignment.deleted", 5, "either"],
    ["api_key.created", 10, "either"],
    ["api_key.deleted", 6, "either"],
    ["service_account.created", 2, "project"],
    ["service_account.updated", 1, "project"],
    ["service_account.deleted", 1, "project"],
    ["group.created", 1.5, "org"],
    ["group.updated", 1.5, "org"],
    ["group.deleted", 0.5, "org"],
    ["invite.sent", 4, "org"],
    ["invite.accepted", 2.5, "org"],
    ["invite.deleted", 1, "org"],
    ["project.created", 0.7, "org"],
    ["project.updated", 0.8, "org"],
    ["project.archived", 0.3, "org"],
    ["role.created", 0.6, "either"],
    ["role.updated", 1.2, "either"],
    ["role.deleted", 0.3, "either"],
];
const MIX_TOTAL = MIX.reduce((sum, [, weight]) => sum + weight, 0);
/** Share of each "either" type that happens inside a project. */
const PROJECT_SHARE = {
    "user.added": 0.75,
    "user.updated": 0.8,
    "user.deleted": 0.7,
    "role.assignment.created": 0.6,
    "role.assignment.deleted": 0.6,
    "api_key.created": 0.9,
    "api_key.deleted": 0.9,
    "role.created": 0.5,
    "role.updated": 0.5,
    "role.deleted": 0.5,
};
const ROLE_NAMES = [
    "Billing Viewer",
    "Support Engineer",
    "Model Evaluator",
    "Data Steward",
    "Incident Responder",
    "Release Manager",
    "Fine-tuning Operator",
    "Read-only Auditor",
];
const ORG_PERMISSIONS = [
    "api.organization.read",
    "api.organization.projects.read",
    "api.organization.users.read",
    "api.organization.groups.read",
    "api.organization.groups.write",
    "api.usage.read",
    "api.audit_logs.read",
    "api.organization.admin_api_keys.read",
];
const PROJECT_PERMISSIONS = [
    "api.project.read",
    "api.project.write",
    "api.project.models.read",
    "api.project.models.request",
    "api.organization.projects.users.read",
    "api.organization.projects.api_keys.read",
    "api.organization.projects.service_accounts.write",
];
const PROJECT_WORDS = ["Search", "Assistant", "Billing", "Insights", "Pilot", "Labs", "Support"];
const LOGIN_ERRORS = [
    ["invalid_credentials", "The email or password is incorrect."],
    ["mfa_failed", "The multi-factor authentication code is invalid."],
    ["sso_required", "This organization requires single sign-on."],
];
/** Inference (the docs do not say what `scopes` hold): a full-access key. */
export const PROJECT_KEY_SCOPES = ["api.all"];
/** Inference: an admin key's scopes. */
export const ADMIN_KEY_SCOPES = [
    "api.organization.read",
    "api.organization.write",
];
function pickSome(rng, vocabulary, min, max) {
    const count = min + rng.int(max - min + 1);
    const out = new Set();
    while (out.size < Math.min(count, vocabulary.length))
        out.add(rng.pick(vocabulary));
    return [...out].sort();
}
/**
 * Historical event number `seq` at `effectiveAt`. Type, actor and project are drawn first, the
 * detail after them, so seeding (which needs no detail) and serving draw the same values.
 */
export function synthesize(sources, key, seq, effectiveAt, withDetail) {
    const rng = new EventRng(key, seq);
    let roll = rng.next() * MIX_TOTAL;
    let entry = MIX[MIX.length - 1];
    for (const candidate of MIX) {
        roll -= candidate[1];
        if (roll < 0) {
            entry = candidate;
            break;
        }
    }
    const [type, , scope] = entry;
    const hasProjects = sources.projects.length > 0;
    const inProject = hasProjects &&
        (scope === "project" || (scope === "either" && rng.chance(PROJECT_SHARE[type] ?? 0.5)));
    let project = inProject ? rng.int(sources.projects.length) : NO_PROJECT;
    const people = sources.users.length > 0 ? sources.users : sources.admins;
    const admins = sources.admins.length > 0 ? sources.admins : people;
    let actor;
    const who = rng.next();
    if (scope === "login" || type === "invite.accepted") {
        actor = people.length > 0 ? { kind: "session", user: rng.pick(people) } : { kind: "scim" };
    }
    else if ((type === "user.added" || type === "user.deleted") &&
        project === NO_PROJECT &&
        who < 0.35) {
        actor = { kind: "scim" };
    }
    else if (who < 0.62 && admins.length > 0) {
        actor = { kind: "session", user: rng.pick(admins) };
    }
    else if (who < 0.92 && sources.adminKeys.length > 0) {
        actor = { kind: "admin_key", index: rng.int(sources.adminKeys.length) };
    }
    else if (inProject && sources.serviceAccountKeys.length > 0) {
        const index = rng.int(sources.serviceAccountKeys.length);
        actor = { kind: "sa_key", index };
        // A service account's key acts inside its own project.
        project = sources.serviceAccountKeys[index].project;
    }
    else if (admins.length > 0) {
        actor = { kind: "session", user: rng.pick(admins) };
    }
    else {
        actor = { kind: "scim" };
    }
    if (project === NO_PROJECT && actor.kind === "admin_key" && sources.defaultProject) {
        project = DEFAULT_PROJECT;
    }
    if (!withDetail)
        return { type, actor, project };
    return {
        type,
        actor,
        project,
        detail: detailOf(sources, rng, type, inProject, project, effectiveAt),
    };
}
function detailOf(sources, rng, type, inProject, project, at) {
    const projectId = project >= 0
        ? sources.projects[project].id
        : (sources.defaultProject?.id ?? sources.organizationId);
    const someone = () => sources.users.length > 0 ? rng.pick(sources.users).id : ghostId("user_", at, rng);
    const someGroup = () => sources.groups.length > 0
        ? rng.pick(sources.groups)
        : { id: ghostId("group_", at, rng), name: "Team" };
    const projectRole = () => (rng.chance(0.2) ? "owner" : "member");
    switch (type) {
        case "login.succeeded":
        case "logout.succeeded":
            return {};
        case "login.failed": {
            const [code, message] = rng.pick(LOGIN_ERRORS);
            return { error_code: code, error_message: message };
        }
        case "user.added":
            return inProject
                ? { id: someone(), data: { role: projectRole() } }
                : { id: ghostId("user_", at, rng), data: { role: rng.chance(0.05) ? "owner" : "reader" } };
        case "user.updated":
            return {
                id: someone(),
                changes_requested: {
                    role: inProject ? projectRole() : rng.chance(0.5) ? "owner" : "reader",
                },
            };
        case "user.deleted":
            return { id: inProject ? someone() : ghostId("user_", at, rng) };
        case "role.assignment.created":
        case "role.assignment.deleted": {
            const group = rng.chance(0.5);
            return {
                id: ghostId("ra_", at, rng),
                principal_id: group ? someGroup().id : someone(),
                principal_type: group ? "group" : "user",
                resource_id: inProject ? projectId : sources.organizationId,
                resource_type: inProject ? "api.project" : "api.organization",
            };
        }
        case "api_key.created":
            return {
                id: ghostId("key_", at, rng),
                data: { scopes: [...(inProject ? PROJECT_KEY_SCOPES : ADMIN_KEY_SCOPES)] },
            };
        case "api_key.deleted":
            return { id: ghostId("key_", at, rng) };
        case "service_account.created":
            return { id: ghostId("svc_acct_", at, rng), data: { role: "member" } };
        case "service_account.updated":
            return {
                id: ghostId("svc_acct_", at, rng),
                changes_requested: { role: rng.chance(0.5) ? "owner" : "member" },
            };
        case "service_account.deleted":
            return { id: ghostId("svc_acct_", at, rng) };
        case "group.created":
            return {
                id: ghostId("group_", at, rng),
                data: { group_name: `${rng.pick(PROJECT_WORDS)} team` },
            };
        case "group.updated": {
            const g = someGroup();
            return { id: g.id, changes_requested: { group_name: g.name } };
        }
        case "group.deleted":
            return { id: ghostId("group_", at, rng) };
        case "invite.sent":
            return {
                id: ghostId("invite-", at, rng),
                data: {
                    email: `invitee.${10_000 + rng.int(90_000)}@example.org`,
                    role: rng.chance(0.1) ? "owner" : "reader",
                },
            };
        case "invite.accepted":
        case "invite.deleted":
            return { id: ghostId("invite-", at, rng) };
        case "project.created": {
            const name = `${rng.pick(PROJECT_WORDS)} ${rng.pick(PROJECT_WORDS)}`;
            return { id: ghostId("proj_", at, rng), data: { name, title: name } };
        }
        case "project.updated": {
            const p = sources.projects.length > 0 ? rng.pick(sources.projects) : undefined;
            return p === undefined
                ? { id: ghostId("proj_", at, rng), changes_requested: { title: "Renamed project" } }
                : { id: p.id, changes_requested: { title: p.name } };
        }
        case "project.archived":
            return { id: ghostId("proj_", at, rng) };
        case "role.created":
            return {
                id: ghostId("role_", at, rng),
                role_name: rng.pick(ROLE_NAMES),
                permissions: pickSome(rng, inProject ? PROJECT_PERMISSIONS : ORG_PERMISSIONS, 2, 5),
                resource_type: inProject ? "api.project" : "api.organization",
                resource_id: inProject ? projectId : sources.organizationId,
            };
        case "role.updated": {
            const vocabulary = inProject ? PROJECT_PERMISSIONS : ORG_PERMISSIONS;
            const added = pickSome(rng, vocabulary, 0, 2);
            const removed = pickSome(rng, vocabulary, 0, 1).filter((p) => !added.includes(p));
            const changes = {
                permissions_added: added,
                permissions_removed: removed,
            };
            if (rng.chance(0.3))
                changes.role_name = rng.pick(ROLE_NAMES);
            return { id: ghostId("role_", at, rng), changes_requested: changes };
        }
        default:
            // role.deleted
            return { id: ghostId("role_", at, rng) };
    }
}
//# sourceMappingURL=audit-history.js.map