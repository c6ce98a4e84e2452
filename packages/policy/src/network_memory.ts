/**
 * What a policy network costs in memory, as arithmetic on its shape (no tensors): the trainer
 * and the server compare it with the machine's limits before they build anything. The factors
 * are measured (tfjs 4.22, wasm, `tf.profile` peak bytes) on MLP policies, 4-256 units wide,
 * batches of 1,024-262,144 rows:
 * - a training step (rollout tensors, forward, backward through the fused `dense` op, Adam), per
 *   row of the batch: ≈ 4·(6.5·Σhidden + 10·obs + 10·outputs + 20) bytes (re-measured
 *   2026-12-02 after the fused `dense` gradient: 16-unit 664, 64-64 3,332, 256 6,428 measured;
 *   736, 3,648, 6,976 here; a learned V adds its parameters, not its rows: its fit is a later phase);
 * - `act` / `actWithDistribution`, per row: ≈ 4·(2·Σhidden + 2·obs + 4·outputs + 8) bytes
 *   (64-64: 1,028 measured, 1,096 here);
 * - parameters: a training step holds ≈ 24 copies at its peak (weights, gradient, Adam's
 *   moments and the temporaries of the update; 1000-1000: 92.7 MB for 4.0 MB of weights), a
 *   forward pass ≈ 3 (weights and the fast path's derived ones).
 */

/** An MLP's sizes: observation features, hidden widths, outputs (logits, or Gaussian means). */
export interface NetworkShape {
  readonly obsSize: number;
  readonly hidden: readonly number[];
  readonly outputs: number;
}

const F32 = 4;

/** Weights and biases of the MLP (plus the Gaussian's log σ, one per output, when `gaussian`). */
export function parameterCount(shape: NetworkShape, gaussian = false): number {
  const widths = [shape.obsSize, ...shape.hidden, shape.outputs];
  let n = gaussian ? shape.outputs : 0;
  for (let i = 1; i < widths.length; i++) n += (widths[i - 1]! + 1) * widths[i]!;
  return n;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * Peak tensor bytes of one training step of a policy (or value) network on a batch of `rows`
 * samples (see the file header for the factors).
 *
 * @example
 * trainingBytes({ obsSize: 4, hidden: [64, 64], outputs: 2 }, 65_536); // ≈ 240 MB
 */
export function trainingBytes(shape: NetworkShape, rows: number): number {
  const perRow = F32 * (6.5 * sum(shape.hidden) + 10 * shape.obsSize + 10 * shape.outputs + 20);
  return rows * perRow + 24 * F32 * parameterCount(shape, true);
}

/** Peak tensor bytes of one forward pass (`act`, `actWithDistribution`) on `rows` observations. */
export function forwardBytes(shape: NetworkShape, rows: number): number {
  const perRow = F32 * (2 * sum(shape.hidden) + 2 * shape.obsSize + 4 * shape.outputs + 8);
  return rows * perRow + 3 * F32 * parameterCount(shape, true);
}
