import { describe, expect, it } from 'vitest';
import { make, makeVec, registeredIds } from './registry.js';
import { SyncVectorEnv } from './sync_vector.js';
import type { VectorEnv } from './types.js';

const bothKinds = (id: string, n: number): [string, VectorEnv][] => [
  ['native', makeVec(id, n, { vectorization: 'native' })],
  ['generic', makeVec(id, n, { vectorization: 'generic' })],
];

describe('vector env bad input (native and generic alike)', () => {
  for (const id of registeredIds().slice(0, 5)) {
    for (const [kind, venv] of bothKinds(id, 3)) {
      it(`${id} ${kind}: step before reset, wrong batch size, bad action at an index`, () => {
        const good = venv.singleActionSpace.type === 'Discrete' ? [0, 0, 0] : [0, 0, 0];
        expect(() => venv.step(good)).toThrow(/before reset/);
        venv.reset({ seed: 0 });
        expect(() => venv.step([0, 0])).toThrow(`${id}: action batch has 2 values, expected 3 (3 envs × 1 per action)`);
        const bad = venv.singleActionSpace.type === 'Discrete' ? [0, 0, 7] : [0, 0, Number.NaN];
        venv.step(good);
        expect(() => venv.step(bad)).toThrow(new RegExp(`^${id.replace(/[-]/g, '\\-')} \\[batch index 2\\]: action (7|\\[NaN\\])`));
        try {
          venv.step(bad);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
        }
        // nothing was stepped: the next valid step continues from where we were
        const again = venv.step(good).obs.slice();
        const ref = makeVec(id, 3, { vectorization: kind as 'native' | 'generic' });
        ref.reset({ seed: 0 });
        ref.step(good);
        expect(Array.from(again)).toEqual(Array.from(ref.step(good).obs));
      });
    }
  }
});

describe('SyncVectorEnv', () => {
  it('seeds env i with seed + i', () => {
    const venv = new SyncVectorEnv(() => make('CartPole-v1'), 3);
    const { obs } = venv.reset({ seed: 10 });
    for (let i = 0; i < 3; i++) {
      const single = make('CartPole-v1');
      expect(Array.from(obs.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(single.reset({ seed: 10 + i }).obs));
    }
  });

  it('passes final info through (e.g. from RecordEpisodeStatistics) and autoresets', () => {
    const venv = new SyncVectorEnv(() => make('Pendulum-v1', { maxEpisodeSteps: 2 }), 2);
    venv.reset({ seed: 0 });
    venv.step([0, 0]);
    const r = venv.step([0, 0]);
    expect(Array.from(r.truncated)).toEqual([1, 1]);
    expect(r.finalInfo).toEqual([{}, {}]);
    expect(venv.step([0, 0]).truncated[0]).toBe(0);
  });

  it('refuses envs with different spaces', () => {
    let k = 0;
    expect(() => new SyncVectorEnv(() => (k++ === 0 ? make('CartPole-v1') : make('Acrobot-v1')), 2)).toThrow(/env 1 \(Acrobot-v1\) has spaces/);
  });

  it('names the env, the index and the contract when reset() or step() returns no obs', () => {
    // a user's env written against another API: { observation } instead of { obs }
    const wrongShape = (): ReturnType<typeof make> => {
      const env = make('CartPole-v1');
      const reset = env.reset.bind(env);
      const step = env.step.bind(env);
      let resets = 0;
      return Object.assign(env, {
        reset: (o?: Parameters<typeof env.reset>[0]) => (resets++ === 0 ? reset(o) : ({ observation: reset(o).obs, info: {} } as unknown as ReturnType<typeof env.reset>)),
        step: (a: number) => ({ ...step(a), obs: undefined }) as unknown as ReturnType<typeof env.step>,
      });
    };
    const venv = new SyncVectorEnv(wrongShape, 2);
    venv.reset({ seed: 1 });
    expect(() => venv.step([0, 1])).toThrow(/^CartPole-v1 \[batch index 0\]: step\(\) returned no observation \(its result's `obs` is undefined\); an Env's step\(\) returns \{ obs: Float32Array, reward, terminated, truncated, info \}/);
    const resetting = new SyncVectorEnv(wrongShape, 2);
    resetting.reset({ seed: 1 });
    expect(() => resetting.reset({ seed: 2 })).toThrow(/^CartPole-v1 \[batch index 0\]: reset\(\) returned no observation \(its result's `obs` is undefined\)/);
  });
});
