import { boolean, defineFact, structList, timestamptz, varchar, varcharList } from "./types.js";
export const PROJECTS = defineFact({
    part: "projects",
    countColumn: "projects",
    coverage: "projects",
    key: ["project_id"],
    columns: [
        varchar("project_id"),
        varchar("name"),
        varchar("status"),
        boolean("archived"),
        timestamptz("created_at"),
        timestamptz("archived_at"),
        varchar("external_key_id"),
        varchar("residency"),
    ],
    listing: "/organization/projects",
});
export const PROJECT_USERS = defineFact({
    part: "project_users",
    countColumn: "project_memberships",
    coverage: "projects",
    vanishesWith: ["project_id", "user_id"],
    key: ["project_id", "user_id"],
    columns: [
        varchar("project_id"),
        varchar("user_id"),
        varchar("email"),
        varchar("name"),
        varchar("role"),
        timestamptz("added_at"),
    ],
    listing: "/organization/projects/{project_id}/users",
});
export const PROJECT_GROUPS = defineFact({
    part: "project_groups",
    countColumn: "project_groups",
    coverage: "projects",
    vanishesWith: ["project_id", "group_id"],
    key: ["project_id", "group_id"],
    columns: [
        varchar("project_id"),
        varchar("group_id"),
        varchar("group_name"),
        varchar("group_type"),
        timestamptz("created_at"),
    ],
    listing: "/organization/projects/{project_id}/groups",
});
export const PROJECT_ROLES = defineFact({
    part: "project_roles",
    countColumn: "project_roles",
    coverage: "projects",
    key: ["project_id", "role_id"],
    columns: [
        varchar("project_id"),
        varchar("role_id"),
        varchar("name"),
        varchar("description"),
        varcharList("permissions"),
        boolean("predefined_role"),
        varchar("resource_type"),
    ],
    listing: "/projects/{project_id}/roles",
});
export const PROJECT_GROUP_ROLES = defineFact({
    part: "project_group_roles",
    countColumn: "project_group_role_assignments",
    coverage: "project_role_assignments",
    vanishesWith: ["project_id", "group_id"],
    key: ["project_id", "group_id", "role_id"],
    columns: [
        varchar("project_id"),
        varchar("group_id"),
        varchar("role_id"),
        varchar("role_name"),
        varcharList("permissions"),
        boolean("predefined_role"),
        varchar("resource_type"),
    ],
    listing: "/projects/{project_id}/groups/{group_id}/roles",
});
export const PROJECT_USER_ROLES = defineFact({
    part: "project_user_roles",
    countColumn: "project_user_role_assignments",
    coverage: "project_role_assignments",
    vanishesWith: ["project_id", "user_id"],
    key: ["project_id", "user_id", "role_id"],
    columns: [
        varchar("project_id"),
        varchar("user_id"),
        varchar("role_id"),
        varchar("role_name"),
        varcharList("permissions"),
        boolean("predefined_role"),
        structList("assignment_sources", ["principal_id", "principal_type"]),
    ],
    listing: "/projects/{project_id}/users/{user_id}/roles",
});
/** Archived when the API says so by either field (`status` has no enum; `archived_at` may be absent). */
export function projectRow(project) {
    const archivedAt = project.archived_at ?? null;
    return {
        project_id: project.id,
        name: project.name ?? null,
        status: project.status ?? null,
        archived: archivedAt !== null || project.status === "archived",
        created_at: project.created_at,
        archived_at: archivedAt,
        external_key_id: project.external_key_id ?? null,
        residency: project.residency ?? null,
    };
}
export function projectUserRow(projectId, user) {
    return {
        project_id: projectId,
        user_id: user.id,
        email: user.email ?? null,
        name: user.name ?? null,
        role: user.role,
        added_at: user.added_at,
    };
}
/** The project id is the one asked for, not the item's echo of it. */
export function projectGroupRow(projectId, group) {
    return {
        project_id: projectId,
        group_id: group.group_id,
        group_name: group.group_name,
        group_type: group.group_type ?? null,
        created_at: group.created_at,
    };
}
export function projectRoleRow(projectId, role) {
    return {
        project_id: projectId,
        role_id: role.id,
        name: role.name,
        description: role.description,
        permissions: role.permissions,
        predefined_role: role.predefined_role,
        resource_type: role.resource_type,
    };
}
export function projectGroupRoleRow(projectId, groupId, role) {
    return {
        project_id: projectId,
        group_id: groupId,
        role_id: role.id,
        role_name: role.name,
        permissions: role.permissions,
        predefined_role: role.predefined_role,
        resource_type: role.resource_type,
    };
}
export function projectUserRoleRow(projectId, userId, role) {
    return {
        project_id: projectId,
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
//# sourceMappingURL=projects.js.map