/**
 * The workbook an auditor prints: the demo's organization (120 groups, 1,500 users, about
 * 18,000 memberships, as `access-audit demo` builds it, run here as the real CLI), its second
 * snapshot's workbook converted to PDF by LibreOffice, and the pages counted (poppler's pdfinfo).
 * Without a working print setup LibreOffice printed 1,646 pages of two or three columns each;
 * fitted to the page width it prints a few hundred, each with the running header and footer.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
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

/** Measured 565 pages (2026-12-06): Members 384, Project access 100, the rest 81. */
const MAX_PAGES = 600;

describe.skipIf(!installed("soffice", ["--version"]) || !installed("pdfinfo", ["-v"]))(
  "printing the demo's workbook",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "access-audit-print-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("prints each sheet to the page width, in a few hundred pages", async () => {
      const out = join(dir, "reports");
      const demo = await runCli(
        ["demo", "--db", join(dir, "demo.duckdb"), "--out", out, "--json"],
        cliEnv({}),
        300_000,
        dir, // no configuration file of the checkout's applies
      );
      expect(demo.status, demo.stderr).toBe(0);
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
      console.log(`the demo's workbook prints on ${pages} pages`);
      expect(pages).toBeGreaterThan(50);
      expect(pages).toBeLessThanOrEqual(MAX_PAGES);
      // Every page carries the running header (the sheet's name) and footer (page of pages).
      const text = (await run("pdftotext", ["-layout", pdf, "-"], { maxBuffer: 1 << 28 })).stdout;
      const printed = text.split("\f").filter((page) => page.trim() !== "");
      expect(printed).toHaveLength(pages);
      printed.forEach((page, i) => {
        expect(page, `page ${i + 1}`).toContain("OpenAI organization access review");
        expect(page, `page ${i + 1}`).toContain(`Page ${i + 1} of ${pages}`);
      });
      // The header row repeats: every page of the Members sheet starts with its headers.
      const members = printed.filter((page) => /access review\s+Members\s*\n/.test(page));
      expect(members.length).toBeGreaterThan(10);
      for (const page of members) expect(page).toMatch(/Group ID\s+Group name\s+User ID/);
    }, 1_200_000);
  },
);
