/**
 * `@rl/cli`: the `rl` command (bin/rl.mjs) and the pieces it is made of, for scripts that
 * want run directories, crash-safe checkpoints or learning curves without the command line.
 */
/** The commander program of `rl` (train, resume, eval, check-env, bench). */
export { buildProgram, RUN_DEFAULTS } from './program.js';
export type { TrainerFlagSource } from './train-options.js';
/** The error type every user-facing failure is reported as. */
export { CliError } from './errors.js';
/** Run-directory layout and checks. */
export { RUN_FILES, defaultRunDir, checkOutDir, openRunDir } from './rundir.js';
export type { RunOptions, RunFile } from './rundir.js';
/** Atomic, fsynced checkpoints that keep the newest k (the framework's one checkpoint format, from @rl/trainer). */
export { writeCheckpoint, readCheckpoint, readLatestCheckpoint, listCheckpoints, checkpointName, removeTempCheckpoints, CheckpointError } from '@rl/trainer/checkpoint';
export type { Checkpoint, CheckpointMeta } from '@rl/trainer/checkpoint';
/** Lossless encoding of trainer states (typed arrays in one binary blob). */
export { encodeState, decodeState } from '@rl/trainer/checkpoint';
export type { EncodedState } from '@rl/trainer/checkpoint';
/** metrics.jsonl: fsynced appends, strict reading, truncation on resume. */
export { appendMetrics, readMetrics, truncateMetrics } from './metrics.js';
export type { MetricsRecord } from './metrics.js';
/** The learning curve as SVG (vega-lite → vega, headless). */
export { curveSvg } from './curve.js';
export type { CurveOptions } from './curve.js';
/** Atomic file writes. */
export { writeFileAtomic, appendLine, fsyncPath } from '@rl/policy/durable';
/** CLI flags derived from a zod object schema (they live in @rl/trainer, beside the config schema). */
export { schemaFlags, parseFlagValue, flagHelp, deepMerge, setPath } from '@rl/trainer';
export type { FieldFlag } from '@rl/trainer';
/** Short measurements of the active backend (`rl doctor`, the GPU benchmark). */
export { measureRollout, measureUpdate, PROBE_ENV } from './probe.js';
export type { RolloutProbe, UpdateProbe, RolloutProbeOptions, ProbeEnvKind } from './probe.js';
