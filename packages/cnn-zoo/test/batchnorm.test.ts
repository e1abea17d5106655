/**
 * Batch normalisation against the paper's own equations, computed independently in float64 plain JS:
 * the forward transform of Algorithm 1, the running averages (Algorithm 2's unbiased variance), and the
 * backward pass written out in §3 ("we need to backpropagate the gradient of loss ℓ through this
 * transformation"):
 *
 *   ∂ℓ/∂x̂_i = ∂ℓ/∂y_i · γ
 *   ∂ℓ/∂σ²  = Σ_i ∂ℓ/∂x̂_i · (x_i − μ) · (−½)(σ² + ε)^(−3/2)
 *   ∂ℓ/∂μ   = Σ_i ∂ℓ/∂x̂_i · (−1/√(σ² + ε)) + ∂ℓ/∂σ² · Σ_i −2(x_i − μ)/m
 *   ∂ℓ/∂x_i = ∂ℓ/∂x̂_i /√(σ² + ε) + ∂ℓ/∂σ² · 2(x_i − μ)/m + ∂ℓ/∂μ /m
 *   ∂ℓ/∂γ   = Σ_i ∂ℓ/∂y_i · x̂_i,     ∂ℓ/∂β = Σ_i ∂ℓ/∂y_i
 *
 * on cpu and wasm, for dense [B, C] and convolutional [B, H, W, C] inputs, and wasm against cpu.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaks, makeRng } from '@paperzoo/tensor';
import { BatchNorm, ParameterStore, batchNormalize } from '../src/index.js';

/** Float64 reference of Algorithm 1 and its backward pass, per channel (last axis). */
function reference(x: Float64Array, shape: number[], gamma: Float64Array, beta: Float64Array, dy: Float64Array, eps: number) {
  const C = shape[shape.length - 1];
  const m = x.length / C;
  const mu = new Float64Array(C);
  const v = new Float64Array(C);
  for (let i = 0; i < x.length; i++) mu[i % C] += x[i] / m;
  for (let i = 0; i < x.length; i++) v[i % C] += (x[i] - mu[i % C]) ** 2 / m;
  const y = new Float64Array(x.length);
  const xhat = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    xhat[i] = (x[i] - mu[c]) / Math.sqrt(v[c] + eps);
    y[i] = gamma[c] * xhat[i] + beta[c];
  }
  const dxhat = new Float64Array(x.length);
  const dvar = new Float64Array(C);
  const dmu = new Float64Array(C);
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    dxhat[i] = dy[i] * gamma[c];
    dvar[c] += dxhat[i] * (x[i] - mu[c]) * -0.5 * (v[c] + eps) ** -1.5;
    dgamma[c] += dy[i] * xhat[i];
    dbeta[c] += dy[i];
  }
  const sumDiff = new Float64Array(C);
  for (let i = 0; i < x.length; i++) sumDiff[i % C] += -2 * (x[i] - mu[i % C]);
  for (let i = 0; i < x.length; i++) dmu[i % C] += -dxhat[i] / Math.sqrt(v[i % C] + eps);
  for (let c = 0; c < C; c++) dmu[c] += (dvar[c] * sumDiff[c]) / m;
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    dx[i] = dxhat[i] / Math.sqrt(v[c] + eps) + (dvar[c] * 2 * (x[i] - mu[c])) / m + dmu[c] / m;
  }
  return { y, mu, v, dx, dgamma, dbeta, m };
}

function randomArray(n: number, seed: string, scale = 1, shift = 0): Float64Array {
  const r = makeRng(seed);
  return Float64Array.from({ length: n }, () => (r() * 2 - 1) * scale + shift);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst / scale, `${what}: max error ${worst}`).toBeLessThan(tol);
}

const SHAPES: number[][] = [
  [6, 5], // dense layer: [B, C]
  [3, 4, 5, 4], // conv features: [B, H, W, C]
  [2, 3, 3, 7],
];

/** Forward + gradients of ℓ = Σ y ⊙ dy on the current backend. */
function tfjsBatchNorm(shape: number[], seed: string, momentum = 0.1, eps = 1e-5) {
  const size = shape.reduce((a, b) => a * b, 1);
  const C = shape[shape.length - 1];
  const x = randomArray(size, `${seed}:x`, 2, 0.7); // non-zero mean, so μ matters
  const gamma = randomArray(C, `${seed}:g`, 0.5, 1);
  const beta = randomArray(C, `${seed}:b`, 0.5);
  const dy = randomArray(size, `${seed}:dy`);
  const store = new ParameterStore('bn_test');
  const bn = new BatchNorm(store, 'bn', C, { momentum, epsilon: eps });
  store.allocate('bn_test');
  bn.gamma.variableOf().assign(tf.tensor1d(Float32Array.from(gamma)));
  bn.beta.variableOf().assign(tf.tensor1d(Float32Array.from(beta)));
  const xt = tf.tensor(Float32Array.from(x), shape);
  const dyt = tf.tensor(Float32Array.from(dy), shape);
  const y = bn.apply(xt, { training: true });
  const { grads } = tf.variableGrads(() => tf.sum<tf.Scalar>(tf.mul(bn.apply(xt, { training: true }), dyt)), [bn.gamma.variableOf(), bn.beta.variableOf()]);
  const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(bn.apply(t, { training: true }), dyt)))(xt);
  const out = {
    y: y.dataSync(),
    dx: dx.dataSync(),
    dgamma: grads[bn.gamma.variableOf().name].dataSync(),
    dbeta: grads[bn.beta.variableOf().name].dataSync(),
    movingMean: bn.movingMean.value.dataSync(),
    movingVariance: bn.movingVariance.value.dataSync(),
  };
  tf.dispose([xt, dyt, y, dx, ...Object.values(grads)]);
  store.dispose();
  return { out, ref: reference(x, shape, gamma, beta, dy, eps) };
}

const results: Record<string, ReturnType<typeof tfjsBatchNorm>['out'][]> = {};

describe.each(['cpu', 'wasm'] as const)('batch normalisation on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it.each(SHAPES)('matches Algorithm 1 and the paper’s backward equations (shape %j)', (...shape) => {
    const { out, ref } = tfjsBatchNorm(shape, shape.join('x'));
    expectClose(out.y, ref.y, 2e-5, 'y');
    expectClose(out.dx, ref.dx, 2e-5, '∂ℓ/∂x');
    expectClose(out.dgamma, ref.dgamma, 2e-5, '∂ℓ/∂γ');
    expectClose(out.dbeta, ref.dbeta, 2e-5, '∂ℓ/∂β');
    // Three training-mode passes ran (forward, variableGrads, grad): each moved the running averages
    // towards μ_B and the unbiased σ²_B·m/(m−1) with momentum 0.1.
    const keep = 0.9 ** 3;
    const C = shape[shape.length - 1];
    const expMean = Array.from({ length: C }, (_, c) => (1 - keep) * ref.mu[c]);
    const expVar = Array.from({ length: C }, (_, c) => keep + (1 - keep) * ((ref.v[c] * ref.m) / (ref.m - 1)));
    expectClose(out.movingMean, expMean, 1e-5, 'running mean');
    expectClose(out.movingVariance, expVar, 1e-5, 'running variance');
    (results[shape.join('x')] ??= []).push(out);
  });

  it('normalises each channel to mean β and standard deviation γ in training mode', () => {
    const store = new ParameterStore('bn_test');
    const bn = new BatchNorm(store, 'bn', 3);
    store.allocate('x');
    const x = tf.add(tf.mul(tf.randomNormal([16, 4, 4, 3], 0, 1, 'float32', 3), 5), 2);
    const y = bn.apply(x, { training: true });
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    expectClose(mean.dataSync(), [0, 0, 0], 1e-5, 'mean');
    expectClose(variance.dataSync(), [1, 1, 1], 1e-3, 'variance'); // ε = 1e-5 against σ² ≈ 25
    tf.dispose([x, y, mean, variance]);
    store.dispose();
  });

  it('uses the running statistics in inference mode (Algorithm 2) and leaks nothing', async () => {
    const store = new ParameterStore('bn_test');
    const bn = new BatchNorm(store, 'bn', 2, { epsilon: 0 });
    store.allocate('x');
    bn.movingMean.variableOf().assign(tf.tensor1d([1, -2]));
    bn.movingVariance.variableOf().assign(tf.tensor1d([4, 0.25]));
    bn.gamma.variableOf().assign(tf.tensor1d([3, 1]));
    bn.beta.variableOf().assign(tf.tensor1d([0.5, 0]));
    const x = tf.tensor2d([[3, -2], [1, -1.5]]);
    await assertNoLeaks(() => {
      const y = bn.apply(x); // inference: (x − E)/√Var · γ + β
      expectClose(y.dataSync(), [3 * ((3 - 1) / 2) + 0.5, 0, 0.5, 1], 1e-6, 'inference');
      y.dispose();
      const z = bn.apply(x, { training: true }); // training updates the running stats in place, no new tensors
      z.dispose();
    });
    expect(Array.from(bn.movingMean.value.dataSync())).not.toEqual([1, -2]);
    x.dispose();
    store.dispose();
  });

  it('refuses training mode with one value per channel', () => {
    const x = tf.ones([1, 3]);
    const p = { gamma: tf.ones([3]), beta: tf.zeros([3]), movingMean: tf.variable(tf.zeros([3]), false), movingVariance: tf.variable(tf.ones([3]), false) };
    expect(() => batchNormalize(x, p, { training: true })).toThrow(/at least 2 values per channel/);
    tf.dispose([x, p.gamma, p.beta, p.movingMean, p.movingVariance]);
  });
});

describe('batch normalisation: wasm against cpu', () => {
  it.each(SHAPES)('gives the same values, gradients and running statistics (shape %j)', (...shape) => {
    const [cpu, wasm] = results[shape.join('x')] ?? [];
    expect(cpu && wasm, 'both backends ran').toBeTruthy();
    for (const key of ['y', 'dx', 'dgamma', 'dbeta', 'movingMean', 'movingVariance'] as const) expectClose(wasm[key], cpu[key], 1e-5, key);
  });
});
