/**
 * RMSProp: divide the gradient by a running root mean square of recent gradients.
 *
 * T. Tieleman, G. Hinton, "Lecture 6.5 — RMSProp: divide the gradient by a running average of its
 * recent magnitude", COURSERA: Neural Networks for Machine Learning, 2012,
 * https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf, slide 29; the momentum and
 * centred forms are A. Graves, "Generating Sequences With Recurrent Neural Networks", 2013,
 * https://arxiv.org/abs/1308.0850, eqs. (38)–(41):
 *
 *   s_t = ρ s_{t−1} + (1 − ρ) g_t²                               (mean square)
 *   ḡ_t = ρ ḡ_{t−1} + (1 − ρ) g_t                                (mean, only when centered)
 *   v_t = μ v_{t−1} + η_t g_t / √(s_t − ḡ_t² + ε)                 (ḡ ≡ 0 when not centered)
 *   θ_t = θ_{t−1} − v_t
 *
 * ε inside the square root, as in TensorFlow and tfjs (the lecture has no ε; PyTorch adds it outside).
 * Non-centred, this is `tf.train.rmsprop(η, ρ, μ, ε)` exactly. (tfjs 4.22's centred form computes
 * √(s − ḡ² − ε), with the sign of ε flipped; TensorFlow's kernel and this class use +ε.)
 */
import { tf } from '@paperzoo/tensor';
import { Optimizer, type OptimizerOptions, type VariableUpdate } from './optimizer.js';

export interface RMSPropOptions extends OptimizerOptions {
  /** ρ, the decay of the running averages (default 0.9, the lecture's value). */
  decay?: number;
  /** μ (default 0: no momentum). */
  momentum?: number;
  /** ε inside the square root (default 1e-7, tfjs's). */
  epsilon?: number;
  /** Divide by the running standard deviation instead of the RMS (Graves 2013; default false). */
  centered?: boolean;
}

/** RMSProp (Tieleman & Hinton 2012; centred: Graves 2013): θ ← θ − η g/√(s − ḡ² + ε), with momentum. Equations and conventions: the top of this file. */
export class RMSProp extends Optimizer {
  static override className = 'paperzoo.RMSProp';
  protected readonly slotNames: readonly string[];
  readonly decay: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(options: RMSPropOptions) {
    super(options);
    this.decay = options.decay ?? 0.9;
    this.momentum = options.momentum ?? 0;
    this.epsilon = options.epsilon ?? 1e-7;
    this.centered = options.centered ?? false;
    this.slotNames = this.centered ? ['meanSquare', 'momentum', 'meanGradient'] : ['meanSquare', 'momentum'];
  }

  protected update({ value, gradient, slots, learningRate }: VariableUpdate): tf.Tensor {
    const rho = this.decay;
    const meanSquare = tf.add(tf.mul(slots.meanSquare, rho), tf.mul(tf.square(gradient), 1 - rho)); // s_t
    slots.meanSquare.assign(meanSquare);
    let variance: tf.Tensor = meanSquare;
    if (this.centered) {
      const meanGradient = tf.add(tf.mul(slots.meanGradient, rho), tf.mul(gradient, 1 - rho)); // ḡ_t
      slots.meanGradient.assign(meanGradient);
      variance = tf.sub(meanSquare, tf.square(meanGradient));
    }
    const step = tf.div(tf.mul(gradient, learningRate), tf.sqrt(tf.add(variance, this.epsilon)));
    const velocity = tf.add(tf.mul(slots.momentum, this.momentum), step); // v_t
    slots.momentum.assign(velocity);
    return tf.sub(value, velocity);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), decay: this.decay, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}
