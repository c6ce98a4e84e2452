import prand from 'pure-rand';

/** Four well-mixed 32-bit words from a seed (splitmix32 steps; never all zero). */
function splitmix32Words(lo: number, hi: number): number[] {
  let x = (lo ^ Math.imul(hi, 0x2545f491)) | 0;
  const out: number[] = [];
  for (let k = 0; k < 4; k++) {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    out.push((z ^ (z >>> 16)) | 0);
  }
  if (!out.some((w) => w !== 0)) out[0] = 1;
  return out;
}

/** Serialisable state of an {@link Rng}: restore it with {@link Rng.fromState}. */
export interface RngState {
  readonly algorithm: 'xoroshiro128plus';
  readonly state: readonly number[];
}

/**
 * The framework's seeded random stream (xoroshiro128+ from `pure-rand`). Never `Math.random`.
 * Mutable for speed: each call advances the stream.
 *
 * @example
 * const rng = new Rng(42);
 * rng.uniform(-0.05, 0.05); // same number for the same seed, every run
 */
export class Rng {
  private gen: prand.RandomGenerator;

  /** @param seed any integer; the same seed gives the same stream. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`);
    const s = Math.trunc(seed);
    // pure-rand's xoroshiro128plus(seed) starts from the state (-1, ~seed, seed, 0), whose first
    // output is ~seed: for every small seed the first float() was ≈ 1 (e.g. MountainCar started
    // at −0.4 for seeds 123 and 124 alike). Expand the seed with splitmix32 into a well-mixed
    // 128-bit state instead.
    const words = splitmix32Words((s | 0) ^ (Math.floor(s / 2 ** 32) | 0), Math.floor(s / 2 ** 32) | 0);
    this.gen = prand.xoroshiro128plus.fromState(words);
  }

  /** Restores a stream saved with {@link Rng.getState}. */
  static fromState(s: RngState): Rng {
    if (s.algorithm !== 'xoroshiro128plus' || !Array.isArray(s.state)) {
      throw new TypeError(`Rng.fromState: unknown state ${JSON.stringify(s)}`);
    }
    const r = new Rng(0);
    r.gen = prand.xoroshiro128plus.fromState(s.state);
    return r;
  }

  /** The current position of the stream, as plain JSON. */
  getState(): RngState {
    return { algorithm: 'xoroshiro128plus', state: [...this.gen.getState()] };
  }

  /** An independent copy at the same position. */
  clone(): Rng {
    return Rng.fromState(this.getState());
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    return this.gen.unsafeNext() >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.gen.unsafeNext() >>> 5; // 27 bits
    const lo = this.gen.unsafeNext() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform double in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.float();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
    return prand.unsafeUniformIntDistribution(0, n - 1, this.gen);
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** A fresh non-negative 31-bit seed, e.g. for a TensorFlow.js random op or a child stream. */
  nextSeed(): number {
    return this.uint32() >>> 1;
  }
}
