/** The one check every rollout makes before it starts: the policy was built for these spaces. */
import { spacesEqual, type Box, type Space } from '@rl/env';
import type { Policy } from '@rl/policy';

/** Throws a TypeError naming both spaces when the policy's spaces differ from the env's. */
export function checkSpaces(where: string, policy: Policy, envId: string, obsSpace: Box, actSpace: Space): void {
  if (!spacesEqual(policy.observationSpace, obsSpace)) {
    throw new TypeError(
      `${where}: the policy's observation space ${policy.observationSpace.toString()} does not match env ${envId}'s ${obsSpace.toString()}`,
    );
  }
  if (!spacesEqual(policy.actionSpace, actSpace)) {
    throw new TypeError(`${where}: the policy's action space ${policy.actionSpace.toString()} does not match env ${envId}'s ${actSpace.toString()}`);
  }
}
