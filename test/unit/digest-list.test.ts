/**
 * The sorted digest lists verify derives each snapshot's part hash from: merging, removing and
 * hashing a union in place against a plain sort of hex strings, and digests rebuilt from their
 * big-endian 64-bit words.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  applyDigestChanges,
  type DigestList,
  digestsText,
  hashMergedDigests,
  mergeAllDigests,
  mergeDigests,
  writeHexDigests,
} from "../../src/store/digest-list.js";

const digest = (n: number) => createHash("sha256").update(String(n)).digest("hex");
const list = (hexes: readonly string[]): DigestList => ({
  bytes: Buffer.from([...hexes].sort().join(""), "latin1"),
  count: hexes.length,
});
const sortedText = (hexes: readonly string[]) => [...hexes].sort().join("");

describe("digest lists", () => {
  it("merges and removes as a sort of the remaining digests would, repeats included", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 40; round++) {
      const base = Array.from({ length: rand(300) }, () => digest(rand(200)));
      const added = Array.from({ length: rand(50) }, () => digest(rand(400)));
      const extra = Array.from({ length: rand(5) }, () => digest(rand(400)));
      const merged = mergeAllDigests([list(base), list(added), list(extra)]);
      expect(digestsText(merged)).toBe(sortedText([...base, ...added, ...extra]));
      // Remove some of what is there (one occurrence each) and add others, repeats included.
      const removed = base.filter((_, i) => i % 3 === round % 3);
      const incoming = [
        ...added.slice(0, 3),
        ...Array.from({ length: rand(60) }, () => digest(rand(500))),
      ];
      const kept = [...base, ...added, ...extra];
      for (const r of removed) kept.splice(kept.indexOf(r), 1);
      const into = Buffer.alloc((kept.length + incoming.length) * 64);
      const changed = applyDigestChanges(merged, list(removed), list(incoming), into);
      expect(digestsText(changed)).toBe(sortedText([...kept, ...incoming]));
    }
    expect(digestsText(mergeDigests(list([]), list([digest(1)])))).toBe(digest(1));
  });

  it("hashes the union of sorted lists in place as the hash of the merged list", () => {
    const sha256 = (text: string) => createHash("sha256").update(text, "latin1").digest("hex");
    let seed = 11;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 60; round++) {
      // One long list and a few short ones (a report's snapshot: one range and its changes),
      // sometimes several long ones, empty ones, and repeats across them.
      const lists = Array.from({ length: 1 + rand(6) }, (_, i) =>
        Array.from({ length: i === 0 ? rand(400) : rand(i < 2 ? 300 : 30) }, () =>
          digest(rand(350)),
        ),
      );
      const all = lists.flat();
      const hashed = hashMergedDigests(lists.map(list));
      expect(hashed).toEqual({ count: all.length, sha256: sha256(sortedText(all)) });
      expect(digestsText(mergeAllDigests(lists.map(list)))).toBe(sortedText(all));
    }
    expect(hashMergedDigests([])).toEqual({ count: 0, sha256: sha256("") });
    // The same list twice counts twice.
    const twice = list([digest(1), digest(2)]);
    expect(hashMergedDigests([twice, twice])).toEqual({
      count: 4,
      sha256: sha256(sortedText([digest(1), digest(2), digest(1), digest(2)])),
    });
    // Entries past a list's count are not its own.
    const one = list([digest(1), digest(2)]);
    const longer = { bytes: Buffer.concat([one.bytes, Buffer.from(digest(0))]), count: 2 };
    expect(hashMergedDigests([longer, list([digest(3)])]).sha256).toBe(
      sha256(sortedText([digest(1), digest(2), digest(3)])),
    );
  });

  it("writes hex digests into reused buffers, only the digests asked for", () => {
    const wordsOf = (hexes: readonly string[]) =>
      hexes.flatMap((hex) =>
        Array.from({ length: 4 }, (_, w) => BigInt(`0x${hex.slice(w * 16, w * 16 + 16)}`)),
      );
    const edge = `ff${"0".repeat(14)}00${"f".repeat(14)}${"0".repeat(15)}1${"8".repeat(16)}`;
    const words = new BigUint64Array(8 * 4);
    const target = Buffer.alloc(8 * 64, "x");
    // A full chunk, then a shorter one into the same buffers: its digests alone are rewritten.
    const first = [edge, ...Array.from({ length: 7 }, (_, n) => digest(n))];
    words.set(wordsOf(first));
    writeHexDigests(words, 8, target);
    expect(target.toString("latin1")).toBe(first.join(""));
    const second = [digest(100), digest(101), edge];
    words.set(wordsOf(second));
    writeHexDigests(words, 3, target);
    expect(target.toString("latin1", 0, 3 * 64)).toBe(second.join(""));
    expect(target.toString("latin1", 3 * 64)).toBe(first.slice(3).join(""));
  });

  it("refuses to remove a digest the list does not hold", () => {
    const into = Buffer.alloc(10 * 64);
    expect(() =>
      applyDigestChanges(list([digest(1), digest(2)]), list([digest(3)]), list([]), into),
    ).toThrow(/not in the list/);
    expect(() =>
      applyDigestChanges(list([digest(1)]), list([digest(1), digest(1)]), list([]), into),
    ).toThrow();
    // Removing and adding the same digest leaves it once.
    const same = applyDigestChanges(list([digest(1)]), list([digest(1)]), list([digest(1)]), into);
    expect(digestsText(same)).toBe(digest(1));
  });
});
