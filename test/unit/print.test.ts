import { describe, expect, it } from "vitest";
import { pageCss } from "../../src/report/html.js";
import { checksumLine } from "../../src/report/index.js";

describe("the print footer's style", () => {
  it("names the snapshot and the seal's first 12 hex digits", () => {
    expect(pageCss(12, "0123456789abcdef".repeat(4))).toBe(
      '@media print { @page { @bottom-left { content: "Access review: snapshot 12, seal 0123456789ab"; } } }',
    );
  });

  it("takes nothing but an integer and lowercase hex, so no text can reach the CSS", () => {
    const seal = "a".repeat(64);
    expect(() => pageCss("12", seal)).toThrow(/integer/);
    expect(() => pageCss(1.5, seal)).toThrow(/integer/);
    expect(() => pageCss(1, '"; } } body { display: none } /*')).toThrow(/hex/);
    expect(() => pageCss(1, "A".repeat(64))).toThrow(/hex/);
  });
});

describe("a report's checksum line", () => {
  it("is what sha256sum writes: the digest, two spaces, the file name", () => {
    const hex = "f".repeat(64);
    expect(checksumLine(hex, "access-review-s2-2026-12-06.html")).toBe(
      `${hex}  access-review-s2-2026-12-06.html\n`,
    );
  });

  it("refuses a name sha256sum would read differently, and a digest that is not one", () => {
    const hex = "f".repeat(64);
    expect(() => checksumLine(hex, "a b.html")).toThrow();
    expect(() => checksumLine(hex, "a\nb.html")).toThrow();
    expect(() => checksumLine(hex, "\\a.html")).toThrow();
    expect(() => checksumLine("F".repeat(64), "a.html")).toThrow();
    expect(() => checksumLine(hex.slice(1), "a.html")).toThrow();
  });
});
