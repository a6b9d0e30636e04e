/**
 * Returned workbooks that are heavy to read but inside every zip limit (src/certify/zip-limits.ts):
 * at most 20 MB on disk, 256 MiB uncompressed in all, no entry over 10 MiB with a compression
 * ratio above 100:1. They start from a real (filled) review workbook and add rows to its Review
 * sheet or strings to its shared-string table, deflated a MiB at a time so that building one
 * never holds the whole XML in memory.
 */
import { constants, crc32, deflateRawSync, inflateRawSync } from "node:zlib";
import {
  MAX_COMPRESSION_RATIO,
  MAX_UNCOMPRESSED_BYTES,
  MAX_WORKBOOK_BYTES,
  RATIO_FLOOR_BYTES,
} from "../../src/certify/zip-limits.js";
import { buildZip, deflatedEntry, type ZipEntry } from "./hostile.js";

/** The entries of a (trusted) zip archive, inflated, in archive order. */
export function unzipEntries(zip: Buffer): { name: string; content: Buffer }[] {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a zip archive");
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: { name: string; content: Buffer; offset: number }[] = [];
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const offset = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const data = zip.subarray(start, start + compressed);
    entries.push({ name, content: method === 8 ? inflateRawSync(data) : data, offset });
    at += 46 + skip;
  }
  return entries
    .sort((a, b) => a.offset - b.offset)
    .map(({ name, content }) => ({ name, content }));
}

/**
 * A deflated entry made of `head`, chunks from `chunks()` (each deflated on its own) and `tail`,
 * taking chunks while the entry stays under `maxCompressed` bytes and `maxSize` inflated.
 */
function streamedEntry(
  name: string,
  head: string,
  chunks: () => string,
  tail: string,
  maxCompressed: number,
  maxSize: number,
): ZipEntry {
  const parts: Buffer[] = [];
  let crc = 0;
  let size = 0;
  let compressed = 0;
  const add = (bytes: Buffer, data: Buffer) => {
    crc = crc32(bytes, crc);
    size += bytes.length;
    compressed += data.length;
    parts.push(data);
  };
  const flushed = (bytes: Buffer) =>
    deflateRawSync(bytes, { finishFlush: constants.Z_FULL_FLUSH, level: 9 });
  const head_ = Buffer.from(head, "utf8");
  const tail_ = Buffer.from(tail, "utf8");
  add(head_, flushed(head_));
  const reserve = tail_.length + 1024;
  for (;;) {
    const bytes = Buffer.from(chunks(), "utf8");
    const data = flushed(bytes);
    if (compressed + data.length + reserve > maxCompressed) break;
    if (size + bytes.length + tail_.length > maxSize) break;
    add(bytes, data);
  }
  add(tail_, deflateRawSync(tail_));
  return { name, data: Buffer.concat(parts), method: 8, crc, size };
}

function columnName(n: number): string {
  let s = "";
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26))
    s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

export interface Heavy {
  /** What is added to the Review sheet, one row at a time (row number -> the row's XML). */
  rows?: (row: number) => string;
  /** Shared strings added to the table (index -> its text). */
  strings?: (index: number) => string;
  /** Most uncompressed bytes of the grown entry (default: what the 256 MiB limit leaves). */
  bytes?: number;
}

/** Empty cells in every column the Review sheet has. */
export const emptyRow = (row: number): string => {
  const cells = Array.from(
    { length: 18 },
    (_, i) => `<c r="${columnName(i + 1)}${row}" t="str"><v></v></c>`,
  ).join("");
  return `<row r="${row}">${cells}</row>`;
};

/** Cells holding numbers in every column: each row is a forged row to the importer. */
export const numberRow = (row: number): string => {
  const cells = Array.from(
    { length: 18 },
    (_, i) => `<c r="${columnName(i + 1)}${row}"><v>${(row * 31 + i) % 9973}</v></c>`,
  ).join("");
  return `<row r="${row}">${cells}</row>`;
};

/** A distinct shared string, short: as many strings as fit. */
export const uniqueString = (index: number): string => `s${index}`;

/** A distinct shared string of about 37 bytes. */
export const longString = (index: number): string => `${"x".repeat(30)}${index}`;

/**
 * `workbook` (an .xlsx written by exceljs, with a shared-string table) with `heavy` added; checks
 * that the result is inside the zip limits and throws if not.
 */
export function heavyWorkbook(workbook: Buffer, heavy: Heavy): Buffer {
  const entries = unzipEntries(workbook);
  const others = entries.reduce((n, e) => n + e.content.length, 0);
  const maxSize = heavy.bytes ?? MAX_UNCOMPRESSED_BYTES - others - 64 * 1024;
  // The other entries deflated, and room for the directory.
  const maxCompressed = MAX_WORKBOOK_BYTES - workbook.length - 64 * 1024;
  const chunk = 1024 * 1024;
  const text = (name: string) =>
    entries.find((e) => e.name === name)?.content.toString("utf8") ?? "";
  const rid = /<sheet [^>]*name="Review"[^>]*r:id="([^"]+)"/.exec(text("xl/workbook.xml"))?.[1];
  const target = new RegExp(`Id="${rid}"[^>]*Target="/?(?:xl/)?([^"]+)"`).exec(
    text("xl/_rels/workbook.xml.rels"),
  )?.[1];
  const review = `xl/${target}`;
  const out: ZipEntry[] = [];
  for (const { name, content } of entries) {
    const xml = content.toString("utf8");
    if (heavy.rows !== undefined && name === review) {
      const last = [...xml.matchAll(/<row r="(\d+)"/g)].at(-1);
      const close = xml.indexOf("</sheetData>");
      if (last === undefined || close < 0) throw new Error(`${name}: no rows`);
      const make = heavy.rows;
      let row = Number(last[1]);
      const rows = () => {
        let part = "";
        while (part.length < chunk) part += make(++row);
        return part;
      };
      out.push(
        streamedEntry(name, xml.slice(0, close), rows, xml.slice(close), maxCompressed, maxSize),
      );
    } else if (heavy.strings !== undefined && name === "xl/sharedStrings.xml") {
      const close = xml.lastIndexOf("</sst>");
      const make = heavy.strings;
      let index = 0;
      const strings = () => {
        let part = "";
        while (part.length < chunk) part += `<si><t>${make(index++)}</t></si>`;
        return part;
      };
      // The counts in <sst> are hints; readers use the <si> elements.
      out.push(
        streamedEntry(name, xml.slice(0, close), strings, xml.slice(close), maxCompressed, maxSize),
      );
    } else {
      out.push(deflatedEntry(name, content));
    }
  }
  const zip = buildZip(out);
  const total = out.reduce((n, e) => n + e.size, 0);
  if (zip.length > MAX_WORKBOOK_BYTES) throw new Error(`heavy workbook is ${zip.length} bytes`);
  if (total > MAX_UNCOMPRESSED_BYTES) throw new Error(`heavy workbook inflates to ${total}`);
  for (const e of out) {
    if (e.size > RATIO_FLOOR_BYTES && e.size > e.data.length * MAX_COMPRESSION_RATIO) {
      throw new Error(`${e.name}: ratio ${Math.round(e.size / e.data.length)}:1`);
    }
  }
  return zip;
}
