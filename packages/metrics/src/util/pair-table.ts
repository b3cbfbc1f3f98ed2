/**
 * An open-addressing hash map from a pair of non-negative int32s to a dense id (0, 1, 2, …).
 * Used to intern n-grams: the id of an n-gram is the id of (id of its first n−1 words, last word),
 * so every n-gram order gets its own dense id space without building strings. Slots are
 * interleaved [a, b, id] triples so a probe touches one cache line.
 */

/** murmur3-style finaliser over both keys: every input bit reaches the low (index) bits. */
function hashPair(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class PairTable {
  private slots: Int32Array;
  private mask: number;
  size = 0;

  /** @param expected how many pairs will probably be interned (sizes the table once). */
  constructor(expected = 2048) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap * 3).fill(-1);
    this.mask = cap - 1;
  }

  /** The id of (a, b), assigning the next id if the pair is new. */
  intern(a: number, b: number): number {
    const slots = this.slots;
    let h = hashPair(a, b) & this.mask;
    for (;;) {
      const s = h * 3;
      const ka = slots[s]!;
      if (ka === -1) break;
      if (ka === a && slots[s + 1] === b) return slots[s + 2]!;
      h = (h + 1) & this.mask;
    }
    const id = this.size++;
    const s = h * 3;
    slots[s] = a;
    slots[s + 1] = b;
    slots[s + 2] = id;
    if (this.size * 2 > this.mask) this.grow();
    return id;
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(cap * 3).fill(-1);
    this.mask = cap - 1;
    for (let s = 0; s < old.length; s += 3) {
      const a = old[s]!;
      if (a === -1) continue;
      let h = hashPair(a, old[s + 1]!) & this.mask;
      while (this.slots[h * 3] !== -1) h = (h + 1) & this.mask;
      this.slots[h * 3] = a;
      this.slots[h * 3 + 1] = old[s + 1]!;
      this.slots[h * 3 + 2] = old[s + 2]!;
    }
  }
}
