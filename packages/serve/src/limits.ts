/**
 * Will a server's limits fit in this machine's memory? Checked by `createServer` once the
 * policy is loaded, before it listens: the largest forward pass it may run (`maxBatch`, or one
 * request of `maxRequestBatch` observations, which runs alone) against the backend's tensor
 * memory (wasm: 4 GiB) and the memory available, and one request body of `bodyLimit` bytes as
 * JSON on V8's heap. A JSON body takes about {@link JSON_HEAP_FACTOR} times its size on the heap
 * while it is parsed and checked (measured: 17.6× for `{"observations": [[0,0,0,0], …]}`, the
 * densest form, plus the body's own string).
 */
import { forwardBytes } from '@rl/policy';
import { backendInfo, memoryLimits, tf, type MemoryLimits } from '@rl/tf';
import type { ResolvedServeOptions } from './options.js';
import type { ServablePolicy } from './policy.js';
import { kebab } from './flags.js';

/** Heap bytes per byte of a JSON request body while it is parsed and checked. */
export const JSON_HEAP_FACTOR = 20;

/** A server option whose value cannot fit in this machine's memory; the message names the option, its flag and the estimate. */
export class ServeLimitError extends RangeError {
  override readonly name = 'ServeLimitError';
}

const gb = (n: number): string => `${(n / 1e9).toFixed(n < 1e10 ? 2 : 0)} GB`;
const named = (option: string, value: number): string => `${option} (--${kebab(option)}) ${value.toLocaleString('en-US')}`;

/**
 * Throws a {@link ServeLimitError} when `options` allow a forward pass or a request body that
 * this machine cannot hold with `policy` (see the file header).
 *
 * @example
 * checkServeLimits(options, policy); // ServeLimitError: bodyLimit (--body-limit) 1,073,741,824: one request that large needs about 21.47 GB of JavaScript heap …
 */
export function checkServeLimits(options: Pick<ResolvedServeOptions, 'maxBatch' | 'maxRequestBatch' | 'bodyLimit'>, policy: Pick<ServablePolicy, 'observationSpace' | 'actionSpace' | 'network'>, limits: MemoryLimits = memoryLimits(backendInfo()?.backend ?? tf.getBackend())): void {
  const act = policy.actionSpace;
  const shape = { obsSize: policy.observationSpace.size, hidden: policy.network?.hidden ?? [], outputs: act.type === 'Discrete' ? act.n : act.size };
  const [option, rows] = options.maxRequestBatch > options.maxBatch ? (['maxRequestBatch', options.maxRequestBatch] as const) : (['maxBatch', options.maxBatch] as const);
  const pass = forwardBytes(shape, rows);
  const over = (limit: number | undefined): boolean => limit !== undefined && pass > limit;
  if (over(limits.tensorLimitBytes) || (limits.tensorsInHostMemory && over(limits.availableBytes))) {
    const limit = over(limits.tensorLimitBytes) ? `the ${backendInfo()?.backend ?? 'backend'} backend's ${gb(limits.tensorLimitBytes!)} of tensor memory` : `the ${gb(limits.availableBytes!)} this machine has available`;
    throw new ServeLimitError(`${named(option, rows)}: one forward pass of that many observations${shape.hidden.length ? ` through hidden layers ${shape.hidden.join(',')}` : ''} needs about ${gb(pass)}, more than ${limit}; lower --${kebab(option)}`);
  }
  const heap = JSON_HEAP_FACTOR * options.bodyLimit;
  if (limits.heapAvailableBytes !== undefined && heap > limits.heapAvailableBytes) {
    throw new ServeLimitError(`${named('bodyLimit', options.bodyLimit)}: one request body that large needs about ${gb(heap)} of JavaScript heap to parse (${JSON_HEAP_FACTOR}× its size), more than the ${gb(limits.heapAvailableBytes)} V8's heap has left; lower --body-limit (at most ${Math.floor(limits.heapAvailableBytes / JSON_HEAP_FACTOR).toLocaleString('en-US')} here)`);
  }
}
