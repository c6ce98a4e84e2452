import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { initTf, backendInfo, localWasmDir, tf, BackendUnavailableError } from './index.js';

describe('initTf', () => {
  afterAll(async () => {
    await initTf({ backend: 'cpu' });
  });

  it('runs the wasm backend from local .wasm files (no network)', async () => {
    const dir = localWasmDir();
    expect(existsSync(dir + 'tfjs-backend-wasm-simd.wasm')).toBe(true);
    // Any network fetch would fail on this machine; make sure none is attempted.
    const realFetch = globalThis.fetch;
    let fetched = 0;
    globalThis.fetch = ((...a: Parameters<typeof fetch>) => {
      fetched++;
      return realFetch(...a);
    }) as typeof fetch;
    try {
      const info = await initTf({ backend: 'wasm' });
      expect(info.backend).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
      const y = tf.tidy(() => tf.tensor1d([0, 1]).tanh().dataSync());
      expect(y[1]).toBeCloseTo(Math.tanh(1), 6);
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(fetched).toBe(0);
  });

  it('selects cpu and reports it', async () => {
    const logs: string[] = [];
    const info = await initTf({ backend: 'cpu', log: (m) => logs.push(m) });
    expect(info.backend).toBe('cpu');
    expect(backendInfo()?.backend).toBe('cpu');
    expect(logs[0]).toContain('cpu');
  });

  it('names the package to install when a native backend is absent', async () => {
    await expect(initTf({ backend: 'tensorflow-gpu' })).rejects.toThrow(/@tensorflow\/tfjs-node-gpu.*pnpm add/);
    await expect(initTf({ backend: 'tensorflow' })).rejects.toThrow(/@tensorflow\/tfjs-node\b/);
  });

  it('auto falls back past absent native backends to wasm', async () => {
    const info = await initTf({ backend: 'auto' });
    expect(info.backend).toBe('wasm');
    // webgpu first: never a software adapter, and this machine has no GPU (see webgpu.test.ts)
    expect(info.skipped.map((s) => s.backend)).toEqual(['webgpu', 'tensorflow-gpu', 'tensorflow']);
  });

  it('auto logs what it skipped and why, in one line', async () => {
    const lines: { msg: string; fields: Record<string, unknown> }[] = [];
    await initTf({ backend: 'auto', log: (msg, fields) => lines.push({ msg, fields }) });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/^tfjs backend: wasm; auto skipped webgpu \(.+\); tensorflow-gpu \(needs the optional package @tensorflow\/tfjs-node-gpu.*\); tensorflow \(/);
    expect((lines[0]!.fields.skipped as { backend: string }[]).map((s) => s.backend)).toEqual(['webgpu', 'tensorflow-gpu', 'tensorflow']);
  });

  it('a missing optional package names the fix on the error', async () => {
    const err = await initTf({ backend: 'tensorflow' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).fix).toBe(`pnpm add @tensorflow/tfjs-node@${tf.version.tfjs}`);
    expect((err as BackendUnavailableError).backend).toBe('tensorflow');
  });

  it('webgl belongs to the browser entry: in Node it says so', async () => {
    await expect(initTf({ backend: 'webgl' as never })).rejects.toThrow(/backend "webgl" runs in a browser.*"browser" export condition.*In Node choose one of auto, webgpu, tensorflow-gpu, tensorflow, wasm, cpu/);
  });

  it('rejects an unknown backend with the list', async () => {
    await expect(initTf({ backend: 'metal' as never })).rejects.toThrow(/auto, webgpu, tensorflow-gpu, tensorflow, wasm, cpu/);
  });
});
