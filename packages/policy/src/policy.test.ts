import { describe, it, expect, beforeAll } from 'vitest';
import { initTf, tf } from '@rl/tf';
import { Box, Discrete } from '@rl/env';
import { createPolicy, fromModel } from './policy.js';
import type { NetworkPolicyHandle } from './policy.js';

function obsBatch(n: number, d: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => tf.randomNormal([n, d], 0, 1, 'float32', seed)) as tf.Tensor2D;
}

/** Σ log π(a|s) as a plain number (no taping). */
function totalLogProb(p: NetworkPolicyHandle, x: tf.Tensor2D, a: tf.Tensor): number {
  return tf.tidy(() => tf.sum(p.logProb(x, a)).dataSync()[0]!);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`policies on ${backend}`, () => {
    beforeAll(async () => {
      await initTf({ backend });
    });

    it('Discrete: act returns int32 [B] in the space, logProb/entropy [B]; CleanRL init gains', () => {
      const p = createPolicy(new Box(-1, 1, [4]), new Discrete(3, 1), { seed: 1 });
      expect(p.distributionType).toBe('categorical');
      expect(p.weightShapes).toEqual([[4, 64], [64], [64, 64], [64], [64, 3], [3]]);
      const x = obsBatch(50, 4, 1);
      const a = p.act(x);
      expect(a.dtype).toBe('int32');
      expect(a.shape).toEqual([50]);
      for (const v of a.dataSync()) expect([1, 2, 3]).toContain(v);
      const lp = p.logProb(x, a);
      const h = p.entropy(x);
      expect(lp.shape).toEqual([50]);
      // policy head gain 0.01: nearly uniform at init
      for (const v of lp.dataSync()) expect(v).toBeCloseTo(Math.log(1 / 3), 1);
      for (const v of h.dataSync()) expect(v).toBeCloseTo(Math.log(3), 2);
      // hidden kernels: orthogonal with gain √2 → column norms √2
      const w = p.getWeights();
      let norm = 0;
      for (let i = 0; i < 64; i++) norm += w[2]![i * 64]! ** 2;
      expect(Math.sqrt(norm)).toBeCloseTo(Math.SQRT2, 4);
      tf.dispose([x, a, lp, h]);
      p.dispose();
    });

    it('Box: Gaussian act returns float32 [B, actDim] with a trainable state-independent log σ', () => {
      const p = createPolicy(new Box(-1, 1, [3]), new Box(-2, 2, [2]), { seed: 1, logStdInit: -0.5, activation: 'relu' });
      expect(p.distributionType).toBe('gaussian');
      expect(p.trainableVariables).toHaveLength(7);
      expect(Array.from(p.logStd!.dataSync())).toEqual([-0.5, -0.5]);
      const x = obsBatch(10, 3, 2);
      const a = p.act(x);
      expect(a.dtype).toBe('float32');
      expect(a.shape).toEqual([10, 2]);
      const m = p.act(x, { deterministic: true });
      const plain = p.forwardPlain(x);
      expect(Array.from(m.dataSync())).toEqual(Array.from(plain.dataSync()).map((v) => Math.fround(v)));
      const h = p.entropy(x);
      expect(h.dataSync()[0]).toBeCloseTo(2 * (-0.5 + 0.5 + 0.5 * Math.log(2 * Math.PI)), 5);
      tf.dispose([x, a, m, plain, h]);
      p.dispose();
    });

    it('actWithDistribution: the same actions as act, with π(·|s) or the mean and σ they were drawn from', () => {
      const before = tf.memory().numTensors;
      const p = createPolicy(new Box(-1, 1, [4]), new Discrete(3, 1), { seed: 5, hidden: [16] });
      const x = tf.tidy(() => tf.mul(obsBatch(40, 4, 3), 50)) as tf.Tensor2D; // large inputs: rows far from uniform
      const s = p.getRngState();
      const sampled = p.act(x);
      p.setRngState(s);
      const r = p.actWithDistribution(x);
      if (r.kind !== 'categorical') throw new Error(`expected categorical, got ${r.kind}`);
      expect(Array.from(r.action.dataSync())).toEqual(Array.from(sampled.dataSync())); // same stream, same draws
      expect(r.probabilities.shape).toEqual([40, 3]);
      const logits = p.forwardPlain(x);
      const softmax = tf.softmax(logits);
      const probs = r.probabilities.arraySync();
      softmax.arraySync().forEach((row, i) => {
        expect(probs[i]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        row.forEach((v, j) => expect(probs[i]![j]).toBeCloseTo(v, 5));
      });
      const mode = p.actWithDistribution(x, { deterministic: true });
      // the mode is the most probable action (values start at the space's start, 1)
      expect(Array.from(mode.action.dataSync())).toEqual(probs.map((row) => 1 + row.indexOf(Math.max(...row))));
      expect(new Set(mode.action.dataSync()).size).toBeGreaterThan(1);
      tf.dispose([x, sampled, r.action, r.probabilities, logits, softmax, mode.action, (mode as { probabilities: tf.Tensor }).probabilities]);
      p.dispose();

      const g = createPolicy(new Box(-1, 1, [3]), new Box(-2, 2, [2]), { seed: 6, logStdInit: -0.7, hidden: [16] });
      const y = obsBatch(5, 3, 4);
      const d = g.actWithDistribution(y, { deterministic: true });
      if (d.kind !== 'gaussian') throw new Error(`expected gaussian, got ${d.kind}`);
      const mean = g.forwardPlain(y);
      expect(d.mean.shape).toEqual([5, 2]);
      Array.from(d.mean.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(mean.dataSync()[i]!, 5));
      expect(Array.from(d.action.dataSync())).toEqual(Array.from(d.mean.dataSync()));
      for (const v of d.std.dataSync()) expect(v).toBeCloseTo(Math.exp(-0.7), 6);
      expect(d.std.shape).toEqual([5, 2]);
      const sd = g.actWithDistribution(y);
      expect(Array.from(sd.action.dataSync())).not.toEqual(Array.from(d.action.dataSync())); // sampled around the mean
      tf.dispose([y, mean, d.action, d.mean, d.std, sd.action, ...(sd.kind === 'gaussian' ? [sd.mean, sd.std] : [])]);
      g.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('the sampling stream is seeded and restorable (getRngState/setRngState)', () => {
      const p = createPolicy(new Box(-1, 1, [2]), new Discrete(4), { seed: 3 });
      const x = tf.zeros([64, 2]) as tf.Tensor2D;
      const s = p.getRngState();
      const a1 = p.act(x);
      const a2 = p.act(x);
      p.setRngState(s);
      const a3 = p.act(x);
      expect(Array.from(a1.dataSync())).not.toEqual(Array.from(a2.dataSync()));
      expect(Array.from(a3.dataSync())).toEqual(Array.from(a1.dataSync()));
      const q = createPolicy(new Box(-1, 1, [2]), new Discrete(4), { seed: 3 });
      const b1 = q.act(x);
      expect(Array.from(b1.dataSync())).toEqual(Array.from(a1.dataSync()));
      tf.dispose([x, a1, a2, a3, b1]);
      p.dispose();
      q.dispose();
    });

    it('getWeights/setWeights round-trip; bad weights are rejected naming index and sizes', () => {
      const p = createPolicy(new Box(-1, 1, [2]), new Box(-1, 1, [1]), { hidden: [8], seed: 1 });
      const q = createPolicy(new Box(-1, 1, [2]), new Box(-1, 1, [1]), { hidden: [8], seed: 2 });
      const w = p.getWeights();
      expect(w.map((a) => a.length)).toEqual([16, 8, 8, 1, 1]);
      w[4]![0] = 0.25;
      q.setWeights(w);
      expect(q.getWeights().map((a) => Array.from(a))).toEqual(w.map((a) => Array.from(a)));
      expect(Array.from(q.logStd!.dataSync())).toEqual([0.25]);
      expect(() => q.setWeights(w.slice(1))).toThrow(/got 4 arrays, expected 5/);
      expect(() => q.setWeights([w[0]!.slice(1), ...w.slice(1)])).toThrow(/array 0 has 15 values, shape \[2, 8\] needs 16/);
      const bad = w.map((a) => a.slice());
      bad[2]![3] = NaN;
      expect(() => q.setWeights(bad)).toThrow(/array 2 holds NaN at index 3/);
      p.dispose();
      q.dispose();
    });

    it('observations of the wrong shape or dtype are rejected naming the shape', () => {
      const p = createPolicy(new Box(-1, 1, [4]), new Discrete(2), { hidden: [8] });
      const x3 = tf.zeros([5, 3]) as tf.Tensor2D;
      const x1 = tf.zeros([4]) as unknown as tf.Tensor2D;
      const xi = tf.zeros([2, 4], 'int32') as tf.Tensor2D;
      expect(() => p.act(x3)).toThrow(/policy.act: observations have shape \[5, 3\], expected \[B, 4\]/);
      expect(() => p.act(x1)).toThrow(/shape \[4\], expected \[B, 4\]/);
      expect(() => p.logProb(x3, tf.zeros([5], 'int32'))).toThrow(/shape \[5, 3\]/);
      expect(() => p.act(xi)).toThrow(/must be float32, got int32/);
      tf.dispose([x3, x1, xi]);
      p.dispose();
    });

    it('no tensor leaks: numTensors unchanged after 1000 act calls', () => {
      const p = createPolicy(new Box(-1, 1, [4]), new Discrete(2), { seed: 1, obsNorm: { mean: new Float32Array(4), var: new Float32Array(4).fill(2), count: 10, clip: 5, epsilon: 1e-8 } });
      const g = createPolicy(new Box(-1, 1, [4]), new Box(-1, 1, [2]), { seed: 1, activation: 'relu' });
      const x = obsBatch(16, 4, 1);
      tf.dispose([p.act(x), g.act(x)]); // warm-up builds the fast path's derived weights
      const before = tf.memory().numTensors;
      for (let i = 0; i < 500; i++) {
        p.act(x).dispose();
        g.act(x, { deterministic: i % 2 === 0 }).dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      p.dispose();
      g.dispose();
    });
  });
}

describe('policies (cpu only)', () => {
  beforeAll(async () => {
    await initTf({ backend: 'cpu' });
  });

  for (const kind of ['categorical', 'gaussian'] as const) {
    it(`${kind}: autodiff ∇θ Σ log π(a|s) through a small network matches finite differences`, () => {
      const act = kind === 'categorical' ? new Discrete(3) : new Box(-1, 1, [2]);
      const p = createPolicy(new Box(-1, 1, [3]), act, { hidden: [5], seed: 8, logStdInit: -0.3 });
      // bigger head weights so the gradient is not tiny
      const w0 = p.getWeights();
      w0[2] = w0[2]!.map((v, i) => v * 100 + (i % 3) * 0.1);
      p.setWeights(w0);
      const x = obsBatch(6, 3, 4);
      const a = p.act(x);
      const vars = p.trainableVariables as tf.Variable[];
      const { grads } = tf.variableGrads(() => tf.sum(p.logProb(x, a)) as tf.Scalar, vars);
      const analytic = vars.map((v) => grads[v.name]!.dataSync().slice());
      tf.dispose(Object.values(grads));
      const eps = 1e-2;
      let checked = 0;
      for (let wi = 0; wi < w0.length; wi++) {
        for (const j of [0, Math.floor(w0[wi]!.length / 2), w0[wi]!.length - 1]) {
          const plus = w0.map((t) => t.slice());
          plus[wi]![j]! += eps;
          const minus = w0.map((t) => t.slice());
          minus[wi]![j]! -= eps;
          p.setWeights(plus);
          const fp = totalLogProb(p, x, a);
          p.setWeights(minus);
          const fm = totalLogProb(p, x, a);
          const fd = (fp - fm) / (2 * eps);
          expect(Math.abs(analytic[wi]![j]! - fd)).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
          checked++;
        }
      }
      expect(checked).toBe(3 * w0.length);
      p.setWeights(w0);
      tf.dispose([x, a]);
      p.dispose();
    });
  }

  it('fromModel: a bias-free dense layer on one-hot observations is a tabular policy', () => {
    const table = [
      [2, 0, 0, -1],
      [0, 0, 3, 0],
      [-1, -1, -1, 1],
    ];
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4, useBias: false })] });
    const p = fromModel(model, new Box(0, 1, [3]), new Discrete(4), { seed: 2 });
    p.setWeights([table.flat()]);
    const states = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3).toFloat()) as tf.Tensor2D;
    const mode = p.act(states, { deterministic: true });
    expect(Array.from(mode.dataSync())).toEqual([0, 2, 3]);
    const actions = tf.tensor1d([3, 2, 0], 'int32');
    const lp = p.logProb(states, actions).dataSync();
    [[0, 3], [1, 2], [2, 0]].forEach(([s, aIdx], i) => {
      const row = table[s!]!;
      const z = row.reduce((acc, v) => acc + Math.exp(v), 0);
      expect(lp[i]).toBeCloseTo(row[aIdx!]! - Math.log(z), 5);
    });
    // the gradient of log π(a|s) lands only on row s of the table
    const { grads } = tf.variableGrads(() => tf.sum(p.logProb(states.slice([0, 0], [1, 3]), actions.slice([0], [1]))) as tf.Scalar, p.trainableVariables as tf.Variable[]);
    const g = Object.values(grads)[0]!.arraySync() as number[][];
    expect(g[1]!.every((v) => v === 0) && g[2]!.every((v) => v === 0)).toBe(true);
    expect(g[0]![3]).toBeGreaterThan(0);
    tf.dispose([states, mode, actions, ...Object.values(grads)]);
    p.dispose();
  });

  it('fromModel rejects a model whose input or output does not fit the spaces, naming both', () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    expect(() => fromModel(m, new Box(-1, 1, [4]), new Discrete(2))).toThrow(/input shape is \[null, 3\] but Box\(shape \[4\].*needs \[null, 4\]/);
    expect(() => fromModel(m, new Box(-1, 1, [3]), new Discrete(5))).toThrow(/output shape is \[null, 2\] but Discrete\(5\) needs 5 logits/);
    m.dispose();
  });

  it('observation normalisation is applied (clipped) in act, logProb and the fast path', () => {
    const p = createPolicy(new Box(-10, 10, [2]), new Box(-1, 1, [1]), { hidden: [8], seed: 5 });
    const w = p.getWeights();
    w[2] = w[2]!.map((v) => v * 100);
    p.setWeights(w);
    const x = tf.tensor2d([[3, -4], [100, 0]]);
    p.obsNorm = { mean: Float32Array.from([1, -2]), var: Float32Array.from([4, 1]), count: 5, clip: 5, epsilon: 0 };
    const normed = p.act(x, { deterministic: true });
    const fast = p.forwardFast(x);
    p.obsNorm = undefined;
    const xn = tf.tensor2d([[1, -2], [5, 2]]); // (3−1)/2, (−4+2)/1; (100−1)/2 → clipped to 5, (0+2)/1
    const ref = p.act(xn, { deterministic: true });
    expect(Array.from(normed.dataSync())).toEqual(Array.from(ref.dataSync()));
    expect(Array.from(fast.dataSync())[1]).toBeCloseTo(ref.dataSync()[1]!, 5);
    tf.dispose([x, xn, normed, fast, ref]);
    expect(() => {
      p.obsNorm = { mean: new Float32Array(3), var: new Float32Array(3), count: 1, clip: 5, epsilon: 1e-8 };
      const y = tf.zeros([1, 2]) as tf.Tensor2D;
      try {
        p.act(y);
      } finally {
        y.dispose();
      }
    }).toThrow(/obsNorm mean\/var have 3\/3 values, observations have 2/);
    p.dispose();
  });
});
