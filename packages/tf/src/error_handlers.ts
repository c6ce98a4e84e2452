/**
 * Keeps Node's own printing of uncaught errors after the wasm backend loads. Emscripten's
 * generated module (tfjs-backend-wasm's `tfjs-backend-wasm*.js`) installs
 * `process.on('uncaughtException', e => { throw e })` and
 * `process.on('unhandledRejection', r => { throw r })` when it initialises in Node. Rethrowing
 * from a handler makes Node print the handler's source line — one 38 KB line of minified
 * JavaScript — before the error, burying a user's own bug. (Its own clean-up of those handlers
 * compares with `!a.indexOf(l) > -1`, which is always false.) This removes exactly the handlers
 * added while the backend initialised and leaves every handler of the program's own in place.
 */

const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Runs `init` (a backend's initialisation) and removes the `uncaughtException` /
 * `unhandledRejection` listeners it added; listeners present before, or added by the program
 * meanwhile through other code, stay. A no-op outside Node.
 *
 * @example
 * const ok = await withoutAddedErrorHandlers(() => tf.setBackend('wasm'));
 */
export async function withoutAddedErrorHandlers<T>(init: () => Promise<T>): Promise<T> {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (!proc || typeof proc.listeners !== 'function') return init();
  const listeners = (e: (typeof EVENTS)[number]): Function[] => proc.listeners(e as 'uncaughtException');
  const before = new Map(EVENTS.map((e) => [e, new Set(listeners(e))]));
  try {
    return await init();
  } finally {
    for (const e of EVENTS) {
      for (const l of listeners(e)) {
        if (!before.get(e)!.has(l) && isEmscriptenRethrow(l)) proc.off(e as 'uncaughtException', l as (err: Error) => void);
      }
    }
  }
}

/** Emscripten's handlers only rethrow (`throw ex` / `throw reason`); a program's handlers added meanwhile are left alone. */
function isEmscriptenRethrow(listener: Function): boolean {
  const src = Function.prototype.toString.call(listener).replace(/[\s;]+/g, '');
  return /^function\((\w+)\)\{(if\(!\(\1instanceofExitStatus\)\)\{throw\1\}|throw\1)\}$/.test(src);
}
