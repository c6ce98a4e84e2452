import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Box, Discrete } from '@rl/env';
import { initTf, tf } from '@rl/tf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeStaleTemporaries } from './durable.js';
import { fileIO } from './io.js';
import { loadPolicyModel, readPolicyFile, verifyPolicyDir } from './load.js';
import { createPolicy } from './policy.js';
import { KEEP_PREVIOUS, listVersions, MAX_VERSIONS, publishDirectory, PUBLISH_STEPS, readPublished } from './publish.js';
import type { Policy } from './types.js';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'rl-publish-'));
  await initTf({ backend: 'cpu' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tinyPolicy = (): Policy => createPolicy(new Box(-1, 1, [4]), new Discrete(2), { seed: 1, hidden: [8] });
/** Every parameter set to `k`, so a load shows which save its weights came from. */
const fill = (p: Policy, k: number): void => p.setWeights(p.getWeights().map((w) => new Float32Array(w.length).fill(k)));
/** The save a loaded policy's weights and its policy.json came from (they must agree). */
async function savedK(dir: string): Promise<number> {
  const m = await loadPolicyModel(dir);
  try {
    const ws = m.getWeights();
    const k = m.metadata.k as number;
    for (const w of ws) for (const v of w) if (v !== k) throw new Error(`mixed model: policy.json says save ${k}, a weight is ${v}`);
    return k;
  } finally {
    m.dispose();
  }
}

/** A child Node process (the package's sources through tsx) running `code` with `helpers` defined. */
function child(code: string, env: Record<string, string>): { proc: ChildProcess; done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }>; stderr: () => string } {
  const helpers = `
    const { initTf } = await import('@rl/tf');
    const { Box, Discrete } = await import('@rl/env');
    const { createPolicy } = await import('@rl/policy');
    await initTf({ backend: 'cpu' });
    const p = createPolicy(new Box(-1, 1, [4]), new Discrete(2), { seed: 1, hidden: [8] });
    const save = (k) => { p.setWeights(p.getWeights().map((w) => new Float32Array(w.length).fill(k))); return p.save(process.env.TARGET, { metadata: { k } }); };`;
  const proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', `${helpers}\n${code}`], {
    cwd: PKG,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }>((res) => proc.on('close', (status, signal) => res({ status, signal, stderr })));
  return { proc, done, stderr: () => stderr };
}

describe('savePolicy publishes a version behind a link', () => {
  it('the path is a relative link to the newest version; the versions before it stay; plain tfjs loads it by path', async () => {
    const target = join(root, 'basic', 'model');
    const p = tinyPolicy();
    for (const k of [1, 2, 3, 4]) {
      fill(p, k);
      await p.save(target, { metadata: { k } });
    }
    expect(lstatSync(target).isSymbolicLink()).toBe(true);
    expect(readlinkSync(target)).toBe('.model.v4');
    expect(listVersions(target).map((v) => v.seq)).toEqual([1, 2, 3, 4]); // within the grace period nothing goes
    expect(await savedK(target)).toBe(4);
    const plain = await tf.loadLayersModel(fileIO(target));
    expect(plain.getWeights()[0]!.dataSync()[0]).toBe(4);
    plain.dispose();
    // policy.json records each model file's length and sha256
    const files = readPolicyFile(target).files;
    expect(Object.keys(files).sort()).toEqual(['model.json', 'weights.bin']);
    expect(files['weights.bin']!.bytes).toBe(readFileSync(join(target, 'weights.bin')).byteLength);
    expect(files['weights.bin']!.sha256).toMatch(/^[0-9a-f]{64}$/);
    p.dispose();
  });

  it('old versions go once the grace period is over, never the current one or the ones just before it', async () => {
    const target = join(root, 'prune', 'model');
    for (let k = 1; k <= 6; k++) await publishDirectory(target, (d) => writeFileSync(join(d, 'k'), String(k)), { graceMs: 0 });
    expect(listVersions(target).map((v) => v.seq)).toEqual([6 - KEEP_PREVIOUS, 5, 6]);
    expect(readFileSync(join(target, 'k'), 'utf8')).toBe('6');
    expect(readdirSync(dirname(target)).filter((n) => !/^\.model\.v\d+$/.test(n))).toEqual(['model']);
    // many saves within the grace period: at most MAX_VERSIONS stay, the newest ones
    const rapid = join(root, 'rapid', 'model');
    for (let k = 1; k <= MAX_VERSIONS + 5; k++) await publishDirectory(rapid, (d) => writeFileSync(join(d, 'k'), String(k)));
    expect(listVersions(rapid).map((v) => v.seq)).toEqual(Array.from({ length: MAX_VERSIONS }, (_, i) => i + 6));
  });

  it('a real directory (the older layout) becomes a link on its first save; the swap layout keeps a directory', async () => {
    const old = join(root, 'migrate', 'model');
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'k'), 'old');
    await publishDirectory(old, (d) => writeFileSync(join(d, 'k'), 'new'));
    expect(lstatSync(old).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(old, 'k'), 'utf8')).toBe('new');

    const swapped = join(root, 'swap', 'model');
    for (const k of ['a', 'b']) await publishDirectory(swapped, (d) => writeFileSync(join(d, 'k'), k), { layout: 'swap' });
    expect(lstatSync(swapped).isDirectory()).toBe(true);
    expect(readFileSync(join(swapped, 'k'), 'utf8')).toBe('b');
    expect(readdirSync(dirname(swapped))).toEqual(['model']);
  });

  it('a failed save leaves the previous version in place and nothing else', async () => {
    const target = join(root, 'failed', 'model');
    await publishDirectory(target, (d) => writeFileSync(join(d, 'k'), '1'));
    await expect(publishDirectory(target, () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(readFileSync(join(target, 'k'), 'utf8')).toBe('1');
    expect(readdirSync(dirname(target)).sort()).toEqual(['.model.v1', 'model']);
  });

  it('readPublished retries a read whose version vanished when the path was published again meanwhile', async () => {
    const target = join(root, 'retry', 'model');
    await publishDirectory(target, (d) => writeFileSync(join(d, 'k'), '1'));
    let calls = 0;
    const got = readPublished(target, (dir) => {
      calls++;
      if (calls === 1) {
        // while the reader is between two files, a writer publishes version 2 (as publishDirectory does) and prunes version 1
        mkdirSync(join(root, 'retry', '.model.v2'));
        writeFileSync(join(root, 'retry', '.model.v2', 'k'), '2');
        symlinkSync('.model.v2', join(root, 'retry', '.model.link-x'));
        renameSync(join(root, 'retry', '.model.link-x'), target);
        rmSync(dir, { recursive: true });
      }
      return readFileSync(join(dir, 'k'), 'utf8');
    });
    expect(calls).toBe(2);
    expect(got).toBe('2');
  });
});

describe('killed between the steps of a save (real processes)', () => {
  it.concurrent.each(PUBLISH_STEPS.map((s) => [s]))('SIGKILL after "%s": the path still holds one whole save; the next save cleans up', async (step) => {
    const target = join(root, `kill-${step}`, 'model');
    const c = child(`await save(1); process.env.RL_TEST_PUBLISH_PAUSE = '${step}@2'; await save(2);`, { TARGET: target });
    const t0 = Date.now();
    while (!c.stderr().includes(`publish paused after ${step}`) && c.proc.exitCode === null && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
    expect(c.stderr()).toContain(`publish paused after ${step}`);
    c.proc.kill('SIGKILL');
    expect((await c.done).signal).toBe('SIGKILL');
    // never missing, never mixed: the first save until the link was swung, the second after
    expect(existsSync(join(target, 'model.json'))).toBe(true);
    expect(await savedK(target)).toBe(step === 'published' ? 2 : 1);
    verifyPolicyDir(target);
    // the killed process's temporaries go with the next command on the directory (here: its clean-up, then a save)
    removeStaleTemporaries(dirname(target));
    expect(readdirSync(dirname(target)).filter((n) => !/^(model|\.model\.v\d+)$/.test(n))).toEqual([]);
    const p = tinyPolicy();
    fill(p, 3);
    await p.save(target, { metadata: { k: 3 } });
    p.dispose();
    expect(await savedK(target)).toBe(3);
  });
});

describe('readers beside a writer in another process', () => {
  it('loadPolicyModel in a loop while another process saves 150 times: never a missing file, never a mixed model', async () => {
    const target = join(root, 'concurrent', 'model');
    const first = tinyPolicy();
    fill(first, 0);
    await first.save(target, { metadata: { k: 0 } });
    first.dispose();
    const writer = child('for (let k = 1; k <= 150; k++) await save(k);', { TARGET: target });
    let exited = false;
    void writer.done.then(() => (exited = true));
    const seen: number[] = [];
    const errors: string[] = [];
    while (!exited) {
      try {
        seen.push(await savedK(target));
      } catch (err) {
        errors.push((err as Error).message);
      }
      await new Promise((r) => setImmediate(r)); // let the child's exit be seen
    }
    const w = await writer.done;
    expect(w.status, w.stderr).toBe(0);
    expect(errors).toEqual([]);
    expect(seen.length).toBeGreaterThan(5);
    expect(new Set(seen).size).toBeGreaterThan(1); // it did read while the versions changed
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(await savedK(target)).toBe(150);
  }, 120_000);
});
