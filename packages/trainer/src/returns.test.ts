import { describe, expect, it } from 'vitest';
import { gae, rewardToGo, totalReturn } from './returns.js';

const close = (a: ArrayLike<number>, b: readonly number[]): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
};

// Two envs (N = 2), four steps (T = 4), time-major: index t·2 + n.
// env 0: rewards 1, 2, 3, 4; terminated at t = 1, then a new episode running to the end.
// env 1: rewards 1, 1, 1, 1; truncated at t = 2, then a new episode of one step (running).
const tr = {
  steps: 4,
  numEnvs: 2,
  rewards: [1, 1, 2, 1, 3, 1, 4, 1],
  terminated: [0, 0, 1, 0, 0, 0, 0, 0],
  truncated: [0, 0, 0, 0, 0, 1, 0, 0],
};
const g = 0.5;

describe('rewardToGo', () => {
  it('cuts at episode ends and at the batch end without a value function', () => {
    // env 0: G3 = 4, G2 = 3 + 2 = 5, G1 = 2 (terminal), G0 = 1 + 1 = 2
    // env 1: G3 = 1, G2 = 1 (truncated, no V: cut), G1 = 1.5, G0 = 1.75
    close(rewardToGo(tr, g), [2, 1.75, 2, 1.5, 5, 1, 4, 1]);
  });

  it('bootstraps truncation with V(finalObs) and the batch end with V(lastObs), never at termination', () => {
    const finalValues = [0, 0, 100, 0, 0, 10, 0, 0]; // 100 at a terminated step must be ignored
    const lastValues = [8, 6];
    // env 0: G3 = 4 + 4 = 8, G2 = 3 + 4 = 7, G1 = 2, G0 = 2
    // env 1: G3 = 1 + 3 = 4, G2 = 1 + 5 = 6, G1 = 1 + 3 = 4, G0 = 1 + 2 = 3
    close(rewardToGo(tr, g, { finalValues, lastValues }), [2, 3, 2, 4, 7, 6, 8, 4]);
  });

  it('gives padding zero and does not let it leak into the episode before it', () => {
    const padded = { steps: 3, numEnvs: 1, rewards: [1, 1, 5], terminated: [0, 1, 0], truncated: [0, 0, 0], mask: [1, 1, 0] };
    close(rewardToGo(padded, 1, { finalValues: [0, 0, 0], lastValues: [50] }), [2, 1, 0]);
  });

  it('names the bad argument', () => {
    expect(() => rewardToGo({ ...tr, rewards: [1, 2] }, g)).toThrow(/rewards has 2 values, expected 8/);
    expect(() => rewardToGo(tr, 1.5)).toThrow(/gamma must be in \[0, 1\], got 1.5/);
  });
});

describe('totalReturn', () => {
  it('weights every step of an episode by the discounted return of the whole episode', () => {
    // env 0: episode A = steps 0–1: R = 1 + 0.5·2 = 2; episode B = steps 2–3: R = 3 + 0.5·4 = 5
    // env 1: episode A = steps 0–2: R = 1.75; episode B = step 3: R = 1
    close(totalReturn(tr, g), [2, 1.75, 2, 1.75, 5, 1.75, 5, 1]);
  });

  it('includes the bootstraps in R(τ)', () => {
    const boot = { finalValues: [0, 0, 0, 0, 0, 10, 0, 0], lastValues: [8, 6] };
    // env 1 episode A: 1 + 0.5 + 0.25 + 0.125·10 = 3; env 0 episode B: 3 + 0.5·4 + 0.25·8 = 7
    close(totalReturn(tr, g, boot), [2, 3, 2, 3, 7, 3, 7, 4]);
  });
});

describe('gae', () => {
  const values = [1, 2, 1, 2, 1, 2, 1, 2];
  const boot = { finalValues: [0, 0, 0, 0, 0, 10, 0, 0], lastValues: [8, 6] };

  it('with λ = 1 equals reward-to-go minus V', () => {
    const { advantages, returns } = gae(tr, values, g, 1, boot);
    const rtg = rewardToGo(tr, g, boot);
    close(advantages, [...rtg].map((r, i) => r - values[i]!));
    close(returns, [...rtg]);
  });

  it('with λ = 0 is the one-step TD error', () => {
    const { advantages } = gae(tr, values, g, 0, boot);
    // env 0: δ0 = 1 + 0.5·1 − 1 = 0.5; δ1 = 2 − 1 = 1 (terminal); δ2 = 3 + 0.5·1 − 1 = 2.5; δ3 = 4 + 0.5·8 − 1 = 7
    // env 1: δ0 = 1 + 0.5·2 − 2 = 0; δ1 = 0; δ2 = 1 + 0.5·10 − 2 = 4 (truncated: V(finalObs)); δ3 = 1 + 0.5·6 − 2 = 2
    close(advantages, [0.5, 0, 1, 0, 2.5, 4, 7, 2]);
  });

  it('mixes TD errors with γλ inside an episode only', () => {
    const { advantages } = gae(tr, values, g, 0.5, boot);
    // env 0: Â3 = 7, Â2 = 2.5 + 0.25·7 = 4.25, Â1 = 1 (terminal: no carry), Â0 = 0.5 + 0.25·1 = 0.75
    // env 1: Â3 = 2, Â2 = 4 (truncated: no carry), Â1 = 0 + 0.25·4 = 1, Â0 = 0 + 0.25·1 = 0.25
    close(advantages, [0.75, 0.25, 1, 1, 4.25, 4, 7, 2]);
  });
});
