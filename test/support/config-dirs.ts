/** Throwaway working folders, each optionally holding a default configuration file. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

export const CONFIG_FILE = "access-audit.config.yaml";

/** A factory of fresh folders under one temporary root, removed after the file's tests. */
export function configDirs(prefix: string): (yaml?: string) => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let counter = 0;
  return (yaml?: string) => {
    counter += 1;
    const dir = join(root, `wd-${counter}`);
    mkdirSync(dir, { recursive: true });
    if (yaml !== undefined) writeFileSync(join(dir, CONFIG_FILE), yaml);
    return dir;
  };
}
