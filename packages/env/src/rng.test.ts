import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('repeats for a seed and restores from its state', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    expect([a.float(), a.uint32(), a.int(7)]).toEqual([b.float(), b.uint32(), b.int(7)]);
    const saved = a.getState();
    const x = a.float();
    expect(Rng.fromState(saved).float()).toBe(x);
  });

  it('gives well-spread first draws for consecutive seeds (no ≈1 first float)', () => {
    let sum = 0;
    let above = 0;
    for (let s = 0; s < 1000; s++) {
      const f = new Rng(s).float();
      sum += f;
      if (f > 0.99) above++;
    }
    expect(sum / 1000).toBeGreaterThan(0.45);
    expect(sum / 1000).toBeLessThan(0.55);
    expect(above).toBeLessThan(30);
  });
});
