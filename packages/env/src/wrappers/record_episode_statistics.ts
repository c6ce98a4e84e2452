/**
 * Records the return and length of every finished episode (Gymnasium's
 * `RecordEpisodeStatistics`), single-env and vector forms. The last step of an episode carries
 * `info.episode = { r, l, t }` (return, length, seconds since the episode began); recent
 * episodes are kept in `returnQueue` / `lengthQueue`, and `popEpisodes()` hands out the episodes
 * finished since its last call.
 */
import type { Box, Space } from '../spaces.js';
import type { Env, EnvSpec, Info, ResetOptions, ResetResult, StepResult, VectorEnv, VectorResetResult, VectorStepResult } from '../types.js';
import { Wrapper, type WrapperState } from './wrapper.js';

/** One finished episode, as put in `info.episode`. */
export interface EpisodeStatistics {
  /** Return (sum of rewards). */
  readonly r: number;
  /** Length in steps. */
  readonly l: number;
  /** Wall-clock seconds the episode took. */
  readonly t: number;
}

/** Episodes finished since the last `popEpisodes()`. */
export interface FinishedEpisodes {
  readonly returns: number[];
  readonly lengths: number[];
}

/** Keeps the queues and the since-last-pop lists shared by both forms. */
class EpisodeLog {
  readonly returnQueue: number[] = [];
  readonly lengthQueue: number[] = [];
  private returns: number[] = [];
  private lengths: number[] = [];
  episodeCount = 0;

  constructor(readonly bufferLength: number) {
    if (!Number.isInteger(bufferLength) || bufferLength < 1) throw new RangeError(`RecordEpisodeStatistics: bufferLength must be a positive integer, got ${bufferLength}`);
  }

  add(r: number, l: number): void {
    this.returnQueue.push(r);
    this.lengthQueue.push(l);
    if (this.returnQueue.length > this.bufferLength) {
      this.returnQueue.shift();
      this.lengthQueue.shift();
    }
    this.returns.push(r);
    this.lengths.push(l);
    this.episodeCount++;
  }

  /** The queues and the count as plain data. */
  save(): { returnQueue: number[]; lengthQueue: number[]; episodeCount: number } {
    return { returnQueue: [...this.returnQueue], lengthQueue: [...this.lengthQueue], episodeCount: this.episodeCount };
  }

  /** Checks a {@link save}d log (throwing, naming the field) and returns what restores it. */
  check(where: string, st: Record<string, unknown>): () => void {
    const { returnQueue: rq, lengthQueue: lq, episodeCount: c } = st;
    const nums = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
    if (!nums(rq) || !nums(lq) || rq.length !== lq.length || rq.length > this.bufferLength) {
      throw new TypeError(`${where}: returnQueue and lengthQueue must be number arrays of one length ≤ ${this.bufferLength}`);
    }
    if (typeof c !== 'number' || !Number.isInteger(c) || c < rq.length) throw new TypeError(`${where}: episodeCount must be an integer ≥ ${rq.length}, got ${String(c)}`);
    return () => {
      this.returnQueue.splice(0, this.returnQueue.length, ...rq);
      this.lengthQueue.splice(0, this.lengthQueue.length, ...lq);
      this.episodeCount = c;
    };
  }

  pop(): FinishedEpisodes {
    const out = { returns: this.returns, lengths: this.lengths };
    this.returns = [];
    this.lengths = [];
    return out;
  }
}

const now = (): number => performance.now() / 1000;

/** Single-env episode statistics. */
export class RecordEpisodeStatistics extends Wrapper {
  private readonly log: EpisodeLog;
  private ret = 0;
  private len = 0;
  private start = now();

  /** @param bufferLength how many recent episodes the queues keep (100). */
  constructor(env: Env, bufferLength = 100) {
    super(env);
    this.log = new EpisodeLog(bufferLength);
  }

  /** Returns of the most recent episodes (at most bufferLength). */
  get returnQueue(): readonly number[] {
    return this.log.returnQueue;
  }
  /** Lengths of the most recent episodes. */
  get lengthQueue(): readonly number[] {
    return this.log.lengthQueue;
  }
  /** Episodes finished in total. */
  get episodeCount(): number {
    return this.log.episodeCount;
  }
  /** Episodes finished since the last call, then forgotten here. */
  popEpisodes(): FinishedEpisodes {
    return this.log.pop();
  }

  // Saved state (when the wrapped env has one): the running episode's return, length and
  // seconds so far, and the queues; the since-last-pop lists are not kept.
  protected override get stateKind(): string {
    return 'recordEpisodeStatistics';
  }

  protected override ownState(): Record<string, unknown> {
    return { ret: this.ret, len: this.len, seconds: now() - this.start, ...this.log.save() };
  }

  protected override checkOwnState(st: WrapperState): () => void {
    const where = `RecordEpisodeStatistics(${this.id}).setState`;
    const { ret, len, seconds } = st;
    if (typeof ret !== 'number' || typeof len !== 'number' || !Number.isInteger(len) || len < 0 || typeof seconds !== 'number' || !(seconds >= 0)) {
      throw new TypeError(`${where}: ret must be a number, len an integer ≥ 0 and seconds ≥ 0, got ${String(ret)}, ${String(len)}, ${String(seconds)}`);
    }
    const restoreLog = this.log.check(where, st);
    return () => {
      this.ret = ret;
      this.len = len;
      this.start = now() - seconds;
      restoreLog();
    };
  }

  override reset(opts?: ResetOptions): ResetResult {
    const r = this.env.reset(opts);
    this.ret = 0;
    this.len = 0;
    this.start = now();
    return r;
  }

  override step(action: Parameters<Env['step']>[0]): StepResult {
    const r = this.env.step(action);
    this.ret += r.reward;
    this.len++;
    if (r.terminated || r.truncated) {
      const episode: EpisodeStatistics = { r: this.ret, l: this.len, t: now() - this.start };
      this.log.add(this.ret, this.len);
      return { ...r, info: { ...r.info, episode } };
    }
    return r;
  }
}

/** Vector-env episode statistics: per-env running sums; `finalInfo[i].episode` on the step env i's episode ends. */
export class RecordEpisodeStatisticsVector implements VectorEnv {
  /** The wrapped vector env. */
  readonly env: VectorEnv;
  private readonly log: EpisodeLog;
  private readonly rets: Float64Array;
  private readonly lens: Int32Array;
  private readonly starts: Float64Array;

  constructor(env: VectorEnv, bufferLength = 100) {
    this.env = env;
    this.log = new EpisodeLog(bufferLength);
    this.rets = new Float64Array(env.numEnvs);
    this.lens = new Int32Array(env.numEnvs);
    this.starts = new Float64Array(env.numEnvs);
  }

  get id(): string {
    return this.env.id;
  }
  get numEnvs(): number {
    return this.env.numEnvs;
  }
  get singleObservationSpace(): Box {
    return this.env.singleObservationSpace;
  }
  get singleActionSpace(): Space {
    return this.env.singleActionSpace;
  }
  get obsDim(): number {
    return this.env.obsDim;
  }
  get actionDim(): number {
    return this.env.actionDim;
  }
  get spec(): EnvSpec | undefined {
    return this.env.spec;
  }
  /** Returns of the most recent episodes (at most bufferLength). */
  get returnQueue(): readonly number[] {
    return this.log.returnQueue;
  }
  /** Lengths of the most recent episodes. */
  get lengthQueue(): readonly number[] {
    return this.log.lengthQueue;
  }
  /** Episodes finished in total. */
  get episodeCount(): number {
    return this.log.episodeCount;
  }
  /** Episodes finished since the last call (in the order they ended), then forgotten here. */
  popEpisodes(): FinishedEpisodes {
    return this.log.pop();
  }

  reset(opts?: ResetOptions): VectorResetResult {
    const r = this.env.reset(opts);
    this.rets.fill(0);
    this.lens.fill(0);
    this.starts.fill(now());
    return r;
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    const r = this.env.step(actions);
    const finalInfo = r.finalInfo as (Info | undefined)[];
    for (let i = 0; i < this.numEnvs; i++) {
      this.rets[i] = this.rets[i]! + r.rewards[i]!;
      this.lens[i] = this.lens[i]! + 1;
      if (r.terminated[i] || r.truncated[i]) {
        const t = now();
        const episode: EpisodeStatistics = { r: this.rets[i]!, l: this.lens[i]!, t: t - this.starts[i]! };
        this.log.add(episode.r, episode.l);
        finalInfo[i] = { ...(finalInfo[i] ?? {}), episode };
        this.rets[i] = 0;
        this.lens[i] = 0;
        this.starts[i] = t;
      }
    }
    return r;
  }

  close(): void {
    this.env.close();
  }
}
