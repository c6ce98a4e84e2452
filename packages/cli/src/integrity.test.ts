import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf, loadPolicy, verifyPolicyDir } from '@rl/policy';
import { initTf } from '@rl/tf';
import { listCheckpoints, readCheckpoint } from '@rl/trainer/checkpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rl, rlServe, rlSpawn } from './harness.js';
import { readMetrics } from './metrics.js';

// Issue 16 items 3-5: nothing served from bad weights, resume from the older checkpoint, and a
// model/ that is never missing or mixed — with real `rl` processes on real files.
let root: string;
let env: Record<string, string>;
let run: string; // a finished tiny run: 8 iterations, checkpoints at 4, 6, 8
const tiny = ['--num-envs', '4', '--steps-per-iter', '16', '--eval-episodes', '0', '--curve-seconds', '0.2'];
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'rl-integrity-'));
  env = { RL_CONFIGS_DIR: mkdtempSync(join(root, 'no-configs-')) };
  run = join(root, 'run');
  const r = await rl(['train', '--out', run, '--total-steps', '512', '--checkpoint-every', '2', '--keep-checkpoints', '3', ...tiny], { env });
  expect(r.status, r.stderr).toBe(0);
  await initTf({ backend: 'cpu' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the finished run (links kept as links). */
const copyOf = (name: string): string => {
  const dir = join(root, name);
  cpSync(run, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
};
const weights = (dir: string): string => join(dir, 'model', 'weights.bin');

describe.concurrent('saved policies are verified', () => {
  it('item 3: zeroed or NaN weights: rl eval and rl serve refuse naming the file; rl resume rebuilds model/ from the newest checkpoint', async () => {
    const zeroed = copyOf('zeroed');
    writeFileSync(weights(zeroed), Buffer.alloc(readFileSync(weights(zeroed)).length));
    const nan = copyOf('nan');
    const w = new Float32Array(new Uint8Array(readFileSync(weights(nan))).buffer);
    w.fill(NaN);
    writeFileSync(weights(nan), new Uint8Array(w.buffer));
    // recorded as if it had been saved that way (a diverged run): the digest matches, the values do not
    const meta = JSON.parse(readFileSync(join(nan, 'model', 'policy.json'), 'utf8'));
    meta.files['weights.bin'] = digestOf(readFileSync(weights(nan)));
    writeFileSync(join(nan, 'model', 'policy.json'), JSON.stringify(meta));

    const cases: [string, RegExp][] = [
      [zeroed, new RegExp(`${weights(zeroed)}: sha256 [0-9a-f]{16}… differs from the [0-9a-f]{16}… recorded in policy\\.json \\(corrupt or replaced\\); the policy is refused`)],
      [nan, new RegExp(`${weights(nan)}: weight ".+" is NaN at index 0 of \\d+ \\(non-finite weights`)],
    ];
    await Promise.all(
      cases.map(async ([dir, message]) => {
        const ev = await rl(['eval', dir, '--episodes', '2'], { env });
        expect(ev.status).toBe(1);
        expect(ev.stderr).toMatch(message);
        expect(ev.stdout).toBe('');
        const serve = await rlServe([dir, '--port', '0']).then(
          async (s) => {
            s.child.kill('SIGKILL');
            return 'listening';
          },
          (err: Error) => err.message,
        );
        expect(serve).not.toBe('listening'); // never healthy on bad weights
        expect(serve).toMatch(/exit 1/);
        expect(serve).toMatch(message);
      }),
    );
    // resume verifies model/ and rebuilds it from the checkpoint it resumes from (no training left: only the repair writes)
    await Promise.all(
      cases.map(async ([dir]) => {
        const r = await rl(['resume', dir], { env });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toMatch(new RegExp(`^rl resume: ${join(dir, 'model')}: .*; rebuilt from checkpoint ckpt-00000008 \\(iteration 8\\)\\n$`));
        verifyPolicyDir(dir);
        expect(readFileSync(weights(dir)).equals(readFileSync(weights(run)))).toBe(true); // the checkpoint's policy is the saved one
        const ok = await rl(['eval', dir, '--episodes', '2'], { env });
        expect(ok.status, ok.stderr).toBe(0);
      }),
    );
  }, 240_000);

  it('item 4: a truncated newest checkpoint: rl resume moves it aside (kept), says so, and resumes from the older intact one', async () => {
    const dir = copyOf('truncated');
    const bad = join(dir, 'checkpoints', 'ckpt-00000008');
    truncateSync(join(bad, 'state.bin'), 100);
    const r = await rl(['resume', dir, '--total-steps', '768'], { env });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^rl resume: ${join(bad, 'state.bin')}: 100 bytes, expected \\d+ \\(truncated or corrupt\\); moved ${bad} aside to ${join(dir, 'checkpoints', '.bad-ckpt-00000008')} \\(kept, not deleted\\)$`));
    expect(lines[1]).toBe(`rl resume: resuming from ${join(dir, 'checkpoints', 'ckpt-00000006')} (iteration 6, 384 env steps), the newest intact checkpoint`);
    expect(lines).toHaveLength(2);
    expect(readFileSync(join(dir, 'checkpoints', '.bad-ckpt-00000008', 'state.bin')).length).toBe(100); // never deleted
    // iterations 7 and 8 were cut and trained again: 1…12 once each, ending with a checkpoint of iteration 12
    const metrics = readMetrics(join(dir, 'metrics.jsonl'));
    expect(metrics.map((m) => m.iteration)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const ckpts = listCheckpoints(join(dir, 'checkpoints'));
    expect(readCheckpoint(ckpts[ckpts.length - 1]!.dir).iteration).toBe(12);
    expect(readCheckpoint(join(dir, 'checkpoints', 'ckpt-00000008')).iteration).toBe(8); // written again, whole
  }, 240_000);

  it('item 5: SIGKILL of rl train between the steps of a model/ swap (test hook): model/ is whole, rl eval runs, rl resume cleans up', async () => {
    await Promise.all(
      (['written', 'versioned', 'linked', 'published'] as const).map(async (step) => {
        const dir = join(root, `killed-${step}`);
        // the 3rd publication of model/ (staging, then checkpoints 1 and 2) stops after `step`
        const t = rlSpawn(['train', '--out', dir, '--total-steps', '100000', '--checkpoint-every', '1', ...tiny], { env: { ...env, RL_TEST_PUBLISH_PAUSE: `${step}@3` } });
        let err = '';
        t.child.stderr!.on('data', (d: string) => (err += d));
        const t0 = Date.now();
        while (!err.includes(`publish paused after ${step}`) && t.child.exitCode === null && Date.now() - t0 < 90_000) await new Promise((r) => setTimeout(r, 20));
        expect(err, `rl train did not reach the hook: ${err}`).toContain(`publish paused after ${step}`);
        t.child.kill('SIGKILL');
        expect((await t.done).signal).toBe('SIGKILL');
        expect(lstatSync(join(dir, 'model')).isSymbolicLink()).toBe(true);
        verifyPolicyDir(dir);
        const ev = await rl(['eval', dir, '--episodes', '2'], { env });
        expect(ev.status, ev.stderr).toBe(0);
        const r = await rl(['resume', dir, '--total-steps', '256'], { env });
        expect(r.status, r.stderr).toBe(0);
        expect(readdirSync(dir).filter((n) => n.startsWith('.') && !/^\.model(-last)?\.v\d+$/.test(n))).toEqual([]);
        verifyPolicyDir(dir);
      }),
    );
  }, 240_000);

  it('item 5: readers beside a training run that saves model/ every iteration: loadPolicy and rl eval never fail', async () => {
    const dir = join(root, 'read-while-training');
    const t = rlSpawn(['train', '--out', dir, '--total-steps', '6400', '--checkpoint-every', '1', ...tiny], { env });
    let exited = false;
    void t.done.then(() => (exited = true));
    while (!exited && !existsSync(join(dir, 'run.json'))) await new Promise((r) => setTimeout(r, 10));
    const errors: string[] = [];
    let loads = 0;
    let evals = 0;
    const evalLoop = (async () => {
      while (!exited) {
        const ev = await rl(['eval', dir, '--episodes', '2', '--json'], { env });
        if (ev.status === 0) evals++;
        else errors.push(`rl eval: ${ev.stderr}`);
      }
    })();
    const savedAt = new Set<string>();
    while (!exited) {
      try {
        const p = await loadPolicy(dir);
        savedAt.add(String(p.metadata.savedAt));
        p.dispose();
        loads++;
      } catch (err) {
        errors.push(`loadPolicy: ${(err as Error).message}`);
      }
      await new Promise((r) => setImmediate(r));
    }
    await evalLoop;
    const done = await t.done;
    expect(done.status, done.stderr).toBe(0);
    expect(errors).toEqual([]);
    expect(loads).toBeGreaterThan(20);
    expect(savedAt.size).toBeGreaterThan(3); // it read while model/ kept changing
    expect(evals).toBeGreaterThan(0);
  }, 240_000);
});
