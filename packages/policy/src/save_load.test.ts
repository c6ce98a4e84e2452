import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { initTf, tf } from '@rl/tf';
import { Box, Discrete } from '@rl/env';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, truncateSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { createPolicy } from './policy.js';
import { fileIO } from './io.js';
import { loadPolicy, loadPolicyModel } from './load.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rl-policy-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Serves `dir` over HTTP on 127.0.0.1 (a real server, as a static host would). */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const file = join(dir, normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, ''));
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (typeof addr !== 'object' || addr === null) throw new Error('no address');
  return { server, url: `http://127.0.0.1:${addr.port}` };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`save and load on ${backend}`, () => {
    beforeAll(async () => {
      await initTf({ backend });
    });

    it('model.json is plain Layers format: loads with tf.loadLayersModel through fileIO and over HTTP, same outputs', async () => {
      const dir = join(root, `${backend}-cat`);
      const p = createPolicy(new Box(-1, 1, [4]), new Discrete(3), { seed: 3 });
      const w = p.getWeights();
      w[4] = w[4]!.map((v) => v * 100);
      p.setWeights(w);
      await p.save(dir, { metadata: { envId: 'CartPole-v1' } });
      expect(readdirSync(dir).sort()).toEqual(['model.json', 'policy.json', 'weights.bin']);
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      expect(json.format).toBe('layers-model');
      const classes = (json.modelTopology.config.layers as { class_name: string }[]).map((l) => l.class_name);
      expect(new Set(classes)).toEqual(new Set(['Dense']));
      expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);

      const x = tf.tidy(() => tf.randomNormal([9, 4], 0, 1, 'float32', 2)) as tf.Tensor2D;
      const ref = p.forwardPlain(x);
      const viaFile = await tf.loadLayersModel(fileIO(dir));
      const y1 = viaFile.predict(x) as tf.Tensor;
      const { server, url } = await serve(dir);
      try {
        const viaHttp = await tf.loadLayersModel(`${url}/model.json`);
        const y2 = viaHttp.predict(x) as tf.Tensor;
        expect(Array.from(y2.dataSync())).toEqual(Array.from(ref.dataSync()));
        y2.dispose();
        viaHttp.dispose();
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      expect(Array.from(y1.dataSync())).toEqual(Array.from(ref.dataSync()));
      tf.dispose([x, ref, y1]);
      viaFile.dispose();
      p.dispose();
    });

    it('loadPolicyModel restores weights, log σ, obsNorm and the sampling stream; loadPolicy answers plain arrays', async () => {
      const dir = join(root, `${backend}-gauss`);
      const obsNorm = { mean: Float32Array.from([0.5, -1, 0]), var: Float32Array.from([4, 1, 0.25]), count: 100, clip: 10, epsilon: 1e-8 };
      const p = createPolicy(new Box(-5, 5, [3]), new Box(-1, 1, [2]), { seed: 4, logStdInit: -1.25, obsNorm, hidden: [16] });
      await p.save(dir);
      const meta = JSON.parse(readFileSync(join(dir, 'policy.json'), 'utf8'));
      expect(meta.distribution).toBe('gaussian');
      expect(meta.logStd).toEqual([-1.25, -1.25]);
      expect(meta.obsNorm.mean).toEqual([0.5, -1, 0]);
      expect(meta.versions.tfjs).toBe(tf.version.tfjs);
      expect(meta.network).toEqual({ hidden: [16], activation: 'tanh' });

      const q = await loadPolicyModel(dir);
      expect(q.getWeights().map((a) => Array.from(a))).toEqual(p.getWeights().map((a) => Array.from(a)));
      expect(Array.from(q.obsNorm!.var)).toEqual([4, 1, 0.25]);
      const x = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
      const a1 = p.act(x);
      const a2 = q.act(x);
      expect(Array.from(a2.dataSync())).toEqual(Array.from(a1.dataSync()));
      tf.dispose([x, a1, a2]);
      q.dispose();

      const before = tf.memory().numTensors;
      const served = await loadPolicy(dir);
      expect(served.observationSpace.size).toBe(3);
      expect(served.metadata.distribution).toBe('gaussian');
      const det = served.act([1, 2, 3], { deterministic: true });
      const xd = tf.tensor2d([[1, 2, 3]]);
      const m = p.act(xd, { deterministic: true });
      expect(det).toEqual(Array.from(m.dataSync()));
      tf.dispose([xd, m]);
      const batch = served.actBatch([[1, 2, 3], [0, 0, 0], [-1, 0, 1]]);
      expect(batch).toHaveLength(3);
      expect((batch[0] as number[]).length).toBe(2);
      const flat = served.actBatch(Float32Array.from([1, 2, 3, 0, 0, 0]), { deterministic: true });
      expect(flat[0]).toEqual(det);
      // Each action with its Gaussian: the mode is the mean, σ = exp(log σ) stored with the policy.
      const dist = served.actBatchWithDistribution([[1, 2, 3], [0, 0, 0]], { deterministic: true });
      expect(dist).toHaveLength(2);
      const d0 = dist[0] as { action: number[]; mean: number[]; std: number[] };
      expect(d0.action).toEqual(det);
      expect(d0.mean).toEqual(det);
      for (const v of d0.std) expect(v).toBeCloseTo(Math.exp(-1.25), 6);
      const sampled = served.actBatchWithDistribution([[1, 2, 3]])[0] as { action: number[]; mean: number[] };
      expect(sampled.mean).toEqual(det);
      expect(sampled.action).not.toEqual(det);
      for (let i = 0; i < 50; i++) served.actBatchWithDistribution([[0.1, 0.2, 0.3]]);
      for (let i = 0; i < 200; i++) served.act([0.1, 0.2, 0.3]);
      served.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(() => served.act([1, 2, 3])).toThrow(/disposed/);
      p.dispose();
    });
  });
}

describe('save/load bad input (cpu)', () => {
  let dir: string;
  let policy: ReturnType<typeof createPolicy>;
  beforeAll(async () => {
    await initTf({ backend: 'cpu' });
    dir = join(root, 'good');
    policy = createPolicy(new Box(-1, 1, [4]), new Discrete(2, 0), { seed: 1, hidden: [8] });
    await policy.save(dir, { metadata: { envId: 'CartPole-v1' } });
  });
  afterAll(() => policy.dispose());

  function copyTo(name: string): string {
    const d = join(root, name);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    for (const f of ['model.json', 'weights.bin', 'policy.json']) {
      writeFileSync(join(d, f), readFileSync(join(dir, f)));
    }
    return d;
  }

  it('observations of the wrong length or batch shape, NaN and Infinity give errors naming index and value', async () => {
    const p = await loadPolicy(dir);
    expect(p.metadata.envId).toBe('CartPole-v1');
    expect(() => p.act([1, 2, 3])).toThrow(/observation has length 3, expected 4 for Box\(shape \[4\]/);
    expect(() => p.actBatch([[0, 0, 0, 0], [0, 0, 0]])).toThrow(/batch index 1 has length 3, expected 4/);
    expect(() => p.actBatch([])).toThrow(/batch is empty/);
    expect(() => p.actBatch(new Float32Array(6))).toThrow(/positive multiple of 4 values, got 6/);
    expect(() => p.act([0, NaN, 0, 0])).toThrow(/batch index 0, element 1 is NaN/);
    expect(() => p.actBatch([[0, 0, 0, 0], [0, 0, Infinity, 0]])).toThrow(/batch index 1, element 2 is Infinity/);
    expect(() => p.actBatch(Float32Array.from([0, 0, 0, 0, 0, -Infinity, 0, 0]))).toThrow(/batch index 1, element 1 is -Infinity/);
    expect(() => p.actBatch([[0, 0, '1' as unknown as number, 0]])).toThrow(/element 2 is "1" \(must be a finite number\)/);
    // a batch given to act(): each element is an array, shown as one
    expect(() => p.act([[1], [2], [3], [4]] as unknown as number[])).toThrow(/batch index 0, element 0 is \[1\] \(must be a finite number\)/);
    const a = p.actBatch([[0, 0, 0, 0], [1, 1, 1, 1]]);
    expect(a.every((v) => v === 0 || v === 1)).toBe(true);
    // Discrete: each action with π(·|s); the mode is the most probable action.
    const before = tf.memory().numTensors;
    const dist = p.actBatchWithDistribution([[0, 0, 0, 0], [1, -1, 1, -1]], { deterministic: true }) as { action: number; probabilities: number[] }[];
    for (const r of dist) {
      expect(r.probabilities).toHaveLength(2);
      expect(r.probabilities[0]! + r.probabilities[1]!).toBeCloseTo(1, 6);
      expect(r.action).toBe(r.probabilities.indexOf(Math.max(...r.probabilities)));
    }
    expect(dist.map((r) => r.action)).toEqual(p.actBatch([[0, 0, 0, 0], [1, -1, 1, -1]], { deterministic: true }));
    expect(() => p.actBatchWithDistribution([[0, 0, 0]])).toThrow(/policy.actBatchWithDistribution: observation at batch index 0 has length 3, expected 4/);
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('a missing or corrupt model.json, weights file or policy.json is named in the error', async () => {
    const noModel = copyTo('no-model');
    unlinkSync(join(noModel, 'model.json'));
    await expect(loadPolicy(noModel)).rejects.toThrow(new RegExp(`model file ${join(noModel, 'model.json')} cannot be read: file not found`));

    const badModel = copyTo('bad-model');
    writeFileSync(join(badModel, 'model.json'), '{"modelTopology": ');
    await expect(loadPolicy(badModel)).rejects.toThrow(/model file .*bad-model\/model.json is not valid JSON/);

    const notLayers = copyTo('not-layers');
    writeFileSync(join(notLayers, 'model.json'), '{"hello": 1}');
    await expect(loadPolicy(notLayers)).rejects.toThrow(/not-layers\/model.json has no "modelTopology"/);

    const noWeights = copyTo('no-weights');
    unlinkSync(join(noWeights, 'weights.bin'));
    await expect(loadPolicy(noWeights)).rejects.toThrow(/weights file .*no-weights\/weights.bin .*file not found/);

    const shortWeights = copyTo('short-weights');
    truncateSync(join(shortWeights, 'weights.bin'), 100);
    await expect(loadPolicy(shortWeights)).rejects.toThrow(/short-weights\/weights.bin hold 100 bytes, the manifest .* needs 232 \(truncated or corrupt\)/);

    const noMeta = copyTo('no-meta');
    unlinkSync(join(noMeta, 'policy.json'));
    await expect(loadPolicy(noMeta)).rejects.toThrow(/policy file .*no-meta\/policy.json cannot be read: file not found/);

    const badMeta = copyTo('bad-meta');
    writeFileSync(join(badMeta, 'policy.json'), 'not json');
    await expect(loadPolicy(badMeta)).rejects.toThrow(/policy file .*bad-meta\/policy.json is not valid JSON/);

    const badField = copyTo('bad-field');
    const meta = JSON.parse(readFileSync(join(badField, 'policy.json'), 'utf8'));
    meta.distribution = 'gaussian';
    writeFileSync(join(badField, 'policy.json'), JSON.stringify(meta));
    await expect(loadPolicy(badField)).rejects.toThrow(/"distribution" is "gaussian" but Discrete\(2\) needs "categorical"/);

    const badFields = copyTo('bad-fields');
    const meta2 = JSON.parse(readFileSync(join(badFields, 'policy.json'), 'utf8'));
    meta2.obsNorm = { mean: [0, 0, 0, 0], var: [1, -1, 1, 1], count: 1, clip: 5, epsilon: 1e-8 };
    meta2.network = { hidden: [8], activation: 'gelu' };
    writeFileSync(join(badFields, 'policy.json'), JSON.stringify(meta2));
    await expect(loadPolicy(badFields)).rejects.toThrow(/bad-fields\/policy.json is invalid: "obsNorm.var.1": .*; "network.activation": /);

    const badSpace = copyTo('bad-space');
    const meta3 = JSON.parse(readFileSync(join(badSpace, 'policy.json'), 'utf8'));
    meta3.actionSpace = { type: 'Discrete', n: -2 };
    writeFileSync(join(badSpace, 'policy.json'), JSON.stringify(meta3));
    await expect(loadPolicy(badSpace)).rejects.toThrow(/bad-space\/policy.json: bad space: Discrete: n must be a positive integer, got -2/);
  });

  it('a model whose input size does not match the stored spaces is rejected naming both', async () => {
    const d = copyTo('mismatch');
    const meta = JSON.parse(readFileSync(join(d, 'policy.json'), 'utf8'));
    meta.observationSpace = new Box(-1, 1, [6]).toJSON();
    writeFileSync(join(d, 'policy.json'), JSON.stringify(meta));
    const before = tf.memory().numTensors;
    await expect(loadPolicy(d)).rejects.toThrow(/model.json does not match the spaces in .*policy.json: policy: the model's input shape is \[null, 4\] but Box\(shape \[6\].*needs \[null, 6\]/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a failing save never clobbers the existing good model and leaves no temporary directories', async () => {
    const before = readFileSync(join(dir, 'weights.bin'));
    const other = createPolicy(new Box(-1, 1, [4]), new Discrete(2), { seed: 99, hidden: [8] });
    await expect(other.save(dir, { metadata: { bad: 1n as unknown as number } })).rejects.toThrow(/could not write .*good \(the previous contents are untouched\)/);
    expect(readFileSync(join(dir, 'weights.bin')).equals(before)).toBe(true);
    expect(readdirSync(root).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);
    const p = await loadPolicy(dir);
    p.dispose();
    // a good save replaces it
    await other.save(dir);
    expect(readFileSync(join(dir, 'weights.bin')).equals(before)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);
    other.dispose();
  });

  it('numTensors is unchanged after a save/load cycle', async () => {
    const d = join(root, 'cycle');
    const before = tf.memory().numTensors;
    const p = createPolicy(new Box(-1, 1, [3]), new Box(-1, 1, [1]), { seed: 1, hidden: [8] });
    await p.save(d);
    const q = await loadPolicyModel(d);
    const x = tf.zeros([2, 3]) as tf.Tensor2D;
    q.act(x).dispose();
    x.dispose();
    q.dispose();
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('loadPolicy with a backend option', () => {
  it('initialises the requested backend and answers on it', async () => {
    await initTf({ backend: 'cpu' });
    const d = join(root, 'backend-switch');
    const p = createPolicy(new Box(-1, 1, [2]), new Discrete(3), { seed: 6, hidden: [8] });
    await p.save(d);
    const served = await loadPolicy(d, { backend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    const a = served.actBatch([[0.5, -0.5], [0, 0]], { deterministic: true });
    const x = tf.tensor2d([[0.5, -0.5], [0, 0]]);
    const ref = p.act(x, { deterministic: true });
    expect(a).toEqual(Array.from(ref.dataSync()));
    tf.dispose([x, ref]);
    served.dispose();
    p.dispose();
  });
});
