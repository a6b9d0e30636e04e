export const EXIT_CODES = {
    ok: 0,
    failure: 1,
    usage: 2,
    findings: 3,
};
export class AuditError extends Error {
    code;
    exitClass;
    constructor(code, message, options = {}) {
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
    get usage() {
        return this.exitClass === "usage";
    }
}
/** The exit code for anything thrown out of a command. */
export function exitCodeOf(error) {
    return error instanceof AuditError ? EXIT_CODES[error.exitClass] : EXIT_CODES.failure;
}
//# sourceMappingURL=errors.js.map