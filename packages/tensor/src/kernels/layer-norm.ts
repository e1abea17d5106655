/**
 * Layer normalisation over the last axis: Ba, Kiros & Hinton 2016, "Layer Normalization"
 * (https://arxiv.org/abs/1607.06450), eq. 4, with PyTorch nn.LayerNorm's conventions (biased
 * variance, ε inside the square root). For each row x of C values (the last axis):
 *
 *   μ = (1/C) Σ_j x_j,   σ² = (1/C) Σ_j (x_j − μ)²,   x̂ = (x − μ)/√(σ² + ε),   y = γ ⊙ x̂ + β
 *
 * x: [..., C]; γ (gain) and β (bias): [C], either may be absent (nanoGPT's LayerNorm has no bias).
 *
 * On a backend with the kernel `PaperzooLayerNorm` (the native backend) the forward pass is one kernel,
 * which also returns each row's μ and 1/√(σ² + ε) for its backward kernel `PaperzooLayerNormGrad`
 * (dx, dγ, dβ in one pass over the rows and one column sum). Elsewhere it is composed from tf ops
 * (tf.moments, sub, rsqrt, mul, add). As batchNormTraining (./fused.ts), the fused backward kernel
 * serves first-order passes only: a backward pass that is itself recorded (a gradient of a gradient)
 * runs the composed gradient below, with μ and σ² recomputed from x, so second order is exact.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import { fusedBackward, fusedKernel } from './fused.js';

/** The fused forward kernel: inputs x [..., C], gamma [C], beta [C]; attr epsilon; outputs y, mean [...], rstd [...] (per row). */
export const LAYER_NORM = 'PaperzooLayerNorm';
/** Its backward kernel: inputs x, gamma, mean, rstd, dy; outputs dx, dgamma, dbeta. */
export const LAYER_NORM_GRAD = 'PaperzooLayerNormGrad';

/** x̂ = (x − μ)/√(σ² + ε) over the last axis, with μ and σ² functions of x (differentiable to any order), and 1/√(σ² + ε) [..., 1]. */
function normalise(x: Tensor, epsilon: number): { xHat: Tensor; rstd: Tensor } {
  const { mean, variance } = tf.moments(x, -1, true); // [..., 1]
  const rstd = tf.rsqrt(tf.add(variance, epsilon));
  return { xHat: tf.mul(tf.sub(x, mean), rstd), rstd };
}

function checkShapes(x: Tensor, gamma?: Tensor, beta?: Tensor): void {
  if (x.rank < 1) throw new RangeError(`layerNorm: x must be [..., C], got a scalar`);
  const c = x.shape[x.rank - 1];
  for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t != null && (t.rank !== 1 || t.shape[0] !== c)) throw new RangeError(`layerNorm: ${name} must be [${c}] (one per entry of x's last axis; x is [${x.shape.join(', ')}]), got [${t.shape.join(', ')}]`);
  }
}

/**
 * Layer normalisation of x [..., C] over its last axis (Ba et al. 2016, eq. 4; PyTorch nn.LayerNorm):
 * y = γ ⊙ (x − μ)/√(σ² + ε) + β with μ, σ² (biased) of each row. gamma, beta: [C] or absent (1, 0).
 * Returns y [..., C]. Differentiable with respect to x, γ and β to any order; one kernel each way
 * (first order) on the native backend.
 */
export function layerNorm<T extends Tensor>(x: T, gamma?: Tensor, beta?: Tensor, epsilon = 1e-5): T {
  checkShapes(x, gamma, beta);
  const c = x.shape[x.rank - 1];
  return tf.tidy(() => {
    const $gamma = gamma ?? tf.ones([c]);
    const $beta = beta ?? tf.zeros([c]);
    const fused = fusedKernel<Tensor[]>(LAYER_NORM, { x, gamma: $gamma, beta: $beta }, { epsilon });
    if (fused != null) return fused[0] as T;
    const { xHat } = normalise(tf.cast(x, 'float32'), epsilon);
    const scaled = gamma == null ? xHat : tf.mul(xHat, gamma);
    return (beta == null ? scaled : tf.add(scaled, beta)) as T;
  });
}

/**
 * The kernel's gradient for upstream dy of y (the mean and rstd outputs are internal and get none):
 *   dβ = Σ_rows dy,  dγ = Σ_rows dy ⊙ x̂,  dx = rstd·(g − mean_C(g) − x̂ ⊙ mean_C(g ⊙ x̂)),  g = dy ⊙ γ.
 * Composed from tf ops (μ, σ² recomputed from x) when the backward pass is itself recorded or the
 * backend lacks the fused kernel.
 */
export const layerNormGradConfig: GradConfig = {
  kernelName: LAYER_NORM,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, gamma, mean, rstd] = saved;
    const dy = (dys as Tensor[])[0];
    const { epsilon } = attrs as unknown as { epsilon: number };
    // all three from one computation, run now (each closure runs in its own tidy)
    const fused = fusedBackward<Tensor[]>(LAYER_NORM_GRAD, { x, gamma, mean, rstd, dy });
    if (fused != null) {
      const [dx, dgamma, dbeta] = fused;
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    }
    const lead = x.shape.slice(0, -1).map((_, i) => i); // every axis but the last
    const { xHat, rstd: inv } = normalise(x, epsilon);
    const g = tf.mul(dy, gamma);
    const dx = tf.mul(inv, tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(xHat, tf.mean(tf.mul(g, xHat), -1, true))));
    const dgamma = tf.sum(tf.mul(dy, xHat), lead);
    const dbeta = tf.sum(dy, lead);
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};
