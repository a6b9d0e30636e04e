import { sqlText } from "../util/sql-files.js";
export async function installAnalysisMacros(store) {
    await store.query(sqlText("macros/history.sql"));
    await store.query(sqlText("macros/diff.sql"));
}
//# sourceMappingURL=macros.js.map