/**
 * Limits on a returned certification workbook, enforced before exceljs sees a byte of it.
 *
 * exceljs 4 reads an .xlsx with JSZip (`JSZip.loadAsync(buffer)` over the whole file, then
 * `entry.async("string")` per entry): every entry is inflated completely into memory, sizes
 * are taken from the central directory and only compared with the real output afterwards. A
 * zip bomb (a few MB inflating to GBs), or a central directory that lies about the sizes,
 * would therefore exhaust memory or hit V8's string limit inside exceljs. So:
 *
 * 1. the file's size is checked (`fstat`) before it is read, and it is read at most once, into
 *    one buffer that is hashed, checked and parsed (no second read a swapped file could win);
 * 2. the central directory is read the way JSZip reads it (the last end-of-central-directory
 *    record, sizes from the central directory, data offsets from the local headers), and the
 *    archive is refused if it has too many entries, declares too much in total, declares a
 *    compression ratio no spreadsheet has, or uses anything JSZip would interpret differently
 *    (ZIP64, encryption, data before the archive, overlapping entries, unknown methods);
 * 3. every entry is then inflated here, streaming, counting bytes and never keeping them: an
 *    entry that produces more bytes than its directory declares is refused the moment it does
 *    (so a lying directory cannot make anything inflate past the declared total), and one
 *    that produces fewer, or whose CRC-32 differs, is refused too.
 *
 * Only when all of that holds are entries read, through the same directory (`CheckedZip`): the
 * importer inflates, streaming, only the parts it needs (workbook-read.ts), so what it reads is
 * exactly what was measured here.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { crc32, createInflateRaw } from "node:zlib";
import { AuditError } from "../errors.js";
/** Largest workbook file accepted. A 10,000-item review is about 1.5 MB. */
export const MAX_WORKBOOK_BYTES = 20 * 1024 * 1024;
/** Most zip entries accepted. An exported workbook has about a dozen. */
export const MAX_ZIP_ENTRIES = 1_000;
/** Most uncompressed bytes accepted in total (declared, and actually inflated). */
export const MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024;
/** Highest compression ratio accepted for an entry larger than `RATIO_FLOOR_BYTES`. */
export const MAX_COMPRESSION_RATIO = 100;
/** Entries up to this size may have any ratio (small XML parts compress very well). */
export const RATIO_FLOOR_BYTES = 10 * 1024 * 1024;
/** A workbook refused by these limits; the message is one line and says why. */
export class WorkbookLimitError extends AuditError {
    constructor(message) {
        super("WORKBOOK_LIMIT", message);
    }
}
const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const mb = (n) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
/** An entry's name for a message: printable ASCII only, bounded. */
function shownName(raw) {
    const text = raw.toString("latin1").replace(/[^\x20-\x7e]/g, "?");
    return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}
/**
 * Reads a workbook file into memory after checking its size: a file over `max` is refused
 * without reading it, and at most `max + 1` bytes are ever read (a file growing meanwhile is
 * refused too).
 */
export async function readWorkbookBytes(path, max = MAX_WORKBOOK_BYTES) {
    // Non-blocking open: a FIFO named as a workbook is refused below instead of waiting forever.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
        const stat = await handle.stat();
        if (!stat.isFile())
            throw new WorkbookLimitError("not a regular file; refused");
        const size = stat.size;
        if (size > max) {
            throw new WorkbookLimitError(`the file is ${mb(size)}, over the ${mb(max)} limit for a certification workbook; refused before parsing`);
        }
        const buffer = Buffer.alloc(Math.min(size, max) + 1);
        let length = 0;
        for (;;) {
            const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
            if (bytesRead === 0)
                break;
            length += bytesRead;
            if (length > max) {
                throw new WorkbookLimitError(`the file grew past the ${mb(max)} limit for a certification workbook while being read; refused`);
            }
            if (length === buffer.length)
                break;
        }
        return buffer.subarray(0, length);
    }
    finally {
        await handle.close();
    }
}
/** Where the end-of-central-directory record is: the last signature, as JSZip finds it. */
function findEocd(zip) {
    const lowest = Math.max(0, zip.length - EOCD_SIZE - MAX_COMMENT);
    for (let at = zip.length - EOCD_SIZE; at >= lowest; at--) {
        if (zip.readUInt32LE(at) === EOCD)
            return at;
    }
    return -1;
}
function readDirectory(zip, limits) {
    const notZip = "not an .xlsx workbook (not a zip archive)";
    if (zip.length < EOCD_SIZE + 30 || zip.readUInt32LE(0) !== LOCAL) {
        throw new WorkbookLimitError(notZip);
    }
    const eocd = findEocd(zip);
    if (eocd < 0)
        throw new WorkbookLimitError(`${notZip}: no end of central directory`);
    if (eocd >= 20 && zip.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
        throw new WorkbookLimitError("ZIP64 archives are not accepted as certification workbooks");
    }
    const disk = zip.readUInt16LE(eocd + 4);
    const directoryDisk = zip.readUInt16LE(eocd + 6);
    const onDisk = zip.readUInt16LE(eocd + 8);
    const count = zip.readUInt16LE(eocd + 10);
    const directorySize = zip.readUInt32LE(eocd + 12);
    const directoryAt = zip.readUInt32LE(eocd + 16);
    const commentLength = zip.readUInt16LE(eocd + 20);
    if (count === 0xffff || directorySize === 0xffffffff || directoryAt === 0xffffffff) {
        throw new WorkbookLimitError("ZIP64 archives are not accepted as certification workbooks");
    }
    if (disk !== 0 || directoryDisk !== 0 || onDisk !== count) {
        throw new WorkbookLimitError("multi-part zip archives are not accepted");
    }
    if (eocd + EOCD_SIZE + commentLength !== zip.length) {
        throw new WorkbookLimitError("the zip archive has data after its end record; refused");
    }
    if (directoryAt + directorySize !== eocd) {
        throw new WorkbookLimitError("the zip central directory is not where its end record says (data before or inside the archive); refused");
    }
    if (count > limits.maxEntries) {
        throw new WorkbookLimitError(`the zip archive has ${count} entries, more than the ${limits.maxEntries} a workbook may have; refused before parsing`);
    }
    const entries = [];
    let declaredTotal = 0;
    let at = directoryAt;
    for (let i = 0; i < count; i++) {
        if (at + 46 > eocd || zip.readUInt32LE(at) !== CENTRAL) {
            throw new WorkbookLimitError("the zip central directory is corrupt; refused");
        }
        const nameLength = zip.readUInt16LE(at + 28);
        const extraLength = zip.readUInt16LE(at + 30);
        const commentLen = zip.readUInt16LE(at + 32);
        const end = at + 46 + nameLength + extraLength + commentLen;
        if (end > eocd)
            throw new WorkbookLimitError("the zip central directory is corrupt; refused");
        const rawName = zip.subarray(at + 46, at + 46 + nameLength);
        const flags = zip.readUInt16LE(at + 8);
        const entry = {
            name: shownName(rawName),
            path: rawName.toString((flags & 0x800) !== 0 ? "utf8" : "latin1"),
            flags,
            method: zip.readUInt16LE(at + 10),
            crc: zip.readUInt32LE(at + 16),
            compressed: zip.readUInt32LE(at + 20),
            uncompressed: zip.readUInt32LE(at + 24),
            localOffset: zip.readUInt32LE(at + 42),
        };
        at = end;
        if (entry.compressed === 0xffffffff ||
            entry.uncompressed === 0xffffffff ||
            entry.localOffset === 0xffffffff) {
            throw new WorkbookLimitError("ZIP64 archives are not accepted as certification workbooks");
        }
        if ((entry.flags & 0x1) !== 0) {
            throw new WorkbookLimitError(`zip entry ${entry.name} is encrypted; refused`);
        }
        if (entry.method !== 0 && entry.method !== 8) {
            throw new WorkbookLimitError(`zip entry ${entry.name} uses compression method ${entry.method} (only stored and deflate are accepted); refused`);
        }
        declaredTotal += entry.uncompressed;
        if (declaredTotal > limits.maxUncompressed) {
            throw new WorkbookLimitError(`the zip archive declares more than ${mb(limits.maxUncompressed)} uncompressed (a zip bomb?); refused before parsing`);
        }
        if (entry.uncompressed > limits.ratioFloor &&
            entry.uncompressed > entry.compressed * limits.maxRatio) {
            const ratio = Math.round(entry.uncompressed / Math.max(1, entry.compressed));
            throw new WorkbookLimitError(`zip entry ${entry.name} declares ${mb(entry.uncompressed)} from ${entry.compressed} bytes (ratio ${ratio}:1, limit ${limits.maxRatio}:1; a zip bomb?); refused before parsing`);
        }
        entries.push(entry);
    }
    if (at !== eocd)
        throw new WorkbookLimitError("the zip central directory is corrupt; refused");
    return { entries, directoryAt };
}
/** The entry's compressed bytes, located through its local header as JSZip does. */
function entryData(zip, entry, directoryAt) {
    const at = entry.localOffset;
    if (at + 30 > directoryAt || zip.readUInt32LE(at) !== LOCAL) {
        throw new WorkbookLimitError(`zip entry ${entry.name} has no local header; refused`);
    }
    const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
    const end = start + entry.compressed;
    if (end > directoryAt) {
        throw new WorkbookLimitError(`zip entry ${entry.name} runs past the archive's data; refused`);
    }
    return { start, end };
}
/** Inflates one entry without keeping the output, stopping past `entry.uncompressed` bytes. */
function measure(data, entry) {
    const lying = () => new WorkbookLimitError(`zip entry ${entry.name} inflates to more than the ${entry.uncompressed} bytes its directory declares (a zip bomb?); refused before parsing`);
    const check = (produced, crc) => {
        if (produced !== entry.uncompressed) {
            throw new WorkbookLimitError(`zip entry ${entry.name} inflates to ${produced} bytes, not the ${entry.uncompressed} its directory declares; refused`);
        }
        if (crc !== entry.crc) {
            throw new WorkbookLimitError(`zip entry ${entry.name} fails its CRC-32 check; refused`);
        }
    };
    if (entry.method === 0) {
        check(data.length, crc32(data));
        return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
        const inflater = createInflateRaw({ chunkSize: 64 * 1024 });
        let produced = 0;
        let crc = 0;
        let settled = false;
        const fail = (error) => {
            if (settled)
                return;
            settled = true;
            inflater.destroy();
            reject(error);
        };
        inflater.on("data", (chunk) => {
            if (settled)
                return;
            produced += chunk.length;
            if (produced > entry.uncompressed) {
                fail(lying());
                return;
            }
            crc = crc32(chunk, crc);
        });
        inflater.on("error", () => fail(new WorkbookLimitError(`zip entry ${entry.name} is not valid deflate data; refused`)));
        inflater.on("end", () => {
            if (settled)
                return;
            settled = true;
            try {
                check(produced, crc);
                resolve();
            }
            catch (error) {
                reject(error);
            }
        });
        inflater.end(data);
    });
}
export const DEFAULT_ZIP_LIMITS = {
    maxEntries: MAX_ZIP_ENTRIES,
    maxUncompressed: MAX_UNCOMPRESSED_BYTES,
    maxRatio: MAX_COMPRESSION_RATIO,
    ratioFloor: RATIO_FLOOR_BYTES,
};
/**
 * Checks a workbook's zip structure and inflates every entry under the limits; throws a
 * `WorkbookLimitError` (one line) for anything that should not be read further. Returns the
 * entries, to be read with `inflateEntry`.
 */
export async function checkWorkbookZip(zip, limits = DEFAULT_ZIP_LIMITS) {
    if (zip.length > MAX_WORKBOOK_BYTES) {
        throw new WorkbookLimitError(`the file is ${mb(zip.length)}, over the ${mb(MAX_WORKBOOK_BYTES)} limit for a certification workbook; refused before parsing`);
    }
    const { entries, directoryAt } = readDirectory(zip, limits);
    const ranges = entries
        .map((entry) => ({ entry, ...entryData(zip, entry, directoryAt) }))
        .sort((a, b) => a.entry.localOffset - b.entry.localOffset);
    for (let i = 1; i < ranges.length; i++) {
        const previous = ranges[i - 1];
        const current = ranges[i];
        if (previous !== undefined &&
            current !== undefined &&
            current.entry.localOffset < previous.end) {
            throw new WorkbookLimitError(`zip entries ${previous.entry.name} and ${current.entry.name} overlap (a zip bomb?); refused`);
        }
    }
    const checked = new Map();
    for (const { entry, start, end } of ranges) {
        if (checked.has(entry.path)) {
            throw new WorkbookLimitError(`the zip archive has two entries named ${entry.name}; refused`);
        }
        const data = zip.subarray(start, end);
        await measure(data, entry);
        checked.set(entry.path, {
            path: entry.path,
            name: entry.name,
            method: entry.method,
            size: entry.uncompressed,
            data,
        });
    }
    return checked;
}
/**
 * An entry's bytes, inflated in chunks of at most 64 KiB (its size and CRC were checked). The
 * compressed bytes go in 16 KiB at a time and only as fast as the chunks are taken, so no more
 * than one slice's output (16 KiB x the 1032:1 ceiling of deflate) waits in memory.
 */
export async function* inflateEntry(entry) {
    const chunk = 64 * 1024;
    if (entry.method === 0) {
        for (let at = 0; at < entry.data.length; at += chunk) {
            yield entry.data.subarray(at, at + chunk);
        }
        return;
    }
    const data = entry.data;
    const source = Readable.from((function* () {
        for (let at = 0; at < data.length; at += 16 * 1024)
            yield data.subarray(at, at + 16 * 1024);
    })(), { objectMode: false });
    const inflater = createInflateRaw({ chunkSize: chunk });
    source.pipe(inflater);
    try {
        for await (const part of inflater)
            yield part;
    }
    finally {
        source.destroy();
        inflater.destroy();
    }
}
//# sourceMappingURL=zip-limits.js.map