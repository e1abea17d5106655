/**
 * Matrix product, the weighted sum of a layer of units.
 *
 * Rumelhart, Hinton & Williams 1986, https://doi.org/10.1038/323533a0, eq. (1): x_j = Σ_i y_i w_ji,
 * for a batch at once: C = A·B with A [m, k], B [k, n] → C [m, n]. Backward (eqs. (6)–(7)):
 *
 *   ∂E/∂A = ∂E/∂C · Bᵀ        ∂E/∂B = Aᵀ · ∂E/∂C
 */
import { Tensor } from './tensor.js';

/** A [m, k] · B [k, n] → [m, n]. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[0]) {
    throw new RangeError(`matmul: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] do not multiply (need [m, k]·[k, n])`);
  }
  const [m, k] = a.shape;
  const n = b.shape[1];
  const data = new Float64Array(m * n); // [m, n]
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a.data[i * k + p];
      for (let j = 0; j < n; j++) data[i * n + j] += aip * b.data[p * n + j];
    }
  }
  return Tensor.fromOp(data, [m, n], [a, b], 'matmul', (out) => {
    const g = out.grad; // [m, n]
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        let ga = 0;
        const aip = a.data[i * k + p];
        for (let j = 0; j < n; j++) {
          ga += g[i * n + j] * b.data[p * n + j]; // (G·Bᵀ)_ip
          b.grad[p * n + j] += aip * g[i * n + j]; // (Aᵀ·G)_pj
        }
        a.grad[i * k + p] += ga;
      }
    }
  });
}
