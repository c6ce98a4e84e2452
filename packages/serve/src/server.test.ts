import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Discrete } from '@rl/env';
import { createPolicy, loadPolicy } from '@rl/policy';
import { initTf, tf, type BackendName } from '@rl/tf';
import { createServer, type PolicyServer } from './server.js';
import { CARTPOLE_OBS, PENDULUM_ACT, PENDULUM_OBS, metricValue, observations, postHugeUnknownField, withServer } from './testing.js';

let root: string;
let cartpoleDir: string;
let pendulumDir: string;

beforeAll(async () => {
  await initTf({ backend: 'cpu' });
  root = mkdtempSync(join(tmpdir(), 'rl-serve-test-'));
  cartpoleDir = join(root, 'cartpole');
  pendulumDir = join(root, 'pendulum');
  // Train-free fixtures: fresh policies for the real spaces, saved the way training saves them.
  const cp = createPolicy(CARTPOLE_OBS, new Discrete(2), { seed: 3, hidden: [16, 16] });
  await cp.save(cartpoleDir, { metadata: { envId: 'CartPole-v1' } });
  cp.dispose();
  const pd = createPolicy(PENDULUM_OBS, PENDULUM_ACT, { seed: 4, hidden: [16, 16] });
  await pd.save(pendulumDir, { metadata: { envId: 'Pendulum-v1' } });
  pd.dispose();
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function post(url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${url}/act`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function metricsText(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

describe.each(['cpu', 'wasm'] as BackendName[])('POST /act on %s', (backend) => {
  it('answers single and batch requests with the actions of loadPolicy(dir) (deterministic)', async () => {
    await withServer({ policyDir: cartpoleDir, backend }, async (_s, url) => {
      const ref = await loadPolicy(cartpoleDir);
      try {
        const obs = observations(CARTPOLE_OBS, 24, 1);
        const expected = ref.actBatch(obs, { deterministic: true });
        expect(new Set(expected).size).toBe(2); // both actions occur: the comparison can fail
        const singles = await Promise.all(obs.map((o) => post(url, { observation: o, deterministic: true })));
        expect(singles.map((r) => r.status)).toEqual(obs.map(() => 200));
        expect(singles.map((r) => r.json.action)).toEqual(expected);
        expect(singles.map((r) => r.json.action)).toEqual(obs.map((o) => ref.act(o, { deterministic: true })));
        const batch = await post(url, { observations: obs, deterministic: true });
        expect(batch).toEqual({ status: 200, json: { actions: expected } });
        // Sampled actions: integers of the space.
        const sampled = await post(url, { observations: obs });
        expect((sampled.json.actions as number[]).every((a) => a === 0 || a === 1)).toBe(true);
      } finally {
        ref.dispose();
      }
    });
    await withServer({ policyDir: pendulumDir, backend }, async (_s, url) => {
      const ref = await loadPolicy(pendulumDir);
      try {
        const obs = observations(PENDULUM_OBS, 10, 2);
        const expected = ref.actBatch(obs, { deterministic: true }) as number[][];
        const single = await post(url, { observation: obs[0], deterministic: true });
        expect(single.status).toBe(200);
        expect(single.json.action).toHaveLength(1);
        expect((single.json.action as number[])[0]).toBeCloseTo(expected[0]![0]!, 5);
        const batch = await post(url, { observations: obs, deterministic: true });
        const got = batch.json.actions as number[][];
        expect(got).toHaveLength(10);
        got.forEach((a, i) => expect(a[0]).toBeCloseTo(expected[i]![0]!, 5));
        const sampled = (await post(url, { observation: obs[0] })).json.action as number[];
        expect(sampled).toHaveLength(1);
        expect(Number.isFinite(sampled[0])).toBe(true);
      } finally {
        ref.dispose();
      }
    });
  });
});

describe('POST /act with "probabilities": true', () => {
  it('answers each action with π(·|s) (Discrete) or the Gaussian mean and std (Box), as loadPolicy does', async () => {
    await withServer({ policyDir: cartpoleDir }, async (_s, url) => {
      const ref = await loadPolicy(cartpoleDir);
      try {
        const obs = observations(CARTPOLE_OBS, 12, 21);
        const want = ref.actBatchWithDistribution(obs, { deterministic: true }) as { action: number; probabilities: number[] }[];
        expect(new Set(want.map((w) => w.action)).size).toBe(2);
        const single = await post(url, { observation: obs[0], deterministic: true, probabilities: true });
        expect(single).toEqual({ status: 200, json: want[0] });
        const batch = await post(url, { observations: obs, deterministic: true, probabilities: true });
        expect(batch.json).toEqual({ actions: want.map((w) => w.action), probabilities: want.map((w) => w.probabilities) });
        // Without the flag, the answer is the actions alone.
        expect((await post(url, { observations: obs, deterministic: true })).json).toEqual({ actions: want.map((w) => w.action) });
        // Sampled: the same probabilities, actions of the space.
        const sampled = await post(url, { observations: obs, probabilities: true });
        expect(sampled.json.probabilities).toEqual(want.map((w) => w.probabilities));
        expect((sampled.json.actions as number[]).every((a) => a === 0 || a === 1)).toBe(true);
        const bad = await post(url, { observation: obs[0], probabilities: 'yes' });
        expect([bad.status, bad.json.message]).toEqual([400, 'body/probabilities must be true or false, got "yes"']);
      } finally {
        ref.dispose();
      }
    });
    await withServer({ policyDir: pendulumDir }, async (_s, url) => {
      const ref = await loadPolicy(pendulumDir);
      try {
        const obs = observations(PENDULUM_OBS, 6, 22);
        const want = ref.actBatchWithDistribution(obs, { deterministic: true }) as { action: number[]; mean: number[]; std: number[] }[];
        expect((await post(url, { observation: obs[0], deterministic: true, probabilities: true })).json).toEqual(want[0]);
        const batch = await post(url, { observations: obs, deterministic: true, probabilities: true });
        expect(batch.json).toEqual({ actions: want.map((w) => w.action), mean: want.map((w) => w.mean), std: want.map((w) => w.std) });
      } finally {
        ref.dispose();
      }
    });
  });

  it('samples by default; the deterministic option makes the mode the default, a request still chooses', async () => {
    const obs = observations(PENDULUM_OBS, 8, 23);
    const ref = await loadPolicy(pendulumDir);
    const mode = ref.actBatch(obs, { deterministic: true });
    ref.dispose();
    await withServer({ policyDir: pendulumDir }, async (_s, url) => {
      expect((await post(url, { observations: obs })).json.actions).not.toEqual(mode);
    });
    await withServer({ policyDir: pendulumDir, deterministic: true }, async (_s, url) => {
      expect((await post(url, { observations: obs })).json.actions).toEqual(mode);
      expect((await post(url, { observations: obs, deterministic: false })).json.actions).not.toEqual(mode);
      expect(((await (await fetch(`${url}/metadata`)).json()) as { deterministic: boolean }).deterministic).toBe(true);
    });
  });
});

describe('request validation', () => {
  let server: PolicyServer;
  let url: string;
  beforeAll(async () => {
    server = await createServer({ policyDir: cartpoleDir, port: 0, maxBatch: 8, bodyLimit: 4096 });
    url = (await server.listen()).url;
  });
  afterAll(async () => {
    await server.close();
  });

  const shape = /CartPole-v1 observation shape \[4\]/;
  const cases: { name: string; body: unknown; headers?: Record<string, string>; status: number; message: RegExp[] }[] = [
    { name: 'short observation', body: { observation: [0, 0, 0] }, status: 400, message: [/^body\/observation must have 4 numbers/, shape, /got 3/] },
    { name: 'long observation', body: { observation: [0, 0, 0, 0, 0] }, status: 400, message: [/^body\/observation must have 4 numbers/, /got 5/] },
    { name: '"NaN" string', body: { observation: [0, 'NaN', 0, 0] }, status: 400, message: [/^body\/observation\/1 must be a finite float32 number/, /got "NaN"/] },
    { name: 'null', body: { observation: [0, 0, null, 0] }, status: 400, message: [/^body\/observation\/2 must be a finite float32 number/, /got null/] },
    { name: 'numeric string', body: { observation: ['1', 0, 0, 0] }, status: 400, message: [/^body\/observation\/0 must be a finite float32 number/, /got "1"/] },
    { name: 'Infinity (1e400)', body: '{"observation":[0,0,0,1e400]}', status: 400, message: [/^body\/observation\/3 must be a finite float32 number/, /got Infinity/] },
    { name: 'float32 overflow', body: '{"observation":[1e39,0,0,0]}', status: 400, message: [/^body\/observation\/0 must be a finite float32 number/] },
    { name: 'observation not an array', body: { observation: '0,0,0,0' }, status: 400, message: [/^body\/observation must be an array of 4 numbers/, shape] },
    { name: 'empty batch', body: { observations: [] }, status: 400, message: [/^body\/observations must hold at least 1 observation/] },
    { name: 'batch row too short', body: { observations: [[0, 0, 0, 0], [0, 0]] }, status: 400, message: [/^body\/observations\/1 must have 4 numbers/, shape] },
    { name: 'batch element bad', body: { observations: [[0, 0, 0, 0], [0, 0, 'x', 0]] }, status: 400, message: [/^body\/observations\/1\/2 must be a finite float32 number/] },
    { name: 'batch row not an array', body: { observations: [[0, 0, 0, 0], 7] }, status: 400, message: [/^body\/observations\/1 must be an array of 4 numbers/] },
    { name: 'oversized batch', body: { observations: Array.from({ length: 9 }, () => [0, 0, 0, 0]) }, status: 413, message: [/^body\/observations holds 9 observations; at most 8/] },
    { name: 'both fields', body: { observation: [0, 0, 0, 0], observations: [[0, 0, 0, 0]] }, status: 400, message: [/exactly one of "observation".*or "observations"/, shape] },
    { name: 'neither field', body: { deterministic: true }, status: 400, message: [/^body must have exactly one of/] },
    { name: 'unknown field', body: { observation: [0, 0, 0, 0], obs: 1 }, status: 400, message: [/^body has an unknown field "obs"/] },
    { name: '__proto__ key', body: '{"__proto__":{"polluted":1},"observation":[0,0,0,0]}', status: 400, message: [/unknown field "__proto__"/] },
    { name: 'deterministic not boolean', body: { observation: [0, 0, 0, 0], deterministic: 'yes' }, status: 400, message: [/^body\/deterministic must be true or false, got "yes"/] },
    { name: 'body is an array', body: [0, 0, 0, 0], status: 400, message: [/^body must be a JSON object/, /got an array of 4/] },
    { name: 'body is null', body: 'null', status: 400, message: [/^body must be a JSON object/] },
    { name: 'invalid JSON', body: '{"observation":[0,0,', status: 400, message: [/^body is not valid JSON/] },
    { name: 'empty body', body: '', status: 400, message: [/^body is empty/] },
    { name: 'oversized body', body: JSON.stringify({ observation: [0, 0, 0, 0], pad: 'x'.repeat(5000) }), status: 413, message: [/^body is larger than the limit of 4096 bytes/] },
    { name: 'text/plain', body: JSON.stringify({ observation: [0, 0, 0, 0] }), headers: { 'content-type': 'text/plain' }, status: 415, message: [/^content-type must be application\/json, got "text\/plain"/] },
    { name: 'form encoded', body: 'observation=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, message: [/content-type must be application\/json/] },
  ];

  it.each(cases)('$name → $status with a message naming the field', async (c) => {
    const r = await post(url, c.body, c.headers);
    expect(r.status).toBe(c.status);
    expect(r.json.statusCode).toBe(c.status);
    for (const m of c.message) expect(r.json.message).toMatch(m);
    // The server is still up and answers the next valid request.
    const ok = await post(url, { observation: [0.01, 0, 0.02, 0], deterministic: true });
    expect(ok.status).toBe(200);
    expect([0, 1]).toContain(ok.json.action);
  });

  it('never answered with a 5xx', async () => {
    const text = await metricsText(url);
    expect(text).toMatch(/rl_serve_requests_total\{route="\/act",method="POST",status="400"\} \d+/);
    expect(text).toMatch(/rl_serve_requests_total\{route="\/act",method="POST",status="413"\} \d+/);
    expect(text).toMatch(/rl_serve_requests_total\{route="\/act",method="POST",status="415"\} \d+/);
    expect(text).not.toMatch(/status="5\d\d"/);
  });

  it('an unknown field of 900 KB is named by its first 64 characters and its length, not echoed', async () => {
    await withServer({ policyDir: cartpoleDir }, async (_s, big) => {
      const r = await postHugeUnknownField(`${big}/act`, '"observation":[0,0,0,0]', 900_000, { 'content-type': 'application/json' });
      expect(r.status).toBe(400);
      expect(r.length).toBeLessThan(400);
      expect(r.message).toBe(`body has an unknown field "${'k'.repeat(64)}…" (900000 characters); allowed fields: observation, observations, deterministic, probabilities`);
    });
  });

  it('a method a route does not take is 405 with Allow (GET /act too); OPTIONS answers 204 with Allow', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/act', 'POST'],
      ['PUT', '/act', 'POST'],
      ['DELETE', '/act', 'POST'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['PATCH', '/metadata', 'GET, HEAD'],
      ['POST', '/metrics', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      // A body that is not JSON: the method is refused before the body is read.
      const res = await fetch(`${url}${path}`, { method, ...(method === 'GET' ? {} : { body: 'x', headers: { 'content-type': 'text/plain' } }) });
      expect([method, path, res.status, res.headers.get('allow')]).toEqual([method, path, 405, allow]);
      expect(await res.json()).toEqual({ statusCode: 405, error: 'Method Not Allowed', message: `${method} is not allowed on ${path}; use ${allow}` });
    }
    const options = await fetch(`${url}/act`, { method: 'OPTIONS' });
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'POST']);
    expect((await fetch(`${url}/healthz`, { method: 'HEAD' })).status).toBe(200);
    const text = await metricsText(url);
    expect(metricValue(text, 'rl_serve_requests_total{route="/act",method="GET",status="405"}')).toBe(1);
  });

  it('unknown routes get a JSON 404 listing the routes', async () => {
    const res = await fetch(`${url}/predict`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toMatch(/no route POST "\/predict"; routes: POST \/act/);
  });
});

describe('micro-batching, observability, resources', () => {
  it('answers 200 concurrent requests, each with its own rows, coalesced into batches', async () => {
    await withServer({ policyDir: pendulumDir, maxBatch: 64, maxWaitMs: 5 }, async (_s, url) => {
      const ref = await loadPolicy(pendulumDir);
      try {
        const obs = observations(PENDULUM_OBS, 200, 5);
        const expected = ref.actBatch(obs, { deterministic: true }) as number[][];
        // Every 10th request is a 3-observation batch: batch requests count with their size.
        const results = await Promise.all(
          obs.map((o, i) =>
            i % 10 === 0 ? post(url, { observations: [o, o, o], deterministic: true }) : post(url, { observation: o, deterministic: true }),
          ),
        );
        expect(results.filter((r) => r.status === 200)).toHaveLength(200);
        results.forEach((r, i) => {
          const got = i % 10 === 0 ? (r.json.actions as number[][]) : [r.json.action as number[]];
          for (const a of got) expect(a[0]).toBeCloseTo(expected[i]![0]!, 5);
        });
        const text = await metricsText(url);
        const passes = metricValue(text, 'rl_serve_batch_size_count');
        const rows = metricValue(text, 'rl_serve_batch_size_sum');
        expect(rows).toBe(180 + 20 * 3);
        expect(passes).toBeGreaterThan(0);
        // Coalescing: fewer forward passes than requests, i.e. some pass held more than one request.
        expect(metricValue(text, 'rl_serve_batch_requests_bucket{le="1"}')).toBeLessThan(passes);
        expect(passes).toBeLessThan(200);
        expect(metricValue(text, 'rl_serve_observations_total')).toBe(240);
      } finally {
        ref.dispose();
      }
    });
  });

  it('with micro-batching off, runs one forward pass per request', async () => {
    await withServer({ policyDir: cartpoleDir, maxWaitMs: 0 }, async (_s, url) => {
      const obs = observations(CARTPOLE_OBS, 40, 6);
      const res = await Promise.all(obs.map((o) => post(url, { observation: o })));
      expect(res.every((r) => r.status === 200)).toBe(true);
      const text = await metricsText(url);
      expect(metricValue(text, 'rl_serve_batch_size_count')).toBe(40);
      expect(metricValue(text, 'rl_serve_batch_size_bucket{le="1"}')).toBe(40);
    });
  });

  it('GET /healthz, /metadata and /metrics describe the server', async () => {
    await withServer({ policyDir: cartpoleDir }, async (_s, url) => {
      const health = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'ok', policyLoaded: true, backend: tf.getBackend() });
      expect(typeof health.numTensors).toBe('number');
      const meta = (await (await fetch(`${url}/metadata`)).json()) as Record<string, any>;
      expect(meta.observationSpace).toEqual(CARTPOLE_OBS.toJSON());
      expect(meta.actionSpace).toEqual({ type: 'Discrete', n: 2, start: 0 });
      expect(meta.envId).toBe('CartPole-v1');
      expect(meta.modelName).toBe('CartPole-v1');
      expect(meta.model.distribution).toBe('categorical');
      expect(meta.model.versions['@rl/policy']).toBeTypeOf('string');
      expect(meta.versions).toMatchObject({ tfjs: tf.version.tfjs, node: process.version });
      expect(meta.versions['@rl/serve']).toMatch(/^\d+\.\d+\.\d+/);
      expect(meta.batching).toEqual({ enabled: true, maxBatch: 256, maxWaitMs: 1, maxRequestBatch: 256 });
      await post(url, { observation: [0, 0, 0, 0] });
      const res = await fetch(`${url}/metrics`);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toMatch(/# TYPE rl_serve_requests_total counter/);
      expect(metricValue(text, 'rl_serve_requests_total{route="/act",method="POST",status="200"}')).toBe(1);
      expect(metricValue(text, 'rl_serve_request_duration_seconds_count{route="/act",method="POST"}')).toBe(1);
      expect(text).toMatch(/# TYPE rl_serve_batch_size histogram/);
      expect(text).toMatch(/^rl_serve_tf_tensors \d+$/m);
      expect(text).toMatch(/^rl_serve_process_resident_memory_bytes \d+/m);
    });
  });

  it('GET /metadata: envId from the saved metadata, null for a policy saved without one', async () => {
    const bare = join(root, 'bare');
    const p = createPolicy(CARTPOLE_OBS, new Discrete(2), { seed: 9, hidden: [8] });
    await p.save(bare);
    p.dispose();
    await withServer({ policyDir: bare }, async (s, url) => {
      const meta = (await (await fetch(`${url}/metadata`)).json()) as Record<string, unknown>;
      expect(meta).toMatchObject({ envId: null, modelName: 'bare' });
      expect(s.options.modelName).toBe('bare');
    });
  });

  it('writes one pino line per request, and the lifecycle', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) });
    await withServer({ policyDir: cartpoleDir, logger }, async (_s, url) => {
      await post(url, { observation: [0, 0, 0, 0] });
      await post(url, { observation: [0, 0] });
    });
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.map((l) => [l.method, l.url, l.status])).toEqual([
      ['POST', '/act', 200],
      ['POST', '/act', 400],
    ]);
    expect(typeof requests[0]!.ms).toBe('number');
    expect(typeof requests[0]!.reqId).toBe('string');
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['serving policy', 'shut down']));
  });

  it('keeps tf.memory().numTensors constant over many requests, good and bad', async () => {
    await withServer({ policyDir: pendulumDir }, async (_s, url) => {
      const obs = observations(PENDULUM_OBS, 50, 7);
      const round = () =>
        Promise.all([
          ...obs.map((o, i) => post(url, { observation: o, deterministic: i % 2 === 0 })),
          post(url, { observations: obs }),
          post(url, { observations: obs, deterministic: true }),
          post(url, { observation: [0, 0] }),
        ]);
      await round(); // warm-up: lazily created kernels and caches
      const before = ((await (await fetch(`${url}/healthz`)).json()) as { numTensors: number }).numTensors;
      for (let i = 0; i < 4; i++) await round();
      const after = ((await (await fetch(`${url}/healthz`)).json()) as { numTensors: number }).numTensors;
      expect(after).toBe(before);
      expect(tf.memory().numTensors).toBe(after);
    });
  });

  it('close() answers requests in flight, then refuses connections and frees the policy', async () => {
    const before = tf.memory().numTensors;
    // A long batching wait keeps the requests queued in the server until close() flushes them.
    const s = await createServer({ policyDir: cartpoleDir, port: 0, maxWaitMs: 30_000 });
    const { url } = await s.listen();
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    const obs = observations(CARTPOLE_OBS, 30, 8);
    const inflight = obs.map((o) => post(url, { observation: o }));
    while (s.batcher.pendingRows < obs.length) await new Promise((r) => setTimeout(r, 2));
    await s.close();
    const res = await Promise.all(inflight);
    expect(res.map((r) => r.status)).toEqual(obs.map(() => 200));
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('createServer options', () => {
  it('reports every bad option at once', async () => {
    const err = await createServer({ policyDir: cartpoleDir, maxBatch: 0, port: 70_000, maxWaitMs: -1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    for (const field of ['maxBatch', 'port', 'maxWaitMs']) expect((err as Error).message).toMatch(new RegExp(`${field}: `));
  });

  it('needs exactly one of policyDir or policy', async () => {
    await expect(createServer({})).rejects.toThrow(/exactly one of policyDir .* or policy/);
  });

  it('names the directory when the policy cannot be loaded', async () => {
    const missing = join(root, 'no-such-policy');
    await expect(createServer({ policyDir: missing })).rejects.toThrow(new RegExp(missing));
  });

  it('answers a client that sends too slowly with 408 and keeps serving', async () => {
    await withServer({ policyDir: cartpoleDir, requestTimeoutMs: 300 }, async (s, url) => {
      const sock = connect(s.address!.port, '127.0.0.1');
      let text = '';
      sock.on('data', (d: Buffer) => (text += d.toString()));
      const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
      // Headers promise 100 bytes of body; only 10 ever come.
      sock.write('POST /act HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"observa');
      await closed;
      expect(text).toMatch(/^HTTP\/1\.1 408/);
      expect((await post(url, { observation: [0, 0, 0, 0] })).status).toBe(200);
    });
  });

  it('serves an already loaded policy (embedding) without disposing it', async () => {
    const policy = await loadPolicy(cartpoleDir);
    try {
      await withServer({ policy, maxRequestBatch: 2 }, async (_s, url) => {
        expect((await post(url, { observations: [[0, 0, 0, 0], [0, 0, 0, 0]], deterministic: true })).status).toBe(200);
        expect((await post(url, { observations: [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]] })).status).toBe(413);
      });
      expect(policy.act([0, 0, 0, 0], { deterministic: true })).toBeTypeOf('number');
    } finally {
      policy.dispose();
    }
  });
});
