import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fsyncPath, removeStaleTemporaries, writeFileAtomic } from '@rl/policy/durable';
import type { TrainingEvaluation } from '@rl/trainer';
import { removeTempCheckpoints } from '@rl/trainer/checkpoint';
import { CliError } from './errors.js';
import { lockPathOf, type RunLock } from './lock.js';

/** The files of a run directory. */
export const RUN_FILES = {
  /** The resolved training config (the trainer's record, every field filled). */
  config: 'config.json',
  /** How the CLI runs it (checkpoint interval, checkpoints kept, curve interval) and which iteration model/ and model-last/ are from (`models`). */
  run: 'run.json',
  /** One JSON object per iteration. */
  metrics: 'metrics.jsonl',
  /** One JSON object per evaluation during training (`evalEvery`; the trainer's `TrainingEvaluation`). */
  evaluations: 'evaluations.jsonl',
  /** The learning curve, with the evaluations beside it. */
  curve: 'curve.svg',
  /**
   * The policy a user gets (`rl eval`, `rl serve`, `loadPolicy`), as `policy.save` writes it
   * (`model.json` loads in plain tfjs): the best evaluated one (`evalEvery` > 0), else the last.
   */
  model: 'model',
  /** The last policy of the run (the same as model/ when nothing is evaluated during training). */
  modelLast: 'model-last',
  /** Crash-safe checkpoints, `ckpt-<iteration>`. */
  checkpoints: 'checkpoints',
  /** pino JSON log of the run. */
  log: 'train.log',
} as const;

/** Defaults of the CLI's own run options. */
export const RUN_DEFAULTS = { checkpointEvery: 20, keepCheckpoints: 3, curveSeconds: 5 } as const;

/** How the CLI runs a training job (stored in `run.json`; `rl resume` reads it back). */
export interface RunOptions {
  /** Write a checkpoint every this many iterations. */
  readonly checkpointEvery: number;
  /** Keep the newest this many checkpoints. */
  readonly keepCheckpoints: number;
  /** Redraw `curve.svg` at most every this many seconds while training (and at the end). */
  readonly curveSeconds: number;
}

/** What `run.json` says about one of a run's policy directories. */
export interface ModelRecord {
  /** The iteration the policy is from (0: the initial policy). */
  readonly iteration: number;
  readonly envSteps: number;
  /** Its evaluation during training (null: it had none, e.g. with `evalEvery` 0). */
  readonly evaluation: TrainingEvaluation | null;
}

/** `run.json`'s `models`: where model/ and model-last/ come from. */
export interface RunModels {
  /** model/: the best evaluated policy (`selection` `best`), or the last one while none was evaluated (`last`). */
  readonly model?: ModelRecord & { readonly selection: 'best' | 'last' };
  /** model-last/: the last policy (as of the last checkpoint or the end of the run). */
  readonly modelLast?: ModelRecord;
}

/** `run.json`. */
export interface RunFile extends RunOptions {
  readonly format: 'rl-run';
  readonly version: 1;
  readonly createdAt: string;
  /** Which iteration model/ and model-last/ hold (written each time either is saved; absent in runs made before they were recorded). */
  readonly models?: RunModels;
}

/** `runs/<env>-<UTC timestamp>` under `base` (a `-2`, `-3`, … suffix if taken, or locked by a run being set up). */
export function defaultRunDir(env: string, base = 'runs', now = new Date()): string {
  const ts = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[:]/g, '-');
  const stem = join(base, `${env.replace(/[^A-Za-z0-9._-]/g, '_')}-${ts}`);
  let dir = stem;
  for (let k = 2; existsSync(dir) || existsSync(lockPathOf(dir)); k++) dir = `${stem}-${k}`;
  return dir;
}

/**
 * Refuses an `--out` that already holds something unless `force`: a finished or running run
 * is never overwritten by accident. An empty directory is fine.
 */
export function checkOutDir(out: string, force: boolean): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new CliError(`--out ${out}: exists and is not a directory`);
  const entries = readdirSync(out);
  if (entries.length === 0 || force) return;
  const what = entries.includes(RUN_FILES.config) ? 'holds a run' : `is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`;
  throw new CliError(`--out ${out}: ${what}; pass --force to replace it, or \`rl resume ${out}\` to continue it`);
}

/** A fresh temporary directory beside `out` in which a new run is assembled (`.<name>.staging-<pid>`). */
export function stageRunDir(out: string): string {
  const parent = dirname(resolve(out));
  mkdirSync(parent, { recursive: true });
  const staged = join(parent, `.${basename(resolve(out))}.staging-${process.pid}`);
  rmSync(staged, { recursive: true, force: true });
  mkdirSync(staged);
  return staged;
}

/**
 * Moves a fully written staging directory into place at `out` (replacing it only if `force`),
 * so a run directory either appears complete (config, metrics, first checkpoint) or not at all.
 * `lock` (the run's, held since before the staging began) is checked first: a run directory is
 * never replaced while another process holds it.
 */
export function commitRunDir(staged: string, out: string, force: boolean, lock: RunLock): void {
  fsyncPath(staged);
  lock.assertHeld();
  let replaced: string | undefined;
  if (existsSync(out)) {
    if (!force && readdirSync(out).length > 0) throw new CliError(`--out ${out}: appeared while the run was being set up; pass --force to replace it`);
    // move the old directory aside (atomic) rather than deleting it in place, so a crash never leaves half of it at `out`
    replaced = join(dirname(resolve(out)), `.${basename(out)}.replaced-${process.pid}`);
    renameSync(out, replaced);
  }
  renameSync(staged, out);
  fsyncPath(dirname(resolve(out)));
  if (replaced) rmSync(replaced, { recursive: true, force: true });
}

/** Writes `run.json` into a run directory. */
export function writeRunFile(dir: string, opts: RunOptions): void {
  const doc: RunFile = { format: 'rl-run', version: 1, createdAt: new Date().toISOString(), ...opts };
  writeFileAtomic(join(dir, RUN_FILES.run), `${JSON.stringify(doc, null, 2)}\n`);
}

/** Merges `models` into the `models` record of `dir/run.json` (atomically). */
export function writeRunModels(dir: string, models: RunModels): void {
  const run = readRunJson(dir, RUN_FILES.run);
  const merged = { ...run, models: { ...(run.models as RunModels | undefined), ...models } };
  writeFileAtomic(join(dir, RUN_FILES.run), `${JSON.stringify(merged, null, 2)}\n`);
}

/** Reads a JSON file of a run directory; a {@link CliError} names the file when it is missing or not JSON. */
export function readRunJson(dir: string, file: string): Record<string, unknown> {
  const p = join(dir, file);
  if (!existsSync(p)) throw new CliError(`${p}: file missing`);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(p, 'utf8'));
  } catch (err) {
    throw new CliError(`${p}: not valid JSON (${(err as Error).message})`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CliError(`${p}: must hold a JSON object`);
  return v as Record<string, unknown>;
}

/**
 * Checks that `dir` is a run directory (made by `rl train`) and reads `run.json`. Throws a
 * {@link CliError} that says what is missing or corrupt, naming the file.
 */
export function openRunDir(dir: string): RunFile {
  if (!existsSync(dir)) throw new CliError(`${dir}: no such directory`);
  if (!statSync(dir).isDirectory()) throw new CliError(`${dir}: not a directory`);
  const missing = [RUN_FILES.config, RUN_FILES.run, RUN_FILES.metrics, RUN_FILES.checkpoints].filter((f) => !existsSync(join(dir, f)));
  if (missing.length === 4) throw new CliError(`${dir}: not a run directory (no ${RUN_FILES.config}, ${RUN_FILES.run}, ${RUN_FILES.metrics} or ${RUN_FILES.checkpoints}/; make one with \`rl train --out ${dir}\`)`);
  if (missing.length > 0) throw new CliError(`${dir}: incomplete run directory, missing ${missing.map((f) => join(dir, f)).join(', ')}`);
  const run = readRunJson(dir, RUN_FILES.run);
  const p = join(dir, RUN_FILES.run);
  if (run.format !== 'rl-run' || run.version !== 1) throw new CliError(`${p}: not an rl run file (format ${JSON.stringify(run.format)}, version ${JSON.stringify(run.version)})`);
  for (const k of ['checkpointEvery', 'keepCheckpoints'] as const) {
    if (!Number.isInteger(run[k]) || (run[k] as number) < 1) throw new CliError(`${p}: field "${k}" must be an integer ≥ 1, got ${JSON.stringify(run[k])}`);
  }
  if (typeof run.curveSeconds !== 'number' || !(run.curveSeconds > 0)) throw new CliError(`${p}: field "curveSeconds" must be a number > 0, got ${JSON.stringify(run.curveSeconds)}`);
  return run as unknown as RunFile;
}

/**
 * Removes what killed processes left of run directory `dir` (call with the run's lock held, so
 * no live rl is writing them): temporary files of atomic writes (`.metrics.jsonl.tmp-<pid>`,
 * `.curve.svg.tmp-<pid>`, …), of policy saves (`.model.tmp-…`, `.model-last.tmp-…`, `.model.link-…`), of checkpoints
 * (`checkpoints/.tmp-…`), and beside the directory its staging and replaced copies
 * (`.<name>.staging-<pid>`, `.<name>.replaced-<pid>`). Returns the paths removed.
 */
export function removeRunLeftovers(dir: string): string[] {
  const parent = dirname(resolve(dir));
  const removed = [
    ...removeStaleTemporaries(parent, { prefix: `.${basename(resolve(dir))}.` }).map((n) => join(parent, n)),
    ...(existsSync(dir) ? removeStaleTemporaries(dir).map((n) => join(dir, n)) : []),
  ];
  const ckpts = join(dir, RUN_FILES.checkpoints);
  if (existsSync(ckpts)) {
    const before = readdirSync(ckpts).filter((n) => n.startsWith('.tmp-'));
    removeTempCheckpoints(ckpts);
    removed.push(...before.map((n) => join(ckpts, n)));
  }
  return removed;
}
