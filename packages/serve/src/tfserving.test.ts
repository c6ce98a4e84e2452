/**
 * TF Serving's REST API on a real server (port 0) over real saved policies, with requests
 * shaped as TF Serving's documented examples (tensorflow_serving/g3doc/api_rest.md): row
 * format (`instances`), columnar format (`inputs`), model status and metadata, the `curl -d`
 * requests of its example section (content type application/x-www-form-urlencoded), and its
 * `{"error": …}` answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Discrete } from '@rl/env';
import { createPolicy, loadPolicy, type InferencePolicy } from '@rl/policy';
import { initTf, tf } from '@rl/tf';
import { createServer, type PolicyServer } from './server.js';
import { CARTPOLE_OBS, PENDULUM_ACT, PENDULUM_OBS, metricValue as metric, observations, postHugeUnknownField, withServer } from './testing.js';

let root: string;
let cartpoleDir: string;
let pendulumDir: string;
let runDir: string;

beforeAll(async () => {
  await initTf({ backend: 'cpu' });
  root = mkdtempSync(join(tmpdir(), 'rl-tfserving-'));
  cartpoleDir = join(root, 'cartpole');
  pendulumDir = join(root, 'pendulum');
  const cp = createPolicy(CARTPOLE_OBS, new Discrete(2), { seed: 11, hidden: [16] });
  await cp.save(cartpoleDir, { metadata: { envId: 'CartPole-v1', config: { seed: 11 } } });
  // A run directory as rl train lays it out, its policy saved without an env id.
  runDir = join(root, 'my-run');
  mkdirSync(runDir);
  await cp.save(join(runDir, 'model'));
  cp.dispose();
  const pd = createPolicy(PENDULUM_OBS, PENDULUM_ACT, { seed: 12, hidden: [16], logStdInit: -0.5 });
  await pd.save(pendulumDir, { metadata: { envId: 'Pendulum-v1' } });
  pd.dispose();
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A request as TF Serving's docs send it: `curl -d BODY -X POST URL` (curl's default content type). */
async function curl(url: string, body?: string, method = body === undefined ? 'GET' : 'POST') {
  const res = await fetch(url, { method, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }) });
  const text = await res.text();
  return { status: res.status, allow: res.headers.get('allow'), type: res.headers.get('content-type'), json: text === '' ? undefined : (JSON.parse(text) as Record<string, any>) };
}

const BATCHING = [
  { name: 'micro-batching on', opts: { maxBatch: 64, maxWaitMs: 5 }, on: true },
  { name: 'micro-batching off', opts: { maxWaitMs: 0 }, on: false },
];

describe.each(BATCHING)(':predict with $name', ({ opts, on }) => {
  it('Discrete: row and columnar requests answer the action and π(·|s) of each observation, as loadPolicy does', async () => {
    const ref = await loadPolicy(cartpoleDir);
    try {
      const obs = observations(CARTPOLE_OBS, 20, 1);
      const want = ref.actBatchWithDistribution(obs, { deterministic: true }) as { action: number; probabilities: number[] }[];
      expect(new Set(want.map((w) => w.action)).size).toBe(2); // both actions occur: the comparison can fail
      // `deterministic: true` as a server option: TF Serving's clients send no field of ours.
      await withServer({ policyDir: cartpoleDir, deterministic: true, ...opts }, async (_s, url) => {
        const predict = `${url}/v1/models/CartPole-v1:predict`;
        // Row format, one unnamed input: one list per instance. Sent one by one, concurrently.
        const singles = await Promise.all(obs.map((o) => curl(predict, JSON.stringify({ instances: [o] }))));
        expect(singles.map((r) => r.status)).toEqual(obs.map(() => 200));
        expect(singles.map((r) => r.json!.predictions[0])).toEqual(want);
        // Row format, several instances, the signature named; and instances as objects of named inputs.
        const rows = await curl(predict, JSON.stringify({ signature_name: 'serving_default', instances: obs }));
        expect(rows).toMatchObject({ status: 200, json: { predictions: want } });
        expect(Object.keys(rows.json!)).toEqual(['predictions']);
        const named = await curl(predict, JSON.stringify({ instances: obs.map((o) => ({ observation: o })) }));
        expect(named.json).toEqual({ predictions: want });
        // Columnar format: one tensor, or a map of input name to tensor; answered as columns.
        const columns = { outputs: { action: want.map((w) => w.action), probabilities: want.map((w) => w.probabilities) } };
        expect((await curl(predict, JSON.stringify({ inputs: obs }))).json).toEqual(columns);
        expect((await curl(predict, JSON.stringify({ inputs: { observation: obs } }))).json).toEqual(columns);
        // The same through a version path, and with our `deterministic` field saying the same.
        expect((await curl(`${url}/v1/models/CartPole-v1/versions/1:predict`, JSON.stringify({ instances: obs, deterministic: true }))).json).toEqual({ predictions: want });
        // Sampled (the field overrides the server's default): valid actions, the same probabilities.
        const sampled = await curl(predict, JSON.stringify({ instances: obs, deterministic: false }));
        const preds = sampled.json!.predictions as { action: number; probabilities: number[] }[];
        expect(preds.map((p) => p.probabilities)).toEqual(want.map((w) => w.probabilities));
        expect(preds.every((p) => p.action === 0 || p.action === 1)).toBe(true);

        const text = await (await fetch(`${url}/metrics`)).text();
        expect(metric(text, 'rl_serve_requests_total{route="/v1/models/:name:predict",method="POST",status="200"}')).toBe(obs.length + 6);
        const passes = metric(text, 'rl_serve_batch_size_count');
        expect(metric(text, 'rl_serve_batch_size_sum')).toBe(obs.length * 7);
        if (on) expect(passes).toBeLessThan(obs.length + 6); // the concurrent singles were coalesced
        else expect(passes).toBe(obs.length + 6); // one forward pass per request
      });
    } finally {
      ref.dispose();
    }
  });

  it('Box: each prediction is the action with the Gaussian mean and std it was drawn from', async () => {
    const ref = await loadPolicy(pendulumDir);
    try {
      const obs = observations(PENDULUM_OBS, 12, 2);
      const want = ref.actBatchWithDistribution(obs, { deterministic: true }) as { action: number[]; mean: number[]; std: number[] }[];
      await withServer({ policyDir: pendulumDir, ...opts }, async (_s, url) => {
        const predict = `${url}/v1/models/Pendulum-v1:predict`;
        const mode = await curl(predict, JSON.stringify({ instances: obs, deterministic: true }));
        expect(mode).toMatchObject({ status: 200, json: { predictions: want } });
        for (const p of mode.json!.predictions as { action: number[]; mean: number[]; std: number[] }[]) {
          expect(p.action).toEqual(p.mean);
          expect(p.std[0]).toBeCloseTo(Math.exp(-0.5), 6);
        }
        // The server's default is a sample of the policy: around the same mean, with the same std.
        const results = await Promise.all(obs.map((o) => curl(predict, JSON.stringify({ inputs: { observation: [o] } }))));
        results.forEach((r, i) => {
          expect(r.status).toBe(200);
          expect(r.json!.outputs.mean).toEqual([want[i]!.mean]);
          expect(r.json!.outputs.std).toEqual([want[i]!.std]);
          expect(r.json!.outputs.action[0]).toHaveLength(1);
        });
        expect(results.some((r, i) => r.json!.outputs.action[0][0] !== want[i]!.mean[0])).toBe(true);
      });
    } finally {
      ref.dispose();
    }
  });
});

describe('model status and metadata', () => {
  it('GET /v1/models/<name>[/versions/1] answers model_version_status; /metadata the serving_default signature with our spaces and env id', async () => {
    await withServer({ policyDir: cartpoleDir }, async (_s, url) => {
      const status = { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] };
      expect(await curl(`${url}/v1/models/CartPole-v1`)).toMatchObject({ status: 200, json: status });
      expect((await curl(`${url}/v1/models/CartPole-v1/versions/1`)).json).toEqual(status);
      const meta = await curl(`${url}/v1/models/CartPole-v1/metadata`);
      expect(meta.status).toBe(200);
      expect(meta.type).toMatch(/^application\/json/);
      const dim = (...sizes: number[]) => ({ dim: sizes.map((s) => ({ size: String(s), name: '' })), unknown_rank: false });
      expect(meta.json!.model_spec).toEqual({ name: 'CartPole-v1', signature_name: '', version: '1' });
      expect(meta.json!.metadata.signature_def.signature_def.serving_default).toEqual({
        inputs: { observation: { dtype: 'DT_FLOAT', tensor_shape: dim(-1, 4), name: 'observation' } },
        outputs: {
          action: { dtype: 'DT_INT64', tensor_shape: dim(-1), name: 'action' },
          probabilities: { dtype: 'DT_FLOAT', tensor_shape: dim(-1, 2), name: 'probabilities' },
        },
        method_name: 'tensorflow/serving/predict',
      });
      const rl = meta.json!.metadata.rl;
      expect(rl.envId).toBe('CartPole-v1');
      expect(rl.observationSpace).toEqual(CARTPOLE_OBS.toJSON());
      expect(rl.actionSpace).toEqual({ type: 'Discrete', n: 2, start: 0 });
      expect(rl.model.config).toEqual({ seed: 11 });
      expect((await curl(`${url}/v1/models/CartPole-v1/versions/1/metadata`)).json).toEqual(meta.json);
    });
    await withServer({ policyDir: pendulumDir }, async (_s, url) => {
      const outputs = (await curl(`${url}/v1/models/Pendulum-v1/metadata`)).json!.metadata.signature_def.signature_def.serving_default.outputs;
      expect(Object.keys(outputs)).toEqual(['action', 'mean', 'std']);
      expect(outputs.std.tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual(['-1', '1']);
    });
  });

  it('the model name: --model-name, else the env id, else the run directory’s name', async () => {
    await withServer({ policyDir: runDir }, async (s, url) => {
      expect(s.options.modelName).toBe('my-run');
      expect((await curl(`${url}/v1/models/my-run`)).status).toBe(200);
      expect((await (await fetch(`${url}/metadata`)).json()) as Record<string, unknown>).toMatchObject({ envId: null, modelName: 'my-run' });
    });
    await withServer({ policyDir: cartpoleDir, modelName: 'cartpole' }, async (_s, url) => {
      expect((await curl(`${url}/v1/models/cartpole/metadata`)).json!.model_spec.name).toBe('cartpole');
      const wrong = await curl(`${url}/v1/models/CartPole-v1`);
      expect(wrong).toMatchObject({ status: 404, json: { error: 'Servable not found for request: Latest(CartPole-v1); this server serves the model "cartpole"' } });
    });
    await expect(createServer({ policyDir: cartpoleDir, modelName: 'a/b:predict' })).rejects.toThrow(/modelName: must hold only letters, digits/);
  });
});

describe('errors in TF Serving’s shape', () => {
  let server: PolicyServer;
  let url: string;
  let ref: InferencePolicy;
  beforeAll(async () => {
    server = await createServer({ policyDir: cartpoleDir, port: 0, maxBatch: 8 });
    url = (await server.listen()).url;
    ref = await loadPolicy(cartpoleDir);
  });
  afterAll(async () => {
    await server.close();
    ref.dispose();
  });

  it('an unknown model is 404, as in TF Serving’s example (POST /v1/models/half:predict)', async () => {
    const r = await curl(`${url}/v1/models/half:predict`, '{"instances": [1.0,5.0]}');
    expect(r).toMatchObject({ status: 404, json: { error: 'Servable not found for request: Latest(half); this server serves the model "CartPole-v1"' } });
    expect(r.type).toMatch(/^application\/json/);
    expect((await curl(`${url}/v1/models/half`)).status).toBe(404);
    const v2 = await curl(`${url}/v1/models/CartPole-v1/versions/2:predict`, '{"instances": [[0,0,0,0]]}');
    expect(v2).toMatchObject({ status: 404, json: { error: expect.stringMatching(/Specific\(CartPole-v1, 2\); model "CartPole-v1" has version 1 only/) } });
    expect((await curl(`${url}/v1/models/CartPole-v1/labels/stable`)).json!.error).toMatch(/has no version labels/);
    expect((await curl(`${url}/v1/models`)).json!.error).toMatch(/^no route GET "\/v1\/models"; TF Serving routes of this server: GET \/v1\/models\/CartPole-v1/);
    const huge = 'x'.repeat(10_000); // under Node's 16 KB header limit
    const long = await curl(`${url}/v1/models/${huge}:predict`, '{"instances": [[0,0,0,0]]}');
    expect(long.status).toBe(404);
    expect(long.json!.error).toContain('(10000 characters)');
    expect(long.json!.error.length).toBeLessThan(300);
  });

  const n = 4;
  const cases: { name: string; body: string; status: number; error: RegExp }[] = [
    { name: 'TF’s scalar example (instances are not observations)', body: '{"instances": [1.0,2.0,5.0]}', status: 400, error: /^body\/instances\/0 must be an array of 4 numbers \(CartPole-v1 observation shape \[4\]\), got 1$/ },
    { name: 'short row', body: '{"instances": [[0,0,0,0],[0,0]]}', status: 400, error: /^body\/instances\/1 must have 4 numbers .*got 2$/ },
    { name: '"NaN" string', body: '{"instances": [[0,"NaN",0,0]]}', status: 400, error: /^body\/instances\/0\/1 must be a finite float32 number .*got "NaN"$/ },
    { name: 'float32 overflow', body: '{"inputs": [[1e39,0,0,0]]}', status: 400, error: /^body\/inputs\/0\/0 must be a finite float32 number/ },
    { name: 'empty instances', body: '{"instances": []}', status: 400, error: /^body\/instances must hold at least 1 observation/ },
    { name: 'too many instances', body: JSON.stringify({ instances: Array.from({ length: 9 }, () => new Array(n).fill(0)) }), status: 413, error: /^body\/instances holds 9 observations; at most 8/ },
    { name: 'instances not a list', body: '{"instances": {"observation": [0,0,0,0]}}', status: 400, error: /^body\/instances must be an array of observations/ },
    { name: 'an unknown named input', body: '{"instances": [{"obs": [0,0,0,0]}]}', status: 400, error: /^body\/instances\/0 has an unknown input "obs"; the model's one input is "observation"$/ },
    { name: 'columnar map without the input', body: '{"inputs": {}}', status: 400, error: /^body\/inputs must hold the input "observation"$/ },
    { name: 'columnar row too long', body: '{"inputs": {"observation": [[0,0,0,0,0]]}}', status: 400, error: /^body\/inputs\/observation\/0 must have 4 numbers/ },
    { name: 'both formats', body: '{"instances": [[0,0,0,0]], "inputs": [[0,0,0,0]]}', status: 400, error: /^body must have exactly one of "instances" \(row format.*or "inputs" \(columnar format\)$/ },
    { name: 'neither format', body: '{"signature_name": "serving_default"}', status: 400, error: /^body must have exactly one of "instances"/ },
    { name: 'another signature', body: '{"signature_name": "tensorflow/serving/regress", "instances": [[0,0,0,0]]}', status: 400, error: /^body\/signature_name: the model has no signature "tensorflow\/serving\/regress"; its one signature is "serving_default"$/ },
    { name: 'signature_name not a string', body: '{"signature_name": 3, "instances": [[0,0,0,0]]}', status: 400, error: /^body\/signature_name must be a string, got 3$/ },
    { name: 'deterministic not boolean', body: '{"deterministic": "yes", "instances": [[0,0,0,0]]}', status: 400, error: /^body\/deterministic must be true or false, got "yes"$/ },
    { name: 'unknown field', body: '{"examples": [], "instances": [[0,0,0,0]]}', status: 400, error: /^body has an unknown field "examples"; allowed fields: signature_name, instances, inputs, deterministic$/ },
    { name: 'body a list', body: '[[0,0,0,0]]', status: 400, error: /^body must be a JSON object with "instances" \(row format\) or "inputs" \(columnar format\), got an array of 1$/ },
    { name: 'invalid JSON', body: '{"instances": [[0,0,', status: 400, error: /^body is not valid JSON/ },
    { name: 'empty body', body: '', status: 400, error: /^body is empty/ },
  ];

  it.each(cases)('$name → $status {"error": …}', async (c) => {
    const r = await curl(`${url}/v1/models/CartPole-v1:predict`, c.body, 'POST');
    expect(r.status).toBe(c.status);
    expect(Object.keys(r.json!)).toEqual(['error']);
    expect(r.json!.error).toMatch(c.error);
    // The server still answers the next request.
    const ok = await curl(`${url}/v1/models/CartPole-v1:predict`, JSON.stringify({ instances: [[0.01, 0, 0.02, 0]], deterministic: true }));
    expect(ok.json).toEqual({ predictions: ref.actBatchWithDistribution([[0.01, 0, 0.02, 0]], { deterministic: true }) });
  });

  it('an unknown field of 900 KB is named by its first 64 characters and its length', async () => {
    const r = await postHugeUnknownField(`${url}/v1/models/CartPole-v1:predict`, '"instances": [[0,0,0,0]]', 900_000);
    expect(r.status).toBe(400);
    expect(r.length).toBeLessThan(400);
    expect(r.message).toBe(`body has an unknown field "${'k'.repeat(64)}…" (900000 characters); allowed fields: signature_name, instances, inputs, deterministic`);
  });

  it('classify and regress are 400 (a predict signature only); wrong methods are 405 with Allow; OPTIONS lists them', async () => {
    const classify = await curl(`${url}/v1/models/CartPole-v1:classify`, '{"examples": [{"x": 1}]}');
    expect(classify).toMatchObject({ status: 400, json: { error: expect.stringMatching(/has no classify signature/) } });
    const wrong: [string, string, string][] = [
      ['GET', '/v1/models/CartPole-v1:predict', 'POST'],
      ['PUT', '/v1/models/CartPole-v1/versions/1:predict', 'POST'],
      ['POST', '/v1/models/CartPole-v1', 'GET, HEAD'],
      ['DELETE', '/v1/models/CartPole-v1/metadata', 'GET, HEAD'],
      ['PATCH', '/v1/models/CartPole-v1/versions/1', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of wrong) {
      const r = await curl(`${url}${path}`, method === 'GET' ? undefined : '{}', method);
      expect([method, path, r.status, r.allow]).toEqual([method, path, 405, allow]);
      expect(r.json).toEqual({ error: `${method} is not allowed on ${path}; use ${allow}` });
    }
    const options = await curl(`${url}/v1/models/CartPole-v1:predict`, undefined, 'OPTIONS');
    expect([options.status, options.allow]).toEqual([204, 'POST']);
    const head = await fetch(`${url}/v1/models/CartPole-v1`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).not.toMatch(/status="5\d\d"/);
  });

  it('keeps tf.memory().numTensors constant over predictions, good and bad', async () => {
    const obs = observations(CARTPOLE_OBS, 8, 9);
    const round = () =>
      Promise.all([
        curl(`${url}/v1/models/CartPole-v1:predict`, JSON.stringify({ instances: obs })),
        curl(`${url}/v1/models/CartPole-v1:predict`, JSON.stringify({ inputs: obs, deterministic: true })),
        curl(`${url}/v1/models/CartPole-v1:predict`, JSON.stringify({ instances: [[0, 0]] })),
        curl(`${url}/v1/models/CartPole-v1/metadata`),
      ]);
    await round(); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await round();
    expect(tf.memory().numTensors).toBe(before);
  });
});
