/**
 * Will a run fit in this machine's memory? Arithmetic on the config and the env's spaces, done
 * before anything is allocated or written (`createTrainer` runs it, so `train()` users get it;
 * `rl train` runs it before the run directory is made, `rl resume` before it changes one):
 * - the rollout's host arrays: one row per env step of an iteration (N·T in `steps` mode, N·the
 *   env's time limit in `episodes` mode, twice: chunks and the padded batch), each row the
 *   observation and final observation, action, reward, terminated, truncated, mask;
 * - the update's tensors: per row of the batch and per parameter, the measured factors of
 *   `@rl/policy`'s `trainingBytes` (forward, backward, Adam), and the value network's parameters;
 * - the N envs (typed arrays of a native batched env, or N env objects on the JS heap);
 * - worker threads (each a tfjs instance and its share of envs and actions), and gradient
 *   threads (`updateWorkers` k: k − 1 tfjs instances, each with its part of the update);
 * - the evaluation after training (`evalEpisodes` envs, their episodes, one forward pass).
 * Each part is compared with what `@rl/tf`'s `memoryLimits` reports: the wasm backend's 4 GiB,
 * the memory available, V8's heap, the longest typed array. What cannot fit is refused with a
 * {@link RunSizeError} naming the fields that make it big and the estimate.
 */
import { getSpec, make, type Space } from '@rl/env';
import { forwardBytes, trainingBytes, type NetworkShape, type Policy } from '@rl/policy';
import { backendInfo, memoryLimits, type MemoryLimits } from '@rl/tf';
import type { TrainConfig } from './config.js';
import { vectorizationOf } from './setup.js';

/** One part of an estimate. */
export interface MemoryPart {
  /** What it is, e.g. `rollout arrays`. */
  readonly what: string;
  readonly bytes: number;
  /** Where it lives: the backend's tensors, host memory outside V8's heap (typed arrays), or V8's heap. */
  readonly where: 'tensors' | 'host' | 'heap';
  /** The config fields (or options) it grows with. */
  readonly fields: readonly string[];
  /** Parts of one phase exist together; phases follow one another (`training`, then `evaluation`). */
  readonly phase: 'training' | 'evaluation';
  /** How its size comes about, with `{field}` placeholders for the field names (e.g. `{numEnvs} 16 × {stepsPerIter} 64 = 1,024 rows`). */
  readonly how: string;
}

/** What a run (or an evaluation) needs. */
export interface MemoryEstimate {
  readonly parts: readonly MemoryPart[];
  /** Bytes of tensors at the peak of a step. */
  readonly tensorBytes: number;
  /** Bytes of typed arrays outside V8's heap. */
  readonly hostBytes: number;
  /** Bytes on V8's heap. */
  readonly heapBytes: number;
  /** The longest typed array (elements) and what it holds. */
  readonly largestArray: { readonly elements: number; readonly part: MemoryPart };
}

/** A run (or evaluation, or server) that cannot fit in this machine's memory; the message names the fields that make it big and the estimate. */
export class RunSizeError extends Error {
  override readonly name = 'RunSizeError';
  constructor(
    /** The fields (or options) to lower. */
    readonly fields: readonly string[],
    /** The message with each field written by `name` (the default: the field itself; `rl` writes its flag). */
    readonly render: (name: (field: string) => string) => string,
  ) {
    super(render((f) => f));
  }
}

/** Bytes as a short human figure: `812 MB`, `4.3 GB`, `2.1 TB`. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(v)} bytes` : `${v < 10 ? v.toFixed(1) : grouped(v)} ${units[i]}`;
}

/**
 * An integer with thousands separators, as `toLocaleString('en-US')` writes it, without
 * initialising Intl (its first call costs ~13 ms, and every run builds these texts before its
 * first rollout).
 */
const grouped = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const count = (n: number): string => (n < 1e15 ? grouped(n) : n.toExponential(2));
const F32 = 4;
/** A native batched env per env (typed arrays of its state, the runner's counters), measured ~190 bytes. */
const NATIVE_ENV_BYTES = 256;
/** An env object of a generic vector env (N scalar envs) on V8's heap, measured ~3.2 KB (CartPole). */
const GENERIC_ENV_BYTES = 4096;
/** A rollout worker thread: its own tfjs, wasm module and heaps (tens of MB measured). */
const WORKER_BYTES = 64e6;

/** The spaces' sizes a memory estimate needs. */
export interface SpaceSizes {
  readonly obsSize: number;
  /** Network outputs: logits of a Discrete space, means of a Box. */
  readonly outputs: number;
  /** Numbers per action in the rollout arrays (1 for Discrete). */
  readonly actionSize: number;
}

/** The sizes of an observation and an action space. */
export function spaceSizes(observationSpace: Space, actionSpace: Space): SpaceSizes {
  const discrete = actionSpace.type === 'Discrete';
  return { obsSize: observationSpace.size, outputs: discrete ? actionSpace.n : actionSpace.size, actionSize: discrete ? 1 : actionSpace.size };
}

/** Bytes of one row of a rollout's host arrays: observation and final observation, action, reward, terminated, truncated, mask. */
const rowBytes = (s: SpaceSizes): number => F32 * (2 * s.obsSize + s.actionSize + 4);

/** The env's time limit (what bounds an episode's rows), 1,000 when it has none (the trainer's own cut). */
function episodeLimit(envId: string): number {
  return getSpec(envId).maxEpisodeSteps ?? 1000;
}

/**
 * The memory an evaluation of `episodes` whole episodes takes (`evaluatePolicy`, `rl eval`, the
 * evaluation after training): the envs, every episode's rows on the host and as the batch's
 * tensors, one forward pass over all episodes.
 */
export function estimateEvalMemory(envId: string, sizes: SpaceSizes, hidden: readonly number[], episodes: number, field = 'episodes'): MemoryEstimate {
  const limit = episodeLimit(envId);
  const rows = episodes * limit;
  const shape: NetworkShape = { obsSize: sizes.obsSize, hidden, outputs: sizes.outputs };
  const how = `{${field}} ${count(episodes)} × ${count(limit)} steps (the env's time limit) = ${count(rows)} rows`;
  const phase = 'evaluation';
  const arrays: MemoryPart = { what: 'evaluation episodes (host arrays)', bytes: 2 * rows * rowBytes(sizes), where: 'host', fields: [field], phase, how };
  return summarize([
    arrays,
    { what: 'evaluation episodes (tensors)', bytes: rows * rowBytes(sizes), where: 'tensors', fields: [field], phase, how },
    { what: 'the forward pass', bytes: forwardBytes(shape, episodes), where: 'tensors', fields: [field, ...(hidden.length ? ['hidden'] : [])], phase, how: `{${field}} ${count(episodes)} rows${hidden.length ? `, {hidden} ${hidden.join(',')}` : ''}` },
    { what: 'evaluation envs', bytes: episodes * NATIVE_ENV_BYTES, where: 'host', fields: [field], phase, how: `{${field}} ${count(episodes)} envs` },
  ], arrays, rows * sizes.obsSize);
}

/** The memory a training run with `config` takes per iteration (see the file header). */
export function estimateRunMemory(config: TrainConfig, sizes: SpaceSizes): MemoryEstimate {
  const n = config.numEnvs;
  const steps = config.mode === 'steps';
  const limit = episodeLimit(config.env);
  const rows = n * (steps ? config.stepsPerIter : limit);
  const rowFields = steps ? ['numEnvs', 'stepsPerIter'] : ['numEnvs'];
  const how = steps ? `{numEnvs} ${count(n)} × {stepsPerIter} ${count(config.stepsPerIter)} = ${count(rows)} rows` : `{numEnvs} ${count(n)} episodes × ${count(limit)} steps (the env's time limit) = ${count(rows)} rows`;
  const shape: NetworkShape = { obsSize: sizes.obsSize, hidden: config.hidden, outputs: sizes.outputs };
  const learnedV = config.baseline === 'value' || config.baseline === 'gae';
  const phase = 'training';
  const arrays: MemoryPart = { what: 'rollout arrays', bytes: (steps ? 1 : 2) * rows * rowBytes(sizes), where: 'host', fields: rowFields, phase, how };
  const activations = trainingBytes(shape, rows) - trainingBytes(shape, 0);
  const parameters = trainingBytes(shape, 0) + (learnedV ? trainingBytes({ ...shape, outputs: 1 }, 0) : 0);
  const parts: MemoryPart[] = [
    arrays,
    { what: "the update's batch and activations", bytes: activations, where: 'tensors', fields: [...rowFields, 'hidden'], phase, how: `${how}, {hidden} ${config.hidden.join(',')}` },
    { what: 'the networks (weights, gradients, Adam moments)', bytes: parameters, where: 'tensors', fields: ['hidden'], phase, how: `{hidden} ${config.hidden.join(',')}` },
  ];
  const generic = vectorizationOf(config) === 'generic';
  parts.push({ what: generic ? 'env objects' : 'envs', bytes: n * (generic ? GENERIC_ENV_BYTES : NATIVE_ENV_BYTES), where: generic ? 'heap' : 'host', fields: ['numEnvs'], phase, how: `{numEnvs} ${count(n)} envs` });
  const workers = config.workers === 'auto' ? 0 : config.workers;
  if (workers > 1) parts.push({ what: 'rollout worker threads', bytes: workers * (WORKER_BYTES + forwardBytes(shape, Math.ceil(n / workers))), where: 'host', fields: ['workers'], phase, how: `{workers} ${workers} threads` });
  // each gradient thread: its own tfjs and its part of the update (the trainer's thread is counted with the whole update above, an upper bound)
  const updateParts = config.updateWorkers === 'auto' ? 1 : config.updateWorkers;
  if (updateParts > 1) {
    const partRows = Math.ceil(rows / updateParts);
    parts.push({ what: 'gradient threads', bytes: (updateParts - 1) * (WORKER_BYTES + trainingBytes(shape, partRows)), where: 'host', fields: ['updateWorkers', ...rowFields], phase, how: `{updateWorkers} ${updateParts}: ${updateParts - 1} threads of ${count(partRows)} rows` });
  }
  const evalParts = config.evalEpisodes > 0 ? estimateEvalMemory(config.env, sizes, config.hidden, config.evalEpisodes, 'evalEpisodes').parts : [];
  return summarize([...parts, ...evalParts], arrays, rows * sizes.obsSize);
}

/** The parts of `phase` (each phase's parts exist together). */
const ofPhase = (parts: readonly MemoryPart[], phase: MemoryPart['phase']): MemoryPart[] => parts.filter((p) => p.phase === phase);
const sumOf = (parts: readonly MemoryPart[]): number => parts.reduce((s, p) => s + p.bytes, 0);

function summarize(parts: MemoryPart[], largest: MemoryPart, elements: number): MemoryEstimate {
  // the larger phase's figure: training and the evaluation after it do not overlap
  const peak = (where: MemoryPart['where']): number => Math.max(...(['training', 'evaluation'] as const).map((ph) => sumOf(ofPhase(parts, ph).filter((p) => p.where === where))));
  return { parts, tensorBytes: peak('tensors'), hostBytes: peak('host'), heapBytes: peak('heap'), largestArray: { elements, part: largest } };
}

/**
 * Throws a {@link RunSizeError} when `estimate` cannot fit in `limits` (each phase on its own):
 * a typed array longer than V8 allows, tensors beyond the backend's memory (wasm: 4 GiB), V8's
 * heap, or more than the machine has available. `subject` starts the message (e.g. `the run`);
 * the message names the parts that make at least a tenth of the figure, and their fields.
 */
export function checkMemory(estimate: MemoryEstimate, limits: MemoryLimits, subject: string, backend?: string): void {
  const withNames = (how: string, name: (f: string) => string): string => how.replace(/\{(\w+)\}/g, (_, f: string) => name(f));
  const fail = (ps: readonly MemoryPart[], against: string): never => {
    const bytes = sumOf(ps);
    const big = ps.filter((p) => p.bytes >= bytes / 10).sort((a, b) => b.bytes - a.bytes);
    const fields = [...new Set(big.flatMap((p) => p.fields))];
    throw new RunSizeError(fields, (name) => {
      const list = big.map((p) => `${p.what} ${formatBytes(p.bytes)} (${withNames(p.how, name)})`).join('; ');
      return `${subject} needs about ${formatBytes(bytes)} ${against}: ${list}; lower ${fields.map(name).join(' or ')}`;
    });
  };
  const { elements, part } = estimate.largestArray;
  if (elements > limits.maxArrayElements) {
    throw new RunSizeError(part.fields, (name) =>
      `${subject} needs about ${formatBytes(part.bytes)} for its ${part.what} (${withNames(part.how, name)}), one array of ${count(elements)} numbers, more than the ${count(limits.maxArrayElements)} a typed array can hold; lower ${part.fields.map(name).join(' or ')}`);
  }
  for (const phase of ['training', 'evaluation'] as const) {
    const parts = ofPhase(estimate.parts, phase);
    const during = phase === 'evaluation' && subject === 'the run' ? ' (the evaluation after training)' : '';
    const tensors = parts.filter((p) => p.where === 'tensors');
    if (limits.tensorLimitBytes !== undefined && sumOf(tensors) > limits.tensorLimitBytes) fail(tensors, `of tensors${during}, more than the ${backend ?? 'backend'} backend's ${formatBytes(limits.tensorLimitBytes)} of memory`);
    const heap = parts.filter((p) => p.where === 'heap');
    if (limits.heapAvailableBytes !== undefined && sumOf(heap) > limits.heapAvailableBytes) fail(heap, `of JavaScript heap${during}, more than the ${formatBytes(limits.heapAvailableBytes)} V8's heap has left`);
    const inHost = parts.filter((p) => p.where !== 'tensors' || limits.tensorsInHostMemory);
    if (limits.availableBytes !== undefined && sumOf(inHost) > limits.availableBytes) {
      fail(inHost, `of memory${during}, more than the ${formatBytes(limits.availableBytes)} this machine has available${limits.totalBytes !== undefined ? ` (${formatBytes(limits.totalBytes)} in all)` : ''}`);
    }
  }
}

/** The spaces of `envId` (one env made and closed). */
function envSizes(envId: string): SpaceSizes {
  const env = make(envId);
  try {
    return spaceSizes(env.observationSpace, env.actionSpace);
  } finally {
    env.close();
  }
}

/**
 * Estimates the memory of a run with `config` ({@link estimateRunMemory}) and throws a
 * {@link RunSizeError} when it cannot fit on this machine with `backend` (a tfjs backend name;
 * default `config.backend`, where `auto` sets no tensor limit). Returns the estimate.
 *
 * @example
 * checkRunMemory(resolveConfig({ numEnvs: 1e9 })); // RunSizeError: the run needs about … (rollout arrays …); lower numEnvs or stepsPerIter
 */
export function checkRunMemory(config: TrainConfig, opts: { readonly backend?: string; readonly limits?: MemoryLimits } = {}): MemoryEstimate {
  const backend = opts.backend ?? (config.backend === 'auto' ? undefined : config.backend);
  const estimate = estimateRunMemory(config, envSizes(config.env));
  checkMemory(estimate, opts.limits ?? memoryLimits(backend), 'the run', backend);
  return estimate;
}

/**
 * Throws a {@link RunSizeError} when evaluating `policy` on `episodes` episodes of `envId` at
 * once cannot fit on the active backend ({@link estimateEvalMemory}); `field` names the count
 * in the message (`episodes`; `rl eval` writes `--episodes`).
 */
export function checkEvalMemory(envId: string, policy: Pick<Policy, 'observationSpace' | 'actionSpace' | 'network'>, episodes: number, field = 'episodes'): MemoryEstimate {
  const backend = backendInfo()?.backend;
  const estimate = estimateEvalMemory(envId, spaceSizes(policy.observationSpace, policy.actionSpace), policy.network?.hidden ?? [], episodes, field);
  checkMemory(estimate, memoryLimits(backend), 'the evaluation', backend);
  return estimate;
}
