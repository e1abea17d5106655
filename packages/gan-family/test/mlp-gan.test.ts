/**
 * The 2014 GAN's MNIST networks and optimiser (goodfeli/adversarial mnist.yaml): layer sizes and
 * parameter counts, initial ranges, the output bias at the logit of the marginals, the learning-rate
 * and momentum schedules at known points, pylearn2's momentum rule against a float64 loop, dropout only
 * in training; no tensors leak.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaksSync, initBackend, makeRng, seed, tf } from '@paperzoo/tensor';
import { GOODFELLOW_MNIST, MaxoutDiscriminator, MlpGenerator, Pylearn2Momentum, goodfellowLearningRate, goodfellowMomentum, sigmoidBiasFromMarginals } from '../src/index.js';
import { AVAILABLE } from '../../tensor/test/backends.js';

beforeAll(async () => {
  await initBackend({ backend: AVAILABLE.native ? 'native' : 'cpu' });
});

describe('MlpGenerator and MaxoutDiscriminator (mnist.yaml)', () => {
  it('have the released sizes, parameter counts and initial ranges', () => {
    const g = new MlpGenerator({ seed: 1 });
    const d = new MaxoutDiscriminator({ seed: 1 });
    try {
      expect(g.parameterCount()).toBe(100 * 1200 + 1200 + 1200 * 1200 + 1200 + 1200 * 784 + 784);
      expect(d.parameterCount()).toBe(784 * 1200 + 1200 + 240 * 1200 + 1200 + 240 + 1);
      const gMax = tf.tidy(() => tf.max(tf.abs(g.variables['h0/kernel'])).dataSync()[0]);
      const dMax = tf.tidy(() => tf.max(tf.abs(d.variables['h0/kernel'])).dataSync()[0]);
      expect(gMax).toBeLessThanOrEqual(0.05);
      expect(gMax).toBeGreaterThan(0.049);
      expect(dMax).toBeLessThanOrEqual(0.005);
      expect(dMax).toBeGreaterThan(0.0049);
    } finally {
      g.dispose();
      d.dispose();
    }
  });

  it('map noise to [n, 784] in (0, 1) and images to logits [n]; dropout only in training; nothing leaks', () => {
    const g = new MlpGenerator({ hidden: [32], seed: 2 });
    const d = new MaxoutDiscriminator({ hiddenUnits: [16, 16], seed: 2 });
    try {
      seed(5);
      assertNoLeaksSync(() => {
        tf.tidy(() => {
          const x = g.sample(6);
          expect(x.shape).toEqual([6, 784]);
          const v = x.dataSync();
          expect(Math.min(...v)).toBeGreaterThan(0);
          expect(Math.max(...v)).toBeLessThan(1);
          const a = d.apply(x).dataSync();
          expect(d.apply(x).shape).toEqual([6]);
          expect(Array.from(d.apply(x).dataSync())).toEqual(Array.from(a)); // evaluation is deterministic
          const t = d.apply(x, { training: true }).dataSync();
          expect(Array.from(t)).not.toEqual(Array.from(a));
        });
      });
    } finally {
      g.dispose();
      d.dispose();
    }
  });

  it('puts σ(output bias) at the per-pixel mean of the data (clipped to [1e-7, 1 − 1e-7])', () => {
    const rng = makeRng(4);
    const data = Float32Array.from({ length: 50 * 4 }, (_, i) => (i % 4 === 3 ? 0 : rng()));
    const b = sigmoidBiasFromMarginals(data, 4);
    for (let j = 0; j < 3; j++) {
      let m = 0;
      for (let i = 0; i < 50; i++) m += data[i * 4 + j];
      expect(1 / (1 + Math.exp(-b[j]))).toBeCloseTo(m / 50, 6);
    }
    expect(b[3]).toBeCloseTo(Math.log(1e-7 / (1 - 1e-7)), 4);
    const g = new MlpGenerator({ hidden: [3], outputs: 4, outputBias: b });
    try {
      expect(Array.from(g.variables['y/bias'].dataSync())).toEqual(Array.from(b));
    } finally {
      g.dispose();
    }
  });

  it('schedules: η = 0.1 / 1.000004^t (floor 1e-6), μ from 0.5 at epoch 1 to 0.7 at epoch 250', () => {
    expect(goodfellowLearningRate(0)).toBe(0.1);
    expect(goodfellowLearningRate(1000)).toBeCloseTo(0.1 * Math.exp(-1000 * Math.log(1.000004)), 12);
    expect(goodfellowLearningRate(1e8)).toBe(1e-6);
    expect(goodfellowMomentum(0)).toBe(0.5);
    expect(goodfellowMomentum(1)).toBe(0.5);
    expect(goodfellowMomentum(125.5)).toBeCloseTo(0.6, 12);
    expect(goodfellowMomentum(250)).toBeCloseTo(0.7, 12);
    expect(goodfellowMomentum(1000)).toBeCloseTo(0.7, 12);
    expect(GOODFELLOW_MNIST.batchSize).toBe(100);
  });

  it('Pylearn2Momentum follows v ← μv − ηg, θ ← θ + v (float64 loop) with η and μ changing', () => {
    const theta = tf.variable(tf.tensor1d([0.3, -1.2, 2]), true, 'p2m-theta');
    const opt = new Pylearn2Momentum({ learningRate: (t: number) => 0.1 / (t + 1), momentum: 0.5 });
    const ref = [0.3, -1.2, 2];
    const vel = [0, 0, 0];
    try {
      for (let t = 0; t < 4; t++) {
        opt.momentum = 0.5 + 0.1 * t;
        const g = Array.from(theta.dataSync()).map((x) => x * x); // the gradient of Σθ³/3 at the variable's value
        const grads = { [theta.name]: tf.tensor1d(g) };
        opt.applyGradients(grads);
        tf.dispose(Object.values(grads));
        for (let i = 0; i < 3; i++) {
          vel[i] = opt.momentum * vel[i] - (0.1 / (t + 1)) * g[i];
          ref[i] += vel[i];
        }
        Array.from(theta.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(ref[i], 5));
      }
    } finally {
      opt.dispose();
      theta.dispose();
    }
  });
});
