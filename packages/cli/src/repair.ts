/**
 * `rl resume`'s repair of a run's saved policies: each policy directory of the run is verified
 * (@rl/policy's `verifyPolicyDir`: every file present, each file's sha256 as policy.json records
 * it, finite weights), and one that fails is written again from the checkpoint the run resumes
 * from. The table {@link policySources} says which directories a run has and where each is
 * rebuilt from; a new kind of saved policy is one more row.
 */
import { basename, join } from 'node:path';
import { verifyPolicyDir } from '@rl/policy';
import type { Checkpoint } from '@rl/trainer/checkpoint';
import { RUN_FILES } from './rundir.js';
import type { Trainer } from './session.js';

/** One saved policy of a run: its directory (relative to the run) and how to write it again from the resumed checkpoint. */
export interface PolicySource {
  readonly dir: string;
  /** Writes the policy into `target`; `trainer` holds the state of `ckpt`. */
  readonly rebuild: (target: string, trainer: Trainer, ckpt: Checkpoint) => Promise<void>;
}

/** The saved policies of a run: `model/`, the best evaluated policy of the checkpoint's trainer state (its last one while none was evaluated), and `model-last/`, its current one. */
export function policySources(): PolicySource[] {
  return [
    { dir: RUN_FILES.model, rebuild: (target, trainer) => trainer.savePolicy(target, { policy: 'best' }) },
    { dir: RUN_FILES.modelLast, rebuild: (target, trainer) => trainer.savePolicy(target) },
  ];
}

/** Why the policy directory `dir` cannot be served, or undefined when it verifies. */
export function policyProblem(dir: string): string | undefined {
  try {
    verifyPolicyDir(dir);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Verifies every saved policy of run `runDir` and rebuilds each that fails from `ckpt` (the
 * state `trainer` was restored from). Returns one line per repair, saying what was wrong and
 * what it was rebuilt from.
 *
 * @example
 * const said = await repairPolicies('runs/x', trainer, ckpt); // ['runs/x/model: … sha256 … differs …; rebuilt from checkpoint ckpt-00000040 (iteration 40)']
 */
export async function repairPolicies(runDir: string, trainer: Trainer, ckpt: Checkpoint): Promise<string[]> {
  const said: string[] = [];
  for (const source of policySources()) {
    const target = join(runDir, source.dir);
    const problem = policyProblem(target);
    if (problem === undefined) continue;
    await source.rebuild(target, trainer, ckpt);
    said.push(`${target}: ${problem}; rebuilt from checkpoint ${basename(ckpt.dir)} (iteration ${ckpt.iteration})`);
  }
  return said;
}
