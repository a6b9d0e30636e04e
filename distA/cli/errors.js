/**
 * Errors the CLI layer itself raises (a bad combination of flags, findings at or above
 * --fail-on, a command that failed as a whole). Everything shares the root in src/errors.ts.
 */
import { AuditError, EXIT_CODES } from "../errors.js";
/** Exit codes shared by every command (see README). */
export const EXIT = EXIT_CODES;
const CLASS_OF_EXIT = { 1: "failure", 2: "usage", 3: "findings" };
/** A command-level failure reported as one line; `exitCode` 1 (default), 2 or 3. */
export class CliError extends AuditError {
    constructor(message, exitCode = EXIT.failure) {
        const exitClass = CLASS_OF_EXIT[exitCode] ?? "failure";
        const code = { failure: "COMMAND_FAILED", usage: "USAGE", findings: "FINDINGS" }[exitClass];
        super(code, message, { exitClass });
    }
    get exitCode() {
        return EXIT_CODES[this.exitClass];
    }
}
/** Bad flags, a bad value or missing configuration: exit 2. */
export class UsageError extends CliError {
    constructor(message) {
        super(message, EXIT.usage);
    }
}
//# sourceMappingURL=errors.js.map