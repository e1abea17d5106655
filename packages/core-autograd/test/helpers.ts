/** Shared test helpers: seeded random tensors, finite differences, closeness with stated tolerances. */
import { makeRng, tf } from '@paperzoo/tensor';
import { expect } from 'vitest';
import { Tensor } from '../src/index.js';

export type Rng = () => number;

export interface RandomSpec {
  shape: number[];
  /** Values uniform in [min, max) (default [−1, 1)). */
  min?: number;
  max?: number;
  /** Keep |x| ≥ this, away from kinks (relu at 0) (default 0). */
  awayFromZero?: number;
  /** A one-hot [N, C] tensor instead of uniform values. */
  oneHot?: boolean;
  /** Rows of the last axis normalised to sum to 1 (a probability distribution). */
  distribution?: boolean;
}

export function rng(seed: number | string): Rng {
  return makeRng(seed);
}

export function randomTensor(r: Rng, spec: RandomSpec): Tensor {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  if (spec.oneHot) {
    const [n, c] = spec.shape;
    for (let i = 0; i < n; i++) data[i * c + Math.floor(r() * c)] = 1;
    return new Tensor(data, spec.shape);
  }
  const min = spec.min ?? -1;
  const max = spec.max ?? 1;
  const away = spec.awayFromZero ?? 0;
  for (let i = 0; i < size; i++) {
    let v = min + (max - min) * r();
    while (Math.abs(v) < away) v = min + (max - min) * r();
    data[i] = v;
  }
  if (spec.distribution) {
    const c = spec.shape[spec.shape.length - 1];
    for (let row = 0; row < size; row += c) {
      let total = 0;
      for (let j = 0; j < c; j++) total += data[row + j];
      for (let j = 0; j < c; j++) data[row + j] /= total;
    }
  }
  return new Tensor(data, spec.shape);
}

/** A float32 tfjs copy of an engine tensor. */
export function toTf(t: Tensor): tf.Tensor {
  return tf.tensor(Float32Array.from(t.data), t.shape.slice(), 'float32');
}

/** Σ out ⊙ weights: turns any output into a scalar whose gradient is a generic vector–Jacobian product. */
export function weightedSum(out: Tensor, weights: Float64Array): number {
  let s = 0;
  for (let i = 0; i < out.size; i++) s += out.data[i] * weights[i];
  return s;
}

/**
 * Central finite differences of L(inputs) = Σ f(inputs) ⊙ weights, in float64:
 * ∂L/∂x_i ≈ (L(x + h e_i) − L(x − h e_i)) / 2h. Inputs are perturbed in place and restored.
 */
export function finiteDifferences(f: (inputs: Tensor[]) => Tensor, inputs: Tensor[], weights: Float64Array, h = 1e-5): Float64Array[] {
  return inputs.map((x) => {
    const g = new Float64Array(x.size);
    for (let i = 0; i < x.size; i++) {
      const keep = x.data[i];
      x.data[i] = keep + h;
      const up = weightedSum(f(inputs), weights);
      x.data[i] = keep - h;
      const down = weightedSum(f(inputs), weights);
      x.data[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  });
}

export interface Tolerance {
  /** |actual − expected| ≤ atol + rtol·|expected| elementwise. */
  atol: number;
  rtol: number;
}

/** Elementwise closeness; the failure names the first offending index, both values and the tolerance. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    const allowed = tol.atol + tol.rtol * Math.abs(expected[i]);
    if (!(err <= allowed) && (worstAt < 0 || err / allowed > worst)) {
      worst = err / allowed;
      worstAt = i;
    }
  }
  if (worstAt >= 0) {
    expect.fail(`${label}: element ${worstAt} is ${actual[worstAt]}, expected ${expected[worstAt]} (|Δ| = ${Math.abs(actual[worstAt] - expected[worstAt]).toExponential(2)} > atol ${tol.atol} + rtol ${tol.rtol}·|expected|)`);
  }
}

/** Largest |a − b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
