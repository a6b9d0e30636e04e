/**
 * The one root of every error the tool raises on purpose. Each carries a stable `code` callers
 * may branch on and an exit class the CLI maps to its exit code in one place (src/cli/main.ts):
 * `usage` (the caller asked for something wrong: a flag, a value, a snapshot id, a file to
 * refuse) is exit 2, `failure` (the API, the database, the machine) is exit 1, and `findings`
 * (findings at or above --fail-on: not a fault, but the run did not pass) is exit 3. The message
 * is one user-facing line. Anything that is not an AuditError is unexpected: exit 1.
 */
export type ExitClass = "usage" | "failure" | "findings";

export const EXIT_CODES: Readonly<Record<ExitClass | "ok", number>> = {
  ok: 0,
  failure: 1,
  usage: 2,
  findings: 3,
};

export interface AuditErrorOptions {
  /** Default `failure`. */
  exitClass?: ExitClass;
  cause?: unknown;
}

export class AuditError extends Error {
  readonly code: string;
  readonly exitClass: ExitClass;

  constructor(code: string, message: string, options: AuditErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.exitClass = options.exitClass ?? "failure";
    // Subclasses are named after themselves without repeating it in each constructor.
    Object.defineProperty(this, "name", {
      value: new.target.name,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }

  /** The caller's mistake rather than a failure (exit 2). */
  get usage(): boolean {
    return this.exitClass === "usage";
  }
}

/** The exit code for anything thrown out of a command. */
export function exitCodeOf(error: unknown): number {
  return error instanceof AuditError ? EXIT_CODES[error.exitClass] : EXIT_CODES.failure;
}
