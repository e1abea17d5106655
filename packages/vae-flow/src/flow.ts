/**
 * The flow-layer contract of NICE and RealNVP: a bijection f with an exact inverse and an exact
 * log-determinant of its Jacobian, so that the change of variables gives the exact log-likelihood.
 *
 * L. Dinh, D. Krueger, Y. Bengio, "NICE: Non-linear Independent Components Estimation", 2014,
 * https://arxiv.org/abs/1410.8516, §2, eq. (2):
 *
 *   log p_X(x) = log p_H(f(x)) + log |det ∂f(x)/∂x|
 *
 * and for a composition f = f_L ∘ … ∘ f_1 the log-determinants add (§3.1). Every layer here maps a
 * batch x [batch, …] to y of the same shape and returns log |det J| per example, [batch].
 */
import { tf } from '@paperzoo/tensor';

/** How a layer runs: batch-norm (RealNVP §3.7) uses batch statistics in training, running ones otherwise. */
export interface FlowMode {
  /** Batch statistics (and their running-average update) when true; default false. */
  training?: boolean;
}

/** One invertible layer: y = f(x) with log |det ∂f/∂x| per example, and x = f⁻¹(y). */
export interface FlowLayer {
  /** x [batch, …] → y [batch, …] (same shape) and logDet [batch]. */
  forward(x: tf.Tensor, mode?: FlowMode): { y: tf.Tensor; logDet: tf.Tensor1D };
  /** y [batch, …] → x [batch, …]: the exact inverse (batch-norm: with its running statistics). */
  inverse(y: tf.Tensor): tf.Tensor;
}

/** The composition f_L ∘ … ∘ f_1 (§3.1): z and Σ_l log |det J_l| [batch]. */
export function flowForward(layers: readonly FlowLayer[], x: tf.Tensor, mode: FlowMode = {}): { y: tf.Tensor; logDet: tf.Tensor1D } {
  return tf.tidy(() => {
    let y = x;
    let logDet: tf.Tensor1D = tf.zeros([x.shape[0]]);
    for (const layer of layers) {
      const r = layer.forward(y, mode);
      y = r.y;
      logDet = tf.add(logDet, r.logDet);
    }
    return { y, logDet };
  });
}

/** (f_L ∘ … ∘ f_1)⁻¹ = f_1⁻¹ ∘ … ∘ f_L⁻¹. */
export function flowInverse(layers: readonly FlowLayer[], y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => layers.reduceRight((h, layer) => layer.inverse(h), y));
}

/** Σ over every axis but the batch axis: x [batch, …] → [batch]. */
export function sumPerExample(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.reshape(x, [x.shape[0], -1]), 1));
}
