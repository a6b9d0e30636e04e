/**
 * One crawl's snapshot: staged while the crawl runs, made visible only by
 * `publish()`, in one transaction with its history merge and seal.
 *
 * `add*` and `record*` are synchronous: each row is encoded into a text block
 * (see staging.ts) and blocks are appended to a TEMP staging table a DataChunk
 * at a time whenever the connection is idle. `flush`, `dropGroup`, `dropUser`,
 * `publish` and `abort` are async.
 */
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import type { Logger } from "pino";
import { duckdb } from "../util/duckdb.js";
import { memoryLimitLiteral, type SerialConnection } from "./db.js";
import { StoreError } from "./errors.js";
import { SCHEMA_VERSION } from "./migrations.js";
import {
  type CoverageScope,
  FACT_TABLES,
  type FactTable,
  ident,
  type SnapshotCounts,
} from "./schema.js";
import { computeSeal, GENESIS_SEAL, hashStagedParts, type SealPart } from "./seal.js";
import {
  createStageBuffer,
  type StageBuffer,
  type StagedTable,
  unpackStageSql,
} from "./staging.js";

export interface SnapshotMeta {
  baseUrl: string;
  toolVersion: string;
  /** The admin key in its redacted form (`redactKey`), never the key itself. */
  keyRedacted: string;
  /**
   * Coverage scopes this crawl leaves out on purpose (`--no-projects`, ...): recorded with the
   * snapshot, and rows of their fact types are refused.
   */
  uncollected?: readonly CoverageScope[];
  /** The OS user and host running the crawl (evidence, not secrets); null when unknown. */
  crawlUser?: string | null;
  crawlHost?: string | null;
  /**
   * When the crawl started (epoch ms), if before the writer: a crawl reads the API while its
   * database opens, and `started_at` stays before its first request. Default: now.
   */
  startedAt?: number;
}

export interface EndpointRecord {
  /** The endpoint template, e.g. `/organization/groups/{group_id}/users`. */
  endpoint: string;
  pages: number;
  items: number;
  /** Read to `has_more=false`. */
  completed: boolean;
}

/** DuckDB memory_limit while staging and while publishing (see StoreOpenOptions). */
export interface MemoryLimits {
  staging: string;
  publish: string;
  /** Used for one retry when a publish runs out of memory. */
  publishRetry: string;
  /** The connection's own limit, set again once the writer is done. */
  connection: string;
}

/**
 * Where a writer staging apart from the database publishes (Store's `stageApart`): its staging
 * connection belongs to a crawl scratch (openCrawlScratch), and the database is attached to it
 * only to publish, or to record a failure. Until then the database stays free for readers.
 */
export interface PublishTarget {
  /** The id the database would give the snapshot when staging began (settled at publish). */
  readonly expectedId: number;
  /** Attaches the database as the connection's default catalog; returns the detach. */
  attach(raw: DuckDBConnection): Promise<() => Promise<void>>;
  /** Called once when the writer is done (published, failed or aborted). */
  finished(): Promise<void>;
}

export interface PublishStats {
  requests: number;
  retries: number;
  rateLimited: number;
  /** What the API named the organization (`openai-organization` header); null: it did not. */
  organizationId?: string | null;
}

export interface PublishResult {
  snapshotId: number;
  seal: string;
  counts: SnapshotCounts;
  /**
   * Milliseconds per publish phase: flush, unpack, dedupe, digest (the seal parts of the
   * stage tables the merge leaves as they are), merge, evidence, seal, commit, checkpoint.
   * Staging apart, `attach` and `running` (the snapshot's row) follow digest and `detach` ends
   * the list: the database is held from attach to detach only.
   */
  timings: Record<string, number>;
}

/**
 * Writes one snapshot. `add*` encode the row at once (the object may be
 * reused afterwards) and throw a TypeError for a value of the wrong type.
 */
export interface SnapshotWriter {
  readonly snapshotId: number;
  /** Stages one row of a fact type (src/facts), e.g. `add(GROUPS, groupRow(group))`. */
  add<Row>(table: FactTable<Row>, row: Row): void;
  /** A group that vanished mid-crawl: removes every group, member and group-role row staged for it so far. */
  dropGroup(groupId: string): Promise<void>;
  /**
   * A project member (or attached group) that vanished mid-crawl: removes its membership (or
   * attachment) and project role rows staged so far, and records it in the evidence.
   */
  dropProjectAccess(
    projectId: string,
    principalType: "user" | "group",
    principalId: string,
  ): Promise<void>;
  /** Pushes every row added so far into DuckDB's staging tables (publish does this too). */
  flush(): Promise<void>;
  /** Adds to the endpoint's totals (pages and items sum; completed only if every call says so). */
  recordEndpoint(e: EndpointRecord): void;
  recordVanishedGroup(groupId: string): void;
  /** A user that vanished mid-crawl: removes the user and user-role rows staged for it so far. */
  dropUser(userId: string): Promise<void>;
  recordVanishedUser(userId: string): void;
  /** Call only when every page of every endpoint was read to has_more=false. */
  publish(stats: PublishStats): Promise<PublishResult>;
  /** Marks the snapshot failed and drops its staging. A no-op once published or aborted. */
  abort(reason: string): Promise<void>;
}

type WriterState = "staging" | "publishing" | "published" | "failed";

/** One staging buffer per fact type, by its part name, in FACT_TABLES order. */
type Buffers = ReadonlyMap<string, StageBuffer<never>>;

/** TEMP table of rows to remove at publish (vanished groups and users). */
const DROPS_TABLE = "stage_drops";

/** The stage tables once ready to merge: rows per fact type, duplicate rows removed. */
interface Prepared {
  counts: SnapshotCounts;
  duplicateRows: number;
  /** Seal part hashes of the stage tables the merge does not change (see prepare). */
  hashed: ReadonlyMap<string, SealPart>;
}

interface PublishedSeal {
  seal: string;
  counts: SnapshotCounts;
  changes: Record<string, { inserted: number; closed: number }>;
}

/** Per-phase wall time and RSS of a publish, for the log; `phase` names where a failure happened. */
class PhaseTimer {
  readonly timings: Record<string, number> = {};
  phase = "flush";
  private readonly started = performance.now();
  private mark = this.started;

  lap(finished: string): void {
    const now = performance.now();
    this.timings[finished] = Math.round(now - this.mark);
    this.timings[`${finished}RssMb`] = Math.round(process.memoryUsage.rss() / 1e6);
    // The process's peak so far (maxRSS is in KiB): a phase's own high-water mark falls between
    // two laps.
    const peakBytes = process.resourceUsage().maxRSS * 1024;
    this.timings[`${finished}PeakRssMb`] = Math.round(peakBytes / 1e6);
    this.mark = now;
    this.phase = `after ${finished}`;
  }

  elapsed(): number {
    return Math.round(performance.now() - this.started);
  }
}

export function isOutOfMemory(error: unknown): boolean {
  return /Out of Memory Error/i.test(errorText(error));
}

/** Instance-wide; staging runs with a low limit so TEMP tables spill early. */
async function setMemoryLimit(raw: DuckDBConnection, limit: string): Promise<void> {
  await raw.run(`SET memory_limit = ${memoryLimitLiteral(limit)}`);
}

function nowValue() {
  return duckdb().timestampTZValue(BigInt(Date.now()) * 1000n);
}

/** The key of a drop: the parent's id values joined by U+001F (as `concat_ws(chr(31), …)` in SQL). */
function dropId(values: readonly string[]): string {
  return values.join("\u001f");
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Same fact: equal key and no attribute distinct (NULL-safe, lists compared whole). */
function sameFact(table: FactTable, a: string, b: string): string {
  return table.columns
    .map(({ name }) =>
      table.key.includes(name)
        ? `${a}.${ident(name)} = ${b}.${ident(name)}`
        : `${a}.${ident(name)} IS NOT DISTINCT FROM ${b}.${ident(name)}`,
    )
    .join(" AND ");
}

/**
 * Facts unchanged since the previous complete snapshot keep their row; new or
 * changed versions start at this snapshot; versions no longer seen end at the
 * previous complete snapshot. Rows per snapshot therefore grow with churn only.
 */
async function mergeIntoHistory(
  connection: DuckDBConnection,
  table: FactTable,
  snapshotId: number,
  previousComplete: number | null,
  staged: boolean,
): Promise<{ inserted: number; closed: number }> {
  if (!staged) {
    // Nothing staged (no stage table): every current version ends; the same as the anti joins below.
    const closed = await connection.run(
      `UPDATE ${ident(table.hist)} SET valid_to = coalesce($2::INTEGER, valid_from - 1)
       WHERE valid_to IS NULL AND valid_from < $1::INTEGER`,
      [snapshotId, previousComplete],
    );
    return { inserted: 0, closed: closed.rowsChanged };
  }
  if (table.usage !== undefined) await keepRecordedUsage(connection, table, snapshotId);
  const columns = table.columns.map((c) => ident(c.name)).join(", ");
  const stageColumns = table.columns.map((c) => `s.${ident(c.name)}`).join(", ");
  const hist = ident(table.hist);
  const stage = ident(table.stage);
  // Explicit ANTI JOINs against only the current versions: a plain hash anti
  // join, several times faster than the equivalent NOT EXISTS under a low memory_limit.
  const inserted = await connection.run(
    `INSERT INTO ${hist} (${columns}, valid_from, valid_to)
     SELECT ${stageColumns}, $1::INTEGER, NULL
     FROM ${stage} AS s
     ANTI JOIN (SELECT * FROM ${hist} WHERE valid_to IS NULL) AS h ON ${sameFact(table, "h", "s")}`,
    [snapshotId],
  );
  // Without a previous complete snapshot there is nothing legitimate to close;
  // anything found was not written by publish and is hidden (verify reports it).
  const closed = await connection.run(
    `UPDATE ${hist} SET valid_to = coalesce($2::INTEGER, valid_from - 1)
     WHERE rowid IN (
       SELECT h.rowid FROM ${hist} AS h
       ANTI JOIN ${stage} AS s ON ${sameFact(table, "s", "h")}
       WHERE h.valid_to IS NULL AND h.valid_from < $1::INTEGER)`,
    [snapshotId, previousComplete],
  );
  return { inserted: inserted.rowsChanged, closed: closed.rowsChanged };
}

/**
 * A use of a key is not a change of access: the staged usage timestamp takes the current
 * version's value unless that value is null, the new one is null or earlier, or the recorded
 * use is at least the resolution (less a day, the margin for a long crawl) before this
 * snapshot's start (UsageColumn in src/facts/types.ts). The row then versions only on other
 * changes, on a first use, or once per resolution of constant use.
 */
async function keepRecordedUsage(
  connection: DuckDBConnection,
  table: FactTable,
  snapshotId: number,
): Promise<void> {
  const usage = table.usage;
  if (usage === undefined) return;
  const column = ident(usage.column);
  const stage = ident(table.stage);
  const keys = table.key.map((k) => `${stage}.${ident(k)} = h.${ident(k)}`).join(" AND ");
  await connection.run(
    `UPDATE ${stage} SET ${column} = h.${column}
     FROM (SELECT * FROM ${ident(table.hist)} WHERE valid_to IS NULL) AS h
     WHERE ${keys}
       AND ${stage}.${column} > h.${column}
       AND h.${column} > (SELECT started_at FROM snapshot_runs WHERE snapshot_id = $1)
         - to_days($2::INTEGER) + INTERVAL 1 DAY`,
    [snapshotId, usage.resolutionDays],
  );
}

/** Rows per INSERT of insertRows: a statement per row cost more than the rows themselves. */
const ROWS_PER_INSERT = 256;

/** Inserts rows (values in `columns` order) with one parameterised INSERT per ROWS_PER_INSERT rows. */
async function insertRows(
  raw: DuckDBConnection,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly DuckDBValue[])[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const batch = rows.slice(start, start + ROWS_PER_INSERT);
    const tuples = batch.map(
      (_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(", ")})`,
    );
    await raw.run(
      `INSERT INTO ${ident(table)} (${columns.map(ident).join(", ")}) VALUES ${tuples.join(", ")}`,
      batch.flat(),
    );
  }
}

/** Inserts and commits a snapshot's `running` row with the next id; returns the id. */
async function insertRunningRow(
  raw: DuckDBConnection,
  meta: SnapshotMeta,
  startedAt: number,
): Promise<number> {
  const next = await raw.runAndReadAll(
    "SELECT (coalesce(max(snapshot_id), 0) + 1)::INTEGER FROM snapshot_runs",
  );
  const snapshotId = Number(next.getRowsJS()[0]?.[0]);
  await raw.run(
    `INSERT INTO snapshot_runs
       (snapshot_id, started_at, status, base_url, tool_version, key_redacted, schema_version,
        uncollected)
     VALUES ($1, $2, 'running', $3, $4, $5, $6, $7::VARCHAR[])`,
    [
      snapshotId,
      duckdb().timestampTZValue(BigInt(startedAt) * 1000n),
      meta.baseUrl,
      meta.toolVersion,
      meta.keyRedacted,
      SCHEMA_VERSION,
      JSON.stringify([...new Set(meta.uncollected ?? [])].sort()),
    ],
  );
  return snapshotId;
}

/**
 * Keeps the last staged row per key (a page read twice, a user renamed between pages); returns
 * the rows removed and the rows kept.
 */
async function removeDuplicateKeys(
  connection: DuckDBConnection,
  table: FactTable,
): Promise<{ duplicates: number; rows: number }> {
  const stage = ident(table.stage);
  const key = table.key.map(ident).join(", ");
  const reader = await connection.runAndReadAll(
    `SELECT (SELECT count(*) FROM ${stage})::INTEGER, (SELECT count(*) FROM (SELECT DISTINCT ${key} FROM ${stage}))::INTEGER`,
  );
  const [all, distinct] = (reader.getRowsJS()[0] ?? [0, 0]).map(Number) as [number, number];
  if (all > distinct) {
    await connection.run(
      `DELETE FROM ${stage} WHERE seq NOT IN (SELECT max(seq) FROM ${stage} GROUP BY ${key})`,
    );
  }
  return { duplicates: all - distinct, rows: distinct };
}

export class StoreSnapshotWriter implements SnapshotWriter {
  private state: WriterState = "staging";
  private readonly endpoints = new Map<string, EndpointRecord>();
  private readonly vanishedGroups = new Set<string>();
  private readonly vanishedUsers = new Set<string>();
  /**
   * Publish progress that survives a retry: tables already unpacked; per table de-duplicated,
   * the duplicates removed and the rows kept.
   */
  private readonly unpacked = new Set<string>();
  private readonly staged = new Map<string, { duplicates: number; rows: number }>();
  private prepared: Prepared | null = null;
  private readonly vanishedProjectAccess = new Map<
    string,
    { projectId: string; principalType: string; principalId: string }
  >();
  /** Staged rows to remove at publish: `id` is the values of the table's `vanishesWith` columns. */
  private readonly drops: { table: FactTable; id: string; beforeSeq: number }[] = [];
  private readonly stopIdleListener: () => void;

  private readonly uncollected: ReadonlySet<CoverageScope>;
  /**
   * Who runs the crawl: written with the publish, whose memory budget has room for it (the
   * `running` row is inserted under the staging budget, which a tight limit leaves no room in).
   */
  private readonly runBy: { user: string | null; host: string | null };
  /** Whether the `running` row is in the database (at once, or at publish with a target). */
  private runningRecorded: boolean;

  private constructor(
    private id: number,
    private readonly connection: SerialConnection,
    private readonly buffers: Buffers,
    private readonly memoryLimits: MemoryLimits,
    private readonly logger: Logger,
    private readonly onFinished: () => void,
    private readonly meta: SnapshotMeta,
    private readonly startedAt: number,
    private readonly target: PublishTarget | null,
  ) {
    this.uncollected = new Set(meta.uncollected ?? []);
    this.runBy = { user: meta.crawlUser ?? null, host: meta.crawlHost ?? null };
    this.runningRecorded = target === null;
    this.stopIdleListener = connection.onIdle(() => {
      for (const buffer of this.allBuffers()) buffer.appendReady();
    });
  }

  /**
   * Creates the staging tables, then inserts and commits the `running` row; with a `target`
   * (staging apart from the database) the row waits for the publish (recordRunning).
   */
  static async begin(
    connection: SerialConnection,
    meta: SnapshotMeta,
    memoryLimits: MemoryLimits,
    logger: Logger,
    onFinished: () => void,
    target: PublishTarget | null = null,
  ): Promise<StoreSnapshotWriter> {
    return connection.exclusive(async (raw) => {
      // Staging first: if it cannot be set up, no `running` row is left behind.
      const buffers = new Map<string, StageBuffer<never>>();
      for (const table of FACT_TABLES) {
        buffers.set(table.part, await createStageBuffer(raw, connection, table));
      }
      const startedAt = meta.startedAt ?? Date.now();
      let snapshotId: number;
      try {
        // Committed on its own, before any data: a crash from here on is visible as `running`.
        snapshotId = target?.expectedId ?? (await insertRunningRow(raw, meta, startedAt));
        await setMemoryLimit(raw, memoryLimits.staging);
      } catch (error) {
        for (const buffer of buffers.values()) buffer.discard();
        throw error;
      }
      logger.info({ snapshotId, baseUrl: meta.baseUrl }, "snapshot started");
      return new StoreSnapshotWriter(
        snapshotId,
        connection,
        buffers,
        memoryLimits,
        logger,
        onFinished,
        meta,
        startedAt,
        target,
      );
    });
  }

  get snapshotId(): number {
    return this.id;
  }

  add<Row>(table: FactTable<Row>, row: Row): void {
    this.assertStaging();
    const buffer = this.buffers.get(table.part) as StageBuffer<Row> | undefined;
    if (buffer === undefined) throw new TypeError(`${table.part} is not a declared fact type`);
    if (this.uncollected.has(table.coverage)) {
      throw new TypeError(
        `${table.part} belongs to coverage scope ${table.coverage}, which this snapshot does not collect`,
      );
    }
    buffer.add(row);
  }

  recordEndpoint(e: EndpointRecord): void {
    this.assertStaging();
    const seen = this.endpoints.get(e.endpoint);
    this.endpoints.set(
      e.endpoint,
      seen
        ? {
            endpoint: e.endpoint,
            pages: seen.pages + e.pages,
            items: seen.items + e.items,
            completed: seen.completed && e.completed,
          }
        : { ...e },
    );
  }

  recordVanishedGroup(groupId: string): void {
    this.assertStaging();
    this.vanishedGroups.add(groupId);
  }

  recordVanishedUser(userId: string): void {
    this.assertStaging();
    this.vanishedUsers.add(userId);
  }

  async dropGroup(groupId: string): Promise<void> {
    this.recordDrop(["group_id"], [groupId]);
    this.logger.debug({ snapshotId: this.snapshotId, groupId }, "dropping staged rows of group");
  }

  async dropUser(userId: string): Promise<void> {
    this.recordDrop(["user_id"], [userId]);
    this.logger.debug({ snapshotId: this.snapshotId, userId }, "dropping staged rows of user");
  }

  async dropProjectAccess(
    projectId: string,
    principalType: "user" | "group",
    principalId: string,
  ): Promise<void> {
    this.recordDrop(
      ["project_id", principalType === "user" ? "user_id" : "group_id"],
      [projectId, principalId],
    );
    this.vanishedProjectAccess.set(JSON.stringify([projectId, principalType, principalId]), {
      projectId,
      principalType,
      principalId,
    });
    this.logger.debug(
      { snapshotId: this.snapshotId, projectId, principalType, principalId },
      "dropping staged project rows of a vanished member or group",
    );
  }

  async flush(): Promise<void> {
    this.assertStaging();
    await this.connection.exclusive(async () => {
      for (const buffer of this.allBuffers()) buffer.flushToTable();
    });
  }

  /**
   * Rows are packed in blocks, so they are removed at publish: every row of
   * `id` added before this call (its `seq` is below the watermark), none after.
   */
  private recordDrop(columns: readonly string[], values: readonly string[]): void {
    this.assertStaging();
    const wanted = columns.join(",");
    for (const buffer of this.allBuffers()) {
      if (buffer.table.vanishesWith?.join(",") !== wanted) continue;
      this.drops.push({ table: buffer.table, id: dropId(values), beforeSeq: buffer.rowsAdded });
    }
  }

  async publish(stats: PublishStats): Promise<PublishResult> {
    this.assertStaging();
    const incomplete = [...this.endpoints.values()].filter((e) => !e.completed);
    if (incomplete.length > 0) {
      throw new StoreError(
        "INCOMPLETE_CRAWL",
        `snapshot ${this.snapshotId} cannot be published: endpoint ${incomplete.map((e) => e.endpoint).join(", ")} was not read to the end`,
      );
    }
    this.state = "publishing";
    const timer = new PhaseTimer();
    try {
      const result = await this.connection.exclusive(async (raw) => {
        for (const buffer of this.allBuffers()) buffer.close();
        timer.lap("flush");
        // Staging apart, unpacking and de-duplicating touch only the scratch: done before the
        // database is attached, so readers wait for the merge and seal alone.
        if (this.target !== null) {
          await this.withMemoryRetry(raw, timer, () => this.prepare(raw, timer));
        }
        return this.onDatabase(
          raw,
          async () => {
            await this.recordRunning(raw);
            if (this.target !== null) timer.lap("running");
            return this.publishExclusive(raw, stats, timer);
          },
          timer,
        );
      });
      this.state = "published";
      this.logger.debug({ snapshotId: this.snapshotId, timings: timer.timings }, "publish timings");
      const timings = Object.fromEntries(
        Object.entries(timer.timings).filter(([phase]) => !phase.endsWith("RssMb")),
      );
      return { ...result, timings };
    } catch (error) {
      this.state = "failed";
      await this.connection
        .exclusive(async (raw) => {
          for (const buffer of this.allBuffers()) buffer.discard();
          await this.onDatabase(raw, async () => {
            await setMemoryLimit(raw, this.memoryLimits.publish);
            await this.recordRunning(raw);
            await this.markFailed(raw, `publish failed: ${errorText(error)}`);
          });
        })
        .catch((markError: unknown) =>
          this.logger.error({ err: markError }, "could not mark snapshot failed"),
        );
      throw error;
    } finally {
      await this.finish();
    }
  }

  async abort(reason: string): Promise<void> {
    if (this.state !== "staging") return;
    this.state = "failed";
    try {
      await this.connection.exclusive(async (raw) => {
        for (const buffer of this.allBuffers()) buffer.discard();
        await this.onDatabase(raw, async () => {
          await setMemoryLimit(raw, this.memoryLimits.publish);
          await this.recordRunning(raw);
          await this.markFailed(raw, reason);
        });
      });
      this.logger.warn({ snapshotId: this.snapshotId, reason }, "snapshot aborted");
    } finally {
      await this.finish();
    }
  }

  /**
   * Runs `work` with the database at hand: attached for it when staging apart (see
   * PublishTarget), timed as the phases `attach` and `detach` when a timer is given.
   */
  private async onDatabase<T>(
    raw: DuckDBConnection,
    work: () => Promise<T>,
    timer?: PhaseTimer,
  ): Promise<T> {
    if (this.target === null) return work();
    const detach = await this.target.attach(raw);
    timer?.lap("attach");
    try {
      return await work();
    } finally {
      await detach().catch((error: unknown) =>
        this.logger.warn({ err: error }, "could not detach the database after publishing"),
      );
      timer?.lap("detach");
    }
  }

  /**
   * Staging apart, the `running` row is written only now, with the id the database gives next
   * (the one expected unless another writer made a snapshot meanwhile) and the crawl's start.
   */
  private async recordRunning(raw: DuckDBConnection): Promise<void> {
    if (this.runningRecorded) return;
    await setMemoryLimit(raw, this.memoryLimits.publish);
    this.id = await insertRunningRow(raw, this.meta, this.startedAt);
    this.runningRecorded = true;
  }

  /** Sets the publish memory_limit for `work`, and retries it once with more on running out. */
  private async withMemoryRetry<T>(
    raw: DuckDBConnection,
    timer: PhaseTimer,
    work: () => Promise<T>,
  ): Promise<T> {
    await setMemoryLimit(raw, this.memoryLimits.publish);
    try {
      return await work();
    } catch (error) {
      // A join or sort that cannot spill far enough fails the whole crawl; one
      // retry with more room is cheaper than crawling again.
      if (!isOutOfMemory(error)) throw error;
      this.logger.warn(
        { snapshotId: this.snapshotId, phase: timer.phase, err: errorText(error) },
        `publish ran out of memory; retrying once with memory_limit ${this.memoryLimits.publishRetry}`,
      );
      await setMemoryLimit(raw, this.memoryLimits.publishRetry);
      try {
        return await work();
      } finally {
        await setMemoryLimit(raw, this.memoryLimits.publish);
      }
    }
  }

  private async publishExclusive(
    raw: DuckDBConnection,
    stats: PublishStats,
    timer: PhaseTimer,
  ): Promise<Omit<PublishResult, "timings">> {
    const sealed = await this.withMemoryRetry(raw, timer, () =>
      this.unpackMergeAndSeal(raw, stats, timer),
    );
    this.logger.info(
      {
        snapshotId: this.snapshotId,
        seal: sealed.seal,
        counts: sealed.counts,
        changes: sealed.changes,
        timings: timer.timings,
        ms: timer.elapsed(),
      },
      "snapshot published",
    );
    // Committed: from here on nothing may turn the publish into a failure.
    await this.dropStaging(raw).catch((error: unknown) =>
      this.logger.warn({ err: error }, "could not drop staging tables"),
    );
    await this.checkpoint(raw);
    timer.lap("checkpoint");
    return { snapshotId: this.snapshotId, seal: sealed.seal, counts: sealed.counts };
  }

  /**
   * The staged rows as typed stage tables: unpacked, vanished rows dropped, duplicate keys
   * removed (the last row kept). Touches staging only; remembers what it finished, so it runs
   * again after a failure, or as a no-op once done.
   */
  private async prepare(raw: DuckDBConnection, timer: PhaseTimer): Promise<Prepared> {
    if (this.prepared !== null) return this.prepared;
    await this.stageDrops(raw);
    const emptyRawStages: string[] = [];
    for (const table of FACT_TABLES) {
      if (this.unpacked.has(table.part)) continue;
      if (!this.hasStaged(table)) {
        emptyRawStages.push(`DROP TABLE ${ident(table.rawStage)};`);
        this.unpacked.add(table.part);
        continue;
      }
      await raw.run(`${unpackStageSql(table)};\nDROP TABLE ${ident(table.rawStage)};`);
      const columns = table.vanishesWith;
      if (columns !== undefined && this.drops.some((d) => d.table === table)) {
        const stage = ident(table.stage);
        const id = `concat_ws(chr(31), ${columns.map((c) => `${stage}.${ident(c)}`).join(", ")})`;
        await raw.run(
          `DELETE FROM ${stage} USING ${DROPS_TABLE} AS d
           WHERE d.part = $1 AND ${id} = d.id AND ${stage}.seq < d.before_seq`,
          [table.part],
        );
      }
      this.unpacked.add(table.part);
    }
    // One statement for every empty table: a small crawl leaves most of them empty.
    if (emptyRawStages.length > 0) await raw.run(emptyRawStages.join("\n"));
    timer.lap("unpack");
    for (const table of FACT_TABLES) {
      if (this.staged.has(table.part)) continue;
      this.staged.set(
        table.part,
        this.hasStaged(table) ? await removeDuplicateKeys(raw, table) : { duplicates: 0, rows: 0 },
      );
    }
    const staged = [...this.staged.values()];
    const duplicateRows = staged.reduce((sum, table) => sum + table.duplicates, 0);
    if (duplicateRows > 0) {
      this.logger.warn(
        { snapshotId: this.snapshotId, duplicateRows },
        "crawl delivered rows with the same key more than once; kept the last",
      );
    }
    timer.lap("dedupe");
    // The stage tables are final now, except where the merge keeps a recorded usage time
    // (keepRecordedUsage): the others' seal parts are hashed here, before the database is
    // attached when staging apart.
    const hashed = await hashStagedParts(
      raw,
      new Map(
        FACT_TABLES.filter((t) => t.usage === undefined && this.hasStaged(t)).map((t) => [
          t.part,
          this.staged.get(t.part)?.rows ?? 0,
        ]),
      ),
    );
    timer.lap("digest");
    const counts = Object.fromEntries(
      FACT_TABLES.map((t) => [t.countColumn, this.staged.get(t.part)?.rows ?? 0]),
    ) as unknown as SnapshotCounts;
    this.prepared = { counts, duplicateRows, hashed };
    return this.prepared;
  }

  /**
   * Everything up to COMMIT. Safe to run again after a failure: unpacking and
   * de-duplication remember what they finished, and the transaction rolls back.
   */
  private async unpackMergeAndSeal(
    raw: DuckDBConnection,
    stats: PublishStats,
    timer: PhaseTimer,
  ): Promise<PublishedSeal> {
    const { counts, duplicateRows, hashed } = await this.prepare(raw, timer);
    const previous = await raw.runAndReadAll(
      `SELECT snapshot_id, seal FROM snapshot_runs WHERE status = 'complete'
       ORDER BY snapshot_id DESC LIMIT 1`,
    );
    const previousRow = previous.getRowObjectsJS()[0];
    const previousId = previousRow ? Number(previousRow.snapshot_id) : null;
    const previousSeal = typeof previousRow?.seal === "string" ? previousRow.seal : GENESIS_SEAL;

    const changes: Record<string, { inserted: number; closed: number }> = {};
    await raw.run("BEGIN TRANSACTION");
    try {
      for (const table of FACT_TABLES) {
        changes[table.part] = await mergeIntoHistory(
          raw,
          table,
          this.snapshotId,
          previousId,
          this.hasStaged(table),
        );
      }
      timer.lap("merge");
      // One count column per fact type (its `countColumn`), then the run's own figures.
      const countColumns = FACT_TABLES.map((t) => t.countColumn);
      const assignments = countColumns.map((c, i) => `${ident(c)} = $${i + 3}`);
      const next = countColumns.length + 3;
      await raw.run(
        `UPDATE snapshot_runs SET status = 'complete', finished_at = $2,
           ${assignments.join(", ")}, requests = $${next}, retries = $${next + 1},
           rate_limited = $${next + 2}, vanished_groups = $${next + 3},
           vanished_users = $${next + 4}, duplicate_rows = $${next + 5},
           vanished_project_access = $${next + 6}, organization_id = $${next + 7},
           crawl_user = $${next + 8}, crawl_host = $${next + 9}
         WHERE snapshot_id = $1`,
        [
          this.snapshotId,
          nowValue(),
          ...countColumns.map((c) => counts[c]),
          stats.requests,
          stats.retries,
          stats.rateLimited,
          this.vanishedGroups.size,
          this.vanishedUsers.size,
          duplicateRows,
          this.vanishedProjectAccess.size,
          stats.organizationId ?? null,
          this.runBy.user,
          this.runBy.host,
        ],
      );
      await this.insertEvidence(raw);
      timer.lap("evidence");
      const sealed = await computeSeal(raw, this.snapshotId, previousSeal, {
        parts: this.stagedParts(),
        hashed,
      });
      timer.lap("seal");
      await raw.run("UPDATE snapshot_runs SET seal = $2 WHERE snapshot_id = $1", [
        this.snapshotId,
        sealed.seal,
      ]);
      await insertRows(
        raw,
        "run_seal_parts",
        ["snapshot_id", "part", "row_count", "sha256"],
        sealed.parts.map((p) => [this.snapshotId, p.part, p.rowCount, p.sha256]),
      );
      await raw.run("COMMIT");
      timer.lap("commit");
      return { seal: sealed.seal, counts, changes };
    } catch (error) {
      await raw.run("ROLLBACK").catch(() => {});
      throw error;
    }
  }

  /** The recorded drops as a TEMP table, so each staged table needs one DELETE however many vanished. */
  private async stageDrops(raw: DuckDBConnection): Promise<void> {
    if (this.drops.length === 0) return;
    await raw.run(
      `CREATE OR REPLACE TEMP TABLE ${DROPS_TABLE} (part VARCHAR, id VARCHAR, before_seq INTEGER)`,
    );
    const appender = await raw.createAppender(DROPS_TABLE, "main", "temp");
    for (const drop of this.drops) {
      appender.appendVarchar(drop.table.part);
      appender.appendVarchar(drop.id);
      appender.appendInteger(drop.beforeSeq);
      appender.endRow();
    }
    appender.closeSync();
  }

  /** The fact parts with a stage table (see hasStaged). */
  private stagedParts(): Set<string> {
    return new Set(FACT_TABLES.filter((t) => this.hasStaged(t)).map((t) => t.part));
  }

  /** Whether any row of `table` was added: a table with none gets no stage table at publish. */
  private hasStaged(table: FactTable): boolean {
    return (this.buffers.get(table.part)?.rowsAdded ?? 0) > 0;
  }

  /** Endpoint totals and vanished groups are kept for every outcome: they explain a failure too. */
  private async insertEvidence(raw: DuckDBConnection): Promise<void> {
    const id = this.snapshotId;
    await insertRows(
      raw,
      "run_endpoints",
      ["snapshot_id", "endpoint", "pages", "items", "completed"],
      [...this.endpoints.values()].map((e) => [id, e.endpoint, e.pages, e.items, e.completed]),
    );
    await insertRows(
      raw,
      "run_vanished_groups",
      ["snapshot_id", "group_id"],
      [...this.vanishedGroups].map((g) => [id, g]),
    );
    await insertRows(
      raw,
      "run_vanished_users",
      ["snapshot_id", "user_id"],
      [...this.vanishedUsers].map((u) => [id, u]),
    );
    await insertRows(
      raw,
      "run_vanished_project_access",
      ["snapshot_id", "project_id", "principal_type", "principal_id"],
      [...this.vanishedProjectAccess.values()].map((v) => [
        id,
        v.projectId,
        v.principalType,
        v.principalId,
      ]),
    );
  }

  private async markFailed(raw: DuckDBConnection, reason: string): Promise<void> {
    await this.dropStaging(raw).catch(() => {});
    await raw.run("BEGIN TRANSACTION");
    try {
      await raw.run(
        `UPDATE snapshot_runs SET status = 'failed', finished_at = $2, error = $3,
           vanished_groups = $4, vanished_users = $5
         WHERE snapshot_id = $1 AND status = 'running'`,
        [this.snapshotId, nowValue(), reason, this.vanishedGroups.size, this.vanishedUsers.size],
      );
      await this.insertEvidence(raw);
      await raw.run("COMMIT");
    } catch (error) {
      await raw.run("ROLLBACK").catch(() => {});
      throw error;
    }
  }

  private async dropStaging(raw: DuckDBConnection): Promise<void> {
    const tables = [DROPS_TABLE, ...FACT_TABLES.flatMap((t) => [t.rawStage, t.stage])];
    await raw.run(tables.map((t) => `DROP TABLE IF EXISTS ${ident(t)};`).join("\n"));
  }

  /** Folds the WAL into the file so freed blocks are reused by the next publish. */
  private async checkpoint(raw: DuckDBConnection): Promise<void> {
    try {
      await raw.run("CHECKPOINT");
    } catch (error) {
      this.logger.warn({ err: error }, "checkpoint after publish failed; DuckDB will retry later");
    }
  }

  private allBuffers(): StagedTable[] {
    return [...this.buffers.values()];
  }

  private assertStaging(): void {
    if (this.state !== "staging") {
      throw new StoreError(
        "WRITER_CLOSED",
        `snapshot ${this.snapshotId} is ${this.state}; no more changes are accepted`,
      );
    }
  }

  private async finish(): Promise<void> {
    this.stopIdleListener();
    if (this.target === null) {
      await this.connection
        .exclusive((raw) => setMemoryLimit(raw, this.memoryLimits.connection))
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, "could not restore the connection's memory_limit"),
        );
    }
    this.onFinished();
    await this.target
      ?.finished()
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, "could not release the crawl's scratch database"),
      );
  }
}
