/**
 * The Excel workbook of a report: the model (model.ts) as sheets an auditor can filter and sort,
 * plus every row of the snapshot (effective access, members, users…) streamed straight from the
 * store, so a million memberships never sit in memory. Cells are typed (dates, booleans,
 * numbers; null is an empty cell), every text cell is neutralised against formula injection
 * (xlsx-sheet.ts), and the same model and database always give the same bytes. Column headers
 * are the public views' column names, so a sheet can be matched with a query of the database.
 */

import { listValue } from "@duckdb/node-api";
import { materialiseHelpers, releaseHelpers } from "../analysis/anomalies.js";
import {
  type ColumnSpec,
  Day,
  type DocumentProperties,
  nameWithId,
  type RowInput,
  type SheetPart,
  StreamingBook,
  timestamp,
} from "../render/index.js";
import type { QueryParams, Store } from "../store/index.js";
import { sqlQueries } from "../util/sql-files.js";
import {
  auditLogStatement,
  CHANGE_LABELS,
  CredentialFindings,
  crawledByText,
  lastUsedText,
  organizationIdText,
  type ReportModel,
  type ReportProject,
} from "./model.js";

/** The sheets, in workbook order; an overflowing sheet continues in "Name (2)" right after it. */
export const SHEET_NAMES = [
  "Summary",
  "Changes",
  "Changes by actor",
  "Findings",
  "Effective access",
  "Groups",
  "Members",
  "Group roles",
  "Users",
  "Roles",
  "Projects",
  "Project access",
  "Credentials",
  "Completeness",
] as const;

export interface WorkbookStats {
  /** Every worksheet written, in order, with its data rows (the header row not counted). */
  sheets: SheetPart[];
}

export interface WriteWorkbookOptions {
  /** Rows per worksheet, header included (default and maximum: Excel's 1,048,576). */
  maxRowsPerSheet?: number;
  /**
   * Memberships DuckDB sorts per query for the Members sheet (default 100,000): lower holds
   * less memory, at one more scan of the memberships per query.
   */
  membersPerQuery?: number;
}

export const WORKBOOK_TITLE = "OpenAI organization access review";

/** Column widths by header, the same in every sheet; unlisted headers get 24. */
const WIDTHS: Readonly<Record<string, number>> = {
  section: 16,
  item: 36,
  value: 68,
  new: 8,
  detail: 60,
  kind: 24,
  label: 32,
  severity: 10,
  rule: 30,
  title: 44,
  rationale: 60,
  remediation: 60,
  controls: 30,
  group_id: 30,
  group_name: 36,
  user_id: 30,
  user: 36,
  email: 36,
  name: 36,
  role_id: 30,
  role_name: 30,
  before: 36,
  after: 36,
  permissions: 60,
  description: 60,
  roles: 50,
  via: 8,
  via_group_id: 30,
  via_group_name: 36,
  role: 12,
  group_type: 14,
  members: 10,
  pages: 10,
  snapshot_id: 12,
  sha256: 68,
  endpoint: 40,
  project_id: 30,
  project_name: 36,
  status: 10,
  archived: 10,
  owner_count: 12,
  owners: 60,
  groups: 60,
  custom_roles: 60,
  credential_id: 30,
  redacted_value: 20,
  owner_id: 30,
  owner: 36,
  owner_email: 36,
  owner_type: 16,
  owner_role: 12,
  owner_project_access: 12,
  expires_at: 20,
  last_used_at: 20,
  last_used: 40,
  age_days: 10,
  projects: 60,
  findings: 60,
  actor: 60,
  attribution: 14,
  made_by: 40,
  event_time: 20,
  event_ids: 40,
  reason: 60,
  changes: 10,
  elevated_changes: 16,
};
/** Columns holding ISO timestamps from the store, written as dates. */
const TIME_COLUMNS = new Set([
  "created_at",
  "added_at",
  "api_key_last_used_at",
  "archived_at",
  "expires_at",
  "last_used_at",
  "event_time",
]);

/** Column specs from space-separated headers. */
function columns(headers: string): ColumnSpec[] {
  return headers.split(" ").map((header) => ({
    header,
    width: WIDTHS[header] ?? 24,
    ...(TIME_COLUMNS.has(header) ? { time: true } : {}),
  }));
}

/** Rows from the store arrive batched; this many at a time keeps memory flat and the zip busy. */
const BATCH_ROWS = 2_048;

function dateOf(iso: string): Date {
  const date = timestamp(iso);
  if (!(date instanceof Date)) throw new Error(`not a timestamp: ${iso}`);
  return date;
}

/**
 * The roles the analysis counts as elevated in this snapshot (`materialiseHelpers`, the same
 * definition the rules and the model use). Its TEMP table lives on the store's query connection,
 * which `store.iterate` does not share, so the ids are read once and matched here.
 */
async function elevatedRoleIds(store: Store, model: ReportModel): Promise<Set<string>> {
  const snapshotId = model.snapshot.snapshot_id;
  await materialiseHelpers(store, [snapshotId], model.config);
  try {
    const rows = await store.query<{ role_id: string }>(query("elevated_role_ids"), {
      s: snapshotId,
    });
    return new Set(rows.map((r) => r.role_id));
  } finally {
    await releaseHelpers(store);
  }
}

function documentProperties(model: ReportModel): DocumentProperties {
  const s = model.snapshot;
  const p = model.previous;
  const compared =
    p === null
      ? "not compared with an earlier snapshot"
      : `compared with snapshot ${p.snapshot_id} (seal ${p.seal})`;
  const organization =
    model.organization_name === null
      ? `organization id ${organizationIdText(s)}`
      : `organization ${model.organization_name} (configured name), id ${organizationIdText(s)}`;
  return {
    title: `${WORKBOOK_TITLE}: snapshot ${s.snapshot_id}, ${model.org_date}`,
    subject: `Groups, members and roles of the OpenAI organization at ${s.base_url} as of ${model.as_of}`,
    creator: `openai-access-audit ${model.tool_version}`,
    description:
      `Snapshot ${s.snapshot_id} (seal ${s.seal}), ${compared}; chain head: snapshot ` +
      `${model.chain_head.snapshot_id} (seal ${model.chain_head.seal}); ${organization}; ` +
      `crawl credential ${s.key_redacted}; crawl run by ${crawledByText(s)}; ` +
      `tool ${model.tool_version}, schema ${model.schema_version} (snapshot's ${s.schema_version}), ` +
      `template ${model.template_version}.`,
    keywords: [
      "access review",
      `snapshot ${s.snapshot_id}`,
      p === null ? "no compared snapshot" : `compared snapshot ${p.snapshot_id}`,
      `seal ${s.seal}`,
      `template ${model.template_version}`,
      `schema ${model.schema_version}`,
    ].join("; "),
    category: "Access review",
    date: dateOf(s.finished_at),
  };
}

/** The Summary sheet: no local path goes in, so the file is the same wherever the database lives. */
function summaryRows(model: ReportModel): RowInput[] {
  const rows: RowInput[] = [];
  const add = (section: string, item: string, value: unknown, detail?: string, added?: number) =>
    rows.push({ section, item, value, new: added, detail });
  const s = model.snapshot;
  add("Report", "Title", WORKBOOK_TITLE);
  add("Report", "Snapshot", s.snapshot_id);
  add("Report", "Organization date", new Day(dateOf(`${model.org_date}T00:00:00Z`)), "UTC");
  add("Report", "As of", dateOf(model.as_of), "UTC: when the snapshot's crawl finished");
  add("Report", "Crawl started", dateOf(s.started_at), "UTC");
  if (model.previous === null) {
    add("Report", "Compared snapshot", null, "none: there is no earlier complete snapshot");
  } else {
    add(
      "Report",
      "Compared snapshot",
      model.previous.snapshot_id,
      `as of ${model.previous.finished_at}`,
    );
  }
  add("Report", "Base URL", s.base_url);
  add(
    "Report",
    "Organization name",
    model.organization_name ?? "none configured",
    "configured name (configuration `organization`)",
  );
  add("Report", "Tool version", model.tool_version);
  add("Report", "Schema version", model.schema_version, "of the tool that wrote this workbook");
  add("Report", "Template version", model.template_version);
  add("Report", "Times", "UTC", "every date and time in this workbook is UTC");
  // Who ran each crawl, with which credential, for which organization (evidence header).
  for (const e of model.evidence) {
    const run = e.snapshot;
    const id = run.snapshot_id;
    add(
      "Evidence",
      `Organization id, snapshot ${id}`,
      organizationIdText(run),
      "the API's openai-organization response header",
    );
    add(
      "Evidence",
      `Crawl credential, snapshot ${id}`,
      run.key_redacted,
      "redacted: never the key",
    );
    add("Evidence", `Crawl run by, snapshot ${id}`, crawledByText(run), "OS user on host");
    add("Evidence", `Tool version, snapshot ${id}`, run.tool_version, "that crawled it");
    add("Evidence", `Schema version, snapshot ${id}`, run.schema_version, "written with");
  }
  for (const e of model.evidence) {
    const id = e.snapshot.snapshot_id;
    add("Seals", `Seal of snapshot ${id}`, e.snapshot.seal);
    add("Seals", `Previous seal of snapshot ${id}`, e.previous_seal, "the seal it is chained to");
  }
  add(
    "Seals",
    "Chain head",
    model.chain_head.seal,
    `snapshot ${model.chain_head.snapshot_id}, the newest complete one; keep this seal elsewhere too`,
  );
  add(
    "Seals",
    "Audit log head",
    model.audit_log_head?.seal ?? null,
    model.audit_log_head === null
      ? "the audit log was never synced into this database"
      : `sync ${model.audit_log_head.sync_id}, the newest: the attributions were read from the audit log held up to it`,
  );
  const t = model.totals;
  add("Totals", "Groups", t.groups);
  add("Totals", "SCIM-managed groups", t.scim_groups);
  add("Totals", "Manual groups", t.manual_groups);
  add("Totals", "Users", t.users);
  add("Totals", "Memberships", t.memberships);
  add("Totals", "Group role assignments", t.group_role_assignments);
  add("Totals", "User role assignments", t.user_role_assignments);
  add("Totals", "Roles", t.roles);
  add("Totals", "Elevated grants", t.elevated_grants, "distinct (user, elevated role) pairs");
  add("Totals", "Users with elevated access", t.elevated_users);
  if (model.previous === null) add("Changes", "All kinds", null, "no compared snapshot");
  for (const k of model.changes_by_kind) add("Changes", k.label, k.count, k.description);
  attributionRows(model, add);
  for (const f of model.findings_by_severity) {
    add("Findings", f.severity, f.count, "new: not raised on the compared snapshot", f.new);
  }
  for (const e of model.rule_errors) add("Rule errors", e.rule, "failed", e.message);
  const c = model.config;
  const list = (values: readonly string[], none: string) =>
    values.length > 0 ? values.join(", ") : none;
  add("Elevated roles", "Predefined Owner role", "always elevated");
  add("Elevated roles", "Role names", list(c.elevatedRoleNames, "(none)"));
  add(
    "Elevated roles",
    "Permission patterns",
    list(c.elevatedPermissionPatterns, "(none)"),
    "a role holding a permission that matches one of these globs is elevated",
  );
  const projects = model.projects;
  if (!projects.collected) {
    add(
      "Projects",
      "Collected",
      "no",
      projects.not_collected_reason === "older"
        ? "not collected in this snapshot: taken before this tool collected projects"
        : "not collected in this snapshot: crawl run with --no-projects",
    );
  } else {
    const p = projects.totals;
    add("Projects", "Projects", p.projects, "one row each in the Projects sheet");
    add("Projects", "Active projects", p.active);
    add("Projects", "Archived projects", p.archived, "the API does not list their members");
    add("Projects", "Project memberships", p.memberships);
    add("Projects", "People in projects", p.members, "distinct users among the memberships");
    add("Projects", "Attached groups", p.attached_groups, "(project, group) attachments");
    add("Projects", "Custom project roles", p.custom_roles);
    if (!projects.role_assignments_collected) {
      add(
        "Projects",
        "Project role assignments",
        "not collected",
        "crawl run with --no-project-role-assignments: no roles of attached groups, no access through them",
      );
    }
  }
  const credentials = model.credentials;
  if (!credentials.collected) {
    add(
      "Credentials",
      "Collected",
      "no",
      credentials.not_collected_reason === "older"
        ? "not collected in this snapshot: taken before this tool collected credentials"
        : "not collected in this snapshot: crawl run with --no-credentials or --no-projects",
    );
  } else {
    const k = credentials.totals;
    add("Credentials", "Admin keys", k.admin_keys, "one row each in the Credentials sheet");
    add("Credentials", "Project API keys", k.api_keys);
    add("Credentials", "Service accounts", k.service_accounts);
    add("Credentials", "Projects with credentials", k.projects);
    add("Credentials", "Pending invites", k.pending_invites);
  }
  add("Analysis", "Allowed email domains", list(c.allowedEmailDomains, "(not configured)"));
  add("Analysis", "Inactivity days", c.inactivityDays);
  for (const e of model.evidence) {
    const id = e.snapshot.snapshot_id;
    add(
      "Verification",
      `Re-verify snapshot ${id}`,
      `access-audit verify --snapshot ${id}`,
      "recomputes the seal from the stored rows (with --db pointing at this database); exit code 1 on any mismatch",
    );
  }
  return rows;
}

/**
 * The Summary's Attribution section: the audit log's coverage of the interval of the changes (its
 * gaps and failed syncs, each with why) and how many changes each status has.
 */
function attributionRows(
  model: ReportModel,
  add: (section: string, item: string, value: unknown, detail?: string) => void,
): void {
  const a = model.audit_log;
  if (model.previous === null || a === null) {
    add("Attribution", "All changes", null, "no compared snapshot");
    return;
  }
  const statement = auditLogStatement(a);
  add(
    "Attribution",
    "Audit log",
    a.syncs === 0
      ? "never synced"
      : a.covered
        ? "covers the interval"
        : "does not cover the interval",
    statement.summary,
  );
  add("Attribution", "Interval from", dateOf(a.window.from), "UTC: the earlier crawl's start");
  add("Attribution", "Interval to", dateOf(a.window.to), "UTC: the later crawl's end");
  for (const g of a.gaps) add("Attribution", "Not covered", `${g.from} to ${g.to}`, "UTC");
  for (const f of a.failed_syncs) {
    add(
      "Attribution",
      `Failed sync ${f.sync_id}`,
      dateOf(f.started_at),
      f.reason ?? "no reason recorded",
    );
  }
  const t = model.attribution_totals;
  add("Attribution", "Attributed changes", t.attributed, "to a person's session or an API key");
  add("Attribution", "Changes by SCIM", t.scim);
  add(
    "Attribution",
    "Changes not in the audit log",
    t.not_logged,
    "kinds of change the API records no event for",
  );
  add(
    "Attribution",
    "Unattributed changes",
    t.unattributed,
    "an event was expected and none was found: see each change's reason",
  );
  add("Attribution", "Elevated changes", t.elevated, "grants of elevated access");
  add(
    "Attribution",
    "Unattributed elevated changes",
    t.unattributed_elevated,
    "nobody can account for them: in the Changes sheet, attribution unattributed and elevated TRUE",
  );
}

/**
 * The Changes sheet: the model's changes in the diff's order, each with its attribution (the
 * actor's label, the status, who without when, the latest event's time, every event id, why).
 */
function changeRows(model: ReportModel): RowInput[] {
  return model.changes.map((c) => ({
    ...c,
    label: CHANGE_LABELS[c.kind],
    actor: c.attribution.label,
    attribution: c.attribution.status,
    made_by: c.attribution.made_by,
    event_time: c.attribution.event_time,
    event_ids: c.attribution.event_ids.length > 0 ? c.attribution.event_ids.join(", ") : null,
    reason: c.attribution.reason,
    elevated: c.elevated,
  }));
}

/**
 * The Projects sheet: one row per project, its owners, attached groups and custom roles as text
 * (names revealed beside their ids; the cell writer neutralises and cuts them).
 */
function projectRows(model: ReportModel): RowInput[] {
  const collected = model.projects.role_assignments_collected;
  return model.projects.projects.map((p: ReportProject) => {
    const groupNames = new Map(p.groups.map((g) => [g.group_id, g.name]));
    const owners = p.owners.map((o) => {
      const paths: string[] = [];
      if (o.membership) paths.push("owner membership");
      if (o.direct) paths.push("assigned directly");
      for (const id of o.group_ids) paths.push(`via group ${nameWithId(groupNames.get(id), id)}`);
      return `${nameWithId(o.email ?? o.user_name, o.user_id)} [${paths.join("; ")}]`;
    });
    const more = p.owner_count - p.owners.length;
    if (more > 0) owners.push(`… and ${more} more: see the Project access sheet`);
    const groups = p.groups.map((g) => {
      const managed =
        g.is_scim_managed === null ? "unknown" : g.is_scim_managed ? "SCIM" : "manual";
      const roles = collected ? g.roles.join(", ") || "no role" : "roles not collected";
      return `${nameWithId(g.name, g.group_id)}, ${managed}: ${roles}`;
    });
    const roles = p.custom_roles.map(
      (r) => `${nameWithId(r.name, r.role_id)}: ${r.permissions.join(", ") || "no permission"}`,
    );
    return {
      project_id: p.project_id,
      name: p.name,
      status: p.status,
      archived: p.archived,
      created_at: p.created_at,
      archived_at: p.archived_at,
      owner_count: p.owner_count,
      owners: owners.length > 0 ? owners.join("; ") : null,
      // An archived project's members cannot be listed: empty, not 0.
      members: p.archived ? null : p.members,
      groups: groups.length > 0 ? groups.join("; ") : null,
      custom_roles: roles.length > 0 ? roles.join("; ") : null,
    };
  });
}

/**
 * The Credentials sheet: one row per credential, in the HTML section's order (admin keys, then
 * per project its keys and service accounts, then pending invites), each with the findings about
 * it. `last_used_at` is the recorded use; `last_used` says what it means (exact, or "within N
 * days"). Keys appear only by the API's redacted value.
 */
function credentialRows(model: ReportModel): RowInput[] {
  const c = model.credentials;
  if (!c.collected) return [];
  const links = new CredentialFindings(model.findings);
  const findings = (id: string, projectId: string | null): string | null => {
    const found = links.of(id, projectId).map((i) => {
      const f = model.findings[i];
      return f === undefined ? "" : `${f.severity} ${f.rule}: ${f.title}`;
    });
    return found.length > 0 ? found.join("; ") : null;
  };
  const days = c.usage_resolution_days;
  const rows: RowInput[] = [];
  for (const k of c.admin_keys) {
    rows.push({
      kind: "admin key",
      credential_id: k.key_id,
      name: k.name,
      redacted_value: k.redacted_value,
      owner_type: k.owner_type,
      owner_id: k.owner_id,
      owner: k.owner_name,
      owner_role: k.owner_role,
      created_at: k.created_at,
      expires_at: k.expires_at,
      last_used_at: k.last_used_at,
      last_used: lastUsedText(k.last_used_at, k.last_used_recent, days),
      age_days: k.age_days,
      findings: findings(k.key_id, null),
    });
  }
  for (const p of c.projects) {
    for (const k of p.api_keys) {
      rows.push({
        kind: "project key",
        project_id: p.project_id,
        project_name: p.name,
        credential_id: k.key_id,
        name: k.name,
        redacted_value: k.redacted_value,
        owner_type: k.owner_type,
        owner_id: k.owner_id,
        owner: k.owner_name,
        owner_email: k.owner_email,
        owner_role: k.owner_role,
        owner_project_access: k.owner_project_access,
        created_at: k.created_at,
        last_used_at: k.last_used_at,
        last_used: lastUsedText(k.last_used_at, k.last_used_recent, days),
        age_days: k.age_days,
        findings: findings(k.key_id, p.project_id),
      });
    }
    for (const a of p.service_accounts) {
      rows.push({
        kind: "service account",
        project_id: p.project_id,
        project_name: p.name,
        credential_id: a.service_account_id,
        name: a.name,
        role: a.role,
        created_at: a.created_at,
        age_days: a.age_days,
        findings: findings(a.service_account_id, p.project_id),
      });
    }
  }
  for (const v of c.invites) {
    rows.push({
      kind: "invite",
      credential_id: v.invite_id,
      name: v.email,
      role: v.role,
      status: v.status,
      projects:
        v.projects === null
          ? null
          : v.projects.map((g) => `${nameWithId(g.name, g.project_id)}: ${g.role}`).join("; "),
      created_at: v.created_at,
      expires_at: v.expires_at,
      age_days: v.age_days,
      findings: findings(v.invite_id, null),
    });
  }
  return rows;
}

function completenessRows(model: ReportModel): RowInput[] {
  const rows: RowInput[] = [];
  for (const e of model.evidence) {
    const s = e.snapshot;
    const snapshot_id = s.snapshot_id;
    const crawl: [string, unknown][] = [
      ["started_at", dateOf(s.started_at)],
      ["finished_at", dateOf(s.finished_at)],
      ["base_url", s.base_url],
      ["tool_version", s.tool_version],
      ["requests", s.requests],
      ["retries", s.retries],
      ["rate_limited", s.rate_limited],
      ["duplicate_rows", s.duplicate_rows],
      ["vanished_groups", s.vanished_groups],
      ["vanished_users", s.vanished_users],
    ];
    for (const [item, value] of crawl) rows.push({ snapshot_id, section: "crawl", item, value });
    rows.push({ snapshot_id, section: "seal", item: "seal", sha256: s.seal });
    rows.push({ snapshot_id, section: "seal", item: "previous_seal", sha256: e.previous_seal });
    for (const p of e.endpoints) {
      rows.push({
        snapshot_id,
        section: "endpoint",
        item: p.endpoint,
        value: p.items,
        pages: p.pages,
        completed: p.completed,
      });
    }
    for (const id of e.vanished_group_ids) {
      rows.push({ snapshot_id, section: "vanished group", item: id });
    }
    for (const id of e.vanished_user_ids) {
      rows.push({ snapshot_id, section: "vanished user", item: id });
    }
    for (const p of e.seal_parts) {
      rows.push({
        snapshot_id,
        section: "seal part",
        item: p.part,
        value: p.row_count,
        sha256: p.sha256,
      });
    }
  }
  return rows;
}

// The sheets' queries: sql/report/workbook.sql.
const query = sqlQueries("report/workbook.sql");

interface Query {
  sql: string;
  params: QueryParams;
}

type Row = Readonly<Record<string, unknown>>;

/** Batches of rows, streamed from the store on a connection of their own. */
async function* iterateQueries(store: Store, queries: Iterable<Query>): AsyncGenerator<Row[]> {
  for (const { sql, params } of queries) {
    yield* store.iterate<Row>(sql, params, BATCH_ROWS);
  }
}

const PAGE_ROWS = 10_000;

/**
 * The snapshot's effective access in the sheet's order. When the report's analysis left
 * `analysis_effective_access` on the store's query connection (buildReportModel), it is read
 * from there in numbered pages, sparing a second evaluation of the view (a join over every
 * membership, the report's largest transient memory); otherwise the view is streamed.
 */
async function* effectiveAccessRows(store: Store, snapshotId: number): AsyncGenerator<Row[]> {
  const shared = await store.query<{ n: number }>(query("analysed_access_exists"));
  // Rows of this snapshot present: it was materialised (no rows: the view, to be sure).
  const present =
    (shared[0]?.n ?? 0) > 0 &&
    ((await store.query<{ n: number }>(query("analysed_access_count"), { s: snapshotId }))[0]?.n ??
      0) > 0;
  if (!present) {
    yield* iterateQueries(store, [{ sql: query("access_rows"), params: { s: snapshotId } }]);
    return;
  }
  await store.query(query("number_access_pages"), { s: snapshotId });
  try {
    for (let from = 0; ; from += PAGE_ROWS) {
      const page = await store.query<Row>(query("access_page"), { from, to: from + PAGE_ROWS });
      if (page.length === 0) break;
      yield page;
    }
  } finally {
    await store.query(query("drop_access_pages"));
  }
}

/** Streams rows, batch by batch, into one sheet (continued past the limit). */
async function streamSheet(
  book: StreamingBook,
  store: Store,
  name: string,
  headers: string,
  source: Iterable<Query> | AsyncIterable<Row[]>,
  extend: (row: Row) => RowInput = (row) => row,
): Promise<void> {
  const sheet = book.sheet(name, columns(headers));
  const batches = Symbol.asyncIterator in source ? source : iterateQueries(store, source);
  for await (const batch of batches) {
    // Synchronous per row; a promise per row would cost more than the row.
    for (const row of batch) if (!sheet.write(extend(row))) await sheet.drained();
  }
  await sheet.close();
}

/** Memberships sorted per query: DuckDB's sort then holds this many rows, not the whole sheet. */
const MEMBERS_PER_QUERY = 100_000;

/**
 * The Members sheet's queries: runs of whole groups in the model's group order (name, then id,
 * the order of the members queries too), so the sheet reads as one sort over all memberships; then
 * the memberships of any group the model does not list, so that no row is ever left out.
 */
function* memberQueries(model: ReportModel, perQuery = MEMBERS_PER_QUERY): Generator<Query> {
  const s = model.snapshot.snapshot_id;
  const among = (ids: string[], join: "SEMI" | "ANTI"): Query => ({
    sql: query(join === "SEMI" ? "members_of_groups" : "members_of_other_groups"),
    params: { s, ids: listValue(ids) },
  });
  let ids: string[] = [];
  let rows = 0;
  for (const group of model.groups) {
    ids.push(group.group_id);
    rows += group.members;
    if (rows >= perQuery) {
      yield among(ids, "SEMI");
      ids = [];
      rows = 0;
    }
  }
  if (ids.length > 0) yield among(ids, "SEMI");
  // An empty list cannot be bound (its type is unknown): with no groups listed, take them all.
  const listed = model.groups.map((g) => g.group_id);
  yield listed.length > 0 ? among(listed, "ANTI") : { sql: query("members"), params: { s } };
}

const SEVERITY_FILLS: readonly [severity: string, argb: string][] = [
  ["critical", "FFF4B6B6"],
  ["high", "FFFAD3A5"],
  ["medium", "FFFFF2A8"],
  ["low", "FFE7E7E7"],
];

/**
 * Writes the workbook of `model` to `path`, streaming the snapshot's large sheets from `store`
 * (the database the model was built from). Memory stays bounded whatever the organization's size.
 */
export async function writeWorkbook(
  store: Store,
  model: ReportModel,
  path: string,
  options: WriteWorkbookOptions = {},
): Promise<WorkbookStats> {
  const params = { s: model.snapshot.snapshot_id };
  const elevated = await elevatedRoleIds(store, model);
  const withElevated = (row: { role_id?: unknown }): RowInput => ({
    ...row,
    elevated: typeof row.role_id === "string" && elevated.has(row.role_id),
  });
  const book = await StreamingBook.create(path, documentProperties(model), options.maxRowsPerSheet);
  try {
    await book.sheetFrom("Summary", columns("section item value new detail"), summaryRows(model));
    await book.sheetFrom(
      "Changes",
      columns(
        "kind label actor attribution made_by event_time event_ids reason elevated group_id " +
          "group_name user_id user role_id role_name before after detail",
      ),
      changeRows(model),
    );
    await book.sheetFrom(
      "Changes by actor",
      columns("made_by attribution changes elevated_changes"),
      model.changes_by_actor.map((a) => ({
        made_by: a.made_by,
        attribution: a.status,
        changes: a.changes,
        elevated_changes: a.elevated,
      })),
    );
    await book.sheetFrom(
      "Findings",
      columns(
        "severity rule title group_id group_name user_id user role_id role_name detail new " +
          "rationale remediation controls project_id credential_id",
      ),
      model.findings.map((f) => ({ ...f, new: f.is_new })),
      {
        // Rules rather than per-cell styles: they hold when an auditor sorts or filters.
        finish: (sheet, rows) => {
          sheet.addConditionalFormatting({
            ref: `A2:A${Math.max(rows + 1, 2)}`,
            rules: SEVERITY_FILLS.map(([severity, argb], i) => ({
              type: "cellIs",
              operator: "equal",
              priority: i + 1,
              formulae: [`"${severity}"`],
              style: { fill: { type: "pattern", pattern: "solid", bgColor: { argb } } },
            })),
          });
        },
      },
    );
    await streamSheet(
      book,
      store,
      "Effective access",
      "user_id email role_id role_name via via_group_id via_group_name " +
        "via_group_is_scim_managed elevated",
      effectiveAccessRows(store, model.snapshot.snapshot_id),
      withElevated,
    );
    await book.sheetFrom(
      "Groups",
      columns("group_id name group_type is_scim_managed created_at members roles elevated"),
      model.groups,
    );
    await streamSheet(
      book,
      store,
      "Members",
      "group_id group_name user_id email name",
      memberQueries(model, options.membersPerQuery),
    );
    await streamSheet(
      book,
      store,
      "Group roles",
      "group_id group_name role_id role_name permissions predefined_role resource_type elevated",
      [{ sql: query("group_roles"), params }],
      withElevated,
    );
    await streamSheet(
      book,
      store,
      "Users",
      "user_id email name role is_scim_managed is_service_account added_at api_key_last_used_at",
      [{ sql: query("users"), params }],
    );
    await streamSheet(
      book,
      store,
      "Roles",
      "role_id name description permissions predefined_role resource_type elevated",
      [{ sql: query("roles"), params }],
      withElevated,
    );
    await book.sheetFrom(
      "Projects",
      columns(
        "project_id name status archived created_at archived_at owner_count owners members " +
          "groups custom_roles",
      ),
      projectRows(model),
    );
    await streamSheet(
      book,
      store,
      "Project access",
      "project_id project_name user_id email role_id role_name via via_group_id via_group_name " +
        "via_group_is_scim_managed",
      [{ sql: query("project_access"), params }],
    );
    await book.sheetFrom(
      "Credentials",
      columns(
        "kind project_id project_name credential_id name redacted_value owner_type owner_id " +
          "owner owner_email owner_role owner_project_access role status projects created_at " +
          "expires_at last_used_at last_used age_days findings",
      ),
      credentialRows(model),
    );
    await book.sheetFrom(
      "Completeness",
      columns("snapshot_id section item value pages completed sha256"),
      completenessRows(model),
    );
    await book.commit();
  } catch (error) {
    await book.abort();
    throw error;
  }
  return { sheets: book.parts };
}
