import { describe, it, expect } from 'vitest';
import { Rng } from '@rl/env';
import { orthogonal } from './orthogonal.js';

describe('orthogonal', () => {
  for (const [rows, cols] of [[4, 64], [64, 64], [64, 2]] as const) {
    it(`[${rows}, ${cols}] has orthonormal rows or columns times the gain, and is reproducible`, () => {
      const gain = Math.SQRT2;
      const w = orthogonal(rows, cols, gain, new Rng(5));
      expect(Array.from(w)).toEqual(Array.from(orthogonal(rows, cols, gain, new Rng(5))));
      const tall = rows >= cols;
      const k = tall ? cols : rows;
      const m = tall ? rows : cols;
      const at = (v: number, i: number): number => (tall ? w[i * cols + v]! : w[v * cols + i]!);
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          let dot = 0;
          for (let i = 0; i < m; i++) dot += at(a, i) * at(b, i);
          expect(dot).toBeCloseTo(a === b ? gain * gain : 0, 4);
        }
      }
    });
  }
});
