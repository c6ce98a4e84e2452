/**
 * What the server needs of a policy: the part of `@rl/policy`'s inference API (`loadPolicy`)
 * it calls, and the conversion of its answers into JSON values.
 */
import type { Box, Space } from '@rl/env';

/** An action as JSON: an integer (Discrete) or an array of numbers (Box). */
export type JsonAction = number | number[];

/**
 * The answer for one observation: the action and, when asked for, the distribution it was
 * drawn from: `probabilities` of each action (Discrete, in the space's order), or the
 * Gaussian's `mean` and `std` per action dimension (Box).
 */
export interface JsonOutput {
  readonly action: JsonAction;
  readonly probabilities?: number[];
  readonly mean?: number[];
  readonly std?: number[];
}

/** One row of {@link ServablePolicy.actBatchWithDistribution}. */
export type PolicyDistributionRow =
  | { readonly action: number; readonly probabilities: ArrayLike<number> }
  | { readonly action: ArrayLike<number>; readonly mean: ArrayLike<number>; readonly std: ArrayLike<number> };

/** A loaded policy the server can answer with (what `loadPolicy` from `@rl/policy` returns). */
export interface ServablePolicy {
  /** Space of observations; requests are validated against it. */
  readonly observationSpace: Box;
  /** Space of actions; decides whether actions are integers or arrays. */
  readonly actionSpace: Space;
  /** Facts about the saved model (env id, versions, …), shown by `GET /metadata`. */
  readonly metadata?: unknown;
  /** The MLP's hidden widths, when known (what a forward pass costs: the server's memory check). */
  readonly network?: { readonly hidden: readonly number[] } | null;
  /** Actions for a batch of observations (one row each). */
  actBatch(
    obs: readonly (readonly number[])[],
    opts?: { readonly deterministic?: boolean },
  ): ArrayLike<number | ArrayLike<number>> | Promise<ArrayLike<number | ArrayLike<number>>>;
  /** Actions for a batch, each with its distribution (probabilities, or mean and std). */
  actBatchWithDistribution(
    obs: readonly (readonly number[])[],
    opts?: { readonly deterministic?: boolean },
  ): ArrayLike<PolicyDistributionRow> | Promise<ArrayLike<PolicyDistributionRow>>;
  /** Frees the policy's tensors. */
  dispose(): void;
}

/** The env id in a policy's metadata (`envId` or `env`), when it has one. */
export function envIdOf(metadata: unknown): string | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const m = metadata as Record<string, unknown>;
  for (const k of ['envId', 'env', 'env_id']) {
    const v = m[k];
    if (typeof v === 'string' && v.length > 0) return v;
    if (typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).id === 'string') return (v as { id: string }).id;
  }
  return undefined;
}

/**
 * Converts a policy's batched actions into JSON values: integers for Discrete, plain arrays
 * for Box. Throws if an action does not fit the space's shape (a policy bug, not user input).
 */
export function toJsonActions(actions: ArrayLike<number | ArrayLike<number>>, space: Space, n: number): JsonAction[] {
  if (actions.length !== n) throw new Error(`policy returned ${actions.length} actions for ${n} observations`);
  const out: JsonAction[] = new Array(n);
  if (space.type === 'Discrete') {
    for (let i = 0; i < n; i++) {
      const a = actions[i]!;
      const v = typeof a === 'number' ? a : a.length === 1 ? a[0]! : NaN;
      if (!Number.isInteger(v)) throw new Error(`policy returned action ${JSON.stringify(a)} at batch index ${i} for ${space.toString()}`);
      out[i] = v;
    }
    return out;
  }
  const d = space.size;
  for (let i = 0; i < n; i++) {
    const a = actions[i]!;
    if (typeof a === 'number') {
      if (d !== 1) throw new Error(`policy returned the number ${a} at batch index ${i}; ${space.toString()} needs ${d} values`);
      out[i] = [a];
    } else {
      if (a.length !== d) throw new Error(`policy returned ${a.length} values at batch index ${i}; ${space.toString()} needs ${d}`);
      out[i] = Array.from(a);
    }
  }
  return out;
}

/**
 * Converts a policy's actions with their distributions into JSON values; throws if a row does
 * not fit the space (a policy bug, not user input).
 */
export function toJsonOutputs(rows: ArrayLike<PolicyDistributionRow>, space: Space, n: number): JsonOutput[] {
  if (rows.length !== n) throw new Error(`policy returned ${rows.length} actions for ${n} observations`);
  const list = Array.from(rows);
  const actions = toJsonActions(list.map((r) => r.action), space, n);
  const k = space.type === 'Discrete' ? space.n : space.size;
  const vector = (v: ArrayLike<number> | undefined, field: string, i: number): number[] => {
    if (v === undefined || v.length !== k) throw new Error(`policy returned ${v === undefined ? 'no' : v.length} ${field} values at batch index ${i}; ${space.toString()} needs ${k}`);
    return Array.from(v);
  };
  return list.map((row, i) => {
    const r = row as Partial<Record<'probabilities' | 'mean' | 'std', ArrayLike<number>>>;
    return space.type === 'Discrete'
      ? { action: actions[i]!, probabilities: vector(r.probabilities, 'probabilities', i) }
      : { action: actions[i]!, mean: vector(r.mean, 'mean', i), std: vector(r.std, 'std', i) };
  });
}
