/**
 * The Fréchet distance between two Gaussians — the formula of the Fréchet Inception Distance of
 * M. Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium",
 * NeurIPS 2017, https://arxiv.org/abs/1706.08500, eq. 6 (after Dowson & Landau 1982):
 *
 *   d²((μ₁, Σ₁), (μ₂, Σ₂)) = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^{1/2}).
 *
 * Σ₁Σ₂ is not symmetric, but it is similar to the symmetric positive semi-definite S = Σ₁^{1/2} Σ₂ Σ₁^{1/2}
 * (Σ₁Σ₂ = Σ₁^{1/2} S Σ₁^{−1/2}), so Tr((Σ₁Σ₂)^{1/2}) = Tr(S^{1/2}) = Σᵢ √λᵢ(S). Both square roots are
 * taken in float64 from ml-matrix's symmetric eigen-decomposition, with eigenvalues below zero (round-off
 * of a semi-definite matrix) clamped to 0 — no complex parts to discard, unlike scipy's sqrtm.
 *
 * Here the features are a classifier's that we train on MNIST ourselves (src/classifier-metrics.ts):
 * the number is a "LeNet-FID", NOT comparable to the Inception FID of the literature (different network,
 * different feature space, different scale).
 *
 * Shapes: features [n, d] row-major (n ≥ 2); mean [d]; covariance [d, d] (unbiased, divisor n − 1).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** A Gaussian fitted to features, in float64. */
export interface GaussianFit {
  mean: Float64Array; // [d]
  covariance: Matrix; // [d, d]
}

/** Mean and unbiased covariance (divisor n − 1, as numpy's np.cov) of n rows of d features, in float64. */
export function fitGaussian(features: ArrayLike<number>, n: number, d: number): GaussianFit {
  if (n < 2 || features.length !== n * d) throw new RangeError(`fitGaussian: ${features.length} values are not ${n} ≥ 2 rows of ${d}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += features[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const centred = new Matrix(n, d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centred.set(i, j, features[i * d + j] - mean[j]);
  const covariance = centred.transpose().mmul(centred).div(n - 1);
  return { mean, covariance };
}

/** The symmetric PSD square root V diag(√max(λ, 0)) Vᵀ of a symmetric matrix (symmetrised first). */
export function symmetricSqrt(a: Matrix): Matrix {
  const s = a.add(a.transpose()).div(2);
  const e = new EigenvalueDecomposition(s, { assumeSymmetric: true });
  const v = e.eigenvectorMatrix;
  const roots = e.realEigenvalues.map((l) => Math.sqrt(Math.max(l, 0)));
  return v.mmul(Matrix.diag(roots)).mmul(v.transpose());
}

/** Tr((Σ₁Σ₂)^{1/2}) = Tr((Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}) = Σᵢ √λᵢ, float64. */
export function traceSqrtProduct(sigma1: Matrix, sigma2: Matrix): number {
  const r = symmetricSqrt(sigma1);
  const s = r.mmul(sigma2).mmul(r);
  const e = new EigenvalueDecomposition(s.add(s.transpose()).div(2), { assumeSymmetric: true });
  return e.realEigenvalues.reduce((t, l) => t + Math.sqrt(Math.max(l, 0)), 0);
}

/** Heusel et al. eq. 6: ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2 Tr((Σ₁Σ₂)^{1/2}), float64 (≥ 0 up to round-off). */
export function frechetDistance(a: GaussianFit, b: GaussianFit): number {
  const d = a.mean.length;
  if (b.mean.length !== d) throw new RangeError(`frechetDistance: dimensions ${d} and ${b.mean.length}`);
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += (a.mean[j] - b.mean[j]) ** 2;
  return meanTerm + a.covariance.trace() + b.covariance.trace() - 2 * traceSqrtProduct(a.covariance, b.covariance);
}

/** The Fréchet distance between Gaussians fitted to two feature sets ([n₁, d] and [n₂, d] row-major). */
export function featureFrechetDistance(f1: ArrayLike<number>, n1: number, f2: ArrayLike<number>, n2: number, d: number): number {
  return frechetDistance(fitGaussian(f1, n1, d), fitGaussian(f2, n2, d));
}
