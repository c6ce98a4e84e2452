/**
 * Loading a saved policy directory: {@link loadPolicyModel} gives back a full trainable
 * {@link Policy} (resume, evaluation); {@link loadPolicy} is the embedding API for services:
 * plain arrays in, plain numbers out, no tensors visible to the caller.
 */
import { tf, initTf, backendInfo } from '@rl/tf';
import type { BackendName } from '@rl/tf';
import { Rng } from '@rl/env';
import type { Box, Space } from '@rl/env';
import { fileIO, MODEL_JSON, readJson } from './io.js';
import { fromModel } from './policy.js';
import type { NetworkPolicyHandle } from './policy.js';
import { POLICY_JSON } from './save.js';
import { parsePolicyFile, type ParsedPolicyFile } from './policy_file.js';
import { join, resolve } from 'node:path';

/** The parsed contents of policy.json (validated by {@link parsePolicyFile}). */
export type PolicyFile = ParsedPolicyFile;

/** Reads and validates `dir/policy.json`; errors name the file and every bad field. */
export function readPolicyFile(dir: string): PolicyFile {
  const path = join(resolve(dir), POLICY_JSON);
  return parsePolicyFile(readJson(path, 'policy file'), path);
}

/** Options of {@link loadPolicyModel}. */
export interface LoadPolicyModelOptions {
  /** Use the fused fast forward for `act` when possible; default true. */
  readonly fastPath?: boolean;
}

/**
 * Loads a saved policy directory as a full, trainable {@link Policy} (weights, log σ,
 * normalisation statistics and sampling stream restored).
 *
 * @example
 * const policy = await loadPolicyModel('runs/cartpole/final');
 */
export async function loadPolicyModel(dir: string, opts: LoadPolicyModelOptions = {}): Promise<NetworkPolicyHandle & { readonly metadata: Record<string, unknown>; readonly file: PolicyFile }> {
  const file = readPolicyFile(dir);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(fileIO(resolve(dir)));
  } catch (err) {
    const msg = (err as Error).message;
    throw new Error(msg.includes(resolve(dir)) ? msg : `model ${join(resolve(dir), MODEL_JSON)} could not be loaded: ${msg}`, { cause: err });
  }
  let policy: NetworkPolicyHandle;
  try {
    policy = fromModel(model, file.observationSpace, file.actionSpace, {
      ...(file.logStd ? { logStdInit: file.logStd } : {}),
      ...(file.obsNorm ? { obsNorm: file.obsNorm } : {}),
      ...(file.rngState ? { rngState: file.rngState } : {}),
      ...(file.network ? { network: file.network } : {}),
      ...(opts.fastPath !== undefined ? { fastPath: opts.fastPath } : {}),
    });
  } catch (err) {
    model.dispose();
    throw new Error(`policy ${resolve(dir)}: ${join(resolve(dir), MODEL_JSON)} does not match the spaces in ${join(resolve(dir), POLICY_JSON)}: ${(err as Error).message}`, { cause: err });
  }
  const metadata = { ...file.metadata, distribution: file.distribution, versions: file.versions, savedAt: file.savedAt };
  return Object.assign(policy, { metadata, file });
}

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /** Initialise this tfjs backend first (`initTf`); default: keep the current one (or `auto` if none is set). */
  readonly backend?: BackendName;
  /** Sampling seed of the inference stream; default: the stream stored with the policy. */
  readonly seed?: number;
}

/** An action as plain JS: an integer (Discrete) or an array of numbers (Box). */
export type PlainAction = number | number[];

/** A loaded policy for services: plain arrays in and out, no tensors. */
export interface InferencePolicy {
  readonly observationSpace: Box;
  readonly actionSpace: Space;
  /** policy.json's `metadata` plus `distribution`, `versions` and `savedAt`. */
  readonly metadata: Record<string, unknown>;
  /** The action for one observation (`obsDim` numbers). */
  act(obs: ArrayLike<number>, opts?: { readonly deterministic?: boolean }): PlainAction;
  /** Actions for a batch: an array of observations, or one flat Float32Array of `B·obsDim` values. */
  actBatch(obs: ArrayLike<ArrayLike<number>> | Float32Array, opts?: { readonly deterministic?: boolean }): PlainAction[];
  /** Frees the model; later calls throw. */
  dispose(): void;
}

function flattenBatch(obs: ArrayLike<ArrayLike<number>> | Float32Array, d: number, where: string): { data: Float32Array; n: number } {
  if (obs instanceof Float32Array) {
    if (obs.length === 0 || obs.length % d !== 0) throw new RangeError(`${where}: a flat Float32Array batch needs a positive multiple of ${d} values, got ${obs.length}`);
    for (let i = 0; i < obs.length; i++) {
      if (!Number.isFinite(obs[i]!)) throw new RangeError(`${where}: observation at batch index ${Math.floor(i / d)}, element ${i % d} is ${obs[i]} (must be finite)`);
    }
    return { data: obs, n: obs.length / d };
  }
  if (obs === null || typeof obs !== 'object' || typeof obs.length !== 'number') throw new TypeError(`${where}: expected an array of observations, got ${typeof obs}`);
  const n = obs.length;
  if (n === 0) throw new RangeError(`${where}: the batch is empty`);
  const data = new Float32Array(n * d);
  for (let b = 0; b < n; b++) {
    const row = obs[b];
    if (row === null || typeof row !== 'object' || typeof (row as ArrayLike<number>).length !== 'number') {
      throw new TypeError(`${where}: observation at batch index ${b} is ${JSON.stringify(row)}, expected an array of ${d} numbers`);
    }
    if (row.length !== d) throw new RangeError(`${where}: observation at batch index ${b} has length ${row.length}, expected ${d}`);
    for (let i = 0; i < d; i++) {
      const v = row[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${where}: observation at batch index ${b}, element ${i} is ${String(v)} (must be a finite number)`);
      data[b * d + i] = v;
    }
  }
  return { data, n };
}

/**
 * Loads a saved policy for inference in a Node service: plain arrays in, plain numbers out.
 *
 * @example
 * const policy = await loadPolicy('runs/cartpole/final', { backend: 'wasm' });
 * policy.act([0.01, 0, 0.02, 0], { deterministic: true }); // 1
 * policy.actBatch([[0, 0, 0, 0], [0.1, 0, 0, 0]]);         // [0, 1]
 * policy.dispose();
 */
export async function loadPolicy(dir: string, opts: LoadPolicyOptions = {}): Promise<InferencePolicy> {
  if (opts.backend) await initTf({ backend: opts.backend });
  else if (!backendInfo()) await initTf({ backend: 'auto' });
  const policy = await loadPolicyModel(dir);
  if (opts.seed !== undefined) policy.setRngState(new Rng(opts.seed).getState());
  const d = policy.observationSpace.size;
  const actSpace = policy.actionSpace;
  let disposed = false;
  const run = (data: Float32Array, n: number, deterministic: boolean): PlainAction[] => {
    if (disposed) throw new Error(`loadPolicy(${dir}): the policy was disposed`);
    const x = tf.tensor2d(data, [n, d]);
    let out: Float32Array | Int32Array;
    try {
      const a = policy.act(x, { deterministic });
      out = a.dataSync() as Float32Array | Int32Array;
      a.dispose();
    } finally {
      x.dispose();
    }
    if (actSpace.type === 'Discrete') return Array.from(out);
    const k = actSpace.size;
    const res: number[][] = new Array(n);
    for (let b = 0; b < n; b++) res[b] = Array.from(out.subarray(b * k, (b + 1) * k));
    return res;
  };
  return {
    observationSpace: policy.observationSpace,
    actionSpace: actSpace,
    metadata: policy.metadata,
    act(obs, o = {}) {
      if (obs === null || typeof obs !== 'object' || typeof obs.length !== 'number') throw new TypeError(`policy.act: expected an array of ${d} numbers, got ${JSON.stringify(obs)}`);
      if (obs.length !== d) throw new RangeError(`policy.act: observation has length ${obs.length}, expected ${d} for ${policy.observationSpace.toString()}`);
      const { data } = flattenBatch([obs], d, 'policy.act');
      return run(data, 1, o.deterministic ?? false)[0]!;
    },
    actBatch(obs, o = {}) {
      const { data, n } = flattenBatch(obs, d, 'policy.actBatch');
      return run(data, n, o.deterministic ?? false);
    },
    dispose() {
      if (!disposed) {
        disposed = true;
        policy.dispose();
      }
    },
  };
}
