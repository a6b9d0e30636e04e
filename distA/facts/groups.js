import { boolean, defineFact, timestamptz, varchar, varcharList } from "./types.js";
export const GROUPS = defineFact({
    part: "groups",
    vanishesWith: ["group_id"],
    countColumn: "groups",
    key: ["group_id"],
    columns: [
        varchar("group_id"),
        varchar("name"),
        varchar("group_type"),
        boolean("is_scim_managed"),
        timestamptz("created_at"),
    ],
    listing: "/organization/groups",
});
export const GROUP_MEMBERS = defineFact({
    part: "group_members",
    vanishesWith: ["group_id"],
    countColumn: "memberships",
    key: ["group_id", "user_id"],
    columns: [varchar("group_id"), varchar("user_id"), varchar("email"), varchar("name")],
    listing: "/organization/groups/{group_id}/users",
});
export const GROUP_ROLES = defineFact({
    part: "group_roles",
    vanishesWith: ["group_id"],
    countColumn: "group_role_assignments",
    key: ["group_id", "role_id"],
    columns: [
        varchar("group_id"),
        varchar("role_id"),
        varchar("role_name"),
        varcharList("permissions"),
        boolean("predefined_role"),
        varchar("resource_type"),
    ],
    listing: "/organization/groups/{group_id}/roles",
});
/** `group_type` is NULL where the API omitted it. */
export function groupRow(group) {
    return {
        group_id: group.id,
        name: group.name,
        group_type: group.group_type ?? null,
        is_scim_managed: group.is_scim_managed,
        created_at: group.created_at,
    };
}
export function memberRow(groupId, user) {
    return { group_id: groupId, user_id: user.id, email: user.email, name: user.name };
}
export function groupRoleRow(groupId, role) {
    return {
        group_id: groupId,
        role_id: role.id,
        role_name: role.name,
        permissions: role.permissions,
        predefined_role: role.predefined_role,
        resource_type: role.resource_type,
    };
}
//# sourceMappingURL=groups.js.map