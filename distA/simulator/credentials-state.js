/**
 * The credentials half of the simulated organization (../shared/docs/openai-admin-api-projects.md
 * §8-11, §13): project service accounts, project API keys (of users and of service accounts),
 * admin API keys and invites. `OrgState` (state.ts) extends this class, which extends
 * `ProjectState` (projects-state.ts); it lives in a module of its own to keep every file a
 * readable size.
 *
 * Secrets: a full key value exists only in the return value of a create (and so only in the
 * create response); the state keeps the redacted form alone.
 *
 * Time: credential timestamps follow a credentials clock of their own, anchored at
 * `credentialsNow` (startSimulator: the wall clock, so "used today" means today; the generator:
 * the organization's logical clock). Creates and uses advance it by small seeded steps; it is
 * never behind its anchor. Its ids and draws come from a stream of their own, so credential
 * changes never move the ids the organization or the projects hand out.
 *
 * Documented inferences (the docs are silent; tests rely on these):
 * - `owner_project_access` of a user's key is "active" while the owner is a live direct member of
 *   the project, else "inactive" (removed from the project, or from the organization); the key
 *   stays listed, with the owner's last project role. A service account's key is "active" unless
 *   the service account has role "none".
 * - Archived projects have no service accounts (declared) and no keys: archiving deletes both;
 *   the key list of an archived project is empty, its service-account operations are 400s.
 * - A service account's keys are revoked by deleting it (deleting one directly is a 400).
 * - Admin keys whose owner left the organization, or is no longer an Owner, stay listed; a user
 *   owner reads `role: "owner"` ("Always `owner`"), a service-account owner (the §10 example)
 *   reads `type: "service_account"`, `object: "organization.service_account"`, `role: "member"`.
 * - Invites expire INVITE_TTL after creation (the doc's one example shows 7 days; pending
 *   invites weeks old exist, so the simulator uses 30); status turns "expired" by the
 *   credentials clock alone.
 *
 * Audit events (audit-log.ts): `api_key.*` carry the key's id as the "tracking ID" (inference,
 * docs §15 q10) and cover admin keys too (inference); `scopes` are PROJECT_KEY_SCOPES or
 * ADMIN_KEY_SCOPES (inference: the docs do not say what they hold). A user's key and an accepted
 * invite are recorded as the person's own session (only they can do it); deleting a service
 * account records no `api_key.deleted` for its keys; expiry and key use record nothing.
 */
import { sessionActor } from "./audit-events.js";
import { ADMIN_KEY_SCOPES, PROJECT_KEY_SCOPES } from "./audit-history.js";
import { alphanumeric, Prng, ulidLike } from "./prng.js";
import { ProjectState } from "./projects-state.js";
import { ALL, lowerBound, pagePositions, StateError, } from "./records.js";
const DAY = 86_400;
/** Inference: see the module comment. */
export const INVITE_TTL_SECONDS = 30 * DAY;
/** `expires_in_seconds` maximum of create-admin-api-key. */
export const MAX_ADMIN_KEY_TTL_SECONDS = 31_536_000;
/** Name of a key created without one (inference: the spec's create example shows it). */
export const DEFAULT_KEY_NAME = "Secret Key";
const VALUE_PREFIX = {
    user: "sk-proj",
    service_account: "sk-svcacct",
    admin: "sk-admin",
};
/** An obviously fake full key value. */
export function fakeKeyValue(kind, rng) {
    return `${VALUE_PREFIX[kind]}-SIMULATED-${alphanumeric(rng, 40)}`;
}
/**
 * The redacted form of a value: its `sk-<kind>` prefix, "...", its last four characters
 * (`sk-admin...def` in the docs' examples).
 */
export function redactKey(value) {
    const prefix = /^sk-[a-z]+/.exec(value)?.[0] ?? value.slice(0, Math.min(6, value.length >> 1));
    const tail = value.length >= 12 ? value.slice(-4) : value.slice(-2);
    return `${prefix}...${tail}`;
}
/** A redacted value for a generated key whose full value never existed. */
export function fakeRedacted(kind, rng) {
    return `${VALUE_PREFIX[kind]}...${alphanumeric(rng, 4)}`;
}
function insertById(list, item) {
    list.splice(lowerBound(list.length, (i) => list[i].id, item.id), 0, item);
}
function positionById(list, id) {
    const pos = lowerBound(list.length, (i) => list[i].id, id);
    return pos < list.length && list[pos].id === id ? pos : -1;
}
// ---------------------------------------------------------------- the state
/**
 * Credentials; `OrgState` extends it (state.ts), and it extends `ProjectState`.
 *
 * Reads (wire shapes exactly as served, API order = ascending id):
 * - `listServiceAccounts(p)`, `getServiceAccount(p, sa)`: StateError "invalid" for an archived
 *   project (the API answers 400)
 * - `listProjectApiKeys(p, access = "any")`, `getProjectApiKey(p, key)`
 * - `listAdminApiKeys(order = "asc")`, `getAdminApiKey(key)`, `listInvites()`, `getInvite(i)`
 * - `credentialCounts()`, `credentialsNow` (the credentials clock)
 *
 * Mutations (StateError "not_found" for unknown ids, "invalid" for archived projects, deleting
 * a service account's key, deleting an accepted invite):
 * - `createServiceAccount(p, name, { serviceAccountOnly? })`, `updateServiceAccount(p, sa, ...)`,
 *   `setServiceAccountRole(p, sa, role)`, `deleteServiceAccount(p, sa)`,
 *   `createServiceAccountApiKey(p, sa, name?)`
 * - `createUserApiKey(p, userId, name)` (simulator-only), `deleteProjectApiKey(p, key)`
 * - `createAdminApiKey(name, { expiresInSeconds?, ownerUserId? })`, `deleteAdminApiKey(key)`,
 *   `registerSimulatorAdminKey(value)`
 * - `createInvite(email, role, projects?)`, `acceptInvite(i)`, `expireInvite(i)`,
 *   `deleteInvite(i)`
 * - `useApiKey(key, at?)`, `useAdminApiKey(key, at?)`, `useCredentials(rng, fraction)`
 */
export class CredentialState extends ProjectState {
    credentialsByProject;
    /** Project key id -> its project id (key ids are globally unique). */
    keyProject = new Map();
    adminKeys;
    invites;
    credentialsAnchor;
    credentialsClock;
    credentialsRng;
    /** The key the simulator accepts, remembered after it is deleted: HTTP writes act as it. */
    simulatorKeyIdentity;
    constructor(projects, seed, clock, init) {
        super(projects, seed, clock);
        this.credentialsByProject = init?.projects ?? new Map();
        for (const [projectId, c] of this.credentialsByProject) {
            for (const k of c.keys)
                this.keyProject.set(k.id, projectId);
        }
        this.adminKeys = init?.adminKeys ?? [];
        this.invites = init?.invites ?? [];
        this.credentialsAnchor = init?.now ?? clock;
        this.credentialsClock = this.credentialsAnchor;
        this.credentialsRng = new Prng(seed, "credential-mutations");
    }
    // ------------------------------------------------------------ clock and ids
    /** The credentials clock: never behind its anchor. */
    get credentialsNow() {
        return Math.max(this.credentialsClock, this.credentialsAnchor);
    }
    auditFloor() {
        return this.credentialsNow;
    }
    nextCredentialTime() {
        this.credentialsClock = this.credentialsNow + this.credentialsRng.range(1, 30);
        return this.credentialsClock;
    }
    nextCredentialId(prefix, at) {
        return `${prefix}${ulidLike(at * 1000 + this.credentialsRng.int(1000), this.credentialsRng)}`;
    }
    // ------------------------------------------------------------ wire builders
    serviceAccountWire(sa) {
        return {
            object: "organization.project.service_account",
            id: sa.id,
            name: sa.name,
            role: sa.role,
            created_at: sa.createdAt,
        };
    }
    /** The owner's current project role, or undefined when they have no access. */
    liveMemberRole(projectId, user) {
        if (user.removed || this.liveUserIndex(user.id) === undefined)
            return undefined;
        if (this.isProjectArchived(projectId))
            return undefined;
        return this.getProjectUser(projectId, user.id)?.role;
    }
    keyAccess(projectId, k) {
        if (k.owner.kind === "service_account") {
            return k.owner.serviceAccount.role === "none" ? "inactive" : "active";
        }
        return this.liveMemberRole(projectId, k.owner.user) === undefined ? "inactive" : "active";
    }
    projectKeyWire(projectId, k) {
        let owner;
        let access;
        if (k.owner.kind === "user") {
            const u = k.owner.user;
            const role = this.liveMemberRole(projectId, u);
            access = role === undefined ? "inactive" : "active";
            owner = {
                type: "user",
                user: {
                    id: u.id,
                    email: u.email ?? "", // the schema requires a string; inference for users without one
                    name: u.name,
                    created_at: u.addedAt,
                    role: role ?? k.owner.lastRole,
                },
            };
        }
        else {
            const sa = k.owner.serviceAccount;
            access = sa.role === "none" ? "inactive" : "active";
            owner = {
                type: "service_account",
                service_account: { id: sa.id, name: sa.name, created_at: sa.createdAt, role: sa.role },
            };
        }
        return {
            object: "organization.project.api_key",
            id: k.id,
            name: k.name,
            redacted_value: k.redacted,
            created_at: k.createdAt,
            last_used_at: k.lastUsedAt,
            owner_project_access: access,
            owner,
        };
    }
    adminKeyWire(k) {
        const u = k.owner.user;
        const isUser = k.owner.kind === "user";
        return {
            object: "organization.admin_api_key",
            id: k.id,
            name: k.name,
            redacted_value: k.redacted,
            created_at: k.createdAt,
            expires_at: k.expiresAt,
            last_used_at: k.lastUsedAt,
            owner: {
                type: isUser ? "user" : "service_account",
                object: isUser ? "organization.user" : "organization.service_account",
                id: u.id,
                name: u.name,
                created_at: u.addedAt,
                role: isUser ? "owner" : "member",
            },
        };
    }
    inviteStatus(i) {
        if (i.status === "pending" && i.expiresAt !== null && i.expiresAt <= this.credentialsNow) {
            return "expired";
        }
        return i.status;
    }
    inviteWire(i) {
        return {
            object: "organization.invite",
            id: i.id,
            email: i.email,
            role: i.role,
            status: this.inviteStatus(i),
            created_at: i.createdAt,
            expires_at: i.expiresAt,
            accepted_at: i.acceptedAt,
            projects: i.projects.map((p) => ({ ...p })),
        };
    }
    // ------------------------------------------------------------ lookups
    requireKnownProject(projectId) {
        if (!this.hasProject(projectId)) {
            throw new StateError("not_found", `Project with id '${projectId}' not found.`);
        }
    }
    /** The project's credentials, unless it is unknown (not_found) or archived (invalid). */
    activeCredentials(projectId) {
        this.requireKnownProject(projectId);
        if (this.isProjectArchived(projectId)) {
            throw new StateError("invalid", `Project ${projectId} is archived.`);
        }
        let c = this.credentialsByProject.get(projectId);
        if (c === undefined) {
            c = { serviceAccounts: [], keys: [] };
            this.credentialsByProject.set(projectId, c);
        }
        return c;
    }
    requireServiceAccount(c, projectId, saId) {
        const pos = positionById(c.serviceAccounts, saId);
        if (pos < 0) {
            throw new StateError("not_found", `Service account with id '${saId}' not found in project '${projectId}'.`);
        }
        return c.serviceAccounts[pos];
    }
    findProjectKey(projectId, keyId) {
        const c = this.credentialsByProject.get(projectId);
        if (c === undefined)
            return undefined;
        const pos = positionById(c.keys, keyId);
        return pos < 0 ? undefined : c.keys[pos];
    }
    requireAdminKey(keyId) {
        const pos = positionById(this.adminKeys, keyId);
        if (pos < 0)
            throw new StateError("not_found", `Admin API key with id '${keyId}' not found.`);
        return this.adminKeys[pos];
    }
    requireInvite(inviteId) {
        const pos = positionById(this.invites, inviteId);
        if (pos < 0)
            throw new StateError("not_found", `Invite with id '${inviteId}' not found.`);
        return this.invites[pos];
    }
    /** The invite, which must still be pending (StateError "invalid" otherwise). */
    requirePendingInvite(inviteId) {
        const i = this.requireInvite(inviteId);
        const status = this.inviteStatus(i);
        if (status !== "pending") {
            throw new StateError("invalid", `Invite '${inviteId}' is ${status}.`);
        }
        return i;
    }
    // ------------------------------------------------------------ pages (server)
    pageServiceAccounts(projectId, request) {
        const list = this.activeCredentials(projectId).serviceAccounts;
        const { positions, hasMore } = pagePositions(list.length, (i) => list[i].id, () => true, request);
        return {
            items: positions.map((i) => this.serviceAccountWire(list[i])),
            hasMore,
        };
    }
    /** An archived project's key list is empty (inference: its keys are gone). */
    pageProjectApiKeys(projectId, request, access) {
        this.requireKnownProject(projectId);
        const list = this.credentialsByProject.get(projectId)?.keys ?? [];
        const { positions, hasMore } = pagePositions(list.length, (i) => list[i].id, (i) => access === "any" || this.keyAccess(projectId, list[i]) === access, request);
        return {
            items: positions.map((i) => this.projectKeyWire(projectId, list[i])),
            hasMore,
        };
    }
    pageAdminApiKeys(request) {
        const list = this.adminKeys;
        const { positions, hasMore } = pagePositions(list.length, (i) => list[i].id, () => true, request);
        return { items: positions.map((i) => this.adminKeyWire(list[i])), hasMore };
    }
    pageInvites(request) {
        const list = this.invites;
        const { positions, hasMore } = pagePositions(list.length, (i) => list[i].id, () => true, request);
        return { items: positions.map((i) => this.inviteWire(list[i])), hasMore };
    }
    // ------------------------------------------------------------ reads
    /** Throws StateError "invalid" for an archived project, as the API answers 400. */
    listServiceAccounts(projectId) {
        return this.pageServiceAccounts(projectId, ALL).items;
    }
    getServiceAccount(projectId, saId) {
        const c = this.activeCredentials(projectId);
        const pos = positionById(c.serviceAccounts, saId);
        return pos < 0
            ? undefined
            : this.serviceAccountWire(c.serviceAccounts[pos]);
    }
    listProjectApiKeys(projectId, access = "any") {
        return this.pageProjectApiKeys(projectId, ALL, access).items;
    }
    getProjectApiKey(projectId, keyId) {
        this.requireKnownProject(projectId);
        const k = this.findProjectKey(projectId, keyId);
        return k === undefined ? undefined : this.projectKeyWire(projectId, k);
    }
    listAdminApiKeys(order = "asc") {
        return this.pageAdminApiKeys({ ...ALL, order }).items;
    }
    getAdminApiKey(keyId) {
        const pos = positionById(this.adminKeys, keyId);
        return pos < 0 ? undefined : this.adminKeyWire(this.adminKeys[pos]);
    }
    /** The id of the admin key the simulator accepts (see registerSimulatorAdminKey). */
    simulatorAdminKeyId() {
        return this.adminKeys.find((k) => k.simulatorKey === true)?.id;
    }
    /**
     * The tracking id HTTP writes are recorded under: the simulator's own admin key, remembered
     * after it is deleted (the simulator keeps accepting it).
     */
    simulatorKeyTrackingId() {
        return this.simulatorKeyIdentity?.id;
    }
    /**
     * Who a key is, for an audit actor: an admin key (its owner a user or an organization service
     * account), a project key (a user's or a service account's), or the simulator's own key after
     * its deletion; undefined for an unknown id.
     */
    apiKeyIdentity(keyId) {
        const toOwner = (u) => ({
            kind: "user",
            user: { id: u.id, email: u.email },
        });
        const admin = positionById(this.adminKeys, keyId);
        if (admin >= 0) {
            const k = this.adminKeys[admin];
            return {
                admin: true,
                owner: k.owner.kind === "user"
                    ? toOwner(k.owner.user)
                    : { kind: "service_account", id: k.owner.user.id },
            };
        }
        const projectId = this.keyProject.get(keyId);
        const k = projectId === undefined ? undefined : this.findProjectKey(projectId, keyId);
        if (k !== undefined) {
            return {
                admin: false,
                owner: k.owner.kind === "user"
                    ? toOwner(k.owner.user)
                    : { kind: "service_account", id: k.owner.serviceAccount.id },
            };
        }
        if (this.simulatorKeyIdentity?.id === keyId) {
            return { admin: true, owner: toOwner(this.simulatorKeyIdentity.owner) };
        }
        return undefined;
    }
    /** Admin keys that act in seeded history: every one but the simulator's own. */
    historyAdminKeys() {
        const out = [];
        for (const k of this.adminKeys) {
            if (k.simulatorKey === true)
                continue;
            const identity = this.apiKeyIdentity(k.id);
            if (identity !== undefined)
                out.push({ id: k.id, owner: identity.owner });
        }
        return out;
    }
    /** Service accounts' keys of active projects, in project then key order. */
    historyServiceAccountKeys() {
        const out = [];
        for (const projectId of this.credentialProjectIds()) {
            for (const k of this.credentialsByProject.get(projectId)?.keys ?? []) {
                if (k.owner.kind === "service_account") {
                    out.push({ projectId, keyId: k.id, serviceAccountId: k.owner.serviceAccount.id });
                }
            }
        }
        return out;
    }
    listInvites() {
        return this.pageInvites(ALL).items;
    }
    getInvite(inviteId) {
        const pos = positionById(this.invites, inviteId);
        return pos < 0 ? undefined : this.inviteWire(this.invites[pos]);
    }
    /** Project ids holding credentials (active projects), in id order. */
    credentialProjectIds() {
        return [...this.credentialsByProject.keys()].filter((p) => this.hasProject(p)).sort();
    }
    /** Ids of the keys owned by a service account of the project, ascending. */
    serviceAccountKeyIds(projectId, saId) {
        const c = this.activeCredentials(projectId);
        this.requireServiceAccount(c, projectId, saId);
        return c.keys
            .filter((k) => k.owner.kind === "service_account" && k.owner.serviceAccount.id === saId)
            .map((k) => k.id);
    }
    credentialCounts() {
        let serviceAccounts = 0;
        let apiKeys = 0;
        for (const c of this.credentialsByProject.values()) {
            serviceAccounts += c.serviceAccounts.length;
            apiKeys += c.keys.length;
        }
        return {
            serviceAccounts,
            apiKeys,
            adminKeys: this.adminKeys.length,
            invites: this.invites.length,
        };
    }
    /** Feeds every credential, in order, to a fingerprint (no secret exists to feed). */
    hashCredentials(update) {
        for (const projectId of [...this.credentialsByProject.keys()].sort()) {
            const c = this.credentialsByProject.get(projectId);
            update(`${projectId}\n`);
            for (const sa of c.serviceAccounts)
                update(`${JSON.stringify(sa)}\n`);
            for (const k of c.keys) {
                const owner = k.owner.kind === "user"
                    ? `u:${k.owner.user.id}:${k.owner.lastRole}`
                    : `s:${k.owner.serviceAccount.id}`;
                update(`${k.id}|${k.name}|${k.redacted}|${k.createdAt}|${k.lastUsedAt}|${owner}\n`);
            }
        }
        for (const k of this.adminKeys) {
            update(`${k.id}|${k.name}|${k.redacted}|${k.createdAt}|${k.expiresAt}|${k.lastUsedAt}|${k.owner.kind}:${k.owner.user.id}\n`);
        }
        for (const i of this.invites)
            update(`${JSON.stringify(i)}\n`);
    }
    // ------------------------------------------------------------ service accounts
    /**
     * A service account (role `member`, or `none` with `serviceAccountOnly`) and, unless
     * `serviceAccountOnly`, a key owned by it: the only place its full value appears.
     */
    createServiceAccount(projectId, name, opts = {}) {
        const c = this.activeCredentials(projectId);
        const at = this.nextCredentialTime();
        const sa = {
            id: this.nextCredentialId("svc_acct_", at),
            name,
            role: opts.serviceAccountOnly === true ? "none" : "member",
            createdAt: at,
        };
        insertById(c.serviceAccounts, sa);
        const apiKey = opts.serviceAccountOnly === true ? null : this.addServiceAccountKey(projectId, c, sa, at);
        this.markChanged();
        this.audit.oneChange(() => {
            this.audit.emit("service_account.created", { id: sa.id, data: { role: sa.role } }, projectId);
            if (apiKey !== null) {
                this.audit.emit("api_key.created", { id: apiKey.id, data: { scopes: [...PROJECT_KEY_SCOPES] } }, projectId);
            }
        });
        return { serviceAccount: { ...this.serviceAccountWire(sa), api_key: apiKey }, apiKey };
    }
    addServiceAccountKey(projectId, c, sa, at, name = DEFAULT_KEY_NAME) {
        const value = fakeKeyValue("service_account", this.credentialsRng);
        const k = {
            id: this.nextCredentialId("key_", at),
            name,
            redacted: redactKey(value),
            createdAt: at,
            lastUsedAt: null,
            owner: { kind: "service_account", serviceAccount: sa },
        };
        insertById(c.keys, k);
        this.keyProject.set(k.id, projectId);
        return {
            object: "organization.project.service_account.api_key",
            value,
            name: k.name,
            created_at: k.createdAt,
            id: k.id,
        };
    }
    /**
     * `ServiceAccountApiKeyBody`: the full value appears only here. `scopes` (default: full access)
     * only go to the audit event: the key object has none.
     */
    createServiceAccountApiKey(projectId, saId, name, scopes = PROJECT_KEY_SCOPES) {
        const c = this.activeCredentials(projectId);
        const sa = this.requireServiceAccount(c, projectId, saId);
        const key = this.addServiceAccountKey(projectId, c, sa, this.nextCredentialTime(), name);
        this.markChanged();
        this.audit.emit("api_key.created", { id: key.id, data: { scopes: [...scopes] } }, projectId);
        return key;
    }
    updateServiceAccount(projectId, saId, changes) {
        const c = this.activeCredentials(projectId);
        const sa = this.requireServiceAccount(c, projectId, saId);
        let changed = false;
        let roleChanged = false;
        if (changes.name !== undefined && changes.name !== sa.name) {
            sa.name = changes.name;
            changed = true;
        }
        if (changes.role !== undefined && changes.role !== sa.role) {
            sa.role = changes.role;
            changed = true;
            roleChanged = true;
        }
        if (changed)
            this.markChanged();
        // `changes_requested` knows only `role`: a rename alone records nothing.
        if (roleChanged) {
            this.audit.emit("service_account.updated", { id: sa.id, changes_requested: { role: sa.role } }, projectId);
        }
        return this.serviceAccountWire(sa);
    }
    /** False when the role was already `role`. */
    setServiceAccountRole(projectId, saId, role) {
        const c = this.activeCredentials(projectId);
        if (this.requireServiceAccount(c, projectId, saId).role === role)
            return false;
        this.updateServiceAccount(projectId, saId, { role });
        return true;
    }
    /** Deletes a service account and every key it owns. */
    deleteServiceAccount(projectId, saId) {
        const c = this.activeCredentials(projectId);
        const sa = this.requireServiceAccount(c, projectId, saId);
        c.serviceAccounts.splice(c.serviceAccounts.indexOf(sa), 1);
        c.keys = c.keys.filter((k) => {
            const owned = k.owner.kind === "service_account" && k.owner.serviceAccount === sa;
            if (owned)
                this.keyProject.delete(k.id);
            return !owned;
        });
        this.markChanged();
        // Its keys go with it, without events of their own (inference: a cascade).
        this.audit.emit("service_account.deleted", { id: sa.id }, projectId);
    }
    // ------------------------------------------------------------ project API keys
    /**
     * Simulator-only (the API cannot issue user keys): a key owned by a member of the project.
     * Returns the wire key plus its full value.
     */
    createUserApiKey(projectId, userId, name) {
        const c = this.activeCredentials(projectId);
        const index = this.liveUserIndex(userId);
        if (index === undefined) {
            throw new StateError("not_found", `User with id '${userId}' not found.`, "user_id");
        }
        const role = this.getProjectUser(projectId, userId)?.role;
        if (role === undefined) {
            throw new StateError("invalid", `User '${userId}' is not a member of project '${projectId}'.`, "user_id");
        }
        const at = this.nextCredentialTime();
        const value = fakeKeyValue("user", this.credentialsRng);
        const k = {
            id: this.nextCredentialId("key_", at),
            name,
            redacted: redactKey(value),
            createdAt: at,
            lastUsedAt: null,
            owner: { kind: "user", user: this.userRecordAt(index), lastRole: role },
        };
        insertById(c.keys, k);
        this.keyProject.set(k.id, projectId);
        this.markChanged();
        // "Users need to authorize themselves to generate keys": the owner's own session, unless an
        // enclosing asActor names someone else.
        const owner = this.userRecordAt(index);
        this.audit.asNaturalActor(() => ({ wire: sessionActor(owner), viaAdminKey: false }), () => this.audit.emit("api_key.created", { id: k.id, data: { scopes: [...PROJECT_KEY_SCOPES] } }, projectId));
        return { ...this.projectKeyWire(projectId, k), value };
    }
    /** StateError "invalid" for a service account's key (delete the service account instead). */
    deleteProjectApiKey(projectId, keyId) {
        this.requireKnownProject(projectId);
        const c = this.credentialsByProject.get(projectId);
        const k = this.findProjectKey(projectId, keyId);
        if (c === undefined || k === undefined) {
            throw new StateError("not_found", `API key with id '${keyId}' not found in project '${projectId}'.`);
        }
        if (k.owner.kind === "service_account") {
            throw new StateError("invalid", `API key '${keyId}' belongs to service account '${k.owner.serviceAccount.id}'; delete the service account to revoke it.`);
        }
        c.keys.splice(c.keys.indexOf(k), 1);
        this.keyProject.delete(keyId);
        this.markChanged();
        this.audit.emit("api_key.deleted", { id: keyId }, projectId);
    }
    /** Marks a project key used at `at` (default: the credentials clock's now). */
    useApiKey(keyId, at) {
        const projectId = this.keyProject.get(keyId);
        const k = projectId === undefined ? undefined : this.findProjectKey(projectId, keyId);
        if (projectId === undefined || k === undefined) {
            throw new StateError("not_found", `API key with id '${keyId}' not found.`);
        }
        k.lastUsedAt = Math.max(k.createdAt, at ?? this.credentialsNow);
        this.markChanged();
        return this.projectKeyWire(projectId, k);
    }
    // ------------------------------------------------------------ admin API keys
    defaultAdminOwner() {
        const simulatorKey = this.adminKeys.find((k) => k.simulatorKey === true);
        if (simulatorKey !== undefined && !simulatorKey.owner.user.removed) {
            return simulatorKey.owner.user;
        }
        const owner = this.ownerUserRecords()[0];
        if (owner === undefined) {
            throw new StateError("invalid", "The organization has no Owner to own an admin key.");
        }
        return owner;
    }
    /** An admin key owned by `ownerUserId` (default: an Owner); the full value appears only here. */
    createAdminApiKey(name, opts = {}) {
        let owner;
        if (opts.ownerUserId !== undefined) {
            const index = this.liveUserIndex(opts.ownerUserId);
            if (index === undefined) {
                throw new StateError("not_found", `User with id '${opts.ownerUserId}' not found.`);
            }
            owner = this.userRecordAt(index);
        }
        else {
            owner = this.defaultAdminOwner();
        }
        const at = this.nextCredentialTime();
        const value = fakeKeyValue("admin", this.credentialsRng);
        const k = {
            id: this.nextCredentialId("key_", at),
            name,
            redacted: redactKey(value),
            createdAt: at,
            expiresAt: opts.expiresInSeconds === undefined ? null : at + opts.expiresInSeconds,
            lastUsedAt: null,
            owner: { kind: "user", user: owner },
        };
        insertById(this.adminKeys, k);
        this.markChanged();
        // Inference: the docs do not say which type covers admin keys; `api_key.*`, without a project.
        this.audit.emit("api_key.created", { id: k.id, data: { scopes: [...ADMIN_KEY_SCOPES] } });
        return { ...this.adminKeyWire(k), value };
    }
    deleteAdminApiKey(keyId) {
        const k = this.requireAdminKey(keyId);
        this.adminKeys.splice(this.adminKeys.indexOf(k), 1);
        this.markChanged();
        this.audit.emit("api_key.deleted", { id: keyId });
    }
    useAdminApiKey(keyId, at) {
        const k = this.requireAdminKey(keyId);
        k.lastUsedAt = Math.max(k.createdAt, at ?? this.credentialsNow);
        this.markChanged();
        return this.adminKeyWire(k);
    }
    /**
     * Lists the key the simulator accepts (`sim.adminKey`) as an admin key of an Owner, created
     * some weeks before the credentials clock and used now; idempotent. Its id and times come from
     * a stream of their own (derived from the value), so registering moves no other id.
     */
    registerSimulatorAdminKey(value) {
        const existing = this.adminKeys.find((k) => k.simulatorKey === true);
        const redacted = redactKey(value);
        if (existing !== undefined && existing.redacted === redacted) {
            return this.adminKeyWire(existing);
        }
        if (existing !== undefined)
            this.adminKeys.splice(this.adminKeys.indexOf(existing), 1);
        const rng = new Prng(this.credentialsAnchor, `simulator-admin-key:${value.length}:${redacted}`);
        const now = this.credentialsNow;
        const createdAt = now - rng.range(20 * DAY, 200 * DAY);
        const owner = this.ownerUserRecords()[0];
        const fallback = {
            id: `user_${ulidLike(createdAt * 1000, rng)}`,
            name: "Simulator Admin",
            email: null,
            picture: null,
            addedAt: createdAt,
            isServiceAccount: false,
            isScimManaged: false,
            apiKeyLastUsedAt: null,
            userType: "user",
            removed: true,
        };
        const k = {
            id: `key_${ulidLike(createdAt * 1000 + rng.int(1000), rng)}`,
            name: "Access review (simulator key)",
            redacted,
            createdAt,
            expiresAt: null,
            lastUsedAt: now,
            owner: { kind: "user", user: owner ?? fallback },
            simulatorKey: true,
        };
        insertById(this.adminKeys, k);
        this.simulatorKeyIdentity = { id: k.id, owner: k.owner.user };
        // Part of the organization's setup, not a change: no audit event.
        this.markChanged();
        return this.adminKeyWire(k);
    }
    // ------------------------------------------------------------ invites
    /**
     * A pending invite expiring INVITE_TTL_SECONDS later. `projects` undefined: the Default project
     * as a member (the documented legacy behaviour); an empty list: none. StateError "invalid"
     * (param `projects`) for unknown or archived projects.
     */
    createInvite(email, role, projects) {
        let list;
        if (projects === undefined) {
            const d = this.defaultProjectId;
            list = d === undefined ? [] : [{ id: d, role: "member" }];
        }
        else {
            list = projects.map((p) => ({ id: p.id, role: p.role }));
        }
        for (const p of list) {
            if (!this.hasProject(p.id)) {
                throw new StateError("not_found", `Project with id '${p.id}' not found.`, "projects");
            }
            if (this.isProjectArchived(p.id)) {
                throw new StateError("invalid", `Project ${p.id} is archived.`, "projects");
            }
        }
        const at = this.nextCredentialTime();
        const i = {
            id: this.nextCredentialId("invite-", at),
            email,
            role,
            status: "pending",
            createdAt: at,
            expiresAt: at + INVITE_TTL_SECONDS,
            acceptedAt: null,
            projects: list,
        };
        insertById(this.invites, i);
        this.markChanged();
        this.audit.emit("invite.sent", { id: i.id, data: { email, role } });
        return this.inviteWire(i);
    }
    /**
     * Simulator-only: the invitee accepts. The invite turns accepted; a new organization user
     * (Owner for an owner invite) joins the invite's active projects. StateError "invalid" unless
     * the invite is pending.
     */
    acceptInvite(inviteId) {
        const i = this.requirePendingInvite(inviteId);
        return this.audit.oneChange(() => {
            const at = this.nextCredentialTime();
            i.status = "accepted";
            i.acceptedAt = at;
            const existing = this.liveUserByEmail(i.email);
            const user = existing ?? this.audit.quiet(() => this.addInvitedUser(i.email, i.role, at));
            // The invitee acts: invite.accepted, their joining the organization, and each project.
            this.audit.asNaturalActor(() => ({ wire: sessionActor(user), viaAdminKey: false }), () => {
                this.audit.emit("invite.accepted", { id: i.id });
                if (existing === undefined) {
                    this.audit.emit("user.added", { id: user.id, data: { role: i.role } });
                }
                for (const p of i.projects) {
                    if (this.hasProject(p.id) && !this.isProjectArchived(p.id)) {
                        if (!this.isProjectMember(p.id, user.id))
                            this.addProjectUser(p.id, user.id, p.role);
                    }
                }
            });
            this.markChanged();
            return this.inviteWire(i);
        });
    }
    /** Expires a pending invite now; StateError "invalid" unless it is pending. */
    expireInvite(inviteId) {
        const i = this.requirePendingInvite(inviteId);
        i.status = "expired";
        i.expiresAt = this.credentialsNow;
        this.markChanged();
        return this.inviteWire(i);
    }
    /** "If the invite has already been accepted, it cannot be deleted": StateError "invalid". */
    deleteInvite(inviteId) {
        const i = this.requireInvite(inviteId);
        if (i.status === "accepted") {
            throw new StateError("invalid", `Invite '${inviteId}' has already been accepted and cannot be deleted.`);
        }
        this.invites.splice(this.invites.indexOf(i), 1);
        this.markChanged();
        this.audit.emit("invite.deleted", { id: inviteId });
    }
    // ------------------------------------------------------------ usage
    /**
     * Marks round(fraction × all project and admin keys) of them, chosen by `rng`, used now (the
     * credentials clock advances one step first). Returns how many.
     */
    useCredentials(rng, fraction) {
        const all = [];
        for (const projectId of [...this.credentialsByProject.keys()].sort()) {
            for (const k of this.credentialsByProject.get(projectId)?.keys ?? [])
                all.push(k);
        }
        for (const k of this.adminKeys)
            all.push(k);
        const count = Math.round(Math.max(0, Math.min(1, fraction)) * all.length);
        if (count === 0)
            return 0;
        const at = this.nextCredentialTime();
        for (let j = 0; j < count; j++) {
            const r = j + rng.int(all.length - j);
            const picked = all[r];
            all[r] = all[j];
            all[j] = picked;
            picked.lastUsedAt = Math.max(picked.createdAt, at);
        }
        this.markChanged();
        return count;
    }
    // ------------------------------------------------------------ cascades
    /** Remembers the role of a member's keys before they leave the project. */
    rememberRoles(projectId, userId) {
        const c = this.credentialsByProject.get(projectId);
        if (c === undefined || this.isProjectArchived(projectId))
            return;
        const role = this.getProjectUser(projectId, userId)?.role;
        if (role === undefined)
            return;
        for (const k of c.keys) {
            if (k.owner.kind === "user" && k.owner.user.id === userId)
                k.owner.lastRole = role;
        }
    }
    /** Their keys stay listed, `owner_project_access: "inactive"`. */
    removeProjectUser(projectId, userId) {
        if (this.hasProject(projectId) && !this.isProjectArchived(projectId)) {
            if (!this.isDefaultProject(projectId))
                this.rememberRoles(projectId, userId);
        }
        return super.removeProjectUser(projectId, userId);
    }
    /** A user left the organization: their keys stay listed, inactive everywhere. */
    removeUserFromProjects(index) {
        const userId = this.userRecordAt(index).id;
        for (const projectId of this.credentialsByProject.keys()) {
            this.rememberRoles(projectId, userId);
        }
        super.removeUserFromProjects(index);
    }
    /** Inference: an archived project has no service accounts and no keys any more. */
    archiveProject(projectId) {
        const wire = super.archiveProject(projectId);
        const c = this.credentialsByProject.get(projectId);
        if (c !== undefined) {
            for (const k of c.keys)
                this.keyProject.delete(k.id);
            this.credentialsByProject.delete(projectId);
        }
        return wire;
    }
}
//# sourceMappingURL=credentials-state.js.map