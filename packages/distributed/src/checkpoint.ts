/**
 * The learner's checkpoints, in the framework's one checkpoint format (`@rl/trainer/checkpoint`,
 * as `rl train` writes them): `checkpointDir/checkpoints/ckpt-<version>/` with checkpoint.json
 * and state.bin, written atomically (temp directory, fsync of files and directories, rename),
 * the newest two kept. A learner killed mid-write leaves the previous checkpoint intact.
 */
import { join } from 'node:path';
import { CheckpointError, listCheckpoints, readLatestCheckpoint, writeCheckpoint } from '@rl/trainer/checkpoint';
import type { OptimizerState } from '@rl/trainer';

/** Sub-directory of the checkpoint directory that holds the checkpoints (as in a run directory). */
export const CHECKPOINTS_DIR = 'checkpoints';
/** Checkpoints kept (the newest). */
const KEEP = 2;
/** Tag of the learner's state inside a checkpoint. */
const FORMAT = 'rl-distributed-learner';

/** Everything the learner needs to resume. */
export interface LearnerCheckpoint {
  /** sharedConfigKey of the run (a resume with another config is refused). */
  readonly configKey: string;
  /** Weights version (updates applied). */
  readonly version: number;
  /** Next round number. */
  readonly round: number;
  readonly envSteps: number;
  readonly episodes: number;
  readonly ema: number | undefined;
  readonly recentReturns: number[];
  readonly weights: Float32Array[];
  readonly optimizer: OptimizerState;
  /** Seconds the learner has run so far (summed across restarts). */
  readonly wallSeconds: number;
}

/** Writes the checkpoint of `c.version` into `dir/checkpoints/` (atomically; keeps the newest two); returns its directory. */
export function saveCheckpoint(dir: string, c: LearnerCheckpoint): string {
  return writeCheckpoint(join(dir, CHECKPOINTS_DIR), { iteration: c.version, envSteps: c.envSteps, wallSeconds: c.wallSeconds }, { format: FORMAT, ...c }, KEEP);
}

/** Reads the newest checkpoint in `dir/checkpoints/`; undefined when there is none; throws naming the file when it is damaged. */
export function loadCheckpoint(dir: string): LearnerCheckpoint | undefined {
  const root = join(dir, CHECKPOINTS_DIR);
  if (listCheckpoints(root).length === 0) return undefined;
  const ckpt = readLatestCheckpoint(root);
  const { format, ...state } = ckpt.state as LearnerCheckpoint & { format?: unknown };
  if (format !== FORMAT) throw new CheckpointError(`${join(ckpt.dir, 'checkpoint.json')}: not a distributed learner's checkpoint (state format ${JSON.stringify(format)}, expected ${FORMAT})`);
  return state;
}
