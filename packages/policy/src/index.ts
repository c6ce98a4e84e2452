/** `@rl/policy`: distributions, policy and value networks, save/load, inference API. */
export type * from './types.js';
