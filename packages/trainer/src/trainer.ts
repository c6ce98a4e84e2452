/**
 * The training loop: environment set-up, networks, then per iteration a rollout and one
 * REINFORCE update (`reinforce.ts`), metrics through a callback, pino logs, evaluation during
 * training with the best evaluated policy kept, and a state that checkpoints and resumes.
 */
import { pino, type Logger } from 'pino';
import { getSpec, registeredIds, Rng, RunningMeanStd, type RngState } from '@rl/env';
import { valueNetwork, type ObsNormStats, type Policy, type ValueNetwork } from '@rl/policy';
import { createRunner, isTensorEnv, rolloutEpisodes, type AnyVectorEnv, type RolloutBatch, type Runner, type RunnerState } from '@rl/runner';
import { backendInfo, initTf, tf, useFastWasmKernels } from '@rl/tf';
import { DEFAULT_CONFIG, resolveConfig, type TrainConfig } from './config.js';
import { createOptimizer, type Optimizer, type OptimizerState } from './optim.js';
import { reinforceUpdate, type GradientEstimator, type Learner } from './reinforce.js';
import { evaluatesDuringTraining, evaluationDue, evaluationSeed, learningRate, runSeeds, stopReason, type StopReason } from './schedule.js';
import { createTrainingPolicy, makeTrainingEnv, vectorizationOf } from './setup.js';
import { evaluatePolicySync, type EvalResult } from './evaluate.js';
import { importEnvModule } from './env_module.js';
import { checkRunMemory } from './memory.js';

export type { EvalResult };

/** What one iteration reports (the metrics callback and `step()` return it). */
export interface IterationMetrics {
  /** Iterations completed, counting this one (1-based). */
  readonly iteration: number;
  /** Env steps used for learning so far (real steps; T·N per iteration in `steps` mode). */
  readonly envSteps: number;
  /** Episodes finished so far. */
  readonly episodes: number;
  /** Mean undiscounted return of the last `returnWindow` finished episodes (NaN before the first). */
  readonly returnMean: number;
  /** Mean length of the same episodes (NaN before the first). */
  readonly episodeLength: number;
  /** Surrogate loss −Ĵ of this update. */
  readonly loss: number;
  /** Mean policy entropy per step. */
  readonly entropy: number;
  /** ‖∇θJ‖ before clipping. */
  readonly gradNorm: number;
  /** Value MSE before this update (NaN without a learned V). */
  readonly valueLoss: number;
  /** Learning rate used by this update. */
  readonly lr: number;
  /** Env steps of this iteration per wall second (rollout + update). */
  readonly stepsPerSec: number;
  /** Wall seconds of this iteration's rollout (the envs stepping, πθ acting). */
  readonly rolloutSeconds: number;
  /** Wall seconds of this iteration's update (returns, ∇θJ, optimizer steps, observation statistics). */
  readonly updateSeconds: number;
}

/**
 * The fields of a metrics row that depend on wall-clock time (the trainer's, and `rl train`'s
 * `wallSeconds`): two runs with the same config and seed agree on every other field.
 */
export const TIMING_FIELDS = ['stepsPerSec', 'rolloutSeconds', 'updateSeconds', 'wallSeconds'] as const;

/** Which of a trainer's policies: the current one (`last`), or the best evaluated one (`best`; the current one while there is none). */
export type PolicyChoice = 'last' | 'best';

/** Options of {@link Trainer.evaluate}. */
export interface EvalOptions {
  /** Number of episodes (run as that many envs in one batch). Default `config.evalEpisodes` (or 10). */
  readonly episodes?: number;
  /** Act with the mode of π (argmax / mean) instead of sampling. Default `config.evalDeterministic` (true). */
  readonly deterministic?: boolean;
  /** Seed of the fresh evaluation envs (and of sampling). Default `evaluationSeed(config.seed)` (= seed + 1000, as `rl eval`). */
  readonly seed?: number;
  /** The policy evaluated; default `last` (the current πθ). */
  readonly policy?: PolicyChoice;
}

/** Options of {@link Trainer.savePolicy}. */
export interface SavePolicyOptions {
  /** The policy saved; default `last` (the current πθ). `best` is the best evaluated one (the current one while there is none). */
  readonly policy?: PolicyChoice;
}

/**
 * One evaluation during training (`evalEvery`): `episodes` episodes of the then current πθ on
 * the run's evaluation envs (`runSeeds(seed).evalSeed`, the same episodes every time). A line
 * of a run directory's `evaluations.jsonl`.
 */
export interface TrainingEvaluation {
  /** The iteration after whose update πθ was evaluated (1-based). */
  readonly iteration: number;
  /** Env steps used for learning up to then. */
  readonly envSteps: number;
  /** Episodes run, whether actions were the mode of π, and the seed of env 0 (env i: seed + i). */
  readonly episodes: number;
  readonly deterministic: boolean;
  readonly seed: number;
  /** Mean, population std, min and max of the episodes' undiscounted returns. */
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** Mean episode length. */
  readonly meanLength: number;
  /** This policy became the best so far (its mean ≥ the previous best's: ties go to the later policy). */
  readonly best: boolean;
  /** Wall seconds the evaluation took (a timing field: differs between identical runs). */
  readonly seconds: number;
}

/** The best evaluated policy of a run in a {@link TrainerState}: enough to publish it again (`savePolicy(dir, { policy: 'best' })` after `setState`). */
export interface BestPolicyState {
  /** Its evaluation (`iteration`, `envSteps`, `mean`, …). */
  readonly evaluation: TrainingEvaluation;
  /** πθ's weights then, in `policy.getWeights()` order. */
  readonly policyWeights: Float32Array[];
  /** The observation statistics πθ used then (with `normalizeObs`). */
  readonly obsNorm: ObsNormStats | undefined;
}

/** Everything needed to resume exactly; plain data and typed arrays (no tensors). */
export interface TrainerState {
  readonly format: 'rl-trainer-state';
  readonly version: 1;
  readonly config: TrainConfig;
  readonly iteration: number;
  readonly envSteps: number;
  readonly episodes: number;
  readonly recentReturns: number[];
  readonly recentLengths: number[];
  readonly policyWeights: Float32Array[];
  readonly policyRng: RngState;
  readonly valueWeights: Float32Array[] | undefined;
  readonly optimizer: OptimizerState;
  readonly valueOptimizer: OptimizerState | undefined;
  readonly ema: number | undefined;
  readonly obsNorm: { mean: Float64Array; var: Float64Array; count: number } | undefined;
  /** The trainer's own stream (episode-mode reset seeds, resume seeds). */
  readonly rng: RngState;
  /**
   * The best evaluated policy so far (`evalEvery` > 0; undefined before the first evaluation,
   * and in states saved before evaluations during training existed). A checkpoint therefore
   * holds both policies of a run: the current one (`policyWeights`, `obsNorm`) and this one, so
   * a run's `model/` (best) and `model-last/` (last) can be rewritten from any checkpoint:
   * restore it with `setState`, then `savePolicy(dir, { policy: 'best' })` and `savePolicy(dir)`.
   */
  readonly best?: BestPolicyState;
  /** The latest evaluation during training (the last policy's, once a run has ended by its stop rule). */
  readonly lastEvaluation?: TrainingEvaluation;
  /**
   * `steps` mode with JS envs (`native` / `generic`): the runner's current observations, running
   * episode returns and lengths and counters, with the envs' whole state (physical state, time
   * limit counters, random streams), so a resumed run continues the very same episodes.
   * Absent in `episodes` mode, with tensor-native envs, rollout workers, envs that cannot save
   * their state (no `getState()`, e.g. a user's env), and in states saved before it existed.
   */
  readonly runner?: RunnerState;
}

/** What a driver hooks into a run (`run`, `runAsync`, `train`). */
export interface RunHooks {
  /**
   * After every iteration, with its metrics and the trainer (metrics lines, checkpoints, curves,
   * progress). `runAsync` awaits it before the next iteration (it may be async); `run` calls it
   * synchronously.
   */
  readonly onIteration?: (m: IterationMetrics, trainer: Trainer) => unknown;
  /**
   * After each evaluation during training (`evalEvery`), before `onIteration` of the same
   * iteration (the trainer's state already holds it; when `e.best`, `savePolicy(dir, { policy: 'best' })`
   * publishes the new best). Awaited by `runAsync`.
   */
  readonly onEvaluation?: (e: TrainingEvaluation, trainer: Trainer) => unknown;
  /** Stops the run before the next iteration once aborted (within one iteration). */
  readonly signal?: AbortSignal;
}

/** Options of {@link createTrainer} and {@link train}. */
export interface TrainerOptions {
  /** Called after every iteration (by `step()` itself, so also when a driver steps by hand). */
  readonly onIteration?: (m: IterationMetrics) => void;
  /** Called after each evaluation during training (by `step()` itself), before `onIteration` of the same iteration. */
  readonly onEvaluation?: (e: TrainingEvaluation) => void;
  /** A pino logger to use (default: a new one at `config.logLevel`). */
  readonly logger?: Logger;
  /** Stops `run()` / `runAsync()` / `train()` before the next iteration when aborted. */
  readonly signal?: AbortSignal;
}

/** Why `run()` stopped and where. */
export interface TrainResult {
  readonly reason: StopReason;
  readonly iterations: number;
  readonly envSteps: number;
  readonly wallSeconds: number;
  /** Metrics of the last iteration (undefined when none ran). */
  readonly last: IterationMetrics | undefined;
  /** The best evaluated policy's evaluation (`evalEvery` > 0), and the latest evaluation (the last policy's). */
  readonly best: TrainingEvaluation | undefined;
  readonly lastEvaluation: TrainingEvaluation | undefined;
}

/** A training run you can step, evaluate, checkpoint and resume. */
export interface Trainer {
  /** The resolved config. */
  readonly config: TrainConfig;
  /** πθ (save it with `policy.save(dir)`). */
  readonly policy: Policy;
  /** The learned V(s) (baselines `value`, `gae`). */
  readonly value: ValueNetwork | undefined;
  /** Iterations completed. */
  readonly iteration: number;
  /** Env steps used for learning so far. */
  readonly envSteps: number;
  /** The env's registered reward threshold, if any (e.g. 475 for CartPole-v1). */
  readonly rewardThreshold: number | undefined;
  /** The evaluation of the best evaluated policy so far (undefined before the first evaluation during training). */
  readonly best: TrainingEvaluation | undefined;
  /** The latest evaluation during training. */
  readonly lastEvaluation: TrainingEvaluation | undefined;
  /** The logger. */
  readonly logger: Logger;
  /** One rollout and one update, then an evaluation when one is due (`evalEvery`). */
  step(): IterationMetrics;
  /**
   * Iterates until the stop rule (`targetReturn` with a full window, `stopOnEval`, `totalSteps`)
   * or the signal, synchronously. With `evalEvery` > 0 the last iteration before the stop rule
   * (not an abort) is always evaluated, so the last policy has an evaluation too.
   */
  run(opts?: RunHooks): TrainResult;
  /**
   * {@link run} yielding to the event loop between iterations: timers, I/O, HTTP servers and
   * signal handlers of the same process run while it trains, and an aborted signal stops it
   * within one iteration. Hooks may be async (awaited).
   */
  runAsync(opts?: RunHooks): Promise<TrainResult>;
  /** Episodes on fresh seeded envs (of the current or the best policy); the training streams are left untouched. */
  evaluate(opts?: EvalOptions): EvalResult;
  /**
   * Saves πθ into `dir` (Node; atomically) with metadata `{ envId, config, iteration, envSteps, evaluation }`
   * beside its spaces: the current policy, or with `{ policy: 'best' }` the best evaluated one.
   */
  savePolicy(dir: string, opts?: SavePolicyOptions): Promise<void>;
  /** A copy of the whole state (see {@link TrainerState}). */
  getState(): TrainerState;
  /** Restores a state from {@link getState} (of a trainer with the same config). */
  setState(s: TrainerState): void;
  /** Frees every tensor, the envs and the networks. */
  dispose(): void;
}

/** The registered env ids (for config validation). */
export function envIds(): string[] {
  return registeredIds();
}

/**
 * Builds a trainer: imports the config's `envModule` (if any; its absolute path is what the
 * resolved config records), initialises the backend, the envs, πθ, V and the optimizers.
 *
 * @example
 * const trainer = await createTrainer({ env: 'CartPole-v1', seed: 1 });
 * const m = trainer.step(); // { iteration: 1, envSteps: 1024, returnMean, loss, … }
 * const state = trainer.getState(); // checkpoint
 * await createTrainer({ env: 'Reach-v0', envModule: './reach-env.ts' }); // a user's env, registered by its module
 */
export async function createTrainer(partial: Partial<TrainConfig> = {}, opts: TrainerOptions = {}): Promise<Trainer> {
  const { envModule, env } = (partial ?? {}) as Record<string, unknown>;
  if (typeof envModule === 'string' && envModule.length > 0) {
    const loaded = await importEnvModule(envModule, typeof env === 'string' ? env : undefined);
    partial = { ...partial, envModule: loaded.path };
  }
  const config = resolveConfig(partial, { envIds: registeredIds() });
  const logger = opts.logger ?? pino({ level: config.logLevel, name: 'rl-trainer' });
  const current = backendInfo();
  if (config.backend !== 'auto' && current?.requested !== config.backend) {
    await initTf({ backend: config.backend, log: (msg, fields) => logger.info(fields, msg) });
  } else if (!current) {
    await initTf({ backend: 'auto', log: (msg, fields) => logger.info(fields, msg) });
  }
  checkRunMemory(config, { backend: tf.getBackend() }); // before the envs, networks and buffers exist
  if (tf.getBackend() === 'wasm') useFastWasmKernels();
  let workerRunner: WorkerRunnerFactory | undefined;
  if (config.workers !== 1) {
    // loaded only when asked for (the browser build of @rl/runner has no worker threads); a
    // specifier in a variable, so bundlers leave this import alone
    const specifier = '@rl/runner';
    const mod = (await import(/* @vite-ignore */ specifier).catch(() => ({}))) as { createWorkerRunner?: WorkerRunnerFactory };
    if (typeof mod.createWorkerRunner !== 'function') throw new Error(`createTrainer: workers ${String(config.workers)} needs Node worker_threads (createWorkerRunner is not available in this build of @rl/runner); use workers 1`);
    workerRunner = mod.createWorkerRunner;
  }
  const gradientThreads = await loadGradientThreads(config, tf.getBackend());
  const trainer = new TrainerImpl(config, logger, opts, workerRunner, gradientThreads);
  try {
    await trainer.ready();
  } catch (err) {
    trainer.dispose();
    throw err;
  }
  return trainer;
}

/**
 * The Node entry's `createGradientThreads` for this run's `updateWorkers` (declared here
 * structurally, as the worker runner below, so the browser build never reaches worker_threads).
 */
type GradientThreadsFactory = (policy: Policy) => { readonly gradient: GradientEstimator; ready(): Promise<void>; dispose(): void };

async function loadGradientThreads(config: TrainConfig, backend: string): Promise<GradientThreadsFactory | undefined> {
  if (config.updateWorkers === 1) return undefined;
  // the Node entry of this package (its browser build has no threads); a specifier in a variable, so bundlers leave it alone
  const specifier = '@rl/trainer';
  const mod = (await import(/* @vite-ignore */ specifier).catch(() => ({}))) as {
    createGradientThreads?: (policy: Policy, opts: { parts: number }) => ReturnType<GradientThreadsFactory>;
    updateParts?: (cfg: TrainConfig, backend: string) => number;
  };
  if (typeof mod.createGradientThreads !== 'function' || typeof mod.updateParts !== 'function') {
    if (config.updateWorkers === 'auto') return undefined;
    throw new Error(`createTrainer: updateWorkers ${config.updateWorkers} needs Node worker_threads (createGradientThreads is not in this build of @rl/trainer); use updateWorkers 1`);
  }
  const parts = mod.updateParts(config, backend);
  const create = mod.createGradientThreads;
  return parts > 1 ? (policy) => create(policy, { parts }) : undefined;
}

/**
 * The part of `@rl/runner`'s Node-only `createWorkerRunner` the trainer uses. Declared here
 * (structurally) rather than imported, so the trainer's browser build never reaches the
 * worker_threads code, not even for types.
 */
type WorkerRunnerFactory = (
  policy: Policy,
  opts: { envId: string; numEnvs: number; workers: number | 'auto'; seed: number; envOptions: { vectorization: 'native' | 'generic' }; envModule?: string },
) => Runner & { ready(): Promise<void> };

/**
 * Trains a policy with batched REINFORCE (`runAsync`: the event loop keeps running) and returns
 * the trainer (for `policy`, `evaluate`, `getState`) with the result.
 *
 * @example
 * const { trainer, result } = await train({ env: 'CartPole-v1', targetReturn: 475 }, { onIteration: (m) => console.log(m.returnMean) });
 */
export async function train(partial: Partial<TrainConfig> = {}, opts: TrainerOptions = {}): Promise<{ trainer: Trainer; result: TrainResult }> {
  const trainer = await createTrainer(partial, opts);
  try {
    const result = await trainer.runAsync();
    return { trainer, result };
  } catch (err) {
    trainer.dispose();
    throw err;
  }
}

/** Where in a run a saved policy comes from (see {@link policyMetadata}). */
export interface PolicyOrigin {
  readonly iteration: number;
  readonly envSteps: number;
  /** Its evaluation during training, if it had one. */
  readonly evaluation?: TrainingEvaluation;
}

/** The metadata a trained policy is saved with: the env id, the whole resolved config and, when given, the iteration it is from and its evaluation. */
export function policyMetadata(config: TrainConfig, origin?: PolicyOrigin): { envId: string; config: TrainConfig } & Partial<PolicyOrigin> {
  return { envId: config.env, config, ...(origin ? { iteration: origin.iteration, envSteps: origin.envSteps, ...(origin.evaluation ? { evaluation: origin.evaluation } : {}) } : {}) };
}

/** Lets timers, I/O and signal handlers run (a macrotask: `setImmediate` in Node, else `setTimeout`). */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

class TrainerImpl implements Trainer {
  readonly config: TrainConfig;
  readonly policy: Policy;
  readonly value: ValueNetwork | undefined;
  readonly logger: Logger;
  readonly rewardThreshold: number | undefined;
  iteration = 0;
  envSteps = 0;
  private episodes = 0;
  private recentReturns: number[] = [];
  private recentLengths: number[] = [];
  private readonly env: AnyVectorEnv;
  private runner: Runner | undefined;
  private readonly maxEpisodeSteps: number;
  private readonly learner: Learner;
  private readonly optimizer: Optimizer;
  private readonly valueOptimizer: Optimizer | undefined;
  private rng: Rng;
  private readonly obsRms: RunningMeanStd | undefined;
  private readonly onIteration: ((m: IterationMetrics) => void) | undefined;
  private readonly onEvaluation: ((e: TrainingEvaluation) => void) | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly evalSeed: number;
  /** The best evaluated policy (a copy of πθ when it was evaluated), made at the first evaluation. */
  private bestPolicy: Policy | undefined;
  private bestEvaluation: TrainingEvaluation | undefined;
  private latestEvaluation: TrainingEvaluation | undefined;

  private readonly makeRunner: (seed: number) => Runner;
  /** Whether the state holds the runner's and envs' state (steps mode, JS envs that can save theirs, no workers). */
  private readonly savesRunner: boolean;

  /** The threads computing parts of each update's ∇θJ (`updateWorkers` > 1). */
  private readonly gradientThreads: ReturnType<GradientThreadsFactory> | undefined;

  constructor(config: TrainConfig, logger: Logger, opts: TrainerOptions, workerRunner?: WorkerRunnerFactory, gradientThreads?: GradientThreadsFactory) {
    this.config = config;
    this.logger = logger;
    this.onIteration = opts.onIteration;
    this.onEvaluation = opts.onEvaluation;
    this.signal = opts.signal;
    const spec = getSpec(config.env);
    this.rewardThreshold = spec.rewardThreshold;
    this.maxEpisodeSteps = spec.maxEpisodeSteps ?? 1000;

    // Seeds: one root stream, one child seed per consumer, always drawn in the same order
    const { valueSeed, envSeed, streamSeed, evalSeed } = runSeeds(config.seed);
    this.rng = new Rng(streamSeed);
    this.evalSeed = evalSeed;

    // Environment: N envs as one batch
    this.env = makeTrainingEnv(config, config.numEnvs, envSeed);

    // πθ and, for the learned baselines, V(s)
    const env = this.env;
    this.policy = createTrainingPolicy(config, env.singleObservationSpace, env.singleActionSpace);
    const learned = config.baseline === 'value' || config.baseline === 'gae';
    this.value = learned ? valueNetwork(env.singleObservationSpace, { hidden: config.hidden, activation: config.activation, seed: valueSeed }) : undefined;
    this.obsRms = config.normalizeObs ? new RunningMeanStd(env.singleObservationSpace.size) : undefined;

    // Optimizers: ascent on J for θ, descent on the value MSE for V
    this.optimizer = createOptimizer(this.policy.trainableVariables, { kind: config.optimizer, lr: config.lr });
    this.valueOptimizer = this.value ? createOptimizer(this.value.trainableVariables, { kind: 'adam', lr: config.valueLr }) : undefined;
    // ∇θJ in this thread, or in parts on every core (`updateWorkers`); V's fit stays here
    this.gradientThreads = gradientThreads?.(this.policy);
    this.learner = {
      policy: this.policy,
      optimizer: this.optimizer,
      ...(this.value ? { value: this.value, valueOptimizer: this.valueOptimizer! } : {}),
      ...(this.gradientThreads ? { gradient: this.gradientThreads.gradient } : {}),
      ema: undefined,
    };
    // Rollouts in steps mode: in this thread, or sharded across worker threads (`workers` > 1)
    this.makeRunner = workerRunner
      ? (seed) =>
          workerRunner(this.policy, {
            envId: config.env,
            numEnvs: config.numEnvs,
            workers: config.workers,
            seed,
            envOptions: { vectorization: vectorizationOf(config) as 'native' | 'generic' },
            ...(config.envModule === undefined ? {} : { envModule: config.envModule }),
          })
      : (seed) => createRunner(this.policy, this.env, { seed });
    if (config.mode === 'steps') this.runner = this.makeRunner(envSeed);
    this.savesRunner = this.runner !== undefined && !workerRunner && !isTensorEnv(this.env) && canSaveState(this.runner);
    if (this.runner && !workerRunner && !isTensorEnv(this.env) && !this.savesRunner) {
      logger.warn(
        { env: config.env },
        `env ${config.env} cannot save its state (it has no getState()/setState()): training and checkpoints work, but a checkpoint holds no env state, so a resumed run restarts its episodes (reproducible, not bit-identical to an uninterrupted run)`,
      );
    }
    logger.debug({ config }, 'trainer created');
  }

  /** Resolves once the rollout workers and gradient threads (if any) have started. */
  async ready(): Promise<void> {
    await Promise.all([(this.runner as Partial<{ ready(): Promise<void> }> | undefined)?.ready?.(), this.gradientThreads?.ready()]);
  }

  private collect(): RolloutBatch {
    if (this.config.mode === 'episodes') {
      return rolloutEpisodes(this.policy, this.env, { seed: this.rng.nextSeed(), maxSteps: this.maxEpisodeSteps, atMaxSteps: 'cut' });
    }
    return this.runner!.rollout(this.config.stepsPerIter);
  }

  get best(): TrainingEvaluation | undefined {
    return this.bestEvaluation;
  }

  get lastEvaluation(): TrainingEvaluation | undefined {
    return this.latestEvaluation;
  }

  step(): IterationMetrics {
    return this.advance(false).metrics;
  }

  /**
   * One iteration ({@link update}), then the evaluation when one is due: at the `evalEvery`
   * cadence, or (`endOfRun`, the run loop) after the iteration the stop rule ends the run on.
   * Calls the options' hooks, evaluation first.
   */
  private advance(endOfRun: boolean): { metrics: IterationMetrics; evaluation: TrainingEvaluation | undefined } {
    const cfg = this.config;
    const before = this.envSteps;
    const metrics = this.update();
    const due = evaluationDue(cfg, before, this.envSteps) || (endOfRun && evaluatesDuringTraining(cfg) && this.stopRule(false) !== undefined);
    const evaluation = due ? this.evaluateDuringTraining() : undefined;
    if (evaluation) this.onEvaluation?.(evaluation);
    this.onIteration?.(metrics);
    return { metrics, evaluation };
  }

  /** The stop rule where the run stands now. */
  private stopRule(aborted: boolean): StopReason | undefined {
    return stopReason(this.config, { envSteps: this.envSteps, windowEpisodes: this.recentReturns.length, returnMean: mean(this.recentReturns), aborted, ...(this.latestEvaluation ? { evalReturn: this.latestEvaluation.mean } : {}) });
  }

  /**
   * Evaluates the current πθ on the run's evaluation envs (`evalSeed`) and keeps a copy of it
   * when it is at least as good as the best so far (ties: the later policy).
   */
  private evaluateDuringTraining(): TrainingEvaluation {
    const cfg = this.config;
    const t0 = performance.now();
    const r = evaluatePolicySync(this.policy, { envId: cfg.env, episodes: cfg.evalEpisodes, deterministic: cfg.evalDeterministic, seed: this.evalSeed });
    const best = this.bestEvaluation === undefined || r.mean >= this.bestEvaluation.mean;
    const e: TrainingEvaluation = {
      iteration: this.iteration,
      envSteps: this.envSteps,
      episodes: r.returns.length,
      deterministic: cfg.evalDeterministic,
      seed: this.evalSeed,
      mean: r.mean,
      std: r.std,
      min: Math.min(...r.returns),
      max: Math.max(...r.returns),
      meanLength: mean(r.lengths),
      best,
      seconds: (performance.now() - t0) / 1000,
    };
    if (best) {
      this.keepBest(this.policy.getWeights(), this.policy.obsNorm);
      this.bestEvaluation = e;
    }
    this.latestEvaluation = e;
    this.logger.info({ iteration: e.iteration, envSteps: e.envSteps, episodes: e.episodes, mean: e.mean, std: e.std, best, bestIteration: this.bestEvaluation!.iteration }, 'evaluation during training');
    return e;
  }

  /** Copies weights and observation statistics into the best policy (made on first use, the config's architecture). */
  private keepBest(weights: readonly Float32Array[], obsNorm: ObsNormStats | undefined): void {
    this.bestPolicy ??= createTrainingPolicy(this.config, this.policy.observationSpace, this.policy.actionSpace);
    this.bestPolicy.setWeights(weights);
    this.bestPolicy.obsNorm = obsNorm ? copyObsNorm(obsNorm) : undefined;
  }

  /** The policy `which` names: the best evaluated one when asked for and there is one, else the current one. */
  private policyFor(which: PolicyChoice | undefined): { policy: Policy; origin: PolicyOrigin } {
    if (which === 'best' && this.bestPolicy && this.bestEvaluation) {
      const e = this.bestEvaluation;
      return { policy: this.bestPolicy, origin: { iteration: e.iteration, envSteps: e.envSteps, evaluation: e } };
    }
    const e = this.latestEvaluation?.iteration === this.iteration ? this.latestEvaluation : undefined;
    return { policy: this.policy, origin: { iteration: this.iteration, envSteps: this.envSteps, ...(e ? { evaluation: e } : {}) } };
  }

  /** One rollout and one update. */
  private update(): IterationMetrics {
    const cfg = this.config;
    const t0 = performance.now();
    const iteration = this.iteration + 1;
    const lr = learningRate(cfg, this.envSteps);
    this.optimizer.lr = lr;

    // Rollout: N envs, T steps (or N whole episodes), πθ acting without taping
    const batch = this.collect();
    const t1 = performance.now();
    try {
      // Update: returns, baseline, ∇θJ in one forward/backward pass, θ ← θ + α∇θJ
      const u = reinforceUpdate(this.learner, batch, cfg, iteration);
      if (this.obsRms) this.updateObsNorm(batch);

      this.iteration = iteration;
      this.envSteps += batch.numSteps;
      this.episodes += batch.episodeReturns.length;
      this.recentReturns.push(...batch.episodeReturns);
      this.recentLengths.push(...batch.episodeLengths);
      if (this.recentReturns.length > cfg.returnWindow) {
        this.recentReturns.splice(0, this.recentReturns.length - cfg.returnWindow);
        this.recentLengths.splice(0, this.recentLengths.length - cfg.returnWindow);
      }
      const t2 = performance.now();
      const seconds = (t2 - t0) / 1000;
      const m: IterationMetrics = {
        iteration,
        envSteps: this.envSteps,
        episodes: this.episodes,
        returnMean: mean(this.recentReturns),
        episodeLength: mean(this.recentLengths),
        loss: u.loss,
        entropy: u.entropy,
        gradNorm: u.gradNorm,
        valueLoss: u.valueLoss,
        lr,
        stepsPerSec: seconds > 0 ? batch.numSteps / seconds : 0,
        rolloutSeconds: (t1 - t0) / 1000,
        updateSeconds: (t2 - t1) / 1000,
      };
      this.logger.debug(m, 'iteration');
      return m;
    } finally {
      batch.dispose();
    }
  }

  /** Running mean/variance of the observations, written into πθ and V for the next rollout. */
  private updateObsNorm(batch: RolloutBatch): void {
    const rms = this.obsRms!;
    const obs = batch.host?.obs ?? batch.obs.dataSync();
    const mask = batch.host?.mask ?? batch.mask.dataSync();
    const d = rms.dim;
    const rows: number[] = [];
    for (let i = 0; i < mask.length; i++) if (mask[i]) for (let k = 0; k < d; k++) rows.push(obs[i * d + k]!);
    rms.update(rows);
    this.applyObsNorm();
  }

  private applyObsNorm(): void {
    const rms = this.obsRms!;
    const stats = { mean: Float32Array.from(rms.mean), var: Float32Array.from(rms.var), count: rms.count, clip: 10, epsilon: 1e-8 };
    this.policy.obsNorm = stats;
    if (this.value) this.value.obsNorm = stats;
  }

  run(opts: RunHooks = {}): TrainResult {
    const loop = this.iterations(opts.signal ?? this.signal);
    const sync = (name: string, pending: unknown): void => {
      if (pending instanceof Promise) throw new TypeError(`Trainer.run: ${name} returned a promise (an async hook); use runAsync(), which awaits it`);
    };
    for (let r = loop.next(); ; r = loop.next()) {
      if (r.done) return r.value;
      if (r.value.evaluation) sync('onEvaluation', opts.onEvaluation?.(r.value.evaluation, this));
      sync('onIteration', opts.onIteration?.(r.value.metrics, this));
    }
  }

  async runAsync(opts: RunHooks = {}): Promise<TrainResult> {
    const loop = this.iterations(opts.signal ?? this.signal);
    for (let r = loop.next(); ; r = loop.next()) {
      if (r.done) return r.value;
      if (r.value.evaluation) await opts.onEvaluation?.(r.value.evaluation, this);
      await opts.onIteration?.(r.value.metrics, this);
      await yieldToEventLoop();
    }
  }

  /** The loop of `run` and `runAsync`: the stop rule before each iteration, then one iteration and its evaluation, if any (yielded to the driver). */
  private *iterations(signal: AbortSignal | undefined): Generator<{ metrics: IterationMetrics; evaluation: TrainingEvaluation | undefined }, TrainResult, void> {
    const cfg = this.config;
    const t0 = performance.now();
    let last: IterationMetrics | undefined;
    let reason: StopReason;
    this.logger.info({ env: cfg.env, numEnvs: cfg.numEnvs, stepsPerIter: cfg.stepsPerIter, mode: cfg.mode, baseline: cfg.baseline, backend: tf.getBackend() }, 'training');
    for (;;) {
      const stop = this.stopRule(signal?.aborted === true);
      if (stop) {
        reason = stop;
        break;
      }
      const step = this.advance(true);
      last = step.metrics;
      if (last.iteration % 10 === 0) this.logger.info({ iteration: last.iteration, envSteps: last.envSteps, returnMean: last.returnMean, loss: last.loss, entropy: last.entropy }, 'progress');
      yield step;
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    this.logger.info({ reason, iterations: this.iteration, envSteps: this.envSteps, wallSeconds, returnMean: last?.returnMean, bestIteration: this.bestEvaluation?.iteration, bestEvalReturn: this.bestEvaluation?.mean }, 'training finished');
    return { reason, iterations: this.iteration, envSteps: this.envSteps, wallSeconds, last, best: this.bestEvaluation, lastEvaluation: this.latestEvaluation };
  }

  async savePolicy(dir: string, opts: SavePolicyOptions = {}): Promise<void> {
    const { policy, origin } = this.policyFor(opts.policy);
    await policy.save(dir, { metadata: policyMetadata(this.config, origin) });
  }

  evaluate(opts: EvalOptions = {}): EvalResult {
    const episodes = opts.episodes ?? (this.config.evalEpisodes > 0 ? this.config.evalEpisodes : 10);
    if (!Number.isInteger(episodes) || episodes < 1) throw new RangeError(`evaluate: episodes must be a positive integer, got ${episodes}`);
    const deterministic = opts.deterministic ?? this.config.evalDeterministic;
    const seed = opts.seed ?? evaluationSeed(this.config.seed);
    const { policy, origin } = this.policyFor(opts.policy);
    const r = evaluatePolicySync(policy, { envId: this.config.env, episodes, deterministic, seed });
    this.logger.info({ episodes, deterministic, seed, policy: opts.policy ?? 'last', iteration: origin.iteration, mean: r.mean, std: r.std }, 'evaluation');
    return r;
  }

  getState(): TrainerState {
    const rms = this.obsRms;
    return {
      format: 'rl-trainer-state',
      version: 1,
      config: this.config,
      iteration: this.iteration,
      envSteps: this.envSteps,
      episodes: this.episodes,
      recentReturns: [...this.recentReturns],
      recentLengths: [...this.recentLengths],
      policyWeights: this.policy.getWeights(),
      policyRng: this.policy.getRngState(),
      valueWeights: this.value?.getWeights(),
      optimizer: this.optimizer.getState(),
      valueOptimizer: this.valueOptimizer?.getState(),
      ema: this.learner.ema,
      obsNorm: rms ? { mean: Float64Array.from(rms.mean), var: Float64Array.from(rms.var), count: rms.count } : undefined,
      rng: this.rng.getState(),
      ...(this.savesRunner ? { runner: this.runner!.getState!() } : {}),
      ...(this.bestPolicy && this.bestEvaluation
        ? { best: { evaluation: this.bestEvaluation, policyWeights: this.bestPolicy.getWeights(), obsNorm: this.bestPolicy.obsNorm ? copyObsNorm(this.bestPolicy.obsNorm) : undefined } }
        : {}),
      ...(this.latestEvaluation ? { lastEvaluation: this.latestEvaluation } : {}),
    };
  }

  /**
   * Restores a state. Parameters, optimizer moments, counters, baselines, normalisation and
   * every random stream come back exactly. In `episodes` mode every iteration starts from a
   * seeded reset; in `steps` mode with JS envs the state holds the runner's and the envs' state
   * (running episodes, time-limit counters, env random streams): either way a resumed run is
   * bit-identical to an uninterrupted one. With tensor-native envs (`envVectorization: 'tensor'`)
   * the envs restart with fresh episodes seeded from the saved stream: reproducible, not identical.
   */
  setState(s: TrainerState): void {
    if (s?.format !== 'rl-trainer-state' || s.version !== 1) throw new TypeError(`setState: not a trainer state (format ${String(s?.format)}, version ${String(s?.version)})`);
    // a field the saved config lacks (saved before the field existed) had its default; `workers` and `updateWorkers` only change where rollouts and updates run, `envModule` where the env's code lives
    const saved = (k: keyof TrainConfig): unknown => (k in s.config ? s.config[k] : DEFAULT_CONFIG[k]);
    const diff = (Object.keys(this.config) as (keyof TrainConfig)[]).filter((k) => !RESUMABLE_CHANGES.includes(k) && JSON.stringify(this.config[k]) !== JSON.stringify(saved(k)));
    if (diff.length > 0) throw new RangeError(`setState: the state was saved with a different config (${diff.map((k) => `${k}: ${JSON.stringify(saved(k))} vs ${JSON.stringify(this.config[k])}`).join('; ')})`);
    this.policy.setWeights(s.policyWeights);
    this.policy.setRngState(s.policyRng);
    if (this.value) {
      if (!s.valueWeights || !s.valueOptimizer) throw new RangeError('setState: the state has no value network, this trainer learns one');
      this.value.setWeights(s.valueWeights);
      this.valueOptimizer!.setState(s.valueOptimizer);
    }
    this.optimizer.setState(s.optimizer);
    this.learner.ema = s.ema;
    if (this.obsRms) {
      if (!s.obsNorm) throw new RangeError('setState: the state has no observation statistics, this trainer normalises observations');
      this.obsRms.mean.set(s.obsNorm.mean);
      this.obsRms.var.set(s.obsNorm.var);
      this.obsRms.count = s.obsNorm.count;
      this.applyObsNorm();
    }
    this.iteration = s.iteration;
    this.envSteps = s.envSteps;
    this.episodes = s.episodes;
    this.recentReturns = [...s.recentReturns];
    this.recentLengths = [...s.recentLengths];
    this.rng = Rng.fromState(s.rng);
    // the best evaluated policy so far and the latest evaluation (none in states saved before evaluations during training)
    if (s.best) {
      this.keepBest(s.best.policyWeights, s.best.obsNorm);
      this.bestEvaluation = s.best.evaluation;
    } else {
      this.bestPolicy?.dispose();
      this.bestPolicy = undefined;
      this.bestEvaluation = undefined;
    }
    this.latestEvaluation = s.lastEvaluation;
    if (this.config.mode === 'steps') {
      if (s.runner && this.savesRunner) {
        // the envs' running episodes, exactly as they were: the resumed run is bit-identical
        this.runner!.setState!(s.runner);
      } else {
        this.runner?.dispose();
        // no env state saved (tensor-native envs, workers, envs without getState, older states): fresh episodes seeded from a
        // copy of the saved stream, so the state itself is unchanged by resuming
        this.runner = this.makeRunner(this.rng.clone().nextSeed());
      }
    }
  }

  dispose(): void {
    this.runner?.dispose();
    this.runner = undefined;
    this.gradientThreads?.dispose();
    this.optimizer.dispose();
    this.valueOptimizer?.dispose();
    this.policy.dispose();
    this.bestPolicy?.dispose();
    this.value?.dispose();
    this.env.close();
  }
}

/**
 * Config fields a state may be restored under with another value: they change what a run
 * logs, when it stops, where rollouts run and when it evaluates, not what an iteration
 * computes (evaluations restore every stream they use).
 */
const RESUMABLE_CHANGES: readonly (keyof TrainConfig)[] = ['logLevel', 'totalSteps', 'evalEpisodes', 'evalEvery', 'evalDeterministic', 'stopOnEval', 'targetReturn', 'workers', 'updateWorkers', 'envModule'];

function copyObsNorm(s: ObsNormStats): ObsNormStats {
  return { ...s, mean: Float32Array.from(s.mean), var: Float32Array.from(s.var) };
}

/** Whether a runner's env can save its whole state (probed once: `getState()` throws a TypeError for an env without one). */
function canSaveState(runner: Runner): boolean {
  if (typeof runner.getState !== 'function' || typeof runner.setState !== 'function') return false;
  try {
    runner.getState();
    return true;
  } catch (err) {
    if (err instanceof TypeError) return false;
    throw err;
  }
}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}
