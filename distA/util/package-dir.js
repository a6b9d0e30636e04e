/**
 * The package's own folder (its package.json, `templates/`), found upwards from this module, so
 * that src/, dist/, dist-bench/src/ and dist-chaos/src/ all work.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
let packageDir = null;
function isOurPackage(packageJson) {
    try {
        return (JSON.parse(readFileSync(packageJson, "utf8")).name === PACKAGE_NAME);
    }
    catch {
        return false;
    }
}
const PACKAGE_NAME = "openai-access-audit";
/** The folder holding this package's package.json. */
export function packageDirectory() {
    if (packageDir)
        return packageDir;
    let dir = dirname(fileURLToPath(import.meta.url));
    for (;;) {
        if (isOurPackage(join(dir, "package.json"))) {
            packageDir = dir;
            return dir;
        }
        const parent = dirname(dir);
        if (parent === dir)
            throw new Error(`${PACKAGE_NAME}'s package.json not found above its modules`);
        dir = parent;
    }
}
/** `<package>/templates`. */
export function templatesDirectory() {
    const candidate = join(packageDirectory(), "templates");
    if (!existsSync(candidate))
        throw new Error(`templates/ not found in ${packageDirectory()}`);
    return candidate;
}
//# sourceMappingURL=package-dir.js.map