/**
 * The Parzen-window estimator of goodfeli/adversarial parzen_ll.py: against a float64 brute-force loop
 * (‖x − μ‖² summed directly, log of the mean of the Gaussian densities) on small random data with
 * batches that split the points unevenly; σ selection picks the σ that maximises a constructed case's
 * closed form (one centre at distance r from each validation point, all others far: σ* = r/√d); a KDE on
 * samples of N(0, I) approaches the log-density of N(0, (1 + σ²)I) it converges to; the grid is numpy's
 * logspace(−1, 0, 10); nothing leaks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaksSync, initBackend, makeRng, tf } from '@paperzoo/tensor';
import { PARZEN_SIGMAS, meanAndStandardError, parzenEstimate, parzenLogLikelihoods, selectParzenSigma } from '../src/index.js';
import { AVAILABLE } from '../../tensor/test/backends.js';

beforeAll(async () => {
  await initBackend({ backend: AVAILABLE.native ? 'native' : 'cpu' });
});

function gaussianRows(rng: () => number, n: number, d: number, scale = 1, shift = 0): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => shift + scale * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())));
}

function bruteForce(x: number[], centres: number[][], sigma: number): number {
  const d = x.length;
  // float64: log (1/m) Σ_j (2πσ²)^(−d/2) exp(−‖x − μ_j‖²/2σ²), with the largest term factored out
  const e = centres.map((mu) => -mu.reduce((s, v, k) => s + (x[k] - v) ** 2, 0) / (2 * sigma * sigma));
  const max = Math.max(...e);
  return max + Math.log(e.reduce((s, v) => s + Math.exp(v - max), 0) / centres.length) - (d / 2) * Math.log(2 * Math.PI * sigma * sigma);
}

describe('Parzen window', () => {
  it('the grid is numpy.logspace(−1, 0, 10)', () => {
    expect(PARZEN_SIGMAS).toHaveLength(10);
    expect(PARZEN_SIGMAS[0]).toBeCloseTo(0.1, 14);
    expect(PARZEN_SIGMAS[9]).toBeCloseTo(1, 14);
    expect(PARZEN_SIGMAS[3]).toBeCloseTo(10 ** (-2 / 3), 14);
  });

  it('equals a float64 brute-force loop on random data, for every σ, with uneven batches', () => {
    const rng = makeRng(11);
    const x = Array.from({ length: 13 }, () => Array.from({ length: 6 }, () => rng()));
    const mu = Array.from({ length: 17 }, () => Array.from({ length: 6 }, () => rng()));
    const sigmas = [0.1, 0.3, 1];
    const px = tf.tensor2d(x);
    const pm = tf.tensor2d(mu);
    try {
      const got = assertNoLeaksSync(() => parzenLogLikelihoods(px, pm, sigmas, { batchSize: 5 }));
      sigmas.forEach((s, k) => x.forEach((xi, i) => expect(got[k][i]).toBeCloseTo(bruteForce(xi, mu, s), 3)));
      const ms = meanAndStandardError(got[1]);
      const ref = x.map((xi) => bruteForce(xi, mu, 0.3));
      const mean = ref.reduce((a, b) => a + b, 0) / ref.length;
      expect(ms.mean).toBeCloseTo(mean, 3);
      expect(ms.standardError).toBeCloseTo(Math.sqrt(ref.reduce((a, v) => a + (v - mean) ** 2, 0) / ref.length / ref.length), 3);
    } finally {
      tf.dispose([px, pm]);
    }
  });

  it('selects the σ that maximises the validation likelihood: σ* = r/√d for one centre at distance r', () => {
    const d = 4;
    const target = PARZEN_SIGMAS[4];
    const r = target * Math.sqrt(d);
    const rng = makeRng(12);
    const valid = gaussianRows(rng, 20, d);
    // each validation point's own centre at distance r along a random direction; the others' centres are ≥ 10 away
    const centres = valid.map((v) => {
      const u = Array.from({ length: d }, () => rng() - 0.5);
      const nu = Math.hypot(...u);
      return v.map((x, k) => x + (r * u[k]) / nu);
    });
    // separate the pairs: pair i shifted to the corners of a 4-D grid of spacing 10 (e^−50 and below between pairs at σ ≤ 1)
    const corner = (i: number) => [10 * (i % 2), 10 * (Math.floor(i / 2) % 2), 10 * (Math.floor(i / 4) % 2), 10 * Math.floor(i / 8)];
    const spread = valid.map((v, i) => v.map((x, k) => x + corner(i)[k]));
    const spreadCentres = centres.map((c, i) => c.map((x, k) => x + corner(i)[k]));
    const pv = tf.tensor2d(spread);
    const pc = tf.tensor2d(spreadCentres);
    try {
      const { sigma, validationMeans } = selectParzenSigma(pc, pv);
      expect(sigma).toBe(target);
      // closed form of the mean: −r²/2σ² − log m − d log(σ√2π)
      PARZEN_SIGMAS.forEach((s, k) => expect(validationMeans[k]).toBeCloseTo(-(r * r) / (2 * s * s) - Math.log(20) - d * Math.log(s * Math.sqrt(2 * Math.PI)), 2));
    } finally {
      tf.dispose([pv, pc]);
    }
  });

  it('a KDE on 20,000 samples of N(0, I₂) gives the log-density of N(0, (1 + σ²)I) within 0.03 nats on average', () => {
    const rng = makeRng(13);
    const d = 2;
    const sigma = 0.2;
    const samples = tf.tensor2d(gaussianRows(rng, 20_000, d));
    const testRows = gaussianRows(rng, 1000, d);
    const test = tf.tensor2d(testRows);
    try {
      const r = parzenEstimate(samples, test, test, [sigma]);
      const v = 1 + sigma * sigma;
      const truth = testRows.reduce((s, x) => s - (d / 2) * Math.log(2 * Math.PI * v) - x.reduce((a, xi) => a + xi * xi, 0) / (2 * v), 0) / testRows.length;
      expect(r.sigma).toBe(sigma);
      expect(Math.abs(r.mean - truth)).toBeLessThan(0.03);
      expect(r.standardError).toBeGreaterThan(0);
    } finally {
      tf.dispose([samples, test]);
    }
  });
});
