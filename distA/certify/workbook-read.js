/**
 * Reading a returned review workbook with a memory bound that holds for any file inside the zip
 * limits (zip-limits.ts). exceljs' loader keeps the whole workbook as objects (a 20 MB file
 * within every zip limit took 3 GB), and its streaming reader parses the archive from its local
 * headers rather than the central directory that was checked, and keeps per-sheet state that a
 * file controls; so the parts needed here are read directly, streaming, from the entries the
 * zip check measured:
 *
 * - `xl/_rels/workbook.xml.rels` and `xl/workbook.xml`, for which part holds which sheet;
 * - the shared-string table, kept as UTF-8 bytes in 1 MiB blocks with an offset per string
 *   (at most `MAX_SHARED_STRINGS` strings and `MAX_SHARED_STRING_BYTES` bytes);
 * - the Instructions sheet (its first two columns), then the Review sheet one row at a time:
 *   only the cells of the columns the importer reads are kept, each at most Excel's own
 *   32,767 characters, and a row is handed over and dropped before the next is read.
 *
 * Nothing else in the archive is parsed. Cell values read as exceljs' `cellString` reads them
 * (see workbook.ts): shared and inline strings (rich-text runs joined, phonetic runs left out),
 * a formula as `=formula`, a number as JavaScript prints it, a boolean as true/false, an error
 * as its code; cell styles are not read, so a date stays the number Excel stores.
 */
import { posix } from "node:path";
import { ALL_HEADERS, CREDENTIAL_HEADERS, INSTRUCTIONS_SHEET, POPULATION_HEADERS, PROJECT_HEADERS, REQUIRED_HEADERS, REVIEW_SHEET, } from "./workbook.js";
import { localName, XmlError, XmlTokenizer } from "./xml-stream.js";
import { checkWorkbookZip, inflateEntry, WorkbookLimitError, } from "./zip-limits.js";
/** Most strings a shared-string table may hold. */
export const MAX_SHARED_STRINGS = 2_000_000;
/** Most bytes (UTF-8) of text a shared-string table may hold. */
export const MAX_SHARED_STRING_BYTES = 64 * 1024 * 1024;
/** Excel's limit on the characters of one cell. */
export const MAX_CELL_CHARS = 32_767;
/** Excel's limit on the rows of a worksheet. */
export const MAX_SHEET_ROWS = 1_048_576;
/** Excel's limit on the columns of a worksheet. */
export const MAX_SHEET_COLUMNS = 16_384;
/** Labels kept from the Instructions sheet (an exported one has about fifteen). */
export const MAX_INSTRUCTION_LABELS = 1_000;
const XML_LIMITS = { maxTagChars: 64 * 1024, maxTextChars: 512 * 1024, maxDepth: 64 };
/** A problem of the file: reported as one line, the file refused. */
class FileProblem extends Error {
}
async function parseEntry(entry, make) {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const tokenizer = new XmlTokenizer(XML_LIMITS);
    tokenizer.handler = make(tokenizer);
    try {
        for await (const chunk of inflateEntry(entry)) {
            tokenizer.write(decoder.decode(chunk, { stream: true }));
        }
        tokenizer.write(decoder.decode());
        tokenizer.end();
    }
    catch (error) {
        if (error instanceof XmlError) {
            throw new FileProblem(`${entry.name} is not well-formed XML (${error.message})`);
        }
        if (error instanceof TypeError && /encoded|decode/i.test(error.message)) {
            throw new FileProblem(`${entry.name} is not UTF-8 text`);
        }
        throw error;
    }
}
/** Stops a parse early without an error. */
class Stop extends Error {
}
/** Shared strings as UTF-8 in 1 MiB blocks; one offset and length per string. */
class StringTable {
    static BLOCK = 1024 * 1024;
    blocks = [];
    used = StringTable.BLOCK;
    offsets = new Uint32Array(1024);
    lengths = new Uint32Array(1024);
    count = 0;
    bytes = 0;
    add(text) {
        if (this.count >= MAX_SHARED_STRINGS) {
            throw new WorkbookLimitError(`the shared-string table holds more than ${MAX_SHARED_STRINGS.toLocaleString("en-US")} strings, more than a certification workbook may; refused`);
        }
        const length = Buffer.byteLength(text, "utf8");
        this.bytes += length;
        if (this.bytes > MAX_SHARED_STRING_BYTES) {
            throw new WorkbookLimitError(`the shared-string table holds more than ${MAX_SHARED_STRING_BYTES / (1024 * 1024)} MB of text, more than a certification workbook may; refused`);
        }
        if (this.used + length > StringTable.BLOCK) {
            this.blocks.push(Buffer.allocUnsafe(StringTable.BLOCK));
            this.used = 0;
        }
        const block = this.blocks.length - 1;
        this.blocks[block].write(text, this.used, "utf8");
        if (this.count === this.offsets.length) {
            const offsets = new Uint32Array(this.count * 2);
            offsets.set(this.offsets);
            this.offsets = offsets;
            const lengths = new Uint32Array(this.count * 2);
            lengths.set(this.lengths);
            this.lengths = lengths;
        }
        this.offsets[this.count] = block * StringTable.BLOCK + this.used;
        this.lengths[this.count] = length;
        this.count++;
        this.used += length;
    }
    /** The string at `index`, or "" for an index the table does not have (as exceljs reads it). */
    get(index) {
        if (!Number.isInteger(index) || index < 0 || index >= this.count)
            return "";
        const offset = this.offsets[index];
        const block = this.blocks[Math.floor(offset / StringTable.BLOCK)];
        const start = offset % StringTable.BLOCK;
        return block.toString("utf8", start, start + this.lengths[index]);
    }
}
const tooLong = (where) => new WorkbookLimitError(`${where} holds more than ${MAX_CELL_CHARS.toLocaleString("en-US")} characters (Excel's limit for a cell); refused`);
async function readSharedStrings(entry) {
    const table = new StringTable();
    if (entry === undefined)
        return table;
    await parseEntry(entry, (tokenizer) => {
        let inSi = false;
        let phonetic = 0;
        let text = "";
        return {
            open(name) {
                const local = localName(name);
                if (local === "si") {
                    inSi = true;
                    phonetic = 0;
                    text = "";
                }
                else if (local === "rPh") {
                    phonetic++;
                }
                else if (local === "t" && inSi && phonetic === 0) {
                    tokenizer.capture = true;
                }
            },
            close(name) {
                const local = localName(name);
                if (local === "rPh")
                    phonetic--;
                else if (local === "si" && inSi) {
                    table.add(text);
                    inSi = false;
                    text = "";
                }
            },
            text(piece) {
                text += piece;
                if (text.length > MAX_CELL_CHARS)
                    throw tooLong(`shared string ${table.count}`);
            },
        };
    });
    return table;
}
/** Column number of a cell reference (`AB12` -> 28), or null when it has none. */
function columnOf(ref) {
    let col = 0;
    let i = 0;
    for (; i < ref.length; i++) {
        const c = ref.charCodeAt(i);
        if (c >= 65 && c <= 90)
            col = col * 26 + (c - 64);
        else if (c >= 97 && c <= 122)
            col = col * 26 + (c - 96);
        else
            break;
        if (col > MAX_SHEET_COLUMNS)
            return Number.POSITIVE_INFINITY;
    }
    return i === 0 ? null : col;
}
/** Reads a worksheet row by row; only wanted cells are kept, each until its row is handed over. */
async function readSheet(entry, sheet, strings, options) {
    try {
        await parseEntry(entry, (tokenizer) => {
            let inData = false;
            let rowNumber = 0;
            let cells = new Map();
            let inRow = false;
            let col = 0;
            let inCell = false;
            let wanted = false;
            let type = "n";
            let formula = null;
            let value = "";
            let inline = null;
            let phonetic = 0;
            let target = null;
            let rows = 0;
            return {
                open(name, attributes) {
                    const local = localName(name);
                    if (local === "sheetData") {
                        inData = true;
                    }
                    else if (inData && local === "row") {
                        const r = attributes.r === undefined ? Number.NaN : Number(attributes.r);
                        rowNumber = Number.isInteger(r) && r >= 1 ? r : rowNumber + 1;
                        if (rowNumber > MAX_SHEET_ROWS || ++rows > MAX_SHEET_ROWS) {
                            throw new WorkbookLimitError(`sheet "${sheet}" has more rows than a worksheet can (${MAX_SHEET_ROWS.toLocaleString("en-US")}); refused`);
                        }
                        inRow = true;
                        cells = new Map();
                        col = 0;
                    }
                    else if (inRow && local === "c") {
                        const ref = attributes.r === undefined ? null : columnOf(attributes.r);
                        col = ref ?? col + 1;
                        if (col > MAX_SHEET_COLUMNS) {
                            throw new WorkbookLimitError(`sheet "${sheet}" row ${rowNumber} has a cell beyond column ${MAX_SHEET_COLUMNS.toLocaleString("en-US")}; refused`);
                        }
                        inCell = true;
                        wanted = options.wanted(rowNumber, col);
                        type = attributes.t ?? "n";
                        formula = null;
                        value = "";
                        inline = null;
                        phonetic = 0;
                        target = null;
                    }
                    else if (inCell) {
                        if (local === "f") {
                            formula = "";
                            target = "f";
                        }
                        else if (local === "v") {
                            target = "v";
                        }
                        else if (local === "is") {
                            inline = "";
                        }
                        else if (local === "rPh") {
                            phonetic++;
                        }
                        else if (local === "t" && inline !== null && phonetic === 0) {
                            target = "t";
                        }
                        else {
                            return;
                        }
                        if (wanted && target !== null)
                            tokenizer.capture = true;
                    }
                },
                close(name) {
                    const local = localName(name);
                    if (local === "sheetData") {
                        inData = false;
                    }
                    else if (inCell && local === "c") {
                        inCell = false;
                        if (wanted) {
                            const text = cellText(type, formula, value, inline, strings);
                            if (options.keep?.(rowNumber, text) ?? true)
                                cells.set(col, text);
                        }
                    }
                    else if (inCell) {
                        if (local === "rPh")
                            phonetic--;
                        if (local === "f" || local === "v" || local === "t")
                            target = null;
                    }
                    else if (inRow && local === "row") {
                        inRow = false;
                        const go = options.row(rowNumber, cells);
                        cells = new Map();
                        if (!go)
                            throw new Stop();
                    }
                },
                text(piece) {
                    if (target === "f")
                        formula = (formula ?? "") + piece;
                    else if (target === "v")
                        value += piece;
                    else if (target === "t")
                        inline = (inline ?? "") + piece;
                    if ((formula?.length ?? 0) > MAX_CELL_CHARS ||
                        value.length > MAX_CELL_CHARS ||
                        (inline?.length ?? 0) > MAX_CELL_CHARS) {
                        throw tooLong(`a cell of sheet "${sheet}" (row ${rowNumber})`);
                    }
                },
            };
        });
    }
    catch (error) {
        if (!(error instanceof Stop))
            throw error;
    }
}
/** A cell's text as `cellString` reads exceljs' value of it (workbook.ts). */
function cellText(type, formula, value, inline, strings) {
    if (formula !== null)
        return `=${formula}`;
    switch (type) {
        case "s":
            return value === "" ? "" : strings.get(Number(value.trim()));
        case "inlineStr":
            return inline ?? value;
        case "str":
        case "d":
        case "e":
            return value;
        case "b":
            return value === "" ? "" : String(Number.parseInt(value, 10) !== 0);
        default:
            return value === "" ? "" : String(Number.parseFloat(value));
    }
}
/** The parts a relationship file names: id -> part path in the archive. */
async function readRelationships(entry, base) {
    const rels = new Map();
    if (entry === undefined)
        return rels;
    await parseEntry(entry, () => ({
        open(name, attributes) {
            if (localName(name) !== "Relationship" || rels.size >= 10_000)
                return;
            const id = attributes.Id;
            const target = attributes.Target;
            if (id === undefined || target === undefined || rels.has(id))
                return;
            const path = target.startsWith("/")
                ? posix.normalize(target.slice(1))
                : posix.normalize(posix.join(base, target));
            rels.set(id, { target: path, type: attributes.Type ?? "" });
        },
        close() { },
        text() { },
    }));
    return rels;
}
async function readSheetNames(entry) {
    const sheets = [];
    await parseEntry(entry, () => ({
        open(name, attributes) {
            if (localName(name) !== "sheet" || sheets.length >= 10_000)
                return;
            const rid = Object.entries(attributes).find(([key]) => key.includes(":") && localName(key) === "id")?.[1];
            if (attributes.name !== undefined && rid !== undefined) {
                sheets.push({ name: attributes.name, rid });
            }
        },
        close() { },
        text() { },
    }));
    return sheets;
}
/**
 * Reads a returned workbook (its bytes, read once by the caller after a size check): checks the
 * zip against the limits of zip-limits.ts, then streams the Instructions sheet to
 * `visitor.meta` and the Review sheet's rows to `visitor.row`. Returns the file's problems
 * (missing sheets or columns); throws `WorkbookLimitError` (one line) for a file over a limit.
 * Cell values are only ever read as text, never evaluated.
 */
export async function readReviewerWorkbook(bytes, visitor) {
    const zip = await checkWorkbookZip(bytes);
    try {
        return await readChecked(zip, visitor);
    }
    catch (error) {
        if (error instanceof FileProblem)
            return [error.message];
        throw error;
    }
}
async function readChecked(zip, visitor) {
    const book = zip.get("xl/workbook.xml");
    if (book === undefined)
        return ["not an .xlsx workbook (no xl/workbook.xml)"];
    const rels = await readRelationships(zip.get("xl/_rels/workbook.xml.rels"), "xl");
    const sheets = await readSheetNames(book);
    const part = (sheet) => {
        const rid = sheets.find((s) => s.name === sheet)?.rid;
        const target = rid === undefined ? undefined : rels.get(rid)?.target;
        return target === undefined ? undefined : zip.get(target);
    };
    const problems = [];
    const intro = part(INSTRUCTIONS_SHEET);
    const review = part(REVIEW_SHEET);
    if (intro === undefined)
        problems.push(`no "${INSTRUCTIONS_SHEET}" sheet`);
    if (review === undefined)
        problems.push(`no "${REVIEW_SHEET}" sheet`);
    if (intro === undefined || review === undefined)
        return problems;
    const sharedPart = [...rels.values()].find((r) => r.type.endsWith("/sharedStrings"))?.target;
    const strings = await readSharedStrings(zip.get(sharedPart ?? "xl/sharedStrings.xml"));
    const meta = new Map();
    await readSheet(intro, INSTRUCTIONS_SHEET, strings, {
        wanted: (_, col) => col <= 2,
        row: (_, cells) => {
            const label = (cells.get(1) ?? "").trim();
            if (label !== "" && !meta.has(label) && meta.size < MAX_INSTRUCTION_LABELS) {
                meta.set(label, (cells.get(2) ?? "").trim());
            }
            return true;
        },
    });
    if (!(await visitor.meta(meta)))
        return problems;
    // Row 1 names the columns; the first occurrence of each name counts.
    const columns = new Map();
    let header = false;
    let missing = [];
    const wantedColumns = new Set();
    const at = (cells, name) => cells.get(columns.get(name) ?? 0) ?? "";
    await readSheet(review, REVIEW_SHEET, strings, {
        wanted: (row, col) => (header ? wantedColumns.has(col) : row === 1),
        // Row 1 may have any number of cells: only those that could be a column name are kept.
        keep: (row, text) => header || row !== 1 || text.length <= 64,
        row: (number, cells) => {
            if (!header) {
                header = true;
                if (number === 1) {
                    for (const [col, text] of [...cells].sort(([a], [b]) => a - b)) {
                        const name = text.trim();
                        if (!columns.has(name))
                            columns.set(name, col);
                    }
                }
                missing = REQUIRED_HEADERS.filter((h) => !columns.has(h));
                if (missing.length > 0)
                    return false;
                for (const h of ALL_HEADERS) {
                    const col = columns.get(h);
                    if (col !== undefined)
                        wantedColumns.add(col);
                }
                if (number === 1)
                    return true;
            }
            const read = {
                row: number,
                population: POPULATION_HEADERS.map((h) => at(cells, h)),
                project: PROJECT_HEADERS.map((h) => at(cells, h)),
                credential: CREDENTIAL_HEADERS.map((h) => at(cells, h)),
                decision: at(cells, "Decision").trim(),
                justification: at(cells, "Justification").trim(),
                item_id: at(cells, "Item ID").trim(),
                campaign_id: at(cells, "Campaign ID").trim(),
                snapshot_id: at(cells, "Snapshot ID").trim(),
                row_hash: at(cells, "Row hash").trim(),
            };
            const empty = read.population.every((c) => c === "") &&
                read.project.every((c) => c === "") &&
                read.credential.every((c) => c === "") &&
                read.decision === "" &&
                read.justification === "" &&
                read.item_id === "" &&
                read.row_hash === "";
            return empty ? true : visitor.row(read);
        },
    });
    if (!header)
        missing = [...REQUIRED_HEADERS];
    if (missing.length > 0) {
        problems.push(`sheet "${REVIEW_SHEET}" lacks column(s) ${missing.join(", ")}`);
    }
    return problems;
}
//# sourceMappingURL=workbook-read.js.map