/**
 * Writing files a reader may pick up at any moment, and saying clearly why a place cannot be
 * written (a read-only file system, a file in the way, an immutable folder, a full disk).
 */

import { randomBytes } from "node:crypto";
import { accessSync, constants, lstatSync, readdirSync, rmSync, statSync } from "node:fs";
import { chmod, mkdir, rename, rm, rmdir } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { AuditError } from "../errors.js";

/** What an errno (or the same text inside a DuckDB I/O message) means, in a few words. */
const REASONS: readonly { code: string; text: RegExp; reason: string }[] = [
  { code: "ENOSPC", text: /No space left on device/i, reason: "no space left on device" },
  { code: "EDQUOT", text: /Disk quota exceeded/i, reason: "disk quota exceeded" },
  { code: "EROFS", text: /Read-only file system/i, reason: "read-only file system" },
  {
    code: "EPERM",
    text: /Operation not permitted/i,
    reason: "operation not permitted (immutable? see lsattr)",
  },
  { code: "EACCES", text: /Permission denied/i, reason: "permission denied" },
  { code: "ENOTDIR", text: /Not a directory/i, reason: "a part of the path is not a folder" },
  { code: "EISDIR", text: /Is a directory/i, reason: "is a folder" },
  { code: "ENAMETOOLONG", text: /File name too long/i, reason: "file name too long" },
  { code: "EIO", text: /Input\/output error/i, reason: "input/output error" },
  { code: "EFBIG", text: /File too large/i, reason: "file too large" },
];

/**
 * The short reason of a file-system failure (`no space left on device`), from a Node errno error
 * or a DuckDB I/O error's text; null when the error is not one of those.
 */
export function fileSystemReason(error: unknown): { code: string; reason: string } | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === "string") {
    const known = REASONS.find((r) => r.code === code);
    if (known) return { code, reason: known.reason };
  }
  const message = error instanceof Error ? error.message : String(error);
  const known = REASONS.find((r) => r.text.test(message));
  return known ? { code: known.code, reason: known.reason } : null;
}

/**
 * A place the tool was asked to write to and cannot: one user-facing line. `usage` marks a
 * refusal of the argument itself (a symbolic link), which the CLI reports with exit 2; a place
 * the machine does not let us write (read-only, full, a file in the way) is a failure, exit 1.
 */
export class OutputPathError extends AuditError {
  constructor(code: string, message: string, usage = false, options?: { cause?: unknown }) {
    super(code, message, { exitClass: usage ? "usage" : "failure", cause: options?.cause });
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

/** The first existing ancestor of `path` (itself included) that is not a folder, if any. */
function fileInTheWay(path: string): string | null {
  let current = resolve(path);
  for (;;) {
    try {
      if (!statSync(current).isDirectory()) return current;
      return null;
    } catch {
      const parent = dirname(current);
      if (parent === current) return null;
      current = parent;
    }
  }
}

/** `cannot write reports to DIR: REASON; choose another --out`, for a file-system error. */
export function outputError(what: string, dir: string, error: unknown): OutputPathError | null {
  if (error instanceof OutputPathError) return error;
  const known = fileSystemReason(error);
  if (!known) return null;
  let reason = known.reason;
  if (known.code === "ENOTDIR") {
    const file = fileInTheWay(dir);
    if (file !== null) reason = `${file} is a file, not a folder`;
  }
  return new OutputPathError(known.code, `cannot write ${what} to ${dir}: ${reason}`, false, {
    cause: error,
  });
}

/**
 * Why `dir` cannot be written to (it exists) or created (its nearest existing ancestor must be a
 * writable folder), or null when it can; nothing is created. With `parent`, the folder that must
 * be writable is `dir`'s parent (an output published by renaming a sibling into place).
 */
export function unwritableReason(
  dir: string,
  parent = false,
): { code: string; reason: string } | null {
  const target = resolve(dir);
  let current = parent ? dirname(target) : target;
  for (;;) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(current).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const up = dirname(current);
      // Absent (or under a file): the nearest existing ancestor decides.
      if ((code === "ENOENT" || code === "ENOTDIR") && up !== current) {
        current = up;
        continue;
      }
      return fileSystemReason(error) ?? { code: code ?? "EIO", reason: String(error) };
    }
    if (!isDirectory) {
      return {
        code: "ENOTDIR",
        reason: `${current === target ? dir : current} is a file, not a folder`,
      };
    }
    try {
      accessSync(current, constants.W_OK | constants.X_OK);
      return null;
    } catch (error) {
      return (
        fileSystemReason(error) ?? {
          code: (error as NodeJS.ErrnoException).code ?? "EACCES",
          reason: "permission denied",
        }
      );
    }
  }
}

/**
 * Checks, without creating anything, that `dir` is not a symbolic link and can be written to or
 * created (see `unwritableReason`). `what` names the output in the message: "reports", "the
 * export", "review workbooks".
 */
export function checkOutputDir(
  dir: string,
  what: string,
  options: { flag?: string; parent?: boolean } = {},
): void {
  if (isSymlink(dir)) {
    throw new OutputPathError(
      "SYMLINK",
      `${options.flag ?? "--out"} ${dir} is a symbolic link: refusing to follow it (pass the real folder)`,
      true,
    );
  }
  const problem = unwritableReason(dir, options.parent ?? false);
  if (problem !== null) {
    throw new OutputPathError(problem.code, `cannot write ${what} to ${dir}: ${problem.reason}`);
  }
}

/**
 * A temporary name beside `path` that says which process owns it (`<path>.<pid>-<hex><suffix>`),
 * so that what a killed process left behind can be told from what a running one is writing.
 */
export function ownedTempName(path: string, suffix: string): string {
  return `${path}.${process.pid}-${randomBytes(6).toString("hex")}${suffix}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The entries of `dir` named `<prefix><pid>-<random><suffix>` whose process is gone: the
 * temporary files and folders of a command that was killed (SIGKILL, power loss) before it could
 * clean up. Entries of live processes are not listed.
 */
export function orphanedEntries(dir: string, prefix: string, suffix: string): string[] {
  const pattern = new RegExp(`^${escapeRegExp(prefix)}(\\d+)-[A-Za-z0-9]+${escapeRegExp(suffix)}$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => {
      const pid = Number(pattern.exec(name)?.[1] ?? Number.NaN);
      return Number.isSafeInteger(pid) && pid !== process.pid && !processAlive(pid);
    })
    .map((name) => join(dir, name));
}

/** Removes `orphanedEntries(dir, prefix, suffix)`; returns what it removed. */
export function sweepOrphans(dir: string, prefix: string, suffix: string): string[] {
  const removed: string[] = [];
  for (const path of orphanedEntries(dir, prefix, suffix)) {
    try {
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Not ours to remove after all (permissions): leave it.
    }
  }
  return removed;
}

/** Sweeps the temporary files a killed writer of `finalPath` left beside it. */
function sweepTempsOf(finalPath: string): void {
  sweepOrphans(dirname(finalPath), `${basename(finalPath)}.`, ".tmp");
}

/**
 * Writes several files into `dir` all or nothing: each to `<final>.<pid>-<random>.tmp` in the same
 * folder, owner-only; only when every one is written are they renamed over their final names,
 * so a reader (or a crash, or a full disk) never sees half a file or half a set under the final
 * names. On failure the temporary files, and the folders this call created, are removed, and a
 * file-system error becomes one line naming `what` and `dir`.
 */
export async function writeFilesAtomically(
  dir: string,
  what: string,
  files: readonly { path: string; write: (tempPath: string) => Promise<void> }[],
): Promise<void> {
  checkOutputDir(dir, what);
  const temps: string[] = [];
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const file of files) {
      sweepTempsOf(file.path);
      const temp = ownedTempName(file.path, ".tmp");
      temps.push(temp);
      await file.write(temp);
      await chmod(temp, 0o600);
    }
    for (const [i, file] of files.entries()) {
      await rename(temps[i] as string, file.path);
      temps[i] = "";
    }
  } catch (error) {
    for (const temp of temps) if (temp !== "") await rm(temp, { force: true }).catch(() => {});
    if (created !== undefined) await removeEmptyFolders(resolve(dir), resolve(created));
    throw outputError(what, dir, error) ?? error;
  }
}

/** Removes `dir` and its parents up to `top` while they are empty (the ones a failed write made). */
export async function removeEmptyFolders(dir: string, top: string): Promise<void> {
  const rel = relative(top, dir);
  if (rel.startsWith("..")) return;
  let current = dir;
  for (;;) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty, or already gone
    }
    if (current === top || !current.startsWith(`${top}${sep}`)) return;
    current = dirname(current);
  }
}

/**
 * One file, as `writeFilesAtomically`: written under a temporary name in the same folder,
 * owner-only, then renamed over the final name.
 */
export async function writeAtomically(
  finalPath: string,
  write: (tempPath: string) => Promise<void>,
): Promise<void> {
  sweepTempsOf(finalPath);
  const temp = ownedTempName(finalPath, ".tmp");
  try {
    await write(temp);
    await chmod(temp, 0o600);
    await rename(temp, finalPath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
