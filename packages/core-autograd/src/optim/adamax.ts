/**
 * Adamax: Adam with the infinity norm in place of the second moment.
 *
 * D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
 * https://arxiv.org/abs/1412.6980, §7.1, Algorithm 2:
 *
 *   m_t = β₁ m_{t−1} + (1 − β₁) g_t
 *   u_t = max(β₂ u_{t−1}, |g_t|)
 *   θ_t = θ_{t−1} − (η_t / (1 − β₁^t)) · m_t / (u_t + ε)
 *
 * Algorithm 2 has no ε (u_t > 0 once any gradient is non-zero); like tfjs and Keras we add it to u_t,
 * so this is `tf.train.adamax(η, β₁, β₂, ε)` exactly (PyTorch instead takes max(β₂u, |g| + ε)).
 * Defaults are the paper's: η = 0.002, β₁ = 0.9, β₂ = 0.999; ε = 1e-8.
 */
import { tf } from '@paperzoo/tensor';
import type { AdamOptions } from './adam.js';
import { Optimizer, type VariableUpdate } from './optimizer.js';

export type AdamaxOptions = AdamOptions;

/** Adamax (Kingma & Ba 2015, Algorithm 2): u ← max(β₂u, |g|), θ ← θ − η/(1 − β₁^t)·m/(u + ε). Equations and conventions: the top of this file. */
export class Adamax extends Optimizer {
  static override className = 'paperzoo.Adamax';
  protected readonly slotNames = ['m', 'u'] as const;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(options: AdamaxOptions = {}) {
    super({ ...options, learningRate: options.learningRate ?? 0.002 });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  protected update({ value, gradient, slots, learningRate, step }: VariableUpdate): tf.Tensor {
    const m = tf.add(tf.mul(slots.m, this.beta1), tf.mul(gradient, 1 - this.beta1));
    const u = tf.maximum(tf.mul(slots.u, this.beta2), tf.abs(gradient));
    slots.m.assign(m);
    slots.u.assign(u);
    return tf.sub(value, tf.mul(tf.div(m, tf.add(u, this.epsilon)), learningRate / (1 - this.beta1 ** step)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
