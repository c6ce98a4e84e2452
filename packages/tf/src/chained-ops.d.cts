/** Types of `chained-ops.cjs` (the Tensor methods of tfjs-core loaded on its own in Node). */
/** Methods that call the op of the same name with the tensor first. */
export declare const FORWARDED: readonly string[];
/** Methods written some other way; `this` is the tensor. */
export declare const SPECIAL: Readonly<Record<string, (this: unknown, ...args: never[]) => unknown>>;
/** Adds the methods to tfjs's `Tensor` class. */
export declare function registerChainedOps(): void;
