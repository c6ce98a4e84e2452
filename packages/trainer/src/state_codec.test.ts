import { describe, expect, it } from 'vitest';
import { decodeState, encodeState } from './state_codec.js';

describe('encodeState / decodeState', () => {
  it('round-trips nested records with typed arrays, float64 bits, NaN and Infinity', () => {
    const state = {
      iteration: 7,
      weights: [new Float32Array([1.5, -2.25, 3e-8]), new Float32Array([0.1])],
      adam: { m: new Float64Array([Math.PI, -0, 1e-300]), step: 3 },
      rng: { algorithm: 'xoroshiro128plus', state: [1, -2, 3, 4] },
      env: { states: new Float64Array([0.1 + 0.2]), done: new Uint8Array([1, 0, 1]) },
      odd: [Number.NaN, Infinity, -Infinity, null, true, 'x'],
    };
    const enc = encodeState(state);
    const json = JSON.parse(JSON.stringify(enc.json)) as unknown;
    const back = decodeState(json, enc.blob, enc.sha256) as typeof state;
    expect(back.weights[0]).toBeInstanceOf(Float32Array);
    expect(Array.from(back.weights[0]!)).toEqual(Array.from(state.weights[0]!));
    expect(back.adam.m).toBeInstanceOf(Float64Array);
    expect(Object.is(back.adam.m[1], -0)).toBe(true);
    expect(back.adam.m[0]).toBe(Math.PI);
    expect(back.env.states[0]).toBe(0.1 + 0.2);
    expect(Array.from(back.env.done)).toEqual([1, 0, 1]);
    expect(back.odd).toEqual([Number.NaN, Infinity, -Infinity, null, true, 'x']);
    expect(back.rng).toEqual(state.rng);
  });

  it('names the path of a value it cannot save', () => {
    expect(() => encodeState({ a: { b: new Map() } })).toThrow('state.a.b is a Map');
    expect(() => encodeState({ f: () => 1 })).toThrow('state.f is a function');
  });

  it('detects a corrupted blob', () => {
    const enc = encodeState({ w: new Float32Array([1, 2, 3]) });
    const bad = enc.blob.slice();
    bad[0] = bad[0]! ^ 0xff;
    expect(() => decodeState(enc.json, bad, enc.sha256)).toThrow('sha256 mismatch');
  });
});
