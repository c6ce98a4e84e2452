/**
 * Atomic save of a policy directory: `model.json` + `weights.bin` (TensorFlow.js Layers
 * format, through {@link fileIO}) and `policy.json` (spaces, distribution, log σ, observation
 * normalisation, sampling stream, versions, user metadata).
 *
 * Everything is written into a temporary directory beside the target and fsynced; then the
 * old directory (if any) is renamed aside, the new one renamed into place, and the old one
 * removed. A failure before the swap leaves the previous model untouched.
 */
import { tf } from '@rl/tf';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fsyncPath, writeFileSynced } from './durable.js';
import { fileIO } from './io.js';
import { obsNormToJSON } from './obs_norm.js';
import type { Policy, SaveOptions } from './types.js';

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

let tmpCounter = 0;

/** The policy.json body for `policy`. */
export function policyJson(policy: Policy, opts: SaveOptions): Record<string, unknown> {
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
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const stamp = `${process.pid}-${Date.now()}-${tmpCounter++}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${stamp}`);
  const old = join(parent, `.${basename(target)}.old-${stamp}`);
  mkdirSync(tmp);
  try {
    const body = JSON.stringify(policyJson(policy, opts), null, 2);
    await policy.model.save(fileIO(tmp));
    writeFileSynced(join(tmp, POLICY_JSON), body);
    fsyncPath(tmp);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`savePolicy: could not write ${target} (the previous contents are untouched): ${(err as Error).message}`, { cause: err });
  }
  const hadOld = existsSync(target);
  if (hadOld) renameSync(target, old);
  try {
    renameSync(tmp, target);
  } catch (err) {
    if (hadOld) renameSync(old, target);
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`savePolicy: could not move the new model into ${target}: ${(err as Error).message}`, { cause: err });
  }
  fsyncPath(parent);
  if (hadOld) rmSync(old, { recursive: true, force: true });
}
