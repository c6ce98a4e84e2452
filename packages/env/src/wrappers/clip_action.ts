/**
 * Clips continuous actions into the action space's bounds (Gymnasium's `ClipAction`): the one
 * explicit way to clip, since envs never clip or coerce bad actions silently.
 */
import { Box } from '../spaces.js';
import type { Env, StepResult } from '../types.js';
import { Wrapper } from './wrapper.js';

/**
 * Accepts any numbers (±Infinity included) and clips each into `[low, high]` of the wrapped
 * env's Box before stepping it; the action space it reports is unbounded. NaN and a wrong
 * length are still errors.
 * @example new ClipAction(make('MountainCarContinuous-v0')).step([3.5]) // steps with [1]
 */
export class ClipAction extends Wrapper {
  private readonly inner: Box;
  private readonly space: Box;

  constructor(env: Env) {
    super(env);
    if (env.actionSpace.type !== 'Box') throw new TypeError(`ClipAction(${env.id}): needs a Box action space, got ${env.actionSpace.toString()}`);
    this.inner = env.actionSpace;
    this.space = new Box(-Infinity, Infinity, this.inner.shape);
  }

  override get actionSpace(): Box {
    return this.space;
  }

  override step(action: Float32Array | readonly number[] | number): StepResult {
    const isArr = Array.isArray(action) || action instanceof Float32Array || action instanceof Float64Array;
    if (!isArr || (action as ArrayLike<number>).length !== this.inner.size) {
      throw new RangeError(`ClipAction(${this.id}): action must be an array of ${this.inner.size} number(s), got ${JSON.stringify(Array.isArray(action) ? action : isArr ? Array.from(action as Float32Array) : action)}`);
    }
    const a = action as ArrayLike<number>;
    const out = new Float32Array(this.inner.size);
    for (let k = 0; k < a.length; k++) {
      const v = a[k]!;
      if (typeof v !== 'number' || Number.isNaN(v)) throw new RangeError(`ClipAction(${this.id}): action element ${k} is ${String(v)}; NaN cannot be clipped`);
      out[k] = Math.min(Math.max(v, this.inner.low[k]!), this.inner.high[k]!);
    }
    return this.env.step(out);
  }
}
