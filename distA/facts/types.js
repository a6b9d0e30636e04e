/**
 * The shape of a fact type: one declaration (name, key, columns in view order, the API listing
 * its rows come from) from which the store derives its history table, staging, merge, public
 * view, seal part, verify and export (src/store), and the crawl its loading. The API-to-row
 * mapping is a pure transform declared beside each fact type (get -> transform -> load).
 */
/**
 * What a crawl may leave out on request, recorded per snapshot so that a fact type it did not
 * collect is never read as "every row removed": `organization` is always collected; the others
 * follow `--no-user-roles`, `--no-projects`, `--no-project-role-assignments` and
 * `--no-credentials`.
 */
export const COVERAGE_SCOPES = [
    "organization",
    "user_roles",
    "projects",
    "project_role_assignments",
    "credentials",
];
/** Declares a fact type: every table and view name and the value order follow from the spec. */
export function defineFact(spec) {
    for (const key of spec.key) {
        if (!spec.columns.some((c) => c.name === key)) {
            throw new Error(`fact ${spec.part}: key ${key} is not a column`);
        }
    }
    for (const column of spec.vanishesWith ?? []) {
        if (!spec.key.includes(column)) {
            throw new Error(`fact ${spec.part}: vanishesWith column ${column} is not part of the key`);
        }
    }
    if (spec.usage !== undefined) {
        const usage = spec.columns.find((c) => c.name === spec.usage?.column);
        if (usage === undefined || usage.sql !== "TIMESTAMPTZ" || spec.key.includes(usage.name)) {
            throw new Error(`fact ${spec.part}: usage column must be a TIMESTAMPTZ outside the key`);
        }
    }
    const names = spec.columns.map((c) => c.name);
    return {
        ...spec,
        coverage: spec.coverage ?? "organization",
        view: `snapshot_${spec.part}`,
        hist: `hist_${spec.part}`,
        rawStage: `stage_raw_${spec.part}`,
        stage: `stage_${spec.part}`,
        values: (row) => {
            const record = row;
            return names.map((name) => record[name] ?? null);
        },
    };
}
export const varchar = (name) => ({ name, sql: "VARCHAR" });
export const boolean = (name) => ({ name, sql: "BOOLEAN" });
export const timestamptz = (name) => ({ name, sql: "TIMESTAMPTZ" });
export const varcharList = (name) => ({
    name,
    sql: "VARCHAR[]",
    jsonShape: '["VARCHAR"]',
});
/** A list of structs of VARCHAR fields, e.g. `STRUCT(principal_id VARCHAR, principal_type VARCHAR)[]`. */
export const structList = (name, fields) => ({
    name,
    sql: `STRUCT(${fields.map((f) => `${f} VARCHAR`).join(", ")})[]`,
    jsonShape: `[{${fields.map((f) => `"${f}":"VARCHAR"`).join(",")}}]`,
});
//# sourceMappingURL=types.js.map