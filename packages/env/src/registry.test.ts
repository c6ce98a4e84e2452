import { describe, expect, it } from 'vitest';
import { CartPoleEnv } from './cartpole.js';
import { NativeVectorEnv } from './native_vector.js';
import { getSpec, make, makeTensorVec, makeVec, register, registerTensorVec, registeredIds, tensorIds } from './registry.js';
import { SyncVectorEnv } from './sync_vector.js';
import type { StatefulEnv, TensorVectorEnv, TensorVectorEnvOptions } from './types.js';
import { isTensorEnv } from './vector_kind.js';
import { TimeLimit } from './wrappers/time_limit.js';

describe('registry', () => {
  it('registers the five classic-control ids with Gymnasium’s limits and thresholds', () => {
    expect(registeredIds()).toEqual(expect.arrayContaining(['CartPole-v1', 'Acrobot-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1']));
    const table = ['CartPole-v1', 'Acrobot-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1'].map((id) => [id, getSpec(id).maxEpisodeSteps, getSpec(id).rewardThreshold]);
    expect(table).toEqual([
      ['CartPole-v1', 500, 475],
      ['Acrobot-v1', 500, -100],
      ['MountainCar-v0', 200, -110],
      ['MountainCarContinuous-v0', 999, 90],
      ['Pendulum-v1', 200, undefined],
    ]);
  });

  it('unknown id → an error listing the registered ids', () => {
    expect(() => make('CartPole-v0')).toThrow(/Unknown env id "CartPole-v0". Registered ids: CartPole-v1, Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0, Pendulum-v1/);
    expect(() => makeVec('Nope', 2)).toThrow(/Registered ids: CartPole-v1/);
  });

  it('make applies the time limit as truncation, and unwrapped reaches the settable state', () => {
    const env = make('Pendulum-v1');
    expect(env).toBeInstanceOf(TimeLimit);
    expect(env.spec?.id).toBe('Pendulum-v1');
    env.reset({ seed: 0 });
    let r = env.step([0]);
    let t = 1;
    while (!r.truncated) {
      expect(r.terminated).toBe(false);
      r = env.step([0]);
      t++;
    }
    expect(t).toBe(200);
    expect(() => env.step([0])).toThrow(/after the episode was truncated at 200 steps/);
    const base = env.unwrapped as StatefulEnv;
    base.state = new Float64Array([0.5, 0]);
    expect(Array.from(base.state)).toEqual([0.5, 0]);
  });

  it('maxEpisodeSteps overrides or removes the limit; other options reach the env', () => {
    const short = make('CartPole-v1', { maxEpisodeSteps: 3 });
    short.reset({ seed: 1 });
    short.step(0);
    short.step(1);
    expect(short.step(0).truncated).toBe(true);
    expect(make('CartPole-v1', { maxEpisodeSteps: null })).toBeInstanceOf(CartPoleEnv);
    const heavy = make('Pendulum-v1', { g: 12 }).unwrapped as unknown as { params: { g: number } };
    expect(heavy.params.g).toBe(12);
    expect(() => make('Pendulum-v1', { gravity: 12 })).toThrow(/unknown option "gravity" \(known: max_speed, max_torque, dt, g, m, l\)/);
    expect(() => make('CartPole-v1', { maxEpisodeSteps: 0 })).toThrow(/maxEpisodeSteps must be a positive integer/);
    expect(() => make('CartPole-v1', { seed: 1 })).toThrow(/option "seed" belongs to makeVec; a single env is seeded with env.reset\(\{ seed \}\)/);
  });

  it('makeVec builds native or generic vector envs', () => {
    expect(makeVec('CartPole-v1', 4)).toBeInstanceOf(NativeVectorEnv);
    expect(makeVec('CartPole-v1', 4, { vectorization: 'generic' })).toBeInstanceOf(SyncVectorEnv);
    const v = makeVec('MountainCar-v0', 2, { vectorization: 'native', force: 0.002 });
    expect(v.spec?.maxEpisodeSteps).toBe(200);
    expect(() => makeVec('CartPole-v1', 2, { vectorization: 'gpu' as 'native' })).toThrow(/vectorization must be "auto", "native" or "generic", got gpu/);
    expect(() => makeVec('CartPole-v1', 0)).toThrow(/numEnvs must be a positive integer, got 0/);
  });

  it('register adds an id (generic vectorisation only) and refuses duplicates', () => {
    register('ShortCartPole-v0', { entryPoint: () => new CartPoleEnv({ x_threshold: 0.5 }), maxEpisodeSteps: 10 });
    const env = make('ShortCartPole-v0');
    env.reset({ seed: 0 });
    expect(env.spec?.maxEpisodeSteps).toBe(10);
    expect(makeVec('ShortCartPole-v0', 2)).toBeInstanceOf(SyncVectorEnv);
    expect(() => makeVec('ShortCartPole-v0', 2, { vectorization: 'native' })).toThrow(/no native vector env is registered/);
    expect(() => register('ShortCartPole-v0', { entryPoint: () => new CartPoleEnv() })).toThrow(/already registered/);
  });

  it("makeVec's default vectorization is auto: native where registered, else N envs from make", () => {
    register('Walk1D-v0', { entryPoint: () => new CartPoleEnv({ x_threshold: 1 }), maxEpisodeSteps: 7 });
    expect(makeVec('Walk1D-v0', 2)).toBeInstanceOf(SyncVectorEnv);
    expect(makeVec('Walk1D-v0', 2, { vectorization: 'auto' })).toBeInstanceOf(SyncVectorEnv);
    expect(makeVec('CartPole-v1', 2, { vectorization: 'auto' })).toBeInstanceOf(NativeVectorEnv);
    expect(() => makeVec('Walk1D-v0', 2, { vectorization: 'native' })).toThrow(/makeVec\(Walk1D-v0\): vectorization "native": no native vector env is registered for this id .*"auto" \(the default\) falls back/);
  });

  it('makeTensorVec reads the same spec: a clear error until a tensor factory is registered, then it gets the time limit', () => {
    expect(tensorIds()).toEqual([]); // @rl/env alone: @rl/runner registers the classic-control ones
    expect(() => makeTensorVec('CartPole-v1', 4)).toThrow(/makeTensorVec\(CartPole-v1\): no tensor-native env is registered for this id \(none is: import @rl\/runner/);
    register('TensorWalk-v0', { entryPoint: () => new CartPoleEnv(), maxEpisodeSteps: 12 });
    const seen: (TensorVectorEnvOptions | undefined)[] = [];
    const venv = makeVec('CartPole-v1', 3);
    // The factory's env: the host env's members with the tensor kind's discriminant (enough for the registry's plumbing).
    const entry = (n: number, o?: TensorVectorEnvOptions): TensorVectorEnv => {
      seen.push(o);
      return { ...venv, kind: 'tensor', numEnvs: n, maxEpisodeSteps: o?.maxEpisodeSteps ?? 0 } as unknown as TensorVectorEnv;
    };
    registerTensorVec('TensorWalk-v0', entry);
    expect(tensorIds()).toEqual(['TensorWalk-v0']);
    const t = makeTensorVec('TensorWalk-v0', 5, { seed: 3 });
    expect(seen).toEqual([{ seed: 3, maxEpisodeSteps: 12, spec: getSpec('TensorWalk-v0') }]);
    expect([t.numEnvs, t.maxEpisodeSteps, isTensorEnv(t), isTensorEnv(venv)]).toEqual([5, 12, true, false]);
    expect(getSpec('TensorWalk-v0').tensorEntryPoint).toBe(entry);
    expect(() => registerTensorVec('TensorWalk-v0', entry)).toThrow(/already registered/);
    expect(() => registerTensorVec('Nope-v0', entry)).toThrow(/Unknown env id "Nope-v0"/);
  });
});
