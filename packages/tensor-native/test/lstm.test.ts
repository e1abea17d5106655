/**
 * The native kernels of src/lstm-kernels.ts (the ops' values and gradients against float64 and cpu
 * are checked by @paperzoo/tensor's test/lstm.test.ts, which runs on native too):
 *
 * - `lstmCell` and `softmaxCrossEntropy` dispatch to the fused kernels on native (and to the composed
 *   ops on cpu); a first-order backward pass runs the fused gradient kernels, a second-order one the
 *   differentiable composed gradient;
 * - shapes large enough for the OpenMP path equal cpu's;
 * - NaN and ±Inf come out as on cpu (lstm.cc is compiled with -ffast-math);
 * - a training step and a second-order gradient through both leave no tensor behind;
 * - UnsortedSegmentSum (the embedding gradient) equals cpu's, ids out of range dropped;
 * - SplitV along the leading axis and an identity Transpose share their input's storage: the pieces
 *   stay valid after the input is disposed and its pooled buffer is reused.
 *
 * Skipped (visibly) where the addon is not built.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tf, assertNoLeaks, initBackend, lstmCell, softmaxCrossEntropy } from '@paperzoo/tensor';
import { ADDON_PATH } from '../src/addon.js';
import { NATIVE_KERNELS } from '../src/index.js';
import { expectClose, expectNativeAsCpu, expectSameSpecials, kernelsRun, on, values } from './fused-helpers.js';

const built = fs.existsSync(ADDON_PATH);
const FUSED = ['PaperzooLstmCell', 'PaperzooLstmCellGrad', 'PaperzooSoftmaxCrossEntropy', 'PaperzooSoftmaxCrossEntropyGrad'];

/** A cell and a loss over it: first-order gradients w.r.t. gates and c. */
function cellStep(B: number, u: number, seed: number): () => tf.Tensor[] {
  return () => {
    const gates = tf.tensor2d(values(B * 4 * u, seed, -4, 4), [B, 4 * u]);
    const c = tf.tensor2d(values(B * u, seed + 1, -2, 2), [B, u]);
    const w = tf.tensor2d(values(B * u, seed + 2), [B, u]);
    const L = (g: tf.Tensor, cc: tf.Tensor): tf.Scalar => {
      const [h, cNext] = lstmCell(g, cc);
      return tf.add(tf.sum(tf.mul(w, h)), tf.sum(tf.mul(tf.square(w), cNext)));
    };
    return [...lstmCell(gates, c), ...tf.grads(L)([gates, c])];
  };
}

function ceStep(rows: number, cols: number, seed: number): () => tf.Tensor[] {
  return () => {
    const logits = tf.tensor2d(values(rows * cols, seed, -5, 5), [rows, cols]);
    const labels = tf.oneHot(tf.tensor1d(Array.from({ length: rows }, (_, r) => (r * 7) % cols), 'int32'), cols);
    const soft = tf.tensor2d(values(rows * cols, seed + 1, 0, 1), [rows, cols]);
    return [
      softmaxCrossEntropy(labels, logits),
      tf.grad((x: tf.Tensor) => softmaxCrossEntropy(labels, x))(logits),
      ...tf.grads((x: tf.Tensor, l: tf.Tensor) => softmaxCrossEntropy(l, x))([logits, soft]),
    ];
  };
}

describe.skipIf(!built)('native fused LSTM and cross-entropy kernels', () => {
  it('are native kernels, registered for native only (cpu takes the composed ops)', async () => {
    await initBackend({ backend: 'native' });
    for (const name of [...FUSED, 'UnsortedSegmentSum']) {
      expect(NATIVE_KERNELS.some((k) => k.kernelName === name), name).toBe(true);
      expect(tf.getKernel(name, 'native'), name).toBeDefined();
    }
    for (const name of FUSED) expect(tf.getKernel(name, 'cpu'), name).toBeUndefined();
  });

  it('a first-order step runs the fused kernels and no sigmoid, tanh or exp', async () => {
    const names = await kernelsRun(() => [...cellStep(3, 5, 1)(), ...ceStep(4, 7, 2)()]);
    for (const name of FUSED) expect(names.has(name), name).toBe(true);
    for (const name of ['Sigmoid', 'Tanh', 'Exp', 'Max']) expect(names.has(name), name).toBe(false);
  });

  it('a gradient of a gradient differentiates the composed gradient, not the fused gradient kernels', async () => {
    const names = await kernelsRun(() => {
      const gates = tf.tensor2d(values(2 * 12, 3, -2, 2), [2, 12]);
      const c = tf.tensor2d(values(2 * 3, 4), [2, 3]);
      const v = tf.tensor2d(values(2 * 12, 5), [2, 12]);
      const L = (g: tf.Tensor): tf.Scalar => tf.sum(lstmCell(g, c)[0]);
      const logits = tf.tensor2d(values(2 * 5, 6), [2, 5]);
      const labels = tf.oneHot(tf.tensor1d([1, 3], 'int32'), 5);
      const vl = tf.tensor2d(values(2 * 5, 7), [2, 5]);
      return [
        tf.grad((g: tf.Tensor) => tf.sum(tf.mul(tf.grad(L)(g), v)))(gates),
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.grad((y: tf.Tensor) => softmaxCrossEntropy(labels, y))(x), vl)))(logits),
      ];
    });
    expect(names.has('PaperzooLstmCell')).toBe(true);
    expect(names.has('PaperzooSoftmaxCrossEntropy')).toBe(true);
    expect(names.has('PaperzooLstmCellGrad')).toBe(false);
    expect(names.has('PaperzooSoftmaxCrossEntropyGrad')).toBe(false);
    expect(names.has('Sigmoid')).toBe(true);
  });

  it('a training step (optimizer.minimize) and a gradient of a gradient through both leave no tensor behind', async () => {
    await initBackend({ backend: 'native' });
    const [B, u, T, V] = [3, 4, 3, 6];
    const wh = tf.variable(tf.tensor2d(values(u * 4 * u, 41), [u, 4 * u]));
    const wo = tf.variable(tf.tensor2d(values(u * V, 42), [u, V]));
    const xs = tf.tensor3d(values(T * B * 4 * u, 43), [T, B, 4 * u]);
    const labels = tf.oneHot(tf.tensor1d([0, 5, 2, 1, 1, 4, 3, 0, 2], 'int32'), V);
    const logits = (): tf.Tensor => {
      let h = tf.zeros([B, u]);
      let c = tf.zeros([B, u]);
      const hs: tf.Tensor[] = [];
      for (const xt of tf.unstack(xs)) {
        [h, c] = lstmCell(tf.add(xt, tf.matMul(h, wh)), c);
        hs.push(h);
      }
      return tf.matMul(tf.concat(hs, 0), wo);
    };
    const opt = tf.train.sgd(0.1);
    await assertNoLeaks(() => {
      for (let i = 0; i < 2; i++) opt.minimize(() => softmaxCrossEntropy(labels, logits()))?.dispose();
      tf.tidy(() => void tf.grad((w: tf.Tensor) => tf.sum(tf.square(tf.grad((v: tf.Tensor) => softmaxCrossEntropy(tf.slice(labels, [0, 0], [B, V]), tf.matMul(lstmCell(tf.matMul(tf.ones([B, u]), v), tf.ones([B, u]))[0], wo)))(w))))(wh));
    }, { label: 'lstm step' });
    tf.dispose([wh, wo, xs, labels]);
    opt.dispose();
  });

  it('LSTM cell at a size that runs on the OpenMP threads ([64, 4·600]) equals cpu', async () => {
    await expectNativeAsCpu(cellStep(64, 600, 11), ['h', 'cNext', 'dgates', 'dc']);
  });

  it('cross-entropy at a size that runs on the OpenMP threads ([40, 2000]) equals cpu', async () => {
    await expectNativeAsCpu(ceStep(40, 2000, 12), ['loss', 'd/dlogits (one-hot)', 'd/dlogits (soft)', 'd/dlabels (soft)']);
  });

  it('NaN and ±Inf come out as on cpu', async () => {
    const special = [NaN, Infinity, -Infinity, 0, -1.5, 3];
    const run = (): tf.Tensor[] => {
      // every special value in every gate position and in c
      const rows = special.length;
      const g = tf.tensor2d(Float32Array.from({ length: rows * 8 }, (_, k) => special[(k + Math.floor(k / 8)) % rows]), [rows, 8]);
      const c = tf.tensor2d(Float32Array.from({ length: rows * 2 }, (_, k) => special[(k * 5) % rows]), [rows, 2]);
      const logits = tf.tensor2d([[NaN, 0, 1], [Infinity, 0, 1], [-Infinity, 0, 1], [-1, 0, 1]]);
      const labels = tf.tensor2d([[0, 1, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0]]);
      const perRow = tf.unstack(logits).map((row, r) => softmaxCrossEntropy(tf.slice(labels, [r, 0], [1, 3]), tf.reshape(row, [1, 3])));
      return [...lstmCell(g, c), ...perRow];
    };
    const want = await on('cpu', run);
    const got = await on('native', run);
    expectSameSpecials(got, want);
  });
});

describe.skipIf(!built)('native UnsortedSegmentSum, SplitV and Transpose', () => {
  it('UnsortedSegmentSum equals cpu (repeated ids; ids out of range dropped) and so does an embedding gradient', async () => {
    const run = (): tf.Tensor[] => {
      const x = tf.tensor2d(values(6 * 70, 21), [6, 70]); // 420 rows' worth below and above the pool size
      const ids = tf.tensor1d([3, 0, 3, -1, 9, 2], 'int32');
      const table = tf.tensor2d(values(300 * 64, 22), [300, 64]);
      const tokens = tf.tensor1d([5, 7, 5, 299, 0, 7, 7], 'int32');
      const w = tf.tensor2d(values(7 * 64, 23), [7, 64]);
      return [tf.unsortedSegmentSum(x, ids, 5), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tokens), w)))(table)];
    };
    const want = await on('cpu', run);
    const got = await on('native', run);
    expectClose('unsortedSegmentSum', got[0], want[0], 1e-6);
    expectClose('embedding gradient', got[1], want[1], 1e-6);
  });

  it('pieces of a leading-axis split and an identity transpose survive their input’s disposal and buffer reuse', async () => {
    await initBackend({ backend: 'native' });
    const n = 1 << 15; // pooled
    const x = tf.tidy(() => tf.add(tf.range(0, 4 * n, 1, 'float32').reshape([4, n]), 0)); // a pooled output
    const pieces = tf.split(x, [1, 3], 0);
    const same = tf.transpose(x, [0, 1]);
    x.dispose();
    const other = tf.tidy(() => tf.mul(tf.fill([4, n], 2), -1)); // would get x's buffer back if it were freed
    expect(pieces[0].dataSync()[n - 1]).toBe(n - 1);
    expect(pieces[1].shape).toEqual([3, n]);
    expect(pieces[1].dataSync()[0]).toBe(n);
    expect(same.dataSync()[4 * n - 1]).toBe(4 * n - 1);
    expect(other.dataSync()[0]).toBe(-2);
    tf.dispose([...pieces, same, other]);
  });

  it('a split along an inner axis still copies the right elements', async () => {
    const run = (): tf.Tensor[] => tf.split(tf.tensor3d(values(2 * 6 * 5, 31), [2, 6, 5]), [2, 4], 1);
    const want = await on('cpu', run);
    const got = await on('native', run);
    want.forEach((w, i) => expectClose(`piece ${i}`, got[i], w, 0));
  });
});
