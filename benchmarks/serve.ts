/**
 * `rl serve` under load: autocannon against a served CartPole policy on loopback, 64
 * connections, single-observation and 64-observation requests, with micro-batching on
 * (max-batch 256, max-wait 1 ms) and off (max-wait 0), so its effect is a ratio.
 *
 * The server runs in a child process (`packages/serve/bin/serve.mjs`), so the load generator
 * and the server do not share an event loop. Request logs are off in the child
 * (RL_LOG_LEVEL=warn): the benchmark measures inference serving, not log writing.
 *
 * Run: `npx tsx --conditions=source benchmarks/serve.ts [--duration 20] [--connections 64]`
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Box, Discrete, Rng } from '@rl/env';
import { createPolicy } from '@rl/policy';
import { initTf, tf } from '@rl/tf';
import { machineInfo, markdownTable, writeReport } from './lib/report.js';

/** What we read of autocannon's result (it ships no types). */
interface AutocannonResult {
  /** Completed requests per second (mean over 1 s samples) and in total. */
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly average: number; readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  /** Seconds. */
  readonly duration: number;
  readonly '2xx': number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Options of {@link runServeBench}. */
export interface ServeBenchOptions {
  /** Seconds of load per scenario; default 20. */
  readonly duration?: number;
  /** Concurrent connections; default 64. */
  readonly connections?: number;
  /** Seconds of untimed warm-up per server; default 2. */
  readonly warmup?: number;
  /** Observations per request in the batch scenario; default 64. */
  readonly batchObservations?: number;
  /** Write results/serve.{json,md} and the RESULTS.md section; default true. */
  readonly write?: boolean;
  /** Progress lines; default console.log. */
  readonly log?: (msg: string) => void;
}

/** One scenario's numbers. */
export interface ServeBenchRow {
  readonly scenario: 'single' | 'batch';
  readonly observationsPerRequest: number;
  readonly batching: boolean;
  readonly requestsPerSec: number;
  readonly actionsPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** Mean observations per forward pass, from the server's batch-size histogram. */
  readonly meanBatchSize: number;
  readonly forwardPasses: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly completed: number;
  /** The machine's 1-minute load average when the row finished (other work makes numbers noisy). */
  readonly loadAverage: number;
}

/** Everything the benchmark measured. */
export interface ServeBenchResult {
  readonly backend: string;
  readonly durationSec: number;
  readonly connections: number;
  readonly rows: readonly ServeBenchRow[];
  /** actions/s with batching on ÷ off, per scenario. */
  readonly ratio: { readonly single: number; readonly batch: number };
  readonly goals: { readonly singleActionsPerSec: boolean; readonly singleP99: boolean; readonly batchActionsPerSec: boolean };
}

const BIN = fileURLToPath(new URL('../packages/serve/bin/serve.mjs', import.meta.url));

/** CartPole-v1's spaces (Gymnasium's bounds). */
function cartPoleSpaces(): { obs: Box; act: Discrete } {
  const thetaMax = (12 * 2 * Math.PI) / 360;
  return {
    obs: new Box([-4.8, -Infinity, -thetaMax * 2, -Infinity], [4.8, Infinity, thetaMax * 2, Infinity]),
    act: new Discrete(2),
  };
}

/** Saves an untrained CartPole policy (default network) into a fresh temp dir. */
async function savePolicy(): Promise<string> {
  await initTf({ backend: 'cpu' });
  const { obs, act } = cartPoleSpaces();
  const dir = mkdtempSync(join(tmpdir(), 'rl-serve-bench-'));
  const policy = createPolicy(obs, act, { seed: 1 });
  try {
    await policy.save(dir, { metadata: { envId: 'CartPole-v1' } });
  } finally {
    policy.dispose();
  }
  return dir;
}

interface Child {
  readonly proc: ChildProcess;
  readonly url: string;
}

function startServer(dir: string, maxWaitMs: number): Promise<Child> {
  const proc = spawn(process.execPath, [BIN, dir, '--port', '0', '--max-batch', '256', '--max-wait-ms', String(maxWaitMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RL_LOG_LEVEL: 'warn' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    });
    proc.once('exit', (code) => reject(new Error(`serve.mjs exited with code ${code} before listening:\n${out}`)));
  });
}

function stopServer(c: Child): Promise<number | null> {
  return new Promise((resolve) => {
    c.proc.once('exit', (code) => resolve(code));
    c.proc.kill('SIGTERM');
  });
}

/** Sum and count of a histogram in Prometheus text. */
function histogramTotals(metrics: string, name: string): { sum: number; count: number } {
  const num = (suffix: string): number => {
    const m = new RegExp(`^${name}_${suffix}(?:\\{\\})? ([0-9.e+-]+)$`, 'm').exec(metrics);
    return m ? Number(m[1]) : 0;
  };
  return { sum: num('sum'), count: num('count') };
}

function bodies(n: number, count: number, rng: Rng): string[] {
  const obs = (): number[] => [rng.uniform(-0.05, 0.05), rng.uniform(-0.5, 0.5), rng.uniform(-0.05, 0.05), rng.uniform(-0.5, 0.5)];
  return Array.from({ length: count }, () =>
    JSON.stringify(n === 1 ? { observation: obs(), deterministic: true } : { observations: Array.from({ length: n }, obs), deterministic: true }),
  );
}

/**
 * Runs the serve benchmark (4 scenarios × `duration` s) and, unless `write` is false, writes
 * `results/serve.json`, `results/serve.md` and the `serve` section of RESULTS.md.
 */
export async function runServeBench(opts: ServeBenchOptions = {}): Promise<ServeBenchResult> {
  const duration = opts.duration ?? 20;
  const connections = opts.connections ?? 64;
  const warmup = opts.warmup ?? 2;
  const batchN = opts.batchObservations ?? 64;
  const log = opts.log ?? ((m: string) => console.log(m));
  const dir = await savePolicy();
  const rng = new Rng(7);
  const rows: ServeBenchRow[] = [];
  let backend = 'unknown';
  try {
    for (const batching of [true, false]) {
      const server = await startServer(dir, batching ? 1 : 0);
      try {
        backend = ((await (await fetch(`${server.url}/healthz`)).json()) as { backend: string }).backend;
        for (const n of [1, batchN]) {
          const requests = bodies(n, 32, rng).map((body) => ({ method: 'POST', path: '/act', headers: { 'content-type': 'application/json' }, body }));
          if (warmup > 0) await autocannon({ url: server.url, connections, duration: warmup, requests });
          const before = histogramTotals(await (await fetch(`${server.url}/metrics`)).text(), 'rl_serve_batch_size');
          log(`serve bench: ${n === 1 ? 'single' : `${n}-observation`} requests, batching ${batching ? 'on' : 'off'}, ${duration} s …`);
          const r = await autocannon({ url: server.url, connections, duration, requests });
          const after = histogramTotals(await (await fetch(`${server.url}/metrics`)).text(), 'rl_serve_batch_size');
          const passes = after.count - before.count;
          const reqPerSec = r['2xx'] / r.duration;
          const row: ServeBenchRow = {
            scenario: n === 1 ? 'single' : 'batch',
            observationsPerRequest: n,
            batching,
            requestsPerSec: Math.round(reqPerSec),
            actionsPerSec: Math.round(reqPerSec * n),
            latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.average },
            meanBatchSize: passes > 0 ? Math.round(((after.sum - before.sum) / passes) * 10) / 10 : 0,
            forwardPasses: passes,
            errors: r.errors + r.timeouts,
            non2xx: r.non2xx,
            completed: r.requests.total,
            loadAverage: Math.round(loadavg()[0]! * 10) / 10,
          };
          rows.push(row);
          log(
            `  ${row.actionsPerSec.toLocaleString('en-US')} actions/s, ${row.requestsPerSec.toLocaleString('en-US')} req/s, ` +
              `p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms, mean batch ${row.meanBatchSize}, errors ${row.errors}, non-2xx ${row.non2xx}`,
          );
        }
      } finally {
        const code = await stopServer(server);
        if (code !== 0) log(`serve bench: server exited with code ${code}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const find = (scenario: 'single' | 'batch', batching: boolean): ServeBenchRow => rows.find((r) => r.scenario === scenario && r.batching === batching)!;
  const ratio = {
    single: Math.round((find('single', true).actionsPerSec / Math.max(1, find('single', false).actionsPerSec)) * 100) / 100,
    batch: Math.round((find('batch', true).actionsPerSec / Math.max(1, find('batch', false).actionsPerSec)) * 100) / 100,
  };
  const single = find('single', true);
  const goals = {
    singleActionsPerSec: single.actionsPerSec >= 10_000,
    singleP99: single.latencyMs.p99 <= 20,
    batchActionsPerSec: find('batch', true).actionsPerSec >= 200_000,
  };
  const result: ServeBenchResult = { backend, durationSec: duration, connections, rows, ratio, goals };
  if (opts.write ?? true) writeServeReport(result);
  return result;
}

function writeServeReport(r: ServeBenchResult): void {
  const yes = (b: boolean): string => (b ? 'met' : 'missed');
  const table = markdownTable(
    ['requests', 'micro-batching', 'actions/s', 'requests/s', 'p50 ms', 'p90 ms', 'p99 ms', 'mean batch', 'errors + non-2xx', 'load avg'],
    r.rows.map((x) => [
      x.observationsPerRequest === 1 ? '1 observation' : `${x.observationsPerRequest} observations`,
      x.batching ? 'on (max 256, 1 ms)' : 'off',
      x.actionsPerSec,
      x.requestsPerSec,
      x.latencyMs.p50,
      x.latencyMs.p90,
      x.latencyMs.p99,
      x.meanBatchSize,
      x.errors + x.non2xx,
      x.loadAverage,
    ]),
  );
  const single = r.rows.find((x) => x.scenario === 'single' && x.batching)!;
  const batch = r.rows.find((x) => x.scenario === 'batch' && x.batching)!;
  const markdown = [
    `autocannon, ${r.connections} connections, ${r.durationSec} s per row, against \`packages/serve/bin/serve.mjs\` in a child process on 127.0.0.1 ` +
      `(backend **${r.backend}**, request logs off). Policy: an untrained CartPole-v1 policy (default network) saved and loaded with \`@rl/policy\`; ` +
      'deterministic actions. The load generator and the server share the machine\'s cores with each other (and with other work on this machine), so the numbers are noisy: ' +
      '"load avg" is the machine\'s 1-minute load average at the end of each row (2 cores: above 2 means waiting for a core).',
    '',
    table,
    '',
    `Micro-batching on ÷ off: **${r.ratio.single}×** actions/s for single-observation requests, **${r.ratio.batch}×** for ${batch.observationsPerRequest}-observation requests.`,
    '',
    `Goals: ≥ 10k actions/s single-observation — ${yes(r.goals.singleActionsPerSec)} (${single.actionsPerSec.toLocaleString('en-US')}); ` +
      `p99 ≤ 20 ms — ${yes(r.goals.singleP99)} (${single.latencyMs.p99} ms); ` +
      `≥ 200k actions/s with ${batch.observationsPerRequest}-observation requests — ${yes(r.goals.batchActionsPerSec)} (${batch.actionsPerSec.toLocaleString('en-US')}).`,
  ].join('\n');
  writeReport({
    name: 'serve',
    title: 'Serving: `rl serve` under load',
    machine: machineInfo({ tfjs: tf.version.tfjs, backend: r.backend }),
    markdown,
    data: r,
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { duration: { type: 'string' }, connections: { type: 'string' }, warmup: { type: 'string' } },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  runServeBench({ duration: num(values.duration), connections: num(values.connections), warmup: num(values.warmup) }).then(
    (r) => {
      console.log(JSON.stringify({ ratio: r.ratio, goals: r.goals }));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
