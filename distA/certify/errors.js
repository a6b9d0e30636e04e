/** Errors of the certification stage; `usage` ones are the caller's mistake (exit 2). */
import { AuditError } from "../errors.js";
const USAGE_CODES = new Set([
    "CAMPAIGN_EXISTS",
    "CAMPAIGN_NOT_FOUND",
    "CAMPAIGN_CLOSED",
    "CAMPAIGN_OPEN",
    "REVIEWERS_INVALID",
    "NO_REVIEWER",
    "SELF_REVIEW",
    "PROJECT_NOT_FOUND",
    "PROJECTS_NOT_COLLECTED",
    "CREDENTIALS_NOT_COLLECTED",
    "OPTIONS_CONFLICT",
]);
export class CertifyError extends AuditError {
    constructor(code, message) {
        super(code, message, { exitClass: USAGE_CODES.has(code) ? "usage" : "failure" });
    }
}
//# sourceMappingURL=errors.js.map