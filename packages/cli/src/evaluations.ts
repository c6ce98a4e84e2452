/**
 * `evaluations.jsonl` of a run directory: one line per evaluation during training (the
 * trainer's `TrainingEvaluation`, `evalEvery`), appended as the trainer reports them and cut
 * back to a checkpoint's iteration on resume, like metrics.jsonl.
 */
import { existsSync } from 'node:fs';
import type { TrainingEvaluation } from '@rl/trainer';
import { appendLine, writeFileAtomic } from '@rl/policy/durable';
import { CliError } from './errors.js';
import { readJsonLines } from './metrics.js';

/** Appends one evaluation as one line (not fsynced: the lines after the last checkpoint are cut on resume). */
export function appendEvaluation(path: string, e: TrainingEvaluation): void {
  appendLine(path, JSON.stringify(e));
}

/**
 * Reads `evaluations.jsonl` (none when the file does not exist: runs made before evaluations
 * during training were recorded) and checks that iterations increase and each line holds an
 * iteration, env steps and a mean return. Throws a {@link CliError} naming the file and line.
 */
export function readEvaluations(path: string, opts: { readonly tornTail?: boolean } = {}): TrainingEvaluation[] {
  if (!existsSync(path)) return [];
  const recs = readJsonLines(path, 'evaluations during training', opts);
  recs.forEach((r, i) => {
    for (const k of ['iteration', 'envSteps', 'mean'] as const) {
      if (typeof r[k] !== 'number' || !Number.isFinite(r[k])) throw new CliError(`${path}: line ${i + 1}: field "${k}" must be a finite number, got ${JSON.stringify(r[k])}`);
    }
    const prev = recs[i - 1];
    if (prev && (r.iteration as number) <= (prev.iteration as number)) {
      throw new CliError(`${path}: line ${i + 1} has iteration ${String(r.iteration)} after ${String(prev.iteration)} (iterations must increase)`);
    }
  });
  return recs as unknown as TrainingEvaluation[];
}

/** Cuts `evaluations.jsonl` back to the evaluations of iterations 1…`iteration` (atomically; creates the file when missing) and returns them. */
export function truncateEvaluations(path: string, iteration: number): TrainingEvaluation[] {
  const kept = readEvaluations(path, { tornTail: true }).filter((e) => e.iteration <= iteration);
  writeFileAtomic(path, kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return kept;
}
