import { tf } from '@rl/tf';
import { Box, Rng } from '@rl/env';
import type { RngState, Space } from '@rl/env';
import { Categorical } from './categorical.js';
import { DiagGaussian } from './diag_gaussian.js';
import { denseChainForward, type DenseSource } from './dense.js';
import { FastForward, denseChain } from './fast_path.js';
import { buildMlp } from './mlp.js';
import type { MlpActivation } from './mlp.js';
import { ObsNormalizer, checkObsNorm } from './obs_norm.js';
import { savePolicy } from '#save';
import type { ActionWithDistribution, Distribution, NetworkSpec, ObsNormStats, Policy, SaveOptions } from './types.js';

/** Options of {@link createPolicy}. */
export interface PolicyOptions {
  /** Hidden layer widths; default `[64, 64]`. */
  readonly hidden?: readonly number[];
  /** Hidden activation; default `tanh`. */
  readonly activation?: MlpActivation;
  /** Seed of the initial weights and of the sampling stream; default 0. */
  readonly seed?: number;
  /** Initial log σ of a Gaussian policy (every action dim); default 0. */
  readonly logStdInit?: number;
  /**
   * Run `act` through the fused fast forward, and `distribution` (what gradients are taken
   * through) through one fused `dense` op per layer (dense.ts), when possible; default true. false:
   * everything through the plain layers (`model.apply`).
   */
  readonly fastPath?: boolean;
  /** Observation normalisation statistics to start with; default none. */
  readonly obsNorm?: ObsNormStats;
}

/** Options of {@link fromModel}. */
export interface FromModelOptions {
  /** Seed of the sampling stream; default 0. */
  readonly seed?: number;
  /** Initial log σ of a Gaussian policy: one number for every dim, or one per dim; default 0. */
  readonly logStdInit?: number | ArrayLike<number>;
  /**
   * When the model is a plain Dense chain: run `act` through the fused fast forward, and
   * `distribution` (what gradients are taken through) through one fused `dense` op (dense.ts) per
   * layer; default true. false: everything through the plain layers (`model.apply`).
   */
  readonly fastPath?: boolean;
  /** Observation normalisation statistics; default none. */
  readonly obsNorm?: ObsNormStats;
  /** Sampling stream state to resume from (overrides `seed`). */
  readonly rngState?: RngState;
  /** How the model was built, stored in policy.json (set by createPolicy). */
  readonly network?: NetworkSpec;
}

function spaceOutputDim(actionSpace: Space): number {
  return actionSpace.type === 'Discrete' ? actionSpace.n : actionSpace.size;
}

/** Checks a batch of observations: float32 `[B, obsDim]`. */
export function checkObsTensor(obs: tf.Tensor, space: Box, where: string): asserts obs is tf.Tensor2D {
  if (obs.rank !== 2 || obs.shape[1] !== space.size) {
    throw new RangeError(`${where}: observations have shape [${obs.shape.join(', ')}], expected [B, ${space.size}] for ${space.toString()}`);
  }
  if (obs.dtype !== 'float32') throw new TypeError(`${where}: observations must be float32, got ${obs.dtype}`);
}

class NetworkPolicy implements Policy {
  readonly observationSpace: Box;
  readonly actionSpace: Space;
  readonly distributionType: 'categorical' | 'gaussian';
  readonly model: tf.LayersModel;
  readonly logStd: tf.Variable | undefined;
  readonly network: NetworkSpec | undefined;
  obsNorm: ObsNormStats | undefined;
  private rng: Rng;
  private readonly fast: FastForward | undefined;
  /** The model's Dense layers, for the taped forward of `distribution` (undefined: `model.apply`). */
  private readonly chain: DenseSource[] | undefined;
  private readonly normalizer = new ObsNormalizer();
  private disposed = false;

  constructor(model: tf.LayersModel, observationSpace: Space, actionSpace: Space, opts: FromModelOptions) {
    if (!(observationSpace instanceof Box)) {
      throw new TypeError(`policy: observation space must be a Box, got ${String(observationSpace)}`);
    }
    const obsDim = observationSpace.size;
    const outDim = spaceOutputDim(actionSpace);
    if (model.inputs.length !== 1 || model.outputs.length !== 1) {
      throw new RangeError(`policy: the model must have one input and one output, got ${model.inputs.length} and ${model.outputs.length}`);
    }
    const inShape = model.inputs[0]!.shape;
    const outShape = model.outputs[0]!.shape;
    const show = (shape: readonly (number | null)[]): string => `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
    if (inShape.length !== 2 || inShape[1] !== obsDim) {
      throw new RangeError(`policy: the model's input shape is ${show(inShape)} but ${observationSpace.toString()} needs [null, ${obsDim}]`);
    }
    if (outShape.length !== 2 || outShape[1] !== outDim) {
      const what = actionSpace.type === 'Discrete' ? `${outDim} logits` : `a mean of ${outDim} values`;
      throw new RangeError(`policy: the model's output shape is ${show(outShape)} but ${actionSpace.toString()} needs ${what}, [null, ${outDim}]`);
    }
    if (opts.obsNorm) checkObsNorm(opts.obsNorm, obsDim, 'policy');
    this.observationSpace = observationSpace;
    this.actionSpace = actionSpace;
    this.distributionType = actionSpace.type === 'Discrete' ? 'categorical' : 'gaussian';
    this.model = model;
    this.network = opts.network;
    this.rng = opts.rngState ? Rng.fromState(opts.rngState) : new Rng(opts.seed ?? 0);
    if (this.distributionType === 'gaussian') {
      const given = opts.logStdInit ?? 0;
      const values = typeof given === 'number' ? new Float32Array(outDim).fill(given) : Float32Array.from(given);
      if (values.length !== outDim || values.some((v) => !Number.isFinite(v))) {
        throw new RangeError(`policy: logStdInit must be a finite number or ${outDim} finite numbers, got ${JSON.stringify(typeof given === 'number' ? given : Array.from(given))}`);
      }
      const init = tf.tensor1d(values);
      this.logStd = tf.variable(init, true);
      init.dispose();
    }
    this.obsNorm = opts.obsNorm;
    this.fast = opts.fastPath === false ? undefined : FastForward.for(model);
    this.chain = opts.fastPath === false ? undefined : denseChain(model);
  }

  get trainableVariables(): readonly tf.Variable[] {
    const vars = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    return this.logStd ? [...vars, this.logStd] : vars;
  }

  get fastPath(): boolean {
    return this.fast !== undefined;
  }

  get weightShapes(): readonly (readonly number[])[] {
    const shapes = this.model.weights.map((w) => [...w.shape] as number[]);
    return this.logStd ? [...shapes, [...this.logStd.shape]] : shapes;
  }

  private assertLive(where: string): void {
    if (this.disposed) throw new Error(`policy.${where}: the policy was disposed`);
  }

  /** Validates the normalisation statistics and (re)builds their cached tensors if they changed. */
  private prepareInput(): void {
    if (this.obsNorm) {
      checkObsNorm(this.obsNorm, this.observationSpace.size, 'policy');
      this.normalizer.prepare(this.obsNorm);
    }
  }

  /** The observations the network sees: normalised and clipped when `obsNorm` is set. */
  private input(obs: tf.Tensor2D): tf.Tensor2D {
    return this.obsNorm ? this.normalizer.apply(obs, this.obsNorm) : obs;
  }

  /** The network output as a differentiable function of the weights: one dense op per layer, or `model.apply`. */
  private output(x: tf.Tensor2D): tf.Tensor2D {
    return this.chain ? denseChainForward(this.chain, x) : (this.model.apply(x) as tf.Tensor2D);
  }

  private makeDistribution(out: tf.Tensor2D): Distribution {
    if (this.actionSpace.type === 'Discrete') return new Categorical(out, this.actionSpace.start);
    return new DiagGaussian(out, this.logStd!);
  }

  distribution(obs: tf.Tensor2D): Distribution {
    this.assertLive('distribution');
    checkObsTensor(obs, this.observationSpace, 'policy.distribution');
    this.prepareInput();
    return this.makeDistribution(this.output(this.input(obs)));
  }

  act(obs: tf.Tensor2D, opts: { readonly deterministic?: boolean } = {}): tf.Tensor {
    return this.forwardAct('act', obs, opts.deterministic ?? false, (_d, action) => action);
  }

  actWithDistribution(obs: tf.Tensor2D, opts: { readonly deterministic?: boolean } = {}): ActionWithDistribution {
    return this.forwardAct('actWithDistribution', obs, opts.deterministic ?? false, (d, action): ActionWithDistribution =>
      d instanceof Categorical
        ? { kind: 'categorical', action: action as tf.Tensor1D, probabilities: d.probs() }
        : { kind: 'gaussian', action: action as tf.Tensor2D, mean: (d as DiagGaussian).mean, std: (d as DiagGaussian).std() },
    );
  }

  /** One untaped forward pass (fast path when there is one): the action, and what `pick` keeps of the distribution. */
  private forwardAct<T extends tf.TensorContainer>(where: string, obs: tf.Tensor2D, deterministic: boolean, pick: (d: Distribution, action: tf.Tensor) => T): T {
    this.assertLive(where);
    checkObsTensor(obs, this.observationSpace, `policy.${where}`);
    const seed = deterministic ? 0 : this.rng.nextSeed();
    this.prepareInput();
    const fast = this.fast;
    fast?.ensureFresh();
    return tf.tidy(() => {
      const x = this.input(obs);
      const out = fast ? fast.forward(x) : (this.model.apply(x) as tf.Tensor2D);
      const d = this.makeDistribution(out);
      return pick(d, deterministic ? d.mode() : d.sample(seed));
    });
  }

  /** The network output through the plain layers (`model.apply`), for comparing with the fast path. */
  forwardPlain(obs: tf.Tensor2D): tf.Tensor2D {
    checkObsTensor(obs, this.observationSpace, 'policy.forwardPlain');
    this.prepareInput();
    return tf.tidy(() => this.model.apply(this.input(obs)) as tf.Tensor2D);
  }

  /** The network output through the fast path (throws if the model has none). */
  forwardFast(obs: tf.Tensor2D): tf.Tensor2D {
    checkObsTensor(obs, this.observationSpace, 'policy.forwardFast');
    if (!this.fast) throw new Error('policy.forwardFast: this policy has no fast path (not a plain Dense chain, or fastPath: false)');
    this.prepareInput();
    this.fast.ensureFresh();
    const fast = this.fast;
    return tf.tidy(() => fast.forward(this.input(obs)));
  }

  logProb(obs: tf.Tensor2D, actions: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => this.distribution(obs).logProb(actions));
  }

  entropy(obs: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => this.distribution(obs).entropy());
  }

  getRngState(): RngState {
    return this.rng.getState();
  }

  setRngState(s: RngState): void {
    this.rng = Rng.fromState(s);
  }

  getWeights(): Float32Array[] {
    this.assertLive('getWeights');
    const out = this.model.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
    if (this.logStd) out.push(Float32Array.from(this.logStd.dataSync() as Float32Array));
    return out;
  }

  setWeights(weights: readonly ArrayLike<number>[]): void {
    this.assertLive('setWeights');
    const shapes = this.weightShapes;
    if (weights.length !== shapes.length) {
      throw new RangeError(`policy.setWeights: got ${weights.length} arrays, expected ${shapes.length} (shapes ${shapes.map((s) => `[${s.join(', ')}]`).join(', ')})`);
    }
    shapes.forEach((shape, i) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const w = weights[i]!;
      if (w.length !== size) throw new RangeError(`policy.setWeights: array ${i} has ${w.length} values, shape [${shape.join(', ')}] needs ${size}`);
      for (let j = 0; j < w.length; j++) {
        if (!Number.isFinite(w[j]!)) throw new RangeError(`policy.setWeights: array ${i} holds ${w[j]} at index ${j}`);
      }
    });
    const nModel = this.model.weights.length;
    const tensors = shapes.slice(0, nModel).map((shape, i) => tf.tensor(Float32Array.from(weights[i]!), [...shape]));
    try {
      this.model.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
    if (this.logStd) {
      const t = tf.tensor1d(Float32Array.from(weights[nModel]!));
      this.logStd.assign(t);
      t.dispose();
    }
  }

  refreshFastPath(): void {
    this.fast?.refresh();
  }

  /** How many times the fast path's derived weights were computed (diagnostics). */
  get fastPathRefreshCount(): number {
    return this.fast?.refreshCount ?? 0;
  }

  save(dir: string, opts: SaveOptions = {}): Promise<void> {
    this.assertLive('save');
    return savePolicy(this, dir, opts);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.fast?.dispose();
    this.normalizer.dispose();
    this.logStd?.dispose();
    this.model.dispose();
  }
}

/** A policy built by {@link createPolicy} or {@link fromModel}: a {@link Policy} plus forward helpers for tests and benchmarks. */
export interface NetworkPolicyHandle extends Policy {
  /**
   * `act` plus the distribution each action was drawn from, in the same untaped forward pass
   * (and from the same sampling stream): π(·|s) `[B, n]` (categorical; columns in the Discrete
   * space's order) or the Gaussian's mean and σ `[B, d]` (before any clipping at the env).
   * Caller owns every tensor.
   */
  actWithDistribution(obs: tf.Tensor2D, opts?: { readonly deterministic?: boolean }): ActionWithDistribution;
  /** The network output through `model.apply` (plain tanh layers). */
  forwardPlain(obs: tf.Tensor2D): tf.Tensor2D;
  /** The network output through the fused fast path. */
  forwardFast(obs: tf.Tensor2D): tf.Tensor2D;
  /** How many times the fast path's derived weights were computed. */
  readonly fastPathRefreshCount: number;
}

/**
 * A policy for the given spaces on an MLP: categorical over logits for `Discrete`, diagonal
 * Gaussian with a state-independent trainable log σ for `Box`. Orthogonal init (gain √2 hidden,
 * 0.01 policy head), zero biases.
 *
 * @example
 * const policy = createPolicy(env.observationSpace, env.actionSpace, { hidden: [64, 64], seed: 1 });
 * const actions = policy.act(obs); // int32 [B], no taping
 */
export function createPolicy(observationSpace: Space, actionSpace: Space, opts: PolicyOptions = {}): NetworkPolicyHandle {
  if (!(observationSpace instanceof Box)) throw new TypeError(`createPolicy: observation space must be a Box, got ${String(observationSpace)}`);
  const hidden = opts.hidden ?? [64, 64];
  const activation = opts.activation ?? 'tanh';
  const root = new Rng(opts.seed ?? 0);
  const model = buildMlp(observationSpace.size, spaceOutputDim(actionSpace), { hidden, activation, seed: root.nextSeed(), outputGain: 0.01 });
  return new NetworkPolicy(model, observationSpace, actionSpace, {
    rngState: root.getState(),
    ...(opts.logStdInit !== undefined ? { logStdInit: opts.logStdInit } : {}),
    ...(opts.fastPath !== undefined ? { fastPath: opts.fastPath } : {}),
    ...(opts.obsNorm ? { obsNorm: opts.obsNorm } : {}),
    network: { hidden: [...hidden], activation },
  });
}

/**
 * Wraps a user's `tf.LayersModel` (one input `[null, obsDim]`, one output: logits
 * `[null, n]` for Discrete or the mean `[null, actDim]` for Box). The policy owns the model
 * from then on (`dispose` frees it).
 *
 * @example // a tabular policy: one-hot states, a bias-free dense layer
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [16], units: 4, useBias: false })] });
 * const policy = fromModel(model, new Box(0, 1, [16]), new Discrete(4));
 */
export function fromModel(model: tf.LayersModel, observationSpace: Space, actionSpace: Space, opts: FromModelOptions = {}): NetworkPolicyHandle {
  return new NetworkPolicy(model, observationSpace, actionSpace, opts);
}
