/**
 * Output paths without links (issue 14): which links may be followed (`isSystemLink`), how a path
 * is walked (`walkFolder`: `.`, `..` and a trailing `/` are names, a link anywhere is refused, a
 * file in the way is named), and what an opened folder guarantees (`openOutputFolder`: writes go
 * to the folder that was walked even after it is moved, `recheck` notices a swap), in a temp dir.
 */
import { spawnSync } from "node:child_process";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  isSystemLink,
  OutputPathError,
  openOutputFolder,
  orphanedEntries,
  walkFolder,
} from "../../src/util/files.js";

// The real path: on macOS tmpdir() is under /var, a system link the walk resolves.
const tmp = mkdtempSync(join(realpathSync(tmpdir()), "aa-unit-paths-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh folder with a sentinel folder and a link `link` to it. */
function fixture(): { dir: string; target: string; link: string } {
  const dir = join(tmp, `case-${n++}`);
  const target = join(dir, "target");
  mkdirSync(target, { recursive: true });
  const link = join(dir, "link");
  symlinkSync(target, link);
  return { dir, target, link };
}

function refusal(fn: () => unknown): OutputPathError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OutputPathError);
    return error as OutputPathError;
  }
  throw new Error("expected a refusal");
}

describe("isSystemLink", () => {
  const root = { uid: 0, mode: 0o40755 };
  it("follows only root's links directly in a root folder nobody else may write", () => {
    expect(isSystemLink({ uid: 0 }, root, true)).toBe(true);
    // Anywhere but the root folder: refused, even root's own in a private root-owned folder.
    expect(isSystemLink({ uid: 0 }, root, false)).toBe(false);
    expect(isSystemLink({ uid: 0 }, { uid: 0, mode: 0o40700 }, false)).toBe(false);
    // Someone else's link, or a root folder others may write.
    expect(isSystemLink({ uid: 501 }, root, true)).toBe(false);
    expect(isSystemLink({ uid: 0 }, { uid: 501, mode: 0o40755 }, true)).toBe(false);
    expect(isSystemLink({ uid: 0 }, { uid: 0, mode: 0o40775 }, true)).toBe(false);
    expect(isSystemLink({ uid: 0 }, { uid: 0, mode: 0o41777 }, true)).toBe(false);
  });
});

describe("walkFolder", () => {
  const opts = { what: "reports" };

  it("reads a trailing /, /. and .. as names: a link given so is refused, not entered", () => {
    const { dir, link } = fixture();
    for (const given of [`${link}/`, `${link}/.`, `${link}/./`, join(dir, "x", "..", "link")]) {
      const e = refusal(() => walkFolder(given, opts));
      expect(e.code).toBe("SYMLINK");
      expect(e.usage).toBe(true);
      expect(e.message).toBe(
        `--out ${given} is a symbolic link: refusing to follow it (pass the real folder)`,
      );
    }
  });

  it("refuses a link in any component, naming it, and a relative path the same way", () => {
    const { dir, link } = fixture();
    const below = join(link, "a", "b");
    expect(refusal(() => walkFolder(below, { what: "the export", flag: "--out" })).message).toBe(
      `--out ${below}: ${link} is a symbolic link: refusing to follow it (pass the real folder)`,
    );
    const rel = `${relative(process.cwd(), link)}/`;
    expect(refusal(() => walkFolder(rel, opts)).message).toMatch(
      /^--out .*link\/ is a symbolic link: refusing to follow it/,
    );
    // Nothing was created below or beside the link while refusing.
    expect(readdirSync(dir).sort()).toEqual(["link", "target"]);
    expect(readdirSync(join(dir, "target"))).toEqual([]);
  });

  it("walks a real path: the chain from the root, what is missing, and creates owner-only folders", () => {
    const { dir } = fixture();
    const out = join(dir, "real", "reports");
    const missing = walkFolder(`${out}/.`, opts);
    expect(missing).toMatchObject({ path: out, exists: false, created: undefined });
    expect(missing.chain.at(-1)?.path).toBe(dir);
    const made = walkFolder(`${out}/`, { ...opts, create: true });
    expect(made).toMatchObject({ path: out, exists: true, created: join(dir, "real") });
    expect(made.chain.map((s) => s.path).slice(-2)).toEqual([join(dir, "real"), out]);
    expect(lstatSync(out).mode & 0o777).toBe(0o700);
    expect(walkFolder(out, { ...opts, create: true }).created).toBeUndefined();
  });

  it("names a file in the way", () => {
    const { dir } = fixture();
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    const e = refusal(() => walkFolder(join(file, "out"), { ...opts, create: true }));
    expect(e.code).toBe("ENOTDIR");
    expect(e.usage).toBe(false);
    expect(e.message).toBe(
      `cannot write reports to ${join(file, "out")}: ${file} is a file, not a folder`,
    );
  });
});

describe("openOutputFolder", () => {
  it("writes into the folder it walked even after that folder is moved and a link takes its place", () => {
    const { dir, target } = fixture();
    const out = join(dir, "out");
    const folder = openOutputFolder(out, "reports");
    try {
      if (process.platform === "linux") expect(folder.at()).toMatch(/^\/proc\/self\/fd\/\d+$/);
      renameSync(out, join(dir, "moved"));
      symlinkSync(target, out);
      writeFileSync(folder.at("report.html"), "<p>ok</p>");
      const e = refusal(() => folder.recheck());
      expect(e.code).toBe("CHANGED");
      expect(e.message).toBe(
        `cannot write reports to ${out}: ${out} was replaced by a symbolic link while writing; nothing was published`,
      );
    } finally {
      folder.close();
    }
    expect(readdirSync(target)).toEqual([]);
    if (process.platform === "linux") {
      expect(readFileSync(join(dir, "moved", "report.html"), "utf8")).toBe("<p>ok</p>");
    }
  });

  it("recheck passes while nothing changed, and notices a folder swapped for another", () => {
    const { dir } = fixture();
    const out = join(dir, "out");
    const folder = openOutputFolder(out, "reports");
    try {
      folder.recheck();
      renameSync(out, join(dir, "old"));
      mkdirSync(out);
      expect(refusal(() => folder.recheck()).message).toMatch(/was replaced while writing/);
      rmSync(out, { recursive: true });
      expect(refusal(() => folder.recheck()).message).toMatch(/was removed while writing/);
    } finally {
      folder.close();
    }
  });
});

describe("orphanedEntries", () => {
  it("lists real files and folders of dead processes only, never a link named like one", () => {
    const { dir, target } = fixture();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid as number;
    mkdirSync(join(dir, `db.tmp-${dead}-AbC123`));
    writeFileSync(join(dir, `db.tmp-${dead}-DeF456`), "");
    symlinkSync(target, join(dir, `db.tmp-${dead}-Link99`));
    mkdirSync(join(dir, `db.tmp-${process.pid}-Mine00`));
    expect(
      orphanedEntries(dir, "db.tmp-", "")
        .map((p) => relative(dir, p))
        .sort(),
    ).toEqual([`db.tmp-${dead}-AbC123`, `db.tmp-${dead}-DeF456`]);
  });
});
