/** `@rl/policy`: distributions, policy and value networks, save/load, inference API. */
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
/** State-value network V(s). */
export { valueNetwork } from './value.js';
export type { ValueNetwork, ValueNetworkOptions } from './value.js';
/** Observation normalisation as tf ops. */
export { ObsNormalizer, checkObsNorm } from './obs_norm.js';
/** File IO handler for TensorFlow.js Layers models in a directory. */
export { fileIO, MODEL_JSON, WEIGHTS_BIN } from './io.js';
/** Durable file writing (atomic replace, fsync of file and directory, whole-line appends). */
export { writeFileSynced, writeFileAtomic, appendLine, fsyncPath, renameDurably } from './durable.js';
/** Atomic policy save. */
export { savePolicy, policyJson, POLICY_JSON, POLICY_FORMAT, POLICY_FORMAT_VERSION, PACKAGE_VERSION } from './save.js';
/** Loading: full policies and the plain-array inference API. */
export { loadPolicy, loadPolicyModel, readPolicyFile } from './load.js';
export type { InferencePolicy, LoadPolicyOptions, LoadPolicyModelOptions, PlainAction, PlainActionWithDistribution, PolicyFile } from './load.js';
/** Which directory holds a saved policy: a policy directory, or a run directory's model/. */
export { findPolicyDir, RUN_POLICY_DIR } from './policy_dir.js';
export type { PolicyDirLocation } from './policy_dir.js';
