import { describe, expect, it } from "vitest";
import { parseNamedSql } from "../../src/util/sql-files.js";

describe("parseNamedSql", () => {
  it("splits named sections, drops the header and a trailing semicolon", () => {
    const text =
      "-- a header\n-- name: first\nSELECT 1;\n\n-- name: second-one\nSELECT 2\nFROM t;\n";
    const statements = parseNamedSql(text);
    expect([...statements.keys()]).toEqual(["first", "second-one"]);
    expect(statements.get("first")).toBe("SELECT 1");
    expect(statements.get("second-one")).toBe("SELECT 2\nFROM t");
  });

  it("refuses a name defined twice and an empty query", () => {
    expect(() => parseNamedSql("-- name: a\nSELECT 1\n-- name: a\nSELECT 2")).toThrow(/twice/);
    expect(() => parseNamedSql("-- name: a\n\n-- name: b\nSELECT 1")).toThrow(/a is empty/);
  });
});
