/**
 * The native matmul cuts a product into fixed work units (row and column tiles from 2²⁰ multiply-adds,
 * K-chunks summed in order when M·N is small next to K; native/dense.cc `gemm`). The float64
 * conformance suite in @paperzoo/tensor uses small shapes, which are one unit; these shapes reach
 * every cut, with transposes and a batch, and are checked against float64 loops — the product and its
 * gradients (∂/∂A = dY·Bᵀ, ∂/∂B = Aᵀ·dY, themselves cut products) — on negative and positive values.
 */
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@paperzoo/tensor';
import { ADDON_PATH } from '../src/addon.js';

const built = fs.existsSync(ADDON_PATH);

function values(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return ((a >>> 8) / 2 ** 24) * 2 - 1;
  });
}

/** C[b] = op(A[b])·op(B[b]) in float64; A, B row-major as stored. */
function matmul64(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, ta: boolean, tb: boolean): Float64Array {
  const c = new Float64Array(batch * m * n);
  for (let p = 0; p < batch; p++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[p * m * k + (ta ? q * m + i : i * k + q)] * b[p * k * n + (tb ? j * k + q : q * n + j)];
        c[(p * m + i) * n + j] = s;
      }
  return c;
}

function expectClose(got: Float32Array, want: Float64Array, k: number): void {
  // float32 accumulation over k terms of magnitude ≤ 1: a bound of k·2⁻²⁰ is generous yet fails on a wrong tile or chunk
  const tol = 1e-5 + k * 2 ** -20;
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  expect(worst).toBeLessThan(tol);
}

const CASES: { name: string; batch: number; m: number; k: number; n: number; ta: boolean; tb: boolean }[] = [
  { name: 'row tiles', batch: 1, m: 512, k: 300, n: 256, ta: false, tb: false },
  { name: 'row and column tiles, B transposed', batch: 1, m: 1024, k: 64, n: 1200, ta: false, tb: true },
  { name: 'K-chunks (long K, small M·N)', batch: 1, m: 16, k: 9000, n: 24, ta: false, tb: false },
  { name: 'K-chunks, both transposed', batch: 1, m: 20, k: 8192, n: 20, ta: true, tb: true },
  { name: 'K-chunks, batched, A transposed', batch: 3, m: 12, k: 6000, n: 20, ta: true, tb: false },
];

describe.skipIf(!built)('native matmul work units against float64', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'native' });
  });

  it.each(CASES)('$name: [$m×$k]·[$k×$n], batch $batch — product and both gradients', ({ batch, m, k, n, ta, tb }) => {
    const aShape = batch > 1 ? [batch, ta ? k : m, ta ? m : k] : [ta ? k : m, ta ? m : k];
    const bShape = batch > 1 ? [batch, tb ? n : k, tb ? k : n] : [tb ? n : k, tb ? k : n];
    const av = values(batch * m * k, 1 + m);
    const bv = values(batch * k * n, 7 + n);
    const dyv = values(batch * m * n, 13 + k);
    const A = tf.tensor(av, aShape);
    const B = tf.tensor(bv, bShape);
    const dy = tf.tensor(dyv, batch > 1 ? [batch, m, n] : [m, n]);
    const y = tf.matMul(A, B, ta, tb);
    expectClose(y.dataSync() as Float32Array, matmul64(av, bv, batch, m, k, n, ta, tb), k);
    const [gA, gB] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, ta, tb), dy)))([A, B]);
    // float64 gradients from the definition: dA[i,q] = Σ_j dY[i,j]·op(B)[q,j], dB[q,j] = Σ_i op(A)[i,q]·dY[i,j], laid out as stored
    const dA = new Float64Array(av.length);
    const dB = new Float64Array(bv.length);
    for (let p = 0; p < batch; p++)
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          const g = dyv[(p * m + i) * n + j];
          for (let q = 0; q < k; q++) {
            const ai = p * m * k + (ta ? q * m + i : i * k + q);
            const bi = p * k * n + (tb ? j * k + q : q * n + j);
            dA[ai] += g * bv[bi];
            dB[bi] += g * av[ai];
          }
        }
    expectClose(gA.dataSync() as Float32Array, dA, n);
    expectClose(gB.dataSync() as Float32Array, dB, m);
    tf.dispose([A, B, dy, y, gA, gB]);
  });
});
