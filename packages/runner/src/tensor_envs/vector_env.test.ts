import { getSpec, isTensorEnv, makeTensorVec as makeFromRegistry, makeVec, tensorIds, type TensorVectorEnvState } from '@rl/env';
import { initTf, tf } from '@rl/tf';
import { describe, expect, it } from 'vitest';
import { TENSOR_ENVS, makeTensorVec } from './index.js';
import type { TensorVectorEnv } from './types.js';

/** `steps` steps of `env` with actions from a fixed pattern; every output read back. */
function run(env: TensorVectorEnv, steps: number, offset: number): number[][] {
  const out: number[][] = [];
  const n = env.numEnvs;
  for (let t = 0; t < steps; t++) {
    const a = env.singleActionSpace.type === 'Discrete' ? tf.tensor1d(Array.from({ length: n }, (_, i) => (i + t + offset) % 2), 'int32') : tf.tensor2d(Array.from({ length: n }, (_, i) => [Math.sin(i + t + offset)]));
    const r = env.step(a);
    out.push([...r.obs.dataSync(), ...r.rewards.dataSync(), ...r.terminated.dataSync(), ...r.truncated.dataSync(), ...r.episodeLength.dataSync()]);
    tf.dispose([a, ...Object.values(r)]);
  }
  return out;
}

describe('tensor vector env: the @rl/env contract with tfjs tensors', () => {
  it('is found in the same registry as makeVec, with its spec and the registered time limit', async () => {
    await initTf({ backend: 'cpu' });
    expect(tensorIds()).toEqual(Object.keys(TENSOR_ENVS));
    const env = makeFromRegistry('Acrobot-v1', 3, { seed: 1 });
    expect(isTensorEnv(env)).toBe(true);
    expect(isTensorEnv(makeVec('Acrobot-v1', 3))).toBe(false);
    expect(env.spec).toBe(getSpec('Acrobot-v1'));
    expect([env.maxEpisodeSteps, env.stateNames]).toEqual([500, ['theta1', 'theta2', 'dtheta1', 'dtheta2']]);
    env.close();
    const short = makeTensorVec('Acrobot-v1', 3, { maxEpisodeSteps: 7 });
    expect(short.maxEpisodeSteps).toBe(7);
    short.close();
    expect(() => makeTensorVec('Nope-v0', 2)).toThrow(/Unknown env id "Nope-v0"/);
  });

  for (const id of ['CartPole-v1', 'Pendulum-v1']) {
    it(`${id}: a fresh env set to getState() (through structuredClone) continues exactly: autoresets, truncations, returns`, async () => {
      await initTf({ backend: 'cpu' });
      const before = tf.memory().numTensors;
      const a = makeTensorVec(id, 4, { seed: 3, maxEpisodeSteps: 9 });
      a.reset().dispose();
      run(a, 13, 0); // mid-episode, after truncations and autoresets
      const saved = structuredClone(a.getState());
      expect(saved).toMatchObject({ kind: 'tensor', id, numEnvs: 4 });
      const expected = run(a, 20, 1);
      const b = makeTensorVec(id, 4, { seed: 99, maxEpisodeSteps: 9 });
      b.setState(saved);
      expect(b.getState()).toEqual(saved);
      expect(run(b, 20, 1)).toEqual(expected);
      a.close();
      b.close();
      expect(tf.memory().numTensors).toBe(before); // close() freed everything
    });
  }

  it('readStates / writeStates are the physical states [N, stateDim]; setState refuses a state of another env, changing nothing', async () => {
    await initTf({ backend: 'cpu' });
    const env = makeTensorVec('MountainCar-v0', 2, { seed: 1 });
    env.writeStates([
      [-0.5, 0.01],
      [0.2, -0.02],
    ]);
    const s = env.readStates();
    expect(Array.from(s.dataSync()).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([-0.5, 0.01, 0.2, -0.02]);
    s.dispose();
    expect(() => env.writeStates([[0, 0]])).toThrow(/states must have shape \[2, 2\] \(position, velocity\), got \[1, 2\]/);
    const saved = env.getState();
    const other = makeTensorVec('MountainCar-v0', 3);
    expect(() => env.setState(other.getState())).toThrow(/the state is of 3 × MountainCar-v0, this env is 2 × MountainCar-v0/);
    expect(() => env.setState({ ...saved, elapsed: new Float32Array(5) } as TensorVectorEnvState)).toThrow(/elapsed must be a Float32Array of 2/);
    expect(() => env.setState({ ...saved, kind: 'native' } as unknown as TensorVectorEnvState)).toThrow(/not a tensor env state \(kind native\)/);
    expect(env.getState()).toEqual(saved);
    env.close();
    other.close();
  });
});
