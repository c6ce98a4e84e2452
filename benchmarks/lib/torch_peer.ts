/**
 * Running the PyTorch peer (benchmarks/peers/torch_reinforce) at its best, or saying why not.
 *
 * At its best on this machine means: Debian's `/usr/bin/python3` (the one that sees
 * python3-torch), OpenBLAS as the BLAS torch maps (libopenblas0-openmp; Debian's reference
 * BLAS is 1.5–5× slower), and `OPENBLAS_CORETYPE` / `OPENBLAS_L2_SIZE` unset for the peer's
 * process alone (they pin old kernels; the rest of the machine keeps them): the peer runs as
 * `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 <script> …`.
 * The peer is "skipped: …" with the reason when torch does not import or the BLAS it maps is
 * not OpenBLAS.
 *
 * Threads: torch's OpenMP threads spin-wait between parallel regions, and on a machine with more
 * runnable threads than cores a parallel region then waits for a descheduled team thread, about
 * one time slice per region (measured here at load ~6: the rollout at N = 64 fell from 334k
 * env steps/s on 1 thread to 3.3k on 2; with `OMP_WAIT_POLICY=PASSIVE` 2 threads gave 283k).
 * So "at its best" also means the faster of 2 threads and 1, per figure ({@link runRolloutPeer}).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's python (the pyenv `python3` shim does not see Debian packages). */
export const PEER_PYTHON = '/usr/bin/python3';
/** The peer's folder. */
export const PEER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'torch_reinforce');
/** Variables unset for the peer's process only. */
export const PEER_UNSET_ENV: readonly string[] = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

/** What one peer run gave. */
export interface TorchPeerRun {
  /** True when the peer ran on torch + OpenBLAS and printed its JSON. */
  readonly ran: boolean;
  /** `ran: <command> …` or `skipped: <reason>`. */
  readonly note: string;
  /** The exact command line (relative to the repo root). */
  readonly command: string;
  /** torch's version, when it imported. */
  readonly torch?: string;
  /** The BLAS shared libraries the peer's process mapped (its `blas` field). */
  readonly blas?: readonly string[];
  /** The peer's JSON output, when it ran: the object it printed (or the last JSON line). */
  readonly json?: Record<string, unknown>;
  /** Every JSON-object line the peer printed on stdout or stderr (progress lines survive a timeout). */
  readonly lines: readonly Record<string, unknown>[];
  /** True when `timeoutMs` stopped the peer (its `lines` hold what it finished). */
  readonly timedOut?: boolean;
  /** Wall seconds of the peer's process, from spawning it to its exit (when it was started). */
  readonly seconds?: number;
}

const REPO = join(PEER_DIR, '..', '..', '..');

function argv(script: string, args: readonly string[]): string[] {
  return [...PEER_UNSET_ENV.flatMap((k) => ['-u', k]), PEER_PYTHON, join(PEER_DIR, script), ...args];
}

function show(script: string, args: readonly string[]): string {
  return ['env', ...argv(script, args)].map((a) => (a.startsWith('/') && a.includes('peers') ? relative(REPO, a) : a)).join(' ');
}

/** `libopenblas…` among the mapped libraries (Debian's alternatives link libblas.so.3 → openblas-openmp/). */
export function isOpenBlas(blas: readonly string[]): boolean {
  return blas.some((p) => /openblas/i.test(p));
}

/**
 * Runs `script` with `args` in the peer's folder as described in the header, parses the JSON
 * object it prints on stdout, and checks the BLAS it reports. Never throws: a missing torch, a
 * non-OpenBLAS BLAS, a crash or a timeout come back as `ran: false` with the reason.
 */
export function runTorchPeer(script: string, args: readonly string[], opts: { readonly timeoutMs?: number } = {}): TorchPeerRun {
  const command = show(script, args);
  const probe = spawnSync('/usr/bin/env', [...PEER_UNSET_ENV.flatMap((k) => ['-u', k]), PEER_PYTHON, '-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = probe.error ? probe.error.message : (probe.stderr || '').trim().split('\n').pop() || `exit ${probe.status}`;
    return { ran: false, note: `skipped: torch is missing (\`${PEER_PYTHON} -c "import torch"\` failed: ${why}); install python3-torch`, command, lines: [] };
  }
  const torch = probe.stdout.trim();
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/env', argv(script, args), { encoding: 'utf8', maxBuffer: 1 << 26, timeout: opts.timeoutMs ?? 600_000, cwd: PEER_DIR, killSignal: 'SIGKILL' });
  const seconds = (performance.now() - t0) / 1000;
  const stdout = r.stdout ?? '';
  const objects = (text: string): Record<string, unknown>[] => text.split('\n').flatMap((l) => (l.trim().startsWith('{') ? [parseObject(l)].filter((o): o is Record<string, unknown> => !!o) : []));
  const outLines = objects(stdout);
  const lines = [...outLines, ...objects(r.stderr ?? '')];
  // the object a script prints at the end (indented over several lines), or its last JSON line (reinforce.py's summary)
  const start = stdout.indexOf('{');
  const json = r.status === 0 && start >= 0 ? (parseObject(stdout.slice(start)) ?? outLines[outLines.length - 1]) : undefined;
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  const meta = lines.find((l) => l.type === 'meta');
  if (!json) {
    const why = timedOut ? `stopped after the ${(opts.timeoutMs ?? 600_000) / 1000} s limit` : r.error ? r.error.message : `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${(r.stderr || '').trim().split('\n').pop()}`;
    const blas = Array.isArray(meta?.blas) ? (meta.blas as string[]) : undefined;
    return { ran: false, note: `skipped: the peer failed (${why})`, command, torch, lines, timedOut, seconds, ...(blas ? { blas } : {}) };
  }
  const config = json.config as { blas?: unknown } | undefined;
  const listed = json.blas ?? config?.blas ?? meta?.blas;
  const blas = Array.isArray(listed) ? (listed as string[]) : [];
  if (!isOpenBlas(blas)) {
    return {
      ran: false,
      note: `skipped: OpenBLAS is missing (torch ${torch} mapped ${blas.length ? blas.join(', ') : 'no BLAS library it could name'}; the reference BLAS understates the peer 1.5–5×): install libopenblas0-openmp`,
      command,
      torch,
      blas,
      lines,
    };
  }
  return { ran: true, note: `ran: \`${command}\` (torch ${torch}, ${blas.find((b) => /libopenblas/.test(b))?.split('/').pop() ?? 'OpenBLAS'})`, command, torch, blas, json, lines, seconds };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The rollout peer at its best: per N the faster of its runs at each thread count. */
export interface RolloutPeerResult {
  /** True when at least one thread count ran on torch + OpenBLAS. */
  readonly ran: boolean;
  /** What ran (each thread count's command and BLAS) or why the peer was skipped. */
  readonly note: string;
  /** env steps/s per N: the best thread count's median repeat. */
  readonly stepsPerSec: Record<number, number>;
  /** The thread count that gave `stepsPerSec[N]`. */
  readonly threads: Record<number, number>;
  /** Each thread count's own figures. */
  readonly runs: readonly { readonly threads: number; readonly ran: boolean; readonly note: string; readonly stepsPerSec: Record<number, number>; readonly blas?: readonly string[] }[];
}

/**
 * `rollout_bench.py` (torch forward + Categorical sample + numpy CartPole step, `steps` timed
 * vector steps per N, median of `repeats`) at each of `threads` (default 2 and 1), the best per
 * N kept (see the header: 2 OpenMP threads collapse on a loaded machine). A run stopped by
 * `timeoutMs` keeps the N it finished (the peer prints one JSON line per N as it goes).
 */
export function runRolloutPeer(ns: readonly number[], opts: { readonly steps: number; readonly repeats?: number; readonly threads?: readonly number[]; readonly timeoutMs?: number; readonly log?: (line: string) => void }): RolloutPeerResult {
  const runs = (opts.threads ?? [2, 1]).map((t) => {
    const args = ['--threads', String(t), '--ns', ns.join(','), '--steps', String(opts.steps), '--repeats', String(opts.repeats ?? 3), '--no-breakdown', '--update-batches', ''];
    opts.log?.(`peer (${t} thread${t > 1 ? 's' : ''}): ${show('rollout_bench.py', args)}`);
    const r = runTorchPeer('rollout_bench.py', args, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
    const stepsPerSec: Record<number, number> = {};
    for (const l of r.lines) if (l.type === 'rollout' && typeof l.N === 'number' && typeof l.env_steps_per_s === 'number') stepsPerSec[l.N] = l.env_steps_per_s;
    // a run the timeout stopped printed no final object: its lines count when its first line named OpenBLAS
    const got = Object.keys(stepsPerSec).length;
    const partial = !r.ran && got > 0 && r.timedOut === true && r.blas !== undefined && isOpenBlas(r.blas);
    const note = partial ? `ran: \`${r.command}\` (torch ${r.torch}), stopped after ${(opts.timeoutMs ?? 600_000) / 1000} s with ${got} of ${ns.length} N measured` : r.note;
    return { threads: t, ran: r.ran || partial, note, stepsPerSec: r.ran || partial ? stepsPerSec : {}, ...(r.blas ? { blas: r.blas } : {}) };
  });
  const ok = runs.filter((r) => r.ran);
  const stepsPerSec: Record<number, number> = {};
  const threads: Record<number, number> = {};
  for (const r of ok) {
    for (const [n, v] of Object.entries(r.stepsPerSec)) {
      if (stepsPerSec[Number(n)] === undefined || v > stepsPerSec[Number(n)]!) {
        stepsPerSec[Number(n)] = v;
        threads[Number(n)] = r.threads;
      }
    }
  }
  const note = ok.length ? runs.map((r) => `${r.threads} thread${r.threads > 1 ? 's' : ''}: ${r.note}`).join('; ') : (runs.find((r) => r.note.startsWith('skipped'))?.note ?? runs[0]?.note ?? 'skipped: no thread counts given');
  return { ran: ok.length > 0, note, stepsPerSec, threads, runs };
}
