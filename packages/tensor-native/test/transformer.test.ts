/**
 * The native transformer kernels of src/transformer-kernels.ts (the ops' values and gradients against
 * float64 loops, finite differences and PyTorch are checked by @paperzoo/tensor's
 * test/transformer-ops.test.ts, which runs on native too):
 *
 * - `layerNorm` and `gelu` dispatch to the fused kernels on native (cpu takes the composed ops); a
 *   first-order backward pass runs the fused gradient kernels, a second-order one the composed gradients;
 * - sizes that run on the OpenMP threads equal cpu, forward and gradients; NaN and ±Inf come out as on cpu;
 * - Softmax's first-order gradient (PaperzooSoftmaxGrad), Select (tf.where), Tile of bool and int32 and
 *   Erf against cpu on random shapes with negative inputs, and through their gradients;
 * - a training step through all of them leaves no tensor behind.
 *
 * Skipped (visibly) where the addon is not built.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tf, assertNoLeaks, initBackend, gelu, layerNorm, softmaxCrossEntropy } from '@paperzoo/tensor';
import { ADDON_PATH } from '../src/addon.js';
import { NATIVE_KERNELS } from '../src/index.js';
import { erf64 } from '../../tensor/test/erf64.js';
import { expectClose, expectNativeAsCpu, expectSameSpecials, kernelsRun, on, values } from './fused-helpers.js';

const built = fs.existsSync(ADDON_PATH);
const FUSED = ['PaperzooLayerNorm', 'PaperzooLayerNormGrad', 'PaperzooGelu', 'PaperzooGeluGrad', 'PaperzooSoftmaxGrad'];

/** A pre-norm MLP and attention-like softmax on [rows, c]: outputs and the gradients w.r.t. x, γ, β. */
function blockStep(rows: number, c: number, seed: number): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor2d(values(rows * c, seed, -3, 3), [rows, c]);
    const gamma = tf.tensor1d(values(c, seed + 1, -1.5, 1.5));
    const beta = tf.tensor1d(values(c, seed + 2));
    const w = tf.tensor2d(values(rows * c, seed + 3), [rows, c]);
    const L = (p: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
      const h = gelu(layerNorm(p, g, b));
      return tf.add(tf.sum(tf.mul(w, h)), tf.sum(tf.mul(w, tf.softmax(h))));
    };
    return [gelu(layerNorm(x, gamma, beta)), ...tf.grads(L)([x, gamma, beta])];
  };
}

describe.skipIf(!built)('native transformer kernels', () => {
  it('are native kernels, registered for native only (cpu takes the composed ops)', async () => {
    await initBackend({ backend: 'native' });
    for (const name of FUSED) {
      expect(NATIVE_KERNELS.some((k) => k.kernelName === name), name).toBe(true);
      expect(tf.getKernel(name, 'native'), name).toBeDefined();
      expect(tf.getKernel(name, 'cpu'), name).toBeUndefined();
    }
    for (const name of ['Select', 'Erf', 'Tile']) expect(NATIVE_KERNELS.some((k) => k.kernelName === name), name).toBe(true);
  });

  it('a first-order step runs the fused kernels and no erf, moments or composed softmax gradient', async () => {
    const names = await kernelsRun(blockStep(4, 6, 1));
    for (const name of FUSED) expect(names.has(name), name).toBe(true);
    for (const name of ['Erf', 'Mean', 'SquaredDifference', 'Rsqrt']) expect(names.has(name), name).toBe(false);
  });

  it('a gradient of a gradient differentiates the composed gradients, not the fused gradient kernels', async () => {
    const names = await kernelsRun(() => {
      const x = tf.tensor2d(values(12, 3, -2, 2), [3, 4]);
      const v = tf.tensor2d(values(12, 4), [3, 4]);
      // linear after each op, so that the outer backward pass does not go through a forward kernel
      // (where a first-order gradient, and so the fused kernel, would be right)
      const L = (p: tf.Tensor): tf.Scalar => tf.add(tf.sum(tf.mul(v, layerNorm(p))), tf.sum(tf.mul(v, gelu(p))));
      return tf.grad((p: tf.Tensor) => tf.sum(tf.square(tf.grad(L)(p))))(x);
    });
    const ran = { PaperzooLayerNorm: true, PaperzooGelu: true, PaperzooLayerNormGrad: false, PaperzooGeluGrad: false, Erf: true };
    for (const [name, want] of Object.entries(ran)) expect(names.has(name), name).toBe(want);
  });

  it('sizes that run on the OpenMP threads ([768, 512], [96, 2048]) equal cpu, forward and gradients', async () => {
    await expectNativeAsCpu(blockStep(768, 512, 11), ['y', 'dx', 'dγ', 'dβ']);
    await expectNativeAsCpu(blockStep(96, 2048, 12), ['y', 'dx', 'dγ', 'dβ']);
  });

  it('NaN and ±Inf come out as on cpu', async () => {
    const special = [NaN, Infinity, -Infinity, 0, -1.5, 3, -40, 40];
    const run = (): tf.Tensor[] => {
      const x = tf.tensor1d(special);
      const rows = tf.tensor2d([[...special], [1, 2, 3, 4, 5, 6, 7, 8], [0, 0, 0, 0, 0, 0, 0, Infinity]]);
      const dx = tf.grad((p: tf.Tensor) => tf.sum(gelu(p)))(x);
      return [gelu(x), dx, layerNorm(rows), tf.erf(x)];
    };
    expectSameSpecials(await on('native', run), await on('cpu', run));
  });

  it('Select, Tile (bool, int32), Erf and the softmax gradient equal cpu on random shapes with negative inputs', async () => {
    const shapes = [[3, 70], [2, 3, 5, 7], [12, 4, 16, 16], [4097]];
    for (const [k, shape] of shapes.entries()) {
      const n = shape.reduce((p, q) => p * q, 1);
      const run = (): tf.Tensor[] => {
        const x = tf.tensor(values(n, 50 + k, -5, 5), shape);
        const y = tf.tensor(values(n, 60 + k, -5, 5), shape);
        const w = tf.tensor(values(n, 70 + k), shape);
        const cond = tf.greater(x, y);
        const reps = shape.map((_, i) => (i === 0 ? 2 : i === shape.length - 1 ? 1 : 3));
        // where and its gradient (dy routed by the mask), softmax and its gradient, erf and its gradient
        const [dx, dy] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(w, tf.softmax(tf.where(cond, p, q)))))([x, y]);
        const de = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(w, tf.erf(p))))(x);
        return [tf.where(cond, x, tf.fill(shape, -Infinity)), dx, dy, tf.erf(x), de, tf.cast(tf.tile(cond, reps), 'float32'), tf.cast(tf.tile(tf.cast(x, 'int32'), reps), 'float32')];
      };
      const want = await on('cpu', run);
      const got = await on('native', run);
      ['where', 'd/dx through where and softmax', 'd/dy', 'erf', 'erf′', 'tile bool', 'tile int32'].forEach((label, i) => {
        if (i === 0) expectSameSpecials([got[0]], [want[0]]);
        else expectClose(`${label} [${shape.join(', ')}]`, got[i], want[i], 1e-6);
      });
    }
  });

  it('a training step (optimizer.minimize) through layerNorm, gelu, a masked softmax and a gradient of a gradient leave no tensor behind', async () => {
    await initBackend({ backend: 'native' });
    const [B, T, D, V] = [2, 4, 8, 5];
    const wq = tf.variable(tf.tensor2d(values(D * D, 81), [D, D]));
    const wo = tf.variable(tf.tensor2d(values(D * V, 82), [D, V]));
    const gain = tf.variable(tf.ones([D]));
    const x = tf.tensor3d(values(B * T * D, 83, -2, 2), [B, T, D]);
    const labels = tf.oneHot(tf.tensor1d([0, 4, 2, 1, 1, 3, 3, 0], 'int32'), V);
    const logits = (): tf.Tensor2D => {
      const h = layerNorm(x, gain); // [B, T, D]
      const q = tf.matMul(tf.reshape(h, [B * T, D]), wq);
      const scores = tf.matMul(tf.reshape(q, [B, T, D]), h, false, true); // [B, T, T]
      const causal = tf.tile(tf.reshape(tf.linalg.bandPart(tf.ones([T, T], 'bool'), -1, 0), [1, T, T]), [B, 1, 1]);
      const att = tf.softmax(tf.where(causal, scores, tf.fill([B, T, T], -Infinity)));
      return tf.matMul(tf.reshape(gelu(tf.matMul(att, h)), [B * T, D]), wo);
    };
    const opt = tf.train.sgd(0.1);
    await assertNoLeaks(() => {
      for (let i = 0; i < 2; i++) opt.minimize(() => softmaxCrossEntropy(labels, logits()))?.dispose();
      tf.tidy(() => void tf.grad((g: tf.Tensor) => tf.sum(tf.square(tf.grad((u: tf.Tensor) => tf.sum(tf.softmax(gelu(layerNorm(x, u)))))(g))))(gain));
    }, { label: 'transformer step' });
    tf.dispose([wq, wo, gain, x, labels]);
    opt.dispose();
  });

  it('Erf and the softmax gradient on native against float64 references (not only against cpu)', async () => {
    const n = 4097;
    const xs = values(n, 91, -6, 6);
    const [erf] = await on('native', () => [tf.erf(tf.tensor1d(xs))]);
    xs.forEach((x, i) => expect(Math.abs(erf[i] - erf64(x))).toBeLessThan(2e-7));
    const [rows, cols] = [9, 70];
    const logits = values(rows * cols, 92, -8, 8);
    const w = values(rows * cols, 93);
    const [dx] = await on('native', () => [tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.tensor2d(w, [rows, cols]), tf.softmax(p))))(tf.tensor2d(logits, [rows, cols]))]);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(logits.subarray(r * cols, (r + 1) * cols));
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      const z = e.reduce((a, b) => a + b, 0);
      const y = e.map((v) => v / z); // softmax in float64
      const dot = y.reduce((a, yi, j) => a + yi * w[r * cols + j], 0);
      y.forEach((yi, j) => expect(Math.abs(dx[r * cols + j] - yi * (w[r * cols + j] - dot))).toBeLessThan(1e-6)); // ∂/∂x = y ⊙ (w − Σ w·y)
    }
  });
});
