/**
 * Fused training ops (src/kernels/fused.ts) on every backend: batchNormTraining (the native backend's
 * one-kernel forward and backward; composed tfjs ops elsewhere) and the relu/tanh/sigmoid gradients
 * (the native backend's PaperzooActivationGrad), against float64 references:
 *
 * - forward y, μ, σ² against a float64 loop; NHWC and [B, C] inputs, negative values, and a mean far
 *   from zero (|μ| ≫ σ, where a one-pass variance cancels);
 * - the gradients with respect to x, γ and β of L = Σ w·y + Σ a·μ + Σ b·σ² (so the gradients reaching
 *   the returned statistics are exercised) against central finite differences in float64;
 * - a Hessian-vector product (the gradient of ⟨∂L/∂x, v⟩) against finite differences of the float64
 *   closed-form gradient, which the previous check validates;
 * - on native, that the fused kernels really ran (tf.profile's kernel names);
 * - tf.batchNorm with given statistics (FusedBatchNorm): its gradients with respect to x, μ, σ², γ and β
 *   against float64 finite differences (one PaperzooBatchNormGrad kernel on native, tfjs' elsewhere),
 *   and a Hessian-vector product through ∂L/∂σ² (the composed gradient, differentiated again).
 */
import { describe, expect, it } from 'vitest';
import { tf, batchNormTraining } from '../src/index.js';
import { ALL, AVAILABLE, on, tensor } from './backends.js';
import { randomTensor, relError, rng, type Tensor64 } from './reference.js';

const EPS = 1e-3;

interface Bn64 {
  y: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
}

/** Algorithm 1 in float64: statistics per channel (last axis) over every other axis. */
function bn64(x: Float64Array, c: number, scale: Float64Array, offset: Float64Array): Bn64 {
  const rows = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let r = 0; r < rows; r++) for (let j = 0; j < c; j++) mean[j] += x[r * c + j] / rows;
  for (let r = 0; r < rows; r++) for (let j = 0; j < c; j++) variance[j] += (x[r * c + j] - mean[j]) ** 2 / rows;
  const y = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) for (let j = 0; j < c; j++) y[r * c + j] = (scale[j] * (x[r * c + j] - mean[j])) / Math.sqrt(variance[j] + EPS) + offset[j];
  return { y, mean, variance };
}

const dot = (p: ArrayLike<number>, q: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i] * q[i];
  return s;
};

/** L = Σ w·y + Σ a·μ + Σ b·σ² in float64. */
function loss64(x: Float64Array, c: number, scale: Float64Array, offset: Float64Array, w: Float64Array, a: Float64Array, b: Float64Array): number {
  const r = bn64(x, c, scale, offset);
  return dot(w, r.y) + dot(a, r.mean) + dot(b, r.variance);
}

/** Central differences of f at every entry of p (f reads p). */
function fd(p: Float64Array, f: () => number, h: number): Float64Array {
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const keep = p[i];
    p[i] = keep + h;
    const up = f();
    p[i] = keep - h;
    const down = f();
    p[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/** The closed-form ∂L/∂x (the formula the fused backward kernel implements), float64. */
function gradX64(x: Float64Array, c: number, scale: Float64Array, w: Float64Array, a: Float64Array, b: Float64Array): Float64Array {
  const rows = x.length / c;
  const { mean, variance } = bn64(x, c, scale, new Float64Array(c));
  const dx = new Float64Array(x.length);
  for (let j = 0; j < c; j++) {
    const inv = 1 / Math.sqrt(variance[j] + EPS);
    let sdy = 0;
    let sdyx = 0;
    for (let r = 0; r < rows; r++) {
      sdy += w[r * c + j];
      sdyx += w[r * c + j] * (x[r * c + j] - mean[j]) * inv;
    }
    for (let r = 0; r < rows; r++) {
      const xhat = (x[r * c + j] - mean[j]) * inv;
      dx[r * c + j] = scale[j] * inv * (w[r * c + j] - sdy / rows - (xhat * sdyx) / rows) + a[j] / rows + (2 * b[j] * (x[r * c + j] - mean[j])) / rows;
    }
  }
  return dx;
}

interface Case {
  name: string;
  shape: number[];
  shift: number;
}

const CASES: Case[] = [
  { name: 'NHWC [2, 3, 4, 5]', shape: [2, 3, 4, 5], shift: 0 },
  { name: 'dense [7, 3]', shape: [7, 3], shift: 0 },
  { name: 'NHWC [3, 5, 5, 16], mean ≈ −40 (|μ| ≫ σ)', shape: [3, 5, 5, 16], shift: -40 },
  { name: 'NHWC [4, 2, 3, 2] (8 values per channel… ×3)', shape: [4, 2, 3, 2], shift: 3 },
];

function data(k: Case, seed: number): { x: Tensor64; scale: Tensor64; offset: Tensor64; w: Tensor64; a: Tensor64; b: Tensor64; v: Tensor64 } {
  const random = rng(seed);
  const c = k.shape[k.shape.length - 1];
  const x = randomTensor(k.shape, random, -2 + k.shift, 2 + k.shift);
  return {
    x,
    scale: randomTensor([c], random, -1.5, 1.5),
    offset: randomTensor([c], random, -1, 1),
    w: randomTensor(k.shape, random, -1, 1),
    a: randomTensor([c], random, -1, 1),
    b: randomTensor([c], random, -1, 1),
    v: randomTensor(k.shape, random, -1, 1),
  };
}

describe.each(ALL.map((b) => [b, AVAILABLE[b]] as const))('batchNormTraining on %s', (backend, available) => {
  it.skipIf(!available).each(CASES)('$name: forward, gradients and Hessian-vector product against float64', async (k) => {
    const d = data(k, 11 + k.shape.reduce((p, q) => p * q, 1));
    const c = k.shape[k.shape.length - 1];
    const lossTf = (x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor): tf.Scalar => {
      const r = batchNormTraining(x, scale, offset, EPS);
      return tf.addN([tf.sum(tf.mul(r.y, tensor(d.w))), tf.sum(tf.mul(r.mean, tensor(d.a))), tf.sum(tf.mul(r.variance, tensor(d.b)))]) as tf.Scalar;
    };
    const [y, mean, variance, dx, dscale, doffset, hv] = await on(backend, () => {
      const [x, scale, offset] = [tensor(d.x), tensor(d.scale), tensor(d.offset)];
      const r = batchNormTraining(x, scale, offset, EPS);
      const grads = tf.grads(lossTf)([x, scale, offset]);
      const hvp = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.grad((q: tf.Tensor) => lossTf(q, scale, offset))(p), tensor(d.v))))(x);
      return [r.y, r.mean, r.variance, ...grads, hvp];
    });
    const want = bn64(d.x.data, c, d.scale.data, d.offset.data);
    // a mean of −40 costs float32 inputs ~2⁻¹⁸ relative precision in x − μ
    const fwdTol = k.shift !== 0 ? 3e-5 : 1e-5;
    expect(relError(y, want.y), 'y').toBeLessThan(fwdTol);
    expect(relError(mean, want.mean), 'mean').toBeLessThan(1e-5);
    expect(relError(variance, want.variance), 'variance').toBeLessThan(fwdTol);

    const x = Float64Array.from(d.x.data);
    const scale = Float64Array.from(d.scale.data);
    const offset = Float64Array.from(d.offset.data);
    const L = (): number => loss64(x, c, scale, offset, d.w.data, d.a.data, d.b.data);
    const fdX = fd(x, L, 1e-5);
    expect(relError(gradX64(x, c, scale, d.w.data, d.a.data, d.b.data), fdX), 'closed-form float64 ∂L/∂x vs finite differences').toBeLessThan(1e-6);
    expect(relError(dx, fdX), 'dx').toBeLessThan(2e-4);
    expect(relError(dscale, fd(scale, L, 1e-5)), 'dscale').toBeLessThan(1e-4);
    expect(relError(doffset, fd(offset, L, 1e-5)), 'doffset').toBeLessThan(1e-4);

    const hvWant = fd(x, () => dot(gradX64(x, c, scale, d.w.data, d.a.data, d.b.data), d.v.data), 1e-5);
    expect(relError(hv, hvWant), 'Hessian-vector product').toBeLessThan(1e-3);
  });

  // native's fused kernels: a spec of the native block only (other backends compose the op from tfjs ops)
  if (backend === 'native') it.skipIf(!available)('runs the fused kernels forward and backward', async () => {
    await on(backend, () => []);
    const d = data(CASES[0], 1);
    const profile = await tf.profile(() => {
      const g = tf.grads((x: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(x, s, undefined, EPS).y, tensor(d.w))))([tensor(d.x), tensor(d.scale)]);
      return g[0];
    });
    expect(profile.kernelNames).toContain('PaperzooBatchNormTraining');
    expect(profile.kernelNames).toContain('PaperzooBatchNormTrainingGrad');
    expect(profile.kernelNames).not.toContain('Mean');
  });
});

/** tf.batchNorm with given statistics, float64: y = γ·(x − μ)/√(σ² + ε) + β, per channel (last axis). */
function bnInference64(x: Float64Array, c: number, mean: Float64Array, variance: Float64Array, scale: Float64Array, offset: Float64Array): Float64Array {
  return x.map((v, i) => (scale[i % c] * (v - mean[i % c])) / Math.sqrt(variance[i % c] + EPS) + offset[i % c]);
}

describe.each(ALL.map((b) => [b, AVAILABLE[b]] as const))('tf.batchNorm (given statistics) gradients on %s', (backend, available) => {
  it.skipIf(!available).each(CASES)('$name: ∂/∂x, μ, σ², γ, β and a Hessian-vector product against float64 finite differences', async (k) => {
    const d = data(k, 29 + k.shape.length);
    const c = k.shape[k.shape.length - 1];
    const random = rng(5 + c);
    const mean = randomTensor([c], random, -1 + k.shift, 1 + k.shift);
    const variance = randomTensor([c], random, 0.2, 2);
    const grads = await on(backend, () =>
      tf.grads((x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(x, m, v, o, s, EPS), tensor(d.w))))(
        [d.x, mean, variance, d.scale, d.offset].map((t) => tensor(t)),
      ),
    );
    const p = [d.x, mean, variance, d.scale, d.offset].map((t) => Float64Array.from(t.data));
    const L = (): number => dot(d.w.data, bnInference64(p[0], c, p[1], p[2], p[3], p[4]));
    ['x', 'mean', 'variance', 'scale', 'offset'].forEach((name, i) => {
      expect(relError(grads[i], fd(p[i], L, 1e-5)), name).toBeLessThan(1e-4);
    });

    // Second order: H·v = ∂/∂x ⟨∂L/∂σ², v⟩ (the backward pass is itself recorded, so the composed
    // gradient runs), against finite differences of the float64 closed form
    // ∂L/∂σ²_j = −½·γ_j·(σ²_j + ε)^(−3/2)·Σ_r w·(x − μ_j).
    const v = randomTensor([c], random, -1, 1);
    const [hv] = await on(backend, () => {
      const [m, s, o, w] = [mean, d.scale, d.offset, d.w].map((t) => tensor(t));
      const inner = (x: tf.Tensor): tf.Tensor => tf.grad((vv: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(x, m, vv, o, s, EPS), w)))(tensor(variance));
      return [tf.grad((x: tf.Tensor) => tf.sum(tf.mul(inner(x), tensor(v))))(tensor(d.x))];
    });
    const x = p[0];
    const dVarDotV = (): number => {
      let total = 0;
      for (let i = 0; i < x.length; i++) {
        const j = i % c;
        total += v.data[j] * -0.5 * d.scale.data[j] * (variance.data[j] + EPS) ** -1.5 * d.w.data[i] * (x[i] - mean.data[j]);
      }
      return total;
    };
    expect(relError(hv, fd(x, dVarDotV, 1e-5)), 'H·v through ∂L/∂σ²').toBeLessThan(1e-4);
  });

  if (backend === 'native') it.skipIf(!available)('runs one fused backward kernel', async () => {
    await on(backend, () => []);
    const d = data(CASES[0], 2);
    const c = CASES[0].shape[3];
    const profile = await tf.profile(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(x, tf.zeros([c]), tf.ones([c]), tensor(d.offset), tensor(d.scale), EPS), tensor(d.w))))(tensor(d.x)));
    expect(profile.kernelNames).toContain('PaperzooBatchNormGrad');
    expect(profile.kernelNames).not.toContain('Rsqrt');
  });
});

describe('batchNormTraining rejects bad inputs, naming them', () => {
  it('scale of the wrong length, and a rank-1 x', () => {
    expect(() => batchNormTraining(tf.zeros([2, 3]), tf.ones([4]))).toThrow(/scale must be \[3\].*got \[4\]/);
    expect(() => batchNormTraining(tf.zeros([3]))).toThrow(/x must be \[batch, \.\.\., channels\], got shape \[3\]/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Activation gradients

const ACTIVATIONS = [
  { name: 'relu', f: tf.relu, d: (x: number) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : 0) },
  // stock's where(x > 0, dy, dy·α): a NaN input takes the α branch
  { name: 'leakyRelu', f: (x: tf.Tensor) => tf.leakyRelu(x, 0.2), d: (x: number) => (x > 0 ? 1 : 0.2) },
  { name: 'tanh', f: tf.tanh, d: (x: number) => 1 - Math.tanh(x) ** 2 },
  { name: 'sigmoid', f: tf.sigmoid, d: (x: number) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2 },
] as const;

describe.each(ALL.map((b) => [b, AVAILABLE[b]] as const))('relu/leakyRelu/tanh/sigmoid gradients on %s', (backend, available) => {
  it.skipIf(!available).each(ACTIVATIONS)('$name: dy·f′(x) against float64, zeros, negatives and NaN included', async ({ name, f, d }) => {
    const random = rng(5);
    // 70 000 values: above the kernels' threshold for using both threads
    const x = randomTensor([70_000], random, -6, 6);
    const dy = randomTensor([70_000], random, -1, 1);
    x.data[0] = 0;
    x.data[1] = NaN;
    x.data[2] = -0;
    const [got] = await on(backend, () => [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), tensor(dy))))(tensor(x))]);
    const want = Float64Array.from(x.data, (v, i) => dy.data[i] * d(v));
    expect(Number.isNaN(got[1]), `${name}′(NaN) is NaN`).toBe(Number.isNaN(want[1]));
    got[1] = want[1] = 0;
    expect(relError(got, want), name).toBeLessThan(1e-5);
    if (backend === 'native') {
      const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.sum(f(t)))(tensor(x)));
      expect(profile.kernelNames, `${name}'s gradient runs PaperzooActivationGrad`).toContain('PaperzooActivationGrad');
    }
  });
});
