/**
 * The learner: one process that owns θ and the optimizer. Each round it
 *
 *  1. publishes θ (version v) on the run's KV bucket (key `weights`; Object Store above `inlineLimit`),
 *  2. collects the shards' return statistics until `quorum` shards reported or `roundTimeoutMs`,
 *  3. answers the global baseline / mean / std and the list of included shards,
 *  4. collects the included shards' gradients (same quorum / timeout),
 *  5. averages them weighted by samples, takes one optimizer step, checkpoints atomically, and
 *     appends a metrics line — then v + 1.
 *
 * The algorithm's pieces are the trainer's (`@rl/trainer`): the learning-rate schedule, the
 * constant baselines and the EMA update, clip-and-ascend, the stop rule, the policy of a config.
 * This file adds only the round: gathering statistics and gradients over NATS.
 *
 * Messages of another round are stale (dropped, counted); undecodable ones are rejected and
 * counted by reason. A shard that misses a phase is skipped for the round (listed in the metrics).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { Kvm } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { backendInfo, initTf, tf, useFastWasmKernels } from '@rl/tf';
import { clipAndAscend, constantBaseline, createOptimizer, globalNorm, learningRate, policyMetadata, stopReason, updateEma } from '@rl/trainer';
import { names, sharedConfigKey, type DistributedOptions } from './config.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { connectNats, Inbox, watchClosed } from './nats.js';
import { decodeGrad, decodeGradRef, decodeStats, Kind, peek, encodeGlobal, encodeWeights, encodeWeightsRef, fnv1a, ProtocolError, type GradMsg, type RejectReason, type StatsMsg } from './protocol.js';
import { buildPolicy, meanStd } from './shard.js';

/** Sub-directory of the checkpoint directory that holds the final policy (`policy.save`). */
export const MODEL_DIR = 'model';

/** Counters of dropped messages (cumulative over the learner's life). */
export type RejectCounts = Record<RejectReason | 'stale' | 'duplicate', number>;

/** One line of `metrics.jsonl` (and the `onRound` callback). */
export interface RoundMetrics {
  /** Round number (increases every round, also when no update happened). */
  readonly round: number;
  /** Weights version after this round (updates applied so far). */
  readonly version: number;
  /** Whether the round applied an update (false when no gradient arrived). */
  readonly updated: boolean;
  /** Shards whose gradients were averaged. */
  readonly shards: number[];
  /** Shards of [0, k) that were skipped this round (did not report in time). */
  readonly skipped: number[];
  /** Shards whose actor instance changed since they last reported (a replacement rejoined). */
  readonly rejoined: number[];
  /** Actor instance (process id) per reporting shard. */
  readonly instances: Record<number, number>;
  /** Real samples averaged this round, and totals. */
  readonly samples: number;
  readonly envSteps: number;
  readonly episodes: number;
  /** Mean undiscounted return of the last ≥ returnWindow episodes (NaN before the first). */
  readonly returnMean: number;
  readonly loss: number;
  readonly entropy: number;
  /** ‖averaged ∇θJ‖ before clipping. */
  readonly gradNorm: number;
  readonly lr: number;
  /** Averaging the gradients + optimizer step, ms. */
  readonly updateMs: number;
  /** Writing the checkpoint (fsync + rename), ms. */
  readonly checkpointMs: number;
  /** Whole round, ms. */
  readonly roundMs: number;
  /** Payload bytes of the round on the wire (each subscriber's copy counted). */
  readonly bytes: { readonly weights: number; readonly stats: number; readonly global: number; readonly grads: number; readonly total: number };
  /** Dropped messages so far, by reason. */
  readonly rejected: RejectCounts;
}

/** What `onRound` also receives: the averaged gradient and θ after the step (copies). */
export interface RoundDetail {
  readonly gradient: Float32Array[] | undefined;
  readonly weights: Float32Array[];
}

/** Hooks of {@link runLearner}. */
export interface LearnerHooks {
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  readonly onRound?: (m: RoundMetrics, detail: RoundDetail) => void;
}

/** How the learner ended. */
export interface LearnerResult {
  readonly reason: 'iterations' | 'totalSteps' | 'targetReturn' | 'aborted';
  readonly version: number;
  readonly round: number;
  readonly envSteps: number;
  /** Version the learner started from (0, or the checkpoint's). */
  readonly resumedFrom: number | undefined;
  readonly rejected: RejectCounts;
}

/**
 * Runs the learner until `iterations` updates (or `train.totalSteps` env steps, or
 * `train.targetReturn`), then publishes the final weights (actors exit), saves the policy to
 * `checkpointDir/model` (also when aborted) and returns.
 *
 * @example
 * const r = await runLearner(resolveDistributed({ nats: 'nats://127.0.0.1:4222', role: 'learner', shards: 4, iterations: 100 }));
 */
export async function runLearner(opts: DistributedOptions, hooks: LearnerHooks = {}): Promise<LearnerResult> {
  const train = opts.train;
  const log = (hooks.logger ?? pino({ level: train.logLevel, name: 'rl-learner' })).child({ role: 'learner', run: opts.run });
  if (backendInfo()?.requested !== train.backend) await initTf({ backend: train.backend, log: (msg, f) => log.debug(f, msg) });
  if (tf.getBackend() === 'wasm') useFastWasmKernels(); // as createTrainer does: the backward pass's products and sums
  const nm = names(opts.run);
  const configKey = sharedConfigKey(train);
  const configHash = fnv1a(configKey);
  const k = opts.shards;

  const policy = buildPolicy(train);
  const optimizer = createOptimizer(policy.trainableVariables, { kind: train.optimizer, lr: train.lr });
  const sizes = policy.trainableVariables.map((v) => v.size);
  const started = performance.now();
  let wallBefore = 0;
  let version = 0;
  let round = 1;
  let envSteps = 0;
  let episodes = 0;
  let ema: number | undefined;
  // (sum, count) of finished-episode returns per round, newest last
  let recent: number[] = [];
  const fail = (e: unknown): never => {
    optimizer.dispose();
    policy.dispose();
    throw e;
  };
  let ckpt: ReturnType<typeof loadCheckpoint>;
  try {
    ckpt = loadCheckpoint(opts.checkpointDir);
    if (ckpt && ckpt.configKey !== configKey) throw new Error(`checkpoint in ${opts.checkpointDir} was written by a run with another config (${ckpt.configKey}); this run has ${configKey}`);
    if (ckpt) {
      policy.setWeights(ckpt.weights);
      optimizer.setState(ckpt.optimizer);
    }
    mkdirSync(opts.checkpointDir, { recursive: true });
  } catch (e) {
    fail(e);
  }
  const resumedFrom = ckpt?.version;
  if (ckpt) {
    version = ckpt.version;
    round = ckpt.round + 2; // skip the interrupted round r + 1: its messages are stale
    envSteps = ckpt.envSteps;
    episodes = ckpt.episodes;
    ema = ckpt.ema;
    recent = [...ckpt.recentReturns];
    wallBefore = ckpt.wallSeconds ?? 0;
    log.info({ dir: opts.checkpointDir, version, round }, 'resumed from checkpoint');
  }
  const metricsPath = join(opts.checkpointDir, 'metrics.jsonl');

  const nc = await connectNats(opts.nats, { attempts: opts.connectAttempts, backoffMs: opts.connectBackoffMs, reconnectAttempts: opts.reconnectAttempts, name: `learner-${opts.run}`, logger: log }).catch(fail);
  const rejected: RejectCounts = { garbage: 0, truncated: 0, version: 0, kind: 0, shape: 0, shard: 0, nonFinite: 0, stale: 0, duplicate: 0 };
  const subs: Subscription[] = [];
  try {
    const kv = await new Kvm(nc).create(nm.kv, { history: 1 });
    let objStore: ObjectStore | undefined;
    let lastObject: string | undefined;

    // Round state read by the subscription handlers
    let phase: 'stats' | 'grads' | 'idle' = 'idle';
    let included = new Set<number>();
    const stats = new Map<number, StatsMsg>();
    const grads = new Map<number, GradMsg>();
    const inbox = new Inbox<never>();
    let statsBytes = 0;
    let gradBytes = 0;
    const reject = (reason: keyof RejectCounts, subject: string, why: string): void => {
      rejected[reason]++;
      log.warn({ subject, reason, why }, 'message rejected');
    };

    let gradStore: ObjectStore | undefined;
    const acceptGrad = (data: Uint8Array): void => {
      try {
        const m = decodeGrad(data, sizes);
        if (m.shard >= k) return reject('shard', nm.grads, `shard ${m.shard} of a ${k}-shard run`);
        if (m.round !== round || phase !== 'grads' || !included.has(m.shard)) return reject('stale', nm.grads, `gradient of shard ${m.shard} for round ${m.round} (now round ${round}, ${phase})`);
        if (grads.has(m.shard)) return reject('duplicate', nm.grads, `second gradient of shard ${m.shard} in round ${round}`);
        grads.set(m.shard, m);
        gradBytes += data.byteLength;
        inbox.poke();
      } catch (e) {
        if (e instanceof ProtocolError) reject(e.reason, nm.grads, e.message);
        else throw e;
      }
    };
    subs.push(
      nc.subscribe(nm.stats, {
        callback: (_err, msg) => {
          try {
            const m = decodeStats(msg.data);
            if (m.shard >= k) return reject('shard', nm.stats, `shard ${m.shard} of a ${k}-shard run`);
            if (m.round !== round || phase !== 'stats') return reject('stale', nm.stats, `stats of shard ${m.shard} for round ${m.round} (now round ${round}, ${phase})`);
            if (stats.has(m.shard)) return reject('duplicate', nm.stats, `second stats of shard ${m.shard} in round ${round}`);
            stats.set(m.shard, m);
            statsBytes += msg.data.byteLength;
            inbox.poke();
          } catch (e) {
            if (e instanceof ProtocolError) reject(e.reason, nm.stats, e.message);
            else throw e;
          }
        },
      }),
      nc.subscribe(nm.grads, {
        callback: (_err, msg) => {
          try {
            if (peek(msg.data).kind === Kind.gradRef) {
              // too big for one message: the actor put it in the Object Store
              const ref = decodeGradRef(msg.data);
              void (async () => {
                gradStore ??= await new Objm(nc).open(nm.gradObj);
                const blob = await gradStore.getBlob(ref.object);
                await gradStore.delete(ref.object).catch(() => undefined);
                if (!blob) return reject('truncated', nm.grads, `gradient object ${ref.object} of shard ${ref.shard} is missing from bucket ${nm.gradObj}`);
                acceptGrad(blob);
              })().catch((e: Error) => reject('truncated', nm.grads, `gradient object ${ref.object}: ${e.message}`));
              return;
            }
            acceptGrad(msg.data);
          } catch (e) {
            if (e instanceof ProtocolError) reject(e.reason, nm.grads, e.message);
            else throw e;
          }
        },
      }),
    );
    await nc.flush();

    const conn = watchClosed(nc, opts.nats, () => inbox.poke());
    // A JetStream put fails while the client reconnects: retry (1 s apart) as long as the client does
    const retrying = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await f();
        } catch (e) {
          const lost = conn.lost();
          if (lost) throw lost;
          if (attempt > opts.reconnectAttempts) throw new Error(`${what} on NATS at ${opts.nats} failed ${attempt} times: ${(e as Error).message}`);
          log.warn({ what, attempt, err: (e as Error).message }, 'NATS operation failed, retrying');
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    const publishWeights = async (final: boolean): Promise<number> => retrying(`publishing weights (KV bucket ${nm.kv})`, () => putWeights(final));
    const putWeights = async (final: boolean): Promise<number> => {
      const body = encodeWeights({ round, version, configHash, final, weights: policy.getWeights() });
      if (body.byteLength <= opts.inlineLimit) {
        await kv.put('weights', body);
        return body.byteLength;
      }
      objStore ??= await new Objm(nc).create(nm.obj);
      const object = `v${version}-r${round}`;
      await objStore.putBlob({ name: object }, body);
      const ref = encodeWeightsRef({ round, version, configHash, final, object, bytes: body.byteLength });
      await kv.put('weights', ref);
      if (lastObject) await objStore.delete(lastObject).catch(() => undefined);
      lastObject = object;
      return body.byteLength + ref.byteLength;
    };

    const instances = new Map<number, number>();
    let reason: LearnerResult['reason'] = 'iterations';
    const done = (): LearnerResult['reason'] | undefined => {
      if (hooks.signal?.aborted) return 'aborted';
      if (opts.iterations > 0 && version >= opts.iterations) return 'iterations';
      // the trainer's stop rule (totalSteps only when no round count is given)
      const w = windowMean(recent);
      const stop = stopReason({ ...train, totalSteps: opts.iterations > 0 ? Infinity : train.totalSteps }, { envSteps, windowEpisodes: w.count, returnMean: w.mean });
      return stop === 'stopOnEval' ? undefined : stop; // never: no evaluations during training here (resolveDistributed refuses evalEvery > 0)
    };
    // a lost server ends every wait; the loop then throws NatsLostError naming the URL
    const aborted = () => hooks.signal?.aborted === true || conn.lost() !== undefined;
    const checkLost = (): void => {
      const e = conn.lost();
      if (e) throw e;
    };
    hooks.signal?.addEventListener('abort', () => inbox.poke());

    log.info({ nats: opts.nats, shards: k, version, round, env: train.env, numEnvsPerShard: train.numEnvs, stepsPerIter: train.stepsPerIter }, 'learner started');
    for (;;) {
      const stop = done();
      if (stop) {
        reason = stop;
        break;
      }
      const t0 = performance.now();
      stats.clear();
      grads.clear();
      statsBytes = 0;
      gradBytes = 0;
      phase = 'stats';
      const weightBytes = await publishWeights(false);

      // Phase 1: return statistics until the quorum or the timeout, and at least minShards
      let deadline = performance.now() + opts.roundTimeoutMs;
      while (!(await inbox.until(() => stats.size >= opts.quorum || aborted(), deadline)) && stats.size < opts.minShards) {
        log.warn({ round, reported: [...stats.keys()], minShards: opts.minShards }, 'no quorum yet, waiting on');
        deadline = performance.now() + opts.roundTimeoutMs;
      }
      checkLost();
      if (aborted()) {
        reason = 'aborted';
        break;
      }
      phase = 'grads';
      included = new Set([...stats.keys()].sort((a, b) => a - b));
      let S = 0;
      let SS = 0;
      let C = 0;
      for (const s of stats.values()) (S += s.retSum), (SS += s.retSumSq), (C += s.retCount);
      const { mean, std } = meanStd(S, SS, C);
      const baseline = constantBaseline(train.baseline as 'none' | 'mean' | 'ema', mean, ema); // resolveDistributed refuses the learned ones
      const global = encodeGlobal({ round, version, baseline, mean, std, count: C, shards: [...included] });
      nc.publish(nm.global, global);

      // Phase 2: gradients of the included shards
      deadline = performance.now() + opts.roundTimeoutMs;
      await inbox.until(() => grads.size >= included.size || aborted(), deadline);
      phase = 'idle';
      checkLost();
      if (aborted()) {
        reason = 'aborted'; // no half-gathered update
        break;
      }
      const t1 = performance.now();
      const got = [...grads.values()].sort((a, b) => a.shard - b.shard);
      const skipped = [...Array(k).keys()].filter((s) => !grads.has(s));
      const rejoined: number[] = [];
      for (const s of stats.values()) {
        const prev = instances.get(s.shard);
        if (prev !== undefined && prev !== s.instance) rejoined.push(s.shard);
        instances.set(s.shard, s.instance);
      }
      let gradient: Float32Array[] | undefined;
      let tStep = t1;
      let gradNorm = NaN;
      let loss = NaN;
      let entropy = NaN;
      let samples = 0;
      const lr = learningRate(train, envSteps);
      if (got.length > 0) {
        // ∇θJ = Σ_i (n_i / Σn) ∇θJ_i: each shard's estimate is over its own N, so this is the estimate over all Σ N envs
        samples = got.reduce((s, g) => s + g.samples, 0);
        gradient = sizes.map((n, v) => {
          const acc = new Float64Array(n);
          for (const g of got) {
            const w = g.samples / samples;
            const a = g.grads[v]!;
            for (let j = 0; j < n; j++) acc[j] = acc[j]! + w * a[j]!;
          }
          return Float32Array.from(acc);
        });
        loss = got.reduce((s, g) => s + (g.samples / samples) * g.loss, 0);
        entropy = got.reduce((s, g) => s + (g.samples / samples) * g.entropy, 0);
        const tensors = gradient.map((g, v) => tf.tensor(g, policy.trainableVariables[v]!.shape, 'float32'));
        try {
          const n = globalNorm(tensors);
          gradNorm = n.dataSync()[0]!;
          n.dispose();
          if (!Number.isFinite(gradNorm)) throw new Error(`round ${round}: the averaged gradient is not finite (norm ${gradNorm}); θ left at version ${version}`);
          optimizer.lr = lr;
          clipAndAscend(optimizer, tensors, gradNorm, train.maxGradNorm);
        } finally {
          tf.dispose(tensors);
        }
        version += 1;
        envSteps += samples;
        let epSum = 0;
        let epCount = 0;
        for (const g of got) {
          const s = stats.get(g.shard)!;
          epSum += s.epReturnSum;
          epCount += s.episodes;
        }
        episodes += epCount;
        recent.push(epSum, epCount);
        trimWindow(recent, train.returnWindow);
        // b ← decay·b + (1 − decay)·mean R over the included shards (the trainer's ema, from the same batch)
        if (train.baseline === 'ema') ema = updateEma(ema, mean, train.emaDecay);
        tStep = performance.now();
        const wallSeconds = wallBefore + (tStep - started) / 1000;
        saveCheckpoint(opts.checkpointDir, { configKey, version, round, envSteps, episodes, ema, recentReturns: recent, weights: policy.getWeights(), optimizer: optimizer.getState(), wallSeconds });
      } else {
        log.warn({ round, included: [...included] }, 'no gradient arrived; round repeated with the same weights');
      }
      const t2 = performance.now();
      const subscribers = Math.max(included.size, 1);
      const bytes = { weights: weightBytes * (1 + subscribers), stats: statsBytes, global: global.byteLength * (1 + subscribers), grads: gradBytes };
      const m: RoundMetrics = {
        round,
        version,
        updated: got.length > 0,
        shards: got.map((g) => g.shard),
        skipped,
        rejoined,
        instances: Object.fromEntries([...stats.values()].map((s) => [s.shard, s.instance])),
        samples,
        envSteps,
        episodes,
        returnMean: windowMean(recent).mean,
        loss,
        entropy,
        gradNorm,
        lr,
        updateMs: (got.length > 0 ? tStep : t2) - t1,
        checkpointMs: got.length > 0 ? t2 - tStep : 0,
        roundMs: t2 - t0,
        bytes: { ...bytes, total: bytes.weights + bytes.stats + bytes.global + bytes.grads },
        rejected: { ...rejected },
      };
      appendFileSync(metricsPath, JSON.stringify(m) + '\n');
      log.info({ round, version, shards: m.shards, skipped, returnMean: m.returnMean, gradNorm, roundMs: Math.round(m.roundMs) }, 'round');
      hooks.onRound?.(m, { gradient, weights: policy.getWeights() });
      round += 1;
    }
    if (reason !== 'aborted') await publishWeights(true);
    conn.closing();
    // the policy as `policy.save` writes it (what `rl eval` / `rl serve` / loadPolicy read)
    await policy.save(join(opts.checkpointDir, MODEL_DIR), { metadata: { ...policyMetadata(train), distributed: { run: opts.run, version, shards: k } } });
    log.info({ reason, version, round, envSteps }, 'learner finished');
    return { reason, version, round, envSteps, resumedFrom, rejected: { ...rejected } };
  } finally {
    for (const s of subs) s.unsubscribe();
    await nc.drain().catch(() => undefined);
    optimizer.dispose();
    policy.dispose();
  }
}

/** Drops the oldest rounds while the rest still hold ≥ window episodes. */
function trimWindow(recent: number[], window: number): void {
  for (;;) {
    let count = 0;
    for (let i = 3; i < recent.length; i += 2) count += recent[i]!;
    if (recent.length <= 2 || count < window) return;
    recent.splice(0, 2);
  }
}

/** Mean return and episode count of the window (pairs of per-round sums and counts). */
function windowMean(recent: readonly number[]): { mean: number; count: number } {
  let s = 0;
  let c = 0;
  for (let i = 0; i < recent.length; i += 2) (s += recent[i]!), (c += recent[i + 1]!);
  return { mean: c > 0 ? s / c : NaN, count: c };
}
