import { describe, expect, it } from 'vitest';
import { RunningMeanStd } from './running_mean_std.js';
import { Rng } from './rng.js';

describe('RunningMeanStd', () => {
  it('matches the mean and population variance of all rows seen (up to the 1e-4 prior count)', () => {
    const rng = new Rng(0);
    const rms = new RunningMeanStd(3);
    const all: number[][] = [];
    for (let b = 0; b < 20; b++) {
      const rows = 1 + (b % 5);
      const x = new Float64Array(rows * 3);
      for (let k = 0; k < x.length; k++) x[k] = (k % 3) * 10 + rng.normal() * (1 + (k % 3));
      for (let r = 0; r < rows; r++) all.push([x[r * 3]!, x[r * 3 + 1]!, x[r * 3 + 2]!]);
      rms.update(x, rows);
    }
    for (let k = 0; k < 3; k++) {
      const col = all.map((r) => r[k]!);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const v = col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length;
      expect(rms.mean[k]).toBeCloseTo(mean, 3);
      expect(rms.var[k]).toBeCloseTo(v, 2);
    }
    expect(rms.count).toBeCloseTo(all.length + 1e-4, 10);
  });

  it('rejects a batch that is not whole rows', () => {
    expect(() => new RunningMeanStd(3).update([1, 2], 1)).toThrow(/2 values are not 1 rows of 3/);
  });
});
