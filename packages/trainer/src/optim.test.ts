import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '@rl/tf';
import { createOptimizer, globalNorm } from './optim.js';

describe('optimizers', () => {
  beforeAll(async () => {
    await initTf({ backend: 'cpu' });
  });

  it('SGD ascent is θ + α·g and descent θ − α·g', () => {
    const theta = tf.variable(tf.tensor1d([1, 2, 3]));
    const opt = createOptimizer([theta], { kind: 'sgd', lr: 0.5 });
    const g = tf.tensor1d([2, -4, 0]);
    opt.ascend([g]);
    expect([...theta.dataSync()]).toEqual([2, 0, 3]);
    opt.descend([g]);
    expect([...theta.dataSync()]).toEqual([1, 2, 3]);
    tf.dispose([theta, g]);
    opt.dispose();
  });

  it("Adam's first step moves each parameter by α·sign(g), then follows the bias-corrected moments", () => {
    const theta = tf.variable(tf.tensor1d([0, 0]));
    const opt = createOptimizer([theta], { kind: 'adam', lr: 0.1 });
    const g1 = tf.tensor1d([3, -0.5]);
    opt.ascend([g1]);
    const [a, b] = theta.dataSync();
    expect(a).toBeCloseTo(0.1, 6);
    expect(b).toBeCloseTo(-0.1, 6);
    // second step by hand: m = 0.9·m + 0.1·g, v = 0.999·v + 0.001·g², step α·m̂/(√v̂ + ε)
    const g2 = tf.tensor1d([1, 1]);
    opt.ascend([g2]);
    const m = [0.9 * 0.3 + 0.1 * 1, 0.9 * -0.05 + 0.1 * 1];
    const v = [0.999 * 0.009 + 0.001 * 1, 0.999 * 0.00025 + 0.001 * 1];
    const step = m.map((mi, i) => (0.1 * (mi / (1 - 0.81))) / (Math.sqrt(v[i]! / (1 - 0.999 ** 2)) + 1e-8));
    const [a2, b2] = theta.dataSync();
    expect(a2).toBeCloseTo(0.1 + step[0]!, 5);
    expect(b2).toBeCloseTo(-0.1 + step[1]!, 5);
    tf.dispose([theta, g1, g2]);
    opt.dispose();
  });

  it('getState/setState resume Adam bit for bit and reject a state of the wrong shape', () => {
    const mk = () => tf.variable(tf.tensor2d([[1, -1], [0.5, 2]]));
    const a = mk();
    const b = mk();
    const oa = createOptimizer([a], { kind: 'adam', lr: 0.01 });
    const ob = createOptimizer([b], { kind: 'adam', lr: 0.01 });
    const gs = [tf.tensor2d([[0.1, 0.2], [-0.3, 0.4]]), tf.tensor2d([[1, -2], [3, -4]]), tf.tensor2d([[0.01, 0], [0, 7]])];
    oa.ascend([gs[0]!]);
    oa.ascend([gs[1]!]);
    // b starts from a's weights and state after two steps
    b.assign(a);
    ob.setState(structuredClone(oa.getState()));
    oa.ascend([gs[2]!]);
    ob.ascend([gs[2]!]);
    expect([...b.dataSync()]).toEqual([...a.dataSync()]);
    const small = tf.variable(tf.tensor1d([1]));
    const os = createOptimizer([small], { kind: 'adam', lr: 0.01 });
    expect(() => os.setState(oa.getState())).toThrow(/variable 0 .* has 1 values, state has 4\/4/);
    expect(() => createOptimizer([small], { kind: 'sgd', lr: 1 }).setState(oa.getState())).toThrow(/state is for adam, this optimizer is sgd/);
    tf.dispose([a, b, small, ...gs]);
    oa.dispose();
    ob.dispose();
    os.dispose();
  });

  it('create + dispose leaves no tensor behind', () => {
    const theta = [tf.variable(tf.zeros([3, 2])), tf.variable(tf.zeros([2]))];
    const before = tf.memory().numTensors;
    const opt = createOptimizer(theta, { kind: 'adam', lr: 1e-3 });
    const g = theta.map((t) => tf.onesLike(t));
    opt.ascend(g);
    tf.dispose(g);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(theta);
  });

  it('globalNorm is the L2 norm over all gradients', () => {
    const gs = [tf.tensor1d([3]), tf.tensor2d([[4, 0], [0, 12]])];
    const n = globalNorm(gs);
    expect(n.dataSync()[0]).toBeCloseTo(13, 6);
    tf.dispose([...gs, n]);
  });
});
