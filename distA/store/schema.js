/**
 * The stored facts as the store sees them: declared once per fact type in src/facts (name, key,
 * columns, listing, transform), shared by the snapshot writer (staging and merge), the seal,
 * `verify` and export. Migrations keep their own literal SQL: they are history and must not
 * change when a declaration does.
 */
export { COVERAGE_SCOPES, EVIDENCE_VIEWS, FACT_TABLES, GROUP_MEMBERS, GROUP_ROLES, GROUPS, PUBLIC_VIEWS, ROLES, USER_ROLES, USERS, } from "../facts/index.js";
/** Double-quoted SQL identifier (all names here are fixed ASCII, but quote anyway). */
export function ident(name) {
    return `"${name.replaceAll('"', '""')}"`;
}
//# sourceMappingURL=schema.js.map