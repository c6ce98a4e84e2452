/**
 * Unbiasedness of the REINFORCE estimator on a small MDP whose ∇J is computed exactly by
 * enumerating every trajectory: the mean of many batched estimates must match it within its
 * standard error, and an estimator with an action-dependent baseline must not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Box, Discrete, Rng, type VectorEnv, type VectorStepResult } from '@rl/env';
import { fromModel, type Policy } from '@rl/policy';
import { createRunner } from '@rl/runner';
import { initTf, tf, useFastWasmKernels } from '@rl/tf';
import { policyGradient, type PolicyGradientOptions } from './reinforce.js';

/**
 * Two steps, three states shown one-hot. From s0, action a leads to s1 with probability P1[a]
 * (else s2), with reward R0[a]; from s1 or s2 the second action earns R1[s][a] and the
 * episode terminates.
 */
const P1 = [0.8, 0.3];
const R0 = [0, 0.5];
const R1: Record<number, number[]> = { 1: [2, 0], 2: [0, 1] };
const S = 3;

/** The MDP as N envs stepped together (the VectorEnv contract, SAME_STEP autoreset). */
class TwoStepVec implements VectorEnv {
  readonly id = 'TwoStep-v0';
  readonly singleObservationSpace = new Box(0, 1, [S]);
  readonly singleActionSpace = new Discrete(2);
  readonly obsDim = S;
  readonly actionDim = 1;
  private state: Int32Array;
  private rng = new Rng(0);
  private readonly obs: Float32Array;
  private readonly res: VectorStepResult;
  constructor(readonly numEnvs: number) {
    this.state = new Int32Array(numEnvs);
    this.obs = new Float32Array(numEnvs * S);
    this.res = {
      obs: this.obs,
      rewards: new Float64Array(numEnvs),
      terminated: new Uint8Array(numEnvs),
      truncated: new Uint8Array(numEnvs),
      finalObs: new Float32Array(numEnvs * S),
      finalInfo: new Array(numEnvs).fill(undefined),
      info: {},
    };
  }
  private observe(i: number, into: Float32Array): void {
    into.fill(0, i * S, i * S + S);
    into[i * S + this.state[i]!] = 1;
  }
  reset(opts: { seed?: number } = {}) {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.state.fill(0);
    for (let i = 0; i < this.numEnvs; i++) this.observe(i, this.obs);
    return { obs: this.obs, info: {} };
  }
  step(actions: ArrayLike<number>): VectorStepResult {
    const r = this.res as { rewards: Float64Array; terminated: Uint8Array; finalObs: Float32Array };
    for (let i = 0; i < this.numEnvs; i++) {
      const a = actions[i]!;
      const s = this.state[i]!;
      if (s === 0) {
        r.rewards[i] = R0[a]!;
        r.terminated[i] = 0;
        this.state[i] = this.rng.float() < P1[a]! ? 1 : 2;
      } else {
        r.rewards[i] = R1[s]![a]!;
        r.terminated[i] = 1;
        this.observe(i, r.finalObs);
        this.state[i] = 0;
      }
      this.observe(i, this.obs);
    }
    return this.res;
  }
  close(): void {}
}

/** Initial logits W[s][a] of the tabular softmax policy π(a|s) = softmax(W[s]). */
const W0 = [
  [0.3, -0.2],
  [-0.5, 0.4],
  [0.1, 0.6],
];

const softmax = (w: readonly number[]): number[] => {
  const m = Math.max(...w);
  const e = w.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
};

/** ∇_W J exactly: Σ_τ P(τ) R(τ) Σ_t ∇ log π(a_t|s_t), with ∂ log π(a|s)/∂W[s][b] = 1[a=b] − π(b|s). */
function exactGradient(): number[] {
  const pi = W0.map(softmax);
  const g = new Array(S * 2).fill(0);
  for (let a0 = 0; a0 < 2; a0++) {
    for (const s1 of [1, 2]) {
      const pS1 = s1 === 1 ? P1[a0]! : 1 - P1[a0]!;
      for (let a1 = 0; a1 < 2; a1++) {
        const p = pi[0]![a0]! * pS1 * pi[s1]![a1]!;
        const R = R0[a0]! + R1[s1]![a1]!;
        for (const [s, a] of [
          [0, a0],
          [s1, a1],
        ] as const) {
          for (let b = 0; b < 2; b++) g[s * 2 + b] += p * R * ((a === b ? 1 : 0) - pi[s]![b]!);
        }
      }
    }
  }
  return g;
}

function tabularPolicy(): Policy {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [S], units: 2, useBias: false })] });
  model.setWeights([tf.tensor2d(W0)]);
  return fromModel(model, new Box(0, 1, [S]), new Discrete(2), { seed: 7 });
}

const N = 256;
const BATCHES = 48;

/** Mean and standard error of `BATCHES` estimates, each from N whole episodes. */
function estimate(policy: Policy, opts: (batch: import('@rl/runner').RolloutBatch) => PolicyGradientOptions): { mean: number[]; se: number[] } {
  const runner = createRunner(policy, new TwoStepVec(N), { seed: 3 });
  const xs: number[][] = [];
  for (let k = 0; k < BATCHES; k++) {
    const batch = runner.rollout(2); // every env plays exactly one whole episode
    const pg = policyGradient(policy, batch, opts(batch));
    xs.push([...pg.gradJ[0]!.dataSync()]);
    pg.dispose();
    batch.dispose();
  }
  runner.dispose();
  const d = xs[0]!.length;
  const mean = Array.from({ length: d }, (_, j) => xs.reduce((s, x) => s + x[j]!, 0) / BATCHES);
  const se = Array.from({ length: d }, (_, j) => Math.sqrt(xs.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / (BATCHES - 1) / BATCHES));
  return { mean, se };
}

/** Largest |mean − exact| in units of the standard error. */
const zMax = (e: { mean: number[]; se: number[] }, exact: number[]): number => Math.max(...exact.map((g, j) => Math.abs(e.mean[j]! - g) / e.se[j]!));

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`policyGradient is an unbiased estimate of ∇θJ (${backend})`, () => {
    let policy: Policy;
    const exact = exactGradient();
    beforeAll(async () => {
      await initTf({ backend });
      if (backend === 'wasm') useFastWasmKernels(); // the trainer's backward pass runs through it
      policy = tabularPolicy();
    });
    afterAll(() => policy.dispose());

    const cases: [string, PolicyGradientOptions][] = [
      ['totalReturn', { returnEstimator: 'totalReturn' }],
      ['rewardToGo', { returnEstimator: 'rewardToGo' }],
      ['totalReturn with a constant baseline', { returnEstimator: 'totalReturn', baseline: 1.5 }],
      ['rewardToGo with a constant baseline', { returnEstimator: 'rewardToGo', baseline: 1.5 }],
    ];
    for (const [name, opts] of cases) {
      it(`${name}: the mean of ${BATCHES} batches of ${N} episodes is within 4 standard errors of the exact gradient`, () => {
        const before = tf.memory().numTensors;
        const e = estimate(policy, () => ({ gamma: 1, ...opts }));
        expect(tf.memory().numTensors).toBe(before);
        // the exact gradient is far from zero, so matching it means something
        expect(Math.max(...exact.map(Math.abs))).toBeGreaterThan(0.1);
        expect(zMax(e, exact)).toBeLessThan(4);
      });
    }

    it('an action-dependent baseline b(a) = 2·a is biased: the same check fails', () => {
      const e = estimate(policy, (batch) => ({ gamma: 1, returnEstimator: 'rewardToGo', baseline: Float32Array.from(batch.actions.dataSync(), (a) => 2 * a) }));
      expect(zMax(e, exact)).toBeGreaterThan(10);
    });
  });
}
