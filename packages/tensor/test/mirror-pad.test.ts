/**
 * MirrorPad ('reflect' and 'symmetric') on every backend: values, the gradient (stock tfjs 4.22.0 slices
 * the centre of dy and drops what flows back through the mirrored borders — src/kernels/gradients.ts
 * replaces it) and the second order, against a float64 reference built from the index map "which input
 * element does each padded position copy". Random ranks 1–4, random paddings up to the largest each mode
 * allows (n − 1 reflect, n symmetric), zero paddings on some axes, negative inputs.
 */
import { describe, expect, it } from 'vitest';
import { tf, withStockGradients } from '../src/index.js';
import { ALL, AVAILABLE, on, tensor } from './backends.js';
import * as ref from './reference.js';

type Mode = 'reflect' | 'symmetric';
interface Case { shape: number[]; paddings: Array<[number, number]>; mode: Mode; x: ref.Tensor64; w: ref.Tensor64; v: ref.Tensor64 }

/** For each padded position (row-major), the flat index of the input element it copies (float64 reference). */
function sourceIndex(shape: number[], paddings: Array<[number, number]>, mode: Mode): Int32Array {
  const o = mode === 'reflect' ? 1 : 0;
  const out = shape.map((n, k) => paddings[k][0] + n + paddings[k][1]);
  const total = out.reduce((p, d) => p * d, 1);
  const map = new Int32Array(total);
  const coord = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    for (let k = shape.length - 1; k >= 0; k--) { coord[k] = rest % out[k]; rest = Math.floor(rest / out[k]); }
    let src = 0;
    for (let k = 0; k < shape.length; k++) {
      const [b] = paddings[k];
      const n = shape[k];
      let i = coord[k] - b;
      if (i < 0) i = -i - 1 + o; // before the edge: mirrored about it
      else if (i >= n) i = 2 * n - 1 - i - o; // after the edge
      src = src * n + i;
    }
    map[flat] = src;
  }
  return map;
}

function makeCase(seed: number, mode: Mode): Case {
  const random = ref.rng(seed);
  const rank = 1 + (seed % 4);
  const shape = Array.from({ length: rank }, () => 1 + Math.floor(random() * 5) + (mode === 'reflect' ? 1 : 0));
  const paddings = shape.map((n): [number, number] => {
    const most = mode === 'reflect' ? n - 1 : n;
    return random() < 0.2 ? [0, 0] : [Math.floor(random() * (most + 1)), Math.floor(random() * (most + 1))];
  });
  const outShape = shape.map((n, k) => paddings[k][0] + n + paddings[k][1]);
  return { shape, paddings, mode, x: ref.randomTensor(shape, random, -2, 1), w: ref.randomTensor(outShape, random, -1, 1), v: ref.randomTensor(shape, random, -1, 1) };
}

/** y = M x, its gradient Mᵀ w for L = Σ w·y, and H·v = 2 Mᵀ(w ⊙ M v) for L = Σ w·y². */
function reference(c: Case): { y: Float64Array; grad: Float64Array; hv: Float64Array } {
  const map = sourceIndex(c.shape, c.paddings, c.mode);
  const y = Float64Array.from(map, (s) => c.x.data[s]);
  const grad = new Float64Array(c.x.data.length);
  const hv = new Float64Array(c.x.data.length);
  map.forEach((s, p) => { grad[s] += c.w.data[p]; hv[s] += 2 * c.w.data[p] * c.v.data[s]; });
  return { y, grad, hv };
}

const mirrorPad = (x: tf.Tensor, c: Case) => tf.mirrorPad(x, c.paddings, c.mode);
function ours(c: Case): tf.Tensor[] {
  const w = tensor(c.w);
  const y = mirrorPad(tensor(c.x), c);
  const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(w, mirrorPad(t, c))))(tensor(c.x));
  const hv = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.grad((q: tf.Tensor) => tf.sum(tf.mul(w, tf.square(mirrorPad(q, c)))))(p), tensor(c.v))))(tensor(c.x));
  return [y, grad, hv];
}

const CASES = (['reflect', 'symmetric'] as const).flatMap((mode) => Array.from({ length: 8 }, (_, i) => makeCase(100 + i, mode)));

describe('MirrorPad', () => {
  for (const backend of ALL) {
    it.skipIf(!AVAILABLE[backend])(`on ${backend}: values, gradient and H·v vs float64 (${CASES.length} cases, both modes)`, async () => {
      for (const c of CASES) {
        const want = reference(c);
        const [y, grad, hv] = await on(backend, () => ours(c));
        const label = `${c.mode} ${JSON.stringify(c.shape)} pad ${JSON.stringify(c.paddings)}`;
        expect(ref.relError(y, want.y), `${label}: values`).toBeLessThan(1e-6);
        expect(ref.relError(grad, want.grad), `${label}: gradient`).toBeLessThan(1e-5);
        expect(ref.relError(hv, want.hv), `${label}: H·v`).toBeLessThan(1e-5);
      }
    });
  }

  it('stock tfjs drops the gradient through the mirrored borders (why it is replaced)', async () => {
    const random = ref.rng(3);
    const shape = [2, 5, 4, 3]; // NHWC, padded in H and W as a CycleGAN generator does
    const full: Case = { shape, paddings: [[0, 0], [2, 3], [3, 1], [0, 0]], mode: 'reflect', x: ref.randomTensor(shape, random), w: ref.randomTensor([2, 10, 8, 3], random), v: ref.randomTensor(shape, random) };
    const want = reference(full).grad;
    const grad = (t: Case) => [tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tensor(t.w), mirrorPad(x, t))))(tensor(t.x))];
    const [stock] = await withStockGradients(() => on('cpu', () => grad(full)), ['MirrorPad']);
    const [fixed] = await on('cpu', () => grad(full));
    expect(ref.relError(stock, want)).toBeGreaterThan(0.3);
    expect(ref.relError(fixed, want)).toBeLessThan(1e-6);
  });
});
