/**
 * Action checks shared by every env and vector env: an action outside the space is a
 * `RangeError` that names the env id, the batch index (vector envs) and the value. Nothing
 * is clipped or coerced here; `ClipAction` is the explicit way to clip.
 */
import type { Box, Discrete, Space } from './spaces.js';

function where(id: string, index: number | undefined): string {
  return index === undefined ? id : `${id} [batch index ${index}]`;
}

function show(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return `[${Array.from(v as ArrayLike<unknown>, (x) => show(x)).join(', ')}]`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The error thrown for an action outside a Discrete space. */
export function discreteActionError(id: string, space: Discrete, value: unknown, index?: number): RangeError {
  return new RangeError(
    `${where(id, index)}: action ${show(value)} is not in ${space.toString()}; expected an integer in [${space.start}, ${space.start + space.n - 1}]`,
  );
}

/**
 * Checks one discrete action and returns it. Throws a RangeError for a non-number, NaN,
 * a non-integer or a value out of range.
 */
export function checkDiscreteAction(id: string, space: Discrete, action: unknown, index?: number): number {
  if (typeof action !== 'number' || !Number.isInteger(action) || action < space.start || action >= space.start + space.n) {
    throw discreteActionError(id, space, action, index);
  }
  return action;
}

/**
 * Checks one Box action: an array (or typed array) of exactly `space.size` finite numbers.
 * Values outside the bounds are allowed (the dynamics clip where Gymnasium's do). Returns it.
 */
export function checkBoxAction(id: string, space: Box, action: unknown, index?: number): ArrayLike<number> {
  const isArr = Array.isArray(action) || (ArrayBuffer.isView(action) && !(action instanceof DataView));
  if (!isArr) {
    throw new RangeError(`${where(id, index)}: action ${show(action)} is not an array; ${space.toString()} needs ${space.size} number(s)`);
  }
  const a = action as ArrayLike<unknown>;
  if (a.length !== space.size) {
    throw new RangeError(`${where(id, index)}: action ${show(action)} has length ${a.length}, ${space.toString()} needs ${space.size}`);
  }
  for (let k = 0; k < a.length; k++) {
    const v = a[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`${where(id, index)}: action ${show(action)} holds ${show(v)} at element ${k}; Box actions must be finite numbers`);
    }
  }
  return a as ArrayLike<number>;
}

/** Checks an action of either kind of space (see {@link checkDiscreteAction}, {@link checkBoxAction}). */
export function checkAction(id: string, space: Space, action: unknown, index?: number): void {
  if (space.type === 'Discrete') checkDiscreteAction(id, space, action, index);
  else checkBoxAction(id, space, action, index);
}

/**
 * Checks a flat batch of actions for N envs (`N` entries for discrete spaces, `N × size` for
 * Box): the batch size first (an error naming both sizes), then every action. Cheap: one pass
 * over a typed array, and nothing is stepped before the whole batch is known to be valid.
 */
export function checkActionBatch(id: string, space: Space, numEnvs: number, actions: ArrayLike<number>): void {
  const dim = space.type === 'Discrete' ? 1 : space.size;
  if (actions === null || typeof actions !== 'object' || typeof actions.length !== 'number') {
    throw new TypeError(`${id}: actions must be an array or typed array of ${numEnvs * dim} numbers, got ${show(actions)}`);
  }
  if (actions.length !== numEnvs * dim) {
    throw new RangeError(
      `${id}: action batch has ${actions.length} values, expected ${numEnvs * dim} (${numEnvs} envs × ${dim} per action)`,
    );
  }
  // Typed arrays hold only numbers; plain arrays are checked for non-numbers (no coercion of '1').
  const typed = ArrayBuffer.isView(actions);
  if (space.type === 'Discrete') {
    const lo = space.start;
    const n = space.n;
    for (let i = 0; i < numEnvs; i++) {
      const v = actions[i]!;
      if (!typed && typeof v !== 'number') throw discreteActionError(id, space, v, i);
      const a = v - lo;
      // (a >>> 0) !== a catches NaN, non-integers, negatives and non-numbers in one compare.
      if ((a >>> 0) !== a || a >= n) throw discreteActionError(id, space, actions[i], i);
    }
  } else {
    const len = actions.length;
    for (let k = 0; k < len; k++) {
      const v = actions[k]!;
      // v - v is 0 only for finite numbers (NaN, ±Infinity and non-numbers give NaN).
      if ((!typed && typeof v !== 'number') || v - v !== 0) {
        const i = Math.floor(k / dim);
        const row = Array.prototype.slice.call(actions, i * dim, i * dim + dim);
        throw new RangeError(`${id} [batch index ${i}]: action ${show(row)} holds ${show(v)}; Box actions must be finite numbers`);
      }
    }
  }
}
