import { make, makeVec } from '@rl/env';
import { createPolicy } from '@rl/policy';
import { initTf, tf } from '@rl/tf';
import { describe, expect, it } from 'vitest';
import { rolloutEpisodes } from './episodes.js';
import { makeTensorVec } from './tensor_envs/index.js';

describe.each(['cpu', 'wasm'] as const)('rolloutEpisodes on %s', (backend) => {
  it('E whole episodes in rounds of N, padded to the longest with a mask', async () => {
    await initTf({ backend });
    const env = makeVec('CartPole-v1', 4, { maxEpisodeSteps: 60 });
    const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 3 });
    rolloutEpisodes(policy, env, { episodes: 1 }).dispose(); // warm-up: the policy's lazy set-up
    const before = tf.memory().numTensors;
    const b = rolloutEpisodes(policy, env, { episodes: 6, seed: 100 });
    expect(b.numEnvs).toBe(6);
    const lens = b.episodeLengths;
    expect(lens).toHaveLength(6);
    expect(b.steps).toBe(Math.max(...lens));
    expect(b.episodeReturns).toEqual(lens); // CartPole: +1 per step
    expect(b.numSteps).toBe(lens.reduce((s, l) => s + l, 0));
    const [mask, term, trunc, obs, fin, last] = [b.mask.arraySync(), b.terminated.arraySync(), b.truncated.arraySync(), b.obs.arraySync(), b.finalObs.arraySync(), b.lastObs.arraySync()];
    for (let j = 0; j < 6; j++) {
      for (let t = 0; t < b.steps; t++) {
        expect(mask[t]![j]).toBe(t < lens[j]! ? 1 : 0);
        const ended = term[t]![j]! + trunc[t]![j]!;
        expect(ended > 0).toBe(t === lens[j]! - 1); // exactly one end, at the last real step
        if (t >= lens[j]!) expect(obs[t]![j]).toEqual([0, 0, 0, 0]); // padding
      }
      expect(fin[lens[j]! - 1]![j]).toEqual(last[j]);
      // Column j = round ⌊j/4⌋, env j mod 4, seeded 100 + j: its first observation is that seed's reset.
      expect(obs[0]![j]).toEqual([...make('CartPole-v1').reset({ seed: 100 + j }).obs]);
    }
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
    policy.dispose();
  });

  it('Box actions; bad input names the env', async () => {
    await initTf({ backend });
    const env = makeVec('Pendulum-v1', 3, { maxEpisodeSteps: 7 });
    const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 1 });
    const b = rolloutEpisodes(policy, env, { seed: 5 });
    expect(b.actions.shape).toEqual([7, 3, 1]);
    expect(b.episodeLengths).toEqual([7, 7, 7]);
    expect(b.truncated.arraySync()[6]).toEqual([1, 1, 1]);
    b.dispose();
    const endless = makeVec('Pendulum-v1', 2, { maxEpisodeSteps: null });
    expect(() => rolloutEpisodes(policy, endless, { maxSteps: 10 })).toThrow('rolloutEpisodes: env Pendulum-v1 index 0 (round 0) has not finished an episode after maxSteps = 10 steps');
    expect(() => rolloutEpisodes(policy, env, { episodes: 0 })).toThrow('episodes must be a positive integer, got 0');
    // at the bound, `cut` ends the episodes there instead (what the trainer's episode mode asks for)
    const cut = rolloutEpisodes(policy, endless, { maxSteps: 10, atMaxSteps: 'cut' });
    expect(cut.episodeLengths).toEqual([10, 10]);
    expect(cut.truncated.arraySync()[9]).toEqual([0, 0]); // cut, not truncated by the env
    expect(cut.episodeReturns[0]).toBeCloseTo(cut.host!.rewards.filter((_, k) => k % 2 === 0).reduce((a, b) => a + b, 0), 4);
    cut.dispose();
    const cart = makeVec('CartPole-v1', 2);
    expect(() => rolloutEpisodes(policy, cart)).toThrow(/observation space .* does not match env CartPole-v1/);
    policy.dispose();
  });

  it('tensor-native envs: E whole episodes in rounds of N as well', async () => {
    await initTf({ backend });
    const env = makeTensorVec('CartPole-v1', 4, { seed: 1 });
    const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 3 });
    rolloutEpisodes(policy, env, { episodes: 1 }).dispose(); // warm-up
    const before = tf.memory().numTensors;
    const b = rolloutEpisodes(policy, env, { episodes: 6, seed: 100 });
    const lens = b.episodeLengths;
    expect(b.numEnvs).toBe(6);
    expect(b.steps).toBe(Math.max(...lens));
    expect(b.episodeReturns).toEqual(lens); // CartPole: +1 per step
    const [mask, term, trunc] = [b.mask.arraySync(), b.terminated.arraySync(), b.truncated.arraySync()];
    for (let j = 0; j < 6; j++) {
      for (let t = 0; t < b.steps; t++) {
        expect(mask[t]![j]).toBe(t < lens[j]! ? 1 : 0);
        expect(term[t]![j]! + trunc[t]![j]! > 0).toBe(t === lens[j]! - 1);
      }
    }
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
    policy.dispose();
    env.close();
  });
});
