import { describe, it, expect, beforeAll } from 'vitest';
import { initTf, tf } from '@rl/tf';
import { Box, Discrete } from '@rl/env';
import { valueNetwork } from './value.js';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`valueNetwork on ${backend}`, () => {
    beforeAll(async () => {
      await initTf({ backend });
    });

    it('V(s) is [B], trainable by regression, with weights that round-trip as Float32Arrays', () => {
      const v = valueNetwork(new Box(-1, 1, [3]), { hidden: [16, 16], seed: 1 });
      expect(v.weightShapes).toEqual([[3, 16], [16], [16, 16], [16], [16, 1], [1]]);
      // value head: orthogonal with gain 1 → unit-norm column
      const w = v.getWeights();
      expect(Math.hypot(...w[4]!)).toBeCloseTo(1, 4);
      const x = tf.tidy(() => tf.randomNormal([64, 3], 0, 1, 'float32', 1)) as tf.Tensor2D;
      const target = tf.tidy(() => tf.sum(x, 1));
      const out = v.predict(x);
      expect(out.shape).toEqual([64]);
      out.dispose();
      const loss = (): tf.Scalar => tf.mean(tf.square(tf.sub(v.predict(x), target)));
      const l0 = tf.tidy(() => loss().dataSync()[0]!);
      const opt = tf.train.adam(0.01);
      opt.minimize(loss, false, v.trainableVariables as tf.Variable[]); // creates Adam's moment slots
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) opt.minimize(loss, false, v.trainableVariables as tf.Variable[]);
      const l1 = tf.tidy(() => loss().dataSync()[0]!);
      expect(l1).toBeLessThan(l0 * 0.5);
      expect(tf.memory().numTensors).toBe(before);
      const u = valueNetwork(new Box(-1, 1, [3]), { hidden: [16, 16], seed: 2 });
      u.setWeights(v.getWeights());
      const a = v.predict(x);
      const b = u.predict(x);
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      expect(() => u.setWeights(w.slice(1))).toThrow(/got 5 arrays, expected 6/);
      tf.dispose([x, target, a, b]);
      opt.dispose();
      v.dispose();
      u.dispose();
    });

    it('applies observation normalisation and rejects bad observation shapes and spaces', () => {
      const v = valueNetwork(new Box(-1, 1, [2]), { hidden: [4], seed: 3 });
      const x = tf.tensor2d([[3, 5]]);
      v.obsNorm = { mean: Float32Array.from([1, 1]), var: Float32Array.from([4, 16]), count: 2, clip: 10, epsilon: 0 };
      const a = v.predict(x);
      v.obsNorm = undefined;
      const xn = tf.tensor2d([[1, 1]]);
      const b = v.predict(xn);
      expect(a.dataSync()[0]).toBeCloseTo(b.dataSync()[0]!, 6);
      const bad = tf.zeros([2, 3]) as tf.Tensor2D;
      expect(() => v.predict(bad)).toThrow(/valueNetwork.predict: observations have shape \[2, 3\], expected \[B, 2\]/);
      expect(() => valueNetwork(new Discrete(3))).toThrow(/must be a Box, got Discrete\(3\)/);
      tf.dispose([x, xn, a, b, bad]);
      v.dispose();
    });
  });
}
