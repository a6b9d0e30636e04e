/**
 * Projects and their members (`/organization/projects…`, `…/{project_id}/users…`): both lists use
 * the legacy envelope (`first_id`, `last_id`, `has_more`; `after` = the last id).
 */
import { PROJECT_RESIDENCIES, } from "../projects-state.js";
import { errorReply, isReply, optionalString, PROJECTS_LIST, } from "./kit.js";
const RESIDENCIES = new Set(PROJECT_RESIDENCIES);
/**
 * The SDKs still send the older free-form `geography` instead of `residency` (inference: map it
 * when it names a residency, or a region a residency stores in, e.g. "eu" or "US").
 */
const GEOGRAPHIES = {
    GLOBAL: "GLOBAL",
    US: "US_STORAGE_PROCESSING",
    EU: "EU_STORAGE_PROCESSING",
    JP: "JP_STORAGE",
    KR: "KR_STORAGE",
    CA: "CA_STORAGE",
    SG: "SG_STORAGE",
    IN: "IN_STORAGE",
    AU: "AU_STORAGE",
    GB: "GB_STORAGE",
    UK: "GB_STORAGE",
    AE: "AE_STORAGE",
};
function residencyOf(body) {
    const invalid = (key, value) => errorReply(400, `Invalid value: '${String(value)}'. Supported values are: ${PROJECT_RESIDENCIES.map((r) => `'${r}'`).join(", ")}.`, key, "invalid_value");
    const residency = body.residency;
    if (residency !== undefined && residency !== null) {
        if (typeof residency !== "string" || !RESIDENCIES.has(residency)) {
            return invalid("residency", residency);
        }
        return residency;
    }
    const geography = body.geography;
    if (geography === undefined || geography === null)
        return null;
    if (typeof geography !== "string")
        return invalid("geography", geography);
    const upper = geography.trim().toUpperCase();
    if (RESIDENCIES.has(upper))
        return upper;
    return GEOGRAPHIES[upper] ?? invalid("geography", geography);
}
function memberRoleOf(value) {
    if (value === "owner" || value === "member")
        return value;
    return errorReply(400, `Invalid value: '${String(value)}'. Supported values are: 'owner' and 'member'.`, "role", "invalid_value");
}
export function registerProjectRoutes(kit) {
    const s = kit.state;
    const { add, param } = kit;
    // ---- projects
    add("GET", "/organization/projects", (ctx) => {
        const request = kit.parseList(ctx.query, PROJECTS_LIST);
        if (isReply(request))
            return request;
        const raw = ctx.query.get("include_archived");
        let includeArchived = false;
        if (raw !== null && raw !== "") {
            const value = raw.trim().toLowerCase();
            if (value !== "true" && value !== "false") {
                return errorReply(400, `Invalid type for 'include_archived': expected a boolean, but got '${raw}' instead.`, "include_archived", "invalid_type");
            }
            includeArchived = value === "true";
        }
        return kit.legacyList(s.pageProjects(request, includeArchived), request, ctx.query.get("after"), (p) => ({
            ...p,
        }));
    });
    add("POST", "/organization/projects", (ctx) => {
        const name = kit.requiredString(ctx.body, "name", { min: 1 });
        if (isReply(name))
            return name;
        const residency = residencyOf(ctx.body);
        if (isReply(residency))
            return residency;
        const externalKeyId = optionalString(ctx.body, "external_key_id");
        if (isReply(externalKeyId))
            return externalKeyId;
        return {
            status: 200,
            body: { ...s.createProject({ name, residency, externalKeyId: externalKeyId ?? null }) },
        };
    }, true);
    add("GET", "/organization/projects/{project_id}", (ctx) => {
        const project = s.getProject(param(ctx, "project_id"));
        if (project === undefined) {
            return kit.notFound(`Project with id '${param(ctx, "project_id")}' not found.`);
        }
        return { status: 200, body: { ...project } };
    });
    add("POST", "/organization/projects/{project_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        const name = optionalString(ctx.body, "name");
        if (isReply(name))
            return name;
        if (name === "") {
            return errorReply(400, "Invalid 'name': string too short. Expected a string with minimum length 1, but got an empty string instead.", "name", "string_below_min_length");
        }
        const externalKeyId = optionalString(ctx.body, "external_key_id");
        if (isReply(externalKeyId))
            return externalKeyId;
        // `geography` (still sent by the SDKs) is not updatable: ignored, like any unknown key.
        const changes = { name: name ?? null };
        if (externalKeyId !== undefined)
            changes.externalKeyId = externalKeyId;
        return { status: 200, body: { ...s.updateProject(projectId, changes) } };
    }, true);
    add("POST", "/organization/projects/{project_id}/archive", (ctx) => {
        const projectId = param(ctx, "project_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        return { status: 200, body: { ...s.archiveProject(projectId) } };
    });
    // ---- project users (an archived project has none: every operation is a 400)
    add("GET", "/organization/projects/{project_id}/users", (ctx) => {
        const projectId = param(ctx, "project_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        const request = kit.parseList(ctx.query, PROJECTS_LIST);
        if (isReply(request))
            return request;
        return kit.legacyList(s.pageProjectUsers(projectId, request), request, ctx.query.get("after"), (u) => ({ ...u }), projectId);
    });
    add("POST", "/organization/projects/{project_id}/users", (ctx) => {
        const projectId = param(ctx, "project_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        const rawRole = kit.requiredString(ctx.body, "role");
        if (isReply(rawRole))
            return rawRole;
        const role = memberRoleOf(rawRole);
        if (isReply(role))
            return role;
        const userIdField = optionalString(ctx.body, "user_id");
        if (isReply(userIdField))
            return userIdField;
        const email = optionalString(ctx.body, "email");
        if (isReply(email))
            return email;
        // "Users must already be members of the organization": by id or by email.
        let userId;
        if (userIdField !== undefined && userIdField !== null) {
            if (!s.hasUser(userIdField)) {
                return errorReply(400, `User with id '${userIdField}' not found.`, "user_id");
            }
            userId = userIdField;
            if (email !== undefined && email !== null && s.findUserIdByEmail(email) !== userId) {
                return errorReply(400, `The email '${email}' does not belong to user '${userId}'.`, "email");
            }
        }
        else if (email !== undefined && email !== null) {
            const found = s.findUserIdByEmail(email);
            if (found === undefined) {
                return errorReply(400, `No user with email '${email}' is a member of the organization.`, "email");
            }
            userId = found;
        }
        else {
            return errorReply(400, "Missing required parameter: 'user_id' (or 'email').", "user_id", "missing_required_parameter");
        }
        if (!s.addProjectUser(projectId, userId, role)) {
            return errorReply(400, `User '${userId}' is already a member of project '${projectId}'.`, "user_id");
        }
        return { status: 200, body: { ...s.getProjectUser(projectId, userId) } };
    }, true);
    add("GET", "/organization/projects/{project_id}/users/{user_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const userId = param(ctx, "user_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        const member = s.getProjectUser(projectId, userId);
        if (member === undefined) {
            return kit.notFound(`User with id '${userId}' is not a member of project '${projectId}'.`);
        }
        return { status: 200, body: { ...member } };
    });
    add("POST", "/organization/projects/{project_id}/users/{user_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const userId = param(ctx, "user_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        if (s.getProjectUser(projectId, userId) === undefined) {
            return kit.notFound(`User with id '${userId}' is not a member of project '${projectId}'.`);
        }
        const rawRole = ctx.body.role;
        // `role` is nullable in the body: absent or null leaves the member as they are.
        if (rawRole !== undefined && rawRole !== null) {
            const role = memberRoleOf(rawRole);
            if (isReply(role))
                return role;
            s.setProjectUserRole(projectId, userId, role);
        }
        return { status: 200, body: { ...s.getProjectUser(projectId, userId) } };
    }, true);
    add("DELETE", "/organization/projects/{project_id}/users/{user_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const userId = param(ctx, "user_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        if (!s.hasUser(userId))
            return kit.notFound(`User with id '${userId}' not found.`);
        if (!s.removeProjectUser(projectId, userId) && kit.quirks().missingDeletes === "not_found") {
            return kit.notFound(`User with id '${userId}' is not a member of project '${projectId}'.`);
        }
        return {
            status: 200,
            body: { object: "organization.project.user.deleted", id: userId, deleted: true },
        };
    });
}
//# sourceMappingURL=projects.js.map