/**
 * Per-env sampling streams, so a shard's rollout does not depend on how the envs are split:
 * env j (global index) samples its actions from its own {@link Rng}, the (j+1)-th `nextSeed()`
 * of `Rng(root)`. Shard i of k with N envs each then steps exactly envs i·N … i·N+N−1 of one
 * process with k·N envs, action for action.
 */
import { Rng, type RngState } from '@rl/env';
import type { Distribution, ObsNormStats, Policy } from '@rl/policy';
import { tf } from '@rl/tf';

/** The sampling streams of envs `first … first + count − 1`. */
export function envStreams(root: number, first: number, count: number): Rng[] {
  const r = new Rng(root);
  for (let j = 0; j < first; j++) r.nextSeed();
  const out: Rng[] = [];
  for (let j = 0; j < count; j++) out.push(new Rng(r.nextSeed()));
  return out;
}

/**
 * Wraps `policy` so that `act` samples row j from `streams[j]` (inverse CDF of the categorical
 * probabilities, or mean + σ·z for a Gaussian); everything else is the policy itself. The
 * logits / mean come from the policy's fused fast forward when it has one (one read-back per
 * step, as `policy.act`).
 */
export function perEnvSampling(policy: Policy, streams: readonly Rng[]): Policy {
  // the fused forward of createPolicy's policies (logits / mean), else the distribution
  const handle = policy as Policy & { forwardFast?: (obs: tf.Tensor2D) => tf.Tensor2D };
  const fast = handle.fastPath && typeof handle.forwardFast === 'function' ? (obs: tf.Tensor2D) => handle.forwardFast!(obs) : undefined;
  const act = (obs: tf.Tensor2D, opts?: { readonly deterministic?: boolean }): tf.Tensor => {
    if (opts?.deterministic) return policy.act(obs, opts);
    const B = obs.shape[0];
    if (B !== streams.length) throw new RangeError(`perEnvSampling: ${B} observation rows for ${streams.length} env streams`);
    if (policy.distributionType === 'categorical') {
      const space = policy.actionSpace as { n: number; start?: number };
      const n = space.n;
      const start = space.start ?? 0;
      const probs = tf.tidy(() => {
        if (fast) return tf.softmax(fast(obs));
        const d: Distribution = policy.distribution(obs);
        const cols = [];
        for (let a = 0; a < n; a++) cols.push(tf.exp(d.logProb(tf.fill([B], start + a, 'int32'))));
        return tf.stack(cols, 1);
      });
      const p = probs.dataSync();
      probs.dispose();
      const out = new Int32Array(B);
      for (let j = 0; j < B; j++) {
        const u = streams[j]!.float();
        let c = 0;
        let a = n - 1;
        for (let k = 0; k < n; k++) {
          c += p[j * n + k]!;
          if (u < c) {
            a = k;
            break;
          }
        }
        out[j] = start + a;
      }
      return tf.tensor1d(out, 'int32');
    }
    const mean = fast ? fast(obs) : tf.tidy(() => policy.distribution(obs).mode());
    const d = mean.shape[1]!;
    const mu = mean.dataSync();
    mean.dispose();
    const logStd = policy.logStd ? policy.logStd.dataSync() : new Float32Array(d);
    const out = new Float32Array(B * d);
    for (let j = 0; j < B; j++) for (let k = 0; k < d; k++) out[j * d + k] = mu[j * d + k]! + Math.exp(logStd[k]!) * streams[j]!.normal();
    return tf.tensor2d(out, [B, d], 'float32');
  };
  return {
    get observationSpace() {
      return policy.observationSpace;
    },
    get actionSpace() {
      return policy.actionSpace;
    },
    get distributionType() {
      return policy.distributionType;
    },
    get trainableVariables() {
      return policy.trainableVariables;
    },
    distribution: (obs) => policy.distribution(obs),
    act,
    logProb: (obs, a) => policy.logProb(obs, a),
    entropy: (obs) => policy.entropy(obs),
    get obsNorm(): ObsNormStats | undefined {
      return policy.obsNorm;
    },
    set obsNorm(s: ObsNormStats | undefined) {
      policy.obsNorm = s;
    },
    getRngState: (): RngState => policy.getRngState(),
    setRngState: (s: RngState) => policy.setRngState(s),
    save: (dir, o) => policy.save(dir, o),
    get model() {
      return policy.model;
    },
    get logStd() {
      return policy.logStd;
    },
    get network() {
      return policy.network;
    },
    get weightShapes() {
      return policy.weightShapes;
    },
    getWeights: () => policy.getWeights(),
    setWeights: (w) => policy.setWeights(w),
    get fastPath() {
      return policy.fastPath;
    },
    refreshFastPath: () => policy.refreshFastPath(),
    dispose: () => policy.dispose(),
  };
}
