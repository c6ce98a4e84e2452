// The README's thirty-second example, kept runnable: `pnpm tsx examples/quickstart.ts` (the repo's way to run a script of yours).
import { makeVec } from '@rl/env';
import { initTf } from '@rl/tf';
import { createPolicy } from '@rl/policy';
import { createRunner } from '@rl/runner';
import { train } from '@rl/trainer';

await initTf({ backend: 'auto' }); // webgpu (hardware adapter) → tfjs-node-gpu → tfjs-node → wasm → cpu
const envs = makeVec('CartPole-v1', 64, { seed: 1 }); // 64 Gymnasium-exact CartPoles, one batch
const policy = createPolicy(envs.singleObservationSpace, envs.singleActionSpace, { hidden: [64, 64], seed: 1 });
const runner = createRunner(policy, envs, { seed: 1 }); // resets once; each rollout continues the episodes
const batch = runner.rollout(128); // obs [128, 64, 4], actions [128, 64], rewards [128, 64], ...
console.log(batch.obs.shape, batch.episodeReturns.length, 'episodes finished');
batch.dispose();

// Batched REINFORCE until the mean return of recent episodes reaches 195.
const { trainer, result } = await train({ env: 'CartPole-v1', seed: 1, totalSteps: 200_000, targetReturn: 195 });
console.log(result.reason, result.envSteps, 'env steps, mean return', result.last?.returnMean);
trainer.dispose();
