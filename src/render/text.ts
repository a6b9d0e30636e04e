/**
 * Text made safe for every output the tool writes, in one place: names from the API are
 * untrusted, so they are shown with invisible and bidirectional characters revealed (HTML, the
 * sign-off, email), kept out of script context (the HTML report's JSON), and never run as a
 * formula or written as invalid XML (workbooks). Pure functions, no I/O.
 */

/**
 * JSON for a `<script type="application/json">` element: HTML escaping does not apply inside
 * script text, so the characters that could close the element or start a comment are written
 * as JSON escapes instead (and U+2028/2029, which older JavaScript parsers treat as newlines).
 */
export function scriptJson(value: unknown): string {
  const json = JSON.stringify(value) ?? "null";
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Characters that render as nothing or reorder text (C0/C1 controls, zero-width, bidi). */
function isInvisible(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0xad ||
    code === 0x61c ||
    code === 0x115f ||
    code === 0x1160 ||
    code === 0x180e ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0x3164 ||
    code === 0xfeff ||
    (code >= 0xfff9 && code <= 0xfffb)
  );
}

/**
 * Shows invisible characters as `[U+202E]`: a reviewer must see that a name hides a bidi
 * override or a leading tab rather than read the spoofed text. Plain text in, plain text out:
 * the result is still escaped by the template.
 */
export function revealInvisible(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isInvisible(code)) continue;
    out += `${text.slice(from, i)}[U+${code.toString(16).toUpperCase().padStart(4, "0")}]`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Characters Excel keeps in one cell; longer text makes it call the file damaged. */
export const EXCEL_MAX_CELL_CHARS = 32_767;
const TRUNCATED = "… [truncated]";

/** Unpaired UTF-16 halves, C0 controls other than TAB/LF/CR, DEL, U+FFFE, U+FFFF. */
function isUnsafeCode(code: number): boolean {
  if (code < 0x20) return code !== 0x09 && code !== 0x0a && code !== 0x0d;
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
export function xmlSafe(text: string): string {
  if (!MAYBE_UNSAFE.test(text)) return text; // the common case, without a loop in JS
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
export function neutralise(text: string): string {
  const safe = xmlSafe(text);
  return /^(?:[\t\r]|\s*[=+\-@])/.test(safe) ? `'${safe}` : safe;
}

/** `neutralise`d and cut to what a cell holds, never between the halves of a surrogate pair. */
export function cellText(text: string): string {
  const safe = neutralise(text);
  if (safe.length <= EXCEL_MAX_CELL_CHARS) return safe;
  let end = EXCEL_MAX_CELL_CHARS - TRUNCATED.length;
  const last = safe.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return safe.slice(0, end) + TRUNCATED;
}
