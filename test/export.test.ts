/**
 * `access-audit export` through the real CLI: Parquet and CSV, one snapshot and --all, read back
 * with DuckDB and compared with the views; the manifest; and that a refused or failed export
 * leaves nothing under the final name.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExportManifest, Store } from "../src/store/index.js";
import { CLI, cliEnv, runCli } from "./support/cli.js";
import { failSnapshot, orgAt, PUBLIC_VIEWS, publishOrg } from "./support/history-org.js";

const root = mkdtempSync(join(tmpdir(), "export-"));
const db = join(root, "audit.duckdb");
const env = cliEnv({ ACCESS_AUDIT_DB: db });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PARTITIONED = PUBLIC_VIEWS.filter((v) => v !== "snapshots");
/** Rows per view per complete snapshot, from the views themselves. */
let expected: Record<string, Record<string, number>>;

beforeAll(async () => {
  // Complete snapshots 2, 3 and 5: 1 is pruned by retention, 4 failed.
  const store = await Store.open(db);
  for (let step = 1; step <= 3; step++) await publishOrg(store, orgAt(step));
  await failSnapshot(store, orgAt(4));
  await publishOrg(store, orgAt(4));
  await store.applyRetention({ kind: "last", count: 3 });
  expected = {};
  for (const view of PUBLIC_VIEWS) {
    const rows = await store.query<{ id: number; n: number }>(
      `SELECT snapshot_id AS id, count(*)::INTEGER AS n FROM ${view}
       WHERE snapshot_id IN (SELECT snapshot_id FROM snapshots WHERE status = 'complete')
       GROUP BY ALL ORDER BY ALL`,
    );
    expected[view] = Object.fromEntries(rows.map((r) => [String(r.id), r.n]));
  }
  await store.close();
});

/** An in-memory DuckDB with the audit file attached read-only, for reading exports back. */
async function reader() {
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const con = await instance.connect();
  await con.run("SET TimeZone = 'UTC'");
  await con.run(`ATTACH '${db}' AS audit (READ_ONLY)`);
  return {
    async rows(sql: string): Promise<Record<string, unknown>[]> {
      return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    },
    close() {
      con.closeSync();
      instance.closeSync();
    },
  };
}

const pick = (counts: Record<string, number> | undefined, ids: number[]) =>
  Object.fromEntries(ids.map((id) => [String(id), counts?.[String(id)] ?? 0]));

function readManifest(dir: string): ExportManifest {
  return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as ExportManifest;
}

function leftovers(name: string): string[] {
  return readdirSync(root).filter((n) => n.startsWith(`${name}.partial-`));
}

describe("export", () => {
  it("writes the latest snapshot as hive-partitioned Parquet equal to the views", async () => {
    const out = join(root, "latest-parquet");
    const result = await runCli(["export", "--format", "parquet", "--out", out], env);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^exported snapshot\(s\) 5 to .*latest-parquet \(parquet\): 24 views, \d+ rows\n/,
    );

    const manifest = readManifest(out);
    expect(manifest.format).toBe("parquet");
    expect(manifest.views.map((v) => v.view)).toEqual([...PUBLIC_VIEWS]);
    expect(manifest.snapshots.map((s) => s.snapshot_id)).toEqual([5]);
    expect(manifest.tool_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(existsSync(join(out, "snapshots.parquet"))).toBe(true);
    expect(existsSync(join(out, "snapshot_groups", "snapshot_id=5", "data_0.parquet"))).toBe(true);
    // An empty view still gets its folder.
    expect(readdirSync(join(out, "snapshot_vanished_users"))).toEqual([]);
    expect(leftovers("latest-parquet")).toEqual([]);

    const r = await reader();
    try {
      const seal = await r.rows("SELECT seal FROM audit.snapshots WHERE snapshot_id = 5");
      expect(manifest.snapshots[0]?.seal).toBe(seal[0]?.seal);
      for (const view of PARTITIONED) {
        const entry = manifest.views.find((v) => v.view === view);
        expect(entry?.rows_by_snapshot, view).toEqual(pick(expected[view], [5]));
        if (entry?.rows === 0) continue;
        // Row for row: the same multiset both ways (lists, structs and timestamps included).
        const files = `read_parquet('${join(out, view)}/*/*.parquet', hive_partitioning = true)`;
        const fromView = `SELECT * EXCLUDE (snapshot_id), snapshot_id::INTEGER AS sid FROM audit.${view} WHERE snapshot_id = 5`;
        const fromFiles = `SELECT * EXCLUDE (snapshot_id), snapshot_id::INTEGER AS sid FROM ${files}`;
        const diff = await r.rows(
          `SELECT count(*)::INTEGER AS n FROM ((${fromView} EXCEPT ALL ${fromFiles}) UNION ALL (${fromFiles} EXCEPT ALL ${fromView}))`,
        );
        expect(diff[0]?.n, view).toBe(0);
        const count = await r.rows(`SELECT count(*)::INTEGER AS n FROM ${files}`);
        expect(count[0]?.n, view).toBe(expected[view]?.["5"]);
      }
      const snapshots = await r.rows(
        `SELECT snapshot_id, status FROM read_parquet('${join(out, "snapshots.parquet")}')`,
      );
      expect(snapshots).toEqual([{ snapshot_id: 5, status: "complete" }]);
    } finally {
      r.close();
    }
    // Each file listed with its size and hash.
    const groups = manifest.views.find((v) => v.view === "snapshot_groups");
    expect(groups?.files).toEqual([
      {
        path: "snapshot_groups/snapshot_id=5/data_0.parquet",
        bytes: expect.any(Number),
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
  });

  it("exports every complete snapshot with --all, and CSV with a header row", async () => {
    const parquet = join(root, "all-parquet");
    const csv = join(root, "all-csv");
    const [p, c] = [
      await runCli(["export", "--format", "parquet", "--all", "--out", parquet, "--json"], env),
      await runCli(["export", "--format", "csv", "--all", "--out", csv], env),
    ];
    expect(p.status).toBe(0);
    expect(c.status).toBe(0);
    const manifest = JSON.parse(p.stdout) as ExportManifest;
    expect(manifest).toEqual(readManifest(parquet));
    expect(manifest.snapshots.map((s) => s.snapshot_id)).toEqual([2, 3, 5]);
    expect(readManifest(csv).snapshots.map((s) => s.snapshot_id)).toEqual([2, 3, 5]);

    const r = await reader();
    try {
      for (const view of PARTITIONED) {
        const want = pick(expected[view], [2, 3, 5]);
        for (const [dir, read] of [
          [parquet, `read_parquet('${join(parquet, view)}/*/*.parquet', hive_partitioning = true)`],
          [csv, `read_csv('${join(csv, view)}/*/*.csv', header = true, hive_partitioning = true)`],
        ] as const) {
          const entry = readManifest(dir).views.find((v) => v.view === view);
          expect(entry?.rows_by_snapshot, `${view} in ${dir}`).toEqual(want);
          if (entry?.rows === 0) continue;
          const rows = await r.rows(
            `SELECT snapshot_id::INTEGER AS id, count(*)::INTEGER AS n FROM ${read} GROUP BY ALL ORDER BY ALL`,
          );
          expect(
            Object.fromEntries(rows.map((x) => [String(x.id), x.n])),
            `${view} in ${dir}`,
          ).toEqual(Object.fromEntries(Object.entries(want).filter(([, n]) => n > 0)));
        }
      }
      const snapshots = await r.rows(
        `SELECT snapshot_id, seal FROM read_csv('${join(csv, "snapshots.csv")}', header = true) ORDER BY 1`,
      );
      const sealed = await r.rows(
        "SELECT snapshot_id, seal FROM audit.snapshots WHERE status = 'complete' ORDER BY 1",
      );
      expect(snapshots.map((s) => [Number(s.snapshot_id), s.seal])).toEqual(
        sealed.map((s) => [Number(s.snapshot_id), s.seal]),
      );
    } finally {
      r.close();
    }
    // The header row names the view's columns (the partition column lives in the path).
    const membersFile = join(csv, "snapshot_group_members", "snapshot_id=3", "data_0.csv");
    expect(readFileSync(membersFile, "utf8").split("\n")[0]).toBe("group_id,user_id,email,name");
  });

  it("exports one chosen snapshot, and refuses one that is not complete", async () => {
    const out = join(root, "one-csv");
    const result = await runCli(
      ["export", "--format", "csv", "--snapshot", "3", "--out", out],
      env,
    );
    expect(result.status).toBe(0);
    expect(readManifest(out).snapshots.map((s) => s.snapshot_id)).toEqual([3]);
    expect(readdirSync(join(out, "snapshot_groups"))).toEqual(["snapshot_id=3"]);

    const cases = [
      ["1", "snapshot 1 is pruned, not complete: only complete snapshots can be exported"],
      ["4", "snapshot 4 is failed, not complete: only complete snapshots can be exported"],
      ["9", "snapshot 9 does not exist (latest complete: 5)"],
    ] as const;
    // Readers share the file, so these run side by side.
    const results = await Promise.all(
      cases.map(([id]) =>
        runCli(
          ["export", "--format", "parquet", "--snapshot", id, "--out", join(root, `refused-${id}`)],
          env,
        ),
      ),
    );
    cases.forEach(([id, message], i) => {
      expect(results[i]?.status).toBe(2);
      expect(results[i]?.stderr).toBe(`access-audit: ${message}\n`);
      expect(existsSync(join(root, `refused-${id}`))).toBe(false);
      expect(leftovers(`refused-${id}`)).toEqual([]);
    });
    const both = await runCli(
      ["export", "--format", "csv", "--all", "--snapshot", "3", "--out", join(root, "x")],
      env,
    );
    expect(both.status).toBe(2);
    const badFormat = await runCli(["export", "--format", "json", "--out", join(root, "x")], env);
    expect(badFormat.status).toBe(2);
    expect(existsSync(join(root, "x"))).toBe(false);
  });

  it("never overwrites a non-empty folder without --force, and leaves nothing partial", async () => {
    const out = join(root, "existing");
    mkdirSync(out);
    writeFileSync(join(out, "keep.txt"), "mine\n");
    const refused = await runCli(["export", "--format", "parquet", "--out", out], env);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(
      `access-audit: ${out} exists and is not empty; choose another --out or pass --force to replace it\n`,
    );
    expect(readdirSync(out)).toEqual(["keep.txt"]);
    expect(leftovers("existing")).toEqual([]);

    const forced = await runCli(["export", "--format", "parquet", "--out", out, "--force"], env);
    expect(forced.status).toBe(0);
    expect(readdirSync(out)).not.toContain("keep.txt");
    expect(readManifest(out).snapshots.map((s) => s.snapshot_id)).toEqual([5]);
    expect(
      readdirSync(root)
        .filter((n) => n.startsWith("existing."))
        .sort(),
    ).toEqual([]);

    // An empty folder is fine without --force; a file in the way is not.
    const empty = join(root, "empty");
    mkdirSync(empty);
    expect((await runCli(["export", "--format", "csv", "--out", empty], env)).status).toBe(0);
    expect(existsSync(join(empty, "manifest.json"))).toBe(true);
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    const onFile = await runCli(["export", "--format", "csv", "--out", file], env);
    expect(onFile.status).toBe(2);
    expect(readFileSync(file, "utf8")).toBe("x");

    // Killed at any moment, an export leaves either the whole folder (every file its manifest
    // lists, at its size and hash) or nothing under its name. The first kill waits for the
    // staging folder, so at least one lands while the export writes; the others use fixed delays.
    let killedWhileWriting = 0;
    for (const [run, delay] of [300, 900, 1500].entries()) {
      const name = `killed-${delay}`;
      const target = join(root, name);
      const child = spawn(
        process.execPath,
        [CLI, "export", "--format", "parquet", "--all", "--out", target],
        { env, stdio: "ignore" },
      );
      // Listen before killing: an export that already finished has already closed.
      const closed = new Promise<NodeJS.Signals | null>((r) =>
        child.once("close", (_code, signal) => r(signal)),
      );
      const started = Date.now();
      let staged = false;
      while (Date.now() - started < (run === 0 ? 60_000 : delay)) {
        staged = leftovers(name).length > 0;
        if (staged && run === 0) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      child.kill("SIGKILL");
      const signal = await closed;
      if (existsSync(target)) {
        const manifest = readManifest(target);
        for (const file of manifest.views.flatMap((v) => v.files)) {
          const path = join(target, file.path);
          expect(statSync(path).size, path).toBe(file.bytes);
          expect(createHash("sha256").update(readFileSync(path)).digest("hex"), path).toBe(
            file.sha256,
          );
        }
      } else {
        // Nothing under the name: it was killed before it could finish, not failed on its own.
        expect(signal, name).toBe("SIGKILL");
        if (staged) killedWhileWriting++;
      }
    }
    expect(killedWhileWriting, "no kill landed while the export was writing").toBeGreaterThan(0);

    // A database with no complete snapshot: exit 1, and nothing created.
    const emptyDb = join(root, "empty.duckdb");
    await (await Store.open(emptyDb)).close();
    const target = join(root, "from-empty-db");
    const none = await runCli(["export", "--format", "csv", "--out", target, "--db", emptyDb], env);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/has no complete snapshot to export/);
    expect(existsSync(target)).toBe(false);
    expect(leftovers("from-empty-db")).toEqual([]);
  }, 180_000);
});
