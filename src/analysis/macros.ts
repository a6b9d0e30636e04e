/**
 * The TEMP macros the analysis queries share (TEMP: allowed on a read-only database), on the
 * store's query connection: `valid_in` and `is_direct_assignment` (sql/macros/history.sql), then
 * the diff's `changed_facts` and `access_candidates` (sql/macros/diff.sql), which use them.
 */
import type { Store } from "../store/index.js";
import { sqlText } from "../util/sql-files.js";

export async function installAnalysisMacros(store: Store): Promise<void> {
  await store.query(sqlText("macros/history.sql"));
  await store.query(sqlText("macros/diff.sql"));
}
