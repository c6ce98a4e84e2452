/**
 * The two policies of a run directory: `model/`, the best evaluated policy (the one `rl eval`,
 * `rl serve` and `loadPolicy` use; the last one while none was evaluated, or with `evalEvery`
 * 0), and `model-last/`, the last one. Each is written by the trainer's `savePolicy` and then
 * recorded in `run.json`'s `models` (which iteration, which evaluation).
 */
import { join } from 'node:path';
import type { Trainer, TrainingEvaluation } from '@rl/trainer';
import { RUN_FILES, writeRunModels, type ModelRecord, type RunModels } from './rundir.js';

/** Which of the two to write. */
export interface PublishWhich {
  /** model/ (the best evaluated policy, or the last while there is none). */
  readonly model?: boolean;
  /** model-last/ (the current policy). */
  readonly modelLast?: boolean;
}

/** The last policy's evaluation, when it has one (an evaluation of the current iteration). */
function currentEvaluation(trainer: Trainer): TrainingEvaluation | null {
  const e = trainer.lastEvaluation;
  return e && e.iteration === trainer.iteration ? e : null;
}

/** What run.json says about model/ and model-last/ as the trainer stands now. */
export function modelRecords(trainer: Trainer): Required<RunModels> {
  const last: ModelRecord = { iteration: trainer.iteration, envSteps: trainer.envSteps, evaluation: currentEvaluation(trainer) };
  const best = trainer.best;
  return {
    model: best ? { iteration: best.iteration, envSteps: best.envSteps, evaluation: best, selection: 'best' } : { ...last, selection: 'last' },
    modelLast: last,
  };
}

/**
 * Writes model/ and/or model-last/ of the run directory `dir` through `trainer.savePolicy`
 * (atomically), then records them in run.json. Returns what was recorded.
 */
export async function publishModels(dir: string, trainer: Trainer, which: PublishWhich = { model: true, modelLast: true }): Promise<RunModels> {
  const now = modelRecords(trainer);
  if (which.model) await trainer.savePolicy(join(dir, RUN_FILES.model), { policy: 'best' });
  if (which.modelLast) await trainer.savePolicy(join(dir, RUN_FILES.modelLast));
  const record: RunModels = { ...(which.model ? { model: now.model } : {}), ...(which.modelLast ? { modelLast: now.modelLast } : {}) };
  writeRunModels(dir, record);
  return record;
}

/** One summary line about a policy directory, e.g. `model/: iteration 230 (235,520 env steps), the best evaluation: return 500.0 ± 0.0 over 20 episodes`. */
export function describeModel(name: string, r: ModelRecord, why: string): string {
  const ev = r.evaluation ? `: return ${r.evaluation.mean.toFixed(1)} ± ${r.evaluation.std.toFixed(1)} over ${r.evaluation.episodes} evaluation episodes` : ' (not evaluated during training)';
  return `${name}: iteration ${r.iteration} (${r.envSteps.toLocaleString('en-US')} env steps), ${why}${ev}`;
}
