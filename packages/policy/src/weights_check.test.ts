import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box, Discrete } from '@rl/env';
import { initTf, tf } from '@rl/tf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from './digest.js';
import { fileIO } from './io.js';
import { loadPolicy, loadPolicyModel, verifyPolicyDir } from './load.js';
import { createPolicy } from './policy.js';
import { PolicyIntegrityError } from './weights_check.js';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'rl-integrity-'));
  await initTf({ backend: 'cpu' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A freshly saved policy directory `name`, damaged by `damage`. */
async function saved(name: string, damage: (dir: string) => void): Promise<string> {
  const dir = join(root, name);
  const p = createPolicy(new Box(-1, 1, [4]), new Discrete(2), { seed: 3, hidden: [8] });
  await p.save(dir);
  p.dispose();
  damage(dir);
  return dir;
}
const weightsOf = (dir: string): Float32Array => new Float32Array(new Uint8Array(readFileSync(join(dir, 'weights.bin'))).buffer);
/** Rewrites policy.json's record of weights.bin to match its bytes now (what a save of such weights would have written). */
const rerecord = (dir: string): void => {
  const meta = JSON.parse(readFileSync(join(dir, 'policy.json'), 'utf8'));
  meta.files['weights.bin'] = digestOf(readFileSync(join(dir, 'weights.bin')));
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(meta));
};
const refused = async (dir: string, message: RegExp, kind: 'digest' | 'nonFinite'): Promise<void> => {
  for (const load of [() => loadPolicy(dir), () => loadPolicyModel(dir), async () => verifyPolicyDir(dir)]) {
    const err = await load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PolicyIntegrityError);
    expect((err as PolicyIntegrityError).kind).toBe(kind);
    expect((err as Error).message).toMatch(message);
  }
};

describe('a saved policy whose files are not what was saved is refused, naming the file', () => {
  it('all-zero weights.bin of the right length: its sha256 differs from policy.json', async () => {
    const dir = await saved('zeros', (d) => writeFileSync(join(d, 'weights.bin'), Buffer.alloc(readFileSync(join(d, 'weights.bin')).length)));
    await refused(dir, new RegExp(`^${join(dir, 'weights.bin')}: sha256 [0-9a-f]{16}… differs from the [0-9a-f]{16}… recorded in policy.json`), 'digest');
  });

  it('model.json edited (still valid JSON): named by its length or sha256', async () => {
    const dir = await saved('edited-model', (d) => writeFileSync(join(d, 'model.json'), JSON.stringify(JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')), null, 1)));
    await refused(dir, new RegExp(`^${join(dir, 'model.json')}: \\d+ bytes, policy.json records \\d+`), 'digest');
  });

  it('NaN or infinite weights (recorded as saved, as from a diverged run): the file, the weight and the index', async () => {
    const nan = await saved('nan', (d) => {
      const w = weightsOf(d);
      w[5] = NaN;
      writeFileSync(join(d, 'weights.bin'), new Uint8Array(w.buffer));
      rerecord(d);
    });
    await refused(nan, new RegExp(`^${join(nan, 'weights.bin')}: weight ".+" is NaN at index 5 of \\d+ \\(non-finite weights`), 'nonFinite');
    const inf = await saved('inf', (d) => {
      const w = weightsOf(d);
      w.fill(Infinity, w.length - 2);
      writeFileSync(join(d, 'weights.bin'), new Uint8Array(w.buffer));
      rerecord(d);
    });
    await refused(inf, /weight ".+" is Infinity at index/, 'nonFinite');
  });

  it('a policy.json saved before digests were recorded still loads; non-finite weights are still refused, also by fileIO', async () => {
    const legacy = await saved('legacy', (d) => {
      const meta = JSON.parse(readFileSync(join(d, 'policy.json'), 'utf8'));
      delete meta.files;
      writeFileSync(join(d, 'policy.json'), JSON.stringify(meta));
    });
    const before = tf.memory().numTensors;
    (await loadPolicy(legacy)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const w = weightsOf(legacy);
    w[0] = NaN;
    writeFileSync(join(legacy, 'weights.bin'), new Uint8Array(w.buffer));
    await refused(legacy, /is NaN at index 0/, 'nonFinite');
    await expect(tf.loadLayersModel(fileIO(legacy))).rejects.toThrow(/is NaN at index 0/);
  });
});
