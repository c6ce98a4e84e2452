import { describe, expect, it } from 'vitest';
import { initTf, tf } from '@rl/tf';
import { useFastWasmMatMul } from './wasm_matmul.js';

/** Every transpose combination, 2-D and batched 3-D, with the product computed in float64 as reference. */
function reference(a: number[][][], b: number[][][], ta: boolean, tb: boolean): number[][][] {
  const T = (m: number[][]): number[][] => m[0]!.map((_, j) => m.map((r) => r[j]!));
  return a.map((am, k) => {
    const A = ta ? T(am) : am;
    const B = tb ? T(b[k]!) : b[k]!;
    return A.map((row) => B[0]!.map((_, j) => row.reduce((s, x, i) => s + x * B[i]![j]!, 0)));
  });
}

describe('useFastWasmMatMul', () => {
  it('gives the same products as the plain kernel for every transpose flag, and frees its temporaries', async () => {
    await initTf({ backend: 'wasm' });
    expect(useFastWasmMatMul()).toBe(true);
    const vals = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 13.7 + i * 0.91));
    for (const batch of [undefined, 3]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const [m, k, n] = [5, 7, 4];
          const aShape = ta ? [k, m] : [m, k];
          const bShape = tb ? [n, k] : [k, n];
          const B = batch ?? 1;
          const a = tf.tensor(vals(B * aShape[0]! * aShape[1]!, 1), batch ? [B, ...aShape] : aShape);
          const b = tf.tensor(vals(B * bShape[0]! * bShape[1]!, 2), batch ? [B, ...bShape] : bShape);
          const before = tf.memory().numTensors;
          const c = tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, ta, tb);
          expect(tf.memory().numTensors).toBe(before + 1);
          const ref = reference((batch ? a.arraySync() : [a.arraySync()]) as number[][][], (batch ? b.arraySync() : [b.arraySync()]) as number[][][], ta, tb);
          const got = (batch ? c.arraySync() : [c.arraySync()]) as number[][][];
          expect(c.shape).toEqual(batch ? [B, m, n] : [m, n]);
          got.flat(2).forEach((x, i) => expect(x).toBeCloseTo(ref.flat(2)[i]!, 5));
          tf.dispose([a, b, c]);
        }
      }
    }
  });
});
