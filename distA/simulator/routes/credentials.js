import { MAX_ADMIN_KEY_TTL_SECONDS } from "../credentials-state.js";
import { ADMIN_KEYS_LIST, errorReply, isReply, optionalString, PROJECTS_LIST, } from "./kit.js";
const ACCESS_VALUES = new Set(["active", "inactive", "any"]);
function invalidValue(key, value, supported) {
    return errorReply(400, `Invalid value: '${String(value)}'. Supported values are: ${supported}.`, key, "invalid_value");
}
function invalidType(key, expected, value) {
    return errorReply(400, `Invalid type for '${key}': expected ${expected}, but got ${Array.isArray(value) ? "an array" : `a ${value === null ? "null" : typeof value}`} instead.`, key, "invalid_type");
}
/** An optional boolean (null = absent). */
function optionalBoolean(body, key) {
    const value = body[key];
    if (value === undefined || value === null)
        return undefined;
    if (typeof value !== "boolean")
        return invalidType(key, "a boolean", value);
    return value;
}
/** An optional non-empty string (absent: undefined). */
function optionalName(body, key) {
    const value = optionalString(body, key);
    if (isReply(value))
        return value;
    if (value === "") {
        return errorReply(400, `Invalid '${key}': string too short. Expected a string with minimum length 1, but got an empty string instead.`, key, "string_below_min_length");
    }
    return value ?? undefined;
}
/** The `projects` of an invite request: absent (undefined) or a list of `{id, role}`. */
function inviteProjectsOf(body) {
    const value = body.projects;
    if (value === undefined || value === null)
        return undefined;
    if (!Array.isArray(value))
        return invalidType("projects", "an array", value);
    const out = [];
    for (const item of value) {
        if (typeof item !== "object" || item === null || Array.isArray(item)) {
            return invalidType("projects", "an array of objects", item);
        }
        const { id, role } = item;
        if (typeof id !== "string" || id === "") {
            return errorReply(400, "Missing required parameter: 'projects[].id'.", "projects");
        }
        if (role !== "member" && role !== "owner") {
            return invalidValue("projects", role, "'member' and 'owner'");
        }
        out.push({ id, role });
    }
    return out;
}
/**
 * Marks a list reply as a credential list: `mutateBetweenPagesRate` may then change credentials
 * between its pages (other lists keep the organization and project changes they always had).
 */
function credentialList(reply) {
    if (reply.list !== undefined)
        reply.list.credentials = true;
    return reply;
}
export function registerCredentialRoutes(kit) {
    const s = kit.state;
    const { add, param } = kit;
    const SA = "/organization/projects/{project_id}/service_accounts";
    const KEYS = "/organization/projects/{project_id}/api_keys";
    // ---- project service accounts (an archived project has none: every operation is a 400)
    add("GET", SA, (ctx) => {
        const projectId = param(ctx, "project_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        const request = kit.parseList(ctx.query, PROJECTS_LIST);
        if (isReply(request))
            return request;
        return credentialList(kit.legacyList(s.pageServiceAccounts(projectId, request), request, ctx.query.get("after"), (sa) => ({ ...sa }), projectId));
    });
    add("POST", SA, (ctx) => {
        const projectId = param(ctx, "project_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        const name = kit.requiredString(ctx.body, "name", { min: 1 });
        if (isReply(name))
            return name;
        const only = optionalBoolean(ctx.body, "create_service_account_only");
        if (isReply(only))
            return only;
        const created = s.createServiceAccount(projectId, name, {
            serviceAccountOnly: only === true,
        });
        return { status: 200, body: { ...created.serviceAccount } };
    }, true);
    add("GET", `${SA}/{service_account_id}`, (ctx) => {
        const projectId = param(ctx, "project_id");
        const saId = param(ctx, "service_account_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        const sa = s.getServiceAccount(projectId, saId);
        if (sa === undefined) {
            return kit.notFound(`Service account with id '${saId}' not found in project '${projectId}'.`);
        }
        return { status: 200, body: { ...sa } };
    });
    add("POST", `${SA}/{service_account_id}`, (ctx) => {
        const projectId = param(ctx, "project_id");
        const saId = param(ctx, "service_account_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        if (s.getServiceAccount(projectId, saId) === undefined) {
            return kit.notFound(`Service account with id '${saId}' not found in project '${projectId}'.`);
        }
        const name = optionalName(ctx.body, "name");
        if (isReply(name))
            return name;
        const rawRole = ctx.body.role;
        let role;
        if (rawRole !== undefined && rawRole !== null) {
            if (rawRole !== "member" && rawRole !== "owner") {
                return invalidValue("role", rawRole, "'member' and 'owner'");
            }
            role = rawRole;
        }
        const changes = {};
        if (name !== undefined)
            changes.name = name;
        if (role !== undefined)
            changes.role = role;
        return { status: 200, body: { ...s.updateServiceAccount(projectId, saId, changes) } };
    }, true);
    add("DELETE", `${SA}/{service_account_id}`, (ctx) => {
        const projectId = param(ctx, "project_id");
        const saId = param(ctx, "service_account_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        s.deleteServiceAccount(projectId, saId); // unknown id: StateError -> 404
        return {
            status: 200,
            body: { object: "organization.project.service_account.deleted", id: saId, deleted: true },
        };
    });
    add("POST", `${SA}/{service_account_id}/api_keys`, (ctx) => {
        const projectId = param(ctx, "project_id");
        const saId = param(ctx, "service_account_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        const name = optionalName(ctx.body, "name");
        if (isReply(name))
            return name;
        const scopes = ctx.body.scopes;
        if (scopes !== undefined &&
            scopes !== null &&
            (!Array.isArray(scopes) || !scopes.every((x) => typeof x === "string"))) {
            return invalidType("scopes", "an array of strings", scopes);
        }
        // Scopes are accepted and not echoed (ServiceAccountApiKeyBody has no `scopes`); they
        // show in the audit log's api_key.created.
        const created = Array.isArray(scopes) && scopes.length > 0
            ? s.createServiceAccountApiKey(projectId, saId, name, scopes)
            : s.createServiceAccountApiKey(projectId, saId, name);
        return { status: 200, body: { ...created } };
    }, true);
    // ---- project API keys
    add("GET", KEYS, (ctx) => {
        const projectId = param(ctx, "project_id");
        const missing = kit.projectOr404(projectId);
        if (missing !== undefined)
            return missing;
        const request = kit.parseList(ctx.query, PROJECTS_LIST);
        if (isReply(request))
            return request;
        const raw = ctx.query.get("owner_project_access");
        let access;
        if (raw === null || raw === "") {
            // "If omitted, the endpoint applies its existing membership-based visibility rules".
            access = kit.quirks().apiKeysDefaultOwnerAccess;
        }
        else if (ACCESS_VALUES.has(raw)) {
            access = raw;
        }
        else {
            return invalidValue("owner_project_access", raw, "'active', 'inactive' and 'any'");
        }
        return credentialList(kit.legacyList(s.pageProjectApiKeys(projectId, request, access), request, ctx.query.get("after"), (k) => structuredClone(k), projectId));
    });
    add("GET", `${KEYS}/{api_key_id}`, (ctx) => {
        const projectId = param(ctx, "project_id");
        const keyId = param(ctx, "api_key_id");
        const missing = kit.projectOr404(projectId);
        if (missing !== undefined)
            return missing;
        const key = s.getProjectApiKey(projectId, keyId);
        if (key === undefined) {
            return kit.notFound(`API key with id '${keyId}' not found in project '${projectId}'.`);
        }
        return { status: 200, body: { ...key } };
    });
    add("DELETE", `${KEYS}/{api_key_id}`, (ctx) => {
        const projectId = param(ctx, "project_id");
        const keyId = param(ctx, "api_key_id");
        const missing = kit.projectOr404(projectId);
        if (missing !== undefined)
            return missing;
        s.deleteProjectApiKey(projectId, keyId); // unknown: 404; a service account's key: 400
        return {
            status: 200,
            body: { object: "organization.project.api_key.deleted", id: keyId, deleted: true },
        };
    });
    // ---- admin API keys
    add("GET", "/organization/admin_api_keys", (ctx) => {
        const request = kit.parseList(ctx.query, ADMIN_KEYS_LIST);
        if (isReply(request))
            return request;
        return credentialList(kit.legacyList(s.pageAdminApiKeys(request), request, ctx.query.get("after"), (k) => ({
            ...k,
            owner: { ...k.owner },
        })));
    });
    add("POST", "/organization/admin_api_keys", (ctx) => {
        const name = kit.requiredString(ctx.body, "name", { min: 1 });
        if (isReply(name))
            return name;
        const ttl = ctx.body.expires_in_seconds;
        let expiresInSeconds;
        if (ttl !== undefined && ttl !== null) {
            if (typeof ttl !== "number" || !Number.isInteger(ttl)) {
                return invalidType("expires_in_seconds", "an integer", ttl);
            }
            if (ttl < 1 || ttl > MAX_ADMIN_KEY_TTL_SECONDS) {
                return errorReply(400, `Invalid 'expires_in_seconds': expected a value between 1 and ${MAX_ADMIN_KEY_TTL_SECONDS}, but got ${ttl} instead.`, "expires_in_seconds", "invalid_value");
            }
            expiresInSeconds = ttl;
        }
        const created = s.createAdminApiKey(name, expiresInSeconds === undefined ? {} : { expiresInSeconds });
        return { status: 200, body: { ...created } };
    }, true);
    add("GET", "/organization/admin_api_keys/{key_id}", (ctx) => {
        const keyId = param(ctx, "key_id");
        const key = s.getAdminApiKey(keyId);
        if (key === undefined)
            return kit.notFound(`Admin API key with id '${keyId}' not found.`);
        return { status: 200, body: { ...key } };
    });
    add("DELETE", "/organization/admin_api_keys/{key_id}", (ctx) => {
        const keyId = param(ctx, "key_id");
        // Deleting the key the simulator accepts unlists it; the simulator keeps accepting it.
        s.deleteAdminApiKey(keyId);
        return {
            status: 200,
            body: { id: keyId, object: "organization.admin_api_key.deleted", deleted: true },
        };
    });
    // ---- invites
    add("GET", "/organization/invites", (ctx) => {
        const request = kit.parseList(ctx.query, PROJECTS_LIST);
        if (isReply(request))
            return request;
        return credentialList(kit.legacyList(s.pageInvites(request), request, ctx.query.get("after"), (i) => ({
            ...i,
        })));
    });
    add("POST", "/organization/invites", (ctx) => {
        const email = kit.requiredString(ctx.body, "email", { min: 1 });
        if (isReply(email))
            return email;
        if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
            return errorReply(400, `Invalid email address: '${email}'.`, "email", "invalid_value");
        }
        const role = kit.requiredString(ctx.body, "role");
        if (isReply(role))
            return role;
        if (role !== "reader" && role !== "owner") {
            return invalidValue("role", role, "'reader' and 'owner'");
        }
        const projects = inviteProjectsOf(ctx.body);
        if (isReply(projects))
            return projects;
        if (s.findUserIdByEmail(email) !== undefined) {
            return errorReply(400, `The user '${email}' is already a member of the organization.`, "email");
        }
        return { status: 200, body: { ...s.createInvite(email, role, projects) } };
    }, true);
    add("GET", "/organization/invites/{invite_id}", (ctx) => {
        const inviteId = param(ctx, "invite_id");
        const invite = s.getInvite(inviteId);
        if (invite === undefined)
            return kit.notFound(`Invite with id '${inviteId}' not found.`);
        return { status: 200, body: { ...invite } };
    });
    add("DELETE", "/organization/invites/{invite_id}", (ctx) => {
        const inviteId = param(ctx, "invite_id");
        s.deleteInvite(inviteId); // unknown: 404; accepted: 400
        return {
            status: 200,
            body: { object: "organization.invite.deleted", id: inviteId, deleted: true },
        };
    });
}
//# sourceMappingURL=credentials.js.map