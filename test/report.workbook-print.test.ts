/**
 * The workbook an auditor prints: an organization of 3,000 memberships crawled twice with changes
 * between, its second snapshot's workbook written by the real CLI, converted to PDF by LibreOffice,
 * and the pages counted (poppler's pdfinfo). Printing fitted to the page width is what is tested,
 * and it does not depend on size: each Members page holds about 47 rows one page wide, where
 * without a working print setup every block of rows spanned two or three pages (the demo's
 * 18,000 memberships printed on 1,646 pages instead of 565). A smaller organization than the
 * demo's keeps LibreOffice's conversion (single-threaded, about 6 pages a second) to seconds.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../src/simulator/index.js";
import { crawlInto } from "./support/analysis-org.js";
import { cliEnv, runCli } from "./support/cli.js";

const run = promisify(execFile);

function installed(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

const MEMBERSHIPS = 3000;
/** Fitted to the width, a Members page holds 47 rows; spread over two pages across, it is twice. */
const MEMBERS_PER_PAGE_AT_LEAST = 40;

describe.skipIf(!installed("soffice", ["--version"]) || !installed("pdfinfo", ["-v"]))(
  "printing a workbook",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "access-audit-print-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("prints each sheet to the page width, with the header row and running header and footer on every page", async () => {
      const db = join(dir, "print.duckdb");
      const sim = await startSimulator({
        port: 0,
        seed: 42,
        groups: 60,
        users: 750,
        memberships: MEMBERSHIPS,
      });
      let members: number;
      try {
        await crawlInto(sim, db);
        // Changes between the snapshots, so the Changes sheet prints rows too.
        const s = sim.state;
        const [group, other] = s.listGroups();
        const users = s.listUsers();
        if (group === undefined || other === undefined) throw new Error("no groups to change");
        for (const user of users.slice(0, 30)) s.addMember(group.id, user.id);
        for (const member of s.listGroupUsers(other.id).slice(0, 10))
          s.removeMember(other.id, member.id);
        s.assignGroupRole(group.id, s.ownerRoleId);
        await crawlInto(sim, db);
        members = s.counts().memberships;
      } finally {
        await sim.stop();
      }

      const out = join(dir, "reports");
      const report = await runCli(
        ["report", "--db", db, "--format", "xlsx", "--out", out, "--json"],
        cliEnv({}),
        300_000,
        dir, // no configuration file of the checkout's applies
      );
      expect(report.status, report.stderr).toBe(0);
      const xlsx = readdirSync(out).find((f) => /^access-review-s2-.*\.xlsx$/.test(f));
      if (xlsx === undefined) throw new Error(`no second workbook in ${readdirSync(out)}`);
      // A profile of its own: parallel conversions would otherwise share (and lock) one.
      const profile = join(dir, "soffice-profile");
      const pdfDir = join(dir, "pdf");
      await run(
        "soffice",
        [
          `-env:UserInstallation=file://${profile}`,
          "--headless",
          "--convert-to",
          "pdf",
          "--outdir",
          pdfDir,
          join(out, xlsx),
        ],
        { timeout: 900_000 },
      );
      const pdf = join(pdfDir, xlsx.replace(/\.xlsx$/, ".pdf"));
      const info = (await run("pdfinfo", [pdf])).stdout;
      const pages = Number(/^Pages:\s+(\d+)$/m.exec(info)?.[1]);
      console.log(`the workbook of ${members} memberships prints on ${pages} pages`);
      // Every page carries the running header (the sheet's name) and footer (page of pages).
      const text = (await run("pdftotext", ["-layout", pdf, "-"], { maxBuffer: 1 << 28 })).stdout;
      const printed = text.split("\f").filter((page) => page.trim() !== "");
      expect(printed).toHaveLength(pages);
      printed.forEach((page, i) => {
        expect(page, `page ${i + 1}`).toContain("OpenAI organization access review");
        expect(page, `page ${i + 1}`).toContain(`Page ${i + 1} of ${pages}`);
      });
      // Members prints one page wide: as many pages as its rows take down, not two or three
      // times that; and its header row repeats on every one of them.
      const memberPages = printed.filter((page) => /access review\s+Members\s*\n/.test(page));
      expect(memberPages.length).toBeGreaterThan(10);
      expect(memberPages.length).toBeLessThanOrEqual(
        Math.ceil(members / MEMBERS_PER_PAGE_AT_LEAST),
      );
      for (const page of memberPages) expect(page).toMatch(/Group ID\s+Group name\s+User ID/);
      // So do the sheets of changes and of access.
      for (const sheet of ["Changes", "Effective access", "Users"]) {
        expect(
          printed.some((page) => new RegExp(`access review\\s+${sheet}\\s*\\n`).test(page)),
          sheet,
        ).toBe(true);
      }
    }, 1_200_000);
  },
);
