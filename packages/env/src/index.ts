/**
 * `@rl/env`: spaces, the Gymnasium-style `Env` and `VectorEnv` contracts, classic-control envs,
 * `make`, wrappers and an env checker. No TensorFlow.
 */
export { Rng } from './rng.js';
export type { RngState } from './rng.js';
export { Box, Discrete, spaceFromJSON, spacesEqual } from './spaces.js';
export type { Space, SpaceJSON, BoxJSON, DiscreteJSON } from './spaces.js';
export type * from './types.js';
