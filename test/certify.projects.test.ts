/**
 * Certification of project grants against an in-process simulator, through the real CLI on a
 * real DuckDB file with real workbooks: a `--scope projects` campaign routed by `by_project` and
 * `project_owners` (never to the item's own user, never to a service account), the Project
 * column in the workbooks under the row MAC, revocations of a project membership, a manual group
 * attachment holding Project Owner and a direct project role removed through the API (a 404
 * counts as done; the API's 400 for the Default project and an archived project is recorded as
 * refused, not retried), verification by a later crawl (one without projects cannot tell), the
 * sign-off, and the next campaigns (changed-since-last, --project, elevated). Also: a snapshot
 * crawled without projects has no project items and says so; a workbook of the layout before
 * projects still imports; hostile project names are revealed and neutralised; a certification
 * database of schema 6 keeps its rows through migration 7.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import ExcelJS from "exceljs";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itemId } from "../src/certify/population.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { MIGRATIONS, migrate } from "../src/store/migrations.js";
import { crawlInto } from "./support/analysis-org.js";
import {
  fillWorkbook,
  readRows,
  type WorkbookRow,
  workbookColumn,
} from "./support/certify-workbooks.js";
import { cliEnv, runCli } from "./support/cli.js";
import { HOSTILE_CORPUS, type HostileKey } from "./support/hostile.js";
import { FORMULA_START, hiddenIn, workbookTexts } from "./support/output-checks.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-certify-projects-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SEC = "sec@corp.example";
const ZEPHYR_LEAD = "zephyr-lead@corp.example";
const ALICE = "alice@corp.example";
const DAVE = "dave@corp.example";

async function query<T>(path: string, sql: string, params?: unknown[]): Promise<T[]> {
  const store = await Store.open(path, { readOnly: true });
  try {
    return await store.query<T>(sql, params as never);
  } finally {
    await store.close();
  }
}

interface StartJson {
  items: number;
  to_review: number;
  carried_forward: number;
  reviewers: { reviewer: string; items: number }[];
  by_kind: Record<string, number>;
  coverage: { projects: boolean; project_role_assignments: boolean };
  project_filter: string[] | null;
  snapshot_id: number;
}
interface StatusJson {
  items: number;
  decided: number;
  revoked: number;
  by_kind: Record<string, number>;
  projects: { collected: boolean | null; note: string; only: string[] | null };
  remediation: { revoked: number; verified: number; pending: number; failed: number };
}
interface Action {
  item_id: string;
  kind: string;
  action: string;
  method: string | null;
  path: string | null;
  status: string;
  attempts: number;
  error: string | null;
  project_id: string | null;
  user_id: string | null;
  group_id: string | null;
}
interface ApplyJson {
  executed: number;
  skipped: number;
  failed: number;
  refused: number;
  actions: Action[];
}
interface ItemRowDb {
  item_id: string;
  kind: string;
  project_id: string | null;
  project_name: string | null;
  group_id: string | null;
  user_id: string | null;
  user_email: string | null;
  role_id: string | null;
  role_name: string | null;
  elevated: boolean;
  path: string;
  reviewer: string;
  reviewer_rule: string;
  self_review: boolean;
}

describe("certification of project grants", () => {
  let sim: RunningSimulator;
  const db = join(tmp, "audit.duckdb");
  const noProjectsDb = join(tmp, "no-projects.duckdb");
  const reviewers = join(tmp, "reviewers.yaml");
  const reports = join(tmp, "reports");
  const ids = {} as Record<
    | "alice"
    | "bob"
    | "carol"
    | "dave"
    | "erin"
    | "frank"
    | "gina"
    | "bot"
    | "apollo"
    | "zephyr"
    | "legacy"
    | "defaultProject"
    | "platform"
    | "oktaViewers"
    | "legacyTeam"
    | "deployer"
    | "viewer",
    string
  >;
  let firstSnapshot = 0;
  const cli = (args: string[], path = db) =>
    runCli([...args, "--db", path], cliEnv({ OPENAI_ADMIN_KEY: sim.adminKey }), 120_000, tmp);
  const itemsOf = (campaign: string, path = db) =>
    query<ItemRowDb>(
      path,
      `SELECT i.* FROM certify_items AS i JOIN certify_campaigns AS c USING (campaign_id)
       WHERE c.name = $1 ORDER BY i.item_id`,
      [campaign],
    );
  const status = async (campaign: string, path = db): Promise<StatusJson> => {
    const r = await cli(["certify", "status", "--campaign", campaign, "--json"], path);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as StatusJson;
  };

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 57,
      groups: 0,
      users: 0,
      projects: 1,
      projectCustomRoles: 0,
    });
    const s = sim.state;
    const user = (name: string, email: string, isServiceAccount = false) =>
      s.createUser({ name, email, isServiceAccount }).id;
    ids.alice = user("Alice", ALICE);
    ids.bob = user("Bob", "bob@corp.example");
    ids.carol = user("Carol", "carol@corp.example");
    ids.dave = user("Dave", DAVE);
    ids.erin = user("Erin", "erin@corp.example");
    ids.frank = user("Frank", "frank@corp.example");
    ids.gina = user("Gina", "gina@corp.example");
    // A service account owner whose address sorts first: never a reviewer.
    ids.bot = user("Deploy bot", "aaa-bot@corp.example", true);
    ids.defaultProject = s.defaultProjectId ?? "";
    ids.apollo = s.createProject({ name: "Apollo" }).id;
    ids.zephyr = s.createProject({ name: "Zephyr" }).id;
    ids.legacy = s.createProject({ name: "Legacy" }).id;
    ids.platform = s.createGroup("Platform", { isScimManaged: false }).id;
    ids.oktaViewers = s.createGroup("okta-viewers", { isScimManaged: true }).id;
    ids.legacyTeam = s.createGroup("Legacy team", { isScimManaged: false }).id;
    s.addMember(ids.platform, ids.frank);
    const role = (p: string, name: string) => s.projectRoleIdByName(p, name) as string;
    for (const u of [ids.alice, ids.dave, ids.bot]) s.addProjectUser(ids.apollo, u, "owner");
    for (const u of [ids.bob, ids.carol]) s.addProjectUser(ids.apollo, u, "member");
    ids.deployer = s.createProjectRole(ids.apollo, {
      name: "Deployer",
      permissions: ["api.project.read", "api.organization.projects.api_keys.write"],
    }).id;
    ids.viewer = role(ids.apollo, "Project Viewer");
    s.assignProjectUserRole(ids.apollo, ids.carol, ids.deployer);
    s.assignProjectUserRole(ids.apollo, ids.bob, ids.viewer);
    s.attachProjectGroup(ids.apollo, ids.platform, role(ids.apollo, "Project Owner"));
    s.addProjectUser(ids.zephyr, ids.dave, "owner");
    s.addProjectUser(ids.zephyr, ids.gina, "member");
    s.attachProjectGroup(ids.zephyr, ids.oktaViewers, role(ids.zephyr, "Project Viewer"));
    s.addProjectUser(ids.defaultProject, ids.erin, "member");
    s.attachProjectGroup(ids.legacy, ids.legacyTeam, role(ids.legacy, "Project Member"));
    s.archiveProject(ids.legacy);
    firstSnapshot = await crawlInto(sim, db);
    await crawlInto(sim, noProjectsDb, { projects: false });
    writeFileSync(
      reviewers,
      [
        "# by_group, by_role, by_project, project_owners, default",
        `default: ${SEC}`,
        "by_project:",
        `  Zephyr: ${ZEPHYR_LEAD}`,
        "project_owners: true",
        "fallback: ciso@corp.example",
      ].join("\n"),
    );
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it("start --scope projects: project items frozen with kinds, stable ids, elevated, paths and reviewers", async () => {
    const bad = join(tmp, "reviewers-bad.yaml");
    writeFileSync(bad, "by_project:\n  Apollo: not-an-email\nproject_owners: yes please\n");
    const refused = await cli(["certify", "start", "--name", "bad", "--reviewers", bad]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/by_project\.Apollo: expected an email address/);
    expect(refused.stderr).toMatch(/project_owners: /);

    const start = await cli([
      "certify",
      "start",
      "--name",
      "P1",
      "--scope",
      "projects",
      "--reviewers",
      reviewers,
      "--json",
    ]);
    expect(start.status, start.stderr).toBe(0);
    const started = JSON.parse(start.stdout) as StartJson;
    expect(started).toMatchObject({
      items: 13,
      coverage: { projects: true, project_role_assignments: true },
      project_filter: null,
      by_kind: { project_membership: 8, project_group: 3, project_user_role: 2 },
    });
    expect(started.reviewers).toEqual([
      { reviewer: ALICE, items: 7 },
      { reviewer: DAVE, items: 1 },
      { reviewer: SEC, items: 2 },
      { reviewer: ZEPHYR_LEAD, items: 3 },
    ]);

    const items = await itemsOf("P1");
    const find = (kind: string, project: string, who: string | null) => {
      const hit = items.find(
        (i) =>
          i.kind === kind &&
          i.project_id === project &&
          (who === null || i.user_id === who || i.group_id === who || i.role_id === who),
      );
      if (hit === undefined) throw new Error(`no ${kind} item for ${project}/${who}`);
      return hit;
    };
    // Stable ids, from the kind, the project and the grant's own ids.
    const bobMember = find("project_membership", ids.apollo, ids.bob);
    expect(bobMember.item_id).toBe(itemId("project_membership", null, ids.bob, null, ids.apollo));
    expect(bobMember.item_id).toMatch(/^PM-[0-9a-f]{20}$/);
    expect(bobMember).toMatchObject({
      project_name: "Apollo",
      role_name: "Project Member",
      elevated: false,
      path: 'member of project "Apollo"',
      reviewer: ALICE,
      reviewer_rule: "project_owners",
    });
    // Alice owns Apollo: her own membership goes to the next human owner, not the bot.
    expect(find("project_membership", ids.apollo, ids.alice)).toMatchObject({
      role_name: "Project Owner",
      elevated: true,
      path: 'owner of project "Apollo"',
      reviewer: DAVE,
      reviewer_rule: "project_owners",
      self_review: false,
    });
    expect(find("project_membership", ids.apollo, ids.bot)).toMatchObject({
      elevated: true,
      reviewer: ALICE,
    });
    const platform = find("project_group", ids.apollo, ids.platform);
    expect(platform.item_id).toBe(itemId("project_group", ids.platform, null, null, ids.apollo));
    expect(platform).toMatchObject({
      elevated: true,
      path: 'group "Platform" (manual, 1 member) attached to project "Apollo" with Project Owner',
      reviewer: ALICE,
    });
    const deployer = find("project_user_role", ids.apollo, ids.deployer);
    expect(deployer).toMatchObject({
      user_id: ids.carol,
      role_name: "Deployer",
      elevated: true, // api.organization.projects.api_keys.write matches *.write
      path: 'project role assigned directly to the member in project "Apollo"',
      reviewer: ALICE,
    });
    expect(deployer.item_id).toBe(
      itemId("project_user_role", null, ids.carol, ids.deployer, ids.apollo),
    );
    expect(find("project_user_role", ids.apollo, ids.viewer)).toMatchObject({
      user_id: ids.bob,
      elevated: false,
    });
    // A member's own membership role is the membership, not a direct role.
    expect(items.filter((i) => i.kind === "project_user_role")).toHaveLength(2);
    // by_project comes before project_owners (Dave owns Zephyr).
    expect(find("project_membership", ids.zephyr, ids.dave)).toMatchObject({
      elevated: true,
      reviewer: ZEPHYR_LEAD,
      reviewer_rule: "by_project:Zephyr",
    });
    expect(find("project_group", ids.zephyr, ids.oktaViewers).path).toBe(
      'group "okta-viewers" (SCIM-managed, 0 members) attached to project "Zephyr" with Project Viewer',
    );
    // No owner to route to: the default.
    expect(find("project_membership", ids.defaultProject, ids.erin)).toMatchObject({
      reviewer: SEC,
      reviewer_rule: "default",
    });
    expect(find("project_group", ids.legacy, ids.legacyTeam)).toMatchObject({
      path: 'group "Legacy team" (manual, 0 members) attached to archived project "Legacy" with Project Member',
      elevated: false,
      reviewer: SEC,
    });
  });

  const filled = join(tmp, "filled");
  const goodFiles: string[] = [];
  const revoked = (row: WorkbookRow): boolean =>
    (row.Grant === "Project membership" &&
      ["bob@corp.example", "erin@corp.example", "gina@corp.example"].includes(row["User email"])) ||
    (row.Grant === "Project group" && ["Platform", "Legacy team"].includes(row.Group)) ||
    (row.Grant === "Project role" && row.Role === "Deployer");
  const decide = (row: WorkbookRow) =>
    revoked(row)
      ? { decision: "Revoke", justification: "no longer needed" }
      : { decision: "Approve", justification: "still needed" };

  it("export and import: the Project column under the row MAC; an edited project is refused", async () => {
    const out = join(tmp, "out");
    const exported = await cli(["certify", "export", "--campaign", "P1", "--out", out, "--json"]);
    expect(exported.status, exported.stderr).toBe(0);
    const files = (JSON.parse(exported.stdout) as { files: { reviewer: string; path: string }[] })
      .files;
    expect(files.map((f) => f.reviewer)).toEqual([ALICE, DAVE, SEC, ZEPHYR_LEAD]);
    const aliceFile = files[0]?.path ?? "";
    const rows = await readRows(aliceFile);
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.Project))).toEqual(new Set(["Apollo"]));
    expect(new Set(rows.map((r) => r["Project ID"]))).toEqual(new Set([ids.apollo]));
    const group = rows.find((r) => r.Grant === "Project group");
    expect(group).toMatchObject({ Group: "Platform", "Managed by": "Manual", Elevated: "Yes" });
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(aliceFile);
    const review = book.getWorksheet("Review");
    expect(review?.getRow(1).getCell(2).value).toBe("Project");
    expect(review?.getRow(2).getCell(workbookColumn("Project")).protection?.locked).not.toBe(false);

    mkdirSync(filled, { recursive: true });
    const edited = join(filled, "alice-edited.xlsx");
    await fillWorkbook(aliceFile, edited, decide, (sheet) => {
      sheet.getRow(2).getCell(workbookColumn("Project")).value = "Apollo (renamed)";
    });
    const rejected = await cli(["certify", "import", edited]);
    expect(rejected.status).toBe(1);
    expect(rejected.stderr).toMatch(
      /alice-edited\.xlsx: row 2: population cell\(s\) edited: Project "Apollo" -> "Apollo \(renamed\)"/,
    );

    goodFiles.length = 0;
    for (const f of files) {
      const path = join(filled, `${f.reviewer}.xlsx`);
      await fillWorkbook(f.path, path, decide);
      goodFiles.push(path);
    }
    const imported = await cli(["certify", "import", ...goodFiles, "--json"]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(
      (JSON.parse(imported.stdout) as { files: { recorded: number }[] }).files.map(
        (f) => f.recorded,
      ),
    ).toEqual([7, 1, 2, 3]);
    expect(await status("P1")).toMatchObject({ items: 13, decided: 13, revoked: 6 });
  });

  it("close, plan, apply through the CLI: removed, idempotent, a 404 as done, the API's 400 refused and not retried", async () => {
    const closed = await cli(["certify", "close", "--campaign", "P1", "--out", reports]);
    expect(closed.status, closed.stderr).toBe(0);
    const plan = await cli(["remediate", "plan", "--campaign", "P1", "--json"]);
    expect(plan.status, plan.stderr).toBe(0);
    const actions = (JSON.parse(plan.stdout) as { actions: Action[] }).actions;
    expect(actions).toHaveLength(6);
    const byItem = (kind: string, project: string, who: string) =>
      actions.find(
        (a) =>
          a.kind === kind && a.project_id === project && (a.user_id === who || a.group_id === who),
      );
    expect(byItem("project_membership", ids.apollo, ids.bob)).toMatchObject({
      action: "remove_project_member",
      method: "DELETE",
      path: `/organization/projects/${ids.apollo}/users/${ids.bob}`,
      status: "planned",
    });
    expect(byItem("project_group", ids.apollo, ids.platform)).toMatchObject({
      action: "detach_project_group",
      path: `/organization/projects/${ids.apollo}/groups/${ids.platform}`,
    });
    expect(byItem("project_user_role", ids.apollo, ids.carol)).toMatchObject({
      action: "unassign_project_user_role",
      path: `/projects/${ids.apollo}/users/${ids.carol}/roles/${ids.deployer}`,
    });
    // An SCIM-managed group is attached to a project through the API, not the IdP: no idp_change.
    expect(actions.some((a) => a.action === "idp_change")).toBe(false);
    const planText = await cli(["remediate", "plan", "--campaign", "P1"]);
    expect(planText.stdout).toContain('(remove bob@corp.example from project "Apollo")');
    expect(planText.stdout).toContain(
      `(detach group "Platform" (${ids.platform}) from project "Apollo")`,
    );

    // Someone removed Gina already: the call's 404 counts as done.
    sim.state.removeProjectUser(ids.zephyr, ids.gina);
    const apply = (...extra: string[]) =>
      cli([
        "remediate",
        "apply",
        "--campaign",
        "P1",
        "--yes",
        "--base-url",
        sim.baseUrl,
        "--json",
        ...extra,
      ]);
    const first = await apply();
    expect(first.status).toBe(1);
    expect(first.stderr).toMatch(
      /2 call\(s\) refused by the API \(400\/422\), recorded and not retried \(--retry-refused to try again\)/,
    );
    expect(first.stderr).not.toMatch(/run apply again to retry/);
    const result = JSON.parse(first.stdout) as ApplyJson;
    expect(result).toMatchObject({ executed: 6, skipped: 0, failed: 2, refused: 2 });
    const statusOf = (a: Action | undefined) => a?.status;
    const after = result.actions;
    const pick = (kind: string, project: string, who: string) =>
      after.find(
        (a) =>
          a.kind === kind && a.project_id === project && (a.user_id === who || a.group_id === who),
      );
    expect(statusOf(pick("project_membership", ids.apollo, ids.bob))).toBe("done");
    expect(statusOf(pick("project_group", ids.apollo, ids.platform))).toBe("done");
    expect(statusOf(pick("project_user_role", ids.apollo, ids.carol))).toBe("done");
    expect(statusOf(pick("project_membership", ids.zephyr, ids.gina))).toBe("already_absent");
    const erin = pick("project_membership", ids.defaultProject, ids.erin);
    expect(erin).toMatchObject({ status: "refused", attempts: 1 });
    expect(erin?.error).toMatch(/^400 bad_request: DELETE .*Default project/);
    const legacy = pick("project_group", ids.legacy, ids.legacyTeam);
    expect(legacy).toMatchObject({ status: "refused", attempts: 1 });
    expect(legacy?.error).toMatch(/^400 bad_request: .*archived/);
    expect(erin?.error?.split("\n")).toHaveLength(1);

    // The simulator: exactly the three revocations are gone, everything else intact.
    const s = sim.state;
    expect(s.isProjectMember(ids.apollo, ids.bob)).toBe(false);
    expect(s.isProjectGroup(ids.apollo, ids.platform)).toBe(false);
    expect(s.directProjectUserRoleIds(ids.apollo, ids.carol)).not.toContain(ids.deployer);
    for (const u of [ids.alice, ids.dave, ids.bot, ids.carol]) {
      expect(s.isProjectMember(ids.apollo, u)).toBe(true);
    }
    expect(s.isProjectMember(ids.zephyr, ids.dave)).toBe(true);
    expect(s.isProjectGroup(ids.zephyr, ids.oktaViewers)).toBe(true);
    expect(s.isProjectMember(ids.defaultProject, ids.erin)).toBe(true);
    expect(s.isProjectGroup(ids.legacy, ids.legacyTeam)).toBe(true);
    expect(s.isMember(ids.platform, ids.frank)).toBe(true);

    // Again: nothing left to do, nothing changes, exit 0.
    const counts = s.projectCounts();
    const second = await apply();
    expect(second.status, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      executed: 0,
      skipped: 6,
      failed: 0,
      refused: 0,
    });
    expect(s.projectCounts()).toEqual(counts);
    const text = await cli([
      "remediate",
      "apply",
      "--campaign",
      "P1",
      "--yes",
      "--base-url",
      sim.baseUrl,
    ]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /\[refused\] {2}DELETE \/organization\/projects\/.*Default project/,
    );

    // Asked to, the refused calls are tried again (and refused again).
    const retried = await apply("--retry-refused");
    expect(retried.status).toBe(1);
    const again = JSON.parse(retried.stdout) as ApplyJson;
    expect(again).toMatchObject({ executed: 2, skipped: 4, failed: 2, refused: 2 });
    expect(again.actions.filter((a) => a.status === "refused").map((a) => a.attempts)).toEqual([
      2, 2,
    ]);
    expect(s.projectCounts()).toEqual(counts);
  });

  it("verification by later crawls: one without projects cannot tell, one with them verifies", async () => {
    expect((await status("P1")).remediation).toMatchObject({
      revoked: 6,
      verified: 0,
      pending: 4,
      failed: 2,
    });
    const blind = await crawlInto(sim, db, { projects: false });
    expect((await status("P1")).remediation).toMatchObject({ verified: 0, pending: 4, failed: 2 });
    const details = async (): Promise<string[]> => {
      const report = await cli([
        "certify",
        "report",
        "--campaign",
        "P1",
        "--out",
        reports,
        "--json",
      ]);
      expect(report.status, report.stderr).toBe(0);
      const files = (JSON.parse(report.stdout) as { files: { format: string; path: string }[] })
        .files;
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(files.find((f) => f.format === "xlsx")?.path ?? "");
      const out: string[] = [];
      book.getWorksheet("Revocations")?.eachRow((row, n) => {
        if (n > 1) out.push(`${row.getCell(12).value}: ${row.getCell(13).value}`);
      });
      return out.sort();
    };
    const pending = await details();
    expect(pending.filter((d) => d.startsWith("pending"))).toEqual([
      `pending: not verifiable yet: snapshot ${blind} did not collect project role assignments; crawl with them`,
      `pending: not verifiable yet: snapshot ${blind} did not collect projects; crawl with them`,
      `pending: not verifiable yet: snapshot ${blind} did not collect projects; crawl with them`,
      `pending: not verifiable yet: snapshot ${blind} did not collect projects; crawl with them`,
    ]);
    expect(pending.filter((d) => d.startsWith("failed"))).toHaveLength(2);
    expect(pending.filter((d) => d.startsWith("failed"))[0]).toMatch(
      /^failed: refused by the API \(not retried\): 400 bad_request/,
    );

    const seen = await crawlInto(sim, db);
    expect((await status("P1")).remediation).toMatchObject({
      revoked: 6,
      verified: 4,
      pending: 0,
      failed: 2,
    });
    const verified = await details();
    expect(verified.filter((d) => d.startsWith("verified"))).toEqual(
      Array.from({ length: 4 }, () => `verified: verified: absent from snapshot ${seen}`),
    );

    // The sign-off: project items by kind, the project beside each grant, the coverage.
    const html = readFileSync(join(reports, "certification-P1-signoff.html"), "utf8");
    expect(html).toContain(`collected by snapshot ${firstSnapshot}`);
    expect(html).toMatch(/<tr><td>Project membership<\/td><td>8<\/td><td>8<\/td><\/tr>/);
    expect(html).toMatch(/<tr><td>Project group<\/td><td>3<\/td><td>3<\/td><\/tr>/);
    expect(html).toMatch(/<tr><td>Project role<\/td><td>2<\/td><td>2<\/td><\/tr>/);
    expect(html).toMatch(/<tr><td>Group membership<\/td><td>1<\/td><td>0<\/td><\/tr>/);
    expect(html).toContain(`Project membership: project &quot;Apollo&quot; (${ids.apollo})`);
    expect(html).toContain("refused by the API (not retried)");
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(join(reports, "certification-P1-signoff.xlsx"));
    const decisions = book.getWorksheet("Decisions");
    const header = decisions?.getRow(1).values as unknown[];
    const projectCol = header.indexOf("Project");
    expect(projectCol).toBeGreaterThan(0);
    const projects = new Set<unknown>();
    decisions?.eachRow((row, n) => {
      if (n > 1) projects.add(row.getCell(projectCol).value);
    });
    expect(projects).toEqual(new Set(["Apollo", "Zephyr", "Default project", "Legacy"]));
  });

  it("next campaigns: changed-since-last carries project approvals; --project and elevated limit them", async () => {
    const next = await cli([
      "certify",
      "start",
      "--name",
      "P2",
      "--scope",
      "changed-since-last",
      "--reviewers",
      reviewers,
      "--json",
    ]);
    expect(next.status, next.stderr).toBe(0);
    // Apollo: alice, dave, bot, carol; Zephyr: dave, okta-viewers (approved, unchanged: carried);
    // Erin's Default membership and Legacy's attachment (revoked, still there); Frank's
    // membership of Platform (an organization grant, new to certification).
    expect(JSON.parse(next.stdout)).toMatchObject({
      items: 9,
      carried_forward: 6,
      to_review: 3,
      by_kind: { membership: 1, project_membership: 6, project_group: 2 },
    });
    const [before, after] = [await itemsOf("P1"), await itemsOf("P2")];
    const alice = (list: ItemRowDb[]) =>
      list.find((i) => i.kind === "project_membership" && i.user_id === ids.alice)?.item_id;
    expect(alice(after)).toBe(alice(before));

    const apollo = await cli([
      "certify",
      "start",
      "--name",
      "apollo-only",
      "--project",
      "Apollo",
      "--reviewer",
      "ciso@corp.example",
      "--json",
    ]);
    expect(apollo.status, apollo.stderr).toBe(0);
    expect(JSON.parse(apollo.stdout)).toMatchObject({
      items: 4,
      project_filter: [ids.apollo],
      by_kind: { project_membership: 4 },
    });
    const both = await cli([
      "certify",
      "start",
      "--name",
      "two-projects",
      "--project",
      ids.zephyr,
      "--project",
      "Legacy",
      "--reviewer",
      "ciso@corp.example",
      "--json",
    ]);
    expect(both.status, both.stderr).toBe(0);
    expect(JSON.parse(both.stdout)).toMatchObject({
      items: 3,
      by_kind: { project_membership: 1, project_group: 2 },
    });
    expect((await status("two-projects")).projects.only?.sort()).toEqual(
      [ids.zephyr, ids.legacy].sort(),
    );
    const unknown = await cli([
      "certify",
      "start",
      "--name",
      "nope",
      "--project",
      "Nope",
      "--reviewer",
      "ciso@corp.example",
    ]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(
      /--project "Nope": no project of snapshot \d+ has that id or name/,
    );

    // Organization grants only: what `all` was before projects.
    const organization = await cli([
      "certify",
      "start",
      "--name",
      "organization",
      "--scope",
      "organization",
      "--reviewer",
      "ciso@corp.example",
      "--json",
    ]);
    expect(organization.status, organization.stderr).toBe(0);
    expect(JSON.parse(organization.stdout)).toMatchObject({ items: 1, by_kind: { membership: 1 } });
    const conflict = await cli([
      "certify",
      "start",
      "--name",
      "conflict",
      "--scope",
      "organization",
      "--project",
      "Apollo",
      "--reviewer",
      "ciso@corp.example",
    ]);
    expect(conflict.status).toBe(2);
    expect(conflict.stderr).toMatch(/--project and --scope organization exclude each other/);

    const elevated = await cli([
      "certify",
      "start",
      "--name",
      "elevated",
      "--scope",
      "elevated",
      "--reviewer",
      "ciso@corp.example",
      "--json",
    ]);
    expect(elevated.status, elevated.stderr).toBe(0);
    // The owners: Alice, Dave and the bot in Apollo, Dave in Zephyr.
    expect(JSON.parse(elevated.stdout)).toMatchObject({
      items: 4,
      by_kind: { project_membership: 4 },
    });
  });

  it("a snapshot crawled without projects: no project items, and the campaign says so", async () => {
    const start = await cli(
      ["certify", "start", "--name", "org", "--reviewer", SEC, "--json"],
      noProjectsDb,
    );
    expect(start.status, start.stderr).toBe(0);
    const started = JSON.parse(start.stdout) as StartJson;
    expect(started).toMatchObject({
      items: 1,
      by_kind: { membership: 1 },
      coverage: { projects: false, project_role_assignments: false },
    });
    const text = await cli(
      ["certify", "start", "--name", "org-text", "--reviewer", SEC],
      noProjectsDb,
    );
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      "project grants: not collected by snapshot 1 (crawled without projects): the campaign has no project grants",
    );
    for (const flags of [
      ["--scope", "projects"],
      ["--project", "Apollo"],
    ]) {
      const refused = await cli(
        ["certify", "start", "--name", "projects", "--reviewer", SEC, ...flags],
        noProjectsDb,
      );
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(
        /^access-audit: snapshot 1 did not collect projects \(crawled with --no-projects\): it has no project grants to certify/,
      );
    }
    const st = await status("org", noProjectsDb);
    expect(st.projects).toMatchObject({ collected: false });
    const statusText = await cli(["certify", "status", "--campaign", "org"], noProjectsDb);
    expect(statusText.stdout).toContain("project grants: not collected by snapshot 1");

    // A workbook laid out as before projects (no Project columns) still imports.
    const out = join(tmp, "out-org");
    const exported = await cli(
      ["certify", "export", "--campaign", "org", "--out", out, "--json"],
      noProjectsDb,
    );
    expect(exported.status, exported.stderr).toBe(0);
    const file = (JSON.parse(exported.stdout) as { files: { path: string }[] }).files[0]?.path;
    const old = join(tmp, "org-old-layout.xlsx");
    await fillWorkbook(
      file ?? "",
      old,
      () => ({ decision: "Approve" }),
      (sheet) => {
        sheet.spliceColumns(workbookColumn("Project"), 2);
      },
    );
    const oldBook = new ExcelJS.Workbook();
    await oldBook.xlsx.readFile(old);
    expect(oldBook.getWorksheet("Review")?.getRow(1).getCell(2).value).toBe("Group");
    const imported = await cli(["certify", "import", old, "--json"], noProjectsDb);
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      files: [{ status: "recorded", recorded: 1 }],
    });

    const report = await cli(
      ["certify", "report", "--campaign", "org", "--out", join(tmp, "reports-org"), "--json"],
      noProjectsDb,
    );
    expect(report.status, report.stderr).toBe(0);
    const html = readFileSync(join(tmp, "reports-org", "certification-org-signoff.html"), "utf8");
    expect(html).toContain("not collected by snapshot 1 (crawled without projects)");
    expect(html).toMatch(
      /<tr><td>Project membership<\/td><td>not collected<\/td><td>0<\/td><\/tr>/,
    );
  });
});

describe("hostile project names", () => {
  const KEYS: HostileKey[] = [
    "equals",
    "plus",
    "bidi",
    "tags",
    "lineBreaks",
    "carriageReturn",
    "escape",
    "script",
    "long",
    "zeroWidth",
  ];
  let sim: RunningSimulator;
  const db = join(tmp, "hostile.duckdb");
  const cli = (args: string[]) => runCli([...args, "--db", db], cliEnv({}), 120_000, tmp);

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      seed: 58,
      groups: 0,
      users: 0,
      projects: 1,
      projectCustomRoles: 0,
    });
    const s = sim.state;
    const member = s.createUser({ name: "Member", email: "member@corp.example" }).id;
    const group = s.createGroup(HOSTILE_CORPUS.isolates, { isScimManaged: false }).id;
    for (const key of KEYS) {
      const p = s.createProject({ name: HOSTILE_CORPUS[key] }).id;
      s.addProjectUser(p, member, "member");
      s.attachProjectGroup(p, group, s.projectRoleIdByName(p, "Project Viewer") as string);
    }
    await crawlInto(sim, db);
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it("are revealed and neutralised in the workbook, round-trip through import, and stay inert in the plan and sign-off", async () => {
    const start = await cli([
      "certify",
      "start",
      "--name",
      "H",
      "--scope",
      "projects",
      "--reviewer",
      "rev@corp.example",
      "--json",
    ]);
    expect(start.status, start.stderr).toBe(0);
    const items = (JSON.parse(start.stdout) as StartJson).items;
    expect(items).toBe(KEYS.length * 2);
    const exported = await cli(["certify", "export", "--campaign", "H", "--out", join(tmp, "h")]);
    expect(exported.status, exported.stderr).toBe(0);
    const file = join(tmp, "h", "H-rev_corp.example.xlsx");
    const texts = await workbookTexts(file);
    const unsafe = texts.filter((t) => hiddenIn(t, []).length > 0 || FORMULA_START.test(t));
    expect(unsafe).toEqual([]);
    expect(texts).toContain(`'${HOSTILE_CORPUS.equals}`);
    expect(texts).toContain(`'${HOSTILE_CORPUS.plus}`);
    expect(texts).toContain("invoice[U+202E]fdp.exe[U+202C]");
    expect(texts).toContain("Payroll[U+E0041][U+E0042][U+E007F]");
    expect(texts.some((t) => t.startsWith("<script>window.__pwned=1"))).toBe(true);
    expect(texts.some((t) => t.includes('project "invoice[U+202E]fdp.exe[U+202C]"'))).toBe(true);

    const filledFile = join(tmp, "h-filled.xlsx");
    await fillWorkbook(file, filledFile, () => ({ decision: "Revoke", justification: "hostile" }));
    const imported = await cli(["certify", "import", filledFile, "--json"]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      files: [{ status: "recorded", recorded: items }],
    });
    const closed = await cli(["certify", "close", "--campaign", "H", "--out", join(tmp, "hr")]);
    expect(closed.status, closed.stderr).toBe(0);
    const plan = await cli(["remediate", "plan", "--campaign", "H"]);
    expect(plan.status, plan.stderr).toBe(0);
    expect(hiddenIn(plan.stdout)).toEqual([]);
    expect(plan.stdout.trim().split("\n")).toHaveLength(1 + items);
    expect(plan.stdout).toContain('from project "invoice[U+202E]fdp.exe[U+202C]"');

    const html = readFileSync(join(tmp, "hr", "certification-H-signoff.html"), "utf8");
    expect(hiddenIn(html)).toEqual([]);
    expect(html).not.toContain("<script>window.__pwned");
    expect(html).toContain(
      "Project membership: project &quot;invoice[U+202E]fdp.exe[U+202C]&quot;",
    );
    const signoffTexts = await workbookTexts(join(tmp, "hr", "certification-H-signoff.xlsx"));
    expect(signoffTexts.filter((t) => hiddenIn(t, []).length > 0 || FORMULA_START.test(t))).toEqual(
      [],
    );
  });
});

describe("migration 7 on a certification database of schema 6", () => {
  it("keeps every campaign, item and remediation row, and accepts the project kinds", async () => {
    const path = join(tmp, "v6.duckdb");
    const instance = await DuckDBInstance.create(path);
    const con = await instance.connect();
    const logger = pino({ level: "silent" });
    try {
      await migrate(con, logger, MIGRATIONS.slice(0, 6));
      await con.run(
        `INSERT INTO certify_campaigns VALUES (1, 'Q3', 1, 'seal', 'elevated', NULL, NULL,
          'reviewer:a@b.c', 'keep', false, DATE '2026-09-30', 'ab', 'closed', now(), now())`,
      );
      await con.run(
        `INSERT INTO certify_items VALUES (1, 'M-1', 'membership', 'g', 'G', false, 'u', 'u@x',
          'U', NULL, NULL, true, 'member of group "G"', 'f', 'a@b.c', 'default', false, NULL)`,
      );
      await con.run(
        `INSERT INTO certify_remediation VALUES (1, 'M-1', 'remove_group_member', 'DELETE',
          '/organization/groups/g/users/u', 'failed', 2, 'boom', now(), now())`,
      );
      // Up to 7: its inserts below list the columns of schema 7 (0009 adds credential columns).
      await migrate(con, logger, MIGRATIONS.slice(0, 7));
      const read = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJS();
      expect(
        await read(
          "SELECT name, scope, due_date::VARCHAR AS due, status, project_filter, uncollected FROM certify_campaigns",
        ),
      ).toEqual([
        {
          name: "Q3",
          scope: "elevated",
          due: "2026-09-30",
          status: "closed",
          project_filter: null,
          uncollected: null,
        },
      ]);
      expect(
        await read("SELECT item_id, kind, path, project_id, project_name FROM certify_items"),
      ).toEqual([
        {
          item_id: "M-1",
          kind: "membership",
          path: 'member of group "G"',
          project_id: null,
          project_name: null,
        },
      ]);
      expect(
        await read("SELECT item_id, status, attempts, error FROM certify_remediation"),
      ).toEqual([{ item_id: "M-1", status: "failed", attempts: 2, error: "boom" }]);
      await con.run(
        `INSERT INTO certify_items VALUES (1, 'PM-1', 'project_membership', NULL, NULL, NULL,
          'u', 'u@x', 'U', 'r', 'Project Owner', true, 'owner of project "P"', 'f', 'a@b.c',
          'project_owners', false, NULL, 'proj', 'P')`,
      );
      await con.run(
        `INSERT INTO certify_remediation VALUES (1, 'PM-1', 'remove_project_member', 'DELETE',
          '/organization/projects/proj/users/u', 'refused', 1, '400', now(), now())`,
      );
      await expect(
        con.run(
          `INSERT INTO certify_items VALUES (1, 'X-1', 'project_everything', NULL, NULL, NULL,
            NULL, NULL, NULL, NULL, NULL, false, '', 'f', 'a@b.c', 'default', false, NULL, NULL, NULL)`,
        ),
      ).rejects.toThrow(/CHECK constraint/);
      // Names stay unique, keys stay keys.
      await expect(
        con.run(
          `INSERT INTO certify_campaigns (campaign_id, name, snapshot_id, seal, scope,
            reviewers_source, undecided_policy, allow_self_review, secret, status, created_at)
           VALUES (2, 'Q3', 1, 's', 'projects', 'x', 'keep', false, 'ab', 'open', now())`,
        ),
      ).rejects.toThrow(/Duplicate key|unique/i);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });
});
