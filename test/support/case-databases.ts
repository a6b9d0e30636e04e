/** A fresh database path per test case, each in its own folder under one temp root removed after the file. */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";

export function caseDatabases(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  let counter = 0;
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return () => {
    counter += 1;
    const path = join(root, `case-${counter}`, "audit.duckdb");
    mkdirSync(dirname(path), { recursive: true });
    return path;
  };
}
