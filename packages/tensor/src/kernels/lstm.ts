/**
 * The fused LSTM cell (Hochreiter & Schmidhuber 1997, in the form of Zaremba et al. 2014, eq. 1):
 *
 *   i, f, g, o = split(gates, 4)          gates = x·Wx + h·Wh + b, [B, 4u]
 *   cNext = σ(f)·c + σ(i)·tanh(g)         [B, u]
 *   h     = σ(o)·tanh(cNext)              [B, u]
 *
 * On a backend that has the kernel `PaperzooLstmCell` (the native backend) this is one kernel and its
 * gradient one more (`PaperzooLstmCellGrad`) instead of ~15 small elementwise kernels per step each way;
 * elsewhere it is composed from tf ops (split, sigmoid, tanh, mul, add), which tfjs differentiates
 * to any order.
 *
 * The gradient registered for `PaperzooLstmCell` runs `PaperzooLstmCellGrad` only for a first-order
 * backward pass; when the backward pass is itself being recorded (a gradient of this gradient) it
 * computes the same formulas with differentiable tf ops from the saved inputs, so second-order
 * gradients through the fused kernel are those of the composed op.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import { fusedBackward, fusedKernel } from './fused.js';

function checkCell(gates: tf.Tensor, c: tf.Tensor): void {
  const rank = c.rank;
  const u = c.shape[rank - 1];
  const ok = rank > 0 && gates.rank === rank && gates.shape[rank - 1] === 4 * u && gates.shape.slice(0, -1).every((d, i) => d === c.shape[i]);
  if (!ok) throw new Error(`@paperzoo/tensor: lstmCell takes gates [..., 4u] and c [..., u] with the same leading dims, got gates [${gates.shape}] and c [${c.shape}]`);
}

/** σ(i), σ(f), tanh(g), σ(o) of gates [..., 4u]: four [..., u] tensors. */
function activations(gates: Tensor): [Tensor, Tensor, Tensor, Tensor] {
  const [i, f, g, o] = tf.split(gates, 4, -1);
  return [tf.sigmoid(i), tf.sigmoid(f), tf.tanh(g), tf.sigmoid(o)];
}

/**
 * One LSTM step: gates [..., 4u] (pre-activations x·Wx + h·Wh + b, gate order i, f, g, o) and the
 * previous cell c [..., u] → [h, cNext], both [..., u]. cNext = σ(f)·c + σ(i)·tanh(g),
 * h = σ(o)·tanh(cNext).
 */
export function lstmCell<T extends tf.Tensor>(gates: T, c: T): [T, T] {
  checkCell(gates, c);
  const fused = fusedKernel<T[]>('PaperzooLstmCell', { gates, c });
  if (fused != null) return [fused[0], fused[1]];
  return tf.tidy(() => {
    const [si, sf, tg, so] = activations(tf.cast(gates, 'float32'));
    const cNext = tf.add(tf.mul(sf, tf.cast(c, 'float32')), tf.mul(si, tg)); // [..., u]
    return [tf.mul(so, tf.tanh(cNext)), cNext] as [T, T];
  });
}

/**
 * The cell's gradient with differentiable tf ops (the fallback, and the path of second-order
 * gradients). With si = σ(i), sf = σ(f), tg = tanh(g), so = σ(o), tc = tanh(cNext):
 *   dcN = dcNext + dh·so·(1 − tc²)
 *   di = dcN·tg·si(1 − si), df = dcN·c·sf(1 − sf), dg = dcN·si·(1 − tg²), do = dh·tc·so(1 − so)
 *   dgates = [di, df, dg, do], dc = dcN·sf
 */
function composedCellGrad(gates: Tensor, c: Tensor, dh: Tensor, dcNext: Tensor): [Tensor, Tensor] {
  const [si, sf, tg, so] = activations(gates);
  const tc = tf.tanh(tf.add(tf.mul(sf, c), tf.mul(si, tg)));
  const dcN = tf.add(dcNext, tf.mul(tf.mul(dh, so), tf.sub(1, tf.square(tc))));
  const dsig = (s: Tensor): Tensor => tf.mul(s, tf.sub(1, s)); // σ′ = σ(1 − σ)
  const di = tf.mul(tf.mul(dcN, tg), dsig(si));
  const df = tf.mul(tf.mul(dcN, c), dsig(sf));
  const dg = tf.mul(tf.mul(dcN, si), tf.sub(1, tf.square(tg)));
  const dout = tf.mul(tf.mul(dh, tc), dsig(so));
  return [tf.concat([di, df, dg, dout], -1), tf.mul(dcN, sf)];
}

export const lstmCellGradConfig: GradConfig = {
  kernelName: 'PaperzooLstmCell',
  inputsToSave: ['gates', 'c'],
  gradFunc: (dys, saved) => {
    // Two outputs, so dys is [dh, dcNext]; tfjs passes zeros for an output that got no gradient
    // (the last step's cell, or h of a cell whose output is unused).
    const [dh, dcNext] = dys as Tensor[];
    const [gates, c] = saved;
    // Both gradients come from one computation: run it now rather than in the closures (the engine
    // runs each closure in its own tidy, which would dispose what the other returns).
    const [dgates, dc] = fusedBackward<Tensor[]>('PaperzooLstmCellGrad', { gates, c, dh, dcNext }) ?? composedCellGrad(gates, c, dh, dcNext);
    return { gates: () => dgates, c: () => dc };
  },
};
