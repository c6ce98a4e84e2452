/** Shared-memory hand-over between `rl bench update`'s learner and its second thread (lib/update_worker.ts). */

/** ctl[0]: whose turn it is. ctl[1], ctl[2]: the half batch's steps T and envs N. */
export const CTL = { Starting: 0, Work: 1, Idle: 2, Exit: 3, Failed: 4 } as const;

/** What the learner passes at start (`workerData`). */
export interface UpdateWorkerInit {
  readonly ctl: SharedArrayBuffer;
  /** The policy's weights, flat in `weightShapes` order (learner → worker). */
  readonly weights: SharedArrayBuffer;
  /** ∇θJ of the worker's half, flat, then its loss and mean entropy (worker → learner). */
  readonly grads: SharedArrayBuffer;
  /** Observations `[maxHalf, obsDim]`, then actions `[maxHalf]`, then advantages `[maxHalf]` (learner → worker). */
  readonly data: SharedArrayBuffer;
  readonly maxHalf: number;
  readonly obsDim: number;
  readonly actions: number;
  readonly hidden: readonly number[];
}
