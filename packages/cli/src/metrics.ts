import { existsSync, readFileSync } from 'node:fs';
import { appendLine, writeFileAtomic } from '@rl/policy/durable';
import { CliError } from './errors.js';

/** One line of `metrics.jsonl`: the trainer's per-iteration metrics plus the run's counters. */
export interface MetricsRecord {
  /** 1-based iteration number; line k of the file holds iteration k. */
  readonly iteration: number;
  /** Env steps taken since the start of the run (after this iteration). */
  readonly envSteps: number;
  /** Wall seconds of the training loop (iterations, checkpoints, curve) since the start of the run, summed across resumes. */
  readonly wallSeconds: number;
  readonly [key: string]: unknown;
}

/**
 * Appends one record as one line with a single write. Not fsynced: the training loop fsyncs the
 * file before each checkpoint, and lines after the last checkpoint are cut on resume anyway.
 */
export function appendMetrics(path: string, record: MetricsRecord): void {
  appendLine(path, JSON.stringify(record));
}

/**
 * Reads a JSON-lines file of a run directory: every line a JSON object. With `tornTail`, an
 * unterminated last line (a crash mid-write) is ignored instead of being an error. Throws a
 * {@link CliError} naming the file and line (`what` says what the file is for, when missing).
 */
export function readJsonLines(path: string, what: string, opts: { readonly tornTail?: boolean } = {}): Record<string, unknown>[] {
  if (!existsSync(path)) throw new CliError(`${path}: file missing (${what})`);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  if (last !== '' && !opts.tornTail) {
    throw new CliError(`${path}: line ${lines.length + 1} is not terminated by a newline (truncated write)`);
  }
  return lines.map((line, i) => {
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (err) {
      throw new CliError(`${path}: line ${i + 1} is not valid JSON (${(err as Error).message})`);
    }
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
      throw new CliError(`${path}: line ${i + 1} is not a JSON object`);
    }
    return rec as Record<string, unknown>;
  });
}

/**
 * Reads `metrics.jsonl` and checks it: every line a JSON object, iterations 1, 2, 3, … with
 * no gap or duplicate. With `tornTail`, an unterminated last line (a crash mid-write) is
 * ignored instead of being an error. Throws a {@link CliError} naming the file and line.
 */
export function readMetrics(path: string, opts: { readonly tornTail?: boolean } = {}): MetricsRecord[] {
  const recs = readJsonLines(path, 'every run directory has a metrics.jsonl', opts);
  recs.forEach((rec, i) => {
    const it = rec.iteration;
    if (it !== i + 1) {
      throw new CliError(`${path}: line ${i + 1} has iteration ${JSON.stringify(it)}, expected ${i + 1} (iterations must run 1, 2, 3, … without gaps or duplicates)`);
    }
  });
  return recs as MetricsRecord[];
}

/**
 * Cuts `metrics.jsonl` back to iterations 1…`iteration` (atomically), so a resumed run
 * continues it without duplicated or missing iterations. Throws when the file holds fewer.
 */
export function truncateMetrics(path: string, iteration: number): MetricsRecord[] {
  const recs = readMetrics(path, { tornTail: true });
  if (recs.length < iteration) {
    throw new CliError(`${path}: holds ${recs.length} iterations but the checkpoint is at iteration ${iteration}; the file is corrupt`);
  }
  const kept = recs.slice(0, iteration);
  writeFileAtomic(path, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return kept;
}
