/**
 * `@rl/policy` in a browser (the `browser` export condition): everything of the Node entry
 * except file IO (`fileIO`, `savePolicy`, `loadPolicy`, `loadPolicyModel`, `readPolicyFile`,
 * which read and write directories with Node's fs), plus {@link loadPolicyFromUrl}, which
 * loads a saved policy directory over HTTP.
 */
export type * from './types.js';
/** Categorical distribution over logits, sampled by Gumbel-max. */
export { Categorical } from './categorical.js';
/** Diagonal Gaussian distribution (mean, log σ). */
export { DiagGaussian } from './diag_gaussian.js';
/** MLP builder (tf.Sequential of Dense layers, orthogonal init). */
export { buildMlp } from './mlp.js';
export type { MlpOptions, MlpActivation } from './mlp.js';
/** Orthogonal matrix initialisation from our Rng. */
export { orthogonal } from './orthogonal.js';
/** Fused fast forward over Dense chains (tanh rewritten as sigmoid). */
export { FastForward } from './fast_path.js';
/** A Dense layer as one differentiable op (fused forward, tanh as 2σ(2z) − 1; its own gradient). */
export { dense, denseChainForward } from './dense.js';
export type { DenseActivation, DenseSource } from './dense.js';
/** Policies: built from spaces, or wrapping a user model. */
export { createPolicy, fromModel, checkObsTensor } from './policy.js';
export type { PolicyOptions, FromModelOptions, NetworkPolicyHandle } from './policy.js';
/** What a policy network costs in memory (arithmetic on its shape, measured factors). */
export { parameterCount, trainingBytes, forwardBytes } from './network_memory.js';
export type { NetworkShape } from './network_memory.js';
/** State-value network V(s). */
export { valueNetwork } from './value.js';
export type { ValueNetwork, ValueNetworkOptions } from './value.js';
/** Observation normalisation as tf ops. */
export { ObsNormalizer, checkObsNorm } from './obs_norm.js';
/** Validation of a parsed policy.json. */
export { parsePolicyFile } from './policy_file.js';
export type { ParsedPolicyFile } from './policy_file.js';
/** What loaders check of a saved model: file digests (policy.json's `files`) and finite weights. */
export { PolicyIntegrityError, checkDigest, checkFiniteWeights } from './weights_check.js';
export type { FileDigest, FileDigests } from './weights_check.js';
/** Loading a saved policy directory over HTTP. */
export { loadPolicyFromUrl } from './load_url.js';
export type { LoadPolicyFromUrlOptions } from './load_url.js';
