/**
 * A whole access certification campaign against an in-process simulator, through the real CLI:
 * start (scope all and elevated; self-review refused), export, workbooks filled with exceljs as
 * reviewers would, rejected imports (an edited locked cell, a row forged from another campaign,
 * a Revoke without justification), accepted and idempotent imports, status, close, remediation
 * plan (a SCIM membership goes to the identity provider), apply (refused without --yes,
 * idempotent), a new crawl, and verification in the status, the simulator and the sign-off.
 */
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
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CurrentDecision,
  currentDecisions,
  type ItemRow,
  loadCampaign,
  loadItems,
  ReviewOrder,
} from "../src/certify/db.js";
import { exportWorkbooks } from "../src/certify/export.js";
import { buildSignoffModel, renderSignoffHtml } from "../src/certify/signoff.js";
import { campaignState, campaignStatus, summarise } from "../src/certify/state.js";
import { columnLetter, writeReviewerWorkbook } from "../src/certify/workbook.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { crawlInto, roleId } from "./support/analysis-org.js";
import { fillWorkbook, readRows, rowValues, workbookColumn } from "./support/certify-workbooks.js";
import { cliEnv, runCli } from "./support/cli.js";
import { unzipEntries } from "./support/heavy-workbook.js";

const tmp = mkdtempSync(join(tmpdir(), "aa-certify-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const db = join(tmp, "audit.duckdb");
const SEC = "sec-lead@corp.example";
const ENG = "eng-lead@corp.example";
const CISO = "ciso@corp.example";

interface Org {
  alice: string;
  bob: string;
  carol: string;
  dave: string;
  erin: string;
  frank: string;
  engLead: string;
  eng: string;
  ops: string;
  sales: string;
  owner: string;
  reader: string;
  projectAdmin: string;
  usageViewer: string;
}

interface ExportJson {
  files: { reviewer: string; items: number; path: string }[];
}
interface StatusJson {
  items: number;
  decided: number;
  approved: number;
  revoked: number;
  pending: number;
  percent_complete: number;
  reviewers: { reviewer: string; items: number; decided: number; pending: number }[];
  remediation: { revoked: number; verified: number; pending: number; failed: number };
}
interface PlanJson {
  actions: {
    item_id: string;
    action: string;
    method: string | null;
    path: string | null;
    status: string;
    group_id: string | null;
    user_id: string | null;
    role_id: string | null;
  }[];
}

async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return runCli([...args, "--db", db], cliEnv(extraEnv), 120_000, tmp);
}

describe("certification campaign", () => {
  let sim: RunningSimulator;
  let org: Org;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 23, groups: 0, users: 0 });
    const s = sim.state;
    const user = (name: string, email: string) => s.createUser({ name, email }).id;
    org = {
      alice: user("Alice", "alice@corp.example"),
      bob: user("Bob", "bob@corp.example"),
      carol: user("Carol", "carol@corp.example"),
      dave: user("Dave", "dave@corp.example"),
      erin: user("Erin", "erin@corp.example"),
      frank: user("Frank", "frank@corp.example"),
      engLead: user("Eng Lead", ENG),
      eng: s.createGroup("Engineering", { isScimManaged: false }).id,
      ops: s.createGroup("Ops admins", { isScimManaged: false }).id,
      sales: s.createGroup("okta-sales", { isScimManaged: true }).id,
      owner: s.ownerRoleId,
      reader: s.readerRoleId,
      projectAdmin: roleId(sim, "Project Administrator"),
      usageViewer: roleId(sim, "Usage Viewer"),
    };
    s.assignGroupRole(org.eng, org.reader);
    s.assignGroupRole(org.ops, org.projectAdmin);
    s.assignGroupRole(org.sales, org.reader);
    for (const u of [org.bob, org.carol, org.engLead]) s.addMember(org.eng, u);
    s.addMember(org.ops, org.dave);
    s.addMember(org.sales, org.erin);
    s.addMember(org.sales, org.frank);
    s.assignUserRole(org.alice, org.owner);
    s.assignUserRole(org.bob, org.usageViewer);
    await crawlInto(sim, db);
    const rules = (fallback: boolean) =>
      [
        `default: ${SEC}`,
        "by_group:",
        `  Engineering: ${ENG}`,
        "by_role:",
        `  Owner: ${CISO}`,
        ...(fallback ? [`fallback: ${SEC}`] : []),
      ].join("\n");
    writeFileSync(join(tmp, "reviewers.yaml"), rules(true));
    writeFileSync(join(tmp, "reviewers-no-fallback.yaml"), rules(false));
    writeFileSync(join(tmp, "reviewers-bad.yaml"), "default: not-an-email\nby_team: {}\n");
  });
  afterAll(async () => {
    await sim?.stop();
  });

  // The stages run in order on one campaign; each test picks up where the last one stopped.
  const goodFiles: string[] = [];
  const reports = join(tmp, "reports");

  it("start: refuses self-review and bad reviewer rules, freezes the population, holds the snapshot", async () => {
    // Self-review is forbidden by default: eng-lead would review their own membership.
    const self = await cli([
      "certify",
      "start",
      "--name",
      "self",
      "--reviewers",
      join(tmp, "reviewers-no-fallback.yaml"),
    ]);
    expect(self.status, self.stderr).toBe(2);
    expect(self.stderr).toMatch(
      /^access-audit: self-review is forbidden: 1 item\(s\).*eng-lead@corp\.example in group "Engineering"/,
    );
    expect(self.stderr.trim().split("\n")).toHaveLength(1);
    const bad = await cli([
      "certify",
      "start",
      "--name",
      "bad",
      "--reviewers",
      join(tmp, "reviewers-bad.yaml"),
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/default: expected an email address/);
    expect(bad.stderr).toMatch(/by_team/);

    const start = await cli([
      "certify",
      "start",
      "--name",
      "Q4-2026",
      "--reviewers",
      join(tmp, "reviewers.yaml"),
      "--policy",
      "keep",
      "--json",
    ]);
    expect(start.status, start.stderr).toBe(0);
    const started = JSON.parse(start.stdout) as {
      items: number;
      reviewers: { reviewer: string; items: number }[];
      snapshot_id: number;
    };
    expect(started.items).toBe(11); // 6 memberships, 3 group roles, 2 direct roles
    expect(started.reviewers).toEqual([
      { reviewer: CISO, items: 1 },
      { reviewer: ENG, items: 3 },
      { reviewer: SEC, items: 7 },
    ]);
    const elevated = await cli([
      "certify",
      "start",
      "--name",
      "Q4-2026-elevated",
      "--scope",
      "elevated",
      "--reviewer",
      SEC,
      "--json",
    ]);
    expect(elevated.status, elevated.stderr).toBe(0);
    // dave's membership (the group grants Project Administrator), that group role, alice's Owner.
    expect((JSON.parse(elevated.stdout) as { items: number }).items).toBe(3);
    const holds = await cli(["snapshots", "--json"]);
    expect((JSON.parse(holds.stdout) as { held: boolean }[])[0]?.held).toBe(true);
  });

  it("export and import: protected workbooks; a file with any problem is rejected whole", async () => {
    const outDir = join(tmp, "out");
    const exported = await cli([
      "certify",
      "export",
      "--campaign",
      "Q4-2026",
      "--out",
      outDir,
      "--json",
    ]);
    expect(exported.status, exported.stderr).toBe(0);
    const files = (JSON.parse(exported.stdout) as ExportJson).files;
    const fileOf = (reviewer: string) => files.find((f) => f.reviewer === reviewer)?.path ?? "";
    expect(files.map((f) => [f.reviewer, f.items])).toEqual([
      [CISO, 1],
      [ENG, 3],
      [SEC, 7],
    ]);
    expect(statSync(fileOf(SEC)).mode & 0o777).toBe(0o600);
    const secRows = await readRows(fileOf(SEC));
    expect(secRows.map((r) => r["Self-review"])).not.toContain("Yes"); // reassigned to fallback
    const otherOut = join(tmp, "out-elevated");
    const exportedElevated = await cli([
      "certify",
      "export",
      "--campaign",
      "Q4-2026-elevated",
      "--out",
      otherOut,
      "--json",
    ]);
    expect(exportedElevated.status, exportedElevated.stderr).toBe(0);
    const elevatedFile = (JSON.parse(exportedElevated.stdout) as ExportJson).files[0]?.path ?? "";

    // The workbook is protected, Decision/Justification are unlocked, ids are hidden.
    const check = new ExcelJS.Workbook();
    await check.xlsx.readFile(fileOf(SEC));
    const review = check.getWorksheet("Review");
    expect(check.worksheets[0]?.name).toBe("Instructions");
    expect(review?.getColumn(workbookColumn("Row hash")).hidden).toBe(true);
    expect(review?.getRow(2).getCell(workbookColumn("Group")).protection?.locked).not.toBe(false);
    expect(review?.getRow(2).getCell(workbookColumn("Decision")).protection?.locked).toBe(false);
    expect(review?.getRow(2).getCell(workbookColumn("Decision")).dataValidation?.type).toBe("list");
    // One list validation covers the Decision column, first row to last, in a workbook of every
    // item of the campaign (11 rows: one validation per cell, exceljs split the column at row 10).
    const store = await Store.open(db, { readOnly: true });
    const allItems = join(tmp, "all-items.xlsx");
    let rows = 0;
    try {
      const campaign = await loadCampaign(store, "Q4-2026");
      const items = await loadItems(store, campaign.campaign_id);
      rows = items.length;
      await writeReviewerWorkbook(allItems, {
        campaign,
        reviewer: SEC,
        itemCount: items.length,
        batches: [{ items, decisions: new Map() }],
        generation: 1,
        exportedAt: campaign.created_at,
      });
    } finally {
      await store.close();
    }
    expect(rows).toBe(11);
    const reviewXml = unzipEntries(readFileSync(allItems))
      .find((e) => e.name === "xl/worksheets/sheet2.xml")
      ?.content.toString("utf8");
    const decisionColumn = columnLetter(workbookColumn("Decision"));
    expect(reviewXml?.match(/<dataValidation [^>]*>/g)).toEqual([
      expect.stringContaining(
        `type="list" allowBlank="1" showErrorMessage="1" errorStyle="stop" errorTitle="Decision" error="Choose Approve, Revoke or Needs info" sqref="${decisionColumn}2:${decisionColumn}12"`,
      ),
    ]);

    const fill = (dir: string) => {
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    const filled = fill(join(tmp, "filled"));
    const is = (row: Record<string, string>, grant: string, who: string) =>
      row.Grant === grant && (row["User email"] === who || row.Group === who || row.Role === who);
    const secDecide = (row: Record<string, string>) => {
      if (is(row, "Group membership", "frank@corp.example")) return null; // left undecided
      if (is(row, "Group membership", "erin@corp.example"))
        return { decision: "Revoke", justification: "left sales" };
      if (is(row, "Group role", "Project Administrator"))
        return { decision: "Revoke", justification: "no longer runs projects" };
      if (is(row, "Direct role", "Usage Viewer"))
        return { decision: "Revoke", justification: "covered by Engineering" };
      return { decision: "Approve", justification: "needed for the job" };
    };
    const engDecide = (row: Record<string, string>) =>
      row["User email"] === "carol@corp.example"
        ? { decision: "Revoke", justification: "moved team" }
        : { decision: "Approve" };
    const cisoDecide = () => ({ decision: "Approve", justification: "founder" });

    // Rejected: an edited locked cell, a row forged from another campaign, a Revoke without justification.
    const edited = join(filled, "eng-edited.xlsx");
    await fillWorkbook(fileOf(ENG), edited, engDecide, (sheet) => {
      sheet.getRow(2).getCell(workbookColumn("Group")).value = "Engineering (renamed)";
    });
    const forged = join(filled, "sec-forged.xlsx");
    const foreign = await rowValues(elevatedFile, (r) => r.Role === "Owner");
    await fillWorkbook(fileOf(SEC), forged, secDecide, (sheet) => {
      const row = sheet.getRow(secRows.length + 2);
      foreign.forEach((value, i) => {
        row.getCell(i + 1).value = value;
      });
      row.getCell(workbookColumn("Decision")).value = "Approve";
      row.getCell(workbookColumn("Justification")).value = "looks fine";
    });
    const unjustified = join(filled, "sec-unjustified.xlsx");
    await fillWorkbook(fileOf(SEC), unjustified, (row) =>
      is(row, "Direct role", "Usage Viewer") ? { decision: "Revoke" } : secDecide(row),
    );
    const rejected = await cli(["certify", "import", edited, forged, unjustified]);
    expect(rejected.status).toBe(1);
    const lines = rejected.stderr.trim().split("\n");
    expect(lines[0]).toBe(
      "access-audit: import rejected: 3 problem(s) in 3 file(s); nothing recorded from them",
    );
    expect(lines[1]).toMatch(
      /eng-edited\.xlsx: row 2: population cell\(s\) edited: Group "Engineering" -> "Engineering \(renamed\)"/,
    );
    expect(lines[2]).toMatch(
      new RegExp(`sec-forged\\.xlsx: row ${secRows.length + 2}: row from another campaign`),
    );
    expect(lines[3]).toMatch(
      /sec-unjustified\.xlsx: row \d+: a justification is required for Revoke/,
    );
    const untouched = JSON.parse(
      (await cli(["certify", "status", "--campaign", "Q4-2026", "--json"])).stdout,
    ) as StatusJson;
    expect(untouched.decided).toBe(0);

    // Accepted, then the same file again: nothing new.
    const good = [
      [ENG, engDecide],
      [SEC, secDecide],
      [CISO, cisoDecide],
    ] as const;
    goodFiles.length = 0;
    for (const [reviewer, decide] of good) {
      const path = join(filled, `${reviewer}.xlsx`);
      await fillWorkbook(fileOf(reviewer), path, decide);
      goodFiles.push(path);
    }
    const accepted = await cli(["certify", "import", ...goodFiles, "--json"]);
    expect(accepted.status, accepted.stderr).toBe(0);
    const outcomes = (
      JSON.parse(accepted.stdout) as { files: { status: string; recorded: number }[] }
    ).files;
    expect(outcomes.map((o) => [o.status, o.recorded])).toEqual([
      ["recorded", 3],
      ["recorded", 6],
      ["recorded", 1],
    ]);
    const again = await cli(["certify", "import", goodFiles[1] ?? ""]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already imported .*nothing recorded/);

    const status = JSON.parse(
      (await cli(["certify", "status", "--campaign", "Q4-2026", "--json"])).stdout,
    ) as StatusJson;
    expect(status).toMatchObject({
      items: 11,
      decided: 10,
      approved: 6,
      revoked: 4,
      pending: 1,
      percent_complete: 90.9,
    });
    expect(status.reviewers.map((r) => [r.reviewer, r.decided, r.pending])).toEqual([
      [CISO, 1, 0],
      [ENG, 3, 0],
      [SEC, 6, 1],
    ]);
  });

  it("close and plan: decisions frozen, revocations planned as API calls or IdP changes", async () => {
    // Remediation needs a closed campaign.
    const early = await cli(["remediate", "plan", "--campaign", "Q4-2026"]);
    expect(early.status).toBe(2);
    const closed = await cli([
      "certify",
      "close",
      "--campaign",
      "Q4-2026",
      "--out",
      reports,
      "--json",
    ]);
    expect(closed.status, closed.stderr).toBe(0);
    expect(JSON.parse(closed.stdout)).toMatchObject({
      by_policy: 1,
      policy_decision: "approve",
      status: "closed",
    });
    // Frank's membership, left undecided: the policy's decision, recorded after every earlier
    // one and at the instant the campaign closed.
    const recorded = await Store.open(db, { readOnly: true });
    try {
      expect(
        await recorded.query(
          `SELECT i.kind, i.user_id, d.decision, d.justification, d.reviewer,
             d.decided_at = c.closed_at AS at_close,
             d.decision_seq = (SELECT max(decision_seq) FROM certify_decisions
                               WHERE source <> 'close_policy') + 1 AS next_seq
           FROM certify_decisions AS d
           JOIN certify_campaigns AS c USING (campaign_id)
           JOIN certify_items AS i USING (campaign_id, item_id)
           WHERE c.name = 'Q4-2026' AND d.source = 'close_policy'`,
        ),
      ).toEqual([
        {
          kind: "membership",
          user_id: org.frank,
          decision: "approve",
          justification: "undecided at close: keep by the campaign's policy",
          reviewer: "(campaign policy)",
          at_close: true,
          next_seq: true,
        },
      ]);
    } finally {
      await recorded.close();
    }
    const late = await cli(["certify", "import", goodFiles[0] ?? ""]);
    expect(late.status).toBe(0); // the same file: already imported, idempotent even when closed

    const plan = await cli(["remediate", "plan", "--campaign", "Q4-2026", "--json"]);
    expect(plan.status, plan.stderr).toBe(0);
    const actions = (JSON.parse(plan.stdout) as PlanJson).actions;
    const byAction = Object.fromEntries(actions.map((a) => [a.action, a]));
    expect(actions).toHaveLength(4);
    expect(byAction.remove_group_member).toMatchObject({
      method: "DELETE",
      path: `/organization/groups/${org.eng}/users/${org.carol}`,
      status: "planned",
    });
    expect(byAction.unassign_group_role).toMatchObject({
      path: `/organization/groups/${org.ops}/roles/${org.projectAdmin}`,
    });
    expect(byAction.unassign_user_role).toMatchObject({
      path: `/organization/users/${org.bob}/roles/${org.usageViewer}`,
    });
    expect(byAction.idp_change).toMatchObject({
      status: "idp",
      method: null,
      group_id: org.sales,
      user_id: org.erin,
    });
    const planText = await cli(["remediate", "plan", "--campaign", "Q4-2026"]);
    expect(planText.stdout).toMatch(
      /change in the identity provider: remove erin@corp\.example .* from SCIM-managed group "okta-sales"/,
    );
  });

  it("apply: needs --yes, idempotent, a 404 counts as done; a crawl verifies the revocations", async () => {
    const api = { OPENAI_ADMIN_KEY: sim.adminKey };
    const refused = await cli(
      ["remediate", "apply", "--campaign", "Q4-2026", "--base-url", sim.baseUrl],
      api,
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    // One grant already removed by someone else: the call's 404 counts as done.
    sim.state.unassignUserRole(org.bob, org.usageViewer);
    const applied = await cli(
      ["remediate", "apply", "--campaign", "Q4-2026", "--yes", "--base-url", sim.baseUrl, "--json"],
      api,
    );
    expect(applied.status, applied.stderr).toBe(0);
    const result = JSON.parse(applied.stdout) as {
      executed: number;
      skipped: number;
      failed: number;
      actions: PlanJson["actions"];
    };
    expect(result).toMatchObject({ executed: 3, skipped: 1, failed: 0 });
    expect(Object.fromEntries(result.actions.map((a) => [a.action, a.status]))).toEqual({
      remove_group_member: "done",
      unassign_group_role: "done",
      unassign_user_role: "already_absent",
      idp_change: "idp",
    });
    const reapplied = await cli(
      ["remediate", "apply", "--campaign", "Q4-2026", "--yes", "--base-url", sim.baseUrl, "--json"],
      api,
    );
    expect(reapplied.status, reapplied.stderr).toBe(0);
    expect(JSON.parse(reapplied.stdout)).toMatchObject({ executed: 0, skipped: 4, failed: 0 });

    // Before a crawl nothing is verified; after one, exactly the API revocations are.
    const before = JSON.parse(
      (await cli(["certify", "status", "--campaign", "Q4-2026", "--json"])).stdout,
    ) as StatusJson;
    expect(before.remediation).toMatchObject({ revoked: 4, verified: 0, pending: 4, failed: 0 });
    await crawlInto(sim, db);
    const after = JSON.parse(
      (await cli(["certify", "status", "--campaign", "Q4-2026", "--json"])).stdout,
    ) as StatusJson;
    expect(after.remediation).toMatchObject({ revoked: 4, verified: 3, pending: 1, failed: 0 });

    // The simulator: exactly the three API revocations are gone, everything else is intact.
    const s = sim.state;
    expect(s.isMember(org.eng, org.carol)).toBe(false);
    expect(s.hasGroupRole(org.ops, org.projectAdmin)).toBe(false);
    expect(s.hasDirectUserRole(org.bob, org.usageViewer)).toBe(false);
    for (const [g, u] of [
      [org.eng, org.bob],
      [org.eng, org.engLead],
      [org.ops, org.dave],
      [org.sales, org.erin],
      [org.sales, org.frank],
    ] as const) {
      expect(s.isMember(g, u)).toBe(true);
    }
    expect(s.hasGroupRole(org.eng, org.reader)).toBe(true);
    expect(s.hasGroupRole(org.sales, org.reader)).toBe(true);
    expect(s.hasDirectUserRole(org.alice, org.owner)).toBe(true);
    expect(s.counts()).toMatchObject({ memberships: 5 });
  });

  it("sign-off after the crawl, and a next campaign that carries approvals forward", async () => {
    // The sign-off report, written again after the crawl, says so.
    const report = await cli([
      "certify",
      "report",
      "--campaign",
      "Q4-2026",
      "--out",
      reports,
      "--json",
    ]);
    expect(report.status, report.stderr).toBe(0);
    const signoff = (JSON.parse(report.stdout) as { files: { format: string; path: string }[] })
      .files;
    const html = readFileSync(signoff.find((f) => f.format === "html")?.path ?? "", "utf8");
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; style-src &#x27;sha256-/,
    );
    const revocations = html.slice(
      html.indexOf('id="revocations"'),
      html.indexOf('id="decisions"'),
    );
    const verdicts = [...revocations.matchAll(/<tr data-item="([^"]+)">(.*?)<\/tr>/g)].map((m) => {
      const cells = [...(m[2] ?? "").matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) =>
        (c[1] ?? "").replace(/<[^>]+>/g, " "),
      );
      return `${cells[1]}|${cells[7]}|${(cells[11] ?? "").split(":")[0]}`;
    });
    expect(verdicts.sort()).toEqual([
      "Direct role|already absent (404)|verified",
      "Group membership|change in the identity provider|pending",
      "Group membership|removed through the API|verified",
      "Group role|removed through the API|verified",
    ]);
    expect(html).toContain("the snapshot still matches its seal");
    expect(html).toContain("Decided by the campaign policy at close");
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(signoff.find((f) => f.format === "xlsx")?.path ?? "");
    const sheet = book.getWorksheet("Revocations");
    const verification: string[] = [];
    sheet?.eachRow((row, n) => {
      if (n > 1) verification.push(String(row.getCell(12).value));
    });
    expect(verification.sort()).toEqual(["pending", "verified", "verified", "verified"]);
    const decisions = book.getWorksheet("Decisions");
    expect((decisions?.rowCount ?? 0) - 1).toBe(11);

    // The next campaign reviews only what is new or changed; earlier approvals carry forward.
    const next = await cli([
      "certify",
      "start",
      "--name",
      "Q1-2027",
      "--scope",
      "changed-since-last",
      "--reviewers",
      join(tmp, "reviewers.yaml"),
      "--json",
    ]);
    expect(next.status, next.stderr).toBe(0);
    // Unchanged approvals: bob and eng-lead in Engineering, its Reader role, okta-sales' Reader,
    // alice's Owner. Dave's membership changed (Ops admins lost its elevated role); frank was
    // kept by policy, not approved; erin's was revoked.
    expect(JSON.parse(next.stdout)).toMatchObject({ items: 8, carried_forward: 5, to_review: 3 });
    const carried = JSON.parse(
      (await cli(["certify", "status", "--campaign", "Q1-2027", "--json"])).stdout,
    ) as StatusJson & { carried_forward: number };
    expect(carried).toMatchObject({ items: 8, approved: 5, carried_forward: 5, pending: 3 });
  });

  it("status read a batch at a time counts as the sign-off's summary of every item in memory", async () => {
    const store = await Store.open(db, { readOnly: true });
    try {
      // Q4-2026: closed, revocations verified, pending and in the identity provider, decisions
      // by the policy; Q1-2027: open, with carried items.
      for (const name of ["Q4-2026", "Q1-2027"]) {
        const campaign = await loadCampaign(store, name);
        const today = "2027-01-15";
        const streamed = await campaignStatus(store, campaign, today);
        expect(streamed).toEqual(summarise(campaign, await campaignState(store, campaign), today));
        expect(streamed.items).toBeGreaterThan(2);
      }
      const closed = await campaignStatus(store, await loadCampaign(store, "Q4-2026"));
      expect(closed.remediation).toMatchObject({ revoked: 4, verified: 3, pending: 1, idp: 1 });
    } finally {
      await store.close();
    }
  });

  it("the HTML sign-off lists at most so many rows per table and says where the rest are", async () => {
    const store = await Store.open(db, { readOnly: true });
    try {
      const model = await buildSignoffModel(store, await loadCampaign(store, "Q4-2026"));
      const rows = (html: string, from: string, to: string) =>
        html
          .slice(html.indexOf(`id="${from}"`), html.indexOf(`id="${to}"`))
          .match(/<tr data-item=/g)?.length ?? 0;
      const whole = renderSignoffHtml(model);
      expect([
        rows(whole, "revocations", "decisions"),
        rows(whole, "decisions", "completeness"),
      ]).toEqual([4, 11]);
      expect(whole).not.toContain("Not listed here");
      const capped = renderSignoffHtml(model, 3);
      expect([
        rows(capped, "revocations", "decisions"),
        rows(capped, "decisions", "completeness"),
      ]).toEqual([3, 3]);
      expect(capped).toContain(
        '<p id="revocations-unlisted">Not listed here: 1 of the 4 revocations (this lists the first 3); the XLSX sign-off lists every one in its Revocations sheet.</p>',
      );
      expect(capped).toContain(
        '<p id="decisions-unlisted">Not listed here: 8 of the 11 decisions (this lists the first 3); the XLSX sign-off lists every one in its Decisions sheet.</p>',
      );
    } finally {
      await store.close();
    }
  });

  it("export refuses, all or nothing, a workbook that import would refuse as too large", async () => {
    const store = await Store.open(db);
    const out = join(tmp, "too-large");
    try {
      const campaign = await loadCampaign(store, "Q1-2027");
      const exports = `SELECT count(*)::INTEGER AS n FROM certify_exports`;
      const before = await store.query<{ n: number }>(exports);
      // Its one workbook (3 items to review, about 9 kB) fits in 20 kB, not in 5 kB.
      const fits = await exportWorkbooks(store, campaign, join(tmp, "fits"), 20_000);
      expect(fits.map((f) => f.items)).toEqual([3]);
      const recorded = await store.query<{ n: number }>(exports);
      await expect(exportWorkbooks(store, campaign, out, 5_000)).rejects.toThrow(
        /^the workbook of .+ \(3 items\) could not be imported back: the file is 0\.0 MB, over the 0\.0 MB limit for a certification workbook; refused before parsing\. Nothing was exported: share the items among several reviewers/,
      );
      expect(await store.query<{ n: number }>(exports)).toEqual(recorded);
      expect((recorded[0]?.n ?? 0) - (before[0]?.n ?? 0)).toBe(1);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("export reads items a window at a time: each reviewer's items and decisions, in review order, whatever the window", async () => {
    const store = await Store.open(db, { readOnly: true });
    try {
      // Q4-2026: decisions from workbooks and from the close policy; Q1-2027: carried items.
      for (const name of ["Q4-2026", "Q1-2027"]) {
        const campaign = await loadCampaign(store, name);
        const decisions = await currentDecisions(store, campaign.campaign_id);
        type Row = { item: ItemRow; decision: CurrentDecision | null };
        const expected = new Map<string, Row[]>();
        for (const item of await loadItems(store, campaign.campaign_id)) {
          if (item.carried_from_campaign_id !== null) continue; // not reviewed again
          const rows = expected.get(item.reviewer) ?? [];
          rows.push({ item, decision: decisions.get(item.item_id) ?? null });
          expected.set(item.reviewer, rows);
        }
        const reviewed = [...expected.values()].flat();
        expect(reviewed.length).toBeGreaterThan(2);
        expect(reviewed.some((r) => r.decision !== null)).toBe(name === "Q4-2026");
        for (const windowRows of [1, 2, 5, 1000]) {
          const order = await ReviewOrder.create(
            store,
            campaign.campaign_id,
            "reviewed",
            windowRows,
          );
          const seen = new Map<string, Row[]>();
          try {
            for (const share of order.reviewers) {
              const rows: Row[] = [];
              for await (const batch of order.batches(share)) {
                expect(batch.items.length).toBeLessThanOrEqual(windowRows);
                for (const item of batch.items) {
                  rows.push({ item, decision: batch.decisions.get(item.item_id) ?? null });
                }
              }
              expect(rows, `${name}, window ${windowRows}`).toHaveLength(share.items);
              seen.set(share.reviewer, rows);
            }
          } finally {
            await order.release();
          }
          expect(seen, `${name}, window ${windowRows}`).toEqual(expected);
        }
      }
    } finally {
      await store.close();
    }
  });

  it("the sign-off reads items a window at a time: all of them, or the revoked ones, in review order, whatever the window", async () => {
    const store = await Store.open(db, { readOnly: true });
    try {
      for (const name of ["Q4-2026", "Q1-2027"]) {
        const campaign = await loadCampaign(store, name);
        const decisions = await currentDecisions(store, campaign.campaign_id);
        const all = (await loadItems(store, campaign.campaign_id)).map((item) => ({
          item,
          decision: decisions.get(item.item_id) ?? null,
        }));
        const expected = {
          all,
          revoked: all.filter((r) => r.decision?.decision === "revoke"),
        };
        // Q1-2027's carried items are listed; Q4-2026 has 4 revocations, Q1-2027 none.
        expect(all.some((r) => r.item.carried_from_campaign_id !== null)).toBe(name === "Q1-2027");
        expect(expected.revoked).toHaveLength(name === "Q4-2026" ? 4 : 0);
        for (const items of ["all", "revoked"] as const) {
          for (const windowRows of [1, 3, 1000]) {
            const order = await ReviewOrder.create(store, campaign.campaign_id, "all", windowRows);
            const rows: typeof all = [];
            try {
              const batches =
                items === "revoked" ? order.revokedBatches() : order.batches(order.all);
              for await (const batch of batches) {
                expect(batch.items.length).toBeLessThanOrEqual(windowRows);
                for (const item of batch.items) {
                  rows.push({ item, decision: batch.decisions.get(item.item_id) ?? null });
                }
              }
            } finally {
              await order.release();
            }
            expect(rows, `${name}, ${items}, window ${windowRows}`).toEqual(expected[items]);
          }
        }
      }
    } finally {
      await store.close();
    }
  });
});
