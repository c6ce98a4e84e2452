/**
 * `--backend webgpu` through the `rl` command, in real processes, on Chromium's SwiftShader
 * adapter (a CPU implementation of Vulkan: correct, never fast): train, eval and serve run on
 * it, and the run records the adapter.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy } from '@rl/policy';
import { swiftShaderIcd, useSwiftShader } from '@rl/tf';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { rl, rlServe } from './harness.js';

let root: string;
let env: Record<string, string>;
beforeAll(() => {
  useSwiftShader(); // fails saying what to install when Chromium's SwiftShader is absent
  root = mkdtempSync(join(tmpdir(), 'rl-webgpu-cli-'));
  env = { VK_ICD_FILENAMES: swiftShaderIcd()!, RL_CONFIGS_DIR: mkdtempSync(join(root, 'no-configs-')) };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('rl … --backend webgpu (SwiftShader)', () => {
  it('train, eval and serve run on the WebGPU adapter; serve stops on SIGTERM with exit 0', async () => {
    const dir = join(root, 'run');
    const t = await rl(['train', '--backend', 'webgpu', '--out', dir, '--num-envs', '4', '--steps-per-iter', '8', '--total-steps', '32', '--hidden', '16,16', '--eval-episodes', '0'], { env });
    expect(t.status, t.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).backend).toBe('webgpu');
    const started = readFileSync(join(dir, 'train.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; backend?: { backend: string; adapter?: { software: boolean; backend: string } } })
      .find((l) => l.msg === 'run started');
    expect(started?.backend).toMatchObject({ backend: 'webgpu', adapter: { software: true, backend: 'vulkan' } });

    const e = await rl(['eval', dir, '--backend', 'webgpu', '--episodes', '2', '--json'], { env });
    expect(e.status, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ backend: 'webgpu', episodes: 2 });

    const { child, done, url } = await rlServe([dir, '--port', '0', '--backend', 'webgpu'], { env, timeoutMs: 120_000 });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const observations = [[0.01, 0, -0.02, 0], [0, 0.1, 0.03, -0.1], [0.2, -0.1, 0.1, 0.3], [-0.3, 0.5, -0.2, -0.4]];
    const res = await fetch(`${url}/act`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ observations, deterministic: true }) });
    expect(res.status).toBe(200);
    const { actions } = (await res.json()) as { actions: number[] };
    // the server (webgpu) acts as the saved policy does on cpu, here in the test process
    const saved = await loadPolicy(join(dir, 'model'), { backend: 'cpu' });
    expect(actions).toEqual(saved.actBatch(observations, { deterministic: true }));
    saved.dispose();
    child.kill('SIGTERM');
    const r = await done;
    expect(r.status, r.stderr).toBe(0);
  }, 300_000);
});
