/**
 * Stochastic gradient descent.
 *
 * H. Robbins, S. Monro, "A Stochastic Approximation Method", Annals of Mathematical Statistics 22(3),
 * 1951, https://doi.org/10.1214/aoms/1177729586; as the learning rule of Rumelhart, Hinton &
 * Williams 1986 (https://doi.org/10.1038/323533a0), eq. (8):
 *
 *   θ_t = θ_{t−1} − η_t g_t
 *
 * Same as `tf.train.sgd(η)`.
 */
import { tf } from '@paperzoo/tensor';
import { Optimizer, type OptimizerOptions, type VariableUpdate } from './optimizer.js';

export type SGDOptions = OptimizerOptions;

/** Stochastic gradient descent, θ ← θ − η g (Robbins & Monro 1951). Equations and conventions: the top of this file. */
export class SGD extends Optimizer {
  static override className = 'paperzoo.SGD';
  protected readonly slotNames = [] as const;

  constructor(options: SGDOptions) {
    super(options);
  }

  protected update({ value, gradient, learningRate }: VariableUpdate): tf.Tensor {
    return tf.sub(value, tf.mul(gradient, learningRate));
  }
}
