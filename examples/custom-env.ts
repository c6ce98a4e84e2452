// Your own environment, from contract to trained policy: `npx tsx --conditions=source examples/custom-env.ts`.
//
// Reach-v0: a point on the line [-1, 1] must reach a goal drawn at random. It is written
// against the `Env` contract of @rl/env (see packages/env/README.md, "Writing an env"),
// registered with a time limit, checked with `checkEnv`, and trained with `train()`.
import { Box, Discrete, Rng, checkDiscreteAction, checkEnv, entropySeed, makeVec, register, type Env, type ResetOptions, type ResetResult, type RngState, type StepResult } from '@rl/env';
import { train } from '@rl/trainer';

/** Everything the next steps depend on, as plain data (what `getState` returns). */
interface ReachState {
  readonly kind: 'reach';
  readonly x: number;
  readonly goal: number;
  readonly rng: RngState | null;
  readonly status: 'unstarted' | 'running' | 'ended';
}

/**
 * # Reach-v0
 *
 * | | |
 * |---|---|
 * | Action space | `Discrete(3)`: 0 moves left by `speed`, 1 stays, 2 moves right (the wall at ±1 stops the point) |
 * | Observation space | `Box(2)` float32: position x ∈ [−1, 1], offset to the goal (goal − x) ∈ [−2, 2] |
 * | Reward | −\|goal − x\| after the move: every step away from the goal costs |
 * | Start state | x and goal uniform in [−1, 1], at least 0.2 apart |
 * | Termination | \|goal − x\| < `tolerance` (the goal is reached) |
 * | Truncation | 40 steps (`Reach-v0` in the registry; the bare env has none) |
 */
class ReachEnv implements Env<number> {
  readonly id = 'Reach-v0';
  readonly observationSpace = new Box([-1, -2], [1, 2]);
  readonly actionSpace = new Discrete(3);
  /** How far one move goes. */
  readonly speed: number;
  /** How close counts as reached. */
  readonly tolerance: number;
  private x = 0;
  private goal = 0;
  private rng: Rng | undefined;
  private status: ReachState['status'] = 'unstarted';

  constructor(options: { speed?: number; tolerance?: number } = {}) {
    this.speed = options.speed ?? 0.1;
    this.tolerance = options.tolerance ?? 0.05;
  }

  get unwrapped(): this {
    return this;
  }

  reset(opts: ResetOptions = {}): ResetResult {
    // A seed starts a new stream; without one the stream continues (seeded from entropy the first time).
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    else this.rng ??= new Rng(entropySeed());
    this.x = this.rng.uniform(-1, 1);
    do this.goal = this.rng.uniform(-1, 1);
    while (Math.abs(this.goal - this.x) < 0.2);
    this.status = 'running';
    return { obs: this.observe(), info: {} };
  }

  step(action: number): StepResult {
    if (this.status !== 'running') throw new Error(`${this.id}: step() called ${this.status === 'unstarted' ? 'before reset()' : 'after the episode ended'}; call reset()`);
    const a = checkDiscreteAction(this.id, this.actionSpace, action); // a RangeError naming the id and the value
    this.x = Math.min(Math.max(this.x + (a - 1) * this.speed, -1), 1);
    const distance = Math.abs(this.goal - this.x);
    const terminated = distance < this.tolerance;
    if (terminated) this.status = 'ended';
    // truncated stays false: the time limit is TimeLimit's, applied by make/makeVec from the registry
    return { obs: this.observe(), reward: -distance, terminated, truncated: false, info: {} };
  }

  close(): void {}

  /** Optional, for exact resume: the whole env as plain data. */
  getState(): ReachState {
    return { kind: 'reach', x: this.x, goal: this.goal, rng: this.rng?.getState() ?? null, status: this.status };
  }

  /** Optional, with getState: restores it, and the env continues exactly. */
  setState(s: ReachState): void {
    if (s?.kind !== 'reach') throw new TypeError(`${this.id}.setState: not a Reach state`);
    this.x = s.x;
    this.goal = s.goal;
    this.rng = s.rng ? Rng.fromState(s.rng) : undefined;
    this.status = s.status;
  }

  private observe(): Float32Array {
    return Float32Array.of(this.x, this.goal - this.x);
  }
}

register('Reach-v0', { entryPoint: (o) => new ReachEnv(o), maxEpisodeSteps: 40, rewardThreshold: -5 });

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

// 3. Batched REINFORCE until the recent episodes reach the registered threshold (-5). `generic`:
// Reach-v0 registers no native batched form, so N ReachEnvs are stepped one after another.
const { trainer, result } = await train({ env: 'Reach-v0', envVectorization: 'generic', seed: 1, numEnvs: 16, stepsPerIter: 40, hidden: [32], lr: 3e-3, totalSteps: 150_000, targetReturn: -5, evalEpisodes: 0 });
const evalResult = trainer.evaluate({ episodes, seed: 1000 });
console.log(`trained: ${result.reason} after ${result.envSteps} env steps (${result.wallSeconds.toFixed(1)} s); greedy policy: mean return ${evalResult.mean.toFixed(2)} over ${episodes} episodes`);
trainer.dispose();
