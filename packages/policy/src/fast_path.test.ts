import { describe, it, expect, beforeAll } from 'vitest';
import { initTf, tf } from '@rl/tf';
import { Box, Discrete, Rng } from '@rl/env';
import { createPolicy, fromModel } from './policy.js';
import { FastForward } from './fast_path.js';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Random weights of a larger scale than the 0.01-gain head, so differences would show. */
function randomize(weights: Float32Array[], seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return weights.map((w) => w.map(() => rng.uniform(-1, 1)));
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`fast path on ${backend}`, () => {
    beforeAll(async () => {
      await initTf({ backend });
    });

    for (const activation of ['tanh', 'relu'] as const) {
      it(`${activation}: fused forward equals model.apply to float32 tolerance`, () => {
        const p = createPolicy(new Box(-5, 5, [6]), new Discrete(3), { hidden: [32, 16, 8], activation, seed: 4 });
        p.setWeights(randomize(p.getWeights(), 9));
        const x = tf.tidy(() => tf.randomNormal([257, 6], 0, 2, 'float32', 1)) as tf.Tensor2D;
        const plain = p.forwardPlain(x);
        const fast = p.forwardFast(x);
        const scale = tf.tidy(() => tf.max(tf.abs(plain)).dataSync()[0]!);
        expect(scale).toBeGreaterThan(0.1);
        expect(maxAbsDiff(plain, fast)).toBeLessThan(1e-5 * Math.max(1, scale) * 10);
        tf.dispose([x, plain, fast]);
        p.dispose();
      });
    }

    it('derived weights follow setWeights and optimizer steps without a manual refresh', () => {
      const p = createPolicy(new Box(-1, 1, [4]), new Box(-1, 1, [2]), { hidden: [16, 16], seed: 2 });
      const x = tf.tidy(() => tf.randomNormal([32, 4], 0, 1, 'float32', 3)) as tf.Tensor2D;
      const check = (): void => {
        const a = p.forwardPlain(x);
        const b = p.forwardFast(x);
        expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
        tf.dispose([a, b]);
      };
      check();
      const r0 = p.fastPathRefreshCount;
      check();
      expect(p.fastPathRefreshCount).toBe(r0); // unchanged weights: no recompute
      p.setWeights(randomize(p.getWeights(), 1));
      check();
      expect(p.fastPathRefreshCount).toBe(r0 + 1);
      const opt = tf.train.adam(0.1);
      const acts = tf.tidy(() => tf.randomNormal([32, 2], 0, 1, 'float32', 5));
      opt.minimize(() => tf.neg(tf.mean(p.logProb(x, acts))) as tf.Scalar, false, p.trainableVariables as tf.Variable[]);
      check();
      expect(p.fastPathRefreshCount).toBe(r0 + 2);
      tf.dispose([x, acts]);
      opt.dispose();
      p.dispose();
    });

    it('a bias-free linear model (tabular policy) and a tanh output layer run through the fast path exactly', () => {
      const lin = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 3, useBias: false })] });
      const p = fromModel(lin, new Box(0, 1, [5]), new Discrete(3));
      expect(p.fastPath).toBe(true);
      const x = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 4, 2], 'int32'), 5).toFloat()) as tf.Tensor2D;
      const a = p.forwardPlain(x);
      const b = p.forwardFast(x);
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
      tf.dispose([a, b]);
      p.dispose();
      const m = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [5], units: 7, activation: 'tanh' }), tf.layers.dense({ units: 2, activation: 'tanh' })],
      });
      const ff = FastForward.for(m)!;
      ff.ensureFresh();
      const c = tf.tidy(() => ff.forward(x));
      const d = m.apply(x) as tf.Tensor;
      expect(maxAbsDiff(c, d)).toBeLessThan(1e-5);
      tf.dispose([c, d, x]);
      ff.dispose();
      m.dispose();
    });

    it('models that are not plain Dense chains fall back to model.apply', () => {
      const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 8, activation: 'elu' }), tf.layers.dense({ units: 2 })] });
      expect(FastForward.for(m)).toBeUndefined();
      const p = fromModel(m, new Box(-1, 1, [4]), new Discrete(2));
      expect(p.fastPath).toBe(false);
      const x = tf.zeros([3, 4]) as tf.Tensor2D;
      const a = p.act(x);
      expect(a.shape).toEqual([3]);
      tf.dispose([a, x]);
      p.dispose();
    });
  });
}
