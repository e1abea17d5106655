/**
 * mode-collapse-mixtures: the gpu preset is the authors' protocol (PacGAN config.py: 4×400 generator,
 * 3×200×5 maxout discriminator, Adam 10⁻⁴ β₁ 0.8, batch 100, 400 × 1,000 steps, 10 trials, 2,500
 * evaluation samples) and every preset parses; the Table 1 metrics the app reports, on a "generator"
 * that is the mixture itself (all modes, ~99% high quality, reverse KL ≈ 0) and on a generator collapsed
 * onto one mode (1 mode, reverse KL = log K); a tiny end-to-end run writes result.json, trials.json and
 * the sample PNG with finite metrics.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig, runReproduction } from '@paperzoo/repro';
import { initBackend, makeRng, tf } from '@paperzoo/tensor';
import { MixtureGenerator, evaluateGenerator, modeMetrics, paperMixture, sampleMixture } from '@paperzoo/gan-family';
import repro from '../reproduction.js';

const appDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mode-collapse-mixtures-'));
beforeAll(async () => {
  await initBackend({ backend: 'auto' });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('mode-collapse-mixtures', () => {
  it('the gpu preset is the authors\' protocol; the smoke and full presets parse', () => {
    const gpu = resolveRunConfig(repro, { tier: 'gpu' }).config;
    expect(gpu).toMatchObject({ mixtures: ['ring', 'grid'], trials: 10, iterations: 400_000, stepsPerEpoch: 1000, batchSize: 100, learningRate: 1e-4, beta1: 0.8 });
    expect(gpu).toMatchObject({ generatorHidden: [400, 400, 400, 400], discriminatorHidden: [200, 200, 200], evalSamples: 2500 });
    const smoke = resolveRunConfig(repro, { tier: 'smoke' }).config;
    expect(smoke).toMatchObject({ mixtures: ['ring'], methods: ['gan', 'pacgan2'], trials: 1 });
    expect(smoke.iterations / smoke.stepsPerEpoch).toBeGreaterThanOrEqual(2); // a checkpoint before the end, for kill-resume
    expect(resolveRunConfig(repro, { tier: 'full' }).config.methods).toEqual(['gan', 'pacgan2', 'lsgan', 'wgan_gp']);
  });

  for (const name of ['ring', 'grid'] as const) {
    it(`${name}: samples of the mixture itself cover every mode, ~99% within 3σ, reverse KL ≈ 0`, () => {
      const mixture = paperMixture(name);
      const K = mixture.means.length;
      const r = modeMetrics(sampleMixture(mixture, 2500, makeRng(`exact:${name}`)), mixture);
      expect(r.modes).toBe(K);
      // a 2-D isotropic Gaussian puts 1 − e^{−9/2} = 0.9889 of its mass within 3σ; ± 5 binomial std at n = 2,500
      expect(Math.abs(r.highQuality - (1 - Math.exp(-4.5)))).toBeLessThan(5 * Math.sqrt(0.0111 * 0.9889 / 2500));
      // multinomial sampling alone: E[KL] ≈ (K − 1) / (2n) = 0.0014 (ring), 0.0049 (grid)
      expect(r.reverseKl).toBeGreaterThanOrEqual(0);
      expect(r.reverseKl).toBeLessThan(5 * (K - 1) / (2 * 2500 * r.highQuality));
    });

    it(`${name}: a generator collapsed onto one mode covers 1 mode, all high quality, reverse KL = log K`, () => {
      const mixture = paperMixture(name);
      const g = new MixtureGenerator({ hidden: [8, 8], seed: 1 });
      try {
        // zero output weights: every sample is the output bias, placed at mode 3 (in inference mode)
        tf.tidy(() => {
          g.variables['out/kernel'].assign(tf.zerosLike(g.variables['out/kernel']));
          g.variables['out/bias'].assign(tf.tensor1d([...mixture.means[3]]));
        });
        const r = evaluateGenerator(g, mixture, 2500, { uniform: makeRng('collapsed') });
        expect(r.modes).toBe(1);
        expect(r.counts[3]).toBe(2500);
        expect(r.highQuality).toBe(1);
        expect(r.reverseKl).toBeCloseTo(Math.log(mixture.means.length), 10);
      } finally {
        g.dispose();
      }
    });
  }

  it('runs end to end on a tiny configuration and writes result.json, trials.json and a sample PNG', async () => {
    const set = ['mixtures=["ring"]', 'methods=["pacgan2","wgan_gp"]', 'iterations=4', 'stepsPerEpoch=2', 'batchSize=16', 'generatorHidden=[16]', 'discriminatorHidden=[8]', 'criticSteps=2', 'evalSamples=50'];
    const out = await runReproduction(repro, { appDir, tier: 'smoke', set, resultsDir: tmp });
    const m = out.result.metrics;
    for (const method of ['pacgan2', 'wgan_gp']) {
      expect(m[`ring_${method}_trials`]).toBe(1);
      expect(Number.isFinite(m[`ring_${method}_high_quality`])).toBe(true);
      expect(m[`ring_${method}_modes`]).toBeGreaterThanOrEqual(0);
    }
    expect(m.grid_gan_modes).toBeNull(); // not run
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'smoke', 'trials.json'), 'utf8'))).toHaveLength(2);
    expect(fs.existsSync(path.join(tmp, 'smoke', 'samples-ring-wgan_gp.png'))).toBe(true);
  }, 60_000);
});
