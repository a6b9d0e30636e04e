/**
 * A project's roles catalog and its role assignments, under `/projects/{project_id}/…` (not
 * `/organization`): `…/roles…`, `…/groups/{group_id}/roles…` and `…/users/{user_id}/roles…`, with
 * the shapes of their organization-level counterparts.
 */
import { descriptionOf, errorReply, isReply, PROJECT_ROLES_LIST, permissionsOf, } from "./kit.js";
export function registerProjectRoleRoutes(kit) {
    const s = kit.state;
    const { add, param } = kit;
    const roleOr404 = (projectId, roleId) => s.hasProjectRole(projectId, roleId)
        ? undefined
        : kit.notFound(`Role with id '${roleId}' not found in project '${projectId}'.`);
    const attachedOr404 = (projectId, groupId) => s.hasGroup(groupId) && s.isProjectGroup(projectId, groupId)
        ? undefined
        : kit.notFound(`Group with id '${groupId}' does not have access to project '${projectId}'.`);
    const memberOr404 = (projectId, userId) => s.hasUser(userId) && s.isProjectMember(projectId, userId)
        ? undefined
        : kit.notFound(`User with id '${userId}' is not a member of project '${projectId}'.`);
    /** The role of an assign body: a role of this project (another project's is not found). */
    const bodyRole = (projectId, body) => {
        const roleId = kit.requiredString(body, "role_id");
        if (isReply(roleId))
            return roleId;
        const role = s.getProjectRole(projectId, roleId);
        if (role === undefined) {
            return errorReply(400, `Role with id '${roleId}' not found in project '${projectId}'.`, "role_id");
        }
        return role;
    };
    // ---- the roles catalog
    add("GET", "/projects/{project_id}/roles", (ctx) => {
        const projectId = param(ctx, "project_id");
        const missing = kit.projectOr404(projectId);
        if (missing !== undefined)
            return missing;
        const request = kit.parseList(ctx.query, PROJECT_ROLES_LIST);
        if (isReply(request))
            return request;
        return kit.nextCursorList(s.pageProjectRoles(projectId, request), request, ctx.query.get("after"), (r) => r.id, (r) => ({ ...r }), undefined, { focusProjectId: projectId });
    });
    add("POST", "/projects/{project_id}/roles", (ctx) => {
        const projectId = param(ctx, "project_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        const name = kit.requiredString(ctx.body, "role_name", { min: 1, max: 255 });
        if (isReply(name))
            return name;
        const permissions = permissionsOf(ctx.body, true);
        if (isReply(permissions))
            return permissions;
        const description = descriptionOf(ctx.body);
        if (isReply(description))
            return description;
        const role = s.createProjectRole(projectId, {
            name,
            permissions: permissions ?? [],
            description: description ?? null,
        });
        return { status: 200, body: { ...role } };
    }, true);
    add("GET", "/projects/{project_id}/roles/{role_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const roleId = param(ctx, "role_id");
        const missing = kit.projectOr404(projectId) ?? roleOr404(projectId, roleId);
        if (missing !== undefined)
            return missing;
        return { status: 200, body: { ...s.getProjectRole(projectId, roleId) } };
    });
    add("POST", "/projects/{project_id}/roles/{role_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const roleId = param(ctx, "role_id");
        const unusable = kit.activeProjectOr4xx(projectId) ?? roleOr404(projectId, roleId);
        if (unusable !== undefined)
            return unusable;
        let name = null;
        if (ctx.body.role_name !== undefined && ctx.body.role_name !== null) {
            const checked = kit.requiredString(ctx.body, "role_name", { min: 1, max: 255 });
            if (isReply(checked))
                return checked;
            name = checked;
        }
        const permissions = permissionsOf(ctx.body, false);
        if (isReply(permissions))
            return permissions;
        const description = descriptionOf(ctx.body);
        if (isReply(description))
            return description;
        const changes = description === undefined ? { name, permissions } : { name, permissions, description };
        return { status: 200, body: { ...s.updateProjectRole(projectId, roleId, changes) } };
    }, true);
    add("DELETE", "/projects/{project_id}/roles/{role_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const roleId = param(ctx, "role_id");
        const unusable = kit.activeProjectOr4xx(projectId) ?? roleOr404(projectId, roleId);
        if (unusable !== undefined)
            return unusable;
        s.deleteProjectRole(projectId, roleId);
        return { status: 200, body: { object: "role.deleted", id: roleId, deleted: true } };
    });
    // ---- group role assignments (readable in an archived project, not writable)
    add("GET", "/projects/{project_id}/groups/{group_id}/roles", (ctx) => {
        const projectId = param(ctx, "project_id");
        const groupId = param(ctx, "group_id");
        const missing = kit.projectOr404(projectId) ?? attachedOr404(projectId, groupId);
        if (missing !== undefined)
            return missing;
        const request = kit.parseList(ctx.query, kit.roleAssignmentSpec());
        if (isReply(request))
            return request;
        return kit.nextCursorList(s.pageProjectGroupRoles(projectId, groupId, request), request, ctx.query.get("after"), (r) => r.id, (r) => kit.shapeAssignedRole(r), groupId, { focusProjectId: projectId });
    });
    add("POST", "/projects/{project_id}/groups/{group_id}/roles", (ctx) => {
        const projectId = param(ctx, "project_id");
        const groupId = param(ctx, "group_id");
        const unusable = kit.activeProjectOr4xx(projectId) ?? attachedOr404(projectId, groupId);
        if (unusable !== undefined)
            return unusable;
        const role = bodyRole(projectId, ctx.body);
        if (isReply(role))
            return role;
        if (!s.assignProjectGroupRole(projectId, groupId, role.id)) {
            const dup = kit.duplicate(`Role '${role.id}' is already assigned to group '${groupId}' in project '${projectId}'.`, "role_id");
            if (dup !== undefined)
                return dup;
        }
        return {
            status: 200,
            body: { object: "group.role", group: s.groupSummary(groupId), role },
        };
    }, true);
    add("GET", "/projects/{project_id}/groups/{group_id}/roles/{role_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const groupId = param(ctx, "group_id");
        const roleId = param(ctx, "role_id");
        const missing = kit.projectOr404(projectId) ?? attachedOr404(projectId, groupId);
        if (missing !== undefined)
            return missing;
        const assigned = s.getProjectGroupRole(projectId, groupId, roleId);
        if (assigned === undefined) {
            return kit.notFound(`Role with id '${roleId}' is not assigned to group '${groupId}' in project '${projectId}'.`);
        }
        return { status: 200, body: { ...assigned } };
    });
    add("DELETE", "/projects/{project_id}/groups/{group_id}/roles/{role_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const groupId = param(ctx, "group_id");
        const roleId = param(ctx, "role_id");
        const unusable = kit.activeProjectOr4xx(projectId) ??
            attachedOr404(projectId, groupId) ??
            roleOr404(projectId, roleId);
        if (unusable !== undefined)
            return unusable;
        if (!s.unassignProjectGroupRole(projectId, groupId, roleId) &&
            kit.quirks().missingDeletes === "not_found") {
            return kit.notFound(`Role with id '${roleId}' is not assigned to group '${groupId}' in project '${projectId}'.`);
        }
        return { status: 200, body: { object: "group.role.deleted", deleted: true } };
    });
    // ---- user role assignments (an archived project has no users: 400 throughout)
    add("GET", "/projects/{project_id}/users/{user_id}/roles", (ctx) => {
        const projectId = param(ctx, "project_id");
        const userId = param(ctx, "user_id");
        const unusable = kit.activeProjectOr4xx(projectId) ?? memberOr404(projectId, userId);
        if (unusable !== undefined)
            return unusable;
        const request = kit.parseList(ctx.query, kit.roleAssignmentSpec());
        if (isReply(request))
            return request;
        return kit.nextCursorList(s.pageProjectUserRoles(projectId, userId, request, kit.quirks().userRolesIncludeInherited), request, ctx.query.get("after"), (r) => r.id, (r) => kit.shapeAssignedRole(r), undefined, { focusProjectId: projectId });
    });
    add("POST", "/projects/{project_id}/users/{user_id}/roles", (ctx) => {
        const projectId = param(ctx, "project_id");
        const userId = param(ctx, "user_id");
        const unusable = kit.activeProjectOr4xx(projectId) ?? memberOr404(projectId, userId);
        if (unusable !== undefined)
            return unusable;
        const role = bodyRole(projectId, ctx.body);
        if (isReply(role))
            return role;
        if (!s.assignProjectUserRole(projectId, userId, role.id)) {
            const dup = kit.duplicate(`Role '${role.id}' is already assigned to user '${userId}' in project '${projectId}'.`, "role_id");
            if (dup !== undefined)
                return dup;
        }
        return {
            status: 200,
            body: { object: "user.role", user: s.getUser(userId), role },
        };
    }, true);
    add("GET", "/projects/{project_id}/users/{user_id}/roles/{role_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const userId = param(ctx, "user_id");
        const roleId = param(ctx, "role_id");
        const unusable = kit.activeProjectOr4xx(projectId) ?? memberOr404(projectId, userId);
        if (unusable !== undefined)
            return unusable;
        const assigned = s.getProjectUserRole(projectId, userId, roleId, kit.quirks().userRolesIncludeInherited);
        if (assigned === undefined) {
            return kit.notFound(`Role with id '${roleId}' is not assigned to user '${userId}' in project '${projectId}'.`);
        }
        return { status: 200, body: { ...assigned } };
    });
    add("DELETE", "/projects/{project_id}/users/{user_id}/roles/{role_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const userId = param(ctx, "user_id");
        const roleId = param(ctx, "role_id");
        const unusable = kit.activeProjectOr4xx(projectId) ??
            memberOr404(projectId, userId) ??
            roleOr404(projectId, roleId);
        if (unusable !== undefined)
            return unusable;
        // The membership role is a 400 (StateError "invalid"): it changes through modify-project-user.
        if (!s.unassignProjectUserRole(projectId, userId, roleId) &&
            kit.quirks().missingDeletes === "not_found") {
            // Roles held only through a group can only be removed from the group.
            return kit.notFound(`Role with id '${roleId}' is not directly assigned to user '${userId}' in project '${projectId}'.`);
        }
        return { status: 200, body: { object: "user.role.deleted", deleted: true } };
    });
}
//# sourceMappingURL=project-roles.js.map