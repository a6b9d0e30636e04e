import { describe, expect, it } from "vitest";
import { findLoneSurrogate, mayHoldSurrogate } from "../../src/api/limits.js";

const hex4 = (unit: number) => unit.toString(16).padStart(4, "0");

describe("mayHoldSurrogate", () => {
  it("flags every \\uD800-\\uDFFF escape, in either case, and nothing else", () => {
    for (let unit = 0xd800; unit <= 0xdfff; unit++) {
      expect(mayHoldSurrogate(`{"name":"a\\u${hex4(unit)}b"}`)).toBe(true);
      expect(mayHoldSurrogate(`{"name":"a\\u${hex4(unit).toUpperCase()}b"}`)).toBe(true);
    }
    for (const unit of [0x0000, 0x00e9, 0x0d80, 0xd7ff, 0xe000, 0xfeff, 0xffff]) {
      expect(mayHoldSurrogate(`{"name":"a\\u${hex4(unit)}b"}`)).toBe(false);
    }
    // Characters outside the BMP as UTF-8 text (what JSON.stringify writes) hold no escape.
    expect(mayHoldSurrogate(JSON.stringify({ name: "emoji 😀 é 中" }))).toBe(false);
  });

  it("never misses a string that findLoneSurrogate would refuse (JSON.stringify's output)", () => {
    // JSON.stringify escapes unpaired halves and writes pairs as they are: every lone half,
    // in names and keys, at any position, must be flagged.
    const pieces = ["a", "é", "😀", "\ud800", "\udbff", "\udc00", "\udfff", "\\", '"', "u"];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      let text = "";
      for (let n = next() % 6; n >= 0; n--) text += pieces[next() % pieces.length];
      const value = i % 2 === 0 ? { data: [{ name: text }] } : { [text]: 1 };
      const json = JSON.stringify(value);
      if (findLoneSurrogate(JSON.parse(json)) !== null) {
        refused += 1;
        expect(mayHoldSurrogate(json), json).toBe(true);
      }
    }
    expect(refused).toBeGreaterThan(500);
  });
});
