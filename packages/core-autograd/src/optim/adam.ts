/**
 * Adam: bias-corrected running averages of the gradient and its square.
 *
 * D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
 * https://arxiv.org/abs/1412.6980, Algorithm 1:
 *
 *   m_t = β₁ m_{t−1} + (1 − β₁) g_t
 *   v_t = β₂ v_{t−1} + (1 − β₂) g_t²
 *   m̂_t = m_t / (1 − β₁^t),   v̂_t = v_t / (1 − β₂^t)
 *   θ_t = θ_{t−1} − η_t m̂_t / (√v̂_t + ε)
 *
 * Defaults are the paper's (η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8). `tf.train.adam` computes the
 * same; its default ε is 1e-7.
 */
import { ADAM_UPDATE, backendHasKernel, differentiatedAgain, fusedKernel, tf } from '@paperzoo/tensor';
import type { LearningRate } from './learning-rate.js';
import { Optimizer, type OptimizerOptions, type VariableUpdate } from './optimizer.js';

export interface AdamOptions extends Omit<OptimizerOptions, 'learningRate'> {
  /** η (default 0.001). */
  learningRate?: LearningRate;
  /** β₁, decay of the first moment (default 0.9). */
  beta1?: number;
  /** β₂, decay of the second moment (default 0.999). */
  beta2?: number;
  /** ε, added to √v̂ (default 1e-8). */
  epsilon?: number;
}

/** The moment updates shared by the Adam family: m_t and v_t, assigned to the 'm' and 'v' slots. */
export function updateMoments(slots: Record<string, tf.Variable>, gradient: tf.Tensor, beta1: number, beta2: number): { m: tf.Tensor; v: tf.Tensor } {
  const m = tf.add(tf.mul(slots.m, beta1), tf.mul(gradient, 1 - beta1));
  const v = tf.add(tf.mul(slots.v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
  slots.m.assign(m);
  slots.v.assign(v);
  return { m, v };
}

/** Adam (Kingma & Ba 2015, Algorithm 1): θ ← θ − η m̂/(√v̂ + ε). Equations and conventions: the top of this file. */
export class Adam extends Optimizer {
  static override className = 'paperzoo.Adam';
  protected readonly slotNames: readonly string[] = ['m', 'v'];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(options: AdamOptions = {}) {
    super({ ...options, learningRate: options.learningRate ?? 0.001 });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** m̂_t / (√v̂_t + ε): Adam's direction, shared by AdamW. */
  protected adamDirection(slots: Record<string, tf.Variable>, gradient: tf.Tensor, step: number): tf.Tensor {
    const { m, v } = updateMoments(slots, gradient, this.beta1, this.beta2);
    const mHat = tf.div(m, 1 - this.beta1 ** step);
    const vHat = tf.div(v, 1 - this.beta2 ** step);
    return tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon));
  }

  protected update({ value, gradient, slots, learningRate, step }: VariableUpdate): tf.Tensor {
    return tf.sub(value, tf.mul(this.adamDirection(slots, gradient, step), learningRate));
  }

  /** θ's multiplier before the Adam step: 1 here, AdamW's 1 − ηλ (a JS number, as `update` multiplies by). */
  protected decayFactor(_u: VariableUpdate): number {
    return 1;
  }

  /**
   * {@link update} (with AdamW's decay) as the one kernel `PaperzooAdamUpdate` where the backend has it
   * (native), every tensor is float32 and no gradient is being recorded: the same float32 operations in
   * the same order, so the same bits.
   */
  protected override fusedUpdate(u: VariableUpdate, gradScale: () => number): tf.Tensor | null {
    const { value, gradient, slots, learningRate, step } = u;
    if (differentiatedAgain() || !backendHasKernel(ADAM_UPDATE)) return null;
    const attrs = { learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step, decayFactor: this.decayFactor(u), gradScale: gradScale() };
    const fused = fusedKernel<tf.Tensor[]>(ADAM_UPDATE, { value, gradient, m: slots.m, v: slots.v }, attrs);
    if (fused === null) return null;
    const [next, m, v] = fused;
    slots.m.assign(m);
    slots.v.assign(v);
    return next;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
