/**
 * Seeded, reproducible fault injection.
 *
 * Each fault kind draws from its own PRNG stream once per eligible request,
 * whether or not it fires, so enabling one kind never moves where another
 * fires: the same request sequence always meets the same faults.
 */
import { Prng } from "./prng.js";
import { PROJECT_OWNER_ROLE } from "./projects-state.js";
export const FAULT_KINDS = [
    "latency",
    "rate429",
    "status5xx",
    "shouldRetryFalse",
    "drop",
    "malformed",
    "stuckCursor",
    "nextNullWithHasMore",
    "emptyPageWithHasMore",
    "missingHasMore",
    "shortPage",
    "mutateBetweenPages",
    "rateLimited",
    "invalidUtf8",
    "nonJson",
    "deeplyNested",
    "hugeBody",
    "oversizedPage",
    "endlessPages",
];
/** Faults that replace a list page's envelope, in priority order. */
export const LIST_FAULTS = [
    "stuckCursor",
    "nextNullWithHasMore",
    "emptyPageWithHasMore",
    "missingHasMore",
    "shortPage",
];
/** Faults that replace a 200's body, in priority order (at most one applies). */
export const BODY_FAULTS = ["hugeBody", "nonJson", "deeplyNested", "invalidUtf8"];
const NO_FAULTS = {
    latencyMs: 0,
    pre: undefined,
    malformed: false,
    list: [],
    mutate: false,
    body: [],
    oversizedPage: false,
    endlessPages: false,
};
export class FaultInjector {
    config;
    streams = new Map();
    pathPattern;
    eligibleSeen = 0;
    injected = 0;
    /** Drives the mutations of `mutateBetweenPagesRate`. */
    mutationRng;
    constructor(config, defaultSeed) {
        this.config = config;
        const seed = config.seed ?? defaultSeed;
        const names = [
            "latency",
            "rate429",
            "status5xx",
            "drop",
            "malformed",
            ...LIST_FAULTS,
            "mutate",
            ...BODY_FAULTS,
            "oversizedPage",
            "endlessPages",
        ];
        for (const name of names)
            this.streams.set(name, new Prng(seed, `fault:${name}`));
        this.mutationRng = new Prng(seed, "fault:mutation-choices");
        this.pathPattern = config.paths === undefined ? undefined : new RegExp(config.paths);
    }
    stream(name) {
        return this.streams.get(name);
    }
    /** Rolls every kind once for this request (if eligible). */
    roll(path) {
        if (this.pathPattern !== undefined && !this.pathPattern.test(path))
            return NO_FAULTS;
        this.eligibleSeen++;
        if (this.config.firstN !== undefined && this.eligibleSeen > this.config.firstN) {
            return NO_FAULTS;
        }
        const c = this.config;
        const latencyRoll = this.stream("latency").next();
        const latencyMs = (c.latencyMs ?? 0) + latencyRoll * (c.latencyJitterMs ?? 0);
        const fires = (name, rate) => {
            const rng = this.stream(name);
            const roll = rng.next();
            return rate !== undefined && roll < rate;
        };
        const drop = fires("drop", c.rateDrop);
        const status5xxRng = this.stream("status5xx");
        const roll5xx = status5xxRng.next();
        const statusPick = status5xxRng.next();
        const shouldRetryRoll = status5xxRng.next();
        const fault5xx = c.rate5xx !== undefined && roll5xx < c.rate5xx;
        const fault429 = fires("rate429", c.rate429);
        const malformed = fires("malformed", c.rateMalformed);
        const list = [];
        const listRates = {
            stuckCursor: c.stuckCursorRate,
            nextNullWithHasMore: c.nextNullWithHasMoreRate,
            emptyPageWithHasMore: c.emptyPageWithHasMoreRate,
            missingHasMore: c.missingHasMoreRate,
            shortPage: c.shortPageRate,
        };
        for (const kind of LIST_FAULTS)
            if (fires(kind, listRates[kind]))
                list.push(kind);
        const mutate = fires("mutate", c.mutateBetweenPagesRate);
        const bodyRates = {
            hugeBody: c.hugeBodyRate,
            nonJson: c.nonJsonRate,
            deeplyNested: c.deeplyNestedRate,
            invalidUtf8: c.invalidUtf8Rate,
        };
        const body = [];
        for (const kind of BODY_FAULTS)
            if (fires(kind, bodyRates[kind]))
                body.push(kind);
        const oversizedPage = fires("oversizedPage", c.oversizedPageRate);
        const endlessPages = fires("endlessPages", c.endlessPagesRate);
        let pre;
        if (drop)
            pre = { kind: "drop" };
        else if (fault5xx) {
            const statuses = c.statuses5xx !== undefined && c.statuses5xx.length > 0 ? c.statuses5xx : [500, 502, 503];
            pre = {
                kind: "status5xx",
                status: statuses[Math.floor(statusPick * statuses.length)] ?? 500,
                shouldRetryFalse: c.shouldRetryFalseRate !== undefined && shouldRetryRoll < c.shouldRetryFalseRate,
            };
        }
        else if (fault429) {
            pre = {
                kind: "rate429",
                retryAfterSeconds: c.retryAfterSeconds === undefined ? 1 : c.retryAfterSeconds,
                retryAfterMs: c.retryAfterMs,
            };
        }
        return { latencyMs, pre, malformed, list, mutate, body, oversizedPage, endlessPages };
    }
    /** Takes one unit of the `maxFaults` budget; false when it is spent. */
    take() {
        if (this.config.maxFaults !== undefined && this.injected >= this.config.maxFaults)
            return false;
        this.injected++;
        return true;
    }
}
/** Share of mutations that change a project instead (when an active project exists). */
const PROJECT_MUTATION_SHARE = 0.25;
/** The share while a project's list is being paged (its project is then the focus). */
const FOCUSED_PROJECT_MUTATION_SHARE = 0.6;
/** Each caller's generator -> the side stream its project mutations draw from. */
const projectStreams = new WeakMap();
/**
 * Share of the remaining mutations that change a credential (key, service account, invite) when
 * credential changes are asked for (the server asks while a credential list is paged).
 */
const CREDENTIAL_MUTATION_SHARE = 0.5;
/** Each caller's generator -> the side stream its credential mutations draw from. */
const credentialStreams = new WeakMap();
/**
 * One random change to the organization, as a concurrent administrator might
 * make between two pages of a crawl. `focusGroupId` (the group being listed)
 * gets membership changes half of the time. Returns a description ("kind id
 * id…"), or undefined when nothing applicable was found.
 *
 * Some of the changes touch projects (see applyRandomProjectMutation), more
 * often while a project's list is paged (`focusProjectId`). Whether a change
 * is a project one, and which, is drawn from a side stream derived from `rng`
 * without consuming it: the organization-level changes drawn from `rng` are
 * exactly the sequence they were before projects existed, some calls simply
 * change a project instead. With `options.credentials` (the server sets it
 * between pages of a credential list), credential changes
 * (applyRandomCredentialMutation) come the same way from a second side stream,
 * consulted after the project one: the project changes, too, are exactly the
 * sequence they were before. Without it (the default), nothing changes for
 * existing callers.
 */
export function applyRandomMutation(state, rng, focusGroupId, focusProjectId, options = {}) {
    let credentialSide = credentialStreams.get(rng);
    if (credentialSide === undefined && options.credentials === true) {
        credentialSide = rng.derive("credential-mutations");
        credentialStreams.set(rng, credentialSide);
    }
    if (state.activeProjectIds().length > 0) {
        let side = projectStreams.get(rng);
        if (side === undefined) {
            side = rng.derive("project-mutations");
            projectStreams.set(rng, side);
        }
        const focus = focusProjectId !== undefined && state.hasProject(focusProjectId) ? focusProjectId : undefined;
        if (side.chance(focus === undefined ? PROJECT_MUTATION_SHARE : FOCUSED_PROJECT_MUTATION_SHARE)) {
            return applyRandomProjectMutation(state, side, focus);
        }
    }
    if (options.credentials === true &&
        credentialSide !== undefined &&
        credentialSide.chance(CREDENTIAL_MUTATION_SHARE)) {
        return applyRandomCredentialMutation(state, credentialSide, focusProjectId);
    }
    const groupIds = state.groupIds();
    const roleIds = state.roleIds();
    const randomUser = () => {
        const slots = state.userSlotCount();
        for (let attempt = 0; attempt < 20 && slots > 0; attempt++) {
            const id = state.userIdAtSlot(rng.int(slots));
            if (id !== undefined)
                return id;
        }
        return undefined;
    };
    const focus = focusGroupId !== undefined && state.hasGroup(focusGroupId) && rng.chance(0.5)
        ? focusGroupId
        : undefined;
    const randomGroup = () => focus ?? (groupIds.length > 0 ? rng.pick(groupIds) : undefined);
    const roll = rng.int(100);
    if (roll < 25) {
        const g = randomGroup();
        const u = randomUser();
        if (g === undefined || u === undefined)
            return undefined;
        return state.addMember(g, u) ? `addMember ${g} ${u}` : undefined;
    }
    if (roll < 50) {
        const g = randomGroup();
        if (g === undefined)
            return undefined;
        const size = state.groupSize(g);
        if (size === 0)
            return undefined;
        const u = state.groupMemberIdAt(g, rng.int(size));
        if (u === undefined)
            return undefined;
        return state.removeMember(g, u) ? `removeMember ${g} ${u}` : undefined;
    }
    if (roll < 60) {
        const created = state.createGroup(`Ad-hoc Group ${rng.range(1000, 9999)}`);
        return `createGroup ${created.id}`;
    }
    if (roll < 70) {
        const candidates = groupIds.filter((id) => id !== focusGroupId);
        if (candidates.length === 0)
            return undefined;
        const g = rng.pick(candidates);
        state.deleteGroup(g);
        return `deleteGroup ${g}`;
    }
    if (roll < 80) {
        const g = randomGroup();
        if (g === undefined || roleIds.length === 0)
            return undefined;
        const r = rng.pick(roleIds);
        return state.assignGroupRole(g, r) ? `assignGroupRole ${g} ${r}` : undefined;
    }
    if (roll < 90) {
        const g = randomGroup();
        if (g === undefined)
            return undefined;
        const assigned = state.groupRoleIds(g);
        if (assigned.length === 0)
            return undefined;
        const r = rng.pick(assigned);
        return state.unassignGroupRole(g, r) ? `unassignGroupRole ${g} ${r}` : undefined;
    }
    const u = randomUser();
    if (u === undefined || roleIds.length === 0)
        return undefined;
    if (roll < 95) {
        const r = rng.pick(roleIds);
        return state.assignUserRole(u, r) ? `assignUserRole ${u} ${r}` : undefined;
    }
    const direct = state.directUserRoleIds(u);
    if (direct.length === 0)
        return undefined;
    const r = rng.pick(direct);
    return state.unassignUserRole(u, r) ? `unassignUserRole ${u} ${r}` : undefined;
}
/**
 * One random change to a project's access, as a concurrent project owner might make: add or
 * remove a member, change a member's role, attach or detach a group, assign or unassign a
 * project role of a group or a member. Only active projects change (archived ones refuse
 * writes); members of the Default project are never removed. `focusProjectId` (the project being
 * listed) is chosen half of the time when active. Returns a description, or undefined.
 */
export function applyRandomProjectMutation(state, rng, focusProjectId) {
    const active = state.activeProjectIds();
    if (active.length === 0)
        return undefined;
    const p = focusProjectId !== undefined && active.includes(focusProjectId) && rng.chance(0.5)
        ? focusProjectId
        : rng.pick(active);
    const pick = (items) => items.length === 0 ? undefined : rng.pick(items);
    const members = state.projectMemberIds(p);
    const groups = state.projectGroupIds(p);
    const roles = state.projectRoleIds(p);
    const owner = state.projectRoleIdByName(p, PROJECT_OWNER_ROLE);
    const roll = rng.int(100);
    if (roll < 20) {
        const slots = state.userSlotCount();
        for (let attempt = 0; attempt < 20 && slots > 0; attempt++) {
            const u = state.userIdAtSlot(rng.int(slots));
            if (u === undefined || state.isProjectMember(p, u))
                continue;
            const role = rng.chance(0.15) ? "owner" : "member";
            return state.addProjectUser(p, u, role) ? `addProjectUser ${p} ${u} ${role}` : undefined;
        }
        return undefined;
    }
    if (roll < 35) {
        const u = pick(members);
        if (u === undefined || state.isDefaultProject(p))
            return undefined;
        return state.removeProjectUser(p, u) ? `removeProjectUser ${p} ${u}` : undefined;
    }
    if (roll < 50) {
        const u = pick(members);
        if (u === undefined)
            return undefined;
        const role = state.getProjectUser(p, u)?.role === "owner" ? "member" : "owner";
        return state.setProjectUserRole(p, u, role)
            ? `setProjectUserRole ${p} ${u} ${role}`
            : undefined;
    }
    if (roll < 65) {
        const candidates = state.groupIds().filter((g) => !groups.includes(g));
        const g = pick(candidates);
        // Owner is a rare grant to a whole group.
        const r = pick(roles.filter((id) => id !== owner || rng.chance(0.2)));
        if (g === undefined || r === undefined)
            return undefined;
        return state.attachProjectGroup(p, g, r) ? `attachProjectGroup ${p} ${g} ${r}` : undefined;
    }
    if (roll < 75) {
        const g = pick(groups);
        if (g === undefined)
            return undefined;
        return state.detachProjectGroup(p, g) ? `detachProjectGroup ${p} ${g}` : undefined;
    }
    const r = pick(roles);
    if (r === undefined)
        return undefined;
    if (roll < 82) {
        const g = pick(groups);
        if (g === undefined)
            return undefined;
        return state.assignProjectGroupRole(p, g, r)
            ? `assignProjectGroupRole ${p} ${g} ${r}`
            : undefined;
    }
    if (roll < 88) {
        const u = pick(members);
        if (u === undefined)
            return undefined;
        return state.assignProjectUserRole(p, u, r)
            ? `assignProjectUserRole ${p} ${u} ${r}`
            : undefined;
    }
    if (roll < 94) {
        const g = pick(groups);
        if (g === undefined)
            return undefined;
        const assigned = pick(state.projectGroupRoleIds(p, g));
        if (assigned === undefined)
            return undefined;
        return state.unassignProjectGroupRole(p, g, assigned)
            ? `unassignProjectGroupRole ${p} ${g} ${assigned}`
            : undefined;
    }
    const u = pick(members);
    if (u === undefined)
        return undefined;
    const direct = pick(state.directProjectUserRoleIds(p, u));
    if (direct === undefined)
        return undefined;
    return state.unassignProjectUserRole(p, u, direct)
        ? `unassignProjectUserRole ${p} ${u} ${direct}`
        : undefined;
}
/**
 * One random change to the credentials, as a concurrent administrator (or an invitee) might
 * make: create or delete a service account, change its role, create or delete a user's key,
 * create or delete an admin key (never the one the simulator accepts), send, revoke or accept an
 * invite. `focusProjectId` (the project being listed) is chosen half of the time when active.
 * Returns a description naming the ids involved, or undefined when nothing applicable was found.
 */
export function applyRandomCredentialMutation(state, rng, focusProjectId) {
    const active = state.activeProjectIds();
    const pickProject = () => focusProjectId !== undefined && active.includes(focusProjectId) && rng.chance(0.5)
        ? focusProjectId
        : active.length > 0
            ? rng.pick(active)
            : undefined;
    const pick = (items) => items.length === 0 ? undefined : rng.pick(items);
    const roll = rng.int(100);
    if (roll < 40) {
        const p = pickProject();
        if (p === undefined)
            return undefined;
        const serviceAccounts = state.listServiceAccounts(p);
        if (roll < 14) {
            const { serviceAccount, apiKey } = state.createServiceAccount(p, `automation-${rng.range(100, 999)}`);
            return `createServiceAccount ${p} ${serviceAccount.id} ${apiKey?.id ?? ""}`.trimEnd();
        }
        if (roll < 22) {
            const sa = pick(serviceAccounts);
            if (sa === undefined)
                return undefined;
            state.deleteServiceAccount(p, sa.id);
            return `deleteServiceAccount ${p} ${sa.id}`;
        }
        if (roll < 28) {
            const sa = pick(serviceAccounts.filter((x) => x.role !== "none"));
            if (sa === undefined)
                return undefined;
            const role = sa.role === "owner" ? "member" : "owner";
            return state.setServiceAccountRole(p, sa.id, role)
                ? `setServiceAccountRole ${p} ${sa.id} ${role}`
                : undefined;
        }
        if (roll < 35) {
            const u = pick(state.projectMemberIds(p));
            if (u === undefined)
                return undefined;
            const key = state.createUserApiKey(p, u, `Key ${rng.range(100, 999)}`);
            return `createUserApiKey ${p} ${u} ${key.id}`;
        }
        const key = pick(state.listProjectApiKeys(p).filter((k) => k.owner.type === "user"));
        if (key === undefined)
            return undefined;
        state.deleteProjectApiKey(p, key.id);
        return `deleteProjectApiKey ${p} ${key.id}`;
    }
    if (roll < 55) {
        if (roll < 48) {
            const created = state.createAdminApiKey(`Automation ${rng.range(100, 999)}`, {
                ...(rng.chance(0.5) ? { expiresInSeconds: rng.range(7, 365) * 86_400 } : {}),
            });
            return `createAdminApiKey ${created.id}`;
        }
        const simulatorKey = state.simulatorAdminKeyId();
        const key = pick(state.listAdminApiKeys().filter((k) => k.id !== simulatorKey));
        if (key === undefined)
            return undefined;
        state.deleteAdminApiKey(key.id);
        return `deleteAdminApiKey ${key.id}`;
    }
    const invites = state.listInvites();
    if (roll < 75) {
        const email = `invitee.${rng.range(10_000, 99_999)}@example.org`;
        if (state.findUserIdByEmail(email) !== undefined)
            return undefined;
        const p = pickProject();
        const invite = state.createInvite(email, rng.chance(0.15) ? "owner" : "reader", p === undefined ? [] : [{ id: p, role: "member" }]);
        return `createInvite ${invite.id}`;
    }
    if (roll < 87) {
        const invite = pick(invites.filter((i) => i.status !== "accepted"));
        if (invite === undefined)
            return undefined;
        state.deleteInvite(invite.id);
        return `deleteInvite ${invite.id}`;
    }
    const invite = pick(invites.filter((i) => i.status === "pending"));
    if (invite === undefined)
        return undefined;
    const accepted = state.acceptInvite(invite.id);
    const userId = state.findUserIdByEmail(accepted.email) ?? "";
    return `acceptInvite ${invite.id} ${userId}`.trimEnd();
}
//# sourceMappingURL=faults.js.map