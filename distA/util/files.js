/**
 * Writing files a reader may pick up at any moment, and saying clearly why a place cannot be
 * written (a read-only file system, a file in the way, an immutable folder, a full disk). Output
 * folders are reached without following symbolic links (see `walkFolder` for the rule) and
 * written through a descriptor held on the folder, so a link planted on the way, or a folder
 * swapped for one while the tool runs, never redirects a write.
 */
import { createHash, randomBytes } from "node:crypto";
import { accessSync, closeSync, constants, createReadStream, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, rmdirSync, rmSync, statSync, writeFileSync, } from "node:fs";
import { chmod, rename, rm, rmdir } from "node:fs/promises";
import { dirname, join, parse, relative, resolve, sep } from "node:path";
import { AuditError } from "../errors.js";
/** What an errno (or the same text inside a DuckDB I/O message) means, in a few words. */
const REASONS = [
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
export function fileSystemReason(error) {
    const code = error?.code;
    if (typeof code === "string") {
        const known = REASONS.find((r) => r.code === code);
        if (known)
            return { code, reason: known.reason };
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
    constructor(code, message, usage = false, options) {
        super(code, message, { exitClass: usage ? "usage" : "failure", cause: options?.cause });
    }
}
/** `lstat`, or null when nothing is there. */
export function lstatOrNull(path) {
    try {
        return lstatSync(path);
    }
    catch (error) {
        const code = error.code;
        if (code === "ENOENT" || code === "ENOTDIR")
            return null;
        throw error;
    }
}
/**
 * True when `path` is a symbolic link (checked with lstat: the link itself, never its target).
 * The tool writes evidence and secrets-adjacent files; a link planted where it writes could send
 * them somewhere unexpected, so callers refuse to follow one.
 */
export function isSymlink(path) {
    try {
        return lstatSync(path).isSymbolicLink();
    }
    catch {
        return false; // absent: nothing to follow
    }
}
/** The first existing ancestor of `path` (itself included) that is not a folder, if any. */
function fileInTheWay(path) {
    let current = resolve(path);
    for (;;) {
        try {
            if (!statSync(current).isDirectory())
                return current;
            return null;
        }
        catch {
            const parent = dirname(current);
            if (parent === current)
                return null;
            current = parent;
        }
    }
}
/** `cannot write reports to DIR: REASON; choose another --out`, for a file-system error. */
export function outputError(what, dir, error) {
    if (error instanceof OutputPathError)
        return error;
    const known = fileSystemReason(error);
    if (!known)
        return null;
    let reason = known.reason;
    if (known.code === "ENOTDIR") {
        const file = fileInTheWay(dir);
        if (file !== null)
            reason = `${file} is a file, not a folder`;
    }
    return new OutputPathError(known.code, `cannot write ${what} to ${dir}: ${reason}`, false, {
        cause: error,
    });
}
/** How often `unwritableReason` looks again at a folder that vanished while it was checked. */
const MAX_RECHECKS = 100;
/**
 * Why `dir` cannot be written to (it exists) or created (its nearest existing ancestor must be a
 * writable folder), or null when it can; nothing is created. With `parent`, the folder that must
 * be writable is `dir`'s parent (an output published by renaming a sibling into place).
 */
export function unwritableReason(dir, parent = false) {
    const target = resolve(dir);
    let current = parent ? dirname(target) : target;
    let recheck = 0;
    for (;;) {
        let isDirectory;
        try {
            isDirectory = statSync(current).isDirectory();
        }
        catch (error) {
            const code = error.code;
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
        }
        catch (error) {
            // Gone since it was looked at (moved away mid-check): look again, never "permission denied".
            if (error.code === "ENOENT" && recheck++ < MAX_RECHECKS)
                continue;
            return (fileSystemReason(error) ?? {
                code: error.code ?? "EACCES",
                reason: "permission denied",
            });
        }
    }
}
// ------------------------------------------------------------------ output folders, link-free
/**
 * Whether a symbolic link met on the way to an output folder may be followed. The rule: only the
 * system's own links, directly in the root folder (`/tmp` → `private/tmp` and `/var` →
 * `private/var` on macOS, `/bin` → `usr/bin` on a merged-/usr Linux), owned by root in a root
 * folder owned by root that neither its group nor others may write: nobody but root can have put
 * them there. Every other link, in any component, is refused, whoever owns it: a user's own link,
 * one in /tmp or any folder others may write, and one a program running as root made in a
 * private folder, which ownership cannot tell from an attacker's (the tests plant theirs so).
 */
export function isSystemLink(link, parent, parentIsRoot) {
    return parentIsRoot && link.uid === 0 && parent.uid === 0 && (parent.mode & 0o022) === 0;
}
/** Past this many system links, a path is refused (the kernel's ELOOP limit is 40). */
const MAX_LINK_HOPS = 40;
function symlinkRefusal(flag, shown, link) {
    const where = link === resolve(shown) ? `${flag} ${shown}` : `${flag} ${shown}: ${link}`;
    return new OutputPathError("SYMLINK", `${where} is a symbolic link: refusing to follow it (pass the real folder)`, true);
}
/** Removes the folders a failed walk made, deepest first (rmdir: only while empty, no link). */
function removeMade(made) {
    for (const dir of [...made].reverse()) {
        try {
            rmdirSync(dir);
        }
        catch {
            return;
        }
    }
}
/**
 * Walks `path` from the root down with lstat, one component at a time, following no symbolic
 * link except the system's own in the root folder (`isSystemLink`): `path.resolve` first turns
 * `.`, `..` and a trailing `/` into plain names (so `out/` and `out/.` are `out`, never "what
 * `out` points to"), and no component is ever looked up with a trailing `/`.
 * A link anywhere else is refused (OutputPathError, usage); a file where a folder should be fails
 * with one line. With `create`, missing folders are made one at a time (0700), each checked again
 * with lstat once made, so a link raced in meanwhile is refused too.
 */
export function walkFolder(path, options) {
    const flag = options.flag ?? "--out";
    const shown = options.shown ?? path;
    let target = resolve(path);
    for (let hops = 0;; hops++) {
        const { root } = parse(target);
        const parts = target
            .slice(root.length)
            .split(sep)
            .filter((part) => part !== "");
        let current = root;
        let currentStat = lstatSync(root);
        const chain = [{ path: root, dev: currentStat.dev, ino: currentStat.ino }];
        const made = [];
        let followed;
        for (const [i, part] of parts.entries()) {
            const next = join(current, part);
            let stat = lstatOrNull(next);
            if (stat === null) {
                if (options.create !== true) {
                    return { path: join(current, ...parts.slice(i)), exists: false, chain, created: made[0] };
                }
                try {
                    mkdirSync(next, { mode: 0o700 });
                    made.push(next);
                }
                catch (error) {
                    if (error.code !== "EEXIST") {
                        removeMade(made);
                        throw error;
                    }
                }
                // Made, or raced in meanwhile; it may also be gone again already (a folder swapped back
                // and forth by someone else): that is a change, not a file-system error.
                stat = lstatOrNull(next);
                if (stat === null) {
                    removeMade(made);
                    throw new OutputPathError("CHANGED", `cannot write ${options.what} to ${shown}: ${next} was removed while writing; nothing was published`);
                }
            }
            if (stat.isSymbolicLink()) {
                if (!isSystemLink(stat, currentStat, current === root) || hops >= MAX_LINK_HOPS) {
                    removeMade(made);
                    throw symlinkRefusal(flag, shown, next);
                }
                followed = resolve(current, readlinkSync(next), ...parts.slice(i + 1));
                break;
            }
            if (!stat.isDirectory()) {
                removeMade(made);
                const file = next === resolve(shown) ? shown : next;
                throw new OutputPathError("ENOTDIR", `cannot write ${options.what} to ${shown}: ${file} is a file, not a folder`);
            }
            chain.push({ path: next, dev: stat.dev, ino: stat.ino });
            current = next;
            currentStat = stat;
        }
        if (followed === undefined)
            return { path: current, exists: true, chain, created: made[0] };
        target = followed; // a system link: walk its target by the same rule, from the root
    }
}
/**
 * Checks, without creating anything, that `dir` can be written to or created: no symbolic link in
 * any component of its path (`walkFolder`), and the folder (or its nearest existing ancestor) is
 * writable. With `parent`, the output is `dir` itself published by renaming a sibling into place:
 * its parent is walked and must be writable, and `dir` must not be a link either. `what` names
 * the output in the message: "reports", "the export", "review workbooks".
 */
export function checkOutputDir(dir, what, options = {}) {
    const target = resolve(dir);
    const flag = options.flag ?? "--out";
    let walked;
    try {
        walked = walkFolder(options.parent === true ? dirname(target) : target, {
            what,
            flag,
            shown: dir,
        });
    }
    catch (error) {
        throw outputError(what, dir, error) ?? error;
    }
    if (options.parent === true && walked.exists && isSymlink(target)) {
        throw symlinkRefusal(flag, dir, target);
    }
    const problem = unwritableReason(walked.path);
    if (problem !== null) {
        throw new OutputPathError(problem.code, `cannot write ${what} to ${dir}: ${problem.reason}`);
    }
}
const DIRECTORY_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);
/** `/proc/self/fd/N` when it reaches the folder open as `fd` (Linux); null elsewhere. */
function descriptorPath(fd, stat) {
    const path = `/proc/self/fd/${fd}`;
    try {
        const seen = statSync(path);
        return seen.dev === stat.dev && seen.ino === stat.ino ? path : null;
    }
    catch {
        return null;
    }
}
/**
 * Opens the folder `dir` for writing `what`: walked without following links (`walkFolder`),
 * created if missing (0700, one folder at a time), and held open by a descriptor (O_NOFOLLOW,
 * checked to be the very folder the walk saw). See `OutputFolder`.
 */
export function openOutputFolder(dir, what, options = {}) {
    const flag = options.flag ?? "--out";
    const shown = options.shown ?? dir;
    const walked = walkFolder(dir, { what, flag, shown, create: true });
    const last = walked.chain.at(-1);
    const changed = (path, now) => {
        const how = now === null ? "removed" : now.isSymbolicLink() ? "replaced by a symbolic link" : "replaced";
        return new OutputPathError("CHANGED", `cannot write ${what} to ${shown}: ${path} was ${how} while writing; nothing was published`);
    };
    let fd;
    try {
        fd = openSync(walked.path, DIRECTORY_FLAGS);
    }
    catch (error) {
        const now = lstatOrNull(walked.path);
        if (now === null || now.isSymbolicLink())
            throw changed(walked.path, now);
        // Not found, or not a folder (a link refused by O_NOFOLLOW | O_DIRECTORY), although the walk
        // had just seen the folder, and back by now: it was moved away or swapped for a moment.
        const code = error.code;
        if (code === "ENOENT")
            throw changed(walked.path, null);
        if (code === "ENOTDIR" || code === "ELOOP")
            throw changed(walked.path, now);
        throw error;
    }
    const held = fstatSync(fd);
    if (held.dev !== last.dev || held.ino !== last.ino) {
        closeSync(fd);
        throw changed(walked.path, lstatOrNull(walked.path));
    }
    const base = descriptorPath(fd, held) ?? walked.path;
    let open = true;
    return {
        path: walked.path,
        created: walked.created,
        at: (name) => (name === undefined ? base : join(base, name)),
        recheck() {
            for (const step of walked.chain) {
                const now = lstatOrNull(step.path);
                if (now === null ||
                    now.isSymbolicLink() ||
                    !now.isDirectory() ||
                    now.dev !== step.dev ||
                    now.ino !== step.ino) {
                    throw changed(step.path, now);
                }
            }
        },
        close() {
            if (open)
                closeSync(fd);
            open = false;
        },
    };
}
/**
 * Holds a folder this process just created inside an output folder (an export's staging folder)
 * by a descriptor, as `openOutputFolder` does: returns the path to write through (on Linux
 * `/proc/self/fd/N`) and a function that closes it.
 */
export function holdFolder(path) {
    const fd = openSync(path, DIRECTORY_FLAGS);
    const through = descriptorPath(fd, fstatSync(fd));
    return { path: through ?? path, close: () => closeSync(fd) };
}
/**
 * A temporary name beside `path` that says which process owns it (`<path>.<pid>-<hex><suffix>`),
 * so that what a killed process left behind can be told from what a running one is writing.
 */
export function ownedTempName(path, suffix) {
    return `${path}.${process.pid}-${randomBytes(6).toString("hex")}${suffix}`;
}
function processAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        return error.code === "EPERM";
    }
}
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/**
 * The entries of `dir` named `<prefix><pid>-<random><suffix>` whose process is gone: the
 * temporary files and folders of a command that was killed (SIGKILL, power loss) before it could
 * clean up. Entries of live processes are not listed, nor anything that is not a plain file or a
 * real folder (lstat): the tool never makes links, so one with such a name was planted, and it
 * is neither followed nor removed.
 */
export function orphanedEntries(dir, prefix, suffix) {
    const pattern = new RegExp(`^${escapeRegExp(prefix)}(\\d+)-[A-Za-z0-9]+${escapeRegExp(suffix)}$`);
    let names;
    try {
        names = readdirSync(dir);
    }
    catch {
        return [];
    }
    return names
        .filter((name) => {
        const pid = Number(pattern.exec(name)?.[1] ?? Number.NaN);
        return Number.isSafeInteger(pid) && pid !== process.pid && !processAlive(pid);
    })
        .map((name) => join(dir, name))
        .filter((path) => {
        try {
            const stat = lstatSync(path);
            return stat.isFile() || stat.isDirectory();
        }
        catch {
            return false;
        }
    });
}
/**
 * Removes `orphanedEntries(dir, prefix, suffix)`; returns what it removed. A folder is removed
 * with everything in it; `fs.rm` unlinks a link found inside rather than following it.
 */
export function sweepOrphans(dir, prefix, suffix) {
    const removed = [];
    for (const path of orphanedEntries(dir, prefix, suffix)) {
        try {
            rmSync(path, { recursive: true, force: true });
            removed.push(path);
        }
        catch {
            // Not ours to remove after all (permissions): leave it.
        }
    }
    return removed;
}
/** Size and SHA-256 of a file. */
async function digest(path) {
    const hash = createHash("sha256");
    let bytes = 0;
    for await (const chunk of createReadStream(path)) {
        hash.update(chunk);
        bytes += chunk.length;
    }
    return { bytes, sha256: hash.digest("hex") };
}
/**
 * Writes several files into the folder `dir` all or nothing. The folder is opened with
 * `openOutputFolder` (no link followed in any component, created if missing, held by a
 * descriptor); each file is written to `<name>.<pid>-<random>.tmp` in it, created exclusively
 * and owner-only; when every one is written, the folder is re-checked (`recheck`) and the files
 * are renamed over their final names, so a reader (or a crash, or a full disk) never sees half a
 * file or half a set, and a folder swapped for a link meanwhile gets nothing. On failure the
 * temporary files, and the folders this call created, are removed, and a file-system error
 * becomes one line naming `what` and `dir`. Returns each file's size and SHA-256, as written.
 */
export async function writeFilesAtomically(dir, what, files, options = {}) {
    let folder;
    const temps = [];
    try {
        folder = openOutputFolder(dir, what, options);
        const written = [];
        for (const file of files) {
            // What a killed writer of this file left behind.
            sweepOrphans(folder.at(), `${file.name}.`, ".tmp");
            const temp = folder.at(ownedTempName(file.name, ".tmp"));
            // Created exclusively (O_EXCL refuses an existing name, link or not), owner-only.
            writeFileSync(temp, "", { flag: "wx", mode: 0o600 });
            temps.push(temp);
            await file.write(temp);
            await chmod(temp, 0o600);
            written.push({ name: file.name, ...(await digest(temp)) });
        }
        folder.recheck();
        for (const [i, file] of files.entries()) {
            await rename(temps[i], folder.at(file.name));
            temps[i] = "";
        }
        return written;
    }
    catch (error) {
        // Judged before the clean-up below removes the folders this call made.
        const failure = changedInstead(folder, error);
        for (const temp of temps)
            if (temp !== "")
                await rm(temp, { force: true }).catch(() => { });
        if (folder?.created !== undefined)
            await removeEmptyFolders(folder.path, folder.created);
        throw outputError(what, dir, failure) ?? failure;
    }
    finally {
        folder?.close();
    }
}
/**
 * A write that failed because its folder was removed or swapped meanwhile (ENOENT through the
 * descriptor of a deleted folder) is reported as that change; any other error as it is.
 */
function changedInstead(folder, error) {
    if (folder === undefined || error instanceof AuditError)
        return error;
    try {
        folder.recheck();
    }
    catch (changed) {
        return changed;
    }
    return error;
}
/**
 * Removes `dir` and its parents up to `top` while they are empty (the ones a failed write made).
 * `rmdir` never follows a link (it fails on one), so a folder swapped for a link stays as it is.
 */
export async function removeEmptyFolders(dir, top) {
    const rel = relative(top, dir);
    if (rel.startsWith(".."))
        return;
    let current = dir;
    for (;;) {
        try {
            await rmdir(current);
        }
        catch {
            return; // not empty, or already gone
        }
        if (current === top || !current.startsWith(`${top}${sep}`))
            return;
        current = dirname(current);
    }
}
//# sourceMappingURL=files.js.map