/**
 * Rasmussen's conjugate gradients (minimize.ts) on problems with known minima: a convex quadratic
 * ½xᵀAx − bᵀx (minimum A⁻¹b) and the Rosenbrock function (minimum
 * (1, 1), minimize.m's own example), and its guarantees: f never increases, and a non-finite value makes
 * it step back instead of failing.
 */
import { describe, expect, it } from 'vitest';
import { makeRng } from '@paperzoo/tensor';
import { minimize, type Objective } from '../src/index.js';

describe('minimize (Polak–Ribière CG with Wolfe–Powell line searches)', () => {
  it('finds A⁻¹b of a convex quadratic (n = 10, condition ≈ 100) within 10n line searches to 1e-6 (the Wolfe line search is inexact, so CG does not stop at n)', () => {
    const n = 10;
    const rng = makeRng(3);
    // A = diag(1..100) rotated by a Householder reflection; b random
    const u = Array.from({ length: n }, () => rng() - 0.5);
    const uu = u.reduce((s, v) => s + v * v, 0);
    const q = (i: number, j: number) => (i === j ? 1 : 0) - (2 * u[i] * u[j]) / uu;
    const lambda = Array.from({ length: n }, (_, i) => 1 + (99 * i) / (n - 1));
    const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => lambda.reduce((s, l, k) => s + q(i, k) * l * q(j, k), 0)));
    const b = Array.from({ length: n }, () => rng() - 0.5);
    // x* = Q diag(1/λ) Qᵀ b
    const xStar = Array.from({ length: n }, (_, i) => lambda.reduce((s, l, k) => s + (q(i, k) / l) * b.reduce((t, bj, j) => t + q(j, k) * bj, 0), 0));
    const f: Objective = (x) => {
      const ax = a.map((row) => row.reduce((s, v, j) => s + v * x[j], 0));
      return { value: 0.5 * ax.reduce((s, v, i) => s + v * x[i], 0) - b.reduce((s, v, i) => s + v * x[i], 0), gradient: Float64Array.from(ax, (v, i) => v - b[i]) };
    };
    const r = minimize(f, new Float64Array(n), 10 * n);
    for (let i = 0; i < n; i++) expect(Math.abs(r.x[i] - xStar[i])).toBeLessThan(1e-6);
    for (let i = 1; i < r.values.length; i++) expect(r.values[i]).toBeLessThanOrEqual(r.values[i - 1]);
  });
  it('reaches the Rosenbrock minimum (1, 1) from (−1.2, 1) within 100 line searches', () => {
    const f: Objective = ([x, y]) => ({
      value: 100 * (y - x * x) ** 2 + (1 - x) ** 2,
      gradient: Float64Array.from([-400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x)]),
    });
    const r = minimize(f, Float64Array.from([-1.2, 1]), 100);
    expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-4);
    expect(Math.abs(r.x[1] - 1)).toBeLessThan(1e-4);
    expect(r.values[r.values.length - 1]).toBeLessThan(1e-8);
  });
  it('backs off a step where f is not finite (f = ∞ beyond x = 2) and still converges', () => {
    const f: Objective = ([x]) => (x > 2 ? { value: Infinity, gradient: Float64Array.from([NaN]) } : { value: (x - 1.5) ** 2, gradient: Float64Array.from([2 * (x - 1.5)]) });
    const r = minimize(f, Float64Array.from([-30]), 10);
    expect(Math.abs(r.x[0] - 1.5)).toBeLessThan(1e-6);
  });
  it('rejects a line-search count that is not a positive integer', () => {
    expect(() => minimize(() => ({ value: 0, gradient: new Float64Array(1) }), new Float64Array(1), 0)).toThrow(/positive integer/);
  });
});
