// Reach-v0, a user's own env in a file of its own: importing this module registers it (and does
// nothing else), so the CLI can load it:
//
//   ./rl check-env --env-module examples/reach-env.ts Reach-v0
//   ./rl train --env-module examples/reach-env.ts --env Reach-v0 --total-steps 150000 --target-return -5
//
// It is written against the `Env` contract of @rl/env (see packages/env/README.md, "Writing an
// env"); examples/custom-env.ts checks it and trains it through the API.
import { Box, Discrete, Rng, checkDiscreteAction, entropySeed, register, type Env, type ResetOptions, type ResetResult, type RngState, type StepResult } from '@rl/env';

/** Everything the next steps depend on, as plain data (what `getState` returns). */
export interface ReachState {
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
export class ReachEnv implements Env<number> {
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
