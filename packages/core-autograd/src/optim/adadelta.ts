/**
 * Adadelta: units-correct steps from running averages of squared gradients and squared updates.
 *
 * M. D. Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012, https://arxiv.org/abs/1212.5701,
 * Algorithm 1 (eq. (14)), with RMS[y]_t = √(E[y²]_t + ε):
 *
 *   E[g²]_t  = ρ E[g²]_{t−1} + (1 − ρ) g_t²
 *   Δθ_t     = −(RMS[Δθ]_{t−1} / RMS[g]_t) · g_t
 *   E[Δθ²]_t = ρ E[Δθ²]_{t−1} + (1 − ρ) Δθ_t²
 *   θ_t      = θ_{t−1} + η_t Δθ_t                (the paper has no η, i.e. η = 1, the default)
 *
 * This matches TensorFlow's ApplyAdadelta, Keras and PyTorch. tf.train.adadelta (tfjs 4.22) divides by
 * RMS[g]_{t−1} — the accumulator *before* adding g_t² — so its trajectory differs (its first step is
 * exactly −η g_1); the test documents the difference.
 */
import { tf } from '@paperzoo/tensor';
import type { LearningRate } from './learning-rate.js';
import { Optimizer, type OptimizerOptions, type VariableUpdate } from './optimizer.js';

export interface AdadeltaOptions extends Omit<OptimizerOptions, 'learningRate'> {
  /** η (default 1, the paper's method). */
  learningRate?: LearningRate;
  /** ρ, the decay of the running averages (default 0.95, the paper's). */
  rho?: number;
  /** ε in RMS[y] = √(E[y²] + ε) (default 1e-6, the paper's). */
  epsilon?: number;
}

/** Adadelta (Zeiler 2012, Algorithm 1): θ ← θ − η·RMS[Δθ]_{t−1}/RMS[g]_t·g. Equations and conventions: the top of this file. */
export class Adadelta extends Optimizer {
  static override className = 'paperzoo.Adadelta';
  protected readonly slotNames = ['accumulatedGradient', 'accumulatedUpdate'] as const;
  readonly rho: number;
  readonly epsilon: number;

  constructor(options: AdadeltaOptions = {}) {
    super({ ...options, learningRate: options.learningRate ?? 1 });
    this.rho = options.rho ?? 0.95;
    this.epsilon = options.epsilon ?? 1e-6;
  }

  protected update({ value, gradient, slots, learningRate }: VariableUpdate): tf.Tensor {
    const rho = this.rho;
    const accumulatedGradient = tf.add(tf.mul(slots.accumulatedGradient, rho), tf.mul(tf.square(gradient), 1 - rho)); // E[g²]_t
    const rmsUpdate = tf.sqrt(tf.add(slots.accumulatedUpdate, this.epsilon)); // RMS[Δθ]_{t−1}
    const rmsGradient = tf.sqrt(tf.add(accumulatedGradient, this.epsilon)); // RMS[g]_t
    const delta = tf.mul(tf.div(rmsUpdate, rmsGradient), gradient); // −Δθ_t
    slots.accumulatedGradient.assign(accumulatedGradient);
    slots.accumulatedUpdate.assign(tf.add(tf.mul(slots.accumulatedUpdate, rho), tf.mul(tf.square(delta), 1 - rho)));
    return tf.sub(value, tf.mul(delta, learningRate));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}
