// Walk-v0, a user's env in plain JavaScript (no build step, no types): importing this module
// registers it, so the CLI can load it from anywhere on disk:
//
//   ./rl check-env --env-module examples/walk-env.js Walk-v0   # one warning: no getState/setState
//   ./rl train --env-module examples/walk-env.js               # no --env: the one env it registers
//
// A point on [-1, 1] starts at a seeded position in [0.2, 0.9] and steps left (0) or right (1)
// by 0.1; reward −|x| per step; terminated within 0.05 of 0; truncated after 30 steps (the
// registry's TimeLimit). Without getState/setState a resumed run restarts its episodes.
import { Box, Discrete, Rng, checkDiscreteAction, register } from '@rl/env';

class WalkEnv {
  id = 'Walk-v0';
  observationSpace = new Box(-1, 1, [1]);
  actionSpace = new Discrete(2);
  unwrapped = this;
  rng = new Rng(0);
  x = 0;

  reset(opts = {}) {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.x = this.rng.uniform(0.2, 0.9);
    return { obs: Float32Array.of(this.x), info: {} };
  }

  step(action) {
    const a = checkDiscreteAction(this.id, this.actionSpace, action);
    this.x = Math.max(-1, Math.min(1, this.x + (a === 1 ? 0.1 : -0.1)));
    return { obs: Float32Array.of(this.x), reward: -Math.abs(this.x), terminated: Math.abs(this.x) < 0.05, truncated: false, info: {} };
  }

  close() {}
}

register('Walk-v0', { entryPoint: () => new WalkEnv(), maxEpisodeSteps: 30 });
