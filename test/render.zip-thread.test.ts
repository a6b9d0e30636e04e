/**
 * A workbook's zip is compressed and written on a worker thread (src/render/zip-thread.ts):
 * the same archiver as exceljs's own, fed the same entries, must give the same bytes; a file it
 * cannot open, or an archive abandoned halfway, must leave no thread and no open file behind.
 * Rows reach it encoded one by one into a buffer (src/render/workbook.ts): rows longer than that
 * buffer, and text of every width in UTF-8, must arrive whole and in order.
 */
import {
  createWriteStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, type Writable } from "node:stream";
import ExcelJS from "exceljs";
import { afterAll, describe, expect, it } from "vitest";
import { checkWorkbookZip, inflateEntry } from "../src/certify/zip-limits.js";
import { StreamingBook } from "../src/render/index.js";
import { ThreadZip } from "../src/render/zip-thread.js";

const require = createRequire(import.meta.url);
/** The archiver exceljs uses, run here on the test's own thread. */
const archiver = require(createRequire(require.resolve("exceljs")).resolve("archiver")) as (
  format: "zip",
  options: object,
) => {
  append(source: unknown, data: object): unknown;
  pipe(destination: Writable): unknown;
  finalize(): Promise<void>;
};

const work = mkdtempSync(join(tmpdir(), "aa-zip-thread-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const DATE = new Date("2026-11-29T10:11:12Z");

/** Compressible and not: XML-like text, and bytes from a fixed pseudo-random sequence. */
function content(seed: number, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = i % 3 === 0 ? x >>> 24 : 60 + (i % 7);
  }
  return out;
}

/** Entries as exceljs gives them: strings, and streams written in chunks after `append`. */
const ENTRIES = [
  { name: "[Content_Types].xml", text: "<Types>é&amp;</Types>" },
  { name: "xl/worksheets/sheet1.xml", chunks: [content(1, 70_000), content(2, 3_000_000)] },
  { name: "xl/styles.xml", text: "<styleSheet/>" },
  { name: "xl/worksheets/sheet2.xml", chunks: [] },
  { name: "xl/worksheets/sheet3.xml", chunks: [content(3, 1_500_000), content(4, 10)] },
];

/** Appends ENTRIES to an archiver-like zip, writing the streams as exceljs's StreamBuf does. */
async function appendAll(zip: {
  append(source: unknown, data: { name: string; date?: Date }): unknown;
}): Promise<void> {
  for (const entry of ENTRIES) {
    if (entry.text !== undefined) {
      zip.append(entry.text, { name: entry.name, date: DATE });
      continue;
    }
    const stream = new PassThrough();
    zip.append(stream, { name: entry.name, date: DATE });
    for (const chunk of entry.chunks ?? []) {
      if (!stream.write(chunk)) await new Promise((resolve) => stream.once("drain", resolve));
    }
    stream.end();
  }
}

/** The descriptors of this process open on `path`. */
function openOn(path: string): string[] {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}

describe("the zip thread", () => {
  it("writes byte for byte the zip exceljs's archiver writes on this thread", async () => {
    const own = join(work, "own.zip");
    const local = archiver("zip", {});
    const out = createWriteStream(own);
    local.pipe(out);
    const closed = new Promise<void>((resolve) => out.on("close", () => resolve()));
    await appendAll(local);
    await local.finalize();
    await closed;

    const threaded = join(work, "threaded.zip");
    const zip = new ThreadZip(threaded);
    await zip.opened();
    const finished = new PassThrough();
    zip.pipe(finished);
    await appendAll(zip);
    await zip.finalize();
    await zip.stopped();

    const expected = readFileSync(own);
    expect(expected.length).toBeGreaterThan(100_000);
    expect(readFileSync(threaded).equals(expected)).toBe(true);
    // exceljs waits for the stream it piped to: it ends once the file is written.
    expect(finished.writableEnded).toBe(true);
    expect(openOn(threaded)).toEqual([]);
  });

  it("moves a chunk's memory to the thread only when the chunk is all of it", async () => {
    const path = join(work, "shared.zip");
    const zip = new ThreadZip(path);
    await zip.opened();
    zip.pipe(new PassThrough());
    const whole = content(6, 100_000);
    const shared = content(7, 200_000);
    const stream = new PassThrough();
    zip.append(stream, { name: "xl/worksheets/sheet1.xml", date: DATE });
    stream.write(whole);
    stream.end(shared.subarray(1_000, 150_000));
    await zip.finalize();
    await zip.stopped();
    // The slice's memory is shared with the rest of `shared`: copied, so `shared` is intact.
    expect(shared.byteLength).toBe(200_000);
    expect(shared.equals(content(7, 200_000))).toBe(true);
    // `whole` was all of its memory: moved, nothing copied.
    expect(whole.byteLength).toBe(0);
  });

  it("rejects a file it cannot open with that error, and stops", async () => {
    const zip = new ThreadZip(join(work, "no-such-folder", "book.xlsx"));
    await expect(zip.opened()).rejects.toMatchObject({ code: "ENOENT" });
    zip.abort();
    await zip.stopped();
    await expect(zip.finalize()).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("abandoned halfway through an entry: the file is closed and the thread gone", async () => {
    const path = join(work, "abandoned.zip");
    writeFileSync(path, "");
    const zip = new ThreadZip(path);
    await zip.opened();
    zip.pipe(new PassThrough());
    const stream = new PassThrough();
    zip.append(stream, { name: "xl/worksheets/sheet1.xml", date: DATE });
    stream.write(content(5, 2_000_000));
    expect(openOn(path)).toHaveLength(1);
    zip.abort();
    await zip.stopped();
    expect(openOn(path)).toEqual([]);
  });
});

describe("a StreamingBook's rows", () => {
  it("arrive whole and in order: short and long rows, text of 1 to 4 bytes a character", async () => {
    const path = join(work, "rows.xlsx");
    const book = await StreamingBook.create(path, {
      title: "rows",
      subject: "rows",
      creator: "test",
      description: "rows",
      keywords: "rows",
      category: "test",
      date: DATE,
    });
    const columns = [
      { key: "n", header: "N", width: 8 },
      { key: "a", header: "A", width: 30 },
      { key: "b", header: "B", width: 30 },
    ];
    const texts = ["plain", "Zoë Ångström", "名前テスト", "🚀 launch 🚀", 'a&b <c> "d"'];
    const rows = Array.from({ length: 5_000 }, (_, n) => ({
      n,
      // Every 500th row is longer than the buffer rows are encoded into (128 KiB).
      a: n % 500 === 7 ? "é🚀".repeat(10_000) : (texts[n % texts.length] as string),
      b: n % 500 === 7 ? "名".repeat(30_000) : `${texts[(n * 3) % texts.length]} ${n}`,
    }));
    const sheet = book.sheet("Rows", columns);
    for (const row of rows) if (!sheet.write(row)) await sheet.drained();
    await sheet.close();
    await book.commit();

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const read: { n: unknown; a: unknown; b: unknown }[] = [];
    workbook.getWorksheet("Rows")?.eachRow((row, number) => {
      if (number > 1)
        read.push({ n: row.getCell(1).value, a: row.getCell(2).value, b: row.getCell(3).value });
    });
    expect(read).toEqual(rows);
    // Excel needs the rows in order in the file itself (a reader may place them by number).
    const entry = (await checkWorkbookZip(readFileSync(path))).get("xl/worksheets/sheet1.xml");
    if (entry === undefined) throw new Error("no sheet1.xml in the workbook");
    const parts: Buffer[] = [];
    for await (const part of inflateEntry(entry)) parts.push(part);
    const numbers = [
      ...Buffer.concat(parts)
        .toString("utf8")
        .matchAll(/<row r="(\d+)"/g),
    ].map((m) => Number(m[1]));
    expect(numbers).toEqual(Array.from({ length: rows.length + 1 }, (_, i) => i + 1));
  });
});
