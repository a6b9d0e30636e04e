export function errorBody(message, type, param, code) {
    return { error: { message, type, param, code } };
}
export function errorReply(status, message, param = null, code = null, type = "invalid_request_error") {
    return { status, body: errorBody(message, type, param, code) };
}
export function isReply(value) {
    return typeof value === "object" && value !== null && "status" in value && "body" in value;
}
/** The list parameters of the next-cursor lists (groups, group users, roles). */
export const GROUPS_LIST = {
    defaultLimit: 100,
    maxLimit: 1000,
    minLimit: 0,
    defaultOrder: "asc",
    hasOrder: true,
};
export const GROUP_USERS_LIST = { ...GROUPS_LIST, defaultOrder: "desc" };
export const ROLES_LIST = { ...GROUPS_LIST, defaultLimit: 1000 };
/** The legacy users list: `limit` 1..100, default 20, no `order`. */
export const USERS_LIST = {
    defaultLimit: 20,
    maxLimit: 100,
    minLimit: 1,
    defaultOrder: "asc",
    hasOrder: false,
};
/** Projects and project users: the legacy envelope and parameters of the users list. */
export const PROJECTS_LIST = USERS_LIST;
/** Project groups: `limit` 0..100, default 20, `order` default asc. */
export const PROJECT_GROUPS_LIST = { ...GROUPS_LIST, defaultLimit: 20, maxLimit: 100 };
/**
 * Admin API keys (CursorPage: `after` = the last item's id): `limit` default 20, no maximum
 * stated (inference: 1..100, like the legacy lists), `order` asc (default) or desc.
 */
export const ADMIN_KEYS_LIST = { ...USERS_LIST, hasOrder: true };
/** A project's roles catalog: as the organization's (`limit` 0..1000, default 1000). */
export const PROJECT_ROLES_LIST = ROLES_LIST;
/** The `permissions` of a role body: a string array, or null when optional and absent. */
export function permissionsOf(body, required) {
    const value = body.permissions;
    if (value === undefined || value === null) {
        return required
            ? errorReply(400, "Missing required parameter: 'permissions'.", "permissions", "missing_required_parameter")
            : null;
    }
    if (!Array.isArray(value) || !value.every((p) => typeof p === "string")) {
        return errorReply(400, "Invalid type for 'permissions': expected an array of strings.", "permissions", "invalid_type");
    }
    return value;
}
/** The `description` of a role body: a string, null, or undefined when absent. */
export function descriptionOf(body) {
    const value = body.description;
    if (value === undefined || value === null || typeof value === "string")
        return value;
    return errorReply(400, "Invalid type for 'description': expected a string.", "description", "invalid_type");
}
/** An optional nullable string body field: the value, null, undefined when absent, or a 400. */
export function optionalString(body, key) {
    const value = body[key];
    if (value === undefined || value === null || typeof value === "string")
        return value;
    return errorReply(400, `Invalid type for '${key}': expected a string, but got ${Array.isArray(value) ? "an array" : `a ${typeof value}`} instead.`, key, "invalid_type");
}
//# sourceMappingURL=kit.js.map