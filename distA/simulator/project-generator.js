/**
 * Seeded projects on top of a generated organization (generator.ts calls `makeProjects` with a
 * PRNG stream of its own, so the organization's groups, users and roles stay byte-identical
 * whatever the project options).
 *
 * Realism that matters to an access audit: a Default project with many members, some archived
 * projects (their members kept but unlistable), custom project roles, members drawn from the
 * organization with mostly `member` and a few `owner`s, SCIM-managed and manual groups attached
 * with a project role (owner for a few), some direct project role assignments, a few projects
 * whose only owner is a service account or a contractor, and at least one with no owner at all.
 */
import { hex, idsFor, sortedTimes } from "./prng.js";
import { DEFAULT_PROJECT_NAME, newProjectRecord, PREDEFINED_PROJECT_ROLES, PROJECT_RESIDENCIES, } from "./projects-state.js";
const DAY = 86_400;
const CONTRACTOR_DOMAIN = "@contractors.example.org";
const PRODUCTS = [
    "Support Copilot",
    "Sales Assistant",
    "Internal Search",
    "Contract Review",
    "Code Review Bot",
    "Marketing Content",
    "Eval Harness",
    "Data Labeling",
    "Fraud Detection",
    "Knowledge Base",
    "Meeting Notes",
    "Translation Service",
    "Doc Q&A",
    "Recruiting Screener",
    "Demand Forecasting",
    "Embeddings Pipeline",
    "Voice Agent",
    "Research Sandbox",
    "Onboarding Assistant",
    "Customer Chat",
    "Ticket Triage",
    "Legal Drafting",
    "Finance Close Helper",
    "Security Copilot",
    "Product Analytics",
    "Compliance Checker",
    "Prompt Lab",
    "Übersetzungsdienst",
    "顧客サポート",
    "Équipe Données",
];
const SUFFIXES = [
    "",
    "",
    "",
    " – Prod",
    " – Staging",
    " – Dev",
    " (EMEA)",
    " (APAC)",
    " Pilot",
    " v2",
    " Sandbox",
];
const CUSTOM_PROJECT_ROLES = [
    {
        name: "API Project Key Manager",
        description: "Allows managing API keys for the project",
        permissions: [
            "api.organization.projects.api_keys.read",
            "api.organization.projects.api_keys.write",
        ],
    },
    {
        name: "Fine-tuning Operator",
        description: "Runs and manages fine-tuning jobs",
        permissions: ["api.project.fine_tuning.read", "api.project.fine_tuning.write"],
    },
    {
        name: "Model Deployer",
        description: "Deploys and configures models for the project",
        permissions: ["api.project.models.read", "api.project.models.write"],
    },
    {
        name: "Eval Reviewer",
        description: "Reads evaluation runs and results",
        permissions: ["api.project.evals.read"],
    },
    {
        name: "Batch Runner",
        description: "Submits batch jobs and uploads their files",
        permissions: ["api.project.batches.write", "api.project.files.write"],
    },
    {
        name: "Vector Store Admin",
        description: null,
        permissions: ["api.project.vector_stores.read", "api.project.vector_stores.write"],
    },
    {
        name: "Usage Reader",
        description: "Read-only access to the project's usage and costs",
        permissions: ["api.project.usage.read"],
    },
    {
        name: "Project Member Manager",
        description: "Adds and removes project members",
        permissions: ["api.organization.projects.users.read", "api.organization.projects.users.write"],
    },
    {
        name: "Service Account Manager",
        description: "Creates service accounts and their keys",
        permissions: [
            "api.organization.projects.service_accounts.read",
            "api.organization.projects.service_accounts.write",
        ],
    },
    {
        name: "Read-only Auditor",
        description: "Reads members, keys and settings for access reviews",
        permissions: [
            "api.project.read",
            "api.organization.projects.users.read",
            "api.organization.projects.api_keys.read",
        ],
    },
    {
        name: "Assistants Builder",
        description: "Builds and edits assistants",
        permissions: ["api.project.assistants.read", "api.project.assistants.write"],
    },
    {
        name: "Files Uploader",
        description: null,
        permissions: ["api.project.files.read", "api.project.files.write"],
    },
];
/** A uniformly random k-subset of [0, n) via a shared pool (partial Fisher-Yates, O(k)). */
function sample(rng, pool, k) {
    const n = pool.length;
    const take = Math.min(k, n);
    for (let j = 0; j < take; j++) {
        const r = j + rng.int(n - j);
        const tmp = pool[j];
        pool[j] = pool[r];
        pool[r] = tmp;
    }
    return Array.from(pool.subarray(0, take)).sort((a, b) => a - b);
}
/**
 * Skewed sizes whose total is about `average * weights.length`: each entry is its weight times a
 * Gamma(2) draw (many small, a few large, few empty), or exactly its weight times that draw's
 * mean when the weight is `fixed`, scaled to the target, capped at `cap`.
 */
function spreadSizes(rng, weights, average, cap) {
    const raw = weights.map(({ weight, fixed }) => {
        const draw = -(Math.log(1 - rng.next()) + Math.log(1 - rng.next()));
        return weight * (fixed ? 2 : draw);
    });
    const sum = raw.reduce((a, b) => a + b, 0);
    const target = average * weights.length;
    return raw.map((r) => Math.min(cap, sum > 0 ? Math.round((r * target) / sum) : 0));
}
/** A time in (after, before], or `after` when that window is empty. */
function timeBetween(rng, after, before) {
    return before > after ? after + 1 + rng.int(before - after) : after;
}
function projectName(rng, taken) {
    const product = rng.pick(PRODUCTS);
    const suffix = rng.pick(SUFFIXES);
    const base = product.endsWith(suffix.trim()) ? product : `${product}${suffix}`;
    let name = base;
    for (let n = 2; taken.has(name); n++)
        name = `${base} ${n}`;
    taken.add(name);
    return name;
}
function residency(rng) {
    return rng.chance(0.8) ? "GLOBAL" : rng.pick(PROJECT_RESIDENCIES.slice(1));
}
function insertSortedId(list, id) {
    if (list.includes(id))
        return;
    list.push(id);
    list.sort();
}
/** Builds the projects of an organization; see ProjectGenerateOptions. Ascending by id. */
export function makeProjects(rng, users, groups, from, to, options) {
    const count = Math.max(0, Math.floor(options.projects));
    if (count === 0)
        return [];
    // Projects: the Default one first (created with the organization), the rest over the window.
    const times = [from, ...sortedTimes(rng, count - 1, from + DAY, Math.max(from + DAY + 1, to))];
    const ids = idsFor("proj_", times, rng); // ascending times, so ids[0] is the Default project
    const archivedCount = Math.min(count - 1, Math.round(Math.max(0, Math.min(1, options.archivedFraction)) * (count - 1)));
    const archived = new Set(sample(rng, Int32Array.from({ length: count - 1 }, (_, i) => i + 1), archivedCount));
    const taken = new Set([DEFAULT_PROJECT_NAME]);
    const projects = ids.map((id, i) => {
        const createdAt = times[i];
        const isDefault = i === 0;
        const roleIds = idsFor("role_", PREDEFINED_PROJECT_ROLES.map(() => createdAt), rng);
        return newProjectRecord({
            id,
            name: isDefault ? DEFAULT_PROJECT_NAME : projectName(rng, taken),
            createdAt,
            roleIds,
            isDefault,
            archivedAt: archived.has(i) ? timeBetween(rng, createdAt, to) : null,
            externalKeyId: rng.chance(0.04) ? `ekm_key_${hex(rng, 16)}` : null,
            residency: isDefault ? "GLOBAL" : residency(rng),
        });
    });
    const until = (p) => p.archivedAt ?? to;
    // Members: the Default project gets a bigger share; owners are a few per project.
    const userPool = Int32Array.from({ length: users.length }, (_, i) => i);
    const memberSizes = spreadSizes(rng, 
    // The Default project: three times an average share, without the spread.
    projects.map((p) => ({ weight: p.isDefault ? 3 : 1, fixed: p.isDefault })), Math.max(0, options.membersAverage), users.length);
    projects.forEach((p, i) => {
        for (const index of sample(rng, userPool, memberSizes[i] ?? 0)) {
            const u = users[index];
            if (u.addedAt >= until(p))
                continue; // joined the organization after the project was archived
            p.members.push({
                index,
                role: rng.chance(0.06) ? "owner" : "member",
                addedAt: timeBetween(rng, Math.max(p.createdAt, u.addedAt), until(p)),
            });
        }
        if (p.members.length > 0 && !p.members.some((m) => m.role === "owner")) {
            const humans = p.members.filter((m) => !users[m.index].isServiceAccount);
            rng.pick(humans.length > 0 ? humans : p.members).role = "owner";
        }
    });
    // Custom roles, spread over the projects other than the Default one.
    const customHosts = projects.length > 1 ? projects.slice(1) : projects;
    for (let k = 0; k < Math.max(0, Math.floor(options.customRoles)); k++) {
        const p = rng.pick(customHosts);
        const start = rng.int(CUSTOM_PROJECT_ROLES.length);
        let spec = CUSTOM_PROJECT_ROLES[start];
        let name = spec.name;
        for (let j = 0; j < CUSTOM_PROJECT_ROLES.length; j++) {
            spec = CUSTOM_PROJECT_ROLES[(start + j) % CUSTOM_PROJECT_ROLES.length];
            name = spec.name;
            if (!p.roles.some((r) => r.name === name))
                break;
        }
        for (let n = 2; p.roles.some((r) => r.name === name); n++)
            name = `${spec.name} ${n}`;
        const createdAt = timeBetween(rng, p.createdAt, until(p));
        const owners = p.members.filter((m) => m.role === "owner");
        const creator = owners.length > 0 ? users[rng.pick(owners).index] : undefined;
        const [id] = idsFor("role_", [createdAt], rng);
        p.roles.push({
            id: id,
            name,
            description: spec.description,
            permissions: [...spec.permissions],
            resourceType: "api.project",
            predefined: false,
            createdAt,
            updatedAt: timeBetween(rng, createdAt, Math.min(until(p), createdAt + 30 * DAY)),
            createdBy: creator?.id ?? null,
            createdByUserObj: creator === undefined ? null : { id: creator.id, name: creator.name, email: creator.email },
            metadata: rng.chance(0.7) ? {} : { ticket: `PRJ-${rng.range(100, 999)}` },
        });
        p.roles.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }
    const customIds = (p) => p.roles.filter((r) => !r.predefined).map((r) => r.id);
    // Attached groups (SCIM-managed and manual alike), each with a project role.
    const groupPool = Int32Array.from({ length: groups.length }, (_, i) => i);
    const groupSizes = spreadSizes(rng, projects.map(() => ({ weight: 1, fixed: false })), Math.max(0, options.groupsAverage), groups.length);
    projects.forEach((p, i) => {
        const custom = customIds(p);
        for (const gi of sample(rng, groupPool, groupSizes[i] ?? 0)) {
            const g = groups[gi];
            if (g.createdAt >= until(p))
                continue;
            p.groups.push({
                groupId: g.id,
                createdAt: timeBetween(rng, Math.max(p.createdAt, g.createdAt), until(p)),
            });
            const roll = rng.next();
            const roleId = roll < 0.1
                ? p.ownerRoleId
                : roll < 0.3 && custom.length > 0
                    ? rng.pick(custom)
                    : roll < 0.45
                        ? p.viewerRoleId
                        : p.memberRoleId;
            const assigned = [roleId];
            if (rng.chance(0.1)) {
                insertSortedId(assigned, custom.length > 0 ? rng.pick(custom) : p.viewerRoleId);
            }
            p.groupRoles.set(g.id, assigned.sort());
        }
        p.groups.sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
    });
    // Direct project role assignments to a few members.
    for (const p of projects) {
        const custom = customIds(p);
        for (const m of p.members) {
            if (!rng.chance(0.05))
                continue;
            const roll = rng.next();
            const roleId = roll < 0.15
                ? p.ownerRoleId
                : roll < 0.65 && custom.length > 0
                    ? rng.pick(custom)
                    : p.viewerRoleId;
            const list = p.userRoles.get(m.index) ?? [];
            insertSortedId(list, roleId);
            p.userRoles.set(m.index, list);
        }
    }
    applySpecialOwnership(rng, projects, users, to);
    return projects;
}
/**
 * The ownership anomalies an audit must find: at least one active project with no owner at all,
 * and a few whose only owner is a service account or a contractor. Their other owner paths
 * (owner members, groups granted Project Owner, direct Project Owner assignments) are removed.
 */
function applySpecialOwnership(rng, projects, users, to) {
    const candidates = projects.filter((p) => !p.isDefault && p.archivedAt === null);
    const picks = sample(rng, Int32Array.from({ length: candidates.length }, (_, i) => i), candidates.length);
    // sample() sorts; shuffle the order of use so the special projects are not the oldest ones.
    for (let i = picks.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [picks[i], picks[j]] = [picks[j], picks[i]];
    }
    const serviceAccounts = [];
    const contractors = [];
    users.forEach((u, i) => {
        if (u.removed)
            return;
        if (u.isServiceAccount)
            serviceAccounts.push(i);
        else if (u.email?.endsWith(CONTRACTOR_DOMAIN))
            contractors.push(i);
    });
    const few = Math.max(1, Math.round(projects.length * 0.01));
    const plan = ["none"];
    if (serviceAccounts.length > 0)
        for (let k = 0; k < few; k++)
            plan.push("service account");
    if (contractors.length > 0)
        for (let k = 0; k < few; k++)
            plan.push("contractor");
    plan.forEach((kind, k) => {
        const pick = picks[k];
        if (pick === undefined)
            return;
        const p = candidates[pick];
        for (const m of p.members)
            m.role = "member";
        for (const [groupId, ids] of p.groupRoles) {
            const kept = ids.filter((id) => id !== p.ownerRoleId);
            p.groupRoles.set(groupId, kept.length > 0 ? kept : [p.memberRoleId]);
        }
        for (const [index, ids] of p.userRoles) {
            const kept = ids.filter((id) => id !== p.ownerRoleId);
            if (kept.length > 0)
                p.userRoles.set(index, kept);
            else
                p.userRoles.delete(index);
        }
        const pool = kind === "service account"
            ? serviceAccounts
            : kind === "contractor"
                ? contractors
                : users.map((_, i) => i).filter((i) => !users[i].removed);
        if (pool.length === 0)
            return;
        if (kind === "none" && p.members.length > 0)
            return;
        // The sole owner (or, for "none", a lone member so the project is not simply empty).
        const index = rng.pick(pool);
        const existing = p.members.find((m) => m.index === index);
        const role = kind === "none" ? "member" : "owner";
        if (existing !== undefined) {
            existing.role = role;
            return;
        }
        const u = users[index];
        const member = {
            index,
            role,
            addedAt: timeBetween(rng, Math.max(p.createdAt, u.addedAt), Math.max(to, u.addedAt)),
        };
        p.members.push(member);
        p.members.sort((a, b) => a.index - b.index);
    });
}
//# sourceMappingURL=project-generator.js.map