/**
 * Conformance of the pooling and segment kernels on every backend, forward and gradient, against the
 * float64 reference (./reference.ts) and against cpu, over random shapes, window sizes, strides and
 * paddings ('same', 'valid', a number, explicit), with mixed-sign and all-negative inputs (a max-pool
 * window whose maximum is negative is where stock wasm's MaxPoolGrad goes wrong).
 *
 * Kernels exercised: MaxPool / AvgPool (forward, stock), MaxPoolGrad, AvgPoolGrad, MaxPoolWithArgmax
 * (ours on wasm; AvgPoolGrad ours on cpu too), UnsortedSegmentSum (ours on wasm and cpu; through
 * gather's gradient as well).
 *
 * Tolerance: 2e-5 relative to max(1, max |reference|); indices exactly.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../src/index.js';
import { ACCELERATED, ALL, AVAILABLE, on, tensor } from './backends.js';
import * as ref from './reference.js';

const TOL = 2e-5;

interface PoolCase {
  name: string;
  x: number[];
  k: [number, number];
  spec: ref.ConvSpec;
  negative: boolean;
  /** Inputs drawn from {−1, 0, 1}: most windows tie, and the first greatest element in row-major window order must win. */
  ties?: boolean;
}

function randomPoolCases(n: number, seed: number): PoolCase[] {
  const random = ref.rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const cases: PoolCase[] = [];
  while (cases.length < n) {
    const i = cases.length;
    const x = [int(1, 3), int(3, 9), int(3, 9), int(1, 4)];
    const k: [number, number] = [int(1, 4), int(1, 4)];
    const stride: [number, number] = [int(1, 3), int(1, 3)];
    let pad: ref.Pad = (['same', 'valid', 'explicit', 'number'] as const)[i % 4] as ref.Pad;
    if (pad === ('explicit' as ref.Pad)) {
      // A window must overlap the image, so a pad is at most the window size − 1.
      pad = [[0, 0], [int(0, k[0] - 1), int(0, k[0] - 1)], [int(0, k[1] - 1), int(0, k[1] - 1)], [0, 0]];
    } else if (pad === ('number' as ref.Pad)) {
      k[1] = k[0]; // tfjs sizes a numeric pad with the window height and row stride for both axes
      stride[1] = stride[0];
      pad = int(0, k[0] - 1);
    }
    const spec = { stride, dilation: [1, 1] as [number, number], pad };
    const g = ref.geometry(x[1], x[2], k[0], k[1], stride, [1, 1], pad);
    if (g.outH < 1 || g.outW < 1) continue;
    const padText = typeof pad === 'object' ? `[${pad.slice(1, 3).map((p) => p.join(',')).join(';')}]` : String(pad);
    const negative = i % 3 === 1;
    cases.push({ name: `x ${x.join('×')} window ${k.join('×')} stride ${stride.join(',')} pad ${padText}${negative ? ' negative' : ''}`, x, k, spec, negative });
  }
  return cases;
}

const POOL_CASES: PoolCase[] = [
  { name: 'LeNet x 2×28×28×6 window 2×2 stride 2,2 pad valid negative', x: [2, 28, 28, 6], k: [2, 2], spec: { stride: [2, 2], dilation: [1, 1], pad: 'valid' }, negative: true },
  { name: 'x 2×7×7×3 window 3×3 stride 2,2 pad same (overlapping, borders)', x: [2, 7, 7, 3], k: [3, 3], spec: { stride: [2, 2], dilation: [1, 1], pad: 'same' }, negative: false },
  // Interior windows (no padding reached) take a row-at-a-time path on native, with the channel count
  // fixed at compile time for 1–4, 6, 8 and 16: disjoint, tiled, gapped, overlapping, leftover rows.
  { name: 'ties x 2×28×28×6 window 2×2 stride 2,2 pad valid', x: [2, 28, 28, 6], k: [2, 2], spec: { stride: [2, 2], dilation: [1, 1], pad: 'valid' }, negative: false, ties: true },
  { name: 'ties x 3×10×10×16 window 2×2 stride 2,2 pad valid', x: [3, 10, 10, 16], k: [2, 2], spec: { stride: [2, 2], dilation: [1, 1], pad: 'valid' }, negative: false, ties: true },
  { name: 'ties x 2×9×11×5 window 3×3 stride 1,1 pad valid (overlapping)', x: [2, 9, 11, 5], k: [3, 3], spec: { stride: [1, 1], dilation: [1, 1], pad: 'valid' }, negative: false, ties: true },
  { name: 'ties x 2×11×9×8 window 2×3 stride 3,4 pad valid (gaps, leftover rows)', x: [2, 11, 9, 8], k: [2, 3], spec: { stride: [3, 4], dilation: [1, 1], pad: 'valid' }, negative: false, ties: true },
  { name: 'x 2×9×9×6 window 2×2 stride 2,2 pad valid negative (leftover row and column)', x: [2, 9, 9, 6], k: [2, 2], spec: { stride: [2, 2], dilation: [1, 1], pad: 'valid' }, negative: true },
  { name: 'ties x 2×8×8×16 window 2×2 stride 2,2 pad same', x: [2, 8, 8, 16], k: [2, 2], spec: { stride: [2, 2], dilation: [1, 1], pad: 'same' }, negative: false, ties: true },
  ...randomPoolCases(28, 5),
];

function tfPad(pad: ref.Pad): 'same' | 'valid' | number | tf.backend_util.ExplicitPadding {
  return pad;
}

function inputsFor(c: PoolCase, index: number): { x: ref.Tensor64; dy: ref.Tensor64 } {
  const random = ref.rng(2000 + index);
  const x = c.negative ? ref.randomTensor(c.x, random, -3, -0.5) : ref.randomTensor(c.x, random, -2, 2);
  if (c.ties) x.data.forEach((v, j) => (x.data[j] = Math.round(v / 2)));
  const outShape = ref.avgPool(x, c.k, c.spec).shape;
  return { x, dy: ref.randomTensor(outShape, random) };
}

type PoolKind = 'max' | 'avg';

async function poolOn(backend: Parameters<typeof on>[0], kind: PoolKind, c: PoolCase, inp: { x: ref.Tensor64; dy: ref.Tensor64 }): Promise<Float64Array[]> {
  return on(backend, () => {
    const x = tensor(inp.x) as tf.Tensor4D;
    const dy = tensor(inp.dy);
    const f = (a: tf.Tensor): tf.Tensor4D => (kind === 'max' ? tf.maxPool : tf.avgPool)(a as tf.Tensor4D, c.k, c.spec.stride, tfPad(c.spec.pad));
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dy)))(x);
    return [f(x), dx];
  });
}

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = TOL): void {
  const err = ref.relError(got, want);
  expect(err, `${label}: relative error ${err.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
}

const cases = POOL_CASES.map((c, i) => [c.name, c, i] as const);

for (const backend of ALL) {
  describe.skipIf(!AVAILABLE[backend])(`pooling on ${backend}`, () => {
    it.each(cases)('maxPool %s', async (_name, c, i) => {
      const inp = inputsFor(c, i);
      const [y, dx] = await poolOn(backend, 'max', c, inp);
      expectClose('forward vs reference', y, ref.maxPool(inp.x, c.k, c.spec).y.data);
      expectClose('dx vs reference', dx, ref.maxPoolBackprop(inp.x, inp.dy, c.k, c.spec).data);
      if (ACCELERATED.includes(backend)) {
        const [cy, cdx] = await poolOn('cpu', 'max', c, inp);
        expectClose('forward vs cpu', y, cy);
        expectClose('dx vs cpu', dx, cdx);
      }
    });

    it.each(cases)('avgPool %s', async (_name, c, i) => {
      const inp = inputsFor(c, i);
      const [y, dx] = await poolOn(backend, 'avg', c, inp);
      expectClose('forward vs reference', y, ref.avgPool(inp.x, c.k, c.spec).data);
      expectClose('dx vs reference', dx, ref.avgPoolBackprop(inp.x, inp.dy, c.k, c.spec).data);
      if (ACCELERATED.includes(backend)) {
        const [cy, cdx] = await poolOn('cpu', 'avg', c, inp);
        expectClose('forward vs cpu', y, cy);
        expectClose('dx vs cpu', dx, cdx);
      }
    });

    it.each(cases.filter(([, c]) => typeof c.spec.pad === 'string'))('maxPoolWithArgmax %s', async (_name, c, i) => {
      const inp = inputsFor(c, i);
      const want = ref.maxPool(inp.x, c.k, c.spec);
      const [y, at] = await on(backend, () => {
        const r = tf.maxPoolWithArgmax(tensor(inp.x) as tf.Tensor4D, c.k, c.spec.stride, c.spec.pad as 'same' | 'valid', true);
        return [r.result, r.indexes];
      });
      expectClose('pooled vs reference', y, want.y.data);
      expect(Array.from(at)).toEqual(Array.from(want.argmax));
    });
  });

  describe.skipIf(!AVAILABLE[backend])(`unsortedSegmentSum on ${backend}`, () => {
    const random = ref.rng(99);
    const x = ref.randomTensor([13, 3, 2], random);
    const ids = Int32Array.from({ length: 13 }, (_, i) => (i * 7) % 6 - (i === 4 ? 9 : 0)); // one id out of range
    const params = ref.randomTensor([6, 4], random);
    const indices = Int32Array.from([5, 0, 0, 3, 5, 5, 1, 2]);
    const dy = ref.randomTensor([8, 4], random);

    it('forward (float32, with an out-of-range id)', async () => {
      const [got] = await on(backend, () => [tf.unsortedSegmentSum(tensor(x), tf.tensor1d(ids, 'int32'), 6)]);
      expectClose('vs reference', got, ref.unsortedSegmentSum(x, ids, 6).data);
    });

    it('int32 values stay int32', async () => {
      const res = await on(backend, () => {
        const out = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], 'int32'), tf.tensor1d([1, 0, 1, 1], 'int32'), 3);
        expect(out.dtype).toBe('int32');
        return [out];
      });
      expect(Array.from(res[0])).toEqual([2, 8, 0]);
    });

    it('gather gradient (embedding lookup) with repeated indices', async () => {
      const [got] = await on(backend, () => {
        const table = tensor(params);
        const idx = tf.tensor1d(indices, 'int32');
        const w = tensor(dy);
        return [tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, idx), w)))(table)];
      });
      expectClose('vs reference', got, ref.unsortedSegmentSum(dy, indices, 6).data);
    });
  });
}
