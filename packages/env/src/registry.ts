/**
 * The env registry (Gymnasium's `register` / `make`): ids → specs, `make` applies the
 * registered time limit, `makeVec` builds N envs as a native batched env or a generic one, and
 * `makeTensorVec` builds the tensor-native kind from the same spec (its factories come from
 * @rl/runner, which registers them with `registerTensorVec`: this package has no TensorFlow).
 * The five classic-control envs are registered on load.
 */
import { AcrobotEnv, AcrobotVectorEnv } from './acrobot.js';
import { CartPoleEnv, CartPoleVectorEnv } from './cartpole.js';
import { MountainCarEnv, MountainCarVectorEnv } from './mountain_car.js';
import { MountainCarContinuousEnv, MountainCarContinuousVectorEnv } from './mountain_car_continuous.js';
import type { NativeVectorOptions } from './native_vector.js';
import { PendulumEnv, PendulumVectorEnv } from './pendulum.js';
import { SyncVectorEnv } from './sync_vector.js';
import type { Env, EnvSpec, TensorVectorEnv, TensorVectorEnvOptions, VectorEnv } from './types.js';
import { TimeLimit } from './wrappers/time_limit.js';

const specs = new Map<string, EnvSpec>();

/** Options of {@link make}: `maxEpisodeSteps` overrides the registered limit (null: none); the rest goes to the env (e.g. physical constants). */
export interface MakeOptions {
  /** Time limit (default: the registered one; null removes it). */
  readonly maxEpisodeSteps?: number | null;
  /** Env-specific options, e.g. `{ gravity: 12 }`. */
  readonly [option: string]: unknown;
}

/** Options of {@link makeVec}. */
export interface MakeVecOptions extends MakeOptions {
  /**
   * `auto` (default): the native batched env when the id registers one, else generic;
   * `native`: the batched typed-array env (an error when none is registered);
   * `generic`: N separate envs from `make(id)` in a {@link SyncVectorEnv}.
   */
  readonly vectorization?: 'auto' | 'native' | 'generic';
  /** Seed of the first `reset()` that is given none: env i gets seed + i. */
  readonly seed?: number;
}

/**
 * Registers an env id (Gymnasium's `register`); throws if the id is taken. `maxEpisodeSteps`
 * becomes the `TimeLimit` (truncation) that `make` and `makeVec` apply; `rewardThreshold` is
 * the mean return at which the task counts as solved (drawn on `rl train`'s learning curve);
 * `vectorEntryPoint` / `tensorEntryPoint` add a native or tensor-native batched form (without
 * them `makeVec` steps N envs built by `entryPoint`).
 * @example
 * register('Reach-v0', { entryPoint: (o) => new ReachEnv(o), maxEpisodeSteps: 50, rewardThreshold: 0.9 });
 */
export function register(id: string, spec: Omit<EnvSpec, 'id'>): void {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`register: id must be a non-empty string, got ${String(id)}`);
  if (specs.has(id)) throw new Error(`register: env id "${id}" is already registered`);
  if (typeof spec?.entryPoint !== 'function') throw new TypeError(`register(${id}): spec.entryPoint must be a function returning an Env`);
  const max = spec.maxEpisodeSteps;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new RangeError(`register(${id}): maxEpisodeSteps must be a positive integer, got ${max}`);
  specs.set(id, Object.freeze({ ...spec, id }));
}

/** Registered ids, in registration order. */
export function registeredIds(): string[] {
  return [...specs.keys()];
}

/** The spec of a registered id; throws listing the registered ids for an unknown one. */
export function getSpec(id: string): EnvSpec {
  const s = specs.get(id);
  if (!s) throw new Error(`Unknown env id "${String(id)}". Registered ids: ${registeredIds().join(', ')}`);
  return s;
}

function split(options: MakeOptions | undefined): { max: number | null | undefined; rest: Record<string, unknown> } {
  const { maxEpisodeSteps, vectorization: _v, seed: _s, ...rest } = (options ?? {}) as Record<string, unknown>;
  if (maxEpisodeSteps !== undefined && maxEpisodeSteps !== null && (!Number.isInteger(maxEpisodeSteps) || (maxEpisodeSteps as number) < 1)) {
    throw new RangeError(`maxEpisodeSteps must be a positive integer or null, got ${String(maxEpisodeSteps)}`);
  }
  return { max: maxEpisodeSteps as number | null | undefined, rest };
}

/**
 * Builds the env registered as `id`, inside a `TimeLimit` when it has a time limit.
 * @example
 * const env = make('CartPole-v1');           // truncates at 500 steps
 * const heavy = make('Pendulum-v1', { g: 12 });
 */
export function make(id: string, options?: MakeOptions): Env {
  const spec = getSpec(id);
  for (const k of ['seed', 'vectorization'] as const) {
    if (options && options[k] !== undefined) {
      throw new RangeError(`make(${id}): option "${k}" belongs to makeVec; a single env is seeded with env.reset({ seed })`);
    }
  }
  const { max, rest } = split(options);
  const env = spec.entryPoint(Object.keys(rest).length ? rest : undefined);
  const limit = max === undefined ? spec.maxEpisodeSteps : max ?? undefined;
  return limit === undefined ? env : new TimeLimit(env, limit, spec);
}

/**
 * N envs of `id` as one {@link VectorEnv}: the native batched env (when registered; `auto`, the
 * default, picks it) or a generic {@link SyncVectorEnv} over `make(id)`. Both apply the time limit per env and give
 * identical transitions for the same seeds and actions.
 * @example
 * const venv = makeVec('CartPole-v1', 1024, { seed: 1 });
 * const { obs } = venv.reset();
 */
export function makeVec(id: string, numEnvs: number, options: MakeVecOptions = {}): VectorEnv {
  const spec = getSpec(id);
  const { max, rest } = split(options);
  const asked = options.vectorization ?? 'auto';
  if (asked !== 'auto' && asked !== 'native' && asked !== 'generic') throw new RangeError(`makeVec(${id}): vectorization must be "auto", "native" or "generic", got ${String(asked)}`);
  if (asked === 'native' && !spec.vectorEntryPoint) {
    throw new Error(`makeVec(${id}): vectorization "native": no native vector env is registered for this id (register one with vectorEntryPoint); "auto" (the default) falls back to N separate envs`);
  }
  const mode = asked === 'auto' ? (spec.vectorEntryPoint ? 'native' : 'generic') : asked;
  const limit = max === undefined ? spec.maxEpisodeSteps : max ?? undefined;
  if (mode === 'native') {
    return spec.vectorEntryPoint!(numEnvs, {
      ...(Object.keys(rest).length ? { params: rest } : {}),
      ...(limit === undefined ? {} : { maxEpisodeSteps: limit }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      spec,
    });
  }
  const makeOpts: MakeOptions = { ...rest, maxEpisodeSteps: limit ?? null };
  return new SyncVectorEnv(() => make(id, makeOpts), numEnvs, { ...(options.seed === undefined ? {} : { seed: options.seed }), spec });
}

/**
 * Registers the tensor-native vector env of an already registered id (what {@link makeTensorVec}
 * builds). @rl/runner calls it on load for the classic-control envs; a user registers their own
 * the same way, or passes `tensorEntryPoint` to {@link register}. Throws if the id is unknown or
 * already has one.
 */
export function registerTensorVec(id: string, entry: (numEnvs: number, options?: TensorVectorEnvOptions) => TensorVectorEnv): void {
  const spec = getSpec(id);
  if (typeof entry !== 'function') throw new TypeError(`registerTensorVec(${id}): entry must be a function returning a TensorVectorEnv`);
  if (spec.tensorEntryPoint) throw new Error(`registerTensorVec(${id}): a tensor-native env is already registered for this id`);
  specs.set(id, Object.freeze({ ...spec, tensorEntryPoint: entry }));
}

/** The registered ids that have a tensor-native vector env, in registration order. */
export function tensorIds(): string[] {
  return [...specs.values()].filter((s) => s.tensorEntryPoint).map((s) => s.id);
}

/**
 * N tensor-native envs of `id` (dynamics as tensor ops, state on the backend): the counterpart
 * of {@link makeVec} whose rollouts never leave the device, built from the same spec. The type
 * parameters are the tensor types of the registered factory (@rl/runner's re-export of this
 * function has tfjs's `Tensor2D`, `Tensor1D`, `Tensor` bound).
 * @example
 * import { makeTensorVec } from '@rl/runner'; // registers the classic-control tensor envs
 * const env = makeTensorVec('CartPole-v1', 4096, { seed: 0 });
 */
export function makeTensorVec<M = unknown, V = M, A = M>(id: string, numEnvs: number, options: TensorVectorEnvOptions = {}): TensorVectorEnv<M, V, A> {
  const spec = getSpec(id);
  if (!spec.tensorEntryPoint) {
    const known = tensorIds();
    throw new RangeError(`makeTensorVec(${id}): no tensor-native env is registered for this id (${known.length ? `tensor-native: ${known.join(', ')}` : 'none is: import @rl/runner, which registers the classic-control ones'})`);
  }
  const maxEpisodeSteps = options.maxEpisodeSteps ?? spec.maxEpisodeSteps;
  return spec.tensorEntryPoint(numEnvs, { ...options, ...(maxEpisodeSteps === undefined ? {} : { maxEpisodeSteps }), spec }) as TensorVectorEnv<M, V, A>;
}

type NativeCtor = new (numEnvs: number, opts?: NativeVectorOptions) => VectorEnv;

function classic(entry: (o?: Record<string, unknown>) => Env, Vec: NativeCtor, maxEpisodeSteps: number, rewardThreshold?: number): Omit<EnvSpec, 'id'> {
  return {
    entryPoint: entry,
    maxEpisodeSteps,
    ...(rewardThreshold === undefined ? {} : { rewardThreshold }),
    vectorEntryPoint: (n, o) => new Vec(n, o as NativeVectorOptions),
  };
}

register('CartPole-v1', classic((o) => new CartPoleEnv(o), CartPoleVectorEnv, 500, 475));
register('Acrobot-v1', classic((o) => new AcrobotEnv(o), AcrobotVectorEnv, 500, -100));
register('MountainCar-v0', classic((o) => new MountainCarEnv(o), MountainCarVectorEnv, 200, -110));
register('MountainCarContinuous-v0', classic((o) => new MountainCarContinuousEnv(o), MountainCarContinuousVectorEnv, 999, 90));
register('Pendulum-v1', classic((o) => new PendulumEnv(o), PendulumVectorEnv, 200));
