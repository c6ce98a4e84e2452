import { describe, it, expect, beforeAll } from 'vitest';
import { initTf, tf } from '@rl/tf';
import { Rng } from '@rl/env';
import { Categorical } from './categorical.js';

function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`Categorical on ${backend}`, () => {
    beforeAll(async () => {
      await initTf({ backend });
    });

    it('4096 rows with identical logits draw independently with the right frequencies (chi-square)', () => {
      const logitsRow = [0, 1, -1, 0.5];
      const probs = softmax(logitsRow);
      const rows = 4096;
      const rng = new Rng(7);
      const before = tf.memory().numTensors;
      const counts = [0, 0, 0, 0];
      const logits = tf.tidy(() => tf.tile(tf.tensor2d([logitsRow]), [rows, 1]));
      const a = new Categorical(logits).sample(rng.nextSeed());
      expect(a.dtype).toBe('int32');
      expect(a.shape).toEqual([rows]);
      for (const v of a.dataSync()) counts[v]!++;
      a.dispose();
      logits.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(new Set(counts.map((c) => c > 0)).has(false)).toBe(false);
      expect(Math.max(...counts)).toBeLessThan(rows);
      let chi2 = 0;
      for (let k = 0; k < 4; k++) chi2 += (counts[k]! - rows * probs[k]!) ** 2 / (rows * probs[k]!);
      // 3 degrees of freedom: P(χ² > 16.27) = 0.001.
      expect(chi2).toBeLessThan(16.27);
    });

    it('a fresh seed gives a fresh draw; the same seed repeats it', () => {
      const logits = tf.zeros([256, 3]);
      const d = new Categorical(logits);
      const a1 = Array.from(d.sample(11).dataSync());
      const a2 = Array.from(d.sample(12).dataSync());
      const a3 = Array.from(d.sample(11).dataSync());
      expect(a1).not.toEqual(a2);
      expect(a1).toEqual(a3);
      tf.dispose(logits);
    });

    it('logProb is the log-softmax at the action; entropy and mode match closed forms; start offsets actions', () => {
      const rowsL = [
        [0.3, -1.2, 2.0],
        [1.0, 1.0, 1.0],
      ];
      tf.tidy(() => {
        const d = new Categorical(tf.tensor2d(rowsL), 5);
        const lp = d.logProb(tf.tensor1d([7, 5], 'int32')).arraySync();
        const p0 = softmax(rowsL[0]!);
        expect(lp[0]).toBeCloseTo(Math.log(p0[2]!), 5);
        expect(lp[1]).toBeCloseTo(Math.log(1 / 3), 5);
        const h = d.entropy().arraySync();
        expect(h[0]).toBeCloseTo(-p0.reduce((s, p) => s + p * Math.log(p), 0), 5);
        expect(h[1]).toBeCloseTo(Math.log(3), 5);
        expect(Array.from(d.mode().dataSync())).toEqual([7, 5]);
        const s = Array.from(d.sample(3).dataSync());
        for (const v of s) expect(v >= 5 && v < 8).toBe(true);
      });
    });

    it('autodiff ∂log π(a)/∂logits = onehot(a) − softmax(logits)', () => {
      const L = [
        [0.5, -0.3, 1.7, 0.0],
        [-2.0, 0.1, 0.2, 0.3],
        [1.0, 1.0, -1.0, 3.0],
      ];
      const actions = [2, 0, 3];
      const g = tf.tidy(() => {
        const act = tf.tensor1d(actions, 'int32');
        return tf.grad((logits: tf.Tensor) => tf.sum(new Categorical(logits).logProb(act)))(tf.tensor2d(L)).arraySync() as number[][];
      });
      L.forEach((row, i) => {
        const p = softmax(row);
        row.forEach((_, k) => expect(g[i]![k]).toBeCloseTo((k === actions[i] ? 1 : 0) - p[k]!, 5));
      });
    });

    it('rejects logits and actions of the wrong shape, naming the shapes', () => {
      const l = tf.zeros([4]);
      expect(() => new Categorical(l)).toThrow(/\[B, n\], got shape \[4\]/);
      const l2 = tf.zeros([4, 2]);
      const a = tf.zeros([3], 'int32');
      expect(() => new Categorical(l2).logProb(a)).toThrow(/actions must be \[4\], got shape \[3\]/);
      tf.dispose([l, l2, a]);
    });
  });
}
