/** Writing files a reader may pick up at any moment. */
import { randomBytes } from "node:crypto";
import { lstatSync } from "node:fs";
import { chmod, rename, rm } from "node:fs/promises";

/**
 * Writes to `<final>.<random>.tmp` in the same folder, makes it owner-only, then renames it over
 * the final name: a reader (or a crash) never sees half a file under the final name.
 */
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

/**
 * True when `path` is a symbolic link. The tool writes evidence and secrets-adjacent files; a link
 * planted where it writes could send them somewhere unexpected, so callers refuse to follow one.
 */
export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false; // absent: nothing to follow
  }
}
