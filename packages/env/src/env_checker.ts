/**
 * `checkEnv(env)`: checks an env against the `Env` contract, like Gymnasium's env checker,
 * and reports every problem it finds with what is wrong and what to fix. It resets and steps
 * the env (with seeds 0 and 1), so pass an env you can spare.
 */
import { Box, Discrete, type Space } from './spaces.js';
import { Rng } from './rng.js';
import type { Action, Env, ResetResult, StepResult } from './types.js';

/** One problem found by {@link checkEnv}. */
export interface EnvFinding {
  /** Short name of the check, e.g. `reset-obs-type`. */
  readonly check: string;
  /**
   * `error`: the env breaks the `Env` contract (training or evaluation would go wrong);
   * `warning`: it keeps the contract but lacks something optional, and `problem` says what that costs.
   */
  readonly severity: 'error' | 'warning';
  /** What is wrong, with the values seen. */
  readonly problem: string;
  /** What to change. */
  readonly fix: string;
}

/** Options of {@link checkEnv}. */
export interface CheckEnvOptions {
  /** Steps taken per determinism check (20). */
  readonly steps?: number;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'object') return `object with keys [${Object.keys(v).join(', ')}]`;
  return `${typeof v} ${String(v)}`;
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * Checks `env` and returns the findings (an empty list when all is well).
 * Checked: the spaces are well-formed `Box` / `Discrete`; `reset` returns `{ obs, info }` with a
 * Float32Array of the observation size inside the observation space; `step` returns
 * `{ obs, reward, terminated, truncated, info }` with a finite number reward and boolean flags;
 * reset with a seed is deterministic and different seeds give different starts; stepping the
 * same actions after the same seed gives the same transitions; an action outside the action
 * space is refused with a RangeError; `unwrapped` and `close` exist. A missing `getState` /
 * `setState` pair is a warning (exact resume needs it); when present, a state saved mid-episode
 * must survive `structuredClone` and restoring it must replay the same transitions. Wrappers
 * with running statistics (e.g. `NormalizeObservation`) must be frozen for the determinism checks.
 * Errors break the contract; warnings (`severity: 'warning'`) say what a missing option costs.
 * @example
 * const findings = checkEnv(make('CartPole-v1'));
 * for (const f of findings) console.log(`${f.severity} ${f.check}: ${f.problem} → ${f.fix}`);
 * const ok = findings.every((f) => f.severity === 'warning');
 */
export function checkEnv(env: Env, opts: CheckEnvOptions = {}): EnvFinding[] {
  const findings: EnvFinding[] = [];
  const add = (check: string, problem: string, fix: string, severity: EnvFinding['severity'] = 'error'): void => {
    findings.push({ check, severity, problem, fix });
  };
  const steps = opts.steps ?? 20;

  // --- Contract members ---
  if (typeof env.id !== 'string' || env.id.length === 0) add('id', `env.id is ${describe(env.id)}`, 'give the env a non-empty string id (its registered id or a descriptive name)');
  for (const m of ['reset', 'step', 'close'] as const) {
    if (typeof (env as unknown as Record<string, unknown>)[m] !== 'function') add(`method-${m}`, `env.${m} is ${describe((env as unknown as Record<string, unknown>)[m])}`, `implement ${m}() as in the Env interface`);
  }
  if (!env.unwrapped || typeof env.unwrapped.step !== 'function') add('unwrapped', `env.unwrapped is ${describe(env.unwrapped)}`, 'return the innermost env from `unwrapped` (the env itself when it wraps nothing)');

  // --- Spaces ---
  const os = env.observationSpace as unknown;
  const as = env.actionSpace as unknown;
  let obsOk = true;
  let actOk = true;
  if (!(os instanceof Box)) {
    obsOk = false;
    add('observation-space', `observationSpace is ${describe(os)}, not a Box`, 'set observationSpace to a `Box` (float32) from @rl/env');
  } else if (os.size < 1) {
    obsOk = false;
    add('observation-space', `observationSpace has size ${os.size}`, 'give the observation Box at least one element');
  }
  if (!(as instanceof Box) && !(as instanceof Discrete)) {
    actOk = false;
    add('action-space', `actionSpace is ${describe(as)}, not a Box or Discrete`, 'set actionSpace to a `Box` or `Discrete` from @rl/env');
  }
  if (!obsOk || !actOk || typeof env.reset !== 'function' || typeof env.step !== 'function') return findings;
  const obsSpace = os as Box;
  const actSpace = as as Space;

  // --- reset ---
  const checkObs = (where: string, obs: unknown): boolean => {
    if (!(obs instanceof Float32Array)) {
      add(`${where}-obs-type`, `${where} returned obs as ${describe(obs)}`, 'return observations as a Float32Array (Float64 internal state is cast on output)');
      return false;
    }
    if (obs.length !== obsSpace.size) {
      add(`${where}-obs-shape`, `${where} returned ${obs.length} observation values, observationSpace has ${obsSpace.size}`, 'make the observation length match observationSpace.shape');
      return false;
    }
    if (!obsSpace.contains(obs)) {
      const bad: string[] = [];
      for (let k = 0; k < obs.length && bad.length < 3; k++) {
        if (!(obs[k]! >= obsSpace.low[k]! && obs[k]! <= obsSpace.high[k]!)) bad.push(`element ${k} = ${obs[k]} outside [${obsSpace.low[k]}, ${obsSpace.high[k]}]`);
      }
      add(`${where}-obs-bounds`, `${where} returned an observation outside observationSpace: ${bad.join('; ')}`, 'widen the observation bounds or fix the dynamics so observations stay inside');
      return false;
    }
    return true;
  };
  const callReset = (seed: number | undefined): ResetResult | undefined => {
    try {
      const r = env.reset(seed === undefined ? {} : { seed }) as unknown;
      if (!r || typeof r !== 'object' || !('obs' in r) || !('info' in r)) {
        add('reset-return', `reset() returned ${describe(r)}`, 'return a record { obs, info } from reset()');
        return undefined;
      }
      const rr = r as ResetResult;
      if (rr.info === null || typeof rr.info !== 'object') add('reset-info', `reset() returned info as ${describe(rr.info)}`, 'return info as a plain object ({} when there is nothing to report)');
      return rr;
    } catch (e) {
      add('reset-throws', `reset(${seed === undefined ? '' : `{ seed: ${seed} }`}) threw: ${(e as Error).message}`, 'make reset accept { seed?, options? } and start an episode');
      return undefined;
    }
  };
  const r0 = callReset(0);
  if (!r0) return findings;
  if (!checkObs('reset', r0.obs)) return findings;
  const obs0 = Float32Array.from(r0.obs);
  const r0b = callReset(0);
  if (r0b && r0b.obs instanceof Float32Array && !sameArray(obs0, r0b.obs)) {
    add('reset-seed-determinism', `reset({ seed: 0 }) gave [${Array.from(obs0).join(', ')}] then [${Array.from(r0b.obs).join(', ')}]`, "seed the env's random stream from the seed in reset (use Rng from @rl/env, never Math.random)");
  }
  const r1 = callReset(1);
  if (r1 && r1.obs instanceof Float32Array && sameArray(obs0, r1.obs)) {
    add('reset-seed-ignored', `reset({ seed: 0 }) and reset({ seed: 1 }) gave the same observation [${Array.from(obs0).join(', ')}]`, 'draw the start state from a stream seeded by the seed given to reset');
  }

  // --- step ---
  const rng = new Rng(12345);
  const actions: Action[] = [];
  for (let t = 0; t < steps; t++) actions.push(actSpace.sample(rng));
  const rollout = (): StepResult[] | undefined => {
    const out: StepResult[] = [];
    if (!callReset(0)) return undefined;
    for (const a of actions) {
      let r: StepResult;
      try {
        r = env.step(a);
      } catch (e) {
        add('step-throws', `step(${Array.isArray(a) || ArrayBuffer.isView(a) ? `[${Array.from(a as ArrayLike<number>).join(', ')}]` : a}) of a valid action threw: ${(e as Error).message}`, 'accept every action inside actionSpace');
        return undefined;
      }
      out.push(r);
      if (r && (r.terminated === true || r.truncated === true)) break;
    }
    return out;
  };
  const run1 = rollout();
  if (!run1) return findings;
  let shapeOk = true;
  for (const [t, r] of run1.entries()) {
    const where = `step ${t}`;
    if (!r || typeof r !== 'object') {
      add('step-return', `${where} returned ${describe(r)}`, 'return a record { obs, reward, terminated, truncated, info } from step()');
      shapeOk = false;
      break;
    }
    if (!checkObs('step', r.obs)) {
      shapeOk = false;
      break;
    }
    if (typeof r.reward !== 'number' || !Number.isFinite(r.reward)) {
      add('step-reward', `${where} returned reward ${describe(r.reward)}`, 'return the reward as a finite number');
      shapeOk = false;
      break;
    }
    if (typeof r.terminated !== 'boolean' || typeof r.truncated !== 'boolean') {
      add('step-flags', `${where} returned terminated ${describe(r.terminated)}, truncated ${describe(r.truncated)}`, 'return terminated and truncated as booleans, never merged into one done flag');
      shapeOk = false;
      break;
    }
    if (r.info === null || typeof r.info !== 'object') {
      add('step-info', `${where} returned info as ${describe(r.info)}`, 'return info as a plain object');
      shapeOk = false;
      break;
    }
  }
  if (shapeOk) {
    const run2 = rollout();
    if (run2) {
      const n = Math.min(run1.length, run2.length);
      let diff = run1.length !== run2.length ? `episode lengths ${run1.length} and ${run2.length}` : '';
      for (let t = 0; t < n && !diff; t++) {
        const a = run1[t]!;
        const b = run2[t]!;
        if (!sameArray(a.obs, b.obs) || a.reward !== b.reward || a.terminated !== b.terminated || a.truncated !== b.truncated) diff = `step ${t} differs`;
      }
      if (diff) add('step-determinism', `the same seed and actions gave different transitions: ${diff}`, 'make step depend only on the state and the action (and a seeded stream)');
    }
  }

  // --- whole state (optional): what an exact resume needs ---
  if (shapeOk) checkSavedState(env, actions, callReset, add);

  // --- bad action ---
  const bad: unknown = actSpace instanceof Discrete ? actSpace.start + actSpace.n : new Float32Array(actSpace.size).fill(Number.NaN);
  if (callReset(0)) {
    try {
      env.step(bad as Action);
      add('bad-action', `step(${actSpace instanceof Discrete ? String(bad) : 'NaN'}) outside ${actSpace.toString()} was accepted`, 'throw a RangeError naming the env id and the value for actions outside the action space (no silent clipping or coercion)');
    } catch (e) {
      if (!(e instanceof RangeError)) add('bad-action-error', `step with an invalid action threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`, 'throw a RangeError for actions outside the action space');
    }
  }
  return findings;
}

type Add = (check: string, problem: string, fix: string, severity?: EnvFinding['severity']) => void;

const RESUME_COST =
  'a resumed training run (`rl resume`, `Trainer.setState`) restarts the envs\' episodes from a seeded reset instead of continuing them bit-identically';

/**
 * `getState` / `setState`: a warning when missing; when present, a state saved after a few
 * steps (and passed through `structuredClone`, as a checkpoint file would) must replay the
 * same transitions after `setState`.
 */
function checkSavedState(env: Env, actions: readonly Action[], reset: (seed: number) => ResetResult | undefined, add: Add): void {
  const hasGet = typeof env.getState === 'function';
  const hasSet = typeof env.setState === 'function';
  if (!hasGet || !hasSet) {
    const missing = !hasGet && !hasSet ? 'getState() and setState()' : hasGet ? 'setState()' : 'getState()';
    add(
      'state-missing',
      `env has no ${missing}: ${RESUME_COST}`,
      'implement getState() (the whole env — physical state, Rng state, episode status — as plain data) and setState(state) that restores it; wrappers forward them',
      'warning',
    );
    return;
  }
  const e = env as Env & { getState(): unknown; setState(s: unknown): void };
  const half = Math.max(1, Math.floor(actions.length / 2));
  const play = (from: number): StepResult[] => {
    const out: StepResult[] = [];
    for (let t = from; t < actions.length; t++) {
      const r = e.step(actions[t]!);
      out.push({ ...r, obs: Float32Array.from(r.obs) });
      if (r.terminated || r.truncated) break;
    }
    return out;
  };
  try {
    if (!reset(0)) return;
    for (let t = 0; t < half; t++) {
      const r = e.step(actions[t]!);
      if (r.terminated || r.truncated) return; // the episode is too short to save mid-way
    }
    let saved: unknown;
    try {
      saved = structuredClone(e.getState());
    } catch (err) {
      add('state-clone', `getState() returned a value structuredClone refuses: ${(err as Error).message}`, 'return plain data and typed arrays from getState() (no functions; class instances lose their class in a checkpoint), so a checkpoint file can hold it');
      return;
    }
    const first = play(half);
    e.setState(saved);
    const again = play(half);
    const same = first.length === again.length && first.every((a, t) => sameArray(a.obs, again[t]!.obs) && a.reward === again[t]!.reward && a.terminated === again[t]!.terminated && a.truncated === again[t]!.truncated);
    if (!same) {
      add('state-roundtrip', `after setState(getState()) saved at step ${half}, the same actions gave different transitions`, 'save everything the next steps depend on in getState(): the physical state, the Rng state (Rng.getState()), step counters and episode status');
    }
  } catch (err) {
    add('state-throws', `saving or restoring the state threw: ${(err as Error).message}`, 'make getState() work at any time after reset() and setState() accept what getState() returned');
  }
}
