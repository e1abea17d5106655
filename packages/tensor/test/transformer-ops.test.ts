/**
 * The transformer ops `layerNorm` (Ba et al. 2016, eq. 4, PyTorch nn.LayerNorm semantics) and the
 * exact `gelu` (x·Φ(x)) on every available backend, against independent references:
 *
 * - float64 loops written here from the definitions: values; first-order gradients against central
 *   finite differences of the float64 forward (layerNorm: d/dx, d/dγ, d/dβ of L = Σ w·y; gelu: d/dx);
 *   second order — the gradient of S = Σ (∂L/∂x)² with respect to x, a gradient of a gradient —
 *   against finite differences of the float64 closed-form gradient (layerNorm) or the closed form
 *   2·(w·GELU′)·w·GELU″ (gelu);
 * - PyTorch 1.13 in float64 (fixtures/pytorch-transformer-ops.json, scripts/pytorch-transformer-fixtures.py):
 *   values, gradients and the same second-order quantity;
 * - on accelerated backends, the same numbers as cpu (where both ops are composed from tf ops).
 *
 * Shapes: ranks 2, 3 and 4 drawn from a seeded generator, C = 1, negative inputs, rows far from zero
 * (|μ| ≫ σ) and GELU inputs from −12 to 30. On native the fused kernels run (checked by
 * packages/tensor-native/test/transformer.test.ts, which also checks specials, the threaded sizes and
 * leaks there); a training step through both ops leaves no tensor behind on every backend.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tf, assertNoLeaks, gelu, initBackend, layerNorm } from '../src/index.js';
import { ALL, AVAILABLE, on, tensor } from './backends.js';
import * as ref from './reference.js';
import { erf64 } from './erf64.js';

const EPS = 1e-5;
const TOL = 2e-4; // float32 against float64 (relError: max |diff| relative to max(|want|, 1))

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = TOL): void {
  const err = ref.relError(got, want);
  expect(err, `${label}: error ${err.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
}

// ---------------------------------------------------------------------------------------------------
// float64 references

/** y = γ·(x − μ)/√(σ² + ε) + β per row of c values (biased σ²), and ∂L/∂x of L = Σ w·y in closed form. */
function layerNorm64(x: ArrayLike<number>, c: number, gamma: ArrayLike<number>, beta: ArrayLike<number> | null, w?: ArrayLike<number>): { y: Float64Array; dx: Float64Array } {
  const y = new Float64Array(x.length);
  const dx = new Float64Array(x.length);
  for (let r = 0; r < x.length / c; r++) {
    let mean = 0;
    for (let j = 0; j < c; j++) mean += x[r * c + j] / c;
    let variance = 0;
    for (let j = 0; j < c; j++) variance += (x[r * c + j] - mean) ** 2 / c;
    const rstd = 1 / Math.sqrt(variance + EPS);
    const xHat = (j: number): number => (x[r * c + j] - mean) * rstd;
    for (let j = 0; j < c; j++) y[r * c + j] = gamma[j] * xHat(j) + (beta == null ? 0 : beta[j]);
    if (w == null) continue;
    // dx = rstd·(g − mean(g) − x̂·mean(g·x̂)), g = w·γ
    let mg = 0;
    let mgx = 0;
    for (let j = 0; j < c; j++) {
      mg += (w[r * c + j] * gamma[j]) / c;
      mgx += (w[r * c + j] * gamma[j] * xHat(j)) / c;
    }
    for (let j = 0; j < c; j++) dx[r * c + j] = rstd * (w[r * c + j] * gamma[j] - mg - xHat(j) * mgx);
  }
  return { y, dx };
}


const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const Phi = (x: number): number => 0.5 * (1 + erf64(x / Math.SQRT2));
const gelu64 = (x: number): number => x * Phi(x);
const geluPrime64 = (x: number): number => Phi(x) + x * phi(x);
const geluSecond64 = (x: number): number => phi(x) * (2 - x * x);

// ---------------------------------------------------------------------------------------------------
// cases

interface Case {
  name: string;
  shape: number[];
  lo: number;
  hi: number;
}

/** Shapes from a seeded generator: ranks 2–4, dims 1–4, C 1–9; values in [lo, hi). */
function randomCases(seed: number, count: number, lo: number, hi: number): Case[] {
  const random = ref.rng(seed);
  const int = (a: number, b: number): number => a + Math.floor(random() * (b - a + 1));
  return Array.from({ length: count }, (_, k) => {
    const shape = [...Array.from({ length: 1 + (k % 3) }, () => int(1, 4)), int(1, 9)];
    return { name: `random [${shape.join(', ')}] in [${lo}, ${hi})`, shape, lo, hi };
  });
}

const LN_CASES: Case[] = [
  { name: '[5, 7], negative inputs', shape: [5, 7], lo: -3, hi: -0.5 },
  { name: '[2, 3, 16] (rank 3)', shape: [2, 3, 16], lo: -2, hi: 2 },
  { name: '[2, 2, 3, 6] (rank 4), rows far from zero (|μ| ≫ σ)', shape: [2, 2, 3, 6], lo: 96, hi: 104 },
  { name: '[4, 1] (C = 1: y = β, no gradient to x or γ)', shape: [4, 1], lo: -2, hi: 2 },
  ...randomCases(17, 3, -2, 2),
];

const GELU_CASES: Case[] = [
  { name: '[6, 5], negative inputs', shape: [6, 5], lo: -6, hi: 0 },
  { name: '[2, 3, 4] (rank 3)', shape: [2, 3, 4], lo: -3, hi: 3 },
  { name: '[2, 2, 2, 3] (rank 4), large magnitudes', shape: [2, 2, 2, 3], lo: -14, hi: 30 },
  { name: '[3, 1] (C = 1)', shape: [3, 1], lo: -1, hi: 1 },
  ...randomCases(23, 3, -4, 4),
];

// ---------------------------------------------------------------------------------------------------
// layerNorm

function lnData(k: Case, seed: number) {
  const random = ref.rng(seed);
  const c = k.shape[k.shape.length - 1];
  return { c, x: ref.randomTensor(k.shape, random, k.lo, k.hi), gamma: ref.randomTensor([c], random, -1.5, 1.5), beta: ref.randomTensor([c], random, -1, 1), w: ref.randomTensor(k.shape, random) };
}

/** [y, ∂L/∂x, ∂L/∂γ, ∂L/∂β, ∂S/∂x] with L = Σ w·layerNorm(x, γ, β), S = Σ (∂L/∂x)². */
function lnResults(d: ReturnType<typeof lnData>): () => tf.Tensor[] {
  return () => {
    const [x, gamma, beta, w] = [d.x, d.gamma, d.beta, d.w].map(tensor);
    const L = (p: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.sum(tf.mul(w, layerNorm(p, g, b)));
    const S = (p: tf.Tensor): tf.Scalar => tf.sum(tf.square(tf.grad((q: tf.Tensor) => L(q, gamma, beta))(p)));
    return [layerNorm(x, gamma, beta), ...tf.grads(L)([x, gamma, beta]), tf.grad(S)(x)];
  };
}

const LN_LABELS = ['y', 'dx', 'dγ', 'dβ', 'd(Σ dx²)/dx'];

// ---------------------------------------------------------------------------------------------------
// gelu

function geluData(k: Case, seed: number) {
  const random = ref.rng(seed);
  return { x: ref.randomTensor(k.shape, random, k.lo, k.hi), w: ref.randomTensor(k.shape, random) };
}

/** [gelu(x), ∂L/∂x, ∂S/∂x] with L = Σ w·gelu(x), S = Σ (∂L/∂x)². */
function geluResults(d: ReturnType<typeof geluData>): () => tf.Tensor[] {
  return () => {
    const [x, w] = [d.x, d.w].map(tensor);
    const L = (p: tf.Tensor): tf.Scalar => tf.sum(tf.mul(w, gelu(p)));
    return [gelu(x), tf.grad(L)(x), tf.grad((p: tf.Tensor) => tf.sum(tf.square(tf.grad(L)(p))))(x)];
  };
}

const GELU_LABELS = ['gelu', 'dx', 'd(Σ dx²)/dx'];

// ---------------------------------------------------------------------------------------------------
// PyTorch fixture

interface LnFixture {
  name: string;
  shape: number[];
  x: number[];
  gamma: number[];
  beta: number[] | null;
  w: number[];
  y: number[];
  dx: number[];
  dgamma: number[];
  dbeta: number[] | null;
  d2x: number[];
  d2gamma: number[];
}
interface Fixture {
  torch: string;
  layerNorm: { epsilon: number; cases: LnFixture[] };
  gelu: { x: number[]; w: number[]; y: number[]; dx: number[]; d2x: number[] };
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/pytorch-transformer-ops.json', import.meta.url), 'utf8')) as Fixture;
const f32 = (v: number[], shape: number[]): tf.Tensor => tf.tensor(Float32Array.from(v), shape);

for (const backend of ALL) {
  describe.skipIf(!AVAILABLE[backend])(`layerNorm and gelu on ${backend}`, () => {
    it.each(LN_CASES.map((k, i) => [k.name, k, i] as const))('layerNorm %s: values, gradients and second order against float64 (and cpu)', async (_name, k, i) => {
      const d = lnData(k, 300 + i);
      const got = await on(backend, lnResults(d));
      const { c } = d;
      expectClose('y', got[0], layerNorm64(d.x.data, c, d.gamma.data, d.beta.data).y);
      const L64 = (x: ArrayLike<number>, g: ArrayLike<number>, b: ArrayLike<number>): number => layerNorm64(x, c, g, b).y.reduce((s, v, j) => s + d.w.data[j] * v, 0);
      const h = k.lo > 50 ? 1e-4 : 1e-6; // finite-difference step relative to |x|
      expectClose('dx (finite differences)', got[1], ref.numericGrad((x) => L64(x, d.gamma.data, d.beta.data), d.x.data.slice(), h));
      expectClose('dx (closed form)', got[1], layerNorm64(d.x.data, c, d.gamma.data, d.beta.data, d.w.data).dx);
      expectClose('dγ', got[2], ref.numericGrad((g) => L64(d.x.data, g, d.beta.data), d.gamma.data.slice()));
      expectClose('dβ', got[3], ref.numericGrad((b) => L64(d.x.data, d.gamma.data, b), d.beta.data.slice()));
      const S64 = (x: Float64Array): number => layerNorm64(x, c, d.gamma.data, d.beta.data, d.w.data).dx.reduce((s, v) => s + v * v, 0);
      expectClose(LN_LABELS[4], got[4], ref.numericGrad(S64, d.x.data.slice(), k.lo > 50 ? 1e-4 : 1e-5), 1e-3);
      if (backend === 'cpu') return;
      const cpu = await on('cpu', lnResults(d));
      LN_LABELS.forEach((label, j) => expectClose(`${label} vs cpu`, got[j], cpu[j], k.lo > 50 ? 1e-4 : 1e-5));
    });

    it.each(GELU_CASES.map((k, i) => [k.name, k, i] as const))('gelu %s: values, gradient and second order against float64 (and cpu)', async (_name, k, i) => {
      const d = geluData(k, 400 + i);
      const got = await on(backend, geluResults(d));
      const x = d.x.data;
      const w = d.w.data;
      expectClose('gelu', got[0], x.map(gelu64));
      expectClose('dx (finite differences)', got[1], ref.numericGrad((v) => v.reduce((s, t, j) => s + w[j] * gelu64(t), 0), x.slice()));
      expectClose('dx (closed form)', got[1], x.map((t, j) => w[j] * geluPrime64(t)));
      expectClose(GELU_LABELS[2], got[2], x.map((t, j) => 2 * w[j] * geluPrime64(t) * w[j] * geluSecond64(t)));
      if (backend === 'cpu') return;
      const cpu = await on('cpu', geluResults(d));
      GELU_LABELS.forEach((label, j) => expectClose(`${label} vs cpu`, got[j], cpu[j], 1e-5));
    });

    it.each(fixture.layerNorm.cases.map((k) => [k.name, k] as const))(`layerNorm against PyTorch ${fixture.torch} (float64): %s`, async (_name, k) => {
      const got = await on(backend, () => {
        const [x, gamma, w] = [f32(k.x, k.shape), f32(k.gamma, [k.gamma.length]), f32(k.w, k.shape)];
        const beta = k.beta == null ? undefined : f32(k.beta, [k.beta.length]);
        const L = (p: tf.Tensor, g: tf.Tensor, b?: tf.Tensor): tf.Scalar => tf.sum(tf.mul(w, layerNorm(p, g, b, fixture.layerNorm.epsilon)));
        const grads = beta == null ? tf.grads((p: tf.Tensor, g: tf.Tensor) => L(p, g))([x, gamma]) : tf.grads(L)([x, gamma, beta]);
        const S = (p: tf.Tensor, g: tf.Tensor): tf.Scalar => tf.sum(tf.square(tf.grad((q: tf.Tensor) => L(q, g, beta))(p)));
        return [layerNorm(x, gamma, beta, fixture.layerNorm.epsilon), ...grads.slice(0, 2), ...tf.grads(S)([x, gamma]), ...grads.slice(2)];
      });
      const want = [k.y, k.dx, k.dgamma, k.d2x, k.d2gamma, ...(k.dbeta == null ? [] : [k.dbeta])];
      ['y', 'dx', 'dγ', 'd(Σ dx²)/dx', 'd(Σ dx²)/dγ', 'dβ'].slice(0, want.length).forEach((label, j) => expectClose(label, got[j], want[j], j >= 3 && j <= 4 ? 1e-3 : TOL));
    });

    it(`gelu against PyTorch ${fixture.torch} (float64), inputs from −12 to 30`, async () => {
      const g = fixture.gelu;
      const got = await on(backend, () => {
        const [x, w] = [f32(g.x, [g.x.length]), f32(g.w, [g.w.length])];
        const L = (p: tf.Tensor): tf.Scalar => tf.sum(tf.mul(w, gelu(p)));
        return [gelu(x), tf.grad(L)(x), tf.grad((p: tf.Tensor) => tf.sum(tf.square(tf.grad(L)(p))))(x)];
      });
      [g.y, g.dx, g.d2x].forEach((want, j) => expectClose(GELU_LABELS[j], got[j], want));
    });

    it('a pre-norm block step (layerNorm without bias, gelu, Adam) and a gradient of a gradient leave no tensor behind', async () => {
      await initBackend({ backend });
      const random = ref.rng(5);
      const [B, T, D] = [2, 3, 8];
      const w1 = tf.variable(tensor(ref.randomTensor([D, 4 * D], random)));
      const w2 = tf.variable(tensor(ref.randomTensor([4 * D, D], random)));
      const gain = tf.variable(tf.ones([D]));
      const x = tensor(ref.randomTensor([B, T, D], random, -2, 2));
      const block = (): tf.Tensor => tf.add(x, tf.matMul(gelu(tf.matMul(layerNorm(x, gain), w1)), w2));
      const opt = tf.train.sgd(0.1); // no slot variables, which would count as new tensors
      await assertNoLeaks(() => {
        for (let s = 0; s < 2; s++) opt.minimize(() => tf.mean<tf.Scalar>(tf.square(block())))?.dispose();
        tf.tidy(() => void tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.grad((u: tf.Tensor) => tf.sum(gelu(layerNorm(u, gain))))(v))))(x));
      }, { label: `transformer ops on ${backend}` });
      tf.dispose([w1, w2, gain, x]);
      opt.dispose();
    });
  });
}

describe('layerNorm shapes', () => {
  it('rejects a gain or bias that is not [C], naming the shapes', async () => {
    await expect(on('cpu', () => [layerNorm(tf.zeros([2, 3]), tf.ones([2]))])).rejects.toThrow('layerNorm: gamma must be [3] (one per entry of x\'s last axis; x is [2, 3]), got [2]');
    await expect(on('cpu', () => [layerNorm(tf.zeros([2, 3]), undefined, tf.ones([3, 1]))])).rejects.toThrow('layerNorm: beta must be [3]');
  });
});
