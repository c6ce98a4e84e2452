/**
 * The page the browser tests and the browser benchmark drive (through `page.evaluate`). Every
 * function runs real framework code on the requested backend and returns plain JSON: the Node
 * side makes the assertions, so failures print there with context. Each function reports
 * `tf.memory().numTensors` before and after, so leaks are visible.
 */
import { Rng, make, type StatefulEnv } from '@rl/env';
import { Categorical, DiagGaussian, createPolicy, loadPolicyFromUrl } from '@rl/policy';
import { TENSOR_ENVS, createRunner, makeTensorVec, type TensorVectorEnv } from '@rl/runner';
import { backendInfo, initTf, tf, type BackendName } from '@rl/tf';
import { createTrainer } from '@rl/trainer';
import { createAsyncTrainer } from '../src/async_trainer.js';

const wasmPaths = new URL('./tfjs-wasm/', location.href).href;

async function use(backend: BackendName) {
  const info = await initTf({ backend, wasmPaths });
  return { backend: info.backend, adapter: info.adapter ?? null, skipped: info.skipped, syncReadback: info.syncReadback };
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** Runs `fn` in a tidy scope and reads every returned tensor asynchronously (`data()`, correct on every backend), then frees them. */
async function readAll<K extends string>(fn: () => Record<K, tf.Tensor>): Promise<Record<K, number[]>> {
  const ts = tf.tidy(fn);
  const out = {} as Record<K, number[]>;
  try {
    for (const k of Object.keys(ts) as K[]) out[k] = Array.from(await ts[k].data());
  } finally {
    tf.dispose(Object.values(ts) as tf.Tensor[]);
  }
  return out;
}

/** Counts read-backs: public tensor reads, engine reads and the backend's own read paths. */
function countReadBacks<T>(fn: () => T): { result: T; tensor: number; engine: number; backend: number } {
  const counts = { tensor: 0, engine: 0, backend: 0 };
  type Obj = Record<string, (...a: unknown[]) => unknown>;
  const undo: (() => void)[] = [];
  const wrap = (obj: Obj, names: string[], key: keyof typeof counts) => {
    for (const n of names) {
      const orig = obj[n];
      if (typeof orig !== 'function') continue;
      const own = Object.prototype.hasOwnProperty.call(obj, n);
      obj[n] = function (this: unknown, ...a: unknown[]) {
        counts[key]++;
        return orig.apply(this, a);
      };
      undo.push(() => {
        if (own) obj[n] = orig;
        else delete obj[n];
      });
    }
  };
  wrap(tf.Tensor.prototype as unknown as Obj, ['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer'], 'tensor');
  wrap(tf.engine() as unknown as Obj, ['readSync', 'read', 'readToGPU'], 'engine');
  wrap(tf.backend() as unknown as Obj, ['readSync', 'read', 'readToGPU'], 'backend');
  try {
    return { result: fn(), ...counts };
  } finally {
    for (const u of undo.reverse()) u();
  }
}

/** Categorical and diagonal-Gaussian log π, ∇log π and entropy against their closed forms (float64 in JS). */
async function distributions(backend: BackendName) {
  const info = await use(backend);
  const before = tf.memory().numTensors;
  const rng = new Rng(7);
  const B = 32;
  const K = 5;
  const logits = Array.from({ length: B * K }, () => Math.fround(rng.uniform(-3, 3)));
  const acts = Array.from({ length: B }, () => rng.int(K));
  // Closed forms: log softmax, onehot − softmax, −Σ p log p.
  const wantLogp: number[] = [];
  const wantGrad: number[] = [];
  const wantEnt: number[] = [];
  for (let b = 0; b < B; b++) {
    const row = logits.slice(b * K, (b + 1) * K);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
    const p = row.map((x) => Math.exp(x - lse));
    wantLogp.push(row[acts[b]!]! - lse);
    p.forEach((pk, k) => wantGrad.push((k === acts[b] ? 1 : 0) - pk));
    wantEnt.push(-p.reduce((s, pk) => s + pk * Math.log(pk), 0));
  }
  const cat = await readAll(() => {
    const l = tf.tensor2d(logits, [B, K]);
    const a = tf.tensor1d(acts, 'int32');
    const lp = new Categorical(l).logProb(a);
    const g = tf.grad((x: tf.Tensor) => tf.sum(new Categorical(x).logProb(a)))(l);
    const ent = new Categorical(l).entropy();
    return { logp: lp, grad: g, ent };
  });
  // Sampling: 4096 rows of the same logits; frequencies against softmax.
  const row = [0.5, -1, 2, 0];
  const drawn = await readAll(() => ({ s: new Categorical(tf.tile(tf.tensor2d([row]), [4096, 1])).sample(12345) }));
  const counts = [0, 0, 0, 0];
  for (const v of drawn.s) counts[v]!++;
  const z = row.reduce((acc, x) => acc + Math.exp(x), 0);
  const freq = { got: counts.map((x) => x / drawn.s.length), want: row.map((x) => Math.exp(x) / z) };
  // Diagonal Gaussian: log π = Σ −½z² − log σ − ½log 2π; ∂/∂μ = (a−μ)/σ²; ∂/∂log σ = z² − 1; H = Σ log σ + ½(1 + log 2π).
  const D = 3;
  const mean = Array.from({ length: B * D }, () => Math.fround(rng.uniform(-2, 2)));
  const logStd = Array.from({ length: D }, () => Math.fround(rng.uniform(-1, 0.5)));
  const act = Array.from({ length: B * D }, () => Math.fround(rng.uniform(-3, 3)));
  const gLp: number[] = [];
  const gMu: number[] = [];
  const gLs = new Array<number>(D).fill(0);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let d = 0; d < D; d++) {
      const sigma = Math.exp(logStd[d]!);
      const z = (act[b * D + d]! - mean[b * D + d]!) / sigma;
      s += -0.5 * z * z - logStd[d]! - 0.5 * Math.log(2 * Math.PI);
      gMu.push((act[b * D + d]! - mean[b * D + d]!) / (sigma * sigma));
      gLs[d] = gLs[d]! + z * z - 1;
    }
    gLp.push(s);
  }
  const wantGEnt = logStd.reduce((s, l) => s + l + 0.5 * (1 + Math.log(2 * Math.PI)), 0);
  const g = await readAll(() => {
    const mu = tf.tensor2d(mean, [B, D]);
    const ls = tf.tensor1d(logStd);
    const a = tf.tensor2d(act, [B, D]);
    const lp = new DiagGaussian(mu, ls).logProb(a);
    const [dMu, dLs] = tf.grads((m: tf.Tensor, l: tf.Tensor) => tf.sum(new DiagGaussian(m, l).logProb(a)))([mu, ls]);
    const ent = new DiagGaussian(mu, ls).entropy();
    const samples = new DiagGaussian(tf.zeros([8192, 1]), tf.tensor1d([Math.log(2)])).sample(99);
    return { logp: lp, dMu: dMu!, dLs: dLs!, ent, samples };
  });
  const sm = g.samples.reduce((s, x) => s + x, 0) / g.samples.length;
  const sv = g.samples.reduce((s, x) => s + (x - sm) ** 2, 0) / g.samples.length;
  const gauss = { ...g, sampleMean: sm, sampleStd: Math.sqrt(sv) };
  return {
    info,
    categorical: { logp: maxAbs(cat.logp, wantLogp), grad: maxAbs(cat.grad, wantGrad), entropy: maxAbs(cat.ent, wantEnt), freq },
    gaussian: {
      logp: maxAbs(gauss.logp, gLp),
      dMu: maxAbs(gauss.dMu, gMu),
      dLogStd: maxAbs(gauss.dLs, gLs),
      dLogStdScale: Math.max(...gLs.map(Math.abs)),
      entropy: maxAbs(gauss.ent, new Array(B).fill(wantGEnt)),
      sampleMean: gauss.sampleMean,
      sampleStd: gauss.sampleStd,
    },
    numTensors: { before, after: tf.memory().numTensors },
  };
}

/** Random states/actions of each env and the distance of a JS next state from its termination boundary. */
const PI = Math.PI;
const parityCases: Record<string, { state: (r: Rng) => number[]; action: (r: Rng) => number; margin: (s: Float64Array) => number }> = {
  'CartPole-v1': {
    state: (r) => [r.uniform(-2.3, 2.3), r.uniform(-2, 2), r.uniform(-0.2, 0.2), r.uniform(-2, 2)],
    action: (r) => r.int(2),
    margin: (s) => Math.min(Math.abs(Math.abs(s[0]!) - 2.4), Math.abs(Math.abs(s[2]!) - (12 * 2 * PI) / 360)),
  },
  'Acrobot-v1': {
    state: (r) => [r.uniform(-PI, PI), r.uniform(-PI, PI), r.uniform(-4 * PI, 4 * PI), r.uniform(-9 * PI, 9 * PI)],
    action: (r) => r.int(3),
    margin: (s) => Math.abs(-Math.cos(s[0]!) - Math.cos(s[1]! + s[0]!) - 1),
  },
  'MountainCar-v0': {
    state: (r) => [r.uniform(-1.2, 0.55), r.uniform(-0.07, 0.07)],
    action: (r) => r.int(3),
    margin: (s) => Math.min(Math.abs(s[0]! - 0.5), Math.abs(s[1]!)),
  },
  'MountainCarContinuous-v0': {
    state: (r) => [r.uniform(-1.2, 0.55), r.uniform(-0.07, 0.07)],
    action: (r) => r.uniform(-1.5, 1.5),
    margin: (s) => Math.min(Math.abs(s[0]! - 0.45), Math.abs(s[1]!)),
  },
  'Pendulum-v1': {
    state: (r) => [r.uniform(-2 * PI, 2 * PI), r.uniform(-8, 8)],
    action: (r) => r.uniform(-3, 3),
    margin: () => Infinity,
  },
};

/** One step of every tensor-native env from N random states vs the JS env from the same states and actions. */
async function envParity(backend: BackendName, n = 64) {
  const info = await use(backend);
  const before = tf.memory().numTensors;
  const out: Record<string, { obsErr: number; rewardErr: number; termCompared: number; termMismatch: string[]; terminal: number }> = {};
  for (const id of Object.keys(TENSOR_ENVS)) {
    const c = parityCases[id]!;
    const rng = new Rng(11);
    const states = Array.from({ length: n }, () => c.state(rng).map(Math.fround));
    const actions = Array.from({ length: n }, () => Math.fround(c.action(rng)));
    const env = makeTensorVec(id, n, { seed: 1 });
    const d = TENSOR_ENVS[id]!();
    const discrete = d.actionSpace.type === 'Discrete';
    const flat = await readAll(() => {
      const cols = tf.unstack(tf.tensor2d(states), 1) as tf.Tensor1D[];
      const a = discrete ? tf.tensor1d(actions, 'int32') : tf.tensor2d(actions, [n, 1]);
      const tr = d.step(cols, a);
      return { obs: d.observe(tr.state), reward: tr.reward, term: tf.cast(tr.terminated, 'float32') };
    });
    const r = { obs: Array.from({ length: n }, (_, i) => flat.obs.slice(i * d.obsDim, (i + 1) * d.obsDim)), reward: flat.reward, term: flat.term };
    env.close();
    const js = make(id, { maxEpisodeSteps: null }).unwrapped as StatefulEnv;
    js.reset({ seed: 0 });
    let obsErr = 0;
    let rewardErr = 0;
    let termCompared = 0;
    let terminal = 0;
    const termMismatch: string[] = [];
    for (let i = 0; i < n; i++) {
      js.state = Float64Array.from(states[i]!);
      const s = js.step(discrete ? actions[i]! : Float32Array.of(actions[i]!));
      for (let k = 0; k < d.obsDim; k++) obsErr = Math.max(obsErr, Math.abs(r.obs[i]![k]! - s.obs[k]!) / (1 + Math.abs(s.obs[k]!)));
      rewardErr = Math.max(rewardErr, Math.abs(r.reward[i]! - s.reward) / (1 + Math.abs(s.reward)));
      if (c.margin(js.state) > 1e-4) {
        termCompared++;
        if (s.terminated) terminal++;
        if (Boolean(r.term[i]) !== s.terminated) termMismatch.push(`row ${i} state [${states[i]!.join(', ')}] action ${actions[i]}: tensor ${r.term[i]} vs JS ${s.terminated}`);
      }
    }
    out[id] = { obsErr, rewardErr, termCompared, termMismatch, terminal };
  }
  return { info, n, envs: out, numTensors: { before, after: tf.memory().numTensors } };
}

/**
 * A seeded tensor-native rollout, πθ acting and the env stepping on the backend (no runner, so
 * no synchronous read at its end): every field stacked and read back asynchronously.
 */
async function seededRollout(backend: BackendName, id: string, n: number, steps: number) {
  const info = await use(backend);
  const before = tf.memory().numTensors;
  const env = makeTensorVec(id, n, { seed: 5 });
  const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 6, hidden: [32, 32] });
  let obs = env.reset({ seed: 5 });
  const parts: { obs: tf.Tensor[]; actions: tf.Tensor[]; rewards: tf.Tensor[]; terminated: tf.Tensor[]; truncated: tf.Tensor[] } = { obs: [], actions: [], rewards: [], terminated: [], truncated: [] };
  for (let t = 0; t < steps; t++) {
    const a = policy.act(obs);
    const r = env.step(a);
    parts.obs.push(obs);
    parts.actions.push(a);
    parts.rewards.push(r.rewards);
    parts.terminated.push(r.terminated);
    parts.truncated.push(r.truncated);
    tf.dispose([r.finalObs, r.episodeReturn, r.episodeLength]);
    obs = r.obs;
  }
  const res = await readAll(() => ({
    obs: tf.stack(parts.obs),
    actions: tf.stack(parts.actions),
    rewards: tf.stack(parts.rewards),
    terminated: tf.stack(parts.terminated),
    truncated: tf.stack(parts.truncated),
  }));
  tf.dispose([obs, ...Object.values(parts).flat()]);
  env.close();
  policy.dispose();
  return { info, ...res, numTensors: { before, after: tf.memory().numTensors } };
}

/** A few iterations of the trainer on tensor-native CartPole: per-iteration metrics and the final weights. */
async function shortTraining(backend: BackendName, iterations: number) {
  await use(backend);
  const before = tf.memory().numTensors;
  const trainer = await createTrainer({
    env: 'CartPole-v1',
    envVectorization: 'tensor',
    backend,
    seed: 3,
    numEnvs: 8,
    stepsPerIter: 16,
    hidden: [16, 16],
    lr: 1e-3,
    logLevel: 'silent',
    evalEpisodes: 0,
  });
  const metrics: { loss: number; entropy: number; gradNorm: number; episodes: number; returnMean: number }[] = [];
  for (let k = 0; k < iterations; k++) {
    const m = trainer.step();
    metrics.push({ loss: m.loss, entropy: m.entropy, gradNorm: m.gradNorm, episodes: m.episodes, returnMean: m.returnMean });
  }
  const weights = trainer.policy.getWeights().flatMap((w) => Array.from(w));
  trainer.dispose();
  return { info: backendInfo(), metrics, weights, numTensors: { before, after: tf.memory().numTensors } };
}

/** REINFORCE iterations of `createAsyncTrainer` (the trainer's policyGradient + Adam, asynchronous reads only) on tensor-native CartPole. */
async function asyncTraining(backend: BackendName, iterations: number) {
  const info = await use(backend);
  const before = tf.memory().numTensors;
  const trainer = createAsyncTrainer({ env: 'CartPole-v1', numEnvs: 8, stepsPerIter: 16, seed: 4, hidden: [16, 16], lr: 1e-3 });
  const metrics: { loss: number; entropy: number; gradNorm: number; terminations: number }[] = [];
  for (let it = 0; it < iterations; it++) {
    const m = await trainer.step();
    metrics.push({ loss: m.loss, entropy: m.entropy, gradNorm: m.gradNorm, terminations: m.finished });
  }
  const weights: number[] = [];
  for (const v of trainer.policy.trainableVariables) weights.push(...Array.from(await v.data()));
  trainer.dispose();
  return { info, metrics, weights, numTensors: { before, after: tf.memory().numTensors } };
}

/** Read-backs of a tensor-native rollout (runner: one at the end, whatever T) and of a bare act→step loop (none). */
async function readBacks(backend: BackendName, n = 16) {
  const info = await use(backend);
  const env = makeTensorVec('CartPole-v1', n, { seed: 1 });
  const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 2 });
  const runner = createRunner(policy, env, { seed: 3 });
  if (info.syncReadback) runner.rollout(2).dispose(); // warm-up: lazy policy set-up
  else tf.tidy(() => policy.act(env.observe())); // warm-up without the runner's final read
  const before = tf.memory().numTensors;
  const runs: { steps: number; tensor: number; engine: number; backend: number }[] = [];
  // The runner reads the finished-episode statistics synchronously once at the end: only where that works.
  if (info.syncReadback) {
    for (const steps of [5, 40]) {
      const { result: batch, tensor, engine, backend: be } = countReadBacks(() => runner.rollout(steps));
      runs.push({ steps, tensor, engine, backend: be });
      batch.dispose();
    }
  }
  // Bare loop: πθ acts and the env steps for 30 steps; nothing may come back to the host.
  const loop = countReadBacks(() => {
    let obs = env.observe();
    for (let t = 0; t < 30; t++) {
      const a = policy.act(obs);
      const r = env.step(a); // outside tf.tidy: the env keeps its new state tensors
      tf.dispose([a, obs, r.rewards, r.terminated, r.truncated, r.finalObs, r.episodeReturn, r.episodeLength]);
      obs = r.obs;
    }
    obs.dispose();
  });
  // The counter does count: a read of a tensor is seen (host-cached values, so it works on every backend).
  const probe = countReadBacks(() => tf.tidy(() => tf.tensor1d([1, 2]).dataSync()));
  const after = tf.memory().numTensors;
  runner.dispose();
  env.close();
  policy.dispose();
  return { info, runs, loop: { tensor: loop.tensor, engine: loop.engine, backend: loop.backend }, probe: { tensor: probe.tensor, engine: probe.engine, backend: probe.backend }, numTensors: { before, after } };
}

/** Kernels `fn` dispatches. Counted at once: tf.profile returns the engine's single profile object, which the next call refills. */
async function kernelCount(fn: () => void): Promise<number> {
  return (await tf.profile(fn)).kernels.length;
}

/** Kernels one vector step of a tensor-native env dispatches, at each N (tf.profile). */
async function kernelsPerStep(backend: BackendName, id: string, ns: number[]) {
  await use(backend);
  const out: { n: number; act: number; env: number; policyAndEnv: number }[] = [];
  for (const n of ns) {
    const env: TensorVectorEnv = makeTensorVec(id, n, { seed: 1 });
    const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 2 });
    const obs = env.reset({ seed: 1 });
    tf.tidy(() => policy.act(obs)); // warm-up: fast path set-up
    const a = tf.tidy(() => policy.act(obs));
    const pAct = await kernelCount(() => tf.dispose(policy.act(obs)));
    const pEnv = await kernelCount(() => {
      const r = env.step(a);
      for (const x of Object.values(r)) x.dispose();
    });
    const pBoth = await kernelCount(() => {
      const act = policy.act(obs);
      const r = env.step(act);
      tf.dispose([act, ...Object.values(r)]);
    });
    out.push({ n, act: pAct, env: pEnv, policyAndEnv: pBoth });
    a.dispose();
    obs.dispose();
    policy.dispose();
    env.close();
  }
  return { backend: tf.getBackend(), id, kernels: out };
}

/** What the backend runs on: the WebGPU adapter, or the WebGL renderer (e.g. ANGLE on SwiftShader). */
function deviceName(backend: string): string {
  const a = backendInfo()?.adapter;
  if (backend === 'webgpu' && a) return `${a.vendor}/${a.architecture}`;
  if (backend === 'webgl') {
    const gl = document.createElement('canvas').getContext('webgl2');
    const ext = gl?.getExtension('WEBGL_debug_renderer_info');
    return ext ? String(gl!.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'unknown renderer';
  }
  return backend;
}

/**
 * Tensor-native rollout throughput: T steps of πθ acting and the env stepping on the backend,
 * the T reward tensors stacked and read back once at the end (the sync point that stops the
 * clock). One warm-up rollout first (shader compilation); `repeats` timed ones after.
 */
async function rolloutThroughput(backend: BackendName, id: string, n: number, steps: number, repeats: number) {
  const info = await use(backend);
  const env = makeTensorVec(id, n, { seed: 1 });
  const policy = createPolicy(env.singleObservationSpace, env.singleActionSpace, { seed: 2 });
  let obs = env.reset({ seed: 1 });
  const run = async (t: number) => {
    const rewards: tf.Tensor[] = [];
    const counted = countReadBacks(() => {
      for (let k = 0; k < t; k++) {
        const a = policy.act(obs);
        const r = env.step(a);
        tf.dispose([a, obs, r.terminated, r.truncated, r.finalObs, r.episodeReturn, r.episodeLength]);
        rewards.push(r.rewards);
        obs = r.obs;
      }
    });
    const all = tf.stack(rewards);
    await all.data();
    tf.dispose([all, ...rewards]);
    return counted.tensor + counted.engine;
  };
  await run(Math.min(steps, 4));
  const stepsPerSec: number[] = [];
  let readBacks = 0;
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    readBacks = Math.max(readBacks, await run(steps));
    stepsPerSec.push((steps * n) / ((performance.now() - t0) / 1000));
  }
  obs.dispose();
  env.close();
  policy.dispose();
  return { backend: info.backend, device: deviceName(info.backend), n, steps, stepsPerSec, readBacksDuringSteps: readBacks };
}

/** Loads a saved policy over HTTP and acts on a few observations (deterministic). */
async function loadAndAct(backend: BackendName, url: string, obs: number[][]) {
  await use(backend);
  const before = tf.memory().numTensors;
  try {
    const policy = await loadPolicyFromUrl(url);
    const actions = (await readAll(() => ({ a: policy.act(tf.tensor2d(obs), { deterministic: true }) }))).a;
    policy.dispose();
    return { ok: true as const, actions, numTensors: { before, after: tf.memory().numTensors } };
  } catch (err) {
    return { ok: false as const, error: (err as Error).message };
  }
}

/** Backend selection as the browser sees it: what `auto` picks and what an unavailable backend says. */
async function backendSelection(requested: BackendName) {
  try {
    const info = await initTf({ backend: requested, wasmPaths });
    return { ok: true as const, backend: info.backend, skipped: info.skipped, adapter: info.adapter ?? null, syncReadback: info.syncReadback };
  } catch (err) {
    return { ok: false as const, error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

/** A few ops read back asynchronously, small and large: a quick check that the backend computes. */
async function probe(backend: BackendName, flags: Record<string, number | boolean> = {}) {
  const info = await use(backend);
  for (const [k, v] of Object.entries(flags)) if (!k.startsWith('__')) tf.env().set(k, v);
  const out: Record<string, unknown> = { info, flags: Object.fromEntries(Object.keys(flags).map((k) => [k, k.startsWith('__') ? flags[k] : tf.env().get(k)])) };
  for (const n of [4, 5000]) {
    const x = tf.range(0, n, 1, 'float32');
    const ops: Record<string, tf.Tensor> = {
      add: tf.add(tf.mul(x, 2), 1),
      exp: tf.exp(tf.div(x, n)),
      sum: tf.sum(x),
      max: tf.max(x),
      sum2: tf.sum(tf.reshape(x, [2, n / 2]), -1),
      logSoftmax: tf.logSoftmax(tf.reshape(tf.div(x, n), [2, n / 2])),
      matMul: tf.matMul(tf.reshape(x, [2, n / 2]), tf.ones([n / 2, 2])),
      argMax: tf.argMax(tf.reshape(x, [2, n / 2]), -1),
    };
    for (const [k, t] of Object.entries(ops)) {
      const v = Array.from(flags.__sync ? t.dataSync() : await t.data());
      out[`${k}@${n}`] = v.length > 4 ? [...v.slice(0, 2), '…', ...v.slice(-2)] : v;
    }
    tf.dispose([x, ...Object.values(ops)]);
  }
  return out;
}

/** A browser without WebGPU (navigator.gpu hidden for the call): what webgpu and auto do. */
async function withoutWebgpu() {
  Object.defineProperty(navigator, 'gpu', { value: undefined, configurable: true });
  try {
    return { webgpu: await backendSelection('webgpu'), auto: await backendSelection('auto') };
  } finally {
    delete (navigator as unknown as Record<string, unknown>).gpu;
  }
}

const api = { asyncTraining, withoutWebgpu, probe, distributions, envParity, seededRollout, shortTraining, readBacks, kernelsPerStep, rolloutThroughput, loadAndAct, backendSelection };
/** What the Node side calls through `page.evaluate`. */
export type HarnessApi = typeof api;
(globalThis as unknown as { rl: HarnessApi }).rl = api;
document.getElementById('status')!.textContent = 'ready';
