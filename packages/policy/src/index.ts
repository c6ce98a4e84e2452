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
/** What a policy network costs in memory (arithmetic on its shape, measured factors). */
export { parameterCount, trainingBytes, forwardBytes } from './network_memory.js';
export type { NetworkShape } from './network_memory.js';
/** State-value network V(s). */
export { valueNetwork } from './value.js';
export type { ValueNetwork, ValueNetworkOptions } from './value.js';
/** Observation normalisation as tf ops. */
export { ObsNormalizer, checkObsNorm } from './obs_norm.js';
/** File IO handler for TensorFlow.js Layers models in a directory, and the checked read of one. */
export { fileIO, readModelArtifacts, MODEL_JSON, WEIGHTS_BIN } from './io.js';
export type { ReadModelOptions } from './io.js';
/** Durable file writing (atomic replace, fsync of file and directory, whole-line appends, temporaries of killed processes). */
export { writeFileSynced, writeFileAtomic, appendLine, fsyncPath, renameDurably, processAlive, isStaleTemporary, removeStaleTemporaries } from './durable.js';
/** Publishing a directory atomically (a link swung to a fresh version), and reading one version of it. */
export { publishDirectory, resolvePublished, readPublished, listVersions, versionName, defaultLayout, PUBLISH_STEPS, KEEP_PREVIOUS, GRACE_MS, MAX_VERSIONS } from './publish.js';
export type { PublishLayout, PublishOptions, PublishStep } from './publish.js';
/** Atomic policy save. */
export { savePolicy, policyJson, POLICY_JSON, POLICY_FORMAT, POLICY_FORMAT_VERSION, PACKAGE_VERSION } from './save.js';
/** What loaders check of a saved model: file digests (policy.json's `files`) and finite weights. */
export { PolicyIntegrityError, checkDigest, checkFiniteWeights } from './weights_check.js';
export type { FileDigest, FileDigests } from './weights_check.js';
export { digestOf, fileDigest } from './digest.js';
/** Loading: full policies and the plain-array inference API; the checked read of a policy directory. */
export { loadPolicy, loadPolicyModel, readPolicyFile, verifyPolicyDir } from './load.js';
export type { InferencePolicy, LoadPolicyOptions, LoadPolicyModelOptions, PlainAction, PlainActionWithDistribution, PolicyFile, VerifiedPolicyDir } from './load.js';
/** Which directory holds a saved policy: a policy directory, or a run directory's model/. */
export { findPolicyDir, RUN_POLICY_DIR } from './policy_dir.js';
export type { PolicyDirLocation } from './policy_dir.js';
