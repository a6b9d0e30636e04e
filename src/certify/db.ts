/**
 * Writes of the certification stage. The store exposes `query` on its read connection only;
 * certification writes go there too, grouped in a transaction (a campaign's items, up to one per
 * membership, through DuckDB's appender: appendRows).
 * Callers are CLI commands doing one thing at a time: nothing else may query the store while
 * a transaction is open (it would run inside it).
 */
import type { DuckDBValue } from "@duckdb/node-api";
import type { AppendCell, Store } from "../store/index.js";
import { sqlQueries } from "../util/sql-files.js";
import { CertifyError } from "./errors.js";

/** The stage's statements: sql/certify/campaigns.sql. */
export const campaignQuery = sqlQueries("certify/campaigns.sql");

/**
 * A statement of campaigns.sql in which a braced name (`{item_order}`) stands for another of the
 * file's statements (composed in turn), as a subquery: review order and current decisions are
 * written once.
 */
export function composedCampaignQuery(name: string): string {
  return campaignQuery(name).replace(/\{([a-z_]+)\}/g, (_, inner: string) =>
    composedCampaignQuery(inner),
  );
}

export async function inTransaction<T>(store: Store, work: () => Promise<T>): Promise<T> {
  if (store.readOnly) {
    throw new CertifyError("READ_ONLY", `database ${store.path} is open read-only`);
  }
  await store.query(campaignQuery("begin"));
  try {
    const result = await work();
    await store.query(campaignQuery("commit"));
    return result;
  } catch (error) {
    await store.query(campaignQuery("rollback"));
    throw error;
  }
}

/** A campaign row as the stage uses it. */
export interface CampaignRow {
  campaign_id: number;
  name: string;
  snapshot_id: number;
  seal: string;
  scope: Scope;
  baseline_campaign_id: number | null;
  reviewers_sha256: string | null;
  reviewers_source: string;
  undecided_policy: UndecidedPolicy;
  allow_self_review: boolean;
  due_date: string | null;
  secret: string;
  status: "open" | "closed";
  created_at: string;
  closed_at: string | null;
  /** The project ids a `--project` campaign is limited to; null: no such limit. */
  project_filter: string[] | null;
  /**
   * The coverage scopes its snapshot did not collect (`projects`, `project_role_assignments`,
   * `user_roles`), as recorded when it started; null for a campaign started before project
   * grants were certified (migration 7), which reviewed organization grants only.
   */
  uncollected: string[] | null;
}

/**
 * `all`, `elevated` and `changed-since-last` take organization and project grants; `projects`
 * only project grants; `organization` only organization grants (what `all` was before projects);
 * `credentials` only credentials (admin keys, user-owned project keys, service accounts with
 * their keys, pending invites), which no other scope takes.
 */
export const SCOPES = [
  "all",
  "elevated",
  "changed-since-last",
  "projects",
  "organization",
  "credentials",
] as const;
export type Scope = (typeof SCOPES)[number];
export const UNDECIDED_POLICIES = ["keep", "revoke", "escalate"] as const;
export type UndecidedPolicy = (typeof UNDECIDED_POLICIES)[number];
export const ORGANIZATION_KINDS = ["membership", "group_role", "user_role"] as const;
export const PROJECT_KINDS = ["project_membership", "project_group", "project_user_role"] as const;
/**
 * Credentials: an admin key and a pending invite belong to the organization; a user-owned
 * project key and a service account (with its keys) to a project.
 */
export const CREDENTIAL_KINDS = [
  "admin_key",
  "project_api_key",
  "service_account",
  "invite",
] as const;
export type ItemKind =
  | (typeof ORGANIZATION_KINDS)[number]
  | (typeof PROJECT_KINDS)[number]
  | (typeof CREDENTIAL_KINDS)[number];
export type ProjectItemKind = (typeof PROJECT_KINDS)[number];
export type CredentialItemKind = (typeof CREDENTIAL_KINDS)[number];
/** A project grant (not a credential, even one inside a project). */
export const isProjectKind = (kind: ItemKind): kind is ProjectItemKind =>
  (PROJECT_KINDS as readonly string[]).includes(kind);
export const isCredentialKind = (kind: ItemKind): kind is CredentialItemKind =>
  (CREDENTIAL_KINDS as readonly string[]).includes(kind);
export type Decision = "approve" | "revoke" | "needs_info" | "escalated";

/** A grant under review, as frozen from the snapshot: what a reviewer sees of it. */
export interface Grant {
  item_id: string;
  kind: ItemKind;
  group_id: string | null;
  group_name: string | null;
  group_is_scim_managed: boolean | null;
  user_id: string | null;
  user_email: string | null;
  user_name: string | null;
  role_id: string | null;
  role_name: string | null;
  /** The project of a project item; null for an organization item. */
  project_id: string | null;
  project_name: string | null;
  elevated: boolean;
  path: string;
  fingerprint: string;
  /** A credential's id (key, service account or invite); null for a grant. */
  credential_id: string | null;
  credential_name: string | null;
  /** The API's redacted value (a service account: its keys'); never a key itself. */
  redacted_value: string | null;
  /** `user` or `service_account`: who owns a key (a service account item: itself). */
  owner_type: string | null;
  /** Texts as the workbook shows them. */
  credential_created: string | null;
  credential_last_used: string | null;
  credential_expires: string | null;
  /**
   * An admin key: `match` when it is the key the snapshot was crawled with, `ambiguous` when
   * several admin keys could be; null otherwise.
   */
  tool_key: "match" | "ambiguous" | null;
}

/** A campaign's item: the grant plus who reviews it. */
export interface ItemRow extends Grant {
  campaign_id: number;
  reviewer: string;
  reviewer_rule: string;
  self_review: boolean;
  carried_from_campaign_id: number | null;
}

/** A campaign by name, or the newest one when `name` is undefined. */
export async function loadCampaign(store: Store, name?: string): Promise<CampaignRow> {
  const rows =
    name === undefined
      ? await store.query<CampaignRow>(campaignQuery("latest_campaign"))
      : await store.query<CampaignRow>(campaignQuery("campaign_by_name"), [name]);
  const row = rows[0];
  if (row === undefined) {
    throw name === undefined
      ? new CertifyError("NO_CAMPAIGNS", "no campaign yet: run `access-audit certify start`")
      : new CertifyError("CAMPAIGN_NOT_FOUND", `no campaign named "${name}"`);
  }
  return row;
}

export async function loadCampaignById(store: Store, id: number): Promise<CampaignRow | null> {
  const rows = await store.query<CampaignRow>(campaignQuery("campaign_by_id"), [id]);
  return rows[0] ?? null;
}

/** Rows per batch of a campaign's items or decisions, read on the query connection. */
const CAMPAIGN_BATCH_ROWS = 10_000;

/**
 * Every row of `sql`, read in batches on the store's query connection (inside the caller's
 * transaction, if one is open): a million items read whole were a result larger than the
 * store's memory limit, and the command failed with DuckDB's "Out of Memory Error".
 */
async function readInBatches<T>(
  store: Store,
  sql: string,
  ...params: [campaignId: number, ...rest: string[]]
): Promise<T[]> {
  const rows: T[] = [];
  for await (const batch of store.iterateOnQueryConnection<T>(sql, params, CAMPAIGN_BATCH_ROWS)) {
    for (const row of batch) rows.push(row);
  }
  return rows;
}

/** An item's place in review order (sql: item_order). */
interface ItemPosition {
  item_id: string;
  reviewer: string;
  carried: boolean;
  pos: number;
}

/** A campaign's items in review order (sql: item_order). */
export async function loadItems(store: Store, campaignId: number): Promise<ItemRow[]> {
  const position = new Map<string, number>();
  for (const { item_id } of await readInBatches<ItemPosition>(
    store,
    campaignQuery("item_order"),
    campaignId,
  )) {
    position.set(item_id, position.size);
  }
  const items = new Array<ItemRow>(position.size);
  for await (const batch of store.iterateOnQueryConnection<ItemRow>(
    campaignQuery("items"),
    [campaignId],
    CAMPAIGN_BATCH_ROWS,
  )) {
    for (const item of batch) items[position.get(item.item_id) as number] = item;
  }
  return items;
}

/** The items of a campaign assigned to `reviewer`, by item id (unordered: what an import checks against). */
export async function loadReviewerItems(
  store: Store,
  campaignId: number,
  reviewer: string,
): Promise<Map<string, ItemRow>> {
  const items = new Map<string, ItemRow>();
  for (const item of await readInBatches<ItemRow>(
    store,
    campaignQuery("reviewer_items"),
    campaignId,
    reviewer,
  )) {
    items.set(item.item_id, item);
  }
  return items;
}

/** One item of a campaign, whoever reviews it; null if the campaign has no such item. */
export async function loadItem(
  store: Store,
  campaignId: number,
  itemId: string,
): Promise<ItemRow | null> {
  const rows = await store.query<ItemRow>(campaignQuery("item"), [campaignId, itemId]);
  return rows[0] ?? null;
}

/** Items per window of an export or sign-off: about 40 MB of rows and decisions in the JS heap. */
export const EXPORT_WINDOW_ROWS = 16_384;

/** A range of positions of a ReviewOrder: one reviewer's share, or all of them. */
export interface OrderRange {
  items: number;
  first: number;
  last: number;
}

/** One reviewer's share of an export: how many items, and where they lie in review order. */
export interface ExportReviewer extends OrderRange {
  reviewer: string;
}

/** A window of ordered items, in review order, with the decisions recorded on them. */
export interface ReviewBatch {
  items: readonly ItemRow[];
  decisions: ReadonlyMap<string, CurrentDecision>;
}

/**
 * Which items a ReviewOrder lists: `reviewed`, those not carried forward (what an export
 * reviews), or `all` of them (the sign-off).
 */
export type OrderedItems = "reviewed" | "all";

/**
 * A campaign's items (OrderedItems) in review order, read a window of positions at a time:
 * loaded whole, a million items were 2.2 GB of heap. Numbers the items in a TEMP table on the
 * query connection, so it runs inside the caller's transaction; `release` drops it. One at a
 * time per store: each takes the same table.
 */
export class ReviewOrder {
  private constructor(
    private readonly store: Store,
    private readonly campaignId: number,
    readonly reviewers: readonly ExportReviewer[],
    private readonly windowRows: number,
  ) {}

  static async create(
    store: Store,
    campaignId: number,
    items: OrderedItems,
    windowRows = EXPORT_WINDOW_ROWS,
  ): Promise<ReviewOrder> {
    await store.query(composedCampaignQuery("create_review_order"), [campaignId, items === "all"]);
    const reviewers = await store.query<ExportReviewer>(campaignQuery("order_reviewers"));
    return new ReviewOrder(store, campaignId, reviewers, windowRows);
  }

  /** Every position, across reviewers (positions are numbered 1, 2, ... without gaps). */
  get all(): OrderRange {
    const items = this.reviewers.reduce((sum, r) => sum + r.items, 0);
    return { items, first: 1, last: items };
  }

  /**
   * The items of `range` in review order, a window of positions at a time, with their decisions.
   * The next window is read while the caller writes the current one.
   */
  async *batches(range: OrderRange): AsyncGenerator<ReviewBatch> {
    const windows: [number, number][] = [];
    for (let first = range.first; first <= range.last; first += this.windowRows) {
      windows.push([first, Math.min(range.last, first + this.windowRows - 1)]);
    }
    yield* this.read(windows, false);
  }

  /**
   * The items whose current decision is revoke, in review order, at most a window's worth at a
   * time, with their decisions. Their positions are found first, so each window's query spans
   * the positions of its revocations alone: scanning every window of a million items for a few
   * revocations read the campaign's decisions once per window.
   */
  async *revokedBatches(): AsyncGenerator<ReviewBatch> {
    const positions = await this.store.query<{ pos: number }>(
      composedCampaignQuery("order_revoked_positions"),
      [this.campaignId],
    );
    const windows: [number, number][] = [];
    for (let i = 0; i < positions.length; i += this.windowRows) {
      const last = positions[Math.min(positions.length, i + this.windowRows) - 1];
      windows.push([positions[i]?.pos ?? 0, last?.pos ?? 0]);
    }
    yield* this.read(windows, true);
  }

  /** Reads `windows` (first and last positions) in turn, each while the previous is used. */
  private async *read(
    windows: readonly [number, number][],
    revoked: boolean,
  ): AsyncGenerator<ReviewBatch> {
    let next: Promise<ReviewBatch> | null = null;
    try {
      for (const [i, bounds] of windows.entries()) {
        const current: Promise<ReviewBatch> = next ?? this.window(bounds, revoked);
        const following = windows[i + 1];
        next = following === undefined ? null : this.window(following, revoked);
        yield await current;
      }
    } finally {
      // A writer that stopped early (a full disk) leaves no query running on the connection.
      await next?.catch(() => undefined);
    }
  }

  private async window(
    [first, last]: readonly [number, number],
    revoked: boolean,
  ): Promise<ReviewBatch> {
    const bounds = [this.campaignId, first, last];
    const items = await this.store.query<ItemRow>(
      revoked ? composedCampaignQuery("order_revoked_items") : campaignQuery("order_items"),
      bounds,
    );
    const decisions = await this.store.query<CurrentDecision>(
      revoked ? composedCampaignQuery("order_revoked_decisions") : campaignQuery("order_decisions"),
      bounds,
    );
    return { items, decisions: new Map(decisions.map((d) => [d.item_id, d])) };
  }

  async release(): Promise<void> {
    await this.store.query(campaignQuery("drop_review_order"));
  }
}

export interface CurrentDecision {
  item_id: string;
  decision: Decision;
  justification: string | null;
  reviewer: string;
  decided_at: string;
  source: "workbook" | "carried_forward" | "close_policy";
  file_sha256: string | null;
  sheet_row: number | null;
  decision_seq: number;
}

/**
 * The current decision of each decided item of a campaign (decisions are append-only; the latest
 * wins): only of the items assigned to `reviewer`, if given, whoever recorded the decisions.
 */
export async function currentDecisions(
  store: Store,
  campaignId: number,
  reviewer?: string,
): Promise<Map<string, CurrentDecision>> {
  const rows = await (reviewer === undefined
    ? readInBatches<CurrentDecision>(store, campaignQuery("current_decisions"), campaignId)
    : readInBatches<CurrentDecision>(
        store,
        composedCampaignQuery("reviewer_current_decisions"),
        campaignId,
        reviewer,
      ));
  return new Map(rows.map((r) => [r.item_id, r]));
}

export async function nextDecisionSeq(store: Store): Promise<number> {
  const rows = await store.query<{ n: number }>(campaignQuery("next_decision_seq"));
  return rows[0]?.n ?? 1;
}

/**
 * Inserts rows in batches of multi-row VALUES (a prepared insert per row is slow in DuckDB): the
 * one statement certification builds itself, its shape being the table, columns and batch size.
 */
export async function insertRows(
  store: Store,
  table: string,
  columns: readonly string[],
  rows: readonly DuckDBValue[][],
  batch = 200,
): Promise<void> {
  for (let start = 0; start < rows.length; start += batch) {
    const chunk = rows.slice(start, start + batch);
    const params: DuckDBValue[] = [];
    const tuples = chunk.map((row) => {
      const marks = row.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${marks.join(", ")})`;
    });
    await store.query(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")}`,
      params,
    );
  }
}

/**
 * Appends many rows to `table` through DuckDB's appender: into a TEMP table of the same columns,
 * then one INSERT … SELECT. A million campaign items as batched VALUES ran the transaction out of
 * memory after half a minute. Inside a transaction, the rows are part of it.
 */
export async function appendRows(
  store: Store,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly AppendCell[]>,
): Promise<void> {
  const staged = `${table}_appended`;
  const list = columns.join(", ");
  await store.query(
    `CREATE OR REPLACE TEMP TABLE ${staged} AS SELECT ${list} FROM ${table} LIMIT 0`,
  );
  try {
    await store.appendToTempTable(
      staged,
      (function* () {
        for (const row of rows)
          yield Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null]));
      })(),
    );
    await store.query(`INSERT INTO ${table} (${list}) SELECT ${list} FROM temp.${staged}`);
  } finally {
    await store.query(`DROP TABLE IF EXISTS temp.${staged}`);
  }
}

/** A decision to record; `decision_seq` is assigned in order on insert. */
export interface NewDecision {
  campaign_id: number;
  item_id: string;
  decision: string;
  justification: string | null;
  reviewer: string;
  decided_at: string;
  source: "workbook" | "carried_forward" | "close_policy";
  file_sha256?: string | null;
  sheet_row?: number | null;
}

/** Appends decisions (decisions are never updated: the latest per item wins). */
export async function insertDecisions(
  store: Store,
  decisions: readonly NewDecision[],
): Promise<void> {
  if (decisions.length === 0) return;
  let seq = await nextDecisionSeq(store);
  // Closing a campaign of a million items records a million policy decisions.
  await appendRows(
    store,
    "certify_decisions",
    [
      "decision_seq",
      "campaign_id",
      "item_id",
      "decision",
      "justification",
      "reviewer",
      "decided_at",
      "source",
      "file_sha256",
      "sheet_row",
    ],
    (function* () {
      for (const d of decisions) {
        yield [
          seq++,
          d.campaign_id,
          d.item_id,
          d.decision,
          d.justification,
          d.reviewer,
          d.decided_at,
          d.source,
          d.file_sha256 ?? null,
          d.sheet_row ?? null,
        ];
      }
    })(),
  );
}
