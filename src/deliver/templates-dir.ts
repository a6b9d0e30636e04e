import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package's shipped `templates/` folder, found upwards from this module so that `src/`
 * (tests), `dist/` (the CLI) and `dist-bench/src/` (benchmarks) all find it, as
 * `packageSqlDirectory` does for `sql/`.
 */
export function templatesDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "templates");
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("templates/ not found above the deliver module");
    dir = parent;
  }
}
