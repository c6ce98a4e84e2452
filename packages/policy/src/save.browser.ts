/**
 * `savePolicy` as a browser sees it (the `browser` condition of the package's `#save`
 * import): a policy directory is files on disk, written atomically with fsync — Node only.
 * In a browser this says so and what to do instead, so `policy.save()` never half-works.
 */
import type { Policy, SaveOptions } from './types.js';

/**
 * Throws: saving a policy directory needs Node's file system.
 *
 * @example
 * await policy.model.save('downloads://cartpole'); // what a browser can do instead (weights only)
 */
export async function savePolicy(policy: Policy, dir: string, _opts: SaveOptions = {}): Promise<void> {
  void policy;
  throw new Error(
    `savePolicy("${dir}"): a policy directory (model.json, weights.bin, policy.json) is written with Node's file system, which a browser does not have. ` +
      `Save from Node (\`rl train\` writes it into the run's model/), or keep the network with policy.model.save('downloads://name') / 'indexeddb://name'.`,
  );
}
