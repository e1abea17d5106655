/**
 * The fused GRU cell, in the variant PyTorch (torch.nn.GRU) and cuDNN use: the reset gate applied
 * *after* the recurrent matrix. With gate order r, z, n as in torch.nn.GRU:
 *
 *   xGates = x·W_ih + b_ih                 [..., 3u]   (x_r, x_z, x_n)
 *   hGates = h·W_hh + b_hh                 [..., 3u]   (h_r, h_z, h_n)
 *   r  = σ(x_r + h_r)                      [..., u]
 *   z  = σ(x_z + h_z)                      [..., u]
 *   n  = tanh(x_n + r ⊙ h_n)               [..., u]    h_n = h·W_hn + b_hn: the bias is inside the r product
 *   h' = (1 − z) ⊙ n + z ⊙ h               [..., u]
 *
 * Cho et al. 2014, "Learning Phrase Representations using RNN Encoder–Decoder for Statistical Machine
 * Translation" (https://arxiv.org/abs/1406.1078), eq. 5–8, apply the reset gate *before* the
 * recurrent matrix, n = tanh(W x + U(r ⊙ h)), which cannot be computed from h·W_hh alone; this cell is
 * the "reset after" variant (also Keras' `reset_after=True`), whose recurrent product for all three
 * gates is one matmul that does not wait for r.
 *
 * On a backend that has the kernel `PaperzooGruCell` (the native backend) this is one kernel and its
 * gradient one more (`PaperzooGruCellGrad`, giving dxGates, dhGates and dh in one pass); elsewhere it
 * is composed from tf ops (split, sigmoid, tanh, mul, add), which tfjs differentiates to any order.
 * As in ./lstm.ts, the registered gradient runs the fused backward kernel only for a first-order
 * backward pass; when the backward pass is itself being recorded (a gradient of this gradient) it
 * computes the same formulas with differentiable tf ops from the saved inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import { fusedBackward, fusedKernel } from './fused.js';

function checkCell(xGates: tf.Tensor, hGates: tf.Tensor, h: tf.Tensor): void {
  const rank = h.rank;
  const u = h.shape[rank - 1];
  const lead = h.shape.slice(0, -1);
  const fits = (g: tf.Tensor): boolean => g.rank === rank && g.shape[rank - 1] === 3 * u && g.shape.slice(0, -1).every((d, i) => d === lead[i]);
  if (rank === 0 || !fits(xGates) || !fits(hGates)) {
    throw new Error(`@paperzoo/tensor: gruCell takes xGates [..., 3u], hGates [..., 3u] and h [..., u] with the same leading dims, got xGates [${xGates.shape}], hGates [${hGates.shape}] and h [${h.shape}]`);
  }
}

/** r, z and the pre-activation parts x_n, h_n of the two gate tensors [..., 3u]. */
function gates(xGates: Tensor, hGates: Tensor): { r: Tensor; z: Tensor; xn: Tensor; hn: Tensor } {
  const [xr, xz, xn] = tf.split(xGates, 3, -1);
  const [hr, hz, hn] = tf.split(hGates, 3, -1);
  return { r: tf.sigmoid(tf.add(xr, hr)), z: tf.sigmoid(tf.add(xz, hz)), xn, hn };
}

/**
 * One GRU step (PyTorch's "reset after" variant, gate order r, z, n): xGates = x·W_ih + b_ih and
 * hGates = h·W_hh + b_hh, both [..., 3u], and the previous state h [..., u] → h' [..., u], with
 * r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r ⊙ h_n), h' = (1 − z) ⊙ n + z ⊙ h.
 */
export function gruCell<T extends tf.Tensor>(xGates: T, hGates: T, h: T): T {
  checkCell(xGates, hGates, h);
  const fused = fusedKernel<T>('PaperzooGruCell', { xGates, hGates, h });
  if (fused != null) return fused;
  return tf.tidy(() => {
    const { r, z, xn, hn } = gates(tf.cast(xGates, 'float32'), tf.cast(hGates, 'float32'));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn))); // [..., u]
    return tf.add<T>(n, tf.mul(z, tf.sub(tf.cast(h, 'float32'), n))); // (1 − z)·n + z·h
  });
}

/**
 * The cell's gradient with differentiable tf ops (the fallback, and the path of second-order
 * gradients). For the upstream gradient dy of h':
 *   dn = dy·(1 − z),  da_n = dn·(1 − n²)       (a_n = x_n + r·h_n)
 *   da_r = da_n·h_n·r(1 − r),  da_z = dy·(h − n)·z(1 − z)
 *   dxGates = [da_r, da_z, da_n],  dhGates = [da_r, da_z, da_n·r],  dh = dy·z
 */
function composedCellGrad(xGates: Tensor, hGates: Tensor, h: Tensor, dy: Tensor): [Tensor, Tensor, Tensor] {
  const { r, z, xn, hn } = gates(xGates, hGates);
  const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
  const dsig = (s: Tensor): Tensor => tf.mul(s, tf.sub(1, s)); // σ′ = σ(1 − σ)
  const dan = tf.mul(tf.mul(dy, tf.sub(1, z)), tf.sub(1, tf.square(n)));
  const dar = tf.mul(tf.mul(dan, hn), dsig(r));
  const daz = tf.mul(tf.mul(dy, tf.sub(h, n)), dsig(z));
  return [tf.concat([dar, daz, dan], -1), tf.concat([dar, daz, tf.mul(dan, r)], -1), tf.mul(dy, z)];
}

export const gruCellGradConfig: GradConfig = {
  kernelName: 'PaperzooGruCell',
  inputsToSave: ['xGates', 'hGates', 'h'],
  gradFunc: (dy, saved) => {
    const [xGates, hGates, h] = saved;
    const dh = dy as Tensor;
    // All three gradients come from one computation: run it now rather than in the closures (the
    // engine runs each closure in its own tidy, which would dispose what the others return).
    const [dx, dhg, dprev] = fusedBackward<Tensor[]>('PaperzooGruCellGrad', { xGates, hGates, h, dh }) ?? composedCellGrad(xGates, hGates, h, dh);
    return { xGates: () => dx, hGates: () => dhg, h: () => dprev };
  },
};
