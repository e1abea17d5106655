/**
 * Gradient descent with (heavy-ball) momentum.
 *
 * B. T. Polyak, "Some methods of speeding up the convergence of iteration methods", USSR Computational
 * Mathematics and Mathematical Physics 4(5), 1964, https://doi.org/10.1016/0041-5553(64)90137-5 (the
 * "heavy ball"): θ_t = θ_{t−1} − η g_t + μ(θ_{t−1} − θ_{t−2}); also Rumelhart, Hinton & Williams 1986,
 * eq. (9): Δw(t) = −ε ∂E/∂w(t) + α Δw(t−1). Written with a velocity v (the form of tf.train.momentum,
 * PyTorch and Sutskever et al. 2013 eq. (1) with η pulled out of v):
 *
 *   v_t = μ v_{t−1} + g_t
 *   θ_t = θ_{t−1} − η_t v_t
 *
 * With a constant η this is Polyak's update exactly; with a schedule the velocity keeps raw gradients
 * and the current η_t scales it (PyTorch's and tfjs's convention). Same as `tf.train.momentum(η, μ)`.
 */
import { tf } from '@paperzoo/tensor';
import { Optimizer, type OptimizerOptions, type VariableUpdate } from './optimizer.js';

export interface MomentumOptions extends OptimizerOptions {
  /** μ, the momentum coefficient (default 0.9). */
  momentum?: number;
}

/** Heavy-ball momentum (Polyak 1964): v ← μv + g, θ ← θ − ηv. Equations and conventions: the top of this file. */
export class Momentum extends Optimizer {
  static override className = 'paperzoo.Momentum';
  protected readonly slotNames = ['velocity'] as const;
  readonly momentum: number;

  constructor(options: MomentumOptions) {
    super(options);
    this.momentum = options.momentum ?? 0.9;
  }

  protected update({ value, gradient, slots, learningRate }: VariableUpdate): tf.Tensor {
    const velocity = tf.add(tf.mul(slots.velocity, this.momentum), gradient); // v_t = μ v + g
    slots.velocity.assign(velocity);
    return tf.sub(value, tf.mul(velocity, learningRate));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum };
  }
}
