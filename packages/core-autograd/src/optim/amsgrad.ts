/**
 * AMSGrad: Adam with a non-decreasing second moment, which restores convergence.
 *
 * S. J. Reddi, S. Kale, S. Kumar, "On the Convergence of Adam and Beyond", ICLR 2018,
 * https://openreview.net/forum?id=ryQu7f-RZ, Algorithm 2 — in the bias-corrected form of PyTorch's
 * `Adam(amsgrad=True)` and Keras:
 *
 *   m_t = β₁ m_{t−1} + (1 − β₁) g_t
 *   v_t = β₂ v_{t−1} + (1 − β₂) g_t²
 *   v̂max_t = max(v̂max_{t−1}, v_t)
 *   θ_t = θ_{t−1} − η_t (m_t / (1 − β₁^t)) / (√(v̂max_t / (1 − β₂^t)) + ε)
 *
 * Algorithm 2 as printed has no bias correction and no ε (θ_t = θ_{t−1} − α_t m_t / √v̂_t); the
 * corrections only rescale the first steps.
 */
import { tf } from '@paperzoo/tensor';
import { Adam, updateMoments, type AdamOptions } from './adam.js';
import type { VariableUpdate } from './optimizer.js';

export type AMSGradOptions = AdamOptions;

/** AMSGrad (Reddi et al. 2018): Adam with v̂max = max(v̂max, v). Equations and conventions: the top of this file. */
export class AMSGrad extends Adam {
  static override className = 'paperzoo.AMSGrad';
  protected override readonly slotNames: readonly string[] = ['m', 'v', 'vMax'];

  constructor(options: AMSGradOptions = {}) {
    super(options);
  }

  /** No fused kernel: Adam's does not keep v̂max. */
  protected override fusedUpdate(): null {
    return null;
  }

  protected override update({ value, gradient, slots, learningRate, step }: VariableUpdate): tf.Tensor {
    const { m, v } = updateMoments(slots, gradient, this.beta1, this.beta2);
    const vMax = tf.maximum(slots.vMax, v);
    slots.vMax.assign(vMax);
    const mHat = tf.div(m, 1 - this.beta1 ** step);
    const vHat = tf.div(vMax, 1 - this.beta2 ** step);
    return tf.sub(value, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), learningRate));
  }
}
