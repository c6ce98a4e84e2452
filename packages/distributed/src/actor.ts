/**
 * An actor: shard i of k. For every new weights revision on the run's KV bucket it sets θ,
 * rolls out T steps of its N envs (global envs i·N … i·N+N−1), publishes its return
 * statistics, waits for the learner's global statistics, and — when the round includes its
 * shard — publishes ∇θJ of its shard. A replacement actor starts from the latest weights.
 */
import { pino, type Logger } from 'pino';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { backendInfo, initTf, tf, useFastWasmKernels } from '@rl/tf';
import { names, sharedConfigKey, type DistributedOptions } from './config.js';
import { connectNats, Inbox, watchClosed } from './nats.js';
import { decodeGlobal, decodeWeights, decodeWeightsRef, encodeGrad, encodeGradRef, encodeStats, fnv1a, Kind, peek, ProtocolError, type GlobalMsg, type WeightsMsg } from './protocol.js';
import { buildPolicy, createShardRollout, shardGradient, shardReturns, type ShardRollout } from './shard.js';

/** Hooks of {@link runActor}. */
export interface ActorHooks {
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  /** Instance id sent with every message (default: the process id). */
  readonly instance?: number;
}

/** How an actor ended. */
export interface ActorResult {
  readonly reason: 'final' | 'aborted';
  /** Rounds in which this actor published a gradient. */
  readonly gradients: number;
  /** Rounds it rolled out but was not included in (late). */
  readonly excluded: number;
  /** Bad messages it ignored on the global subject / weights key. */
  readonly rejected: number;
}

/**
 * Runs actor `opts.shard` until the learner publishes its final weights (or the signal).
 * Throws when no weights arrive for `idleTimeoutMs`, or when the weights were made for
 * another config.
 */
export async function runActor(opts: DistributedOptions, hooks: ActorHooks = {}): Promise<ActorResult> {
  const train = opts.train;
  const shard = opts.shard;
  const instance = hooks.instance ?? process.pid;
  const log = (hooks.logger ?? pino({ level: train.logLevel, name: 'rl-actor' })).child({ role: 'actor', run: opts.run, shard });
  if (backendInfo()?.requested !== train.backend) await initTf({ backend: train.backend, log: (msg, f) => log.debug(f, msg) });
  if (tf.getBackend() === 'wasm') useFastWasmKernels(); // as createTrainer does: the backward pass's products and sums
  const nm = names(opts.run);
  const configHash = fnv1a(sharedConfigKey(train));
  const policy = buildPolicy(train);
  const sizes = policy.trainableVariables.map((v) => v.size);
  // created on the first weights: from round 1 with the run's seeds, later (a replacement) with fresh ones
  let rollout: ShardRollout | undefined;
  const nc = await connectNats(opts.nats, { attempts: opts.connectAttempts, backoffMs: opts.connectBackoffMs, reconnectAttempts: opts.reconnectAttempts, name: `actor-${opts.run}-${shard}`, logger: log }).catch((e) => {
    policy.dispose();
    throw e;
  });
  let rejected = 0;
  let gradients = 0;
  let excluded = 0;
  const inbox = new Inbox<GlobalMsg>();
  let latest: KvEntry | undefined;
  let gradStore: ObjectStore | undefined;
  let stopWatch: (() => void) | undefined;
  const conn = watchClosed(nc, opts.nats, () => inbox.poke());
  const checkLost = (): void => {
    const e = conn.lost();
    if (e) throw e;
  };
  try {
    const kv: KV = await new Kvm(nc).create(nm.kv, { history: 1 });
    nc.subscribe(nm.global, {
      callback: (_e, msg) => {
        try {
          inbox.push(decodeGlobal(msg.data));
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
          rejected++;
          log.warn({ reason: e.reason, why: e.message }, 'global message rejected');
        }
      },
    });
    const watch = await kv.watch({ key: 'weights' });
    stopWatch = () => watch.stop();
    void (async () => {
      for await (const e of watch) {
        if (e.operation === 'PUT' && (!latest || e.revision > latest.revision)) latest = e;
        inbox.poke();
      }
    })();
    const first = await kv.get('weights');
    if (first && first.operation === 'PUT' && (!latest || first.revision > latest.revision)) latest = first;
    hooks.signal?.addEventListener('abort', () => inbox.poke());
    await nc.flush();
    log.info({ nats: opts.nats, shard, shards: opts.shards, envs: `${shard * train.numEnvs}…${shard * train.numEnvs + train.numEnvs - 1}` }, 'actor started');

    let lastRevision = 0;
    for (;;) {
      const ok = await inbox.until(() => (latest !== undefined && latest.revision > lastRevision) || hooks.signal?.aborted === true || conn.lost() !== undefined, performance.now() + opts.idleTimeoutMs);
      checkLost();
      if (hooks.signal?.aborted) return { reason: 'aborted', gradients, excluded, rejected };
      if (!ok) throw new Error(`actor shard ${shard}: no new weights on ${opts.nats} (KV bucket ${nm.kv}) for ${opts.idleTimeoutMs} ms; is the learner running (or has run "${opts.run}" already finished)?`);
      const entry = latest!;
      lastRevision = entry.revision;
      let w: WeightsMsg;
      try {
        w = await readWeights(entry.value, nc, nm.obj, sizes);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        rejected++;
        log.warn({ reason: e.reason, why: e.message, revision: entry.revision }, 'weights rejected');
        continue;
      }
      if (w.final) {
        if (gradients > 0 || excluded > 0) {
          log.info({ version: w.version, gradients }, 'final weights: actor done');
          return { reason: 'final', gradients, excluded, rejected };
        }
        // the end of an earlier run under the same run id (the KV value outlives it): wait for a learner
        log.warn({ round: w.round, version: w.version, idleTimeoutMs: opts.idleTimeoutMs }, `the KV bucket ${nm.kv} holds the final weights of a finished run; waiting for a learner to start a new one`);
        continue;
      }
      if (w.configHash !== configHash) {
        throw new Error(`actor shard ${shard}: the learner's weights (round ${w.round}) were made for another training config (hash ${w.configHash.toString(16)}, this actor ${configHash.toString(16)}); give every process the same config`);
      }
      policy.setWeights(w.weights);
      if (!rollout) {
        const epoch = w.round > 1 ? w.round : 0;
        rollout = createShardRollout(policy, train, shard, train.numEnvs, epoch);
        if (epoch > 0) log.info({ round: w.round }, 'joined a run in progress: envs and sampling reseeded');
      }
      const batch = rollout.runner.rollout(train.stepsPerIter);
      try {
        const r = shardReturns(batch, train);
        let epSum = 0;
        let epLen = 0;
        let epMin = Infinity;
        let epMax = -Infinity;
        for (let i = 0; i < batch.episodeReturns.length; i++) {
          const x = batch.episodeReturns[i]!;
          (epSum += x), (epLen += batch.episodeLengths[i]!), (epMin = Math.min(epMin, x)), (epMax = Math.max(epMax, x));
        }
        nc.publish(
          nm.stats,
          encodeStats({
            round: w.round,
            version: w.version,
            shard,
            instance,
            samples: r.count,
            retSum: r.sum,
            retSumSq: r.sumSq,
            retCount: r.count,
            episodes: batch.episodeReturns.length,
            epReturnSum: epSum,
            epReturnMin: batch.episodeReturns.length ? epMin : 0,
            epReturnMax: batch.episodeReturns.length ? epMax : 0,
            epLengthSum: epLen,
          }),
        );
        // The learner's answer for this round, unless newer weights make the round moot
        const deadline = performance.now() + 2 * opts.roundTimeoutMs + 5000;
        let global: GlobalMsg | undefined;
        await inbox.until(() => {
          while (inbox.items.length > 0 && !global) {
            const g = inbox.items.shift()!;
            if (g.round === w.round) global = g;
          }
          return global !== undefined || (latest !== undefined && latest.revision > lastRevision) || hooks.signal?.aborted === true || conn.lost() !== undefined;
        }, deadline);
        checkLost();
        if (!global || !global.shards.includes(shard)) {
          excluded++;
          log.info({ round: w.round, included: global?.shards }, 'not included in this round');
          continue;
        }
        const g = shardGradient(policy, batch, train, r, global);
        const body = encodeGrad({ round: w.round, version: w.version, shard, instance, samples: g.samples, numEnvs: train.numEnvs, loss: g.loss, entropy: g.entropy, grads: g.grads });
        const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
        if (body.byteLength <= maxPayload - 1024) nc.publish(nm.grads, body);
        else {
          // above the server's max_payload: through the Object Store, with a reference on the subject
          gradStore ??= await new Objm(nc).create(nm.gradObj);
          const object = `r${w.round}-s${shard}`;
          await gradStore.putBlob({ name: object }, body);
          nc.publish(nm.grads, encodeGradRef({ round: w.round, version: w.version, shard, object, bytes: body.byteLength }));
        }
        gradients++;
      } finally {
        batch.dispose();
      }
    }
  } finally {
    conn.closing();
    stopWatch?.();
    await nc.drain().catch(() => undefined);
    rollout?.dispose();
    policy.dispose();
  }
}

/** Decodes the KV value: inline weights, or a reference into the Object Store. */
async function readWeights(value: Uint8Array, nc: NatsConnection, bucket: string, sizes: readonly number[]): Promise<WeightsMsg> {
  const { kind } = peek(value);
  if (kind === Kind.weights) return decodeWeights(value, sizes);
  if (kind !== Kind.weightsRef) throw new ProtocolError('kind', `weights key holds message kind ${kind}`);
  const ref = decodeWeightsRef(value);
  const os = await new Objm(nc).open(bucket);
  const blob = await os.getBlob(ref.object);
  if (!blob) throw new ProtocolError('truncated', `weights object ${ref.object} is gone from bucket ${bucket} (a newer version replaced it)`);
  const w = decodeWeights(blob, sizes);
  return { ...w, final: ref.final };
}
