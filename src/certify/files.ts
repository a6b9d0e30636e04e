/** Files the stage writes: under a temporary name, then renamed into place, owner-only. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

export { writeAtomically } from "../util/files.js";

export async function sha256OfFile(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

/** A safe file-name part: letters, digits, `.`, `_`, `-`; anything else becomes `_`. */
export const fileSafe = (text: string): string =>
  text
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[._]+/, "")
    .slice(0, 80) || "x";
