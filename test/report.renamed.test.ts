/**
 * A group and a project renamed in the same interval as someone left them: every change names
 * them by their newest name (the `to` snapshot's), in `diff --json` (the CLI as a child process),
 * the report model, the HTML and the email, and the rename rows say "old → new". A simulated
 * organization, crawled twice over real HTTP into a real DuckDB file.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Handlebars from "handlebars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DiffChange } from "../src/analysis/diff.js";
import { changeLines } from "../src/deliver/report-email.js";
import { templateVersion } from "../src/render/index.js";
import { renderHtml } from "../src/report/html.js";
import { buildReportModel, type ReportModel } from "../src/report/model.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { crawlInto, NO_CREDENTIALS, roleId } from "./support/analysis-org.js";
import { cliEnv, runCli } from "./support/cli.js";

const OLD_GROUP = "Ops team (old name)";
const NEW_GROUP = "Ops team <new> name";
const OLD_PROJECT = "Payments (old name)";
const NEW_PROJECT = "Payments & refunds";

const tmp = mkdtempSync(join(tmpdir(), "aa-renamed-"));
const db = join(tmp, "renamed.duckdb");

let sim: RunningSimulator;
let ids: { group: string; project: string; leaver: string; stayer: string };
let first: number;
let second: number;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 18, groups: 6, users: 40, ...NO_CREDENTIALS });
  const s = sim.state;
  const group = s.createGroup(OLD_GROUP, { isScimManaged: false }).id;
  const leaver = s.createUser({ name: "Lea Leaver", email: "lea@example.com" }).id;
  const stayer = s.createUser({ name: "Sam Stayer", email: "sam@example.com" }).id;
  s.addMember(group, leaver);
  s.addMember(group, stayer);
  // A role through the group, so the leaver's lost access names the group in its `via` path.
  s.assignGroupRole(group, roleId(sim, "Usage Viewer"));
  const project = s.createProject({ name: OLD_PROJECT }).id;
  s.addProjectUser(project, leaver, "member");
  s.addProjectUser(project, stayer, "member");
  ids = { group, project, leaver, stayer };
  first = await crawlInto(sim, db, { auditLog: false });

  s.renameGroup(group, NEW_GROUP);
  s.removeMember(group, leaver);
  s.renameProject(project, NEW_PROJECT);
  s.removeProjectUser(project, leaver);
  second = await crawlInto(sim, db, { auditLog: false });
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const ofKind = (changes: readonly DiffChange[], kind: string): DiffChange[] =>
  changes.filter((c) => c.kind === kind);

describe("a renamed group and project in a diff", () => {
  it("diff --json names both by their newest name in every row, and the renames old → new", async () => {
    const run = await runCli(["diff", "--db", db, "--json"], cliEnv({}));
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { from: number; to: number; changes: DiffChange[] };
    expect([result.from, result.to]).toEqual([first, second]);
    const { changes } = result;

    expect(ofKind(changes, "member_removed")).toEqual([
      expect.objectContaining({ group_id: ids.group, group_name: NEW_GROUP, user_id: ids.leaver }),
    ]);
    const lost = ofKind(changes, "access_lost").filter((c) => c.user_id === ids.leaver);
    expect(lost).toEqual([
      expect.objectContaining({
        via: [{ via: "group", group_id: ids.group, group_name: NEW_GROUP }],
      }),
    ]);
    expect(ofKind(changes, "group_renamed")).toEqual([
      expect.objectContaining({ group_id: ids.group, before: OLD_GROUP, after: NEW_GROUP }),
    ]);

    expect(ofKind(changes, "project_member_removed")).toEqual([
      expect.objectContaining({
        project_id: ids.project,
        project_name: NEW_PROJECT,
        user_id: ids.leaver,
      }),
    ]);
    expect(ofKind(changes, "project_renamed")).toEqual([
      expect.objectContaining({ project_id: ids.project, before: OLD_PROJECT, after: NEW_PROJECT }),
    ]);
    // The old names appear nowhere but in the renames' `before`.
    const elsewhere = changes.filter(
      (c) => c.kind !== "group_renamed" && c.kind !== "project_renamed",
    );
    expect(JSON.stringify(elsewhere)).not.toContain("(old name)");
  });

  it("names by the `to` snapshot in a reverse diff too (there, the old names are the newest)", async () => {
    const run = await runCli(
      ["diff", "--db", db, "--json", "--from", String(second), "--to", String(first)],
      cliEnv({}),
    );
    expect(run.status, run.stderr).toBe(0);
    const { changes } = JSON.parse(run.stdout) as { changes: DiffChange[] };
    expect(ofKind(changes, "member_added")).toEqual([
      expect.objectContaining({ group_id: ids.group, group_name: OLD_GROUP }),
    ]);
    expect(ofKind(changes, "project_member_added")).toEqual([
      expect.objectContaining({ project_id: ids.project, project_name: OLD_PROJECT }),
    ]);
  });

  describe("in the report", () => {
    let model: ReportModel;
    let html: string;

    beforeAll(async () => {
      const store = await Store.open(db, { readOnly: true });
      try {
        model = await buildReportModel(store, {
          toolVersion: "9.9.9-test",
          templateVersion: templateVersion(),
        });
      } finally {
        await store.close();
      }
      html = renderHtml(model);
    });

    /** The HTML row of the model's only change of `kind`. */
    const row = (kind: string): string => {
      const index = model.changes.findIndex((c) => c.kind === kind);
      expect(index, kind).toBeGreaterThanOrEqual(0);
      const match = new RegExp(`<tr id="change-${index + 1}"[^>]*>.*?</tr>`, "s").exec(html);
      expect(match, kind).not.toBeNull();
      return match?.[0] ?? "";
    };
    const esc = (s: string): string => Handlebars.escapeExpression(s);

    it("the model names the removal by the new name, the rename's group is the new one", () => {
      expect(model.changes.find((c) => c.kind === "member_removed")).toMatchObject({
        group_id: ids.group,
        group_name: NEW_GROUP,
      });
      expect(model.changes.find((c) => c.kind === "group_renamed")).toMatchObject({
        group_name: NEW_GROUP,
        before: OLD_GROUP,
        after: NEW_GROUP,
      });
      expect(model.changes.find((c) => c.kind === "project_member_removed")?.detail).toContain(
        `project_name: ${NEW_PROJECT}`,
      );
    });

    it("the HTML's removal row shows the new name, the rename row old → new", () => {
      const removed = row("member_removed");
      expect(removed).toContain(`<span class="name">${esc(NEW_GROUP)}</span>`);
      expect(removed).not.toContain(esc(OLD_GROUP));
      const lost = row("access_lost");
      expect(lost).toContain(esc(NEW_GROUP));
      expect(lost).not.toContain(esc(OLD_GROUP));
      const renamed = row("group_renamed");
      expect(renamed).toContain(`<span class="name">${esc(`${OLD_GROUP} → ${NEW_GROUP}`)}</span>`);
      const projectRemoved = row("project_member_removed");
      expect(projectRemoved).toContain(esc(NEW_PROJECT));
      expect(projectRemoved).not.toContain(esc(OLD_PROJECT));
    });

    it("the email's lines agree", () => {
      const lines = changeLines(model);
      const removed = lines.find((l) => l.kind === "member_removed")?.summary;
      expect(removed).toContain(`group ${NEW_GROUP} (${ids.group})`);
      expect(removed).not.toContain(OLD_GROUP);
      expect(lines.find((l) => l.kind === "group_renamed")?.summary).toContain(
        `${OLD_GROUP} → ${NEW_GROUP}`,
      );
    });
  });
});
