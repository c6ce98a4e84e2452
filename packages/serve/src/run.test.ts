import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Box, Discrete } from '@rl/env';
import { createPolicy } from '@rl/policy';
import { initTf } from '@rl/tf';
import { runServeCommand } from './run.js';
import { serveFlags } from './flags.js';
import { SERVE_DEFAULTS } from './options.js';

const BIN = fileURLToPath(new URL('../bin/serve.mjs', import.meta.url));
const BODY = JSON.stringify({ observation: [0.01, -0.02, 0.03, 0.04], deterministic: true });

let root: string;
let dir: string;

beforeAll(async () => {
  await initTf({ backend: 'cpu' });
  root = mkdtempSync(join(tmpdir(), 'rl-serve-run-'));
  dir = join(root, 'cartpole');
  const p = createPolicy(new Box([-4.8, -Infinity, -0.41887903, -Infinity], [4.8, Infinity, 0.41887903, Infinity]), new Discrete(2), { seed: 5, hidden: [16] });
  await p.save(dir, { metadata: { envId: 'CartPole-v1' } });
  p.dispose();
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** One POST /act: 'ok', `status N`, or the connection error code. Records the sockets that got a response. */
function request(url: string, agent: http.Agent | false, answered: Set<Socket>): Promise<string> {
  return new Promise((resolve) => {
    const req = http.request(`${url}/act`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) } }, (res) => {
      answered.add(res.socket);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve(res.statusCode === 200 && /^\{"action":[01]\}$/.test(text) ? 'ok' : `status ${res.statusCode} ${text}`));
      res.on('error', (e: NodeJS.ErrnoException) => resolve(`response ${e.code ?? e.message}`));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end(BODY);
  });
}

describe('bin/serve.mjs in a real process', () => {
  it('SIGTERM under load: every accepted request is answered, then connections are refused, exit 0', async () => {
    const child = spawn(process.execPath, [BIN, dir, '--port', '0', '--backend', 'cpu'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RL_LOG_LEVEL: 'info' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setInterval(() => {
        const m = /listening on (\S+)/.exec(stdout);
        if (m) {
          clearInterval(t);
          resolve(m[1]!);
        }
      }, 20);
      void exited.then((code) => {
        clearInterval(t);
        reject(new Error(`server exited (${code}) before listening: ${stderr}`));
      });
    });

    // Keep-alive clients (how services call services) and clients opening a connection per request.
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 24 });
    const answered = new Set<Socket>();
    const outcomes = new Map<string, number>();
    let stop = false;
    const worker = async (agent: http.Agent | false): Promise<void> => {
      for (;;) {
        const r = await request(url, agent, answered);
        outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
        if (r !== 'ok' || stop) return;
      }
    };
    const workers = [...Array.from({ length: 24 }, () => worker(keepAlive)), ...Array.from({ length: 8 }, () => worker(false))];
    while ((outcomes.get('ok') ?? 0) < 400) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    const code = await exited;
    stop = true;
    await Promise.all(workers);
    keepAlive.destroy();

    expect(code).toBe(0);
    const ok = outcomes.get('ok') ?? 0;
    const refused = outcomes.get('ECONNREFUSED') ?? 0;
    // Resets come only from connections the kernel had queued but the process never accepted
    // (closing a listening socket resets its backlog); the counts below prove none was accepted.
    const reset = outcomes.get('ECONNRESET') ?? 0;
    expect(ok + refused + reset).toBe([...outcomes.values()].reduce((a, b) => a + b, 0));
    expect(refused).toBeGreaterThan(0);
    const shutdown = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'shut down');
    expect(shutdown).toBeDefined();
    // Every request the server received was answered, and every answer reached its client …
    expect(shutdown!.requestsReceived).toBe(shutdown!.requestsAnswered);
    expect(shutdown!.requestsAnswered).toBe(ok);
    // … and every connection the server accepted delivered at least one answer.
    expect(shutdown!.connectionsAccepted).toBe(answered.size);
  });

  it('--help lists the flags with the defaults of SERVE_OPTIONS; a bad value exits 1 naming the flag', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const f of serveFlags()) expect(help.stdout).toContain(`${f.flag}${f.arg ? ` ${f.arg}` : ''}`);
    expect(help.stdout).toMatch(new RegExp(`--max-batch <n> .*\\(default: ${SERVE_DEFAULTS.maxBatch}\\)`));
    expect(help.stdout).toMatch(/--model-name <name> .*\(default: the env id/);
    const bad = await run([dir, '--max-batch', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--max-batch must be an integer from 1 to 1048576, got "0"');
  });

  it('exits 1 with a message naming the directory when there is no policy', async () => {
    const missing = join(root, 'missing');
    const child = spawn(process.execPath, [BIN, missing, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain(missing);
  });
});

describe('runServeCommand', () => {
  it('serves until one of its signals arrives, then drains and resolves', async () => {
    let url = '';
    const done = runServeCommand({
      dir,
      port: 0,
      maxBatch: 32,
      maxWaitMs: 2,
      modelName: 'cp',
      signals: ['SIGUSR2'],
      logger: pino({ level: 'silent' }),
      onListening: (a) => (url = a.url),
    });
    while (url === '') await new Promise((r) => setTimeout(r, 5));
    const res = await fetch(`${url}/act`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
    expect(res.status).toBe(200);
    const meta = (await (await fetch(`${url}/metadata`)).json()) as { batching: unknown; modelName: string };
    expect(meta.batching).toEqual({ enabled: true, maxBatch: 32, maxWaitMs: 2, maxRequestBatch: 32 });
    expect(meta.modelName).toBe('cp');
    expect((await fetch(`${url}/v1/models/cp`)).status).toBe(200);
    process.kill(process.pid, 'SIGUSR2');
    await done;
    expect(process.listenerCount('SIGUSR2')).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
