import { describe, expect, it, beforeAll } from 'vitest';
import { tf, initBackend, seed, assertNoLeaks } from '@paperzoo/tensor';
import {
  fgsm, pgd, bim, bimSteps, carliniWagnerL2, adversarialTrainingStep, fgsmObjective, craftAdversarial,
  meanLoss, perExampleLoss, predict, ErrorMeter, UNIT_RANGE, type Classifier,
} from '../src/index.js';

/** A fixed linear model z = xW + b from plain arrays (no variables). */
function linear(w: number[][], b: number[]): { model: Classifier; dispose: () => void } {
  const W = tf.tensor2d(w);
  const B = tf.tensor1d(b);
  return { model: (x) => tf.add(tf.matMul(x.reshape<tf.Tensor2D>([x.shape[0], -1]), W), B), dispose: () => tf.dispose([W, B]) };
}

/** A small fixed random ReLU net 16 → 12 → 3 (nonlinear, for the projection tests). */
function smallNet(s: number): { model: Classifier; dispose: () => void } {
  seed(s);
  const W1 = tf.randomNormal([16, 12], 0, 0.8, 'float32', s);
  const W2 = tf.randomNormal([12, 3], 0, 0.8, 'float32', s + 1);
  return {
    model: (x) => tf.matMul(tf.relu(tf.matMul(x.reshape<tf.Tensor2D>([x.shape[0], -1]), W1)), W2),
    dispose: () => tf.dispose([W1, W2]),
  };
}

const sign = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);

describe.each(['cpu', 'wasm'] as const)('attacks on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('FGSM on logistic regression is the analytic worst case x ∓ ε·sign(w), moving the logit by ε‖w‖₁', async () => {
    const w = [0.5, -1.25, 2, 0, -0.3, 0.75];
    const { model, dispose } = linear(w.map((v) => [v]), [0.1]);
    const xs = [[0.2, 0.4, 0.6, 0.8, 0.1, 0.9], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]];
    const labels = [1, 0];
    const eps = 0.25;
    await assertNoLeaks(() => {
      const x = tf.tensor2d(xs);
      const y = tf.tensor1d(labels, 'int32');
      const adv = fgsm(model, x, y, { epsilon: eps, clip: null });
      const got = adv.arraySync() as number[][];
      const read = (t: tf.Tensor) => {
        const logits = tf.tidy(() => model(t));
        const out = logits.dataSync();
        logits.dispose();
        return out;
      };
      const z = read(adv);
      const z0 = read(x);
      const l1 = w.reduce((a, v) => a + Math.abs(v), 0);
      for (let b = 0; b < 2; b++) {
        // J = softplus(z) − y·z, ∇ₓJ = (σ(z) − y)·w: label 1 → −sign(w), label 0 → +sign(w).
        const dir = labels[b] === 1 ? -1 : 1;
        for (let i = 0; i < w.length; i++) expect(got[b][i]).toBeCloseTo(xs[b][i] + dir * eps * sign(w[i]), 6);
        expect(z[b] - z0[b]).toBeCloseTo(dir * eps * l1, 5);
      }
      tf.dispose([x, y, adv]);
    });
    dispose();
  });

  it('FGSM on a 2-class softmax model steps along sign of the logit-gap weights, and no box vertex does better', () => {
    // z₁ − z₀ = (w₁ − w₀)⊤x: for label 0 the worst case is x + ε·sign(w₁ − w₀), gap change ε‖w₁ − w₀‖₁.
    const W = [[1, -0.5], [0.2, 0.9], [-1.5, 0.25], [0.3, 0.3]]; // [4 inputs, 2 classes]
    const gapW = W.map((r) => r[1] - r[0]);
    const { model, dispose } = linear(W, [0, 0]);
    const x = tf.tensor2d([[0.3, 0.6, 0.2, 0.7]]);
    const y = tf.tensor1d([0], 'int32');
    const eps = 0.1;
    const adv = fgsm(model, x, y, { epsilon: eps, clip: null });
    const a = adv.dataSync();
    const x0 = x.dataSync();
    gapW.forEach((g, i) => expect(a[i]).toBeCloseTo(x0[i] + eps * sign(g), 6));
    const gap = (v: ArrayLike<number>) => gapW.reduce((s, g, i) => s + g * v[i], 0);
    const best = gap(a) - gap(x0);
    expect(best).toBeCloseTo(eps * gapW.reduce((s, g) => s + Math.abs(g), 0), 5);
    for (let m = 0; m < 16; m++) {
      const vertex = Array.from(x0, (v, i) => v + eps * ((m >> i) & 1 ? 1 : -1));
      expect(gap(vertex) - gap(x0)).toBeLessThanOrEqual(best + 1e-6);
    }
    tf.dispose([x, y, adv]);
    dispose();
  });

  it('targeted FGSM lowers the loss of the target class', () => {
    const { model, dispose } = smallNet(3);
    seed(1);
    const x = tf.randomUniform([8, 16], 0, 1, 'float32', 7);
    const target = tf.tensor1d([2, 2, 2, 2, 1, 1, 1, 1], 'int32');
    const adv = fgsm(model, x, target, { epsilon: 0.05, targeted: true, clip: UNIT_RANGE });
    const before = meanLoss(model(x), target).dataSync()[0];
    const after = meanLoss(model(adv), target).dataSync()[0];
    expect(after).toBeLessThan(before);
    tf.dispose([x, target, adv]);
    dispose();
  });

  it('clips to the pixel range only when asked', () => {
    const { model, dispose } = linear([[1], [-1]], [0]);
    const x = tf.tensor2d([[0.95, 0.05]]);
    const y = tf.tensor1d([0], 'int32'); // label 0 → push z up → x + ε·sign(w) = [1.2, −0.2]
    const free = fgsm(model, x, y, { epsilon: 0.25, clip: null });
    const clipped = fgsm(model, x, y, { epsilon: 0.25, clip: UNIT_RANGE });
    expect(Array.from(free.dataSync())).toEqual([expect.closeTo(1.2, 6), expect.closeTo(-0.2, 6)]);
    expect(Array.from(clipped.dataSync())).toEqual([1, 0]);
    tf.dispose([x, y, free, clipped]);
    dispose();
  });

  it.each(['linf', 'l2'] as const)('PGD (%s) never leaves the ε-ball and respects clipping, and leaks nothing', async (norm) => {
    const { model, dispose } = smallNet(5);
    const x = tf.randomUniform([32, 16], 0, 1, 'float32', 11);
    const y = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32');
    const eps = norm === 'linf' ? 0.3 : 1.0;
    seed(42);
    const adv = await assertNoLeaks(() => pgd(model, x, y, { epsilon: eps, stepSize: norm === 'linf' ? 0.1 : 0.4, steps: 10, norm, clip: UNIT_RANGE, restarts: 2 }), { allow: 1 });
    const a = adv.arraySync() as number[][];
    const x0 = x.arraySync() as number[][];
    for (let b = 0; b < 32; b++) {
      const d = a[b].map((v, i) => v - x0[b][i]);
      if (norm === 'linf') expect(Math.max(...d.map(Math.abs))).toBeLessThanOrEqual(eps + 1e-6);
      else expect(Math.hypot(...d)).toBeLessThanOrEqual(eps * (1 + 1e-5));
      for (const v of a[b]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    // Without clipping, large steps still stay in the ball (and may leave [0, 1]).
    const free = pgd(model, x, y, { epsilon: eps, stepSize: eps, steps: 3, norm, clip: null });
    const f = free.arraySync() as number[][];
    for (let b = 0; b < 32; b++) {
      const d = f[b].map((v, i) => v - x0[b][i]);
      if (norm === 'linf') expect(Math.max(...d.map(Math.abs))).toBeLessThanOrEqual(eps + 1e-6);
      else expect(Math.hypot(...d)).toBeLessThanOrEqual(eps * (1 + 1e-5));
    }
    // The attack raises the loss over the clean input.
    expect(tf.mean(perExampleLoss(model(adv), y)).dataSync()[0]).toBeGreaterThan(tf.mean(perExampleLoss(model(x), y)).dataSync()[0]);
    tf.dispose([x, y, adv, free]);
    dispose();
  });

  it('PGD random start comes from the seeded generator: same seed, same result', () => {
    const { model, dispose } = smallNet(6);
    const x = tf.randomUniform([4, 16], 0, 1, 'float32', 3);
    const y = tf.tensor1d([0, 1, 2, 0], 'int32');
    const run = (s: number) => {
      seed(s);
      const adv = pgd(model, x, y, { epsilon: 0.3, stepSize: 0.01, steps: 2, clip: UNIT_RANGE });
      const out = Array.from(adv.dataSync());
      adv.dispose();
      return out;
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
    tf.dispose([x, y]);
    dispose();
  });

  it('BIM uses Kurakin et al.\'s step count and starts at x', async () => {
    expect(bimSteps(8 / 255)).toBe(10); // min(8 + 4, 1.25·8) = 10
    expect(bimSteps(2 / 255)).toBe(3); // min(6, 2.5) → 3
    expect(bimSteps(32 / 255)).toBe(36);
    const { model, dispose } = linear([[1], [-2]], [0]);
    const x = tf.tensor2d([[0.5, 0.5]]);
    const y = tf.tensor1d([0], 'int32');
    // Linear model: every step moves by α·sign(w) until the ε box stops it: 0.5 + min(ε, steps·α).
    const adv = await assertNoLeaks(() => bim(model, x, y, { epsilon: 0.1, stepSize: 0.03, steps: 2, clip: UNIT_RANGE }), { allow: 1 });
    expect(Array.from(adv.dataSync()).map((v) => +v.toFixed(6))).toEqual([0.56, 0.44]);
    tf.dispose([x, y, adv]);
    dispose();
  });

  it('Carlini–Wagner L2 finds the analytic minimum on a linear model and far smaller perturbations than FGSM', async () => {
    // Binary linear model with logits [0, w⊤x + b]: the closest boundary point is at L2 distance |z|/‖w‖₂.
    const w = [0.8, -0.6, 0.5, 0.2, -0.9, 0.4, 0.1, -0.3];
    const W = w.map((v) => [0, v]);
    const { model, dispose } = linear(W, [0, -0.2]);
    seed(2);
    const x = tf.randomUniform([6, 8], 0.3, 0.7, 'float32', 21);
    const y = predict(model, x).classes;
    const yT = tf.tensor1d(Array.from(y), 'int32');
    const res = await assertNoLeaks(() => carliniWagnerL2(model, x, yT, { clip: null, binarySearchSteps: 8, maxIterations: 150, learningRate: 0.01 }), { allow: 1 });
    const z = model(x).arraySync() as number[][];
    const wNorm = Math.hypot(...w);
    const eps = 0.25;
    const fg = fgsm(model, x, yT, { epsilon: eps, clip: null });
    const fgPred = predict(model, fg).classes;
    const fgL2 = Math.sqrt(8) * eps;
    for (let b = 0; b < 6; b++) {
      expect(res.success[b]).toBe(true);
      const analytic = Math.abs(z[b][1] - z[b][0]) / wNorm;
      expect(res.l2[b]).toBeGreaterThanOrEqual(analytic * 0.999);
      expect(res.l2[b]).toBeLessThan(analytic * 1.05 + 1e-3);
      if (fgPred[b] !== y[b]) expect(res.l2[b]).toBeLessThan(fgL2);
    }
    expect(predict(model, res.adversarial).classes.every((c, i) => c !== y[i])).toBe(true);
    tf.dispose([x, yT, res.adversarial, fg]);
    dispose();
  });

  it('Carlini–Wagner L2 with the [0, 1] box stays in range and beats FGSM in L2 on a small net', () => {
    const { model, dispose } = smallNet(8);
    const x = tf.randomUniform([8, 16], 0, 1, 'float32', 4);
    const y = tf.tensor1d(Array.from(predict(model, x).classes), 'int32');
    const res = carliniWagnerL2(model, x, y, { clip: UNIT_RANGE, binarySearchSteps: 5, maxIterations: 100, initialConst: 1 });
    const a = res.adversarial.dataSync();
    for (const v of a) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    const fg = fgsm(model, x, y, { epsilon: 0.3, clip: UNIT_RANGE });
    const fgL2 = tf.sqrt(tf.sum(tf.square(tf.sub(fg, x)), -1)).dataSync();
    const fgPred = predict(model, fg).classes;
    const yArr = y.dataSync();
    let compared = 0;
    for (let b = 0; b < 8; b++) {
      if (res.success[b] && fgPred[b] !== yArr[b]) {
        expect(res.l2[b]).toBeLessThan(fgL2[b]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
    expect(res.success.filter(Boolean).length).toBeGreaterThanOrEqual(5);
    tf.dispose([x, y, res.adversarial, fg]);
    dispose();
  });

  it('adversarial training steps (FGSM objective and PGD) leak nothing; J̃ = αJ(x) + (1−α)J(x̃)', async () => {
    const W = tf.variable(tf.randomNormal([16, 3], 0, 0.3, 'float32', 1), true);
    const model: Classifier = (x) => tf.matMul(x, W);
    const opt = tf.train.sgd(0.1);
    const x = tf.randomUniform([10, 16], 0, 1, 'float32', 2);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32');
    seed(3);
    await assertNoLeaks(() => {
      for (let i = 0; i < 3; i++) {
        adversarialTrainingStep({ model, optimizer: opt, x, labels: y, attack: { method: 'fgsm', epsilon: 0.1, clip: null } });
        adversarialTrainingStep({ model, optimizer: opt, x, labels: y, attack: { method: 'pgd', epsilon: 0.1, stepSize: 0.03, steps: 3, clip: UNIT_RANGE } });
      }
    });
    const xAdv = craftAdversarial(model, x, y, { method: 'fgsm', epsilon: 0.1, clip: null });
    const j = meanLoss(model(x), y).dataSync()[0];
    const jAdv = meanLoss(model(xAdv), y).dataSync()[0];
    expect(fgsmObjective(model, x, xAdv, y, 0.5).dataSync()[0]).toBeCloseTo(0.5 * j + 0.5 * jAdv, 5);
    expect(jAdv).toBeGreaterThan(j);
    tf.dispose([W, x, y, xAdv]);
    opt.dispose();
  });

  it('counts error and confidence on errors', () => {
    const m = new ErrorMeter();
    m.add([1, 2, 3, 4], [0.9, 0.6, 0.8, 0.5], [1, 0, 0, 4]);
    expect(m.error).toBe(0.5);
    expect(m.meanConfidenceOnErrors).toBeCloseTo(0.7, 10);
    expect(m.meanConfidence).toBeCloseTo(0.7, 10);
  });
});
