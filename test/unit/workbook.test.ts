/**
 * The workbook's words that must not drift from what they describe: each change kind's
 * description on the Summary sheet (derived from the diff definitions), and severities written
 * so that a spreadsheet's text sort puts the most severe first.
 */
import { describe, expect, it } from "vitest";
import { DIFF_KINDS, loadDiffQueries, MIRRORED_KINDS } from "../../src/analysis/diff.js";
import { SEVERITIES, severityRank } from "../../src/analysis/rules.js";
import { cellText, cellXmlText, EXCEL_MAX_CELL_CHARS } from "../../src/render/index.js";
import { CHANGE_LABELS } from "../../src/report/model.js";
import { changeKindRows, severityText } from "../../src/report/xlsx.js";
import { diffDefinitions, expectedKindDescriptions } from "../support/kind-descriptions.js";

describe("the Summary's change kinds", () => {
  const rows = changeKindRows(
    loadDiffQueries().map((q, i) => ({ kind: q.kind, label: CHANGE_LABELS[q.kind], count: i })),
  );
  const byLabel = new Map(rows.map((r) => [r.item, r]));

  it("describes every kind as its definition says, a removal as its counterpart reversed", () => {
    const expected = expectedKindDescriptions();
    expect(rows).toHaveLength(DIFF_KINDS.length);
    for (const kind of DIFF_KINDS) {
      expect(byLabel.get(CHANGE_LABELS[kind])?.detail, kind).toBe(expected.get(kind));
    }
  });

  it("says a removed thing is in the compared snapshot and not in this one", () => {
    const definitions = diffDefinitions();
    const present = /exists in `to` (?:but|and) not in `from`/;
    let checked = 0;
    for (const [removal, added] of Object.entries(MIRRORED_KINDS)) {
      const definition = definitions.get(added) ?? "";
      if (!present.test(definition)) continue;
      const removed = byLabel.get(CHANGE_LABELS[removal as keyof typeof CHANGE_LABELS])?.detail;
      expect(removed, removal).toMatch(
        /exists in the compared snapshot (?:but|and) not in this snapshot/,
      );
      expect(byLabel.get(CHANGE_LABELS[added])?.detail, added).toMatch(
        /exists in this snapshot (?:but|and) not in the compared snapshot/,
      );
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(byLabel.get("Groups removed")?.detail).toContain(
      "a group exists in the compared snapshot but not in this snapshot",
    );
    for (const r of rows) expect(r.detail, r.item).not.toMatch(/`|\bmirror image\b/);
  });
});

describe("severity in the workbook", () => {
  it("sorts as text most severe first, in any collation a spreadsheet uses", () => {
    const bySeverity = [...SEVERITIES].sort((a, b) => severityRank(b) - severityRank(a));
    const texts = [...SEVERITIES].map(severityText);
    expect(texts).toEqual(["4 low", "3 medium", "2 high", "1 critical"]);
    const expected = bySeverity.map(severityText);
    expect([...texts].sort()).toEqual(expected);
    expect([...texts].sort((a, b) => a.localeCompare(b))).toEqual(expected);
    expect([...texts].sort(new Intl.Collator("en", { numeric: true }).compare)).toEqual(expected);
    expect([...texts].sort(new Intl.Collator("de", { sensitivity: "base" }).compare)).toEqual(
      expected,
    );
  });
});

describe("text cells' XML", () => {
  /** The slow path, written out: sanitised as every cell is, then the five markup characters. */
  const expected = (text: string): string =>
    cellText(text)
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replaceAll("'", "&apos;")
      .replaceAll('"', "&quot;");

  it("is cellText escaped for XML, plain ASCII taking the fast path included", () => {
    const samples = [
      "",
      " ",
      "user_01HGSB0QDHDZTKBSWEFT53AVP1",
      "ada@example.com",
      "=1+1",
      "+1",
      "-1",
      "@SUM(A1)",
      " =cmd",
      "\t=cmd",
      "a=b",
      'O\'Brien & <Sons> "Ltd"',
      "x".repeat(EXCEL_MAX_CELL_CHARS + 5),
      "Zoë\u202Eevil",
      "\u0000nul",
    ];
    // Every printable ASCII character first, second and alone, plus random strings of them.
    for (let c = 0x20; c <= 0x7e; c++) {
      const ch = String.fromCharCode(c);
      samples.push(ch, `${ch}a`, `a${ch}`, `${ch}${ch}=`);
    }
    let seed = 19;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 5_000; i++) {
      const length = Math.floor(random() * 8);
      let text = "";
      for (let k = 0; k < length; k++)
        text += String.fromCharCode(0x20 + Math.floor(random() * 95));
      samples.push(text);
    }
    for (const text of samples)
      expect(cellXmlText(text), JSON.stringify(text)).toBe(expected(text));
  });
});
