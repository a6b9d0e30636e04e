/**
 * The integration files' order (test/support/slowest-first.ts): the table of durations names
 * only files that exist (a renamed file would silently lose its place), and files run slowest
 * first, unlisted ones before all of them, ties by name.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageDirectory } from "../../src/util/package-dir.js";
import { SECONDS_ALONE, slowestFirst } from "../support/slowest-first.js";

describe("slowest-first order", () => {
  it("lists only integration files that exist", () => {
    const missing = Object.keys(SECONDS_ALONE).filter(
      (file) => !existsSync(join(packageDirectory(), file)),
    );
    expect(missing).toEqual([]);
    expect(Object.keys(SECONDS_ALONE).length).toBeGreaterThan(50);
  });

  it("puts unlisted files first, then the listed ones slowest first, ties by name", () => {
    const files = [
      "test/analysis.macros.test.ts",
      "test/zz.new.test.ts",
      "test/store.migrate.test.ts",
      "test/security.paths.test.ts",
      "test/aa.new.test.ts",
      "test/client.transport.test.ts",
      "test/client.sim.test.ts",
    ];
    expect(slowestFirst(files)).toEqual([
      "test/aa.new.test.ts",
      "test/zz.new.test.ts",
      "test/security.paths.test.ts",
      "test/client.sim.test.ts",
      "test/client.transport.test.ts",
      "test/store.migrate.test.ts",
      "test/analysis.macros.test.ts",
    ]);
    // The input is left as it was.
    expect(files[0]).toBe("test/analysis.macros.test.ts");
  });
});
