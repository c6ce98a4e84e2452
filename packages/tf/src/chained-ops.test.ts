import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORWARDED, SPECIAL } from './chained-ops.cjs';
import { initTf, tf } from './index.js';

/** tfjs-core's own chained-op sources: one ES module per Tensor method. */
const dir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json')), 'dist', 'public', 'chained_ops');

/** Each method tfjs-core defines, and whether its body is `this.throwIfDisposed(); return <same name>(this, <its parameters>)`. */
function tfjsMethods(): Map<string, boolean> {
  const methods = new Map<string, boolean>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'register_all_chained_ops.js')) {
    const text = readFileSync(join(dir, file), 'utf8').replace(/\/\/# sourceMappingURL=.*/, '');
    for (const [, name, params, body] of text.matchAll(/prototype\.(\w+) = function\s*\(([^)]*)\)\s*\{([\s\S]*?)\n\};/g)) {
      const names = params!.split(',').map((p) => p.split('=')[0]!.trim()).filter(Boolean);
      const forward = `this.throwIfDisposed(); return ${name}(${['this', ...names].join(', ')});`;
      methods.set(name!, body!.replace(/\s+/g, ' ').trim() === forward);
    }
  }
  return methods;
}

/** What `fn` returns, with every tensor it made disposed. */
function read<T>(fn: () => T): T {
  let value!: T;
  tf.tidy(() => {
    value = fn();
  });
  return value;
}

describe('Tensor methods of tfjs-core loaded on its own (chained-ops.cjs)', () => {
  beforeAll(async () => {
    await initTf({ backend: 'cpu' });
  });
  afterAll(() => {
    expect(tf.memory().numTensors).toBe(0);
  });

  it("are exactly tfjs-core's: the forwarded ones and the special ones, by its own sources", () => {
    const methods = tfjsMethods();
    expect(methods.size).toBeGreaterThan(100);
    expect([...FORWARDED].sort()).toEqual([...methods].filter(([, fwd]) => fwd).map(([n]) => n).sort());
    expect(Object.keys(SPECIAL).sort()).toEqual([...methods].filter(([, fwd]) => !fwd).map(([n]) => n).sort());
    for (const name of methods.keys()) expect(typeof (tf.Tensor.prototype as unknown as Record<string, unknown>)[name], name).toBe('function');
  });

  it('forwarded methods give what the op gives (every method callable with the tensor alone)', () => {
    const x = tf.tensor2d([[0.1, -0.4], [0.7, 0.3]]);
    // an op's result as plain values: a tensor, a list of tensors, or a record of them (topk, unique)
    const values = (r: unknown): unknown => (r instanceof tf.Tensor ? r.arraySync() : Object.values(r as object).map(values));
    let compared = 0;
    for (const name of FORWARDED) {
      const op = (tf as unknown as Record<string, (t: tf.Tensor) => unknown>)[name]!;
      let want: unknown;
      try {
        want = read(() => values(op(x)));
      } catch {
        continue; // needs more arguments (add, reshape, …)
      }
      const got = read(() => values((x as unknown as Record<string, () => unknown>)[name]!()));
      expect(got, name).toEqual(want);
      compared++;
    }
    expect(compared).toBeGreaterThan(40);
    const y = tf.tensor2d([[1, 2], [3, 4]]);
    const results = [x.add(y), x.matMul(y, false, true), x.sum(1, true), x.reshape([4]), x.clipByValue(0, 0.5), x.gather([1])];
    const wants = [tf.add(x, y), tf.matMul(x, y, false, true), tf.sum(x, 1, true), tf.reshape(x, [4]), tf.clipByValue(x, 0, 0.5), tf.gather(x, [1])];
    results.forEach((r, i) => expect(r.arraySync()).toEqual(wants[i]!.arraySync()));
    tf.dispose([x, y, ...results, ...wants]);
  });

  it('special methods do what tfjs-core writes', () => {
    const x = tf.tensor1d([1.5, -2, 3.25, 0]);
    const y = tf.tensor1d([9, 8, 7, 6]);
    const cond = tf.tensor1d([true, false, true, false], 'bool');
    const s = tf.tensor1d([5]);
    const out = read(() => {
      const t = {
        as2D: x.as2D(2, 2), as3D: x.as3D(1, 2, 2), as4D: x.as4D(1, 1, 2, 2), as5D: x.as5D(1, 1, 1, 2, 2), as1D: x.as2D(2, 2).as1D(), flatten: x.as2D(2, 2).flatten(),
        asScalar: s.asScalar(), reshapeAs: x.reshapeAs(tf.zeros([2, 2])), asType: x.asType('int32'), toInt: x.toInt(), toFloat: x.toInt().toFloat(), toBool: x.toBool(),
        concat: x.concat(y), concatList: x.concat([y, y]), stack: x.stack(y), stackList: x.stack([y, y], 1), where: x.where(cond, y),
      };
      return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { shape: v.shape, dtype: v.dtype, value: v.arraySync() }]));
    });
    expect(out.as2D!.shape).toEqual([2, 2]);
    expect(out.as3D!.shape).toEqual([1, 2, 2]);
    expect(out.as4D!.shape).toEqual([1, 1, 2, 2]);
    expect(out.as5D!.shape).toEqual([1, 1, 1, 2, 2]);
    expect(out.as1D!.shape).toEqual([4]);
    expect(out.flatten!.shape).toEqual([4]);
    expect(out.asScalar!.shape).toEqual([]);
    expect(out.asScalar!.value).toBe(5);
    expect(() => x.asScalar()).toThrow(/only 1 element/);
    expect(out.reshapeAs!.shape).toEqual([2, 2]);
    expect(out.asType!.dtype).toBe('int32');
    expect(out.asType!.value).toEqual([1, -2, 3, 0]);
    expect(out.toInt!.value).toEqual([1, -2, 3, 0]);
    expect(out.toFloat!.dtype).toBe('float32');
    expect(out.toBool!.dtype).toBe('bool');
    expect(out.toBool!.value).toEqual([1, 1, 1, 0]); // tfjs reads bool tensors back as 0 and 1
    expect(out.concat!.value).toEqual([1.5, -2, 3.25, 0, 9, 8, 7, 6]);
    expect(out.concatList!.shape).toEqual([12]);
    expect(out.stack!.value).toEqual([[1.5, -2, 3.25, 0], [9, 8, 7, 6]]);
    expect(out.stackList!.shape).toEqual([4, 3]);
    expect(out.where!.value).toEqual([1.5, 8, 3.25, 6]);
    tf.dispose([x, y, cond, s]);
  });

  it('throw on a disposed tensor, as tfjs does', () => {
    const x = tf.tensor1d([1, 2]);
    x.dispose();
    expect(() => x.add(1)).toThrow(/disposed/);
    expect(() => x.toFloat()).toThrow(/disposed/);
  });
});
