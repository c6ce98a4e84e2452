/**
 * The rollout forward pass: a chain of Dense layers run as `tf.fused.matMul` (matmul + bias +
 * activation in one kernel), with tanh layers rewritten exactly into sigmoid layers because
 * the wasm Tanh kernel is ~6× slower than Sigmoid.
 *
 * tanh(z) = 2σ(2z) − 1. So a tanh layer h = tanh(xW + b) equals h = 2s − 1 with
 * s = σ(x·2W + 2b), and the next layer's pre-activation h·V + c = s·2V + (c − colsum V).
 * Folding both into the derived weights, every layer is one fused sigmoid/relu/linear matmul.
 * The saved model keeps plain tanh Dense layers; the derived weights exist only here.
 *
 * Refreshing: an optimizer step or `setWeights` replaces a variable's data (tf.Variable.assign
 * swaps its `dataId`), so `forward` compares each source variable's `dataId` with the one the
 * derived weights were computed from and recomputes them when any changed. No manual call is
 * needed; `refresh()` forces it.
 */
import { tf } from '@rl/tf';
import type { DenseActivation, DenseSource } from './dense.js';

type FusedActivation = 'linear' | 'relu' | 'sigmoid';

interface Derived {
  readonly kernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D | undefined;
  readonly activation: FusedActivation;
  /** True when this tensor pair is a new tensor owned here (not the source variable). */
  readonly owned: boolean;
}

const SUPPORTED = new Set<string>(['linear', 'relu', 'sigmoid', 'tanh']);

function activationName(layer: tf.layers.Layer): string {
  const a = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof a === 'string' ? a : String(a);
}

/**
 * The Dense layers of `model` in order, or `undefined` when the model is not a plain chain
 * of Dense layers with linear/relu/sigmoid/tanh activations (then the model runs as is).
 */
export function denseChain(model: tf.LayersModel): DenseSource[] | undefined {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  if (layers.length === 0 || model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
  // A chain: each layer's only input is the previous layer.
  for (let i = 1; i < layers.length; i++) {
    const inbound = layers[i]!.inboundNodes;
    if (inbound.length !== 1 || inbound[0]!.inboundLayers.length !== 1 || inbound[0]!.inboundLayers[0] !== layers[i - 1]) return undefined;
  }
  const out: DenseSource[] = [];
  for (const layer of layers) {
    if (layer.getClassName() !== 'Dense') return undefined;
    const act = activationName(layer);
    if (!SUPPORTED.has(act)) return undefined;
    const w = layer.weights;
    if (w.length < 1 || w.length > 2 || w[0]!.shape.length !== 2) return undefined;
    out.push({ kernel: w[0]!.read() as tf.Variable, bias: w.length === 2 ? (w[1]!.read() as tf.Variable) : undefined, activation: act as DenseActivation });
  }
  return out;
}

/** A fused forward pass over a Dense chain; see the file header. */
export class FastForward {
  private readonly sources: DenseSource[];
  private derived: Derived[] = [];
  private dataIds: unknown[] = [];
  /** The last layer is tanh: its sigmoid output must be mapped back by 2s − 1. */
  private readonly tanhOut: boolean;
  /** How many times the derived weights were computed (for tests and diagnostics). */
  refreshCount = 0;

  private constructor(sources: DenseSource[]) {
    this.sources = sources;
    this.tanhOut = sources[sources.length - 1]!.activation === 'tanh';
  }

  /** A fast forward for `model`, or `undefined` if the model is not a plain Dense chain. */
  static for(model: tf.LayersModel): FastForward | undefined {
    const chain = denseChain(model);
    return chain ? new FastForward(chain) : undefined;
  }

  private currentIds(): unknown[] {
    const ids: unknown[] = [];
    for (const s of this.sources) {
      ids.push(s.kernel.dataId, s.bias?.dataId);
    }
    return ids;
  }

  /** True when the derived weights match the current variable values. */
  isFresh(): boolean {
    if (this.derived.length === 0) return false;
    const ids = this.currentIds();
    for (let i = 0; i < ids.length; i++) if (ids[i] !== this.dataIds[i]) return false;
    return true;
  }

  /** Recomputes the derived weights from the current variables. Call outside any tf.tidy. */
  refresh(): void {
    this.disposeDerived();
    const out: Derived[] = [];
    tf.tidy(() => {
      let prevTanh = false;
      for (const s of this.sources) {
        if (!prevTanh && s.activation !== 'tanh') {
          // Used as is (no copy): relu/sigmoid/linear layers fed by a raw input.
          out.push({ kernel: s.kernel as unknown as tf.Tensor2D, bias: s.bias as unknown as tf.Tensor1D | undefined, activation: s.activation as FusedActivation, owned: false });
          prevTanh = false;
          continue;
        }
        let w: tf.Tensor2D = s.kernel as unknown as tf.Tensor2D;
        let b: tf.Tensor1D = s.bias ? (s.bias as unknown as tf.Tensor1D) : tf.zeros([w.shape[1]]);
        if (prevTanh) {
          // input h = 2s − 1: h·W + b = s·(2W) + (b − colsum W)
          b = tf.sub(b, tf.sum(w, 0));
          w = tf.mul(w, 2);
        }
        let activation: FusedActivation;
        if (s.activation === 'tanh') {
          // tanh(z) = 2σ(2z) − 1: the layer outputs s = σ(2z); the next layer absorbs 2s − 1.
          w = tf.mul(w, 2);
          b = tf.mul(b, 2);
          activation = 'sigmoid';
        } else {
          activation = s.activation;
        }
        out.push({ kernel: tf.keep(tf.clone(w)), bias: tf.keep(tf.clone(b)), activation, owned: true });
        prevTanh = s.activation === 'tanh';
      }
    });
    this.derived = out;
    this.dataIds = this.currentIds();
    this.refreshCount++;
  }

  /** Makes sure the derived weights are current. Call outside any tf.tidy. */
  ensureFresh(): void {
    if (!this.isFresh()) this.refresh();
  }

  /** The network output for `x` `[B, inputDim]`. Call {@link ensureFresh} first (outside tidy). Not for taping. */
  forward(x: tf.Tensor2D): tf.Tensor2D {
    let h: tf.Tensor2D = x;
    for (const d of this.derived) {
      h = tf.fused.matMul({ a: h, b: d.kernel, ...(d.bias ? { bias: d.bias } : {}), activation: d.activation }) as tf.Tensor2D;
    }
    if (this.tanhOut) h = tf.sub(tf.mul(h, 2), 1) as tf.Tensor2D;
    return h;
  }

  private disposeDerived(): void {
    for (const d of this.derived) {
      if (d.owned) {
        d.kernel.dispose();
        d.bias?.dispose();
      }
    }
    this.derived = [];
  }

  /** Frees the derived weights. */
  dispose(): void {
    this.disposeDerived();
    this.dataIds = [];
  }
}
