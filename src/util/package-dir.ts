/** Folders shipped with the package (`templates/`), found wherever the code runs from. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let templatesDir: string | null = null;

function isOurPackage(packageJson: string): boolean {
  try {
    return (
      (JSON.parse(readFileSync(packageJson, "utf8")) as { name?: unknown }).name === PACKAGE_NAME
    );
  } catch {
    return false;
  }
}

const PACKAGE_NAME = "openai-access-audit";

/** `<package>/templates`, found upwards from this module (src/, dist/ and dist-bench/src/ all work). */
export function templatesDirectory(): string {
  if (templatesDir) return templatesDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "templates");
    if (existsSync(candidate) && isOurPackage(join(dir, "package.json"))) {
      templatesDir = candidate;
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("templates/ not found above the package's modules");
    dir = parent;
  }
}
