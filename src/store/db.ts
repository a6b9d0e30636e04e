/**
 * Opening the DuckDB file: settings, the one-writer rule, and a connection
 * wrapper that serialises work (a DuckDB connection must not run two things at
 * once, and the node bindings run queries on a worker thread).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import {
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
  JsonDuckDBValueConverter,
} from "@duckdb/node-api";
import { isSymlink } from "../util/files.js";
import { lockedError, parseLockConflict, StoreError } from "./errors.js";

export interface DatabaseSettings {
  readOnly: boolean;
  /** DuckDB `memory_limit`; larger work spills to the temp directory instead. */
  memoryLimit: string;
  threads?: number;
}

export interface OpenedDatabase {
  readonly instance: DuckDBInstance;
  readonly path: string;
  /** Where DuckDB spills beyond memory_limit: next to the db file for the writer, a private dir for readers. */
  readonly tempDirectory: string;
  release(): void;
}

/**
 * DuckDB's file lock is per process (fcntl), so a second instance on the same
 * file inside this process would succeed and both would write. This registry
 * refuses that: one writer, or any number of readers, per file per process.
 */
const heldInProcess = new Map<string, { readOnly: boolean; count: number }>();

function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return join(realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    return absolute;
  }
}

export async function openDatabase(
  path: string,
  settings: DatabaseSettings,
): Promise<OpenedDatabase> {
  const absolute = resolve(path);
  if (isSymlink(absolute)) {
    throw new StoreError(
      "DB_SYMLINK",
      `database ${path} is a symbolic link: refusing to follow it (pass the real path)`,
    );
  }
  if (settings.readOnly) {
    if (!existsSync(absolute)) {
      throw new StoreError("DB_NOT_FOUND", `database ${path} does not exist`);
    }
  } else {
    mkdirSync(dirname(absolute), { recursive: true });
  }
  const key = canonicalPath(absolute);
  const held = heldInProcess.get(key);
  if (held && (!held.readOnly || !settings.readOnly)) throw lockedError(path, process.pid);
  // Claimed before the first await, so two concurrent opens in this process cannot both pass.
  if (held) held.count += 1;
  else heldInProcess.set(key, { readOnly: settings.readOnly, count: 1 });
  let released = false;
  const releaseClaim = () => {
    if (released) return;
    released = true;
    const current = heldInProcess.get(key);
    if (!current) return;
    current.count -= 1;
    if (current.count <= 0) heldInProcess.delete(key);
  };

  // Readers may run concurrently and must not touch the writer's spill files.
  const tempDirectory = settings.readOnly
    ? mkdtempSync(join(tmpdir(), "access-audit-read-"))
    : `${absolute}.tmp`;
  const options: Record<string, string> = {
    // Offline by design: never try to download an extension (json, icu, parquet are built in).
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    access_mode: settings.readOnly ? "READ_ONLY" : "READ_WRITE",
    memory_limit: memoryLimitLiteral(settings.memoryLimit).slice(1, -1),
    // Queries that need an order say ORDER BY; without this, big INSERT…SELECTs buffer more.
    preserve_insertion_order: "false",
    temp_directory: tempDirectory,
  };
  if (settings.threads !== undefined) options.threads = String(settings.threads);

  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(absolute, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    releaseClaim();
    if (settings.readOnly) rmSync(tempDirectory, { recursive: true, force: true });
    const conflict = parseLockConflict(message);
    if (conflict) throw lockedError(path, conflict.pid, error);
    throw error;
  }
  if (!settings.readOnly) removeLeftoverSpillFiles(tempDirectory);

  return {
    instance,
    path: absolute,
    tempDirectory,
    release() {
      if (settings.readOnly && !released) rmSync(tempDirectory, { recursive: true, force: true });
      releaseClaim();
    },
  };
}

/** A killed writer can leave spill files behind; we hold the lock, so nobody else uses them. */
function removeLeftoverSpillFiles(tempDirectory: string): void {
  if (!existsSync(tempDirectory)) return;
  for (const name of readdirSync(tempDirectory)) {
    rmSync(join(tempDirectory, name), { recursive: true, force: true });
  }
}

/** DuckDB size text such as `512MB`; validated because SET takes it as a literal. */
export function memoryLimitLiteral(value: string): string {
  if (!/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value)) {
    throw new TypeError(`invalid memory limit ${JSON.stringify(value)} (expected e.g. "256MB")`);
  }
  return `'${value}'`;
}

/** Sets the session up the same way for every connection we hand out. */
export async function connect(instance: DuckDBInstance): Promise<DuckDBConnection> {
  const connection = await instance.connect();
  // TIMESTAMPTZ values render in UTC in SQL text (casts, string_agg, users' ad-hoc queries).
  await connection.run("SET TimeZone = 'UTC'");
  return connection;
}

/**
 * Runs work on one connection strictly one at a time. `idle` tells the
 * snapshot writer when it may touch its appenders (an appender may flush into
 * its table, which must not overlap a running query on the same connection).
 */
export class SerialConnection {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly idleListeners = new Set<() => void>();

  constructor(readonly raw: DuckDBConnection) {}

  get idle(): boolean {
    return this.pending === 0;
  }

  onIdle(listener: () => void): () => void {
    this.idleListeners.add(listener);
    return () => this.idleListeners.delete(listener);
  }

  async exclusive<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release: () => void = () => {};
    this.tail = new Promise<void>((done) => {
      release = done;
    });
    this.pending += 1;
    try {
      await previous;
      return await work(this.raw);
    } finally {
      this.pending -= 1;
      release();
      if (this.pending === 0) for (const listener of this.idleListeners) listener();
    }
  }

  /** Waits for everything queued so far. */
  async drain(): Promise<void> {
    await this.exclusive(async () => {});
  }
}

/** Lossless ISO-8601 UTC text for a microsecond timestamp: milliseconds, plus µs digits only when present. */
export function isoFromMicros(micros: bigint): string {
  const millis = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  const subMillis = micros - millis * 1000n;
  const date = new Date(Number(millis));
  if (Number.isNaN(date.getTime())) return String(micros);
  const iso = date.toISOString();
  return subMillis === 0n ? iso : `${iso.slice(0, -1)}${subMillis.toString().padStart(3, "0")}Z`;
}

export function isoFromTimestampTZ(value: DuckDBTimestampTZValue): string {
  if (!value.isFinite) return value.micros > 0n ? "infinity" : "-infinity";
  return isoFromMicros(value.micros);
}

function jsonSafeInteger(value: DuckDBValue): Json {
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  return typeof value === "number" ? value : String(value);
}

/** Rows the store hands out are JSON-safe: no bigint, timestamps as ISO strings. */
export const jsonSafeConverter: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UHUGEINT:
      return jsonSafeInteger(value);
    case DuckDBTypeId.DECIMAL:
      return Number(String(value));
    case DuckDBTypeId.TIMESTAMP_TZ:
      return value instanceof DuckDBTimestampTZValue ? isoFromTimestampTZ(value) : String(value);
    default:
      return JsonDuckDBValueConverter(value, type, converter);
  }
};

export type QueryParams = DuckDBValue[] | Record<string, DuckDBValue>;
