import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A folder of the package's shipped SQL (`sql/<name>`), found upwards from this module so
 * that `src/` (tests), `dist/` (the CLI) and `dist-bench/src/` (benchmarks) all find it.
 */
export function packageSqlDirectory(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "sql", name);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`sql/${name} not found above the analysis module`);
    dir = parent;
  }
}
