/**
 * Synchronous GPU reads on Dawn's Node bindings, so that `dataSync` works on the WebGPU backend
 * in Node and the runner, trainer, policy files and serving run unchanged on it.
 *
 * WebGPU can only map a buffer asynchronously: `mapAsync` completes when Dawn processes its
 * events. In a browser that happens between tasks; tfjs's own `readSync` instead copies through
 * a canvas (`OffscreenCanvas`), which Node does not have. Dawn's Node bindings process events in
 * a native callback they pass to `setImmediate` while work is pending (measured with `webgpu`
 * 0.6.2: one such callback per `requestDevice` and per `mapAsync` started while none is queued;
 * each run processes events once and re-queues itself while work is pending). A synchronous read
 * therefore starts `mapAsync`, keeps the callback Dawn queues instead of letting the event loop
 * run it, and runs it here — processing Dawn's events, nothing else of the event loop — until
 * the buffer is mapped, sleeping a little between polls so the GPU (or SwiftShader's threads)
 * gets the CPU. Whatever Dawn queued and did not need is handed back to the event loop, so
 * asynchronous reads (`await t.data()`) keep working beside synchronous ones.
 */

/** `GPUMapMode.READ`. */
const MAP_READ = 1;

/** The part of a `GPUBuffer` a read needs. */
export interface MappableBuffer {
  readonly mapState: 'unmapped' | 'pending' | 'mapped';
  mapAsync(mode: number): Promise<void>;
}

type Tick = { readonly fn: (...a: unknown[]) => unknown; readonly args: unknown[] };

/** The last event-processing callback Dawn scheduled (any of them processes the instance's events). */
let pump: Tick['fn'] | undefined;

const isNative = (f: unknown): f is Tick['fn'] => typeof f === 'function' && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(f));

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn` (a call into Dawn) with `setImmediate` replaced: native callbacks — Dawn's event
 * processing — go to `held` (or, with `forward`, are remembered and still queued); anything else
 * is queued as usual.
 */
function intercepting<T>(held: Tick[] | undefined, fn: () => T): T {
  const real = globalThis.setImmediate;
  const fake = ((cb: unknown, ...args: unknown[]) => {
    if (isNative(cb)) {
      pump = cb;
      if (held) {
        held.push({ fn: cb, args });
        return { ref: () => fake, unref: () => fake, hasRef: () => false };
      }
    }
    return (real as (cb: unknown, ...a: unknown[]) => unknown)(cb, ...args);
  }) as unknown as typeof setImmediate;
  globalThis.setImmediate = fake;
  try {
    return fn();
  } finally {
    globalThis.setImmediate = real;
  }
}

/**
 * Calls `fn` (e.g. `adapter.requestDevice(…)`) and remembers the event-processing callback Dawn
 * schedules meanwhile, for {@link mapReadSync} to use later. The callback still runs as usual.
 */
export function watchDawnEvents<T>(fn: () => T): T {
  return intercepting(undefined, fn);
}

/**
 * Maps `buffer` for reading and returns once it is mapped, processing Dawn's events in this call.
 * Throws when the mapping fails (device lost, buffer destroyed) or takes longer than `timeoutMs`.
 */
export function mapReadSync(buffer: MappableBuffer, timeoutMs = 600_000): void {
  const held: Tick[] = [];
  let queuedElsewhere = false;
  intercepting(held, () => {
    // A failed mapping shows as mapState 'unmapped' below (the rejection itself arrives later, as a microtask).
    buffer.mapAsync(MAP_READ).catch(() => undefined);
    // No callback queued now: one was queued before (by earlier asynchronous work) and will run
    // from the event loop anyway; re-queued copies of the one we run here are then dropped.
    queuedElsewhere = held.length === 0;
    const t0 = performance.now();
    for (let polls = 0; buffer.mapState !== 'mapped'; polls++) {
      const tick = held.shift() ?? (pump ? { fn: pump, args: [] } : undefined);
      if (!tick) throw new Error('WebGPU (Dawn): no event-processing callback was scheduled, so a synchronous read cannot complete; read with `await tensor.data()`');
      tick.fn(...tick.args);
      const state = buffer.mapState as MappableBuffer['mapState']; // changed by the call above
      if (state === 'mapped') break;
      if (state === 'unmapped') throw new Error('WebGPU (Dawn): mapping a buffer for reading failed (device lost or buffer destroyed)');
      if (performance.now() - t0 > timeoutMs) throw new Error(`WebGPU (Dawn): a synchronous read did not complete in ${timeoutMs} ms`);
      // Spin briefly (a GPU finishes small work in microseconds), then back off to 1 ms polls.
      if (polls > 32) Atomics.wait(sleeper, 0, 0, Math.min(1, (polls - 32) * 0.02));
    }
  });
  if (!queuedElsewhere) for (const t of held) setImmediate(t.fn, ...t.args);
}
