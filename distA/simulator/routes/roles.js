/** The organization roles catalog (`/organization/roles…`). */
import { descriptionOf, errorReply, isReply, permissionsOf, ROLES_LIST, } from "./kit.js";
export function registerRoleRoutes(kit) {
    const s = kit.state;
    const { add, param } = kit;
    // ---- roles catalog
    add("GET", "/organization/roles", (ctx) => {
        const request = kit.parseList(ctx.query, ROLES_LIST);
        if (isReply(request))
            return request;
        return kit.nextCursorList(s.pageRoles(request), request, ctx.query.get("after"), (r) => r.id, (r) => ({ ...r }));
    });
    const nameTaken = (name, except) => s.listRoles().some((r) => r.name === name && r.id !== except);
    add("POST", "/organization/roles", (ctx) => {
        const name = kit.requiredString(ctx.body, "role_name", { min: 1, max: 255 });
        if (isReply(name))
            return name;
        const permissions = permissionsOf(ctx.body, true);
        if (isReply(permissions))
            return permissions;
        const description = descriptionOf(ctx.body);
        if (isReply(description))
            return description;
        if (nameTaken(name))
            return errorReply(400, `A role named '${name}' already exists.`, "role_name");
        return {
            status: 200,
            body: {
                ...s.createRole({
                    name,
                    permissions: permissions ?? [],
                    description: description ?? null,
                }),
            },
        };
    }, true);
    add("GET", "/organization/roles/{role_id}", (ctx) => {
        const role = s.getRole(param(ctx, "role_id"));
        if (role === undefined)
            return kit.notFound(`Role with id '${param(ctx, "role_id")}' not found.`);
        return { status: 200, body: { ...role } };
    });
    add("POST", "/organization/roles/{role_id}", (ctx) => {
        const roleId = param(ctx, "role_id");
        if (!s.hasRole(roleId))
            return kit.notFound(`Role with id '${roleId}' not found.`);
        let name = null;
        if (ctx.body.role_name !== undefined && ctx.body.role_name !== null) {
            const checked = kit.requiredString(ctx.body, "role_name", { min: 1, max: 255 });
            if (isReply(checked))
                return checked;
            if (nameTaken(checked, roleId)) {
                return errorReply(400, `A role named '${checked}' already exists.`, "role_name");
            }
            name = checked;
        }
        const permissions = permissionsOf(ctx.body, false);
        if (isReply(permissions))
            return permissions;
        const description = descriptionOf(ctx.body);
        if (isReply(description))
            return description;
        const changes = description === undefined ? { name, permissions } : { name, permissions, description };
        return { status: 200, body: { ...s.updateRole(roleId, changes) } };
    }, true);
    add("DELETE", "/organization/roles/{role_id}", (ctx) => {
        const roleId = param(ctx, "role_id");
        s.deleteRole(roleId);
        return { status: 200, body: { object: "role.deleted", id: roleId, deleted: true } };
    });
}
//# sourceMappingURL=roles.js.map