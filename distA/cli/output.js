/**
 * The CLI's only way to the terminal. Text passes through `terminalText` (every hidden
 * character but the layout's line breaks and tabs revealed), JSON through `terminalJson` (exact
 * values, hidden characters as `\u` escapes): no escape sequence or bidi override from a name
 * reaches the operator's terminal raw, whatever a command's formatter forgot. Everything printed
 * is masked by the redactor too, like every error and log line.
 */
import { once } from "node:events";
import { terminalJson, terminalText } from "../render/text.js";
import { redactSecrets } from "../util/log.js";
export { terminalJson };
export function writeOut(text) {
    process.stdout.write(redactSecrets(terminalText(text)));
}
/**
 * `writeOut` for output written piece by piece: waits while stdout's buffer is full, so a long
 * listing never queues up in memory. Each piece is masked alone: never split a value across two.
 */
export async function writeOutPiece(text) {
    if (!process.stdout.write(redactSecrets(terminalText(text))))
        await once(process.stdout, "drain");
}
export function writeErr(text) {
    process.stderr.write(redactSecrets(terminalText(text)));
}
/**
 * Writes `document` with its list `listKey` given batch by batch, and a line break: byte for byte
 * what `terminalJson({...document, [listKey]: items}) + "\n"` would be, without holding the
 * whole text (V8 caps a string at 512 MB; a whole snapshot's 842,933 access paths are 615 MB of
 * JSON). The list keeps its key's place in `document` (whatever value stands there), else comes
 * last.
 */
export async function writeJsonWithList(document, listKey, batches, write = writeOutPiece) {
    const empty = terminalJson({ ...document, [listKey]: [] });
    // A top-level key's line: two spaces of indentation (nested keys have more, and a string
    // holds no raw line break), so this finds the list's own place and nothing else.
    const marker = `\n  ${JSON.stringify(listKey)}: []`;
    const at = empty.indexOf(marker);
    if (at < 0)
        throw new Error(`no top-level ${listKey} in the document`);
    const opening = empty.slice(0, at + marker.length - 2);
    const closing = empty.slice(at + marker.length);
    let items = 0;
    for await (const batch of batches) {
        if (batch.length === 0)
            continue;
        // The batch as a list of its own ("[\n  item,\n  item\n]"), moved to the list's depth: its
        // brackets dropped and 2 more spaces before each line. One call per batch, not per item.
        const list = terminalJson(batch);
        const text = `  ${list.slice(2, -2).replaceAll("\n", "\n  ")}`;
        await write(`${items === 0 ? `${opening}[\n` : ",\n"}${text}`);
        items += batch.length;
    }
    await write(items === 0 ? `${opening}[]${closing}\n` : `\n  ]${closing}\n`);
}
/** Writes each line and a line break, a few thousand lines a piece: `lines.join("\n") + "\n"`. */
export async function writeLines(lines) {
    let piece = [];
    for (const line of lines) {
        piece.push(line);
        if (piece.length === 4096) {
            await writeOutPiece(`${piece.join("\n")}\n`);
            piece = [];
        }
    }
    if (piece.length > 0)
        await writeOutPiece(`${piece.join("\n")}\n`);
}
/** `items` in batches of `size`, for writeJsonWithList and other piecewise writers. */
export function* batchesOf(items, size = 2048) {
    for (let start = 0; start < items.length; start += size)
        yield items.slice(start, start + size);
}
//# sourceMappingURL=output.js.map