/**
 * AdamW: Adam with weight decay decoupled from the gradient.
 *
 * I. Loshchilov, F. Hutter, "Decoupled Weight Decay Regularization", ICLR 2019,
 * https://arxiv.org/abs/1711.05101, Algorithm 2 (line 12), in PyTorch's parameterisation
 * (the paper's schedule multiplier η_t and step size α both folded into the learning rate η_t):
 *
 *   m_t, v_t, m̂_t, v̂_t as in Adam
 *   θ_t = θ_{t−1} − η_t (m̂_t / (√v̂_t + ε) + λ θ_{t−1})
 *       = (1 − η_t λ) θ_{t−1} − η_t m̂_t / (√v̂_t + ε)
 *
 * The decay λθ never enters m or v, so every weight shrinks by the same factor (1 − ηλ) per step —
 * unlike Adam with an L2 penalty (`new Adam({ l2 })`), where λθ is divided by √v̂ like the gradient.
 */
import { tf } from '@paperzoo/tensor';
import { Adam, type AdamOptions } from './adam.js';
import type { VariableUpdate } from './optimizer.js';

export interface AdamWOptions extends AdamOptions {
  /** λ, the decoupled weight decay (default 0.01, PyTorch's). */
  weightDecay?: number;
  /**
   * Which variables decay (default all). nanoGPT and GPT-2 decay only the matrices (weights and
   * embeddings: `p.dim() >= 2`), never biases or LayerNorm gains: `decays: (v) => v.shape.length >= 2`.
   */
  decays?: (variable: tf.Variable) => boolean;
}

/** AdamW (Loshchilov & Hutter 2019): θ ← (1 − ηλ)θ − η m̂/(√v̂ + ε). Equations and conventions: the top of this file. */
export class AdamW extends Adam {
  static override className = 'paperzoo.AdamW';
  readonly weightDecay: number;
  private readonly decays: (variable: tf.Variable) => boolean;

  constructor(options: AdamWOptions = {}) {
    super(options);
    this.weightDecay = options.weightDecay ?? 0.01;
    this.decays = options.decays ?? (() => true);
    if (!Number.isFinite(this.weightDecay) || this.weightDecay < 0) throw new RangeError(`weightDecay must be a finite number ≥ 0, got ${this.weightDecay}`);
  }

  protected override update(u: VariableUpdate): tf.Tensor {
    const { value, gradient, slots, learningRate, step } = u;
    const decayed = this.decays(value as tf.Variable) ? tf.mul(value, this.decayFactor(u)) : value; // (1 − η λ) θ_{t−1}
    return tf.sub(decayed, tf.mul(this.adamDirection(slots, gradient, step), learningRate));
  }

  protected override decayFactor({ value, learningRate }: VariableUpdate): number {
    return this.decays(value as tf.Variable) ? 1 - learningRate * this.weightDecay : 1;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }
}
