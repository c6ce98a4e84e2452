/**
 * The web app: train batched REINFORCE with tensor-native envs on the chosen backend (webgpu,
 * webgl, wasm, cpu), draw the learning curve, and watch the current policy — or a model
 * trained by `rl train`, loaded over HTTP — act in an animated rendering of the env.
 */
import { make, type Env, type StatefulEnv } from '@rl/env';
import { loadPolicyFromUrl, type Policy } from '@rl/policy';
import { TENSOR_ENVS } from '@rl/runner';
import { backendInfo, initTf, tf, type BackendName } from '@rl/tf';
import { createTrainer, type Trainer } from '@rl/trainer';
import { createAsyncTrainer, type AsyncTrainer } from './async_trainer.js';
import { drawCurve, drawEnv } from './render.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const envSel = $<HTMLSelectElement>('env');
const backendSel = $<HTMLSelectElement>('backend');
const statusEl = $<HTMLDivElement>('status');
const curveCtx = $<HTMLCanvasElement>('curve').getContext('2d')!;
const sceneCtx = $<HTMLCanvasElement>('scene').getContext('2d')!;
const wasmPaths = new URL('./tfjs-wasm/', location.href).href;

for (const id of Object.keys(TENSOR_ENVS)) envSel.add(new Option(id, id));

/** What the page exposes for the end-to-end test (and the curious): counters of what happened. */
const app = { backend: '', iterations: 0, curve: [] as { x: number; y: number }[], watchSteps: 0, watching: '', loaded: null as null | { url: string; actions: number[] }, error: '' };
(globalThis as unknown as { rlApp: typeof app }).rlApp = app;

function status(msg: string, error = false): void {
  statusEl.textContent = msg;
  statusEl.className = error ? 'err' : '';
  if (error) app.error = msg;
}

let trainer: Trainer | undefined;
let asyncTrainer: AsyncTrainer | undefined;
let running = false;
/** Settles when the current training loop has stopped (after its iteration in flight). */
let loopDone: Promise<void> = Promise.resolve();
let watchPolicy: Policy | undefined;
let watchEnv: { id: string; env: Env; obs: Float32Array; ret: number } | undefined;

function resetWatch(id: string): void {
  const env = make(id);
  const { obs } = env.reset({ seed: 1 });
  watchEnv = { id, env, obs: Float32Array.from(obs as ArrayLike<number>), ret: 0 };
}

/** One step of the watched policy in the JS env (deterministic), drawn on the scene canvas. */
let stepping = false;
async function watchStep(): Promise<void> {
  // Take the policy and env once: train() may swap or clear them while the read below is awaited.
  const policy = watchPolicy;
  const w = watchEnv;
  if (!policy || !w || stepping) return;
  stepping = true;
  try {
    const a = tf.tidy(() => policy.act(tf.tensor2d(w.obs, [1, w.obs.length]), { deterministic: true }));
    const v = await a.data(); // asynchronous: works on every backend
    a.dispose();
    if (policy !== watchPolicy) return; // replaced during the read: drop this step
    const action = policy.actionSpace.type === 'Discrete' ? v[0]! : Float32Array.from(v);
    const r = w.env.step(action as never);
    w.ret += r.reward;
    w.obs = Float32Array.from(r.obs as ArrayLike<number>);
    if (r.terminated || r.truncated) {
      w.obs = Float32Array.from(w.env.reset().obs as ArrayLike<number>);
      w.ret = 0;
    }
    drawEnv(sceneCtx, w.id, (w.env.unwrapped as StatefulEnv).state);
    sceneCtx.fillStyle = '#222';
    sceneCtx.font = '12px system-ui';
    sceneCtx.fillText(`${app.watching} — return so far ${w.ret.toFixed(1)}`, 8, 14);
    app.watchSteps++;
  } finally {
    stepping = false;
  }
}
setInterval(() => void watchStep().catch((e) => status(`watching failed: ${(e as Error).message}`, true)), 33);

async function train(): Promise<void> {
  const id = envSel.value;
  const backend = backendSel.value as BackendName;
  status(`starting ${backend}…`);
  running = false;
  await loopDone;
  // Stop watching (and let a step in flight finish) before the backend changes under it
  if (watchPolicy && watchPolicy !== trainer?.policy && watchPolicy !== asyncTrainer?.policy) watchPolicy.dispose();
  watchPolicy = undefined;
  while (stepping) await new Promise((r) => setTimeout(r, 10));
  const info = await initTf({ backend, wasmPaths });
  app.backend = info.backend;
  app.iterations = 0;
  trainer?.dispose();
  asyncTrainer?.dispose();
  trainer = undefined;
  asyncTrainer = undefined;
  const numEnvs = Math.max(1, Number($<HTMLInputElement>('numEnvs').value) || 32);
  let step: () => Promise<{ iteration: number; envSteps: number; returnMean: number; stepsPerSec: number }>;
  let how: string;
  if (info.syncReadback) {
    // the trainer (it reads back synchronously once per iteration)
    const t = await createTrainer({ env: id, envVectorization: 'tensor', backend, numEnvs, stepsPerIter: 32, lr: 3e-3, logLevel: 'warn', evalEpisodes: 0, seed: 1 });
    trainer = t;
    watchPolicy = t.policy;
    step = async () => t.step();
    how = 'createTrainer';
  } else {
    // a WebGPU without synchronous read-back (software adapter): the same REINFORCE with asynchronous reads
    const t = createAsyncTrainer({ env: id, numEnvs, stepsPerIter: 32, lr: 3e-3, seed: 1 });
    asyncTrainer = t;
    watchPolicy = t.policy;
    step = () => t.step();
    how = 'asynchronous reads';
  }
  app.watching = `training policy (${info.backend})`;
  resetWatch(id);
  app.curve = [];
  running = true;
  $<HTMLButtonElement>('stop').disabled = false;
  $<HTMLButtonElement>('start').disabled = true;
  const skipped = info.skipped.length ? ` (auto skipped ${info.skipped.map((s) => s.backend).join(', ')})` : '';
  const device = info.adapter ? ` [${info.adapter.vendor}/${info.adapter.architecture}]` : '';
  const loop = async () => {
    while (running) {
      const m = await step();
      app.iterations = m.iteration;
      if (Number.isFinite(m.returnMean)) app.curve.push({ x: m.envSteps, y: m.returnMean });
      drawCurve(curveCtx, app.curve, `${id} on ${info.backend}: mean return vs env steps`);
      status(`${id} on ${info.backend}${device}${skipped}, ${how}: iteration ${m.iteration}, ${m.envSteps} steps, ${Number.isFinite(m.returnMean) ? `mean return ${m.returnMean.toFixed(1)}` : 'no episode finished yet'}, ${Math.round(m.stepsPerSec)} steps/s`);
      await new Promise((r) => setTimeout(r, 0)); // let the page draw
    }
  };
  loopDone = loop().catch((err) => {
    running = false;
    status(`training failed: ${(err as Error).message}`, true);
  });
}

function stop(): void {
  running = false;
  $<HTMLButtonElement>('stop').disabled = true;
  $<HTMLButtonElement>('start').disabled = false;
}

async function load(): Promise<void> {
  const url = $<HTMLInputElement>('modelUrl').value.trim();
  if (!url) throw new Error('enter the URL of a run\'s model/ directory, e.g. /runs/<run>/model/');
  stop();
  if (!backendInfo()) await initTf({ backend: backendSel.value as BackendName, wasmPaths });
  status(`loading ${url}…`);
  const policy = await loadPolicyFromUrl(url);
  const meta = policy.metadata as { envId?: string; env?: string };
  const fromMeta = meta.envId ?? meta.env;
  const id = fromMeta && TENSOR_ENVS[fromMeta] ? fromMeta : envSel.value;
  const probe = make(id);
  if (probe.observationSpace.size !== policy.observationSpace.size) {
    policy.dispose();
    throw new Error(`the model at ${url} takes ${policy.observationSpace.toString()}, but ${id} gives ${probe.observationSpace.toString()}: pick its env`);
  }
  envSel.value = id;
  if (watchPolicy && watchPolicy !== trainer?.policy && watchPolicy !== asyncTrainer?.policy) watchPolicy.dispose();
  watchPolicy = policy;
  app.watching = `model ${url}`;
  resetWatch(id);
  const a = tf.tidy(() => policy.act(tf.tensor2d(watchEnv!.obs, [1, watchEnv!.obs.length]), { deterministic: true }));
  app.loaded = { url, actions: Array.from(await a.data()) };
  a.dispose();
  status(`watching ${url} on ${tf.getBackend()} in ${id}`);
}

$('start').addEventListener('click', () => void train().catch((e) => status(`could not start: ${(e as Error).message}`, true)));
$('stop').addEventListener('click', stop);
$('load').addEventListener('click', () => void load().catch((e) => status(`could not load: ${(e as Error).message}`, true)));
const q = new URLSearchParams(location.search);
if (q.get('model')) $<HTMLInputElement>('modelUrl').value = q.get('model')!;
status('ready');
