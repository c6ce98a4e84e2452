import { describe, expect, it } from 'vitest';
import { make, makeVec, registeredIds } from './registry.js';

describe('seeded resets', () => {
  for (const id of registeredIds().slice(0, 5)) {
    it(`${id}: same seed same start, different seeds different starts (single and vector)`, () => {
      const env = make(id);
      const a = Array.from(env.reset({ seed: 123 }).obs);
      expect(Array.from(make(id).reset({ seed: 123 }).obs)).toEqual(a);
      expect(Array.from(env.reset({ seed: 124 }).obs)).not.toEqual(a);
      const v = makeVec(id, 3).reset({ seed: 123 }).obs;
      const d = v.length / 3;
      expect(Array.from(v.subarray(0, d))).toEqual(a);
      expect(Array.from(v.subarray(d, 2 * d))).not.toEqual(Array.from(v.subarray(0, d)));
      expect(() => env.reset({ seed: 1.5 })).toThrow(/seed must be an integer, got 1.5/);
    });
  }
});
