/**
 * Seeded credentials on top of a generated organization and its projects (generator.ts calls
 * `makeCredentials` with a PRNG stream of its own, `Prng(seed, "credentials")`, so the
 * organization and its projects stay byte-identical whatever the credential options).
 *
 * Every count and every draw is independent of `now` (the credentials clock's anchor): `now`
 * only shifts timestamps, so one seed and one set of options always give the same credentials.
 *
 * Realism that matters to an access audit, each made to exist whenever the organization can
 * support it (see `SHOWCASE`): project keys used today, unused for over a year, never used,
 * created more than a year ago; a user key whose owner left the project and one whose owner
 * left the organization (both `owner_project_access: "inactive"`); service accounts with role
 * `owner`; a key for each project owned only by a service-account user; admin keys without
 * expiry, unused for more than 90 days, never used, owned by a user who is no longer an Owner,
 * owned by a user who left the organization, and owned by a service account; invites pending
 * for weeks with role `owner`, accepted and expired ones.
 */
import { fakeRedacted, INVITE_TTL_SECONDS, } from "./credentials-state.js";
import { ulidLike } from "./prng.js";
const DAY = 86_400;
const HOUR = 3_600;
const SERVICE_ACCOUNT_NAMES = [
    "ci-deploy",
    "support-bot",
    "nightly-etl",
    "eval-runner",
    "rag-indexer",
    "slack-integration",
    "prod-backend",
    "batch-jobs",
    "monitoring",
    "zapier-sync",
    "Production App",
    "staging-worker",
];
const KEY_NAMES = [
    "Production",
    "Staging",
    "CI",
    "Local dev",
    "Notebook",
    "Zapier integration",
    "LangChain prototype",
    "Eval harness",
    "Hackathon",
    "Backfill job",
    "My Test Key",
    "Secret Key",
    "Jupyter – experiments",
    "Übersetzung (Test)",
];
const PEOPLE = [
    ["Alex Morgan", "alex.morgan"],
    ["Jamie Lee", "jamie.lee"],
    ["Robin Schäfer", "robin.schafer"],
    ["Sam Okoye", "sam.okoye"],
    ["Taylor Brooks", "taylor.brooks"],
    ["Noa Cohen", "noa.cohen"],
    ["Kai Watanabe", "kai.watanabe"],
    ["Maya Singh", "maya.singh"],
    ["Leo Rossi", "leo.rossi"],
    ["Ines Duarte", "ines.duarte"],
    ["Oskar Lind", "oskar.lind"],
    ["Zara Ahmed", "zara.ahmed"],
];
/** A time in [from, to) (or `from` when that window is empty); always exactly one draw. */
function between(rng, from, to) {
    return from + Math.floor(rng.next() * Math.max(0, to - from));
}
/** Around `average` (uniform on 0..2×average, rounded); always exactly one draw. */
function around(rng, average) {
    return Math.max(0, Math.round(Math.max(0, average) * 2 * rng.next()));
}
/** A last use of a key created at `createdAt`: never, today, recently, or long ago. Two draws. */
function lastUse(rng, createdAt, now) {
    const roll = rng.next();
    const t = rng.next();
    let at;
    if (roll < 0.22)
        return null;
    if (roll < 0.5)
        at = now - Math.floor(t * 20 * HOUR);
    else if (roll < 0.75)
        at = now - Math.floor(t * 90 * DAY);
    else if (roll < 0.88)
        at = now - 90 * DAY - Math.floor(t * 275 * DAY);
    else
        at = now - 366 * DAY - Math.floor(t * 500 * DAY);
    return Math.min(now, Math.max(createdAt, at));
}
function byId(a, b) {
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
/** Builds the credentials of an organization; see CredentialGenerateOptions. */
export function makeCredentials(rng, users, projects, ownerIndexes, options) {
    const now = options.now;
    const seen = new Set();
    const newId = (prefix, at) => {
        let id = `${prefix}${ulidLike(at * 1000 + rng.int(1000), rng)}`;
        while (seen.has(id))
            id = `${prefix}${ulidLike(at * 1000 + rng.int(1000), rng)}`;
        seen.add(id);
        return id;
    };
    const userAt = (index) => users[index];
    const holders = (p) => p.members.filter((m) => userAt(m.index).email !== null && !userAt(m.index).removed);
    const userKey = (m, createdAt, lastUsedAt, name) => ({
        id: newId("key_", createdAt),
        name,
        redacted: fakeRedacted("user", rng),
        createdAt,
        lastUsedAt: lastUsedAt === null ? null : Math.min(now, Math.max(createdAt, lastUsedAt)),
        owner: { kind: "user", user: m.user, lastRole: m.role },
    });
    // ---- project service accounts and keys, active projects only (archived ones have none)
    const byProject = new Map();
    const active = projects.filter((p) => p.archivedAt === null);
    const saNames = new Map();
    for (const p of active) {
        const c = { serviceAccounts: [], keys: [] };
        byProject.set(p.id, c);
        const taken = new Set();
        saNames.set(p.id, taken);
        const saCount = around(rng, options.serviceAccountsAverage);
        let saKeys = 0;
        for (let k = 0; k < saCount; k++) {
            const createdAt = between(rng, p.createdAt, now);
            let name = rng.pick(SERVICE_ACCOUNT_NAMES);
            for (let n = 2; taken.has(name); n++)
                name = `${name.replace(/ \d+$/, "")} ${n}`;
            taken.add(name);
            const sa = {
                id: newId("svc_acct_", createdAt),
                name,
                role: rng.chance(0.12) ? "owner" : "member",
                createdAt,
            };
            c.serviceAccounts.push(sa);
            const roll = rng.next();
            const keys = roll < 0.08 ? 0 : roll < 0.85 ? 1 : 2;
            for (let j = 0; j < keys; j++) {
                const keyAt = between(rng, sa.createdAt, now);
                c.keys.push({
                    id: newId("key_", keyAt),
                    name: j === 0 ? "Secret Key" : rng.pick(KEY_NAMES),
                    redacted: fakeRedacted("service_account", rng),
                    createdAt: keyAt,
                    lastUsedAt: lastUse(rng, keyAt, now),
                    owner: { kind: "service_account", serviceAccount: sa },
                });
                saKeys++;
            }
        }
        const userKeys = Math.max(0, around(rng, options.apiKeysAverage) - saKeys);
        const pool = holders(p);
        for (let k = 0; k < userKeys && pool.length > 0; k++) {
            const m = rng.pick(pool);
            const user = userAt(m.index);
            const createdAt = between(rng, Math.max(p.createdAt, m.addedAt), now);
            c.keys.push(userKey({ user, addedAt: m.addedAt, role: m.role }, createdAt, lastUse(rng, createdAt, now), rng.pick(KEY_NAMES)));
        }
    }
    // ---- showcase project keys (deterministic: each exists whenever the organization allows)
    const keysEnabled = options.apiKeysAverage > 0;
    const defaultProject = active.find((p) => p.isDefault) ?? active[0];
    const others = active.filter((p) => p !== defaultProject);
    const domain = users
        .map((u) => u.email?.split("@")[1])
        .find((host) => host !== undefined && host !== "contractors.example.org") ?? "example.com";
    const memberOf = (m) => ({
        user: userAt(m.index),
        addedAt: m.addedAt,
        role: m.role,
    });
    // A project owned only by service-account users: that automation has a key, used today.
    if (keysEnabled) {
        for (const p of active) {
            const owners = p.members.filter((m) => m.role === "owner");
            if (owners.length === 0 || !owners.every((m) => userAt(m.index).isServiceAccount))
                continue;
            const m = owners[0];
            const createdAt = between(rng, Math.max(p.createdAt, m.addedAt), now);
            const key = userKey(memberOf(m), createdAt, now - between(rng, 0, 6 * HOUR), `${userAt(m.index).name} automation`);
            byProject.get(p.id)?.keys.push(key);
        }
    }
    // At least one service account with role owner (in a project other than the Default one).
    const allSas = [...others, ...(defaultProject === undefined ? [] : [defaultProject])].flatMap((p) => byProject.get(p.id)?.serviceAccounts ?? []);
    if (allSas.length > 0 && !allSas.some((sa) => sa.role === "owner")) {
        allSas[0].role = "owner";
    }
    let ghost;
    const departedUser = (anchor) => {
        if (ghost !== undefined)
            return ghost;
        const [name, slug] = rng.pick(PEOPLE);
        const addedAt = anchor + between(rng, 0, 30 * DAY);
        ghost = {
            id: newId("user_", addedAt),
            name: name,
            email: `${slug}.former@${domain}`,
            picture: null,
            addedAt,
            isServiceAccount: false,
            isScimManaged: false,
            apiKeyLastUsedAt: null,
            userType: "user",
            removed: true, // left the organization: in no list, still named by their keys
        };
        return ghost;
    };
    if (keysEnabled && defaultProject !== undefined) {
        const pool = holders(defaultProject);
        const earliest = [...pool].sort((a, b) => a.addedAt - b.addedAt || a.index - b.index)[0];
        const c = byProject.get(defaultProject.id);
        if (pool.length > 0 && earliest !== undefined) {
            const lo = (m) => Math.max(defaultProject.createdAt, m.addedAt);
            // Used today.
            const today = pool[0];
            const todayAt = between(rng, lo(today), now - 30 * DAY);
            c.keys.push(userKey(memberOf(today), todayAt, now - between(rng, 0, 4 * HOUR), "CLI"));
            // Created more than a year ago, unused for more than a year.
            const oldAt = Math.max(lo(earliest), now - 400 * DAY - between(rng, 0, 300 * DAY));
            const oldUse = Math.min(now - 366 * DAY - between(rng, 0, 20 * DAY), oldAt + between(rng, 0, 30 * DAY));
            c.keys.push(userKey(memberOf(earliest), oldAt, oldUse, "Legacy prototype"));
            // Never used.
            const never = pool[pool.length - 1];
            c.keys.push(userKey(memberOf(never), between(rng, lo(never), now), null, "Never used key"));
        }
    }
    // A user key whose owner left the project, one whose owner left the organization.
    const leftProject = others[0] ?? defaultProject;
    if (keysEnabled && leftProject !== undefined && !leftProject.isDefault) {
        const memberIndexes = new Set(leftProject.members.map((m) => m.index));
        const outsiders = users
            .map((u, i) => ({ u, i }))
            .filter(({ u, i }) => !u.removed && !u.isServiceAccount && u.email !== null && !memberIndexes.has(i));
        if (outsiders.length > 0) {
            const { u } = rng.pick(outsiders);
            const lo = Math.max(leftProject.createdAt, u.addedAt);
            const createdAt = between(rng, lo, now - 10 * DAY);
            const key = userKey({ user: u, addedAt: lo, role: "member" }, createdAt, between(rng, createdAt, now), "Left the project");
            byProject.get(leftProject.id)?.keys.push(key);
        }
    }
    const leftOrg = others[1] ?? others[0] ?? defaultProject;
    if (keysEnabled && leftOrg !== undefined && users.length > 0) {
        const user = departedUser(leftOrg.createdAt);
        const createdAt = between(rng, Math.max(leftOrg.createdAt, user.addedAt), now - 60 * DAY);
        const key = userKey({ user, addedAt: user.addedAt, role: "owner" }, createdAt, between(rng, createdAt, now - 45 * DAY), "Former employee key");
        byProject.get(leftOrg.id)?.keys.push(key);
    }
    for (const c of byProject.values()) {
        c.serviceAccounts.sort(byId);
        c.keys.sort(byId);
    }
    // ---- admin keys: the showcase first, then random ones
    const adminKeys = [];
    const owners = ownerIndexes.map(userAt).filter((u) => !u.removed);
    const adminCount = Math.max(0, Math.floor(options.adminKeys));
    if (owners.length > 0) {
        const ownerAt = (k) => owners[k % owners.length];
        const orgServiceAccount = users.find((u) => u.isServiceAccount && !u.removed);
        const ownerSet = new Set(owners);
        const readers = users.filter((u) => !u.removed && !u.isServiceAccount && u.email !== null && !ownerSet.has(u));
        const admin = (name, owner, kind, created, ttl, lastUsedAt) => {
            // Never before its owner joined (nor after now).
            const createdAt = Math.min(now, Math.max(created, owner.addedAt));
            return {
                id: newId("key_", createdAt),
                name,
                redacted: fakeRedacted("admin", rng),
                createdAt,
                expiresAt: ttl === null ? null : createdAt + ttl,
                lastUsedAt: lastUsedAt === null ? null : Math.min(now, Math.max(createdAt, lastUsedAt)),
                owner: { kind, user: owner },
            };
        };
        const showcase = [
            // No expiry, used today.
            () => admin("Main Admin Key", ownerAt(0), "user", now - between(rng, 400 * DAY, 700 * DAY), null, now - between(rng, 0, 3 * HOUR)),
            // Owned by a service account (the §10 example), expiring, used today.
            () => {
                const createdAt = now - between(rng, 60 * DAY, 300 * DAY);
                return orgServiceAccount === undefined
                    ? admin("SCIM sync", ownerAt(1), "user", createdAt, 365 * DAY, now - 2 * HOUR)
                    : admin("SCIM sync", orgServiceAccount, "service_account", createdAt, 365 * DAY, now - between(rng, 0, 12 * HOUR));
            },
            // Unused for more than 90 days.
            () => {
                const createdAt = now - between(rng, 150 * DAY, 300 * DAY);
                return admin("Quarterly billing export", ownerAt(1), "user", createdAt, 365 * DAY, now - between(rng, 91 * DAY, 140 * DAY));
            },
            // Owner left the organization; no expiry; unused for months.
            () => {
                const createdAt = now - between(rng, 500 * DAY, 800 * DAY);
                return admin("Old audit script", departedUser(createdAt - 60 * DAY), "user", createdAt, null, now - between(rng, 120 * DAY, 300 * DAY));
            },
            // Owner is no longer an Owner (a Reader now); never used.
            () => admin("Break-glass key", readers.length > 0 ? rng.pick(readers) : ownerAt(2), "user", now - between(rng, 30 * DAY, 200 * DAY), 180 * DAY, null),
        ];
        for (let k = 0; k < adminCount; k++) {
            const make = showcase[k];
            if (make !== undefined) {
                adminKeys.push(make());
                continue;
            }
            const createdAt = now - between(rng, 10 * DAY, 600 * DAY);
            const ttl = rng.chance(0.5) ? null : between(rng, 30 * DAY, 365 * DAY);
            adminKeys.push(admin(rng.pick(["Admin automation", "Usage dashboard", "Provisioning", "Okta sync", "Ops"]), rng.pick(owners), "user", createdAt, ttl, lastUse(rng, createdAt, now)));
        }
    }
    adminKeys.sort(byId);
    // ---- invites: pending owner invite weeks old, accepted, expired, then a random mix
    const invites = [];
    const emails = new Set(users.flatMap((u) => (u.email === null ? [] : [u.email.toLowerCase()])));
    const newEmail = () => {
        const [, slug] = rng.pick(PEOPLE);
        let email = `${slug}@${domain}`;
        for (let n = 2; emails.has(email); n++)
            email = `${slug}${n}@${domain}`;
        emails.add(email);
        return email;
    };
    const joiners = users.filter((u) => !u.removed && !u.isServiceAccount && u.email !== null);
    const inviteProjects = () => {
        const roll = rng.next();
        if (roll < 0.4 || active.length === 0) {
            return defaultProject === undefined ? [] : [{ id: defaultProject.id, role: "member" }];
        }
        if (roll < 0.55)
            return [];
        const p = rng.pick(active);
        return [{ id: p.id, role: rng.chance(0.15) ? "owner" : "member" }];
    };
    const invite = (kind, role, at) => {
        const projectsOf = inviteProjects();
        if (kind === "accepted" && joiners.length > 0) {
            const u = rng.pick(joiners);
            const createdAt = u.addedAt - between(rng, HOUR, 5 * DAY);
            return {
                id: newId("invite-", createdAt),
                email: u.email,
                role,
                status: "accepted",
                createdAt,
                expiresAt: createdAt + INVITE_TTL_SECONDS,
                acceptedAt: u.addedAt,
                projects: projectsOf,
            };
        }
        const createdAt = at ??
            (kind === "expired"
                ? now - between(rng, 60 * DAY, 200 * DAY)
                : now - between(rng, 0, INVITE_TTL_SECONDS - DAY));
        return {
            id: newId("invite-", createdAt),
            email: newEmail(),
            role,
            status: kind === "expired" ? "expired" : "pending",
            createdAt,
            expiresAt: createdAt + INVITE_TTL_SECONDS,
            acceptedAt: null,
            projects: projectsOf,
        };
    };
    const inviteCount = Math.max(0, Math.floor(options.invites));
    for (let k = 0; k < inviteCount; k++) {
        if (k === 0) {
            // Pending for weeks, role owner.
            invites.push(invite("pending", "owner", now - between(rng, 14 * DAY, 27 * DAY)));
        }
        else if (k === 1) {
            invites.push(invite("accepted", "reader"));
        }
        else if (k === 2) {
            invites.push(invite("expired", "reader"));
        }
        else {
            const roll = rng.next();
            const role = rng.chance(0.12) ? "owner" : "reader";
            invites.push(invite(roll < 0.45 ? "accepted" : roll < 0.8 ? "pending" : "expired", role));
        }
    }
    invites.sort(byId);
    return { now, projects: byProject, adminKeys, invites };
}
//# sourceMappingURL=credential-generator.js.map