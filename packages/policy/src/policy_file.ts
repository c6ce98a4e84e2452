/**
 * Validation of a parsed policy.json wherever it came from (a file in Node, a URL in a
 * browser): the zod shape plus the facts across fields (distribution vs action space, log σ
 * and normalisation sizes). Errors name `where` (the file path or URL) and every bad field.
 * No Node built-ins: the browser entry uses it.
 */
import { Box, spaceFromJSON } from '@rl/env';
import type { RngState, Space } from '@rl/env';
import { z } from 'zod';
import type { NetworkSpec, ObsNormStats } from './types.js';
import type { FileDigests } from './weights_check.js';

/** The format tag of policy.json (same value as `POLICY_FORMAT`). */
const FORMAT = 'rl-policy';

/** A validated policy.json. */
export interface ParsedPolicyFile {
  readonly observationSpace: Box;
  readonly actionSpace: Space;
  readonly distribution: 'categorical' | 'gaussian';
  readonly logStd: number[] | null;
  readonly obsNorm: ObsNormStats | null;
  readonly network: NetworkSpec | null;
  readonly rngState: RngState | null;
  readonly versions: Record<string, string>;
  readonly savedAt: string | null;
  readonly metadata: Record<string, unknown>;
  /** Byte length and sha256 of each model file (`model.json`, `weights.bin`); empty in files saved before it was recorded. */
  readonly files: FileDigests;
}

const schema = z.object({
  format: z.literal(FORMAT),
  formatVersion: z.number().int().positive().optional(),
  observationSpace: z.unknown(),
  actionSpace: z.unknown(),
  distribution: z.enum(['categorical', 'gaussian']),
  logStd: z.array(z.number()).nullable().optional(),
  obsNorm: z
    .object({
      mean: z.array(z.number()),
      var: z.array(z.number().nonnegative()),
      count: z.number().nonnegative(),
      clip: z.number().positive(),
      epsilon: z.number().nonnegative(),
    })
    .nullable()
    .optional(),
  network: z.object({ hidden: z.array(z.number().int().positive()), activation: z.enum(['tanh', 'relu']) }).nullable().optional(),
  rngState: z.object({ algorithm: z.literal('xoroshiro128plus'), state: z.array(z.number().int()) }).nullable().optional(),
  versions: z.record(z.string(), z.string()).optional(),
  savedAt: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  files: z.record(z.string(), z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits') })).optional(),
});

/**
 * Validates the parsed JSON of a policy.json; `where` (path or URL) is named in every error.
 *
 * @example
 * const file = parsePolicyFile(await (await fetch(url)).json(), url);
 */
export function parsePolicyFile(json: unknown, where: string): ParsedPolicyFile {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? `"${i.path.join('.')}"` : 'the file'}: ${i.message}`);
    throw new Error(`policy file ${where} is invalid: ${issues.join('; ')}`);
  }
  const j = parsed.data;
  let observationSpace: Space;
  let actionSpace: Space;
  try {
    observationSpace = spaceFromJSON(j.observationSpace);
    actionSpace = spaceFromJSON(j.actionSpace);
  } catch (err) {
    throw new Error(`policy file ${where}: bad space: ${(err as Error).message}`);
  }
  if (!(observationSpace instanceof Box)) throw new Error(`policy file ${where}: "observationSpace" must be a Box, got ${observationSpace.toString()}`);
  const expected = actionSpace.type === 'Discrete' ? 'categorical' : 'gaussian';
  if (j.distribution !== expected) throw new Error(`policy file ${where}: "distribution" is "${j.distribution}" but ${actionSpace.toString()} needs "${expected}"`);
  let logStd: number[] | null = null;
  if (expected === 'gaussian') {
    logStd = j.logStd ?? null;
    if (!logStd || logStd.length !== actionSpace.size) {
      throw new Error(`policy file ${where}: "logStd" has ${logStd ? logStd.length : 'no'} values, ${actionSpace.toString()} needs ${actionSpace.size}`);
    }
  }
  let obsNorm: ObsNormStats | null = null;
  if (j.obsNorm) {
    const o = j.obsNorm;
    if (o.mean.length !== observationSpace.size || o.var.length !== observationSpace.size) {
      throw new Error(`policy file ${where}: "obsNorm" mean/var have ${o.mean.length}/${o.var.length} values, ${observationSpace.toString()} needs ${observationSpace.size}`);
    }
    obsNorm = { mean: Float32Array.from(o.mean), var: Float32Array.from(o.var), count: o.count, clip: o.clip, epsilon: o.epsilon };
  }
  return {
    observationSpace,
    actionSpace,
    distribution: expected,
    logStd,
    obsNorm,
    network: j.network ?? null,
    rngState: j.rngState ?? null,
    versions: j.versions ?? {},
    savedAt: j.savedAt ?? null,
    metadata: j.metadata ?? {},
    files: j.files ?? {},
  };
}
