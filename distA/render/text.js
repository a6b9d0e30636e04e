/**
 * Text made safe for every output the tool writes, in one place: names from the API are
 * untrusted, so they are shown with every hidden character revealed (HTML, workbooks, the sign-off,
 * email, terminal text, CSV), printed as JSON without raw control characters, kept out of script
 * context (the HTML report's JSON), never run as a formula (workbooks, CSV) nor written as invalid
 * XML. Pure functions, no I/O.
 */
import { HIDDEN_CHARACTER } from "../util/unicode.js";
export { HIDDEN_CHARACTER };
/**
 * JSON for a `<script type="application/json">` element: HTML escaping does not apply inside
 * script text, so the characters that could close the element or start a comment are written
 * as JSON escapes instead (and U+2028/2029, which older JavaScript parsers treat as newlines).
 */
export function scriptJson(value) {
    const json = JSON.stringify(value) ?? "null";
    return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
const HIDDEN_CHARACTERS = new RegExp(HIDDEN_CHARACTER.source, "gu");
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/*
 * terminalJson's and terminalText's test for anything to reveal. Their layout's own line breaks
 * (and tabs, in text) are hidden characters too, so HIDDEN_CHARACTER itself matches almost any
 * output, and scanning with it runs at about 60 MB/s. Instead, characters that are not
 * printable ASCII nor layout are found by code unit (about 650 MB/s: not a `u` regex), and
 * each is checked as a code point.
 */
const NOT_PLAIN_LINES = /[^\x20-\x7e\n]/g;
const NOT_PLAIN_LAYOUT = /[^\x20-\x7e\n\t]/g;
function holdsHidden(text, notPlain) {
    notPlain.lastIndex = 0;
    for (let match = notPlain.exec(text); match !== null; match = notPlain.exec(text)) {
        const code = text.codePointAt(match.index) ?? 0;
        if (HIDDEN_CHARACTER.test(String.fromCodePoint(code)))
            return true;
        if (code > 0xffff)
            notPlain.lastIndex += 1; // past the pair's low half, not a lone surrogate
    }
    return false;
}
/** `[U+202E]`: how a hidden code point is shown. */
export function codePointLabel(char) {
    const code = char.codePointAt(0) ?? 0;
    return `[U+${code.toString(16).toUpperCase().padStart(4, "0")}]`;
}
/**
 * Shows hidden characters (HIDDEN_CHARACTER) as `[U+202E]`: a reviewer must see that a name
 * holds a bidi override, a tag character or an escape sequence rather than read the spoofed
 * text. Plain text in, plain text out: HTML templates still escape the result.
 */
export function revealInvisible(text) {
    // The common cases, cheapest first: printable ASCII, then nothing hidden.
    if (PRINTABLE_ASCII.test(text) || !HIDDEN_CHARACTER.test(text))
        return text;
    return text.replace(HIDDEN_CHARACTERS, codePointLabel);
}
/**
 * JSON for a terminal or a pipe: the values stay exact (a machine reading it gets every
 * character back), but hidden characters are written as `\uXXXX` escapes, so no escape
 * sequence, bidi override or invisible character reaches the terminal raw. Outside strings
 * JSON holds only the layout's line breaks; inside them, an escape is equivalent.
 */
export function terminalJson(value, indent = 2) {
    const json = JSON.stringify(value, null, indent) ?? "null";
    if (!holdsHidden(json, NOT_PLAIN_LINES))
        return json;
    return json.replace(HIDDEN_CHARACTERS, (char) => {
        if (char === "\n")
            return char; // the indentation's own (JSON.stringify escapes those in strings)
        let out = "";
        for (let i = 0; i < char.length; i++) {
            out += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
        }
        return out;
    });
}
/**
 * Text for a terminal, the last guard before stdout: every hidden character except the line
 * breaks and tabs of the tool's own layout is revealed. Names are revealed field by field
 * before (`revealInvisible`), so a name cannot start a line of its own either.
 */
export function terminalText(text) {
    if (!holdsHidden(text, NOT_PLAIN_LAYOUT))
        return text;
    return text.replace(HIDDEN_CHARACTERS, (char) => char === "\n" || char === "\t" ? char : codePointLabel(char));
}
/** A name with its id beside it, so that two names that render alike can be told apart. */
export function nameWithId(name, id) {
    const shown = name === null || name === undefined || name === "" ? null : revealInvisible(name);
    if (id === null || id === undefined || id === "")
        return shown ?? "";
    return shown === null ? id : `${shown} (${id})`;
}
/** Characters Excel keeps in one cell; longer text makes it call the file damaged. */
export const EXCEL_MAX_CELL_CHARS = 32_767;
const TRUNCATED = "… [truncated]";
/** Unpaired UTF-16 halves, C0 controls other than TAB/LF/CR, DEL, U+FFFE, U+FFFF. */
function isUnsafeCode(code) {
    if (code < 0x20)
        return code !== 0x09 && code !== 0x0a && code !== 0x0d;
    // XML 1.0 allows DEL, but exceljs drops it silently; a visible mark is better evidence.
    return code === 0x7f || code === 0xfffe || code === 0xffff;
}
/** Any character `xmlSafe` may have to replace (surrogates: pairs are then checked one by one). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const MAYBE_UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uD800-\uDFFF\uFFFE\uFFFF]/;
/**
 * Text that XML 1.0 can carry: NUL and the other C0 controls except TAB, LF and CR, DEL,
 * U+FFFE/U+FFFF and lone surrogates become U+FFFD (exceljs would drop some and write others
 * into an invalid file).
 */
export function xmlSafe(text) {
    if (!MAYBE_UNSAFE.test(text))
        return text; // the common case, without a loop in JS
    let out = "";
    let from = 0;
    for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        let bad = isUnsafeCode(code);
        if (code >= 0xd800 && code <= 0xdfff) {
            const next = text.charCodeAt(i + 1);
            if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
                i++; // a proper pair
                continue;
            }
            bad = true;
        }
        if (bad) {
            out += `${text.slice(from, i)}\uFFFD`;
            from = i + 1;
        }
    }
    return out + text.slice(from);
}
/**
 * Text a spreadsheet will never run as a formula. After `xmlSafe`, text that starts with `=`,
 * `+`, `-`, `@`, TAB or CR, or with one of `=+-@` after leading whitespace (some programs trim
 * before parsing, e.g. on CSV import or when a cell is edited), gets a leading `'` (OWASP's
 * advice for CSV injection). Everything else is returned unchanged, so names stay verbatim.
 */
export function neutralise(text) {
    const safe = xmlSafe(text);
    return /^(?:[\t\r]|\s*[=+\-@])/.test(safe) ? `'${safe}` : safe;
}
/** Revealed (`revealInvisible`), `neutralise`d and cut to what a cell holds, never between the halves of a surrogate pair. */
export function cellText(text) {
    const safe = neutralise(revealInvisible(text));
    if (safe.length <= EXCEL_MAX_CELL_CHARS)
        return safe;
    let end = EXCEL_MAX_CELL_CHARS - TRUNCATED.length;
    const last = safe.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff)
        end--;
    return safe.slice(0, end) + TRUNCATED;
}
//# sourceMappingURL=text.js.map