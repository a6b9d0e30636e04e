/**
 * The package's `templates/` folder and the template version every report records: a digest of
 * the templates' bytes, so a report says exactly which templates rendered it.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
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
    if (parent === dir) throw new Error("templates/ not found above the report module");
    dir = parent;
  }
}

/** The text of one template file. */
export function readTemplate(name: string): string {
  return readFileSync(join(templatesDirectory(), name), "utf8");
}

let version: string | null = null;

/** `t-` and the first 12 hex digits of SHA-256 over every report template's name and bytes, sorted by name. */
export function templateVersion(): string {
  if (version) return version;
  const hash = createHash("sha256");
  const dir = templatesDirectory();
  for (const name of readdirSync(dir).sort()) {
    // The report's own templates: an email template edit does not change what a report says.
    if (!name.startsWith("report")) continue;
    hash.update(`${name}\0`);
    hash.update(readFileSync(join(dir, name)));
    hash.update("\0");
  }
  version = `t-${hash.digest("hex").slice(0, 12)}`;
  return version;
}
