/**
 * A brute-force check of a flow's log-determinant: the full Jacobian of y = f(x) at one example,
 * built by automatic differentiation (one row per output), and log |det J| by an LU decomposition
 * with partial pivoting in float64 — independent of the layers' own log-det formulas.
 *
 * The D rows come from one backward pass: x is repeated D times as a batch X [D, …] and row i of
 * ∂(Σ_i y_i[i])/∂X is ∂y_i/∂x (examples do not interact, so this needs f to act on each example
 * alone — true of every layer here except batch-norm in training mode).
 */
import { tf } from '@paperzoo/tensor';

/** The Jacobian of `f` at x [1, …] (D = x.size values), row-major [D × D] in float64: J[i][j] = ∂y_i/∂x_j. */
export function jacobianAt(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): Float64Array {
  const d = x.size;
  const rows = tf.tidy(() => {
    const repeated = tf.tile(x, [d, ...x.shape.slice(1).map(() => 1)]); // [D, …]
    const eye = tf.eye(d); // row i picks output i of example i
    return tf.grad((xs: tf.Tensor) => {
      const y = f(xs); // [D, …] (a bijection: D values per example)
      return tf.sum(tf.mul(y, tf.reshape(eye, y.shape)));
    })(repeated);
  });
  const values = Float64Array.from(rows.dataSync());
  rows.dispose();
  return values;
}

/** log |det A| of a row-major n×n matrix, by LU with partial pivoting in float64. */
export function logAbsDet(matrix: Float64Array, n: number): number {
  const a = Float64Array.from(matrix);
  let logDet = 0;
  for (let k = 0; k < n; k++) {
    let pivot = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > Math.abs(a[pivot * n + k])) pivot = i;
    if (a[pivot * n + k] === 0) return -Infinity;
    if (pivot !== k) for (let j = 0; j < n; j++) [a[k * n + j], a[pivot * n + j]] = [a[pivot * n + j], a[k * n + j]];
    const akk = a[k * n + k];
    logDet += Math.log(Math.abs(akk));
    for (let i = k + 1; i < n; i++) {
      const factor = a[i * n + k] / akk;
      if (factor === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j] -= factor * a[k * n + j];
    }
  }
  return logDet;
}

/** log |det ∂f/∂x| at x [1, …] by brute force (for comparison with a layer's own log-det). */
export function bruteForceLogDet(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): number {
  return logAbsDet(jacobianAt(f, x), x.size);
}
