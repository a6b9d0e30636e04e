/**
 * Deterministic pseudo-random numbers for the simulator.
 *
 * Everything the simulator invents (users, groups, ids, timestamps, faults) comes
 * from these generators, never from Math.random or the clock, so one seed always
 * yields byte-identical output.
 */
/** Hashes a string to a 32-bit seed (xmur3 finaliser); used to derive independent streams. */
export function hashString(text) {
    let h = 1779033703 ^ text.length;
    for (let i = 0; i < text.length; i++) {
        h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
        h = (h << 13) | (h >>> 19);
    }
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^ (h >>> 16)) >>> 0;
}
/** A 32-bit seed for the stream named `label` of the master `seed`. */
export function deriveSeed(seed, label) {
    return hashString(`${seed >>> 0}:${label}`);
}
/** sfc32: small, fast, and good enough statistically for test data. */
export class Prng {
    a;
    b;
    c;
    d;
    constructor(seed, label = "") {
        const base = deriveSeed(seed, label);
        this.a = base;
        this.b = hashString(`b${base}`);
        this.c = hashString(`c${base}`);
        this.d = 1;
        // Warm up so that nearby seeds diverge immediately.
        for (let i = 0; i < 15; i++)
            this.nextUint32();
    }
    nextUint32() {
        const t = (((this.a + this.b) | 0) + this.d) | 0;
        this.d = (this.d + 1) | 0;
        this.a = this.b ^ (this.b >>> 9);
        this.b = (this.c + (this.c << 3)) | 0;
        this.c = (this.c << 21) | (this.c >>> 11);
        this.c = (this.c + t) | 0;
        return t >>> 0;
    }
    /** A float in [0, 1). */
    next() {
        return this.nextUint32() / 4294967296;
    }
    /** An integer in [0, n). */
    int(n) {
        return Math.floor(this.next() * n);
    }
    /** An integer in [min, max] inclusive. */
    range(min, max) {
        return min + this.int(max - min + 1);
    }
    chance(p) {
        return p > 0 && this.next() < p;
    }
    pick(items) {
        const item = items[this.int(items.length)];
        if (item === undefined)
            throw new Error("pick from an empty list");
        return item;
    }
    /** A standard normal deviate (Box-Muller). */
    normal() {
        const u = 1 - this.next();
        const v = this.next();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
    /**
     * A generator seeded from this one's current state without advancing it: a side stream
     * whose use never moves this one's sequence.
     */
    derive(label) {
        return new Prng(hashString(`${this.a}:${this.b}:${this.c}:${this.d}`), label);
    }
    /** A child generator whose stream is independent of how much this one is used later. */
    fork(label) {
        return new Prng(this.nextUint32(), label);
    }
}
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/**
 * A ULID-shaped 26-character id: 10 characters of millisecond time, 16 random.
 * The Crockford alphabet is in ASCII order, so ids sort by time as plain strings.
 */
export function ulidLike(timeMs, rng) {
    let time = "";
    let t = Math.max(0, Math.floor(timeMs));
    for (let i = 0; i < 10; i++) {
        time = CROCKFORD.charAt(t % 32) + time;
        t = Math.floor(t / 32);
    }
    let random = "";
    for (let i = 0; i < 16; i++)
        random += CROCKFORD.charAt(rng.nextUint32() & 31);
    return time + random;
}
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** `length` random alphanumeric characters. */
export function alphanumeric(rng, length) {
    let out = "";
    for (let i = 0; i < length; i++)
        out += ALPHANUMERIC.charAt(rng.int(ALPHANUMERIC.length));
    return out;
}
/** `length` random lowercase hex characters. */
export function hex(rng, length) {
    let out = "";
    for (let i = 0; i < length; i++)
        out += (rng.nextUint32() & 15).toString(16);
    return out;
}
/** `count` seeded timestamps in [from, to), ascending. */
export function sortedTimes(rng, count, from, to) {
    const times = [];
    for (let i = 0; i < count; i++)
        times.push(from + rng.int(to - from));
    return times.sort((a, b) => a - b);
}
/**
 * Unique time-ordered ids for the given ascending timestamps, returned sorted.
 * Sorting only reorders ids within one second, where the timestamps are equal.
 */
export function idsFor(prefix, times, rng) {
    const seen = new Set();
    const ids = times.map((t) => {
        let id = `${prefix}${ulidLike(t * 1000 + rng.int(1000), rng)}`;
        while (seen.has(id))
            id = `${prefix}${ulidLike(t * 1000 + rng.int(1000), rng)}`;
        seen.add(id);
        return id;
    });
    return ids.sort();
}
//# sourceMappingURL=prng.js.map