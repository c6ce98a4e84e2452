import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileIO } from '@rl/policy';
import { initTf, tf } from '@rl/tf';
import { resolveConfig, TIMING_FIELDS } from '@rl/trainer';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { listCheckpoints, readCheckpoint } from '@rl/trainer/checkpoint';
import { rl, rlSpawn } from './harness.js';
import { readMetrics, type MetricsRecord } from './metrics.js';
import { openRunDir } from './rundir.js';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'rl-train-'));
  await initTf({ backend: 'cpu' }); // for loading model.json in this process
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Metrics without the fields that depend on wall-clock time. */
const timeless = (recs: readonly MetricsRecord[]): Record<string, unknown>[] => recs.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !(TIMING_FIELDS as readonly string[]).includes(k))));

/** Checks that every file of a run directory parses and agrees with the others; returns the metrics. */
async function checkRunDir(dir: string): Promise<MetricsRecord[]> {
  const run = openRunDir(dir);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  expect(resolveConfig(config)).toEqual(config); // the resolved config, every field filled
  const metrics = readMetrics(join(dir, 'metrics.jsonl'));
  expect(metrics.length).toBeGreaterThan(0);
  metrics.forEach((m, i) => {
    expect(m.iteration).toBe(i + 1);
    expect(m.envSteps).toBeGreaterThan(i === 0 ? 0 : metrics[i - 1]!.envSteps);
  });
  const svg = readFileSync(join(dir, 'curve.svg'), 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  const ckpts = listCheckpoints(join(dir, 'checkpoints'));
  expect(ckpts.length).toBeGreaterThan(0);
  expect(ckpts.length).toBeLessThanOrEqual(run.keepCheckpoints);
  for (const c of ckpts) expect(readCheckpoint(c.dir).iteration).toBe(c.iteration);
  expect(ckpts[ckpts.length - 1]!.iteration).toBe(metrics.length); // the run ends with a checkpoint of its last iteration
  expect(readdirSync(join(dir, 'checkpoints')).filter((n) => !n.startsWith('ckpt-'))).toEqual([]);
  const log = readFileSync(join(dir, 'train.log'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
  expect(log.map((l) => l.msg)).toContain('run started');
  // model.json loads in plain TensorFlow.js through the policy package's IO handler
  const model = await tf.loadLayersModel(fileIO(join(dir, 'model')));
  const out = tf.tidy(() => model.predict(tf.zeros([3, 4])) as tf.Tensor);
  expect(out.shape).toEqual([3, 2]);
  out.dispose();
  model.dispose();
  expect(JSON.parse(readFileSync(join(dir, 'model', 'policy.json'), 'utf8'))).toMatchObject({ distribution: 'categorical' });
  return metrics;
}

describe.concurrent('rl train, eval, resume (real child processes)', () => {
  const small = ['--env', 'CartPole-v1', '--num-envs', '8', '--steps-per-iter', '32', '--eval-episodes', '3', '--checkpoint-every', '2', '--keep-checkpoints', '2', '--curve-seconds', '0.1'];

  it('train writes a complete run directory; eval prints mean ± std; --json prints one object', async () => {
    const dir = join(root, 'basic');
    const yaml = join(root, 'basic.yaml');
    writeFileSync(yaml, 'numEnvs: 8\nstepsPerIter: 16\ngamma: 0.98\n');
    const flags = small.filter((_, i) => !['--num-envs', '--steps-per-iter'].includes(small[i]!) && !['--num-envs', '--steps-per-iter'].includes(small[i - 1]!));
    const r = await rl(['train', '--out', dir, '--total-steps', '2560', '--config', yaml, '--steps-per-iter', '32', ...flags]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`run directory: ${dir}`);
    expect(r.stdout).toMatch(/done: 10 iterations, 2,560 env steps/);
    expect(r.stdout).toMatch(/evaluation of model\/ \(3 episodes, deterministic\): return [\d.]+ ± [\d.]+/);
    expect(r.stdout).toMatch(/time in this process: rollout [\d.]+ s, update [\d.]+ s/);
    const metrics = await checkRunDir(dir);
    // --config FILE over the trainer defaults, flags over the file
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({ numEnvs: 8, stepsPerIter: 32, gamma: 0.98, totalSteps: 2560, evalEpisodes: 3 });
    const started = readFileSync(join(dir, 'train.log'), 'utf8').split('\n').map((l) => (l ? (JSON.parse(l) as { msg: string; configFiles?: string[] }) : undefined)).find((l) => l?.msg === 'run started');
    expect(started?.configFiles).toContain(yaml);
    expect(metrics.map((m) => m.envSteps)).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 256));
    expect(metrics[0]).toMatchObject({ iteration: 1, envSteps: 256 });
    for (const k of ['returnMean', 'loss', 'entropy', 'gradNorm', 'stepsPerSec', 'rolloutSeconds', 'updateSeconds', 'wallSeconds']) expect(metrics[9]).toHaveProperty(k);
    // the saved policy names its env, the config it was trained with and (configs/CartPole-v1 evaluates during training; the end of the run is evaluated too) its evaluation
    expect(JSON.parse(readFileSync(join(dir, 'model', 'policy.json'), 'utf8')).metadata).toEqual({
      envId: 'CartPole-v1',
      config: JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')),
      iteration: 10,
      envSteps: 2560,
      evaluation: expect.objectContaining({ iteration: 10, envSteps: 2560, episodes: 3, deterministic: true, best: true }),
    });

    const before = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
    const [text, json] = await Promise.all([rl(['eval', dir, '--episodes', '4']), rl(['eval', dir, '--episodes', '5', '--deterministic', '--json'])]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/CartPole-v1, 4 episodes \(sampled actions, seed 1001, wasm\):\n\s+return [\d.]+ ± [\d.]+ .*\n\s+length [\d.]+ ± [\d.]+/);
    expect(json.status).toBe(0);
    const lines = json.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const ev = JSON.parse(lines[0]!) as Record<string, number>;
    expect(ev).toMatchObject({ episodes: 5, deterministic: true, env: 'CartPole-v1' });
    for (const k of ['meanReturn', 'stdReturn', 'meanLength', 'stdLength', 'minReturn', 'maxReturn']) expect(Number.isFinite(ev[k])).toBe(true);
    expect(ev.meanReturn).toBeGreaterThanOrEqual(ev.minReturn!);
    expect(ev.meanLength).toBe(ev.meanReturn); // CartPole: +1 per step
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe(before); // eval changes nothing
  });

  it.each(['episodes', 'steps'] as const)('resume continues metrics.jsonl without gaps or duplicates, identical to an uninterrupted run (%s mode)', async (mode) => {
    // steps mode: 4 envs × 32 steps per iteration, so CartPole episodes run across iterations and across the split
    const ep = ['--mode', mode, '--num-envs', '4', '--steps-per-iter', '32', '--eval-episodes', '0', '--checkpoint-every', '3', '--curve-seconds', '60'];
    const whole = join(root, `whole-${mode}`);
    const split = join(root, `split-${mode}`);
    // independent of the repo's tuned configs/ (e.g. a linear lr decay would tie the schedule to --total-steps)
    const env = { RL_CONFIGS_DIR: mkdtempSync(join(root, 'no-configs-')) };
    const [a, b] = await Promise.all([rl(['train', '--out', whole, '--total-steps', '1500', ...ep], { env }), rl(['train', '--out', split, '--total-steps', '700', ...ep], { env })]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const firstPart = readMetrics(join(split, 'metrics.jsonl')).length;
    const c = await rl(['resume', split, '--total-steps', '1500'], { env });
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    const mWhole = await checkRunDir(whole);
    const mSplit = await checkRunDir(split);
    expect(mSplit.length).toBeGreaterThan(firstPart);
    expect(timeless(mSplit)).toEqual(timeless(mWhole));
    expect(JSON.parse(readFileSync(join(split, 'config.json'), 'utf8')).totalSteps).toBe(1500);
    expect(readFileSync(join(split, 'train.log'), 'utf8')).toContain('"msg":"run resumed"');
    // Same weights at the end, bit for bit.
    expect(readFileSync(join(split, 'model', 'weights.bin')).equals(readFileSync(join(whole, 'model', 'weights.bin')))).toBe(true);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s stops after the current iteration with a final checkpoint and exit 0; resume then finishes (steps mode)', async (signal) => {
    const dir = join(root, signal);
    const { child, done } = rlSpawn(['train', '--out', dir, '--total-steps', '2000000', ...small, '--checkpoint-every', '1000']);
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); // never leave a 2M-step run behind a failed test
    });
    const metricsPath = join(dir, 'metrics.jsonl');
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(existsSync(metricsPath) && readFileSync(metricsPath, 'utf8').split('\n').length > 3)) await new Promise((r) => setTimeout(r, 25));
    if (signal === 'SIGINT') {
      // while it trains, the run is locked: neither resume nor train --force may write into it
      const before = readFileSync(metricsPath, 'utf8').length;
      const [res, forced] = await Promise.all([rl(['resume', dir]), rl(['train', '--out', dir, '--force', ...small])]);
      for (const x of [res, forced]) {
        expect(x.status).not.toBe(0);
        expect(x.stderr).toContain(`${dir}: in use by process ${child.pid} (rl train since`);
      }
      expect(readFileSync(metricsPath, 'utf8').length).toBeGreaterThanOrEqual(before); // still the same run, still growing
    }
    child.kill(signal);
    const r = await done;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`stopped by ${signal}`);
    expect(r.stdout).toContain(`continue with: rl resume ${dir}`);
    const metrics = await checkRunDir(dir); // includes: the newest checkpoint is at the last metrics iteration
    const n = metrics.length;
    const res = await rl(['resume', dir, '--total-steps', String(metrics[n - 1]!.envSteps + 3 * 256)]);
    expect(res.status, res.stderr).toBe(0);
    const after = await checkRunDir(dir);
    expect(after.map((m) => m.iteration)).toEqual(Array.from({ length: n + 3 }, (_, i) => i + 1));
    expect(after.slice(0, n)).toEqual(metrics);
  });
});

describe('rl --help, check-env, bench', () => {
  it('--help of every command lists every flag with its default', async () => {
    const cmds = ['train', 'resume', 'eval', 'serve', 'web', 'check-env', 'bench'];
    const results = await Promise.all([rl(['--help']), ...cmds.map((c) => rl([c, '--help']))]);
    for (const c of cmds) expect(results[0]!.stdout).toContain(c);
    results.slice(1).forEach((r, i) => {
      expect(r.status, cmds[i]).toBe(0);
      // commander wraps long descriptions: join each option's lines, then every option but --help states a default
      const options = r.stdout.split('Options:')[1]!.split(/\n(?= {2}-)/).map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s.startsWith('-') && !s.startsWith('-h, --help'));
      expect(options.length).toBeGreaterThan(0);
      for (const o of options) expect(o, `rl ${cmds[i]}: ${o}`).toMatch(/\(default: /);
    });
    const train = results[1]!.stdout;
    for (const f of ['--env', '--config', '--seed', '--out', '--backend', '--num-envs', '--steps-per-iter', '--total-steps', '--lr', '--gamma', '--baseline', '--hidden', '--force', '--checkpoint-every']) expect(train).toContain(f);
  });

  it('check-env: clean env exits 0; unknown id exits non-zero naming the registered ids', async () => {
    const [ok, bad] = await Promise.all([rl(['check-env', 'CartPole-v1']), rl(['check-env', 'CartPol-v1'])]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('CartPole-v1: no problems found\n');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unknown env id "CartPol-v1"; registered: .*CartPole-v1/);
  });

  it('bench env --quick prints the table and writes its results', async () => {
    const dir = join(root, 'bench');
    const r = await rl(['bench', 'env', '--quick'], { env: { RL_BENCH_RESULTS_DIR: dir, RL_BENCH_RESULTS_MD: join(dir, 'RESULTS.md') } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('## Env throughput');
    expect(r.stdout).toMatch(/^\| N \|.*\|\n\|---\|/m); // a markdown table, as the benchmark wrote it
    expect(JSON.parse(readFileSync(join(dir, 'env-throughput.json'), 'utf8'))).toHaveProperty('data.rows');
    expect(readFileSync(join(dir, 'RESULTS.md'), 'utf8')).toContain('<!-- begin env-throughput -->');
  });
});
