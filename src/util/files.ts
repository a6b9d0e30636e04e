/** Writing files a reader may pick up at any moment. */
import { randomBytes } from "node:crypto";
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
