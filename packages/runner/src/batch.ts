/**
 * A {@link RolloutBatch} and its host arrays: built once from the arrays a JS rollout filled
 * (the tensors are made from them, the arrays stay on the batch as `host`), or read back once
 * from a tensor-native batch.
 */
import { tf } from '@rl/tf';
import type { HostBatch, RolloutBatch } from './types.js';

/** Shape of a batch: T, N, the observation width and, for Box actions, the action width. */
export interface BatchShape {
  readonly steps: number;
  readonly numEnvs: number;
  readonly obsDim: number;
  /** Discrete actions are int32 `[T, N]`; Box actions float32 `[T, N, actionDim]`. */
  readonly discrete: boolean;
  readonly actionDim: number;
  /** Every step is real (`host.mask` all ones, step mode): the mask tensor is filled on the backend instead of uploaded. */
  readonly allReal?: boolean;
}

const ones = new Map<number, Float32Array>();

/** A read-only array of `n` ones, shared by every step-mode batch of that size (their `host.mask`). */
export function onesMask(n: number): Float32Array {
  let m = ones.get(n);
  if (!m) {
    if (ones.size > 16) ones.clear(); // a few sizes in any one run
    m = new Float32Array(n).fill(1);
    ones.set(n, m);
  }
  return m;
}

/** Zeroed host arrays of a `[T, N, …]` batch, all but the mask (see {@link HostBatch}). */
export function newHostArrays(shape: Omit<BatchShape, 'allReal'>): Omit<HostBatch, 'mask'> {
  const { steps: T, numEnvs: N, obsDim: d, discrete, actionDim } = shape;
  return {
    obs: new Float32Array(T * N * d),
    actions: discrete ? new Int32Array(T * N) : new Float32Array(T * N * actionDim),
    rewards: new Float32Array(T * N),
    terminated: new Float32Array(T * N),
    truncated: new Float32Array(T * N),
    finalObs: new Float32Array(T * N * d),
    lastObs: new Float32Array(N * d),
  };
}

/** The episodes that ended in a batch (see {@link RolloutBatch}). */
export interface BatchEpisodes {
  readonly episodeReturns: readonly number[];
  readonly episodeLengths: readonly number[];
  readonly episodeEnds: readonly number[];
  /** Real env steps (T·N without padding). */
  readonly numSteps: number;
}

/**
 * The batch over `host`, which it keeps, so consumers read rewards, flags, mask and
 * observations without a read-back. Each tensor is made from its array (one upload) the first
 * time it is read, and is the batch's from then on (kept past any `tf.tidy` it was first read
 * in; freed by `dispose()`): an update that reads only observations, actions and the mask
 * uploads nothing else. `onDispose` runs once, after the tensors are freed, and says whether
 * `host` may be written again (the worker runner then reuses its shared arrays for a later
 * rollout): true unless a tensor was made on a backend that may keep the array by reference
 * (every backend but wasm, whose upload copies into its heap), where a view such as a reshape
 * could outlive the batch.
 */
export function batchFromHost(host: HostBatch, shape: BatchShape, episodes: BatchEpisodes, onDispose?: (reusable: boolean) => void): RolloutBatch {
  const { steps: T, numEnvs: N, obsDim: d } = shape;
  const made = new Map<string, tf.Tensor>();
  let disposed = false;
  let shared = false; // a tensor may share host's memory

  const lazy = <X extends tf.Tensor>(field: string, make: () => X): X => {
    let t = made.get(field) as X | undefined;
    if (!t) {
      if (disposed) throw new Error(`RolloutBatch.${field}: the batch was disposed before its ${field} tensor was made`);
      t = tf.keep(make());
      if (tf.getBackend() !== 'wasm') shared = true;
      made.set(field, t);
    }
    return t;
  };
  return {
    get obs() {
      return lazy('obs', () => tf.tensor3d(host.obs, [T, N, d]));
    },
    get actions() {
      return lazy('actions', (): tf.Tensor => (shape.discrete ? tf.tensor2d(host.actions, [T, N], 'int32') : tf.tensor3d(host.actions, [T, N, shape.actionDim], 'float32')));
    },
    get rewards() {
      return lazy('rewards', () => tf.tensor2d(host.rewards, [T, N]));
    },
    get terminated() {
      return lazy('terminated', () => tf.tensor2d(host.terminated, [T, N]));
    },
    get truncated() {
      return lazy('truncated', () => tf.tensor2d(host.truncated, [T, N]));
    },
    get finalObs() {
      return lazy('finalObs', () => tf.tensor3d(host.finalObs, [T, N, d]));
    },
    get lastObs() {
      return lazy('lastObs', () => tf.tensor2d(host.lastObs, [N, d]));
    },
    get mask() {
      return lazy('mask', () => (shape.allReal ? tf.fill([T, N], 1) : tf.tensor2d(host.mask, [T, N])) as tf.Tensor2D);
    },
    ...episodes,
    steps: T,
    numEnvs: N,
    host,
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const t of made.values()) t.dispose();
      onDispose?.(!shared);
    },
  };
}

/**
 * The batch's host arrays: `batch.host` when the runner kept them, else every tensor read back
 * in one `dataSync` (a tensor-native batch).
 */
export function hostBatch(batch: RolloutBatch): HostBatch {
  if (batch.host) return batch.host;
  const parts = [batch.obs, batch.actions, batch.rewards, batch.terminated, batch.truncated, batch.mask, batch.finalObs, batch.lastObs];
  const flat = tf.tidy(() => tf.concat(parts.map((t) => tf.cast(t, 'float32').reshape([-1]))));
  const all = Float32Array.from(flat.dataSync());
  flat.dispose();
  let off = 0;
  const [obs, actions, rewards, terminated, truncated, mask, finalObs, lastObs] = parts.map((t) => all.subarray(off, (off += t.size)));
  return {
    obs: obs!,
    actions: batch.actions.dtype === 'int32' ? Int32Array.from(actions!) : actions!,
    rewards: rewards!,
    terminated: terminated!,
    truncated: truncated!,
    mask: mask!,
    finalObs: finalObs!,
    lastObs: lastObs!,
  };
}
