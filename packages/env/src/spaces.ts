import type { Rng } from './rng.js';

/** JSON form of a {@link Box}. Infinite bounds are written as the strings "inf" / "-inf". */
export interface BoxJSON {
  readonly type: 'Box';
  readonly shape: readonly number[];
  readonly low: readonly (number | 'inf' | '-inf')[];
  readonly high: readonly (number | 'inf' | '-inf')[];
  readonly dtype: 'float32';
}

/** JSON form of a {@link Discrete}. */
export interface DiscreteJSON {
  readonly type: 'Discrete';
  readonly n: number;
  readonly start: number;
}

/** JSON form of any space. */
export type SpaceJSON = BoxJSON | DiscreteJSON;

/** A continuous box of float32 values, `low ≤ x ≤ high` elementwise (Gymnasium's `Box`). */
export class Box {
  /** Discriminant for narrowing. */
  readonly type = 'Box' as const;
  /** Lower bounds, one per element (may be -Infinity). */
  readonly low: Float32Array;
  /** Upper bounds, one per element (may be Infinity). */
  readonly high: Float32Array;
  /** Shape of one element; the flat size is the product. */
  readonly shape: readonly number[];
  /** Always float32, as in Gymnasium's classic control. */
  readonly dtype = 'float32' as const;

  /**
   * @param low scalar or per-element lower bounds
   * @param high scalar or per-element upper bounds
   * @param shape defaults to `[low.length]` when low is an array
   * @example new Box([-1], [1]) // MountainCarContinuous' action space
   */
  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]) {
    const inferred = shape ?? (typeof low === 'number' ? (typeof high === 'number' ? [1] : [high.length]) : [low.length]);
    if (inferred.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new RangeError(`Box: shape must be positive integers, got [${inferred.join(', ')}]`);
    }
    const size = inferred.reduce((a, b) => a * b, 1);
    const fill = (v: number | ArrayLike<number>, name: string): Float32Array => {
      if (typeof v === 'number') return new Float32Array(size).fill(v);
      if (v.length !== size) throw new RangeError(`Box: ${name} has ${v.length} values, shape [${inferred.join(', ')}] needs ${size}`);
      return Float32Array.from(v);
    };
    this.shape = [...inferred];
    this.low = fill(low, 'low');
    this.high = fill(high, 'high');
    for (let i = 0; i < size; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
        throw new RangeError(`Box: bound ${i} is invalid (low ${lo}, high ${hi})`);
      }
    }
  }

  /** Number of float32 values in one element. */
  get size(): number {
    return this.low.length;
  }

  /** True when `x` has the right length, only finite numbers, and lies inside the bounds (in float32). */
  contains(x: unknown): boolean {
    if (!isNumberArray(x) || x.length !== this.size) return false;
    for (let i = 0; i < x.length; i++) {
      const v = Math.fround(x[i]!);
      if (!Number.isFinite(v) || v < this.low[i]! || v > this.high[i]!) return false;
    }
    return true;
  }

  /** A random element: uniform where bounded, normal where unbounded, shifted exponential where half-bounded. */
  sample(rng: Rng): Float32Array {
    const out = new Float32Array(this.size);
    for (let i = 0; i < out.length; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      const bLo = Number.isFinite(lo);
      const bHi = Number.isFinite(hi);
      if (bLo && bHi) out[i] = rng.uniform(lo, hi);
      else if (!bLo && !bHi) out[i] = rng.normal();
      else if (bLo) out[i] = lo - Math.log(1 - rng.float());
      else out[i] = hi + Math.log(1 - rng.float());
      // uniform(lo, hi) may round up to hi's float32 neighbour; keep the sample inside.
      if (out[i]! > hi) out[i] = hi;
      if (out[i]! < lo) out[i] = lo;
    }
    return out;
  }

  /** JSON form, e.g. to store beside a saved policy. */
  toJSON(): BoxJSON {
    const enc = (v: number): number | 'inf' | '-inf' => (v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v);
    return { type: 'Box', shape: [...this.shape], low: [...this.low].map(enc), high: [...this.high].map(enc), dtype: 'float32' };
  }

  /** Human-readable form used in error messages. */
  toString(): string {
    return `Box(shape [${this.shape.join(', ')}], low [${[...this.low].join(', ')}], high [${[...this.high].join(', ')}])`;
  }
}

/** Integers `start, start + 1, …, start + n − 1` (Gymnasium's `Discrete`). */
export class Discrete {
  /** Discriminant for narrowing. */
  readonly type = 'Discrete' as const;
  /** Number of actions. */
  readonly n: number;
  /** Smallest value (0 unless given). */
  readonly start: number;
  /** Shape of one element: a scalar. */
  readonly shape: readonly number[] = [];

  /** @example new Discrete(2) // CartPole's action space */
  constructor(n: number, start = 0) {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Discrete: n must be a positive integer, got ${n}`);
    if (!Number.isInteger(start)) throw new RangeError(`Discrete: start must be an integer, got ${start}`);
    this.n = n;
    this.start = start;
  }

  /** Number of values needed to hold one element (1). */
  get size(): number {
    return 1;
  }

  /** True for an integer in `[start, start + n)`. */
  contains(x: unknown): boolean {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  /** A uniform random element. */
  sample(rng: Rng): number {
    return this.start + rng.int(this.n);
  }

  /** JSON form, e.g. to store beside a saved policy. */
  toJSON(): DiscreteJSON {
    return { type: 'Discrete', n: this.n, start: this.start };
  }

  /** Human-readable form used in error messages. */
  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start ${this.start})`;
  }
}

/** Any space this framework supports. */
export type Space = Box | Discrete;

/** Rebuilds a space from its JSON form; throws a `TypeError` naming the bad field. */
export function spaceFromJSON(json: unknown): Space {
  if (typeof json !== 'object' || json === null) throw new TypeError(`spaceFromJSON: expected an object, got ${JSON.stringify(json)}`);
  const j = json as Record<string, unknown>;
  if (j.type === 'Discrete') {
    if (typeof j.n !== 'number') throw new TypeError(`spaceFromJSON: Discrete needs a numeric "n", got ${JSON.stringify(j.n)}`);
    return new Discrete(j.n, typeof j.start === 'number' ? j.start : 0);
  }
  if (j.type === 'Box') {
    const dec = (v: unknown, field: string): number => {
      if (v === 'inf') return Infinity;
      if (v === '-inf') return -Infinity;
      if (typeof v !== 'number') throw new TypeError(`spaceFromJSON: Box.${field} holds ${JSON.stringify(v)}, expected a number, "inf" or "-inf"`);
      return v;
    };
    if (!Array.isArray(j.low) || !Array.isArray(j.high) || !Array.isArray(j.shape)) {
      throw new TypeError('spaceFromJSON: Box needs arrays "low", "high" and "shape"');
    }
    return new Box(j.low.map((v) => dec(v, 'low')), j.high.map((v) => dec(v, 'high')), j.shape as number[]);
  }
  throw new TypeError(`spaceFromJSON: unknown space type ${JSON.stringify(j.type)} (expected "Box" or "Discrete")`);
}

/** True when two spaces are equal (same type, shape and bounds). */
export function spacesEqual(a: Space, b: Space): boolean {
  return JSON.stringify(a.toJSON()) === JSON.stringify(b.toJSON());
}

function isNumberArray(x: unknown): x is ArrayLike<number> {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return true;
  return Array.isArray(x) && x.every((v) => typeof v === 'number');
}
