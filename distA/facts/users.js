import { boolean, defineFact, structList, timestamptz, varchar, varcharList } from "./types.js";
export const USERS = defineFact({
    part: "users",
    vanishesWith: ["user_id"],
    countColumn: "users",
    key: ["user_id"],
    columns: [
        varchar("user_id"),
        varchar("email"),
        varchar("name"),
        varchar("role"),
        boolean("is_scim_managed"),
        boolean("is_service_account"),
        timestamptz("added_at"),
        timestamptz("api_key_last_used_at"),
    ],
    listing: "/organization/users",
});
export const USER_ROLES = defineFact({
    part: "user_roles",
    vanishesWith: ["user_id"],
    countColumn: "user_role_assignments",
    coverage: "user_roles",
    key: ["user_id", "role_id"],
    columns: [
        varchar("user_id"),
        varchar("role_id"),
        varchar("role_name"),
        varcharList("permissions"),
        boolean("predefined_role"),
        structList("assignment_sources", ["principal_id", "principal_type"]),
    ],
    listing: "/organization/users/{user_id}/roles",
});
/** Fields the API omitted are NULL, never guessed. */
export function userRow(user) {
    return {
        user_id: user.id,
        email: user.email ?? null,
        name: user.name ?? null,
        role: user.role ?? null,
        is_scim_managed: user.is_scim_managed ?? null,
        is_service_account: user.is_service_account ?? null,
        added_at: user.added_at,
        api_key_last_used_at: user.api_key_last_used_at ?? null,
    };
}
/** Only the two stored fields of each source: the API's objects may carry more keys. */
export function userRoleRow(userId, role) {
    return {
        user_id: userId,
        role_id: role.id,
        role_name: role.name,
        permissions: role.permissions,
        predefined_role: role.predefined_role,
        assignment_sources: role.assignment_sources?.map((s) => ({
            principal_id: s.principal_id,
            principal_type: s.principal_type,
        })) ?? null,
    };
}
//# sourceMappingURL=users.js.map