/**
 * Nadam: Adam with Nesterov momentum.
 *
 * T. Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop,
 * https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ, Algorithm 2 with the momentum schedule of §3,
 * μ_t = β₁ (1 − ½ · 0.96^{t·ψ}) (ψ = 0.004, i.e. 0.96^{t/250}), in the form of the author's Keras
 * implementation and PyTorch's NAdam (the first moment averages with the constant β₁):
 *
 *   m_t = β₁ m_{t−1} + (1 − β₁) g_t,          v_t = β₂ v_{t−1} + (1 − β₂) g_t²
 *   v̂_t = v_t / (1 − β₂^t)
 *   θ_t = θ_{t−1} − η_t [ (1 − μ_t) g_t / (1 − Π_{i≤t} μ_i) + μ_{t+1} m_t / (1 − Π_{i≤t+1} μ_i) ] / (√v̂_t + ε)
 *
 * (Algorithm 2 as printed also averages m with μ_t instead of β₁.) Defaults η = 0.002, β₁ = 0.9,
 * β₂ = 0.999, ε = 1e-8, ψ = 0.004.
 */
import { tf } from '@paperzoo/tensor';
import { updateMoments, type AdamOptions } from './adam.js';
import { Optimizer, type VariableUpdate } from './optimizer.js';

export interface NadamOptions extends AdamOptions {
  /** ψ in μ_t = β₁(1 − ½·0.96^{tψ}) (default 0.004). */
  momentumDecay?: number;
}

/** Nadam (Dozat 2016): Adam with Nesterov momentum and the μ_t schedule. Equations and conventions: the top of this file. */
export class Nadam extends Optimizer {
  static override className = 'paperzoo.Nadam';
  protected readonly slotNames = ['m', 'v'] as const;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly momentumDecay: number;
  /** Π_{i≤t} μ_i after the current step (float64, rebuilt from t on restore). */
  private muProduct = 1;
  private muNow = 0;
  private muNext = 0;

  constructor(options: NadamOptions = {}) {
    super({ ...options, learningRate: options.learningRate ?? 0.002 });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.momentumDecay = options.momentumDecay ?? 0.004;
  }

  /** μ_t = β₁ (1 − ½ · 0.96^{tψ}). */
  momentumAt(t: number): number {
    return this.beta1 * (1 - 0.5 * 0.96 ** (t * this.momentumDecay));
  }

  protected override beginStep(step: number): void {
    this.muNow = this.momentumAt(step);
    this.muNext = this.momentumAt(step + 1);
    this.muProduct *= this.muNow;
  }

  protected override restoredIterations(): void {
    this.muProduct = 1;
    for (let t = 1; t <= this.iterations; t++) this.muProduct *= this.momentumAt(t);
  }

  protected update({ value, gradient, slots, learningRate, step }: VariableUpdate): tf.Tensor {
    const { m, v } = updateMoments(slots, gradient, this.beta1, this.beta2);
    const denominator = tf.add(tf.sqrt(tf.div(v, 1 - this.beta2 ** step)), this.epsilon); // √v̂_t + ε
    const gradientPart = tf.mul(gradient, (1 - this.muNow) / (1 - this.muProduct));
    const momentumPart = tf.mul(m, this.muNext / (1 - this.muProduct * this.muNext));
    return tf.sub(value, tf.mul(tf.div(tf.add(gradientPart, momentumPart), denominator), learningRate));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, momentumDecay: this.momentumDecay };
  }
}
