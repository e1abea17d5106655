/**
 * NaN and ±Inf go through native's elementwise kernels as they go through cpu's. ew.cc is compiled with
 * -ffast-math (for SIMD exp/tanh/log), which lets the compiler fold NaN comparisons (and, below, flush subnormals): before the fix,
 * relu6(NaN) = 6, step(NaN) = 1 and maximum(NaN, 0) = 0 on native — a diverged run would have hidden
 * its NaN. Skipped (visibly) where the addon is not built.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tf, initBackend } from '@paperzoo/tensor';
import { ADDON_PATH } from '../src/addon.js';

const built = fs.existsSync(ADDON_PATH);
const values = [NaN, Infinity, -Infinity, -1.5, 0, 2, 7];

const ops: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  step: (x) => tf.step(x, 0.3),
  elu: (x) => tf.elu(x),
  leakyRelu: (x) => tf.leakyRelu(x, 0.2),
  softplus: (x) => tf.softplus(x),
  tanh: (x) => tf.tanh(x),
  exp: (x) => tf.exp(x),
  log: (x) => tf.log(x),
  sqrt: (x) => tf.sqrt(x),
  rsqrt: (x) => tf.rsqrt(x),
  reciprocal: (x) => tf.reciprocal(x),
  div: (x) => tf.div(tf.onesLike(x), x),
  abs: (x) => tf.abs(x),
  maximum: (x) => tf.maximum(x, tf.zerosLike(x)),
  minimum: (x) => tf.minimum(tf.zerosLike(x), x),
  add: (x) => tf.add(x, 1),
  mul: (x) => tf.mul(x, x),
  sum: (x) => tf.sum(x),
  max: (x) => tf.max(x),
};

function run(op: (x: tf.Tensor) => tf.Tensor, xs: number[] = values): number[] {
  return tf.tidy(() => Array.from(op(tf.tensor1d(xs)).dataSync()));
}

// float32 subnormals (below 1.18e-38) and their neighbours. -ffast-math lets the compiler compute
// sqrt(x) as x·rsqrt(x), and rsqrt flushes a subnormal to 0: sqrt(1e-40) came out −Inf (it is 1e-20),
// and Adam's √v̂ of a tiny second moment turned the update into NaN (seq2seq with N(0, 0.01) init).
// (repeated to 72 values, so the SIMD loop, not only its scalar tail, sees them)
const subnormals = Array.from({ length: 8 }, () => [1e-40, -1e-40, 3e-39, 1.1e-38, 1.2e-38, 0, 2, 1e-45, 9e-39]).flat();

describe.skipIf(!built)('native: NaN and Inf propagate as on cpu', () => {
  it.each(Object.keys(ops))('%s', async (name) => {
    await initBackend({ backend: 'cpu' });
    const expected = run(ops[name]);
    await initBackend({ backend: 'native' });
    const got = run(ops[name]);
    got.forEach((v, i) => {
      if (Number.isNaN(expected[i])) expect(v, `${name}(${values[i]})`).toBeNaN();
      else if (!Number.isFinite(expected[i])) expect(v, `${name}(${values[i]})`).toBe(expected[i]);
      else expect(v, `${name}(${values[i]})`).toBeCloseTo(expected[i], 5);
    });
  });
});

describe.skipIf(!built)('native: subnormal inputs give what cpu gives', () => {
  it.each(Object.keys(ops))('%s', async (name) => {
    await initBackend({ backend: 'cpu' });
    const expected = run(ops[name], subnormals);
    await initBackend({ backend: 'native' });
    const got = run(ops[name], subnormals);
    got.forEach((v, i) => {
      const what = `${name}(${subnormals[i]})`;
      if (Number.isNaN(expected[i])) expect(v, what).toBeNaN();
      else if (!Number.isFinite(expected[i])) expect(v, what).toBe(expected[i]);
      else expect(Math.abs(v - expected[i]), `${what}: native ${v}, cpu ${expected[i]}`).toBeLessThanOrEqual(1e-6 * Math.abs(expected[i]) + 1e-37);
    });
  });
});

// The ops the subnormals broke, against float64 formulas rounded to float32 (not only against cpu).
const exact: Record<string, (x: number) => number> = {
  sqrt: (x) => Math.sqrt(x),
  rsqrt: (x) => 1 / Math.sqrt(x),
  reciprocal: (x) => 1 / x,
  div: (x) => 1 / x,
};

describe.skipIf(!built)('native: square roots and reciprocals of subnormals against float64', () => {
  it.each(Object.keys(exact))('%s', async (name) => {
    await initBackend({ backend: 'native' });
    const got = run(ops[name], subnormals);
    got.forEach((v, i) => {
      const x = Math.fround(subnormals[i]);
      const e = Math.fround(exact[name](x));
      const what = `${name}(${x}): native ${v}, float64 ${e}`;
      if (Number.isNaN(e)) expect(v, what).toBeNaN();
      else if (!Number.isFinite(e)) expect(v, what).toBe(e);
      else expect(Math.abs(v - e), what).toBeLessThanOrEqual(2 ** -22 * Math.abs(e));
    });
  });
});

// Saturating inputs, repeated above the size under which native hands elementwise ops to cpu (so the SIMD
// loops run). Under -ffast-math 1/(1 + e^1000) came out NaN, not 0: σ(x) was NaN for every x below about
// −88 (and so softplus′ and logSigmoid′), and the 2014 GAN's sigmoid output layer turned every weight NaN
// after ~1,000 iterations (found 2026-12-07).
const saturating = [-Infinity, -1000, -100, -90, -88.5, -87, -50, -20, -5, 0, 5, 20, 50, 87, 88.5, 90, 100, 1000, Infinity];
const big = Array.from({ length: 4000 }, () => saturating).flat();
const activations: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  sigmoid: (x) => tf.sigmoid(x),
  softplus: ops.softplus,
  logSigmoid: (x) => tf.logSigmoid(x),
  tanh: ops.tanh,
  elu: ops.elu,
  selu: (x) => tf.selu(x),
  erf: (x) => tf.erf(x),
  'leakyRelu (0.2)': ops.leakyRelu,
};

// float64 closed forms for the values (an independent reference beside cpu), stable at both ends
const softplus64 = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
const reference64: Record<string, (v: number) => number> = {
  sigmoid: (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))),
  softplus: softplus64,
  logSigmoid: (v) => -softplus64(-v),
  tanh: Math.tanh,
};

describe.skipIf(!built)('native: saturating inputs give their float64 values', () => {
  it.each(Object.keys(reference64))('%s', async (name) => {
    await initBackend({ backend: 'native' });
    const got = tf.tidy(() => Array.from(activations[name](tf.tensor1d(big)).dataSync()));
    for (let i = 0; i < saturating.length; i++) {
      const want = reference64[name](saturating[i]);
      if (!Number.isFinite(want)) expect(got[i], `${name}(${saturating[i]})`).toBe(want);
      else expect(Math.abs(got[i] - want), `${name}(${saturating[i]}): ${got[i]} vs ${want}`).toBeLessThanOrEqual(Math.max(1.2e-7, 1e-6 * Math.abs(want)));
    }
  });
});

describe.skipIf(!built)('native: saturating inputs (|x| up to 1000 and ±Inf) give what cpu gives, values and gradients', () => {
  it.each(Object.keys(activations))('%s', async (name) => {
    const f = activations[name];
    const both = () => tf.tidy(() => {
      const x = tf.tensor1d(big);
      return [Array.from(f(x).dataSync()), Array.from(tf.grad((t: tf.Tensor) => tf.sum(f(t)))(x).dataSync())];
    });
    await initBackend({ backend: 'cpu' });
    const [wantY, wantG] = both();
    await initBackend({ backend: 'native' });
    const [gotY, gotG] = both();
    for (const [label, got, want] of [['value', gotY, wantY], ['gradient', gotG, wantG]] as const) {
      for (let i = 0; i < saturating.length; i++) {
        const at = `${name} ${label} at ${saturating[i]}`;
        if (Number.isNaN(want[i])) expect(got[i], at).toBeNaN();
        else if (!Number.isFinite(want[i])) expect(got[i], at).toBe(want[i]);
        // 1e-6 relative, or 1.2e-7 absolute (two float32 ulps at 1: gradients computed as y·(1 − y) or 1 − y²
        // from a y next to ±1 lose the rest to cancellation, on either backend; subnormals flush to 0 on native)
        else expect(Math.abs(got[i] - want[i]), `${at}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(Math.max(1.2e-7, 1e-6 * Math.abs(want[i])));
      }
    }
  });
});
