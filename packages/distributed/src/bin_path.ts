/** Where the `rl-distributed` executable lives (to spawn actor and learner processes). */
import { fileURLToPath } from 'node:url';

/** Absolute path of `bin/rl-distributed.mjs`: `spawn(process.execPath, [DISTRIBUTED_BIN, '--role', 'actor', …])`. */
export const DISTRIBUTED_BIN: string = fileURLToPath(new URL('../bin/rl-distributed.mjs', import.meta.url));
