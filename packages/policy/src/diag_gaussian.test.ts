import { describe, it, expect, beforeAll } from 'vitest';
import { initTf, tf } from '@rl/tf';
import { Rng } from '@rl/env';
import { DiagGaussian } from './diag_gaussian.js';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`DiagGaussian on ${backend}`, () => {
    beforeAll(async () => {
      await initTf({ backend });
    });

    it('autodiff matches ∂/∂μ = (a − μ)/σ² and ∂/∂log σ = ((a − μ)/σ)² − 1', () => {
      const mu = [
        [0.1, -0.4],
        [1.5, 0.0],
      ];
      const ls = [
        [0.2, -0.7],
        [0.0, 0.5],
      ];
      const a = [
        [0.9, -1.0],
        [1.2, 2.0],
      ];
      const [gm, gs] = tf.tidy(() => {
        const act = tf.tensor2d(a);
        const f = (m: tf.Tensor, s: tf.Tensor): tf.Tensor => tf.sum(new DiagGaussian(m, s).logProb(act));
        return tf.grads(f)([tf.tensor2d(mu), tf.tensor2d(ls)]).map((t) => t.arraySync() as number[][]);
      });
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          const sigma = Math.exp(ls[i]![j]!);
          const z = (a[i]![j]! - mu[i]![j]!) / sigma;
          expect(gm![i]![j]).toBeCloseTo(z / sigma, 4);
          expect(gs![i]![j]).toBeCloseTo(z * z - 1, 4);
        }
      }
    });

    it('logProb and entropy match the closed forms; a state-independent log σ broadcasts', () => {
      tf.tidy(() => {
        const d = new DiagGaussian(tf.tensor2d([[0, 1], [2, 3]]), tf.tensor1d([0, Math.log(2)]));
        const lp = d.logProb(tf.tensor2d([[1, 1], [2, 5]])).arraySync();
        const c = 0.5 * Math.log(2 * Math.PI);
        expect(lp[0]).toBeCloseTo(-0.5 - c + (0 - Math.log(2) - c), 5);
        expect(lp[1]).toBeCloseTo(0 - c + (-0.5 - Math.log(2) - c), 5);
        const h = d.entropy().arraySync();
        const e = Math.log(2) + 2 * (0.5 + c);
        expect(h[0]).toBeCloseTo(e, 5);
        expect(h[1]).toBeCloseTo(e, 5);
        expect(d.mode().arraySync()).toEqual([[0, 1], [2, 3]]);
      });
    });

    it('samples have the right mean and standard deviation, and a fresh seed gives fresh numbers', () => {
      const rng = new Rng(3);
      const n = 8192;
      const before = tf.memory().numTensors;
      const mean = tf.tidy(() => tf.tile(tf.tensor2d([[1.5, -2]]), [n, 1]));
      const logStd = tf.tensor1d([Math.log(0.5), Math.log(3)]);
      const d = new DiagGaussian(mean, logStd);
      const s1 = d.sample(rng.nextSeed());
      const s2 = d.sample(rng.nextSeed());
      const x = s1.dataSync();
      expect(Array.from(s2.dataSync().slice(0, 8))).not.toEqual(Array.from(x.slice(0, 8)));
      for (const [j, mu, sd] of [[0, 1.5, 0.5], [1, -2, 3]] as const) {
        let m = 0;
        for (let i = 0; i < n; i++) m += x[i * 2 + j]!;
        m /= n;
        let v = 0;
        for (let i = 0; i < n; i++) v += (x[i * 2 + j]! - m) ** 2;
        v /= n - 1;
        // within 5 standard errors
        expect(Math.abs(m - mu)).toBeLessThan((5 * sd) / Math.sqrt(n));
        expect(Math.abs(Math.sqrt(v) - sd)).toBeLessThan((5 * sd) / Math.sqrt(2 * n));
      }
      tf.dispose([s1, s2, mean, logStd]);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('rejects mismatched shapes, naming them', () => {
      const m = tf.zeros([3, 2]);
      const s = tf.zeros([3]);
      expect(() => new DiagGaussian(m, s)).toThrow(/logStd must be \[2\] or \[3, 2\].*got \[3\]/);
      const s2 = tf.zeros([2]);
      const a = tf.zeros([3, 1]);
      expect(() => new DiagGaussian(m, s2).logProb(a)).toThrow(/actions must be \[3, 2\], got shape \[3, 1\]/);
      tf.dispose([m, s, s2, a]);
    });
  });
}
