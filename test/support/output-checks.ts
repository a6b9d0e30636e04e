/** What no output may show a reader raw, checked the same way by every test that reads one. */
import ExcelJS from "exceljs";

/**
 * What must never reach a reader raw, written from the words, not imported from the
 * code under test: controls (ESC and C1 CSI among them), format characters (bidi, zero-width,
 * tags), line and paragraph separators, variation selectors, other default-ignorable code points,
 * spaces other than U+0020.
 */
export const HIDDEN =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\p{Variation_Selector}]|(?! )\p{Zs}/u;

/** The hidden characters of `text`, as labels, ignoring the layout's own line breaks. */
export function hiddenIn(text: string, allowed: readonly string[] = ["\n"]): string[] {
  const found = new Set<string>();
  for (const char of text) {
    if (allowed.includes(char) || !HIDDEN.test(char)) continue;
    found.add(`U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()}`);
  }
  return [...found];
}

/** A spreadsheet cell a program could read as a formula. */
export const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@])/;

/** The text of every cell of every sheet (rich text joined). */
export async function workbookTexts(path: string): Promise<string[]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  const texts: string[] = [];
  for (const sheet of book.worksheets) {
    sheet.eachRow({ includeEmpty: false }, (row) => {
      row.eachCell({ includeEmpty: false }, (cell) => {
        const v = cell.value;
        if (typeof v === "string") texts.push(v);
        else if (v !== null && typeof v === "object" && "richText" in v) {
          texts.push(v.richText.map((r) => r.text).join(""));
        }
      });
    });
  }
  return texts;
}
