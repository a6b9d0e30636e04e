import { describe, expect, it } from "vitest";
import {
  DEFAULT_IDENTITY_RULES,
  type IdentityRules,
  normaliseAddress,
  sameIdentity,
} from "../../src/certify/identity.js";
import { assignReviewer, singleReviewer } from "../../src/certify/reviewers.js";

describe("normaliseAddress", () => {
  it("ignores case and surrounding space", () => {
    expect(normaliseAddress("  CISO@Example.COM ")).toBe("ciso@example.com");
  });

  it("drops a +tag from the local part, unless the local part starts with it", () => {
    expect(normaliseAddress("ciso+ops@example.com")).toBe("ciso@example.com");
    expect(normaliseAddress("ciso+ops+q4@example.com")).toBe("ciso@example.com");
    expect(normaliseAddress("+ops@example.com")).toBe("+ops@example.com");
  });

  it("ignores dots only in domains that do, after aliasing the domain", () => {
    expect(normaliseAddress("Dana.Lee@gmail.com")).toBe("danalee@gmail.com");
    expect(normaliseAddress("dana.lee+x@GoogleMail.com")).toBe("danalee@gmail.com");
    expect(normaliseAddress("dana.lee@example.com")).toBe("dana.lee@example.com");
    expect(normaliseAddress("...@gmail.com")).toBe("...@gmail.com");
  });

  it("leaves text that is not an address trimmed and lower-cased", () => {
    expect(normaliseAddress(" Someone ")).toBe("someone");
    expect(normaliseAddress("x@")).toBe("x@");
    expect(normaliseAddress("@example.com")).toBe("@example.com");
  });

  it("follows the rules it is given", () => {
    const strict: IdentityRules = {
      plusAddressing: false,
      dotInsensitiveDomains: ["@Corp.Example."],
      domainAliases: { "corp-old.example": "corp.example" },
    };
    expect(normaliseAddress("a+b@corp.example", strict)).toBe("a+b@corp.example");
    expect(normaliseAddress("A.B@corp-old.example", strict)).toBe("ab@corp.example");
    expect(normaliseAddress("a.b@gmail.com", strict)).toBe("a.b@gmail.com");
  });

  it("uses Unicode NFC, so composed and decomposed forms are the same person", () => {
    expect(normaliseAddress("Jose\u0301@example.com")).toBe(
      normaliseAddress("jos\u00e9@example.com"),
    );
  });
});

describe("sameIdentity", () => {
  it("compares normalised addresses; a missing or empty one is nobody", () => {
    expect(sameIdentity("ciso+ops@example.com", "CISO@example.com")).toBe(true);
    expect(sameIdentity("ciso@example.com", "ciso@example.org")).toBe(false);
    expect(sameIdentity(null, "ciso@example.com")).toBe(false);
    expect(sameIdentity("", "")).toBe(false);
    expect(
      sameIdentity("ciso+ops@example.com", "ciso@example.com", {
        ...DEFAULT_IDENTITY_RULES,
        plusAddressing: false,
      }),
    ).toBe(false);
  });
});

describe("assignReviewer: self-review", () => {
  const item = (email: string) => ({
    group_id: "g",
    group_name: "G",
    roles: [],
    user_email: email,
  });

  it("flags a reviewer reviewing their own access under another spelling", () => {
    const rules = singleReviewer("ciso@example.com");
    expect(assignReviewer(rules, item("Ciso+ops@Example.com"))).toMatchObject({
      reviewer: "ciso@example.com",
      self_review: true,
    });
    expect(assignReviewer(rules, item("other@example.com"))?.self_review).toBe(false);
  });

  it("sends a self-review to the fallback, unless the fallback is that person too", () => {
    const rules = {
      default: "ciso@example.com",
      byGroup: new Map<string, string>(),
      byRole: new Map<string, string>(),
      fallback: "sec@example.com",
      sha256: null,
      source: "test",
    };
    expect(assignReviewer(rules, item("ciso+x@example.com"))).toMatchObject({
      reviewer: "sec@example.com",
      self_review: false,
    });
    expect(assignReviewer(rules, item("SEC+me@example.com"))).toMatchObject({
      reviewer: "ciso@example.com",
      self_review: false,
    });
    const sameFallback = { ...rules, fallback: "ciso+fallback@example.com" };
    expect(assignReviewer(sameFallback, item("ciso@example.com"))).toMatchObject({
      reviewer: "ciso@example.com",
      self_review: true,
    });
  });
});
