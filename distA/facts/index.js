/**
 * Every fact type, in seal order (the seal hashes the parts in exactly this order; appending is
 * fine, reordering changes every seal). The store derives its tables, views, seal, verify and
 * export from this list; the crawl loads through the transforms declared beside each type.
 */
import { ADMIN_KEYS, API_KEYS, INVITES, SERVICE_ACCOUNTS } from "./credentials.js";
import { GROUP_MEMBERS, GROUP_ROLES, GROUPS } from "./groups.js";
import { PROJECT_GROUP_ROLES, PROJECT_GROUPS, PROJECT_ROLES, PROJECT_USER_ROLES, PROJECT_USERS, PROJECTS, } from "./projects.js";
import { ROLES } from "./roles.js";
import { USER_ROLES, USERS } from "./users.js";
export * from "./credentials.js";
export * from "./groups.js";
export * from "./projects.js";
export * from "./roles.js";
export * from "./types.js";
export * from "./users.js";
/** Rows are added through each typed declaration; the list is for the tables' shape. */
export const FACT_TABLES = [
    GROUPS,
    GROUP_MEMBERS,
    GROUP_ROLES,
    ROLES,
    USERS,
    USER_ROLES,
    PROJECTS,
    PROJECT_USERS,
    PROJECT_GROUPS,
    PROJECT_ROLES,
    PROJECT_GROUP_ROLES,
    PROJECT_USER_ROLES,
    SERVICE_ACCOUNTS,
    API_KEYS,
    ADMIN_KEYS,
    INVITES,
];
/** The fact types a coverage scope holds. */
export function factsOfScope(scope) {
    return FACT_TABLES.filter((table) => table.coverage === scope);
}
/** Evidence views of each snapshot (what the crawl saw, not the organization's facts). */
export const EVIDENCE_VIEWS = [
    "snapshot_endpoints",
    "snapshot_coverage",
    "snapshot_vanished_groups",
    "snapshot_vanished_users",
    "snapshot_vanished_project_access",
    "snapshot_seal_parts",
];
/**
 * Every public view, in export and manifest order: the snapshots, each fact type's view, the
 * derived `effective_access`, then the evidence views.
 */
export const PUBLIC_VIEWS = [
    "snapshots",
    ...FACT_TABLES.map((table) => table.view),
    "effective_access",
    ...EVIDENCE_VIEWS,
];
//# sourceMappingURL=index.js.map