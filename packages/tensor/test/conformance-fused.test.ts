/**
 * Conformance of tfjs' fused ops — tf.fused.matMul and tf.fused.conv2d with a bias and an activation
 * (the native backend runs them as one oneDNN call with the bias and activation fused; the other
 * backends as their stock kernels) — on every backend, against float64 references:
 *
 * - forward: act(op(a)·op(b) + bias) and act(conv(x, w) + bias) for every activation the kernels
 *   fuse (linear, relu, relu6, elu, leakyrelu, sigmoid), a row bias and, for matMul, a full [m, n] one;
 * - gradients (where tfjs has them: linear, relu, elu): with respect to a/x, b/w and the bias, from the
 *   closed forms dz = dy·act′(z), then the matmul / convolution vector–Jacobian products;
 * - paperzoo's fused GRU cell `gruCell` (one kernel each way on native, composed elsewhere): h' and the
 *   gradients with respect to xGates, hGates and h from their closed forms (reference.ts gruGrad64).
 *
 * Tolerance: 2e-5 relative to max(1, max |reference|).
 */
import { describe, expect, it } from 'vitest';
import { tf, gruCell } from '../src/index.js';
import { ALL, AVAILABLE, on, tensor } from './backends.js';
import * as ref from './reference.js';

const TOL = 2e-5;
const ALPHA = 0.2; // tfjs' default leakyrelu slope

type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'leakyrelu' | 'sigmoid';
const ACT: Record<Activation, { f: (z: number) => number; d?: (z: number) => number }> = {
  linear: { f: (z) => z, d: () => 1 },
  relu: { f: (z) => Math.max(z, 0), d: (z) => (z > 0 ? 1 : 0) },
  relu6: { f: (z) => Math.min(Math.max(z, 0), 6) },
  elu: { f: (z) => (z > 0 ? z : Math.exp(z) - 1), d: (z) => (z > 0 ? 1 : Math.exp(z)) },
  leakyrelu: { f: (z) => (z < 0 ? ALPHA * z : z) },
  sigmoid: { f: (z) => 1 / (1 + Math.exp(-z)) },
};
const ACTIVATIONS = Object.keys(ACT) as Activation[];

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  const err = ref.relError(got, want);
  expect(err, `${label}: relative error ${err.toExponential(2)} > ${TOL}`).toBeLessThanOrEqual(TOL);
}

/** z + bias, the bias broadcast over the leading dims (a [n] row, or the full shape). */
const addBias = (z: ref.Tensor64, bias: ref.Tensor64): ref.Tensor64 => ref.map64(z, (v, i) => v + bias.data[i % bias.data.length]);

/** Σ of t over every axis but the last, to the bias's length (its gradient), or t itself for a full bias. */
function biasGrad(t: ref.Tensor64, n: number): Float64Array {
  const out = new Float64Array(n);
  t.data.forEach((v, i) => (out[i % n] += v));
  return out;
}

// (transposeA, transposeB, full bias): [m, k] · [k, n] with m = 6, k = 9, n = 5
const MATMUL_CASES: [boolean, boolean, boolean][] = [
  [false, false, false],
  [true, false, false],
  [false, true, true],
];

for (const backend of ALL) {
  describe.skipIf(!AVAILABLE[backend])(`fused matMul and conv2d on ${backend}`, () => {
    it.each(ACTIVATIONS.flatMap((act) => MATMUL_CASES.map((c) => [act, ...c] as const)))('matMul %s, tA %s, tB %s, full bias %s', async (act, ta, tb, fullBias) => {
      const random = ref.rng(400 + ACTIVATIONS.indexOf(act) * 7 + (ta ? 1 : 0) + (tb ? 2 : 0));
      const a = ref.randomTensor(ta ? [9, 6] : [6, 9], random);
      const b = ref.randomTensor(tb ? [5, 9] : [9, 5], random);
      const bias = ref.randomTensor(fullBias ? [6, 5] : [5], random);
      const dy = ref.randomTensor([6, 5], random);
      const z = addBias(ref.matMul(a, b, ta, tb), bias);
      const d = ACT[act].d;
      const [y, ...grads] = await on(backend, () => {
        const f = (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor): tf.Tensor =>
          tf.fused.matMul({ a: p, b: q, transposeA: ta, transposeB: tb, bias: s, activation: act, leakyreluAlpha: ALPHA });
        const inputs = [tensor(a), tensor(b), tensor(bias)];
        return [f(inputs[0], inputs[1], inputs[2]), ...(d == null ? [] : tf.grads((p: tf.Tensor, q: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(f(p, q, s), tensor(dy))))(inputs))];
      });
      expectClose('forward vs float64', y, ref.map64(z, ACT[act].f).data);
      if (d == null) return;
      const dz = ref.map64(z, (v, i) => dy.data[i] * d(v));
      expectClose('da', grads[0], (ta ? ref.matMul(b, dz, tb, true) : ref.matMul(dz, b, false, !tb)).data);
      expectClose('db', grads[1], (tb ? ref.matMul(dz, a, true, ta) : ref.matMul(a, dz, !ta, false)).data);
      expectClose('dbias', grads[2], biasGrad(dz, bias.data.length));
    });

    it.each(ACTIVATIONS)('conv2d 3×3, stride 2, same padding, %s', async (act) => {
      const random = ref.rng(500 + ACTIVATIONS.indexOf(act));
      const spec: ref.ConvSpec = { stride: [2, 2], dilation: [1, 1], pad: 'same' };
      const x = ref.randomTensor([2, 7, 6, 3], random);
      const w = ref.randomTensor([3, 3, 3, 4], random);
      const bias = ref.randomTensor([4], random);
      const z = addBias(ref.conv2d(x, w, spec), bias);
      const dy = ref.randomTensor(z.shape, random);
      const d = ACT[act].d;
      const [y, ...grads] = await on(backend, () => {
        const f = (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor): tf.Tensor =>
          tf.fused.conv2d({ x: p as tf.Tensor4D, filter: q as tf.Tensor4D, strides: 2, pad: 'same', bias: s, activation: act, leakyreluAlpha: ALPHA });
        const inputs = [tensor(x), tensor(w), tensor(bias)];
        return [f(inputs[0], inputs[1], inputs[2]), ...(d == null ? [] : tf.grads((p: tf.Tensor, q: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(f(p, q, s), tensor(dy))))(inputs))];
      });
      expectClose('forward vs float64', y, ref.map64(z, ACT[act].f).data);
      if (d == null) return;
      const dz = ref.map64(z, (v, i) => dy.data[i] * d(v));
      const want = ref.conv2dBackprop(x, w, dz, spec);
      expectClose('dx', grads[0], want.dx.data);
      expectClose('dw', grads[1], want.dw.data);
      expectClose('dbias', grads[2], biasGrad(dz, 4));
    });
  });
}

// [lead..., 3u] gates and [lead..., u] state; negative and positive inputs
const GRU_CASES: [number[], number][] = [
  [[5], 7],
  [[2, 3], 4],
  [[64], 600], // above native's threshold for its threads
];

for (const backend of ALL) {
  describe.skipIf(!AVAILABLE[backend])(`gruCell on ${backend}`, () => {
    it.each(GRU_CASES.map(([lead, u], i) => [`[${lead}, 3·${u}]`, lead, u, i] as const))('%s: h\' and the three gradients vs the closed forms', async (_name, lead, u, i) => {
      const random = ref.rng(600 + i);
      const [xg, hg] = [0, 1].map(() => ref.randomTensor([...lead, 3 * u], random, -3, 3));
      const [h, dy] = [0, 1].map(() => ref.randomTensor([...lead, u], random, -2, 2));
      const rows = h.data.length / u;
      const [y, ...grads] = await on(backend, () => {
        const inputs = [xg, hg, h].map(tensor);
        const f = (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor): tf.Scalar => tf.sum(tf.mul(gruCell(p, q, s), tensor(dy)));
        return [gruCell(inputs[0], inputs[1], inputs[2]), ...tf.grads(f)(inputs)];
      });
      const want = ref.gruGrad64(xg.data, hg.data, h.data, dy.data, rows, u);
      expectClose("h'", y, want.out);
      expectClose('dxGates', grads[0], want.dx);
      expectClose('dhGates', grads[1], want.dhg);
      expectClose('dh', grads[2], want.dh);
    });
  });
}
