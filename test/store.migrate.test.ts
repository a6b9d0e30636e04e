/**
 * A database written by the release before projects (schema version 5, seals in format v1:
 * test/fixtures/schema-v5.duckdb.gz, made by that release with make-schema-v5.mjs) opened by
 * this one: it migrates in place, its snapshots keep their seals and verify, they read as
 * "projects not collected", and the seal chain runs on through a new snapshot with projects
 * without a diff inventing project additions.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { diffSnapshots } from "../src/analysis/diff.js";
import { startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { SCHEMA_VERSION } from "../src/store/migrations.js";
import { crawlInto } from "./support/analysis-org.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-migrate-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fixture(name: string): string {
  const path = join(tmp, name);
  writeFileSync(
    path,
    gunzipSync(readFileSync(new URL("./fixtures/schema-v5.duckdb.gz", import.meta.url))),
  );
  return path;
}

describe("a schema version 5 database", () => {
  it("migrates in place; old seals verify; old snapshots read as projects not collected", async () => {
    const db = fixture("v5.duckdb");
    const store = await Store.open(db);
    try {
      const versions = await store.query<{ version: number }>(
        "SELECT version FROM schema_migrations ORDER BY version",
      );
      expect(versions.map((v) => v.version)).toEqual(
        Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
      );
      const snapshots = await store.query<{
        snapshot_id: number;
        schema_version: number;
        uncollected: string[];
        projects: number | null;
      }>("SELECT snapshot_id, schema_version, uncollected, projects FROM snapshots ORDER BY 1");
      expect(snapshots).toEqual([
        {
          snapshot_id: 1,
          schema_version: 5,
          uncollected: ["credentials", "project_role_assignments", "projects"],
          projects: null,
        },
        {
          snapshot_id: 2,
          schema_version: 5,
          uncollected: ["credentials", "project_role_assignments", "projects"],
          projects: null,
        },
      ]);
      const verified = await store.verify();
      expect(verified.issues).toEqual([]);
      expect(verified.snapshots.map((s) => [s.snapshot_id, s.ok])).toEqual([
        [1, true],
        [2, true],
      ]);
      // Format v1 still covers exactly the six organization parts and its evidence.
      const parts = await store.query<{ part: string }>(
        "SELECT part FROM snapshot_seal_parts WHERE snapshot_id = 1 ORDER BY part",
      );
      expect(parts.map((p) => p.part)).not.toContain("projects");
      // The diff of the two old snapshots compares the organization and nothing of projects.
      const old = await diffSnapshots(store, { from: 1, to: 2 });
      expect(old.changes.map((c) => c.kind).sort()).toEqual(["group_renamed", "member_added"]);
      expect(old.not_collected).toEqual(["projects", "project_role_assignments", "credentials"]);
      expect(old.coverage_changed).toEqual([]);
      // Tampering with an old snapshot is still caught, in its own format.
      await store.query("UPDATE hist_groups SET name = 'forged' WHERE valid_from = 1");
      const tampered = await store.verify();
      expect(tampered.snapshots.filter((s) => !s.ok).map((s) => s.snapshot_id)).toContain(1);
    } finally {
      await store.close();
    }
  });

  it("chains a new snapshot with projects onto the old seals; coverage changed, nothing invented", async () => {
    const db = fixture("v5-next.duckdb");
    // The organization the fixture was made from (seed 7, 8 groups, 30 users), now with projects.
    const sim = await startSimulator({ port: 0, seed: 7, groups: 8, users: 30 });
    try {
      expect(await crawlInto(sim, db)).toBe(3);
    } finally {
      await sim.stop();
    }
    const store = await Store.open(db);
    try {
      const [counts] = await store.query<{ projects: number }>(
        "SELECT projects FROM snapshots WHERE snapshot_id = 3",
      );
      expect(counts?.projects).toBeGreaterThan(0);
      const verified = await store.verify();
      expect(verified.ok).toBe(true);
      expect(verified.snapshots.map((s) => s.snapshot_id)).toEqual([1, 2, 3]);
      const parts = await store.query<{ part: string }>(
        "SELECT part FROM snapshot_seal_parts WHERE snapshot_id = 3 ORDER BY part",
      );
      expect(parts.map((p) => p.part)).toContain("project_user_roles");
      const diff = await diffSnapshots(store, { from: 2, to: 3 });
      expect(diff.coverage_changed.map((c) => [c.scope, c.from_collected, c.to_collected])).toEqual(
        [
          ["projects", false, true],
          ["project_role_assignments", false, true],
          ["credentials", false, true],
        ],
      );
      expect(diff.changes.filter((c) => c.kind.startsWith("project_"))).toEqual([]);
      expect(diff.not_compared.map((k) => k.kind)).toContain("project_added");
    } finally {
      await store.close();
    }
  });
});
