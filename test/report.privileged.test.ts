/**
 * The report's privileged people are read in batches of PRIVILEGED_BATCH_ROWS path rows and
 * grouped as they come (src/report/model.ts): a person whose paths straddle two batches is still
 * one person, with every path, in order. A real DuckDB file, written through the store's writer.
 */
import { describe, expect, it } from "vitest";
import { buildReportModel, PRIVILEGED_BATCH_ROWS } from "../src/report/model.js";
import { Store } from "../src/store/index.js";
import { caseDatabases } from "./support/case-databases.js";
import { orgAt, publishOrg } from "./support/history-org.js";

const dbPath = caseDatabases("report-privileged-");

/** Three groups that hold Owner, each with the same `count` users: three paths per user. */
function orgWithOwners(count: number) {
  const org = orgAt(1);
  const owner = org.roles.find((r) => r.role_id === "role-owner");
  if (owner === undefined) throw new Error("orgAt has no Owner role");
  const ids = Array.from({ length: count }, (_, k) => `bulk-${String(k).padStart(5, "0")}`);
  const groups = ["owners-a", "owners-b", "owners-c"];
  for (const [i, group] of groups.entries()) {
    org.groups.push({
      group_id: group,
      name: `Owners ${"ABC"[i]}`,
      group_type: "group",
      is_scim_managed: false,
      created_at: 1_700_000_100 + i,
    });
    org.groupRoles.push({
      group_id: group,
      role_id: owner.role_id,
      role_name: owner.name,
      permissions: owner.permissions,
      predefined_role: owner.predefined_role,
      resource_type: owner.resource_type,
    });
    for (const id of ids) {
      org.members.push({ group_id: group, user_id: id, email: `${id}@example.com`, name: id });
    }
  }
  // Each like one of orgAt's readers (not a service account), but for its id, email and name.
  const reader = org.users.find((u) => u.role === "reader" && !u.is_service_account);
  if (reader === undefined) throw new Error("orgAt has no reader");
  for (const id of ids)
    org.users.push({ ...reader, user_id: id, email: `${id}@example.com`, name: id });
  return { org, groups };
}

describe("privileged people", () => {
  it("keeps a person whose paths straddle two batches as one person, every path in order", async () => {
    const path = dbPath();
    const writer = await Store.open(path);
    const count = Math.ceil((PRIVILEGED_BATCH_ROWS * 1.5) / 3);
    const { org, groups } = orgWithOwners(count);
    await publishOrg(writer, org);
    await writer.close();

    const store = await Store.open(path, { readOnly: true });
    const model = await buildReportModel(store, {
      toolVersion: "9.9.9-test",
      templateVersion: "t-test",
    });
    await store.close();

    const people = model.privileged;
    expect(new Set(people.map((p) => p.user_id)).size).toBe(people.length);
    const bulk = people.filter((p) => p.user_id.startsWith("bulk-"));
    expect(bulk).toHaveLength(count);
    for (const person of bulk) {
      expect(person.organization_paths).toBe(3);
      expect(person.paths.map((p) => p.group_id)).toEqual(groups);
    }
    // The case is real: the rows are read in more than one batch, and a batch ends inside a
    // person's paths (rows come person by person, as the people are listed).
    let rows = 0;
    let straddled = 0;
    for (const person of people) {
      const before = rows;
      rows += person.paths.length;
      if (
        Math.floor(before / PRIVILEGED_BATCH_ROWS) < Math.floor((rows - 1) / PRIVILEGED_BATCH_ROWS)
      )
        straddled += 1;
    }
    expect(rows).toBeGreaterThan(PRIVILEGED_BATCH_ROWS);
    expect(straddled).toBeGreaterThan(0);
  });
});
