/** Applies a function to every reward (Gymnasium's `TransformReward`). */
import type { Action, Env, StepResult } from '../types.js';
import { Wrapper } from './wrapper.js';

/**
 * Rewards pass through `fn`; nothing else changes.
 * @example const env = new TransformReward(make('Pendulum-v1'), (r) => r / 16.27);
 */
export class TransformReward<A extends Action = Action> extends Wrapper<A> {
  private readonly fn: (reward: number) => number;

  constructor(env: Env<A>, fn: (reward: number) => number) {
    super(env);
    if (typeof fn !== 'function') throw new TypeError(`TransformReward(${env.id}): fn must be a function, got ${typeof fn}`);
    this.fn = fn;
  }

  override step(action: A): StepResult {
    const r = this.env.step(action);
    const reward = this.fn(r.reward);
    if (typeof reward !== 'number' || Number.isNaN(reward)) {
      throw new TypeError(`TransformReward(${this.id}): fn returned ${String(reward)} for reward ${r.reward}; it must return a number`);
    }
    return { ...r, reward };
  }
}
