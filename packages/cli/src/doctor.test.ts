import { spawnSync } from 'node:child_process';
import { swiftShaderIcd, useSwiftShader } from '@rl/tf';
import { beforeAll, describe, expect, it } from 'vitest';
import { recommend, type DoctorBackend, type DoctorReport } from './doctor.js';
import { childEnv, RL_BIN } from './harness.js';

/** Runs `rl doctor …` with the given Vulkan driver manifest (undefined: the system's own drivers). */
function doctor(args: string[], icd: string | undefined): { status: number | null; stdout: string; stderr: string } {
  const env = childEnv(icd ? { VK_ICD_FILENAMES: icd } : {});
  if (!icd) delete env.VK_ICD_FILENAMES;
  const r = spawnSync(process.execPath, [RL_BIN, 'doctor', ...args], { env, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rl doctor', () => {
  beforeAll(() => {
    useSwiftShader(); // fails saying what to install when Chromium's SwiftShader is absent
  });

  it('--json: one JSON document; webgpu on SwiftShader listed as software, probed (capped), never recommended', () => {
    const r = doctor(['--json'], swiftShaderIcd());
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1); // exactly one document on stdout
    const rep = JSON.parse(r.stdout) as DoctorReport;
    expect(rep.versions).toMatchObject({ tfjs: '4.22.0', webgpu: '0.6.2' });
    expect(rep.versions.node).toBe(process.version);
    expect(rep.backends.map((b) => b.name)).toEqual(['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    const by = Object.fromEntries(rep.backends.map((b) => [b.name, b]));
    expect(by.webgpu).toMatchObject({ available: true, adapter: { vendor: 'google', architecture: 'swiftshader', backend: 'vulkan', software: true } });
    expect(rep.webgpu.adapters).toContainEqual(by.webgpu!.adapter);
    expect(by.webgpu!.probe!.capped).toMatch(/software adapter/);
    expect(by['tensorflow-gpu']).toMatchObject({ available: false, fix: 'pnpm add @tensorflow/tfjs-node-gpu@4.22.0' });
    expect(by['tensorflow-gpu']!.reason).toMatch(/needs the optional package @tensorflow\/tfjs-node-gpu/);
    // the probes measured the framework's own paths
    const wasm = by.wasm!.probe!;
    expect(wasm.error).toBeNull();
    const js = wasm.rollout.find((p) => p.env === 'js')!;
    const tensor = wasm.rollout.find((p) => p.env === 'tensor')!;
    expect(js).toMatchObject({ numEnvs: 1024, readBacks: js.steps }); // one read-back per vector step
    expect(tensor).toMatchObject({ numEnvs: 1024, readBacks: 1 }); // one at the end
    expect(js.stepsPerSec).toBeGreaterThan(0);
    expect(wasm.update).toMatchObject({ batch: 4096 });
    expect(wasm.update!.ms).toBeGreaterThan(0);
    expect(by.webgpu!.probe!.rollout.find((p) => p.env === 'tensor')!.deviceReads).toBe(1);
    // tfjs-node-gpu's CUDA 11.2 / cuDNN 8 libraries, looked up on the linker's path
    expect(rep.cuda.libraries.map((l) => l.name)).toContain('libcudnn.so.8');
    expect(rep.webgpu.vulkanLoader).toMatch(/libvulkan\.so\.1$/);
    expect(rep.recommended.backend).not.toBe('webgpu');
    expect(['wasm', 'cpu']).toContain(rep.recommended.backend);
    expect(rep.recommended.command).toMatch(/^rl train --backend (wasm|cpu)/);
    expect(rep.recommended.reason).toMatch(/webgpu left out: a software adapter is never recommended/);
  }, 300_000);

  it('text, --no-probe, the system drivers only: webgpu unavailable with the reason and the one fix; exit 0', () => {
    const r = doctor(['--no-probe'], undefined);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^rl doctor: versions node v\d+/);
    expect(r.stdout).toMatch(/\n {2}webgpu +unavailable: backend "webgpu": /);
    expect(r.stdout).toMatch(/\n {2}tensorflow-gpu +unavailable: .*\n +fix: pnpm add @tensorflow\/tfjs-node-gpu@4\.22\.0/);
    expect(r.stdout).toMatch(/\n {2}wasm +available\n/);
    expect(r.stdout).toContain('libcudart.so.11.0');
    expect(r.stdout).not.toContain('probe (');
    expect(r.stdout).toMatch(/\nrecommended: wasm — the first available backend in auto's order \(no probe ran\)/);
  }, 120_000);
});

describe('recommend', () => {
  const probe = (jsSps: number, tensorSps: number, ms: number, batch = 4096): DoctorBackend['probe'] => ({
    rollout: [
      { env: 'js', numEnvs: 1024, steps: 8, stepsPerSec: jsSps, readBacks: 8, deviceReads: 0, kernelsPerStep: undefined },
      { env: 'tensor', numEnvs: 1024, steps: 8, stepsPerSec: tensorSps, readBacks: 1, deviceReads: 0, kernelsPerStep: 20 },
    ],
    update: { batch, ms, runs: [ms] },
    capped: null,
    error: null,
  });
  const backend = (name: string, p: DoctorBackend['probe'], software?: boolean): DoctorBackend => ({
    name,
    available: true,
    reason: null,
    fix: null,
    adapter: software === undefined ? null : { name: 'x', vendor: 'v', architecture: 'a', driver: '', backend: 'vulkan', software },
    probe: p,
  });

  it('never a software adapter, however fast; otherwise the least time per 4,096 steps + one update', () => {
    const r = recommend([backend('webgpu', probe(1e9, 1e9, 0.1), true), backend('wasm', probe(100_000, 50_000, 100)), backend('cpu', probe(20_000, 10_000, 800))]);
    expect(r.backend).toBe('wasm');
    expect(r.command).toBe('rl train --backend wasm');
    expect(r.reason).toMatch(/141 ms, JS envs\); webgpu left out/); // 4096 / 100k s + 100 ms
  });

  it('a hardware webgpu wins when it is faster, with tensor-native envs when those are faster there', () => {
    const r = recommend([backend('webgpu', probe(50_000, 4_000_000, 10), false), backend('wasm', probe(100_000, 50_000, 100))]);
    expect(r).toMatchObject({ backend: 'webgpu', envVectorization: 'tensor', command: 'rl train --backend webgpu --env-vectorization tensor' });
  });

  it('without probes: the first available hardware backend in auto order', () => {
    const r = recommend([backend('webgpu', null, true), { ...backend('tensorflow', null), available: false }, backend('wasm', null), backend('cpu', null)]);
    expect(r.backend).toBe('wasm');
    expect(r.reason).toMatch(/no probe ran/);
  });
});
