/**
 * Which directory holds a saved policy: the one rule `loadPolicy`, `loadPolicyModel`,
 * `rl serve` and `rl eval` share. A run directory made by `rl train` keeps its policy in
 * `model/`; a policy directory (what `policy.save(dir)` writes) holds `model.json` and
 * `policy.json` itself.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_JSON } from './io.js';
import { POLICY_JSON } from './save.js';

/** The subdirectory of a run directory (made by `rl train`) that holds its policy. */
export const RUN_POLICY_DIR = 'model';

/** Where {@link findPolicyDir} found a policy. */
export interface PolicyDirLocation {
  /** The directory holding `model.json` and `policy.json`. */
  readonly policyDir: string;
  /** The run directory the policy belongs to, when `dir` was one (`policyDir` is then `runDir/model`). */
  readonly runDir: string | undefined;
}

/**
 * The policy directory of `dir`: `dir` itself when it holds `model.json` or `policy.json` (a
 * saved policy; loading then names whichever file is missing or bad), else `dir/model/` when
 * that does (a run directory). Throws an error naming both candidates when neither does.
 *
 * @example
 * findPolicyDir('runs/cartpole');        // { policyDir: 'runs/cartpole/model', runDir: 'runs/cartpole' }
 * findPolicyDir('runs/cartpole/model');  // { policyDir: 'runs/cartpole/model', runDir: undefined }
 */
export function findPolicyDir(dir: string): PolicyDirLocation {
  const holdsPolicy = (d: string): boolean => existsSync(join(d, MODEL_JSON)) || existsSync(join(d, POLICY_JSON));
  if (holdsPolicy(dir)) return { policyDir: dir, runDir: undefined };
  const inRun = join(dir, RUN_POLICY_DIR);
  if (holdsPolicy(inRun)) return { policyDir: inRun, runDir: dir };
  if (!existsSync(dir)) throw new Error(`${dir}: no such directory (expected a run directory made by rl train, or a saved policy directory)`);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir}: not a directory (expected a run directory made by rl train, or a saved policy directory)`);
  throw new Error(
    `${dir}: neither a run directory nor a saved policy directory: found no ${join(inRun, MODEL_JSON)} (the policy of a run made by rl train) and no ${join(dir, MODEL_JSON)} (a policy saved by policy.save)`,
  );
}
