/**
 * `access-audit report` through the real CLI: default file names in the output folder, owner-only
 * files and no temporary leftovers, byte-identical reports from two runs, the exit codes of bad
 * choices, and a database tampered after the crawl (the report refuses it).
 */
import { createHash } from "node:crypto";
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, runCli } from "./support/cli.js";
import { crawlHostileOrganization, type ReportOrg } from "./support/report-org.js";

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

interface ReportJson {
  snapshot_id: number;
  from_snapshot_id: number | null;
  org_date: string;
  template_version: string;
  files: { format: string; path: string; bytes: number; sha256: string }[];
}

describe("access-audit report", () => {
  let org: ReportOrg;
  const work = mkdtempSync(join(tmpdir(), "aa-report-cli-"));
  const env = cliEnv({});

  beforeAll(async () => {
    org = await crawlHostileOrganization();
    await org.sim.stop(); // the report reads only the database
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    if (org) rmSync(org.dir, { recursive: true, force: true });
  });

  it("writes both formats under names carrying the snapshot and date, owner-only, byte-identical twice", async () => {
    const outputs: ReportJson[] = [];
    for (const dir of ["a", "b"]) {
      const r = await runCli(
        ["report", "--db", org.dbPath, "--out", join(work, dir), "--json"],
        env,
        120_000,
      );
      expect(r.status, r.stderr).toBe(0);
      outputs.push(JSON.parse(r.stdout) as ReportJson);
    }
    const [a, b] = outputs as [ReportJson, ReportJson];
    expect(a.snapshot_id).toBe(org.second);
    expect(a.from_snapshot_id).toBe(org.first);
    expect(a.template_version).toMatch(/^t-[0-9a-f]{12}$/);
    expect(a.files.map((f) => f.path)).toEqual([
      join(work, "a", `access-review-s${org.second}-${a.org_date}.html`),
      join(work, "a", `access-review-s${org.second}-${a.org_date}.xlsx`),
    ]);
    for (const [i, f] of a.files.entries()) {
      const other = b.files[i];
      expect(f.sha256).toBe(sha256(f.path));
      expect(other?.sha256, `${f.format} differs between two runs`).toBe(f.sha256);
      expect(statSync(f.path).mode & 0o777).toBe(0o600);
    }
    // Each report and its checksum file (`sha256sum -c`), nothing else.
    expect(readdirSync(join(work, "a")).sort()).toEqual(
      a.files
        .flatMap((f) => [f.path, `${f.path}.sha256`])
        .map((p) => p.slice(join(work, "a").length + 1))
        .sort(),
    );
    const html = readFileSync(a.files[0]?.path ?? "", "utf8");
    expect(html).toContain(a.template_version);
  });

  it("compares with --from under its own name, and only the formats asked for", async () => {
    const r = await runCli(
      [
        "report",
        "--db",
        org.dbPath,
        "--out",
        join(work, "c"),
        "--snapshot",
        String(org.first),
        "--format",
        "html",
        "--json",
      ],
      env,
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as ReportJson;
    expect(out.from_snapshot_id).toBeNull();
    expect(out.files.map((f) => f.format)).toEqual(["html"]);
    expect(readFileSync(out.files[0]?.path ?? "", "utf8")).toMatch(
      /no (earlier|previous) snapshot/i,
    );
  });

  it("bad choices: one line each, exit 2 for usage, 1 for a missing database", async () => {
    const cases: [string[], number, RegExp][] = [
      [["--snapshot", "99"], 2, /snapshot 99 does not exist/],
      [["--format", "pdf"], 2, /expected a comma-separated list of html, xlsx/],
      [["--from", String(org.second)], 2, /nothing to compare/],
      [["--from", "77"], 2, /snapshot 77 does not exist/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(
        ["report", "--db", org.dbPath, "--out", join(work, "x"), ...args],
        env,
      );
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(code);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const empty = await runCli(
      ["report", "--db", join(work, "empty.duckdb"), "--out", join(work, "y")],
      env,
    );
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/database .*empty.duckdb does not exist/);
  });

  it("refuses to follow a symbolic link for --db or --out; creates files owner-only", async () => {
    const link = join(work, "link.duckdb");
    symlinkSync(org.dbPath, link);
    const viaLink = await runCli(["report", "--db", link, "--out", join(work, "l")], env);
    expect(viaLink.status).toBe(1);
    expect(viaLink.stderr).toBe(
      `access-audit: database ${link} is a symbolic link: refusing to follow it (pass the real path)\n`,
    );
    const elsewhere = mkdtempSync(join(tmpdir(), "aa-elsewhere-"));
    const outLink = join(work, "out-link");
    symlinkSync(elsewhere, outLink);
    const viaOut = await runCli(["report", "--db", org.dbPath, "--out", outLink], env);
    expect(viaOut.status).toBe(2);
    expect(viaOut.stderr).toMatch(/--out .*out-link is a symbolic link/);
    expect(readdirSync(elsewhere)).toEqual([]);
    rmSync(elsewhere, { recursive: true, force: true });

    // A database the CLI creates is the owner's alone, like the reports.
    const fresh = join(work, "fresh", "new.duckdb");
    const created = await runCli(
      ["retention", "apply", "--db", fresh, "--keep-last", "1", "--json"],
      env,
    );
    expect(created.status, created.stderr).toBe(0);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });

  it("refuses a snapshot whose rows no longer match its seal, and writes nothing", async () => {
    const copy = join(work, "tampered.duckdb");
    copyFileSync(org.dbPath, copy);
    const instance = await DuckDBInstance.create(copy);
    const connection = await instance.connect();
    try {
      await connection.run(
        `UPDATE hist_groups SET name = 'Innocent name' WHERE group_id = '${org.groups.script}'`,
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const r = await runCli(["report", "--db", copy, "--out", join(work, "t")], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/does not match its seal/);
    expect(() => readdirSync(join(work, "t"))).toThrow();
  });

  it("refuses when only the compared snapshot no longer matches its seal (both verified in one pass)", async () => {
    const copy = join(work, "tampered-before.duckdb");
    copyFileSync(org.dbPath, copy);
    const instance = await DuckDBInstance.create(copy);
    const connection = await instance.connect();
    try {
      // A membership the compared snapshot shows and the reported one does not.
      const reader = await connection.runAndReadAll(
        `UPDATE hist_group_members SET email = 'forged@example.com'
         WHERE valid_to = ${org.first} RETURNING group_id`,
      );
      expect(reader.getRows().length).toBeGreaterThan(0);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const out = join(work, "t2");
    const r = await runCli(["report", "--db", copy, "--out", out, "--format", "html"], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`snapshot ${org.first} does not match its seal`));
    expect(() => readdirSync(out)).toThrow();
    // --no-verify skips the check.
    const skipped = await runCli(
      ["report", "--db", copy, "--out", out, "--format", "html", "--no-verify"],
      env,
    );
    expect(skipped.status, skipped.stderr).toBe(0);
  });
});
