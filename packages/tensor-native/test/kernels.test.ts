/**
 * The native backend's elementwise, reduction, data-movement, softmax and batch-norm kernels against
 * the cpu backend's, op by op (convolution, pooling and matmul have their own float64 conformance
 * suites in @paperzoo/tensor). Shapes are small and large (above the 2¹⁵-element threshold at which
 * the loops split over both threads), inputs are negative and positive, and the clamping ops see NaN,
 * which must come out NaN exactly where cpu's does.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tf, initBackend } from '@paperzoo/tensor';
import { ADDON_PATH } from '../src/addon.js';

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
}

const BIG = [8, 24, 24, 16]; // 73 728 values
const CASES: Case[] = [
  ...(['relu', 'relu6', 'tanh', 'sigmoid', 'exp', 'neg', 'square', 'abs', 'elu', 'softplus', 'step'] as const).flatMap((op) =>
    [[5, 7], [64, 120], BIG].map((shape) => ({ name: `${op} ${shape.join('×')}`, shapes: [shape], nan: true, f: (x: tf.Tensor) => (tf[op] as (t: tf.Tensor) => tf.Tensor)(x) })),
  ),
  { name: 'leakyRelu 0.1', shapes: [BIG], nan: true, f: (x) => tf.leakyRelu(x, 0.1) },
  { name: 'log, sqrt, rsqrt, reciprocal of |x| + 0.1', shapes: [BIG], f: (x) => [tf.log(tf.add(tf.abs(x), 0.1)), tf.sqrt(tf.add(tf.abs(x), 0.1)), tf.rsqrt(tf.add(tf.abs(x), 0.1)), tf.reciprocal(tf.add(tf.abs(x), 0.1))] },
  { name: 'add/sub/mul/div/max/min/sqdiff, same shape', shapes: [BIG, BIG], nan: true, f: (a, b) => [tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, b), tf.maximum(a, b), tf.minimum(a, b), tf.squaredDifference(a, b)] },
  { name: 'broadcast: [8,24,24,16] with [16], [24,1,16], [8,1,1,1] and a scalar', shapes: [BIG, [16], [24, 1, 16], [8, 1, 1, 1]], f: (a, b, c, d) => [tf.add(a, b), tf.mul(c, a), tf.sub(a, d), tf.div(a, 3)] },
  // rows shorter than 256 elements against a row vector go in tiled blocks of rows; a remainder of rows after the last block
  { name: 'short rows against a row vector: [1001,6]+[6], [6]−[6001,6], [7,3]·[3], [50,200]/[200]', shapes: [[1001, 6], [6], [6001, 6], [7, 3], [3], [50, 200], [200]], nan: true, f: (a, v, b, c, w, d, u) => [tf.add(a, v), tf.sub(v, b), tf.mul(c, w), tf.div(d, u), tf.add(v, a)] },
  { name: 'column sums of few columns: [1001,6], [9001,5], [3,7], [64,28,28,6] over rows', shapes: [[1001, 6], [9001, 5], [3, 7], [64, 28, 28, 6]], f: (a, b, c, d) => [tf.sum(a, 0), tf.sum(b, 0), tf.sum(c, 0), tf.sum(d, [0, 1, 2]), tf.mean(a, 0)] },
  { name: 'addN of 3', shapes: [BIG, BIG, BIG], f: (a, b, c) => tf.addN([a, b, c]) },
  { name: 'sum/mean/max/min over every axis block of [8,24,24,16]', shapes: [BIG], f: (x) => [[0], [1, 2], [3], [0, 1, 2], [1, 2, 3], [0, 1, 2, 3], [2]].flatMap((ax) => [tf.sum(x, ax), tf.mean(x, ax), tf.max(x, ax), tf.min(x, ax, true)]) },
  { name: 'sum/max over [3,5] (small) and max with NaN', shapes: [[3, 5], BIG], nan: true, f: (s, x) => [tf.sum(s, 1), tf.max(s, 0), tf.max(x, [1, 2])] },
  { name: 'softmax and logSoftmax rows of [400, 1000]', shapes: [[400, 1000]], f: (x) => [tf.softmax(tf.mul(x, 10)), tf.logSoftmax(x)] },
  { name: 'batchNorm (inference) with [16] statistics', shapes: [BIG, [16], [16], [16], [16]], f: (x, m, v, o, s) => tf.batchNorm(x, m, tf.add(tf.abs(v), 0.5), o, s, 1e-3) },
  { name: 'slice, tile, pad, transpose, concat, split', shapes: [BIG, [3, 4, 5]], f: (x, s) => [tf.slice(x, [1, 2, 3, 1], [5, 20, 10, 14]), tf.tile(s, [2, 1, 3]), tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 3]], 0.5), tf.transpose(x, [0, 3, 1, 2]), tf.concat([x, x], 2), ...tf.split(x, [5, 11], 3)] },
  { name: 'gather rows (an embedding lookup) and its gradient', shapes: [[100, 32]], f: (e) => [tf.gather(e, tf.tensor1d([3, 99, 0, 3, 42], 'int32')), tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d([3, 99, 0, 3, 42], 'int32')))))(e)] },
];

async function run(backend: 'cpu' | 'native', c: Case): Promise<Float32Array[]> {
  await initBackend({ backend });
  return tf.tidy(() => {
    const inputs = c.shapes.map((s, i) => tf.tensor(values(s.reduce((p, q) => p * q, 1), 7 + 13 * i, c.nan), s));
    const out = c.f(...inputs);
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

describe.skipIf(!built)('native kernels against cpu', () => {
  it.each(CASES)('$name', async (c) => {
    const want = await run('cpu', c);
    const got = await run('native', c);
    expect(got.length).toBe(want.length);
    want.forEach((w, k) => {
      const g = got[k];
      expect(g.length, `output ${k} length`).toBe(w.length);
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
      expect(nanMismatch, `output ${k}: NaN at [${nanMismatch}] on one backend only (native ${g[nanMismatch]}, cpu ${w[nanMismatch]})`).toBe(-1);
      expect(worst / scale, `output ${k}: largest difference relative to max(1, |cpu|)`).toBeLessThanOrEqual(2e-6);
    });
  });
});
