// Your own environment, from contract to trained policy: `npx tsx --conditions=source examples/custom-env.ts`.
//
// Reach-v0: a point on the line [-1, 1] must reach a goal drawn at random. It is written
// against the `Env` contract of @rl/env (see packages/env/README.md, "Writing an env") in
// examples/reach-env.ts, whose import registers it with a time limit; here it is checked with
// `checkEnv` and trained with `train()`. The CLI trains the same env from that file:
// `./rl train --env-module examples/reach-env.ts --env Reach-v0`.
import { Rng, checkEnv, makeVec } from '@rl/env';
import { train } from '@rl/trainer';
import { ReachEnv } from './reach-env.js';

// 1. The contract: no errors, and no warnings either (getState/setState are there).
const findings = checkEnv(new ReachEnv());
console.log('checkEnv findings:', findings.length === 0 ? 'none' : findings.map((f) => `${f.severity} ${f.check}: ${f.problem}`).join('; '));

// 2. What random actions score (episodes on envs seeded 1000 + i, actions from a seeded Rng).
const episodes = 64;
const venv = makeVec('Reach-v0', episodes, { seed: 1000 });
const rng = new Rng(7);
const returns = new Float64Array(episodes);
const done = new Uint8Array(episodes);
venv.reset();
for (let left = episodes; left > 0; ) {
  const r = venv.step(Int32Array.from({ length: episodes }, () => rng.int(3)));
  for (let i = 0; i < episodes; i++) {
    if (done[i]) continue;
    returns[i]! += r.rewards[i]!;
    if (r.terminated[i] || r.truncated[i]) (done[i] = 1), left--;
  }
}
venv.close();
const mean = (xs: ArrayLike<number>): number => Array.from(xs).reduce((s, v) => s + v, 0) / xs.length;
console.log(`random actions: mean return ${mean(returns).toFixed(2)} over ${episodes} episodes`);

// 3. Batched REINFORCE until the recent episodes reach the registered threshold (-5). Reach-v0
// registers no native batched form, so (envVectorization `auto`) N ReachEnvs are stepped one after another.
const { trainer, result } = await train({ env: 'Reach-v0', seed: 1, numEnvs: 16, stepsPerIter: 40, hidden: [32], lr: 3e-3, totalSteps: 150_000, targetReturn: -5, evalEpisodes: 0 });
const evalResult = trainer.evaluate({ episodes, seed: 1000 });
console.log(`trained: ${result.reason} after ${result.envSteps} env steps (${result.wallSeconds.toFixed(1)} s); greedy policy: mean return ${evalResult.mean.toFixed(2)} over ${episodes} episodes`);
trainer.dispose();
