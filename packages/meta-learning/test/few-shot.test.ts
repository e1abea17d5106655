/**
 * Few-shot meta-training on a small synthetic split (8×8 images whose class is a bright pixel's position,
 * plus noise): Reptile's meta-update is exactly θ + ε(mean φ_i − θ) with ε annealed; MAML and
 * first-order MAML train through `fit` and adaptation lifts test accuracy; ProtoNets train and test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunContext } from '@paperzoo/repro';
import type { OmniglotFewShot } from '@paperzoo/datasets';
import { initBackend, makeRng, seed, tf } from '@paperzoo/tensor';
import { AVAILABLE } from '../../tensor/test/backends.js';
import { ConvEncoder, adaptParams, episodeTask, evaluateFewShot, evaluatePrototypical, sampleEpisode, disposeEpisode, trainFewShot, trainPrototypical } from '../src/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'meta-learning-few-shot-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ backend: AVAILABLE.native ? 'native' : 'cpu' });
});

/** 16 classes × 20 drawings of 8×8: class c lights pixel c·4 (and its neighbour) over uniform noise. */
function toySplit(): OmniglotFewShot {
  const rng = makeRng('toy');
  const [classes, size] = [16, 8];
  const images = new Uint8Array(classes * 20 * size * size);
  for (let c = 0; c < classes; c++)
    for (let d = 0; d < 20; d++) {
      const base = (c * 20 + d) * size * size;
      for (let p = 0; p < size * size; p++) images[base + p] = Math.floor(rng() * 90);
      images[base + c * 4] = 255;
      images[base + c * 4 + 1] = 200;
    }
  return { split: 'train', classes: Array.from({ length: classes }, (_, c) => `Toy/character${c + 1}/rot000`), size, drawings: 20, images };
}

const context = (name: string) => createRunContext({ id: `few-shot-${name}`, tier: 'smoke', seed: 0, config: {}, resultsDir: path.join(tmp, name), resume: false });
const encoder = (name: string) => new ConvEncoder({ variant: 'maml', classes: 3, channels: 6, blocks: 2, seed: 4, name });

describe('few-shot meta-learning on a toy split', () => {
  const data = toySplit();
  const episode = { ways: 3, shots: 1, queries: 1 };

  it('Reptile: θ ← θ + ε(mean φ_i − θ), ε annealed linearly from ε₀', async () => {
    const net = encoder('reptile');
    try {
      const theta = Object.fromEntries(Object.entries(net.variables).map(([k, v]) => [k, tf.clone(v)]));
      // the episodes fit will draw for its first step: the same global generator state
      seed(21);
      const episodes = [0, 1].map(() => sampleEpisode(data, episode));
      const expected = tf.tidy(() => {
        const phis = episodes.map((ep) => adaptParams({ ...theta }, episodeTask(net, ep, 3, 1, 1).support, { steps: 2, learningRate: 0.3 }));
        return Object.fromEntries(Object.keys(theta).map((k) => [k, tf.add(theta[k], tf.mul(0.5, tf.sub(tf.div(tf.add(phis[0][k], phis[1][k]), 2), theta[k])))]));
      });
      episodes.forEach(disposeEpisode);
      seed(21);
      // 2 iterations: ε = 0.5·(1 − 0/2) = 0.5 at the first; compare after the first only
      await trainFewShot({ ctx: context('reptile'), encoder: net, train: data, algorithm: 'reptile', episode, metaBatch: 2, iterations: 1, iterationsPerEpoch: 1, innerSteps: 2, innerLearningRate: 0.3, metaLearningRate: 1e-3, reptileStepSize: 0.5 });
      for (const [k, v] of Object.entries(net.variables)) {
        const got = v.dataSync();
        const want = expected[k].dataSync();
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
      }
      tf.dispose([...Object.values(theta), ...Object.values(expected)]);
    } finally {
      net.dispose();
    }
  });

  it('MAML and first-order MAML meta-train; fine-tuning lifts accuracy far above the initialisation\'s', async () => {
    for (const algorithm of ['maml', 'fomaml'] as const) {
      const net = encoder(algorithm);
      try {
        seed(5);
        const loss = await trainFewShot({ ctx: context(algorithm), encoder: net, train: data, algorithm, episode, metaBatch: 4, iterations: 40, iterationsPerEpoch: 20, innerSteps: 1, innerLearningRate: 0.4, metaLearningRate: 3e-3 });
        expect(Number.isFinite(loss)).toBe(true);
        const r = evaluateFewShot(net, data, { ...episode, queries: 5, episodes: 40, steps: 3, learningRate: 0.4, seed: 'toy' });
        expect(r.accuracy).toHaveLength(4);
        expect(r.accuracy[0]).toBeLessThan(0.6); // labels are permuted per task: the initialisation is at chance (1/3)
        expect(r.accuracy[3]).toBeGreaterThan(0.8);
      } finally {
        net.dispose();
      }
    }
  });

  it('Prototypical Networks train on episodes and classify test episodes', async () => {
    const net = new ConvEncoder({ variant: 'protonets', channels: 8, blocks: 2, seed: 2, name: 'toy-protonets' });
    try {
      seed(6);
      const before = evaluatePrototypical(net, data, { ways: 5, shots: 1, queries: 5, episodes: 30, seed: 'toy' });
      await trainPrototypical({ ctx: context('protonets'), encoder: net, train: data, episode: { ways: 8, shots: 1, queries: 3 }, epochs: 2, episodesPerEpoch: 15, learningRate: 3e-3, halveEvery: 2000, validation: { data, spec: { ways: 5, shots: 1, queries: 3 }, episodes: 5 } });
      const after = evaluatePrototypical(net, data, { ways: 5, shots: 1, queries: 5, episodes: 30, seed: 'toy' });
      expect(after.accuracy).toBeGreaterThan(0.95);
      expect(after.accuracy).toBeGreaterThan(before.accuracy);
      expect(after.ci95).toBeGreaterThanOrEqual(0);
    } finally {
      net.dispose();
    }
  });
});
