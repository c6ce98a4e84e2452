import type { Rng } from '@rl/env';

/**
 * A `[rows, cols]` matrix with orthonormal columns (or rows, when rows < cols) times `gain`,
 * drawn from our seeded `Rng`: the QR of a standard normal matrix with the signs of R's
 * diagonal folded in (Saxe et al. 2014, as `torch.nn.init.orthogonal_`). Row-major.
 */
export function orthogonal(rows: number, cols: number, gain: number, rng: Rng): Float32Array {
  const tall = rows >= cols;
  const m = tall ? rows : cols; // length of each vector
  const k = tall ? cols : rows; // number of orthonormal vectors
  const q: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = rng.normal();
    // Modified Gram–Schmidt; the sign of R's diagonal is the sign of the norm (positive).
    for (const u of q) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += u[i]! * v[i]!;
      for (let i = 0; i < m; i++) v[i]! -= dot * u[i]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-10)) throw new Error('orthogonal: degenerate draw (linearly dependent vectors)');
    for (let i = 0; i < m; i++) v[i]! /= norm;
    q.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[r * cols + c] = gain * (tall ? q[c]![r]! : q[r]![c]!);
    }
  }
  return out;
}
