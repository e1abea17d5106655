/**
 * Each update rule, a few steps worked out by hand from the paper's equations (each expected value
 * is written as the arithmetic that produces it), on f(θ) = ½·a·θ² with a = 2, θ₀ = 1, so g = 2θ —
 * or on a given gradient sequence. Tolerance: float32, |Δ| ≤ 1e-6 + 1e-6·|θ|.
 */
import { initBackend, tf } from '@paperzoo/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ag from '../src/index.js';
import { expectClose } from './helpers.js';

const TOLERANCE = { atol: 1e-6, rtol: 1e-6 };
let counter = 0;

/** θ after each of `steps` updates on f(θ) = θ² (g = 2θ) from θ₀ = 1. */
function onQuadratic(optimizer: ag.Optimizer, steps: number, theta0 = 1): number[] {
  const theta = tf.variable(tf.scalar(theta0), true, `closed-form-${++counter}`);
  const out: number[] = [];
  for (let t = 0; t < steps; t++) {
    const { value, grads } = tf.variableGrads(() => tf.square(theta), [theta]);
    optimizer.applyGradients(grads);
    tf.dispose([value, grads]);
    out.push(theta.dataSync()[0]);
  }
  theta.dispose();
  optimizer.dispose();
  return out;
}

/** θ after each update when the gradients are given (θ₀ = 1). */
function onGradients(optimizer: ag.Optimizer, gradients: number[], theta0 = 1): number[] {
  const theta = tf.variable(tf.scalar(theta0), true, `closed-form-${++counter}`);
  const out = gradients.map((g) => {
    const grad = tf.scalar(g);
    optimizer.applyGradients(new Map([[theta, grad]]));
    grad.dispose();
    return theta.dataSync()[0];
  });
  theta.dispose();
  optimizer.dispose();
  return out;
}

describe('update rules, worked by hand', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  afterAll(() => tf.disposeVariables());

  it('SGD: θ_t = θ_{t−1} − η g = (1 − 2η)^t', () => {
    expectClose(onQuadratic(new ag.SGD({ learningRate: 0.1 }), 3), [0.8, 0.64, 0.512], TOLERANCE, 'SGD');
  });

  it('Momentum (Polyak): v = μv + g, θ −= ηv', () => {
    // g₁ = 2, v₁ = 2, θ₁ = 1 − 0.2 = 0.8; g₂ = 1.6, v₂ = 1.8 + 1.6 = 3.4, θ₂ = 0.8 − 0.34 = 0.46;
    // g₃ = 0.92, v₃ = 3.06 + 0.92 = 3.98, θ₃ = 0.46 − 0.398 = 0.062
    expectClose(onQuadratic(new ag.Momentum({ learningRate: 0.1, momentum: 0.9 }), 3), [0.8, 0.46, 0.062], TOLERANCE, 'Momentum');
  });

  it('Nesterov: v = μv + g, θ −= η(g + μv)', () => {
    // g₁ = 2, v₁ = 2, θ₁ = 1 − 0.1·(2 + 1.8) = 0.62; g₂ = 1.24, v₂ = 1.8 + 1.24 = 3.04,
    // θ₂ = 0.62 − 0.1·(1.24 + 2.736) = 0.2224; g₃ = 0.4448, v₃ = 2.736 + 0.4448 = 3.1808,
    // θ₃ = 0.2224 − 0.1·(0.4448 + 2.86272) = −0.108352
    expectClose(onQuadratic(new ag.Nesterov({ learningRate: 0.1, momentum: 0.9 }), 3), [0.62, 0.2224, -0.108352], TOLERANCE, 'Nesterov');
  });

  it('Adagrad: G += g², θ −= η g/(δ + √G)', () => {
    // g₁ = 2, G₁ = 4, θ₁ = 1 − 0.1·2/2 = 0.9; g₂ = 1.8, G₂ = 7.24, θ₂ = 0.9 − 0.18/√7.24
    const theta2 = 0.9 - 0.18 / Math.sqrt(7.24);
    expectClose(onQuadratic(new ag.Adagrad({ learningRate: 0.1, epsilon: 0 }), 2), [0.9, theta2], TOLERANCE, 'Adagrad');
    // with G₀ = 0.1 and δ = 0.5: θ₁ = 1 − 0.1·2/(0.5 + √4.1)
    expectClose(onQuadratic(new ag.Adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.1, epsilon: 0.5 }), 1), [1 - 0.2 / (0.5 + Math.sqrt(4.1))], TOLERANCE, 'Adagrad G₀, δ');
  });

  it('RMSProp: s = ρs + (1−ρ)g², θ −= η g/√(s + ε)', () => {
    // g₁ = 2, s₁ = 0.1·4 = 0.4, θ₁ = 1 − 0.01·2/√0.4; g₂ = 2θ₁, s₂ = 0.36 + 0.1·g₂², θ₂ = θ₁ − 0.01·g₂/√s₂
    const theta1 = 1 - 0.02 / Math.sqrt(0.4);
    const g2 = 2 * theta1;
    const theta2 = theta1 - (0.01 * g2) / Math.sqrt(0.36 + 0.1 * g2 * g2);
    expectClose(onQuadratic(new ag.RMSProp({ learningRate: 0.01, decay: 0.9, epsilon: 0 }), 2), [theta1, theta2], TOLERANCE, 'RMSProp');
  });

  it('RMSProp centred: divides by √(s − ḡ² + ε)', () => {
    // g₁ = 2: s₁ = 0.4, ḡ₁ = 0.2, θ₁ = 1 − 0.01·2/√(0.4 − 0.04)
    expectClose(onQuadratic(new ag.RMSProp({ learningRate: 0.01, decay: 0.9, epsilon: 0, centered: true }), 1), [1 - 0.02 / Math.sqrt(0.36)], TOLERANCE, 'RMSProp centred');
  });

  it('Adadelta (Zeiler Algorithm 1): Δ = √(E[Δ²] + ε)/√(E[g²] + ε)·g with the new E[g²]', () => {
    // g₁ = 2: E[g²]₁ = 0.05·4 = 0.2, Δ₁ = √1e-6/√(0.2 + 1e-6)·2, E[Δ²]₁ = 0.05·Δ₁²
    const delta1 = (Math.sqrt(1e-6) / Math.sqrt(0.2 + 1e-6)) * 2;
    const theta1 = 1 - delta1;
    const g2 = 2 * theta1;
    const eg2 = 0.95 * 0.2 + 0.05 * g2 * g2;
    const delta2 = (Math.sqrt(0.05 * delta1 * delta1 + 1e-6) / Math.sqrt(eg2 + 1e-6)) * g2;
    expectClose(onQuadratic(new ag.Adadelta(), 2), [theta1, theta1 - delta2], TOLERANCE, 'Adadelta');
  });

  it('Adam: the first step is η·g/(|g| + ε) in every coordinate; then bias-corrected moments', () => {
    // g₁ = 2: m₁ = 0.2, v₁ = 0.004, m̂₁ = 2, v̂₁ = 4, θ₁ = 1 − 0.1·2/2 = 0.9
    // g₂ = 1.8: m₂ = 0.18 + 0.18 = 0.36, v₂ = 0.003996 + 0.00324 = 0.007236,
    // m̂₂ = 0.36/0.19, v̂₂ = 0.007236/(1 − 0.999²), θ₂ = 0.9 − 0.1·m̂₂/√v̂₂
    const theta2 = 0.9 - (0.1 * (0.36 / 0.19)) / Math.sqrt(0.007236 / (1 - 0.999 ** 2));
    expectClose(onQuadratic(new ag.Adam({ learningRate: 0.1, epsilon: 0 }), 2), [0.9, theta2], TOLERANCE, 'Adam');
  });

  it('AMSGrad keeps the largest v: with gradients 10, 0.1, 0.1 it steps less than Adam', () => {
    // v₁ = 0.001·100 = 0.1; v₂ = 0.0999 + 1e-5 = 0.09991 < v₁, so v̂max₂ = 0.1
    // m₁ = 1, m₂ = 0.9 + 0.01 = 0.91; θ₂ = θ₁ − 0.1·(0.91/0.19)/√(0.1/(1 − 0.999²))
    const theta1 = 1 - 0.1; // first step: m̂ = 10, v̂ = 100
    const amsTheta2 = theta1 - (0.1 * (0.91 / 0.19)) / Math.sqrt(0.1 / (1 - 0.999 ** 2));
    const adamTheta2 = theta1 - (0.1 * (0.91 / 0.19)) / Math.sqrt(0.09991 / (1 - 0.999 ** 2));
    const ams = onGradients(new ag.AMSGrad({ learningRate: 0.1, epsilon: 0 }), [10, 0.1, 0.1]);
    const adam = onGradients(new ag.Adam({ learningRate: 0.1, epsilon: 0 }), [10, 0.1, 0.1]);
    expectClose(ams.slice(0, 2), [theta1, amsTheta2], TOLERANCE, 'AMSGrad');
    expectClose(adam.slice(0, 2), [theta1, adamTheta2], TOLERANCE, 'Adam');
    expect(1 - ams[2]).toBeLessThan(1 - adam[2]);
  });

  it('AdamW: θ_t = (1 − ηλ)θ_{t−1} − η·m̂/(√v̂ + ε)', () => {
    // g₁ = 2: Adam direction 1, θ₁ = (1 − 0.1·0.5)·1 − 0.1 = 0.85
    expectClose(onQuadratic(new ag.AdamW({ learningRate: 0.1, weightDecay: 0.5, epsilon: 0 }), 1), [0.85], TOLERANCE, 'AdamW');
  });

  it('Nadam: θ₁ = θ₀ − η[(1 − μ₁)g/(1 − μ₁) + μ₂m₁/(1 − μ₁μ₂)]/(√v̂₁ + ε)', () => {
    const mu1 = 0.9 * (1 - 0.5 * 0.96 ** 0.004);
    const mu2 = 0.9 * (1 - 0.5 * 0.96 ** 0.008);
    // g₁ = 2: m₁ = 0.2, v̂₁ = 4
    const theta1 = 1 - (0.1 * (2 + (mu2 * 0.2) / (1 - mu1 * mu2))) / 2;
    const opt = new ag.Nadam({ learningRate: 0.1, epsilon: 0 });
    expect(opt.momentumAt(1)).toBeCloseTo(mu1, 12);
    expectClose(onQuadratic(opt, 1), [theta1], TOLERANCE, 'Nadam');
  });

  it('RAdam: plain momentum-SGD steps θ −= η m̂ while ρ_t ≤ 5 (t ≤ 5 for β₂ = 0.999), rectified Adam from t = 6', () => {
    const radam = new ag.RAdam({ learningRate: 0.1 });
    expect([1, 2, 3, 4, 5].map((t) => radam.rho(t) <= 5)).toEqual([true, true, true, true, true]);
    expect(radam.rho(6)).toBeGreaterThan(5);
    // t = 1: m̂₁ = g₁ = 2, θ₁ = 1 − 0.2 = 0.8;  t = 2: g₂ = 1.6, m₂ = 0.18 + 0.16 = 0.34, m̂₂ = 0.34/0.19
    const theta2 = 0.8 - 0.1 * (0.34 / 0.19);
    expectClose(onQuadratic(radam, 2), [0.8, theta2], TOLERANCE, 'RAdam');
  });

  it('Adamax: u = max(β₂u, |g|), θ −= η/(1 − β₁^t)·m/(u + ε)', () => {
    // gradients 2, then −3: m₁ = 0.2, u₁ = 2, θ₁ = 1 − 0.1/0.1·0.1 = 0.9;
    // m₂ = 0.18 − 0.3 = −0.12, u₂ = max(1.998, 3) = 3, θ₂ = 0.9 + 0.1/0.19·0.04
    expectClose(onGradients(new ag.Adamax({ learningRate: 0.1, epsilon: 0 }), [2, -3]), [0.9, 0.9 + (0.1 / 0.19) * 0.04], TOLERANCE, 'Adamax');
  });

  it('Lookahead(SGD, k = 2, α = 0.5): every 2nd step φ ← φ + α(θ − φ), θ ← φ', () => {
    // fast: 0.8, 0.64 → φ = 1 + 0.5·(0.64 − 1) = 0.82, θ = 0.82; fast: 0.656, 0.5248 → φ = 0.82 + 0.5·(0.5248 − 0.82) = 0.6724
    const opt = new ag.Lookahead(new ag.SGD({ learningRate: 0.1 }), { k: 2, alpha: 0.5 });
    expectClose(onQuadratic(opt, 4), [0.8, 0.82, 0.656, 0.6724], TOLERANCE, 'Lookahead');
  });
});
