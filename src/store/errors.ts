/**
 * Errors the store raises on purpose. Each carries a one-line, user-facing
 * message (the CLI prints it as is) and a stable `code` callers can branch on.
 */
export type StoreErrorCode =
  | "DB_LOCKED"
  | "DB_NOT_FOUND"
  | "DB_SYMLINK"
  | "SCHEMA_TOO_NEW"
  | "SCHEMA_TOO_OLD"
  | "WRITER_ACTIVE"
  | "WRITER_CLOSED"
  | "STORE_CLOSED"
  | "READ_ONLY"
  | "INCOMPLETE_CRAWL"
  | "SNAPSHOT_NOT_FOUND";

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
    this.code = code;
  }
}

/** The one line shown when another process (or this one) already holds the database. */
export function lockedError(path: string, pid: number | null, cause?: unknown): StoreError {
  const who = pid === null ? "pid unknown" : `pid ${pid}`;
  return new StoreError(
    "DB_LOCKED",
    `database ${path} is in use by another process (${who}); wait for it to finish`,
    { cause },
  );
}

/** DuckDB's lock conflict reads "Could not set lock on file …: Conflicting lock is held in … (PID 123)". */
export function parseLockConflict(message: string): { pid: number | null } | null {
  if (!/Could not set lock on file|Conflicting lock is held/i.test(message)) return null;
  const pid = /\(PID (\d+)\)/i.exec(message)?.[1];
  return { pid: pid === undefined ? null : Number(pid) };
}
