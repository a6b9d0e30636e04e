/** Errors of the certification stage; `usage` ones are the caller's mistake (exit 2). */
import { AuditError } from "../errors.js";
export type CertifyErrorCode =
  | "CAMPAIGN_EXISTS"
  | "CAMPAIGN_NOT_FOUND"
  | "CAMPAIGN_CLOSED"
  | "CAMPAIGN_OPEN"
  | "NO_CAMPAIGNS"
  | "REVIEWERS_INVALID"
  | "NO_REVIEWER"
  | "SELF_REVIEW"
  | "SEAL_MISMATCH"
  | "READ_ONLY"
  | "WORKBOOK_UNREADABLE"
  | "WORKBOOK_TOO_LARGE"
  | "PROJECT_NOT_FOUND"
  | "PROJECTS_NOT_COLLECTED"
  | "CREDENTIALS_NOT_COLLECTED"
  | "OPTIONS_CONFLICT";

const USAGE_CODES: ReadonlySet<CertifyErrorCode> = new Set([
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
  declare readonly code: CertifyErrorCode;

  constructor(code: CertifyErrorCode, message: string) {
    super(code, message, { exitClass: USAGE_CODES.has(code) ? "usage" : "failure" });
  }
}
