/** The organization's roles catalog: declaration and transform. */
import type { Role } from "../api/types.js";
import { boolean, defineFact, varchar, varcharList } from "./types.js";

export interface RoleRow {
  role_id: string;
  name: string;
  description: string | null;
  permissions: readonly string[];
  predefined_role: boolean;
  resource_type: string;
}

export const ROLES = defineFact<RoleRow>({
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

export function roleRow(role: Role): RoleRow {
  return {
    role_id: role.id,
    name: role.name,
    description: role.description,
    permissions: role.permissions,
    predefined_role: role.predefined_role,
    resource_type: role.resource_type,
  };
}
