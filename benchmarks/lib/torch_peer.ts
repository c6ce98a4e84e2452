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
  /** The peer's JSON output, when it ran (with `jsonLines`, its last line: the summary). */
  readonly json?: Record<string, unknown>;
  /** With `jsonLines`: every JSON line it printed, in order. */
  readonly lines?: readonly Record<string, unknown>[];
  /** Wall seconds of the peer's process, from spawning it to its exit. */
  readonly seconds?: number;
}

/** Options of {@link runTorchPeer}. */
export interface TorchPeerOptions {
  /** Kill the peer after this long (default 600 s). */
  readonly timeoutMs?: number;
  /** The script prints one JSON object per line (progress lines, then a summary) instead of one object. */
  readonly jsonLines?: boolean;
}

/** The JSON a peer script printed: one object, or (jsonLines) one per line, the last one as `json`. */
function parseOutput(stdout: string, jsonLines: boolean): { json?: Record<string, unknown>; lines?: Record<string, unknown>[] } {
  try {
    if (!jsonLines) {
      const start = stdout.indexOf('{');
      return start >= 0 ? { json: JSON.parse(stdout.slice(start)) as Record<string, unknown> } : {};
    }
    const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    return lines.length ? { json: lines[lines.length - 1], lines } : {};
  } catch {
    return {};
  }
}

/** The BLAS libraries a peer reported: its `blas` field, top-level or in its `config`. */
function reportedBlas(json: Record<string, unknown>): string[] {
  const config = json.config as { blas?: unknown } | undefined;
  const blas = Array.isArray(json.blas) ? json.blas : Array.isArray(config?.blas) ? config.blas : [];
  return blas as string[];
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
export function runTorchPeer(script: string, args: readonly string[], opts: TorchPeerOptions = {}): TorchPeerRun {
  const command = show(script, args);
  const probe = spawnSync('/usr/bin/env', [...PEER_UNSET_ENV.flatMap((k) => ['-u', k]), PEER_PYTHON, '-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = probe.error ? probe.error.message : (probe.stderr || '').trim().split('\n').pop() || `exit ${probe.status}`;
    return { ran: false, note: `skipped: torch is missing (\`${PEER_PYTHON} -c "import torch"\` failed: ${why}); install python3-torch`, command };
  }
  const torch = probe.stdout.trim();
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/env', argv(script, args), { encoding: 'utf8', maxBuffer: 1 << 26, timeout: opts.timeoutMs ?? 600_000, cwd: PEER_DIR });
  const seconds = (performance.now() - t0) / 1000;
  const { json, lines } = r.status === 0 ? parseOutput(r.stdout ?? '', opts.jsonLines === true) : {};
  if (!json) {
    const why = r.error ? r.error.message : `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${(r.stderr || '').trim().split('\n').pop()}`;
    return { ran: false, note: `skipped: the peer failed (${why})`, command, torch };
  }
  const blas = reportedBlas(json);
  if (!isOpenBlas(blas)) {
    return {
      ran: false,
      note: `skipped: OpenBLAS is missing (torch ${torch} mapped ${blas.length ? blas.join(', ') : 'no BLAS library it could name'}; the reference BLAS understates the peer 1.5–5×): install libopenblas0-openmp`,
      command,
      torch,
      blas,
    };
  }
  return { ran: true, note: `ran: \`${command}\` (torch ${torch}, ${blas.find((b) => /libopenblas/.test(b))?.split('/').pop() ?? 'OpenBLAS'})`, command, torch, blas, json, ...(lines ? { lines } : {}), seconds };
}
