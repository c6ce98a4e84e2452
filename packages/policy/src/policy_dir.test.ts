import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box, Discrete } from '@rl/env';
import { initTf, tf } from '@rl/tf';
import { createPolicy } from './policy.js';
import { loadPolicy, loadPolicyModel } from './load.js';
import { findPolicyDir, RUN_POLICY_DIR } from './policy_dir.js';

let root: string;
let runDir: string;
let policyDir: string;
const OBS = [
  [0.5, -0.2, 0.1, 0.3],
  [-0.4, 0.9, -0.3, 0.2],
];

beforeAll(async () => {
  await initTf({ backend: 'cpu' });
  root = mkdtempSync(join(tmpdir(), 'rl-policy-dir-'));
  // A run directory laid out as `rl train` writes it: config beside, the policy in model/.
  runDir = join(root, 'run');
  mkdirSync(runDir);
  writeFileSync(join(runDir, 'config.json'), '{}');
  const p = createPolicy(new Box(-1, 1, [4]), new Discrete(2), { seed: 8, hidden: [8] });
  await p.save(join(runDir, RUN_POLICY_DIR), { metadata: { envId: 'CartPole-v1' } });
  policyDir = join(root, 'policy');
  await p.save(policyDir);
  p.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('findPolicyDir', () => {
  it('takes a policy directory as it is and a run directory’s model/', () => {
    expect(findPolicyDir(policyDir)).toEqual({ policyDir, runDir: undefined });
    expect(findPolicyDir(runDir)).toEqual({ policyDir: join(runDir, 'model'), runDir });
    expect(findPolicyDir(join(runDir, 'model'))).toEqual({ policyDir: join(runDir, 'model'), runDir: undefined });
  });

  it('names both candidates when neither holds a policy', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(() => findPolicyDir(empty)).toThrow(`${empty}: neither a run directory nor a saved policy directory: found no ${join(empty, 'model', 'model.json')}`);
    expect(() => findPolicyDir(empty)).toThrow(`and no ${join(empty, 'model.json')}`);
    expect(() => findPolicyDir(join(root, 'missing'))).toThrow(`${join(root, 'missing')}: no such directory`);
    writeFileSync(join(root, 'file'), 'x');
    expect(() => findPolicyDir(join(root, 'file'))).toThrow(`${join(root, 'file')}: not a directory`);
  });
});

describe('loadPolicy / loadPolicyModel of a run directory', () => {
  it('load the policy in model/, the same one as loading model/ itself', async () => {
    const fromRun = await loadPolicy(runDir);
    const fromModel = await loadPolicy(join(runDir, 'model'));
    const plain = await loadPolicy(policyDir);
    expect(fromRun.metadata.envId).toBe('CartPole-v1');
    const want = plain.actBatchWithDistribution(OBS, { deterministic: true });
    expect(fromRun.actBatchWithDistribution(OBS, { deterministic: true })).toEqual(want);
    expect(fromModel.actBatchWithDistribution(OBS, { deterministic: true })).toEqual(want);
    for (const p of [fromRun, fromModel, plain]) p.dispose();

    const before = tf.memory().numTensors;
    const full = await loadPolicyModel(runDir);
    expect(full.metadata.envId).toBe('CartPole-v1');
    expect(full.observationSpace.size).toBe(4);
    full.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reject a directory without a policy, naming both candidates', async () => {
    await expect(loadPolicy(root)).rejects.toThrow(`${root}: neither a run directory nor a saved policy directory`);
    await expect(loadPolicyModel(root)).rejects.toThrow(join(root, 'model', 'model.json'));
  });
});
