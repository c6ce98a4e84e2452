import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box, Discrete } from '@rl/env';
import { initTf, tf } from '@rl/tf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyFromUrl } from './load_url.js';
import { createPolicy } from './policy.js';

const dir = mkdtempSync(join(tmpdir(), 'rl-load-url-'));
let server: Server;
let base: string;
/** Runs before the server answers a request for this path (once), e.g. to publish a new version mid-load. */
const beforeServing = new Map<string, () => Promise<void>>();

beforeAll(async () => {
  // A plain static server over the temp directory (what `pnpm web` does with a run's model/).
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const hook = beforeServing.get(path);
    beforeServing.delete(path);
    await hook?.();
    try {
      const body = readFileSync(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      res.writeHead(200).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
});

afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['cpu', 'wasm'] as const)('loadPolicyFromUrl on %s', (backend) => {
  it('loads a saved categorical and Gaussian policy over HTTP: same actions, log σ and metadata; nothing leaks', async () => {
    await initTf({ backend });
    const cases = [
      { name: `cat-${backend}`, obs: new Box([-1, -1, -1], [1, 1, 1]), act: new Discrete(4) },
      { name: `gauss-${backend}`, obs: new Box([-1, -1], [1, 1]), act: new Box([-2], [2]) },
    ];
    for (const c of cases) {
      const policy = createPolicy(c.obs, c.act, { seed: 5, hidden: [8], logStdInit: -0.5 });
      await policy.save(join(dir, c.name), { metadata: { envId: 'Test-v0' } });
      const x = tf.tensor2d(Array.from({ length: 6 * c.obs.size }, (_, i) => Math.sin(i)), [6, c.obs.size]);
      const want = tf.tidy(() => Array.from(policy.act(x, { deterministic: true }).dataSync()));
      const before = tf.memory().numTensors;
      const loaded = await loadPolicyFromUrl(`${base}${c.name}`); // no trailing slash: added
      expect(loaded.url).toBe(`${base}${c.name}`);
      expect(loaded.metadata.envId).toBe('Test-v0');
      expect(tf.tidy(() => Array.from(loaded.act(x, { deterministic: true }).dataSync()))).toEqual(want);
      if (c.act.type === 'Box') expect(Array.from(loaded.logStd!.dataSync())).toEqual(Array.from(policy.logStd!.dataSync()));
      loaded.dispose();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      policy.dispose();
    }
  });
});

describe('loadPolicyFromUrl errors name the URL', () => {
  it('missing directory, missing weights, invalid policy.json', async () => {
    await initTf({ backend: 'cpu' });
    await expect(loadPolicyFromUrl(`${base}nowhere/`)).rejects.toThrow(`policy file ${base}nowhere/policy.json could not be fetched: HTTP 404`);

    const policy = createPolicy(new Box([-1], [1]), new Discrete(2), { seed: 1, hidden: [4] });
    await policy.save(join(dir, 'broken'));
    policy.dispose();
    rmSync(join(dir, 'broken', 'weights.bin'));
    await expect(loadPolicyFromUrl(`${base}broken/`)).rejects.toThrow(`${base}broken/`);

    writeFileSync(join(dir, 'broken', 'policy.json'), JSON.stringify({ format: 'rl-policy', distribution: 'beta' }));
    await expect(loadPolicyFromUrl(`${base}broken/`)).rejects.toThrow(new RegExp(`policy file ${base.replace(/[./]/g, '\\$&')}broken/policy\\.json is invalid: .*"observationSpace".*"distribution"`));
    await expect(loadPolicyFromUrl('not a url')).rejects.toThrow(/"not a url" is not a URL/);
  });

  it('weights that differ from policy.json are refused naming their URL; a directory republished mid-load is loaded again whole', async () => {
    await initTf({ backend: 'cpu' });
    const make = (k: number) => {
      const p = createPolicy(new Box([-1], [1]), new Discrete(2), { seed: 1, hidden: [4] });
      p.setWeights(p.getWeights().map((w) => new Float32Array(w.length).fill(k)));
      return p;
    };
    const zeroed = make(1);
    await zeroed.save(join(dir, 'zeroed'));
    zeroed.dispose();
    writeFileSync(join(dir, 'zeroed', 'weights.bin'), Buffer.alloc(readFileSync(join(dir, 'zeroed', 'weights.bin')).length));
    await expect(loadPolicyFromUrl(`${base}zeroed/`)).rejects.toThrow(new RegExp(`^${base}zeroed/weights\\.bin: sha256 .* differs from the .* recorded in policy\\.json`));

    const [v1, v2] = [make(1), make(2)];
    await v1.save(join(dir, 'moving'));
    // between policy.json + model.json (version 1) and weights.bin, the writer publishes version 2
    beforeServing.set('/moving/weights.bin', () => v2.save(join(dir, 'moving')));
    const loaded = await loadPolicyFromUrl(`${base}moving/`);
    expect(Array.from(loaded.getWeights()[0]!)).toEqual(new Array(loaded.getWeights()[0]!.length).fill(2));
    loaded.dispose();
    v1.dispose();
    v2.dispose();
  });
});
