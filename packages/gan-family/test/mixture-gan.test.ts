/**
 * The mixture GAN's networks and training loop (PacGAN's architecture, mixture-gan.ts):
 * - the generator's parameter count for PacGAN's sizes (4×400 with batch norm, no hidden biases);
 * - batch norm: a recorded pass folded in with momentum 1 makes inference mode reproduce the training
 *   pass; with 0.05 the running mean moves by 0.05 of the batch mean (the authors' update);
 * - the maxout discriminator against a float64 forward pass;
 * - `generatorSamples` in chunks equals one pass;
 * - `trainMixtureGan` for each objective (GAN, PacGAN2, LSGAN, WGAN-GP) on tiny networks: finite losses,
 *   bit-identical weights for the same seed, and no leaked tensors; a run stopped after an epoch and
 *   resumed ends bit-identical to an uninterrupted one (running statistics and RNG in the checkpoint).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaks, assertNoLeaksSync, initBackend, makeRng, seed, tf } from '@paperzoo/tensor';
import { createRunContext } from '@paperzoo/repro';
import { MixtureDiscriminator, MixtureGenerator, evaluateGenerator, generatorSamples, ringMixture, trainMixtureGan, type BatchStatistics, type MixtureObjective } from '../src/index.js';
import { AVAILABLE } from '../../tensor/test/backends.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixture-gan-'));
beforeAll(async () => {
  await initBackend({ backend: AVAILABLE.native ? 'native' : 'cpu' });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('mixture generator and discriminator (PacGAN pacgan_task.py l. 42–95)', () => {
  it('PacGAN sizes: 2 → 4×400 (BN, no bias) → 2; discriminator 3×200×5 maxout → 1', () => {
    const g = new MixtureGenerator({ allocate: false });
    expect(g.parameterCount()).toBe(2 * 400 + 3 * 400 * 400 + 4 * 2 * 400 + 400 * 2 + 2);
    const d = new MixtureDiscriminator({ inputs: 4, allocate: false });
    expect(d.parameterCount()).toBe(4 * 1000 + 1000 + 2 * (200 * 1000 + 1000) + 200 + 1);
  });

  it('batch norm: momentum 1 makes inference reproduce the training pass; momentum 0.05 moves the running mean by 0.05·μ_B', () => {
    for (const momentum of [1, 0.05]) {
      const g = new MixtureGenerator({ hidden: [6, 5], momentum, initStd: 0.5, seed: 2 });
      try {
        const out = assertNoLeaksSync(() => {
          const z = tf.randomNormal<tf.Rank.R2>([32, 2], 0, 1, 'float32', 7);
          const recorded: BatchStatistics[] = [];
          const train = g.apply(z, { training: true, collect: recorded });
          const batchMean = Array.from(recorded[0][0].mean.dataSync());
          g.updateStatistics(recorded);
          const running = Array.from(g.stateVariables['h0/running_mean'].dataSync());
          const infer = g.apply(z);
          const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(train, infer))).arraySync() as number);
          tf.dispose([z, train, infer]);
          return { batchMean, running, diff };
        });
        out.running.forEach((r, i) => expect(r).toBeCloseTo(momentum * out.batchMean[i], 5));
        if (momentum === 1) expect(out.diff).toBeLessThan(1e-4);
        else expect(out.diff).toBeGreaterThan(1e-3);
      } finally {
        g.dispose();
      }
    }
  });

  it('generatorSamples: chunks of 3 rows give the rows of one pass (inference mode), read outside tidy, no leaks', () => {
    const g = new MixtureGenerator({ hidden: [6, 5], initStd: 0.5, seed: 5 });
    try {
      const chunked = assertNoLeaksSync(() => generatorSamples(g, 10, { uniform: makeRng('chunks'), batch: 3 }));
      const whole = generatorSamples(g, 10, { uniform: makeRng('chunks') });
      expect(chunked).toHaveLength(20);
      expect(Array.from(chunked)).toEqual(Array.from(whole));
      expect(new Set(chunked).size).toBeGreaterThan(10); // not one repeated row
    } finally {
      g.dispose();
    }
  });

  it('maxout discriminator equals a float64 forward pass', () => {
    const d = new MixtureDiscriminator({ inputs: 2, hidden: [3, 2], pieces: 2, initStd: 0.7, seed: 4 });
    try {
      const rng = makeRng('maxout-forward');
      const x = Array.from({ length: 8 }, () => 2 * rng() - 1);
      const got = assertNoLeaksSync(() => tf.tidy(() => Array.from(d.apply(tf.tensor2d(x, [4, 2])).dataSync())));
      const v = (k: string) => Array.from(d.variables[k].dataSync());
      const layer = (h: number[], w: number[], b: number[], units: number, pieces: number) =>
        Array.from({ length: units }, (_, u) => Math.max(...Array.from({ length: pieces }, (_p, j) => b[j * units + u] + h.reduce((a, hk, k) => a + hk * w[k * units * pieces + j * units + u], 0))));
      for (let i = 0; i < 4; i++) {
        const h1 = layer([x[2 * i], x[2 * i + 1]], v('h0/kernel'), v('h0/bias'), 3, 2);
        const h2 = layer(h1, v('h1/kernel'), v('h1/bias'), 2, 2);
        expect(got[i]).toBeCloseTo(v('out/bias')[0] + h2[0] * v('out/kernel')[0] + h2[1] * v('out/kernel')[1], 5);
      }
    } finally {
      d.dispose();
    }
  });
});

describe('trainMixtureGan', () => {
  const mixture = ringMixture();
  async function train(objective: MixtureObjective, pack: number, name: string, { iterations = 6, resume = false } = {}) {
    seed(3);
    const g = new MixtureGenerator({ hidden: [16, 16], seed: 3 });
    const d = new MixtureDiscriminator({ inputs: 2 * pack, hidden: [8], pieces: 3, seed: 3 });
    try {
      const ctx = createRunContext({ id: `mixture-${name}`, tier: 'smoke', seed: 3, config: {}, resultsDir: path.join(tmp, name), resume });
      const r = await trainMixtureGan({ ctx, mixture, method: { objective, pack }, generator: g, discriminator: d, iterations, stepsPerEpoch: 3, batchSize: 8, learningRate: 1e-3, beta1: 0.5, criticSteps: 2, evaluateSamples: 50 });
      const weights = [...Object.values(g.variables), ...Object.values(g.stateVariables), ...Object.values(d.variables)].map((v) => Array.from(v.dataSync()));
      return { trainMetrics: r.trainMetrics, metrics: r.metrics, resumedFrom: r.resumedFrom, weights, eval: evaluateGenerator(g, mixture, 100, { uniform: makeRng('e') }) };
    } finally {
      g.dispose();
      d.dispose();
    }
  }

  for (const [objective, pack] of [['gan', 1], ['gan', 2], ['lsgan', 1], ['wgan-gp', 1]] as const) {
    it(`${objective}, pack ${pack}: finite losses, the metrics each epoch, same seed → same weights, no leaks`, async () => {
      const a = await assertNoLeaks(() => train(objective, pack, `${objective}-${pack}-a`));
      const b = await train(objective, pack, `${objective}-${pack}-b`);
      expect(Number.isFinite(a.trainMetrics.d_loss)).toBe(true);
      expect(Number.isFinite(a.trainMetrics.g_loss)).toBe(true);
      expect(Object.keys(a.metrics).sort()).toEqual(['high_quality', 'modes', 'reverse_kl']);
      expect(a.weights).toEqual(b.weights);
      expect(a.eval.counts.reduce((s, c) => s + c, 0)).toBe(Math.round(a.eval.highQuality * 100));
    });
  }

  for (const [objective, pack] of [['gan', 2], ['wgan-gp', 1]] as const) {
    it(`${objective}, pack ${pack}: a run stopped after epoch 1 and resumed ends with the uninterrupted run's weights and batch-norm statistics`, async () => {
      const straight = await train(objective, pack, `${objective}-${pack}-straight`);
      await train(objective, pack, `${objective}-${pack}-resumed`, { iterations: 3 }); // "killed" after epoch 1: its checkpoint stays
      const resumed = await train(objective, pack, `${objective}-${pack}-resumed`, { resume: true });
      expect(resumed.resumedFrom).toEqual({ epoch: 1, step: 3 });
      expect(resumed.weights).toEqual(straight.weights);
      expect(resumed.trainMetrics).toEqual(straight.trainMetrics);
    });
  }
});
