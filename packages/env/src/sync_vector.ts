/**
 * The generic vector env (Gymnasium's `SyncVectorEnv`): N independent `Env`s from any factory,
 * stepped one after another, with the same SAME_STEP autoreset and result layout as the native
 * vector envs.
 */
import { checkActionBatch } from './actions.js';
import { checkSeed } from './kernel.js';
import { spacesEqual, type Box, type Space } from './spaces.js';
import type { Env, EnvSpec, Info, ResetOptions, VectorEnv, VectorResetResult, VectorStepResult } from './types.js';
import { isRestorable, type RestorableEnv } from './wrappers/wrapper.js';

/** Options of {@link SyncVectorEnv}. */
export interface SyncVectorOptions {
  /** Seed for the first `reset()` that is given none (env i gets seed + i). */
  readonly seed?: number;
  /** The registry spec, when made by `makeVec`. */
  readonly spec?: EnvSpec;
}

/**
 * The whole state of a {@link SyncVectorEnv} (plain data and typed arrays): the current
 * observations and each env's own `getState()`.
 */
export interface SyncVectorEnvState {
  readonly kind: 'sync';
  readonly id: string;
  readonly numEnvs: number;
  readonly obs: Float32Array;
  readonly started: boolean;
  readonly defaultSeed: number | null;
  /** `envs[i].getState()` of every env. */
  readonly envs: unknown[];
}

/**
 * N envs from `factory`, stepped in turn. An env whose episode ends (terminated or truncated)
 * is reset in the same step; its last observation and info go to `finalObs` / `finalInfo`.
 * @example const venv = new SyncVectorEnv(() => make('CartPole-v1'), 8);
 */
export class SyncVectorEnv implements VectorEnv {
  /** The host kind of vector env (see `isTensorEnv`). */
  readonly kind = 'js' as const;
  readonly id: string;
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Space;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly spec?: EnvSpec;
  /** The N envs (env i is seeded seed + i). */
  readonly envs: readonly Env[];
  private readonly obs: Float32Array;
  private readonly rewards: Float64Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly finalObs: Float32Array;
  private readonly finalInfo: (Info | undefined)[];
  private readonly actionBufs: Float32Array[];
  private defaultSeed: number | undefined;
  private started = false;
  private readonly result: VectorStepResult;
  /**
   * The whole vector env as plain data: observations and each env's `getState()`. Present only
   * when every env has `getState` and `setState` (the envs `make` builds for the classic-control
   * ids do: `TimeLimit` over a classic-control env), so `'getState' in venv` tells the truth.
   */
  declare getState?: () => SyncVectorEnvState;
  /** Restores a state from {@link getState}: every env continues exactly where the saved one was. Present with it. */
  declare setState?: (state: SyncVectorEnvState) => void;

  constructor(factory: () => Env, numEnvs: number, opts: SyncVectorOptions = {}) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`SyncVectorEnv: numEnvs must be a positive integer, got ${numEnvs}`);
    const envs: Env[] = [];
    for (let i = 0; i < numEnvs; i++) envs.push(factory());
    const first = envs[0]!;
    for (let i = 1; i < numEnvs; i++) {
      const e = envs[i]!;
      if (!spacesEqual(e.observationSpace, first.observationSpace) || !spacesEqual(e.actionSpace, first.actionSpace)) {
        throw new TypeError(`SyncVectorEnv: env ${i} (${e.id}) has spaces ${e.observationSpace.toString()} / ${e.actionSpace.toString()}, env 0 has ${first.observationSpace.toString()} / ${first.actionSpace.toString()}`);
      }
    }
    this.envs = envs;
    this.id = first.id;
    this.numEnvs = numEnvs;
    this.singleObservationSpace = first.observationSpace;
    this.singleActionSpace = first.actionSpace;
    this.obsDim = first.observationSpace.size;
    this.actionDim = first.actionSpace.type === 'Discrete' ? 1 : first.actionSpace.size;
    const spec = opts.spec ?? first.spec;
    if (spec) this.spec = spec;
    this.defaultSeed = opts.seed === undefined ? undefined : checkSeed(this.id, opts.seed);
    this.obs = new Float32Array(numEnvs * this.obsDim);
    this.rewards = new Float64Array(numEnvs);
    this.terminated = new Uint8Array(numEnvs);
    this.truncated = new Uint8Array(numEnvs);
    this.finalObs = new Float32Array(numEnvs * this.obsDim);
    this.finalInfo = new Array<Info | undefined>(numEnvs).fill(undefined);
    this.actionBufs = envs.map(() => new Float32Array(this.actionDim));
    this.result = {
      obs: this.obs,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      finalObs: this.finalObs,
      finalInfo: this.finalInfo,
      info: {},
    };
    if (envs.every(isRestorable)) {
      const restorable = envs as RestorableEnv[];
      this.getState = () => this.saveState(restorable);
      this.setState = (st) => this.restoreState(restorable, st);
    }
  }

  /** Resets every env; with a seed, env i is reset with `seed + i`. */
  reset(opts: ResetOptions = {}): VectorResetResult {
    let seed = opts.seed === undefined ? undefined : checkSeed(this.id, opts.seed);
    if (seed === undefined && !this.started) seed = this.defaultSeed;
    this.defaultSeed = undefined;
    const d = this.obsDim;
    for (let i = 0; i < this.numEnvs; i++) {
      const r = this.envs[i]!.reset({ ...(seed === undefined ? {} : { seed: seed + i }), ...(opts.options ? { options: opts.options } : {}) });
      this.checkObs(i, r.obs, 'reset');
      this.obs.set(r.obs, i * d);
    }
    this.rewards.fill(0);
    this.terminated.fill(0);
    this.truncated.fill(0);
    this.finalInfo.fill(undefined);
    this.started = true;
    return { obs: this.obs, info: {} };
  }

  /** Steps every env with its slice of the flat action batch; see {@link VectorEnv.step}. */
  step(actions: ArrayLike<number>): VectorStepResult {
    if (!this.started) throw new Error(`${this.id}: vector step() called before reset(); call reset() first`);
    checkActionBatch(this.id, this.singleActionSpace, this.numEnvs, actions);
    this.finalInfo.fill(undefined);
    const d = this.obsDim;
    const ad = this.actionDim;
    const discrete = this.singleActionSpace.type === 'Discrete';
    for (let i = 0; i < this.numEnvs; i++) {
      const env = this.envs[i]!;
      let a: number | Float32Array;
      if (discrete) a = actions[i]!;
      else {
        const buf = this.actionBufs[i]!;
        for (let k = 0; k < ad; k++) buf[k] = actions[i * ad + k]!;
        a = buf;
      }
      const r = env.step(a);
      this.checkObs(i, r.obs, 'step');
      this.rewards[i] = r.reward;
      this.terminated[i] = r.terminated ? 1 : 0;
      this.truncated[i] = r.truncated ? 1 : 0;
      if (r.terminated || r.truncated) {
        this.finalObs.set(r.obs, i * d);
        this.finalInfo[i] = r.info;
        const rr = env.reset();
        this.checkObs(i, rr.obs, 'reset');
        this.obs.set(rr.obs, i * d);
      } else {
        this.obs.set(r.obs, i * d);
      }
    }
    return this.result;
  }

  private saveState(envs: readonly RestorableEnv[]): SyncVectorEnvState {
    return { kind: 'sync', id: this.id, numEnvs: this.numEnvs, obs: this.obs.slice(), started: this.started, defaultSeed: this.defaultSeed ?? null, envs: envs.map((e) => e.getState()) };
  }

  private restoreState(envs: readonly RestorableEnv[], st: SyncVectorEnvState): void {
    if (st?.kind !== 'sync') throw new TypeError(`SyncVectorEnv(${this.id}).setState: not a SyncVectorEnv state (kind ${String((st as { kind?: unknown } | null)?.kind)})`);
    if (st.id !== this.id || st.numEnvs !== this.numEnvs) throw new RangeError(`SyncVectorEnv(${this.id}).setState: the state is of ${st.numEnvs} × ${st.id}, this env is ${this.numEnvs} × ${this.id}`);
    if (!(st.obs instanceof Float32Array) || st.obs.length !== this.obs.length) throw new RangeError(`SyncVectorEnv(${this.id}).setState: obs must be a Float32Array of ${this.obs.length}`);
    if (!Array.isArray(st.envs) || st.envs.length !== this.numEnvs) throw new RangeError(`SyncVectorEnv(${this.id}).setState: envs must list ${this.numEnvs} states`);
    envs.forEach((e, i) => e.setState(st.envs[i]));
    this.obs.set(st.obs);
    this.started = st.started;
    this.defaultSeed = st.defaultSeed ?? undefined;
    this.rewards.fill(0);
    this.terminated.fill(0);
    this.truncated.fill(0);
    this.finalInfo.fill(undefined);
  }

  close(): void {
    for (const e of this.envs) e.close();
    this.started = false;
  }

  private checkObs(i: number, obs: Float32Array | undefined, method: 'reset' | 'step'): void {
    if (obs === null || typeof obs !== 'object' || typeof (obs as { length?: unknown }).length !== 'number') {
      throw new TypeError(`${this.id} [batch index ${i}]: ${method}() returned no observation (its result's \`obs\` is ${obs === null ? 'null' : typeof obs}); an Env's ${method}() returns { obs: Float32Array${method === 'step' ? ', reward, terminated, truncated, info' : ', info'} } (see @rl/env's Env)`);
    }
    if (obs.length !== this.obsDim) throw new RangeError(`${this.id} [batch index ${i}]: env returned an observation of length ${obs.length}, expected ${this.obsDim}`);
  }
}
