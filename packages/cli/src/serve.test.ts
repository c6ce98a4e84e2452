import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { RUN_POLICY_DIR } from '@rl/policy';
import { serveFlags } from '@rl/serve';
import { rl, rlSpawn } from './harness.js';
import { RUN_FILES } from './rundir.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rl-serve-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('rl serve (real child processes)', () => {
  it('serves the policy of a run dir: POST /act on 127.0.0.1 answers, SIGTERM exits 0', async () => {
    const dir = join(root, 'run');
    const env = { RL_CONFIGS_DIR: mkdtempSync(join(root, 'no-configs-')) };
    const t = await rl(['train', '--out', dir, '--num-envs', '4', '--steps-per-iter', '16', '--total-steps', '128', '--eval-episodes', '0'], { env });
    expect(t.status, t.stderr).toBe(0);

    const { child, done } = rlSpawn(['serve', dir, '--port', '0', '--max-batch', '8', '--max-wait-ms', '1', '--backend', 'cpu', '--model-name', 'cartpole'], { env });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout!.on('data', (d: string) => (out += d));
    const deadline = Date.now() + 60_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline && child.exitCode === null) {
      url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 20));
    }
    expect(url, `no URL printed; stdout: ${out}`).toBeDefined();

    const res = await fetch(`${url}/act`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ observations: [[0.01, 0, -0.02, 0], [0, 0.1, 0.03, -0.1]], deterministic: true }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { actions: number[] };
    expect(body.actions).toHaveLength(2);
    for (const a of body.actions) expect([0, 1]).toContain(a); // CartPole's Discrete(2)
    const bad = await fetch(`${url}/act`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ observation: [1, 2] }) });
    expect(bad.status).toBe(400);
    expect(out).toContain(`as model "cartpole"`);
    const predict = await fetch(`${url}/v1/models/cartpole:predict`, { method: 'POST', body: JSON.stringify({ instances: [[0.01, 0, -0.02, 0]] }) });
    expect(predict.status).toBe(200);
    const [p] = ((await predict.json()) as { predictions: { action: number; probabilities: number[] }[] }).predictions;
    expect([0, 1]).toContain(p!.action);
    expect(p!.probabilities[0]! + p!.probabilities[1]!).toBeCloseTo(1, 6);
    const get = await fetch(`${url}/act`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);

    child.kill('SIGTERM');
    const r = await done;
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  it('refuses a directory without a saved policy, naming both candidates', async () => {
    const r = await rl(['serve', root, '--port', '0']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${root}: neither a run directory nor a saved policy directory`);
    expect(r.stderr).toContain(join(root, 'model', 'model.json'));
  });

  it('--help and `rl help serve` show @rl/serve’s flags with its defaults; bad values name the flag', async () => {
    const [help, helpCmd, bad] = await Promise.all([rl(['serve', '--help']), rl(['help', 'serve']), rl(['serve', root, '--max-wait-ms', '-1'])]);
    for (const r of [help, helpCmd]) {
      expect(r.status, r.stderr).toBe(0);
      const text = r.stdout.replace(/\s+/g, ' ');
      for (const f of serveFlags()) expect(text).toContain(`${f.flag}${f.arg ? ` ${f.arg}` : ''}`);
      for (const f of serveFlags()) expect(text).toContain(`(default: ${f.defaultText})`);
    }
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--max-wait-ms must be a number from 0 to 60000, got "-1"');
  });

  it('a run keeps its policy where @rl/policy looks for it', () => {
    expect(RUN_FILES.model).toBe(RUN_POLICY_DIR);
  });
});
