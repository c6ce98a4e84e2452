/**
 * Loading a saved policy directory: {@link loadPolicyModel} gives back a full trainable
 * {@link Policy} (resume, evaluation); {@link loadPolicy} is the embedding API for services:
 * plain arrays in, plain numbers out, no tensors visible to the caller. Both take a policy
 * directory or a run directory made by `rl train` ({@link findPolicyDir} decides which).
 */
import { tf, initTf, backendInfo } from '@rl/tf';
import type { BackendName } from '@rl/tf';
import { Rng } from '@rl/env';
import type { Box, Space } from '@rl/env';
import { MODEL_JSON, readJson, readModelArtifacts } from './io.js';
import { fromModel } from './policy.js';
import type { NetworkPolicyHandle } from './policy.js';
import type { ActionWithDistribution, NetworkSpec } from './types.js';
import { POLICY_JSON } from './save.js';
import { parsePolicyFile, type ParsedPolicyFile } from './policy_file.js';
import { findPolicyDir } from './policy_dir.js';
import { readPublished } from './publish.js';
import { join, resolve } from 'node:path';

/** The parsed contents of policy.json (validated by {@link parsePolicyFile}). */
export type PolicyFile = ParsedPolicyFile;

/** Reads and validates `dir/policy.json` (of the version `dir` links to); errors name the file and every bad field. */
export function readPolicyFile(dir: string): PolicyFile {
  return readPublished(dir, (real) => policyFileIn(real, dir));
}

function policyFileIn(real: string, shown: string): PolicyFile {
  const path = join(resolve(shown), POLICY_JSON);
  return parsePolicyFile(readJson(join(real, POLICY_JSON), 'policy file', path), path);
}

/** A saved policy read from disk and checked, before any tensor exists. */
export interface VerifiedPolicyDir {
  /** The policy directory (a run directory's `model/`, or the directory given). */
  readonly policyDir: string;
  /** The version directory its files were read from (`policyDir` itself when it is not a published link). */
  readonly versionDir: string;
  readonly file: PolicyFile;
  /** `model.json` and the weights, as tfjs loads them. */
  readonly artifacts: tf.io.ModelArtifacts;
}

/**
 * Reads a saved policy (`where`: a policy directory or a run directory, see
 * {@link findPolicyDir}) and checks it without building the model: policy.json valid,
 * `model.json` and every weights file present, each file's byte length and sha256 equal to
 * what policy.json records, every weight finite. All files come from one published version.
 * Throws an error naming the file that is missing or wrong (`PolicyIntegrityError` for a
 * digest that differs or a non-finite weight).
 *
 * @example
 * verifyPolicyDir('runs/cartpole'); // throws 'runs/cartpole/model/weights.bin: sha256 … differs …' after corruption
 */
export function verifyPolicyDir(where: string): VerifiedPolicyDir {
  const policyDir = findPolicyDir(where).policyDir;
  return readPublished(policyDir, (real) => {
    const file = policyFileIn(real, policyDir);
    const artifacts = readModelArtifacts(real, { files: file.files, shownDir: resolve(policyDir) });
    return { policyDir, versionDir: real, file, artifacts };
  });
}

/** Options of {@link loadPolicyModel}. */
export interface LoadPolicyModelOptions {
  /** Use the fused fast forward for `act` when possible; default true. */
  readonly fastPath?: boolean;
}

/**
 * Loads a saved policy as a full, trainable {@link Policy} (weights, log σ, normalisation
 * statistics and sampling stream restored). `where` is the policy directory or a run
 * directory made by `rl train` (its `model/`); the error names both when neither holds one.
 * The files are checked first ({@link verifyPolicyDir}): a policy whose weights differ from
 * what was saved, or are not finite, is refused with an error naming the file.
 *
 * @example
 * const policy = await loadPolicyModel('runs/cartpole'); // = 'runs/cartpole/model'
 */
export async function loadPolicyModel(where: string, opts: LoadPolicyModelOptions = {}): Promise<NetworkPolicyHandle & { readonly metadata: Record<string, unknown>; readonly file: PolicyFile }> {
  const { policyDir: dir, file, artifacts } = verifyPolicyDir(where);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
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

/**
 * An action with the distribution it was drawn from, as plain JS: for Discrete the
 * probability of each action (in the space's order `start … start + n − 1`), for Box the
 * Gaussian's mean and standard deviation per action dimension.
 */
export type PlainActionWithDistribution =
  | { readonly action: number; readonly probabilities: number[] }
  | { readonly action: number[]; readonly mean: number[]; readonly std: number[] };

/** A loaded policy for services: plain arrays in and out, no tensors. */
export interface InferencePolicy {
  readonly observationSpace: Box;
  readonly actionSpace: Space;
  /** policy.json's `metadata` plus `distribution`, `versions` and `savedAt`. */
  readonly metadata: Record<string, unknown>;
  /** How the MLP was built (hidden widths, activation), or null for a wrapped user model. */
  readonly network: NetworkSpec | null;
  /** The action for one observation (`obsDim` numbers). */
  act(obs: ArrayLike<number>, opts?: { readonly deterministic?: boolean }): PlainAction;
  /** Actions for a batch: an array of observations, or one flat Float32Array of `B·obsDim` values. */
  actBatch(obs: ArrayLike<ArrayLike<number>> | Float32Array, opts?: { readonly deterministic?: boolean }): PlainAction[];
  /** Like {@link InferencePolicy.actBatch}, each action with its distribution (one forward pass, one read-back). */
  actBatchWithDistribution(obs: ArrayLike<ArrayLike<number>> | Float32Array, opts?: { readonly deterministic?: boolean }): PlainActionWithDistribution[];
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
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${where}: observation at batch index ${b}, element ${i} is ${typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v)} (must be a finite number)`);
      data[b * d + i] = v;
    }
  }
  return { data, n };
}

/**
 * Loads a saved policy for inference in a Node service: plain arrays in, plain numbers out.
 * `where` is the policy directory or a run directory made by `rl train` (its `model/`).
 *
 * @example
 * const policy = await loadPolicy('runs/cartpole', { backend: 'wasm' });
 * policy.act([0.01, 0, 0.02, 0], { deterministic: true }); // 1
 * policy.actBatch([[0, 0, 0, 0], [0.1, 0, 0, 0]]);         // [0, 1]
 * policy.actBatchWithDistribution([[0, 0, 0, 0]]);         // [{ action: 0, probabilities: [0.52, 0.48] }]
 * policy.dispose();
 */
export async function loadPolicy(where: string, opts: LoadPolicyOptions = {}): Promise<InferencePolicy> {
  if (opts.backend) await initTf({ backend: opts.backend });
  else if (!backendInfo()) await initTf({ backend: 'auto' });
  const policy = await loadPolicyModel(where);
  if (opts.seed !== undefined) policy.setRngState(new Rng(opts.seed).getState());
  const d = policy.observationSpace.size;
  const actSpace = policy.actionSpace;
  const k = actSpace.type === 'Discrete' ? actSpace.n : actSpace.size;
  let disposed = false;
  /** One forward pass over `n` rows; `read` turns each row of the read-back into a result. */
  const run = <T>(data: Float32Array, n: number, forward: (x: tf.Tensor2D) => tf.Tensor, read: (out: Float32Array | Int32Array, b: number) => T): T[] => {
    if (disposed) throw new Error(`loadPolicy(${where}): the policy was disposed`);
    const t = tf.tidy(() => forward(tf.tensor2d(data, [n, d])));
    let out: Float32Array | Int32Array;
    try {
      out = t.dataSync() as Float32Array | Int32Array;
    } finally {
      t.dispose();
    }
    const res: T[] = new Array(n);
    for (let b = 0; b < n; b++) res[b] = read(out, b);
    return res;
  };
  const actions = (data: Float32Array, n: number, deterministic: boolean): PlainAction[] =>
    run<PlainAction>(data, n, (x) => policy.act(x, { deterministic }), (out, b) => (actSpace.type === 'Discrete' ? out[b]! : Array.from(out.subarray(b * k, (b + 1) * k))));
  // The action and the distribution's parameters side by side in one [n, width] tensor: one read-back.
  const withDistribution = (data: Float32Array, n: number, deterministic: boolean): PlainActionWithDistribution[] => {
    const row = (out: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, b: number, w: number, from: number, len: number): number[] =>
      Array.from(out.subarray(b * w + from, b * w + from + len));
    if (actSpace.type === 'Discrete') {
      const w = 1 + k;
      return run(data, n, (x) => {
        const r = policy.actWithDistribution(x, { deterministic }) as Extract<ActionWithDistribution, { kind: 'categorical' }>;
        return tf.concat([tf.cast(tf.reshape(r.action, [n, 1]), 'float32'), r.probabilities], 1);
      }, (out, b) => ({ action: out[b * w]!, probabilities: row(out, b, w, 1, k) }));
    }
    const w = 3 * k;
    return run(data, n, (x) => {
      const r = policy.actWithDistribution(x, { deterministic }) as Extract<ActionWithDistribution, { kind: 'gaussian' }>;
      return tf.concat([r.action, r.mean, r.std], 1);
    }, (out, b) => ({ action: row(out, b, w, 0, k), mean: row(out, b, w, k, k), std: row(out, b, w, 2 * k, k) }));
  };
  return {
    observationSpace: policy.observationSpace,
    actionSpace: actSpace,
    metadata: policy.metadata,
    network: policy.network ?? null,
    act(obs, o = {}) {
      if (obs === null || typeof obs !== 'object' || typeof obs.length !== 'number') throw new TypeError(`policy.act: expected an array of ${d} numbers, got ${JSON.stringify(obs)}`);
      if (obs.length !== d) throw new RangeError(`policy.act: observation has length ${obs.length}, expected ${d} for ${policy.observationSpace.toString()}`);
      const { data } = flattenBatch([obs], d, 'policy.act');
      return actions(data, 1, o.deterministic ?? false)[0]!;
    },
    actBatch(obs, o = {}) {
      const { data, n } = flattenBatch(obs, d, 'policy.actBatch');
      return actions(data, n, o.deterministic ?? false);
    },
    actBatchWithDistribution(obs, o = {}) {
      const { data, n } = flattenBatch(obs, d, 'policy.actBatchWithDistribution');
      return withDistribution(data, n, o.deterministic ?? false);
    },
    dispose() {
      if (!disposed) {
        disposed = true;
        policy.dispose();
      }
    },
  };
}
