/**
 * The 2-D mixtures and the PacGAN/VEEGAN metrics: the samplers' moments against their closed forms
 * (ring: E x = 0, E x² = ½ + σ²; grid: E x = 0, E x² = 8 + σ²; within-mode spread σ); the metrics on
 * sample sets whose answers are known (every mode covered, one mode only, points just inside and
 * outside 3σ, the reverse KL of a histogram against its float64 closed form).
 */
import { describe, expect, it } from 'vitest';
import { makeRng } from '@paperzoo/tensor';
import { densityImage, gridMixture, modeMetrics, reverseKlToUniform, ringMixture, sampleMixture, standardNormal } from '../src/index.js';

const moments = (s: Float32Array, axis: 0 | 1) => {
  let m1 = 0;
  let m2 = 0;
  const n = s.length / 2;
  for (let i = 0; i < n; i++) [m1, m2] = [m1 + s[2 * i + axis] / n, m2 + s[2 * i + axis] ** 2 / n];
  return { m1, m2 };
};

describe('Gaussian mixtures (PacGAN §5.1, the authors\' config.py)', () => {
  it('ring: 8 means on the unit circle, σ = 0.01; grid: 25 means (i, j) ∈ {−4, −2, 0, 2, 4}², σ = 0.05', () => {
    const ring = ringMixture();
    expect(ring.means).toHaveLength(8);
    ring.means.forEach(([x, y], k) => {
      expect(Math.hypot(x, y)).toBeCloseTo(1, 12);
      expect(Math.atan2(y, x)).toBeCloseTo(Math.atan2(Math.sin((2 * Math.PI * k) / 8), Math.cos((2 * Math.PI * k) / 8)), 12);
    });
    expect(ring.std).toBe(0.01);
    const grid = gridMixture();
    expect(grid.means).toHaveLength(25);
    expect(new Set(grid.means.flat())).toEqual(new Set([-4, -2, 0, 2, 4]));
    expect(grid.std).toBe(0.05);
  });

  it('sample moments match the closed forms within 5 standard errors', () => {
    const n = 40_000;
    for (const [mix, second] of [[ringMixture(), 0.5 + 0.01 ** 2], [gridMixture(), 8 + 0.05 ** 2]] as const) {
      const s = sampleMixture(mix, n, makeRng(`moments:${mix.name}`));
      for (const axis of [0, 1] as const) {
        const { m1, m2 } = moments(s, axis);
        const sd = Math.sqrt(second); // sd of x; the sd of x² is below 2·max|x|·sd
        expect(Math.abs(m1)).toBeLessThan((5 * sd) / Math.sqrt(n));
        expect(Math.abs(m2 - second)).toBeLessThan((5 * 2 * 4.2 * sd) / Math.sqrt(n));
      }
      // every sample lies near a mean, and the spread around it is σ per coordinate
      let sq = 0;
      const perMode = new Array<number>(mix.means.length).fill(0);
      for (let i = 0; i < n; i++) {
        const d = mix.means.map(([x, y]) => (s[2 * i] - x) ** 2 + (s[2 * i + 1] - y) ** 2);
        const k = d.indexOf(Math.min(...d));
        perMode[k]++;
        sq += d[k] / (2 * n);
      }
      expect(Math.sqrt(sq) / mix.std).toBeGreaterThan(0.98);
      expect(Math.sqrt(sq) / mix.std).toBeLessThan(1.02);
      const expected = n / mix.means.length; // components equally likely: binomial counts
      for (const c of perMode) expect(Math.abs(c - expected)).toBeLessThan(5 * Math.sqrt(expected));
    }
  });

  it('standardNormal: mean 0, variance 1', () => {
    const n = 50_000;
    const z = standardNormal(n, makeRng('z'));
    const m1 = z.reduce((a, b) => a + b, 0) / n;
    const m2 = z.reduce((a, b) => a + b * b, 0) / n;
    expect(Math.abs(m1)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(m2 - 1)).toBeLessThan((5 * Math.SQRT2) / Math.sqrt(n));
  });
});

describe('mode metrics (VEEGAN §5.1; PacGAN extensions.py l. 154–175)', () => {
  const ring = ringMixture();
  const at = (points: (readonly [number, number])[]) => Float32Array.from(points.flat());

  it('one sample on every mean: 8 modes, all high quality, reverse KL 0', () => {
    const r = modeMetrics(at(ring.means.map((m) => m)), ring);
    expect(r).toEqual({ modes: 8, highQuality: 1, reverseKl: 0, counts: new Array(8).fill(1) });
  });

  it('every sample on one mode: 1 mode, reverse KL = log 8', () => {
    const r = modeMetrics(at(new Array(50).fill(ring.means[3])), ring);
    expect(r.modes).toBe(1);
    expect(r.highQuality).toBe(1);
    expect(r.reverseKl).toBeCloseTo(Math.log(8), 12);
    expect(r.counts[3]).toBe(50);
  });

  it('3σ threshold: 2.9σ from a mean is high quality, 3.1σ is not (and counts for no mode)', () => {
    const [mx, my] = ring.means[0];
    const r = modeMetrics(at([[mx + 2.9 * ring.std, my], [mx, my - 3.1 * ring.std], [0, 0], [5, 5]]), ring);
    expect(r.counts).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.highQuality).toBe(0.25);
    expect(r.modes).toBe(1);
    expect(r.reverseKl).toBe(Math.log(8)); // the histogram of the one high-quality sample
    expect(modeMetrics(at([[mx + 2.9 * ring.std, my]]), ring, { threshold: 2 }).highQuality).toBe(0);
  });

  it('reverse KL of a mixed histogram equals its closed form Σ p log(K p) (float64); minCount', () => {
    const points: (readonly [number, number])[] = [...new Array(6).fill(ring.means[0]), ...new Array(3).fill(ring.means[1]), ring.means[2]];
    const r = modeMetrics(at(points), ring, { minCount: 2 });
    const p = [0.6, 0.3, 0.1];
    expect(r.reverseKl).toBeCloseTo(p.reduce((a, q) => a + q * Math.log(8 * q), 0), 12);
    expect(r.modes).toBe(2); // mode 2 has one sample, below minCount = 2
    expect(reverseKlToUniform([0, 0, 0])).toBeNaN();
    expect(modeMetrics(at([[9, 9]]), ring).reverseKl).toBeNaN();
  });

  it('densityImage: counts land in their cells, the densest at 1', () => {
    const img = densityImage([0.5, 0.5, 0.5, 0.5, -0.9, -0.9, 7, 7], 1, 4);
    expect(img[0 * 4 + 3]).toBe(1); // (0.5, 0.5) twice: column 3, row 0 (y up: row 0 is the top)
    expect(img[3 * 4 + 0]).toBeCloseTo(Math.log(2) / Math.log(3), 6);
    expect(img.reduce((a, b) => a + (b > 0 ? 1 : 0), 0)).toBe(2); // (7, 7) is outside
  });
});
