/** Files the stage writes: under a temporary name, then renamed into place, owner-only. */
import { createHash, randomBytes } from "node:crypto";
import { chmod, readFile, rename, rm } from "node:fs/promises";

export async function writeAtomically(
  finalPath: string,
  write: (tempPath: string) => Promise<void>,
): Promise<void> {
  const temp = `${finalPath}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await write(temp);
    await chmod(temp, 0o600);
    await rename(temp, finalPath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

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
