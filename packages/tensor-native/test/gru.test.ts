/**
 * The native GRU kernels of src/gru-kernels.ts (the op's values and gradients against float64 and cpu
 * are checked by @paperzoo/tensor's test/gru.test.ts, which runs on native too):
 *
 * - `gruCell` dispatches to the fused kernels on native (and to the composed op on cpu); a
 *   first-order backward pass runs the fused gradient kernel, a second-order one the differentiable
 *   composed gradient;
 * - a shape large enough for the OpenMP path ([64, 3·600]) equals cpu, forward and all three gradients;
 * - NaN and ±Inf come out as on cpu (gru.cc is compiled with -ffast-math);
 * - a training step and a second-order gradient through the cell leave no tensor behind.
 *
 * That 1, 2 and 3 threads give the same bytes is in ./threads.test.ts. Skipped (visibly) where the
 * addon is not built.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tf, assertNoLeaks, initBackend, gruCell, softmaxCrossEntropy } from '@paperzoo/tensor';
import { ADDON_PATH } from '../src/addon.js';
import { NATIVE_KERNELS } from '../src/index.js';
import { expectNativeAsCpu, expectSameSpecials, kernelsRun, on, values } from './fused-helpers.js';

const built = fs.existsSync(ADDON_PATH);
const FUSED = ['PaperzooGruCell', 'PaperzooGruCellGrad'];

/** h' and the first-order gradients w.r.t. xGates, hGates and h of Σ w·h' + Σ w²·h'². */
function cellStep(B: number, u: number, seed: number): () => tf.Tensor[] {
  return () => {
    const xg = tf.tensor2d(values(B * 3 * u, seed, -4, 4), [B, 3 * u]);
    const hg = tf.tensor2d(values(B * 3 * u, seed + 1, -4, 4), [B, 3 * u]);
    const h = tf.tensor2d(values(B * u, seed + 2, -2, 2), [B, u]);
    const w = tf.tensor2d(values(B * u, seed + 3), [B, u]);
    const L = (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor): tf.Scalar => {
      const out = gruCell(p, q, s);
      return tf.add(tf.sum(tf.mul(w, out)), tf.sum(tf.mul(tf.square(w), tf.square(out))));
    };
    return [gruCell(xg, hg, h), ...tf.grads(L)([xg, hg, h])];
  };
}

describe.skipIf(!built)('native fused GRU kernels', () => {
  it('are native kernels, registered for native only (cpu takes the composed op)', async () => {
    await initBackend({ backend: 'native' });
    for (const name of FUSED) {
      expect(NATIVE_KERNELS.some((k) => k.kernelName === name), name).toBe(true);
      expect(tf.getKernel(name, 'native'), name).toBeDefined();
      expect(tf.getKernel(name, 'cpu'), name).toBeUndefined();
    }
  });

  it('a first-order step runs the fused kernels and no sigmoid or tanh', async () => {
    const names = await kernelsRun(cellStep(3, 5, 1));
    for (const name of FUSED) expect(names.has(name), name).toBe(true);
    for (const name of ['Sigmoid', 'Tanh']) expect(names.has(name), name).toBe(false);
  });

  it('a gradient of a gradient differentiates the composed gradient, not the fused gradient kernel', async () => {
    const names = await kernelsRun(() => {
      const xg = tf.tensor2d(values(2 * 9, 3, -2, 2), [2, 9]);
      const hg = tf.tensor2d(values(2 * 9, 4, -2, 2), [2, 9]);
      const h = tf.tensor2d(values(2 * 3, 5), [2, 3]);
      const v = tf.tensor2d(values(2 * 9, 6), [2, 9]);
      // linear in h', so that the outer backward pass does not go through the forward kernel (where a
      // first-order gradient, and so the fused kernel, would be right)
      const L = (p: tf.Tensor): tf.Scalar => tf.sum(gruCell(p, hg, h));
      return tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.grad(L)(p), v)))(xg);
    });
    const ran = { PaperzooGruCell: true, PaperzooGruCellGrad: false, Sigmoid: true };
    for (const [name, want] of Object.entries(ran)) expect(names.has(name), name).toBe(want);
  });

  it('a training step (optimizer.minimize) and a gradient of a gradient through the cell leave no tensor behind', async () => {
    await initBackend({ backend: 'native' });
    const [B, u, T, V] = [3, 4, 3, 6];
    const whh = tf.variable(tf.tensor2d(values(u * 3 * u, 41), [u, 3 * u]));
    const bhh = tf.variable(tf.tensor1d(values(3 * u, 44)));
    const wo = tf.variable(tf.tensor2d(values(u * V, 42), [u, V]));
    const xs = tf.tensor3d(values(T * B * 3 * u, 43), [T, B, 3 * u]);
    const labels = tf.oneHot(tf.tensor1d([0, 5, 2, 1, 1, 4, 3, 0, 2], 'int32'), V);
    const logits = (): tf.Tensor => {
      let h = tf.zeros([B, u]);
      const hs: tf.Tensor[] = [];
      for (const xt of tf.unstack(xs)) {
        h = gruCell(xt, tf.add(tf.matMul(h, whh), bhh), h);
        hs.push(h);
      }
      return tf.matMul(tf.concat(hs, 0), wo);
    };
    const opt = tf.train.sgd(0.1); // no slot variables, which would count as new tensors
    await assertNoLeaks(() => {
      for (let i = 0; i < 2; i++) opt.minimize(() => softmaxCrossEntropy(labels, logits()))?.dispose();
      tf.tidy(() => void tf.grad((w: tf.Tensor) => tf.sum(tf.square(tf.grad((v: tf.Tensor) => tf.sum(gruCell(tf.matMul(tf.ones([B, u]), v), tf.matMul(tf.ones([B, u]), w), tf.ones([B, u]))))(w))))(whh));
    }, { label: 'gru step' });
    tf.dispose([whh, bhh, wo, xs, labels]);
    opt.dispose();
  });

  it('GRU cell at a size that runs on the OpenMP threads ([64, 3·600]) equals cpu', async () => {
    await expectNativeAsCpu(cellStep(64, 600, 11), ["h'", 'dxGates', 'dhGates', 'dh']);
  });

  it('NaN and ±Inf come out as on cpu', async () => {
    const special = [NaN, Infinity, -Infinity, 0, -1.5, 3];
    const rows = special.length;
    const run = (): tf.Tensor[] => {
      // every special value in every gate position of both gate tensors and in h
      const fill = (n: number, cols: number, k: number): tf.Tensor2D => tf.tensor2d(Float32Array.from({ length: n }, (_, i) => special[(i * k + Math.floor(i / cols)) % rows]), [rows, cols]);
      return [gruCell(fill(rows * 6, 6, 1), fill(rows * 6, 6, 5), fill(rows * 2, 2, 3))];
    };
    expectSameSpecials(await on('native', run), await on('cpu', run));
  });
});
