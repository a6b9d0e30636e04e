/** Exit codes shared by every command (see README). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  findings: 3,
} as const;

/** An error the CLI reports as one line on stderr, with a chosen exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Bad flags, a bad value or missing configuration: exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = "UsageError";
  }
}
