import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync, appendFileSync, readFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, rl, rlSync } from './harness.js';

// Every case: a clear message on stderr, a non-zero exit, and no run directory written or changed.
let root: string;
let goodRun: string;
const tiny = ['--total-steps', '256', '--num-envs', '4', '--steps-per-iter', '16', '--eval-episodes', '0'];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rl-bad-'));
  goodRun = join(root, 'good');
  const r = rlSync(['train', '--out', goodRun, ...tiny]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs a failing command in a fresh cwd and checks: non-zero exit, stderr matching, nothing written there. */
async function expectFailure(args: string[], ...messages: (string | RegExp)[]): Promise<string> {
  const cwd = mkdtempSync(join(root, 'cwd-'));
  const r = await rl(args, { cwd });
  expect(r.status, `exit status of rl ${args.join(' ')}\nstderr: ${r.stderr}`).not.toBe(0);
  for (const m of messages) expect(r.stderr).toMatch(m);
  expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  expect(readdirSync(cwd)).toEqual([]); // no runs/ directory, nothing else
  return r.stderr;
}

describe.concurrent('rl train: bad input writes nothing', () => {
  it('unknown flag', async () => {
    await expectFailure(['train', '--bogus', '3'], "unknown option '--bogus'");
  });

  it('unknown env id, naming the id and the registered ones', async () => {
    await expectFailure(['train', '--env', 'Nope-v9'], 'Nope-v9', /unknown env id; registered: .*CartPole-v1/);
  });

  it('bad values: every bad field listed with its allowed range and source', async () => {
    const err = await expectFailure(['train', '--gamma', '2', '--num-envs', '0', '--lr', '-1'], /3 bad fields/, /gamma = 2: must be in \[0, 1\] \(from --gamma\)/, /numEnvs = 0: must be an integer ≥ 1 \(from --num-envs\)/, /lr = -1: must be > 0/);
    expect(err).toContain('rl train:');
  });

  it('flag value that is not a number / not an allowed choice', async () => {
    await Promise.all([
      expectFailure(['train', '--lr', 'fast'], /--lr.*"fast" is not a number/),
      expectFailure(['train', '--baseline', 'magic'], /--baseline.*magic.*Allowed choices are none, mean, ema, value, gae/),
    ]);
  });

  it('config file missing, unparsable, not an object, or with bad values', async () => {
    const dir = mkdtempSync(join(root, 'cfg-'));
    writeFileSync(join(dir, 'broken.json'), '{ "lr": 0.01, ');
    writeFileSync(join(dir, 'broken.yaml'), 'lr: [1, 2\nseed: 3\n');
    writeFileSync(join(dir, 'list.yaml'), '- 1\n- 2\n');
    writeFileSync(join(dir, 'bad.yaml'), 'gamma: 1.5\nnumEnvs: 2.5\nbaseline: sideways\ncolour: blue\n');
    await Promise.all([
      expectFailure(['train', '--config', join(dir, 'missing.yaml')], `config file ${join(dir, 'missing.yaml')}: not found`),
      expectFailure(['train', '--config', join(dir, 'broken.json')], `config file ${join(dir, 'broken.json')}: cannot parse as JSON`),
      expectFailure(['train', '--config', join(dir, 'broken.yaml')], `config file ${join(dir, 'broken.yaml')}: cannot parse as YAML`),
      expectFailure(['train', '--config', join(dir, 'list.yaml')], 'must hold an object of config fields'),
      expectFailure(['train', '--config', join(dir, 'bad.yaml')], /4 bad fields/, /gamma = 1.5: must be in \[0, 1\]/, /numEnvs = 2.5: must be an integer ≥ 1/, /baseline = "sideways": must be one of/, /colour = "blue": unknown field/, new RegExp(`from ${join(dir, 'bad.yaml')}`)),
    ]);
  });

  it('--out pointing at an existing run without --force leaves it untouched', async () => {
    const before = fingerprint(goodRun);
    await expectFailure(['train', '--out', goodRun, ...tiny], `--out ${goodRun}: holds a run; pass --force`);
    expect(fingerprint(goodRun)).toEqual(before);
  });

  it('--force replaces an existing run', async () => {
    const dir = join(root, 'forced');
    mkdirSync(dir);
    writeFileSync(join(dir, 'old.txt'), 'old');
    const r = await rl(['train', '--out', dir, '--force', ...tiny]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'old.txt'))).toBe(false);
    // model and model-last are links to their newest versions .model.v<seq> / .model-last.v<seq> (savePolicy's atomic publication)
    expect(readdirSync(dir).filter((n) => !/^\.model(-last)?\.v\d+$/.test(n)).sort()).toEqual(['checkpoints', 'config.json', 'curve.svg', 'evaluations.jsonl', 'metrics.jsonl', 'model', 'model-last', 'run.json', 'train.log']);
    expect(lstatSync(join(dir, 'model')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'model-last')).isSymbolicLink()).toBe(true);
  });

  it('--backend tensorflow-gpu when it is not installed names the package', async () => {
    const out = join(root, 'gpu-run');
    await expectFailure(['train', '--backend', 'tensorflow-gpu', '--out', out, ...tiny], '@tensorflow/tfjs-node-gpu');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((n) => n.includes('gpu-run'))).toEqual([]);
  });
});

describe.concurrent('rl eval / rl resume on something that is not a good run', () => {
  it('a directory that is not a run, or does not exist', async () => {
    const notRun = mkdtempSync(join(root, 'notrun-'));
    writeFileSync(join(notRun, 'notes.txt'), 'hello');
    const before = fingerprint(notRun);
    await Promise.all(
      ['eval', 'resume'].flatMap((cmd) => [
        expectFailure([cmd, notRun], `${notRun}: not a run directory`),
        expectFailure([cmd, join(root, 'nowhere')], `${join(root, 'nowhere')}: no such directory`),
      ]),
    );
    expect(fingerprint(notRun)).toEqual(before);
  });

  const corruptCopy = (name: string, damage: (dir: string) => void): string => {
    const dir = join(root, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    for (const [rel, kind] of Object.entries(fingerprint(goodRun))) {
      if (kind === 'dir') mkdirSync(join(dir, rel), { recursive: true });
    }
    for (const [rel, kind] of Object.entries(fingerprint(goodRun))) {
      if (kind !== 'dir') writeFileSync(join(dir, rel), readFileSync(join(goodRun, rel)));
    }
    damage(dir);
    return dir;
  };

  it('corrupt config.json, metrics.jsonl, checkpoint or model: names the file, changes nothing', async () => {
    const cases: [string, (d: string) => void, string, ('eval' | 'resume')[]][] = [
      ['bad-config', (d) => writeFileSync(join(d, 'config.json'), '{"env": "CartPole-v1", '), 'config.json: not valid JSON', ['eval', 'resume']],
      ['bad-config-values', (d) => writeFileSync(join(d, 'config.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(goodRun, 'config.json'), 'utf8')), gamma: 7 })), 'config.json', ['eval', 'resume']],
      ['bad-run-json', (d) => writeFileSync(join(d, 'run.json'), 'nope'), 'run.json: not valid JSON', ['eval', 'resume']],
      ['bad-metrics', (d) => appendFileSync(join(d, 'metrics.jsonl'), '{"iteration": 99}\n'), 'metrics.jsonl: line', ['resume']],
      ['bad-checkpoints', (d) => {
        // every checkpoint corrupt: nothing to fall back to (one corrupt checkpoint: resume-fallback in integrity.test.ts)
        const ck = join(d, 'checkpoints');
        for (const c of readdirSync(ck)) writeFileSync(join(ck, c, 'state.bin'), Buffer.alloc(16));
      }, 'no intact checkpoint', ['resume']],
      ['bad-model', (d) => writeFileSync(join(d, 'model', 'model.json'), '{ truncated'), 'model.json', ['eval']],
    ];
    await Promise.all(
      cases.map(async ([name, damage, message, cmds]) => {
        const dir = corruptCopy(name, damage);
        const before = fingerprint(dir);
        for (const cmd of cmds) {
          await expectFailure([cmd, dir], message);
          expect(fingerprint(dir), `${cmd} on ${name} changed the directory`).toEqual(before);
        }
      }),
    );
  });
});
