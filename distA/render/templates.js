/**
 * The package's `templates/` folder and the template version every report records: a digest of
 * the templates' bytes, so a report says exactly which templates rendered it.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { templatesDirectory } from "../util/package-dir.js";
export { templatesDirectory };
/** The text of one template file. */
export function readTemplate(name) {
    return readFileSync(join(templatesDirectory(), name), "utf8");
}
let version = null;
/** `t-` and the first 12 hex digits of SHA-256 over every report template's name and bytes, sorted by name. */
export function templateVersion() {
    if (version)
        return version;
    const hash = createHash("sha256");
    const dir = templatesDirectory();
    for (const name of readdirSync(dir).sort()) {
        // The report's own templates: an email template edit does not change what a report says.
        if (!name.startsWith("report"))
            continue;
        hash.update(`${name}\0`);
        hash.update(readFileSync(join(dir, name)));
        hash.update("\0");
    }
    version = `t-${hash.digest("hex").slice(0, 12)}`;
    return version;
}
//# sourceMappingURL=templates.js.map