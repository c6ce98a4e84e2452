/**
 * End-to-end test of the web app in headless Chromium: it loads, trains CartPole on webgl
 * (then on webgpu) with tensor-native envs, draws the learning curve and the animated env (pixels read back,
 * screenshot saved to apps/web/test-artifacts/), and loads a saved policy over HTTP and acts
 * with it — the same action as the policy in Node.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { make } from '@rl/env';
import { createPolicy } from '@rl/policy';
import { initTf, tf } from '@rl/tf';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WEB_DIR } from '../node/bundle.js';
import { openHarness, type HarnessSession } from '../node/harness_session.js';

let s: HarnessSession;
const models = mkdtempSync(join(tmpdir(), 'rl-web-models-'));
let want: number;

beforeAll(async () => {
  await initTf({ backend: 'cpu' });
  const env = make('CartPole-v1');
  const policy = createPolicy(env.observationSpace, env.actionSpace, { seed: 21, hidden: [16] });
  await policy.save(join(models, 'cartpole'), { metadata: { envId: 'CartPole-v1' } });
  const obs = env.reset({ seed: 1 }).obs as ArrayLike<number>;
  want = tf.tidy(() => policy.act(tf.tensor2d([Array.from(obs)]), { deterministic: true }).dataSync()[0]!);
  policy.dispose();
  s = await openHarness({ which: 'app', mounts: { '/models/': models } });
}, 120_000);

afterAll(async () => {
  await s?.close();
  rmSync(models, { recursive: true, force: true });
});

type AppState = { backend: string; iterations: number; curve: unknown[]; watchSteps: number; loaded: null | { url: string; actions: number[] }; error: string };
const state = () => s.chromium.page.evaluate(() => (globalThis as unknown as { rlApp: AppState }).rlApp);

/** Non-background pixels of a canvas. */
const inked = (id: string) =>
  s.chromium.page.evaluate((cid) => {
    const c = document.getElementById(cid) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i]! < 200 || d[i + 1]! < 200 || d[i + 2]! < 200) n++;
    return n;
  }, id);

it('trains on webgl, draws the curve and the env, loads a saved model and acts', async () => {
  const page = s.chromium.page;
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
  await page.selectOption('#env', 'CartPole-v1');
  await page.selectOption('#backend', 'webgl');
  await page.fill('#numEnvs', '8');
  await page.click('#start');
  await page.waitForFunction(() => {
    const a = (globalThis as unknown as { rlApp: AppState }).rlApp;
    return a.error !== '' || (a.iterations >= 3 && a.curve.length >= 1 && a.watchSteps >= 5);
  }, null, { timeout: 60_000 });
  const st = await state();
  expect(st.error, s.chromium.log.slice(-10).join('\n')).toBe('');
  expect(st.backend).toBe('webgl');
  expect(await inked('curve'), 'learning-curve canvas').toBeGreaterThan(100);
  expect(await inked('scene'), 'env canvas').toBeGreaterThan(100);
  mkdirSync(join(WEB_DIR, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: join(WEB_DIR, 'test-artifacts', 'app-training.png') });
  await page.click('#stop');

  // webgpu: on a software adapter (no synchronous read-back) the app trains with asynchronous reads
  await page.selectOption('#backend', 'webgpu');
  await page.click('#start');
  await page.waitForFunction(() => {
    const a = (globalThis as unknown as { rlApp: AppState }).rlApp;
    return a.error !== '' || (a.backend === 'webgpu' && a.iterations >= 2);
  }, null, { timeout: 90_000 });
  expect((await state()).error, s.chromium.log.slice(-10).join('\n')).toBe('');
  expect(await page.textContent('#status')).toMatch(/CartPole-v1 on webgpu.*iteration \d+/);
  await page.screenshot({ path: join(WEB_DIR, 'test-artifacts', 'app-training-webgpu.png') });
  await page.click('#stop');

  // a policy saved in Node, served over HTTP, loads and acts as it does in Node
  await page.fill('#modelUrl', '/models/cartpole/');
  await page.click('#load');
  await page.waitForFunction(() => {
    const a = (globalThis as unknown as { rlApp: AppState }).rlApp;
    return a.error !== '' || a.loaded !== null;
  }, null, { timeout: 30_000 });
  const after = await state();
  expect(after.error).toBe('');
  expect(after.loaded!.actions).toEqual([want]);
  const steps = after.watchSteps;
  await page.waitForFunction((n) => (globalThis as unknown as { rlApp: AppState }).rlApp.watchSteps >= n + 5, steps, { timeout: 30_000 });
  await page.screenshot({ path: join(WEB_DIR, 'test-artifacts', 'app-loaded-model.png') });

  // a model whose files cannot be fetched: the error names the URL
  await page.fill('#modelUrl', '/models/missing/');
  await page.click('#load');
  await page.waitForFunction(() => (globalThis as unknown as { rlApp: AppState }).rlApp.error !== '', null, { timeout: 30_000 });
  expect((await state()).error).toMatch(/could not load: policy file http:\/\/127\.0\.0\.1:\d+\/models\/missing\/policy\.json could not be fetched: HTTP 404/);
});
