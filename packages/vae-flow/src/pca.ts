/**
 * Principal component analysis — the linear baseline of G. E. Hinton & R. R. Salakhutdinov, "Reducing
 * the Dimensionality of Data with Neural Networks", Science 313 (2006), Fig. 2 (30-component PCA on MNIST:
 * 13.87 squared error per test image). https://doi.org/10.1126/science.1127647
 *
 * With data x ∈ ℝ^D (rows of X, N of them) and mean μ, the covariance C = (1/N) Σ (x − μ)(x − μ)ᵀ
 * [D, D] is accumulated in float64; its eigen-decomposition C = V Λ Vᵀ comes from ml-matrix's symmetric
 * EVD (Householder tridiagonalisation + QL). The k-component code of x is z = V_kᵀ (x − μ) [k] and its
 * reconstruction x̂ = μ + V_k z [D]. On the data PCA was fitted on, the mean squared reconstruction error
 * per example equals the sum of the discarded eigenvalues, Σ_{j>k} λ_j.
 */
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
import { tf } from '@paperzoo/tensor';

/** A fitted PCA: the mean and the leading principal directions. */
export interface Pca {
  /** Input dimension D. */
  dimension: number;
  /** μ [D], float64. */
  mean: Float64Array;
  /** Every eigenvalue of the covariance, largest first [D]. */
  eigenvalues: Float64Array;
  /** The k leading eigenvectors, row-major [k, D] (row j is v_j, unit length). */
  components: Float64Array;
  /** k. */
  numComponents: number;
}

/**
 * The eigen-decomposition of a symmetric matrix A [n, n] (row-major, float64), eigenvalues largest first
 * and the eigenvectors as the rows of `vectors` [n, n]. ml-matrix's EVD; the order is ours.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  if (a.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n}×${n} = ${n * n} entries, got ${a.length}`);
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, a[i * n + j]);
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const v = evd.eigenvectorMatrix; // columns are eigenvectors
  const order = values.map((_, i) => i).sort((p, q) => values[q] - values[p]);
  const outValues = new Float64Array(n);
  const outVectors = new Float64Array(n * n);
  order.forEach((col, r) => {
    outValues[r] = values[col];
    for (let i = 0; i < n; i++) outVectors[r * n + i] = v.get(i, col);
  });
  return { values: outValues, vectors: outVectors };
}

/**
 * Fit PCA to the rows of `data` [N, D] (float32, e.g. pixels in [0, 1]). The mean is summed in float64;
 * the centred Gram matrix Σ (x − μ)(x − μ)ᵀ is computed `chunk` rows at a time with one float32 matmul each
 * and summed across chunks in float64. Divides by N (maximum likelihood), as the error identity needs.
 */
export function fitPca(data: Float32Array, dimension: number, numComponents: number, opts: { chunk?: number } = {}): Pca {
  const d = dimension;
  const n = data.length / d;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`fitPca: ${data.length} values are not whole rows of ${d}`);
  if (!Number.isInteger(numComponents) || numComponents < 1 || numComponents > d) throw new RangeError(`fitPca: numComponents must be in 1..${d}, got ${numComponents}`);
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += data[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const cov = new Float64Array(d * d);
  const chunk = opts.chunk ?? 1000;
  const mu = tf.tensor2d(Float32Array.from(mean), [1, d]);
  try {
    for (let start = 0; start < n; start += chunk) {
      const rows = Math.min(chunk, n - start);
      const gram = tf.tidy(() => {
        const xc = tf.sub(tf.tensor2d(data.subarray(start * d, (start + rows) * d), [rows, d]), mu); // [rows, D]
        return tf.matMul(tf.transpose(xc), xc); // [D, D] (explicit transpose: faster than transposeA on native)
      });
      const g = gram.dataSync();
      gram.dispose();
      for (let i = 0; i < d * d; i++) cov[i] += g[i];
    }
  } finally {
    mu.dispose();
  }
  for (let i = 0; i < d * d; i++) cov[i] /= n;
  // symmetrise the float32 round-off before the symmetric solver
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) cov[i * d + j] = cov[j * d + i] = (cov[i * d + j] + cov[j * d + i]) / 2;
  // Components with zero variance (MNIST's always-blank border pixels: 67 of 784) are exact eigenvectors
  // with eigenvalue 0; solving on the others only is exact and ~25% faster on MNIST.
  const live = Array.from({ length: d }, (_, i) => i).filter((i) => cov[i * d + i] > 0);
  const m = live.length;
  const sub = new Float64Array(m * m);
  live.forEach((i, r) => live.forEach((j, c) => (sub[r * m + c] = cov[i * d + j])));
  const { values, vectors } = symmetricEigen(sub, m);
  const eigenvalues = new Float64Array(d);
  eigenvalues.set(values);
  const components = new Float64Array(numComponents * d);
  for (let r = 0; r < numComponents; r++) {
    if (r < m) live.forEach((i, c) => (components[r * d + i] = vectors[r * m + c]));
    else components[r * d + (Array.from({ length: d }, (_, i) => i).filter((i) => !(cov[i * d + i] > 0))[r - m])] = 1; // a blank axis
  }
  return { dimension: d, mean, eigenvalues, components, numComponents };
}

/** x̂ = μ + V_k V_kᵀ (x − μ) for the rows of x [N, D] → [N, D]. */
export function pcaReconstruct(pca: Pca, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const mu = tf.tensor2d(Float32Array.from(pca.mean), [1, pca.dimension]);
    const v = tf.tensor2d(Float32Array.from(pca.components), [pca.numComponents, pca.dimension]); // [k, D]
    const z = tf.matMul(tf.sub(x, mu), v, false, true); // [N, k]
    return tf.add<tf.Tensor2D>(tf.matMul(z, v), mu); // [N, D]
  });
}

/**
 * The paper's measure: the squared error Σ_d (x_d − x̂_d)² summed over the pixels of each image and
 * averaged over the images (float64 sums of float32 per-image errors).
 */
export function meanSquaredErrorPerImage(x: tf.Tensor2D, reconstruction: tf.Tensor2D): number {
  const perImage = tf.tidy(() => tf.sum(tf.square(tf.sub(x, reconstruction)), 1));
  const values = perImage.dataSync();
  perImage.dispose();
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** PCA's reconstruction error per image on the rows of `data` [N, D] (float32), `chunk` rows at a time. */
export function pcaReconstructionError(pca: Pca, data: Float32Array, opts: { chunk?: number } = {}): number {
  const d = pca.dimension;
  const n = data.length / d;
  const chunk = opts.chunk ?? 2000;
  let total = 0;
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    const x = tf.tensor2d(data.subarray(start * d, (start + rows) * d), [rows, d]);
    const xHat = pcaReconstruct(pca, x);
    total += meanSquaredErrorPerImage(x, xHat) * rows;
    tf.dispose([x, xHat]);
  }
  return total / n;
}
