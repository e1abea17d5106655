/**
 * WGAN-GP's penalty (src/gradient-penalty.ts) differentiated with respect to the critic's parameters —
 * a second-order gradient — against central finite differences of a float64 implementation of the
 * penalty (its input gradient written out by hand), for a tiny strided-conv critic with LeakyReLU
 * (the conv second-order path) and an MLP critic. On cpu and native.
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, makeRng, assertNoLeaksSync } from '@paperzoo/tensor';
import { gradientPenalty } from '../src/index.js';

const ALPHA = 0.2;
const LAMBDA = 10;
const dlrelu = (a: number) => (a > 0 ? 1 : ALPHA);

/** λ mean_i (√(‖∇f(x̂_i)‖² + 1e-12) − 1)² given each row's input gradient. */
function penalty64(xs: Float64Array[], inputGrad: (x: Float64Array) => Float64Array): number {
  let s = 0;
  for (const x of xs) s += (Math.sqrt(inputGrad(x).reduce((a, g) => a + g * g, 1e-12)) - 1) ** 2;
  return (LAMBDA * s) / xs.length;
}

/** Float64 reference: interpolates x̂ = εx + (1 − ε)x̃ as rows. */
function interpolates64(x: Float32Array, fake: Float32Array, eps: Float32Array, d: number): Float64Array[] {
  return Array.from(eps, (e, i) => Float64Array.from({ length: d }, (_, j) => e * x[i * d + j] + (1 - e) * fake[i * d + j]));
}

interface Case {
  name: string;
  inputShape: number[];
  params: Record<string, number[]>; // shapes
  critic: (v: Record<string, tf.Tensor>) => (x: tf.Tensor) => tf.Tensor;
  /** ∇ₓ f(x) in float64 from the parameter values p (row-major as tfjs). */
  inputGrad64: (p: Record<string, Float64Array>, x: Float64Array) => Float64Array;
}

// MLP: f(x) = lrelu(x W1 + b1) · w2 + b2; ∇ₓf = W1 (lrelu'(a) ⊙ w2)
const D_IN = 5, H = 4;
const mlp: Case = {
  name: 'MLP critic (5 → 4 LeakyReLU → 1)',
  inputShape: [D_IN],
  params: { w1: [D_IN, H], b1: [H], w2: [H, 1], b2: [1] },
  critic: (v) => (x) => tf.add(tf.matMul(tf.leakyRelu(tf.add(tf.matMul(x as tf.Tensor2D, v.w1 as tf.Tensor2D), v.b1), ALPHA) as tf.Tensor2D, v.w2 as tf.Tensor2D), v.b2),
  inputGrad64: (p, x) => {
    const g = new Float64Array(D_IN);
    for (let k = 0; k < H; k++) {
      let a = p.b1[k];
      for (let j = 0; j < D_IN; j++) a += x[j] * p.w1[j * H + k];
      const back = dlrelu(a) * p.w2[k];
      for (let j = 0; j < D_IN; j++) g[j] += p.w1[j * H + k] * back;
    }
    return g;
  },
};

// conv: 7×7×1 → 3×3 kernel, stride 2, valid → 3×3×2, LeakyReLU, flatten · v + b
const S = 7, K = 3, O = 2, OUT = 3;
const conv: Case = {
  name: 'conv critic (3×3 stride-2 conv, 2 maps, LeakyReLU, dense)',
  inputShape: [S, S, 1],
  params: { k: [K, K, 1, O], c: [O], v: [OUT * OUT * O, 1], b: [1] },
  critic: (p) => (x) => {
    const h = tf.leakyRelu(tf.add(tf.conv2d(x as tf.Tensor4D, p.k as tf.Tensor4D, 2, 'valid'), p.c), ALPHA);
    return tf.add(tf.matMul(tf.reshape(h, [x.shape[0], -1]), p.v as tf.Tensor2D), p.b);
  },
  inputGrad64: (p, x) => {
    const g = new Float64Array(S * S);
    for (let i = 0; i < OUT; i++) for (let j = 0; j < OUT; j++) for (let o = 0; o < O; o++) {
      let a = p.c[o];
      for (let u = 0; u < K; u++) for (let w = 0; w < K; w++) a += x[(2 * i + u) * S + 2 * j + w] * p.k[(u * K + w) * O + o];
      const back = dlrelu(a) * p.v[(i * OUT + j) * O + o];
      for (let u = 0; u < K; u++) for (let w = 0; w < K; w++) g[(2 * i + u) * S + 2 * j + w] += p.k[(u * K + w) * O + o] * back;
    }
    return g;
  },
};

describe.each(['cpu', 'native'] as const)('gradient penalty, second order, on %s', (backend) => {
  it.each([mlp, conv])('$name: ∂GP/∂θ equals float64 central differences', async (c) => {
    await initBackend({ backend });
    const rng = makeRng(`gp-${c.name}`);
    const n = 3;
    const d = c.inputShape.reduce((a, b) => a * b, 1);
    const init: Record<string, Float32Array> = Object.fromEntries(Object.entries(c.params).map(([k, s]) => [k, Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => (rng() * 2 - 1) * 0.9)]));
    const x = Float32Array.from({ length: n * d }, () => rng() * 2 - 1);
    const fake = Float32Array.from({ length: n * d }, () => rng() * 2 - 1);
    const eps = Float32Array.from({ length: n }, () => rng());
    const vars = Object.fromEntries(Object.entries(c.params).map(([k, s]) => [k, tf.variable(tf.tensor(init[k], s), true, `gp-${backend}-${c.name.slice(0, 4)}-${k}-${Math.floor(rng() * 1e9)}`)]));
    const xt = tf.tensor(x, [n, ...c.inputShape]);
    const ft = tf.tensor(fake, [n, ...c.inputShape]);
    const et = tf.tensor1d(eps);
    try {
      const grads = assertNoLeaksSync(() => tf.tidy(() => {
        const { value, grads: g } = tf.variableGrads(() => gradientPenalty(c.critic(vars), xt, ft, et, LAMBDA), Object.values(vars));
        const p64 = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, Float64Array.from(v)]));
        expect(value.dataSync()[0]).toBeCloseTo(penalty64(interpolates64(x, fake, eps, d), (r) => c.inputGrad64(p64, r)), 3);
        return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, g[v.name]?.dataSync() ?? new Float32Array(v.size)]));
      }));
      const rows = interpolates64(x, fake, eps, d);
      const h = 1e-6;
      let checked = 0;
      for (const [k, values] of Object.entries(init)) {
        for (let i = 0; i < values.length; i++) {
          const at = (delta: number) => {
            const p64 = Object.fromEntries(Object.entries(init).map(([q, v]) => [q, Float64Array.from(v)]));
            p64[k][i] += delta;
            return penalty64(rows, (r) => c.inputGrad64(p64, r));
          };
          const fd = (at(h) - at(-h)) / (2 * h);
          expect(Math.abs(grads[k][i] - fd), `${k}[${i}]: autodiff ${grads[k][i]}, fd ${fd}`).toBeLessThan(2e-3 * Math.abs(fd) + 2e-4);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10);
      // the bias of the output layer does not change ∇ₓf: its gradient is zero
      expect(Math.max(...Array.from(grads[c === mlp ? 'b2' : 'b'], Math.abs))).toBe(0);
    } finally {
      tf.dispose([...Object.values(vars), xt, ft, et]);
    }
  });
});
