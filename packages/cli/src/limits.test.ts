import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, rl, rlServe } from './harness.js';

// Issue 16 item 6 and the smaller ones of item 7: sizes that cannot fit, out-of-range numbers
// and bad paths are refused before anything is written, with a message naming the flag.
let root: string;
let env: Record<string, string>;
let run: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'rl-limits-'));
  env = { RL_CONFIGS_DIR: mkdtempSync(join(root, 'no-configs-')) };
  run = join(root, 'run');
  const r = await rl(['train', '--out', run, '--total-steps', '256', '--num-envs', '4', '--steps-per-iter', '16', '--eval-episodes', '0'], { env });
  expect(r.status, r.stderr).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `rl …args` in a fresh directory: it must fail, print exactly one message line(s) matching, and write nothing there. */
async function refused(args: string[], message: RegExp, status = 1): Promise<string> {
  const cwd = mkdtempSync(join(root, 'cwd-'));
  const r = await rl(args, { cwd, env });
  expect(r.status, `rl ${args.join(' ')}: ${r.stderr}`).toBe(status);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at |Invalid typed array length|heap out of memory|RL_DEBUG/); // a message, not a crash
  expect(readdirSync(cwd), 'nothing written').toEqual([]);
  return r.stderr;
}

describe.concurrent('sizes that cannot fit are refused before anything is written, naming the flags', () => {
  it.each([
    [['--num-envs', '1e9'], /^rl train: the run needs about 3\.3 TB for its rollout arrays \(--num-envs 1,000,000,000 × --steps-per-iter 64 = 64,000,000,000 rows\), one array of [\d,]+ numbers, more than the 4,294,967,296 a typed array can hold; lower --num-envs or --steps-per-iter\n$/],
    [['--hidden', '30000,30000'], /^rl train: the run needs about \d+ GB of tensors, more than the wasm backend's 4\.3 GB of memory: the networks \(weights, gradients, Adam moments\) \d+ GB \(--hidden 30000,30000\); lower --hidden\n$/],
    [['--num-envs', '2000000', '--steps-per-iter', '1'], /^rl train: the run needs about 7\.3 GB of tensors, more than the wasm backend's 4\.3 GB of memory: the update's batch and activations 7\.3 GB \(--num-envs 2,000,000 × --steps-per-iter 1 = 2,000,000 rows, --hidden 64,64\); lower --num-envs or --steps-per-iter or --hidden\n$/],
    [['--steps-per-iter', '1e9'], /^rl train: the run needs about 832 GB for its rollout arrays \(--num-envs 16 × --steps-per-iter 1,000,000,000 = 16,000,000,000 rows\).*; lower --num-envs or --steps-per-iter\n$/],
    [['--eval-episodes', '10000000'], /^rl train: the run needs about \d+ GB (for its evaluation episodes|of tensors \(the evaluation after training\)).*--eval-episodes 10,000,000.*; lower --eval-episodes\n$/],
  ])('rl train %s', async (flags, message) => {
    await refused(['train', '--out', 'big', ...(flags as string[])], message as RegExp);
  });

  it('rl eval --episodes 10000000 and rl serve --body-limit 1073741824 / --max-batch 1048576 with a wide policy', async () => {
    const before = fingerprint(run);
    await refused(['eval', run, '--episodes', '10000000'], /^rl eval: the evaluation needs about 520 GB for its evaluation episodes \(host arrays\) \(--episodes 10,000,000 × 500 steps \(the env's time limit\) = 5,000,000,000 rows\).*; lower --episodes\n$/);
    const serve = await rlServe([run, '--port', '0', '--body-limit', '1073741824']).then(
      (s) => (s.child.kill('SIGKILL'), 'listening'),
      (err: Error) => err.message,
    );
    expect(serve).toMatch(/exit 1\).*rl serve: bodyLimit \(--body-limit\) 1,073,741,824: one request body that large needs about 21 GB of JavaScript heap to parse \(20× its size\), more than the [\d.]+ GB V8's heap has left; lower --body-limit/s);
    expect(fingerprint(run)).toEqual(before);
  });

  it('out-of-range numbers name the flag and show the value as given', async () => {
    await refused(['train', '--lr', 'Infinity'], /lr = Infinity: must be a finite number > 0 \(from --lr\)/);
    await refused(['train', '--num-envs', '1e20'], /numEnvs = 100000000000000000000: must be an integer ≥ 1 and at most 9007199254740991 \(2\^53 − 1\) \(from --num-envs\)/);
    await refused(['train', '--gamma', 'NaN'], /--gamma.*"NaN" is not a number/);
  });

  it("--out '' and --config DIR: clear errors, not ENOENT / EISDIR", async () => {
    await refused(['train', '--out', ''], /^rl train: --out: an empty path; give the run directory, e\.g\. --out runs\/cartpole\n$/, 2);
    const dir = mkdtempSync(join(root, 'config-dir-'));
    mkdirSync(join(dir, 'c.yaml'));
    await refused(['train', '--config', join(dir, 'c.yaml')], new RegExp(`^rl train: config file ${join(dir, 'c.yaml')}: is a directory; give a YAML \\(\\.yaml, \\.yml\\) or JSON file\\n$`));
    await refused(['train', '--config', ''], /^rl train: --config: an empty path; give a YAML or JSON config file\n$/, 2);
  });
});

describe('rl resume --total-steps', () => {
  it('below the steps done: refused, nothing changed; above: the change is printed and written to config.json', async () => {
    const before = fingerprint(run);
    const low = await rl(['resume', run, '--total-steps', '100'], { env });
    expect(low.status).toBe(2);
    expect(low.stderr).toBe(`rl resume: --total-steps 100 is below the 256 env steps this run has done (checkpoint ckpt-00000004); give at least 256, or leave it out to keep 256\n`);
    expect(fingerprint(run)).toEqual(before);
    const high = await rl(['resume', run, '--total-steps', '320'], { env });
    expect(high.status, high.stderr).toBe(0);
    expect(high.stdout.split('\n')[0]).toBe(`rl resume: totalSteps 256 → 320 (--total-steps); ${join(run, 'config.json')} updated`);
    expect(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).totalSteps).toBe(320);
  });
});
