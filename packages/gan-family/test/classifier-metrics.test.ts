/**
 * The classifier-based metrics: class coverage, marginal entropy (log 10 when uniform, 0 for one class)
 * and the confident fraction on constructed predictions; nearest-neighbour distances against brute
 * force; LeNet-5's F6 features reproduce its logits (F6·W_out + b_out = apply); the classifier cache
 * round-trips exactly (same outputs, no retraining); no leaks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaksSync, makeRng } from '@paperzoo/tensor';
import { LeNet5 } from '@paperzoo/cnn-zoo';
import type { ImageDataset } from '@paperzoo/datasets';
import { classDistribution, classify, classifierInput, lenet5Features, loadOrTrainMnistClassifier, nearestNeighbourDistances, sampleQuality } from '../src/index.js';

describe('classDistribution', () => {
  it('every class equally often, confidently: coverage 10, entropy log 10, all confident', () => {
    const p = new Float32Array(100 * 10);
    for (let i = 0; i < 100; i++) {
      p[i * 10 + (i % 10)] = 0.95;
      p[i * 10 + ((i + 1) % 10)] = 0.05;
    }
    const c = classDistribution(p);
    expect(c.coverage).toBe(10);
    expect(c.marginalEntropy).toBeCloseTo(Math.log(10), 12);
    expect(c.confidentFraction).toBe(1);
  });

  it('one class: coverage 1, entropy 0; unconfident uniform rows count as not confident', () => {
    const p = new Float32Array(20 * 10).fill(0.1);
    for (let i = 0; i < 10; i++) p[i * 10 + 3] = 0.91;
    const c = classDistribution(p);
    expect(c.counts[3]).toBe(10); // the uniform rows' arg-max is class 0 (first maximum)
    expect(c.coverage).toBe(2);
    expect(c.marginalEntropy).toBeCloseTo(Math.log(2), 12);
    expect(c.confidentFraction).toBe(0.5);
    expect(classDistribution(p.subarray(0, 100)).marginalEntropy).toBe(0);
    expect(classDistribution(p, 10, { minPerClass: 11 }).coverage).toBe(0);
  });
});

describe.each(['cpu', 'native'] as const)('on %s', (backend) => {
  it('nearest-neighbour distances equal brute force', async () => {
    await initBackend({ backend });
    const rng = makeRng('nn');
    const q = Float32Array.from({ length: 7 * 5 }, () => rng());
    const r = Float32Array.from({ length: 13 * 5 }, () => rng());
    const qt = tf.tensor2d(q, [7, 5]);
    const rt = tf.tensor2d(r, [13, 5]);
    const d = assertNoLeaksSync(() => nearestNeighbourDistances(qt, rt, 4));
    tf.dispose([qt, rt]);
    for (let i = 0; i < 7; i++) {
      let best = Infinity;
      for (let j = 0; j < 13; j++) best = Math.min(best, Math.hypot(...Array.from({ length: 5 }, (_, k) => q[i * 5 + k] - r[j * 5 + k])));
      expect(d[i]).toBeCloseTo(best, 5);
    }
  });

  it('F6 features give apply()\'s logits; classify and sampleQuality do not leak; FID(x, x) = 0', async () => {
    await initBackend({ backend });
    const net = new LeNet5({ fullC3: true, seed: 3 });
    const x = tf.randomUniform<tf.Rank.R2>([6, 784], 0, 1, 'float32', 5);
    try {
      const p = Object.fromEntries(net.parameters.map((q) => [q.name, q.value]));
      const [ours, theirs] = tf.tidy(() => {
        const input = classifierInput(x);
        return [tf.add(tf.matMul(lenet5Features(net, input), p['output/kernel']), p['output/bias']).dataSync(), net.apply(input).dataSync()];
      });
      ours.forEach((v, i) => expect(v).toBeCloseTo(theirs[i], 5));
      const q = assertNoLeaksSync(() => sampleQuality(net, x, x));
      expect(Math.abs(q.lenetFid)).toBeLessThan(1e-6);
      const { probabilities } = assertNoLeaksSync(() => classify(net, x, 4));
      expect(probabilities.length).toBe(60);
    } finally {
      net.dispose();
      x.dispose();
    }
  });
});

describe('the classifier cache', () => {
  it('trains once, then loads the same weights (identical outputs)', async () => {
    await initBackend({ backend: 'cpu' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gan-cls-'));
    const rng = makeRng('fake-digits');
    const data: ImageDataset = { count: 128, height: 28, width: 28, channels: 1, layout: 'NHWC', pixels: Uint8Array.from({ length: 128 * 784 }, () => Math.floor(rng() * 256)), labels: Uint8Array.from({ length: 128 }, (_, i) => i % 10), numClasses: 10 } as unknown as ImageDataset;
    const cfg = { seed: 2, trainExamples: 128, epochs: 1, batchSize: 32, learningRate: 1e-3 };
    const a = loadOrTrainMnistClassifier(dir, data, cfg);
    const b = loadOrTrainMnistClassifier(dir, data, cfg);
    const x = tf.randomUniform<tf.Rank.R2>([3, 784], 0, 1, 'float32', 1);
    try {
      expect([a.trained, b.trained]).toEqual([true, false]);
      expect(classify(b.net, x).features).toEqual(classify(a.net, x).features);
      const fresh = new LeNet5({ fullC3: true, seed: 2 });
      expect(classify(fresh, x).features).not.toEqual(classify(a.net, x).features); // training changed the weights
      fresh.dispose();
    } finally {
      a.net.dispose();
      b.net.dispose();
      x.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
