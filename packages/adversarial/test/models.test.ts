import { describe, expect, it, beforeAll } from 'vitest';
import { PNG } from 'pngjs';
import { tf, initBackend, seed, assertNoLeaks, makeRng } from '@paperzoo/tensor';
import { MadryCnn, MaxoutNetwork, RbfNetwork, SoftmaxRegression, LogisticRegression, meanLoss, adversarialGridPng, Canvas } from '../src/index.js';

describe.each(['cpu', 'wasm'] as const)('models on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it("Madry et al.'s MNIST CNN has 3,274,634 parameters and trains without leaks", async () => {
    const paper = new MadryCnn({ seed: 1 });
    // conv 5·5·1·32 + 32, conv 5·5·32·64 + 64, fc 3136·1024 + 1024, fc 1024·10 + 10
    expect(paper.parameterCount()).toBe(832 + 51264 + 3212288 + 10250);
    paper.dispose();
    const small = new MadryCnn({ seed: 1, filters: [4, 8], hidden: 16 });
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 1);
    const y = tf.tensor1d([1, 2, 3], 'int32');
    const opt = tf.train.sgd(0.01);
    await assertNoLeaks(() => {
      for (let i = 0; i < 2; i++) opt.minimize(() => meanLoss(small.apply(x), y));
    });
    const logits = small.apply(x);
    expect(logits.shape).toEqual([3, 10]);
    tf.dispose([x, y, logits]);
    opt.dispose();
    small.dispose();
  });

  it('the maxout network takes the max over k pieces, applies max-norm, and trains without leaks', async () => {
    const net = new MaxoutNetwork({ seed: 2 });
    // 784·(240·5) + 1200, 240·1200 + 1200, 240·10 + 10 (Goodfellow et al. 2013, §5.1).
    expect(net.parameterCount()).toBe(784 * 1200 + 1200 + 240 * 1200 + 1200 + 2410);
    net.dispose();
    const small = new MaxoutNetwork({ seed: 2, inputs: 4, hiddenUnits: [2], pieces: 3, classes: 2, maxNorm: 0.5, initRange: 1 });
    const x = tf.tensor2d([[1, -2, 0.5, 3]]);
    const k = small.variables['h0/kernel'].arraySync() as number[][]; // [4, 6]
    const z = [0, 1, 2, 3, 4, 5].map((j) => [1, -2, 0.5, 3].reduce((s, v, i) => s + v * k[i][j], 0));
    const h = [Math.max(z[0], z[2], z[4]), Math.max(z[1], z[3], z[5])]; // piece-major columns: piece j of unit i is j·2 + i
    const o = small.variables['out/kernel'].arraySync() as number[][];
    const expected = [0, 1].map((c) => h[0] * o[0][c] + h[1] * o[1][c]);
    const got = small.apply(x).arraySync()[0];
    expect(got[0]).toBeCloseTo(expected[0], 4);
    expect(got[1]).toBeCloseTo(expected[1], 4);
    small.applyMaxNorm();
    const norms = tf.sqrt(tf.sum(tf.square(small.variables['h0/kernel']), 0)).arraySync() as number[];
    for (const n of norms) expect(n).toBeLessThanOrEqual(0.5 + 1e-5);
    const opt = tf.train.sgd(0.1);
    const y = tf.tensor1d([1], 'int32');
    seed(4);
    await assertNoLeaks(() => {
      for (let i = 0; i < 2; i++) {
        opt.minimize(() => meanLoss(small.apply(x, { training: true }), y));
        small.applyMaxNorm();
      }
    });
    tf.dispose([x, y]);
    opt.dispose();
    small.dispose();
  });

  it('the RBF network computes −Σ β(x − μ)² per class', () => {
    const centres = tf.tensor2d([[0, 1], [1, 0]]);
    const rbf = new RbfNetwork({ inputs: 2, classes: 2, initCentres: centres, initPrecision: 2 });
    const a = rbf.apply(tf.tensor2d([[0.5, 0.25]])).arraySync()[0];
    expect(a[0]).toBeCloseTo(-2 * (0.25 + 0.5625), 5);
    expect(a[1]).toBeCloseTo(-2 * (0.25 + 0.0625), 5);
    centres.dispose();
    rbf.dispose();
  });

  it('softmax and logistic regression map [B, 28, 28, 1] to logits', () => {
    const x = tf.zeros([2, 28, 28, 1]);
    const s = new SoftmaxRegression({ seed: 1 });
    const l = new LogisticRegression({ seed: 1 });
    expect(s.apply(x).shape).toEqual([2, 10]);
    expect(l.apply(x).shape).toEqual([2, 1]);
    expect(s.parameterCount()).toBe(7850);
    s.dispose();
    l.dispose();
    x.dispose();
  });

  it("keeps the initial values the models drew before they became Modules (one keyed generator, creation order)", () => {
    const rng = makeRng('maxout:3');
    const uniform = (n: number) => Float32Array.from({ length: n }, () => (rng() * 2 - 1) * 0.05);
    const net = new MaxoutNetwork({ seed: 3, inputs: 4, hiddenUnits: [2], pieces: 2, classes: 3, initRange: 0.05 });
    const v = net.variables;
    expect(Array.from(v['h0/kernel'].dataSync())).toEqual(Array.from(uniform(16)));
    expect(Array.from(v['out/kernel'].dataSync())).toEqual(Array.from(uniform(6)));
    expect(Array.from(v['out/bias'].dataSync())).toEqual([0, 0, 0]);
    net.dispose();
    const lr = makeRng('softmax-regression:2');
    const softmax = new SoftmaxRegression({ seed: 2, inputs: 3, classes: 2 });
    expect(Array.from(softmax.kernel.value.dataSync())).toEqual(Array.from(Float32Array.from({ length: 6 }, () => (lr() * 2 - 1) * 0.01)));
    expect(new MadryCnn({ allocate: false }).parameterCount()).toBe(3274634);
    softmax.dispose();
  });
});

describe('adversarial grid PNG', () => {
  it('encodes clean | adversarial | perturbation tiles with label strips', () => {
    const clean = Array.from({ length: 28 * 28 }, (_, i) => (i % 28 > 10 && i % 28 < 18 ? 1 : 0));
    const adversarial = clean.map((v, i) => v + (i % 2 ? 0.25 : -0.25));
    const png = adversarialGridPng(
      [{ clean, adversarial, label: 1, cleanPrediction: { label: 1, confidence: 0.99 }, adversarialPrediction: { label: 7, confidence: 0.8 } }],
      { title: 'FGSM EPS 0.25', perturbationCaption: 'EPS 0.25' },
    );
    const decoded = PNG.sync.read(png);
    expect(decoded.width).toBe(6 + 3 * (84 + 6));
    expect(decoded.height).toBeGreaterThan(84);
    expect(Canvas.textWidth('AB', 2)).toBe(14);
  });
});
