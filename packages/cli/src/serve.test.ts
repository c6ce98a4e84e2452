import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { rl, rlSpawn } from './harness.js';

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

    const { child, done } = rlSpawn(['serve', dir, '--port', '0', '--max-batch', '8', '--max-wait-ms', '1', '--backend', 'cpu'], { env });
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

    child.kill('SIGTERM');
    const r = await done;
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  it('refuses a directory without a saved policy, naming it', async () => {
    const r = await rl(['serve', root, '--port', '0']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${root}: neither a run directory`);
  });
});
