/**
 * The WebGPU backend in Node (Dawn) on the SwiftShader adapter: a CPU implementation of Vulkan
 * that Chromium ships. It proves the path correct, never fast. CI installs it (`chromium`,
 * `libvulkan1`); without it these tests fail saying what to install.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendInfo, countReadBacks, findSharedLibrary, gpuDeviceNodes, inContainer, initTf, listWebgpuAdapters, swiftShaderIcd, tf, useSwiftShader } from './index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..', '..');

/** Runs a TypeScript snippet in a fresh `node` (tsx, source condition) and returns how it ended. */
function runChild(code: string, env: Record<string, string | undefined>, extraArgs: string[] = []): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rl-webgpu-'));
  try {
    const file = join(dir, 'child.mts'); // ESM: top-level await
    writeFileSync(file, code);
    const r = spawnSync(process.execPath, [...extraArgs, '--conditions=source', '--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TF_ENTRY = JSON.stringify(join(HERE, 'index.ts'));

describe('WebGPU in Node on SwiftShader', () => {
  beforeAll(() => {
    useSwiftShader(); // throws "install it with `apt-get install chromium libvulkan1`" when absent
  });
  afterAll(async () => {
    await initTf({ backend: 'cpu' });
  });

  it('finds the Vulkan loader and SwiftShader', () => {
    expect(findSharedLibrary('libvulkan.so.1'), 'the Vulkan loader: apt-get install libvulkan1').toMatch(/libvulkan\.so\.1$/);
    expect(swiftShaderIcd()).toMatch(/vk_swiftshader_icd\.json$/);
    expect(findSharedLibrary('libno-such-library.so.7')).toBeUndefined();
  });

  it('initTf({ backend: "webgpu" }) reports the adapter: SwiftShader, Vulkan, software', async () => {
    const info = await initTf({ backend: 'webgpu' });
    expect(info.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.syncReadback).toBe(true);
    expect(info.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', backend: 'vulkan', software: true });
    expect(info.adapter!.name).toMatch(/swiftshader/i);
    expect(backendInfo()?.adapter).toEqual(info.adapter);
    expect(await listWebgpuAdapters()).toContainEqual(info.adapter);
  });

  it('computes what cpu computes, read back synchronously and asynchronously', async () => {
    const a = new Float32Array(96 * 64).map((_, i) => Math.sin(i * 0.37));
    const b = new Float32Array(64 * 48).map((_, i) => Math.cos(i * 0.11));
    const f = () => tf.tidy(() => tf.tanh(tf.matMul(tf.tensor2d(a, [96, 64]), tf.tensor2d(b, [64, 48]))).sum(1));
    await initTf({ backend: 'cpu' });
    const want = f().dataSync();
    await initTf({ backend: 'webgpu' });
    const before = tf.memory().numTensors;
    const y = f();
    const counted = countReadBacks(() => y.dataSync());
    expect(counted.reads).toBe(1);
    expect(counted.deviceReads).toBe(1); // one GPU buffer mapped
    const got = counted.result;
    expect(got.length).toBe(96);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4);
    const z = f();
    const asyncGot = await z.data();
    for (let i = 0; i < want.length; i++) expect(Math.abs(asyncGot[i]! - want[i]!)).toBeLessThan(1e-4);
    // int32 and bool outputs come back typed
    const am = tf.tidy(() => tf.tensor2d(a, [96, 64]).argMax(1));
    expect(am.dataSync()).toBeInstanceOf(Int32Array);
    tf.dispose([y, z, am]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a synchronous read while asynchronous reads are pending: every value right, nothing left hanging', async () => {
    await initTf({ backend: 'webgpu' });
    const x = tf.tensor2d(new Float32Array(64 * 64).map((_, i) => Math.sin(i)), [64, 64]);
    const want = await tf.tidy(() => tf.matMul(x, x).sum(1)).data();
    const pending = [0, 1, 2].map((k) => tf.tidy(() => tf.matMul(x, x).sum(1).add(k)));
    const reads = pending.map((t) => t.data()); // mapping, not yet resolved
    const now = tf.tidy(() => tf.matMul(x, x).sum(1).mul(2));
    const sync = now.dataSync(); // processes Dawn's events itself, beside the queued ones
    const asyncValues = await Promise.all(reads);
    for (let i = 0; i < 64; i++) {
      expect(Math.abs(sync[i]! - 2 * want[i]!)).toBeLessThan(1e-3);
      asyncValues.forEach((v, k) => expect(Math.abs(v[i]! - (want[i]! + k))).toBeLessThan(1e-3));
    }
    // and the event loop still drives later asynchronous reads
    const later = tf.tidy(() => tf.matMul(x, x).sum(1));
    expect(Array.from(await later.data())).toEqual(Array.from(want));
    tf.dispose([x, ...pending, now, later]);
  });

  it('auto never picks a software adapter, and says why it skipped webgpu', async () => {
    const info = await initTf({ backend: 'auto' });
    expect(info.backend).not.toBe('webgpu');
    expect(info.skipped[0]!.backend).toBe('webgpu');
    // this machine has no GPU device node; on one with a node but only SwiftShader the reason names the software adapter
    expect(info.skipped[0]!.reason).toMatch(/no GPU device|software implementation on the CPU; auto never picks one/);
  });

  it('the process exits by itself after WebGPU work (navigator.gpu released)', () => {
    const r = runChild(
      `import { initTf, tf } from ${TF_ENTRY};\n` +
        `const info = await initTf({ backend: 'webgpu' });\n` +
        `const x = tf.randomNormal([64, 64], 0, 1, 'float32', 1);\n` +
        `const s = tf.matMul(x, x).sum();\n` +
        `console.log(JSON.stringify({ backend: info.backend, software: info.adapter?.software, sync: s.dataSync()[0], async: (await s.data())[0], navigatorGpu: typeof (globalThis as any).navigator?.gpu }));\n`,
      { VK_ICD_FILENAMES: swiftShaderIcd() },
    );
    expect(r.signal, r.stderr).toBeNull(); // not killed by the 60 s timeout
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { backend: string; software: boolean; sync: number; async: number; navigatorGpu: string };
    expect(out).toMatchObject({ backend: 'webgpu', software: true, navigatorGpu: 'undefined' });
    expect(out.sync).toBeCloseTo(out.async, 5);
  });

  it('no adapter: the error says so and how to fix it (driver, or SwiftShader for a correctness check)', () => {
    const r = runChild(
      `import { initTf } from ${TF_ENTRY};\n` +
        `try { await initTf({ backend: 'webgpu' }); console.log('initialised'); } catch (e) { console.log(JSON.stringify({ name: (e as Error).name, message: (e as Error).message, fix: (e as { fix?: string }).fix })); }\n`,
      { VK_ICD_FILENAMES: join(tmpdir(), 'no-such-vulkan-driver.json') },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { name: string; message: string; fix: string };
    expect(out.name).toBe('BackendUnavailableError');
    expect(out.message).toMatch(/^backend "webgpu": no usable Vulkan adapter/);
    expect(out.message).toContain(`VK_ICD_FILENAMES=${swiftShaderIcd()}`);
    if (gpuDeviceNodes().length === 0 && !inContainer()) {
      // a machine without a GPU (as CI's): the message says so, and the one fix here is the software adapter
      expect(out.message).toContain('no GPU is visible to this process (no /dev/dri/renderD*, /dev/nvidia*, /dev/dxg)');
      expect(out.fix).toBe(`VK_ICD_FILENAMES=${swiftShaderIcd()} (SwiftShader, a software adapter: correctness only)`);
    } else {
      expect(out.fix).toMatch(/mesa-vulkan-drivers|nvidia|docker run --gpus all/);
    }
  });

  it('without the webgpu package: the error names it and the install command', () => {
    // a resolve hook that makes the optional package unresolvable, as on a machine without it
    const hook = `data:text/javascript,${encodeURIComponent(
      "export async function resolve(s, c, next) { if (s === 'webgpu') { const e = new Error(\"Cannot find package 'webgpu'\"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }",
    )}`;
    const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;
    const r = runChild(
      `import { initTf } from ${TF_ENTRY};\n` +
        `try { await initTf({ backend: 'webgpu' }); console.log('initialised'); } catch (e) { console.log(JSON.stringify({ name: (e as Error).name, message: (e as Error).message, fix: (e as { fix?: string }).fix })); }\n`,
      { VK_ICD_FILENAMES: swiftShaderIcd() },
      ['--import', register],
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { name: string; message: string; fix: string };
    expect(out.name).toBe('BackendUnavailableError');
    expect(out.message).toMatch(/^backend "webgpu": needs the optional package webgpu .*Cannot find package 'webgpu'.*pnpm add webgpu@0\.6\.2/);
    expect(out.fix).toBe('pnpm add webgpu@0.6.2');
  });
});
