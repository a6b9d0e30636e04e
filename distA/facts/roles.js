import { boolean, defineFact, varchar, varcharList } from "./types.js";
export const ROLES = defineFact({
    part: "roles",
    countColumn: "roles",
    key: ["role_id"],
    columns: [
        varchar("role_id"),
        varchar("name"),
        varchar("description"),
        varcharList("permissions"),
        boolean("predefined_role"),
        varchar("resource_type"),
    ],
    listing: "/organization/roles",
});
export function roleRow(role) {
    return {
        role_id: role.id,
        name: role.name,
        description: role.description,
        permissions: role.permissions,
        predefined_role: role.predefined_role,
        resource_type: role.resource_type,
    };
}
//# sourceMappingURL=roles.js.map