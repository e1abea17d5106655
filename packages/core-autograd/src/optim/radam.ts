/**
 * RAdam: Adam whose adaptive step is switched on gradually, as the variance of v̂ becomes tractable.
 *
 * L. Liu, H. Jiang, P. He, W. Chen, X. Liu, J. Gao, J. Han, "On the Variance of the Adaptive Learning
 * Rate and Beyond", ICLR 2020, https://arxiv.org/abs/1908.03265, Algorithm 2:
 *
 *   m_t, v_t as in Adam;   m̂_t = m_t / (1 − β₁^t)
 *   ρ_∞ = 2/(1 − β₂) − 1,   ρ_t = ρ_∞ − 2t β₂^t / (1 − β₂^t)
 *   if ρ_t > threshold:  r_t = √( (ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t) )
 *                        θ_t = θ_{t−1} − η_t r_t m̂_t · √(1 − β₂^t) / (√v_t + ε)
 *   else:                θ_t = θ_{t−1} − η_t m̂_t                 (SGD with momentum)
 *
 * Algorithm 2 writes the test as ρ_t > 4 and l_t = √((1 − β₂^t)/v_t); the authors' code and PyTorch use
 * ρ_t > 5 and add ε as above — the defaults here (`threshold: 5`, ε = 1e-8).
 */
import { tf } from '@paperzoo/tensor';
import { updateMoments, type AdamOptions } from './adam.js';
import { Optimizer, type VariableUpdate } from './optimizer.js';

export interface RAdamOptions extends AdamOptions {
  /** Rectify (use the adaptive step) once ρ_t exceeds this (default 5, the authors' code; the paper's Algorithm 2 says 4). */
  threshold?: number;
}

/** RAdam (Liu et al. 2020): Adam rectified by r_t once ρ_t > threshold, momentum SGD before. Equations and conventions: the top of this file. */
export class RAdam extends Optimizer {
  static override className = 'paperzoo.RAdam';
  protected readonly slotNames = ['m', 'v'] as const;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly threshold: number;

  constructor(options: RAdamOptions = {}) {
    super({ ...options, learningRate: options.learningRate ?? 0.001 });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.threshold = options.threshold ?? 5;
  }

  /** ρ_t, the length of the approximated simple moving average at step t. */
  rho(t: number): number {
    const rhoInf = 2 / (1 - this.beta2) - 1;
    const b2t = this.beta2 ** t;
    return rhoInf - (2 * t * b2t) / (1 - b2t);
  }

  protected update({ value, gradient, slots, learningRate, step }: VariableUpdate): tf.Tensor {
    const { m, v } = updateMoments(slots, gradient, this.beta1, this.beta2);
    const mHat = tf.div(m, 1 - this.beta1 ** step);
    const rhoT = this.rho(step);
    if (!(rhoT > this.threshold)) return tf.sub(value, tf.mul(mHat, learningRate));
    const rhoInf = 2 / (1 - this.beta2) - 1;
    const r = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
    const adaptive = tf.div(Math.sqrt(1 - this.beta2 ** step), tf.add(tf.sqrt(v), this.epsilon)); // l_t
    return tf.sub(value, tf.mul(tf.mul(mHat, adaptive), learningRate * r));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, threshold: this.threshold };
  }
}
