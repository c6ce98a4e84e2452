import { tf } from '@rl/tf';
import { Rng } from '@rl/env';
import { orthogonal } from './orthogonal.js';

/** Hidden-layer activations an MLP can use. */
export type MlpActivation = 'tanh' | 'relu';

/** Options of {@link buildMlp}. */
export interface MlpOptions {
  /** Hidden layer widths; default `[64, 64]`. */
  readonly hidden?: readonly number[];
  /** Hidden activation; default `tanh`. */
  readonly activation?: MlpActivation;
  /** Seed of the initial weights; default 0. */
  readonly seed?: number;
  /** Orthogonal gain of the hidden layers; default √2. */
  readonly hiddenGain?: number;
  /** Orthogonal gain of the output layer (CleanRL: 0.01 policy head, 1.0 value head); default 1. */
  readonly outputGain?: number;
}

/**
 * A `tf.Sequential` of plain Dense layers (standard layers only, so the saved model.json
 * loads in any tfjs): `inputDim → hidden… → outputDim`, linear output, orthogonal kernels
 * (gain √2 hidden, `outputGain` output), zero biases.
 *
 * @example
 * const model = buildMlp(4, 2, { hidden: [64, 64], activation: 'tanh', seed: 1, outputGain: 0.01 });
 */
export function buildMlp(inputDim: number, outputDim: number, opts: MlpOptions = {}): tf.Sequential {
  const hidden = opts.hidden ?? [64, 64];
  const activation = opts.activation ?? 'tanh';
  if (!Number.isInteger(inputDim) || inputDim <= 0) throw new RangeError(`buildMlp: inputDim must be a positive integer, got ${inputDim}`);
  if (!Number.isInteger(outputDim) || outputDim <= 0) throw new RangeError(`buildMlp: outputDim must be a positive integer, got ${outputDim}`);
  if (hidden.some((h) => !Number.isInteger(h) || h <= 0)) throw new RangeError(`buildMlp: hidden sizes must be positive integers, got [${hidden.join(', ')}]`);
  if (activation !== 'tanh' && activation !== 'relu') throw new RangeError(`buildMlp: activation must be "tanh" or "relu", got ${JSON.stringify(activation)}`);
  const rng = new Rng(opts.seed ?? 0);
  const hiddenGain = opts.hiddenGain ?? Math.SQRT2;
  const outputGain = opts.outputGain ?? 1;
  const model = tf.sequential();
  const widths = [...hidden, outputDim];
  let fanIn = inputDim;
  const weights: tf.Tensor[] = [];
  widths.forEach((units, i) => {
    const last = i === widths.length - 1;
    model.add(
      tf.layers.dense({
        units,
        activation: last ? 'linear' : activation,
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
        ...(i === 0 ? { inputShape: [inputDim] } : {}),
      }),
    );
    weights.push(tf.tensor2d(orthogonal(fanIn, units, last ? outputGain : hiddenGain, rng), [fanIn, units]));
    weights.push(tf.zeros([units]));
    fanIn = units;
  });
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}
