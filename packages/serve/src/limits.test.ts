import { Discrete } from '@rl/env';
import { createPolicy, loadPolicy } from '@rl/policy';
import { initTf, tf } from '@rl/tf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServeLimits, ServeLimitError } from './limits.js';
import { createServer } from './server.js';
import { CARTPOLE_OBS, withServer } from './testing.js';

let root: string;
beforeAll(async () => {
  await initTf({ backend: 'wasm' });
  root = mkdtempSync(join(tmpdir(), 'rl-serve-limits-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('server limits that cannot fit in memory are refused before listening', () => {
  it('a request body limit whose JSON cannot be parsed on the heap, and a batch too big for the backend: named with flag and estimate', async () => {
    const wide = createPolicy(CARTPOLE_OBS, new Discrete(2), { seed: 1, hidden: [2048] }); // one wide layer (orthogonal init of a square 4096² would take minutes)
    await wide.save(join(root, 'wide'));
    wide.dispose();
    const policy = await loadPolicy(join(root, 'wide'));
    expect(policy.network?.hidden).toEqual([2048]);
    const before = tf.memory().numTensors;
    await expect(createServer({ policy, bodyLimit: 2 ** 30 })).rejects.toThrow(
      /^bodyLimit \(--body-limit\) 1,073,741,824: one request body that large needs about 21 GB of JavaScript heap to parse \(20× its size\), more than the [\d.]+ GB V8's heap has left; lower --body-limit \(at most [\d,]+ here\)$/,
    );
    await expect(createServer({ policy, maxBatch: 2 ** 20 })).rejects.toThrow(
      /^maxBatch \(--max-batch\) 1,048,576: one forward pass of that many observations through hidden layers 2048 needs about \d+ GB, more than the wasm backend's 4\.29 GB of tensor memory; lower --max-batch$/,
    );
    await expect(createServer({ policy, maxBatch: 8, maxRequestBatch: 2 ** 20 })).rejects.toBeInstanceOf(ServeLimitError);
    expect(tf.memory().numTensors).toBe(before);
    // the defaults fit, and the server answers
    await withServer({ policy }, async (_s, url) => {
      const r = await fetch(`${url}/act`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ observation: [0, 0, 0, 0] }) });
      expect(r.status).toBe(200);
    });
    policy.dispose();
  });

  it('checks with the limits given: a GPU backend does not count tensors against host memory', () => {
    const spaces = { observationSpace: CARTPOLE_OBS, actionSpace: new Discrete(2), network: { hidden: [64, 64] } };
    const limits = { availableBytes: 1e9, totalBytes: 2e9, heapAvailableBytes: 4e9, maxArrayElements: 2 ** 32, tensorLimitBytes: undefined, tensorsInHostMemory: true };
    const options = { maxBatch: 2 ** 20, maxRequestBatch: 2 ** 20, bodyLimit: 2 ** 20 };
    expect(() => checkServeLimits(options, spaces, limits)).toThrow(/^maxBatch \(--max-batch\) 1,048,576: .* needs about 1\.1\d GB, more than the 1\.00 GB this machine has available/);
    checkServeLimits(options, spaces, { ...limits, tensorsInHostMemory: false });
  });
});
