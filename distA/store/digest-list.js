/**
 * Sorted lists of row digests as the seal hashes them: lowercase hex SHA-256 digests, 64 ASCII
 * bytes each, ascending, back to back in one Buffer. Merging and removing keep the order, so a
 * snapshot's list is derived from the previous one's by its changes alone; the part hash is then
 * one SHA-256 over the buffer. A list that is needed only for its hash is not built at all:
 * hashMergedDigests hashes the union of sorted lists where they lie.
 */
import { createHash } from "node:crypto";
/** Bytes per entry: one hex digest. */
export const DIGEST_HEX_BYTES = 64;
export const EMPTY_DIGESTS = { bytes: Buffer.alloc(0), count: 0 };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Bytes of one SHA-256 digest. */
export const DIGEST_BYTES = 32;
/** 64-bit words per digest. */
export const DIGEST_WORDS = 4;
/** Two lowercase hex characters per byte value, as one 16-bit unit in memory order. */
const HEX_PAIRS = (() => {
    const hex = "0123456789abcdef";
    const pairs = new Uint16Array(256);
    for (let byte = 0; byte < 256; byte++) {
        const high = hex.charCodeAt(byte >> 4);
        const low = hex.charCodeAt(byte & 15);
        pairs[byte] = LITTLE_ENDIAN ? high | (low << 8) : (high << 8) | low;
    }
    return pairs;
})();
/**
 * The first `count` digests of `words` (big-endian 64-bit words, `DIGEST_WORDS` per digest) as
 * lowercase hex into `target`, which must hold count × 64 bytes and start at an even byte
 * offset. The words' bytes are swapped in place on a little-endian machine, then each byte
 * becomes two characters by table: no per-row native call and no allocation, so a caller that
 * reuses its buffers streams a million digests without garbage (a fresh Buffer and string per
 * chunk left about 30 MB waiting for the GC).
 */
export function writeHexDigests(words, count, target) {
    const bytes = Buffer.from(words.buffer, words.byteOffset, count * DIGEST_BYTES);
    if (LITTLE_ENDIAN)
        bytes.swap64();
    const pairs = new Uint16Array(target.buffer, target.byteOffset, bytes.length);
    for (let i = 0; i < bytes.length; i++)
        pairs[i] = HEX_PAIRS[bytes[i]];
}
/** Sign of a's entry i against b's entry j (byte order, which is hex order). */
function compareEntries(a, i, b, j) {
    return a.compare(b, j * DIGEST_HEX_BYTES, (j + 1) * DIGEST_HEX_BYTES, i * DIGEST_HEX_BYTES, (i + 1) * DIGEST_HEX_BYTES);
}
/**
 * First index p in [from, count) of `list` whose entry is not below `key`'s entry `k` (count if
 * none): exponential then binary search, so walking a list in order costs the log of each gap.
 */
function gallop(list, from, key, k) {
    let low = from;
    let step = 1;
    let high = from;
    while (high < list.count && compareEntries(list.bytes, high, key, k) < 0) {
        low = high + 1;
        high = from + step;
        step *= 2;
    }
    if (high > list.count)
        high = list.count;
    while (low < high) {
        const mid = (low + high) >>> 1;
        if (compareEntries(list.bytes, mid, key, k) < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}
function copyEntries(source, from, to, target, at) {
    if (to > from)
        source.copy(target, at * DIGEST_HEX_BYTES, from * DIGEST_HEX_BYTES, to * DIGEST_HEX_BYTES);
    return at + (to - from);
}
/** The sorted union (with repeats) of two sorted lists. */
export function mergeDigests(a, b) {
    if (a.count === 0)
        return b;
    if (b.count === 0)
        return a;
    // Walk the shorter list entry by entry, copying runs of the longer one between its entries.
    const [long, short] = a.count >= b.count ? [a, b] : [b, a];
    const count = long.count + short.count;
    const bytes = Buffer.allocUnsafe(count * DIGEST_HEX_BYTES);
    let at = 0;
    let i = 0;
    for (let j = 0; j < short.count; j++) {
        const p = gallop(long, i, short.bytes, j);
        at = copyEntries(long.bytes, i, p, bytes, at);
        at = copyEntries(short.bytes, j, j + 1, bytes, at);
        i = p;
    }
    copyEntries(long.bytes, i, long.count, bytes, at);
    return { bytes, count };
}
/**
 * The sorted union of several sorted lists, always merging the two shortest (as Huffman coding
 * pairs its weights): a long list among short ones is copied once, at the end, and lists of like
 * size about log2(lists) times each. Merging one list after another into the union so far copied
 * that union once per list: quadratic in the number of lists.
 */
export function mergeAllDigests(lists) {
    // Longest first, so the two shortest are popped from the end.
    const queue = lists.filter((list) => list.count > 0).sort((a, b) => b.count - a.count);
    for (;;) {
        const a = queue.pop();
        const b = queue.pop();
        if (a === undefined)
            return EMPTY_DIGESTS;
        if (b === undefined)
            return a;
        const merged = mergeDigests(a, b);
        let at = queue.length;
        while (at > 0 && queue[at - 1].count < merged.count)
            at -= 1;
        queue.splice(at, 0, merged);
    }
}
/**
 * The part hash (lowercase hex SHA-256 of the entries back to back) and the entry count of the
 * sorted union, with repeats, of sorted lists, without building it: the lists other than the
 * longest are merged (usually a few changes), then runs of the two are hashed where they lie.
 * Verifying a report's two snapshots of a million memberships held 256 MB of lists built this
 * way one from the other; hashed in place, only the history's own 64 MB.
 */
export function hashMergedDigests(lists) {
    const hash = createHash("sha256");
    let at = 0;
    for (const [i, list] of lists.entries()) {
        if (list.count > lists[at].count)
            at = i;
    }
    const longest = lists[at] ?? EMPTY_DIGESTS;
    const rest = mergeAllDigests(lists.filter((_, i) => i !== at));
    const piece = (list, from, to) => {
        if (to > from)
            hash.update(list.bytes.subarray(from * DIGEST_HEX_BYTES, to * DIGEST_HEX_BYTES));
    };
    let i = 0;
    let j = 0;
    while (j < rest.count) {
        // The longest list's entries below rest's entry j, then rest's entries from j below the
        // longest list's next one.
        const p = gallop(longest, i, rest.bytes, j);
        piece(longest, i, p);
        i = p;
        const q = i < longest.count ? gallop(rest, j + 1, longest.bytes, i) : rest.count;
        piece(rest, j, q);
        j = q;
    }
    piece(longest, i, longest.count);
    return { count: longest.count + rest.count, sha256: hash.digest("hex") };
}
/** The entries as hex text (for tests and small lists). */
export function digestsText(list) {
    return list.bytes.toString("latin1", 0, list.count * DIGEST_HEX_BYTES);
}
/**
 * `list` without one occurrence of each entry of `removed`, with every entry of `added` (both
 * sorted), written into `into` (which must not be `list`'s buffer and must hold the result).
 * One pass; the caller reuses two buffers from snapshot to snapshot, since every page of a fresh
 * large buffer costs a page fault. Every removed entry must be present.
 */
export function applyDigestChanges(list, removed, added, into) {
    const count = list.count - removed.count + added.count;
    if (list.count < removed.count)
        throw new Error("removing more digests than the list holds");
    if (into.length < count * DIGEST_HEX_BYTES)
        throw new Error("target buffer too small");
    let at = 0;
    let i = 0;
    let r = 0;
    let a = 0;
    while (r < removed.count || a < added.count) {
        const insert = a < added.count &&
            (r >= removed.count || compareEntries(added.bytes, a, removed.bytes, r) <= 0);
        if (insert) {
            const p = gallop(list, i, added.bytes, a);
            at = copyEntries(list.bytes, i, p, into, at);
            i = p;
            // The added entries that also go right before list[p] (and before the next removal) as one run.
            let q = p < list.count ? gallop(added, a + 1, list.bytes, p) : added.count;
            if (r < removed.count)
                q = Math.min(q, gallop(added, a + 1, removed.bytes, r));
            at = copyEntries(added.bytes, a, q, into, at);
            a = q;
        }
        else {
            const p = gallop(list, i, removed.bytes, r);
            if (p >= list.count || compareEntries(list.bytes, p, removed.bytes, r) !== 0) {
                throw new Error("a removed digest is not in the list");
            }
            at = copyEntries(list.bytes, i, p, into, at);
            i = p + 1;
            r += 1;
        }
    }
    copyEntries(list.bytes, i, list.count, into, at);
    return { bytes: into, count };
}
//# sourceMappingURL=digest-list.js.map