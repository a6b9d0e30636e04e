/** Organization users (legacy envelope) and their role assignments (`/organization/users…`). */
import { errorReply, isReply, USERS_LIST } from "./kit.js";
export function registerUserRoutes(kit) {
    const s = kit.state;
    const { add, param } = kit;
    // ---- organization users (legacy envelope)
    add("GET", "/organization/users", (ctx) => {
        const request = kit.parseList(ctx.query, USERS_LIST);
        if (isReply(request))
            return request;
        const emails = [...ctx.query.getAll("emails"), ...ctx.query.getAll("emails[]")]
            .flatMap((e) => e.split(","))
            .map((e) => e.trim())
            .filter((e) => e !== "");
        return kit.legacyList(s.pageUsers(request, emails), request, ctx.query.get("after"), (u) => ({
            ...u,
        }));
    });
    add("GET", "/organization/users/{user_id}", (ctx) => {
        const user = s.getUser(param(ctx, "user_id"));
        if (user === undefined)
            return kit.notFound(`User with id '${param(ctx, "user_id")}' not found.`);
        return { status: 200, body: { ...user } };
    });
    add("POST", "/organization/users/{user_id}", (ctx) => {
        const userId = param(ctx, "user_id");
        if (!s.hasUser(userId))
            return kit.notFound(`User with id '${userId}' not found.`);
        const role = ctx.body.role;
        if (role !== undefined && role !== null) {
            if (role !== "owner" && role !== "reader" && role !== "member") {
                return errorReply(400, `Invalid value: '${String(role)}'. Supported values are: 'owner' and 'reader'.`, "role", "invalid_value");
            }
        }
        const roleId = ctx.body.role_id;
        if (roleId !== undefined && roleId !== null) {
            if (typeof roleId !== "string" || !s.hasRole(roleId)) {
                return errorReply(400, `Role with id '${String(roleId)}' not found.`, "role_id");
            }
        }
        // The legacy role records user.updated; a role_id is an RBAC assignment.
        if (role === "owner")
            s.setUserRole(userId, "owner");
        else if (role === "reader" || role === "member")
            s.setUserRole(userId, "reader");
        if (typeof roleId === "string")
            s.assignUserRole(userId, roleId);
        return { status: 200, body: { ...s.getUser(userId) } };
    }, true);
    add("DELETE", "/organization/users/{user_id}", (ctx) => {
        const userId = param(ctx, "user_id");
        s.removeUser(userId);
        return {
            status: 200,
            body: { object: "organization.user.deleted", id: userId, deleted: true },
        };
    });
    // ---- user roles
    add("GET", "/organization/users/{user_id}/roles", (ctx) => {
        const userId = param(ctx, "user_id");
        if (!s.hasUser(userId))
            return kit.notFound(`User with id '${userId}' not found.`);
        const request = kit.parseList(ctx.query, kit.roleAssignmentSpec());
        if (isReply(request))
            return request;
        return kit.nextCursorList(s.pageUserRoles(userId, request, kit.quirks().userRolesIncludeInherited), request, ctx.query.get("after"), (r) => r.id, (r) => kit.shapeAssignedRole(r));
    });
    add("POST", "/organization/users/{user_id}/roles", (ctx) => {
        const userId = param(ctx, "user_id");
        if (!s.hasUser(userId))
            return kit.notFound(`User with id '${userId}' not found.`);
        const roleId = kit.requiredString(ctx.body, "role_id");
        if (isReply(roleId))
            return roleId;
        const role = s.getRole(roleId);
        if (role === undefined)
            return errorReply(400, `Role with id '${roleId}' not found.`, "role_id");
        if (!s.assignUserRole(userId, roleId)) {
            const dup = kit.duplicate(`Role '${roleId}' is already assigned to user '${userId}'.`, "role_id");
            if (dup !== undefined)
                return dup;
        }
        return {
            status: 200,
            body: { object: "user.role", user: s.getUser(userId), role },
        };
    }, true);
    add("GET", "/organization/users/{user_id}/roles/{role_id}", (ctx) => {
        const userId = param(ctx, "user_id");
        const roleId = param(ctx, "role_id");
        if (!s.hasUser(userId))
            return kit.notFound(`User with id '${userId}' not found.`);
        const assigned = s.getUserRole(userId, roleId, kit.quirks().userRolesIncludeInherited);
        if (assigned === undefined) {
            return kit.notFound(`Role with id '${roleId}' is not assigned to user '${userId}'.`);
        }
        return { status: 200, body: { ...assigned } };
    });
    add("DELETE", "/organization/users/{user_id}/roles/{role_id}", (ctx) => {
        const userId = param(ctx, "user_id");
        const roleId = param(ctx, "role_id");
        if (!s.hasUser(userId))
            return kit.notFound(`User with id '${userId}' not found.`);
        if (!s.hasRole(roleId))
            return kit.notFound(`Role with id '${roleId}' not found.`);
        if (!s.unassignUserRole(userId, roleId) && kit.quirks().missingDeletes === "not_found") {
            // Roles inherited through a group can only be removed from the group.
            return kit.notFound(`Role with id '${roleId}' is not directly assigned to user '${userId}'.`);
        }
        return { status: 200, body: { object: "user.role.deleted", deleted: true } };
    });
}
//# sourceMappingURL=users.js.map