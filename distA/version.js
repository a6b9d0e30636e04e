import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageDirectory } from "./util/package-dir.js";
/** The tool's version, read from package.json so that it has a single source. */
export const TOOL_VERSION = (() => {
    const pkg = JSON.parse(readFileSync(join(packageDirectory(), "package.json"), "utf8"));
    if (pkg && typeof pkg === "object" && "version" in pkg && typeof pkg.version === "string") {
        return pkg.version;
    }
    return "0.0.0";
})();
//# sourceMappingURL=version.js.map