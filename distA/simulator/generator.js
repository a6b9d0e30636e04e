/**
 * Seeded generator of a realistic organization: the same options always produce
 * a byte-identical OrgState (see OrgState.fingerprint).
 *
 * Realism that matters to an access audit: unicode names, some null emails,
 * service accounts, heavy-tailed group sizes (many small teams, a few groups
 * with thousands of members, some empty ones), SCIM-managed and manual groups,
 * predefined Owner/Reader roles plus custom roles, roles granted to groups
 * (one group grants Owner) and directly to a few users; and projects on top
 * (project-generator.ts).
 */
import { makeCredentials } from "./credential-generator.js";
import { deriveSeed, hex, idsFor, Prng, sortedTimes } from "./prng.js";
import { makeProjects } from "./project-generator.js";
import { OrgState, } from "./state.js";
const DAY = 86_400;
// ---------------------------------------------------------------- vocabularies
/** [display, ascii slug] pairs, so that emails stay ASCII while names do not. */
const FIRST_NAMES = [
    ["Ada", "ada"],
    ["Grace", "grace"],
    ["Alan", "alan"],
    ["Zoë", "zoe"],
    ["Ørjan", "orjan"],
    ["José", "jose"],
    ["Siobhán", "siobhan"],
    ["Søren", "soren"],
    ["François", "francois"],
    ["Łukasz", "lukasz"],
    ["Chloé", "chloe"],
    ["Björn", "bjorn"],
    ["Inés", "ines"],
    ["Noah", "noah"],
    ["Liam", "liam"],
    ["Olivia", "olivia"],
    ["Emma", "emma"],
    ["Mateo", "mateo"],
    ["Priya", "priya"],
    ["Arjun", "arjun"],
    ["Fatima", "fatima"],
    ["Omar", "omar"],
    ["Mei", "mei"],
    ["Kenji", "kenji"],
    ["Aisha", "aisha"],
    ["Kwame", "kwame"],
    ["Sofia", "sofia"],
    ["Lucas", "lucas"],
    ["Hannah", "hannah"],
    ["Jonas", "jonas"],
    ["Elif", "elif"],
    ["Mustafa", "mustafa"],
    ["Anaïs", "anais"],
    ["Daniel", "daniel"],
    ["Sarah", "sarah"],
    ["Michael", "michael"],
    ["Jessica", "jessica"],
    ["David", "david"],
    ["Laura", "laura"],
    ["Rafael", "rafael"],
    ["Yuki", "yuki"],
    ["Nadia", "nadia"],
    ["Tomás", "tomas"],
    ["Agnieszka", "agnieszka"],
    ["Mikael", "mikael"],
    ["Ingrid", "ingrid"],
];
const LAST_NAMES = [
    ["Lovelace", "lovelace"],
    ["Hopper", "hopper"],
    ["Turing", "turing"],
    ["Ångström", "angstrom"],
    ["Müller", "muller"],
    ["García", "garcia"],
    ["O'Brien", "obrien"],
    ["Nilsen", "nilsen"],
    ["Kowalski", "kowalski"],
    ["Dubois", "dubois"],
    ["Jørgensen", "jorgensen"],
    ["Smith", "smith"],
    ["Johnson", "johnson"],
    ["Williams", "williams"],
    ["Brown", "brown"],
    ["Patel", "patel"],
    ["Sharma", "sharma"],
    ["Khan", "khan"],
    ["Chen", "chen"],
    ["Nakamura", "nakamura"],
    ["Okafor", "okafor"],
    ["Mensah", "mensah"],
    ["Rossi", "rossi"],
    ["Silva", "silva"],
    ["Schneider", "schneider"],
    ["Fischer", "fischer"],
    ["Yılmaz", "yilmaz"],
    ["Novák", "novak"],
    ["Martin", "martin"],
    ["Lefèvre", "lefevre"],
    ["Andersson", "andersson"],
    ["Horvath", "horvath"],
    ["Ivanova", "ivanova"],
    ["Haddad", "haddad"],
    ["Cohen", "cohen"],
    ["Murphy", "murphy"],
    ["Kim", "kim"],
    ["Tanaka", "tanaka"],
    ["Rodríguez", "rodriguez"],
    ["Van der Berg", "vanderberg"],
];
/** Names that are not "first last" in Latin script. */
const WHOLE_NAMES = [
    ["李小龍", "li.xiaolong"],
    ["王芳", "wang.fang"],
    ["田中 太郎", "taro.tanaka"],
    ["김민준", "minjun.kim"],
    ["Дмитрий Иванов", "dmitry.ivanov"],
    ["Ольга Петрова", "olga.petrova"],
    ["محمد علي", "mohammed.ali"],
    ["Nguyễn Văn An", "an.nguyen"],
    ["Γιώργος Παπαδόπουλος", "giorgos.papadopoulos"],
    ["שרה לוי", "sarah.levi"],
    ["Ørjan", "orjan"],
    ["Zoë Ångström", "zoe.angstrom"],
];
/** Always present (when there are enough users), so tests can rely on them. */
const SHOWCASE_NAMES = [
    ["Zoë Ångström", "zoe.angstrom"],
    ["李小龍", "li.xiaolong"],
    ["Ørjan", "orjan"],
];
const SERVICE_ACCOUNT_NAMES = [
    "ci-deploy-bot",
    "data-pipeline",
    "etl-nightly",
    "support-triage-bot",
    "eval-runner",
    "batch-embeddings",
    "slack-assistant",
    "monitoring-agent",
    "terraform-automation",
    "docs-indexer",
];
const DEPARTMENTS = [
    "Engineering",
    "Platform",
    "Data Science",
    "ML Research",
    "Applied AI",
    "Security",
    "IT",
    "Finance",
    "Legal",
    "Sales",
    "Marketing",
    "Customer Support",
    "Product",
    "Design",
    "People Ops",
    "Operations",
    "Growth",
    "Infrastructure",
    "Compliance",
    "Analytics",
];
const TEAMS = [
    "Core",
    "API",
    "Backend",
    "Frontend",
    "Mobile",
    "Evaluations",
    "Prompting",
    "Reliability",
    "Tooling",
    "Leads",
    "Admins",
    "Contractors",
    "Interns",
    "On-call",
    "Reviewers",
    "Pilot",
    "Champions",
    "Readers",
];
const REGIONS = ["EMEA", "AMER", "APAC", "US", "EU", "UK", "DACH", "Nordics", "LATAM", "Japan"];
const COMPANY_DOMAINS = [
    "acme-corp.com",
    "initech.io",
    "globex.net",
    "umbrella.example",
    "hooli.dev",
];
const ALL_PERMISSIONS = [
    "api.organization.read",
    "api.organization.write",
    "api.groups.read",
    "api.groups.write",
    "api.roles.read",
    "api.roles.write",
    "api.organization.users.read",
    "api.organization.users.write",
    "api.projects.read",
    "api.projects.write",
    "api.usage.read",
    "api.audit_logs.read",
    "api.admin_api_keys.read",
    "api.admin_api_keys.write",
    "api.billing.read",
    "api.billing.write",
];
const CUSTOM_ROLES = [
    {
        name: "API Group Manager",
        description: "Allows managing organization groups",
        permissions: ["api.groups.read", "api.groups.write"],
        elevated: true,
    },
    {
        name: "Role Administrator",
        description: "Creates and assigns custom roles",
        permissions: ["api.roles.read", "api.roles.write", "api.groups.read"],
        elevated: true,
    },
    {
        name: "User Administrator",
        description: "Invites, removes and edits organization members",
        permissions: ["api.organization.users.read", "api.organization.users.write", "api.groups.read"],
        elevated: true,
    },
    {
        name: "Project Administrator",
        description: "Creates and configures projects",
        permissions: ["api.projects.read", "api.projects.write", "api.usage.read"],
        elevated: true,
    },
    {
        name: "Billing Manager",
        description: "Manages invoices, spend limits and alerts",
        permissions: ["api.billing.read", "api.billing.write", "api.usage.read"],
        elevated: true,
    },
    {
        name: "Usage Viewer",
        description: "Read-only access to usage and cost dashboards",
        permissions: ["api.usage.read"],
        elevated: false,
    },
    {
        name: "Security Auditor",
        description: "Read-only access for access reviews and audit logs",
        permissions: [
            "api.groups.read",
            "api.roles.read",
            "api.organization.users.read",
            "api.projects.read",
            "api.audit_logs.read",
        ],
        elevated: false,
    },
    {
        name: "Project Viewer",
        description: null,
        permissions: ["api.projects.read"],
        elevated: false,
    },
];
// ---------------------------------------------------------------- sizes
/**
 * Heavy-tailed group sizes summing exactly to `target` (when reachable): a
 * Pareto draw per non-empty group, scaled by water-filling under a cap.
 */
export function groupSizes(rng, groups, users, target) {
    const sizes = new Array(groups).fill(0);
    if (groups === 0 || users === 0 || target <= 0)
        return sizes;
    const emptyCount = groups >= 10 ? Math.max(1, Math.round(groups * 0.04)) : 0;
    const nonEmpty = [];
    for (let i = 0; i < groups; i++)
        nonEmpty.push(i);
    for (let k = 0; k < emptyCount; k++)
        nonEmpty.splice(rng.int(nonEmpty.length), 1);
    const cap = Math.max(1, Math.ceil(users * 0.8));
    let goal = Math.min(target, nonEmpty.length * cap);
    // Fewer memberships than non-empty groups: empty out the surplus groups.
    while (nonEmpty.length > goal)
        nonEmpty.splice(rng.int(nonEmpty.length), 1);
    goal = Math.min(goal, nonEmpty.length * cap);
    // Two populations: small teams (log-uniform 2..60 members, at most a quarter of
    // all memberships) and heavy-tailed groups (Pareto) absorbing the rest.
    const teams = [];
    const others = [];
    for (const i of nonEmpty)
        (rng.chance(0.55) ? teams : others).push(i);
    if (others.length === 0 && teams.length > 0)
        others.push(teams.pop());
    let teamTotal = 0;
    for (const i of teams) {
        const size = Math.min(cap, Math.round(2 * 30 ** rng.next()));
        sizes[i] = size;
        teamTotal += size;
    }
    const teamBudget = Math.max(teams.length, Math.floor(goal * 0.25));
    if (teamTotal > teamBudget) {
        const scale = teamBudget / teamTotal;
        for (const i of teams)
            sizes[i] = Math.max(1, Math.floor((sizes[i] ?? 0) * scale));
        teamTotal = teams.reduce((sum, i) => sum + (sizes[i] ?? 0), 0);
    }
    const weight = new Map();
    for (const i of others)
        weight.set(i, (1 - rng.next()) ** (-1 / 1.1)); // Pareto(alpha 1.1)
    let open = [...others];
    let remaining = Math.max(0, goal - teamTotal);
    for (let round = 0; round < 50 && open.length > 0; round++) {
        let sum = 0;
        for (const i of open)
            sum += weight.get(i) ?? 0;
        const capped = [];
        for (const i of open) {
            const share = Math.max(1, Math.floor(((weight.get(i) ?? 0) * remaining) / sum));
            if (share >= cap)
                capped.push(i);
            sizes[i] = Math.min(share, cap);
        }
        if (capped.length === 0)
            break;
        remaining -= capped.length * cap;
        const cappedSet = new Set(capped);
        open = open.filter((i) => !cappedSet.has(i));
    }
    // Fix rounding so the total is exact: add to random open groups, trim the largest.
    let total = sizes.reduce((a, b) => a + b, 0);
    const adjustable = nonEmpty.filter((i) => (sizes[i] ?? 0) < cap);
    while (total < goal && adjustable.length > 0) {
        const pos = rng.int(adjustable.length);
        const i = adjustable[pos];
        sizes[i] = (sizes[i] ?? 0) + 1;
        total++;
        if ((sizes[i] ?? 0) >= cap)
            adjustable.splice(pos, 1);
    }
    if (total > goal) {
        const bySize = [...nonEmpty].sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0) || a - b);
        let k = 0;
        while (total > goal) {
            const i = bySize[k % bySize.length];
            if ((sizes[i] ?? 0) > 1) {
                sizes[i] = (sizes[i] ?? 0) - 1;
                total--;
            }
            k++;
        }
    }
    return sizes;
}
// ---------------------------------------------------------------- generator
function makeUsers(rng, count, from, to) {
    const times = sortedTimes(rng, count, from, to);
    const ids = idsFor("user_", times, rng);
    const domain = rng.pick(COMPANY_DOMAINS);
    const emails = new Set();
    const uniqueEmail = (local, host) => {
        let email = `${local}@${host}`;
        for (let n = 2; emails.has(email); n++)
            email = `${local}${n}@${host}`;
        emails.add(email);
        return email;
    };
    // A few exemplary unicode names always appear, at seeded positions.
    const showcase = new Map();
    for (const name of SHOWCASE_NAMES) {
        if (showcase.size >= count)
            break;
        let at = rng.int(count);
        while (showcase.has(at))
            at = (at + 1) % count;
        showcase.set(at, name);
    }
    const users = [];
    for (let i = 0; i < count; i++) {
        const addedAt = times[i];
        const isServiceAccount = !showcase.has(i) && rng.chance(0.02);
        let name;
        let email;
        if (isServiceAccount) {
            name = `${rng.pick(SERVICE_ACCOUNT_NAMES)}-${hex(rng, 4)}`;
            email = rng.chance(0.7) ? null : uniqueEmail(`svc-${name}`, domain);
        }
        else {
            let slug;
            const whole = showcase.get(i) ?? (rng.chance(0.08) ? rng.pick(WHOLE_NAMES) : undefined);
            if (whole !== undefined) {
                [name, slug] = whole;
            }
            else {
                const [first, firstSlug] = rng.pick(FIRST_NAMES);
                const [last, lastSlug] = rng.pick(LAST_NAMES);
                name = `${first} ${last}`;
                slug = `${firstSlug}.${lastSlug}`;
            }
            const host = rng.chance(0.05) ? "contractors.example.org" : domain;
            email = rng.chance(0.03) ? null : uniqueEmail(slug, host);
        }
        const picture = rng.chance(0.5)
            ? `https://s.gravatar.com/avatar/${hex(rng, 32)}?s=480&r=pg&d=identicon`
            : null;
        const apiKeyLastUsedAt = rng.chance(isServiceAccount ? 0.9 : 0.45)
            ? addedAt + rng.int(Math.max(1, to - addedAt))
            : null;
        users.push({
            id: ids[i],
            name,
            email,
            picture,
            addedAt,
            isServiceAccount,
            isScimManaged: !isServiceAccount && rng.chance(0.75),
            apiKeyLastUsedAt,
            userType: rng.chance(0.03) ? "tenant_user" : "user",
            removed: false,
        });
    }
    return users;
}
function groupName(rng, scim, taken) {
    const dept = rng.pick(DEPARTMENTS);
    const shape = rng.int(4);
    let name;
    if (scim) {
        const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-");
        const prefix = rng.pick(["okta", "aad-sg", "idp", "gws"]);
        name =
            shape === 0
                ? `${prefix}-${slug(dept)}`
                : shape === 1
                    ? `${prefix}-${slug(dept)}-${slug(rng.pick(TEAMS))}`
                    : `${dept} - ${rng.pick(TEAMS)} (${rng.pick(REGIONS)})`;
    }
    else {
        name =
            shape === 0
                ? dept
                : shape === 1
                    ? `${dept} ${rng.pick(TEAMS)}`
                    : shape === 2
                        ? `${dept} ${rng.pick(REGIONS)}`
                        : `${rng.pick(TEAMS)} – ${dept}`;
    }
    let unique = name;
    for (let n = 2; taken.has(unique); n++)
        unique = `${name} ${n}`;
    taken.add(unique);
    return unique;
}
function makeRoles(rng, from, to, creators) {
    const predefinedAt = from - 400 * DAY;
    const predefinedTimes = [predefinedAt, predefinedAt + 1];
    const predefinedIds = idsFor("role_", predefinedTimes, rng);
    const readPermissions = ALL_PERMISSIONS.filter((p) => p.endsWith(".read"));
    const roles = [
        {
            id: predefinedIds[0],
            name: "Owner",
            description: "Full administrative access to the organization",
            permissions: [...ALL_PERMISSIONS],
            resourceType: "api.organization",
            predefined: true,
            createdAt: null,
            updatedAt: null,
            createdBy: null,
            createdByUserObj: null,
            metadata: {},
        },
        {
            id: predefinedIds[1],
            name: "Reader",
            description: "Read-only access to the organization",
            permissions: readPermissions,
            resourceType: "api.organization",
            predefined: true,
            createdAt: null,
            updatedAt: null,
            createdBy: null,
            createdByUserObj: null,
            metadata: {},
        },
    ];
    const times = sortedTimes(rng, CUSTOM_ROLES.length, from, Math.max(from + 1, to));
    const ids = idsFor("role_", times, rng);
    CUSTOM_ROLES.forEach((spec, i) => {
        const createdAt = times[i];
        const creator = creators.length > 0 ? rng.pick(creators) : undefined;
        const createdByUserObj = creator === undefined ? null : { id: creator.id, name: creator.name, email: creator.email };
        roles.push({
            id: ids[i],
            name: spec.name,
            description: spec.description,
            permissions: [...spec.permissions],
            resourceType: "api.organization",
            predefined: false,
            createdAt,
            updatedAt: createdAt + rng.int(30 * DAY),
            createdBy: creator?.id ?? null,
            createdByUserObj,
            metadata: rng.chance(0.5)
                ? {}
                : { managed_by: "access-review", ticket: `SEC-${rng.range(100, 999)}` },
        });
    });
    return roles;
}
/** Builds the organization for `options`; see GenerateOptions. */
export function generateOrganization(options) {
    const { seed } = options;
    const groupCount = Math.max(0, Math.floor(options.groups));
    const userCount = Math.max(0, Math.floor(options.users));
    const rng = new Prng(seed, "organization");
    // A fixed past window derived from the seed: about three years starting in 2021.
    const from = 1_609_459_200 + (deriveSeed(seed, "epoch") % (180 * DAY));
    const to = from + 3 * 365 * DAY;
    const users = makeUsers(rng.fork("users"), userCount, from, to);
    const humans = users.filter((u) => !u.isServiceAccount);
    // Owners: a few of the earliest people, assigned the Owner role directly.
    const roleRng = rng.fork("roles");
    const ownerCount = Math.min(humans.length, Math.max(1, Math.round(userCount * 0.004)), 4);
    const owners = humans.slice(0, ownerCount);
    const roles = makeRoles(roleRng, from, to, owners);
    const ownerRole = roles[0];
    const customRoles = roles.slice(2);
    const elevatedIds = customRoles
        .filter((r) => CUSTOM_ROLES.find((s) => s.name === r.name)?.elevated)
        .map((r) => r.id);
    const readIds = [
        roles[1].id,
        ...customRoles.filter((r) => !elevatedIds.includes(r.id)).map((r) => r.id),
    ];
    const indexById = new Map(users.map((u, i) => [u.id, i]));
    const directRoles = new Map();
    const grantDirect = (userIndex, roleId) => {
        const list = directRoles.get(userIndex) ?? [];
        if (!list.includes(roleId))
            list.push(roleId);
        list.sort();
        directRoles.set(userIndex, list);
    };
    for (const o of owners)
        grantDirect(indexById.get(o.id), ownerRole.id);
    const directCount = Math.min(userCount, Math.max(userCount > 0 ? 2 : 0, Math.round(userCount * 0.003)));
    for (let k = 0; k < directCount; k++) {
        const pool = roleRng.chance(0.5) ? elevatedIds : readIds;
        grantDirect(roleRng.int(userCount), roleRng.pick(pool));
    }
    // Groups.
    const groupRng = rng.fork("groups");
    const groupTimes = sortedTimes(groupRng, groupCount, from, to);
    const groupIdList = idsFor("group_", groupTimes, groupRng);
    const taken = new Set();
    const groups = groupIdList.map((id, i) => {
        const isScimManaged = groupRng.chance(0.6);
        const groupType = groupRng.chance(0.06) ? "tenant_group" : "group";
        return {
            id,
            name: groupName(groupRng, isScimManaged, taken),
            createdAt: groupTimes[i],
            isScimManaged,
            groupType,
            members: [],
            roleIds: [],
        };
    });
    const target = options.memberships ?? Math.round(userCount * Math.min(20, Math.max(1, groupCount / 10)));
    const memberRng = rng.fork("memberships");
    const sizes = groupSizes(memberRng, groupCount, userCount, Math.max(0, Math.floor(target)));
    // Partial Fisher-Yates over a shared pool: each group is a uniform sample, O(size).
    const pool = new Int32Array(userCount);
    for (let i = 0; i < userCount; i++)
        pool[i] = i;
    groups.forEach((g, gi) => {
        const k = sizes[gi] ?? 0;
        for (let j = 0; j < k; j++) {
            const r = j + memberRng.int(userCount - j);
            const tmp = pool[j];
            pool[j] = pool[r];
            pool[r] = tmp;
        }
        g.members = Array.from(pool.subarray(0, k).slice().sort());
    });
    // Roles on groups: about one group in eight holds a role; manual groups may hold elevated ones.
    const assignRng = rng.fork("group-roles");
    for (const g of groups) {
        if (!assignRng.chance(0.12))
            continue;
        const count = assignRng.chance(0.2) ? 2 : 1;
        for (let k = 0; k < count; k++) {
            const pool = !g.isScimManaged && assignRng.chance(0.6) ? elevatedIds : readIds;
            const roleId = assignRng.pick(pool);
            if (!g.roleIds.includes(roleId))
                g.roleIds.push(roleId);
        }
        g.roleIds.sort();
    }
    // Exactly one group grants Owner: a small manual group, renamed to say so.
    if (groups.length > 0) {
        const manualSmall = groups.filter((g) => !g.isScimManaged && g.members.length > 0 && g.members.length <= 50);
        const candidates = manualSmall.length > 0 ? manualSmall : groups.filter((g) => !g.isScimManaged);
        const adminGroup = assignRng.pick(candidates.length > 0 ? candidates : groups);
        taken.delete(adminGroup.name);
        adminGroup.name = taken.has("Org Admins") ? "Org Admins (break-glass)" : "Org Admins";
        adminGroup.groupType = "group";
        if (!adminGroup.roleIds.includes(ownerRole.id))
            adminGroup.roleIds.push(ownerRole.id);
        adminGroup.roleIds.sort();
    }
    // Projects draw from a stream of their own: the organization above never depends on them.
    const projectCount = Math.max(0, Math.floor(options.projects ?? Math.min(20, Math.max(8, Math.round(Math.sqrt(userCount) / 2)))));
    const projects = makeProjects(new Prng(seed, "projects"), users, groups, from, to, {
        projects: projectCount,
        membersAverage: options.projectMembersAverage ?? Math.min(15, Math.max(1, Math.round(userCount / 40))),
        groupsAverage: options.projectGroupsAverage ?? Math.min(3, groupCount / 8),
        customRoles: options.projectCustomRoles ?? Math.min(6, projectCount),
        archivedFraction: options.archivedProjectFraction ?? 0.1,
    });
    // Credentials draw from a stream of their own too: organization and projects never depend on them.
    const clock = to + DAY;
    const credentials = makeCredentials(new Prng(seed, "credentials"), users, projects, owners.map((o) => indexById.get(o.id)), {
        now: Math.floor(options.credentialsNow ?? clock),
        serviceAccountsAverage: options.serviceAccountsAverage ?? 1.5,
        apiKeysAverage: options.apiKeysAverage ?? 4,
        adminKeys: options.adminKeys ?? 5,
        invites: options.invites ?? Math.min(15, Math.max(8, Math.round(userCount / 40))),
    });
    const state = new OrgState({
        seed,
        users,
        groups,
        roles,
        directRoles,
        clock,
        projects,
        credentials,
    });
    if (options.auditEvents !== undefined && options.auditEvents > 0) {
        state.seedAuditHistory(options.auditEvents);
    }
    return state;
}
//# sourceMappingURL=generator.js.map