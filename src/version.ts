import { readFileSync } from "node:fs";

/** The tool's version, read from package.json so that it has a single source. */
export const TOOL_VERSION: string = (() => {
  const pkg: unknown = JSON.parse(
    readFileSync(new URL("../package.json", import.meta.url), "utf8"),
  );
  if (pkg && typeof pkg === "object" && "version" in pkg && typeof pkg.version === "string") {
    return pkg.version;
  }
  return "0.0.0";
})();
