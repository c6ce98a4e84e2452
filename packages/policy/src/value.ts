import { tf } from '@rl/tf';
import { Box } from '@rl/env';
import type { Space } from '@rl/env';
import { denseChainForward } from './dense.js';
import { denseChain } from './fast_path.js';
import { buildMlp } from './mlp.js';
import type { MlpActivation } from './mlp.js';
import { ObsNormalizer, checkObsNorm } from './obs_norm.js';
import { checkObsTensor } from './policy.js';
import type { ObsNormStats } from './types.js';

/** Options of {@link valueNetwork}. */
export interface ValueNetworkOptions {
  /** Hidden layer widths; default `[64, 64]`. */
  readonly hidden?: readonly number[];
  /** Hidden activation; default `tanh`. */
  readonly activation?: MlpActivation;
  /** Seed of the initial weights; default 0. */
  readonly seed?: number;
  /** Observation normalisation statistics; default none. */
  readonly obsNorm?: ObsNormStats;
  /** `predict` through one fused `dense` op per layer (dense.ts); default true. false: `model.apply`. */
  readonly fastPath?: boolean;
}

/** A state-value network V(s): an MLP with one linear output (orthogonal init, head gain 1). */
export interface ValueNetwork {
  readonly observationSpace: Box;
  /** The plain `tf.LayersModel` (output `[B, 1]`). */
  readonly model: tf.LayersModel;
  /** Its trainable variables. */
  readonly trainableVariables: readonly tf.Variable[];
  /** Shapes of the arrays {@link ValueNetwork.getWeights} returns. */
  readonly weightShapes: readonly (readonly number[])[];
  /** Normalisation applied to observations first (as in the policy), if set. */
  obsNorm: ObsNormStats | undefined;
  /** V(s) per row `[B]`; differentiable (call inside tidy / grads). */
  predict(obs: tf.Tensor2D): tf.Tensor1D;
  /** Copies of the weights as flat float32 arrays (`model.weights` order). */
  getWeights(): Float32Array[];
  /** Overwrites the weights; throws naming the index and sizes on a mismatch. */
  setWeights(weights: readonly ArrayLike<number>[]): void;
  /** Frees the model. */
  dispose(): void;
}

/**
 * Builds V(s) for a Box observation space.
 *
 * @example
 * const v = valueNetwork(env.observationSpace, { hidden: [64, 64], seed: 2 });
 * const values = v.predict(obs); // [B]
 */
export function valueNetwork(observationSpace: Space, opts: ValueNetworkOptions = {}): ValueNetwork {
  if (!(observationSpace instanceof Box)) throw new TypeError(`valueNetwork: observation space must be a Box, got ${String(observationSpace)}`);
  const model = buildMlp(observationSpace.size, 1, {
    hidden: opts.hidden ?? [64, 64],
    activation: opts.activation ?? 'tanh',
    seed: opts.seed ?? 0,
    outputGain: 1,
  });
  if (opts.obsNorm) checkObsNorm(opts.obsNorm, observationSpace.size, 'valueNetwork');
  const normalizer = new ObsNormalizer();
  const chain = opts.fastPath === false ? undefined : denseChain(model);
  const shapes = model.weights.map((w) => [...w.shape] as number[]);
  const v: ValueNetwork = {
    observationSpace,
    model,
    obsNorm: opts.obsNorm,
    get trainableVariables() {
      return model.trainableWeights.map((w) => w.read() as tf.Variable);
    },
    weightShapes: shapes,
    predict(obs) {
      checkObsTensor(obs, observationSpace, 'valueNetwork.predict');
      const stats = v.obsNorm;
      if (stats) normalizer.prepare(stats);
      return tf.tidy(() => {
        const x = stats ? normalizer.apply(obs, stats) : obs;
        const out = chain ? denseChainForward(chain, x) : (model.apply(x) as tf.Tensor2D);
        return tf.reshape(out, [-1]) as tf.Tensor1D;
      });
    },
    getWeights() {
      return model.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
    },
    setWeights(weights) {
      if (weights.length !== shapes.length) throw new RangeError(`valueNetwork.setWeights: got ${weights.length} arrays, expected ${shapes.length}`);
      const tensors = shapes.map((shape, i) => {
        const size = shape.reduce((a, b) => a * b, 1);
        if (weights[i]!.length !== size) throw new RangeError(`valueNetwork.setWeights: array ${i} has ${weights[i]!.length} values, shape [${shape.join(', ')}] needs ${size}`);
        return shape;
      }).map((shape, i) => tf.tensor(Float32Array.from(weights[i]!), [...shape]));
      try {
        model.setWeights(tensors);
      } finally {
        tf.dispose(tensors);
      }
    },
    dispose() {
      normalizer.dispose();
      model.dispose();
    },
  };
  return v;
}
