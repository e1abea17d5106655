/**
 * Second-order gradients (gradients of gradients) on every backend, against independent references:
 *
 * 1. Hessian-vector products of Σ c·f(x) through single ops, against the closed-form f″ (float64);
 *    softmax, logSoftmax and softmax cross-entropy against their closed-form Hessians.
 * 2. A MAML meta-gradient (one inner SGD step, then the outer loss) through conv → tanh → max-pool
 *    ('same', overlapping windows) → conv → average pool ('same', so border windows are partial) →
 *    dense → softmax cross-entropy, against central finite differences of the same computation in
 *    float64 (./reference.ts). This differentiates Conv2DBackpropFilter, Conv2DBackpropInput,
 *    MaxPoolGrad, AvgPoolGrad and tanh's gradient.
 * 3. Hessian-vector products through paperzoo's fused GRU cell (`gruCell`: fused kernels on native,
 *    whose second order is the composed gradient's), against float64 central differences of the
 *    closed-form gradient (reference.ts gruGrad64), and on accelerated backends against cpu.
 *
 * The stock-tfjs behaviour that made these necessary is pinned too (wrong values, or a throw).
 */
import { describe, expect, it } from 'vitest';
import { tf, gruCell, logSoftmax, softmaxCrossEntropy, withStockGradients } from '../src/index.js';
import { ACCELERATED, ALL, AVAILABLE, on, tensor } from './backends.js';
import * as ref from './reference.js';

/** Norm-wise relative error ‖a − b‖ / ‖b‖ (absolute when b = 0). */
function normError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return n === 0 ? Math.sqrt(d) : Math.sqrt(d / n);
}

function expectNormClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  const err = normError(got, want);
  expect(err, `${label}: relative error ${err.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
}

// ------------------------------------------------------------------------------------------------
// 1. Hessian-vector products through single ops

/** H·v for L(x) = Σ c·f(x), computed by tfjs as a gradient of a gradient. */
function hvp(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, c: tf.Tensor, v: tf.Tensor): tf.Tensor {
  return tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.grad((q: tf.Tensor) => tf.sum(tf.mul(c, f(q))))(p), v)))(x);
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const sigma = (x: number): number => 1 / (1 + Math.exp(-x));

interface Elementwise {
  name: string;
  f: (x: tf.Tensor) => tf.Tensor;
  /** f″(x) in float64. */
  d2: (x: number) => number;
  /** Inputs are drawn from [lo, hi) (and kept 0.05 away from 0, where some ops have a kink). */
  lo: number;
  hi: number;
  /** Stock tfjs' second derivative is wrong for this op (its gradient reads the saved output). */
  stockWrong?: boolean;
}

const ELEMENTWISE: Elementwise[] = [
  { name: 'tanh', f: tf.tanh, d2: (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2), lo: -2, hi: 2, stockWrong: true },
  { name: 'sigmoid', f: tf.sigmoid, d2: (x) => sigma(x) * (1 - sigma(x)) * (1 - 2 * sigma(x)), lo: -3, hi: 3, stockWrong: true },
  { name: 'exp', f: tf.exp, d2: Math.exp, lo: -2, hi: 1.5, stockWrong: true },
  { name: 'elu', f: tf.elu, d2: (x) => (x > 0 ? 0 : Math.exp(x)), lo: -2, hi: 2, stockWrong: true },
  { name: 'selu', f: tf.selu, d2: (x) => (x > 0 ? 0 : SELU_SCALE * SELU_ALPHA * Math.exp(x)), lo: -2, hi: 2 },
  { name: 'softplus', f: tf.softplus, d2: (x) => sigma(x) * (1 - sigma(x)), lo: -3, hi: 3 },
  { name: 'leakyRelu', f: (x) => tf.leakyRelu(x, 0.2), d2: () => 0, lo: -2, hi: 2 },
  { name: 'relu', f: tf.relu, d2: () => 0, lo: -2, hi: 2 },
  // relu's gradient dy·step(x) differentiated through dy = 2·relu(x)
  { name: 'relu(x)²', f: (x) => tf.square(tf.relu(x)), d2: (x) => (x > 0 ? 2 : 0), lo: -2, hi: 2 },
  { name: 'sqrt', f: tf.sqrt, d2: (x) => -0.25 * x ** -1.5, lo: 0.3, hi: 3 },
  { name: 'log', f: tf.log, d2: (x) => -1 / (x * x), lo: 0.3, hi: 3 },
  { name: 'sin', f: tf.sin, d2: (x) => -Math.sin(x), lo: -3, hi: 3 },
  { name: 'x³ (pow, base)', f: (x) => tf.pow(x, tf.scalar(3)), d2: (x) => 6 * x, lo: -2, hi: 2 },
  { name: '1.7ˣ (pow, exponent)', f: (x) => tf.pow(tf.scalar(1.7), x), d2: (x) => 1.7 ** x * Math.log(1.7) ** 2, lo: -2, hi: 2, stockWrong: true },
  // Pack (tf.stack; a native kernel) and its gradient Unpack, differentiated twice
  { name: 'Σ stack([tanh x, x²]) (Pack)', f: (x) => tf.sum(tf.stack([tf.tanh(x), tf.square(x)]), 0), d2: (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2) + 2, lo: -2, hi: 2 },
  // Cast bool → float32 (a native kernel) as a mask inside the twice-differentiated graph
  { name: 'cast(x > 0)·x² (Cast)', f: (x) => tf.mul(tf.cast(tf.greater(x, 0), 'float32'), tf.square(x)), d2: (x) => (x > 0 ? 2 : 0), lo: -2, hi: 2 },
];

function elementwiseData(op: Elementwise, seed: number): { x: ref.Tensor64; c: ref.Tensor64; v: ref.Tensor64; want: Float64Array } {
  const random = ref.rng(seed);
  // [8, 16]: 128 elements, above the size under which native hands elementwise ops to the cpu kernels
  const x = ref.randomTensor([8, 16], random, op.lo, op.hi);
  x.data = x.data.map((t) => (Math.abs(t) < 0.05 ? Math.fround(t + 0.1) : t));
  const c = ref.randomTensor([8, 16], random);
  const v = ref.randomTensor([8, 16], random);
  return { x, c, v, want: x.data.map((t, i) => c.data[i] * op.d2(t) * v.data[i]) };
}

/** softmax / logSoftmax / cross-entropy over rows, with closed-form Hessian-vector products. */
function vectorData(seed: number): { x: ref.Tensor64; c: ref.Tensor64; v: ref.Tensor64; labels: ref.Tensor64; s: ref.Tensor64; ds: ref.Tensor64 } {
  const random = ref.rng(seed);
  const x = ref.randomTensor([3, 4], random, -2, 2);
  const c = ref.randomTensor([3, 4], random);
  const v = ref.randomTensor([3, 4], random);
  const labels = ref.map64(ref.zeros64([3, 4]), (_, i) => (i % 4 === (Math.floor(i / 4) * 3) % 4 ? 1 : 0));
  const s = ref.softmaxRows(x);
  // ds = J_softmax · v, row by row: s ⊙ (v − ⟨s, v⟩)
  const ds = ref.map64(s, (si, i) => {
    const r = Math.floor(i / 4);
    let sv = 0;
    for (let k = 0; k < 4; k++) sv += s.data[r * 4 + k] * v.data[r * 4 + k];
    return si * (v.data[i] - sv);
  });
  return { x, c, v, labels, s, ds };
}

const rowSum = (t: ref.Tensor64, i: number, f: (k: number) => number): number => {
  const r = Math.floor(i / 4);
  let acc = 0;
  for (let k = r * 4; k < r * 4 + 4; k++) acc += f(k);
  return acc;
};

interface VectorOp {
  name: string;
  /** The scalar loss L(x) whose Hessian-vector product is tested. */
  loss: (x: tf.Tensor, c: tf.Tensor, labels: tf.Tensor) => tf.Tensor;
  want: (d: ReturnType<typeof vectorData>) => Float64Array;
}

const VECTOR_OPS: VectorOp[] = [
  {
    name: 'softmax',
    loss: (x, c) => tf.sum(tf.mul(c, tf.softmax(x))),
    // ∇ = s ⊙ (c − ⟨c, s⟩);  H·v = ds ⊙ (c − ⟨c, s⟩) − s ⊙ ⟨c, ds⟩
    want: ({ c, s, ds }) => s.data.map((si, i) => ds.data[i] * (c.data[i] - rowSum(s, i, (k) => c.data[k] * s.data[k])) - si * rowSum(s, i, (k) => c.data[k] * ds.data[k])),
  },
  {
    name: 'logSoftmax (paperzoo)',
    loss: (x, c) => tf.sum(tf.mul(c, logSoftmax(x))),
    // ∇ = c − s·Σc;  H·v = −ds·Σc
    want: ({ c, ds }) => ds.data.map((d, i) => -d * rowSum(c, i, (k) => c.data[k])),
  },
  {
    name: 'softmaxCrossEntropy (paperzoo)',
    loss: (x, _c, labels) => softmaxCrossEntropy(labels, x),
    // ∇ = (s − labels)/rows;  H·v = ds/rows
    want: ({ ds }) => ds.data.map((d) => d / 3),
  },
];

/** The tfjs customGrad ops whose second order is wrong and cannot be fixed by registering gradients. */
const STOCK_CUSTOM_OPS: VectorOp[] = [
  { name: 'tf.logSoftmax', loss: (x, c) => tf.sum(tf.mul(c, tf.logSoftmax(x))), want: VECTOR_OPS[1].want },
  { name: 'tf.losses.softmaxCrossEntropy', loss: (x, _c, labels) => tf.losses.softmaxCrossEntropy(labels, x), want: VECTOR_OPS[2].want },
];

function vectorHvp(op: VectorOp, d: ReturnType<typeof vectorData>): tf.Tensor {
  const c = tensor(d.c);
  const labels = tensor(d.labels);
  return tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.grad((q: tf.Tensor) => op.loss(q, c, labels))(p), tensor(d.v))))(tensor(d.x));
}

const HVP_TOL = 1e-4;

for (const backend of ALL) {
  describe.skipIf(!AVAILABLE[backend])(`Hessian-vector products on ${backend}`, () => {
    it.each(ELEMENTWISE.map((op, i) => [op.name, op, i] as const))('%s', async (_name, op, i) => {
      const d = elementwiseData(op, 500 + i);
      const [got] = await on(backend, () => [hvp(op.f, tensor(d.x), tensor(d.c), tensor(d.v))]);
      expectNormClose('H·v vs closed form', got, d.want, HVP_TOL);
    });

    it.each(VECTOR_OPS.map((op, i) => [op.name, op, i] as const))('%s', async (_name, op, i) => {
      const d = vectorData(600 + i);
      const [got] = await on(backend, () => [vectorHvp(op, d)]);
      expectNormClose('H·v vs closed form', got, op.want(d), HVP_TOL);
    });
  });
}

describe('stock tfjs second order (why the gradients above are replaced)', () => {
  // L(x) = Σ c·f(x) + ‖x‖²/20, so H·v = c·f″(x)·v + v/10: the ‖x‖² path keeps the gradient connected
  // to x, and stock tfjs silently returns just v/10 (the f″ term is lost with the saved output).
  it.each(ELEMENTWISE.filter((op) => op.stockWrong).map((op) => [op.name, op] as const))('%s: stock gradient gives a silently wrong H·v', async (_name, op) => {
    const d = elementwiseData(op, 500 + ELEMENTWISE.indexOf(op));
    const f = (x: tf.Tensor): tf.Tensor => tf.add(op.f(x), tf.div(tf.square(x), tf.mul(20, tensor(d.c))));
    const want = d.want.map((w, i) => w + d.v.data[i] / 10);
    const [ours] = await on('cpu', () => [hvp(f, tensor(d.x), tensor(d.c), tensor(d.v))]);
    expectNormClose('paperzoo H·v', ours, want, HVP_TOL);
    const [stock] = await withStockGradients(() => on('cpu', () => [hvp(f, tensor(d.x), tensor(d.c), tensor(d.v))]));
    expect(normError(stock, want)).toBeGreaterThan(0.05);
  });

  it.each(['selu', 'leakyRelu'])('%s: stock cannot differentiate its gradient (no gradient for Greater)', async (name) => {
    const op = ELEMENTWISE.find((e) => e.name === name)!;
    const d = elementwiseData(op, 700);
    await expect(withStockGradients(() => on('cpu', () => [hvp(op.f, tensor(d.x), tensor(d.c), tensor(d.v))]))).rejects.toThrow(/gradient function not found for Greater/);
  });

  it('softmax: stock gradient gives a silently wrong H·v', async () => {
    const d = vectorData(600);
    const withPath: VectorOp = { ...VECTOR_OPS[0], loss: (x, c, labels) => tf.add(VECTOR_OPS[0].loss(x, c, labels), tf.mul(0.05, tf.sum(tf.square(x)))) };
    const want = VECTOR_OPS[0].want(d).map((w, i) => w + d.v.data[i] / 10);
    const [ours] = await on('cpu', () => [vectorHvp(withPath, d)]);
    expectNormClose('paperzoo H·v', ours, want, HVP_TOL);
    const [stock] = await withStockGradients(() => on('cpu', () => [vectorHvp(withPath, d)]), ['Softmax']);
    expect(normError(stock, want)).toBeGreaterThan(0.05);
  });

  it.each(STOCK_CUSTOM_OPS.map((op) => [op.name, op] as const))('%s: customGrad op gives a silently wrong H·v (use paperzoo’s)', async (_name, op) => {
    const d = vectorData(601);
    // + ‖x‖²/20 as above: H·v gains + v/10.
    const withPath: VectorOp = { ...op, loss: (x, c, labels) => tf.add(op.loss(x, c, labels), tf.mul(0.05, tf.sum(tf.square(x)))) };
    const [got] = await on('cpu', () => [vectorHvp(withPath, d)]);
    expect(normError(got, op.want(d).map((w, i) => w + d.v.data[i] / 10))).toBeGreaterThan(0.05);
  });
});

// ------------------------------------------------------------------------------------------------
// 2. MAML meta-gradient through conv, max-pool and average pool

const CONV1: ref.ConvSpec = { stride: [1, 1], dilation: [1, 1], pad: 'same' };
const POOL1: ref.ConvSpec = { stride: [2, 2], dilation: [1, 1], pad: 'same' }; // 3×3 windows, overlapping
const CONV2: ref.ConvSpec = { stride: [1, 1], dilation: [1, 1], pad: 'valid' };
const POOL2: ref.ConvSpec = { stride: [1, 1], dilation: [1, 1], pad: 'same' }; // 2×2 windows, partial at borders
const BATCH = 2;
const SHAPES = { w1: [3, 3, 1, 2], w2: [2, 2, 2, 3], w3: [12, 3] };
const INNER_LR = 0.5;

type Params64 = [ref.Tensor64, ref.Tensor64, ref.Tensor64];

/** The network's loss and (optionally) its gradient, in float64. x [2, 6, 6, 1] → logits [2, 3]. */
function net64(p: Params64, x: ref.Tensor64, labels: ref.Tensor64): { loss: number; grads: Params64 } {
  const [w1, w2, w3] = p;
  const a1 = ref.conv2d(x, w1, CONV1); // [2, 6, 6, 2]
  const h1 = ref.map64(a1, Math.tanh);
  const m1 = ref.maxPool(h1, [3, 3], POOL1).y; // [2, 3, 3, 2]
  const a2 = ref.conv2d(m1, w2, CONV2); // [2, 2, 2, 3]
  const h2 = ref.avgPool(a2, [2, 2], POOL2); // [2, 2, 2, 3]
  const flat = { data: h2.data, shape: [BATCH, 12] };
  const logits = ref.matMul(flat, w3); // [2, 3]
  const { loss, dLogits } = ref.softmaxCrossEntropy(labels, logits);
  const dW3 = ref.matMul(flat, dLogits, true, false);
  const dFlat = ref.matMul(dLogits, w3, false, true);
  const dA2 = ref.avgPoolBackprop(a2, { data: dFlat.data, shape: h2.shape }, [2, 2], POOL2);
  const { dx: dM1, dw: dW2 } = ref.conv2dBackprop(m1, w2, dA2, CONV2);
  const dH1 = ref.maxPoolBackprop(h1, dM1, [3, 3], POOL1);
  const dA1 = ref.map64(dH1, (g, i) => g * (1 - h1.data[i] ** 2));
  const { dw: dW1 } = ref.conv2dBackprop(x, w1, dA1, CONV1);
  return { loss, grads: [dW1, dW2, dW3] };
}

interface Task {
  support: [ref.Tensor64, ref.Tensor64];
  query: [ref.Tensor64, ref.Tensor64];
}

/** MAML's meta-loss: the query loss after one SGD step on the support loss. */
function metaLoss64(p: Params64, task: Task): number {
  const { grads } = net64(p, ...task.support);
  const adapted = p.map((w, k) => ref.map64(w, (v, i) => v - INNER_LR * grads[k].data[i])) as Params64;
  return net64(adapted, ...task.query).loss;
}

/** ∂ metaLoss / ∂θ by central differences in float64 (h = 1e-5: truncation and rounding ~1e-10). */
function metaGradFD(p: Params64, task: Task): Float64Array {
  const flat: number[] = [];
  const h = 1e-5;
  for (let k = 0; k < 3; k++)
    for (let i = 0; i < p[k].data.length; i++) {
      const orig = p[k].data[i];
      p[k].data[i] = orig + h;
      const up = metaLoss64(p, task);
      p[k].data[i] = orig - h;
      const down = metaLoss64(p, task);
      p[k].data[i] = orig;
      flat.push((up - down) / (2 * h));
    }
  return Float64Array.from(flat);
}

function net(w1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor, x: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const h1 = tf.tanh(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, CONV1.stride, 'same'));
  const m1 = tf.maxPool(h1, [3, 3], POOL1.stride, 'same');
  const a2 = tf.conv2d(m1, w2 as tf.Tensor4D, CONV2.stride, 'valid');
  const h2 = tf.avgPool(a2, [2, 2], POOL2.stride, 'same');
  return softmaxCrossEntropy(labels, tf.matMul(tf.reshape(h2, [BATCH, 12]), w3));
}

function metaGrad(p: Params64, task: Task): tf.Tensor[] {
  const [xs, ys] = task.support.map(tensor);
  const [xq, yq] = task.query.map(tensor);
  return tf.grads((w1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor) => {
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => net(a, b, c, xs, ys))([w1, w2, w3]);
    return net(tf.sub(w1, tf.mul(INNER_LR, g[0])), tf.sub(w2, tf.mul(INNER_LR, g[1])), tf.sub(w3, tf.mul(INNER_LR, g[2])), xq, yq);
  })(p.map(tensor));
}

function makeTask(seed: number): { params: Params64; task: Task } {
  const random = ref.rng(seed);
  const params: Params64 = [ref.randomTensor(SHAPES.w1, random, -0.8, 0.8), ref.randomTensor(SHAPES.w2, random, -0.8, 0.8), ref.randomTensor(SHAPES.w3, random, -1.5, 1.5)];
  const labels = (offset: number): ref.Tensor64 => ref.map64(ref.zeros64([BATCH, 3]), (_, i) => (i % 3 === (Math.floor(i / 3) + offset) % 3 ? 1 : 0));
  return {
    params,
    task: {
      support: [ref.randomTensor([BATCH, 6, 6, 1], random, -1, 1), labels(0)],
      query: [ref.randomTensor([BATCH, 6, 6, 1], random, -1, 1), labels(1)],
    },
  };
}

const META_TOL = 2e-4;

describe('MAML meta-gradient (conv + tanh + max-pool + avg-pool + dense + softmax CE)', () => {
  const cases = [11, 12].map((seed) => ({ seed, ...makeTask(seed) }));
  const fd = cases.map((c) => metaGradFD(c.params, c.task));

  for (const backend of ALL) {
    it.skipIf(!AVAILABLE[backend]).each(cases.map((c, i) => [c.seed, c, i] as const))(`on ${backend}, task %i, vs float64 finite differences`, async (_seed, c, i) => {
      const got = await on(backend, () => metaGrad(c.params, c.task));
      const flat = Float64Array.from(got.flatMap((g) => Array.from(g)));
      expectNormClose('meta-gradient vs finite differences', flat, fd[i], META_TOL);
      if (ACCELERATED.includes(backend)) {
        const cpu = await on('cpu', () => metaGrad(c.params, c.task));
        expectNormClose('meta-gradient vs cpu', flat, Float64Array.from(cpu.flatMap((g) => Array.from(g))), 1e-5);
      }
    });
  }

  it('the first-order-only meta-gradient differs from it (the test can tell)', async () => {
    // Drop the second-order term: adapt with a constant copy of the inner gradient.
    const c = cases[0];
    const firstOrder = await on('cpu', () => {
      const [xs, ys] = c.task.support.map(tensor);
      const [xq, yq] = c.task.query.map(tensor);
      const p = c.params.map(tensor);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => net(a, b, d, xs, ys))(p).map((t) => tf.tensor(t.dataSync(), t.shape));
      return tf.grads((w1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor) =>
        net(tf.sub(w1, tf.mul(INNER_LR, g[0])), tf.sub(w2, tf.mul(INNER_LR, g[1])), tf.sub(w3, tf.mul(INNER_LR, g[2])), xq, yq),
      )(p);
    });
    expect(normError(Float64Array.from(firstOrder.flatMap((g) => Array.from(g))), fd[0])).toBeGreaterThan(100 * META_TOL);
  });

  it('stock tfjs cannot compute it (no gradient for the conv/pool gradient kernels)', async () => {
    const c = cases[0];
    await expect(withStockGradients(() => on('cpu', () => metaGrad(c.params, c.task)))).rejects.toThrow(/gradient function not found/);
  });
});

// ------------------------------------------------------------------------------------------------
// 3. Hessian-vector products through the GRU cell

describe('H·v through gruCell (L = Σ c·h\' over xGates, hGates and h)', () => {
  const [rows, u] = [4, 3];
  const random = ref.rng(900);
  const inputs = [ref.randomTensor([rows, 3 * u], random, -3, 3), ref.randomTensor([rows, 3 * u], random, -3, 3), ref.randomTensor([rows, u], random, -2, 2)];
  const [c, ...vs] = [ref.randomTensor([rows, u], random), ...inputs.map((t) => ref.randomTensor(t.shape, random))];
  const n = 3 * rows * u;
  const grad64 = (x: Float64Array): Float64Array => {
    const g = ref.gruGrad64(x.subarray(0, n), x.subarray(n, 2 * n), x.subarray(2 * n), c.data, rows, u);
    return new Float64Array([...g.dx, ...g.dhg, ...g.dh]);
  };
  const want = ref.numericHvp(grad64, new Float64Array(inputs.flatMap((t) => [...t.data])), new Float64Array(vs.flatMap((t) => [...t.data])));
  const hvpOn = (backend: (typeof ALL)[number]): Promise<Float64Array[]> =>
    on(backend, () => {
      const L = (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tensor(c), gruCell(p, q, s)));
      const inner = (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor): tf.Scalar => tf.addN(tf.grads(L)([p, q, s]).map((g, k) => tf.sum(tf.mul(g, tensor(vs[k]))))) as tf.Scalar;
      return tf.grads(inner)(inputs.map(tensor));
    });

  for (const backend of ALL) {
    it.skipIf(!AVAILABLE[backend])(`on ${backend}, vs float64 differences of the closed-form gradient${backend === 'cpu' ? '' : ' and vs cpu'}`, async () => {
      const got = await hvpOn(backend);
      const flat = Float64Array.from(got.flatMap((g) => Array.from(g)));
      expectNormClose('H·v vs float64', flat, want, HVP_TOL);
      if (backend === 'cpu') return;
      const cpu = await hvpOn('cpu');
      expectNormClose('H·v vs cpu', flat, Float64Array.from(cpu.flatMap((g) => Array.from(g))), 1e-5);
    });
  }
});
