import { describe, expect, it } from "vitest";
import { AnalysisError } from "../../src/analysis/access.js";
import { DiffError } from "../../src/analysis/diff.js";
import { RulesDirError } from "../../src/analysis/rules.js";
import { AuthenticationError } from "../../src/api/errors.js";
import { CertifyError } from "../../src/certify/errors.js";
import { CliError, UsageError } from "../../src/cli/errors.js";
import { ConfigError } from "../../src/config/index.js";
import { AuditError, exitCodeOf } from "../../src/errors.js";
import { ReportError } from "../../src/report/model.js";
import { CronError } from "../../src/schedule/scheduler.js";
import { ExportError } from "../../src/store/export.js";
import { StoreError } from "../../src/store/index.js";
import { OutputPathError } from "../../src/util/files.js";

describe("one root error type, mapped to exit codes once", () => {
  it("maps each exit class, and anything unexpected to 1", () => {
    expect(exitCodeOf(new AuditError("X", "x"))).toBe(1);
    expect(exitCodeOf(new AuditError("X", "x", { exitClass: "usage" }))).toBe(2);
    expect(exitCodeOf(new CliError("3 finding(s) at or above high", 3))).toBe(3);
    expect(exitCodeOf(new UsageError("bad flag"))).toBe(2);
    expect(exitCodeOf(new Error("boom"))).toBe(1);
    expect(exitCodeOf("a string")).toBe(1);
  });

  it("every stage's errors share the root, with a code and the caller's-fault decision", () => {
    const cases: [AuditError, string, number][] = [
      [new StoreError("DB_LOCKED", "locked"), "DB_LOCKED", 1],
      [new StoreError("SNAPSHOT_NOT_FOUND", "no such snapshot"), "SNAPSHOT_NOT_FOUND", 2],
      [new ConfigError(["a", "b"]), "CONFIG_INVALID", 2],
      [new AnalysisError("UNKNOWN_SNAPSHOT", "unknown"), "UNKNOWN_SNAPSHOT", 2],
      [new AnalysisError("NO_SNAPSHOTS", "empty"), "NO_SNAPSHOTS", 1],
      [new DiffError("TOO_FEW_SNAPSHOTS", "one snapshot"), "TOO_FEW_SNAPSHOTS", 2],
      [new RulesDirError("no such folder"), "RULES_DIR_INVALID", 2],
      [new CertifyError("CAMPAIGN_EXISTS", "exists"), "CAMPAIGN_EXISTS", 2],
      [new CertifyError("SEAL_MISMATCH", "seal"), "SEAL_MISMATCH", 1],
      [new ExportError("NO_SNAPSHOT", "empty"), "NO_SNAPSHOT", 1],
      [new ExportError("TARGET_NOT_EMPTY", "not empty"), "TARGET_NOT_EMPTY", 2],
      [new ReportError("refused", true), "REPORT_REFUSED", 2],
      [new ReportError("failed"), "REPORT_FAILED", 1],
      [new OutputPathError("OUT_SYMLINK", "a link", true), "OUT_SYMLINK", 2],
      [new OutputPathError("EROFS", "read-only"), "EROFS", 1],
      [new CronError("bad cron"), "CRON_INVALID", 2],
    ];
    for (const [error, code, exit] of cases) {
      expect(error).toBeInstanceOf(AuditError);
      expect(error.code, error.name).toBe(code);
      expect(exitCodeOf(error), `${error.name} ${code}`).toBe(exit);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it("the API error keeps its own fields, and the API's code apart from the root's", () => {
    const error = new AuthenticationError("Incorrect API key provided", {
      method: "get",
      path: "/v1/organization/groups",
      attempts: 1,
      status: 401,
      requestId: "req_1",
      code: "invalid_api_key",
    });
    expect(error).toBeInstanceOf(AuditError);
    expect(error.code).toBe("API_AUTH");
    expect(error.apiCode).toBe("invalid_api_key");
    expect(error.kind).toBe("auth");
    expect(error.name).toBe("AuthenticationError");
    expect(exitCodeOf(error)).toBe(1);
    expect(error.toJSON()).toMatchObject({ code: "invalid_api_key", status: 401 });
  });
});
