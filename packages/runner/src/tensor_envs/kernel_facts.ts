/**
 * What a tensor env takes from the JS kernel of the same env instead of writing it again: id,
 * state names, observation size, spaces (under the default constants) and the registered time
 * limit. The physical constants themselves are the kernel's `defaultParams`.
 */
import { getSpec, type ClassicKernel } from '@rl/env';
import type { TensorDynamics } from './types.js';

/** The parts of a {@link TensorDynamics} that `kernel` (and its registry entry) already state. */
export function kernelFacts<S, P, R>(kernel: ClassicKernel<S, P, R>): Pick<TensorDynamics, 'id' | 'stateNames' | 'obsDim' | 'observationSpace' | 'actionSpace' | 'maxEpisodeSteps'> {
  const p = kernel.defaultParams;
  const maxEpisodeSteps = getSpec(kernel.id).maxEpisodeSteps;
  if (maxEpisodeSteps === undefined) throw new RangeError(`kernelFacts(${kernel.id}): the registered id has no time limit; tensor envs need one`);
  return { id: kernel.id, stateNames: kernel.stateNames, obsDim: kernel.obsDim, observationSpace: kernel.observationSpace(p), actionSpace: kernel.actionSpace(p), maxEpisodeSteps };
}
