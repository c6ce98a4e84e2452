/**
 * Telling the two kinds of batched env apart: the host kind (`VectorEnv`, typed arrays) and
 * the tensor-native kind (`TensorVectorEnv`, `kind: 'tensor'`).
 */
import type { AnyVectorEnv } from './types.js';

/**
 * True for a tensor-native env (its `kind` is `'tensor'`), narrowing the type either way.
 * @example
 * if (isTensorEnv(env)) env.step(actionTensor); else env.step(actionArray);
 */
export function isTensorEnv<E extends AnyVectorEnv<unknown, unknown, unknown>>(env: E): env is Extract<E, { readonly kind: 'tensor' }> {
  return env.kind === 'tensor';
}
