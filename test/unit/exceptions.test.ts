/**
 * Exceptions applied to findings (src/analysis/exceptions.ts): which findings an exception
 * matches, the day it expires, ending early, and the register's fold and chain functions.
 */
import { describe, expect, it } from "vitest";
import {
  applyExceptions,
  dayStartMs,
  exceptionMatches,
  exceptionState,
  parseAsOf,
} from "../../src/analysis/exceptions.js";
import {
  type ExceptionEventRow,
  exceptionRowDigest,
  exceptionSeal,
  foldExceptionEvents,
} from "../../src/store/exceptions.js";
import type { ExceptionRecord } from "../../src/store/index.js";

const finding = (over: Partial<Record<string, string | null>> = {}) => ({
  rule: "owner-via-group",
  severity: "critical" as const,
  title: "Owner role granted through a group",
  project_id: null,
  credential_id: null,
  group_id: "group_breakglass",
  user_id: null,
  role_id: "role_owner",
  detail: "group grants Owner",
  ...over,
});

const exception = (over: Partial<ExceptionRecord> = {}): ExceptionRecord => ({
  id: 1,
  rule: "owner-via-group",
  subject: { group_id: "group_breakglass" },
  reason: "break-glass",
  approver: "CISO",
  expires_on: "2027-01-10",
  recorded_by: "ops@host",
  recorded_at: "2026-12-01T10:00:00.000000Z",
  ended: null,
  ...over,
});

describe("matching", () => {
  it("needs the rule and every subject field it names to equal the finding's", () => {
    expect(exceptionMatches(exception(), finding())).toBe(true);
    expect(exceptionMatches(exception({ rule: "elevated-role-manual-group" }), finding())).toBe(
      false,
    );
    expect(exceptionMatches(exception(), finding({ group_id: "group_other" }))).toBe(false);
    const both = exception({ subject: { group_id: "group_breakglass", role_id: "role_owner" } });
    expect(exceptionMatches(both, finding())).toBe(true);
    expect(exceptionMatches(both, finding({ role_id: "role_reader" }))).toBe(false);
    // A field the exception names must be present on the finding: null is not a match.
    expect(exceptionMatches(exception({ subject: { user_id: "user_a" } }), finding())).toBe(false);
    expect(
      exceptionMatches(
        exception({ subject: { credential_id: "key_1" } }),
        finding({ credential_id: "key_1", group_id: null }),
      ),
    ).toBe(true);
    // No subject: never a blanket acceptance of the rule.
    expect(exceptionMatches(exception({ subject: {} }), finding())).toBe(false);
  });

  it("marks only the findings it matches, with who accepted them and until when", () => {
    const findings = [finding(), finding({ group_id: "group_other" })];
    const judged = applyExceptions(findings, [exception()], "2026-12-06");
    expect(judged.map((f) => f.exception?.id ?? null)).toEqual([1, null]);
    expect(judged[0]?.exception).toEqual({
      id: 1,
      approver: "CISO",
      reason: "break-glass",
      expires_on: "2027-01-10",
      recorded_by: "ops@host",
      recorded_at: "2026-12-01T10:00:00.000000Z",
    });
    // The finding's own fields are kept as they were.
    expect({ ...judged[0], exception: undefined }).toEqual({
      ...findings[0],
      exception: undefined,
    });
  });

  it("names the exception lasting longest when several match, whatever their order", () => {
    const short = exception({ id: 1, expires_on: "2027-01-10" });
    const long = exception({ id: 2, expires_on: "2027-03-01" });
    const tie = exception({ id: 3, expires_on: "2027-03-01" });
    for (const order of [
      [short, long, tie],
      [tie, long, short],
    ]) {
      expect(applyExceptions([finding()], order, "2026-12-06")[0]?.exception?.id).toBe(2);
    }
  });
});

describe("the date boundary", () => {
  it("covers up to the last instant before the expiry day; the finding comes back that day", () => {
    const e = exception({ expires_on: "2027-01-10" });
    expect(applyExceptions([finding()], [e], "2027-01-09T23:59:59.999Z")[0]?.exception?.id).toBe(1);
    expect(applyExceptions([finding()], [e], "2027-01-10")[0]?.exception).toBeNull();
    expect(applyExceptions([finding()], [e], "2027-01-10T00:00:00Z")[0]?.exception).toBeNull();
    // A zone other than UTC is honoured: 00:30 in Paris is still 9 January in UTC.
    expect(applyExceptions([finding()], [e], "2027-01-10T00:30:00+01:00")[0]?.exception?.id).toBe(
      1,
    );
    expect(exceptionState(e, "2027-01-09")).toBe("active");
    expect(exceptionState(e, "2027-01-10")).toBe("expired");
    expect(exceptionState(e, new Date("2028-01-01T00:00:00Z"))).toBe("expired");
  });

  it("ended early: covers before the end, not after it", () => {
    const e = exception({
      ended: {
        at: "2026-12-20T12:00:00.000000Z",
        by: "CISO",
        reason: "group retired",
        recorded_by: "ops@host",
      },
    });
    expect(exceptionState(e, "2026-12-20T11:59:59Z")).toBe("active");
    expect(exceptionState(e, "2026-12-20T12:00:00Z")).toBe("active");
    expect(exceptionState(e, "2026-12-20T12:00:01Z")).toBe("ended early");
    expect(applyExceptions([finding()], [e], "2026-12-19")[0]?.exception?.id).toBe(1);
    expect(applyExceptions([finding()], [e], "2026-12-21")[0]?.exception).toBeNull();
    // After its expiry day too, it reads as ended early: that is how it ended.
    expect(exceptionState(e, "2027-06-01")).toBe("ended early");
  });

  it("recognises days and zoned date-times only", () => {
    expect(parseAsOf("2027-01-10")).toBe(Date.UTC(2027, 0, 10));
    expect(parseAsOf("2027-01-10T09:30:00Z")).toBe(Date.UTC(2027, 0, 10, 9, 30));
    expect(parseAsOf("2027-02-30")).toBeNull();
    expect(parseAsOf("2027-1-10")).toBeNull();
    expect(parseAsOf("2027-01-10T09:30:00")).toBeNull(); // no zone: ambiguous
    expect(parseAsOf("tomorrow")).toBeNull();
    expect(dayStartMs("2028-02-29")).toBe(Date.UTC(2028, 1, 29));
    expect(dayStartMs("2027-02-29")).toBeNull();
  });
});

describe("the register's entries", () => {
  const add: Omit<ExceptionEventRow, "row_sha256" | "seal"> = {
    seq: 1,
    event: "add",
    exception_id: 1,
    rule_id: "owner-via-group",
    group_id: "group_breakglass",
    user_id: null,
    role_id: null,
    project_id: null,
    credential_id: null,
    reason: "break-glass",
    approver: "CISO",
    expires_on: "2027-01-10",
    recorded_by: "ops@host",
    recorded_at: "2026-12-01T10:00:00.000000Z",
    tool_version: "0.1.0",
  };

  it("fold an add and its expire into one exception", () => {
    const a = { ...add, row_sha256: "", seal: "" };
    const end = {
      ...a,
      seq: 2,
      event: "expire" as const,
      rule_id: null,
      group_id: null,
      expires_on: null,
      reason: "retired",
      approver: "Head of IT",
      recorded_at: "2026-12-02T10:00:00.000000Z",
    };
    expect(foldExceptionEvents([a])[0]?.ended).toBeNull();
    expect(foldExceptionEvents([a, end])).toEqual([
      {
        id: 1,
        rule: "owner-via-group",
        subject: { group_id: "group_breakglass" },
        reason: "break-glass",
        approver: "CISO",
        expires_on: "2027-01-10",
        recorded_by: "ops@host",
        recorded_at: "2026-12-01T10:00:00.000000Z",
        ended: {
          at: "2026-12-02T10:00:00.000000Z",
          by: "Head of IT",
          reason: "retired",
          recorded_by: "ops@host",
        },
      },
    ]);
  });

  it("have a digest over every sealed column and a seal chained to the previous one", () => {
    const digest = exceptionRowDigest(add);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(exceptionRowDigest({ ...add, reason: "break-glass " })).not.toBe(digest);
    expect(exceptionRowDigest({ ...add, expires_on: "2027-01-11" })).not.toBe(digest);
    expect(exceptionRowDigest({ ...add, seq: 2 })).not.toBe(digest);
    const genesis = "0".repeat(64);
    expect(exceptionSeal(genesis, digest)).not.toBe(exceptionSeal("1".repeat(64), digest));
  });
});
