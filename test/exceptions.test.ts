/**
 * The exceptions register end to end: a break-glass Owner group (the `owner-via-group` rule,
 * critical) in a simulated organization crawled over real HTTP into a real DuckDB file, then
 * `exceptions add|list|expire`, `anomalies --fail-on` and `verify` as real CLI child processes.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { crawlInto, NO_CREDENTIALS, roleId } from "./support/analysis-org.js";
import { cliEnv, runCli } from "./support/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-exceptions-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DAY_MS = 86_400_000;
/** A UTC day `days` from today, YYYY-MM-DD. */
const day = (days: number): string =>
  new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

interface JsonFinding {
  rule: string;
  severity: string;
  group_id: string | null;
  exception: {
    id: number;
    approver: string;
    reason: string;
    expires_on: string;
    recorded_by: string;
    recorded_at: string;
  } | null;
}
interface JsonReport {
  snapshot_id: number;
  findings: JsonFinding[];
  as_of: string;
  accepted: number;
}
interface JsonList {
  as_of: string;
  entries: number;
  head_seal: string | null;
  exceptions: {
    id: number;
    rule: string;
    state: string;
    subject: Record<string, string>;
    ended: { by: string; reason: string } | null;
  }[];
}

describe("the exceptions register", () => {
  let sim: RunningSimulator;
  const db = join(tmp, "audit.duckdb");
  const env = cliEnv({});
  const cli = (args: string[]) => runCli([...args, "--db", db], env);
  let breakGlass = "";
  let s1 = 0;
  const expires = day(30);

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 18,
      groups: 0,
      users: 0,
      projects: 0,
      ...NO_CREDENTIALS,
    });
    const s = sim.state;
    const owner = roleId(sim, "Owner");
    const alice = s.createUser({ name: "Alice", email: "alice@corp.example" }).id;
    const bob = s.createUser({ name: "Bob", email: "bob@corp.example" }).id;
    s.assignUserRole(alice, owner);
    // The accepted risk: a manual break-glass group holding Owner, with one member.
    breakGlass = s.createGroup("Break-glass Owners", { isScimManaged: false }).id;
    s.assignGroupRole(breakGlass, owner);
    s.addMember(breakGlass, bob);
    s1 = await crawlInto(sim, db);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  const critical = (report: JsonReport) => report.findings.filter((f) => f.severity === "critical");

  it("an exception hides its finding from --fail-on until its expiry day, then it returns", async () => {
    // Without an exception the break-glass group is the one critical finding: exit 3.
    const before = await cli(["anomalies", "--fail-on", "critical", "--json"]);
    expect(before.stderr).toMatch(
      /^access-audit: 1 finding\(s\) at or above critical \(\d+ rule\(s\) skipped, not evaluated\)\n$/,
    );
    expect(before.status).toBe(3);
    expect(critical(JSON.parse(before.stdout) as JsonReport)).toMatchObject([
      { rule: "owner-via-group", group_id: breakGlass, exception: null },
    ]);

    const added = await cli([
      "exceptions",
      "add",
      "--rule",
      "owner-via-group",
      "--group",
      breakGlass,
      "--reason",
      "break-glass access for incidents, sealed envelope",
      "--approver",
      "Jane Roe (CISO)",
      "--expires",
      expires,
      "--json",
    ]);
    expect(added.stderr).toBe("");
    expect(added.status).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      seq: 1,
      event: "add",
      exception_id: 1,
      rule_id: "owner-via-group",
      group_id: breakGlass,
      user_id: null,
      approver: "Jane Roe (CISO)",
      expires_on: expires,
    });
    expect((JSON.parse(added.stdout) as { recorded_by: string }).recorded_by).toMatch(/^.+@.+$/);

    // Accepted: exit 0, the finding still listed, with its exception, and counted apart.
    const after = await cli(["anomalies", "--fail-on", "critical", "--json"]);
    // Nothing open at or above critical, and the verdict still says what was not evaluated.
    expect(after.stderr).toMatch(
      /^no finding at or above critical \(\d+ rule\(s\) skipped, not evaluated\)\n$/,
    );
    expect(after.status).toBe(0);
    const report = JSON.parse(after.stdout) as JsonReport;
    expect(report.accepted).toBe(1);
    expect(critical(report)).toMatchObject([
      {
        rule: "owner-via-group",
        group_id: breakGlass,
        exception: {
          id: 1,
          approver: "Jane Roe (CISO)",
          reason: "break-glass access for incidents, sealed envelope",
          expires_on: expires,
        },
      },
    ]);
    // Judged at the snapshot's time by default: the report is the same on every run.
    const snapshots = JSON.parse((await cli(["snapshots", "--json"])).stdout) as {
      finished_at: string;
    }[];
    expect(report.as_of).toBe(new Date(snapshots[0]?.finished_at ?? "").toISOString());
    // Only that rule's finding: the same group's high finding (a manual group with Owner) stays.
    const high = await cli(["anomalies", "--fail-on", "high"]);
    expect(high.status).toBe(3);
    // (the other high one is about the simulator's own admin key, owned by no Owner)
    expect(high.stderr).toMatch(
      /^access-audit: 2 finding\(s\) at or above high \(\d+ rule\(s\) skipped, not evaluated\)\n$/,
    );
    expect(high.stdout).toMatch(/\nHIGH \(2\)\n(?:[\s\S]*\n)? {2}elevated-role-manual-group: /);
    expect(high.stdout.split("\n")[0]).toMatch(/; 1 accepted by exception$/);
    expect(high.stdout).toContain("ACCEPTED BY EXCEPTION (1)\n  owner-via-group: ");
    expect(high.stdout).toContain(
      `      accepted until ${expires} by Jane Roe (CISO): break-glass access for incidents, sealed envelope (exception 1)\n`,
    );
    expect(high.stdout).not.toContain("CRITICAL (");

    // The day before it expires it still covers; on its expiry day the finding returns.
    const lastDay = await cli(["anomalies", "--fail-on", "critical", "--as-of", day(29)]);
    expect(lastDay.status).toBe(0);
    const expiryDay = await cli([
      "anomalies",
      "--fail-on",
      "critical",
      "--as-of",
      expires,
      "--json",
    ]);
    expect(expiryDay.status).toBe(3);
    const returned = JSON.parse(expiryDay.stdout) as JsonReport;
    expect(returned.accepted).toBe(0);
    expect(critical(returned)).toMatchObject([{ rule: "owner-via-group", exception: null }]);
    expect(returned.as_of).toBe(`${expires}T00:00:00.000Z`);
    const badAsOf = await cli(["anomalies", "--as-of", "next week"]);
    expect(badAsOf.status).toBe(2);
  });

  it("refuses an unknown rule, an empty reason or approver, no subject and a bad expiry", async () => {
    /** The add command with some flags changed; null drops the flag. */
    const add = (over: Record<string, string | null>) => {
      const flags: Record<string, string | null> = {
        "--rule": "owner-via-group",
        "--group": breakGlass,
        "--reason": "r",
        "--approver": "a",
        "--expires": expires,
        ...over,
      };
      return [
        "exceptions",
        "add",
        ...Object.entries(flags).flatMap(([flag, value]) => (value === null ? [] : [flag, value])),
      ];
    };
    const cases: [Record<string, string | null>, RegExp][] = [
      [{ "--rule": "no-such-rule" }, /^access-audit: unknown rule "no-such-rule": /],
      [{ "--reason": "  " }, /^access-audit: --reason must not be empty$/],
      [{ "--approver": "" }, /^access-audit: --approver must not be empty$/],
      [{ "--expires": day(0) }, /^access-audit: --expires must be after today/],
      [{ "--expires": day(367) }, /^access-audit: --expires must be at most 366 days ahead/],
      [{ "--expires": "2027-02-30" }, /^access-audit: --expires: expected a date YYYY-MM-DD/],
      [{ "--group": "" }, /^access-audit: --group must not be empty$/],
      [{ "--group": null }, /^access-audit: name the finding's subject/],
    ];
    for (const [over, message] of cases) {
      const result = await cli(add(over));
      expect(result.status, JSON.stringify(over)).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr.split("\n")).toHaveLength(2); // one line
      expect(result.stderr.trimEnd(), JSON.stringify(over)).toMatch(message);
    }
    // Nothing was recorded by a refused command.
    const list = JSON.parse(
      (await cli(["exceptions", "list", "--all", "--json"])).stdout,
    ) as JsonList;
    expect(list.entries).toBe(1);
  });

  it("ended early with expire: the finding returns; the register keeps the history", async () => {
    // A second exception (the same group's high finding), so that the chain has a middle entry.
    const second = await cli([
      "exceptions",
      "add",
      "--rule",
      "elevated-role-manual-group",
      "--group",
      breakGlass,
      "--role",
      roleId(sim, "Owner"),
      "--reason",
      // Typed by a person, shown to others: a line break or an escape must not forge a line.
      "same break-glass group\nforged line\u001b[2K",
      "--approver",
      "Jane Roe (CISO)",
      "--expires",
      day(366),
    ]);
    expect(second.status).toBe(0);
    expect(second.stdout).toBe(
      `exception 2: elevated-role-manual-group (group ${breakGlass}, role ${roleId(sim, "Owner")}) accepted until ${day(366)} by Jane Roe (CISO)\n`,
    );
    const revealed = "same break-glass group[U+000A]forged line[U+001B][2K";
    const shown = await cli(["anomalies"]);
    expect(shown.stdout).toContain(`by Jane Roe (CISO): ${revealed} (exception 2)\n`);
    const listed = await cli(["exceptions", "list"]);
    expect(listed.stdout).toContain(revealed);
    for (const out of [shown.stdout, listed.stdout]) {
      expect(out).not.toMatch(/^forged line/m);
      expect(out).not.toContain("\u001b");
    }
    const active = JSON.parse((await cli(["exceptions", "list", "--json"])).stdout) as JsonList;
    expect(active.exceptions.map((e) => [e.id, e.state])).toEqual([
      [1, "active"],
      [2, "active"],
    ]);

    const ended = await cli([
      "exceptions",
      "expire",
      "1",
      "--reason",
      "break-glass group replaced by a vault",
      "--by",
      "Jane Roe (CISO)",
    ]);
    expect(ended.stderr).toBe("");
    expect(ended.status).toBe(0);
    expect(ended.stdout).toMatch(/^exception 1 ended early at \S+Z by Jane Roe \(CISO\)\n$/);
    const again = await cli(["exceptions", "expire", "1", "--reason", "twice"]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/^access-audit: exception 1 was already ended early at /);
    const unknown = await cli(["exceptions", "expire", "9", "--reason", "x"]);
    expect(unknown).toMatchObject({
      status: 2,
      stderr: "access-audit: no exception 9 in the register\n",
    });

    // The snapshot taken before the end is still judged at its own time: accepted then.
    expect(
      (await cli(["anomalies", "--snapshot", String(s1), "--fail-on", "critical"])).status,
    ).toBe(0);
    // Judged now, or on the next crawl, the finding is back.
    const now = new Date(Date.now() + 1000).toISOString();
    const judgedNow = await cli([
      "anomalies",
      "--snapshot",
      String(s1),
      "--fail-on",
      "critical",
      "--as-of",
      now,
    ]);
    expect(judgedNow.status).toBe(3);
    await crawlInto(sim, db);
    const next = await cli(["anomalies", "--fail-on", "critical", "--json"]);
    expect(next.status).toBe(3);
    const nextReport = JSON.parse(next.stdout) as JsonReport;
    expect(critical(nextReport)).toMatchObject([{ rule: "owner-via-group", exception: null }]);
    expect(nextReport.accepted).toBe(1); // exception 2 still accepts the high finding

    // Today only exception 2 is active; --all shows the whole history with each state.
    const today = JSON.parse((await cli(["exceptions", "list", "--json"])).stdout) as JsonList;
    expect(today.exceptions.map((e) => e.id)).toEqual([2]);
    const all = JSON.parse(
      (await cli(["exceptions", "list", "--all", "--json"])).stdout,
    ) as JsonList;
    expect(all.entries).toBe(3);
    expect(all.exceptions.map((e) => [e.id, e.state, e.ended?.reason ?? null])).toEqual([
      [1, "ended early", "break-glass group replaced by a vault"],
      [2, "active", null],
    ]);
    expect(all.head_seal).toMatch(/^[0-9a-f]{64}$/);
    const text = await cli(["exceptions", "list", "--all"]);
    expect(text.stdout.split("\n")[0]).toBe(
      `2 exception(s) as of ${text.stdout.split(" as of ")[1]?.split(";")[0]}; register: 3 entries, head seal ${all.head_seal}`,
    );
    expect(text.stdout).toMatch(/\n1 +ended early +owner-via-group +group /);
    // Judged at a day before the end, exception 1 reads active again.
    const past = JSON.parse(
      (await cli(["exceptions", "list", "--as-of", day(-1), "--json"])).stdout,
    ) as JsonList;
    expect(past.exceptions.map((e) => e.id)).toEqual([1, 2]);

    const verified = await cli(["verify"]);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain(
      `exceptions register: 3 entries verified, head seal ${all.head_seal}\n`,
    );
  });

  describe("verify names a tampered register entry", () => {
    /** A copy of the database with `sql` run on it, and what `verify` then says. */
    const tampered = async (name: string, sql: string) => {
      const copy = join(tmp, `${name}.duckdb`);
      copyFileSync(db, copy);
      const store = await Store.open(copy);
      try {
        await store.query(sql);
      } finally {
        await store.close();
      }
      return runCli(["verify", "--db", copy], env);
    };

    it("a changed reason", async () => {
      const result = await tampered(
        "changed",
        "UPDATE exception_events SET reason = 'approved by the board' WHERE seq = 1",
      );
      expect(result.status).toBe(1);
      expect(result.stdout).toContain(
        "exceptions register entry 1: MISMATCH (exception 1) changed (its columns no longer match its digest)\n",
      );
      expect(result.stderr).toBe(
        "access-audit: exceptions register altered: entry 1 (exception 1) changed (its columns no longer match its digest)\n",
      );
    });

    it("a removed entry", async () => {
      const result = await tampered("removed", "DELETE FROM exception_events WHERE seq = 2");
      expect(result.status).toBe(1);
      expect(result.stdout).toContain(
        "exceptions register entry 2: MISMATCH removed (seq is missing)\n",
      );
      // The entry after it no longer chains either.
      expect(result.stdout).toContain(
        "exceptions register entry 3: MISMATCH (exception 1) its seal does not chain",
      );
      expect(result.stderr).toBe(
        "access-audit: exceptions register altered: entry 2 removed (seq is missing)\n",
      );
    });

    it("an inserted entry", async () => {
      // A copy of exception 2's add, under the same seq: a second add of the same id.
      const result = await tampered(
        "inserted",
        "INSERT INTO exception_events SELECT * REPLACE ('forever' AS reason) FROM exception_events WHERE seq = 2",
      );
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(
        /exceptions register entry 2: MISMATCH \(exception 2\) inserted/,
      );
    });
  });
});
