/**
 * Adagrad: per-coordinate learning rates from the sum of squared gradients.
 *
 * J. Duchi, E. Hazan, Y. Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization", JMLR 12, 2011, https://jmlr.org/papers/v12/duchi11a.html, the diagonal update of §1
 * and Figure 1 (H_t = δI + diag(G_t)^{1/2}, with G_t the running sum of squared gradients):
 *
 *   G_t = G_{t−1} + g_t²                      (G_0 = initialAccumulatorValue)
 *   θ_t = θ_{t−1} − η_t g_t / (δ + √G_t)
 *
 * δ sits outside the square root as in the paper (and PyTorch). tf.train.adagrad instead computes
 * g/√(G + 1e-7) and starts from G_0 = 0.1; with `initialAccumulatorValue: 0.1, epsilon: 0` the two
 * agree to ~1e-7·η/G (see the test).
 */
import { tf } from '@paperzoo/tensor';
import { Optimizer, type OptimizerOptions, type VariableUpdate } from './optimizer.js';

export interface AdagradOptions extends OptimizerOptions {
  /** G_0, the starting value of the accumulator (default 0, as in the paper; tfjs uses 0.1). */
  initialAccumulatorValue?: number;
  /** δ, added to √G_t (default 1e-10). */
  epsilon?: number;
}

/** Adagrad (Duchi et al. 2011): G ← G + g², θ ← θ − η g/(δ + √G). Equations and conventions: the top of this file. */
export class Adagrad extends Optimizer {
  static override className = 'paperzoo.Adagrad';
  protected readonly slotNames = ['accumulator'] as const;
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(options: AdagradOptions) {
    super(options);
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0;
    this.epsilon = options.epsilon ?? 1e-10;
  }

  protected override initialSlotValue(_slot: string, variable: tf.Variable): tf.Tensor {
    return tf.fill(variable.shape, this.initialAccumulatorValue);
  }

  protected update({ value, gradient, slots, learningRate }: VariableUpdate): tf.Tensor {
    const accumulator = tf.add(slots.accumulator, tf.square(gradient)); // G_t
    slots.accumulator.assign(accumulator);
    return tf.sub(value, tf.div(tf.mul(gradient, learningRate), tf.add(tf.sqrt(accumulator), this.epsilon)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}
