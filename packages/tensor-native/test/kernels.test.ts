/**
 * The native backend's elementwise, reduction, data-movement, softmax and batch-norm kernels, op by
 * op, against float64 references written from the definitions (./reference64.ts), and against the cpu
 * backend's kernels (convolution, pooling and matmul have their own float64 conformance suites in
 * @paperzoo/tensor). Shapes are small and large (above the 2¹⁵-element threshold at which
 * the loops split over both threads), inputs are negative and positive, and the clamping ops see NaN,
 * which must come out NaN exactly where cpu's does.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tf, initBackend } from '@paperzoo/tensor';
import { ADDON_PATH } from '../src/addon.js';
import * as r from './reference64.js';

const built = fs.existsSync(ADDON_PATH);

/** Deterministic values in [-3, 3) with a NaN every 997th entry when `nan`. */
function values(n: number, seed: number, nan = false): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, (_, i) => {
    a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return nan && i % 997 === 5 ? NaN : ((a >>> 8) / 2 ** 24) * 6 - 3;
  });
}

interface Case {
  name: string;
  shapes: number[][];
  nan?: boolean;
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  /** The same outputs in float64 from the same input values. */
  ref: (...xs: r.T64[]) => r.T64 | r.T64[];
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
/** Float64 definitions of the unary ops; NaN in, NaN out (step included, as tfjs). */
const UNARY_REF = {
  relu: (v: number) => (v < 0 ? 0 : v),
  relu6: (v: number) => Math.min(Math.max(v, 0), 6),
  tanh: Math.tanh,
  sigmoid,
  exp: Math.exp,
  neg: (v: number) => -v,
  square: (v: number) => v * v,
  abs: Math.abs,
  elu: (v: number) => (v >= 0 ? v : Math.exp(v) - 1),
  softplus: (v: number) => Math.log1p(Math.exp(v)),
  step: (v: number) => (Number.isNaN(v) ? NaN : v > 0 ? 1 : 0),
};
const AXES = [[0], [1, 2], [3], [0, 1, 2], [1, 2, 3], [0, 1, 2, 3], [2]];
/** Reflection padding of 24 positions by 3 (PyTorch's ReflectionPad): 3 2 1 | 0 … 23 | 22 21 20. */
const REFLECT = Array.from({ length: 30 }, (_, i) => { const j = i - 3; return j < 0 ? -j : j >= 24 ? 2 * 23 - j : j; });
const GATHER = [3, 99, 0, 3, 42];
const add = (p: number, q: number): number => p + q;
const sub = (p: number, q: number): number => p - q;
const mul = (p: number, q: number): number => p * q;
const div = (p: number, q: number): number => p / q;
const absPlus = (x: r.T64): r.T64 => r.map(x, (v) => Math.abs(v) + 0.1);

const BIG = [8, 24, 24, 16]; // 73 728 values
const CASES: Case[] = [
  ...(['relu', 'relu6', 'tanh', 'sigmoid', 'exp', 'neg', 'square', 'abs', 'elu', 'softplus', 'step'] as const).flatMap((op) =>
    [[5, 7], [64, 120], BIG].map((shape) => ({ name: `${op} ${shape.join('×')}`, shapes: [shape], nan: true, f: (x: tf.Tensor) => (tf[op] as (t: tf.Tensor) => tf.Tensor)(x), ref: (x: r.T64) => r.map(x, UNARY_REF[op]) })),
  ),
  { name: 'leakyRelu 0.1', shapes: [BIG], nan: true, f: (x) => tf.leakyRelu(x, 0.1), ref: (x) => r.map(x, (v) => (v < 0 ? 0.1 * v : v)) },
  { name: 'log, sqrt, rsqrt, reciprocal of |x| + 0.1', shapes: [BIG], f: (x) => [tf.log(tf.add(tf.abs(x), 0.1)), tf.sqrt(tf.add(tf.abs(x), 0.1)), tf.rsqrt(tf.add(tf.abs(x), 0.1)), tf.reciprocal(tf.add(tf.abs(x), 0.1))], ref: (x) => [Math.log, Math.sqrt, (v: number) => 1 / Math.sqrt(v), (v: number) => 1 / v].map((g) => r.map(absPlus(x), g)) },
  { name: 'add/sub/mul/div/max/min/sqdiff, same shape', shapes: [BIG, BIG], nan: true, f: (a, b) => [tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, b), tf.maximum(a, b), tf.minimum(a, b), tf.squaredDifference(a, b)], ref: (a, b) => [add, sub, mul, div, r.max, r.min, (p: number, q: number) => (p - q) ** 2].map((g) => r.binary(a, b, g)) },
  // comparisons (bool out, read back as 0/1): ties made by comparing a with max(a, b) (= a wherever a ≥ b), NaN
  // (false, NotEqual true, as IEEE and cpu), broadcast against [16] and a scalar, below and above the thread split
  ...[[64, 120], BIG].map((shape) => ({
    name: `greater/greaterEqual/less/lessEqual/equal/notEqual/logicalNot ${shape.join('×')}, ties, NaN, broadcast`, shapes: [shape, shape, [shape[shape.length - 1]]], nan: true,
    f: (a: tf.Tensor, b: tf.Tensor, v: tf.Tensor) => {
      const m = tf.maximum(a, b);
      return [tf.greater(a, b), tf.greaterEqual(a, m), tf.less(a, m), tf.lessEqual(a, b), tf.equal(a, m), tf.notEqual(a, m), tf.greater(a, v), tf.less(v, a), tf.greaterEqual(a, 0), tf.logicalNot(tf.less(a, m))];
    },
    ref: (a: r.T64, b: r.T64, v: r.T64) => {
      const m = r.binary(a, b, r.max);
      const c = (x: r.T64, y: r.T64, f: (p: number, q: number) => boolean) => r.binary(x, y, (p, q) => (f(p, q) ? 1 : 0));
      return [c(a, b, (p, q) => p > q), c(a, m, (p, q) => p >= q), c(a, m, (p, q) => p < q), c(a, b, (p, q) => p <= q), c(a, m, (p, q) => p === q), c(a, m, (p, q) => p !== q), c(a, v, (p, q) => p > q), c(v, a, (p, q) => p < q), c(a, r.scalar(0), (p, q) => p >= q), c(a, m, (p, q) => !(p < q))];
    },
  })),
  { name: 'broadcast: [8,24,24,16] with [16], [24,1,16], [8,1,1,1] and a scalar', shapes: [BIG, [16], [24, 1, 16], [8, 1, 1, 1]], f: (a, b, c, d) => [tf.add(a, b), tf.mul(c, a), tf.sub(a, d), tf.div(a, 3)], ref: (a, b, c, d) => [r.binary(a, b, add), r.binary(c, a, mul), r.binary(a, d, sub), r.binary(a, r.scalar(3), div)] },
  // rows shorter than 256 elements against a row vector go in tiled blocks of rows; a remainder of rows after the last block
  { name: 'short rows against a row vector: [1001,6]+[6], [6]−[6001,6], [7,3]·[3], [50,200]/[200]', shapes: [[1001, 6], [6], [6001, 6], [7, 3], [3], [50, 200], [200]], nan: true, f: (a, v, b, c, w, d, u) => [tf.add(a, v), tf.sub(v, b), tf.mul(c, w), tf.div(d, u), tf.add(v, a)], ref: (a, v, b, c, w, d, u) => [r.binary(a, v, add), r.binary(v, b, sub), r.binary(c, w, mul), r.binary(d, u, div), r.binary(v, a, add)] },
  { name: 'column sums of few columns: [1001,6], [9001,5], [3,7], [64,28,28,6] over rows', shapes: [[1001, 6], [9001, 5], [3, 7], [64, 28, 28, 6]], f: (a, b, c, d) => [tf.sum(a, 0), tf.sum(b, 0), tf.sum(c, 0), tf.sum(d, [0, 1, 2]), tf.mean(a, 0)], ref: (a, b, c, d) => [r.reduce(a, [0], 'sum'), r.reduce(b, [0], 'sum'), r.reduce(c, [0], 'sum'), r.reduce(d, [0, 1, 2], 'sum'), r.reduce(a, [0], 'mean')] },
  { name: 'addN of 3', shapes: [BIG, BIG, BIG], f: (a, b, c) => tf.addN([a, b, c]), ref: (a, b, c) => r.binary(r.binary(a, b, add), c, add) },
  { name: 'sum/mean/max/min over every axis block of [8,24,24,16]', shapes: [BIG], f: (x) => AXES.flatMap((ax) => [tf.sum(x, ax), tf.mean(x, ax), tf.max(x, ax), tf.min(x, ax, true)]), ref: (x) => AXES.flatMap((ax) => [r.reduce(x, ax, 'sum'), r.reduce(x, ax, 'mean'), r.reduce(x, ax, 'max'), r.reduce(x, ax, 'min', true)]) },
  { name: 'sum/max over [3,5] (small) and max with NaN', shapes: [[3, 5], BIG], nan: true, f: (s, x) => [tf.sum(s, 1), tf.max(s, 0), tf.max(x, [1, 2])], ref: (s, x) => [r.reduce(s, [1], 'sum'), r.reduce(s, [0], 'max'), r.reduce(x, [1, 2], 'max')] },
  { name: 'softmax and logSoftmax rows of [400, 1000]', shapes: [[400, 1000]], f: (x) => [tf.softmax(tf.mul(x, 10)), tf.logSoftmax(x)], ref: (x) => [r.softmax(r.map(x, (v) => 10 * v)), r.softmax(x, true)] },
  { name: 'batchNorm (inference) with [16] statistics', shapes: [BIG, [16], [16], [16], [16]], f: (x, m, v, o, s) => tf.batchNorm(x, m, tf.add(tf.abs(v), 0.5), o, s, 1e-3), ref: (x, m, v, o, s) => r.batchNorm(x, m, r.map(v, (t) => Math.abs(t) + 0.5), o, s, 1e-3) },
  { name: 'slice, tile, pad, transpose, concat, split, unstack', shapes: [BIG, [3, 4, 5]], f: (x, s) => [tf.slice(x, [1, 2, 3, 1], [5, 20, 10, 14]), tf.tile(s, [2, 1, 3]), tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 3]], 0.5), tf.transpose(x, [0, 3, 1, 2]), tf.concat([x, x], 2), ...tf.split(x, [5, 11], 3), ...tf.unstack(s, 1), tf.stack([s, s, s], 1), tf.stack([s, s], -1)], ref: (x, s) => [r.slice(x, [1, 2, 3, 1], [5, 20, 10, 14]), r.tile(s, [2, 1, 3]), r.pad(x, [[0, 0], [1, 2], [2, 1], [0, 3]], 0.5), r.transpose(x, [0, 3, 1, 2]), r.concat([x, x], 2), ...r.split(x, [5, 11], 3), ...r.split(s, [1, 1, 1, 1], 1).map((t) => ({ data: t.data, shape: [3, 5] })), { data: r.concat([s, s, s], 1).data, shape: [3, 3, 4, 5] }, r.build([3, 4, 5, 2], ([i, k, l]) => s.data[(i * 4 + k) * 5 + l])] },
  // along inner axes (reflection padding gathers along H and W), repeated and reordered indices, and its gradient
  { name: 'gather along axes 1, 2 and 3 of [8,24,24,16], its gradient and H·v', shapes: [BIG, BIG], f: (x, v) => [tf.gather(x, tf.tensor1d(REFLECT, 'int32'), 1), tf.gather(x, tf.tensor1d(REFLECT, 'int32'), 2), tf.gather(x, tf.tensor1d([15, 0, 3, 3, 7], 'int32'), 3), tf.gather(x, tf.tensor2d([[2, 1], [0, 2]], [2, 2], 'int32'), 2), tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d(REFLECT, 'int32'), 2))))(x),
      // second order: the gradient of ⟨∇f, v⟩ for f = Σ gather(x)², i.e. 2·(copies of w)·v
      tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d(REFLECT, 'int32'), 2))))(p), v)))(x)],
    ref: (x, v) => {
      const [B, H, W, C] = x.shape;
      const at = (b: number, h: number, w: number, c: number) => x.data[((b * H + h) * W + w) * C + c];
      const times = (w: number) => REFLECT.filter((r) => r === w).length;
      return [
        r.build([B, REFLECT.length, W, C], ([b, i, w, c]) => at(b, REFLECT[i], w, c)),
        r.build([B, H, REFLECT.length, C], ([b, h, i, c]) => at(b, h, REFLECT[i], c)),
        r.build([B, H, W, 5], ([b, h, w, i]) => at(b, h, w, [15, 0, 3, 3, 7][i])),
        r.build([B, H, 2, 2, C], ([b, h, i, j, c]) => at(b, h, [[2, 1], [0, 2]][i][j], c)),
        r.build([B, H, W, C], ([b, h, w, c]) => 2 * times(w) * at(b, h, w, c)),
        r.build([B, H, W, C], ([b, h, w, c]) => 2 * times(w) * v.data[((b * H + h) * W + w) * C + c]),
      ];
    },
  },
  { name: 'gather rows (an embedding lookup) and its gradient', shapes: [[100, 32]], f: (e) => [tf.gather(e, tf.tensor1d(GATHER, 'int32')), tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d(GATHER, 'int32')))))(e)],
    // ∂/∂e Σ gather(e)² = 2·e at each gathered row, once per time it is gathered
    ref: (e) => [r.gatherRows(e, GATHER), r.build(e.shape, ([row, col]) => 2 * GATHER.filter((g) => g === row).length * e.data[row * e.shape[1] + col])],
  },
];

async function run(backend: 'cpu' | 'native', c: Case): Promise<Float32Array[]> {
  await initBackend({ backend });
  return tf.tidy(() => {
    const inputs = c.shapes.map((s, i) => tf.tensor(values(s.reduce((p, q) => p * q, 1), 7 + 13 * i, c.nan), s));
    const out = c.f(...inputs);
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

/** The float64 reference outputs of a case, from the same float32 input values the backends get. */
function reference(c: Case): Float64Array[] {
  const inputs = c.shapes.map((s, i) => ({ data: Float64Array.from(values(s.reduce((p, q) => p * q, 1), 7 + 13 * i, c.nan)), shape: s }));
  const out = c.ref(...inputs);
  return (Array.isArray(out) ? out : [out]).map((t) => t.data);
}

/**
 * got matches want: NaN exactly where want has NaN, elsewhere a largest difference relative to
 * max(1, max |want|) of at most `tol`.
 */
function expectMatches(label: string, got: Float32Array[], want: ArrayLike<number>[], tol: number): void {
  expect(got.length, `${label}: number of outputs`).toBe(want.length);
  want.forEach((w, k) => {
    const g = got[k];
    expect(g.length, `${label}: output ${k} length`).toBe(w.length);
    let worst = 0;
    let scale = 1;
    let nanMismatch = -1;
    for (let i = 0; i < w.length; i++) {
      if (Number.isNaN(g[i]) !== Number.isNaN(w[i])) {
        nanMismatch = i;
        break;
      }
      if (Number.isNaN(w[i]) || w[i] === g[i]) continue;
      worst = Math.max(worst, Math.abs(g[i] - w[i]));
      scale = Math.max(scale, Math.abs(w[i]));
    }
    expect(nanMismatch, `${label}: output ${k}: NaN at [${nanMismatch}] on one side only (native ${g[nanMismatch]}, reference ${w[nanMismatch]})`).toBe(-1);
    expect(worst / scale, `${label}: output ${k}: largest difference relative to max(1, |reference|)`).toBeLessThanOrEqual(tol);
  });
}

describe.skipIf(!built)('native kernels against float64 references and against cpu', () => {
  it.each(CASES)('$name', async (c) => {
    const got = await run('native', c);
    // float32 rounding of the inputs' intermediate results (|x| + 0.1, 10·x) and of the outputs
    expectMatches('vs float64', got, reference(c), 1e-5);
    expectMatches('vs cpu', got, await run('cpu', c), 2e-6);
  });
});

describe.skipIf(!built)('comparisons', () => {
  it('give bool tensors stored as Uint8Array on native, as on cpu', async () => {
    await initBackend({ backend: 'native' });
    tf.tidy(() => {
      const a = tf.tensor2d(values(64 * 32, 3), [64, 32]);
      for (const t of [tf.less(a, 0), tf.greaterEqual(a, tf.zeros([32])), tf.notEqual(a, a), tf.logicalNot(tf.less(a, 0))]) {
        expect(t.dtype).toBe('bool');
        expect((tf.backend() as unknown as { data: { get(id: object): { values: unknown } } }).data.get(t.dataId).values).toBeInstanceOf(Uint8Array);
      }
    });
  });
});

describe.skipIf(!built)('Cast to float32', () => {
  // The cpu kernel keeps a bool or int32 tensor's storage under the float32 label, which the native kernels
  // refuse (they would all fall back to cpu downstream of it); native stores a Float32Array of the same values.
  it.each([
    // the values from the definitions: x < 0, and the float32 product x·1000 truncated toward zero
    ['bool', (x: tf.Tensor) => tf.less(x, 0), (v: number) => (v < 0 ? 1 : 0)],
    ['int32', (x: tf.Tensor) => tf.cast(tf.mul(x, 1000), 'int32'), (v: number) => Math.trunc(Math.fround(v * 1000))],
  ] as const)('from %s: Float32Array storage, the defined values, and a matmul on it stays native', async (_dtype, make, definition) => {
    const results: Record<string, { values: number[]; stored: string; product: number[] }> = {};
    for (const backend of ['cpu', 'native'] as const) {
      await initBackend({ backend });
      const x = tf.tensor2d(values(64 * 32, 7), [64, 32]);
      const y = tf.cast(make(x), 'float32');
      const stored = (tf.backend() as unknown as { data: { get(id: object): { values: unknown } } }).data.get(y.dataId).values;
      const w = tf.tensor2d(values(32 * 8, 8), [32, 8]);
      const product = tf.matMul(y, w);
      results[backend] = { values: Array.from(await y.data()), stored: (stored as object).constructor.name, product: Array.from(await product.data()) };
      tf.dispose([x, y, w, product]);
    }
    expect(results.native.stored).toBe('Float32Array');
    expect(results.native.values).toEqual(Array.from(values(64 * 32, 7), definition));
    expect(results.native.values).toEqual(results.cpu.values);
    expectMatches('matmul vs cpu', [Float32Array.from(results.native.product)], [results.cpu.product], 2e-6);
  });
});
