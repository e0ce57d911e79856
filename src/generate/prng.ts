/**
 * A small seeded PRNG (sfc32, seeded through a murmur3-style mixer) so the demo data is the same
 * for the same seed on every machine. No Math.random and no wall clock anywhere in the generator.
 *
 * Streams: `new Rng(seed, stream, index)` gives an independent sequence per (stream, index), so a
 * table or an account can draw its numbers without depending on how many draws others made.
 *
 * @example
 * const rng = new Rng(42, STREAM.accounts, 7);
 * rng.next(); // a float in [0, 1)
 * rng.int(6); // 0..5
 */

/** Stream ids: one per independent use of randomness. */
export const STREAM = {
  catalog: 1,
  accounts: 2,
  dirty: 3,
  fx: 4,
  partners: 5,
  activities: 6,
  feedback: 7,
  health: 8,
  usage: 9,
} as const;

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit hash of a few integers (seed, stream, index). */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h = mix(h ^ mix((v | 0) + Math.floor(v / 4294967296)));
    h = (h + 0x6d2b79f5) >>> 0;
  }
  return mix(h);
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream: number, index = 0) {
    this.a = hashInts(seed, stream, index, 1);
    this.b = hashInts(seed, stream, index, 2);
    this.c = hashInts(seed, stream, index, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** sfc32: a fast, well-tested 128-bit state generator. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A standard normal draw (Box-Muller, both uniforms drawn every time). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A Poisson count (Knuth for small means, a rounded normal for large ones). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  pick<T>(items: readonly T[]): T {
    const v = items[this.int(items.length)];
    if (v === undefined) throw new Error('pick from an empty list');
    return v;
  }

  /** Picks by weights (same length as items). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      const v = items[i];
      if (r < 0 && v !== undefined) return v;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last;
  }

  /** A Fisher-Yates shuffled copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const a = out[i];
      const b = out[j];
      if (a === undefined || b === undefined) continue;
      out[i] = b;
      out[j] = a;
    }
    return out;
  }
}

export function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
