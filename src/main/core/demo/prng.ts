/**
 * A small seeded pseudo-random generator: sfc32 (Chris Doty-Humphrey's Small Fast
 * Counting generator, 128-bit state, passes PractRand), seeded through splitmix32.
 * Only 32-bit integer operations and exact double arithmetic are used, so a seed gives
 * the same sequence on every platform. Never Math.random, never the clock.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    // Split the seed into two 32-bit halves so seeds above 2^32 still differ.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let s = (lo ^ Math.imul(hi, 0x9e3779b9)) | 0;
    const splitmix32 = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    this.d = (splitmix32() ^ hi) | 0;
    for (let i = 0; i < 16; i++) this.u32();
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.c = (r + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 32 bits of randomness. */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** A uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.float() * items.length)] as T;
  }
}

/**
 * A precomputed weighted choice over indexes 0..n-1, for picks in hot loops.
 * Weights are non-negative integers.
 */
export class WeightedIndex {
  private readonly cumulative: Uint32Array;
  private readonly total: number;

  constructor(weights: readonly number[]) {
    this.cumulative = new Uint32Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      if (!Number.isInteger(w) || w < 0) throw new RangeError(`weight must be a non-negative integer, got ${w}`);
      sum += w;
      this.cumulative[i] = sum;
    });
    if (sum <= 0) throw new RangeError('weights must not all be zero');
    this.total = sum;
  }

  next(prng: Prng): number {
    const r = Math.floor(prng.float() * this.total);
    const cum = this.cumulative;
    for (let i = 0; i < cum.length; i++) if (r < (cum[i] as number)) return i;
    return cum.length - 1;
  }
}
