/**
 * PCA: the symmetric eigen-solver against a closed form (A = Q diag(λ) Qᵀ with Q a Householder
 * reflection, so eigenvalues and eigenvectors are known exactly), and PCA's defining identity — the
 * mean squared reconstruction error on the fitted data equals the sum of the discarded eigenvalues —
 * plus the exactness of a rank-k dataset with k components. On cpu and native.
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, makeRng, assertNoLeaksSync, type BackendName } from '@paperzoo/tensor';
import { AVAILABLE } from '../../tensor/test/backends.js';
import { symmetricEigen, fitPca, pcaReconstructionError } from '../src/index.js';

/** Q = I − 2uuᵀ/uᵀu (orthogonal, symmetric) and A = Q diag(λ) Qᵀ: eigenvector j of A is column j of Q. */
function householderProblem(n: number, lambda: number[], seed: number) {
  const rng = makeRng(seed);
  const u = Array.from({ length: n }, () => rng() - 0.5);
  const uu = u.reduce((s, v) => s + v * v, 0);
  const q = (i: number, j: number) => (i === j ? 1 : 0) - (2 * u[i] * u[j]) / uu;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += q(i, k) * lambda[k] * q(j, k);
  return { a, q };
}

describe('symmetricEigen', () => {
  it('recovers the eigenvalues (largest first) and eigenvectors (up to sign) of Q diag(λ) Qᵀ to 1e-10', () => {
    const lambda = [0.5, 7, -2, 3, 1e-3, 11, 4.5, 0];
    const n = lambda.length;
    const { a, q } = householderProblem(n, lambda, 1);
    const { values, vectors } = symmetricEigen(a, n);
    const sorted = [...lambda].sort((x, y) => y - x);
    for (let r = 0; r < n; r++) {
      expect(Math.abs(values[r] - sorted[r])).toBeLessThan(1e-10);
      const col = lambda.indexOf(sorted[r]);
      const sign = Math.sign(vectors[r * n] * q(0, col)) || 1;
      for (let i = 0; i < n; i++) expect(Math.abs(vectors[r * n + i] - sign * q(i, col))).toBeLessThan(1e-10);
    }
  });
  it('rejects a matrix of the wrong size', () => {
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(/2×2/);
  });
});

describe.each(['cpu', 'native'] as BackendName[])('fitPca on %s', (backend) => {
  it.skipIf(!AVAILABLE[backend])('mean squared reconstruction error on the fitted data = Σ of the discarded eigenvalues; rank-k data is exact with k components', async () => {
    await initBackend({ backend });
    const rng = makeRng(2);
    const [n, d, k] = [500, 12, 4];
    const data = Float32Array.from({ length: n * d }, (_, i) => (rng() - 0.5) * (1 + (i % d))); // anisotropic columns
    const pca = assertNoLeaksSync(() => fitPca(data, d, k, { chunk: 128 }));
    const discarded = pca.eigenvalues.slice(k).reduce((s, v) => s + v, 0);
    const error = assertNoLeaksSync(() => pcaReconstructionError(pca, data, { chunk: 77 }));
    expect(Math.abs(error - discarded) / discarded).toBeLessThan(1e-5);
    // the total variance is the trace: Σ λ = Σ_j var(x_j)
    let trace = 0;
    for (let j = 0; j < d; j++) {
      let m = 0, m2 = 0;
      for (let r = 0; r < n; r++) {
        m += data[r * d + j];
        m2 += data[r * d + j] ** 2;
      }
      trace += m2 / n - (m / n) ** 2;
    }
    expect(Math.abs(pca.eigenvalues.reduce((s, v) => s + v, 0) - trace) / trace).toBeLessThan(1e-5);
    // data on a k-dimensional affine subspace: reconstruction error ≈ 0
    const basis = Array.from({ length: k * d }, () => rng() - 0.5);
    const flat = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      const c = Array.from({ length: k }, () => rng() - 0.5);
      for (let j = 0; j < d; j++) flat[r * d + j] = 0.3 + c.reduce((s, cv, i) => s + cv * basis[i * d + j], 0);
    }
    const exact = fitPca(flat, d, k);
    expect(pcaReconstructionError(exact, flat)).toBeLessThan(1e-9 + 1e-6 * exact.eigenvalues[0]);
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});
