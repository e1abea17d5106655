/**
 * The Fréchet distance (Heusel et al. 2017 eq. 6) in float64 against closed forms: diagonal and
 * commuting covariances (d² = ‖μ₁ − μ₂‖² + Σᵢ (√aᵢ − √bᵢ)²), a random non-commuting case against an
 * independent matrix square root of Σ₁Σ₂ (the Denman–Beavers iteration, float64), FID(x, x) = 0, and
 * the fitted Gaussian against its definition.
 */
import { describe, expect, it } from 'vitest';
import { Matrix, inverse } from 'ml-matrix';
import { makeRng } from '@paperzoo/tensor';
import { featureFrechetDistance, fitGaussian, frechetDistance, symmetricSqrt } from '../src/index.js';

const rng = makeRng('frechet-test');
const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

function randomOrthogonal(d: number): Matrix {
  // Gram–Schmidt on a Gaussian matrix
  const q = new Matrix(d, d);
  for (let j = 0; j < d; j++) {
    const v = Array.from({ length: d }, normal);
    for (let k = 0; k < j; k++) {
      const dot = v.reduce((s, x, i) => s + x * q.get(i, k), 0);
      for (let i = 0; i < d; i++) v[i] -= dot * q.get(i, k);
    }
    const n = Math.hypot(...v);
    for (let i = 0; i < d; i++) q.set(i, j, v[i] / n);
  }
  return q;
}

function randomSpd(d: number): Matrix {
  const a = Matrix.from1DArray(d, d, Array.from({ length: d * d }, normal));
  return a.mmul(a.transpose()).div(d).add(Matrix.eye(d).mul(0.1));
}

/** Denman–Beavers: Y → A^{1/2} for A with no eigenvalues on (−∞, 0]. */
function denmanBeaversSqrt(a: Matrix): Matrix {
  let y = a.clone();
  let z = Matrix.eye(a.rows);
  for (let k = 0; k < 60; k++) {
    const yi = inverse(y);
    const zi = inverse(z);
    y = y.add(zi).div(2);
    z = z.add(yi).div(2);
  }
  return y;
}

const vec = (xs: number[]) => Float64Array.from(xs);

describe('frechetDistance', () => {
  it('diagonal covariances: ‖μ₁ − μ₂‖² + Σ(√a − √b)²', () => {
    const a = [0.5, 2, 3, 0.1];
    const b = [1, 1, 4, 0.3];
    const m1 = [0, 1, -1, 2];
    const m2 = [1, 1, 0, 0];
    const expected = m1.reduce((s, v, i) => s + (v - m2[i]) ** 2, 0) + a.reduce((s, v, i) => s + (Math.sqrt(v) - Math.sqrt(b[i])) ** 2, 0);
    const d = frechetDistance({ mean: vec(m1), covariance: Matrix.diag(a) }, { mean: vec(m2), covariance: Matrix.diag(b) });
    expect(d).toBeCloseTo(expected, 12);
  });

  it('commuting covariances Q diag(a) Qᵀ, Q diag(b) Qᵀ: the same closed form', () => {
    const d = 6;
    const q = randomOrthogonal(d);
    const a = Array.from({ length: d }, () => 0.1 + 3 * rng());
    const b = Array.from({ length: d }, () => 0.1 + 3 * rng());
    const s1 = q.mmul(Matrix.diag(a)).mmul(q.transpose());
    const s2 = q.mmul(Matrix.diag(b)).mmul(q.transpose());
    const m = vec(Array.from({ length: d }, normal));
    const zero = new Float64Array(d);
    const expected = m.reduce((s, v) => s + v * v, 0) + a.reduce((s, v, i) => s + (Math.sqrt(v) - Math.sqrt(b[i])) ** 2, 0);
    expect(frechetDistance({ mean: m, covariance: s1 }, { mean: zero, covariance: s2 })).toBeCloseTo(expected, 10);
  });

  it('random covariances: Tr((Σ₁Σ₂)^{1/2}) against the Denman–Beavers square root of Σ₁Σ₂ (float64)', () => {
    const d = 8;
    const s1 = randomSpd(d);
    const s2 = randomSpd(d);
    const root = denmanBeaversSqrt(s1.mmul(s2));
    expect(root.mmul(root).sub(s1.mmul(s2)).norm('frobenius')).toBeLessThan(1e-10); // the reference is a square root
    const m1 = vec(Array.from({ length: d }, normal));
    const m2 = vec(Array.from({ length: d }, normal));
    const expected = m1.reduce((s, v, i) => s + (v - m2[i]) ** 2, 0) + s1.trace() + s2.trace() - 2 * root.trace();
    expect(frechetDistance({ mean: m1, covariance: s1 }, { mean: m2, covariance: s2 })).toBeCloseTo(expected, 9);
    // symmetric: d(P, Q) = d(Q, P)
    expect(frechetDistance({ mean: m2, covariance: s2 }, { mean: m1, covariance: s1 })).toBeCloseTo(expected, 9);
  });

  it('symmetricSqrt squares back', () => {
    const s = randomSpd(5);
    const r = symmetricSqrt(s);
    expect(r.mmul(r).sub(s).norm('frobenius')).toBeLessThan(1e-12);
  });

  it('FID(x, x) = 0 and the fitted Gaussian is the sample mean and unbiased covariance', () => {
    const n = 50;
    const d = 4;
    const f = Float32Array.from({ length: n * d }, normal);
    expect(Math.abs(featureFrechetDistance(f, n, f, n, d))).toBeLessThan(1e-9);
    const g = fitGaussian(f, n, d);
    const mean0 = Array.from({ length: n }, (_, i) => f[i * d]).reduce((a, b) => a + b, 0) / n;
    expect(g.mean[0]).toBeCloseTo(mean0, 12);
    let c01 = 0;
    for (let i = 0; i < n; i++) c01 += (f[i * d] - g.mean[0]) * (f[i * d + 1] - g.mean[1]);
    expect(g.covariance.get(0, 1)).toBeCloseTo(c01 / (n - 1), 12);
    // a shifted copy: the distance is the squared shift
    const shifted = f.map((v, i) => (i % d === 2 ? v + 3 : v));
    expect(featureFrechetDistance(f, n, shifted, n, d)).toBeCloseTo(9, 5);
  });
});
