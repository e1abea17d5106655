/**
 * Nesterov's accelerated gradient, as momentum for deep learning.
 *
 * I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization and momentum in
 * deep learning", ICML 2013, http://proceedings.mlr.press/v28/sutskever13.html, eqs. (3)–(4):
 * v_t = μ v_{t−1} − η ∇f(θ_{t−1} + μ v_{t−1}), θ_t = θ_{t−1} + v_t — the gradient is taken at the
 * look-ahead point. Rewritten in terms of the look-ahead parameters (Bengio, Boulanger-Lewandowski &
 * Pascanu, "Advances in Optimizing Recurrent Networks", 2013, https://arxiv.org/abs/1212.0901), so
 * the gradient is taken at the current θ:
 *
 *   v_t = μ v_{t−1} + g_t
 *   θ_t = θ_{t−1} − η_t (g_t + μ v_t)
 *
 * Same as `tf.train.momentum(η, μ, true)` and PyTorch's SGD(nesterov=True).
 */
import { tf } from '@paperzoo/tensor';
import { Optimizer, type VariableUpdate } from './optimizer.js';
import type { MomentumOptions } from './momentum.js';

export type NesterovOptions = MomentumOptions;

/** Nesterov momentum (Sutskever et al. 2013): v ← μv + g, θ ← θ − η(g + μv). Equations and conventions: the top of this file. */
export class Nesterov extends Optimizer {
  static override className = 'paperzoo.Nesterov';
  protected readonly slotNames = ['velocity'] as const;
  readonly momentum: number;

  constructor(options: NesterovOptions) {
    super(options);
    this.momentum = options.momentum ?? 0.9;
  }

  protected update({ value, gradient, slots, learningRate }: VariableUpdate): tf.Tensor {
    const velocity = tf.add(tf.mul(slots.velocity, this.momentum), gradient); // v_t = μ v + g
    slots.velocity.assign(velocity);
    return tf.sub(value, tf.mul(tf.add(gradient, tf.mul(velocity, this.momentum)), learningRate));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum };
  }
}
