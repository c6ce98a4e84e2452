import { describe, expect, it } from 'vitest';
import { decodeGlobal, decodeGrad, decodeGradRef, encodeGradRef, decodeStats, decodeWeights, decodeWeightsRef, encodeGlobal, encodeGrad, encodeStats, encodeWeights, encodeWeightsRef, FORMAT_VERSION, MAGIC, ProtocolError } from './protocol.js';

const reason = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof ProtocolError) return e.reason;
    throw e;
  }
  return 'accepted';
};

describe('wire format', () => {
  const grads = [Float32Array.of(1.5, -2, 3e-8), Float32Array.of(0.25), new Float32Array(0), Float32Array.of(7, 8)];
  const grad = { round: 7, version: 6, shard: 2, instance: 4242, samples: 640, numEnvs: 10, loss: -0.5, entropy: 0.69, grads };

  it('round-trips every kind exactly, as Float32 payloads behind a 16-byte header', () => {
    const g = encodeGrad(grad);
    expect(new DataView(g.buffer).getUint32(0, true)).toBe(MAGIC);
    expect(g.byteLength).toBe(16 + 32 + 4 + 4 * 4 + 4 * 6);
    expect(decodeGrad(g, [3, 1, 0, 2])).toEqual(grad);
    // at an unaligned offset, as a NATS payload may be
    const shifted = new Uint8Array(g.byteLength + 1);
    shifted.set(g, 1);
    expect(decodeGrad(shifted.subarray(1))).toEqual(grad);
    const w = { round: 3, version: 2, configHash: 0xdeadbeef, final: true, weights: grads };
    expect(decodeWeights(encodeWeights(w))).toEqual(w);
    const ref = { round: 3, version: 2, configHash: 1, final: false, object: 'v2-r3', bytes: 123456 };
    expect(decodeWeightsRef(encodeWeightsRef(ref))).toEqual(ref);
    const gr = { round: 4, version: 3, shard: 1, object: 'r4-s1', bytes: 2_000_000 };
    expect(decodeGradRef(encodeGradRef(gr))).toEqual(gr);
    expect(reason(() => decodeGradRef(encodeGradRef(gr).subarray(0, 35)))).toBe('truncated');
    const s = { round: 1, version: 0, shard: 1, instance: 9, samples: 64, retSum: 10.5, retSumSq: 200.25, retCount: 64, episodes: 2, epReturnSum: 40, epReturnMin: 15, epReturnMax: 25, epLengthSum: 40 };
    expect(decodeStats(encodeStats(s))).toEqual(s);
    const gl = { round: 1, version: 0, baseline: 0.5, mean: 0.5, std: 2, count: 128, shards: [0, 2, 3] };
    expect(decodeGlobal(encodeGlobal(gl))).toEqual(gl);
  });

  it('rejects garbage, truncation, another format version, the wrong kind, wrong shapes and NaN, by reason', () => {
    const g = encodeGrad(grad);
    expect(reason(() => decodeGrad(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17])))).toBe('garbage');
    expect(reason(() => decodeGrad(new Uint8Array(2)))).toBe('truncated');
    for (const cut of [10, 20, 47, 60, g.byteLength - 1]) expect(reason(() => decodeGrad(g.subarray(0, cut)))).toBe('truncated');
    const padded = new Uint8Array(g.byteLength + 4);
    padded.set(g);
    expect(reason(() => decodeGrad(padded))).toBe('garbage');
    const v2 = g.slice();
    new DataView(v2.buffer).setUint16(4, FORMAT_VERSION + 1, true);
    expect(reason(() => decodeGrad(v2))).toBe('version');
    expect(reason(() => decodeStats(g))).toBe('kind');
    expect(reason(() => decodeGrad(g, [3, 1, 0]))).toBe('shape');
    expect(reason(() => decodeGrad(g, [3, 1, 1, 1]))).toBe('shape');
    const nan = encodeGrad({ ...grad, grads: [Float32Array.of(1, NaN, 3), ...grads.slice(1)] });
    expect(reason(() => decodeGrad(nan))).toBe('nonFinite');
    const s = encodeStats({ round: 1, version: 0, shard: 0, instance: 1, samples: 1, retSum: Infinity, retSumSq: 0, retCount: 1, episodes: 0, epReturnSum: 0, epReturnMin: 0, epReturnMax: 0, epLengthSum: 0 });
    expect(reason(() => decodeStats(s))).toBe('nonFinite');
    expect(() => decodeGrad(v2)).toThrow(/format version 2, this build reads 1/);
  });
});
