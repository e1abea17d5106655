/**
 * L1 and L2 weight penalties, added to the loss (or, equivalently, to its gradient).
 *
 * L2 ("weight decay" in the sense of the loss): A. Krogh, J. A. Hertz, "A Simple Weight Decay Can
 * Improve Generalization", NIPS 4, 1991;
 * L1: R. Tibshirani, "Regression Shrinkage and Selection via the Lasso", JRSS B 58(1), 1996,
 * https://doi.org/10.1111/j.2517-6161.1996.tb02080.x.
 *
 *   L2: Ω(θ) = (λ₂/2)‖θ‖²  →  ∇Ω = λ₂ θ        (PyTorch's `weight_decay` convention; Keras's l2(λ) is Ω = λ‖θ‖²)
 *   L1: Ω(θ) = λ₁‖θ‖₁      →  ∇Ω = λ₁ sign(θ)  (subgradient 0 at θ = 0)
 *
 * Every optimizer takes `l1` / `l2` and adds ∇Ω to the gradient before clipping and the update rule
 * (so with Adam this is the coupled "Adam + L2" that AdamW decouples). These functions give Ω itself,
 * to add to a loss you want to report or differentiate.
 */
import { tf } from '@paperzoo/tensor';
import type { Optimizer } from './optimizer.js';

/** (λ/2) Σ_v ‖v‖² as a scalar tensor. */
export function l2Penalty(variables: readonly tf.Tensor[], lambda: number): tf.Scalar {
  return tf.tidy(() => tf.mul(lambda / 2, variables.length === 0 ? tf.scalar(0) : tf.addN(variables.map((v) => tf.sum(tf.square(v))))));
}

/** λ Σ_v ‖v‖₁ as a scalar tensor. */
export function l1Penalty(variables: readonly tf.Tensor[], lambda: number): tf.Scalar {
  return tf.tidy(() => tf.mul(lambda, variables.length === 0 ? tf.scalar(0) : tf.addN(variables.map((v) => tf.sum(tf.abs(v))))));
}

/** g + λ₁ sign(θ) + λ₂ θ: the gradient of the loss plus the gradient of both penalties. */
export function addPenaltyGradient(gradient: tf.Tensor, value: tf.Tensor, l1: number, l2: number): tf.Tensor {
  return tf.tidy(() => {
    let g = gradient;
    if (l1 !== 0) g = tf.add(g, tf.mul(tf.sign(value), l1));
    if (l2 !== 0) g = tf.add(g, tf.mul(value, l2));
    return g === gradient ? tf.clone(gradient) : g;
  });
}

/**
 * Apply `steps` updates with a zero gradient to θ_0 = [1e-3, 0.1, 1, −5] and return θ_t/θ_0 per
 * element (the optimizer is disposed). Decoupled decay (AdamW, Loshchilov & Hutter 2019, Algorithm 2):
 * every ratio is (1 − ηλ)^t. An L2 penalty inside Adam: λθ/√v̂ ≈ sign θ, so the ratios differ by size.
 */
export function zeroGradientRatios(optimizer: Optimizer, steps: number): number[] {
  const start = [1e-3, 0.1, 1, -5];
  const theta = tf.tidy(() => tf.variable(tf.tensor1d(start), true));
  for (let t = 0; t < steps; t++) {
    const zero = tf.zerosLike(theta);
    optimizer.applyGradients(new Map([[theta, zero]]));
    zero.dispose();
  }
  const end = Array.from(theta.dataSync());
  theta.dispose();
  optimizer.dispose();
  return end.map((v, i) => v / start[i]);
}
