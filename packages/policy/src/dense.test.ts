import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf, useFastWasmKernels, useStockWasmKernels } from '@rl/tf';
import { Box, Discrete, Rng } from '@rl/env';
import { dense, denseChainForward, type DenseActivation } from './dense.js';
import { denseChain } from './fast_path.js';
import { createPolicy } from './policy.js';

/** max |a − b| / max |b| over the elements: the relative error of a whole gradient. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) (d = Math.max(d, Math.abs(a[i]! - b[i]!))), (s = Math.max(s, Math.abs(b[i]!)));
  expect(s).toBeGreaterThan(0);
  return d / s;
}

const ACTIVATIONS: readonly DenseActivation[] = ['linear', 'relu', 'sigmoid', 'tanh'];
const act = (a: DenseActivation, z: tf.Tensor): tf.Tensor => (a === 'linear' ? z : a === 'relu' ? tf.relu(z) : a === 'sigmoid' ? tf.sigmoid(z) : tf.tanh(z));

/** Random tensors of a scale where every activation is exercised (tanh and sigmoid saturate on some rows, relu is zero on some). */
function data(seed: number, rows: number, inDim: number, outDim: number): { x: tf.Tensor2D; w: tf.Variable; b: tf.Variable; dy: tf.Tensor2D } {
  const r = new Rng(seed);
  const u = (n: number, s: number): Float32Array => Float32Array.from({ length: n }, () => r.uniform(-s, s));
  return {
    x: tf.tensor2d(u(rows * inDim, 2), [rows, inDim]),
    w: tf.variable(tf.tensor2d(u(inDim * outDim, 1), [inDim, outDim])),
    b: tf.variable(tf.tensor1d(u(outDim, 0.5))),
    dy: tf.tensor2d(u(rows * outDim, 1), [rows, outDim]),
  };
}

describe('dense (cpu): the layer op against plain tfjs autodiff of the same layer', () => {
  beforeAll(async () => {
    await initTf({ backend: 'cpu' });
  });

  for (const activation of ACTIVATIONS) {
    for (const withBias of [true, false]) {
      it(`${activation}${withBias ? '' : ', no bias'}: value and ∂/∂x, ∂/∂W, ∂/∂b equal tf.grads of act(x·W + b) to 1e-5`, () => {
        const { x, w, b, dy } = data(activation.length + (withBias ? 1 : 0), 67, 9, 13);
        const before = tf.memory().numTensors;
        const f = (op: boolean) => (xx: tf.Tensor, ww: tf.Tensor, bb?: tf.Tensor): tf.Tensor =>
          op ? dense(xx as tf.Tensor2D, ww as tf.Tensor2D, withBias ? (bb as tf.Tensor1D) : undefined, activation) : act(activation, withBias ? tf.add(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D), bb!) : tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D));
        const inputs = withBias ? [x, w, b] : [x, w];
        const ours = tf.grads(f(true))(inputs, dy);
        const ref = tf.grads(f(false))(inputs, dy);
        const y = tf.tidy(() => f(true)(x, w, b));
        const yRef = tf.tidy(() => f(false)(x, w, b));
        expect(y.shape).toEqual([67, 13]);
        expect(relErr(y.dataSync(), yRef.dataSync())).toBeLessThan(1e-6);
        expect(ours.length).toBe(inputs.length);
        ours.forEach((g, i) => {
          expect(g.shape).toEqual(inputs[i]!.shape);
          expect(relErr(g.dataSync(), ref[i]!.dataSync())).toBeLessThan(1e-5);
        });
        tf.dispose([...ours, ...ref, y, yRef]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, w, b, dy]);
      });
    }
  }

  it('a chain of layers, differentiated with variableGrads, equals the same tf.layers model differentiated through model.apply', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [5], units: 16, activation: 'tanh' }),
        tf.layers.dense({ units: 8, activation: 'relu', useBias: false }),
        tf.layers.dense({ units: 8, activation: 'sigmoid' }),
        tf.layers.dense({ units: 3 }),
      ],
    });
    const chain = denseChain(model)!;
    expect(chain.map((l) => [l.activation, l.bias !== undefined])).toEqual([['tanh', true], ['relu', false], ['sigmoid', true], ['linear', true]]);
    const x = tf.randomNormal([40, 5], 0, 1.5, 'float32', 3) as tf.Tensor2D;
    const target = tf.randomNormal([40, 3], 0, 1, 'float32', 4);
    const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
    const loss = (forward: () => tf.Tensor) => (): tf.Scalar => tf.sum(tf.square(tf.sub(forward(), target))) as tf.Scalar;
    const ours = tf.variableGrads(loss(() => denseChainForward(chain, x)), vars);
    const ref = tf.variableGrads(loss(() => model.apply(x) as tf.Tensor), vars);
    expect(relErr(ours.value.dataSync(), ref.value.dataSync())).toBeLessThan(1e-6);
    for (const v of vars) expect(relErr(ours.grads[v.name]!.dataSync(), ref.grads[v.name]!.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, target, ours.value, ref.value, ...Object.values(ours.grads), ...Object.values(ref.grads)]);
    model.dispose();
  });

  it('rejects shapes that do not chain, naming them', () => {
    const x = tf.zeros([4, 3]) as tf.Tensor2D;
    expect(() => dense(x, tf.zeros([4, 2]) as tf.Tensor2D, undefined, 'tanh')).toThrow(/x \[4, 3\] and kernel \[4, 2\] do not chain/);
    expect(() => dense(x, tf.zeros([3, 2]) as tf.Tensor2D, tf.zeros([3]) as tf.Tensor1D, 'tanh')).toThrow(/bias has shape \[3\], expected \[2\]/);
  });
});

describe('policy.distribution: gradients through the dense ops equal those through model.apply', () => {
  afterAll(() => useStockWasmKernels());

  /** ∇θ Σ log π(a|s)·A (+ entropy) for a policy built with and without the fast path, same seed. */
  function policyGrads(space: Discrete | Box, fastPath: boolean): Float32Array[] {
    const p = createPolicy(new Box(-5, 5, [4]), space, { seed: 7, fastPath, logStdInit: -0.5 });
    // weights of a larger scale than the 0.01-gain head, so every layer's gradient is far from 0
    const r = new Rng(11);
    p.setWeights(p.getWeights().map((w) => w.map((v) => v + r.uniform(-0.4, 0.4))));
    const obs = tf.randomNormal([96, 4], 0, 1.5, 'float32', 5) as tf.Tensor2D;
    const actions = space instanceof Discrete ? tf.tensor1d(Array.from({ length: 96 }, (_, i) => i % 3), 'int32') : tf.randomNormal([96, 2], 0, 1, 'float32', 6);
    const adv = tf.randomNormal([96], 0, 1, 'float32', 8);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const d = p.distribution(obs);
      return tf.add(tf.sum(tf.mul(d.logProb(actions), adv)), tf.mul(tf.sum(d.entropy()), 0.01)) as tf.Scalar;
    }, p.trainableVariables as tf.Variable[]);
    const out = p.trainableVariables.map((v) => Float32Array.from(grads[v.name]!.dataSync()));
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([obs, actions, adv]);
    p.dispose();
    return out;
  }

  for (const [kind, space] of [['categorical', new Discrete(3)], ['gaussian', new Box(-1, 1, [2])]] as const) {
    it(`${kind} on cpu: every variable's gradient to 1e-5; on wasm with the fast kernels, to the cpu reference within 1e-4`, async () => {
      await initTf({ backend: 'cpu' });
      const ref = policyGrads(space, false);
      const ours = policyGrads(space, true);
      expect(ours.length).toBe(space instanceof Discrete ? 6 : 7);
      ours.forEach((g, i) => expect(relErr(g, ref[i]!)).toBeLessThan(1e-5));
      await initTf({ backend: 'wasm' });
      useFastWasmKernels();
      policyGrads(space, true).forEach((g, i) => expect(relErr(g, ref[i]!)).toBeLessThan(1e-4));
      useStockWasmKernels();
    });
  }
});

describe('valueNetwork.predict through the dense ops (cpu)', () => {
  it('gives the values and regression gradients of model.apply', async () => {
    await initTf({ backend: 'cpu' });
    const { valueNetwork } = await import('./value.js');
    const obs = tf.randomNormal([50, 3], 0, 2, 'float32', 9) as tf.Tensor2D;
    const target = tf.randomNormal([50], 0, 1, 'float32', 10);
    const run = (fastPath: boolean): Float32Array[] => {
      const v = valueNetwork(new Box(-5, 5, [3]), { hidden: [16, 8], seed: 3, fastPath });
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(v.predict(obs), target))) as tf.Scalar, v.trainableVariables as tf.Variable[]);
      const out = [Float32Array.from(value.dataSync()), ...v.trainableVariables.map((x) => Float32Array.from(grads[x.name]!.dataSync()))];
      tf.dispose([value, ...Object.values(grads)]);
      v.dispose();
      return out;
    };
    const ref = run(false);
    run(true).forEach((g, i) => expect(relErr(g, ref[i]!)).toBeLessThan(1e-5));
    tf.dispose([obs, target]);
  });
});
