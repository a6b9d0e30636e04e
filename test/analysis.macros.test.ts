/**
 * The shared analysis macros (sql/macros/history.sql) on a real DuckDB store: `valid_in` and
 * `is_direct_assignment`, case by case, including the branch the crawled test organizations never
 * reach (a user role listed without sources).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installAnalysisMacros } from "../src/analysis/macros.js";
import { Store } from "../src/store/index.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-macros-"));
let store: Store;

beforeAll(async () => {
  store = await Store.open(join(tmp, "macros.duckdb"));
  await installAnalysisMacros(store);
});
afterAll(async () => {
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("analysis macros", () => {
  it("valid_in: from valid_from up to and including valid_to, open-ended when NULL", async () => {
    const rows = await store.query<{ held: boolean[] }>(
      `SELECT [valid_in(3, 1, NULL), valid_in(3, 1, 2), valid_in(3, 3, 3), valid_in(0, 1, NULL),
         valid_in(2147483647, 1, NULL)] AS held`,
    );
    expect(rows[0]?.held).toEqual([true, false, true, false, true]);
  });

  it("is_direct_assignment: a 'user' source, or no sources and no group granting it", async () => {
    const rows = await store.query<{ label: string; direct: boolean }>(
      `WITH cases(label, sources, granted_by_group) AS (VALUES
         ('no sources, no group', NULL, false),
         ('no sources, a group grants it', NULL, true),
         ('empty sources', [], false),
         ('user source', [{'principal_id': 'u', 'principal_type': 'user'}], true),
         ('group source', [{'principal_id': 'g', 'principal_type': 'group'}], false),
         ('group and user sources', [{'principal_id': 'g', 'principal_type': 'group'},
           {'principal_id': 'u', 'principal_type': 'user'}], true),
         ('source without a type', [{'principal_id': 'x', 'principal_type': NULL}], false))
       SELECT label,
         is_direct_assignment(
           sources::STRUCT(principal_id VARCHAR, principal_type VARCHAR)[], granted_by_group)
           AS direct
       FROM cases ORDER BY label`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.label, r.direct]))).toEqual({
      "no sources, no group": true,
      "no sources, a group grants it": false,
      "empty sources": false,
      "user source": true,
      "group source": false,
      "group and user sources": true,
      "source without a type": false,
    });
  });
});
