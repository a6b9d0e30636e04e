/**
 * The publish's seal against the documented format (sha256 of each view line, sorted,
 * concatenated, sha256 again) computed here from the views alone: on hostile values (control
 * characters, the staging separators as data, unicode, NULLs, lists), and on small publishes
 * where most fact tables are empty (no stage table, one statement for the seal), staged in the
 * database and apart from it as the crawl does.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GROUP_MEMBERS, GROUPS, ROLES, USER_ROLES, USERS } from "../src/facts/index.js";
import { type PublishResult, type SnapshotWriter, Store } from "../src/store/index.js";
import { DIGEST_BUCKET_ROWS, partLinesSql, SEAL_PARTS } from "../src/store/seal.js";
import { caseDatabases } from "./support/case-databases.js";

const dbPath = caseDatabases("seal-publish-");

const META = {
  baseUrl: "http://sim.test/v1",
  toolVersion: "0.1.0-test",
  keyRedacted: "sk-...abcd",
};

/** Every stored part hash of the snapshot equals the documented format over its view's lines. */
async function expectDocumentedParts(store: Store, snapshotId: number): Promise<void> {
  const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
  const stored = await store.query<{ part: string; row_count: number; sha256: string }>(
    "SELECT part, row_count, sha256 FROM snapshot_seal_parts WHERE snapshot_id = $1",
    [snapshotId],
  );
  expect(stored.map((p) => p.part).sort()).toEqual(SEAL_PARTS.map((p) => p.part).sort());
  for (const part of SEAL_PARTS) {
    const lines = await store.query<{ line: string }>(partLinesSql(part), [snapshotId]);
    const digests = lines.map(({ line }) => sha(line)).sort();
    const found = stored.find((p) => p.part === part.part);
    expect(found?.row_count, `${part.part} rows`).toBe(lines.length);
    expect(found?.sha256, part.part).toBe(sha(digests.join("")));
  }
}

async function publish(writer: SnapshotWriter): Promise<PublishResult> {
  writer.recordEndpoint({ endpoint: "/organization/users", pages: 1, items: 1, completed: true });
  return writer.publish({ requests: 1, retries: 0, rateLimited: 0 });
}

/** Text no separator, escape or encoding may lose (the staging's own separators included). */
const HOSTILE = [
  "",
  "\u0001\u0007\b\f\n\r\t\u001b",
  "\u001c\u001d\u001e\u001f",
  "\u001d",
  '"quoted" \\back\\slash\\ /',
  "\u007f\u0080\u00a0\u00ad",
  "Zoë 🚀 مرحبا e\u0301 \u2028\u2029 \ufeff",
  "a".repeat(5000),
];

describe("the publish's seal", () => {
  it("equals the documented format on hostile values", async () => {
    const store = await Store.open(dbPath());
    const writer = await store.beginSnapshot(META);
    HOSTILE.forEach((text, i) => {
      writer.add(USERS, {
        user_id: `u${i}${text}`,
        email: i % 2 === 0 ? null : text,
        name: text,
        role: i % 3 === 0 ? null : text,
        is_scim_managed: i % 2 === 0 ? null : i % 4 === 1,
        is_service_account: false,
        added_at: 1_600_000_000 + i,
        api_key_last_used_at: i % 2 === 0 ? null : 1_700_000_000 + i * 1_000_003,
      });
      writer.add(GROUP_MEMBERS, {
        group_id: text,
        user_id: `u${i}`,
        email: i % 2 === 0 ? null : text,
        name: text,
      });
      writer.add(ROLES, {
        role_id: `r${i}`,
        name: text,
        description: i % 2 === 0 ? null : text,
        permissions: i % 3 === 0 ? [] : [text, "plain", text],
        predefined_role: i % 2 === 0,
        resource_type: "api.organization",
      });
      writer.add(USER_ROLES, {
        user_id: `u${i}`,
        role_id: `r${i}`,
        role_name: text,
        permissions: [text],
        predefined_role: false,
        assignment_sources: [{ principal_id: text, principal_type: "user" }],
      });
    });
    await publish(writer);
    const [users] = await store.query<{ n: number }>(
      "SELECT count(*)::INTEGER AS n FROM snapshot_users WHERE snapshot_id = 1",
    );
    expect(users?.n).toBe(HOSTILE.length);
    await expectDocumentedParts(store, 1);
    expect((await store.verify()).ok).toBe(true);
    await store.close();
  });

  it("equals the documented format when the publish sorts its digests in buckets", async () => {
    // More staged rows than one sort takes: the digests are sorted in two buckets of leading
    // bits, rows of two parts interleaved in each. Verify sorts the history's rows at once.
    const store = await Store.open(dbPath(), { stageApart: true });
    const writer = await store.beginSnapshot(META);
    const users = 2_000;
    for (let u = 0; u < users; u++) {
      writer.add(USERS, {
        user_id: `user-${u}`,
        email: `user-${u}@example.com`,
        name: `User ${u}`,
        role: "reader",
        is_scim_managed: u % 2 === 0,
        is_service_account: false,
        added_at: 1_600_000_000 + u,
        api_key_last_used_at: null,
      });
    }
    const members = DIGEST_BUCKET_ROWS + 8_000;
    for (let m = 0; m < members; m++) {
      const u = m % users;
      writer.add(GROUP_MEMBERS, {
        group_id: `group-${Math.floor(m / users)}`,
        user_id: `user-${u}`,
        email: `user-${u}@example.com`,
        name: `User ${u}`,
      });
    }
    const published = await publish(writer);
    expect(published.counts).toMatchObject({ users, memberships: members });
    await expectDocumentedParts(store, published.snapshotId);
    expect((await store.verify()).ok).toBe(true);
    await store.close();
  });

  for (const stageApart of [false, true]) {
    it(`seals every row of a small publish with empty fact tables (stageApart: ${stageApart})`, async () => {
      const path = dbPath();
      const store = await Store.open(path, { stageApart });
      // 1: users, groups and members; every other fact table empty.
      let writer = await store.beginSnapshot(META);
      writer.add(GROUPS, {
        group_id: "g1",
        name: "G",
        group_type: "group",
        is_scim_managed: false,
        created_at: 1_700_000_000,
      });
      for (const id of ["u1", "u2", "u3"]) {
        writer.add(USERS, {
          user_id: id,
          email: `${id}@example.com`,
          name: id,
          role: "reader",
          is_scim_managed: false,
          is_service_account: false,
          added_at: 1_600_000_000,
          api_key_last_used_at: null,
        });
        writer.add(GROUP_MEMBERS, { group_id: "g1", user_id: id, email: null, name: id });
      }
      const first = await publish(writer);
      expect(first.counts).toMatchObject({ users: 3, memberships: 3, groups: 1, roles: 0 });
      // 2: no users or members staged at all (their tables stay empty), a role, a duplicate
      // group row (the last one kept) and a vanished group's rows dropped.
      writer = await store.beginSnapshot(META);
      writer.add(GROUPS, {
        group_id: "g1",
        name: "first",
        group_type: "group",
        is_scim_managed: false,
        created_at: 1_700_000_000,
      });
      writer.add(GROUPS, {
        group_id: "g2",
        name: "vanishing",
        group_type: "group",
        is_scim_managed: false,
        created_at: 1_700_000_000,
      });
      await writer.dropGroup("g2");
      writer.recordVanishedGroup("g2");
      writer.add(GROUPS, {
        group_id: "g1",
        name: "G renamed",
        group_type: "group",
        is_scim_managed: false,
        created_at: 1_700_000_000,
      });
      writer.add(ROLES, {
        role_id: "r1",
        name: "Reader",
        description: null,
        permissions: ["api.organization.read"],
        predefined_role: true,
        resource_type: "api.organization",
      });
      const second = await publish(writer);
      expect(second.counts).toMatchObject({ users: 0, memberships: 0, groups: 1, roles: 1 });
      // Staging apart, unpacking, de-duplication and hashing the staged facts' seal parts
      // happen before the database is attached.
      const phases = Object.keys(second.timings);
      expect(phases.indexOf("dedupe")).toBeLessThan(phases.indexOf("digest"));
      if (stageApart) {
        expect(phases.indexOf("digest")).toBeLessThan(phases.indexOf("attach"));
        expect(phases.at(-1)).toBe("detach");
      } else {
        expect(phases).not.toContain("attach");
      }

      // The users and members of 1 ended at 1: shown by 1, not by 2.
      const shown = await store.query<{ snapshot_id: number; n: number }>(
        `SELECT snapshot_id, count(*)::INTEGER AS n FROM snapshot_users GROUP BY ALL ORDER BY ALL`,
      );
      expect(shown).toEqual([{ snapshot_id: 1, n: 3 }]);
      const [open] = await store.query<{ n: number }>(
        "SELECT count(*)::INTEGER AS n FROM hist_group_members WHERE valid_to IS NULL",
      );
      expect(open?.n).toBe(0);
      const groups = await store.query<{ name: string }>(
        "SELECT name FROM snapshot_groups WHERE snapshot_id = 2",
      );
      expect(groups).toEqual([{ name: "G renamed" }]);
      const [run] = await store.query<{ duplicate_rows: number; vanished_groups: number }>(
        "SELECT duplicate_rows, vanished_groups FROM snapshots WHERE snapshot_id = 2",
      );
      expect(run).toEqual({ duplicate_rows: 1, vanished_groups: 1 });
      await expectDocumentedParts(store, 1);
      await expectDocumentedParts(store, 2);
      // 3: nothing at all staged; everything current ends.
      writer = await store.beginSnapshot(META);
      await publish(writer);
      await expectDocumentedParts(store, 3);
      const [left] = await store.query<{ n: number }>(
        "SELECT count(*)::INTEGER AS n FROM snapshot_groups WHERE snapshot_id = 3",
      );
      expect(left?.n).toBe(0);
      expect((await store.verify()).ok).toBe(true);
      await store.close();
    });
  }
});
