/** Groups, their members and their role assignments (`/organization/groups…`). */
import { errorReply, GROUP_USERS_LIST, GROUPS_LIST, isReply } from "./kit.js";
export function registerGroupRoutes(kit) {
    const s = kit.state;
    const { add, param, groupOr404 } = kit;
    // ---- groups
    add("GET", "/organization/groups", (ctx) => {
        const request = kit.parseList(ctx.query, GROUPS_LIST);
        if (isReply(request))
            return request;
        return kit.nextCursorList(s.pageGroups(request), request, ctx.query.get("after"), (g) => g.id, (g) => kit.shapeGroup(g));
    });
    add("POST", "/organization/groups", (ctx) => {
        const name = kit.requiredString(ctx.body, "name", { min: 1, max: 255 });
        if (isReply(name))
            return name;
        return { status: 200, body: kit.shapeGroup(s.createGroup(name)) };
    }, true);
    add("GET", "/organization/groups/{group_id}", (ctx) => {
        const g = s.getGroup(param(ctx, "group_id"));
        if (g === undefined)
            return kit.notFound(`Group with id '${param(ctx, "group_id")}' not found.`);
        return { status: 200, body: kit.shapeGroup(g) };
    });
    add("POST", "/organization/groups/{group_id}", (ctx) => {
        const groupId = param(ctx, "group_id");
        const missing = groupOr404(groupId);
        if (missing !== undefined)
            return missing;
        const name = kit.requiredString(ctx.body, "name", { min: 1, max: 255 });
        if (isReply(name))
            return name;
        const readOnly = kit.scimReadOnly(groupId);
        if (readOnly !== undefined)
            return readOnly;
        const g = s.renameGroup(groupId, name);
        // GroupResourceWithSuccess: no group_type, no object.
        return {
            status: 200,
            body: {
                id: g.id,
                name: g.name,
                created_at: g.created_at,
                is_scim_managed: g.is_scim_managed,
            },
        };
    }, true);
    add("DELETE", "/organization/groups/{group_id}", (ctx) => {
        const groupId = param(ctx, "group_id");
        const missing = groupOr404(groupId);
        if (missing !== undefined)
            return missing;
        const readOnly = kit.scimReadOnly(groupId);
        if (readOnly !== undefined)
            return readOnly;
        s.deleteGroup(groupId);
        return { status: 200, body: { object: "group.deleted", id: groupId, deleted: true } };
    });
    // ---- group users
    add("GET", "/organization/groups/{group_id}/users", (ctx) => {
        const groupId = param(ctx, "group_id");
        const missing = groupOr404(groupId);
        if (missing !== undefined)
            return missing;
        const request = kit.parseList(ctx.query, GROUP_USERS_LIST);
        if (isReply(request))
            return request;
        return kit.nextCursorList(s.pageGroupUsers(groupId, request), request, ctx.query.get("after"), (u) => u.id, (u) => ({ ...u }), groupId);
    });
    add("POST", "/organization/groups/{group_id}/users", (ctx) => {
        const groupId = param(ctx, "group_id");
        const missing = groupOr404(groupId);
        if (missing !== undefined)
            return missing;
        const userId = kit.requiredString(ctx.body, "user_id");
        if (isReply(userId))
            return userId;
        if (!s.hasUser(userId))
            return errorReply(400, `User with id '${userId}' not found.`, "user_id");
        const readOnly = kit.scimReadOnly(groupId);
        if (readOnly !== undefined)
            return readOnly;
        if (!s.addMember(groupId, userId)) {
            const dup = kit.duplicate(`User '${userId}' is already a member of group '${groupId}'.`, "user_id");
            if (dup !== undefined)
                return dup;
        }
        return { status: 200, body: { object: "group.user", user_id: userId, group_id: groupId } };
    }, true);
    add("GET", "/organization/groups/{group_id}/users/{user_id}", (ctx) => {
        const groupId = param(ctx, "group_id");
        const userId = param(ctx, "user_id");
        const missing = groupOr404(groupId);
        if (missing !== undefined)
            return missing;
        const member = s.getGroupUser(groupId, userId);
        if (member === undefined) {
            return kit.notFound(`User with id '${userId}' is not a member of group '${groupId}'.`);
        }
        return { status: 200, body: { ...member } };
    });
    add("DELETE", "/organization/groups/{group_id}/users/{user_id}", (ctx) => {
        const groupId = param(ctx, "group_id");
        const userId = param(ctx, "user_id");
        const missing = groupOr404(groupId);
        if (missing !== undefined)
            return missing;
        if (!s.hasUser(userId))
            return kit.notFound(`User with id '${userId}' not found.`);
        const readOnly = kit.scimReadOnly(groupId);
        if (readOnly !== undefined)
            return readOnly;
        if (!s.removeMember(groupId, userId) && kit.quirks().missingDeletes === "not_found") {
            return kit.notFound(`User with id '${userId}' is not a member of group '${groupId}'.`);
        }
        return { status: 200, body: { object: "group.user.deleted", deleted: true } };
    });
    // ---- group roles
    add("GET", "/organization/groups/{group_id}/roles", (ctx) => {
        const groupId = param(ctx, "group_id");
        const missing = groupOr404(groupId);
        if (missing !== undefined)
            return missing;
        const request = kit.parseList(ctx.query, kit.roleAssignmentSpec());
        if (isReply(request))
            return request;
        return kit.nextCursorList(s.pageGroupRoles(groupId, request), request, ctx.query.get("after"), (r) => r.id, (r) => kit.shapeAssignedRole(r), groupId);
    });
    add("POST", "/organization/groups/{group_id}/roles", (ctx) => {
        const groupId = param(ctx, "group_id");
        const missing = groupOr404(groupId);
        if (missing !== undefined)
            return missing;
        const roleId = kit.requiredString(ctx.body, "role_id");
        if (isReply(roleId))
            return roleId;
        const role = s.getRole(roleId);
        if (role === undefined)
            return errorReply(400, `Role with id '${roleId}' not found.`, "role_id");
        if (!s.assignGroupRole(groupId, roleId)) {
            const dup = kit.duplicate(`Role '${roleId}' is already assigned to group '${groupId}'.`, "role_id");
            if (dup !== undefined)
                return dup;
        }
        return {
            status: 200,
            body: { object: "group.role", group: s.groupSummary(groupId), role },
        };
    }, true);
    add("GET", "/organization/groups/{group_id}/roles/{role_id}", (ctx) => {
        const groupId = param(ctx, "group_id");
        const roleId = param(ctx, "role_id");
        const missing = groupOr404(groupId);
        if (missing !== undefined)
            return missing;
        const assigned = s.getGroupRole(groupId, roleId);
        if (assigned === undefined) {
            return kit.notFound(`Role with id '${roleId}' is not assigned to group '${groupId}'.`);
        }
        return { status: 200, body: { ...assigned } };
    });
    add("DELETE", "/organization/groups/{group_id}/roles/{role_id}", (ctx) => {
        const groupId = param(ctx, "group_id");
        const roleId = param(ctx, "role_id");
        const missing = groupOr404(groupId);
        if (missing !== undefined)
            return missing;
        if (!s.hasRole(roleId))
            return kit.notFound(`Role with id '${roleId}' not found.`);
        if (!s.unassignGroupRole(groupId, roleId) && kit.quirks().missingDeletes === "not_found") {
            return kit.notFound(`Role with id '${roleId}' is not assigned to group '${groupId}'.`);
        }
        return { status: 200, body: { object: "group.role.deleted", deleted: true } };
    });
}
//# sourceMappingURL=groups.js.map