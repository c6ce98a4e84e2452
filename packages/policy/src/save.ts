/**
 * Atomic save of a policy directory: `model.json` + `weights.bin` (TensorFlow.js Layers
 * format, through {@link fileIO}) and `policy.json` (spaces, distribution, log σ, observation
 * normalisation, sampling stream, versions, user metadata, and the byte length and sha256 of
 * `model.json` and `weights.bin`, which every loader checks).
 *
 * Everything is written into a fresh directory beside the target and fsynced, then published
 * by `publish.ts`: the target path is a link swung atomically to the new version, so it is
 * never missing and never holds a mix of two saves. A failure before publication leaves the
 * previous model untouched.
 */
import { tf } from '@rl/tf';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileDigest } from './digest.js';
import { writeFileSynced } from './durable.js';
import { fileIO, MODEL_JSON, WEIGHTS_BIN } from './io.js';
import { obsNormToJSON } from './obs_norm.js';
import { publishDirectory } from './publish.js';
import type { Policy, SaveOptions } from './types.js';
import type { FileDigests } from './weights_check.js';

/** Name of the policy metadata file. */
export const POLICY_JSON = 'policy.json';
/** Format tag and version written into policy.json. */
export const POLICY_FORMAT = 'rl-policy';
/** Current policy.json format version. */
export const POLICY_FORMAT_VERSION = 1;

/** The version of this package (from its package.json). */
export const PACKAGE_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** The policy.json body for `policy`; `files` are the digests of the model files written beside it. */
export function policyJson(policy: Policy, opts: SaveOptions, files: FileDigests = {}): Record<string, unknown> {
  return {
    format: POLICY_FORMAT,
    formatVersion: POLICY_FORMAT_VERSION,
    observationSpace: policy.observationSpace.toJSON(),
    actionSpace: policy.actionSpace.toJSON(),
    distribution: policy.distributionType,
    logStd: policy.logStd ? Array.from(policy.logStd.dataSync()) : null,
    obsNorm: policy.obsNorm ? obsNormToJSON(policy.obsNorm) : null,
    network: policy.network ? { hidden: [...policy.network.hidden], activation: policy.network.activation } : null,
    rngState: policy.getRngState(),
    versions: { tfjs: tf.version.tfjs, '@rl/policy': PACKAGE_VERSION },
    savedAt: new Date().toISOString(),
    metadata: opts.metadata ?? {},
    files,
  };
}

/**
 * Saves `policy` into `dir` atomically (see the file header). Creates parent directories.
 *
 * @example
 * await savePolicy(policy, 'runs/cartpole/final', { metadata: { envId: 'CartPole-v1' } });
 */
export async function savePolicy(policy: Policy, dir: string, opts: SaveOptions = {}): Promise<void> {
  const target = resolve(dir);
  try {
    await publishDirectory(target, async (tmp) => {
      const state = policyJson(policy, opts); // read before the async save, so it matches the weights saved
      await policy.model.save(fileIO(tmp));
      const files = Object.fromEntries([MODEL_JSON, WEIGHTS_BIN].map((f) => [f, fileDigest(join(tmp, f))]));
      writeFileSynced(join(tmp, POLICY_JSON), JSON.stringify({ ...state, files }, null, 2));
    });
  } catch (err) {
    throw new Error(`savePolicy: could not write ${target} (the previous contents are untouched): ${(err as Error).message}`, { cause: err });
  }
}
