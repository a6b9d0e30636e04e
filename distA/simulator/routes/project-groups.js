/**
 * Groups with access to a project (`/organization/projects/{project_id}/groups…`): a next-cursor
 * list (`limit` 0..100, default 20) of `ProjectGroup` items, whose id key is `group_id`.
 */
import { errorReply, isReply, PROJECT_GROUPS_LIST } from "./kit.js";
export function registerProjectGroupRoutes(kit) {
    const s = kit.state;
    const { add, param } = kit;
    add("GET", "/organization/projects/{project_id}/groups", (ctx) => {
        const projectId = param(ctx, "project_id");
        const missing = kit.projectOr404(projectId);
        if (missing !== undefined)
            return missing;
        const request = kit.parseList(ctx.query, PROJECT_GROUPS_LIST);
        if (isReply(request))
            return request;
        return kit.nextCursorList(s.pageProjectGroups(projectId, request), request, ctx.query.get("after"), (g) => g.group_id, (g) => ({ ...g }), undefined, { focusProjectId: projectId, idKey: "group_id" });
    });
    add("POST", "/organization/projects/{project_id}/groups", (ctx) => {
        const projectId = param(ctx, "project_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        const groupId = kit.requiredString(ctx.body, "group_id");
        if (isReply(groupId))
            return groupId;
        // `role` is a project role id (`InviteProjectGroupBody`), not a name.
        const roleId = kit.requiredString(ctx.body, "role");
        if (isReply(roleId))
            return roleId;
        if (!s.hasGroup(groupId)) {
            return errorReply(400, `Group with id '${groupId}' not found.`, "group_id");
        }
        if (!s.hasProjectRole(projectId, roleId)) {
            return errorReply(400, `Role with id '${roleId}' not found in project '${projectId}'.`, "role");
        }
        if (!s.attachProjectGroup(projectId, groupId, roleId)) {
            const dup = kit.duplicate(`Group '${groupId}' already has access to project '${projectId}'.`, "group_id");
            if (dup !== undefined)
                return dup;
        }
        return { status: 200, body: { ...s.getProjectGroup(projectId, groupId) } };
    }, true);
    add("GET", "/organization/projects/{project_id}/groups/{group_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const groupId = param(ctx, "group_id");
        const missing = kit.projectOr404(projectId);
        if (missing !== undefined)
            return missing;
        const groupType = ctx.query.get("group_type");
        if (groupType !== null &&
            groupType !== "" &&
            groupType !== "group" &&
            groupType !== "tenant_group") {
            return errorReply(400, `Invalid value: '${groupType}'. Supported values are: 'group' and 'tenant_group'.`, "group_type", "invalid_value");
        }
        const attached = s.getProjectGroup(projectId, groupId);
        // Inference: an explicit `group_type` must match the group's; absent, any group is found
        // (lenient: the documented default `group` would hide attached tenant groups).
        const mismatch = groupType !== null && groupType !== "" && attached?.group_type !== groupType;
        if (attached === undefined || mismatch) {
            return kit.notFound(`Group with id '${groupId}' does not have access to project '${projectId}'.`);
        }
        return { status: 200, body: { ...attached } };
    });
    add("DELETE", "/organization/projects/{project_id}/groups/{group_id}", (ctx) => {
        const projectId = param(ctx, "project_id");
        const groupId = param(ctx, "group_id");
        const unusable = kit.activeProjectOr4xx(projectId);
        if (unusable !== undefined)
            return unusable;
        const missing = kit.groupOr404(groupId);
        if (missing !== undefined)
            return missing;
        if (!s.detachProjectGroup(projectId, groupId) && kit.quirks().missingDeletes === "not_found") {
            return kit.notFound(`Group with id '${groupId}' does not have access to project '${projectId}'.`);
        }
        return { status: 200, body: { object: "project.group.deleted", deleted: true } };
    });
}
//# sourceMappingURL=project-groups.js.map